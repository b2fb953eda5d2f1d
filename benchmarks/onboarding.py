"""How close the proposer comes to the curated fixtures, on each seed document.

    .venv/bin/python benchmarks/onboarding.py [--verbose]

Runs ``onboarding.proposer.propose`` on every ``fixtures/sources`` text that a
``fixtures/policies/*.yaml`` curates, and compares:

- targets: a proposed target is right when it is the same indicator (its quote overlaps the
  curated target's quote in the text, or the names agree once verbs and 全省/力争 are set aside)
  with the same year, value, comparator (and lower bound for a range);
- tasks: a proposed task is right when its section, number and title agree and its departments
  are the curated ones, each with its role, in any order.

Recall = right / curated, precision = right / proposed, per document and overall; then what was
missed or wrong. The last line is JSON. No database, no network: the proposer is pure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from decimal import Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from onboarding.proposer import propose  # noqa: E402
from onboarding.proposer.targets import normalise  # noqa: E402

FIXTURES = ROOT / "fixtures"


def _span(text: str, quote: str) -> tuple[int, int] | None:
    index = text.find(quote) if quote else -1
    return (index, index + len(quote)) if index >= 0 else None


def _overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return bool(a and b and min(a[1], b[1]) - max(a[0], b[0]) >= 2)


def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _names_agree(a: str, b: str) -> bool:
    a, b = normalise(a), normalise(b)
    return bool(a and b and (a == b or a in b or b in a))


def _targets(document: dict, text: str) -> list[dict]:
    rows = []
    for indicator in document.get("indicators") or []:
        for target in indicator["targets"]:
            rows.append(
                {
                    "name": indicator["name"],
                    "year": target["year"],
                    "value": _number(target["value"]),
                    "comparator": target["comparator"],
                    "lower": _number(target.get("lower_bound")),
                    "quote": target["quote"],
                    "span": _span(text, target["quote"]),
                    "restated": [_span(text, q) for q in target.get("restated_quotes") or []],
                    "category": indicator.get("category"),
                    "kind": indicator.get("measure_kind"),
                    "unit": indicator.get("unit"),
                    "baseline": _number((indicator.get("baseline") or {}).get("value")),
                }
            )
    return rows


def _same_values(a: dict, b: dict) -> bool:
    return (
        a["year"] == b["year"]
        and a["value"] == b["value"]
        and a["comparator"] == b["comparator"]
        and (a["comparator"] != "range" or a["lower"] == b["lower"])
    )


def _describe(t: dict) -> str:
    value = "—" if t["value"] is None else f"{t['value']}"
    if t["comparator"] == "range":
        value = f"{t['lower']}—{value}"
    return f"{t['name']} {t['year']} {t['comparator']} {value}  «{t['quote'][:40]}»"


def compare_targets(curated: list[dict], proposed: list[dict]) -> dict:
    used: set[int] = set()
    right, missed, same_category = 0, [], 0
    agreement = {"kind": 0, "unit": 0, "baseline": 0}
    for c in curated:
        same = [
            i
            for i, p in enumerate(proposed)
            if i not in used
            and (_overlap(c["span"], p["span"]) or _names_agree(c["name"], p["name"]))
        ]
        exact = next((i for i in same if _same_values(c, proposed[i])), None)
        if exact is not None:
            used.add(exact)
            right += 1
            same_category += proposed[exact]["category"] == c["category"]
            for field in ("kind", "unit", "baseline"):
                agreement[field] += proposed[exact][field] == c[field]
            continue
        near = next((i for i in same if _overlap(c["span"], proposed[i]["span"])), None)
        if near is not None:
            missed.append(f"{_describe(c)}  ≠ proposed {_describe(proposed[near])}")
        else:
            missed.append(f"{_describe(c)}  (not proposed)")
    wrong = []
    restated_spans = [s for c in curated for s in c["restated"]]
    for i, p in enumerate(proposed):
        if i in used:
            continue
        note = ""
        if any(_overlap(p["span"], s) for s in restated_spans):
            note = "  (a restatement of a curated target, proposed as its own)"
        wrong.append(_describe(p) + note)
    return {
        "curated": len(curated),
        "proposed": len(proposed),
        "right": right,
        "missed": missed,
        "wrong": wrong,
        "same_category": same_category,
        "agreement": agreement,
    }


def _task_key(task: dict) -> tuple[str, str]:
    number = task["number"].replace("（", "(").replace("）", ")")
    return task["section"], number


def _units(task: dict) -> set[tuple[str, str]]:
    return {(d["name"], d["role"]) for d in task["departments"]}


def compare_tasks(curated: list[dict], proposed: list[dict]) -> dict:
    by_key = {_task_key(t): t for t in proposed}
    right, missed = 0, []
    matched: set[tuple[str, str]] = set()
    unit_right = unit_curated = unit_proposed = 0
    for c in curated:
        key = _task_key(c)
        unit_curated += len(c["departments"])
        p = by_key.get(key)
        if p is None:
            missed.append(f"{key[0]} {key[1]} {c['title']}  (not proposed)")
            continue
        matched.add(key)
        unit_right += len(_units(c) & _units(p))
        problems = []
        if normalise(p["title"]) != normalise(c["title"]):
            problems.append(f"title «{p['title'][:30]}»")
        if _units(p) != _units(c):
            problems.append(
                f"units missing {sorted(_units(c) - _units(p))} "
                f"extra {sorted(_units(p) - _units(c))}"
            )
        if problems:
            missed.append(f"{key[0]} {key[1]} {c['title']}: " + "; ".join(problems))
        else:
            right += 1
    unit_proposed = sum(len(p["departments"]) for p in proposed)
    wrong = [
        f"{_task_key(p)[0]} {_task_key(p)[1]} {p['title'][:30]}  (not curated)"
        for p in proposed
        if _task_key(p) not in matched
    ]
    return {
        "curated": len(curated),
        "proposed": len(proposed),
        "right": right,
        "missed": missed,
        "wrong": wrong,
        "units_curated": unit_curated,
        "units_proposed": unit_proposed,
        "units_right": unit_right,
    }


def _ratio(a: int, b: int) -> float:
    return round(a / b, 3) if b else 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="also list what was right")
    parser.parse_args(argv)
    categories = yaml.safe_load((FIXTURES / "categories.yaml").read_text(encoding="utf-8"))
    totals = {"targets": [0, 0, 0], "tasks": [0, 0, 0], "units": [0, 0, 0]}
    categories_same = 0
    agreement = {"kind": 0, "unit": 0, "baseline": 0}
    per_document = {}
    slowest = 0.0
    for path in sorted((FIXTURES / "policies").glob("*.yaml")):
        curated = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = (FIXTURES / "sources" / curated["document"]["source_file"]).read_text(
            encoding="utf-8"
        )
        started = time.perf_counter()
        proposal = propose(text, unit_code=curated["document"]["province"], categories=categories)
        seconds = time.perf_counter() - started
        slowest = max(slowest, seconds)
        proposed_targets = [dict(t, span=_span(text, t["quote"])) for t in _targets(proposal, text)]
        targets = compare_targets(_targets(curated, text), proposed_targets)
        tasks = compare_tasks(curated["tasks"], proposal["tasks"])
        slug = curated["document"]["slug"]
        for name, figures in (("targets", targets), ("tasks", tasks)):
            totals[name][0] += figures["right"]
            totals[name][1] += figures["curated"]
            totals[name][2] += figures["proposed"]
        categories_same += targets["same_category"]
        for field, count in targets["agreement"].items():
            agreement[field] += count
        totals["units"][0] += tasks["units_right"]
        totals["units"][1] += tasks["units_curated"]
        totals["units"][2] += tasks["units_proposed"]
        per_document[slug] = {
            "targets_recall": _ratio(targets["right"], targets["curated"]),
            "targets_precision": _ratio(targets["right"], targets["proposed"]),
            "tasks_recall": _ratio(tasks["right"], tasks["curated"]),
            "tasks_precision": _ratio(tasks["right"], tasks["proposed"]),
            "seconds": round(seconds, 3),
        }
        print(f"== {slug}  ({seconds:.3f} s)")
        print(
            f"   targets: {targets['right']} right of {targets['curated']} curated, "
            f"{targets['proposed']} proposed — recall {per_document[slug]['targets_recall']:.1%}, "
            f"precision {per_document[slug]['targets_precision']:.1%}"
        )
        print(
            f"   tasks (with their units): {tasks['right']} right of {tasks['curated']} curated, "
            f"{tasks['proposed']} proposed — recall {per_document[slug]['tasks_recall']:.1%}, "
            f"precision {per_document[slug]['tasks_precision']:.1%}; units "
            f"{tasks['units_right']}/{tasks['units_curated']} curated, "
            f"{tasks['units_proposed']} proposed"
        )
        for line in targets["missed"]:
            print(f"   missed target: {line}")
        for line in targets["wrong"]:
            print(f"   wrong target:  {line}")
        for line in tasks["missed"]:
            print(f"   missed task:   {line}")
        for line in tasks["wrong"]:
            print(f"   wrong task:    {line}")
    summary = {
        name: {
            "recall": _ratio(right, curated),
            "precision": _ratio(right, proposed),
            "right": right,
            "curated": curated,
            "proposed": proposed,
        }
        for name, (right, curated, proposed) in totals.items()
    }
    print("== overall")
    for name, figures in summary.items():
        print(
            f"   {name}: recall {figures['recall']:.1%}, precision {figures['precision']:.1%} "
            f"({figures['right']} right, {figures['curated']} curated, "
            f"{figures['proposed']} proposed)"
        )
    right_targets = totals["targets"][0]
    print(
        f"   categories: {categories_same} of the {right_targets} right targets carry the curated "
        f"cross-province category ({_ratio(categories_same, right_targets):.1%}; informational)"
    )
    print(
        "   of the right targets, the same "
        + ", ".join(f"{field} {count}/{right_targets}" for field, count in agreement.items())
        + " (measure kind, unit as printed, baseline value; informational)"
    )
    print(f"   slowest document: {slowest:.3f} s")
    print(
        json.dumps(
            {
                "overall": summary,
                "documents": per_document,
                "category_agreement": _ratio(categories_same, right_targets),
                "agreement": {f: _ratio(n, right_targets) for f, n in agreement.items()},
                "slowest_seconds": round(slowest, 3),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
