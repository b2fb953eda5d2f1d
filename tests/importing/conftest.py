"""The hand-built catalogue of tests/targets, and sheet builders for import tests."""

import io

import openpyxl
import pytest

from tests.targets.conftest import build_catalogue, make_report

HEADER = ["province", "document", "indicator", "as_of", "value", "note", "done"]


@pytest.fixture
def catalogue(db):
    return build_catalogue()


@pytest.fixture(name="make_report")
def make_report_fixture():
    return make_report


def workbook(*sheets: tuple[str, list[list]], formats: dict | None = None) -> bytes:
    """An .xlsx with the given (title, rows) sheets; ``formats`` maps (sheet, cell) → format."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    for (title, cell), number_format in (formats or {}).items():
        book[title][cell].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return "\n".join([",".join(HEADER), *rows]).encode(encoding)
