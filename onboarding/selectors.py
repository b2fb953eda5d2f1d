"""Reads for the review page: the text cut into plain and highlighted pieces, the unit choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from provinces import access
from provinces.models import PolicyDocument, Province, UnitLevel
from targets.models import MeasureKind
from tasks.models import Role


@dataclass
class Piece:
    text: str
    kind: str = ""  # "" plain | "target" | "task" | "unit" | "section"
    anchor: str = ""


def quote_spans(text: str, proposal: dict[str, Any]) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, anchor) of every quote of the proposal, in the text."""
    spans: list[tuple[int, int, str, str]] = []

    def add(quote: str, kind: str, anchor: str) -> None:
        index = text.find(quote) if quote else -1
        if index >= 0:
            spans.append((index, index + len(quote), kind, anchor))

    for section in _walk(proposal.get("sections") or []):
        add(section.get("quote", ""), "section", "")
    for index, task in enumerate(proposal.get("tasks") or []):
        add(task.get("quote", ""), "task", f"task-{index}")
        add(task.get("departments_quote", ""), "unit", f"task-{index}")
    for indicator in proposal.get("indicators") or []:
        for target in indicator.get("targets") or []:
            add(target.get("quote", ""), "target", f"indicator-{indicator.get('code')}")
            for quote in target.get("restated_quotes") or []:
                add(quote, "target", f"indicator-{indicator.get('code')}")
    return spans


def _walk(sections: list[dict]) -> list[dict]:
    result = []
    for section in sections:
        result.append(section)
        result += _walk(section.get("children") or [])
    return result


def highlighted_pieces(text: str, proposal: dict[str, Any]) -> list[Piece]:
    """The text as pieces; overlapping quotes give way to the one that starts first."""
    pieces: list[Piece] = []
    position = 0
    for start, end, kind, anchor in sorted(quote_spans(text, proposal)):
        if start < position:
            continue
        if start > position:
            pieces.append(Piece(text[position:start]))
        pieces.append(Piece(text[start:end], kind, anchor))
        position = end
    if position < len(text):
        pieces.append(Piece(text[position:]))
    return pieces


def manageable_units(user: Any) -> list[Province]:
    """Units whose documents this user may propose and confirm (its own and its cities)."""
    if access.role(user) not in access.MANAGE_ROLES:
        return []
    allowed = access.province_ids(user)  # one read, not one can_manage per unit
    units = Province.objects.select_related("parent").order_by("sort_order", "code")
    return [p for p in units if allowed is None or p.pk in allowed]


def manageable_provinces(user: Any) -> list[Province]:
    """Provinces under which this user may add a new city."""
    return [p for p in manageable_units(user) if p.level == UnitLevel.PROVINCE]


def _flags(flags: list[str]) -> list[dict[str, str]]:
    """Review notes are written "中文 / English": each language shows its half."""
    result = []
    for flag in flags:
        zh, _, en = flag.partition(" / ")
        result.append({"zh": zh, "en": en or zh})
    return result


SYMBOLS = {"gte": "≥", "lte": "≤", "approx": "≈", "eq": "=", "done": "✓"}


def _target_text(target: dict[str, Any]) -> str:
    if target["comparator"] == "range":
        return f"{target['lower_bound']}—{target['value']}"
    value = "" if target["value"] is None else target["value"]
    return f"{SYMBOLS.get(target['comparator'], target['comparator'])}{value}"


def review_items(proposal: dict[str, Any]) -> dict[str, Any]:
    """The proposal's items with their review notes, under names a template can read."""
    indicators = [
        {
            "code": i["code"],
            "name": i["name"],
            "unit": i["unit"],
            "kind": i["measure_kind"],
            "category": i["category"],
            "targets": [
                {
                    "year": t["year"],
                    "text": _target_text(t),
                }
                for t in i["targets"]
            ],
            "baseline": i["baseline"],
            "kind_label": MeasureKind(i["measure_kind"]).label
            if i["measure_kind"] in MeasureKind.values
            else i["measure_kind"],
            "flags": _flags(i.get("_flags", [])),
            "confidence": i.get("_confidence", ""),
        }
        for i in proposal.get("indicators") or []
    ]
    tasks = [
        {
            "key": f"{t['section']}|{t['number']}",
            "anchor": f"task-{index}",
            "section": t["section"],
            "number": t["number"],
            "title": t["title"],
            "flags": _flags(t.get("_flags", [])),
            "departments": [
                {
                    "name": d["name"],
                    "role": Role(d["role"]).label if d["role"] in Role.values else d["role"],
                    "new": d.get("_new", False),
                }
                for d in t["departments"]
            ],
        }
        for index, t in enumerate(proposal.get("tasks") or [])
    ]
    return {
        "document": proposal["document"],
        "document_flags": _flags(proposal["document"].get("_flags", [])),
        "existing_document": PolicyDocument.objects.filter(slug=proposal["document"]["slug"])
        .values("slug", "province__code", "title")
        .first(),
        "indicators": indicators,
        "tasks": tasks,
        "new_departments": proposal.get("_new_departments", []),
    }
