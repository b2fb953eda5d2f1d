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

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, models, transaction

from provinces.catalogue_reader import (
    _read_categories,
    _read_provinces,
    read_document_file,
)
from provinces.catalogue_specs import (
    CategorySpec,
    DocumentSpec,
    FixtureSet,
    LoadProblem,
    PolicyLoadError,
    ProvinceSpec,
    ReportSpec,
)
from provinces.models import Department, PolicyDocument, Province, ReviewStatus, Section
from targets.models import (
    Indicator,
    IndicatorCategory,
    MeasureKind,
    ProgressReport,
    ReportSource,
    Target,
)
from tasks.models import Assignment, Column, ColumnItem, Task, TaskUpdate

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
