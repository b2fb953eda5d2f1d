"""One safe ``Content-Disposition`` for every download, whatever a URL parameter carries.

A filter typed into a URL (``?province=a%0Ab``) once reached the header and made Django refuse
the response with a 500 (a newline in a header). File names are built from ASCII letters,
digits, ``.``, ``_`` and ``-`` only; anything else becomes ``-``.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str, *, default: str = "download") -> str:
    """``name`` reduced to characters every browser and proxy accepts in a header."""
    cleaned = _UNSAFE.sub("-", name).strip("-.")
    cleaned = re.sub(r"-{2,}", "-", cleaned)
    return cleaned[:120] or default


def attachment(name: str) -> str:
    """The ``Content-Disposition`` value that downloads ``name`` (made safe)."""
    return f'attachment; filename="{safe_filename(name)}"'
