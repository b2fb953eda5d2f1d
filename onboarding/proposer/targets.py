"""Quantitative targets: indicator name as worded, unit, year, value, comparator, baseline.

Pure: an outline in, indicator dictionaries in the fixtures' shape out. The rules follow the
wording of the genre rather than any one document:

- a number with a unit (个 项 家 名 种 % 千家 …) is a target where it states what is to be reached:
  anywhere in the goals (发展目标 and its 专栏), and in the tasks where a verb of building or
  reaching (建设 新建 培育 研制 制(修)订 达到 …) or a comparator (以上 左右 不低于) stands with it;
- the comparator comes from the words around the number: 以上/不低于/达到/达/超过 → gte,
  左右 → approx, 以下/不超过 → lte, 1—3 → range; a bare number in a plan is a floor (gte, flagged);
- 由现有X增加到Y gives baseline X and target Y; 其中… is a sub-target kept apart;
- the name is the noun the number counts: what follows it (新建15个省级计量专业技术委员会) or what
  precedes it (建标覆盖率达91%), without the verbs and 全省/力争 around it;
- a number a task repeats from the goals (the same name and value, or the goal's increment
  over its baseline) is a restatement of that target, not a new one;
- 修订/制定《…条例/办法/规定》 and the numberless items of a goals box are milestones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from onboarding.proposer.headings import Line, Outline, Task

UNITS = (
    "个百分点|千家|万家|万个|万人次|万人|万台|亿元|万元|人次|家次|%|％|个|项|家|名|种|所|座|条|套|批|"
    "人|户|台|件|部|次|处|元"
)
NUM = r"(\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)"  # 20,000 as well as 20000
MATCH_RE = re.compile(
    rf"(?<![A-Za-z\d.第]){NUM}(?:\s*[—\-–~～至]\s*{NUM})?\s*(余|多)?\s*({UNITS})(?![A-Za-z])"
)
AFTER_COMPARATOR_RE = re.compile(r"^\s*(及以上|以上|左右|以下|及以下|以内|多)")
BEFORE_COMPARATOR_RE = re.compile(
    r"(不低于|不少于|超过|突破|高于|不高于|不超过|控制在|低于|降低到|降至|下降到|下降至|减少到|"
    r"达到|达|提高到|提升到|提高至|提升至|增加到|增加至|增至|增长到|上升到|保持在|稳定在|"
    r"≥|≧|>|≤|≦|<)\s*$"
)
BASELINE_RE = re.compile(
    rf"由(?:现有的?|目前的?|\d{{4}}\s*年(?:底|末)?的?)?\s*{NUM}\s*({UNITS})\s*"
    r"(?:增加|提高|提升|增长|扩大|上升|减少|降低|下降|压减)(?:到|至)\s*"
)
LTE_WORDS = (
    "不高于",
    "不超过",
    "控制在",
    "低于",
    "降低到",
    "降至",
    "下降到",
    "下降至",
    "减少到",
    "≤",
    "≦",
    "<",
)
YEAR_RE = re.compile(r"(?:到|至|展望|力争到|力争|争取到)\s*(\d{4})\s*年")
FIVE_YEAR_PLANS = {"十四五": 2025, "十五五": 2030, "十三五": 2020}
PLAN_END_RE = re.compile(r"(?:到|至)?[“\"]?(十三五|十四五|十五五)[”\"]?(?:末|期末|时期|期间)")


def find_year(text: str) -> int | None:
    """The year a goal is set for: 到2025年, 展望2035年, or a five-year plan's end (十四五末)."""
    if m := YEAR_RE.search(text):
        return int(m.group(1))
    if m := PLAN_END_RE.search(text):
        return FIVE_YEAR_PLANS[m.group(1)]
    return None


VERBS = (
    "新建和升级|新建成|新建|建成|建设|培育|引导培育|研制|制\\(修\\)订|制（修）订|制修订|修订|制订|"
    "制定|打造|聘请|培养|引导发展|发展|建立|创建|争创|认定|新增|选树|遴选|扶持|完成|形成|引进|"
    "组织|举办|主导|服务|推广|实施|开展|设立|布局"
)
LEADING_VERBS = VERBS.replace("|服务", "")
VERBS += "|建"
TRAILING_VERB_RE = re.compile(rf"(?:{VERBS})(?:了)?\s*$")
LEADING_WORDS_RE = re.compile(
    rf"^(?:全省|全市|全区|全州|全县|我省|我市|本省|本市|省内|市内|各市|其中|力争|争取|努力|确保|"
    rf"推动|进一步|逐步|基本|累计|并|使|到\s*\d{{4}}\s*年(?:底|末)?|引导并|引导|积极|"
    rf"(?:{LEADING_VERBS}))+"
)
TRAILING_WORDS_RE = re.compile(
    r"(?:达到了|达到|达|为|有|提高到|提升到|增加到|增至|保持在|稳定在|控制在|超过|不低于|不少于|"
    r"突破|的|：|:|≥|≤)+$"
)
BUILD_RE = re.compile(
    r"新建|建设|建成|培育|研制|制\(修\)订|制（修）订|制订|打造|聘请|培养|新增|创建|引导"
)
LEVEL_CUE_RE = re.compile(r"(达到|达|保持在|稳定在|提高到|提升到|增加到|有)\s*$")
RATE_RE = re.compile(r"率|比例|占比|覆盖|比重")
REGULATION_RE = re.compile(
    r"(修订|修改|制定|制订|出台)\s*(?:并实施)?\s*(《?([^，,。；;《》]{2,60}?(?:条例|办法|规定|细则)"
    r"(?:和[^，,。；;《》]{2,40}?(?:条例|办法|规定|细则))?)》?)"
)
BOOK_FIRST_RE = re.compile(r"《([^》]{2,60}(?:条例|办法|规定|细则))》的?(修订|修改|制定)")
LEVEL_RE = re.compile(r"国家级|国家|省级|市级|县级|区级|乡镇")
GENERIC_RULE_RE = re.compile(r"具体|相关|相应|配套|有关|一批|若干|各项|管理制度")
ANNUAL_RE = re.compile(r"每年|年均|每年度|逐年")
ENUMERATION_RE = re.compile(
    r"\s*(?:\d{1,2}\s*[.．、](?!\d)|[（(]\s*\d{1,2}\s*[)）]|[①-⑳]|[一二三四五六七八九十]是)\s*"
)
CLAUSE_SPLIT_RE = re.compile(
    r"[。！？!?；;，]"
    r"|(?<!\d),|,(?!\d{3}(?!\d))"  # an ASCII comma, but not the one in 20,000
    r"|[：:](?!\s*(?:\d|达到|达|不低于|不少于|超过|约|为|≥|≤))"  # 数量：150项 stays one clause
    r"|(?=[（(]其中)"
)
QUOTES = "“”\"'‘’「」"


@dataclass
class Candidate:
    name: str
    unit: str
    year: int | None
    value: Decimal | None
    comparator: str
    lower: Decimal | None
    quote: str
    start: int
    scope: str  # goal | table | task | section | column
    section_key: str | None
    task: Task | None = None
    column: int | None = None
    baseline: tuple[Decimal, str] | None = None
    attribute: str = ""
    area: str = ""
    kind: str = ""
    book: str = ""
    sub: bool = False
    flags: list[str] = field(default_factory=list)
    confidence: float = 0.9
    restated: list[str] = field(default_factory=list)
    restating_task: Task | None = None
    accepted: bool = True  # a task number that passes the cue test; others may only restate


class Compact:
    """A stretch of the text without its line breaks, mapping back to the text's offsets."""

    def __init__(self, text: str, start: int, end: int) -> None:
        chars: list[str] = []
        positions: list[int] = []
        for index in range(start, end):
            char = text[index]
            if char in "\r\n":
                continue
            chars.append(char)
            positions.append(index)
        self.text = text
        self.s = "".join(chars)
        self.positions = positions

    def quote(self, start: int, end: int) -> str:
        """The exact text between compact offsets ``start`` and ``end``, line breaks included."""
        if end <= start:
            return ""
        return self.text[self.positions[start] : self.positions[end - 1] + 1]

    def offset(self, index: int) -> int:
        return self.positions[min(index, len(self.positions) - 1)] if self.positions else 0


def _decimal(value: str) -> Decimal:
    return Decimal(value.replace(",", ""))


def _clean_name(name: str) -> str:
    name = name.strip(" \u3000、" + QUOTES)
    for char in QUOTES:
        name = name.replace(char, "")
    return name.strip()


def normalise(name: str) -> str:
    table = str.maketrans("（）", "()")
    name = re.sub(r"\s+", "", name).translate(table)
    for char in QUOTES + "的":
        name = name.replace(char, "")
    return LEADING_WORDS_RE.sub("", name)


def _lcs(a: str, b: str) -> int:
    """Length of the longest common substring."""
    best = 0
    previous = [0] * (len(b) + 1)
    for ca in a:
        current = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def similar(a: str, b: str) -> bool:
    """Two wordings of one indicator: a long common stretch and the same head noun."""
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return False
    if a == b:
        return True
    if a[-2:] != b[-2:]:
        return False
    levels_a, levels_b = set(LEVEL_RE.findall(a)), set(LEVEL_RE.findall(b))
    if levels_a and levels_b and levels_a != levels_b:
        return False  # 省级 … and 市级 … are two indicators
    return _lcs(a, b) >= max(4, 0.5 * min(len(a), len(b)))


def _clauses(s: str) -> list[tuple[int, int]]:
    """Clause spans of a compact string; brackets opened and not closed start a new clause."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in CLAUSE_SPLIT_RE.finditer(s):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(s):
        spans.append((start, len(s)))
    result = []
    for a, b in spans:
        piece = s[a:b]
        opens = [i for i, c in enumerate(piece) if c in "（("]
        closes = [i for i, c in enumerate(piece) if c in "）)"]
        if len(opens) > len(closes) and opens:
            a = a + opens[len(closes)] + 1  # (加油机受检率达到100%
        elif len(closes) > len(opens) and closes:
            b = a + closes[len(opens)]  # 煤矿用安全计量器具受检率达到100%）
        while a < b and s[a] in " \u3000——-—":
            a += 1
        if enumeration := ENUMERATION_RE.match(s, a, b):
            a = enumeration.end()  # 1.全市… / (2)… / ①… / 一是…
        while b > a and s[b - 1] in " \u3000":
            b -= 1
        if b - a > 2 and s[a] in "（(" and s[b - 1] in "）)":
            a, b = a + 1, b - 1  # (其中县级60项以上)
            while a < b and s[a] in " \u3000":
                a += 1
        if b > a:
            result.append((a, b))
    return result


def _comparator(before: str, after_m: re.Match | None, ranged: bool) -> tuple[str, bool]:
    """(comparator, printed): printed is False for a bare number read as a floor."""
    if ranged:
        return "range", True
    if after_m:
        word = after_m.group(1)
        if word in ("以下", "及以下", "以内"):
            return "lte", True
        if word == "左右":
            return "approx", True
        return "gte", True
    if m := BEFORE_COMPARATOR_RE.search(before):
        return ("lte" if m.group(1) in LTE_WORDS else "gte"), True
    return "gte", False


def scan_numbers(
    compact: Compact,
    *,
    scope: str,
    year: int | None,
    section_key: str | None,
    task: Task | None = None,
    column: int | None = None,
    area: str = "",
    strict: bool = False,
) -> list[Candidate]:
    """Every number-with-unit of one stretch of text as a candidate target."""
    s = compact.s
    found: list[Candidate] = []
    sentence_year = year
    parent: Candidate | None = None
    for a, b in _clauses(s):
        clause = s[a:b]
        if (found_year := find_year(s[max(0, a - 30) : b])) is not None:
            sentence_year = found_year
        matches = list(MATCH_RE.finditer(clause))
        baseline = BASELINE_RE.search(clause)
        sub = clause.startswith("其中")
        previous_end = 0
        for index, m in enumerate(matches):
            if baseline and m.start() < baseline.end() and m.end() <= baseline.end():
                continue  # the baseline's own number
            next_start = matches[index + 1].start() if index + 1 < len(matches) else len(clause)
            before_start = previous_end
            before_raw = clause[before_start : m.start()]
            after_m = AFTER_COMPARATOR_RE.match(clause[m.end() :])
            after_start = m.end() + (after_m.end() if after_m else 0)
            after_raw = clause[after_start:next_start]
            previous_end = after_start
            ranged = m.group(2) is not None
            comparator, printed = _comparator(before_raw, after_m, ranged)
            if m.group(3):  # 100余家, 50多个: at least
                comparator, printed = "gte", True
            unit = "%" if m.group(4) == "％" else m.group(4)
            value = _decimal(m.group(2) or m.group(1))
            lower = _decimal(m.group(1)) if ranged else None
            candidate_baseline = None
            if baseline and baseline.end() <= m.start() + 1:
                candidate_baseline = (_decimal(baseline.group(1)), baseline)
                before_start = 0
                before_raw = clause[: baseline.start()]
            name, quote_start, quote_end, shape_flags = _name(
                before_raw, after_raw, clause, m, before_start, after_start, next_start, unit
            )
            if sub and len(name) <= 4 and parent is not None:
                name = name + parent.name  # 其中县级60项以上 → 县级社会公用计量标准
            if len(name) < 2:
                continue
            cue = bool(
                printed
                or TRAILING_VERB_RE.search(before_raw.rstrip())
                or before_raw.rstrip().endswith("等")
                or BUILD_RE.search(before_raw)
                or candidate_baseline
            )
            accepted = not (strict and not cue and scope != "goal")
            flags = list(shape_flags)
            confidence = 0.9
            if not printed:
                flags.append("无比较词，按下限(≥)理解 / bare number read as a floor (≥)")
                confidence = 0.8
            if sub:
                flags.append("其中…：分项目标 / sub-target of the clause before")
            if ANNUAL_RE.search(clause[: m.start()]):
                flags.append(
                    "每年…：年度数值，请核对年份与口径 / a yearly figure: check year and scope"
                )
                confidence = 0.5
            if comparator == "range":
                flags.append("区间目标 / range target")
            qa = a + quote_start
            qb = a + quote_end
            if candidate_baseline:
                qa = min(qa, a + candidate_baseline[1].start())
            quote = compact.quote(qa, qb).strip()
            if not quote:
                continue
            candidate = Candidate(
                name=name,
                unit=unit,
                year=sentence_year,
                value=value,
                comparator=comparator,
                lower=lower,
                quote=quote,
                start=compact.offset(qa),
                scope=scope,
                section_key=section_key,
                task=task,
                column=column,
                area=area,
                sub=sub,
                flags=flags,
                confidence=confidence,
                accepted=accepted,
            )
            if candidate_baseline:
                bm = candidate_baseline[1]
                bq = compact.quote(a + bm.start(), a + m.end() + (after_m.end() if after_m else 0))
                candidate.baseline = (candidate_baseline[0], bq.strip())
            candidate.kind = _kind(candidate, before_raw)
            found.append(candidate)
            if not sub:
                parent = candidate
        if not matches:
            found.extend(_milestones(compact, a, b, scope, sentence_year, section_key, task))
    return found


def _name(
    before_raw: str,
    after_raw: str,
    clause: str,
    m: re.Match,
    before_start: int,
    after_start: int,
    after_end: int,
    unit: str,
) -> tuple[str, int, int, list[str]]:
    """Name the number counts, and the clause-relative span of its quote."""
    flags: list[str] = []
    before = BEFORE_COMPARATOR_RE.sub("", before_raw.rstrip())
    before_stripped = before.rstrip()
    verb_before = bool(TRAILING_VERB_RE.search(before_stripped)) or not before_stripped
    enumerated = before_stripped.endswith("等") or "、" in before_stripped[-40:]
    after = after_raw.strip()
    if after.startswith("的"):
        after = after[1:]
    after = after.rstrip("、等 ")
    after_is_name = len(after) >= 2 and not after.startswith("、")
    before_name = _clean_name(TRAILING_WORDS_RE.sub("", LEADING_WORDS_RE.sub("", before_stripped)))
    quote_start = before_start + (len(before_raw) - len(before_raw.lstrip(" 、")))
    quote_end = after_start
    if after_is_name and (verb_before or enumerated or not before_name):
        name = _clean_name(after)
        quote_end = after_start + len(after_raw.rstrip("、 "))
        if before_stripped.endswith("等"):
            quote_start = before_start + before_raw.rfind("等")
        elif enumerated:
            quote_start = m.start()
        else:
            quote_start = max(before_start, m.start() - len(before_raw) + len(before_raw.lstrip()))
            verb = TRAILING_VERB_RE.search(before_stripped)
            if verb:
                quote_start = before_start + verb.start()
    elif after_is_name and unit == "%":
        name = _clean_name(before_name + after)
        quote_end = after_start + len(after_raw.rstrip("、 "))
        flags.append(
            "百分数在句中，名称系拼合 / percentage inside the phrase: name pieced together"
        )
    elif after_is_name and before_stripped.endswith("有"):
        name = _clean_name(after + "的" + before_name)
        quote_end = after_start + len(after_raw.rstrip("、 "))
    else:
        name = before_name
        if "等" in name:
            tail = name[name.rfind("等") + 1 :]
            if len(tail) >= 2 and "的" not in tail:
                name = tail
        if after_is_name:
            flags.append(f"数字后另有文字「{after[:20]}」/ words follow the number")
    return name[:200], quote_start, quote_end, flags


def _kind(candidate: Candidate, before: str) -> str:
    """A stock or a rate (a baseline, %, 达到…, 总数, 有…) is a level; a count of things to
    build, train or bring in over the plan (新建15个, 10家…, 培育…) is cumulative."""
    if candidate.value is None:
        return "milestone"
    if candidate.baseline or candidate.unit == "%" or RATE_RE.search(candidate.name):
        return "level"
    if LEVEL_CUE_RE.search(before) or re.search(r"总数|总量|保有量|存量", candidate.name):
        return "level"
    return "cumulative"


def _milestones(
    compact: Compact,
    a: int,
    b: int,
    scope: str,
    year: int | None,
    section_key: str | None,
    task: Task | None,
) -> list[Candidate]:
    """修订/制定《…条例》: a commitment with no number, due by its year or the plan's end."""
    clause = compact.s[a:b]
    found = []
    m = BOOK_FIRST_RE.search(clause)
    if m:
        book = m.group(1)
        name = f"{m.group(2)}《{book}》"
        qa, qb = m.start(), m.end()
    else:
        m = REGULATION_RE.search(clause)
        if not m or "探索" in clause[max(0, m.start() - 4) : m.start()]:
            return found
        book = m.group(3)
        if GENERIC_RULE_RE.search(book) and "《" not in m.group(2):
            return found  # 制定具体的实施细则: no rule named
        name = f"{m.group(1)}{m.group(2)}"
        lead = clause[: m.start()]
        qa = 0 if len(lead) <= 6 else m.start()
        qb = m.end()
    quote = compact.quote(a + qa, a + qb).strip()
    found.append(
        Candidate(
            name=name,
            unit="",
            year=year,
            value=None,
            comparator="done",
            lower=None,
            quote=quote,
            start=compact.offset(a + qa),
            scope=scope,
            section_key=section_key,
            task=task,
            book=book,
            kind="milestone",
            flags=["里程碑(无数值)/ milestone (no number)"],
            confidence=0.8,
        )
    )
    return found


def _goal_item_milestones(
    compact: Compact, year: int | None, section_key: str | None, column: int
) -> list[Candidate]:
    """A goals box's numbered item without a number is a milestone (完成…, 建立起…)."""
    found = []
    for a, b in _clauses(compact.s):
        clause = compact.s[a:b]
        if MATCH_RE.search(clause) or len(clause) < 6:
            continue
        if REGULATION_RE.search(clause) or BOOK_FIRST_RE.search(clause):
            continue  # read by _milestones
        name = _clean_name(re.sub(r"^(?:基本)?(?:完成|建立起|建成|实现)", "", clause))
        found.append(
            Candidate(
                name=name[:200],
                unit="",
                year=year,
                value=None,
                comparator="done",
                lower=None,
                quote=compact.quote(a, b).strip(),
                start=compact.offset(a),
                scope="goal",
                section_key=section_key,
                column=column,
                kind="milestone",
                flags=["目标专栏中无数值的条目，按里程碑提出 / numberless goal item: milestone"],
                confidence=0.6,
            )
        )
    return found


TABLE_YEAR_RE = re.compile(r"(\d{4})\s*年?")
CELL_UNIT_RE = re.compile(r"^(.*?)\s*[（(]\s*([^()（）]{1,6})\s*[)）]\s*$")
CELL_VALUE_RE = re.compile(r"^\s*(≥|≤|>|<|约)?\s*(\d+(?:\.\d+)?)\s*(%|以上|左右|以下)?\s*$")


def table_cells(text: str, line: Line) -> list[str] | None:
    """The cells of a table row: tab-separated (the seeds, .docx) or between pipes (| a | b |)."""
    raw = text[text.rfind("\n", 0, line.start) + 1 : line.end]
    if "\t" in raw:
        return [cell.strip() for cell in raw.split("\t")]
    if raw.count("|") >= 2:
        cells = [cell.strip() for cell in raw.strip().split("|")]
        if cells and not cells[0]:
            cells = cells[1:]
        if cells and not cells[-1]:
            cells = cells[:-1]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            return None  # the |---|---| rule under a Markdown header
        return cells
    return None


def scan_table(
    outline: Outline,
    lines: list[Line],
    base_year: int,
    period_start: int,
    *,
    section_key: str | None,
    column: int | None,
) -> list[Candidate]:
    """A goals table (tab or | separated, in a 专栏 or in the goals text): one row per indicator."""
    text = outline.text
    rows = []
    for line in lines:
        cells = table_cells(text, line)
        if cells is not None:
            rows.append((line, cells))
    if len(rows) < 2:
        return []
    header_index = next(
        (
            i
            for i, (_, cells) in enumerate(rows)
            if sum(bool(TABLE_YEAR_RE.fullmatch(c)) for c in cells) >= 1
        ),
        None,
    )
    if header_index is None:
        return []
    header = rows[header_index][1]
    years = {
        i: int(TABLE_YEAR_RE.fullmatch(c).group(1))
        for i, c in enumerate(header)
        if TABLE_YEAR_RE.fullmatch(c)
    }
    name_col = next((i for i, c in enumerate(header) if "指标" in c), None)
    area_col = next((i for i, c in enumerate(header) if "领域" in c or "类别" in c), None)
    attr_col = next((i for i, c in enumerate(header) if "属性" in c), None)
    if name_col is None:
        name_col = next((i for i in range(len(header)) if i not in years and i != area_col), 0)
    found: list[Candidate] = []
    area = ""
    for line, cells in rows[header_index + 1 :]:
        if name_col >= len(cells) or not cells[name_col]:
            continue
        if area_col is not None and area_col < len(cells) and cells[area_col]:
            area = cells[area_col]
        cell = cells[name_col]
        unit = ""
        name = cell
        if m := CELL_UNIT_RE.match(cell) or CELL_UNIT_RE.match(cell.replace("|", "")):
            name, unit = m.group(1), m.group(2)
        attribute = cells[attr_col] if attr_col is not None and attr_col < len(cells) else ""
        baseline = None
        for index, year in sorted(years.items(), key=lambda item: item[1]):
            value_cell = cells[index] if index < len(cells) else ""
            vm = CELL_VALUE_RE.match(value_cell)
            if not vm:
                continue
            value = _decimal(vm.group(2))
            if year <= base_year or year < period_start:
                baseline = value
                continue
            sign, suffix = vm.group(1), vm.group(3)
            comparator = "gte"
            printed = bool(sign or suffix in ("以上",))
            if sign in ("≤", "<") or suffix == "以下":
                comparator = "lte"
            elif sign == "约" or suffix == "左右":
                comparator = "approx"
            candidate = Candidate(
                name=name,
                unit=unit,
                year=year,
                value=value,
                comparator=comparator,
                lower=None,
                quote=line.text,
                start=line.start,
                scope="table",
                section_key=section_key,
                column=column,
                attribute=attribute if attribute in ("预期性", "约束性") else "",
                area=area[:40],
                flags=[]
                if printed
                else ["表中数值按下限(≥)理解 / table value read as a floor (≥)"],
                confidence=0.9,
            )
            if baseline is not None:
                candidate.baseline = (baseline, line.text)
            candidate.kind = "level" if baseline is not None or unit == "%" else "cumulative"
            found.append(candidate)
    return found
