"""The source sentence highlighted in the document's text (pure; no database)."""

from dashboards.pages.indicator import highlight

TEXT = (
    "一、总体要求。计量标准由现有743项增加到900项以上，建成一批计量测试中心。"
    + "。" * 500
    + "末尾句子。"
)


def _marked(excerpt):
    return [part["text"] for part in excerpt if part["mark"]]


def test_a_quote_and_a_clause_inside_it_are_marked_once():
    excerpts = highlight(TEXT, ["计量标准由现有743项增加到900项以上", "增加到900项以上"], context=5)
    assert len(excerpts) == 1
    assert _marked(excerpts[0]) == ["计量标准由现有743项增加到900项以上"]
    assert "".join(p["text"] for p in excerpts[0]).startswith("…总体要求。计量")


def test_quotes_far_apart_get_excerpts_of_their_own_and_missing_ones_are_skipped():
    excerpts = highlight(TEXT, ["末尾句子", "计量标准", "不在原文里的话", ""], context=5)
    assert [_marked(e) for e in excerpts] == [["计量标准"], ["末尾句子"]]
    assert excerpts[1][-1]["text"] == "。"  # the text's end: no ellipsis after it


def test_nearby_quotes_share_one_excerpt():
    excerpts = highlight(TEXT, ["计量标准", "计量测试中心"], context=15)
    assert len(excerpts) == 1
    assert _marked(excerpts[0]) == ["计量标准", "计量测试中心"]
