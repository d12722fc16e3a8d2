"""The enterprise's temperatures from a spreadsheet (体温登记表) for one slot of one day.

A row names a person by 身份证号 (with the 姓名 as registered) or by 人员编号 (the record's UUID, as
the roster export gives it), and gives 体温, and optionally 咳嗽 (是/否) and 其他症状. Rows are saved
through :func:`fugong.health.services.checkin_batch`, the API's and the table's path, so a row is
refused for the same reasons there and says why; the others are saved all the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError

from fugong.core import idcard
from fugong.core.excel import SpreadsheetError, cell_text, read_table, write_xlsx
from fugong.health.choices import CheckInSource
from fugong.health.services import MAX_BATCH, checkin_batch

HEADER_SEARCH_ROWS = 10  # a title such as “某某公司体温登记表” may stand above the headers
TEMPLATE_HEADERS = ["姓名", "身份证号", "体温", "咳嗽", "其他症状"]
COLUMNS = {"姓名": "name", "身份证号": "id_number", "身份证号码": "id_number", "人员编号": "person", "体温": "temperature",
           "体温(℃)": "temperature", "体温（℃）": "temperature", "咳嗽": "cough", "其他症状": "symptoms", "症状": "symptoms"}
MAX_ROWS = 10_000
YES = {"是", "有", "y", "yes", "true", "1", "咳嗽"}
NO = {"", "否", "无", "n", "no", "false", "0"}


@dataclass(frozen=True)
class RefusedRow:
    number: int  # the row's number in the sheet, as Excel shows it
    name: str
    reason: str


@dataclass
class TemperatureImport:
    rows: int = 0
    saved: int = 0
    alerts: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    error: str = ""  # the file as a whole could not be read


def _header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    for at, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for index, value in enumerate(row):
            name = COLUMNS.get(cell_text(value).replace(" ", ""))
            if name and name not in columns:
                columns[name] = index
        if "temperature" in columns and ("id_number" in columns or "person" in columns):
            return at, columns
    return None


def import_temperatures(*, enterprise: Any, content: bytes, filename: str, day: date, slot: int, acting_user: Any,
                        request: Any = None) -> TemperatureImport:
    """Save the sheet's temperatures for ``day`` and ``slot`` at ``enterprise``; the result has the
    counts and every refused row with its reason."""
    from fugong.workforce.models import Person
    from fugong.workforce.services import id_number_index

    result = TemperatureImport()
    try:
        rows = [list(row) for row in read_table(content, filename)]
    except SpreadsheetError as exc:
        result.error = str(exc)
        return result
    found = _header(rows)
    if found is None:
        result.error = f"前 {HEADER_SEARCH_ROWS} 行中没有同时包含“体温”和“身份证号”（或“人员编号”）的表头行。请下载模板对照填写。"
        return result
    at, columns = found
    data = [(at + 2 + offset, row) for offset, row in enumerate(rows[at + 1:]) if any(cell_text(c) for c in row)]
    if len(data) > MAX_ROWS:
        result.error = f"一次最多导入 {MAX_ROWS:,} 行，本文件 {len(data):,} 行；请分成几个文件。"
        return result
    result.rows = len(data)

    def cell(row: list[Any], name: str) -> str:
        index = columns.get(name)
        return cell_text(row[index]) if index is not None and index < len(row) else ""

    # Persons named by ID number: one look-up of their blind indexes, in the caller's scope.
    indexes: dict[int, str] = {}
    for number, row in data:
        raw = cell(row, "id_number")
        if raw and not cell(row, "person") and len(idcard.normalise(raw)) == idcard.LENGTH:
            indexes[number] = id_number_index(raw)
    staff = {p.id_number_index: p for p in Person.objects.recordable_by(acting_user).filter(
        enterprise=enterprise, id_number_index__in=set(indexes.values())).only("pk", "name", "id_number_index")}
    items: list[dict[str, Any]] = []
    numbers: list[tuple[int, str]] = []
    for number, row in data:
        name = cell(row, "name")
        try:
            person = _person(row, number, cell, indexes, staff)
            cough = cell(row, "cough").lower()
            if cough not in YES | NO:
                raise ValidationError("咳嗽请填“是”或“否”。")
        except ValidationError as exc:
            result.refused.append(RefusedRow(number, name, exc.messages[0]))
            continue
        items.append({"person": person, "temperature": cell(row, "temperature"), "cough": cough in YES,
                      "symptoms": cell(row, "symptoms"), "date": day, "slot": slot})
        numbers.append((number, name))
    for start in range(0, len(items), MAX_BATCH):
        chunk = checkin_batch(items=items[start:start + MAX_BATCH], acting_user=acting_user, source=CheckInSource.ENTERPRISE, request=request)
        for outcome, (number, name) in zip(chunk, numbers[start:start + MAX_BATCH], strict=True):
            if outcome.ok:
                result.saved += 1
                result.alerts += bool(outcome.alert)
            else:
                result.refused.append(RefusedRow(number, name, outcome.error or "未保存。"))
    result.refused.sort(key=lambda refused: refused.number)
    return result


def _person(row: list[Any], number: int, cell: Any, indexes: dict[int, str], staff: dict[str, Any]) -> str:
    """The person a row names (its record's id), or ValidationError saying why not."""
    from fugong.health.services import NOT_FOUND

    if cell(row, "person"):
        return str(cell(row, "person"))
    raw = cell(row, "id_number")
    if not raw:
        raise ValidationError("请填写身份证号。")
    if number not in indexes:
        raise ValidationError(f"身份证号应为 {idcard.LENGTH} 位，请核对。")
    person = staff.get(indexes[number])
    if person is None:
        raise ValidationError(f"{NOT_FOUND}：本企业没有登记该身份证号。")
    if cell(row, "name") and cell(row, "name").replace(" ", "") != person.name:
        raise ValidationError("姓名与身份证号登记的不一致，请核对。")
    return str(person.pk)


def template() -> bytes:
    """The sheet to fill in: the headers and one example row."""
    return write_xlsx(TEMPLATE_HEADERS, [["张三", "（18位身份证号）", 36.5, "否", ""]], title="体温登记表")


def error_report(result: TemperatureImport) -> bytes:
    return write_xlsx(["行号", "姓名", "未保存原因"], ([r.number, r.name, r.reason] for r in result.refused), title="未保存的行")
