"""Propose a catalogue from an implementing opinion's text, in the shape of ``fixtures/policies``.

Pure (no Django): ``propose(text, unit_code=…)`` returns a dictionary with the keys of a fixture
file (document, sections, tasks, columns, indicators, reports). Items carry ``_confidence`` and
``_flags`` for the reviewer (and ``_new`` on units not yet known); ``fixture_dict`` drops every
key that starts with ``_``, leaving exactly what ``load_policies`` reads. Every quote is a slice
of the text, so it is an exact substring of the source the loader checks it against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from onboarding.proposer.document import read_facts
from onboarding.proposer.headings import Outline, Section, parse_outline
from onboarding.proposer.indicators import collect, fold, group, to_fixture
from onboarding.proposer.tasks import propose_tasks

__all__ = ["fixture_dict", "propose"]


def propose(
    text: str,
    *,
    unit_code: str,
    slug: str | None = None,
    source_file: str = "",
    known_departments: Iterable[str] = (),
    categories: Iterable[dict] = (),
) -> dict[str, Any]:
    """The proposed catalogue of one document (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    outline = parse_outline(text)
    facts = read_facts(text, outline.body_start)
    default_year = next(
        (y for y in facts.milestone_years if y >= facts.period_start), facts.period_end
    )
    candidates = collect(
        outline,
        period_end=facts.period_end,
        base_year=facts.base_year,
        period_start=facts.period_start,
        default_year=default_year,
    )
    kept = fold(candidates, facts.period_end)
    indicators, reports = to_fixture(
        group(kept), base_year=facts.base_year, categories=list(categories)
    )
    tasks, new_units = propose_tasks(outline, known_departments)
    target_years = {t["year"] for i in indicators for t in i["targets"]}
    milestone_years = sorted(set(facts.milestone_years) | target_years)
    year = facts.signed_on.year if facts.signed_on else facts.period_start
    slug = slug or f"{re.sub(r'[^a-z0-9]+', '-', unit_code.lower()).strip('-')}-{year}"
    return {
        "document": {
            "slug": slug,
            "province": unit_code,
            "source_file": source_file,
            "title": facts.title or "(未识别标题)",
            "issuer": facts.issuer or "(未识别发文机关)",
            "number": facts.number,
            "signed_on": facts.signed_on,
            "period_start": facts.period_start,
            "period_end": facts.period_end,
            "base_year": facts.base_year,
            "milestone_years": milestone_years,
            "supersedes": None,
            "quote": facts.quote,
            "_flags": facts.flags,
        },
        "sections": [_section(s) for s in outline.sections],
        "tasks": tasks,
        "columns": _columns(outline),
        "indicators": indicators,
        "reports": reports,
        "_new_departments": new_units,
    }


def _section(section: Section) -> dict[str, Any]:
    node: dict[str, Any] = {
        "key": section.key,
        "number": section.heading.number,
        "title": section.heading.title or section.heading.number,
        "quote": section.heading.quote,
    }
    if section.children:
        node["children"] = [_section(child) for child in section.children]
    return node


def _columns(outline: Outline) -> list[dict[str, Any]]:
    result = []
    numbers: set[int] = set()
    for column in outline.columns:
        if column.number in numbers:
            continue
        numbers.add(column.number)
        items = []
        for line in column.lines:
            heading = next((h for h in column.items if h.line is line), None)
            if heading is not None:
                rest = outline.text[heading.title_end : line.end].strip()
                items.append(
                    {
                        "number": heading.number,
                        "title": (heading.title or line.text)[:300],
                        "text": rest,
                        "quote": line.text,
                    }
                )
            elif "\t" in outline.text[outline.text.rfind("\n", 0, line.start) + 1 : line.end]:
                cells = [c for c in line.text.split("\t") if c.strip()]
                title = next((c for c in cells if not re.fullmatch(r"[\d./\s年%]+", c)), "")
                if title:
                    items.append(
                        {"number": "", "title": title[:300], "text": "", "quote": line.text}
                    )
        task = column.after_task
        result.append(
            {
                "number": column.number,
                "title": column.heading.title or f"专栏{column.number}",
                "after_task": task.heading.number if task else None,
                "after_task_section": task.section.key if task else column.section_key,
                "quote": column.heading.quote,
                "items": items,
            }
        )
    return result


def fixture_dict(proposal: dict[str, Any]) -> dict[str, Any]:
    """The proposal without its review keys: exactly a fixture file's content."""

    def clean(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: clean(v) for k, v in node.items() if not str(k).startswith("_")}
        if isinstance(node, list):
            return [clean(v) for v in node]
        return node

    return clean(proposal)
