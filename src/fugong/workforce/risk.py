"""The risk-area list (风险地区, 重点疫区) as data: add, edit, end, import from Excel.

The list is national in effect: a worker's trip anywhere in China may cross it, and a change
re-classifies people of every enterprise. So it is kept by the platform admin and the command
officers (``workforce.change_risk_areas``) and read by grid officers. Every change is audited and
starts a re-evaluation run (:func:`fugong.workforce.classify.reevaluation_start`) once it commits.

Places are regions of the tree (province, city, county, or a town the tree holds), named by their
division code or by their name; a name that several regions share (朝阳区 is in 北京 and in
长春) must be given with its province and city (北京市朝阳区) or as a code, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fugong.audit.services import record
from fugong.core.excel import SpreadsheetError, cell_text, read_table, write_xlsx
from fugong.regions.choices import Level
from fugong.regions.models import Region
from fugong.workforce.choices import ReevaluationTrigger, RiskLevel
from fugong.workforce.classify import reevaluation_start
from fugong.workforce.models import RiskArea

LABEL = "风险地区"
PLACE_LEVELS = (Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN)
LEVEL_WORDS: dict[str, str] = {
    "高": RiskLevel.HIGH, "高风险": RiskLevel.HIGH, "高风险地区": RiskLevel.HIGH, "重点疫区": RiskLevel.HIGH, "high": RiskLevel.HIGH,
    "中": RiskLevel.MEDIUM, "中风险": RiskLevel.MEDIUM, "中风险地区": RiskLevel.MEDIUM, "medium": RiskLevel.MEDIUM,
    **{str(label): value for value, label in RiskLevel.choices},
}


# -- places -------------------------------------------------------------------------------------


class PlaceResolver:
    """Finds a region of the tree from what a person types: a division code, a full name with its
    province and city (湖北省武汉市武昌区, spaces allowed), or a name that only one region has."""

    def __init__(self) -> None:
        rows = list(Region.objects.filter(level__in=PLACE_LEVELS).values_list("pk", "code", "name", "path"))
        name_of = {code: name for _pk, code, name, _path in rows}
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        self.labels: dict[int, str] = {}
        for pk, code, name, path in rows:
            names = [name_of.get(part, "") for part in path.strip("/").split("/") if part]
            label = "".join(names)
            self.by_code[code] = pk
            self.labels[pk] = " ".join(n for n in names if n)
            for key in {name, label}:
                self.by_name.setdefault(key, []).append(pk)

    def resolve(self, text: str) -> int:
        """The region's id; ValidationError in Chinese when there is none or more than one."""
        key = "".join(str(text).split())
        if not key:
            raise ValidationError("请填写地区名称或区划代码。")
        if key in self.by_code:
            return self.by_code[key]
        found = self.by_name.get(key, [])
        if not found:
            raise ValidationError(f"找不到地区“{text}”：请填写省、市、县（区）或镇街的名称或区划代码，如“湖北省武汉市”或“420100”。")
        if len(set(found)) > 1:
            examples = "、".join(sorted(self.labels[pk].replace(" ", "") for pk in set(found))[:3])
            raise ValidationError(f"有 {len(set(found))} 个地区名为“{text}”（{examples}），请写明所属省市或填写区划代码。")
        return found[0]

    def choices(self) -> list[tuple[str, str]]:
        """(code, "省 市 县") for a picker: every place of the tree, in tree order."""
        code_of = {pk: code for code, pk in self.by_code.items()}
        return sorted(((code_of[pk], label) for pk, label in self.labels.items()), key=lambda item: item[0])


def region_label(region: Region) -> str:
    """A place as people read it: its ancestors' names and its own (湖北省 武汉市 武昌区)."""
    return region_labels([region])[region.pk]


def region_labels(regions: Iterable[Region]) -> dict[int, str]:
    """:func:`region_label` of many regions with one query."""
    regions = list(regions)
    paths = {region.pk: [code for code in region.path.strip("/").split("/") if code] for region in regions}
    names = dict(Region.objects.filter(code__in={code for codes in paths.values() for code in codes}).values_list("code", "name"))
    return {pk: " ".join(names[code] for code in codes if code in names) for pk, codes in paths.items()}


# -- writes -------------------------------------------------------------------------------------

EDITABLE = ("region", "level", "valid_from", "valid_to", "source")


def _check_allowed(acting_user: Any) -> None:
    if not acting_user.has_perm("workforce.change_risk_areas"):
        raise PermissionDenied("您无权维护风险地区名单。")


def _validate(area: RiskArea) -> None:
    errors: dict[str, str] = {}
    if area.region_id is None or area.region.level not in PLACE_LEVELS:
        errors["region"] = "请选择省、市、县（区）或镇街。"
    if area.level not in RiskLevel.values:
        errors["level"] = "请选择风险等级。"
    if area.valid_to is not None and area.valid_from is not None and area.valid_to < area.valid_from:
        errors["valid_to"] = "截止日期不能早于起始日期。"
    if errors:
        raise ValidationError(errors)


def _data(area: RiskArea) -> dict[str, Any]:
    """What the audit keeps of a risk area: public data, no personal value."""
    return {"region": area.region.code, "level": area.level, "valid_from": area.valid_from, "valid_to": area.valid_to}


def risk_area_create(*, region: Region, level: str, valid_from: date, valid_to: date | None = None, source: str = "",
                     acting_user: Any, request: Any = None) -> RiskArea:
    """Add a risk area; audited, and everyone it may affect is re-evaluated after the commit."""
    _check_allowed(acting_user)
    area = RiskArea(region=region, level=level, valid_from=valid_from, valid_to=valid_to, source=source.strip()[:255], created_by=acting_user)
    _validate(area)
    with transaction.atomic():
        area.save(force_insert=True)
        record(action="risk_area.create", actor=acting_user, obj=area, object_label=LABEL, request=request, data=_data(area))
        reevaluation_start(trigger=ReevaluationTrigger.RISK_AREAS, acting_user=acting_user, request=request)
    return area


def risk_area_update(*, area: RiskArea, data: dict[str, Any], acting_user: Any, request: Any = None) -> RiskArea:
    """Change a risk area's place, level, dates or basis; audited with the old and new values
    (all public), and a re-evaluation follows when anything changed."""
    _check_allowed(acting_user)
    with transaction.atomic():
        locked = RiskArea.objects.select_for_update().select_related("region").get(pk=area.pk)
        before = _data(locked) | {"source": locked.source}
        for key in EDITABLE:
            if key in data:
                setattr(locked, key, data[key].strip()[:255] if key == "source" else data[key])
        _validate(locked)
        after = _data(locked) | {"source": locked.source}
        changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if not changed:
            return locked
        locked.save(update_fields=[*EDITABLE, "updated_at"])
        record(action="risk_area.update", actor=acting_user, obj=locked, object_label=LABEL, request=request, data={"changed": changed})
        reevaluation_start(trigger=ReevaluationTrigger.RISK_AREAS, acting_user=acting_user, request=request)
    return locked


def risk_area_end(*, area: RiskArea, acting_user: Any, on: date | None = None, request: Any = None) -> RiskArea:
    """End a risk area: it was one up to ``on`` (today by default) and is no longer after it.
    Ending an area already ended on or before that day changes nothing."""
    _check_allowed(acting_user)
    on = on or timezone.localdate()
    if on < area.valid_from:
        raise ValidationError({"valid_to": f"该地区 {area.valid_from:%Y-%m-%d} 才列为风险地区，不能在此之前解除；如登记有误，请修改起始日期。"})
    if area.valid_to is not None and area.valid_to <= on:
        return area
    return risk_area_update(area=area, data={"valid_to": on}, acting_user=acting_user, request=request)


# -- import ---------------------------------------------------------------------------------------

HEADERS = ("地区", "区划代码", "风险等级", "起始日期", "截止日期", "依据")
MAX_ROWS = 5_000  # the national list never had more than a few hundred areas at once


@dataclass(frozen=True)
class RefusedRow:
    number: int
    cells: dict[str, str]
    reason: str


@dataclass
class RiskImportResult:
    imported: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    error: str = ""

    def error_report(self) -> bytes:
        rows = ([row.number, *[row.cells.get(h, "") for h in HEADERS], row.reason] for row in self.refused)
        return write_xlsx(["行号", *HEADERS, "错误原因"], rows, title="未导入的行")


def template_workbook() -> bytes:
    examples = [["湖北省", "420000", "高风险", "2020-01-23", "", "湖北省新冠肺炎疫情防控指挥部通告"],
                ["浙江省温州市", "", "中风险", "2020-02-01", "2020-02-29", "省防控指挥部公布的名单"]]
    return write_xlsx(list(HEADERS), examples, title="风险地区导入模板")


def _header(value: Any) -> str:
    return cell_text(value).replace(" ", "").replace("\u3000", "").replace("（", "(").replace("）", ")")


def _date(text: str, label: str, *, required: bool) -> date | None:
    if not text:
        if required:
            raise ValidationError(f"“{label}”必填")
        return None
    for candidate in (text[:10], text.replace("/", "-").replace(".", "-")[:10]):
        try:
            parts = [int(p) for p in candidate.split("-")]
            return date(parts[0], parts[1], parts[2])
        except (ValueError, IndexError):
            continue
    raise ValidationError(f"“{label}”应为日期，如 2020-02-01，不能是“{text}”")


class RiskAreaImporter:
    """Reads a sheet with the headers 地区 and/or 区划代码, 风险等级, 起始日期, 截止日期, 依据 (any
    order) and adds every good row; bad rows are listed with their reasons (the error report),
    none is half-written. One audit entry and one re-evaluation for the whole import."""

    def __init__(self, *, acting_user: Any, request: Any = None) -> None:
        _check_allowed(acting_user)
        self.user = acting_user
        self.request = request

    def run(self, content: bytes, filename: str) -> RiskImportResult:
        result = RiskImportResult()
        try:
            rows = list(read_table(content, filename))
        except SpreadsheetError as exc:
            result.error = str(exc)
            return result
        if not rows:
            result.error = "文件是空的。"
            return result
        headers = [_header(value) for value in rows[0]]
        columns = {h: headers.index(h) for h in HEADERS if h in headers}
        missing = [h for h in ("风险等级", "起始日期") if h not in columns]
        if "地区" not in columns and "区划代码" not in columns:
            missing.insert(0, "地区或区划代码")
        if missing:
            result.error = f"表头缺少：{'、'.join(missing)}。请下载模板对照填写。"
            return result
        if len(rows) - 1 > MAX_ROWS:
            result.error = f"一次最多导入 {MAX_ROWS} 行，请分批导入。"
            return result
        places = PlaceResolver()
        existing = set(RiskArea.objects.values_list("region_id", "level", "valid_from"))
        new: list[RiskArea] = []
        for number, row in enumerate(rows[1:], start=2):
            cells = {h: cell_text(row[i]) if i < len(row) else "" for h, i in columns.items()}
            if not any(cells.values()):
                continue
            try:
                area = self._area(cells, places)
                key = (area.region_id, area.level, area.valid_from)
                if key in existing:
                    raise ValidationError("该地区同一等级、同一起始日期已在名单中（或与文件中前面的行重复）")
                existing.add(key)
                new.append(area)
            except ValidationError as exc:
                result.refused.append(RefusedRow(number, cells, "；".join(exc.messages)))
        if new:
            with transaction.atomic():
                RiskArea.objects.bulk_create(new)
                record(action="risk_area.import", actor=self.user, object_label=LABEL, request=self.request,
                       data={"imported": len(new), "refused": len(result.refused), "file": filename[-100:]})
                reevaluation_start(trigger=ReevaluationTrigger.RISK_AREAS, acting_user=self.user, request=self.request)
        result.imported = len(new)
        return result

    def _area(self, cells: dict[str, str], places: PlaceResolver) -> RiskArea:
        problems: list[str] = []
        region_id: int | None = None
        code, name = cells.get("区划代码", ""), cells.get("地区", "")
        try:
            region_id = places.resolve(code or name)
            # Both given: the name must be one of the code's names (a typo in either is caught).
            if code and name and region_id not in places.by_name.get("".join(name.split()), []):
                raise ValidationError(f"地区“{name}”与区划代码“{code}”不一致")
        except ValidationError as exc:
            problems.extend(exc.messages)
        level = LEVEL_WORDS.get(cells.get("风险等级", "").strip().lower()) or LEVEL_WORDS.get(cells.get("风险等级", "").strip())
        if not level:
            problems.append(f"风险等级应为“高风险”或“中风险”，不能是“{cells.get('风险等级', '')}”")
        valid_from = valid_to = None
        for key, required in (("起始日期", True), ("截止日期", False)):
            try:
                value = _date(cells.get(key, ""), key, required=required)
            except ValidationError as exc:
                problems.extend(exc.messages)
                continue
            if key == "起始日期":
                valid_from = value
            else:
                valid_to = value
        if valid_from and valid_to and valid_to < valid_from:
            problems.append("截止日期不能早于起始日期")
        if problems or region_id is None or level is None or valid_from is None:
            raise ValidationError(problems)
        return RiskArea(region_id=region_id, level=level, valid_from=valid_from, valid_to=valid_to,
                        source=cells.get("依据", "")[:255], created_by=self.user)
