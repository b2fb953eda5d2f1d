"""Numbered tasks and the units named after them (…牵头 / …配合 / 责任单位:…).

Pure: an outline in, task dictionaries in the fixtures' shape out, each with its verbatim quote,
a confidence and flags for the reviewer. Units are matched to the unit's existing departments
(exactly, then ignoring punctuation width and spaces) or proposed as new ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from onboarding.proposer.headings import Outline, Task

# (责任单位:A、B) — or the same without brackets at the end of a paragraph.
RESPONSIBLE_RE = re.compile(r"[（(]\s*(?:责任单位|责任部门)\s*[:：]\s*([^()（）]+?)\s*[)）]")
# 牵头单位：A；配合单位：B、C — labelled lists, in brackets or closing the paragraph.
LABELLED_RE = re.compile(
    r"(牵头单位|牵头部门|主责单位|责任单位|责任部门|配合单位|配合部门|协同单位|参与单位)\s*[:：]\s*"
    r"([^\n()（）。；;]+)"
)
LABELLED_ROLES = {
    "牵头单位": "lead",
    "牵头部门": "lead",
    "主责单位": "lead",
    "配合单位": "support",
    "配合部门": "support",
    "协同单位": "support",
    "参与单位": "support",
}
# 责任单位：A(牵头)、B — bare, a unit may carry its own (牵头)/(配合) mark
BARE_RESPONSIBLE_RE = re.compile(
    r"(?:责任单位|责任部门)\s*[:：]\s*((?:[^\n()（）。；;]|[（(](?:牵头|配合|负责)[)）])+)"
)
MARK_RE = re.compile(r"[（(](牵头|配合|负责)[)）]$")
# (A牵头, B、C配合) (A负责) (A、B按职责分工负责)
ROLE_RE = re.compile(r"[（(]([^()（）]{2,300}?(?:牵头|配合|负责|参与))\s*[)）]")
NAME_SPLIT_RE = re.compile(r"[、，,；;]|(?<=[厅局委办院会室])和(?=[省市区县国])")
ROLE_WORDS = (
    ("按职责分工负责", "lead"),
    ("分别负责", "lead"),
    ("共同负责", "lead"),
    ("负责", "lead"),
    ("牵头", "lead"),
    ("配合", "support"),
    ("参与", "support"),
)


@dataclass
class DepartmentClause:
    start: int
    end: int
    assignments: list[tuple[str, str]]  # (name, role)


def normalise_name(name: str) -> str:
    """Compare unit names ignoring spaces and the width of brackets and punctuation."""
    table = str.maketrans("（）：，、", "():,,")
    return re.sub(r"\s+", "", name).translate(table)


def find_department_clauses(text: str, start: int, end: int) -> list[DepartmentClause]:
    """Every unit clause between ``start`` and ``end`` of ``text``, in printed order."""
    window = text[start:end]
    clauses: list[DepartmentClause] = []
    taken: list[tuple[int, int]] = []
    for m in RESPONSIBLE_RE.finditer(window):
        names = _names(m.group(1))
        if names:
            clauses.append(
                DepartmentClause(
                    start + m.start(), start + m.end(), [(n, "responsible") for n in names]
                )
            )
            taken.append((m.start(), m.end()))
    for m in ROLE_RE.finditer(window):
        if any(a <= m.start() < b for a, b in taken):
            continue
        assignments = _role_assignments(m.group(1))
        if assignments:
            clauses.append(DepartmentClause(start + m.start(), start + m.end(), assignments))
            taken.append((m.start(), m.end()))
    labelled = [m for m in LABELLED_RE.finditer(window) if m.group(1) in LABELLED_ROLES]
    if labelled and not any(a <= labelled[0].start() < b for a, b in taken):
        # one clause from the first label to the last list, brackets included when there are any
        first, last = labelled[0], labelled[-1]
        a, b = first.start(), last.end()
        if a > 0 and window[a - 1] in "（(" and b < len(window) and window[b] in "）)":
            a, b = a - 1, b + 1
        assignments = [
            (name, LABELLED_ROLES[m.group(1)]) for m in labelled for name in _names(m.group(2))
        ]
        if assignments:
            clauses.append(DepartmentClause(start + a, start + b, assignments))
            taken.append((a, b))
    if not clauses:
        for m in BARE_RESPONSIBLE_RE.finditer(window):
            assignments = _marked(_names(m.group(1)))
            if assignments:
                end = m.end() - (len(m.group(1)) - len(m.group(1).rstrip(" ，,、")))
                clauses.append(DepartmentClause(start + m.start(), start + end, assignments))
    clauses.sort(key=lambda c: c.start)
    return clauses


def _names(listing: str) -> list[str]:
    names = []
    for part in NAME_SPLIT_RE.split(listing):
        part = part.strip(" \u3000.。")
        if 2 <= len(part) <= 60 and part not in names:
            names.append(part)
    return names


def _marked(names: list[str]) -> list[tuple[str, str]]:
    """A(牵头)、B: the marked unit leads and the others support; unmarked lists are responsible."""
    marks = [MARK_RE.search(name) for name in names]
    if not any(marks):
        return [(name, "responsible") for name in names]
    result = []
    for name, mark in zip(names, marks, strict=True):
        if mark:
            result.append((name[: mark.start()], "support" if mark.group(1) == "配合" else "lead"))
        else:
            result.append((name, "support"))
    return result


def _role_assignments(clause: str) -> list[tuple[str, str]]:
    """'A牵头,B、C配合' → [(A, lead), (B, support), (C, support)]; None when it names no unit."""
    result: list[tuple[str, str]] = []
    for part in re.split(r"[，,；;]\s*", clause):
        part = part.strip()
        role = None
        for word, value in ROLE_WORDS:
            if part.endswith(word):
                role = value
                part = part[: -len(word)]
                break
        if role is None:
            return []  # an ordinary parenthesis that happens to contain 负责 …
        for name in _names(part):
            if not _looks_like_unit(name):
                return []
            result.append((name, role))
    return result


UNIT_END_RE = re.compile(
    r"(厅|局|委|办|院|会|室|部|部门|政府|单位|公司|中心|机构|银行|集团|法院|检察院|联社|协会|大学|学校|站)$"
)


def _looks_like_unit(name: str) -> bool:
    return bool(UNIT_END_RE.search(name)) and len(name) <= 40


def match_department(name: str, known: dict[str, str]) -> tuple[str, bool]:
    """The existing department's name for ``name`` and whether it exists, else the name as new."""
    if name in known.values():
        return name, True
    key = normalise_name(name)
    if key in known:
        return known[key], True
    return name, False


def propose_tasks(
    outline: Outline, known_departments: Iterable[str] = ()
) -> tuple[list[dict], list[str]]:
    """Tasks in the fixtures' shape (plus ``_confidence``/``_flags``) and the new unit names."""
    text = outline.text
    known = {normalise_name(n): n for n in known_departments}
    tasks: list[dict] = []
    new_units: list[str] = []
    any_units = False
    raw: list[tuple[Task, list[DepartmentClause]]] = []
    for task in outline.tasks:
        clauses = find_department_clauses(text, task.heading.title_end, task.end)
        any_units = any_units or bool(clauses)
        raw.append((task, clauses))
    seen_numbers: dict[tuple[str, str], int] = {}
    for task, clauses in raw:
        flags: list[str] = []
        confidence = 0.95
        body_start = task.heading.title_end
        body_end = task.end
        if clauses and not text[clauses[-1].end : body_end].strip(" \u3000。.\n"):
            body_end = clauses[-1].start
        body = text[body_start:body_end].strip()
        departments: list[dict] = []
        names_seen: set[str] = set()
        for clause in clauses:
            for name, role in clause.assignments:
                existing, exists = match_department(name, known)
                matched = name  # as printed: the loader finds every name in departments_quote
                if exists and existing != name:
                    flags.append(f"「{name}」近似已有单位「{existing}」/ close to an existing unit")
                if matched in names_seen:
                    continue
                names_seen.add(matched)
                if not exists and matched not in new_units:
                    new_units.append(matched)
                departments.append({"name": matched, "role": role, "_new": not exists})
        departments_quote = text[clauses[0].start : clauses[-1].end] if clauses else ""
        if any_units and not departments:
            flags.append("未找到责任单位 / no responsible units found")
            confidence = 0.7
        if len(task.heading.title) > 40 or not task.heading.title:
            flags.append("标题较长或缺失，请核对 / title long or missing: check")
            confidence = min(confidence, 0.6)
        key = (task.section.key, task.heading.number)
        if key in seen_numbers:
            flags.append("序号重复 / number repeated")
            confidence = 0.4
        seen_numbers[key] = len(tasks)
        tasks.append(
            {
                "number": task.heading.number,
                "section": task.section.key,
                "title": task.heading.title or task.heading.quote,
                "quote": task.heading.quote,
                "text": body,
                "departments": departments,
                "departments_quote": departments_quote,
                "_confidence": confidence,
                "_flags": flags,
            }
        )
    return tasks, new_units
