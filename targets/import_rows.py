"""One sheet row checked against the catalogue: the rules of ``targets.progress_import``.

Pure of writes: the catalogue (provinces, documents, indicators, departments) is read once per
sheet, then every row is checked with dictionary look-ups only, all of its problems collected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from provinces.models import Department, PolicyDocument, Province
from targets import near_miss
from targets import sheet_reading as cells
from targets.models import Indicator, MeasureKind
from targets.services import report_value_problems

COUNT_UNITS = frozenset({"个", "名", "家", "种", "项", "千家", "所", "台", "件", "人"})
NOTE_MAX_CHARS = 2000

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
class Layout:
    """Where the header is and which column index holds which field."""

    header_row: int
    columns: dict[str, int]
    headers: dict[int, str]
    width: int

    def label(self, column: str) -> tuple[str, str]:
        index = self.columns[column]
        return cells.column_letter(index), self.headers[index]


# --- the catalogue ------------------------------------------------------------------------------


@dataclass
class Catalogue:
    """Provinces, documents, indicators and departments, read once per sheet (four queries)."""

    provinces: dict[str, Province]
    documents: dict[str, list[PolicyDocument]]
    indicators: dict[tuple[int, str], list[Indicator]]
    departments: dict[tuple[int, str], Department]

    @classmethod
    def load(cls) -> Catalogue:
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


# --- checking one row ---------------------------------------------------------------------------


class RowChecker:
    """Every check on one row; collects all of its problems, no query."""

    def __init__(
        self,
        layout: Layout,
        catalogue: Catalogue,
        *,
        province: str | None,
        today: dt.date,
        province_ids: frozenset[int] | None = None,
    ) -> None:
        self.layout = layout
        self.catalogue = catalogue
        self.today = today
        allowed = {p.pk: p for p in catalogue.provinces.values()}
        if province:
            limit = catalogue.provinces.get(cells.key(province))
            ids = {limit.pk} if limit else set()
            if province_ids is not None:
                ids &= set(province_ids)
            self.limit_ids: frozenset[int] | None = frozenset(ids)
        else:
            self.limit_ids = None if province_ids is None else frozenset(province_ids)
        names = [allowed[i].name for i in sorted(self.limit_ids or ()) if i in allowed]
        self.limit_label = "、".join(names) or (province or "—")
        self.seen: dict[tuple[int, dt.date, int | None], int] = {}

    def did_you_mean(self, document: PolicyDocument, typed: Any) -> str:
        """“您是否要填 … (did you mean …)” with the document's closest indicator names."""
        names = [
            indicator.name
            for (document_id, _), found in self.catalogue.indicators.items()
            if document_id == document.pk
            for indicator in found
        ]
        close = near_miss.close_names(str(typed), names)
        if not close:
            return ""
        listed = "、".join(f"“{name}”" for name in close)
        return gettext("；您是否要填{names}？(did you mean {names}?)").format(names=listed)

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
                    ).format(document=document.slug, value=cells.shorten(get("indicator")))
                    + (self.did_you_mean(document, get("indicator")) if not matches else ""),
                )
        if (
            document is not None
            and self.limit_ids is not None
            and document.province_id not in self.limit_ids
        ):
            refuse(
                "indicator",
                gettext(
                    "该指标属于{actual}（文件{document}），本次只能导入{allowed}的数据 "
                    "(this indicator belongs to {actual} (document {document}); this import "
                    "accepts {allowed} only)"
                ).format(
                    actual=document.province.name,
                    document=document.slug,
                    allowed=self.limit_label,
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
