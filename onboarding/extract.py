"""The text of an uploaded document: .txt (UTF-8 or GBK), .docx, or a PDF with a text layer.

Tables in a .docx come out as tab-separated rows, the way the seed texts print their 专栏1, so the
proposer reads them the same way. A scanned PDF (no text layer) is refused with a message rather
than proposed from nothing.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import PurePath

# PDF fonts often map characters to radical code points that look the same (⼤ for 大, ⺠ for 民).
# Kangxi radicals have a compatibility decomposition; the supplement's common ones are listed.
RADICAL_SUPPLEMENT = str.maketrans(
    {
        "⺠": "民",
        "⻅": "见",
        "⻓": "长",
        "⻔": "门",
        "⻋": "车",
        "⻛": "风",
        "⻜": "飞",
        "⻢": "马",
        "⻚": "页",
        "⻄": "西",
        "⻝": "食",
        "⻨": "麦",
        "⻩": "黄",
        "⻬": "齐",
        "⻮": "齿",
        "⻳": "龟",
        "⺟": "母",
        "⺁": "厂",
        "⺇": "几",
        "⺋": "卩",
        "⻆": "角",
        "⻉": "贝",
        "⻊": "足",
        "⻈": "讠",
        "⻙": "韦",
        "⻥": "鱼",
        "⻦": "鸟",
        "⻧": "卤",
        "⻪": "黾",
        "⻭": "齿",
    }
)
CJK = r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef()]"
PDF_SPACE_RE = re.compile(rf"(?<={CJK}) +(?=\S)|(?<=\S) +(?={CJK})")


class UnreadableDocument(ValueError):
    """The file is not a document we can read; the message is in Chinese and English."""


SUFFIXES = (".txt", ".docx", ".pdf")


def extract_text(name: str, data: bytes) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix == ".txt" or (not suffix and not data.startswith((b"PK", b"%PDF"))):
        return _text(data)
    if suffix == ".docx":
        return _docx(data)
    if suffix == ".pdf":
        return _pdf(data)
    raise UnreadableDocument(
        f"不支持的文件类型 {suffix or '(无扩展名)'}：请上传 .txt、.docx 或含文字层的 PDF / "
        f"unsupported file type {suffix or '(none)'}: upload .txt, .docx or a PDF with text"
    )


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument("文本文件既不是 UTF-8 也不是 GBK / the text is neither UTF-8 nor GBK")


def _docx(data: bytes) -> str:
    import docx  # python-docx
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document: Document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises several kinds for a file that is not a docx
        raise UnreadableDocument(
            f"无法读取 .docx 文件：{error} / cannot read the .docx file: {error}"
        ) from error
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells = [cell.text.replace("\n", " ").strip() for cell in row.cells]
                lines.append("\t".join(cells))
    return "\n\n".join(line for line in lines if line.strip()) + "\n"


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as error:
        raise UnreadableDocument(f"无法读取 PDF：{error} / cannot read the PDF: {error}") from error
    text = clean_pdf_text("\n".join(pages))
    if len(text.strip()) < 20:
        raise UnreadableDocument(
            "PDF 没有文字层(可能是扫描件)，请上传文字版或粘贴文本 / the PDF has no text layer "
            "(a scan?): upload a text version or paste the text"
        )
    return text


def clean_pdf_text(text: str) -> str:
    """Undo what PDF text extraction adds: radical look-alikes and spaces around CJK runs."""
    text = "".join(
        unicodedata.normalize("NFKC", c) if "\u2f00" <= c <= "\u2fdf" else c for c in text
    )
    text = text.translate(RADICAL_SUPPLEMENT)
    return "\n".join(PDF_SPACE_RE.sub("", line) for line in text.split("\n"))
