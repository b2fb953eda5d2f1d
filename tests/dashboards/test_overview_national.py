"""The overview with many provinces: sorting, top N with the rest one click away, the province
filter, missed targets of an ended year beside the open risks, the heat-map legend, and a
query count that does not grow with the provinces."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from provinces.models import ReviewStatus
from targets.services import progress_recompute
from tests import factories as f

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 23)
BASE = f"/?as_of={AS_OF.isoformat()}&year=2035"


def build(n: int, start: int = 0) -> list[str]:
    """n provinces; province i has four 2035 targets of which i % 5 are far ahead (so shares
    differ), a 2025 target missed, and (the first only) an area with nothing assessable."""
    codes = []
    approved = {"review_status": ReviewStatus.APPROVED, "reviewed_at": timezone.now()}
    for i in range(start, start + n):
        province = f.make_province(code=f"X{i:02d}", name=f"省份{i:02d}", sort_order=i)
        codes.append(province.code)
        document = f.make_document(province=province)
        for k in range(4):
            indicator = f.make_indicator(document=document, area="科学技术")
            f.make_target(indicator=indicator, year=2035)
            value = "950" if k < i % 5 else "744"
            f.make_report(
                indicator=indicator, as_of=dt.date(2026, 6, 30), value=Decimal(value), **approved
            )
        missed = f.make_indicator(document=document, area="科学技术", name=f"未达成指标{i:02d}")
        f.make_target(indicator=missed, year=2025)
        f.make_report(
            indicator=missed, as_of=dt.date(2025, 12, 31), value=Decimal("750"), **approved
        )
        if i == 0:
            blank = f.make_indicator(document=document, area="法制监督")
            f.make_target(indicator=blank, year=2035)
    progress_recompute(as_of=AS_OF)
    return codes


def _ranking(response) -> list[dict]:
    return response.context["t"]["ranking"].rows


def _shown(html: str, table: str) -> list[str]:
    """Province names in the rendered table's body, in order."""
    block = html[html.index(f'id="table-{table}"') :]
    block = block[: block.index("</table>")]
    return re.findall(r'<a href="/provinces/[^"]+">([^<]+)</a>', block)


def test_fourteen_provinces_show_the_ten_furthest_behind_with_the_rest_one_click_away(
    viewer_client,
):
    build(14)
    response = viewer_client.get(BASE)
    html = response.content.decode()
    shares = [r["share"] for r in _ranking(response)]
    assert len(shares) == 14 and shares == sorted(shares)  # every row in the download
    shown = _shown(html, "ranking")
    assert len(shown) == 10
    assert shown == [r["province_name"] for r in _ranking(response)][:10]
    assert "另有 4 行未在页面列出" in html
    link = re.search(r'class="show-all" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "top=all" in link and "year=2035" in link and "as_of=2026-11-23" in link
    everything = viewer_client.get(link).content.decode()
    assert len(_shown(everything, "ranking")) == 14
    assert "另有" not in everything.split('id="table-ranking"')[1].split("</section>")[0]
    # Beyond six provinces the cards give way to one table of the provinces at a glance.
    assert 'class="card"' not in html and 'id="table-provinces"' in html
    csv = viewer_client.get(BASE + "&format=csv&table=ranking").content.decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == 15  # header + every province


def test_sorting_ahead_first_and_by_name(viewer_client):
    build(14)
    ahead = _ranking(viewer_client.get(BASE + "&sort=ahead"))
    assert [r["share"] for r in ahead] == sorted((r["share"] for r in ahead), reverse=True)
    by_name = _ranking(viewer_client.get(BASE + "&sort=name&top=all"))
    assert [r["province_name"] for r in by_name] == [f"省份{i:02d}" for i in range(14)]
    html = viewer_client.get(BASE + "&sort=ahead").content.decode()
    assert re.search(r'<option value="ahead" selected>', html)
    # The furthest behind is named whatever the order of the list.
    assert "进度最落后的是<strong>省份00</strong>" in html


def test_the_province_filter_narrows_the_whole_page_and_brings_back_cards(viewer_client):
    build(14)
    response = viewer_client.get(BASE + "&province=X03&province=x07")
    html = response.content.decode()
    assert {r["province_name"] for r in _ranking(response)} == {"省份03", "省份07"}
    assert html.count('class="card"') == 2
    assert 'value="X03" checked' in html and 'value="X07" checked' in html
    missed = response.context["t"]["missed"].rows
    assert {r["province_name"] for r in missed} == {"省份03", "省份07"}
    assert "省份00" not in html.split("<main")[1].split("省份筛选")[0]


def test_bad_sort_top_or_province_is_refused_in_both_languages(viewer_client):
    build(2)
    for query, words in (
        ("&sort=worst", "排序方式"),
        ("&top=0", "top"),
        ("&top=ten", "top"),
        ("&province=ZZ", "ZZ"),
    ):
        response = viewer_client.get(BASE + query)
        assert response.status_code == 400
        text = response.content.decode()
        assert words in text and " / " in text


def test_missed_targets_of_an_ended_year_are_listed_and_labelled_beside_the_open_risks(
    viewer_client,
):
    build(3)
    response = viewer_client.get(BASE)
    html = response.content.decode()
    missed = response.context["t"]["missed"]
    assert missed.title == "已到期未达成的目标(2025年)"
    assert {r["indicator_name"] for r in missed.rows} == {f"未达成指标{i:02d}" for i in range(3)}
    assert all(r["pace_status"] == "missed" for r in missed.rows)
    at_risk = response.context["t"]["at_risk"]
    assert at_risk.title == "风险最高的目标(未到期)"
    assert all(r["target_year"] == 2035 for r in at_risk.rows)
    assert 'id="table-missed"' in html and "已到期未达成的目标(2025年)" in html


def test_heat_map_cells_with_nothing_assessable_have_a_legend_entry(viewer_client):
    build(3)
    html = viewer_client.get(BASE).content.decode()
    assert "swatch-no-assessable" in html
    assert "尚无可评估的数据" in html
    figure = json.loads(
        re.search(r'<script id="chart-heatmap-data"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    grey = [t for t in figure["data"] if t.get("name") == "尚无可评估的目标"]
    assert len(grey) == 1 and grey[0]["showlegend"] is True


def test_no_legend_entry_when_every_cell_is_assessable(viewer_client):
    build(2)  # the first province's 法制监督 has nothing assessable; filter to the second
    html = viewer_client.get(BASE + "&province=X01").content.decode()
    assert 'id="chart-heatmap"' in html
    assert "swatch-no-assessable" not in html


def test_the_four_seed_provinces_keep_their_cards_and_no_hidden_rows(viewer_client, seed_demo):
    html = viewer_client.get("/?as_of=2026-11-23").content.decode()
    assert html.count('class="card"') == 4
    assert "另有" not in html.split('id="table-ranking"')[1].split("</section>")[0]
    assert 'class="show-all"' not in html
    assert 'name="top"' not in html  # four provinces: nothing to hide, no such control


def test_the_overview_costs_the_same_queries_at_three_and_at_fourteen_provinces(
    viewer_client, django_assert_max_num_queries
):
    build(3)
    with django_assert_max_num_queries(14) as small:
        assert viewer_client.get(BASE).status_code == 200
    build(11, start=3)
    with django_assert_max_num_queries(14) as large:
        assert viewer_client.get(BASE + "&top=all").status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
