"""Roster import (花名册) as enterprises really send it: headers in any order and under other names,
ID numbers damaged by Excel or typed in full width, duplicates; good rows in, bad rows listed."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from fugong.audit.models import AuditEntry
from fugong.core.idcard import EXCEL_MESSAGE, check_character
from fugong.workforce.importers import HEADERS, RosterImporter, template_workbook
from fugong.workforce.models import Person
from fugong.workforce.services import DUPLICATE_MESSAGE, id_number_index
from tests.workforce.conftest import register
from tests.workforce.factories import csv_bytes, id_number, read_sheets, roster_row, xlsx_bytes

# The demo's people of ent_admin's enterprise and its neighbour are out of the way: these tests count rows.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_rosters")]

TODAY = date(2020, 2, 15)


def run(enterprise, content: bytes, filename: str = "花名册.xlsx", **options):
    return RosterImporter(enterprise=enterprise, today=TODAY, **options).run(content, filename)


def reasons(result) -> dict[int, str]:
    return {row.number: row.reason for row in result.refused}


def person(enterprise, number: str) -> Person:
    return Person.objects.get(enterprise=enterprise, id_number_index=id_number_index(number))


def test_id_numbers_are_normalised_full_width_lower_case_x_and_spaces(own_enterprise):
    # Given numbers as people type and paste them
    x_number = "11010519491231002X"
    full_width = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
    spaced = id_number(1)
    rows = [
        roster_row("全角", id_number(0).translate(full_width)),
        roster_row("小写x", x_number.lower()),
        roster_row("空格", f" {spaced[:6]} {spaced[6:14]} {spaced[14:]}\u3000"),
        roster_row("撇号", "'" + id_number(2)),
    ]
    # When the roster is imported
    result = run(own_enterprise, xlsx_bytes(rows))
    # Then every row goes in, stored as the normalised number
    assert (result.error, result.imported, result.refused) == ("", 4, [])
    assert person(own_enterprise, id_number(0)).name == "全角"
    assert person(own_enterprise, x_number).reveal_id_number() == x_number
    assert person(own_enterprise, id_number(1)).name == "空格"
    assert person(own_enterprise, id_number(2)).id_masked == id_number(2)[:6] + "********" + id_number(2)[-4:]


def test_id_numbers_mangled_by_excel_are_refused_with_the_explanation(own_enterprise):
    # Given a real workbook where Excel stored ID numbers as numbers: a float cell, its scientific
    # text, and a text copy whose last three digits were lost
    rows = [
        roster_row("浮点数", 4.41602199001011e17),
        roster_row("科学计数法文本", "4.41602E+17"),
        roster_row("末三位丢失", "441602199001012000"),
        roster_row("整数", 441602199001010011),
        roster_row("正常", id_number(5)),
    ]
    content = xlsx_bytes(rows)
    assert isinstance(load_workbook(io.BytesIO(content)).active["B2"].value, float)
    # When it is imported
    result = run(own_enterprise, content)
    # Then the damaged rows are refused with the Excel message and the good one goes in
    assert result.imported == 1
    assert reasons(result) == {2: EXCEL_MESSAGE, 3: EXCEL_MESSAGE, 4: EXCEL_MESSAGE, 5: EXCEL_MESSAGE}
    # And the report shows the float as Excel displays it, so the reader sees the damage
    report = read_sheets(result.error_report())["未导入的行"]
    assert report[1][2] == "4.41602199001011E+17"


def test_the_same_damage_in_a_csv_file_is_recognised(own_enterprise):
    rows = [roster_row("科学计数法", "4.41602E+17"), roster_row("正常", id_number(6))]
    result = run(own_enterprise, csv_bytes(rows), "花名册.csv")
    assert (result.imported, reasons(result)) == (1, {2: EXCEL_MESSAGE})


def test_duplicates_within_the_file_and_against_registered_people_are_refused(own_enterprise, neighbour_enterprise):
    # Given a person registered already, and one registered at another enterprise only
    register(own_enterprise, 100)
    register(neighbour_enterprise, 101)
    rows = [
        roster_row("甲", id_number(102)),  # row 2: new
        roster_row("乙", id_number(100)),  # row 3: registered here already
        roster_row("丙", id_number(102).replace("1", "１")),  # row 4: row 2 again, in full width
        roster_row("丁", id_number(101)),  # row 5: registered at the neighbour only: fine here
    ]
    # When the roster is imported
    result = run(own_enterprise, xlsx_bytes(rows))
    # Then the first occurrence and the neighbour's person go in, the repeats are refused with reasons
    assert result.imported == 2
    assert reasons(result) == {3: DUPLICATE_MESSAGE, 4: "与第 2 行的身份证号重复。"}
    assert Person.objects.filter(enterprise=own_enterprise, id_number_index=id_number_index(id_number(102))).get().name == "甲"
    # And the registered duplicate is reported with its number masked (the enterprise has it already)
    report = read_sheets(result.error_report())["未导入的行"]
    row3 = next(line for line in report if line[0] == 3)
    assert row3[2] == id_number(100)[:6] + "********" + id_number(100)[-4:]


def test_every_problem_of_a_row_is_reported_and_nothing_of_it_is_written(own_enterprise):
    # Given rows with one or several problems
    rows = [
        roster_row("", "441602199001011234", **{"手机号": "12345"}),  # row 2: three problems
        roster_row("日期错", id_number(201), **{"返岗日期": "2月30日"}),  # row 3
        roster_row("交通错", id_number(202), **{"交通方式": "骑马", "岗位": "老板"}),  # row 4
        roster_row("班车错", id_number(203), **{"是否乘坐班车": "也许"}),  # row 5
        roster_row("来源错", id_number(204), **{"来源地": "火星"}),  # row 6
        roster_row("不存在的日期", id_number(205), **{"返岗日期": "2020-02-30"}),  # row 7
        roster_row("好", id_number(206)),  # row 8
    ]
    # When the roster is imported
    result = run(own_enterprise, xlsx_bytes(rows))
    # Then only the good row goes in and each bad row says everything that is wrong with it
    assert result.imported == 1
    found = reasons(result)
    assert set(found) == {2, 3, 4, 5, 6, 7}
    assert "校验位错误" in found[2] and "姓名必填" in found[2] and "手机号“12345”无效" in found[2]
    assert "返岗日期“2月30日”无法识别" in found[3]
    assert "交通方式“骑马”无效，可填：自驾、客车、火车、飞机、其他" in found[4] and "岗位“老板”无效" in found[4]
    assert "是否乘坐班车应填“是”或“否”" in found[5]
    assert "来源地“火星”无效" in found[6]
    assert "不是存在的日期" in found[7]
    assert Person.objects.filter(enterprise=own_enterprise).count() == 1


def test_headers_in_any_order_under_common_names_below_a_title_row(own_enterprise):
    # Given a roster with a title row, extra columns, synonyms and another order
    headers = ["序号", "证件号码", "员工姓名", "联系电话", "返岗时间", "部门", "是否乘坐班车", "交通工具", "岗位类别", "户籍所在地",
               "春节期间所在地", "现居住地址", "宿舍号", "来源"]
    row = {"序号": 1, "证件号码": id_number(300), "员工姓名": "林 小 红", "联系电话": "+86 139-0000-1111",
           "返岗时间": datetime(2020, 2, 12), "部门": "装配车间", "是否乘坐班车": "是", "交通工具": "高铁", "岗位类别": "关键岗位",
           "户籍所在地": "广西壮族自治区玉林市", "春节期间所在地": "玉林市", "现居住地址": "高新区员工宿舍", "宿舍号": 302, "来源": "外省"}
    content = xlsx_bytes([row], headers, title_rows=[["河源市某某电子有限公司员工返岗花名册"], []])
    # When it is imported
    result = run(own_enterprise, content)
    # Then the row is read through the synonyms, the unknown columns are named as ignored
    assert (result.error, result.imported, result.refused) == ("", 1, [])
    assert result.ignored_headers == ["序号", "部门"]
    saved = person(own_enterprise, id_number(300))
    assert (saved.name, saved.phone, saved.return_date, saved.shuttle_bus, saved.transport, saved.post) == (
        "林 小 红", "13900001111", date(2020, 2, 12), True, "train", "key")
    assert (saved.household_region, saved.holiday_location, saved.home_address, saved.dormitory_room, saved.origin) == (
        "广西壮族自治区玉林市", "玉林市", "高新区员工宿舍", "302", "other_province")


@pytest.mark.parametrize(("typed", "expected"), [
    ("2020/2/10", date(2020, 2, 10)), ("2020.02.10", date(2020, 2, 10)), ("2020年2月10日", date(2020, 2, 10)),
    ("20200210", date(2020, 2, 10)), (43871, date(2020, 2, 10)), ("", None), ("２０２０－０２－１０", date(2020, 2, 10)),
])
def test_return_dates_are_read_in_the_forms_rosters_use(own_enterprise, typed, expected):
    result = run(own_enterprise, xlsx_bytes([roster_row("某人", id_number(400), **{"返岗日期": typed})]))
    assert result.imported == 1, result.refused
    assert person(own_enterprise, id_number(400)).return_date == expected


def test_rows_with_nothing_in_the_roster_columns_are_skipped_not_refused(own_enterprise):
    # Given a template numbered down to row 6 but filled in on two rows only
    headers = ["序号", *HEADERS]
    rows = [{"序号": 1, **roster_row("甲", id_number(450))}, {"序号": 2}, {"序号": 3, **roster_row("乙", id_number(451))}, {"序号": 4}, {}]
    result = run(own_enterprise, xlsx_bytes(rows, headers))
    assert (result.rows, result.imported, result.refused) == (2, 2, [])


def test_only_the_required_columns_are_needed(own_enterprise):
    content = xlsx_bytes([{"姓名": "王五", "身份证号": id_number(500), "手机号": 13800138000}], ["姓名", "身份证号", "手机号"])
    result = run(own_enterprise, content)
    assert result.imported == 1
    saved = person(own_enterprise, id_number(500))
    assert (saved.phone, saved.post, saved.transport, saved.shuttle_bus, saved.return_date, saved.origin) == ("13800138000", "other", "", False, None, "")


@pytest.mark.parametrize(("headers", "message"), [
    (["姓名", "身份证号"], "表头缺少：手机号"),
    (["名称", "号码", "电话"], "没有同时包含“姓名”和“身份证号”的表头行"),
])
def test_a_file_without_the_required_headers_is_refused_as_a_whole(own_enterprise, headers, message):
    result = run(own_enterprise, xlsx_bytes([dict.fromkeys(headers, "x")], headers))
    assert message in result.error and result.imported == 0
    assert not Person.objects.filter(enterprise=own_enterprise).exists()


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"not a workbook", "花名册.xlsx", "文件已损坏"),
    (b"PK\x03\x04broken", "花名册.xlsx", "文件已损坏"),
    (b"", "花名册.csv", "文件是空的"),
    (b"%PDF-1.4", "花名册.pdf", "只接受"),
])
def test_an_unreadable_file_is_refused_with_a_reason(own_enterprise, content, filename, message):
    result = run(own_enterprise, content, filename)
    assert message in result.error and result.imported == 0


def test_a_gbk_csv_from_chinese_excel_is_read(own_enterprise):
    content = csv_bytes([roster_row("郭靖", id_number(600))], encoding="gb18030")
    result = run(own_enterprise, content, "花名册.csv")
    assert result.imported == 1 and person(own_enterprise, id_number(600)).name == "郭靖"


def test_an_unknown_area_code_is_a_warning_not_a_refusal(own_enterprise):
    # Given a valid number whose first six digits no division table lists
    body = "99990119900101123"
    number = body + check_character(body)
    # When it is imported
    result = run(own_enterprise, xlsx_bytes([roster_row("某人", number)]))
    # Then the person is registered and the report's second sheet asks to check the household region
    assert (result.imported, result.refused) == (1, [])
    assert [(w.number, w.name) for w in result.warnings] == [(2, "某人")]
    checks = read_sheets(result.error_report())["已导入但需核对"]
    assert checks[0] == ["行号", "姓名", "身份证号（脱敏）", "提示"]
    assert checks[1][:3] == [2, "某人", "999901********" + number[-4:]] and "999901" in checks[1][3]


def test_error_report_lists_each_refused_row_in_the_template_columns_with_its_reason(own_enterprise):
    # Given a roster with two refused rows, one of them with a cell Excel would run as a formula
    rows = [roster_row("好", id_number(700)), roster_row("=HYPERLINK(\"x\")", "123", **{"手机号": "110"}),
            roster_row("坏", id_number(700))]
    result = run(own_enterprise, csv_bytes(rows), "花名册.csv")
    # When the report is written
    sheets = read_sheets(result.error_report())
    # Then it has the template's columns between the row number and the reason
    assert list(sheets) == ["未导入的行"]
    report = sheets["未导入的行"]
    assert report[0] == ["行号", *HEADERS, "错误原因"]
    assert [line[0] for line in report[1:]] == [3, 4]
    row3 = dict(zip(report[0], report[1], strict=True))
    assert row3["姓名"] == "'=HYPERLINK(\"x\")"  # neutralised, not a formula
    assert (row3["身份证号"], row3["手机号"]) == ("123", "110")
    assert "身份证号应为 18 位，现为 3 位" in row3["错误原因"] and "手机号“110”无效" in row3["错误原因"]
    assert dict(zip(report[0], report[2], strict=True))["错误原因"] == "与第 2 行的身份证号重复。"
    # And the ID column is text, so Excel keeps the digits when the row is corrected
    sheet = load_workbook(io.BytesIO(result.error_report()))["未导入的行"]
    assert sheet["C2"].number_format == "@"


def test_a_corrected_error_report_can_be_imported_as_it_is(own_enterprise):
    # Given a refused row corrected in the report
    first = run(own_enterprise, xlsx_bytes([roster_row("改正", "441602199001011234")]))
    workbook = load_workbook(io.BytesIO(first.error_report()))
    workbook.active["C2"] = id_number(800)
    buffer = io.BytesIO()
    workbook.save(buffer)
    # When the report is imported again
    second = run(own_enterprise, buffer.getvalue())
    # Then the row goes in (the row number and reason columns are ignored)
    assert (second.imported, second.refused, second.ignored_headers) == (1, [], ["行号", "错误原因"])


def test_the_import_writes_one_audit_entry_with_counts_and_no_personal_values(own_enterprise, users, empty_rosters):
    rows = [roster_row(f"员工{i}", id_number(900 + i)) for i in range(5)] + [roster_row("坏", "1")]
    result = RosterImporter(enterprise=own_enterprise, acting_user=users("ent_admin"), today=TODAY).run(xlsx_bytes(rows), "花名册.xlsx")
    assert result.imported == 5
    entries = AuditEntry.objects.filter(action__startswith="person.", seq__gt=empty_rosters)
    assert [e.action for e in entries] == ["person.import"]
    entry = entries.get()
    assert entry.data == {"rows": 6, "imported": 5, "refused": 1, "warnings": 0, "file_type": "xlsx"}
    assert (entry.actor_id, entry.object_id) == (users("ent_admin").pk, str(own_enterprise.pk))
    assert "员工" not in str(entry.payload()) and id_number(900) not in str(entry.payload())
    assert set(Person.objects.filter(enterprise=own_enterprise).values_list("created_by__username", flat=True)) == {"ent_admin"}


def test_progress_is_reported_in_steps_up_to_a_fixed_total(own_enterprise):
    rows = [roster_row(f"员工{i}", id_number(1000 + i)) for i in range(23)] + [roster_row("坏", "1")]
    seen: list[tuple[int, int]] = []
    run(own_enterprise, csv_bytes(rows), "花名册.csv", progress=lambda done, total: seen.append((done, total)), batch_size=5)
    assert {total for _, total in seen} == {48}
    done = [d for d, _ in seen]
    assert done == sorted(done) and done[-1] == 48 and len(done) > 5


def test_who_may_import(own_enterprise, neighbour_enterprise, users):
    content = xlsx_bytes([roster_row("某人", id_number(1100))])
    for username in ("grid_officer", "ent_admin", "hitech_cmd"):
        RosterImporter(enterprise=own_enterprise, acting_user=users(username), today=TODAY).run(content, "a.xlsx")
    for username, enterprise in (("ent_admin", neighbour_enterprise), ("heshan_cmd", own_enterprise), ("employee", own_enterprise),
                                 ("jmb_reviewer", own_enterprise)):
        with pytest.raises(PermissionDenied):
            RosterImporter(enterprise=enterprise, acting_user=users(username), today=TODAY).run(content, "a.xlsx")


def test_the_direct_insert_writes_what_bulk_create_writes(own_enterprise, neighbour_enterprise):
    # Given the same roster imported through both write paths
    rows = [roster_row("甲", id_number(1200)), roster_row("乙", "11010519491231002x", **{"返岗日期": "", "交通方式": "", "宿舍": ""})]
    fast = run(own_enterprise, xlsx_bytes(rows))
    importer = RosterImporter(enterprise=neighbour_enterprise, today=TODAY)
    importer.use_bulk_create = True
    slow = importer.run(xlsx_bytes(rows), "a.xlsx")
    assert fast.imported == slow.imported == 2
    # Then every field reads back the same, apart from ids, enterprise and the random nonce
    skip = {"id", "enterprise", "id_number_encrypted", "created_at", "updated_at"}
    names = [f.attname for f in Person._meta.concrete_fields if f.name not in skip]

    def read(enterprise):
        return sorted(Person.objects.filter(enterprise=enterprise).values_list(*names))

    assert read(own_enterprise) == read(neighbour_enterprise)
    for enterprise in (own_enterprise, neighbour_enterprise):
        people = Person.objects.filter(enterprise=enterprise).order_by("name")
        assert [p.reveal_id_number() for p in people] == ["11010519491231002X", id_number(1200)]  # 乙 sorts before 甲
        assert all(p.created_at and p.updated_at and p.pk for p in people)


def test_template_has_the_headers_text_id_column_and_drop_downs_and_imports_once_filled(own_enterprise):
    # Given the downloadable template
    workbook = load_workbook(io.BytesIO(template_workbook()))
    sheet = workbook["花名册"]
    # Then it has the headers, text format on the ID column, and lists for the choice columns
    assert [c.value for c in sheet[1]] == list(HEADERS)
    assert sheet.column_dimensions["B"].number_format == "@"
    assert {str(v.sqref).split(":")[0] for v in sheet.data_validations.dataValidation} == {"G2", "H2", "J2", "L2"}
    assert sheet.max_row == 1  # the example is on the instructions sheet only
    assert "填写说明" in workbook.sheetnames
    # When an enterprise fills it in and imports it
    sheet.append(["赵六", id_number(1300), "13800138000", "", "", "2020-02-10", "客车", "核心", "", "是", "", "本市其他区"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run(own_enterprise, buffer.getvalue())
    # Then the row goes in
    assert (result.imported, result.refused) == (1, [])
    saved = person(own_enterprise, id_number(1300))
    assert (saved.transport, saved.post, saved.shuttle_bus, saved.origin) == ("bus", "core", True, "same_city_other_district")
