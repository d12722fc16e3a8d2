"""Bulk import from Excel or CSV: good rows go in through the audited service, bad rows are listed
with their reasons (on the page and in a downloadable report), and nothing is half-written."""

from __future__ import annotations

import io
import os

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from fugong.audit.models import AuditEntry
from fugong.enterprises import services
from fugong.enterprises.importers import EnterpriseImporter
from fugong.enterprises.models import Enterprise
from fugong.enterprises.validators import validate_uscc
from fugong.enterprises.views import MAX_IMPORT_BYTES
from fugong.regions.models import Region
from tests.enterprises.conftest import HITECH
from tests.enterprises.factories import IMPORT_HEADERS, csv_bytes, import_row, read_xlsx, upload, uscc_for, with_wrong_check, xlsx_bytes

pytestmark = pytest.mark.django_db

REPORT_HEADERS = ["行号", *IMPORT_HEADERS, "错误原因"]


def post_import(client, name: str, content: bytes):
    response = client.post("/enterprises/import/", {"file": upload(name, content)})
    assert response.status_code == 200
    return response


def reasons_by_row(response) -> dict[int, str]:
    return {row.number: row.reason for row in response.context["result"].refused}


def imported_codes(*codes: str) -> set[str]:
    return set(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", flat=True))


@pytest.fixture
def commander(client_for):
    """The hi-tech zone's command officer, who may import."""
    return client_for("hitech_cmd")


def test_good_rows_go_in_and_each_bad_row_is_refused_with_its_reason(commander, own_enterprise, users):
    # Given a workbook with two good rows and a bad row of every kind
    bad_check, right = with_wrong_check(uscc_for(203))
    rows = [
        import_row("河源市导入一号有限公司", uscc_for(201), region="工业企业第2网格"),  # row 2: good, in a grid
        import_row("河源市导入二号有限公司", uscc_for(202)),  # row 3: good, at town level
        import_row("校验位错误的公司", bad_check),  # row 4
        import_row("镇街不存在的公司", uscc_for(204), town="不存在镇"),  # row 5
        import_row("别县镇街的公司", uscc_for(205), town="沙坪街道"),  # row 6: a town of 鹤山市
        import_row("文件内重复的公司", uscc_for(201)),  # row 7: same code as row 2
        import_row("已登记的公司", own_enterprise.uscc),  # row 8
        import_row("行业错误的公司", uscc_for(208), **{"行业": "农业"}),  # row 9
        import_row("缺电话的公司", uscc_for(209), **{"联系电话": ""}),  # row 10
        import_row("网格不在此镇的公司", uscc_for(210), region="沙坪第1网格"),  # row 11
        import_row("人数不是数字的公司", uscc_for(211), **{"员工总数": "很多"}),  # row 12
        import_row("占比超限的公司", uscc_for(212), **{"本地员工占比(%)": "120"}),  # row 13
        {},  # row 14: an empty row is skipped, not refused
    ]
    before = Enterprise.objects.count()

    # When the hi-tech zone's officer imports it
    response = post_import(commander, "企业名单.xlsx", xlsx_bytes(rows))

    # Then the two good rows are registered, in the right places, through the audited service
    result = response.context["result"]
    assert (result.error, result.imported) == ("", 2)
    assert Enterprise.objects.count() == before + 2
    first, second = Enterprise.objects.get(uscc=uscc_for(201)), Enterprise.objects.get(uscc=uscc_for(202))
    assert (first.region.code, first.town.code, first.headcount, first.has_canteen) == ("441602-GXQ-IND02", HITECH, 45, True)
    assert (second.region.code, second.closed_management, second.local_staff_percent) == (HITECH, "semi", 80)
    assert set(AuditEntry.objects.filter(action="enterprise.create", actor_id=users("hitech_cmd").pk).values_list("object_id", flat=True)) == {
        str(first.pk), str(second.pk)}
    # And each bad row is refused with its own reason
    assert reasons_by_row(response) == {
        4: f"统一社会信用代码校验位错误：最后一位应为“{right}”，而不是“{bad_check[-1]}”，请核对。",
        5: "镇街“不存在镇”不在您的辖区内或不存在",
        6: "镇街“沙坪街道”不在您的辖区内或不存在",
        7: "与文件中前面的行统一社会信用代码重复",
        8: "该统一社会信用代码的企业已登记",
        9: "行业“农业”无效，可选：工业、批发零售住宿餐饮、服务业、建筑工地、房地产/售楼处/中介、沿街商铺、餐饮、煤炭、危化品、其他",
        10: "“联系电话”必填",
        11: "“沙坪第1网格”不是高新区下的村社区或网格",
        12: "员工总数和本地员工占比须为数字",
        13: "本地员工占比(%)：确保该值小于或等于100。",
    }
    assert not imported_codes(*(uscc_for(n) for n in range(203, 213)))
    # And the page says so, row by row
    html = response.content.decode()
    assert "已导入 2 家，10 行未导入。" in html
    assert "镇街“沙坪街道”不在您的辖区内或不存在" in html


def test_the_error_report_lists_every_refused_row_with_what_was_typed_and_why(commander):
    # Given an import with two refused rows, one named like a formula (typed as text in a CSV)
    bad_check, _ = with_wrong_check(uscc_for(221))
    rows = [import_row("好公司", uscc_for(220)), import_row('=HYPERLINK("http://evil.example","x")', bad_check),
            import_row("坏镇公司", uscc_for(222), town="龙口镇")]
    post_import(commander, "名单.csv", csv_bytes(rows))

    # When the report is downloaded
    response = commander.get("/enterprises/import/errors.xlsx")

    # Then it is a workbook with the row number, every typed cell and the reason of each refused row
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header, *lines = read_xlsx(response.content)
    assert header == REPORT_HEADERS
    assert [line[0] for line in lines] == [3, 4]
    by_header = [dict(zip(header, line, strict=True)) for line in lines]
    assert by_header[0]["统一社会信用代码"] == bad_check
    assert by_header[0]["错误原因"].startswith("统一社会信用代码校验位错误")
    assert by_header[1]["镇街"] == "龙口镇"
    assert by_header[1]["错误原因"] == "镇街“龙口镇”不在您的辖区内或不存在"
    # And the formula-like name is text, not a formula
    assert by_header[0]["企业名称"] == '\'=HYPERLINK("http://evil.example","x")'


def test_a_later_clean_import_does_not_offer_the_earlier_error_report(commander):
    bad_check, _ = with_wrong_check(uscc_for(231))
    post_import(commander, "first.xlsx", xlsx_bytes([import_row("坏公司", bad_check)]))
    assert commander.get("/enterprises/import/errors.xlsx").status_code == 200

    post_import(commander, "second.xlsx", xlsx_bytes([import_row("好公司", uscc_for(232))]))

    response = commander.get("/enterprises/import/errors.xlsx")
    assert response.status_code == 302
    assert response["Location"] == "/enterprises/import/"


def test_a_file_missing_a_required_column_is_refused_as_a_whole(commander):
    headers = [h for h in IMPORT_HEADERS if h not in ("联系电话", "法定代表人")]

    response = post_import(commander, "缺列.xlsx", xlsx_bytes([import_row("好公司", uscc_for(240))], headers=headers))

    result = response.context["result"]
    assert result.error == "表头缺少：法定代表人、联系电话。请下载模板对照填写。"
    assert (result.imported, result.refused) == (0, [])
    assert 'data-testid="import-error"' in response.content.decode()
    assert not imported_codes(uscc_for(240))


def test_a_corrupt_file_named_xlsx_gets_a_chinese_error_and_imports_nothing(commander):
    before = Enterprise.objects.count()

    response = post_import(commander, "企业名单.xlsx", os.urandom(4096))

    assert response.context["result"].error == "文件已损坏或不是有效的 Excel 文件，无法读取。"
    assert "文件已损坏" in response.content.decode()
    assert Enterprise.objects.count() == before


def test_a_truncated_workbook_is_refused_as_corrupt(commander):
    whole = xlsx_bytes([import_row("好公司", uscc_for(241))])

    response = post_import(commander, "半截.xlsx", whole[: len(whole) // 2])

    assert response.context["result"].error == "文件已损坏或不是有效的 Excel 文件，无法读取。"
    assert not imported_codes(uscc_for(241))


@pytest.mark.parametrize("name", ["名单.pdf", "名单.txt", "名单"])
def test_a_file_that_is_not_a_spreadsheet_is_refused_by_its_type(commander, name):
    response = post_import(commander, name, b"hello")

    assert response.context["result"].error == "只接受 .xlsx、.xls 或 .csv 文件。"


def test_an_oversized_upload_is_refused_before_it_is_read(commander):
    content = xlsx_bytes([import_row("好公司", uscc_for(242))])
    oversized = content + b"\0" * (MAX_IMPORT_BYTES + 1 - len(content))

    response = post_import(commander, "巨大.xlsx", oversized)

    assert "result" not in response.context
    assert response.context["error"] == "文件过大（20 MB），上限 20 MB。"
    assert not imported_codes(uscc_for(242))


def test_a_post_without_a_file_asks_for_one(commander):
    response = commander.post("/enterprises/import/", {})

    assert response.context["error"] == "请选择要导入的文件。"


def test_an_empty_file_is_refused_as_empty(commander):
    assert post_import(commander, "空.csv", b"").context["result"].error == "文件是空的。"


def test_a_utf8_csv_imports_like_a_workbook(commander):
    response = post_import(commander, "名单.csv", csv_bytes([import_row("河源市逗号分隔有限公司", uscc_for(250))]))

    assert response.context["result"].imported == 1
    assert Enterprise.objects.get(uscc=uscc_for(250)).name == "河源市逗号分隔有限公司"


def test_a_gb18030_csv_saved_by_chinese_excel_is_read_correctly(commander):
    content = csv_bytes([import_row("河源市国标编码有限公司", uscc_for(251), region="工业企业第3网格")], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # proves the file really is GB18030

    response = post_import(commander, "名单.csv", content)

    assert response.context["result"].imported == 1
    enterprise = Enterprise.objects.get(uscc=uscc_for(251))
    assert (enterprise.name, enterprise.region.name) == ("河源市国标编码有限公司", "工业企业第3网格")


def test_a_csv_in_an_unknown_encoding_is_refused_with_a_reason(commander):
    response = post_import(commander, "名单.csv", b"\xff\xfe\xff\x80\x81")

    assert response.context["result"].error == "CSV 文件编码无法识别，请另存为 UTF-8 编码。"


def test_a_csv_the_csv_reader_cannot_parse_is_refused_with_a_reason(commander):
    content = ",".join(IMPORT_HEADERS).encode() + b'\n"' + b"x" * 200_000 + b'"\n'

    response = post_import(commander, "名单.csv", content)

    assert response.context["result"].error == "CSV 文件格式错误，无法读取；请用 Excel 另存为 .xlsx 后再导入。"


def test_headers_in_any_order_with_full_width_brackets_and_spaces_are_recognised(commander):
    row = import_row("河源市表头宽容有限公司", uscc_for(252))
    headers = list(reversed(IMPORT_HEADERS))
    renamed = [" 本地员工占比（%） " if h == "本地员工占比(%)" else h.replace("企业名称", "企业 名称") for h in headers]
    content = xlsx_bytes([{new: row[old] for new, old in zip(renamed, headers, strict=True)}], headers=renamed)

    response = post_import(commander, "名单.xlsx", content)

    assert response.context["result"].imported == 1
    assert Enterprise.objects.get(uscc=uscc_for(252)).local_staff_percent == 80


def test_numbers_typed_as_numbers_in_excel_are_read_as_text_without_a_decimal_point(commander):
    row = import_row("河源市数字单元格有限公司", uscc_for(253), **{"联系电话": 13800138000, "员工总数": 45.0, "本地员工占比(%)": 66})

    post_import(commander, "名单.xlsx", xlsx_bytes([row]))

    enterprise = Enterprise.objects.get(uscc=uscc_for(253))
    assert (enterprise.contact_phone, enterprise.headcount, enterprise.local_staff_percent) == ("13800138000", 45, 66)


def test_a_lower_case_credit_code_is_normalised_on_import(commander):
    post_import(commander, "名单.xlsx", xlsx_bytes([import_row("河源市小写代码有限公司", uscc_for(254).lower())]))

    assert imported_codes(uscc_for(254)) == {uscc_for(254)}


def test_a_town_and_grid_may_be_given_by_code(commander):
    row = import_row("河源市按代码导入有限公司", uscc_for(255), town=HITECH, region="441602-GXQ-REN04")

    post_import(commander, "名单.xlsx", xlsx_bytes([row]))

    assert Enterprise.objects.get(uscc=uscc_for(255)).region.code == "441602-GXQ-REN04"


def test_a_town_name_shared_by_two_counties_is_refused_rather_than_guessed(client_for, region):
    # Given a second 源南镇, in 鹤山市, which the admin also covers
    yuannan = Region.objects.get(name="源南镇", parent__code="441602")
    Region.objects.create(code="440784-T99", name="源南镇", level="town", parent=region("440784"))
    admin = client_for("admin")

    # When the admin imports a row for 源南镇 by name, and another by the code of the real one
    response = post_import(admin, "名单.xlsx", xlsx_bytes([
        import_row("同名镇街的公司", uscc_for(256), town="源南镇"),
        import_row("按代码指定镇街的公司", uscc_for(257), town=yuannan.code),
    ]))

    # Then the name is refused as ambiguous and the code is placed exactly
    [(number, reason)] = reasons_by_row(response).items()
    assert number == 2
    assert reason.startswith("您的辖区内有 2 个镇街名为“源南镇”，请改填镇街代码")
    assert not imported_codes(uscc_for(256))
    assert Enterprise.objects.get(uscc=uscc_for(257)).town == yuannan


def test_a_grid_name_shared_within_one_town_is_refused_rather_than_guessed(client_for, region):
    community = region("共和镇").children.get()
    Region.objects.create(code="440784-C02", name="共和第二社区", level="village", parent=region("共和镇"))
    Region.objects.create(code="440784-C02-G01", name="共和第1网格", level="grid", parent=Region.objects.get(code="440784-C02"))

    response = post_import(client_for("heshan_cmd"), "名单.xlsx", xlsx_bytes([
        import_row("同名网格的公司", uscc_for(258, "440784"), town="共和镇", region="共和第1网格"),
        import_row("社区下的公司", uscc_for(259, "440784"), town="共和镇", region=community.name),
    ]))

    assert reasons_by_row(response)[2].startswith("共和镇下有 2 个“共和第1网格”")
    assert Enterprise.objects.get(uscc=uscc_for(259, "440784")).region == community


def test_a_row_that_fails_while_being_saved_leaves_nothing_behind(commander, monkeypatch):
    # Given the audit write fails for one row, after its enterprise row was inserted
    real_record = services.record

    def failing_record(**kwargs):
        if kwargs["obj"].uscc == uscc_for(261):
            raise ValidationError("审计写入失败（测试）")
        return real_record(**kwargs)

    monkeypatch.setattr(services, "record", failing_record)
    rows = [import_row("第一家", uscc_for(260)), import_row("第二家", uscc_for(261)), import_row("第三家", uscc_for(262))]

    # When the file is imported
    response = post_import(commander, "名单.xlsx", xlsx_bytes(rows))

    # Then that row is refused and rolled back whole, and its neighbours are in
    assert reasons_by_row(response) == {3: "审计写入失败（测试）"}
    assert imported_codes(uscc_for(260), uscc_for(261), uscc_for(262)) == {uscc_for(260), uscc_for(262)}
    assert AuditEntry.objects.filter(action="enterprise.create", data__uscc=uscc_for(261)).count() == 0


def test_the_template_round_trips_fill_it_in_import_it_and_the_row_is_in(commander):
    # Given the downloaded template
    response = commander.get("/enterprises/import/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert [c.value for c in sheet[1]] == IMPORT_HEADERS
    # And its example row is itself valid
    assert validate_uscc(sheet["B2"].value) == sheet["B2"].value

    # When the example row is overwritten with a real enterprise and the file is imported
    filled = import_row("河源市模板回填有限公司", uscc_for(270), region="工业企业第5网格", **{"规模": "规上", "园区入驻": "是"})
    for column, header in enumerate(IMPORT_HEADERS, start=1):
        sheet.cell(row=2, column=column, value=filled[header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = post_import(commander, "企业导入模板.xlsx", buffer.getvalue()).context["result"]

    # Then the row is in
    assert (result.imported, result.refused, result.error) == (1, [], "")
    enterprise = Enterprise.objects.get(uscc=uscc_for(270))
    assert (enterprise.name, enterprise.size, enterprise.in_park, enterprise.region.name) == ("河源市模板回填有限公司", "above", True, "工业企业第5网格")


def test_the_importer_works_without_the_web_page(users):
    result = EnterpriseImporter(acting_user=users("heshan_cmd")).run(
        xlsx_bytes([import_row("鹤山市直接导入有限公司", uscc_for(280, "440784"), town="雅瑶镇", region="雅瑶第2网格")]), "a.xlsx"
    )

    assert (result.imported, result.refused) == (1, [])
    assert Enterprise.objects.get(uscc=uscc_for(280, "440784")).town.name == "雅瑶镇"


@pytest.mark.parametrize("username", ["grid_officer", "jmb_reviewer", "ent_admin"])
def test_only_admins_and_command_officers_may_import(client_for, username):
    client = client_for(username)

    assert client.get("/enterprises/import/").status_code == 403
    assert client.get("/enterprises/import/template.xlsx").status_code == 403
    assert client.get("/enterprises/import/errors.xlsx").status_code == 403
    assert client.post("/enterprises/import/", {"file": upload("a.xlsx", xlsx_bytes([import_row("x", uscc_for(290))]))}).status_code == 403
    assert not imported_codes(uscc_for(290))
