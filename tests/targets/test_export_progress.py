"""import_progress, then export_progress: statuses a reader can redo by hand from DESIGN.md.

The hand-built catalogue (conftest) has baselines at 2020-12-31 and 2025 targets, so as of
2023-12-31 three of five plan years have passed: time elapsed e = 3/5 = 0.6 (and 3/15 = 0.2 for
2035). Every expected number below is written as the sum DESIGN.md does.
"""

import csv
import io
import math

import pytest
from django.core.management import CommandError, call_command

from targets.models import ProgressResult

SHEET = "\n".join(
    [
        "province,document,indicator,as_of,value,note,done",
        "SX,sx-2021,coverage,2023-12-31,88,,",
        "SX,sx-2021,standards,2023-12-31,800,,",
        "SX,sx-2021,centers,2022-12-31,1,,",
        "SX,sx-2021,centers,2023-12-31,2,,",
        "SX,sx-2021,regulation,2023-06-30,,,是",
    ]
)


def export(*args: str) -> list[dict[str, str]]:
    out = io.StringIO()
    call_command("export_progress", *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def by_key(rows):
    return {(row["indicator"], row["target_year"]): row for row in rows}


@pytest.fixture
def imported_sheet(catalogue, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text(SHEET, encoding="utf-8")
    call_command("import_progress", str(path), stdout=io.StringIO())
    return catalogue


@pytest.mark.django_db
def test_the_exported_statuses_follow_the_progress_method(imported_sheet):
    rows = by_key(export("--as-of", "2023-12-31", "--province", "SX"))

    assert set(rows) == {
        ("coverage", "2025"),
        ("standards", "2025"),
        ("standards", "2035"),
        ("centers", "2025"),
        ("regulation", "2035"),
    }

    # 强检项目覆盖率 85 % → 90 %, at 88 %: c = (88-85)/(90-85) = 0.6 = e → c/e = 1.0, 正常.
    # A straight line through (2020, 85) and (2023, 88) reaches 90 at 2025: r = 1.0, 有望达成.
    coverage = rows[("coverage", "2025")]
    assert coverage["province"] == "SX" and coverage["document"] == "sx-2021"
    assert coverage["indicator_name"] == "强检项目覆盖率"
    assert (coverage["target"], coverage["comparator"]) == ("90", "gte")
    assert (coverage["baseline"], coverage["baseline_date"]) == ("85", "2020-12-31")
    assert (coverage["latest_value"], coverage["latest_date"]) == ("88", "2023-12-31")
    assert coverage["achieved"] == "false"
    assert (coverage["completion"], coverage["time_elapsed"]) == ("0.6", "0.6")
    assert (coverage["pace_status"], coverage["pace_status_label"]) == ("on_track", "正常")
    assert (coverage["outlook"], coverage["outlook_label"]) == ("on_track", "有望达成")
    assert (coverage["projection"], coverage["method"]) == ("90", "linear")

    # 计量标准 743 → 900 (2025), at 800: c = 57/157 = 0.3631, c/e = 0.605 → 滞后.
    # A large stock: growth-rate ratio R = ((800/743)^(1/3) - 1) / ((900/743)^(1/5) - 1) = 0.638
    # → 需加快; projection 743 * (800/743)^(5/3).
    standards = rows[("standards", "2025")]
    assert float(standards["completion"]) == pytest.approx(57 / 157, abs=1e-4)
    assert standards["pace_status"] == "lagging"
    assert standards["method"] == "growth_rate"
    ratio = ((800 / 743) ** (1 / 3) - 1) / ((900 / 743) ** (1 / 5) - 1)
    assert 0.6 <= ratio < 0.95
    assert standards["outlook"] == "acceleration_needed"
    assert float(standards["projection"]) == pytest.approx(743 * (800 / 743) ** (5 / 3), abs=1e-4)

    # The same value against 1200 by 2035: c = 57/457 = 0.125, e = 3/15 = 0.2, c/e = 0.62 → 滞后.
    standards_2035 = rows[("standards", "2035")]
    assert float(standards_2035["completion"]) == pytest.approx(57 / 457, abs=1e-4)
    assert standards_2035["time_elapsed"] == "0.2"
    assert standards_2035["pace_status"] == "lagging"
    assert float(standards_2035["projection"]) == pytest.approx(743 * (800 / 743) ** 5, abs=1e-4)

    # 国家级产业计量测试中心: 0 at the plan's start, 1 by 2022, 2 by 2023, 3 wanted by 2025:
    # c = 2/3, c/e = 1.11 → 超前. Least squares through (0, 0), (2, 1), (3, 2) years since 2020:
    # slope 3 / (42/9) = 9/14, at year 5: 1 + 9/14 * (5 - 5/3) = 3.1429, r = 3.1429/3 → 有望达成.
    centers = rows[("centers", "2025")]
    assert (centers["baseline"], centers["latest_value"]) == ("0", "2")
    assert centers["completion"] == "0.6667"
    assert centers["pace_status"] == "ahead"
    assert (centers["method"], centers["outlook"]) == ("linear", "on_track")
    assert float(centers["projection"]) == pytest.approx(1 + 9 / 14 * (5 - 5 / 3), abs=1e-4)

    # 修订条例: reported done on 2023-06-30 → 已达成.
    regulation = rows[("regulation", "2035")]
    assert (regulation["target"], regulation["achieved"]) == ("完成", "true")
    assert regulation["pace_status"] == "achieved"
    assert regulation["outlook"] == "not_applicable"


@pytest.mark.django_db
def test_after_the_target_year_only_achieved_or_missed_remain(imported_sheet):
    rows = by_key(export("--as-of", "2026-06-30", "--province", "SX"))

    assert rows[("coverage", "2025")]["pace_status"] == "missed"  # 88 < 90 at the end of 2025
    assert rows[("centers", "2025")]["pace_status"] == "missed"  # 2 < 3
    assert rows[("coverage", "2025")]["time_elapsed"] == "1"
    # 2035 is still open: 30 June is day 181 of 365, so e = (5 + 181/365) / 15 = 0.366;
    # c = 57/457 = 0.125 as before, c/e = 0.34 < 0.6 → 严重滞后.
    elapsed = float(rows[("standards", "2035")]["time_elapsed"])
    assert elapsed == pytest.approx((5 + 181 / 365) / 15, abs=1e-4)
    assert rows[("standards", "2035")]["pace_status"] == "seriously_lagging"


@pytest.mark.django_db
def test_without_a_province_every_province_is_exported_and_results_are_stored(imported_sheet):
    rows = export("--as-of", "2023-12-31")

    assert {row["province"] for row in rows} == {"SX", "JS"}
    js = next(row for row in rows if row["province"] == "JS")
    assert (js["pace_status"], js["latest_value"], js["completion"]) == ("no_data", "", "")
    assert ProgressResult.objects.filter(as_of="2023-12-31").count() == 6


@pytest.mark.django_db
def test_stored_exports_what_is_kept_and_refuses_an_empty_date(imported_sheet):
    with pytest.raises(CommandError, match="no stored results"):
        export("--as-of", "2022-12-31", "--stored")

    call_command("recompute_progress", "--as-of", "2022-12-31", stdout=io.StringIO())
    rows = by_key(export("--as-of", "2022-12-31", "--stored", "--province", "SX"))

    # 2022-12-31: centers at 1 of 3, e = 2/5 → c/e = (1/3)/0.4 = 0.83 → 滞后.
    assert rows[("centers", "2025")]["pace_status"] == "lagging"
    assert math.isclose(float(rows[("centers", "2025")]["time_elapsed"]), 0.4)


@pytest.mark.django_db
def test_a_file_export_has_a_byte_order_mark_for_excel(imported_sheet, tmp_path):
    path = tmp_path / "progress.csv"
    call_command(
        "export_progress", "--as-of", "2023-12-31", "--output", str(path), stderr=io.StringIO()
    )

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert "强检项目覆盖率" in data.decode("utf-8-sig")


@pytest.mark.django_db
def test_a_future_date_or_unknown_province_is_refused(catalogue):
    with pytest.raises(CommandError, match="after today"):
        export("--as-of", "2099-12-31")
    with pytest.raises(CommandError, match="not a date"):
        export("--as-of", "31/12/2023")
    with pytest.raises(CommandError, match="unknown province"):
        export("--province", "ZZ")
