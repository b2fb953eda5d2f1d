"""The source text as a reader should see it: page-break splits joined, tables as printed.

Pure (no Django): the stored text stays verbatim (every quote is an exact substring of the
seed text); these functions only change what a page shows.

**Page breaks.** The published texts were copied from PDFs: a page break leaves a line cut in
the middle of a sentence, even of a word (``…全省社会公用`` / blank line / ``计量标准建设…``).
A real paragraph end looks the same (a newline, often a blank line), so the rule is about the
line *before* and the line *after* the break:

- the line before ends a sentence or a clause list: its last visible character is one of
  ``。！？；：.!?;:`` or a closing quote / bracket (``”’」』）)】》``) → keep the break;
- the line before is not running text: shorter than 20 characters (a line cut by a page break
  ran the page's full width), or without any clause mark ``，,、。；;`` (a title, a date, a
  metadata line), or a table row (tabs), a spaced list (runs of spaces) or a web page's
  ``key :value`` metadata line → keep the break;
- the line after starts a heading or a list item (``专栏9 …``, ``一、…``, ``(三)…``,
  ``1. …``) → keep the break (every heading of the seed texts is followed by one, or ends in
  a mark above);
- otherwise (the line before ends mid-sentence: a character, a digit, a comma ``,，、``) the
  break is a page break → join the two lines, dropping the newlines and the indentation around
  them; two ASCII letters or digits meeting get one space so ``JJF`` / ``1001`` stay two words.

Whitespace that is not a newline, and private-use characters left by the PDF (``\\ue004``), are
ignored when reading the last character of a line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

TERMINAL = set("。！？；：.!?;:") | set("”’」』）)】》\"'")
# Headings and list items as these documents print them.
HEADING = re.compile(
    r"^\s*#*\s*(专栏\s*\d+|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.．、](?!\d))"
)
SPACED = re.compile(r"[ \u3000\u00a0\u2002]{2,}")
# Running text has clause marks; titles, dates and metadata lines have none.
RUNNING = re.compile(r"[，,、。；;]")
# A line cut by a page break ran the full width of the page; shorter lines end on purpose.
MIN_CUT_LINE = 20
BREAK = re.compile(r"[ \t\u3000\u00a0]*\n[\s\u3000\u00a0]*")
_INVISIBLE = re.compile(r"[\s\u3000\u00a0\ue000-\uf8ff]+$")


def _last_visible(line: str) -> str:
    stripped = _INVISIBLE.sub("", line)
    return stripped[-1] if stripped else ""


def _is_page_break(before: str, after: str, *, cut_start: bool = False) -> bool:
    last = _last_visible(before)
    if not last or not after.strip() or last in TERMINAL:
        return False
    if "\t" in before or "\t" in after or SPACED.search(before.strip()) or " :" in before:
        return False  # a table row, a spaced list, a web page's "发布机构 :…" metadata line
    if cut_start:
        return not HEADING.match(after)  # how long the line really was is not known
    if len(before.strip()) < MIN_CUT_LINE or not RUNNING.search(before):
        return False  # a title, a signature, a date, a metadata line: not running text
    return not HEADING.match(after)


def join_page_breaks(text: str, *, fragment: bool = False) -> str:
    """``text`` with its page-break line splits joined (the rule is in the module docstring).

    ``fragment``: the text is a piece cut from the document (a task's body, a 专栏 item), so its
    first line may be the tail of a longer one: that line is judged by its last character
    only."""
    if not text or "\n" not in text:
        return text
    out: list[str] = []
    cursor = 0
    for match in BREAK.finditer(text):
        start, end = match.span()
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start]
        next_end = text.find("\n", end)
        after = text[end : next_end if next_end >= 0 else len(text)]
        out.append(text[cursor:start])
        if _is_page_break(before, after, cut_start=fragment and line_start == 0):
            left, right = _last_visible(before), after[:1]
            out.append(
                " "
                if (left.isascii() and left.isalnum() and right.isascii() and right.isalnum())
                else ""
            )
        else:
            out.append(text[start:end])
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


# --- excerpts ---------------------------------------------------------------------------------

# Where an excerpt may start or end: after a clause mark or a line end, never inside a word.
CLAUSE = set("。！？；：，、,;:!?\n")


def excerpt_bounds(text: str, lo: int, first: int, last: int, hi: int) -> tuple[int, int]:
    """Move a context window [lo, hi) around the marked span [first, last) so it starts and
    ends on a whole clause: after the first clause mark in the leading context (else at the
    first character that does not continue a Latin word or a number), and after the last
    clause mark in the trailing context (else before a word cut in two)."""
    if lo > 0:
        lead = text[lo:first]
        cut = next((i for i, ch in enumerate(lead) if ch in CLAUSE), None)
        if cut is not None:
            lo += cut + 1
        else:
            while (
                lo < first
                and text[lo - 1].isascii()
                and text[lo - 1].isalnum()
                and (text[lo].isascii() and (text[lo].isalnum() or text[lo] in " .%"))
            ):
                lo += 1
        while lo < first and text[lo] in " \u3000\n\t":
            lo += 1
    if hi < len(text):
        tail = text[last:hi]
        cut = max((i for i, ch in enumerate(tail) if ch in CLAUSE), default=None)
        if cut is not None:
            hi = last + cut + 1
        else:
            while (
                hi > last
                and text[hi].isascii()
                and text[hi].isalnum()
                and (text[hi - 1].isascii() and text[hi - 1].isalnum())
            ):
                hi -= 1
    return lo, hi


# --- tables printed in a 专栏 ------------------------------------------------------------------


def printed_table(source_text: str, title_quote: str, rows: Sequence[str]) -> dict[str, Any] | None:
    """A 专栏 printed as a table (山西 2021's 专栏1: rows of tab-separated cells) as the document
    prints it: the header line that follows the box's title in the source, and each row's cells;
    a row with fewer cells than the header continues the cell above on the left (a merged
    领域 cell), shown as one cell spanning those rows. None when the rows are not a table."""
    cells = [row.split("\t") for row in rows]
    if not cells or not all(len(c) > 1 for c in cells):
        return None
    header: list[str] = []
    at = source_text.find(title_quote) if title_quote else -1
    if at >= 0:
        after = source_text[at + len(title_quote) :].lstrip("\t ").split("\n", 2)
        line = after[1] if len(after) > 1 and not after[0].strip() else after[0]
        if "\t" in line:
            header = [h.strip() for h in line.split("\t")]
    width = max([len(header), *(len(c) for c in cells)])
    body: list[list[dict[str, Any]]] = []
    spans: list[dict[str, Any] | None] = [None] * width
    for row in cells:
        missing = width - len(row)
        out = []
        for i in range(width):
            if i < missing and spans[i] is not None:
                spans[i]["rowspan"] += 1
                continue
            value = row[i - missing] if i >= missing else ""
            cell = {"text": value.strip(), "rowspan": 1}
            spans[i] = cell
            out.append(cell)
        body.append(out)
    return {"header": header or [""] * width, "rows": body}
