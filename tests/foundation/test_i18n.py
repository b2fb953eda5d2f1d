"""English through Django i18n: the catalogue is complete, compiled, and what pages show.

The interface is written in Chinese; locale/en/LC_MESSAGES/django.po carries the English. Names,
quotes, areas and units printed in the plans are data and stay Chinese in English mode; every
other word on a page must be English.
"""

import ast
import datetime as dt
import gettext as gnu_gettext
import html as html_lib
import math
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation

from dashboards import charts
from dashboards import labels as page_labels
from targets import progress
from tests.clients import dashboard_page_urls, get_in

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO, MO = LOCALE / "django.po", LOCALE / "django.mo"
AS_OF = dt.date(2026, 11, 23)
Q = f"?as_of={AS_OF.isoformat()}"
CJK = re.compile(r"[\u3400-\u9fff]+")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%|\{[a-z_]+\}")
TAG = re.compile(r"</?[a-z]+>")


# --- the catalogue -------------------------------------------------------------------------


def parse_po(text: str) -> list[dict]:
    """Entries of a PO file: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags."""
    entries: list[dict] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry: dict = {"flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += ast.literal_eval(line)
            else:
                key, _, quoted = line.partition(" ")
                entry[key] = ast.literal_eval(quoted)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def _messages() -> list[dict]:
    return [e for e in parse_po(PO.read_text(encoding="utf-8")) if e["msgid"]]


def _translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_the_english_catalogue_has_every_interface_message():
    messages = _messages()
    assert len(messages) > 350
    ids = {(e.get("msgctxt"), e["msgid"]) for e in messages}
    for expected in ("用户名或密码不正确，请重试。", "时间过半", "各省对比", "已达成", "配合"):
        assert (None, expected) in ids
    assert ("task status", "滞后") in ids
    assert ("outlook", "倒退") in ids


def test_every_message_has_an_english_translation_and_none_is_fuzzy():
    header = parse_po(PO.read_text(encoding="utf-8"))[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "Language: en\n" in header["msgstr"]
    untranslated, fuzzy, chinese = [], [], []
    for entry in _messages():
        if "fuzzy" in entry["flags"]:
            fuzzy.append(entry["msgid"])
        for text in _translations(entry):
            if not text.strip():
                untranslated.append(entry["msgid"])
            elif CJK.search(text):
                chinese.append(entry["msgid"])
    assert untranslated == []
    assert fuzzy == []
    # English keeps Chinese only where it quotes what a user types or reads in a document.
    quoting = ("如“二/一”", "按原文，如“1”或“(三)”", "“{value}”应为1/0或是/否", "表头缺少必填列")
    assert len(chinese) == len(quoting)
    assert all(msgid.startswith(quoting) for msgid in chinese)


def test_translations_keep_every_placeholder_and_tag_of_their_message():
    for entry in _messages():
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for key, text in entry.items():
            if not key.startswith("msgstr"):
                continue
            source = sources[1] if key == "msgstr[1]" else sources[0]
            # Sets: a bilingual message (中文 (English)) names each placeholder twice.
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(source)), text
            assert sorted(TAG.findall(text)) == sorted(TAG.findall(source)), text


def test_plural_messages_have_a_singular_and_a_plural_english_form():
    plurals = [e for e in _messages() if "msgid_plural" in e]
    assert plurals
    for entry in plurals:
        assert entry["msgstr[0]"] != entry["msgstr[1]"]
    with translation.override("en"):
        assert translation.ngettext("%(n)s个目标", "%(n)s个目标", 1) % {"n": 1} == "1 target"
        assert translation.ngettext("%(n)s个目标", "%(n)s个目标", 60) % {"n": 60} == "60 targets"


def test_the_compiled_catalogue_holds_exactly_the_translations_of_the_po_file():
    """The .mo is committed (no gettext tools at run time): it must not lag behind the .po."""
    with MO.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    expected: dict = {}
    for entry in _messages():
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            msgid = f"{entry['msgctxt']}\x04{msgid}"
        if "msgid_plural" in entry:
            expected[(msgid, 0)] = entry["msgstr[0]"]
            expected[(msgid, 1)] = entry["msgstr[1]"]
        else:
            expected[msgid] = entry["msgstr"]
    compiled = {key: value for key, value in compiled.items() if key != ""}
    assert compiled == expected


# --- labels from the pure modules -------------------------------------------------------------


def test_every_label_of_the_pure_modules_reads_in_english():
    contextual = {("outlook", "deterioration"), ("task", "delayed")}
    tables = {
        "pace": progress.PACE_STATUS_LABELS,
        "outlook": progress.OUTLOOK_LABELS,
        "task": progress.TASK_STATUS_LABELS,
        "method": progress.METHOD_LABELS,
        "baseline": progress.BASELINE_SOURCE_LABELS,
        "comparator": progress.COMPARATOR_LABELS,
        "chart": charts.TEXT,
    }
    with translation.override("en"):
        for table, labels in tables.items():
            for code, label in labels.items():
                if (table, code) in contextual:
                    continue
                english = translation.gettext(label)
                assert english != label, (table, code)
                assert not CJK.search(english), (table, code)


def test_the_chart_words_of_every_page_come_translated():
    assert set(page_labels.chart_text()) == set(charts.TEXT)
    with translation.override("en"):
        words = page_labels.chart_text()
    assert words["half_time"] == "Half the time"
    assert not any(CJK.search(word) for word in words.values())


def test_a_word_with_two_meanings_reads_by_its_context():
    with translation.override("en"):
        assert str(page_labels.PACE_LABELS["lagging"]) == "Lagging"
        assert str(page_labels.TASK_LABELS["delayed"]) == "Delayed"
        assert str(page_labels.PACE_LABELS["regressing"]) == "Regressing"
        assert str(page_labels.OUTLOOK_LABELS["deterioration"]) == "Deterioration"
    with translation.override("zh-hans"):
        assert str(page_labels.TASK_LABELS["delayed"]) == "滞后"
        assert str(page_labels.OUTLOOK_LABELS["deterioration"]) == "倒退"


def test_the_english_sentence_uses_the_status_words_of_the_pages():
    with translation.override("en"):
        for code, word in progress.PACE_STATUS_WORDS_EN.items():
            assert word == str(page_labels.PACE_LABELS[code]).lower()
        for code, word in progress.OUTLOOK_WORDS_EN.items():
            assert word == str(page_labels.OUTLOOK_LABELS[code]).lower()


# --- the leader's sentence in English ---------------------------------------------------------


def _row(**values) -> dict:
    row = {
        "indicator_name": "强制检定项目覆盖率",
        "unit": "%",
        "target_year": 2025,
        "comparator": "gte",
        "lower_bound": math.nan,
        "measure_kind": "level",
        "target_value": 90.0,
        "baseline_value": 85.0,
        "baseline_date": dt.date(2020, 12, 31),
        "baseline_source": "printed",
        "latest_value": 88.0,
        "latest_date": dt.date(2025, 12, 31),
        "completion": 0.6,
        "time_elapsed": 1.0,
        "pace_status": "missed",
        "outlook": "not_applicable",
        "achieved": False,
    }
    return row | values


def test_explain_in_english_says_the_same_facts_as_the_chinese_sentence():
    row = _row()
    assert progress.explain(row) == (
        "强制检定项目覆盖率：2025年目标90%（不低于），基期2020年85%，截至2025年底为88%，"
        "完成进度60%，时间进度100%，未达成。"
    )
    assert progress.explain(row, lang="en") == (
        "强制检定项目覆盖率: 2025 target at least 90%, baseline 85% (2020), 88% as of end of 2025, "
        "completion 60%, time elapsed 100%: missed."
    )


def test_explain_in_english_adds_the_outlook_and_spaces_a_unit_word():
    row = _row(
        indicator_name=None,
        unit="个",
        comparator="approx",
        target_value=900.0,
        baseline_value=743.0,
        latest_value=800.0,
        latest_date=dt.date(2023, 6, 30),
        completion=0.363,
        time_elapsed=0.5,
        pace_status="lagging",
        outlook="acceleration_needed",
    )
    assert progress.explain(row, lang="en") == (
        "2025 target about 900 个, baseline 743 个 (2020), 800 个 as of 2023-06-30, "
        "completion 36%, time elapsed 50%: lagging; outlook: acceleration needed."
    )


def test_explain_in_english_reads_a_range_a_plan_start_baseline_and_no_report():
    row = _row(
        indicator_name="国家产业计量测试中心",
        unit="个",
        comparator="range",
        lower_bound=2.0,
        target_value=3.0,
        target_year=2035,
        baseline_value=0.0,
        baseline_source="plan_start_zero",
        latest_value=math.nan,
        latest_date=None,
        completion=math.nan,
        time_elapsed=0.39,
        pace_status="no_data",
        outlook="insufficient_data",
    )
    assert progress.explain(row, lang="en") == (
        "国家产业计量测试中心: 2035 target 2–3 个, baseline 0 个 (2020, plan start), "
        "no reported data yet, time elapsed 39%: no data."
    )


def test_explain_in_english_reads_a_milestone_done_pending_or_unreported():
    milestone = _row(
        indicator_name="完成《山西省计量监督管理条例》的修订",
        unit=None,
        comparator="done",
        measure_kind="milestone",
        target_value=math.nan,
    )
    done = milestone | {"achieved": True, "pace_status": "achieved"}
    assert progress.explain(done, lang="en") == (
        "完成《山西省计量监督管理条例》的修订: to be completed by 2025, "
        "completed as of end of 2025: achieved."
    )
    pending = milestone | {
        "target_year": 2035,
        "latest_date": dt.date(2026, 6, 30),
        "pace_status": "pending",
    }
    assert progress.explain(pending, lang="en").endswith(
        "to be completed by 2035, not yet completed as of 2026-06-30: pending."
    )
    unreported = milestone | {"latest_date": None, "pace_status": "missed"}
    assert progress.explain(unreported, lang="en").endswith(
        "to be completed by 2025, no report yet: missed."
    )
    assert progress.explain(unreported) == (
        "完成《山西省计量监督管理条例》的修订：目标2025年完成，尚无填报，未达成。"
    )


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def seed_demo(db, settings):
    """The five seed documents with the seeded demo reports, as of a fixed day."""
    from provinces.policy_loader import load_policies
    from targets.demo import demo_data_load

    load_policies(directory=Path(settings.BASE_DIR) / "fixtures")
    settings.DEMO_DATA_ALLOWED = True
    return demo_data_load(today=AS_OF, history=False)


def _page_urls() -> dict[str, str]:
    """Every dashboard page, and the superseded 2013–2020 plan's document page."""
    return {
        **dashboard_page_urls(),
        "old document": reverse("dashboards:document", args=["sx-2013"]),
    }


def _data_strings() -> list[str]:
    """Every Chinese text stored in the catalogue's rows, longest first.

    Not the documents' full text: pages quote it only in <blockquote> excerpts.
    """
    values = set()
    for model in apps.get_models():
        if model._meta.app_label not in ("provinces", "targets", "tasks"):
            continue
        names = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField))
            and not f.choices
            and f.name != "source_text"
        ]
        for row in model.objects.values_list(*names) if names else []:
            values |= {value for value in row if value and CJK.search(value)}
    return sorted(values, key=len, reverse=True)


def _interface_chinese(page: str, values: list[str]) -> list[str]:
    """Chinese on a page that is not data: the runs left after the data is taken out.

    Quotes (<blockquote>, .quote, .text) show stretches of the source documents, and a long
    value may be cut short (…): those are data too.
    """
    text = html_lib.unescape(page)
    text = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), text)  # json_script
    text = re.sub(r"<blockquote.*?</blockquote>", " ", text, flags=re.S)
    text = re.sub(r'<(p|span) class="(quote|text)">.*?</\1>', " ", text, flags=re.S)
    text = text.replace(">简体中文<", "><")  # the language switch names itself

    def truncated(match: re.Match) -> str:
        start = match.group(1).strip()
        return "><" if any(value.startswith(start) for value in values) else match.group(0)

    text = re.sub(r">([^<>]+)…<", truncated, text)  # truncatechars: the start of a value
    for value in values:
        text = text.replace(value, " ")
    return sorted(set(CJK.findall(text)))


def test_the_login_page_in_english_asks_for_username_and_password(client, db):
    page = get_in(client, "/accounts/login/", "en").content.decode()
    assert '<html lang="en">' in page
    for words in ("Username", "Password", "Log in", "Metrology Development Plan Tracker"):
        assert words in page
    assert _interface_chinese(page, []) == []


def test_every_dashboard_page_in_english_shows_chinese_only_in_data(viewer_client, seed_demo):
    urls = _page_urls()
    values = _data_strings()
    leaks = {}
    for name, url in urls.items():
        response = get_in(viewer_client, url + Q, "en")
        assert response.status_code == 200, name
        page = response.content.decode()
        assert '<html lang="en">' in page, name
        found = _interface_chinese(page, values)
        if found:
            leaks[name] = found
    assert leaks == {}


def test_the_interface_chinese_check_catches_a_chinese_word_outside_data(viewer_client, seed_demo):
    page = get_in(viewer_client, "/" + Q, "zh-hans").content.decode()
    found = set(_interface_chinese(page, _data_strings()))
    assert {"各省概况", "总览", "风险最高的目标"} <= found


def test_the_overview_reads_in_english_or_chinese_with_its_pace_labels(viewer_client, seed_demo):
    english = get_in(viewer_client, "/" + Q, "en").content.decode()
    chinese = get_in(viewer_client, "/" + Q, "zh-hans").content.decode()
    headings = {
        "Overview": "总览",
        "Provinces at a glance": "各省概况",
        "Status heat map (province × area)": "状态热力图(省份×领域)",
        "Progress against time (half the time, half the work)": "进度与时间(时间过半、任务过半)",
        "Targets most at risk": "风险最高的目标",
    }
    labels = {
        '"badge badge-achieved">Achieved<': '"badge badge-achieved">已达成<',
        '"badge badge-lagging">Lagging<': '"badge badge-lagging">滞后<',
        '"badge badge-seriously_lagging">Seriously lagging<': (
            '"badge badge-seriously_lagging">严重滞后<'
        ),
    }
    for en, zh in {**headings, **labels}.items():
        assert en in english and zh not in english, en
        assert zh in chinese and en not in chinese, zh
    # A task that is behind reads "Delayed"; a target that is behind reads "Lagging".
    assert re.search(r">Delayed \d+</span>", english)
    assert re.search(r">滞后 \d+</span>", chinese)
    # The leader's sentence and the chart words follow the language too.
    assert "time elapsed" in english and ": seriously lagging" in english
    assert "时间进度" in chinese
    charts_en = re.sub(r"\\u([0-9a-f]{4})", lambda m: chr(int(m.group(1), 16)), english)
    assert "Completion = time elapsed" in charts_en and "Half the time" in charts_en


def test_the_language_chosen_through_setlang_sticks_and_is_the_highlighted_one(
    viewer_client, seed_demo
):
    response = viewer_client.post(reverse("set_language"), {"language": "en", "next": "/" + Q})
    assert response.status_code == 302
    assert response["Location"] == "/" + Q
    for url in ("/" + Q, _page_urls()["indicator"] + Q, "/accounts/login/"):
        # The choice outweighs a Chinese browser on every later request.
        page = viewer_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert '<html lang="en">' in page, url
        assert re.search(r'value="en" lang="en" aria-current="true" class="current">English<', page)
        assert 'value="zh-hans" lang="zh-hans">简体中文<' in page
    assert "Provinces at a glance" in viewer_client.get("/" + Q).content.decode()

    viewer_client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    page = viewer_client.get("/" + Q, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "各省概况" in page
    assert re.search(r'value="zh-hans" lang="zh-hans" aria-current="true" class="current">', page)


def test_an_unknown_language_is_refused_and_the_interface_stays_chinese(viewer_client, seed_demo):
    response = viewer_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    page = viewer_client.get("/" + Q).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "各省概况" in page
