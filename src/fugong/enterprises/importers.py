"""Bulk import of enterprises from Excel with a row-by-row error report.

Good rows go in, bad rows are listed with their reasons, and no row is ever half-written: each
row is saved through the same service as the form, inside its own savepoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fugong.core.excel import SpreadsheetError, cell_text, read_table, write_xlsx
from fugong.enterprises.choices import ClosedManagement, EssentialCategory, Sector, Size
from fugong.enterprises.models import Enterprise
from fugong.enterprises.services import enterprise_create
from fugong.enterprises.validators import validate_uscc
from fugong.regions.choices import Level
from fugong.regions.models import Region

# Template header → field. Extra spaces and full-width brackets in headers are tolerated.
HEADERS: dict[str, str] = {
    "企业名称": "name",
    "统一社会信用代码": "uscc",
    "行业": "sector",
    "规模": "size",
    "保障类别": "essential_category",
    "地址": "address",
    "镇街": "town",
    "网格/村社区": "region",
    "法定代表人": "legal_representative",
    "防疫联系人": "contact_name",
    "联系电话": "contact_phone",
    "员工总数": "headcount",
    "食堂": "has_canteen",
    "宿舍": "has_dormitory",
    "通勤班车": "has_shuttle_bus",
    "封闭管理": "closed_management",
    "本地员工占比(%)": "local_staff_percent",
    "园区入驻": "in_park",
}
REQUIRED = ["name", "uscc", "sector", "size", "address", "town", "legal_representative", "contact_name", "contact_phone"]
YES = {"是", "有", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "n", "no", "false", "0", ""}


@dataclass(frozen=True)
class RefusedRow:
    number: int
    cells: dict[str, str]
    reason: str

    @property
    def name(self) -> str:
        return self.cells.get("企业名称", "")


@dataclass
class ImportResult:
    imported: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    error: str = ""

    def error_report(self) -> bytes:
        headers = ["行号", *HEADERS.keys(), "错误原因"]
        rows = ([row.number, *[row.cells.get(h, "") for h in HEADERS], row.reason] for row in self.refused)
        return write_xlsx(headers, rows, title="导入失败的行")


def template_workbook() -> bytes:
    example = ["河源市示例电子有限公司", "91441602MA4UJ8XX1K", "工业", "规上", "", "河源市高新区科技大道1号", "高新区", "",
               "张三", "李四", "13800000000", "120", "有", "有", "无", "半封闭", "80", "否"]
    return write_xlsx(list(HEADERS.keys()), [example], title="企业导入模板")


def _normalise_header(text: str) -> str:
    return text.replace("（", "(").replace("）", ")").replace(" ", "").replace("\u3000", "").strip()


def _choice(choices: Any, text: str, label: str) -> str:
    for value, display in choices:
        if text in (value, display):
            return value
    allowed = "、".join(str(d) for v, d in choices if v)
    raise ValidationError(f"{label}“{text}”无效，可选：{allowed}")


def _flag(text: str, label: str) -> bool:
    lowered = text.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValidationError(f"{label}应填“是/否”或“有/无”，不能是“{text}”")


class EnterpriseImporter:
    """Reads a sheet with the template's headers (any order) and imports it for ``acting_user``."""

    def __init__(self, *, acting_user: Any, request: Any = None) -> None:
        self.user = acting_user
        self.request = request
        regions = list(Region.objects.for_user(acting_user).filter(level__in=[Level.TOWN, Level.VILLAGE, Level.GRID]))
        # Places are found by name or by code. A name can be shared (two counties' 城关镇 for an
        # admin, two communities' 第一网格 in one town): such a name is refused, never guessed.
        self.towns: dict[str, list[Region]] = {}
        self.below: dict[tuple[int, str], list[Region]] = {}
        town_by_path = {r.path: r for r in regions if r.level == Level.TOWN}
        for town in town_by_path.values():
            for key in {town.name, town.code}:
                self.towns.setdefault(key, []).append(town)
        for region in regions:
            if region.level != Level.TOWN:
                codes = region.path.strip("/").split("/")
                prefixes = ("/" + "/".join(codes[:depth]) + "/" for depth in range(len(codes) - 1, 0, -1))
                town = next((town_by_path[p] for p in prefixes if p in town_by_path), None)
                if town is not None:
                    for key in {region.name, region.code}:
                        self.below.setdefault((town.pk, key), []).append(region)

    def run(self, content: bytes, filename: str) -> ImportResult:
        result = ImportResult()
        try:
            rows = list(read_table(content, filename))
        except SpreadsheetError as exc:
            result.error = str(exc)
            return result
        if not rows:
            result.error = "文件是空的。"
            return result
        headers = [_normalise_header(cell_text(c)) for c in rows[0]]
        columns = {h: i for i, h in enumerate(headers) if h in HEADERS}
        missing = [h for h in HEADERS if HEADERS[h] in REQUIRED and h not in columns]
        if missing:
            result.error = f"表头缺少：{'、'.join(missing)}。请下载模板对照填写。"
            return result
        seen: set[str] = set()
        existing = set(Enterprise.objects.values_list("uscc", flat=True))
        for number, row in enumerate(rows[1:], start=2):
            cells = {h: cell_text(row[i]) if i < len(row) else "" for h, i in columns.items()}
            if not any(cells.values()):
                continue
            try:
                data = self._row_data(cells)
                if data["uscc"] in seen:
                    raise ValidationError("与文件中前面的行统一社会信用代码重复")
                if data["uscc"] in existing:
                    raise ValidationError("该统一社会信用代码的企业已登记")
                with transaction.atomic():
                    enterprise_create(acting_user=self.user, data=data, request=self.request)
                seen.add(data["uscc"])
                result.imported += 1
            except ValidationError as exc:
                result.refused.append(RefusedRow(number, cells, "；".join(_messages(exc))))
            except PermissionDenied as exc:
                result.refused.append(RefusedRow(number, cells, str(exc)))
        return result

    def _row_data(self, cells: dict[str, str]) -> dict[str, Any]:
        value = {HEADERS[h]: v for h, v in cells.items()}
        problems = [f"“{h}”必填" for h, f in HEADERS.items() if f in REQUIRED and not value.get(f)]
        if problems:
            raise ValidationError("，".join(problems))
        towns = self.towns.get(value["town"], [])
        if not towns:
            raise ValidationError(f"镇街“{value['town']}”不在您的辖区内或不存在")
        if len(towns) > 1:
            raise ValidationError(f"您的辖区内有 {len(towns)} 个镇街名为“{value['town']}”，请改填镇街代码（如 {towns[0].code}）")
        town = region = towns[0]
        if value.get("region"):
            below = self.below.get((town.pk, value["region"]), [])
            if not below:
                raise ValidationError(f"“{value['region']}”不是{town.name}下的村社区或网格")
            if len(below) > 1:
                raise ValidationError(f"{town.name}下有 {len(below)} 个“{value['region']}”，请改填村社区或网格的代码（如 {below[0].code}）")
            region = below[0]
        try:
            headcount = int(float(value.get("headcount") or 0))
            local = int(float(value.get("local_staff_percent") or 0))
        except ValueError:
            raise ValidationError("员工总数和本地员工占比须为数字") from None
        return {
            "name": value["name"],
            "uscc": validate_uscc(value["uscc"]),
            "sector": _choice(Sector.choices, value["sector"], "行业"),
            "size": _choice(Size.choices, value["size"], "规模"),
            "essential_category": _choice(EssentialCategory.choices, value.get("essential_category", ""), "保障类别")
            if value.get("essential_category") else "",
            "address": value["address"],
            "region": region,
            "legal_representative": value["legal_representative"],
            "contact_name": value["contact_name"],
            "contact_phone": value["contact_phone"],
            "headcount": headcount,
            "local_staff_percent": local,
            "has_canteen": _flag(value.get("has_canteen", ""), "食堂"),
            "has_dormitory": _flag(value.get("has_dormitory", ""), "宿舍"),
            "has_shuttle_bus": _flag(value.get("has_shuttle_bus", ""), "通勤班车"),
            "in_park": _flag(value.get("in_park", ""), "园区入驻"),
            "closed_management": _choice(ClosedManagement.choices, value.get("closed_management") or "不具备", "封闭管理"),
        }


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        from fugong.enterprises.models import Enterprise as model

        out: list[str] = []
        for name, errors in exc.message_dict.items():
            label = str(getattr(model._meta.get_field(name), "verbose_name", name)) if name != "__all__" else ""
            out.extend(f"{label}：{m}" if label else m for m in errors)
        return out
    return list(exc.messages)
