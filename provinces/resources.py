"""Excel/CSV import and export (django-import-export) for provinces, documents and sections.

The first half of this module is shared by every app's ``resources.py``: file formats, widgets
and a base resource. The rules they implement, so that a sheet a staff member exports can be
edited in Excel and imported back:

* **Readable keys, no foreign ids.** A related row is written as the key a person reads (province
  code, document slug, section key, task number + section key, department name, indicator code,
  category code) and looked up the same way, scoped where the key is only unique inside a parent
  (a department name within the document's province, a task number within a section, an indicator
  code within a document). A sheet therefore re-imports into a database that holds the same
  documents under different ids.
* **Matching rows.** The ``id`` column is exported but never written: a row is matched to an
  existing record by its natural key (``natural_key``), else by ``id`` inside the same parent
  (``id_scope``: a rename within a document updates in place). An unchanged row reports "skip",
  a changed one "update"; only an unmatched row is "new", and it gets a fresh id.
* **All or nothing.** ``full_clean()`` runs on every row (``clean_model_instances``), so database
  constraints surface as row errors; one bad row rolls the whole file back
  (``rollback_on_validation_errors`` defaults to True here, inside one transaction).
* **Chinese Excel.** CSV is written as UTF-8 with a byte-order mark so Excel shows Chinese, and
  read as UTF-8 or, failing that, GB18030 (what Chinese Excel's "Save as CSV" writes). Excel
  date cells arrive as ``datetime`` and are turned back into dates. Text that Excel would run as
  a formula is prefixed with an apostrophe on export and unprefixed on import.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.db import models
from django.utils import timezone, translation
from django.utils.encoding import force_str
from django.utils.translation import gettext, gettext_noop
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import Result

from provinces.models import Department, PolicyDocument, Province, Section

# --------------------------------------------------------------------------------------------
# File formats
# --------------------------------------------------------------------------------------------

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
CSV_EXPORT_ENCODING = "utf-8-sig"

# A cell starting with one of these is run as a formula by Excel (CSV injection).
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def escape_formula(value: Any) -> Any:
    """Prefix text that Excel would evaluate with an apostrophe; numbers stay as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS) and not _is_number(value):
        return "'" + value
    return value


def unescape_formula(value: Any) -> Any:
    """Undo :func:`escape_formula` so an exported sheet imports back unchanged."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _map_cells(dataset: tablib.Dataset, function) -> tablib.Dataset:
    copy = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        copy.append([function(cell) for cell in row])
    return copy


def decode_csv(data: bytes | str) -> str:
    """Read UTF-8 (with or without BOM), else GB18030; refuse anything else clearly."""
    if isinstance(data, str):
        return data
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(
        gettext(
            "无法识别CSV文件的编码，请另存为UTF-8或GBK编码的CSV "
            "(cannot read the CSV file: save it as UTF-8 or GBK CSV)"
        )
    )


class ChineseCSV(base_formats.CSV):
    """CSV that Chinese Excel opens and writes: UTF-8 BOM out; UTF-8 or GB18030 in."""

    def create_dataset(self, in_stream, **kwargs):
        dataset = tablib.import_set(decode_csv(in_stream), format="csv", **kwargs)
        return _map_cells(dataset, unescape_formula)

    def export_data(self, dataset, **kwargs):
        return _map_cells(dataset, escape_formula).export("csv", **kwargs)


class SafeXLSX(base_formats.XLSX):
    """XLSX whose text cells can never become formulas, and which reads them back verbatim."""

    def create_dataset(self, in_stream):
        return _map_cells(super().create_dataset(in_stream), unescape_formula)

    def export_data(self, dataset, **kwargs):
        return super().export_data(_map_cells(dataset, escape_formula), **kwargs)


FORMATS = [ChineseCSV, SafeXLSX]
_FORMAT_BY_NAME = {"csv": ChineseCSV, "xlsx": SafeXLSX}


def export_file(
    resource: resources.Resource, file_format: str, queryset: models.QuerySet | None = None
) -> bytes:
    """The bytes of a ``csv`` or ``xlsx`` file, exactly as the admin's export button sends them."""
    format_class = _FORMAT_BY_NAME[file_format]
    binary = file_format != "csv"
    dataset = resource.export(queryset, force_native_type=binary)
    data = format_class().export_data(dataset)
    return data if binary else data.encode(CSV_EXPORT_ENCODING)


def load_file(data: bytes, file_format: str) -> tablib.Dataset:
    """Read a ``csv`` or ``xlsx`` file as the admin's import page does."""
    return _FORMAT_BY_NAME[file_format]().create_dataset(data)


# --------------------------------------------------------------------------------------------
# Widgets: clear bilingual errors, Excel's native types, readable keys
# --------------------------------------------------------------------------------------------


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    """A key cell as text: Excel turns "1" into the number 1 (or 1.0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return force_str(value).strip()


class DecimalWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            number = Decimal(_text(value).replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(
                gettext("“{value}”不是数字 (“{value}” is not a number)").format(value=value)
            )
        return number

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        if kwargs.get("force_native_type"):
            return value
        # 900.0000 → "900", 0.5000 → "0.5": what the document printed, not the column's scale.
        return format(value.normalize(), "f")


class IntegerWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            number = Decimal(_text(value).replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            raise ValueError(
                gettext("“{value}”不是整数 (“{value}” is not a whole number)").format(value=value)
            )
        return int(number)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else str(value)


class FloatWidget(widgets.FloatWidget):
    def clean(self, value, row=None, **kwargs):
        if self.is_empty(value):
            return None
        try:
            return float(_text(value).replace(",", ""))
        except ValueError:
            raise ValueError(
                gettext("“{value}”不是数字 (“{value}” is not a number)").format(value=value)
            ) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else repr(value)


class DateWidget(widgets.DateWidget):
    """ISO dates in CSV, real date cells in Excel; accepts 2025/12/31 and 2025年12月31日 too."""

    INPUT_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return None
        if isinstance(value, datetime):  # an Excel date cell
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        for input_format in self.INPUT_FORMATS:
            try:
                return datetime.strptime(text, input_format).date()  # noqa: DTZ007 (a date)
            except ValueError:
                continue
        raise ValueError(
            gettext(
                "“{value}”不是日期，应写作2025-12-31 (“{value}” is not a date like 2025-12-31)"
            ).format(value=value)
        )

    def render(self, value, obj=None, **kwargs):
        if not isinstance(value, date):
            return None if kwargs.get("force_native_type") else ""
        return value if kwargs.get("force_native_type") else value.isoformat()


class DateTimeWidget(widgets.DateTimeWidget):
    """Written as local ISO text with its offset in both formats, so nothing is lost."""

    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return None
        if isinstance(value, datetime):
            moment = value
        else:
            try:
                moment = datetime.fromisoformat(_text(value).replace("/", "-"))
            except ValueError:
                raise ValueError(
                    gettext(
                        "“{value}”不是时间，应写作2025-12-31 08:00:00 "
                        "(“{value}” is not a date and time like 2025-12-31 08:00:00)"
                    ).format(value=value)
                ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment

    def render(self, value, obj=None, **kwargs):
        if not isinstance(value, datetime):
            return None if kwargs.get("force_native_type") else ""
        return timezone.localtime(value).isoformat(sep=" ")


class BooleanWidget(widgets.BooleanWidget):
    TRUE_VALUES = [*widgets.BooleanWidget.TRUE_VALUES, "是", "yes", "Yes", "YES"]
    FALSE_VALUES = [*widgets.BooleanWidget.FALSE_VALUES, "否", "no", "No", "NO"]

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        if value in self.NULL_VALUES:
            return None
        if value in self.TRUE_VALUES:
            return True
        if value in self.FALSE_VALUES:
            return False
        raise ValueError(
            gettext("“{value}”应为1/0或是/否 (“{value}” should be 1/0 or yes/no)").format(
                value=value
            )
        )


class JSONWidget(widgets.JSONWidget):
    """JSON text, Chinese kept readable; an empty list is written as ``[]``, not a blank."""

    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return None
        try:
            return json.loads(_text(value))
        except ValueError:
            raise ValueError(
                gettext("“{value}”不是有效的JSON (“{value}” is not valid JSON)").format(value=value)
            ) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return json.dumps(value, ensure_ascii=False)


class ChoiceWidget(widgets.CharWidget):
    """Writes the stable code ("lead"); reads the code or its label (牵头 / lead)."""

    def __init__(self, choices: Iterable[tuple[Any, Any]], **kwargs):
        self.choices = [(str(code), label) for code, label in choices]
        super().__init__(**kwargs)

    def _labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for language in (translation.get_language(), "zh-hans", "en"):
            with translation.override(language):
                for code, label in self.choices:
                    labels.setdefault(str(label), code)
        return labels

    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return "" if self.allow_blank else None
        text = _text(value)
        codes = [code for code, _label in self.choices]
        if text in codes:
            return text
        by_label = self._labels()
        if text in by_label:
            return by_label[text]
        allowed = "、".join(f"{code}({label})" for code, label in self.choices if code)
        raise ValueError(
            gettext(
                "“{value}”不是有效选项，可选：{allowed} (“{value}” is not one of: {allowed})"
            ).format(value=value, allowed=allowed)
        )


class LookupWidget(widgets.ForeignKeyWidget):
    """A related row found by a readable key, scoped by other columns of the same row.

    ``scope`` maps a lookup path on the related model to the column holding its value, e.g. a
    section is found by ``key`` within ``{"document__slug": "document"}``.
    """

    def __init__(
        self,
        model: type[models.Model],
        field: str,
        *,
        scope: dict[str, str] | None = None,
        not_found: str,
    ):
        super().__init__(model, field=field)
        self.scope = scope or {}
        self.not_found = not_found

    def clean(self, value, row=None, **kwargs):
        if _is_blank(value):
            return None
        row = row or {}
        context = {"value": _text(value)}
        lookup = {self.field: context["value"]}
        for path, column in self.scope.items():
            if column not in row:
                raise ValueError(
                    gettext("文件缺少“{column}”列 (the file has no “{column}” column)").format(
                        column=column
                    )
                )
            if _is_blank(row[column]):
                raise ValueError(
                    gettext("“{column}”列为空 (the “{column}” column is empty)").format(
                        column=column
                    )
                )
            context[column] = _text(row[column])
            lookup[path] = context[column]
        try:
            return self.model.objects.get(**lookup)
        except ObjectDoesNotExist:
            raise ValueError(gettext(self.not_found).format(**context)) from None
        except MultipleObjectsReturned:  # only if a scope were missing; the constraints forbid it
            raise ValueError(
                gettext("“{value}”对应多条记录 (“{value}” matches several rows)").format(**context)
            ) from None

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        for attr in self.field.split("__"):
            value = getattr(value, attr, None)
            if value is None:
                return ""
        return value


def key_field(attribute: str, *, readonly: bool = True, column_name: str | None = None):
    """An export column that shows a related key (``task__section__key``) for staff to read."""
    return fields.Field(
        attribute=attribute,
        column_name=column_name or attribute,
        readonly=readonly,
        widget=widgets.CharWidget(),
    )


# --------------------------------------------------------------------------------------------
# Base resource
# --------------------------------------------------------------------------------------------


class ImportRefused(Exception):
    """The resource is export-only (computed data)."""


class BaseResource(resources.ModelResource):
    """Shared behaviour; see the module docstring."""

    #: Resource field names whose values identify a row (after their widgets resolve them).
    natural_key: Sequence[str] = ()
    #: Resource field names a row's ``id`` must agree with to be matched by id (the parent).
    #: ``None``: never match by id (top-level rows are identified by their code alone).
    id_scope: Sequence[str] | None = None
    #: Relations exported in every row, fetched with one query.
    export_select_related: Sequence[str] = ()

    id = fields.Field(attribute="id", column_name="id", readonly=True, widget=IntegerWidget())

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "DecimalField": DecimalWidget,
        "DateField": DateWidget,
        "DateTimeField": DateTimeWidget,
        "FloatField": FloatWidget,
        "IntegerField": IntegerWidget,
        "PositiveIntegerField": IntegerWidget,
        "PositiveSmallIntegerField": IntegerWidget,
        "SmallIntegerField": IntegerWidget,
        "BigIntegerField": IntegerWidget,
        "BooleanField": BooleanWidget,
        "NullBooleanField": BooleanWidget,
        "JSONField": JSONWidget,
        "TextField": widgets.CharWidget,
        "FileField": widgets.CharWidget,
    }

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        if getattr(f, "choices", None):
            return lambda **kwargs: ChoiceWidget(f.choices, **kwargs)
        return super().widget_from_django_field(f, default)

    def get_queryset(self):
        return self._meta.model.objects.select_related(*self.export_select_related)

    def filter_export(self, queryset, **kwargs):
        # The admin hands over its changelist queryset: make sure the keys cost no extra query.
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        return queryset

    def _resolve(self, names: Sequence[str], row) -> dict[str, Any] | None:
        """Lookups for ``names`` from the row, or None if any cell is missing or unresolved."""
        lookup = {}
        for name in names:
            field = self.fields[name]
            if field.column_name not in row:
                return None
            try:
                value = field.clean(row)
            except (ValueError, KeyError, ObjectDoesNotExist):
                return None  # import_instance reports the bad cell in its own words
            if value is None or value == "":
                return None
            lookup[field.attribute] = value
        return lookup

    def get_instance(self, instance_loader, row):
        queryset = self._meta.model.objects.all()
        if self.natural_key:
            lookup = self._resolve(self.natural_key, row)
            if lookup is not None:
                instance = queryset.filter(**lookup).first()
                if instance is not None:
                    return instance
        if self.id_scope is None or _is_blank(row.get("id")):
            return None
        try:
            pk = IntegerWidget().clean(row["id"])
        except ValueError:
            return None
        scope = self._resolve(self.id_scope, row) if self.id_scope else {}
        if scope is None:
            return None
        return queryset.filter(pk=pk, **scope).first()

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs)


class ExportOnlyResource(BaseResource):
    """Computed data: exported for analysis, never imported (recompute instead)."""

    refusal = gettext_noop(
        "此数据由系统测算生成，不能导入；请重新测算 "
        "(this data is computed by the system and cannot be imported; recompute it instead)"
    )

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        result: Result = self.get_result_class()()
        result.total_rows = len(dataset)
        self.handle_import_error(result, ImportRefused(gettext(self.refusal)), raise_errors)
        return result


# --------------------------------------------------------------------------------------------
# Widgets for this app's keys (reused by tasks and targets)
# --------------------------------------------------------------------------------------------


def province_widget() -> LookupWidget:
    return LookupWidget(
        Province,
        "code",
        not_found=gettext_noop("省份代码“{value}”不存在 (no province with code “{value}”)"),
    )


def document_widget() -> LookupWidget:
    return LookupWidget(
        PolicyDocument,
        "slug",
        not_found=gettext_noop("文件标识“{value}”不存在 (no policy document with slug “{value}”)"),
    )


def section_widget() -> LookupWidget:
    """A section by key, within the row's document."""
    return LookupWidget(
        Section,
        "key",
        scope={"document__slug": "document"},
        not_found=gettext_noop(
            "文件“{document}”中没有路径为“{value}”的章节 "
            "(no section with key “{value}” in document “{document}”)"
        ),
    )


def department_widget() -> LookupWidget:
    """A department by name, within the province of the row's document."""
    return LookupWidget(
        Department,
        "name",
        scope={"province__documents__slug": "document"},
        not_found=gettext_noop(
            "文件“{document}”所属省份中没有名为“{value}”的责任单位 "
            "(no department named “{value}” in the province of document “{document}”)"
        ),
    )


# --------------------------------------------------------------------------------------------
# Resources
# --------------------------------------------------------------------------------------------


class ProvinceResource(BaseResource):
    natural_key = ("code",)

    class Meta:
        model = Province
        fields = ("id", "code", "name", "full_name", "sort_order")


class DepartmentResource(BaseResource):
    natural_key = ("province", "name")
    id_scope = ("province",)
    export_select_related = ("province",)

    province = fields.Field(attribute="province", column_name="province", widget=province_widget())

    class Meta:
        model = Department
        fields = ("id", "province", "name")


class PolicyDocumentResource(BaseResource):
    """Documents without their full ``source_text``.

    The text runs to 40 KB and more, past Excel's 32,767-character cell limit, so it is not part
    of the sheet: an import leaves an existing document's text untouched, and a document created
    by import starts without one (``source_file`` names the seed file; ``load_policies`` reads
    it). Everything else round-trips.
    """

    natural_key = ("slug",)
    export_select_related = ("province", "supersedes")

    province = fields.Field(attribute="province", column_name="province", widget=province_widget())
    supersedes = fields.Field(
        attribute="supersedes", column_name="supersedes", widget=document_widget()
    )

    class Meta:
        model = PolicyDocument
        fields = (
            "id",
            "slug",
            "province",
            "title",
            "issuer",
            "number",
            "signed_on",
            "period_start",
            "period_end",
            "base_year",
            "milestone_years",
            "source_file",
            "quote",
            "supersedes",
        )


class SectionResource(BaseResource):
    """Headings; a parent is written by its key and must come before its children."""

    natural_key = ("document", "key")
    id_scope = ("document",)
    export_select_related = ("document", "parent")

    document = fields.Field(attribute="document", column_name="document", widget=document_widget())
    parent = fields.Field(attribute="parent", column_name="parent", widget=section_widget())

    class Meta:
        model = Section
        fields = (
            "id",
            "document",
            "key",
            "parent",
            "number",
            "title",
            "level",
            "sort_order",
            "quote",
        )
