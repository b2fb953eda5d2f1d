"""The heading tree of an implementing opinion: 一、 / (一) / 1. / 专栏, read line by line.

Pure: text in, offsets out. Every heading keeps the character offsets of the line it was read
from, so that every quote the proposer makes is a slice of the text (an exact substring).

The genre numbers its headings in three levels (一、, (一), 1.) plus boxed 专栏 whose items
restart at 1. Which level carries the numbered tasks differs between documents: where arabic
paragraphs (1. … 28.) run through the body, they are the tasks and (一) are sections; otherwise
the (一) paragraphs are the tasks, except those of the preamble (指导思想, 发展目标 …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_DIGITS = "一二三四五六七八九十"
L1_RE = re.compile(rf"^([{CN_DIGITS}]+)\s*[、.．]\s*(\S.*)$")
L2_RE = re.compile(rf"^[（(]\s*([{CN_DIGITS}]+)\s*[)）]\s*(.*)$")
L3_RE = re.compile(r"^(\d{1,2})\s*[.．、](?!\d)\s*(\S.*)$")
COLUMN_RE = re.compile(r"^专栏\s*(\d{1,3})[\s\u00a0\u3000]*(.*)$")
LEADING = " \t\u3000\u00a0#>*"
# Titles of the parts that set the frame rather than assign work.
PREAMBLE_WORDS = ("指导思想", "基本原则", "总体要求", "总体思路", "现状", "形势", "工作原则")
GOAL_RE = re.compile(r"(发展|主要|总体|工作|具体|预期|奋斗|规划)目标$|^目标")
DEPARTMENT_HINT_RE = re.compile(r"责任单位|牵头|配合\)|配合）|负责\)|负责）")


@dataclass
class Line:
    start: int  # offset of the first character after the indentation
    end: int  # offset just after the last non-space character
    text: str
    indented: bool


@dataclass
class Heading:
    kind: str  # "l1" | "l2" | "l3" | "column"
    label: str  # 一 / 一 / 1 / 2
    number: str  # as printed: "一、", "(一)", "1", "2"
    title: str
    quote: str  # the heading as printed (number and title, with its 。 when there is one)
    line: Line
    title_end: int  # offset after the heading sentence: where the body begins


@dataclass
class Column:
    heading: Heading
    number: int
    lines: list[Line] = field(default_factory=list)
    items: list[Heading] = field(default_factory=list)
    after_task: Task | None = None
    section_key: str | None = None
    goal: bool = False  # a box of the goals: a table of indicators or numbered targets


@dataclass
class Section:
    key: str
    heading: Heading
    parent: Section | None
    level: int
    children: list[Section] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)  # body lines (outside boxes and tasks)
    role: str = "body"  # "preamble" | "goals" | "body"

    @property
    def is_goals(self) -> bool:
        node: Section | None = self
        while node is not None:
            if node.role == "goals":
                return True
            node = node.parent
        return False

    @property
    def is_preamble(self) -> bool:
        node: Section | None = self
        while node is not None:
            if node.role in ("preamble", "goals"):
                return True
            node = node.parent
        return False


@dataclass
class Task:
    heading: Heading
    section: Section
    lines: list[Line] = field(default_factory=list)  # its body, boxes excluded
    end: int = 0  # offset after its last body line


@dataclass
class Outline:
    text: str
    sections: list[Section]  # top level, in order
    tasks: list[Task]
    columns: list[Column]
    task_level: str  # "l3" or "l2"
    body_start: int  # offset of the first heading: the header lies before it

    def all_sections(self) -> list[Section]:
        result: list[Section] = []

        def walk(nodes: list[Section]) -> None:
            for node in nodes:
                result.append(node)
                walk(node.children)

        walk(self.sections)
        return result


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with offsets; indentation (spaces, 　, Markdown #) is not part of a line."""
    lines: list[Line] = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped = body.lstrip(LEADING)
        lead = len(body) - len(stripped)
        content = stripped.rstrip(" \t\u3000\u00a0")
        if content:
            start = offset + lead
            lines.append(Line(start, start + len(content), content, lead > 0))
        offset += len(raw)
    return lines


def _heading(kind: str, label: str, number: str, rest: str, line: Line) -> Heading:
    """Title = the heading sentence (up to the first 。), quote = number + title + its 。."""
    rest_offset = line.end - len(rest)
    stop = rest.find("。")
    if stop == -1:
        title = rest.rstrip("：:；;")
        title_end = line.end
    else:
        title = rest[:stop]
        title_end = rest_offset + stop + 1
    quote_start = line.start
    return Heading(
        kind=kind,
        label=label,
        number=number,
        title=title.strip(),
        quote=_slice_quote(line, quote_start, title_end),
        line=line,
        title_end=title_end,
    )


def _slice_quote(line: Line, start: int, end: int) -> str:
    return line.text[start - line.start : end - line.start]


def classify(line: Line) -> Heading | None:
    text = line.text
    if m := COLUMN_RE.match(text):
        title = m.group(2).strip()
        return Heading("column", m.group(1), m.group(1), title, text, line, line.end)
    if m := L1_RE.match(text):
        number = text[: m.start(2)].rstrip()
        heading = _heading("l1", m.group(1), number, m.group(2), line)
        if len(heading.title) <= 60:
            return heading
        return None
    if m := L2_RE.match(text):
        number = text[: m.start(2)].rstrip() if m.group(2) else text
        return _heading("l2", m.group(1), number, m.group(2), line)
    if m := L3_RE.match(text):
        return _heading("l3", m.group(1), m.group(1), m.group(2), line)
    return None


def _role(title: str) -> str:
    if GOAL_RE.search(title.rstrip("。：: ")):
        return "goals"
    if any(word in title for word in PREAMBLE_WORDS):
        return "preamble"
    return "body"


def parse_outline(text: str) -> Outline:
    """Read the heading tree, the tasks and the 专栏 of one document."""
    lines = split_lines(text)
    classified = [(line, classify(line)) for line in lines]
    indent_share = sum(line.indented for line in lines) / max(len(lines), 1)
    task_level = _task_level(classified)

    sections: list[Section] = []
    tasks: list[Task] = []
    columns: list[Column] = []
    l1: Section | None = None
    l2: Section | None = None
    task: Task | None = None
    column: Column | None = None
    last_task_number = 0
    body_start = next((ln.start for ln, h in classified if h and h.kind == "l1"), 0)

    def current_section() -> Section | None:
        return l2 or l1

    for index, (line, heading) in enumerate(classified):
        if line.start < body_start:
            continue
        if heading and heading.kind == "l1":
            column = task = l2 = None
            l1 = Section(heading.label, heading, None, 1, role=_role(heading.title))
            if l1.key in {s.key for s in sections}:
                l1.key = f"{l1.key}-{len(sections) + 1}"
            sections.append(l1)
            continue
        if heading and heading.kind == "l2":
            column = None
            parent = l1
            is_task = task_level == "l2" and not (
                (parent and parent.is_preamble) or _role(heading.title) != "body"
            )
            if is_task and parent is not None:
                task = Task(heading, parent)
                tasks.append(task)
                l2 = None
            else:
                task = None
                key = f"{parent.key}/{heading.label}" if parent else heading.label
                l2 = Section(key, heading, parent, 2 if parent else 1, role=_role(heading.title))
                if parent is not None:
                    parent.children.append(l2)
                else:
                    sections.append(l2)
            continue
        if heading and heading.kind == "column":
            section = current_section()
            column = Column(heading, int(heading.label), after_task=task)
            column.section_key = task.section.key if task else (section.key if section else None)
            column.goal = bool(
                (section and section.is_goals and task is None)
                or re.search(r"指标|目标", heading.title)
            )
            columns.append(column)
            continue
        if heading and heading.kind == "l3":
            number = int(heading.label)
            if column is not None:
                expected_item = len(column.items) + 1
                as_task = task_level == "l3" and number == last_task_number + 1
                if as_task and number == expected_item:
                    as_task = _has_departments(classified, index)
                if not as_task:
                    column.items.append(heading)
                    column.lines.append(line)
                    continue
                column = None
            section = current_section()
            if task_level == "l3" and section is not None and not section.is_preamble:
                task = Task(heading, section)
                tasks.append(task)
                last_task_number = number
                continue
            # a numbered line of the goals or the preamble: part of that section's text
            if section is not None:
                section.lines.append(line)
            continue
        # a body line
        if column is not None:
            if line.indented and indent_share > 0.2 and "\t" not in line.text:
                column = None  # an indented paragraph resumes the text after the box
            else:
                column.lines.append(line)
                continue
        if task is not None:
            task.lines.append(line)
            task.end = line.end
        elif (section := current_section()) is not None:
            section.lines.append(line)
    for t in tasks:
        if not t.end:
            t.end = t.heading.line.end
    return Outline(text, sections, tasks, columns, task_level, body_start)


def _task_level(classified: list[tuple[Line, Heading | None]]) -> str:
    """Arabic paragraphs in the body, outside the boxes and the preamble, carry the tasks if
    there are at least three of them; otherwise the (一) paragraphs do."""
    in_column = False
    framing = l1_framing = False  # inside 总体要求 / 发展目标 …
    count = 0
    for _line, heading in classified:
        if heading is None:
            continue
        if heading.kind == "column":
            in_column = True
        elif heading.kind == "l1":
            in_column = False
            framing = l1_framing = _role(heading.title) != "body"
        elif heading.kind == "l2":
            in_column = False
            framing = l1_framing or _role(heading.title) != "body"
        elif not in_column and not framing:
            count += 1
    return "l3" if count >= 3 else "l2"


def _has_departments(classified: list[tuple[Line, Heading | None]], index: int) -> bool:
    """Does the paragraph that starts at ``index`` name responsible units (a task does)?"""
    for line, heading in classified[index : index + 12]:
        if heading is not None and line is not classified[index][0]:
            return False
        if DEPARTMENT_HINT_RE.search(line.text):
            return True
    return False
