"""Rectification items: filed by hand or found by an inspection, answered with evidence photos
(checked like inspection photos), verified or reopened with a reason and a new deadline, flagged
when overdue, counted per town; the ledger's filters and export, the item's page with its
history, the summary page, and scoping."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fugong.inspections.choices import RectificationAction, RectificationSource, RectificationStatus
from fugong.inspections.models import RectificationEvidence, RectificationItem
from fugong.inspections.selectors import rectification_counts
from fugong.inspections.services import rectification_answer, rectification_create, rectification_verify
from fugong.policy.services import current, policy_publish
from fugong.regions.models import Region
from tests.inspections.acceptance_flow import PDF, own_enterprise, png, png_bytes
from tests.inspections.patrol_helpers import gonghe_grid, gonghe_plan, grid_enterprises, user, visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def finding(description: str = "门口测温点无人值守", **kwargs: Any) -> RectificationItem:
    """A finding filed by hand by grid_officer on ent_admin's enterprise."""
    return rectification_create(enterprise=own_enterprise(), description=description, acting_user=user("grid_officer"), **kwargs)


# -- services ---------------------------------------------------------------------------------------

def test_an_officer_files_a_finding_by_hand_with_the_policy_deadline() -> None:
    item = finding()
    days = current(own_enterprise().region).rectification_days
    assert item.deadline == timezone.localdate() + timedelta(days=days) and item.status == RectificationStatus.OPEN
    assert item.source == RectificationSource.MANUAL and item.inspection is None
    assert list(item.history.values_list("action", flat=True)) == [RectificationAction.FOUND]
    with pytest.raises(ValidationError, match="请写明发现的问题"):
        finding(" ")
    with pytest.raises(ValidationError, match="不能早于今天"):
        finding(deadline=timezone.localdate() - timedelta(days=1))
    for outsider in ("gongh_grid", "ent_admin"):
        with pytest.raises(PermissionDenied):
            rectification_create(enterprise=own_enterprise(), description="x", acting_user=user(outsider))


def test_the_answer_keeps_its_photos_as_evidence() -> None:
    item = finding()
    done = rectification_answer(item=item, answer="已安排专人值守", photos=[png("值守.png"), png("登记表.png")], acting_user=user("ent_admin"))
    assert done.status == RectificationStatus.ANSWERED and done.answer == "已安排专人值守"
    answered = done.history.get(action=RectificationAction.ANSWERED)
    assert answered.actor == user("ent_admin") and answered.note == "已安排专人值守"
    evidence = list(RectificationEvidence.objects.filter(item=item))
    assert len(evidence) == 2 and all(e.event == answered and e.image.name.endswith(".png") for e in evidence)
    assert evidence[0].image.read() == png_bytes()


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: SimpleUploadedFile("整改.png", PDF, content_type="image/png"), "内容与扩展名 .png 不符"),
    (lambda: SimpleUploadedFile("整改.pdf", PDF, content_type="application/pdf"), "只接受 JPG、PNG 文件"),
    (lambda: SimpleUploadedFile("大图.png", png_bytes() + b"0" * (1024 * 1024 + 1), content_type="image/png"), "超过单个文件 1 MB 的上限"),
])
def test_evidence_photos_are_checked_like_inspection_photos_and_a_refused_one_keeps_nothing(upload: Callable[[], Any], message: str) -> None:
    policy_publish(region=Region.objects.get(code="441602"), values={"upload_max_mb": 1}, effective_from=timezone.now() - timedelta(days=1),
                   note="测试", acting_user=user("admin"))
    item = finding()
    with pytest.raises(ValidationError, match=message):
        rectification_answer(item=item, answer="已整改", photos=[png(), upload()], acting_user=user("ent_admin"))
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN and not item.answer and not RectificationEvidence.objects.filter(item=item).exists()


def test_only_the_enterprise_answers_and_only_an_officer_over_it_verifies() -> None:
    item = finding()
    with pytest.raises(PermissionDenied):
        rectification_answer(item=item, answer="x", acting_user=user("grid_officer"))
    done = rectification_answer(item=item, answer="已整改", acting_user=user("ent_admin"))
    for outsider in ("gongh_grid", "ent_admin"):
        with pytest.raises(PermissionDenied):
            rectification_verify(item=done, accepted=True, acting_user=user(outsider))


def test_reopening_needs_a_reason_and_gives_a_new_deadline_then_the_officer_verifies() -> None:
    item = finding()
    rectification_answer(item=item, answer="已安排值守", acting_user=user("ent_admin"))
    with pytest.raises(ValidationError, match="退回须写明原因"):
        rectification_verify(item=item, accepted=False, reason=" ", acting_user=user("grid_officer"))
    with pytest.raises(ValidationError, match="不能早于今天"):
        rectification_verify(item=item, accepted=False, reason="仍无人", deadline=timezone.localdate() - timedelta(days=1),
                             acting_user=user("grid_officer"))
    RectificationItem.objects.filter(pk=item.pk).update(deadline=timezone.localdate() - timedelta(days=2))
    reopened = rectification_verify(item=item, accepted=False, reason="复查仍无人值守", acting_user=user("grid_officer"))
    days = current(own_enterprise().region).rectification_days
    assert reopened.status == RectificationStatus.REOPENED and reopened.deadline == timezone.localdate() + timedelta(days=days)
    assert not RectificationItem.objects.filter(pk=item.pk).overdue(timezone.localdate()).exists()
    with pytest.raises(ValidationError, match="企业尚未填报"):
        rectification_verify(item=reopened, accepted=True, acting_user=user("grid_officer"))
    rectification_answer(item=reopened, answer="已排班两人轮值", acting_user=user("ent_admin"))
    assert rectification_verify(item=reopened, accepted=True, acting_user=user("grid_officer")).status == RectificationStatus.VERIFIED
    history = list(item.history.values_list("action", "actor__username", "note", "deadline"))
    assert [h[0] for h in history] == ["found", "answered", "reopened", "answered", "verified"]
    assert history[2][1:] == ("grid_officer", "复查仍无人值守", reopened.deadline)
    assert history[4][1:3] == ("grid_officer", "")


def test_overdue_means_past_the_deadline_and_not_verified() -> None:
    today = timezone.localdate()
    open_, answered, verified, reopened = (finding(f"问题{i}") for i in range(4))
    for item in (answered, verified, reopened):
        rectification_answer(item=item, answer="已整改", acting_user=user("ent_admin"))
    rectification_verify(item=verified, accepted=True, acting_user=user("grid_officer"))
    rectification_verify(item=reopened, accepted=False, reason="未到位", acting_user=user("grid_officer"))
    mine = RectificationItem.objects.filter(pk__in=[open_.pk, answered.pk, verified.pk, reopened.pk])
    assert not mine.overdue(today).exists()
    mine.update(deadline=today - timedelta(days=1))
    assert set(mine.overdue(today)) == {open_, answered, reopened}
    assert set(mine.not_overdue(today)) == {verified}
    assert not mine.overdue(today - timedelta(days=1)).exists()  # on the deadline day itself it is not late yet


def test_counts_per_town_found_rectified_and_overdue() -> None:
    gonghe_plan()
    town = gonghe_grid().parent.parent  # type: ignore[union-attr]
    heshan = Region.objects.filter(code="440784")

    def gonghe() -> tuple[int, int, int, int]:
        row = next((c for c in rectification_counts(heshan) if c.town == town), None)
        return (row.found, row.rectified, row.open, row.overdue) if row else (0, 0, 0, 0)

    before = gonghe()
    enterprises = grid_enterprises(gonghe_grid())
    found = [RectificationItem.objects.get(inspection=visit(e, fails={2: "无人值守"})) for e in enterprises[:3]]
    RectificationItem.objects.filter(pk__in=[i.pk for i in found]).update(status=RectificationStatus.ANSWERED)
    for item in found[:2]:
        rectification_verify(item=item, accepted=True, acting_user=user("gongh_grid"))
    RectificationItem.objects.filter(pk=found[2].pk).update(deadline=timezone.localdate() - timedelta(days=1))
    after = gonghe()
    assert tuple(a - b for a, b in zip(after, before, strict=True)) == (3, 2, 1, 1)
    # Only patrol findings of today; by paths too
    [row] = [c for c in rectification_counts([town.path], source=RectificationSource.PATROL, since=timezone.localdate())]
    assert (row.found, row.rectified, row.overdue, row.percent) == (3, 2, 1, 67)
    # Another county's command asking for 高新区 gets 高新区's, its selector takes whatever regions it is given
    assert [c.town.name for c in rectification_counts(Region.objects.filter(code="441602-GXQ"))] == ["高新区"]


# -- pages --------------------------------------------------------------------------------------------

def test_the_item_page_shows_the_history_and_the_enterprise_answers_there_with_photos(client_for: Callable[[str], Client]) -> None:
    item = finding()
    enterprise, officer = client_for("ent_admin"), client_for("grid_officer")
    url = reverse("inspections:rectification-detail", args=[item.pk])
    page = enterprise.get(url).content.decode()
    assert "门口测温点无人值守" in page and "发现问题" in page and 'name="photos"' in page and "verify" not in page
    # A refused answer keeps what was typed
    response = enterprise.post(reverse("inspections:rectification-answer", args=[item.pk]),
                               {"answer": "已安排专人值守", "photos": [SimpleUploadedFile("x.png", PDF, content_type="image/png")]})
    assert response.status_code == 200 and "内容与扩展名 .png 不符" in response.content.decode() and "已安排专人值守" in response.content.decode()
    response = enterprise.post(reverse("inspections:rectification-answer", args=[item.pk]), {"answer": "已安排专人值守", "photos": [png()]})
    assert response.status_code == 302 and response["Location"] == url
    photo = RectificationEvidence.objects.get(item=item)
    photo_url = reverse("inspections:rectification-photo", args=[item.pk, photo.uuid])
    page = officer.get(url).content.decode()
    assert "企业填报整改" in page and "已安排专人值守" in page and photo_url in page and 'data-testid="verify"' in page
    served = officer.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png" and served["X-Content-Type-Options"] == "nosniff"
    # The officer reopens with a reason and a chosen deadline, shown in the history
    later = timezone.localdate() + timedelta(days=10)
    refused = officer.post(reverse("inspections:rectification-verify", args=[item.pk]), {"accepted": "0", "reason": "", "deadline": ""})
    assert refused.status_code == 200 and "该字段是必填项" in refused.content.decode()
    item.refresh_from_db()
    assert item.status == RectificationStatus.ANSWERED  # an empty reason was refused
    response = officer.post(reverse("inspections:rectification-verify", args=[item.pk]),
                            {"accepted": "0", "reason": "登记表仍有漏记", "deadline": later.isoformat()})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RectificationStatus.REOPENED and item.deadline == later
    page = enterprise.get(url).content.decode()
    assert "退回重新整改" in page and "登记表仍有漏记" in page and later.isoformat() in page and 'name="answer"' in page


def test_item_pages_are_scoped(client_for: Callable[[str], Client]) -> None:
    item = finding()
    rectification_answer(item=item, answer="已整改", photos=[png()], acting_user=user("ent_admin"))
    photo = RectificationEvidence.objects.get(item=item)
    for username in ("gongh_grid", "heshan_cmd"):
        stranger = client_for(username)
        assert stranger.get(reverse("inspections:rectification-detail", args=[item.pk])).status_code == 404
        assert stranger.get(reverse("inspections:rectification-photo", args=[item.pk, photo.uuid])).status_code == 404
        assert stranger.post(reverse("inspections:rectification-verify", args=[item.pk]), {"accepted": "1"}).status_code == 404
    other = finding("另一个问题")
    # A photo only through its own item
    assert client_for("grid_officer").get(reverse("inspections:rectification-photo", args=[other.pk, photo.uuid])).status_code == 404
    assert client_for("employee").get(reverse("inspections:rectification-detail", args=[item.pk])).status_code == 403
    item.refresh_from_db()
    assert item.status == RectificationStatus.ANSWERED


def test_an_officer_files_a_finding_from_the_page(client_for: Callable[[str], Client]) -> None:
    officer = client_for("grid_officer")
    url = reverse("inspections:rectification-new", args=[own_enterprise().pk])
    assert "登记整改事项" in officer.get(url).content.decode()
    response = officer.post(url, {"description": "", "deadline": ""})
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    response = officer.post(url, {"description": "宿舍每间住 6 人", "deadline": ""})
    item = RectificationItem.objects.get(description="宿舍每间住 6 人")
    assert response["Location"] == reverse("inspections:rectification-detail", args=[item.pk])
    assert item.created_by == user("grid_officer")
    assert client_for("gongh_grid").get(url).status_code == 404
    assert client_for("ent_admin").post(url, {"description": "x"}).status_code == 403


def test_the_ledger_filters_by_source_grid_enterprise_and_overdue_pages_and_exports(client_for: Callable[[str], Client]) -> None:
    command = client_for("hitech_cmd")
    url = reverse("inspections:rectifications")
    table = {"HX-Request": "true", "HX-Target": "list-table"}
    mine = finding("人工登记的问题")
    patrol = RectificationItem.objects.filter(inspection__template__kind="patrol", enterprise__town__code="441602-GXQ").first()
    assert patrol is not None
    by_source = command.get(url, {"source": "manual"}, headers=table).content.decode()
    assert "人工登记的问题" in by_source and patrol.description not in by_source
    assert patrol.description in command.get(url, {"source": "patrol", "q": patrol.enterprise.name}, headers=table).content.decode()
    grid = own_enterprise().region
    in_grid = command.get(url, {"grid": grid.pk}, headers=table).content.decode()
    assert "人工登记的问题" in in_grid
    assert "人工登记的问题" not in command.get(url, {"grid": Region.objects.get(code="441602-GXQ-IND02").pk}, headers=table).content.decode()
    assert "人工登记的问题" in command.get(url, {"enterprise": own_enterprise().pk}, headers=table).content.decode()
    # Overdue: the badge in the list and the filter
    RectificationItem.objects.filter(pk=mine.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    overdue = command.get(url, {"overdue": "true"}, headers=table).content.decode()
    assert "人工登记的问题" in overdue and "已逾期" in overdue
    assert "已逾期" in command.get(url).content.decode()  # the count at the top
    # Paging: 25 a page
    RectificationItem.objects.bulk_create([RectificationItem(enterprise=own_enterprise(), description=f"分页测试问题{n:02d}",
                                                             deadline=timezone.localdate() + timedelta(days=30 + n)) for n in range(30)])
    total = RectificationItem.objects.for_user(user("hitech_cmd")).count()
    first = command.get(url, headers=table).content.decode()
    assert f"共 {total} 项" in first and first.count('data-testid="item-link"') == 25
    last = command.get(url, {"page": -(-total // 25)}, headers=table).content.decode()
    assert last.count('data-testid="item-link"') == total - 25 * (-(-total // 25) - 1) and "分页测试问题29" in last
    # Export with the filters: source and grid columns
    export = command.get(url, {"source": "manual", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("来源", "网格")
    assert {r[-2] for r in rows[1:]} == {"人工登记"} and any(r[2] == "人工登记的问题" and r[5] == "是" for r in rows[1:])
    # Another county's enterprise is not a choice
    gonghe = grid_enterprises(gonghe_grid())[0]
    assert "filter-errors" in command.get(url, {"enterprise": gonghe.pk}).content.decode()


def test_the_enterprise_sees_only_its_own_items(client_for: Callable[[str], Client]) -> None:
    finding("本企业的问题")
    gonghe_plan()
    other = RectificationItem.objects.get(inspection=visit(grid_enterprises(gonghe_grid())[0], fails={2: "别家的问题"}))
    html = client_for("ent_admin").get(reverse("inspections:rectifications")).content.decode()
    assert "本企业的问题" in html and "别家的问题" not in html
    assert client_for("ent_admin").get(reverse("inspections:rectification-detail", args=[other.pk])).status_code == 404


def test_summary_page_counts_per_town_and_exports(client_for: Callable[[str], Client]) -> None:
    county = client_for("county_cmd")
    url = reverse("inspections:rectification-summary")
    hitech = Region.objects.get(code="441602-GXQ")
    [expected] = rectification_counts([hitech])
    html = county.get(url).content.decode()
    assert "高新区" in html and "鹤山" not in html
    last_monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    patrols = county.get(url, {"source": "patrol", "since": last_monday.isoformat(),
                               "until": (last_monday + timedelta(days=6)).isoformat()}).content.decode()
    assert '<td class="text-end">10</td><td class="text-end">10</td>' in patrols and "100%" in patrols  # Wutongqiao: 10 of 10
    export = county.get(url, {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("镇街", "发现问题", "已整改销号")
    assert ("高新区", expected.found, expected.rectified, expected.answered, expected.open, expected.overdue, expected.percent) in rows
    assert "开始日期不能晚于结束日期" in county.get(url, {"since": "2020-03-01", "until": "2020-02-01"}).content.decode()
    assert client_for("ent_admin").get(url).status_code == 403
