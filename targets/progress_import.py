"""Progress reports from an Excel or CSV sheet: one resource for the admin and the command.

A sheet has one report per row: ``province``, ``document``, ``indicator``, ``as_of``, ``value``,
``note`` and, for milestones, ``done`` (Chinese headers 省份, 文件, 指标, 截至日期, 数值, 备注,
是否完成 are read too). Rows are checked before anything is written; one bad row refuses the
whole file, with one bilingual message per problem naming the sheet row (the header is row 1)
and the column. Each row is matched to an earlier imported report of the same indicator and
date (or to the report whose ``id`` an exported sheet carries), so importing a corrected sheet
updates in place instead of duplicating.

What is refused, per row: an unknown province, document or indicator (code or name as printed),
an indicator of another province than the import is limited to, a province column that
contradicts the document, a missing or unreadable date, a date in the future, a missing or
non-numeric value, a percentage outside 0–100, a milestone without done/not done, the same
indicator and date twice in one sheet.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import tablib
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from import_export import fields
from import_export.results import Result

from provinces.models import PolicyDocument, Province, ReviewStatus
from provinces.resources import BaseResource, DateWidget, DecimalWidget, load_file
from targets.models import Indicator, ProgressReport, ReportSource
from targets.services import enqueue_indicator_recompute, report_value_problems

FORMATS = ("csv", "xlsx")
COLUMNS = ("province", "document", "indicator", "as_of", "value", "done", "note")
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
}
MAX_ABS_VALUE = Decimal("1e10")  # DecimalField(max_digits=14, decimal_places=4)
FOUR_PLACES = Decimal("0.0001")
TRUE_WORDS = {"1", "true", "yes", "y", "是", "已完成", "完成", "√", "✓", "done"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "未完成", "×", "✗", "not done"}
EXCEL_EPOCH = dt.date(1899, 12, 30)


# --- messages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in a sheet: the sheet row (header = 1), the column and what is wrong."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return gettext("第{row}行“{column}”列 (row {row}, column “{column}”)：{message}").format(
            row=self.row, column=self.column, message=self.message
        )


@dataclass
class ImportOutcome:
    """What an import did; when ``errors`` is not empty nothing was stored."""

    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    approved: bool = False
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
        return gettext(
            "导入成功：新增{created}条，更新{updated}条，未变{unchanged}条，{state} "
            "(imported: {created} new, {updated} updated, {unchanged} unchanged)"
        ).format(created=self.created, updated=self.updated, unchanged=self.unchanged, state=state)


def _problem(message: str, **values: Any) -> str:
    return gettext(message).format(**values)


# --- cell parsing -----------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A cell as normalised text: full-width digits and letters folded, 1.0 → "1"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header_key(text: Any) -> str:
    return re.sub(r"[\s_]+", "", _text(text or "")).lower()


_ALIAS_TO_COLUMN = {
    _header_key(alias): column
    for column, aliases in HEADER_ALIASES.items()
    for alias in (column, *aliases)
}


def parse_value(value: Any) -> Decimal:
    """A number as people type it: 1,234.5 / 85% / full-width digits; 4 decimals kept."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = _text(value).replace(",", "").replace(" ", "")
        text = text.removesuffix("%")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError from exc
    if not number.is_finite() or abs(number) >= MAX_ABS_VALUE:
        raise ValueError
    return number.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_YEAR_PATTERN = re.compile(r"^(\d{4})年?(?:底|末)?$")


def parse_date(value: Any) -> dt.date:
    """Excel date cells, ISO and Chinese dates, and a bare year (its 31 December, as DESIGN)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 10000 < value < 100000:  # an Excel serial day number in an unformatted cell
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = _text(value)
    text = _text(value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)  # ValueError for 2025-02-30
    match = _YEAR_PATTERN.match(text)
    if match:
        return dt.date(int(match.group(1)), 12, 31)
    raise ValueError


def parse_done(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError


# --- lookups ----------------------------------------------------------------------------------


@dataclass
class _Catalogue:
    """Provinces, documents and indicators read once per import (three queries)."""

    provinces: dict[str, Province]
    documents: dict[str, list[PolicyDocument]]
    indicators: dict[tuple[int, str], list[Indicator]]

    @classmethod
    def load(cls) -> _Catalogue:
        provinces: dict[str, Province] = {}
        for province in Province.objects.all():
            for key in (province.code, province.name, province.full_name):
                provinces[_header_key(key)] = province
        documents: dict[str, list[PolicyDocument]] = {}
        for document in PolicyDocument.objects.select_related("province"):
            for key in {document.slug, document.number, document.title} - {""}:
                documents.setdefault(_header_key(key), []).append(document)
        indicators: dict[tuple[int, str], list[Indicator]] = {}
        for indicator in Indicator.objects.all():
            for key in {indicator.code, indicator.name}:
                indicators.setdefault((indicator.document_id, _header_key(key)), []).append(
                    indicator
                )
        return cls(provinces, documents, indicators)


@dataclass
class _Row:
    """A sheet row resolved: the values to store, or what is wrong with it per column."""

    number: int
    blank: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)
    indicator: Indicator | None = None
    as_of: dt.date | None = None
    value: Decimal | None = None
    done: bool | None = None
    note: str = ""
    report_id: int | None = None

    def add(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)


# --- the resource -----------------------------------------------------------------------------


class ProgressReportResource(BaseResource):
    """Progress reports by province, document and indicator; see the module docstring.

    ``province`` (a code) limits what may be imported (a province's own staff); ``approve``
    says whether imported reports count at once (trusted staff) or wait for review; ``today``
    is the day after which dates count as "in the future". In the admin the signed-in user
    becomes the reporter.
    """

    export_select_related = ("indicator__document__province",)

    province = fields.Field(column_name="province", readonly=True)
    document = fields.Field(column_name="document", readonly=True)
    indicator = fields.Field(attribute="indicator__code", column_name="indicator", readonly=True)
    as_of = fields.Field(attribute="as_of", column_name="as_of", widget=DateWidget())
    value = fields.Field(attribute="value", column_name="value", widget=DecimalWidget())
    done = fields.Field(attribute="done", column_name="done")
    note = fields.Field(attribute="note", column_name="note")

    class Meta:
        model = ProgressReport
        fields = ("id", *COLUMNS, "review_status", "source")
        export_order = ("id", *COLUMNS, "review_status", "source")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def __init__(
        self,
        *,
        province: str | None = None,
        reporter: AbstractBaseUser | None = None,
        approve: bool = False,
        today: dt.date | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.limit_province = province
        self.reporter = reporter
        self.approve = approve
        self.today = today or timezone.localdate()
        self.reviewed_at = timezone.now()
        self.header_names: dict[str, str] = {}
        self.catalogue: _Catalogue | None = None
        self.current: _Row | None = None
        self.seen: dict[tuple[int, dt.date], int] = {}
        self.touched_indicators: set[int] = set()

    # export -----------------------------------------------------------------------------------

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.limit_province:
            queryset = queryset.filter(indicator__document__province__code=self.limit_province)
        return queryset

    def dehydrate_province(self, report: ProgressReport) -> str:
        return report.indicator.document.province.code

    def dehydrate_document(self, report: ProgressReport) -> str:
        return report.indicator.document.slug

    def dehydrate_done(self, report: ProgressReport) -> str:
        return {True: "是", False: "否"}.get(report.done, "")

    # import -----------------------------------------------------------------------------------

    def column_label(self, column: str) -> str:
        """The header as the sheet spells it, so a message points at what the user sees."""
        return self.header_names.get(column, column)

    def limit_label(self) -> str:
        province = (self.catalogue.provinces if self.catalogue else {}).get(
            _header_key(self.limit_province or "")
        )
        return province.name if province else str(self.limit_province)

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        super().before_import(dataset, **kwargs)
        # A fresh start if the same resource imports a second sheet.
        self.header_names, self.seen, self.touched_indicators = {}, {}, set()
        self.reviewed_at = timezone.now()
        if self.reporter is None and getattr(kwargs.get("user"), "is_authenticated", False):
            self.reporter = kwargs["user"]
        renamed = []
        for header in dataset.headers or []:
            column = _ALIAS_TO_COLUMN.get(_header_key(header))
            if column and column not in self.header_names:
                self.header_names[column] = str(header).strip()
                renamed.append(column)
            else:
                renamed.append(str(header or "").strip())
        dataset.headers = renamed
        missing = [column for column in REQUIRED_COLUMNS if column not in self.header_names]
        if "value" not in self.header_names and "done" not in self.header_names:
            missing.append("value")
        if missing:
            # Nothing can be read without them: drop the rows and report the header once.
            while len(dataset):
                del dataset[0]
            raise ValueError(header_problem(missing))
        self.catalogue = _Catalogue.load()

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        super().before_import_row(row, **kwargs)
        self.current = self.resolve_row(row, number=int(kwargs.get("row_number") or 0) + 1)

    def resolve_row(self, row: dict[str, Any], *, number: int) -> _Row:
        """Every check on one row, collecting all of its problems (no query but the id match)."""
        result = _Row(number=number)
        cells = {column: row.get(column) for column in COLUMNS}
        if all(_blank(cells[column]) for column in COLUMNS):
            result.blank = True
            return result
        assert self.catalogue is not None
        catalogue = self.catalogue

        province = None
        if not _blank(cells["province"]):
            province = catalogue.provinces.get(_header_key(cells["province"]))
            if province is None:
                result.add(
                    "province",
                    _problem(
                        "没有省份“{value}” (unknown province “{value}”)",
                        value=_text(cells["province"]),
                    ),
                )

        document = None
        if _blank(cells["document"]):
            result.add(
                "document",
                _problem("请填写文件标识，如sx-2021 (the document is required, e.g. sx-2021)"),
            )
        else:
            candidates = catalogue.documents.get(_header_key(cells["document"]), [])
            if province is not None:
                candidates = [d for d in candidates if d.province_id == province.pk] or candidates
            if len(candidates) == 1:
                document = candidates[0]
            else:
                result.add(
                    "document",
                    _problem(
                        "没有文件“{value}”，请填写文件标识(如sx-2021)、文号或标题 "
                        "(unknown document “{value}”: give its slug such as sx-2021, its "
                        "number or its title)"
                        if not candidates
                        else "“{value}”对应多份文件，请填写文件标识 "
                        "(“{value}” matches several documents: give the slug)",
                        value=_text(cells["document"]),
                    ),
                )

        if document is not None and province is not None and document.province_id != province.pk:
            result.add(
                "province",
                _problem(
                    "文件{document}属于{actual}，与本行省份“{value}”不符 "
                    "(document {document} belongs to {actual}, not “{value}”)",
                    document=document.slug,
                    actual=document.province.name,
                    value=_text(cells["province"]),
                ),
            )

        indicator = None
        if _blank(cells["indicator"]):
            result.add("indicator", _problem("请填写指标 (the indicator is required)"))
        elif document is not None:
            matches = catalogue.indicators.get((document.pk, _header_key(cells["indicator"])), [])
            if len(matches) == 1:
                indicator = matches[0]
            else:
                result.add(
                    "indicator",
                    _problem(
                        "文件{document}中没有指标“{value}”(填写指标代码或原文名称) "
                        "(document {document} has no indicator “{value}”: give its code or its "
                        "name as printed)"
                        if not matches
                        else "文件{document}中有多个指标叫“{value}”，请填写指标代码 "
                        "(several indicators of {document} are named “{value}”: give the code)",
                        document=document.slug,
                        value=_text(cells["indicator"]),
                    ),
                )
        if (
            document is not None
            and self.limit_province
            and document.province.code != self.limit_province
        ):
            result.add(
                "indicator",
                _problem(
                    "该指标属于{actual}（文件{document}），本次只能导入{allowed}的数据 "
                    "(this indicator belongs to {actual} (document {document}); this import "
                    "accepts {allowed} only)",
                    actual=document.province.name,
                    document=document.slug,
                    allowed=self.limit_label(),
                ),
            )
            indicator = None

        as_of = None
        if _blank(cells["as_of"]):
            result.add("as_of", _problem("请填写截至日期 (the as-of date is required)"))
        else:
            try:
                as_of = parse_date(cells["as_of"])
            except ValueError:
                result.add(
                    "as_of",
                    _problem(
                        "“{value}”不是日期，应写作2025-12-31 "
                        "(“{value}” is not a date like 2025-12-31)",
                        value=_text(cells["as_of"]),
                    ),
                )

        value = None
        if not _blank(cells["value"]):
            try:
                value = parse_value(cells["value"])
            except ValueError:
                result.add(
                    "value",
                    _problem(
                        "“{value}”不是数字 (“{value}” is not a number)",
                        value=_text(cells["value"]),
                    ),
                )
        done = None
        if not _blank(cells["done"]):
            try:
                done = parse_done(cells["done"])
            except ValueError:
                result.add(
                    "done",
                    _problem(
                        "“{value}”应为是/否 (“{value}” should be yes or no)",
                        value=_text(cells["done"]),
                    ),
                )

        if indicator is not None:
            problems = report_value_problems(
                indicator=indicator, as_of=as_of, value=value, done=done, today=self.today
            )
            for column, messages in problems.items():
                if column not in result.errors:  # a cell already refused needs no second word
                    for message in messages:
                        result.add(column, message)
            if as_of is not None:
                key = (indicator.pk, as_of)
                if key in self.seen:
                    result.add(
                        "as_of",
                        _problem(
                            "与第{other}行重复：同一指标同一日期只能填报一次 "
                            "(same indicator and date as row {other})",
                            other=self.seen[key],
                        ),
                    )
                else:
                    self.seen[key] = number

        note = "" if _blank(cells["note"]) else _text(cells["note"])
        result.indicator = indicator
        result.as_of = as_of
        milestone = indicator is not None and indicator.is_milestone
        result.value = None if milestone else value
        result.done = done if milestone else None
        result.note = note
        if not _blank(row.get("id")):
            try:
                result.report_id = int(parse_value(row["id"]))
            except ValueError:
                result.report_id = None
        return result

    def get_instance(self, instance_loader, row):
        current = self.current
        if current is None or current.blank or current.errors or current.indicator is None:
            return None
        own = Q(indicator=current.indicator)
        if current.report_id:
            match = ProgressReport.objects.filter(own, pk=current.report_id, is_demo=False).first()
            if match is not None:
                return match
        return (
            ProgressReport.objects.filter(
                own, as_of=current.as_of, source=ReportSource.IMPORT, is_demo=False
            )
            .order_by("-id")
            .first()
        )

    def import_instance(self, instance: ProgressReport, row, **kwargs: Any) -> None:
        current = self.current
        assert current is not None
        if current.blank:
            return
        if current.errors:
            raise ValidationError(
                {self.column_label(column): messages for column, messages in current.errors.items()}
            )
        indicator = current.indicator
        assert indicator is not None
        instance.indicator = indicator
        instance.as_of = current.as_of
        instance.value = current.value
        instance.done = current.done
        instance.note = current.note
        instance.is_percentage = indicator.is_percentage
        instance.is_milestone = indicator.is_milestone
        if instance.pk is None:
            instance.source = ReportSource.IMPORT
            instance.reporter = self.reporter
        if self.approve:
            if instance.review_status != ReviewStatus.APPROVED or self._counted_changed(instance):
                instance.review_status = ReviewStatus.APPROVED
                instance.reviewed_at = self.reviewed_at
        elif instance.pk is None or self._counted_changed(instance):
            instance.review_status = ReviewStatus.SUBMITTED
            instance.reviewed_at = None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # A refused row is reported in its own words only: full_clean() on a half-filled
        # instance would add English "this field cannot be null" noise.
        if import_validation_errors:
            raise ValidationError(import_validation_errors)
        super().validate_instance(instance, None, validate_unique)

    def _counted_changed(self, instance: ProgressReport) -> bool:
        original = getattr(instance, "_import_original", None)
        if original is None:
            return True
        return original != (instance.as_of, instance.value, instance.done)

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if not new:
            instance._import_original = (instance.as_of, instance.value, instance.done)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        current = self.current
        if current is not None and current.blank:
            return True
        if import_validation_errors or original is None or instance.pk is None:
            return False
        watched = ("as_of", "value", "done", "note", "review_status")
        return all(getattr(instance, name) == getattr(original, name) for name in watched)

    def save_instance(self, instance, is_create, row, **kwargs):
        super().save_instance(instance, is_create, row, **kwargs)
        self.touched_indicators.add(instance.indicator_id)

    def after_import(self, dataset, result: Result, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run") or result.has_errors() or result.has_validation_errors():
            return
        # Runs only if the import's transaction commits; a rolled-back import enqueues nothing.
        enqueue_indicator_recompute(self.touched_indicators)


def header_problem(missing: Iterable[str]) -> str:
    names = "、".join(missing)
    expected = ", ".join(COLUMNS)
    return gettext(
        "表头缺少必填列：{names}（应有 {expected}，或中文表头 省份、文件、指标、截至日期、数值、"
        "是否完成、备注） (the header lacks required column(s) {names}; expected {expected})"
    ).format(names=names, expected=expected)


# --- the entry point for the command and the web upload ----------------------------------------


def _read(path_or_bytes: str | Path | bytes, fmt: str) -> tablib.Dataset:
    if fmt not in FORMATS:
        raise ValueError(
            gettext("不支持的文件格式“{fmt}”，可用csv或xlsx (unsupported format “{fmt}”)").format(
                fmt=fmt
            )
        )
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    return load_file(data, fmt)


def outcome_errors(result: Result, resource: ProgressReportResource) -> list[RowError]:
    """The result's problems as (sheet row, column, message), in sheet order."""
    errors: list[RowError] = []
    for error in result.base_errors:
        errors.append(RowError(row=1, column=gettext("表头 (header)"), message=str(error.error)))
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            label = "—" if column == NON_FIELD_ERRORS else column
            errors.extend(
                RowError(row=invalid.number + 1, column=label, message=message)
                for message in messages
            )
    for error_row in result.error_rows:
        errors.extend(
            RowError(row=error_row.number + 1, column="—", message=str(error.error))
            for error in error_row.errors
        )
    return sorted(errors, key=lambda error: error.row)


def import_progress_file(
    *,
    path_or_bytes: str | Path | bytes,
    fmt: str,
    province: str | None = None,
    reporter: AbstractBaseUser | None = None,
    approve: bool,
    today: dt.date | None = None,
) -> ImportOutcome:
    """Import a sheet of reports all or nothing; see the module docstring for the rules.

    ``approve`` True stores approved reports (they count at once and their indicators are
    recomputed after the commit); False stores them as submitted, awaiting review.
    """
    outcome = ImportOutcome(approved=approve)
    try:
        dataset = _read(path_or_bytes, fmt)
    except (ValueError, KeyError, OSError) as exc:
        outcome.errors.append(RowError(row=1, column=gettext("文件 (file)"), message=str(exc)))
        return outcome
    except Exception as exc:  # openpyxl and tablib raise many kinds on a corrupt file
        outcome.errors.append(
            RowError(
                row=1,
                column=gettext("文件 (file)"),
                message=gettext("无法读取文件：{error} (cannot read the file: {error})").format(
                    error=exc
                ),
            )
        )
        return outcome
    if not dataset.headers and dataset.height == 0:
        outcome.errors.append(
            RowError(
                row=1,
                column=gettext("文件 (file)"),
                message=gettext(
                    "文件为空：没有表头，也没有数据 (the file is empty: no header, no rows)"
                ),
            )
        )
        return outcome
    resource = ProgressReportResource(
        province=province, reporter=reporter, approve=approve, today=today
    )
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=False,
            raise_errors=False,
            use_transactions=True,
            rollback_on_validation_errors=True,
        )
        outcome.errors = outcome_errors(result, resource)
        if outcome.errors:
            transaction.set_rollback(True)
            return outcome
    totals = result.totals
    outcome.created = totals.get("new", 0)
    outcome.updated = totals.get("update", 0)
    outcome.unchanged = totals.get("skip", 0) - _blank_rows(dataset)
    outcome.indicator_ids = sorted(resource.touched_indicators)
    return outcome


def _blank_rows(dataset: tablib.Dataset) -> int:
    return sum(1 for row in dataset if all(_blank(cell) for cell in row))
