"""Builders for workforce tests: valid ID numbers and real roster files (.xlsx, .csv)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook, load_workbook

from fugong.core.idcard import check_character

HEADERS = ["姓名", "身份证号", "手机号", "现住址", "户籍地", "返岗日期", "交通方式", "岗位", "宿舍", "是否乘坐班车", "假期所在地", "来源地"]


def id_number(serial: int, *, area: str = "441602", born: date = date(1990, 1, 1)) -> str:
    """A valid 18-character ID number, different for every serial (1,000 per birth date)."""
    birth = born + timedelta(days=serial // 1000)
    body = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + check_character(body)


def roster_row(name: str, number: object, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "姓名": name, "身份证号": number, "手机号": "13800138000", "现住址": "河源市源城区兴源路1号", "户籍地": "广东省河源市紫金县",
        "返岗日期": "2020-02-10", "交通方式": "自驾", "岗位": "一线", "宿舍": "A302", "是否乘坐班车": "否", "假期所在地": "紫金县",
        "来源地": "省内其他城市",
    }
    row.update(overrides)
    return row


def xlsx_bytes(rows: Iterable[dict[str, Any]], headers: Sequence[str] = HEADERS, *, title_rows: Sequence[Sequence[Any]] = ()) -> bytes:
    """A real workbook as Excel writes it: values keep their types (a float stays a float)."""
    workbook = Workbook()
    sheet = workbook.active
    for line in title_rows:
        sheet.append(list(line))
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Iterable[dict[str, Any]], headers: Sequence[str] = HEADERS, *, encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    return buffer.getvalue().encode(encoding)


def many_rows(count: int, *, start: int = 0) -> Iterator[list[str]]:
    """``count`` valid roster rows in template order, fast to generate (for the 100,000-row test)."""
    surnames, given = "王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋"
    for serial in range(start, start + count):
        yield [surnames[serial % 10] + given[(serial // 10) % 10] + given[(serial // 100) % 10], id_number(serial),
               f"138{serial:08d}", "河源市源城区兴源路1号", "广东省河源市", "2020-02-10", "自驾", "一线", f"{serial % 500}", "否",
               "紫金县", "省内其他城市"]


def many_csv(count: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(many_rows(count))
    return buffer.getvalue().encode("utf-8")


def read_sheets(content: bytes) -> dict[str, list[list[Any]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}
