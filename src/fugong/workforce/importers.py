"""Roster import (花名册): an enterprise's staff from .xlsx or .csv, 100,000 rows in seconds.

Rosters arrive as enterprises keep them: Chinese headers in any order and under many names
(身份证号 / 身份证号码 / 证件号码 …), a title row above the headers, ID numbers that Excel turned
into numbers, full-width digits, a lower-case x, stray spaces. Every row is checked in Python first
(the same validators as the form, :func:`fugong.core.idcard.parse`, blind index, encryption); a
row with any problem is refused with all its reasons and never half-written, the good rows go in.

Speed comes from doing the database work once: the blind indexes already registered at the
enterprise are read in ONE query, the new rows are written in batches of 5,000 (COPY on
PostgreSQL, one prepared INSERT per batch on SQLite: :class:`_PersonInserter`, 3–4 times faster
than ``bulk_create``, which stays available as ``RosterImporter.use_bulk_create``), and the import
writes ONE audit entry with its counts (not one per row). The write phase locks the enterprise
row, so a concurrent registration of the same number waits instead of racing the duplicate check;
the unique constraint stays the last guard. ``bench/roster_import.py`` measures it.
"""

from __future__ import annotations

import functools
import io
import json
import time
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from fugong.audit.services import record
from fugong.core import crypto, idcard
from fugong.core.excel import SpreadsheetError, cell_text, header_cells, read_table, safe_cell
from fugong.enterprises.models import Enterprise
from fugong.workforce.choices import PersonOrigin, Post, Transport
from fugong.workforce.models import ID_NUMBER_CONTEXT, Person
from fugong.workforce.services import DUPLICATE_MESSAGE
from fugong.workforce.validators import (
    ORIGIN_WORDS,
    POST_WORDS,
    TRANSPORT_WORDS,
    clean_name,
    clean_phone,
    clean_text,
    parse_choice,
    parse_date,
    parse_flag,
)

BATCH_SIZE = 5_000
MAX_ROWS = 200_000  # a whole enterprise group; beyond it the file is split (memory, one transaction)
HEADER_SEARCH_ROWS = 10  # a title such as “某某公司员工花名册” may stand above the headers


@dataclass(frozen=True)
class Column:
    """A roster column: the model field, the template's header, and other names rosters use."""

    field: str
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("名字", "员工姓名", "职工姓名", "人员姓名"), required=True),
    Column("id_number", "身份证号", ("身份证号码", "证件号码", "证件号", "身份证", "公民身份号码", "居民身份证号码", "身份证件号码",
                                     "身份证号/证件号码"), required=True),
    Column("phone", "手机号", ("手机号码", "手机", "联系电话", "电话", "电话号码", "联系方式", "移动电话"), required=True),
    Column("home_address", "现住址", ("现居住地址", "现住地址", "住址", "居住地址", "现居地址", "家庭住址", "现居住地")),
    Column("household_region", "户籍地", ("户籍所在地", "户籍", "户口所在地", "户籍地址", "籍贯")),
    Column("return_date", "返岗日期", ("返岗时间", "返回日期", "返厂日期", "返厂时间", "到岗日期", "到岗时间", "返工日期", "返工时间",
                                       "预计返岗日期", "预计返岗时间")),
    Column("transport", "交通方式", ("返岗方式", "返程方式", "出行方式", "交通工具", "返岗交通方式", "返程交通方式")),
    Column("post", "岗位", ("岗位类别", "岗位类型", "岗位性质", "岗位分类")),
    Column("dormitory_room", "宿舍", ("宿舍号", "宿舍房间", "宿舍房号", "宿舍房间号", "住宿房间", "宿舍号码")),
    Column("shuttle_bus", "是否乘坐班车", ("乘坐班车", "班车", "通勤班车", "是否坐班车", "是否乘坐通勤班车")),
    Column("holiday_location", "假期所在地", ("春节期间所在地", "假期去向", "春节去向", "节假日所在地", "假期居住地", "春节所在地",
                                              "假期期间所在地")),
    Column("origin", "来源地", ("来源", "返岗来源地", "来源地类型", "来源类别")),
    Column("hired_on", "入职日期", ("入职时间", "入职日", "招用日期", "聘用日期")),
)
HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)
_BY_NAME: dict[str, Column] = {name: column for column in COLUMNS for name in (column.header, *column.synonyms)}
_DECORATIONS = ("*", "＊", "※", ":", "：")
_MARKS = ("(必填)", "(选填)", "(可选)", "(如有)")

ProgressCallback = Callable[[int, int], None]


def normalise_header(value: object) -> str:
    """A header as compared: full-width folded, spaces, required-marks (*) and (必填) removed."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    text = "".join(text.split())
    for mark in _MARKS:
        text = text.replace(mark, "")
    return text.strip("".join(_DECORATIONS))


def column_for(header: object) -> Column | None:
    """The roster column a header names, by its template name or a common synonym."""
    return _BY_NAME.get(normalise_header(header))


@dataclass(frozen=True)
class RefusedRow:
    """A row that was not imported: its number in the sheet, its cells as read, and why."""

    number: int
    cells: dict[str, str]
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "；".join(self.reasons)


@dataclass(frozen=True)
class WarnedRow:
    """A row that was imported but deserves a look (an ID area code no table knows)."""

    number: int
    name: str
    id_masked: str
    message: str


@dataclass
class RosterImportResult:
    """What an import did. ``error`` is set (and nothing imported) when the file as a whole cannot
    be read: not a spreadsheet, no header row, required columns missing, too many rows."""

    rows: int = 0
    imported: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    warnings: list[WarnedRow] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error

    def error_report(self) -> bytes:
        """The refused rows with their reasons (and, on a second sheet, the imported rows to check),
        as an .xlsx the enterprise downloads, corrects and imports again."""
        return roster_report(self.refused, self.warnings)



def _text_cell(sheet: Any, value: str) -> WriteOnlyCell:
    # Text format, so that Excel does not turn the number into 4.41602E+17 again when it is edited.
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    cell.number_format = "@"
    return cell


def roster_report(refused: Sequence[RefusedRow], warnings: Sequence[WarnedRow]) -> bytes:
    """The error report workbook (streamed: 100,000 refused rows stay small in memory).

    The first sheet has the template's columns, so the corrected rows can be imported as they are.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="未导入的行")
    sheet.freeze_panes = "A2"
    sheet.append(header_cells(sheet, ["行号", *HEADERS, "错误原因"]))
    text_columns = {"身份证号", "手机号"}
    for row in refused:
        values: list[Any] = [row.number]
        for header in HEADERS:
            value = row.cells.get(header, "")
            values.append(_text_cell(sheet, value) if header in text_columns else safe_cell(value))
        values.append(safe_cell(row.reason))
        sheet.append(values)
    if warnings:
        checks = workbook.create_sheet(title="已导入但需核对")
        checks.freeze_panes = "A2"
        checks.append(header_cells(checks, ["行号", "姓名", "身份证号（脱敏）", "提示"]))
        for warned in warnings:
            checks.append([warned.number, safe_cell(warned.name), warned.id_masked, safe_cell(warned.message)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """The roster template: the headers (required ones in red), text format on the ID and phone
    columns so Excel keeps all 18 characters, drop-down lists for the choice columns, and a sheet of
    instructions with an example. The example is not on the data sheet, so a template filled in
    without deleting it cannot register a person who does not exist."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "花名册"
    last_row = MAX_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        letter = cell.column_letter
        dimension = sheet.column_dimensions[letter]
        dimension.width = {"id_number": 22, "home_address": 30, "household_region": 16, "holiday_location": 16,
                           "return_date": 12, "phone": 14, "shuttle_bus": 13}.get(column.field, 10)
        if column.field in ("id_number", "phone", "dormitory_room"):
            dimension.number_format = "@"
        if column.field in ("return_date", "hired_on"):
            dimension.number_format = "yyyy-mm-dd"
        choices = {"transport": Transport.labels, "post": Post.labels, "shuttle_bus": ["是", "否"], "origin": PersonOrigin.labels}.get(column.field)
        if choices:
            validation = DataValidation(type="list", formula1='"' + ",".join(str(c) for c in choices) + '"', allow_blank=True)
            validation.error = f"请从下拉列表中选择{column.header}"
            validation.showErrorMessage = True
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last_row}")
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("填写说明")
    example_body = "44160219900101123"
    example = [
        "张三", example_body + idcard.check_character(example_body), "13800138000", "河源市源城区某某路1号", "广东省河源市紫金县",
        "2020-02-10", "自驾", "一线", "A栋302", "否", "紫金县", "省内其他城市", "",
    ]
    lines = [
        ["填写说明"],
        ["1. 红色列为必填：姓名、身份证号、手机号；其余列可留空。列的顺序可以调整，常见列名（如“身份证号码”“联系电话”“返岗时间”）也能识别。"],
        ["2. 身份证号请填 18 位，末位 X 大小写均可。请保持“身份证号”列为文本格式：设为数字格式的号码会被 Excel 改成科学计数法并丢失末 3 位，导入时会被拒绝。"],
        ["3. 返岗日期写作 2020-02-10 或 2020/2/10；交通方式：" + "、".join(str(x) for x in Transport.labels)
         + "；岗位：" + "、".join(str(x) for x in Post.labels) + "；来源地：" + "、".join(str(x) for x in PersonOrigin.labels)
         + "。入职日期仅新招用员工填写（稳岗补贴按此计算）。"],
        ["4. 同一身份证号在表内只能出现一次，已登记的人员不会重复导入。有问题的行不会导入，可下载错误报告修改后重新导入这些行。"],
        ["5. 也可以导入 CSV 文件（UTF-8 或 GBK 编码），表头相同。"],
        [],
        ["示例（仅供参考，请在“花名册”工作表中填写）："],
        list(HEADERS),
        example,
    ]
    for line in lines:
        guide.append(line)
    guide.column_dimensions["A"].width = 12
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _display(value: Any) -> str:
    """A cell as the error report shows it. A number where an ID number belongs is printed the way
    Excel shows it (4.41602199001011E+17), so the reader sees why it was refused."""
    if isinstance(value, float) and abs(value) >= 1e15:
        return f"{value:.15G}"
    return cell_text(value)


@dataclass
class _Valid:
    number: int
    index: str
    fields: dict[str, Any]
    name: str
    id_masked: str
    warnings: tuple[str, ...]


class RosterImporter:
    """Imports one roster file into one enterprise.

    ``acting_user`` is the person importing (checked against ``workforce.import_roster`` and named
    in the audit log); ``None`` means the system (the ``import_roster`` command, run by an
    operator). ``progress(done, total)`` is called every ``batch_size`` rows: each data row counts
    two steps, checked and then written (or refused), so ``total`` is twice the number of rows,
    known from the start and fixed, and ``done`` only grows — a progress bar shows ``done/total``.
    """

    # ``bulk_create`` instead of the direct insert (the benchmark compares the two).
    use_bulk_create = False

    def __init__(
        self,
        *,
        enterprise: Enterprise,
        acting_user: Any = None,
        request: Any = None,
        progress: ProgressCallback | None = None,
        batch_size: int = BATCH_SIZE,
        today: date | None = None,
    ) -> None:
        self.enterprise = enterprise
        self.user = acting_user
        self.request = request
        self.progress = progress
        self.batch_size = batch_size
        self.today = today or datetime.now(idcard.SHANGHAI).date()

    # -- the file ------------------------------------------------------------------------------
    def run(self, content: bytes, filename: str) -> RosterImportResult:
        """Read, check and import ``content`` (named ``filename``: .xlsx, .xls or .csv)."""
        if self.user is not None and not self.user.has_perm("workforce.import_roster", self.enterprise):
            raise PermissionDenied("您无权导入该企业的花名册。")
        started = time.perf_counter()
        result = RosterImportResult()
        try:
            rows = list(read_table(content, filename))
        except SpreadsheetError as exc:
            result.error = str(exc)
            return result
        found = self._header_row(rows, result)
        if found is None:
            return result
        header_at, columns = found
        # A row with nothing in the roster's columns is skipped, not refused: templates often come
        # with 序号 filled in down to row 500.
        wanted = sorted(columns.values())
        data = [(number, row) for number, row in enumerate(rows[header_at + 1:], start=header_at + 2)
                if any(i < len(row) and _filled(row[i]) for i in wanted)]
        del rows
        if len(data) > MAX_ROWS:
            result.error = f"文件有 {len(data):,} 行，超过单次导入上限 {MAX_ROWS:,} 行，请拆分为多个文件。"
            return result
        result.rows = len(data)
        valid = self._check(data, columns, result)
        del data
        self._write(valid, result, filename)
        result.refused.sort(key=lambda refused: refused.number)
        result.seconds = time.perf_counter() - started
        return result

    def _header_row(self, rows: list[list[Any]], result: RosterImportResult) -> tuple[int, dict[str, int]] | None:
        """The first row (of the first ten) that names both 姓名 and 身份证号, and its columns."""
        if not any(any(_filled(c) for c in row) for row in rows):
            result.error = "文件是空的。"
            return None
        for at, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            columns: dict[str, int] = {}
            ignored: list[str] = []
            for index, value in enumerate(row):
                column = column_for(value)
                if column is not None and column.field not in columns:
                    columns[column.field] = index
                elif _filled(value):
                    ignored.append(cell_text(value))
            if "name" in columns and "id_number" in columns:
                missing = [c.header for c in COLUMNS if c.required and c.field not in columns]
                if missing:
                    result.error = f"表头缺少：{'、'.join(missing)}。请下载模板对照填写。"
                    return None
                result.ignored_headers = ignored
                return at, columns
        result.error = f"前 {HEADER_SEARCH_ROWS} 行中没有同时包含“姓名”和“身份证号”的表头行。请下载模板对照填写。"
        return None

    # -- checking ----------------------------------------------------------------------------
    def _check(self, data: list[tuple[int, list[Any]]], columns: dict[str, int], result: RosterImportResult) -> list[_Valid]:
        """Every row through the validators; the good ones come back ready to write."""
        total_steps = 2 * len(data)
        valid: list[_Valid] = []
        first_row_of: dict[str, int] = {}
        plan = [(column, columns[column.field]) for column in COLUMNS if column.field in columns]
        parse_id, blind, encrypt, mask = idcard.parse, crypto.blind_index, crypto.encrypt, idcard.mask
        for done, (number, row) in enumerate(data, start=1):
            raw = {column.field: (row[index] if index < len(row) else None) for column, index in plan}
            reasons: list[str] = []
            values: dict[str, Any] = {}
            card = None
            try:
                card = parse_id(raw["id_number"], today=self.today)
            except idcard.IdCardError as exc:
                reasons.append(exc.message)
            for name, read in _READERS:
                if name in raw:
                    try:
                        values[name] = read(raw[name])
                    except ValidationError as exc:
                        reasons.extend(exc.messages)
            index = ""
            if card is not None:
                index = blind(card.number, context=ID_NUMBER_CONTEXT)
                first = first_row_of.setdefault(index, number)
                if first != number:
                    reasons.append(f"与第 {first} 行的身份证号重复。")
            if reasons or card is None:
                result.refused.append(RefusedRow(number, self._cells(raw), tuple(reasons)))
            else:
                values.update(id_number_encrypted=encrypt(card.number, context=ID_NUMBER_CONTEXT), id_number_index=index,
                              id_masked=mask(card.number), birth_date=card.birth_date, sex=card.sex)
                valid.append(_Valid(number, index, values, values["name"], values["id_masked"], card.warnings))
            if self.progress is not None and done % self.batch_size == 0:
                self.progress(done, total_steps)
        if self.progress is not None:
            self.progress(len(data), total_steps)
        return valid

    @staticmethod
    def _cells(raw: dict[str, Any]) -> dict[str, str]:
        return {column.header: _display(raw[column.field]) for column in COLUMNS if column.field in raw}

    # -- writing -----------------------------------------------------------------------------
    def _write(self, valid: list[_Valid], result: RosterImportResult, filename: str) -> None:
        """Refuse what is already registered, insert the rest in batches, audit once."""
        total_steps = 2 * result.rows
        done = result.rows + len(result.refused)  # refused rows are settled: nothing to write
        try:
            with transaction.atomic():
                # Lock the enterprise first (the services do the same), then read what it has: ONE query.
                Enterprise.objects.select_for_update().only("pk").get(pk=self.enterprise.pk)
                registered = set(Person.objects.filter(enterprise=self.enterprise).values_list("id_number_index", flat=True))
                fresh: list[_Valid] = []
                already: list[RefusedRow] = []
                for row in valid:
                    if row.index in registered:
                        already.append(RefusedRow(row.number, self._valid_cells(row), (DUPLICATE_MESSAGE,)))
                    else:
                        fresh.append(row)
                done += len(already)
                direct = not self.use_bulk_create and connections[router.db_for_write(Person)].vendor in _PersonInserter.VENDORS
                insert = _PersonInserter(enterprise_id=self.enterprise.pk, user=self.user).insert if direct else self._bulk_create
                for start in range(0, len(fresh), self.batch_size):
                    batch = fresh[start:start + self.batch_size]
                    insert([row.fields for row in batch])
                    done += len(batch)
                    if self.progress is not None:
                        self.progress(done, total_steps)
                warnings = [WarnedRow(row.number, row.name, row.id_masked, message) for row in fresh for message in row.warnings]
                record(
                    action="person.import", actor=self.user, obj=self.enterprise, request=self.request,
                    data={"rows": result.rows, "imported": len(fresh), "refused": len(result.refused) + len(already),
                          "warnings": len(warnings), "file_type": filename.rsplit(".", 1)[-1].lower()[:8]},
                )
        except IntegrityError:
            # Only a registration racing past the enterprise lock gets here (a database that
            # ignores SELECT … FOR UPDATE): nothing was written, so the whole file may be retried.
            result.error = "导入期间该企业的人员档案被同时修改，本次未导入任何行，请重新导入。"
            return
        result.imported = len(fresh)
        result.refused.extend(already)
        result.warnings = warnings
        if self.progress is not None:
            self.progress(total_steps, total_steps)

    def _bulk_create(self, rows: list[dict[str, Any]]) -> None:
        """The portable way (any database Django supports); about four times slower than
        :class:`_PersonInserter` because Django compiles every one of the 2.2 million values."""
        Person.objects.bulk_create(
            [Person(enterprise_id=self.enterprise.pk, created_by=self.user, **fields) for fields in rows], batch_size=self.batch_size
        )

    @staticmethod
    def _valid_cells(row: _Valid) -> dict[str, str]:
        """A good row that turned out to be registered already, as the report shows it: its values
        as they were cleaned (the ID number masked: the enterprise has it already)."""
        labels = {"transport": dict(Transport.choices), "post": dict(Post.choices), "origin": dict(PersonOrigin.choices)}
        cells: dict[str, str] = {}
        for column in COLUMNS:
            value = row.fields.get(column.field)
            if column.field == "id_number":
                value = row.id_masked
            elif column.field in labels:
                value = labels[column.field].get(value or "", "")
            elif column.field == "shuttle_bus":
                value = "是" if value else "否"
            cells[column.header] = cell_text(value)
        return cells


class _PersonInserter:
    """Writes validated rows straight to ``workforce_person``: COPY on PostgreSQL, one prepared
    INSERT run with ``executemany`` on SQLite (other databases use ``bulk_create``).

    ``bulk_create`` spends most of a 100,000-row import preparing values one by one (22 fields ×
    100,000 rows through ``get_db_prep_save``; on SQLite also 45 rows per statement, Django's limit
    of 999 parameters). The rows here are already clean Python values of known types, so each
    column gets one converter chosen once from its field: dates and UUIDs through the backend's own
    adapters, the timestamps computed once, text, booleans and ids as they are. The values written
    are those ``bulk_create`` writes, as a test checks field by field; a field of a type not listed
    in ``DIRECT_TYPES`` stops the import loudly rather than being written wrong.
    """

    VENDORS = frozenset({"postgresql", "sqlite"})
    DIRECT_TYPES = frozenset({"CharField", "TextField", "BooleanField", "DateField", "DateTimeField", "ForeignKey", "UUIDField", "JSONField"})

    def __init__(self, *, enterprise_id: int, user: Any) -> None:
        self.connection = connections[router.db_for_write(Person)]
        now = timezone.now()
        fixed = {"enterprise_id": enterprise_id, "created_by_id": getattr(user, "pk", None), "user_id": None}
        self.columns: list[str] = []
        self.getters: list[Callable[[dict[str, Any]], Any]] = []
        for f in Person._meta.concrete_fields:
            internal = f.get_internal_type()
            if internal not in self.DIRECT_TYPES:
                raise ImproperlyConfigured(f"_PersonInserter cannot write {f.attname} ({internal}): teach it, or import with bulk_create")
            self.columns.append(f.column)
            if f.attname in fixed:
                self.getters.append(functools.partial(_constant, fixed[f.attname]))
            elif internal == "DateTimeField":  # created_at, updated_at: the same instant; declared_at, classified_at: empty
                value = now if f.attname in ("created_at", "updated_at") else _field_default(f)
                self.getters.append(functools.partial(_constant, f.get_db_prep_save(value, self.connection)))
            elif internal == "JSONField":  # a roster holds no declaration: the default, as JSON text (COPY and SQLite alike)
                self.getters.append(functools.partial(_constant, json.dumps(f.get_default())))
            elif f.primary_key:
                self.getters.append(functools.partial(_new_uuid, functools.partial(f.get_db_prep_value, connection=self.connection)))
            elif internal == "DateField":
                self.getters.append(functools.partial(_adapted, f.attname, f.get_default(), self.connection.ops.adapt_datefield_value))
            else:
                self.getters.append(functools.partial(_plain, f.attname, f.get_default()))

    def insert(self, rows: list[dict[str, Any]]) -> None:
        ops = self.connection.ops
        table = ops.quote_name(Person._meta.db_table)
        columns = ", ".join(ops.quote_name(c) for c in self.columns)
        getters = self.getters
        prepared = [tuple(get(fields) for get in getters) for fields in rows]
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for values in prepared:
                        copy.write_row(values)
            else:
                placeholders = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)  # noqa: S608 - names from the model


def _field_default(field: Any) -> Any:
    return field.get_default() if field.has_default() else None


def _constant(value: Any, _fields: dict[str, Any]) -> Any:
    return value


def _new_uuid(prepare: Callable[[uuid.UUID], Any], _fields: dict[str, Any]) -> Any:
    return prepare(uuid.uuid4())


def _plain(name: str, default: Any, fields: dict[str, Any]) -> Any:
    return fields.get(name, default)


def _adapted(name: str, default: Any, adapt: Callable[[Any], Any], fields: dict[str, Any]) -> Any:
    value = fields.get(name, default)
    return None if value is None else adapt(value)


def _filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else cell_text(value)


# Choices read once: ``TextChoices.choices`` builds a new list on every access.
_TRANSPORT, _POST, _ORIGIN = Transport.choices, Post.choices, PersonOrigin.choices
_READERS: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("name", lambda v: clean_name(_text(v))),
    ("phone", lambda v: clean_phone(_text(v))),
    ("home_address", lambda v: clean_text(_text(v), label="现住址", max_length=255)),
    ("household_region", lambda v: clean_text(_text(v), label="户籍地", max_length=100)),
    ("return_date", lambda v: parse_date(v, label="返岗日期")),
    ("transport", lambda v: parse_choice(_text(v), choices=_TRANSPORT, words=TRANSPORT_WORDS, label="交通方式")),
    ("post", lambda v: parse_choice(_text(v), choices=_POST, words=POST_WORDS, label="岗位", default=Post.OTHER)),
    ("dormitory_room", lambda v: clean_text(_text(v), label="宿舍", max_length=50)),
    ("shuttle_bus", lambda v: parse_flag(_text(v), label="是否乘坐班车")),
    ("holiday_location", lambda v: clean_text(_text(v), label="假期所在地", max_length=100)),
    ("origin", lambda v: parse_choice(_text(v), choices=_ORIGIN, words=ORIGIN_WORDS, label="来源地")),
    ("hired_on", lambda v: parse_date(v, label="入职日期")),
)
