"""How a task is named outside its section: with its part when its number restarts per part.

江苏 and 山东 number their tasks (一)(二)… afresh in every part, so "(一)" alone names four
tasks; 山西 2013 and 青海 number them (三)…(二十四) through the document, 山西 2021 1…28. Pure.
"""

from __future__ import annotations

PARENTHESISED = ("(", "（")


def part_of(section_number: str | None, parent_number: str | None) -> str:
    """The part (一、二、…) a task sits in: its section's parent, else its section."""
    return (parent_number or section_number or "").strip()


def task_label(number: str, part: str | None) -> str:
    """ "(一)" in part "三、" → "三(一)"; an arabic number → itself ("15").

    Parenthesised numbers are the ones that restart per part in the seed documents; they are
    always shown with the part, so a list mixing parts (a department's tasks, the matrix, a
    download) names each task once. Arabic numbers run through the document."""
    number = (number or "").strip()
    part = (part or "").strip().rstrip("、，,.．")
    if part and number.startswith(PARENTHESISED) and not number.startswith(part):
        return f"{part}{number}"
    return number
