"""“Did you mean …”: printed names close to one a person typed. Pure, no Django.

Sheets carry names as people remember them (新建省级计量专业技术委员会 for
省级计量专业技术委员会); the import names the likely ones instead of only refusing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6
LIMIT = 3


def close_names(typed: str, names: Iterable[str], *, limit: int = LIMIT) -> list[str]:
    """Up to ``limit`` names most like ``typed``: one containing the other first, then by
    similarity (difflib's ratio over characters, which suits Chinese without word breaks)."""
    typed = typed.strip()
    if not typed:
        return []
    unique = list(dict.fromkeys(n for n in names if n))
    contained = [n for n in unique if n in typed or typed in n]
    similar = difflib.get_close_matches(typed, unique, n=limit + len(contained), cutoff=CUTOFF)
    ordered = sorted(contained, key=lambda n: -difflib.SequenceMatcher(None, typed, n).ratio())
    return list(dict.fromkeys([*ordered, *similar]))[:limit]
