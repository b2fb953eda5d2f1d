"""Reading one curated YAML file into specs, each value checked against its seed text and the
schema of ``fixtures/README.md`` (no database); every problem collected, in Chinese and English.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import models

from provinces.catalogue_specs import (
    CROSS_REF_SEPARATOR,
    MAX_ABS_VALUE,
    SLUG_RE,
    AssignmentSpec,
    CategorySpec,
    ColumnSpec,
    DocumentSpec,
    IndicatorSpec,
    ItemSpec,
    LoadProblem,
    ProvinceSpec,
    ReportSpec,
    SectionSpec,
    TargetSpec,
    TaskSpec,
    _YamlLoader,
)
from provinces.models import Department, PolicyDocument
from targets.models import (
    Attribute,
    Comparator,
    Direction,
    MeasureKind,
)
from tasks.models import Role

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


def _read_list_file(path: Path, reader: _FileReader) -> Any:
    """A provinces or categories file's YAML, or None (the problem noted) if unreadable."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        reader.problem("", f"无法读取：{error}", f"cannot be read: {error}")
        return None


def _read_provinces(path: Path, problems: list[LoadProblem]) -> list[ProvinceSpec]:
    reader = _FileReader(path.name, problems)
    data = _read_list_file(path, reader)
    if data is None:
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
    data = _read_list_file(path, reader)
    if data is None:
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
