"""Progress reports from an Excel or CSV sheet: parse and check, then store in one short write.

The API, pure of HTTP, shared by the command, the admin and a web upload with a preview::

    parsed = parse_sheet(file, province_ids=access.province_ids(user))  # reads, checks; no write
    parsed.sheet_name, parsed.rows, parsed.problems, parsed.ok
    outcome = store(parsed, user=request.user, for_review=True)   # one transaction
    outcome.created, outcome.updated, outcome.corrections, outcome.unchanged, outcome.summary()
    outcome.errors        # non-empty (a sheet with problems): nothing was stored

A preview shows ``parsed.rows`` (``ReportRow``: sheet row, indicator id, date, value, done,
note, reporting unit) or ``parsed.problems`` (``RowError``: ``row``, ``column`` letter,
``header``, ``message``; ``place`` and ``str()`` give the bilingual location). ``province``
(a code, the command's ``--province``) narrows further.

``file`` is bytes, a path, or an uploaded file (``.name`` and ``.read()``); the format comes
from its name unless ``fmt`` is given. ``parse_sheet`` never raises for bad input: every
problem is a ``RowError`` naming the row and column as Excel shows them (``第5行D列“截至日期”``)
with a short Chinese and English message, and a sheet with any problem stores nothing.
Parsing and checking happen outside any transaction (four catalogue queries), so a long sheet
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

import contextlib
import datetime as dt
import gc
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext

from provinces.models import ReviewStatus
from targets import sheet_reading as cells
from targets.import_rows import Catalogue, Layout, ReportRow, RowChecker, RowError
from targets.import_writes import execute, staged
from targets.models import ProgressReport, ReportSource
from targets.services import enqueue_indicator_recompute

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
# The reference columns of a round's template (rounds.imports): read past, like an export's.
IGNORED_HEADERS += ("原文名称", "计量单位", "目标值", "最近审核值", "最近审核日期")
PROGRESS_EVERY = 500  # rows between two progress reports of a web upload
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
    write_seconds: float = 0.0  # how long the write transaction held the lock (benchmarks)

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


def _layout(number: int, values: list[Any]) -> tuple[Layout | None, list[RowError]]:
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
    return Layout(number, columns, headers, max(headers) + 1), []


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


# --- the API ------------------------------------------------------------------------------------


@contextlib.contextmanager
def _rows_without_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector while tens of thousands of row objects are made.

    They hold no cycles, but their number triggers full collections that walk the whole heap
    again and again: 100,000 rows took 4–20 times as long as 10,000 with the collector on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_sheet(
    file: Any,
    *,
    fmt: str | None = None,
    province: str | None = None,
    province_ids: Iterable[int] | None = None,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ParsedSheet:
    """Read and check a sheet; writes nothing. See the module docstring.

    ``progress`` (a web upload's status) is told the number of rows checked so far, every
    ``PROGRESS_EVERY`` rows and at the end.

    ``province`` (a code) limits the rows to that province's indicators, ``province_ids`` to
    those units (``provinces.access.province_ids(user)``: a province and its cities; None for
    all); ``today`` is the day after which dates are "in the future".
    """
    ids = None if province_ids is None else frozenset(province_ids)
    with _rows_without_cycle_collection():
        return _parse_sheet(
            file, fmt=fmt, province=province, province_ids=ids, today=today, progress=progress
        )


def _parse_sheet(
    file: Any,
    *,
    fmt: str | None,
    province: str | None,
    province_ids: frozenset[int] | None,
    today: dt.date | None,
    progress: Callable[[int], None] | None = None,
) -> ParsedSheet:
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
        checker = RowChecker(
            layout,
            Catalogue.load(),
            province=province,
            province_ids=province_ids,
            today=today or timezone.localdate(),
        )
        parsed = ParsedSheet(sheet_name=sheet.name)
        extra = checked = 0
        for number, values in rows:
            checked += 1
            if progress is not None and checked % PROGRESS_EVERY == 0:
                progress(checked)
            report, row_problems = checker.check(number, values)
            if report is not None:
                parsed.rows.append(report)
            elif len(parsed.problems) < MAX_PROBLEMS:
                parsed.problems.extend(row_problems)
            else:
                extra += len(row_problems)
        if progress is not None:
            progress(checked)
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
    "updated_at",
)
_UPDATED_COLUMNS = (
    "value",
    "done",
    "note",
    "reporter_id",
    "source",
    "review_status",
    "reviewed_at",
    "reviewed_by_id",
    "submitted_at",
    "last_modified_by_id",
    "updated_at",
)


def _stored(rows: list[ReportRow]):
    """The stored (non-demo) reports a sheet may match: its indicators, within its dates."""
    dates = [row.as_of for row in rows]
    return ProgressReport.objects.filter(
        indicator_id__in=sorted({row.indicator_id for row in rows}),
        as_of__gte=min(dates),
        as_of__lte=max(dates),
        is_demo=False,
    )


def _fingerprint(queryset) -> dict[str, Any]:
    """A cheap summary of the matched reports: any save, addition or deletion changes it."""
    return queryset.aggregate(
        count=Count("id"),
        last_id=Max("id"),
        last_update=Max("updated_at"),
        approved=Count("id", filter=Q(review_status=ReviewStatus.APPROVED)),
    )


def _existing(rows: list[ReportRow]) -> dict[tuple, list[dict[str, Any]]]:
    """Stored reports by natural key (a round's preview decides as ``store`` does)."""
    return _read_existing(rows)[0]


def _read_existing(
    rows: list[ReportRow],
) -> tuple[dict[tuple, list[dict[str, Any]]], dict[str, Any]]:
    """Stored reports by natural key, and their fingerprint, read together before the write."""
    found: dict[tuple, list[dict[str, Any]]] = {}
    queryset = _stored(rows)
    # The fingerprint first, outside any transaction (on SQLite one would take the write
    # lock): a change between the two reads makes the re-check in the write fail, never pass.
    fingerprint = _fingerprint(queryset)
    reports = list(queryset.values_list(*_FETCH))
    for values in reports:
        report = dict(zip(_FETCH, values, strict=True))
        natural_key = (report["indicator_id"], report["as_of"], report["reporting_department_id"])
        found.setdefault(natural_key, []).append(report)
    return found, fingerprint


class _ChangedSinceRead(Exception):
    """The reports matched before the write changed before it began."""


def _same(row: ReportRow, report: dict[str, Any]) -> bool:
    return (row.value, row.done, row.note) == (report["value"], report["done"], report["note"])


def _changed_since_read(parsed: ParsedSheet, *, approved: bool) -> ImportOutcome:
    message = gettext(
        "检查之后数据已被他人修改，未保存任何数据，请重新导入 "
        "(the data changed after the check; nothing was stored: import again)"
    )
    return ImportOutcome(
        errors=[RowError(0, "", message)], approved=approved, sheet_name=parsed.sheet_name
    )


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
    # Trusted staff on the command line approve what they import: on record as its reviewer.
    review = {
        "review_status": status,
        "reviewed_at": reviewed_at,
        "reviewed_by_id": None if for_review else reporter_id,
        "submitted_at": now,
    }
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
            "last_modified_by_id": reporter_id,
            **extra,
        }

    with _rows_without_cycle_collection():
        # Matching, preparing and staging every value happen before BEGIN: the transaction
        # only checks that nothing it matched against changed, then moves the staged rows.
        existing, fingerprint = _read_existing(parsed.rows)
        for row in parsed.rows:
            matches = existing.get((row.indicator_id, row.as_of, row.department_id), [])
            pending = [m for m in matches if m["review_status"] != ReviewStatus.APPROVED]
            approved = [m for m in matches if m["review_status"] == ReviewStatus.APPROVED]
            if pending:
                match = max(pending, key=lambda m: m["id"])
                if _same(row, match) and match["review_status"] == status:
                    outcome.unchanged += 1
                    continue
                changed.append(columns_of(row, id=match["id"], **review))
                outcome.updated += 1
            elif approved:
                match = max(approved, key=lambda m: (m["reviewed_at"], m["id"]))
                if _same(row, match):
                    outcome.unchanged += 1
                    continue
                new.append(
                    columns_of(
                        row,
                        review_status=ReviewStatus.SUBMITTED,
                        reviewed_at=None,
                        reviewed_by_id=None,
                        submitted_at=now,
                        supersedes_id=match["id"],
                        correction_reason=CORRECTION_REASON,
                    )
                )
                outcome.corrections += 1
                continue
            else:
                new.append(columns_of(row, **review))
                outcome.created += 1
            if not for_review:
                recompute.add(row.indicator_id)
        del existing
        # The rows wait in a temporary table of this connection (no lock anyone waits for); the
        # transaction re-checks what they were matched against and moves them in two statements.
        with staged(
            ProgressReport, new=new, changed=changed, changed_names=_UPDATED_COLUMNS
        ) as sql:
            del new, changed
            began = time.perf_counter()
            try:
                with transaction.atomic():
                    if sql and _fingerprint(_stored(parsed.rows)) != fingerprint:
                        raise _ChangedSinceRead
                    execute(sql)
                    # Runs only if the transaction commits; a rolled-back import enqueues nothing.
                    enqueue_indicator_recompute(recompute)
            except (IntegrityError, _ChangedSinceRead):
                # Something the check relied on changed before the write (an indicator
                # deleted, a unit renamed, a matched report saved): the transaction rolled
                # back, nothing is stored.
                return _changed_since_read(parsed, approved=not for_review)
            outcome.write_seconds = time.perf_counter() - began
    outcome.indicator_ids = sorted(recompute)
    return outcome


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
