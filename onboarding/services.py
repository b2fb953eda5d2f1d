"""Propose a catalogue for a unit and confirm it: the writes behind the command and the page.

Confirming goes through ``load_policies`` itself, on a folder laid out as ``fixtures/`` (the
units, the categories, the one proposed file and its source text), so a proposal meets the same
validation as the curated fixtures and loads all or nothing. A new city is created in the same
transaction: a proposal that fails leaves neither the document nor the city behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from onboarding.proposer import fixture_dict, propose
from provinces.models import Department, PolicyDocument, Province, UnitLevel
from provinces.policy_loader import LoadProblem, LoadSummary, PolicyLoadError, load_policies
from targets.models import IndicatorCategory

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class UnitChoice:
    """The unit of a document: an existing one (code only) or a new city under a province."""

    code: str
    name: str = ""
    full_name: str = ""
    parent_code: str | None = None

    @property
    def is_new(self) -> bool:
        return not Province.objects.filter(code=self.code).exists()


def normalise_text(text: str) -> str:
    """Line ends as the proposer and the stored source see them (quotes are slices of this)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def category_rows() -> list[dict[str, str]]:
    rows = list(IndicatorCategory.objects.values("code", "name", "note"))
    if rows:
        return rows
    path = settings.BASE_DIR / "fixtures" / "categories.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else []


def propose_for_unit(text: str, unit_code: str, *, slug: str | None = None) -> dict[str, Any]:
    """The proposer's catalogue with what the database knows: the unit's departments, categories."""
    known = Department.objects.filter(province__code=unit_code).values_list("name", flat=True)
    proposal = propose(
        normalise_text(text),
        unit_code=unit_code,
        slug=slug,
        known_departments=list(known),
        categories=category_rows(),
    )
    proposal["document"]["source_file"] = f"{proposal['document']['slug']}.txt"
    return proposal


def fixture_yaml(proposal: dict[str, Any]) -> str:
    """A fixture file (``fixtures/policies/<slug>.yaml``) for the proposal, review keys dropped."""
    data = fixture_dict(proposal)
    header = (
        f"# 由 propose_catalogue 生成 / proposed by propose_catalogue on {timezone.localdate()}; "
        "check every item against the source before loading.\n"
    )
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def to_session(proposal: dict[str, Any]) -> dict[str, Any]:
    """The proposal as JSON the session stores (the signing date as ISO text)."""
    return json.loads(json.dumps(proposal, default=str, ensure_ascii=False))


def from_session(data: dict[str, Any]) -> dict[str, Any]:
    """Back from the session: the signing date a date again, so the YAML reads as the fixtures."""
    signed_on = data.get("document", {}).get("signed_on")
    if isinstance(signed_on, str):
        with contextlib.suppress(ValueError):  # left as text: the loader says it is no date
            data["document"]["signed_on"] = dt.date.fromisoformat(signed_on)
    return data


def apply_review(
    proposal: dict[str, Any],
    catalogue: str | None,
    *,
    drop_indicators: Iterable[str] = (),
    drop_tasks: Iterable[str] = (),
) -> dict[str, Any]:
    """The reviewed catalogue: the edited YAML (or the proposal), less the items ticked to drop.

    Raises ``yaml.YAMLError`` for text that is not YAML and ``PolicyLoadError`` for YAML that is
    not a catalogue; anything else wrong is for ``load_policies`` to report.
    """
    data = yaml.safe_load(catalogue) if catalogue and catalogue.strip() else proposal
    if not isinstance(data, dict) or not isinstance(data.get("document"), dict):
        raise PolicyLoadError(
            [
                LoadProblem(
                    "(proposal)",
                    "",
                    "目录应为键值映射，含 document、sections、tasks",
                    "the catalogue should be a mapping with document, sections and tasks",
                )
            ]
        )
    dropped_indicators, dropped_tasks = set(drop_indicators), set(drop_tasks)

    def kept(key: str, dropped: set[str], name: Callable[[dict], str]) -> None:
        items = data.get(key) or []
        if isinstance(items, list):  # otherwise the loader says what is wrong with it
            items = [i for i in items if not isinstance(i, dict) or name(i) not in dropped]
        data[key] = items

    kept("indicators", dropped_indicators, lambda i: str(i.get("code")))
    kept("reports", dropped_indicators, lambda r: str(r.get("indicator")))
    kept("tasks", dropped_tasks, lambda t: f"{t.get('section')}|{t.get('number')}")
    return data


def unit_problems(unit: UnitChoice) -> list[LoadProblem]:
    """What is wrong with a new unit's code, names or province, in both languages."""
    problems: list[LoadProblem] = []

    def problem(path: str, zh: str, en: str) -> None:
        problems.append(LoadProblem("(unit)", path, zh, en))

    if not unit.is_new:
        return problems
    if not CODE_RE.match(unit.code):
        problem(
            "code",
            "代码应为 2—8 位大写字母或数字，以字母开头",
            "the code takes 2–8 capital letters or digits, starting with a letter",
        )
    if not unit.name or len(unit.name) > 20:
        problem("name", "简称必填，最多 20 字", "the short name is required, at most 20 characters")
    elif Province.objects.filter(name=unit.name).exists():
        problem("name", f"简称 {unit.name} 已被使用", f"the short name {unit.name} is taken")
    if len(unit.full_name or unit.name) > 40:
        problem("full_name", "全称最多 40 字", "the full name takes at most 40 characters")
    parent = Province.objects.filter(code=unit.parent_code or "").first()
    if parent is None:
        problem(
            "parent", "新的市级单位须选择所属省份", "a new city needs the province it belongs to"
        )
    elif parent.level != UnitLevel.PROVINCE:
        problem("parent", "所属单位须为省级", "the parent must be a province")
    return problems


def confirm_proposal(fixture: dict[str, Any], text: str, unit: UnitChoice) -> LoadSummary:
    """Load one reviewed proposal exactly as ``load_policies`` loads the fixtures.

    Raises ``PolicyLoadError`` with every problem (the unit's, the file's, the database's);
    nothing is written then, not even a new city.
    """
    text = normalise_text(text)
    if not isinstance(fixture.get("document"), dict):
        raise PolicyLoadError(
            [LoadProblem("(proposal)", "document", "缺少 document", "is missing")]
        )
    document = dict(fixture["document"])
    slug = str(document.get("slug") or "")
    problems = unit_problems(unit)
    if not SLUG_RE.match(slug):
        problems.append(
            LoadProblem(
                "(proposal)",
                "document.slug",
                "标识应为小写字母、数字和连字符",
                "the slug takes lower-case letters, digits and hyphens",
            )
        )
    elif PolicyDocument.objects.filter(slug=slug).exclude(province__code=unit.code).exists():
        problems.append(
            LoadProblem(
                "(proposal)",
                "document.slug",
                f"标识 {slug} 已被其他单位的文件使用",
                f"the slug {slug} belongs to another unit's document",
            )
        )
    if problems:
        raise PolicyLoadError(problems)
    document.update(province=unit.code, source_file=f"{slug}.txt")
    fixture = {**fixture, "document": document}
    with transaction.atomic():
        if unit.is_new:
            parent = Province.objects.get(code=unit.parent_code)
            Province.objects.create(
                code=unit.code,
                name=unit.name,
                full_name=unit.full_name or unit.name,
                level=UnitLevel.CITY,
                parent=parent,
                sort_order=_next_sort_order(),
            )
        with tempfile.TemporaryDirectory(prefix="onboarding-") as folder:
            root = Path(folder)
            _write_folder(root, fixture, text, slug)
            summary = load_policies(directory=root)
    transaction.on_commit(lambda: _recompute(slug))
    return summary


def _next_sort_order() -> int:
    last = Province.objects.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return min((last or 0) + 1, 32767)


def _write_folder(root: Path, fixture: dict[str, Any], text: str, slug: str) -> None:
    (root / "policies").mkdir()
    (root / "sources").mkdir()
    provinces = [
        {"code": p.code, "name": p.name, "full_name": p.full_name, "sort_order": p.sort_order}
        for p in Province.objects.order_by("sort_order", "code")
    ]
    (root / "provinces.yaml").write_text(
        yaml.safe_dump(provinces, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    categories = [
        {"code": c["code"], "name": c["name"], "note": c.get("note") or ""} for c in category_rows()
    ]
    (root / "categories.yaml").write_text(
        yaml.safe_dump(categories, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    (root / "sources" / f"{slug}.txt").write_text(text, encoding="utf-8")
    (root / "policies" / f"{slug}.yaml").write_text(
        yaml.safe_dump(fixture_dict(fixture), allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )


def _recompute(slug: str) -> None:
    """The new targets get a status at once, as the nightly run would give them."""
    from targets.models import Indicator
    from targets.services import progress_recompute

    ids = list(Indicator.objects.filter(document__slug=slug).values_list("id", flat=True))
    if ids:
        progress_recompute(as_of=timezone.localdate(), indicator_ids=ids)
