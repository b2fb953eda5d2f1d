"""From candidate targets to the fixtures' ``indicators`` and ``reports``.

Pure. Collects the candidates of every part of the outline (goals prose and boxes, tasks, other
sections), folds a task's restatement of a goal into that goal, groups one indicator's targets of
different years, and writes each in the fixtures' shape, with ``_confidence`` and ``_flags``.
"""

from __future__ import annotations

import re
from decimal import Decimal

from onboarding.proposer.headings import L3_RE, Outline, Section
from onboarding.proposer.targets import (
    YEAR_RE,
    Candidate,
    Compact,
    _goal_item_milestones,
    find_year,
    normalise,
    scan_numbers,
    scan_table,
    similar,
    table_cells,
)

GOAL_SCOPES = ("goal", "table")


def _goal_area(section: Section, line_text: str) -> str:
    """The theme of a goals paragraph: its lead-in (——计量科技创新能力明显提升。)."""
    lead = re.split(r"[。：:]", line_text.lstrip("—- "), maxsplit=1)[0]
    if 2 <= len(lead) <= 24 and not YEAR_RE.search(lead):
        return lead
    return section.heading.title[:40]


def collect(
    outline: Outline, *, period_end: int, base_year: int, period_start: int, default_year: int
) -> list[Candidate]:
    text = outline.text
    found: list[Candidate] = []
    year_marks: list[tuple[int, int]] = []
    for section in outline.all_sections():
        if section.is_goals:
            year = default_year
            area = section.heading.title[:40]
            table_lines = [ln for ln in section.lines if table_cells(text, ln) is not None]
            if len(table_lines) >= 2:
                rows = scan_table(
                    outline,
                    section.lines,
                    base_year,
                    period_start,
                    section_key=section.key,
                    column=None,
                )
                if rows:
                    for row in rows:
                        row.year = row.year or year
                    found += rows
                    skip = {id(ln) for ln in table_lines}
                else:
                    skip = set()
            else:
                skip = set()
            for start, end in _spans(section, skip):
                line_text = text[start:end]
                if (found_year := find_year(line_text[:40])) is not None:
                    year = found_year
                    year_marks.append((start, year))
                lead_area = _goal_area(section, line_text)
                if lead_area != section.heading.title[:40]:
                    area = lead_area
                found += scan_numbers(
                    Compact(text, start, end),
                    scope="goal",
                    year=year,
                    section_key=section.key,
                    area=area,
                )
        elif not section.is_preamble:
            for start, end in _spans(section):
                found += scan_numbers(
                    Compact(text, start, end),
                    scope="section",
                    year=None,
                    section_key=section.key,
                    area=section.heading.title[:40],
                    strict=True,
                )
    for column in outline.columns:
        if column.goal:
            rows = scan_table(
                outline,
                column.lines,
                base_year,
                period_start,
                section_key=column.section_key,
                column=column.number,
            )
            if rows:
                found += rows
                continue
            year = default_year
            for offset, mark in year_marks:
                if offset <= column.heading.line.start:
                    year = mark
            for line in column.lines:
                start = line.start
                if m := L3_RE.match(line.text):
                    start = line.start + m.start(2)
                compact = Compact(text, start, line.end)
                candidates = scan_numbers(
                    compact,
                    scope="goal",
                    year=year,
                    section_key=column.section_key,
                    area=column.heading.title[:40],
                )
                for c in candidates:
                    c.column = column.number
                found += candidates
                found += _goal_item_milestones(compact, year, column.section_key, column.number)
        else:
            for line in column.lines:
                candidates = scan_numbers(
                    Compact(text, line.start, line.end),
                    scope="column",
                    year=None,
                    section_key=column.section_key,
                    task=column.after_task,
                    area=column.heading.title[:40],
                    strict=True,
                )
                found += [c for c in candidates if c.value is not None]
    for task in outline.tasks:
        spans = [(task.heading.title_end, task.heading.line.end)]
        spans += [(line.start, line.end) for line in task.lines]
        for start, end in spans:
            if end <= start:
                continue
            found += scan_numbers(
                Compact(text, start, end),
                scope="task",
                year=None,
                section_key=task.section.key,
                task=task,
                area=task.section.heading.title[:40],
                strict=True,
            )
    return _dedupe(found)


def _spans(section: Section, skip: set[int] | None = None) -> list[tuple[int, int]]:
    """The text of a section: what follows its heading sentence on its line, then its lines
    (less the table rows in ``skip``, read as a table)."""
    spans = []
    heading = section.heading
    if heading.title_end < heading.line.end:
        spans.append((heading.title_end, heading.line.end))
    spans += [(line.start, line.end) for line in section.lines if id(line) not in (skip or ())]
    return spans


def _dedupe(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[tuple[int, str]] = set()
    result = []
    for c in sorted(candidates, key=lambda c: c.start):
        key = (c.start, c.quote)
        if key in seen:
            continue
        seen.add(key)
        result.append(c)
    return result


def _restates(c: Candidate, g: Candidate) -> bool:
    if c.value is None or g.value is None:
        return bool(c.book and g.book and normalise(c.book) == normalise(g.book))
    same_value = c.value == g.value or (c.comparator == "range" and c.value == g.value)
    if normalise(c.name) == normalise(g.name) and same_value:
        return True
    if not similar(c.name, g.name):
        return False
    if c.value == g.value and c.comparator in (g.comparator, "gte"):
        return True
    return bool(g.baseline and c.value == g.value - g.baseline[0])


def fold(candidates: list[Candidate], period_end: int) -> list[Candidate]:
    """Fold restatements into the goal they repeat; give yearless task targets a year."""
    goals = [c for c in candidates if c.scope in GOAL_SCOPES]
    kept = list(goals)
    restating: dict[int, int] = {}  # id(task) -> year of a goal it restates
    others = []
    for c in candidates:
        if c.scope in GOAL_SCOPES:
            continue
        goal = next((g for g in goals if not g.sub and _restates(c, g)), None)
        if goal is None:
            goal = next((g for g in others if _restates(c, g) and g.task is not c.task), None)
        if goal is not None:
            goal.restated.append(c.quote)
            if goal.restating_task is None and c.task is not None:
                goal.restating_task = c.task
            if c.value is not None and goal.value is not None and c.value != goal.value:
                goal.flags.append(
                    f"任务中另有表述「{c.quote[:30]}」数值不同 / restated with a different value"
                )
            if c.task is not None and goal.year is not None:
                restating.setdefault(id(c.task), goal.year)
            continue
        if c.accepted:
            others.append(c)
    for c in others:
        if c.year is None:
            year = restating.get(id(c.task)) if c.task is not None and c.value is not None else None
            if year is not None:
                c.year = year
                c.flags.append(
                    f"未写年份，取同一任务所重申目标的年份 {year} / no year printed: the year of "
                    "the goal its task restates"
                )
            else:
                c.year = period_end
                c.flags.append(
                    f"未写年份，按规划期末 {period_end} / no year printed: due by the plan's end"
                )
            c.confidence = min(c.confidence, 0.7)
        kept.append(c)
    kept.sort(key=lambda c: c.start)
    return kept


def group(candidates: list[Candidate]) -> list[list[Candidate]]:
    """One indicator's targets of different years together (2025 and 2035 of one count)."""
    groups: list[list[Candidate]] = []
    for c in candidates:
        home = None
        for g in groups:
            first = g[0]
            same_scope = (first.scope in GOAL_SCOPES) == (c.scope in GOAL_SCOPES) and (
                c.scope in GOAL_SCOPES or first.task is c.task
            )
            if (
                same_scope
                and not c.sub
                and not first.sub
                and (c.value is None) == (first.value is None)
                and all(t.year != c.year for t in g)
                and (similar(c.name, first.name) or (c.book and c.book == first.book))
            ):
                home = g
                break
        if home is None:
            groups.append([c])
        else:
            home.append(c)
    return groups


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def match_category(name: str, categories: list[dict]) -> str | None:
    """The cross-province category whose name shares most of its wording with ``name``."""

    def core(s: str) -> str:
        s = re.sub(r"[（(][^)）]*[)）]", "", normalise(s)).replace("强检", "强制检定")
        return re.sub(r"(数量|总数|个数)$", "", s)

    def bigrams(s: str) -> set[str]:
        s = core(s)
        return {s[i : i + 2] for i in range(len(s) - 1)}

    mine = bigrams(name)
    head = core(name)[-2:]
    best: tuple[int, float, str] | None = None
    for category in categories:
        theirs = bigrams(category["name"])
        if not theirs or not mine:
            continue
        common = len(mine & theirs)
        ratio = max(common / len(theirs), common / len(mine))
        if common >= 3 and ratio >= 0.6 and head in theirs:  # the same head noun (…标准, …率)
            score = (common, ratio, category["code"])
            if best is None or score[:2] > best[:2]:
                best = score
    return best[2] if best else None


def to_fixture(
    groups: list[list[Candidate]], *, base_year: int, categories: list[dict]
) -> tuple[list[dict], list[dict]]:
    indicators: list[dict] = []
    reports: list[dict] = []
    codes: set[str] = set()
    for index, group_ in enumerate(groups, 1):
        first = group_[0]
        category = (
            match_category(first.name, categories)
            if first.value is not None or first.book
            else None
        )
        if first.value is None and first.book and re.search(r"条例|办法|规定|细则", first.book):
            category = next(
                (c["code"] for c in categories if c["code"] == "local-metrology-regulations"),
                category,
            )
        code = _slug(category or "") or "indicator"
        if code in codes or code == "indicator":
            code = f"{code}-{index}"
        codes.add(code)
        task = first.task or first.restating_task
        flags = [f for c in group_ for f in c.flags]
        baseline = None
        if first.baseline is not None:
            baseline = {
                "year": base_year,
                "value": _number(first.baseline[0]),
                "quote": first.baseline[1],
            }
            reports.append(
                {
                    "indicator": code,
                    "as_of": f"{base_year}-12-31",
                    "value": _number(first.baseline[0]),
                    "quote": first.baseline[1],
                }
            )
        direction = (
            "down"
            if first.comparator == "lte" or re.search(r"下降|降低|减少|压减", first.name)
            else "up"
        )
        targets = []
        for c in sorted(group_, key=lambda c: c.year or 0):
            target = {
                "year": c.year,
                "value": _number(c.value),
                "comparator": c.comparator,
                "lower_bound": _number(c.lower),
                "quote": c.quote,
            }
            if c.restated:
                target["restated_quotes"] = list(dict.fromkeys(c.restated))
            targets.append(target)
        indicators.append(
            {
                "code": code,
                "name": first.name,
                "area": first.area[:40],
                "unit": first.unit if first.value is not None else "",
                "attribute": first.attribute,
                "direction": direction,
                "measure_kind": first.kind or "level",
                "category": category,
                "section": first.section_key,
                "task": task.heading.number if task else None,
                "task_section": task.section.key if task else None,
                "column": first.column,
                "baseline": baseline,
                "quote": first.quote,
                "targets": targets,
                "_confidence": round(min(c.confidence for c in group_), 2),
                "_flags": list(dict.fromkeys(flags)),
            }
        )
    return indicators, reports
