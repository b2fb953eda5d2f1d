"""Reading a progress sheet faithfully: bytes → sheets → rows of cells, and cells → values.

No database here: this module turns an uploaded ``.xlsx`` or ``.csv`` into rows numbered as
Excel shows them, and reads one cell at a time into a number, a date, a yes/no or text. Anything
it cannot read for certain is refused with a short bilingual message that says how to write it,
rather than guessed: a sheet's meaning must survive the trip unchanged.

What is read (and why):
- ``.xlsx`` cells keep their number format, so 85% typed in Excel (stored as 0.85 with a percent
  format) reads as 85 percent, not 0.85. Merged cells (a province or document merged down a
  column) give every cell of the range the top-left value. The workbook is streamed
  (``read_only``), so memory stays flat on 100,000 rows.
- ``.csv`` in UTF-8 (with or without BOM) or GB18030/GBK (Chinese Excel's "Save as CSV"). A file
  that mixes the two, or that is Shift-JIS (Japanese Excel), is refused: decoding it either way
  would store garbled text.
- Numbers as people type them in Chinese sheets: ``1,234.5``, ``85%``, ``12家`` (the unit as
  printed, checked against the indicator's), ``1.2万``, full-width digits. Refused with advice:
  ``1.234,5`` / ``1,5`` (decimal comma), ``约12``, ``十二``, more than 4 decimals, too large.
- Dates: Excel date cells, ``2025-06-30``, ``2025/6/30``, ``2025.6.30``, ``20250630``,
  ``2025年6月30日`` (spaces allowed), a bare year (its 31 December); a time of midnight only.
  Refused: ``30/06/2025`` and ``06/30/2025`` (which is the day?), anything after the date
  (``2025-06-30 garbage``, ``2025-06-30T25:00``), years outside 1900–2100.
- Text (a note) is kept as typed, full-width punctuation included; only its ends are trimmed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

MAX_INTEGER_DIGITS = 10  # DecimalField(max_digits=14, decimal_places=4)
MAX_DECIMALS = 4
FOUR_PLACES = Decimal("0.0001")
ECHO_CHARS = 40  # how much of a bad cell a message repeats
HEADER_SCAN_ROWS = 30  # title rows above the header
EXCEL_EPOCH = dt.date(1899, 12, 30)
MULTIPLIERS = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
TRUE_WORDS = {"1", "true", "yes", "y", "是", "已完成", "完成", "√", "✓", "done"}
FALSE_WORDS = {"0", "false", "no", "n", "否", "未完成", "×", "✗", "not done"}


class CellProblem(ValueError):
    """A cell that cannot be read for certain; ``str()`` is the bilingual message."""


class FileProblem(ValueError):
    """A file that cannot be read faithfully as a whole; ``str()`` is the bilingual message."""


@dataclass(frozen=True)
class Percent:
    """An Excel number cell formatted as a percentage: 0.85 shown as 85%."""

    fraction: float

    def __str__(self) -> str:
        return f"{Decimal(repr(self.fraction)) * 100:f}%"


@dataclass(frozen=True)
class Number:
    """A number as written: its value, whether it carried a % sign, and the unit after it."""

    value: Decimal
    percent: bool = False
    unit: str = ""


@dataclass
class RawSheet:
    """One sheet of a file: its name and its non-blank rows as (Excel row number, cells)."""

    name: str
    rows: Iterator[tuple[int, list[Any]]]


# --- small text helpers -------------------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def folded(value: Any) -> str:
    """A key cell (code, name, number, date) compared loosely: full-width folded, 1.0 → "1".

    Never used for text that is stored: notes keep their full-width punctuation.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def key(value: Any) -> str:
    """How headers, codes and names are matched: folded, without spaces or underscores, any case."""
    return re.sub(r"[\s_]+", "", folded("" if value is None else value)).lower()


def shorten(value: Any, limit: int = ECHO_CHARS) -> str:
    """A cell as a message repeats it: one line, at most ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel labels it."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def clean_text(value: Any) -> str:
    """Text as typed (a note): ends trimmed, nothing folded; a number cell as its digits."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- numbers ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^([+-]?)(\d[\d,]*(?:\.\d+)?|\.\d+)(.*)$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_CHINESE_NUMERALS = set("零〇一二两三四五六七八九十百千")


def _how_to_write_a_number(value: Any) -> CellProblem:
    return CellProblem(
        gettext(
            "“{value}”不是可识别的数字，请只写阿拉伯数字，如12、1234.5、85%或1.2万 "
            "(“{value}” is not a number this sheet can read: write digits only, such as 12, "
            "1234.5, 85% or 1.2万)"
        ).format(value=shorten(value))
    )


def _bounded(number: Decimal, shown: Any) -> Decimal:
    if not number.is_finite():
        raise _how_to_write_a_number(shown)
    integer_digits = len(str(abs(number).to_integral_value(rounding=ROUND_HALF_UP)))
    if abs(number) >= 1 and integer_digits > MAX_INTEGER_DIGITS:
        raise CellProblem(
            gettext(
                "“{value}”太大：整数部分最多{digits}位 "
                "(“{value}” is too large: at most {digits} digits before the decimal point)"
            ).format(value=shorten(shown), digits=MAX_INTEGER_DIGITS)
        )
    return number


def parse_number(value: Any) -> Number:
    """A value cell as a number; see the module docstring for what is accepted and refused."""
    if isinstance(value, bool):
        raise _how_to_write_a_number(value)
    if isinstance(value, Percent):
        number = Decimal(repr(value.fraction)) * 100
        return Number(_bounded(number, value).quantize(FOUR_PLACES, ROUND_HALF_UP), percent=True)
    if isinstance(value, int | float | Decimal):
        # An Excel number cell: binary noise (85.30000000000001) is rounded to 4 places, as
        # Excel itself shows the cell.
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return Number(_bounded(number, value).quantize(FOUR_PLACES, ROUND_HALF_UP))
    text = folded(value).replace("\u2212", "-").replace(" ", "")
    match = _NUMBER.match(text)
    if not match:
        raise _how_to_write_a_number(value)
    sign, digits, tail = match.groups()
    if "," in digits:
        if not _GROUPED.match(digits):  # 1,5 or 1.234,5: a decimal comma, or a typo
            raise CellProblem(
                gettext(
                    "“{value}”的逗号含义不明：小数点请用“.”，千位分隔可省略，如1234.5 "
                    "(“{value}”: the comma is ambiguous; use “.” for decimals, e.g. 1234.5)"
                ).format(value=shorten(value))
            )
        digits = digits.replace(",", "")
    if any(ch.isdigit() for ch in tail) and not tail.startswith((",", ".")):
        raise _how_to_write_a_number(value)  # 2023-12-31, 12/5: not one number
    if tail.startswith((",", ".")):
        raise CellProblem(
            gettext(
                "“{value}”的逗号含义不明：小数点请用“.”，千位分隔可省略，如1234.5 "
                "(“{value}”: the comma is ambiguous; use “.” for decimals, e.g. 1234.5)"
            ).format(value=shorten(value))
        )
    try:
        number = Decimal(sign + digits)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits digits only
        raise _how_to_write_a_number(value) from exc
    percent = False
    if tail.startswith("%"):
        percent, tail = True, tail[1:]
    elif tail[:1] in MULTIPLIERS:
        number, tail = number * MULTIPLIERS[tail[0]], tail[1:]
    if any(ch in _CHINESE_NUMERALS for ch in tail[:1]) and tail not in ("千家",):
        raise _how_to_write_a_number(value)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        raise CellProblem(
            gettext(
                "“{value}”的小数超过{places}位，请四舍五入后再填 "
                "(“{value}” has more than {places} decimals: round it first)"
            ).format(value=shorten(value), places=MAX_DECIMALS)
        )
    return Number(_bounded(number, value).quantize(FOUR_PLACES), percent=percent, unit=tail)


# --- dates --------------------------------------------------------------------------------------

_MIDNIGHT = r"(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?"
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _MIDNIGHT + "$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})" + _MIDNIGHT + "$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_YEAR_PATTERN = re.compile(r"^(\d{4})年?(?:底|末)?$")
_DAY_FIRST = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$")
MIN_YEAR, MAX_YEAR = 1900, 2100


def _not_a_date(value: Any) -> CellProblem:
    return CellProblem(
        gettext(
            "“{value}”不是可识别的日期，请写作2025-06-30或2025年6月30日 "
            "(“{value}” is not a date this sheet can read: write 2025-06-30)"
        ).format(value=shorten(value))
    )


def _checked(year: int, month: int, day: int, shown: Any) -> dt.date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _not_a_date(shown)
    try:
        return dt.date(year, month, day)
    except ValueError as exc:  # 2025-02-30
        raise _not_a_date(shown) from exc


def parse_date(value: Any) -> dt.date:
    """A date cell; see the module docstring for what is accepted and refused."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0, 0):
            raise CellProblem(
                gettext(
                    "“{value}”带有时刻，请只填日期 "
                    "(“{value}” has a time of day: give the date only)"
                ).format(value=shorten(value))
            )
        return _checked(value.year, value.month, value.day, value)
    if isinstance(value, dt.date):
        return _checked(value.year, value.month, value.day, value)
    if isinstance(value, bool | Percent):
        raise _not_a_date(value)
    if isinstance(value, int | float) and 10000 < value < 100000 and float(value).is_integer():
        # An Excel serial day number in a cell without a date format.
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = re.sub(r"\s+", "", folded(value)) if "年" in str(value) else folded(value)
    if _DAY_FIRST.match(text):
        raise CellProblem(
            gettext(
                "“{value}”无法确定哪一位是日、哪一位是月，请写作2025-06-30 "
                "(“{value}” does not say which is the day and which the month: write 2025-06-30)"
            ).format(value=shorten(value))
        )
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return _checked(year, month, day, value)
    match = _YEAR_PATTERN.match(text)
    if match:
        return _checked(int(match.group(1)), 12, 31, value)
    raise _not_a_date(value)


def parse_done(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = folded(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellProblem(
        gettext("“{value}”应为是/否 (“{value}” should be yes or no)").format(value=shorten(value))
    )


# --- files --------------------------------------------------------------------------------------


def _empty_file() -> FileProblem:
    return FileProblem(
        gettext("文件为空：没有表头，也没有数据 (the file is empty: no header, no rows)")
    )


def _unreadable(reason_zh: str, reason_en: str) -> FileProblem:
    # Both languages always: the reason is chosen here, so one gettext template cannot say it.
    return FileProblem(f"无法读取文件：{reason_zh} (cannot read the file: {reason_en})")


def _looks_japanese(data: bytes) -> bool:
    try:
        text = data.decode("shift_jis")
    except UnicodeDecodeError:
        return False
    kana = sum(1 for ch in text if "\u3040" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f")
    return kana > 0


def decode_csv(data: bytes) -> str:
    """UTF-8 (BOM or not) or GB18030; refuse a mix of the two, Shift-JIS, or anything else."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    utf8_lines = other_lines = 0
    for line in data.splitlines():
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            other_lines += 1
    if utf8_lines and other_lines:
        raise _unreadable(
            "文件混用了UTF-8和GBK两种编码，请在Excel中另存为“CSV UTF-8”",
            "it mixes the UTF-8 and GBK encodings; save it again as “CSV UTF-8” from Excel",
        )
    if _looks_japanese(data):
        raise _unreadable(
            "文件似为日文Shift-JIS编码，请另存为“CSV UTF-8”",
            "it looks like Japanese Shift-JIS; save it again as “CSV UTF-8”",
        )
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _unreadable(
            "无法识别编码，请另存为UTF-8或GBK编码的CSV",
            "unknown encoding; save it as UTF-8 or GBK CSV",
        ) from exc


def _csv_sheets(data: bytes) -> list[RawSheet]:
    text = decode_csv(data)
    if not text.strip():
        raise _empty_file()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            for number, cells in enumerate(reader, start=1):
                if any(not is_blank(cell) for cell in cells):
                    yield number, list(cells)
        except csv.Error as exc:
            raise _unreadable(
                "CSV格式有误（引号未闭合？）", f"malformed CSV (an unclosed quote?): {exc}"
            ) from exc

    return [RawSheet(name="CSV", rows=rows())]


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters.decode():
        index = index * 26 + ord(letter) - 64
    return index - 1


def _merged_ranges(worksheet) -> list[tuple[int, int, int, int]]:
    """(first row, last row, first column, last column) of each merged range, from the XML."""
    ranges = []
    tail = b""
    with worksheet._get_source() as source:  # read-only worksheets do not parse merges
        while chunk := source.read(1 << 20):
            block = tail + chunk
            for match in _MERGE.finditer(block):
                c1, r1, c2, r2 = match.groups()
                ranges.append((int(r1), int(r2), _column_index(c1), _column_index(c2)))
            tail = block[-200:] if not block.endswith(b">") else b""
    return sorted(set(ranges))


def _xlsx_rows(worksheet) -> Iterator[tuple[int, list[Any]]]:
    merges = _merged_ranges(worksheet)
    fills: dict[tuple[int, int], Any] = {}
    starts = {(r1, c1): (r1, r2, c1, c2) for r1, r2, c1, c2 in merges}
    # Read-only rows come one per sheet row from row 1, missing rows as empty tuples.
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        values: list[Any] = []
        for cell in cells:
            value = cell.value
            if (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and "%" in (cell.number_format or "")
            ):
                value = Percent(float(value))
            values.append(value)
        for index, value in enumerate(values):
            merge = starts.get((number, index))
            if merge:
                r1, r2, c1, c2 = merge
                for row in range(r1, r2 + 1):
                    for column in range(c1, c2 + 1):
                        fills[(row, column)] = value
        if fills:
            for (row, column), value in list(fills.items()):
                if row == number:
                    while len(values) <= column:
                        values.append(None)
                    if is_blank(values[column]):
                        values[column] = value
                    del fills[(row, column)]
        while values and is_blank(values[-1]):
            values.pop()
        if values:
            yield number, values


def _xlsx_sheets(data: bytes) -> list[RawSheet]:
    import openpyxl  # imported here: CSV imports need none of it

    if not data:
        raise _empty_file()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except zipfile.BadZipFile as exc:
        raise _unreadable(
            "不是有效的Excel(.xlsx)文件，可能已损坏或是其他格式",
            "not a valid Excel (.xlsx) file: damaged, or another kind of file",
        ) from exc
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise _unreadable(
            "Excel文件已损坏，无法打开，请在Excel中另存后重试",
            "the Excel file is damaged; save it again from Excel and retry",
        ) from exc
    return [
        RawSheet(name=worksheet.title, rows=_xlsx_rows(worksheet)) for worksheet in book.worksheets
    ]


def open_sheets(data: bytes, fmt: str) -> list[RawSheet]:
    """The sheets of a ``csv`` or ``xlsx`` file, rows streamed; FileProblem if unreadable."""
    if fmt == "csv":
        if data.startswith(b"PK\x03\x04"):
            raise _unreadable(
                "这是Excel文件，不是CSV，请选择.xlsx格式",
                "this is an Excel workbook, not CSV: import it as .xlsx",
            )
        return _csv_sheets(data)
    if fmt == "xlsx":
        return _xlsx_sheets(data)
    raise FileProblem(
        gettext("不支持的文件格式“{fmt}”，可用csv或xlsx (unsupported format “{fmt}”)").format(
            fmt=shorten(fmt)
        )
    )


def empty_file() -> FileProblem:
    return _empty_file()
