"""The document's own facts: title, issuer, 文号, signed date, plan period, milestone years.

Pure. Read from the header (before the first 一、 heading) and the signature at the end, the
way these opinions are printed: issuer and 关于…的(实施)意见 on the first lines, the 文号 under
them (苏政发〔2022〕72号), the issuer and the date (2022年7月23日) closing the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from onboarding.proposer.targets import FIVE_YEAR_PLANS, PLAN_END_RE

ISSUER_RE = re.compile(
    r"([\u4e00-\u9fa5]{2,20}?(?:人民政府办公厅|人民政府办公室|人民政府|市场监督管理局|市场监管局|"
    r"委员会|办公厅|办公室))\s*$"
)
TITLE_RE = re.compile(r"关于.{2,80}?(?:意见|方案|通知|办法|决定|规划)(?![（(]?\d)")
NUMBER_RE = re.compile(r"[\u4e00-\u9fa5]{1,8}[〔\[［（(]\s*\d{4}\s*[〕\]］）)]\s*\d{1,4}\s*号")
NATIONAL_NUMBER_RE = re.compile(r"^国(?:发|办发|办函|函)")
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
CN_NUMERALS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0}
CN_DIGIT = "[〇零○Ｏ一二三四五六七八九]"
CN_SMALL = "[一二三四五六七八九十]{1,3}"
CN_DATE_RE = re.compile(rf"({CN_DIGIT}{{4}})\s*年\s*({CN_SMALL})\s*月\s*({CN_SMALL})\s*日")
ISO_DATE_RE = re.compile(r"成文日期\s*[:：]\s*(\d{4})-(\d{1,2})-(\d{1,2})")
PERIOD_RE = re.compile(r"[（(]\s*(\d{4})\s*[—\-–~～至－]+\s*(\d{4})\s*年?\s*[)）]")
GOAL_YEAR_RE = re.compile(r"(?:到|至|展望|力争到)\s*(\d{4})\s*年")


@dataclass
class DocumentFacts:
    title: str
    issuer: str
    number: str
    signed_on: dt.date | None
    period_start: int
    period_end: int
    base_year: int
    milestone_years: list[int]
    quote: str
    flags: list[str]


def _cited(compact: str, start: int) -> bool:
    """Inside 《…》: a document the text cites (落实《省政府关于…的意见》), not its own title."""
    before = compact[:start]
    return before.count("《") > before.count("》") or before.count("〈") > before.count("〉")


def _balanced(title: str) -> bool:
    return title.count("《") == title.count("》")


def _title_with_book(compact: str) -> re.Match | None:
    """关于印发《…规划(2021—2035年)》的通知: the title ends after the book title closes."""
    return re.search(
        r"关于.{0,20}《[^》]{2,80}》.{0,10}?(?:意见|方案|通知|办法|决定|规划)", compact
    )


def _compact_with_map(text: str) -> tuple[str, list[int]]:
    chars, positions = [], []
    for index, char in enumerate(text):
        if char.isspace():
            continue
        chars.append(char)
        positions.append(index)
    return "".join(chars), positions


def _normal_title(title: str) -> str:
    return re.sub(r"\s+", "", title).replace("（", "(").replace("）", ")")


def read_facts(text: str, body_start: int) -> DocumentFacts:
    flags: list[str] = []
    header = text[: body_start or min(len(text), 3000)]
    compact, positions = _compact_with_map(header)
    title = issuer = quote = ""
    m = next(
        (
            m
            for m in TITLE_RE.finditer(compact)
            if _balanced(m.group(0)) and not _cited(compact, m.start())
        ),
        None,
    )
    if m is None:
        m = _title_with_book(compact)
        if m is not None and _cited(compact, m.start()):
            m = None
    if m:
        title = m.group(0)
        t_start, t_end = positions[m.start()], positions[m.end() - 1] + 1
        before = header[:t_start]
        line_before = before.rstrip()
        q_start = t_start
        if im := ISSUER_RE.search(line_before):
            issuer = im.group(1)
            q_start = im.start(1)
            # the 文号 printed right under the title belongs to the heading block
        quote = header[q_start:t_end]
        if "\n" in header[q_start:t_start] and header[q_start:t_start].count("\n") > 2:
            quote = header[t_start:t_end]
    else:
        flags.append("未找到标题 / title not found")
    number = ""
    for m in NUMBER_RE.finditer(text[: max(body_start, 1)] or text[:3000]):
        candidate = re.sub(r"\s+", "", m.group(0))
        cited = re.search(r"》\s*[（(]?\s*$", text[max(0, m.start() - 4) : m.start()])
        if not NATIONAL_NUMBER_RE.match(candidate) and not cited:
            number = candidate
            break
    signed_on = _signed_on(text, issuer)
    if not issuer:
        issuer = _closing_issuer(text) or ""
        if not issuer:
            flags.append("未找到发文机关 / issuer not found")
    period = PERIOD_RE.search(_normal_title(title)) or PERIOD_RE.search(text)
    goal_years = sorted(
        {int(y) for y in GOAL_YEAR_RE.findall(text)}
        | {FIVE_YEAR_PLANS[p] for p in PLAN_END_RE.findall(text)}
    )
    if period:
        period_start, period_end = int(period.group(1)), int(period.group(2))
    elif goal_years:
        period_end = max(goal_years)
        # the plan starts after the latest year it looks back to (a table's 2022 column, 现有…)
        earlier = [
            int(y)
            for y in re.findall(r"(?<!\d)(\d{4})\s*年", text[body_start:])
            if min(goal_years) - 10 <= int(y) < min(goal_years)
        ]
        if earlier:
            period_start = min(earlier) + 1
        else:
            period_start = (signed_on.year if signed_on else min(goal_years)) - 1
        flags.append("规划期未写明，按目标年份推定 / plan period inferred from the goal years")
    else:
        year = (
            signed_on.year
            if signed_on
            else max(int(y) for y in re.findall(r"(\d{4})年", text) or [2021])
        )
        period_start, period_end = year, year + 5
        flags.append("规划期未写明 / plan period not printed")
    milestone_years = [y for y in goal_years if period_start <= y <= period_end] or [period_end]
    return DocumentFacts(
        title=_normal_title(title),
        issuer=issuer,
        number=number,
        signed_on=signed_on,
        period_start=period_start,
        period_end=period_end,
        base_year=period_start - 1,
        milestone_years=milestone_years,
        quote=quote.strip(),
        flags=flags,
    )


def _signed_on(text: str, issuer: str) -> dt.date | None:
    """The date on a line of its own near the end (not the 印发 date), or the 成文日期 field."""
    lines = [line.strip() for line in text.splitlines()]
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        m = DATE_RE.fullmatch(line)
        date = _date(m) if m else _cn_date(line)
        if date is None:
            continue
        previous = next((x for x in reversed(lines[:index]) if x), "")
        if ISSUER_RE.search(previous) or (issuer and issuer in previous):
            return date
    if m := ISO_DATE_RE.search(text):
        return _date(m)
    return None


def _closing_issuer(text: str) -> str | None:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for index in range(len(lines) - 1, 0, -1):
        dated = DATE_RE.fullmatch(lines[index]) or _cn_date(lines[index])
        if dated and (m := ISSUER_RE.fullmatch(lines[index - 1])):
            return m.group(1)
    return None


def _cn_number(text: str) -> int:
    """二〇二三 → 2023 digit by digit; 十二 → 12, 二十六 → 26, 三十 → 30."""
    if "十" not in text:
        return int("".join(str(CN_NUMERALS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (CN_NUMERALS[tens] if tens else 1) * 10 + (CN_NUMERALS[ones] if ones else 0)


def _cn_date(text: str) -> dt.date | None:
    m = CN_DATE_RE.fullmatch(text)
    if not m:
        return None
    try:
        return dt.date(_cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)))
    except (ValueError, KeyError):
        return None


def _date(m: re.Match) -> dt.date | None:
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
