"""Excel in and out: safe cells on the way out, tolerant reading on the way in."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SpreadsheetError(ValueError):
    """The uploaded file is not a spreadsheet we can read; the message is for the user."""


class RowProgress(Protocol):
    """Who follows a ledger being written (an export job): told the expected number of rows, then
    how many are written, every ``every`` rows and once at the end."""

    every: int

    def begin(self, total: int) -> None: ...

    def advance(self, done: int) -> None: ...


_progress: ContextVar[RowProgress | None] = ContextVar("fugong_excel_progress", default=None)


@contextmanager
def reporting_progress(progress: RowProgress) -> Iterator[RowProgress]:
    """While inside, every ledger written with :func:`write_xlsx` (and the list view's export,
    which announces its row count) reports to ``progress``: the exporters need no change to run
    as background jobs with a progress bar."""
    token = _progress.set(progress)
    try:
        yield progress
    finally:
        _progress.reset(token)


def current_progress() -> RowProgress | None:
    """The progress that is being reported to, if a background job is writing a ledger."""
    return _progress.get()


def safe_cell(value: Any) -> Any:
    """Neutralise text that Excel would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def header_cells(sheet: Any, headers: Sequence[str]) -> list[Any]:
    """The bold, shaded header row every ledger and error report uses (write-only sheets)."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cells.append(cell)
    return cells


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    """A one-sheet workbook with a bold frozen header row; streamed, so large lists stay small in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(header_cells(sheet, headers))
    progress = _progress.get()
    if progress is None:
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
    else:
        written = 0
        for written, row in enumerate(rows, 1):
            sheet.append([safe_cell(value) for value in row])
            if written % progress.every == 0:
                progress.advance(written)
        progress.advance(written)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_table(content: bytes, filename: str) -> Iterator[list[Any]]:
    """Rows of the first sheet of an .xlsx/.xls/.csv file, as lists of cell values.

    Raises :class:`SpreadsheetError` with a Chinese message for anything that is not a readable
    spreadsheet, so a broken upload is refused with a reason instead of a server error.
    """
    name = filename.lower()
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SpreadsheetError("CSV 文件编码无法识别，请另存为 UTF-8 编码。")
        try:
            lines = list(csv.reader(io.StringIO(text)))
        except csv.Error as exc:  # e.g. a cell longer than the csv module's field limit
            raise SpreadsheetError("CSV 文件格式错误，无法读取；请用 Excel 另存为 .xlsx 后再导入。") from exc
        yield from lines
        return
    if not name.endswith((".xlsx", ".xls", ".xlsm")):
        raise SpreadsheetError("只接受 .xlsx、.xls 或 .csv 文件。")
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise SpreadsheetError("文件已损坏或不是有效的 Excel 文件，无法读取。") from exc
    yield from rows


def cell_text(value: Any) -> str:
    """A cell as trimmed text: whole floats lose their '.0', dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
