"""Load the curated policy fixtures (``fixtures/policies/*.yaml``) into the catalogue.

Three steps, so that a broken file loads nothing:

1. ``read_fixtures`` parses every YAML file into plain specs and checks each against its seed
   text and the schema of ``fixtures/README.md`` (no database). Every problem is collected, with
   the file, the path inside the YAML and what is wrong, in Chinese and English.
2. ``load_policies`` resolves what the files leave to the database (a superseded document or a
   report's indicator that is not among the files), then upserts everything by natural keys
   inside one transaction: a second run changes nothing, an edited file updates rows in place,
   and rows a file no longer lists are deleted. Only rows the loader owns are deleted; a task
   with progress updates or an indicator with reported values is never deleted silently.
3. The returned ``LoadSummary`` says what was created, updated and deleted.

Rows whose values are unchanged are not written, so their ``updated_at`` does not move.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from django.db import IntegrityError, models, transaction

from provinces.models import Department, PolicyDocument, Province, ReviewStatus, Section
from targets.models import (
    Attribute,
    Comparator,
    Direction,
    Indicator,
    IndicatorCategory,
    MeasureKind,
    ProgressReport,
    ReportSource,
    Target,
)
from tasks.models import Assignment, Column, ColumnItem, Role, Task, TaskUpdate

try:  # The C loader is several times faster; fall back to the pure one where it is missing.
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _YamlLoader = yaml.SafeLoader

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CROSS_REF_SEPARATOR = ":"
# Documents are read in Asia/Shanghai; a report a document states is "approved" at 00:00 on the
# day the document was signed, a fixed moment so that re-runs change nothing.
REVIEW_TZ = ZoneInfo("Asia/Shanghai")
MAX_ABS_VALUE = Decimal("1e10")  # DecimalField(max_digits=14, decimal_places=4)


# ---------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class LoadProblem:
    """One thing wrong with the fixtures: where (file and YAML path) and what, in both languages."""

    file: str
    path: str
    zh: str
    en: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.zh} / {self.en}"


class PolicyLoadError(Exception):
    """The fixtures cannot be loaded; nothing was written."""

    def __init__(self, problems: list[LoadProblem]) -> None:
        self.problems = problems
        lines = [
            f"政策文件未载入，发现 {len(problems)} 个问题，数据库未作任何修改 / "
            f"Policies not loaded: {len(problems)} problem(s) found, nothing was written:"
        ]
        lines += [f"  - {problem}" for problem in problems]
        super().__init__("\n".join(lines))


# ---------------------------------------------------------------------------------------------
# Specs: what one YAML file says, checked, in plain Python values


@dataclass
class SectionSpec:
    key: str
    number: str
    title: str
    quote: str
    parent_key: str | None
    level: int
    sort_order: int


@dataclass
class AssignmentSpec:
    name: str
    role: str
    sort_order: int


@dataclass
class TaskSpec:
    section_key: str
    number: str
    title: str
    quote: str
    text: str
    departments: list[AssignmentSpec]
    departments_quote: str
    sort_order: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.section_key, self.number)


@dataclass
class ItemSpec:
    number: str
    title: str
    text: str
    quote: str
    sort_order: int


@dataclass
class ColumnSpec:
    number: int
    title: str
    quote: str
    task_key: tuple[str, str] | None
    items: list[ItemSpec]


@dataclass
class TargetSpec:
    year: int
    value: Decimal | None
    comparator: str
    lower_bound: Decimal | None
    quote: str
    restated_quotes: list[str] = field(default_factory=list)


@dataclass
class IndicatorSpec:
    code: str
    name: str
    area: str
    unit: str
    attribute: str
    direction: str
    measure_kind: str
    category_code: str | None
    section_key: str | None
    task_key: tuple[str, str] | None
    column_number: int | None
    baseline_year: int | None
    baseline_value: Decimal | None
    baseline_quote: str
    quote: str
    targets: list[TargetSpec]
    sort_order: int


@dataclass
class ReportSpec:
    document_slug: str  # the document whose indicator the report is about
    indicator_code: str
    as_of: dt.date
    value: Decimal | None
    done: bool | None
    quote: str
    path: str  # where in the YAML, for problems found later against the database

    @property
    def indicator_ref(self) -> tuple[str, str]:
        return (self.document_slug, self.indicator_code)


@dataclass
class DocumentSpec:
    file_name: str
    slug: str
    province_code: str
    source_file: str
    source_text: str
    title: str
    issuer: str
    number: str
    signed_on: dt.date | None
    period_start: int
    period_end: int
    base_year: int
    milestone_years: list[int]
    supersedes: str | None
    quote: str
    sections: list[SectionSpec] = field(default_factory=list)
    tasks: list[TaskSpec] = field(default_factory=list)
    columns: list[ColumnSpec] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)
    reports: list[ReportSpec] = field(default_factory=list)

    @property
    def department_names(self) -> list[str]:
        """The units this document assigns, each once, in first-printed order."""
        return list(dict.fromkeys(a.name for t in self.tasks for a in t.departments))

    @property
    def review_moment(self) -> dt.datetime:
        """When the values this document states count as approved: the day it was signed."""
        day = self.signed_on or dt.date(self.period_start, 1, 1)
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=REVIEW_TZ)


@dataclass
class ProvinceSpec:
    code: str
    name: str
    full_name: str
    sort_order: int


@dataclass
class CategorySpec:
    code: str
    name: str
    note: str


@dataclass
class FixtureSet:
    provinces: list[ProvinceSpec]
    categories: list[CategorySpec]
    documents: list[DocumentSpec]  # in load order: a superseded document before its successor


# ---------------------------------------------------------------------------------------------
# Reading and checking one file


def _max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= limit else text[:limit] + "…"


def _longest_matching_prefix(quote: str, source: str) -> int:
    """How many leading characters of ``quote`` occur in ``source`` (monotone: bisect)."""
    low, high = 0, len(quote)
    while low < high:
        middle = (low + high + 1) // 2
        if quote[:middle] in source:
            low = middle
        else:
            high = middle - 1
    return low


class _FileReader:
    """Reads one YAML file's nodes into typed values, recording every problem it meets."""

    def __init__(self, file_name: str, problems: list[LoadProblem]) -> None:
        self.file_name = file_name
        self.problems = problems
        self.source_text: str | None = None
        self.source_file = ""

    def problem(self, path: str, zh: str, en: str) -> None:
        self.problems.append(LoadProblem(self.file_name, path, zh, en))

    def mapping(
        self, node: Any, path: str, *, required: Iterable[str], optional: Iterable[str] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(node, dict):
            self.problem(path, "应为键值映射", f"should be a mapping, got {type(node).__name__}")
            return None
        required, optional = list(required), list(optional)
        for key in required:
            if key not in node:
                self.problem(f"{path}.{key}", "缺少必填项", "is missing")
        for key in node:
            if key not in required and key not in optional:
                self.problem(
                    f"{path}.{key}",
                    "未知字段(请对照 fixtures/README.md)",
                    "unknown key (see fixtures/README.md)",
                )
        return node

    def sequence(self, node: Any, path: str) -> list[Any]:
        if node is None:
            return []
        if not isinstance(node, list):
            self.problem(path, "应为列表", f"should be a list, got {type(node).__name__}")
            return []
        return node

    def text(
        self,
        node: dict[str, Any],
        key: str,
        path: str,
        *,
        blank: bool = True,
        max_length: int | None = None,
    ) -> str:
        value = node.get(key)
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(f"{path}.{key}", "应为文本", f"should be text, got {type(value).__name__}")
            return ""
        value = str(value)
        if not blank and not value.strip():
            self.problem(f"{path}.{key}", "不能为空", "must not be empty")
        if max_length is not None and len(value) > max_length:
            self.problem(
                f"{path}.{key}",
                f"过长({len(value)} 字，上限 {max_length})",
                f"too long ({len(value)} characters, at most {max_length})",
            )
        return value

    def optional_text(self, node: dict[str, Any], key: str, path: str) -> str | None:
        if node.get(key) is None:
            return None
        value = self.text(node, key, path, blank=False)
        return value or None

    def integer(
        self,
        node: dict[str, Any],
        key: str,
        path: str,
        *,
        low: int | None = None,
        high: int | None = None,
        nullable: bool = False,
    ) -> int | None:
        value = node.get(key)
        if value is None and nullable:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"{path}.{key}", "应为整数", f"should be a whole number, got {value!r}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.problem(
                f"{path}.{key}",
                f"应在 {low}–{high} 之间",
                f"should lie between {low} and {high}, got {value}",
            )
            return None
        return value

    def decimal(self, node: dict[str, Any], key: str, path: str) -> Decimal | None:
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.problem(f"{path}.{key}", "应为数值", f"should be a number, got {value!r}")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.problem(f"{path}.{key}", "应为数值", f"should be a number, got {value!r}")
            return None
        if not number.is_finite() or abs(number) >= MAX_ABS_VALUE:
            self.problem(f"{path}.{key}", "数值超出范围", f"number out of range: {value!r}")
            return None
        if number != number.quantize(Decimal("0.0001")):
            self.problem(f"{path}.{key}", "最多保留4位小数", f"at most 4 decimal places: {value!r}")
            return None
        return number

    def date(
        self, node: dict[str, Any], key: str, path: str, *, nullable: bool = False
    ) -> dt.date | None:
        value = node.get(key)
        if value is None and nullable:
            return None
        if isinstance(value, dt.datetime):
            value = None
        elif isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, dt.date):
            self.problem(
                f"{path}.{key}",
                "应为日期(YYYY-MM-DD)",
                f"should be a date (YYYY-MM-DD), got {node.get(key)!r}",
            )
            return None
        return value

    def choice(
        self, node: dict[str, Any], key: str, path: str, choices: Iterable[str]
    ) -> str | None:
        value = node.get(key)
        value = "" if value is None else value
        allowed = list(choices)
        if value not in allowed:
            listed = ", ".join(repr(c) for c in allowed)
            self.problem(
                f"{path}.{key}",
                f"取值无效，应为 {listed} 之一",
                f"invalid value {value!r}; expected one of {listed}",
            )
            return None
        return value

    def slug(self, node: dict[str, Any], key: str, path: str, *, max_length: int) -> str:
        value = self.text(node, key, path, blank=False, max_length=max_length)
        if value and not SLUG_RE.match(value):
            self.problem(
                f"{path}.{key}",
                "应为小写字母、数字和连字符",
                f"should be lower-case letters, digits and hyphens, got {value!r}",
            )
        return value

    def quote(self, node: dict[str, Any], key: str, path: str, *, blank: bool = False) -> str:
        """A text that must be an exact substring of the document's source file."""
        value = self.text(node, key, path, blank=blank)
        self.check_in_source(value, f"{path}.{key}")
        return value

    def quotes(self, node: dict[str, Any], key: str, path: str) -> list[str]:
        """A list of texts, each an exact substring of the source (absent: empty)."""
        result = []
        for index, value in enumerate(self.sequence(node.get(key), f"{path}.{key}")):
            if not isinstance(value, str) or not value:
                self.problem(
                    f"{path}.{key}[{index}]", "应为非空文本", f"should be text, got {value!r}"
                )
                continue
            self.check_in_source(value, f"{path}.{key}[{index}]")
            result.append(value)
        return result

    def check_in_source(self, value: str, where: str) -> None:
        if value and self.source_text is not None and value not in self.source_text:
            matched = _longest_matching_prefix(value, self.source_text)
            self.problem(
                where,
                f"引文不是原文 {self.source_file} 的精确子串(前 {matched} 字相符，"
                f"自「{_short(value[matched:], 20)}」起不符)：「{_short(value)}」",
                f"quote is not an exact substring of the source {self.source_file} (the first "
                f"{matched} characters match, the rest from «{_short(value[matched:], 20)}» "
                f"does not): «{_short(value)}»",
            )


DOCUMENT_KEYS = [
    "slug",
    "province",
    "source_file",
    "title",
    "issuer",
    "number",
    "signed_on",
    "period_start",
    "period_end",
    "base_year",
    "milestone_years",
    "supersedes",
    "quote",
]
SECTION_KEYS = ["key", "number", "title", "quote"]
TASK_KEYS = ["number", "section", "title", "quote", "text", "departments", "departments_quote"]
COLUMN_KEYS = ["number", "title", "after_task", "after_task_section", "quote", "items"]
ITEM_KEYS = ["number", "title", "text", "quote"]
INDICATOR_KEYS = [
    "code",
    "name",
    "area",
    "unit",
    "attribute",
    "direction",
    "measure_kind",
    "category",
    "section",
    "task",
    "task_section",
    "column",
    "baseline",
    "quote",
    "targets",
]
TARGET_KEYS = ["year", "value", "comparator", "lower_bound", "quote"]
REPORT_KEYS = ["indicator", "as_of", "value", "quote"]


def read_document_file(
    path: Path, *, sources_dir: Path, problems: list[LoadProblem]
) -> DocumentSpec | None:
    """Parse and check one ``policies/<slug>.yaml``; problems go to ``problems``."""
    reader = _FileReader(path.name, problems)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        reader.problem("", f"不是有效的 YAML：{error}", f"not valid YAML: {error}")
        return None
    top = reader.mapping(
        data,
        "(file)",
        required=["document", "sections", "tasks"],
        optional=["columns", "indicators", "reports"],
    )
    if top is None:
        return None
    doc_node = reader.mapping(top.get("document"), "document", required=DOCUMENT_KEYS)
    if doc_node is None:
        return None
    document = _read_document_header(reader, doc_node, path, sources_dir)
    if document is None:
        return None
    _read_sections(reader, top.get("sections"), document)
    _read_tasks(reader, top.get("tasks"), document)
    _read_columns(reader, top.get("columns"), document)
    _read_indicators(reader, top.get("indicators"), document)
    _read_reports(reader, top.get("reports"), document)
    return document


def _read_document_header(
    reader: _FileReader, node: dict[str, Any], path: Path, sources_dir: Path
) -> DocumentSpec | None:
    p = "document"
    slug = reader.slug(node, "slug", p, max_length=_max_length(PolicyDocument, "slug") or 40)
    if slug and slug != path.stem:
        reader.problem(
            f"{p}.slug",
            f"标识 {slug!r} 与文件名 {path.name} 不一致",
            f"slug {slug!r} does not match the file name {path.name}",
        )
    source_file = reader.text(node, "source_file", p, blank=False)
    reader.source_file = source_file
    source_text: str | None = None
    if source_file:
        candidate = sources_dir / source_file
        if "/" in source_file or "\\" in source_file or not candidate.is_file():
            reader.problem(
                f"{p}.source_file",
                f"原文文件 {source_file} 不存在于 sources/",
                f"source file {source_file} not found in sources/",
            )
        else:
            try:
                source_text = candidate.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                reader.problem(
                    f"{p}.source_file",
                    f"原文文件 {source_file} 不是 UTF-8",
                    f"source file {source_file} is not UTF-8",
                )
    reader.source_text = source_text
    period_start = reader.integer(node, "period_start", p, low=1990, high=2100)
    period_end = reader.integer(node, "period_end", p, low=1990, high=2100)
    base_year = reader.integer(node, "base_year", p, low=1990, high=2100)
    if period_start and period_end and period_start > period_end:
        reader.problem(f"{p}.period_end", "规划终止年早于起始年", "the plan ends before it starts")
    if period_start and base_year and base_year >= period_start:
        reader.problem(
            f"{p}.base_year",
            "基期年应早于规划起始年",
            "the base year must precede the plan's start",
        )
    milestone_years: list[int] = []
    for index, year in enumerate(
        reader.sequence(node.get("milestone_years"), f"{p}.milestone_years")
    ):
        if isinstance(year, bool) or not isinstance(year, int):
            reader.problem(
                f"{p}.milestone_years[{index}]", "应为年份", f"should be a year, got {year!r}"
            )
        elif period_start and period_end and not period_start <= year <= period_end:
            reader.problem(
                f"{p}.milestone_years[{index}]",
                f"目标年份 {year} 不在规划期 {period_start}—{period_end} 内",
                f"milestone year {year} is outside the plan period {period_start}–{period_end}",
            )
        else:
            milestone_years.append(year)
    province = reader.text(node, "province", p, blank=False)
    document = DocumentSpec(
        file_name=path.name,
        slug=slug,
        province_code=province,
        source_file=source_file,
        source_text=source_text or "",
        title=reader.text(node, "title", p, blank=False, max_length=200),
        issuer=reader.text(node, "issuer", p, blank=False, max_length=100),
        number=reader.text(node, "number", p, max_length=60),
        signed_on=reader.date(node, "signed_on", p, nullable=True),
        period_start=period_start or 0,
        period_end=period_end or 0,
        base_year=base_year or 0,
        milestone_years=milestone_years,
        supersedes=reader.optional_text(node, "supersedes", p),
        quote=reader.quote(node, "quote", p),
    )
    if document.supersedes and document.supersedes == document.slug:
        reader.problem(f"{p}.supersedes", "文件不能替代自身", "a document cannot supersede itself")
    return document


def _read_sections(reader: _FileReader, nodes: Any, document: DocumentSpec) -> None:
    keys: set[str] = set()
    numbers: set[tuple[str | None, str]] = set()
    order = 0

    def walk(items: Any, path: str, parent_key: str | None, level: int) -> None:
        nonlocal order
        for index, raw in enumerate(reader.sequence(items, path)):
            p = f"{path}[{index}]"
            node = reader.mapping(raw, p, required=SECTION_KEYS, optional=["children"])
            if node is None:
                continue
            key = reader.text(node, "key", p, blank=False, max_length=40)
            number = reader.text(node, "number", p, blank=False, max_length=20)
            spec = SectionSpec(
                key=key,
                number=number,
                title=reader.text(node, "title", p, blank=False, max_length=200),
                quote=reader.quote(node, "quote", p),
                parent_key=parent_key,
                level=level,
                sort_order=order,
            )
            order += 1
            if not key:
                continue
            expected_prefix = f"{parent_key}/" if parent_key else ""
            rest = key[len(expected_prefix) :]
            if not key.startswith(expected_prefix) or not rest or "/" in rest:
                wanted = f"{expected_prefix}…" if parent_key else "不含“/”"
                reader.problem(
                    f"{p}.key",
                    f"章节路径 {key!r} 应为 {wanted}",
                    f"section key {key!r} should be "
                    + (f"'{expected_prefix}<x>'" if parent_key else "free of '/'"),
                )
            if key in keys:
                reader.problem(
                    f"{p}.key", f"章节路径 {key!r} 重复", f"duplicate section key {key!r}"
                )
                continue
            if (parent_key, number) in numbers:
                reader.problem(
                    f"{p}.number",
                    f"同一上级下章节序号 {number!r} 重复",
                    f"duplicate section number {number!r} under the same parent",
                )
            keys.add(key)
            numbers.add((parent_key, number))
            document.sections.append(spec)
            walk(node.get("children"), f"{p}.children", key, level + 1)

    walk(nodes, "sections", None, 1)


def _read_tasks(reader: _FileReader, nodes: Any, document: DocumentSpec) -> None:
    section_keys = {s.key for s in document.sections}
    seen: set[tuple[str, str]] = set()
    dept_max = _max_length(Department, "name") or 100
    for index, raw in enumerate(reader.sequence(nodes, "tasks")):
        p = f"tasks[{index}]"
        node = reader.mapping(raw, p, required=TASK_KEYS)
        if node is None:
            continue
        number = reader.text(node, "number", p, blank=False, max_length=20)
        section_key = reader.text(node, "section", p, blank=False)
        if section_key and section_key not in section_keys:
            reader.problem(
                f"{p}.section",
                f"未知章节路径 {section_key!r}",
                f"unknown section key {section_key!r}",
            )
        if (section_key, number) in seen:
            reader.problem(
                f"{p}.number",
                f"章节 {section_key!r} 中任务序号 {number!r} 重复",
                f"duplicate task number {number!r} in section {section_key!r}",
            )
        seen.add((section_key, number))
        departments_quote = reader.quote(node, "departments_quote", p, blank=True)
        departments: list[AssignmentSpec] = []
        names: set[str] = set()
        for d_index, d_raw in enumerate(
            reader.sequence(node.get("departments"), f"{p}.departments")
        ):
            dp = f"{p}.departments[{d_index}]"
            d_node = reader.mapping(d_raw, dp, required=["name", "role"])
            if d_node is None:
                continue
            name = reader.text(d_node, "name", dp, blank=False, max_length=dept_max)
            role = reader.choice(d_node, "role", dp, Role.values)
            if name in names:
                reader.problem(
                    f"{dp}.name", f"责任单位 {name!r} 重复", f"unit {name!r} is listed twice"
                )
                continue
            if name and departments_quote and name not in departments_quote:
                reader.problem(
                    f"{dp}.name",
                    f"单位 {name!r} 未见于 departments_quote",
                    f"unit {name!r} does not appear in departments_quote",
                )
            names.add(name)
            if name and role:
                departments.append(AssignmentSpec(name=name, role=role, sort_order=d_index))
        if departments and not departments_quote:
            reader.problem(
                f"{p}.departments_quote",
                "列出了责任单位却没有原文摘录",
                "units are listed but departments_quote is empty",
            )
        document.tasks.append(
            TaskSpec(
                section_key=section_key,
                number=number,
                title=reader.text(node, "title", p, blank=False, max_length=200),
                quote=reader.quote(node, "quote", p),
                text=reader.quote(node, "text", p, blank=True),
                departments=departments,
                departments_quote=departments_quote,
                sort_order=index,
            )
        )


def _task_reference(
    reader: _FileReader,
    node: dict[str, Any],
    path: str,
    number_key: str,
    section_key: str,
    tasks: set[tuple[str, str]],
    sections: set[str],
) -> tuple[str, str] | None:
    """A task named by its number and its section; a section alone places a box between tasks."""
    number, section = node.get(number_key), node.get(section_key)
    if section is not None and str(section) not in sections:
        reader.problem(
            f"{path}.{section_key}",
            f"未知章节路径 {section!r}",
            f"unknown section key {section!r}",
        )
        return None
    if number is None:
        return None
    if section is None:
        reader.problem(
            f"{path}.{section_key}",
            f"给出 {number_key} 时须给出 {section_key}(任务序号只在章节内唯一)",
            f"{section_key} is needed with {number_key} (task numbers are unique per section)",
        )
        return None
    key = (str(section), str(number))
    if key not in tasks:
        reader.problem(
            f"{path}.{number_key}",
            f"未知任务：章节 {section!r} 的任务 {number!r}",
            f"unknown task {number!r} in section {section!r}",
        )
        return None
    return key


def _read_columns(reader: _FileReader, nodes: Any, document: DocumentSpec) -> None:
    tasks = {t.key for t in document.tasks}
    sections = {s.key for s in document.sections}
    numbers: set[int] = set()
    for index, raw in enumerate(reader.sequence(nodes, "columns")):
        p = f"columns[{index}]"
        node = reader.mapping(raw, p, required=COLUMN_KEYS)
        if node is None:
            continue
        number = reader.integer(node, "number", p, low=1, high=32767)
        if number is not None and number in numbers:
            reader.problem(
                f"{p}.number", f"专栏号 {number} 重复", f"duplicate column number {number}"
            )
            number = None
        items: list[ItemSpec] = []
        for i_index, i_raw in enumerate(reader.sequence(node.get("items"), f"{p}.items")):
            ip = f"{p}.items[{i_index}]"
            i_node = reader.mapping(i_raw, ip, required=ITEM_KEYS)
            if i_node is None:
                continue
            items.append(
                ItemSpec(
                    number=reader.text(i_node, "number", ip, max_length=20),
                    title=reader.text(i_node, "title", ip, blank=False, max_length=300),
                    text=reader.quote(i_node, "text", ip, blank=True),
                    quote=reader.quote(i_node, "quote", ip),
                    sort_order=i_index,
                )
            )
        task_key = _task_reference(
            reader, node, p, "after_task", "after_task_section", tasks, sections
        )
        title = reader.text(node, "title", p, blank=False, max_length=200)
        quote = reader.quote(node, "quote", p)
        if number is not None:
            numbers.add(number)
            document.columns.append(ColumnSpec(number, title, quote, task_key, items))


def _read_indicators(reader: _FileReader, nodes: Any, document: DocumentSpec) -> None:
    sections = {s.key for s in document.sections}
    tasks = {t.key for t in document.tasks}
    columns = {c.number for c in document.columns}
    codes: set[str] = set()
    for index, raw in enumerate(reader.sequence(nodes, "indicators")):
        p = f"indicators[{index}]"
        node = reader.mapping(raw, p, required=INDICATOR_KEYS)
        if node is None:
            continue
        code = reader.slug(node, "code", p, max_length=60)
        if code in codes:
            reader.problem(
                f"{p}.code", f"指标代码 {code!r} 重复", f"duplicate indicator code {code!r}"
            )
            continue
        codes.add(code)
        unit = reader.text(node, "unit", p, max_length=20)
        kind = reader.choice(node, "measure_kind", p, MeasureKind.values)
        section_key = reader.optional_text(node, "section", p)
        if section_key and section_key not in sections:
            reader.problem(
                f"{p}.section",
                f"未知章节路径 {section_key!r}",
                f"unknown section key {section_key!r}",
            )
            section_key = None
        column_number = reader.integer(node, "column", p, nullable=True, low=1, high=32767)
        if column_number is not None and column_number not in columns:
            reader.problem(
                f"{p}.column",
                f"未知专栏号 {column_number}",
                f"unknown column number {column_number}",
            )
            column_number = None
        baseline_year = baseline_value = None
        baseline_quote = ""
        if node.get("baseline") is not None:
            bp = f"{p}.baseline"
            b_node = reader.mapping(node["baseline"], bp, required=["year", "value", "quote"])
            if b_node is not None:
                baseline_year = reader.integer(b_node, "year", bp, low=1990, high=2100)
                baseline_value = reader.decimal(b_node, "value", bp)
                baseline_quote = reader.quote(b_node, "quote", bp)
                if kind == MeasureKind.MILESTONE:
                    reader.problem(
                        bp, "里程碑指标不应有基期值", "a milestone indicator has no baseline value"
                    )
                if baseline_value is None:
                    reader.problem(
                        f"{bp}.value",
                        "基期值缺失(无基期时写 baseline: null)",
                        "baseline value missing (write baseline: null when none is printed)",
                    )
                _check_percentage(reader, f"{bp}.value", unit, baseline_value)
        spec = IndicatorSpec(
            code=code,
            name=reader.text(node, "name", p, blank=False, max_length=200),
            area=reader.text(node, "area", p, max_length=40),
            unit=unit,
            attribute=reader.choice(node, "attribute", p, Attribute.values) or "",
            direction=reader.choice(node, "direction", p, Direction.values) or Direction.UP,
            measure_kind=kind or MeasureKind.LEVEL,
            category_code=reader.optional_text(node, "category", p),
            section_key=section_key,
            task_key=_task_reference(reader, node, p, "task", "task_section", tasks, sections),
            column_number=column_number,
            baseline_year=baseline_year,
            baseline_value=baseline_value,
            baseline_quote=baseline_quote,
            quote=reader.quote(node, "quote", p),
            targets=[],
            sort_order=index,
        )
        _read_targets(reader, node.get("targets"), f"{p}.targets", spec, document)
        document.indicators.append(spec)


def _check_percentage(reader: _FileReader, path: str, unit: str, value: Decimal | None) -> None:
    if unit == "%" and value is not None and not Decimal(0) <= value <= Decimal(100):
        reader.problem(
            path,
            f"百分比指标的数值 {value} 应在 0—100 之间",
            f"a percentage must lie between 0 and 100, got {value}",
        )


def _read_targets(
    reader: _FileReader, nodes: Any, path: str, indicator: IndicatorSpec, document: DocumentSpec
) -> None:
    years: set[int] = set()
    milestone = indicator.measure_kind == MeasureKind.MILESTONE
    items = reader.sequence(nodes, path)
    if not items:
        reader.problem(path, "指标至少应有一个目标值", "an indicator needs at least one target")
    for index, raw in enumerate(items):
        p = f"{path}[{index}]"
        node = reader.mapping(raw, p, required=TARGET_KEYS, optional=["restated_quotes"])
        if node is None:
            continue
        year = reader.integer(node, "year", p, low=1990, high=2100)
        value = reader.decimal(node, "value", p)
        lower = reader.decimal(node, "lower_bound", p)
        comparator = reader.choice(node, "comparator", p, Comparator.values)
        quote = reader.quote(node, "quote", p)
        restated = reader.quotes(node, "restated_quotes", p)
        if year is not None:
            if year in years:
                reader.problem(f"{p}.year", f"目标年 {year} 重复", f"duplicate target year {year}")
                continue
            years.add(year)
            if document.period_start and not (document.period_start <= year <= document.period_end):
                reader.problem(
                    f"{p}.year",
                    f"目标年 {year} 不在规划期 {document.period_start}—{document.period_end} 内",
                    f"target year {year} is outside the plan period "
                    f"{document.period_start}–{document.period_end}",
                )
            if indicator.baseline_year is not None and indicator.baseline_year >= year:
                reader.problem(
                    f"{p}.year",
                    f"目标年 {year} 不晚于基期年 {indicator.baseline_year}",
                    f"target year {year} is not after the baseline year {indicator.baseline_year}",
                )
        if comparator is None:
            continue
        if (comparator == Comparator.DONE) != milestone:
            reader.problem(
                f"{p}.comparator",
                "里程碑指标的目标比较方式应为 done，其他指标不得为 done",
                "milestone indicators take comparator 'done', and only they do",
            )
        if comparator == Comparator.DONE and value is not None:
            reader.problem(f"{p}.value", "里程碑目标不应有数值", "a milestone target has no value")
        if comparator != Comparator.DONE and value is None:
            reader.problem(f"{p}.value", "缺少目标值", "target value missing")
        if comparator == Comparator.RANGE:
            if lower is None:
                reader.problem(
                    f"{p}.lower_bound", "区间目标缺少下限", "a range target needs a lower bound"
                )
            elif value is not None and lower >= value:
                reader.problem(
                    f"{p}.lower_bound",
                    f"区间下限 {lower} 应小于上限 {value}",
                    f"the lower bound {lower} must be below the upper bound {value}",
                )
        elif lower is not None:
            reader.problem(
                f"{p}.lower_bound",
                "只有区间目标(range)才有下限",
                "only a range target has a lower bound",
            )
        _check_percentage(reader, f"{p}.value", indicator.unit, value)
        _check_percentage(reader, f"{p}.lower_bound", indicator.unit, lower)
        if year is not None:
            indicator.targets.append(
                TargetSpec(
                    year=year,
                    value=None if comparator == Comparator.DONE else value,
                    comparator=comparator,
                    lower_bound=lower if comparator == Comparator.RANGE else None,
                    quote=quote,
                    restated_quotes=restated,
                )
            )


def _read_reports(reader: _FileReader, nodes: Any, document: DocumentSpec) -> None:
    seen: set[tuple[str, str, dt.date]] = set()
    for index, raw in enumerate(reader.sequence(nodes, "reports")):
        p = f"reports[{index}]"
        node = reader.mapping(raw, p, required=REPORT_KEYS, optional=["done"])
        if node is None:
            continue
        reference = reader.text(node, "indicator", p, blank=False)
        slug, _, code = reference.rpartition(CROSS_REF_SEPARATOR)
        slug = slug or document.slug
        as_of = reader.date(node, "as_of", p)
        done = node.get("done")
        if done is not None and not isinstance(done, bool):
            reader.problem(
                f"{p}.done", "应为 true 或 false", f"should be true or false, got {done!r}"
            )
            done = None
        spec = ReportSpec(
            document_slug=slug,
            indicator_code=code,
            as_of=as_of or dt.date.min,
            value=reader.decimal(node, "value", p),
            done=done,
            quote=reader.quote(node, "quote", p),
            path=p,
        )
        if as_of is None or not code:
            continue
        if (slug, code, as_of) in seen:
            reader.problem(
                p,
                f"指标 {reference} 在 {as_of} 的填报重复",
                f"duplicate report for {reference} as of {as_of}",
            )
            continue
        seen.add((slug, code, as_of))
        document.reports.append(spec)


def _read_provinces(path: Path, problems: list[LoadProblem]) -> list[ProvinceSpec]:
    reader = _FileReader(path.name, problems)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        reader.problem("", f"无法读取：{error}", f"cannot be read: {error}")
        return []
    result: list[ProvinceSpec] = []
    codes: set[str] = set()
    for index, raw in enumerate(reader.sequence(data, "(file)")):
        p = f"[{index}]"
        node = reader.mapping(
            raw, p, required=["code", "name", "full_name"], optional=["sort_order"]
        )
        if node is None:
            continue
        code = reader.text(node, "code", p, blank=False, max_length=8)
        if code in codes:
            reader.problem(
                f"{p}.code", f"省份代码 {code!r} 重复", f"duplicate province code {code!r}"
            )
            continue
        codes.add(code)
        result.append(
            ProvinceSpec(
                code=code,
                name=reader.text(node, "name", p, blank=False, max_length=20),
                full_name=reader.text(node, "full_name", p, blank=False, max_length=40),
                sort_order=(
                    reader.integer(node, "sort_order", p, low=0, high=32767, nullable=True) or 0
                ),
            )
        )
    return result


def _read_categories(path: Path, problems: list[LoadProblem]) -> list[CategorySpec]:
    reader = _FileReader(path.name, problems)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        reader.problem("", f"无法读取：{error}", f"cannot be read: {error}")
        return []
    result: list[CategorySpec] = []
    codes: set[str] = set()
    for index, raw in enumerate(reader.sequence(data, "(file)")):
        p = f"[{index}]"
        node = reader.mapping(raw, p, required=["code", "name"], optional=["note"])
        if node is None:
            continue
        code = reader.slug(node, "code", p, max_length=60)
        if code in codes:
            reader.problem(
                f"{p}.code", f"类别代码 {code!r} 重复", f"duplicate category code {code!r}"
            )
            continue
        codes.add(code)
        result.append(
            CategorySpec(
                code=code,
                name=reader.text(node, "name", p, blank=False, max_length=100),
                note=reader.text(node, "note", p),
            )
        )
    return result


# ---------------------------------------------------------------------------------------------
# Reading the whole folder and checking the files against each other


def read_fixtures(directory: Path) -> tuple[FixtureSet, list[LoadProblem]]:
    """Read ``provinces.yaml``, ``categories.yaml`` and ``policies/*.yaml`` under ``directory``.

    Cross-file references that the files cannot settle (a document or indicator that only the
    database may hold) are left for ``load_policies`` to check.
    """
    problems: list[LoadProblem] = []
    directory = Path(directory)
    policies_dir = directory / "policies"
    if not policies_dir.is_dir():
        problems.append(
            LoadProblem(
                str(policies_dir), "", "政策文件目录不存在", "the policies folder does not exist"
            )
        )
        return FixtureSet([], [], []), problems
    provinces = _read_provinces(directory / "provinces.yaml", problems)
    categories = _read_categories(directory / "categories.yaml", problems)
    documents: list[DocumentSpec] = []
    slugs: dict[str, str] = {}
    paths = sorted(policies_dir.glob("*.yaml"))
    if not paths:
        problems.append(
            LoadProblem(str(policies_dir), "", "没有 *.yaml 政策文件", "no *.yaml policy files")
        )
    for path in paths:
        document = read_document_file(path, sources_dir=directory / "sources", problems=problems)
        if document is None or not document.slug:
            continue
        if document.slug in slugs:
            problems.append(
                LoadProblem(
                    path.name,
                    "document.slug",
                    f"标识 {document.slug!r} 已用于 {slugs[document.slug]}",
                    f"slug {document.slug!r} is already used by {slugs[document.slug]}",
                )
            )
            continue
        slugs[document.slug] = path.name
        documents.append(document)
    _check_cross_references(documents, provinces, categories, problems)
    return FixtureSet(provinces, categories, _in_load_order(documents, problems)), problems


def _check_cross_references(
    documents: list[DocumentSpec],
    provinces: list[ProvinceSpec],
    categories: list[CategorySpec],
    problems: list[LoadProblem],
) -> None:
    province_codes = {p.code for p in provinces}
    category_codes = {c.code for c in categories}
    by_slug = {d.slug: d for d in documents}
    superseded_by: dict[str, str] = {}
    for document in documents:

        def problem(path: str, zh: str, en: str, document: DocumentSpec = document) -> None:
            problems.append(LoadProblem(document.file_name, path, zh, en))

        if document.province_code and document.province_code not in province_codes:
            problem(
                "document.province",
                f"未知省份代码 {document.province_code!r}(见 provinces.yaml)",
                f"unknown province code {document.province_code!r} (see provinces.yaml)",
            )
        if document.supersedes:
            if document.supersedes in superseded_by:
                problem(
                    "document.supersedes",
                    f"{document.supersedes} 已被 {superseded_by[document.supersedes]} 替代",
                    f"{document.supersedes} is already superseded by "
                    f"{superseded_by[document.supersedes]}",
                )
            superseded_by[document.supersedes] = document.slug
        for index, indicator in enumerate(document.indicators):
            if indicator.category_code and indicator.category_code not in category_codes:
                problem(
                    f"indicators[{index}].category",
                    f"未知指标类别 {indicator.category_code!r}(见 categories.yaml)",
                    f"unknown category {indicator.category_code!r} (see categories.yaml)",
                )
        for report in document.reports:
            owner = by_slug.get(report.document_slug)
            if owner is None:
                continue  # a document only the database may hold: checked when loading
            indicator = next((i for i in owner.indicators if i.code == report.indicator_code), None)
            if indicator is None:
                problem(
                    f"{report.path}.indicator",
                    f"未知指标 {report.document_slug}:{report.indicator_code}",
                    f"unknown indicator {report.document_slug}:{report.indicator_code}",
                )
                continue
            _check_report_against(indicator.measure_kind, indicator.unit, report, problem)


def _check_report_against(
    measure_kind: str, unit: str, report: ReportSpec, problem: Callable[[str, str, str], None]
) -> None:
    if measure_kind == MeasureKind.MILESTONE:
        if report.done is None or report.value is not None:
            problem(
                report.path,
                "里程碑指标的填报写 value: null 和 done: true/false",
                "a milestone's report takes value: null and done: true/false",
            )
    else:
        if report.value is None:
            problem(f"{report.path}.value", "缺少填报数值", "report value missing")
        if report.done is not None:
            problem(
                f"{report.path}.done",
                "只有里程碑指标的填报才有 done",
                "only a milestone's report has done",
            )
        if unit == "%" and report.value is not None and not 0 <= report.value <= 100:
            problem(
                f"{report.path}.value",
                f"百分比指标的数值 {report.value} 应在 0—100 之间",
                f"a percentage must lie between 0 and 100, got {report.value}",
            )


def _in_load_order(
    documents: list[DocumentSpec], problems: list[LoadProblem]
) -> list[DocumentSpec]:
    """Superseded documents first; reports may point at an earlier document's indicators."""
    by_slug = {d.slug: d for d in documents}
    ordered: list[DocumentSpec] = []
    state: dict[str, str] = {}

    def visit(document: DocumentSpec) -> None:
        if state.get(document.slug) == "done":
            return
        if state.get(document.slug) == "visiting":
            problems.append(
                LoadProblem(
                    document.file_name,
                    "document.supersedes",
                    "替代关系成环",
                    "the supersedes links form a cycle",
                )
            )
            return
        state[document.slug] = "visiting"
        if document.supersedes in by_slug:
            visit(by_slug[document.supersedes])
        state[document.slug] = "done"
        ordered.append(document)

    for document in sorted(documents, key=lambda d: d.slug):
        visit(document)
    return ordered


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class ModelChanges:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


@dataclass
class DocumentCounts:
    slug: str
    sections: int
    tasks: int
    departments: int
    columns: int
    items: int
    indicators: int
    targets: int
    reports: int


@dataclass
class LoadSummary:
    """What a load did, per model, and what each document holds afterwards."""

    changes: dict[str, ModelChanges] = field(default_factory=dict)
    documents: list[DocumentCounts] = field(default_factory=list)
    dry_run: bool = False

    def model(self, name: str) -> ModelChanges:
        return self.changes.setdefault(name, ModelChanges())

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.changes.values())


class _DryRunRollback(Exception):
    pass


def load_policies(*, directory: Path, dry_run: bool = False) -> LoadSummary:
    """Load every policy document under ``directory`` (``fixtures/``) in one transaction.

    Raises ``PolicyLoadError`` listing every problem, with nothing written, when any file is
    wrong. With ``dry_run`` the load runs and is rolled back: the summary says what would change.
    """
    fixtures, problems = read_fixtures(Path(directory))
    if problems:
        raise PolicyLoadError(problems)
    summary = LoadSummary(dry_run=dry_run)
    try:
        with transaction.atomic():
            _Writer(fixtures, summary).run()
            if dry_run:
                raise _DryRunRollback
    except _DryRunRollback:
        pass
    except IntegrityError as error:
        raise PolicyLoadError(
            [
                LoadProblem(
                    "(database)", "", f"数据库约束冲突：{error}", f"database constraint: {error}"
                )
            ]
        ) from error
    return summary


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(wanted, Decimal):
        if current is None or wanted is None:
            return current is wanted
        return Decimal(current) == Decimal(wanted)
    return current == wanted


def _auto_now_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    ]


class _Writer:
    """Upserts the checked specs; the caller holds the transaction."""

    def __init__(self, fixtures: FixtureSet, summary: LoadSummary) -> None:
        self.fixtures = fixtures
        self.summary = summary
        self.provinces: dict[str, Province] = {}
        self.categories: dict[str, int] = {}
        self.documents: dict[str, PolicyDocument] = {}
        self.departments: dict[int, dict[str, Department]] = {}
        self.indicators: dict[tuple[str, str], Indicator] = {}
        self.problems: list[LoadProblem] = []

    # -- generic upsert --------------------------------------------------------------------

    def sync(
        self,
        model: type[models.Model],
        existing: dict[Any, models.Model],
        wanted: dict[Any, dict[str, Any]],
        *,
        delete: bool = True,
    ) -> dict[Any, models.Model]:
        """Make the rows of ``existing`` match ``wanted`` (both keyed by natural key).

        Changed rows are saved with only their changed fields (plus ``updated_at``), new rows are
        bulk-created, rows not wanted are deleted (``delete``). Returns the rows by key.
        """
        changes = self.summary.model(model.__name__)
        result: dict[Any, models.Model] = {}
        if delete:
            stale = [obj.pk for key, obj in existing.items() if key not in wanted]
            if stale:
                self.delete(model._default_manager.filter(pk__in=stale))
        to_create: list[tuple[Any, models.Model]] = []
        auto_now = _auto_now_fields(model)
        for key, values in wanted.items():
            obj = existing.get(key)
            if obj is None:
                to_create.append((key, model(**values)))
                continue
            changed = [
                name for name, value in values.items() if not _same(getattr(obj, name), value)
            ]
            if changed:
                for name in changed:
                    setattr(obj, name, values[name])
                obj.save(update_fields=[*changed, *auto_now])
                changes.updated += 1
            else:
                changes.unchanged += 1
            result[key] = obj
        if to_create:
            objs = [obj for _, obj in to_create]
            if hasattr(model, "history"):
                # Audited models (indicators, targets, assignments …) keep a trace of the load.
                from simple_history.utils import bulk_create_with_history

                created = bulk_create_with_history(
                    objs, model, default_change_reason="load_policies"
                )
            else:
                created = model._default_manager.bulk_create(objs)
            if any(obj.pk is None for obj in created):  # pragma: no cover (old SQLite)
                raise RuntimeError("bulk_create did not return primary keys")
            for (key, _), obj in zip(to_create, created, strict=True):
                result[key] = obj
            changes.created += len(created)
        return result

    def delete(self, queryset: models.QuerySet) -> None:
        """Delete, counting what the cascade takes with it (a section's tasks, a task's …)."""
        _, per_model = queryset.delete()
        for label, count in per_model.items():
            if count:
                self.summary.model(label.rpartition(".")[2]).deleted += count

    # -- steps -----------------------------------------------------------------------------

    def run(self) -> None:
        self.sync_provinces()
        self.sync_categories()
        for spec in self.fixtures.documents:
            self.sync_document(spec)
        self.resolve_indicators()
        if self.problems:
            raise PolicyLoadError(self.problems)
        for spec in self.fixtures.documents:
            self.sync_reports(spec)
        if self.problems:
            raise PolicyLoadError(self.problems)
        self.delete_orphan_departments()
        self.summary.documents = [self.counts(spec) for spec in self.fixtures.documents]

    def sync_provinces(self) -> None:
        existing = {p.code: p for p in Province.objects.all()}
        wanted = {
            s.code: {
                "code": s.code,
                "name": s.name,
                "full_name": s.full_name,
                "sort_order": s.sort_order,
            }
            for s in self.fixtures.provinces
        }
        self.provinces = {**existing, **self.sync(Province, existing, wanted, delete=False)}

    def sync_categories(self) -> None:
        existing = {c.code: c for c in IndicatorCategory.objects.all()}
        wanted = {
            s.code: {"code": s.code, "name": s.name, "note": s.note}
            for s in self.fixtures.categories
        }
        rows = {**existing, **self.sync(IndicatorCategory, existing, wanted, delete=False)}
        self.categories = {code: row.pk for code, row in rows.items()}

    def supersedes_id(self, spec: DocumentSpec) -> int | None:
        if not spec.supersedes:
            return None
        document = self.documents.get(spec.supersedes)
        if document is None:
            document = PolicyDocument.objects.filter(slug=spec.supersedes).first()
        if document is None:
            self.problems.append(
                LoadProblem(
                    spec.file_name,
                    "document.supersedes",
                    f"被替代的文件 {spec.supersedes!r} 既不在 policies/ 中也不在数据库中",
                    f"superseded document {spec.supersedes!r} is neither among the files nor "
                    f"in the database",
                )
            )
            return None
        return document.pk

    def sync_document(self, spec: DocumentSpec) -> None:
        province = self.provinces[spec.province_code]
        existing = {d.slug: d for d in PolicyDocument.objects.filter(slug=spec.slug)}
        wanted = {
            spec.slug: {
                "slug": spec.slug,
                "province_id": province.pk,
                "title": spec.title,
                "issuer": spec.issuer,
                "number": spec.number,
                "signed_on": spec.signed_on,
                "period_start": spec.period_start,
                "period_end": spec.period_end,
                "base_year": spec.base_year,
                "milestone_years": spec.milestone_years,
                "source_file": spec.source_file,
                "source_text": spec.source_text,
                "quote": spec.quote,
                "supersedes_id": self.supersedes_id(spec),
            }
        }
        document = self.sync(PolicyDocument, existing, wanted, delete=False)[spec.slug]
        self.documents[spec.slug] = document
        self.check_deletable(spec, document)
        if self.problems:
            return
        sections = self.sync_sections(spec, document)
        departments = self.sync_departments(spec, province)
        tasks = self.sync_tasks(spec, document, sections)
        self.sync_assignments(spec, tasks, departments)
        columns = self.sync_columns(spec, document, tasks)
        self.sync_items(spec, columns)
        indicators = self.sync_indicators(spec, document, sections, tasks, columns)
        self.sync_targets(spec, indicators)
        for code, indicator in indicators.items():
            self.indicators[(spec.slug, code)] = indicator

    def check_deletable(self, spec: DocumentSpec, document: PolicyDocument) -> None:
        """Refuse to drop a task or indicator that carries progress someone reported."""
        wanted_tasks = {t.key for t in spec.tasks}
        stale_tasks = [
            (section_key, number, pk)
            for section_key, number, pk in Task.objects.filter(document=document).values_list(
                "section__key", "number", "pk"
            )
            if (section_key, number) not in wanted_tasks
        ]
        if stale_tasks:
            updated = set(
                TaskUpdate.objects.filter(task_id__in=[pk for *_, pk in stale_tasks]).values_list(
                    "task_id", flat=True
                )
            )
            for section_key, number, pk in stale_tasks:
                if pk in updated:
                    self.problems.append(
                        LoadProblem(
                            spec.file_name,
                            "tasks",
                            f"任务 {section_key}:{number} 已从文件中删除，但已有任务进展，"
                            "不能删除；请先处理其进展记录",
                            f"task {number} in section {section_key} was removed from the file "
                            "but has task updates; it cannot be deleted: deal with them first",
                        )
                    )
        wanted_codes = {i.code for i in spec.indicators}
        stale = Indicator.objects.filter(document=document).exclude(code__in=wanted_codes)
        blocked = (
            ProgressReport.objects.filter(indicator__in=stale)
            .exclude(source=ReportSource.DOCUMENT, evidence_document=document)
            .values_list("indicator__code", flat=True)
            .distinct()
        )
        for code in sorted(blocked):
            self.problems.append(
                LoadProblem(
                    spec.file_name,
                    "indicators",
                    f"指标 {code!r} 已从文件中删除，但已有其他进展填报，不能删除",
                    f"indicator {code!r} was removed from the file but has progress reports "
                    "from elsewhere; it cannot be deleted",
                )
            )

    def sync_sections(self, spec: DocumentSpec, document: PolicyDocument) -> dict[str, Section]:
        existing = {s.key: s for s in Section.objects.filter(document=document)}
        wanted_keys = {s.key for s in spec.sections}
        stale = {k: s for k, s in existing.items() if k not in wanted_keys}
        # Delete stale sections first (a new one may reuse a number), then create level by level.
        self.sync(Section, stale, {})
        rows: dict[str, Section] = {}
        for level in sorted({s.level for s in spec.sections}):
            wanted = {
                s.key: {
                    "document_id": document.pk,
                    "parent_id": rows[s.parent_key].pk if s.parent_key else None,
                    "key": s.key,
                    "number": s.number,
                    "title": s.title,
                    "level": s.level,
                    "sort_order": s.sort_order,
                    "quote": s.quote,
                }
                for s in spec.sections
                if s.level == level
            }
            current = {k: existing[k] for k in wanted if k in existing}
            rows.update(self.sync(Section, current, wanted, delete=False))
        return rows

    def sync_departments(self, spec: DocumentSpec, province: Province) -> dict[str, Department]:
        if province.pk not in self.departments:
            self.departments[province.pk] = {
                d.name: d for d in Department.objects.filter(province=province)
            }
        known = self.departments[province.pk]
        wanted = {
            name: {"province_id": province.pk, "name": name}
            for name in spec.department_names
            if name not in known
        }
        known.update(self.sync(Department, {}, wanted, delete=False))
        return known

    def sync_tasks(
        self, spec: DocumentSpec, document: PolicyDocument, sections: dict[str, Section]
    ) -> dict[tuple[str, str], Task]:
        existing = {
            (t.section.key, t.number): t
            for t in Task.objects.filter(document=document).select_related("section")
        }
        wanted = {
            t.key: {
                "document_id": document.pk,
                "section_id": sections[t.section_key].pk,
                "number": t.number,
                "title": t.title,
                "text": t.text,
                "quote": t.quote,
                "departments_quote": t.departments_quote,
                "sort_order": t.sort_order,
            }
            for t in spec.tasks
        }
        return self.sync(Task, existing, wanted)

    def sync_assignments(
        self,
        spec: DocumentSpec,
        tasks: dict[tuple[str, str], Task],
        departments: dict[str, Department],
    ) -> None:
        task_keys = {task.pk: key for key, task in tasks.items()}
        names = {d.pk: name for name, d in departments.items()}
        existing = {
            (task_keys[a.task_id], names.get(a.department_id, a.department_id)): a
            for a in Assignment.objects.filter(task_id__in=task_keys)
        }
        wanted = {
            (t.key, a.name): {
                "task_id": tasks[t.key].pk,
                "department_id": departments[a.name].pk,
                "role": a.role,
                "sort_order": a.sort_order,
            }
            for t in spec.tasks
            for a in t.departments
        }
        self.sync(Assignment, existing, wanted)

    def sync_columns(
        self,
        spec: DocumentSpec,
        document: PolicyDocument,
        tasks: dict[tuple[str, str], Task],
    ) -> dict[int, Column]:
        existing = {c.number: c for c in Column.objects.filter(document=document)}
        wanted = {
            c.number: {
                "document_id": document.pk,
                "task_id": tasks[c.task_key].pk if c.task_key else None,
                "number": c.number,
                "title": c.title,
                "quote": c.quote,
            }
            for c in spec.columns
        }
        return self.sync(Column, existing, wanted)

    def sync_items(self, spec: DocumentSpec, columns: dict[int, Column]) -> None:
        numbers = {column.pk: number for number, column in columns.items()}
        existing = {
            (numbers[i.column_id], i.sort_order): i
            for i in ColumnItem.objects.filter(column_id__in=numbers)
        }
        wanted = {
            (c.number, i.sort_order): {
                "column_id": columns[c.number].pk,
                "number": i.number,
                "title": i.title,
                "text": i.text,
                "quote": i.quote,
                "sort_order": i.sort_order,
            }
            for c in spec.columns
            for i in c.items
        }
        self.sync(ColumnItem, existing, wanted)

    def sync_indicators(
        self,
        spec: DocumentSpec,
        document: PolicyDocument,
        sections: dict[str, Section],
        tasks: dict[tuple[str, str], Task],
        columns: dict[int, Column],
    ) -> dict[str, Indicator]:
        existing = {i.code: i for i in Indicator.objects.filter(document=document)}
        wanted = {
            i.code: {
                "document_id": document.pk,
                "code": i.code,
                "name": i.name,
                "area": i.area,
                "unit": i.unit,
                "attribute": i.attribute,
                "direction": i.direction,
                "measure_kind": i.measure_kind,
                "baseline_year": i.baseline_year,
                "baseline_value": i.baseline_value,
                "baseline_quote": i.baseline_quote,
                "category_id": self.categories[i.category_code] if i.category_code else None,
                "section_id": sections[i.section_key].pk if i.section_key else None,
                "task_id": tasks[i.task_key].pk if i.task_key else None,
                "column_id": columns[i.column_number].pk if i.column_number else None,
                "quote": i.quote,
                "sort_order": i.sort_order,
            }
            for i in spec.indicators
        }
        return self.sync(Indicator, existing, wanted)

    def sync_targets(self, spec: DocumentSpec, indicators: dict[str, Indicator]) -> None:
        codes = {indicator.pk: code for code, indicator in indicators.items()}
        existing = {
            (codes[t.indicator_id], t.year): t
            for t in Target.objects.filter(indicator_id__in=codes)
        }
        wanted = {
            (i.code, t.year): {
                "indicator_id": indicators[i.code].pk,
                "year": t.year,
                "value": t.value,
                "comparator": t.comparator,
                "lower_bound": t.lower_bound,
                "is_percentage": i.unit == "%",
                "quote": t.quote,
                "restated_quotes": t.restated_quotes,
            }
            for i in spec.indicators
            for t in i.targets
        }
        rows = self.sync(Target, existing, wanted)
        for (code, _), target in rows.items():  # Target.save() reads it; spare the query
            target.indicator = indicators[code]

    def resolve_indicators(self) -> None:
        """Find the indicators that reports name in documents that are not among the files."""
        missing = {
            r.indicator_ref
            for spec in self.fixtures.documents
            for r in spec.reports
            if r.indicator_ref not in self.indicators
        }
        if not missing:
            return
        slugs = {slug for slug, _ in missing}
        for indicator in Indicator.objects.filter(document__slug__in=slugs).select_related(
            "document"
        ):
            ref = (indicator.document.slug, indicator.code)
            if ref in missing:
                self.indicators[ref] = indicator
        for spec in self.fixtures.documents:
            for report in spec.reports:
                indicator = self.indicators.get(report.indicator_ref)

                def problem(path: str, zh: str, en: str, spec: DocumentSpec = spec) -> None:
                    self.problems.append(LoadProblem(spec.file_name, path, zh, en))

                if indicator is None:
                    ref = f"{report.document_slug}:{report.indicator_code}"
                    problem(
                        f"{report.path}.indicator",
                        f"未知指标 {ref}(文件中和数据库中都没有)",
                        f"unknown indicator {ref} (neither among the files nor in the database)",
                    )
                elif report.indicator_ref[0] not in {d.slug for d in self.fixtures.documents}:
                    _check_report_against(indicator.measure_kind, indicator.unit, report, problem)

    def sync_reports(self, spec: DocumentSpec) -> None:
        """The values this document states: approved reports with its quote as evidence."""
        document = self.documents[spec.slug]
        by_pk = {indicator.pk: indicator for indicator in self.indicators.values()}
        refs = {indicator.pk: ref for ref, indicator in self.indicators.items()}
        owned = ProgressReport.objects.filter(
            source=ReportSource.DOCUMENT, evidence_document=document
        )
        existing: dict[Any, models.Model] = {}
        for report in owned:
            key = (refs.get(report.indicator_id, report.indicator_id), report.as_of)
            if key in existing:  # a duplicate left by hand: keep one, drop the rest
                existing[("duplicate", report.pk)] = report
            else:
                existing[key] = report
        wanted = {}
        for r in spec.reports:
            indicator = self.indicators[r.indicator_ref]
            wanted[(r.indicator_ref, r.as_of)] = {
                "indicator_id": indicator.pk,
                "as_of": r.as_of,
                "value": r.value,
                "done": r.done,
                "evidence_quote": r.quote,
                "evidence_document_id": document.pk,
                "review_status": ReviewStatus.APPROVED,
                "reviewed_at": spec.review_moment,
                "source": ReportSource.DOCUMENT,
                "is_demo": False,
                "is_percentage": indicator.unit == "%",
                "is_milestone": indicator.measure_kind == MeasureKind.MILESTONE,
            }
        rows = self.sync(ProgressReport, existing, wanted)
        for report in rows.values():  # ProgressReport.save() reads it; spare the query
            report.indicator = by_pk[report.indicator_id]

    def delete_orphan_departments(self) -> None:
        """A unit no task names any more goes, unless something else still points at it."""
        if not self.departments:
            return
        orphans = Department.objects.filter(
            province_id__in=self.departments, assignments__isnull=True
        )
        for relation in Department._meta.related_objects:
            if relation.many_to_many or relation.related_model is Assignment:
                continue
            orphans = orphans.exclude(
                pk__in=relation.related_model._default_manager.filter(
                    **{f"{relation.field.name}__isnull": False}
                ).values(relation.field.name)
            )
        pks = list(orphans.values_list("pk", flat=True))
        if pks:
            self.delete(Department.objects.filter(pk__in=pks))

    def counts(self, spec: DocumentSpec) -> DocumentCounts:
        return DocumentCounts(
            slug=spec.slug,
            sections=len(spec.sections),
            tasks=len(spec.tasks),
            departments=len(spec.department_names),
            columns=len(spec.columns),
            items=sum(len(c.items) for c in spec.columns),
            indicators=len(spec.indicators),
            targets=sum(len(i.targets) for i in spec.indicators),
            reports=len(spec.reports),
        )
