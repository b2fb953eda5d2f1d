"""Which evidence files are accepted: a size limit from settings and a type allow-list.

A file is checked by its extension and by its first bytes (magic numbers), so a renamed
program is refused as surely as a file that is too large. Pure: no database, no storage.
"""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.utils.translation import gettext

PDF = (b"%PDF-",)
ZIP = (b"PK\x03\x04",)  # Office Open XML (docx, xlsx, pptx), OFD, zip
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # Office 97–2003 (doc, xls, ppt), WPS
MAGIC: dict[str, tuple[bytes, ...]] = {
    "pdf": PDF,
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
    "docx": ZIP,
    "xlsx": ZIP,
    "pptx": ZIP,
    "ofd": ZIP,
    "doc": OLE,
    "xls": OLE,
    "ppt": OLE,
    "wps": OLE,
    "zip": ZIP,
    "7z": (b"7z\xbc\xaf\x27\x1c",),
    "rar": (b"Rar!\x1a\x07",),
    "gz": (b"\x1f\x8b",),
}
# Shown in the browser (inline); every other type downloads.
INLINE = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}


def extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def max_bytes() -> int:
    return int(settings.EVIDENCE_MAX_BYTES)


def problem(name: str, size: int, head: bytes) -> str | None:
    """Why the file cannot be kept (a bilingual sentence), or None when it can."""
    limit_mb = max_bytes() / (1024 * 1024)
    if size > max_bytes():
        return gettext(
            "文件“{name}”大小为{size:.1f} MB，超过{limit:g} MB的上限 "
            "(“{name}” is {size:.1f} MB, over the {limit:g} MB limit)"
        ).format(name=name, size=size / (1024 * 1024), limit=limit_mb)
    if size == 0:
        return gettext("文件“{name}”是空文件 (“{name}” is empty)").format(name=name)
    ext = extension(name)
    allowed = "、".join(sorted(MAGIC))
    if ext not in MAGIC:
        return gettext(
            "不接受“{name}”的文件类型；可上传 PDF、图片、Office 文档或压缩包：{allowed} "
            "(“{name}” is not an accepted type; upload a PDF, an image, an Office document "
            "or an archive: {allowed})"
        ).format(name=name, allowed=allowed)
    if not any(head.startswith(magic) for magic in MAGIC[ext]) or (
        ext == "webp" and head[8:12] != b"WEBP"
    ):
        return gettext(
            "文件“{name}”的内容不是{ext}文件(扩展名与内容不符) "
            "(“{name}” does not contain a {ext} file: its name and content disagree)"
        ).format(name=name, ext=ext.upper())
    return None


def file_problem(upload: IO[bytes], name: str, size: int) -> str | None:
    """``problem`` for an uploaded file, reading only its first bytes."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return problem(name, size, head)
