"""Who owes what in a round and how far it has come: pure rules, no Django.

Kept apart from the queries so the rules can be read (and tested) on their own:
- An item (an indicator or a task the round asks for) is owed by ONE department: the first
  lead or responsible unit its task prints (山西 lists the leading unit first), else the first
  supporting one, else the round's coordinating department. Support units never owe a second
  report of the same figure.
- An item's state is the best of the entries that report on it within the period:
  approved > submitted (awaiting review) > returned > draft; none at all is missing. A returned
  entry that was entered again is therefore "submitted", and a pending correction of an
  approved value leaves it "approved".
- After the deadline an item that is missing, a draft or returned is overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MISSING = "missing"
DRAFT = "draft"
SUBMITTED = "submitted"
APPROVED = "approved"
RETURNED = "returned"
STATE_RANK = {APPROVED: 4, SUBMITTED: 3, RETURNED: 2, DRAFT: 1}
OUTSTANDING = frozenset({MISSING, DRAFT, RETURNED})
OWNING_ROLES = ("lead", "responsible")


def item_state(statuses: Iterable[str]) -> str:
    best = max((s for s in statuses if s in STATE_RANK), key=STATE_RANK.__getitem__, default=None)
    return best or MISSING


def owner(assignments: Iterable[tuple[int, str]], fallback: int | None) -> int | None:
    """The department that reports a task's items; ``assignments`` = (department, role) in
    printed order."""
    listed = list(assignments)
    for department_id, role in listed:
        if role in OWNING_ROLES:
            return department_id
    return listed[0][0] if listed else fallback


@dataclass(frozen=True)
class Item:
    round_id: int
    kind: str  # "indicator" or "task"
    object_id: int
    code: str
    name: str
    department_id: int | None
    state: str
    deadline: dt.date

    def overdue(self, today: dt.date) -> bool:
        return today > self.deadline and self.state in OUTSTANDING

    @property
    def outstanding(self) -> bool:
        return self.state in OUTSTANDING


@dataclass
class Tally:
    """One round × department line of the completeness table."""

    round_id: int
    department_id: int | None
    due: int = 0
    submitted: int = 0
    approved: int = 0
    returned: int = 0
    missing: int = 0
    overdue: int = 0
    missing_items: list[Item] = field(default_factory=list)

    @property
    def handed_in(self) -> int:
        return self.submitted + self.approved

    @property
    def share(self) -> float | None:
        """Share handed in (submitted or approved) of what is due."""
        return self.handed_in / self.due if self.due else None


def tally(items: Iterable[Item], today: dt.date) -> dict[tuple[int, int | None], Tally]:
    out: dict[tuple[int, int | None], Tally] = {}
    for item in items:
        key = (item.round_id, item.department_id)
        line = out.setdefault(key, Tally(round_id=item.round_id, department_id=item.department_id))
        line.due += 1
        if item.state == APPROVED:
            line.approved += 1
        elif item.state == SUBMITTED:
            line.submitted += 1
        elif item.state == RETURNED:
            line.returned += 1
        else:
            line.missing += 1
        if item.outstanding:
            line.missing_items.append(item)
        if item.overdue(today):
            line.overdue += 1
    return out


def states_by_key(
    entries: Iterable[tuple[int, dt.date, str]],
    periods: Mapping[int, tuple[dt.date, dt.date]],
    asked: Mapping[int, Iterable[int]],
) -> dict[tuple[int, int], str]:
    """(round, object) → state, from (object, as_of, review status) entries.

    ``periods`` gives each round its (start, end); ``asked`` each round the objects it asks for.
    """
    wanted: dict[int, list[tuple[int, dt.date, dt.date]]] = {}
    for round_id, ids in asked.items():
        start, end = periods[round_id]
        for object_id in ids:
            wanted.setdefault(object_id, []).append((round_id, start, end))
    seen: dict[tuple[int, int], list[str]] = {}
    for object_id, as_of, status in entries:
        for round_id, start, end in wanted.get(object_id, ()):
            if start <= as_of <= end:
                seen.setdefault((round_id, object_id), []).append(status)
    return {key: item_state(statuses) for key, statuses in seen.items()}
