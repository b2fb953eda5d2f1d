"""The catalogue fixtures as plain specs, and the problems a file can have (no database)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import yaml

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
