"""Builders for enterprise tests: valid credit codes, form posts and real spreadsheet files."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from stdnum.cn import uscc

from fugong.enterprises.models import Enterprise
from fugong.regions.models import Region

# The order of the import template's columns.
IMPORT_HEADERS = ["企业名称", "统一社会信用代码", "行业", "规模", "保障类别", "地址", "镇街", "网格/村社区", "法定代表人",
                  "防疫联系人", "联系电话", "员工总数", "食堂", "宿舍", "通勤班车", "封闭管理", "本地员工占比(%)", "园区入驻"]


def uscc_for(serial: int, county: str = "441602") -> str:
    """A valid code that no demo enterprise has (their nine random characters are never "T0000000n")."""
    body = f"91{county}T{serial:08d}"
    return body + uscc.calc_check_digit(body)


def with_wrong_check(code: str) -> tuple[str, str]:
    """The code with a wrong last character, and the character that belongs there."""
    right = code[-1]
    wrong = "0" if right != "0" else "1"
    return code[:-1] + wrong, right


def form_data(region: Region, **overrides: Any) -> dict[str, Any]:
    """What a person types into the enterprise form; checkboxes only when ticked, as browsers send them."""
    data: dict[str, Any] = {
        "name": "河源市测试精密制造有限公司",
        "uscc": uscc_for(1),
        "sector": "industry",
        "size": "above",
        "essential_category": "",
        "address": "河源市高新区科技大道88号",
        "region": str(region.pk),
        "legal_representative": "王建国",
        "contact_name": "李秀英",
        "contact_phone": "13912345678",
        "headcount": "320",
        "has_canteen": "on",
        "closed_management": "semi",
        "local_staff_percent": "75",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_data(enterprise: Enterprise, **overrides: Any) -> dict[str, Any]:
    """The edit form as it arrives filled with the enterprise's current values."""
    data: dict[str, Any] = {
        "name": enterprise.name, "uscc": enterprise.uscc, "sector": enterprise.sector, "size": enterprise.size,
        "essential_category": enterprise.essential_category, "address": enterprise.address, "region": str(enterprise.region_id),
        "legal_representative": enterprise.legal_representative, "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone, "headcount": str(enterprise.headcount),
        "closed_management": enterprise.closed_management, "local_staff_percent": str(enterprise.local_staff_percent),
    }
    for flag in ("in_park", "key_cultivated", "has_canteen", "has_dormitory", "has_shuttle_bus"):
        if getattr(enterprise, flag):
            data[flag] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def import_row(name: str, code: str, town: str = "高新区", region: str = "", **overrides: str) -> dict[str, str]:
    """One filled-in row of the import template, by header."""
    row = {
        "企业名称": name, "统一社会信用代码": code, "行业": "工业", "规模": "规下", "保障类别": "", "地址": f"{town}创业路1号",
        "镇街": town, "网格/村社区": region, "法定代表人": "张伟", "防疫联系人": "陈静", "联系电话": "13800138000",
        "员工总数": "45", "食堂": "有", "宿舍": "无", "通勤班车": "无", "封闭管理": "半封闭", "本地员工占比(%)": "80", "园区入驻": "否",
    }
    row.update(overrides)
    return row


def xlsx_bytes(rows: Iterable[dict[str, Any]], headers: Sequence[str] = IMPORT_HEADERS) -> bytes:
    """A real .xlsx workbook written by openpyxl, as Excel users produce them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Iterable[dict[str, Any]], encoding: str = "utf-8-sig", headers: Sequence[str] = IMPORT_HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(header, "") for header in headers])
    return buffer.getvalue().encode(encoding)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def read_xlsx(content: bytes) -> list[list[Any]]:
    """Every row of the first sheet, values only."""
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]
