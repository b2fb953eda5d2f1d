"""Progress reports from an Excel or CSV sheet: parse and check, then store in one short write.

The API, pure of HTTP, shared by the command, the admin and a web upload with a preview::

    parsed = parse_sheet(file, province="SX")     # reads and checks; writes nothing
    parsed.sheet_name, parsed.rows, parsed.problems, parsed.ok
    outcome = store(parsed, user=request.user, for_review=True)   # one transaction
    outcome.created, outcome.updated, outcome.corrections, outcome.unchanged, outcome.summary()

``file`` is bytes, a path, or an uploaded file (``.name`` and ``.read()``); the format comes
from its name unless ``fmt`` is given. ``parse_sheet`` never raises for bad input: every
problem is a ``RowError`` naming the row and column as Excel shows them (``第5行D列“截至日期”``)
with a short Chinese and English message, and a sheet with any problem stores nothing.
Parsing and checking happen outside any transaction (three catalogue queries), so a long sheet
never holds the database's write lock; ``store`` matches and writes in bulk inside one short
transaction.

A sheet has one report per row: ``province``, ``document``, ``indicator``, ``as_of``,
``value``, ``note``, ``department`` (the reporting unit, optional) and, for milestones,
``done`` (Chinese headers 省份, 文件, 指标, 截至日期, 数值, 备注, 填报单位, 是否完成 work
too). Title rows above the header are skipped; in a workbook the sheet with the header is read
(an instructions sheet may come first), and two sheets with data are refused. Cells are read by
``targets.sheet_reading``.

Matching: a row's report is the one with the same natural key — indicator, as-of date and
reporting unit; an ``id`` column (as exported) never selects a row to change. An existing draft,
submitted or returned report is updated in place; an approved one is never changed in place:
a different value becomes a new submitted report that ``supersedes`` it (the correction rule).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from provinces.models import Department, PolicyDocument, Province, ReviewStatus
from targets import sheet_reading as cells
from targets.models import Indicator, MeasureKind, ProgressReport, ReportSource
from targets.services import enqueue_indicator_recompute, report_value_problems

FORMATS = ("csv", "xlsx")
COLUMNS = ("province", "document", "indicator", "as_of", "value", "done", "note", "department")
REQUIRED_COLUMNS = ("document", "indicator", "as_of")
# Headers a person may type instead of the canonical ones (compared without spaces, any case).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("省份", "省", "省份代码"),
    "document": ("文件", "文件标识", "实施意见", "文号"),
    "indicator": ("指标", "指标代码", "指标名称"),
    "as_of": ("截至日期", "截止日期", "日期", "as-of", "asof", "date"),
    "value": ("数值", "值", "完成值", "指标值"),
    "done": ("是否完成", "已完成", "完成"),
    "note": ("备注", "说明", "notes"),
    "department": ("填报单位", "单位", "责任单位", "reporting_department"),
}
# Columns an export carries that an import reads past: never used to select or change a row.
IGNORED_HEADERS = ("id", "review_status", "source", "序号", "审核状态", "来源")
COUNT_UNITS = frozenset({"个", "名", "家", "种", "项", "千家", "所", "台", "件", "人"})
NOTE_MAX_CHARS = 2000
MAX_PROBLEMS = 200  # a sheet wrong on every row still gets a readable answer
CORRECTION_REASON = (
    "批量导入更正：表格中的数值与已审核的数值不同 (correction from an imported sheet)"
)

_ALIAS_TO_COLUMN = {
    cells.key(alias): column
    for column, aliases in HEADER_ALIASES.items()
    for alias in (column, *aliases)
}
_IGNORED = {cells.key(header) for header in IGNORED_HEADERS}


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: the sheet row and column as Excel shows them, and what is wrong.

    ``row`` 0 is the file as a whole; ``column`` is Excel's letter ("" when none applies) and
    ``header`` the column's heading as the sheet spells it.
    """

    row: int
    column: str
    message: str
    header: str = ""

    @property
    def place(self) -> str:
        if not self.row:
            return gettext("文件 (file)")
        named = f"“{cells.shorten(self.header, 20)}”" if self.header else ""
        if self.column:
            return gettext(
                "第{row}行{column}列{named} (row {row}, column {column}{space}{named})"
            ).format(row=self.row, column=self.column, named=named, space=" " if named else "")
        return gettext("第{row}行 (row {row})").format(row=self.row)

    def __str__(self) -> str:
        return f"{self.place}：{self.message}"


@dataclass(slots=True)
class ReportRow:
    """A checked sheet row: what to store for one report."""

    row: int
    indicator_id: int
    as_of: dt.date
    value: Decimal | None
    done: bool | None
    note: str
    department_id: int | None
    is_percentage: bool
    is_milestone: bool


@dataclass
class ParsedSheet:
    """A sheet read and checked: rows to store, or the problems that refuse it."""

    rows: list[ReportRow] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)
    sheet_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportOutcome:
    """What an import did; when ``errors`` is not empty nothing was stored."""

    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    corrections: int = 0
    unchanged: int = 0
    approved: bool = False
    sheet_name: str = ""
    indicator_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.ok:
            return gettext(
                "导入失败，共{count}处错误，未保存任何数据 "
                "(import refused: {count} problem(s), nothing was stored)"
            ).format(count=len(self.errors))
        state = (
            gettext("已审核，计入进度 (approved, counted in progress)")
            if self.approved
            else gettext("待审核 (submitted for review)")
        )
        text = gettext(
            "导入成功：新增{created}条，更新{updated}条，未变{unchanged}条，{state} "
            "(imported: {created} new, {updated} updated, {unchanged} unchanged)"
        ).format(created=self.created, updated=self.updated, unchanged=self.unchanged, state=state)
        if self.corrections:
            text += gettext(
                "；{count}条与已审核数值不同，已作为更正提交审核 "
                "({count} differ from approved reports and were submitted as corrections)"
            ).format(count=self.corrections)
        if self.sheet_name:
            text += gettext("；读取工作表“{name}” (sheet read: “{name}”)").format(
                name=cells.shorten(self.sheet_name)
            )
        return text


# --- the catalogue ------------------------------------------------------------------------------


@dataclass
class _Catalogue:
    """Provinces, documents, indicators and departments, read once per sheet (four queries)."""

    provinces: dict[str, Province]
    documents: dict[str, list[PolicyDocument]]
    indicators: dict[tuple[int, str], list[Indicator]]
    departments: dict[tuple[int, str], Department]

    @classmethod
    def load(cls) -> _Catalogue:
        provinces: dict[str, Province] = {}
        for province in Province.objects.all():
            for name in (province.code, province.name, province.full_name):
                provinces[cells.key(name)] = province
        documents: dict[str, list[PolicyDocument]] = {}
        for document in PolicyDocument.objects.select_related("province"):
            for name in {document.slug, document.number, document.title} - {""}:
                documents.setdefault(cells.key(name), []).append(document)
        indicators: dict[tuple[int, str], list[Indicator]] = {}
        for indicator in Indicator.objects.all():
            for name in {indicator.code, indicator.name}:
                indicators.setdefault((indicator.document_id, cells.key(name)), []).append(
                    indicator
                )
        departments = {
            (department.province_id, cells.key(department.name)): department
            for department in Department.objects.all()
        }
        return cls(provinces, documents, indicators, departments)


# --- reading the file ---------------------------------------------------------------------------


def _read_bytes(file: Any) -> tuple[bytes, str]:
    """The file's bytes (at most the import limit + 1) and its name."""
    limit = settings.IMPORT_MAX_BYTES
    if isinstance(file, bytes):
        return file, ""
    if isinstance(file, str | Path):
        path = Path(file)
        with path.open("rb") as handle:
            return handle.read(limit + 1), path.name
    data = file.read(limit + 1)
    return (data.encode() if isinstance(data, str) else data), str(getattr(file, "name", ""))


def _format_of(name: str, fmt: str | None) -> str | None:
    if fmt:
        return fmt.lower().lstrip(".")
    suffix = Path(name).suffix.lower().lstrip(".")
    return suffix or None


def _file_problem(message: str) -> ParsedSheet:
    return ParsedSheet(problems=[RowError(row=0, column="", message=message)])


@dataclass
class _Layout:
    """Where the header is and which column index holds which field."""

    header_row: int
    columns: dict[str, int]
    headers: dict[int, str]
    width: int

    def label(self, column: str) -> tuple[str, str]:
        index = self.columns[column]
        return cells.column_letter(index), self.headers[index]


def _header_columns(values: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        column = _ALIAS_TO_COLUMN.get(cells.key(value)) if isinstance(value, str) else None
        if column and column not in found:
            found[column] = index
    return found


def _find_header(
    rows: Iterator[tuple[int, list[Any]]],
) -> tuple[int, list[Any]] | tuple[None, list[tuple[int, list[Any]]]]:
    """The header row (the first with an indicator and a date column), or the rows seen."""
    seen: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        found = _header_columns(values)
        if "indicator" in found and "as_of" in found:
            return number, values
        seen.append((number, values))
        if len(seen) >= cells.HEADER_SCAN_ROWS:
            break
    return None, seen


def _layout(number: int, values: list[Any]) -> tuple[_Layout | None, list[RowError]]:
    problems: list[RowError] = []
    columns: dict[str, int] = {}
    headers: dict[int, str] = {}
    for index, value in enumerate(values):
        if cells.is_blank(value):
            continue
        text = str(value).strip()
        headers[index] = text
        name = cells.key(text)
        column = _ALIAS_TO_COLUMN.get(name)
        letter = cells.column_letter(index)
        if column is None:
            if name not in _IGNORED:
                problems.append(
                    RowError(
                        number,
                        letter,
                        gettext(
                            "不认识的列名“{header}”；可用的列：{expected} "
                            "(unknown column “{header}”; the columns are {expected})"
                        ).format(header=cells.shorten(text, 20), expected=", ".join(COLUMNS)),
                        header=text,
                    )
                )
        elif column in columns:
            problems.append(
                RowError(
                    number,
                    letter,
                    gettext(
                        "与{other}列重复，同一列只能出现一次 "
                        "(the same column as column {other}: each column appears once)"
                    ).format(other=cells.column_letter(columns[column])),
                    header=text,
                )
            )
        else:
            columns[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if "value" not in columns and "done" not in columns:
        missing.append("value")
    if missing:
        problems.append(RowError(number, "", header_problem(missing)))
    if problems:
        return None, problems
    return _Layout(number, columns, headers, max(headers) + 1), []


def header_problem(missing: Iterable[str]) -> str:
    names = "、".join(missing)
    expected = ", ".join(COLUMNS)
    return gettext(
        "表头缺少必填列：{names}（应有 {expected}，或中文表头 省份、文件、指标、截至日期、数值、"
        "是否完成、备注） (the header lacks required column(s) {names}; expected {expected})"
    ).format(names=names, expected=expected)


def _choose_sheet(
    sheets: list[cells.RawSheet],
) -> tuple[cells.RawSheet, int, list[Any], Iterator[tuple[int, list[Any]]]] | ParsedSheet:
    """The one sheet with a header and data, its header and its remaining rows."""
    with_data: list[tuple[cells.RawSheet, int, list[Any], Iterator]] = []
    header_only: list[str] = []
    first_rows: list[tuple[int, list[Any]]] | None = None
    for sheet in sheets:
        rows = iter(sheet.rows)
        number, found = _find_header(rows)
        if number is None:
            if found and first_rows is None:
                first_rows = found
            continue
        following = next(rows, None)
        if following is None:
            header_only.append(sheet.name)
            continue
        with_data.append((sheet, number, found, _chain(following, rows)))
    if len(with_data) > 1:
        names = "、".join(f"“{cells.shorten(sheet.name, 20)}”" for sheet, *_ in with_data)
        return _file_problem(
            gettext(
                "工作簿中有{count}个工作表都有数据（{names}），请每次只导入一个工作表 "
                "(the workbook has {count} sheets with data ({names}): import one sheet at a time)"
            ).format(count=len(with_data), names=names)
        )
    if with_data:
        return with_data[0]
    if header_only:
        return _file_problem(
            gettext(
                "工作表“{name}”只有表头，没有数据行 (sheet “{name}” has a header but no rows)"
            ).format(name=cells.shorten(header_only[0], 20))
        )
    if first_rows:
        number, values = first_rows[0]
        _, problems = _layout(number, values)
        return ParsedSheet(
            problems=problems or [RowError(number, "", header_problem(["indicator", "as_of"]))]
        )
    return _file_problem(str(cells.empty_file()))


def _chain(first: tuple[int, list[Any]], rest: Iterator) -> Iterator[tuple[int, list[Any]]]:
    yield first
    yield from rest


# --- checking one row ---------------------------------------------------------------------------


class _RowChecker:
    """Every check on one row; collects all of its problems, no query."""

    def __init__(
        self,
        layout: _Layout,
        catalogue: _Catalogue,
        *,
        province: str | None,
        today: dt.date,
    ) -> None:
        self.layout = layout
        self.catalogue = catalogue
        self.limit = catalogue.provinces.get(cells.key(province)) if province else None
        self.limit_code = province
        self.today = today
        self.seen: dict[tuple[int, dt.date, int | None], int] = {}

    def cell(self, values: list[Any], column: str) -> Any:
        index = self.layout.columns.get(column)
        if index is None or index >= len(values):
            return None
        return values[index]

    def check(self, number: int, values: list[Any]) -> tuple[ReportRow | None, list[RowError]]:
        problems: list[RowError] = []

        def refuse(column: str, message: str) -> None:
            letter, header = self.layout.label(column)
            problems.append(RowError(number, letter, message, header=header))

        for index in range(self.layout.width, len(values)):
            if not cells.is_blank(values[index]):
                problems.append(
                    RowError(
                        number,
                        cells.column_letter(index),
                        gettext(
                            "表头之外还有内容“{value}”：该列没有列名 "
                            "(“{value}” lies outside the header: this column has no heading)"
                        ).format(value=cells.shorten(values[index])),
                    )
                )
                break
        get = lambda column: self.cell(values, column)  # noqa: E731
        catalogue = self.catalogue

        province = None
        if not cells.is_blank(get("province")):
            province = catalogue.provinces.get(cells.key(get("province")))
            if province is None:
                refuse(
                    "province",
                    gettext("没有省份“{value}” (unknown province “{value}”)").format(
                        value=cells.shorten(get("province"))
                    ),
                )

        document = None
        if cells.is_blank(get("document")):
            refuse(
                "document",
                gettext("请填写文件标识，如sx-2021 (the document is required, e.g. sx-2021)"),
            )
        else:
            candidates = catalogue.documents.get(cells.key(get("document")), [])
            if province is not None:
                candidates = [d for d in candidates if d.province_id == province.pk] or candidates
            if len(candidates) == 1:
                document = candidates[0]
            else:
                refuse(
                    "document",
                    (
                        gettext(
                            "没有文件“{value}”，请填写文件标识(如sx-2021)、文号或标题 "
                            "(unknown document “{value}”: give its slug such as sx-2021, its "
                            "number or its title)"
                        )
                        if not candidates
                        else gettext(
                            "“{value}”对应多份文件，请填写文件标识 "
                            "(“{value}” matches several documents: give the slug)"
                        )
                    ).format(value=cells.shorten(get("document"))),
                )
        if document is not None and province is not None and document.province_id != province.pk:
            refuse(
                "province",
                gettext(
                    "文件{document}属于{actual}，与本行省份“{value}”不符 "
                    "(document {document} belongs to {actual}, not “{value}”)"
                ).format(
                    document=document.slug,
                    actual=document.province.name,
                    value=cells.shorten(get("province")),
                ),
            )

        indicator = None
        if cells.is_blank(get("indicator")):
            refuse("indicator", gettext("请填写指标 (the indicator is required)"))
        elif document is not None:
            matches = catalogue.indicators.get((document.pk, cells.key(get("indicator"))), [])
            if len(matches) == 1:
                indicator = matches[0]
            else:
                refuse(
                    "indicator",
                    (
                        gettext(
                            "文件{document}中没有指标“{value}”(填写指标代码或原文名称) "
                            "(document {document} has no indicator “{value}”: give its code "
                            "or its name as printed)"
                        )
                        if not matches
                        else gettext(
                            "文件{document}中有多个指标叫“{value}”，请填写指标代码 "
                            "(several indicators of {document} are named “{value}”: give "
                            "the code)"
                        )
                    ).format(document=document.slug, value=cells.shorten(get("indicator"))),
                )
        if document is not None and self.limit_code and document.province.code != self.limit_code:
            refuse(
                "indicator",
                gettext(
                    "该指标属于{actual}（文件{document}），本次只能导入{allowed}的数据 "
                    "(this indicator belongs to {actual} (document {document}); this import "
                    "accepts {allowed} only)"
                ).format(
                    actual=document.province.name,
                    document=document.slug,
                    allowed=self.limit.name if self.limit else self.limit_code,
                ),
            )
            indicator = None

        as_of = None
        if cells.is_blank(get("as_of")):
            refuse("as_of", gettext("请填写截至日期 (the as-of date is required)"))
        else:
            try:
                as_of = cells.parse_date(get("as_of"))
            except cells.CellProblem as problem:
                refuse("as_of", str(problem))
        if as_of is not None and document is not None:
            first = dt.date((document.base_year or document.period_start - 1), 1, 1)
            last = dt.date(document.period_end, 12, 31)
            if not first <= as_of <= last:
                refuse(
                    "as_of",
                    gettext(
                        "{date}不在文件{document}的规划期内（{first}至{last}） "
                        "({date} lies outside the plan period of {document}: {first} to {last})"
                    ).format(
                        date=as_of.isoformat(),
                        document=document.slug,
                        first=first.isoformat(),
                        last=last.isoformat(),
                    ),
                )
                as_of = None

        value = None
        if not cells.is_blank(get("value")):
            try:
                number_read = cells.parse_number(get("value"))
            except cells.CellProblem as problem:
                refuse("value", str(problem))
            else:
                value = self._value_for(indicator, number_read, get("value"), refuse)
        done = None
        if not cells.is_blank(get("done")):
            try:
                done = cells.parse_done(get("done"))
            except cells.CellProblem as problem:
                refuse("done", str(problem))

        department_id = None
        if not cells.is_blank(get("department")) and document is not None:
            department = catalogue.departments.get(
                (document.province_id, cells.key(get("department")))
            )
            if department is None:
                refuse(
                    "department",
                    gettext(
                        "{province}没有单位“{value}”，请按原文填写单位名称 "
                        "({province} has no unit “{value}”: name it as printed)"
                    ).format(
                        province=document.province.name, value=cells.shorten(get("department"))
                    ),
                )
            else:
                department_id = department.pk

        note = cells.clean_text(get("note"))
        if len(note) > NOTE_MAX_CHARS:
            refuse(
                "note",
                gettext(
                    "备注有{length}字，最多{limit}字 "
                    "(the note has {length} characters; at most {limit})"
                ).format(length=len(note), limit=NOTE_MAX_CHARS),
            )

        refused = {problem.column for problem in problems}
        if indicator is not None:
            checks = report_value_problems(
                indicator=indicator,
                as_of=as_of,
                value=value,
                done=done,
                today=self.today,
            )
            for column, messages in checks.items():
                if column in self.layout.columns and self.layout.label(column)[0] in refused:
                    continue  # a cell already refused needs no second word
                if column == "as_of" and as_of is None:
                    continue
                if column == "value" and "value" not in self.layout.columns:
                    column = "done" if "done" in self.layout.columns else column
                for message in messages:
                    if column in self.layout.columns:
                        refuse(column, message)
                    else:
                        problems.append(RowError(number, "", message))
            if as_of is not None:
                natural_key = (indicator.pk, as_of, department_id)
                if natural_key in self.seen:
                    refuse(
                        "as_of",
                        gettext(
                            "与第{other}行重复：同一指标、同一日期、同一单位只能填报一次 "
                            "(same indicator, date and unit as row {other})"
                        ).format(other=self.seen[natural_key]),
                    )
                else:
                    self.seen[natural_key] = number
        if problems or indicator is None or as_of is None:
            return None, problems
        milestone = indicator.is_milestone
        return (
            ReportRow(
                row=number,
                indicator_id=indicator.pk,
                as_of=as_of,
                value=None if milestone else value,
                done=done if milestone else None,
                note=note,
                department_id=department_id,
                is_percentage=indicator.is_percentage,
                is_milestone=milestone,
            ),
            [],
        )

    def _value_for(self, indicator: Indicator | None, number: cells.Number, shown: Any, refuse):
        """The number an indicator means by this cell: % only on percentages, its own unit."""
        if indicator is None:
            return number.value
        shown_text = cells.shorten(shown)
        if number.percent and not indicator.is_percentage:
            refuse(
                "value",
                gettext(
                    "“{value}”是百分数，但“{name}”以“{unit}”计，请填写数量 "
                    "(“{value}” is a percentage but “{name}” is counted in “{unit}”)"
                ).format(value=shown_text, name=indicator.name, unit=indicator.unit or "—"),
            )
            return None
        unit = number.unit
        if unit and unit not in (indicator.unit, f"{indicator.unit}以上"):
            refuse(
                "value",
                gettext(
                    "“{value}”的单位与指标不符：“{name}”以“{unit}”计，请只填数字 "
                    "(“{value}”: the unit does not match; “{name}” is counted in “{unit}”, "
                    "give the number only)"
                ).format(value=shown_text, name=indicator.name, unit=indicator.unit or "—"),
            )
            return None
        if number.value < 0 and (
            indicator.unit in COUNT_UNITS or indicator.measure_kind == MeasureKind.CUMULATIVE
        ):
            refuse(
                "value",
                gettext(
                    "“{name}”是数量，不能为负数{value} "
                    "(“{name}” is a count: it cannot be negative, {value})"
                ).format(name=indicator.name, value=shown_text),
            )
            return None
        return number.value


# --- the API ------------------------------------------------------------------------------------


def parse_sheet(
    file: Any,
    *,
    fmt: str | None = None,
    province: str | None = None,
    today: dt.date | None = None,
) -> ParsedSheet:
    """Read and check a sheet; writes nothing. See the module docstring.

    ``province`` (a code) limits the rows to that province's indicators; ``today`` is the day
    after which dates are "in the future".
    """
    try:
        data, name = _read_bytes(file)
    except OSError as exc:
        return _file_problem(
            gettext("无法读取文件：{error} (cannot read the file: {error})").format(
                error=cells.shorten(exc.strerror or exc, 80)
            )
        )
    fmt = _format_of(name, fmt)
    if fmt not in FORMATS:
        return _file_problem(
            gettext(
                "只能导入.xlsx或.csv文件，而不是“{name}” "
                "(only .xlsx or .csv files can be imported, not “{name}”)"
            ).format(name=cells.shorten(name or fmt or "?"))
        )
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        return _file_problem(
            gettext(
                "文件超过{size}MB，请分成几个文件导入 "
                "(the file is larger than {size} MB: split it into smaller files)"
            ).format(size=round(limit / 1_000_000, 1))
        )
    if b"\x00" in data[:4096] and fmt == "csv":
        return _file_problem(
            gettext(
                "这不是文本CSV文件，请选择.xlsx或CSV文件 "
                "(this is not a text CSV file: choose an .xlsx or CSV file)"
            )
        )
    try:
        sheets = cells.open_sheets(data, fmt)
        chosen = _choose_sheet(sheets)
        if isinstance(chosen, ParsedSheet):
            return chosen
        sheet, header_number, header_values, rows = chosen
        layout, problems = _layout(header_number, header_values)
        if layout is None:
            return ParsedSheet(problems=problems, sheet_name=sheet.name)
        checker = _RowChecker(
            layout,
            _Catalogue.load(),
            province=province,
            today=today or timezone.localdate(),
        )
        parsed = ParsedSheet(sheet_name=sheet.name)
        extra = 0
        for number, values in rows:
            report, row_problems = checker.check(number, values)
            if report is not None:
                parsed.rows.append(report)
            elif len(parsed.problems) < MAX_PROBLEMS:
                parsed.problems.extend(row_problems)
            else:
                extra += len(row_problems)
    except cells.FileProblem as problem:
        return _file_problem(str(problem))
    if extra:
        parsed.problems.append(
            RowError(
                0,
                "",
                gettext("另有{count}处错误未列出 ({count} more problem(s) not listed)").format(
                    count=extra
                ),
            )
        )
    if not parsed.rows and not parsed.problems:
        return _file_problem(
            gettext(
                "工作表“{name}”只有表头，没有数据行 (sheet “{name}” has a header but no rows)"
            ).format(name=cells.shorten(parsed.sheet_name, 20))
        )
    if parsed.problems:
        parsed.rows = []
    return parsed


def _supports_corrections() -> bool:
    try:
        ProgressReport._meta.get_field("supersedes")
    except FieldDoesNotExist:
        return False
    return True


_FETCH = (
    "id",
    "indicator_id",
    "as_of",
    "reporting_department_id",
    "value",
    "done",
    "note",
    "review_status",
    "reviewed_at",
)


def _existing(rows: list[ReportRow]) -> dict[tuple, list[dict[str, Any]]]:
    """Stored (non-demo) reports by natural key, for the sheet's indicators and dates."""
    indicator_ids = sorted({row.indicator_id for row in rows})
    dates = [row.as_of for row in rows]
    found: dict[tuple, list[dict[str, Any]]] = {}
    queryset = ProgressReport.objects.filter(
        indicator_id__in=indicator_ids,
        as_of__gte=min(dates),
        as_of__lte=max(dates),
        is_demo=False,
    ).values(*_FETCH)
    for report in queryset.iterator(chunk_size=5000):
        natural_key = (report["indicator_id"], report["as_of"], report["reporting_department_id"])
        found.setdefault(natural_key, []).append(report)
    return found


def _same(row: ReportRow, report: dict[str, Any]) -> bool:
    return (row.value, row.done, row.note) == (report["value"], report["done"], report["note"])


def store(
    parsed: ParsedSheet,
    *,
    user: AbstractBaseUser | None = None,
    for_review: bool,
) -> ImportOutcome:
    """Store a checked sheet in one short transaction; all or nothing.

    ``for_review`` False (trusted staff on the command line) stores new reports approved:
    they count at once and their indicators are recomputed after the commit. True stores them
    submitted, awaiting review. Either way an approved report is never changed in place.
    """
    outcome = ImportOutcome(approved=not for_review, sheet_name=parsed.sheet_name)
    if not parsed.ok:
        outcome.errors = list(parsed.problems)
        return outcome
    if not parsed.rows:
        outcome.errors = [RowError(0, "", str(cells.empty_file()))]
        return outcome
    now = timezone.now()
    reporter_id = user.pk if getattr(user, "is_authenticated", False) else None
    status = ReviewStatus.SUBMITTED if for_review else ReviewStatus.APPROVED
    reviewed_at = None if for_review else now
    corrections_allowed = _supports_corrections()
    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    recompute: set[int] = set()

    def columns_of(row: ReportRow, **extra: Any) -> dict[str, Any]:
        return {
            "indicator_id": row.indicator_id,
            "as_of": row.as_of,
            "value": row.value,
            "done": row.done,
            "note": row.note,
            "reporting_department_id": row.department_id,
            "reporter_id": reporter_id,
            "source": ReportSource.IMPORT,
            "is_percentage": row.is_percentage,
            "is_milestone": row.is_milestone,
            "created_at": now,
            "updated_at": now,
            **extra,
        }

    with transaction.atomic():
        existing = _existing(parsed.rows)
        for row in parsed.rows:
            matches = existing.get((row.indicator_id, row.as_of, row.department_id), [])
            pending = [m for m in matches if m["review_status"] != ReviewStatus.APPROVED]
            approved = [m for m in matches if m["review_status"] == ReviewStatus.APPROVED]
            if pending:
                match = max(pending, key=lambda m: m["id"])
                if _same(row, match) and match["review_status"] == status:
                    outcome.unchanged += 1
                    continue
                changed.append(
                    columns_of(row, id=match["id"], review_status=status, reviewed_at=reviewed_at)
                )
                outcome.updated += 1
            elif approved:
                match = max(approved, key=lambda m: (m["reviewed_at"], m["id"]))
                if _same(row, match):
                    outcome.unchanged += 1
                    continue
                if not corrections_allowed:
                    # TODO(i11): the supersedes field lands with the workflow issue (i10).
                    outcome.errors.append(
                        RowError(
                            row.row,
                            "",
                            gettext(
                                "已审核的数据不能直接修改，请在系统中提交更正 "
                                "(an approved report cannot be changed in place: "
                                "submit a correction)"
                            ),
                        )
                    )
                    continue
                new.append(
                    columns_of(
                        row,
                        review_status=ReviewStatus.SUBMITTED,
                        reviewed_at=None,
                        supersedes_id=match["id"],
                        correction_reason=CORRECTION_REASON,
                    )
                )
                outcome.corrections += 1
                continue
            else:
                new.append(columns_of(row, review_status=status, reviewed_at=reviewed_at))
                outcome.created += 1
            if not for_review:
                recompute.add(row.indicator_id)
        if outcome.errors:
            transaction.set_rollback(True)
            outcome.created = outcome.updated = outcome.corrections = outcome.unchanged = 0
            return outcome
        bulk_insert(ProgressReport, new)
        bulk_update_rows(
            ProgressReport,
            changed,
            (
                "value",
                "done",
                "note",
                "reporter_id",
                "source",
                "review_status",
                "reviewed_at",
                "updated_at",
            ),
        )
        # Runs only if the transaction commits; a rolled-back import enqueues nothing.
        enqueue_indicator_recompute(recompute)
    outcome.indicator_ids = sorted(recompute)
    return outcome


# --- the bulk write -----------------------------------------------------------------------------

_INSERT_BATCH = 1000  # rows per INSERT on PostgreSQL (parameters stay under its 65,535)


class _Prepared:
    """A column's values as the driver wants them, each distinct value prepared once.

    ``bulk_create`` compiles every value of every row through its field (10,000 reports took
    1.8 s, most of the write lock); the same preparation, memoised per column, takes
    milliseconds, and fields this import does not set get their default, prepared once.
    """

    def __init__(self, field) -> None:
        self.field = field
        self.cache: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        try:
            return self.cache[value]
        except KeyError:
            prepared = self.field.get_db_prep_save(value, connection)
            self.cache[value] = prepared
            return prepared
        except TypeError:  # unhashable
            return self.field.get_db_prep_save(value, connection)


def _column_fields(model, names: Iterable[str] | None = None) -> list:
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if names is not None:
        wanted = set(names)
        fields = [f for f in fields if f.attname in wanted]
    return fields


def bulk_insert(model, rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` (attname → value): one prepared statement, no model instances."""
    if not rows:
        return
    fields = []
    constants: dict[str, Any] = {}
    for f in _column_fields(model):
        if f.attname not in rows[0]:
            default = f.get_default()
            if getattr(default, "resolve_expression", None) is not None:
                continue  # a database default: leave the column out
            constants[f.attname] = f.get_db_prep_save(default, connection)
        fields.append(f)
    prepare = {f.attname: _Prepared(f) for f in fields if f.attname not in constants}
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = [
        [
            constants[f.attname] if f.attname in constants else prepare[f.attname](row[f.attname])
            for f in fields
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # in-process: executemany is the fast path
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES {one}", values)
            return
        for start in range(0, len(values), _INSERT_BATCH):
            batch = values[start : start + _INSERT_BATCH]
            statement = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * len(batch))
            cursor.execute(statement, [value for row in batch for value in row])


def bulk_update_rows(model, rows: list[dict[str, Any]], names: Sequence[str]) -> None:
    """UPDATE the ``names`` columns of each row by its ``id``: one prepared statement."""
    if not rows:
        return
    fields = _column_fields(model, names)
    prepare = [_Prepared(f) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    values = [
        [p(row[f.attname]) for p, f in zip(prepare, fields, strict=True)] + [row["id"]]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", values)


def import_progress_file(
    *,
    path_or_bytes: str | Path | bytes,
    fmt: str | None = None,
    province: str | None = None,
    reporter: AbstractBaseUser | None = None,
    approve: bool,
    today: dt.date | None = None,
) -> ImportOutcome:
    """``parse_sheet`` then ``store``: the command's one call."""
    parsed = parse_sheet(path_or_bytes, fmt=fmt, province=province, today=today)
    if not parsed.ok:
        return ImportOutcome(errors=parsed.problems, approved=approve, sheet_name=parsed.sheet_name)
    return store(parsed, user=reporter, for_review=not approve)
