"""Routing rules are data the admin edits; a bad chain is refused in Chinese and edits are audited."""

import pytest
from django.core.exceptions import ValidationError

from fugong.audit.models import AuditEntry
from fugong.resumption.models import RoutingRule


def test_a_rule_naming_an_unknown_department_kind_is_refused(db):
    rule = RoutingRule(variant="街道版", sector="industry", chain=["economy", "bureau_of_nothing"])
    with pytest.raises(ValidationError) as refused:
        rule.clean()
    assert "bureau_of_nothing" in str(refused.value)


def test_the_admin_adds_a_rule_through_the_admin_site_and_it_is_audited(client_for):
    client = client_for("admin")
    before = RoutingRule.objects.count()
    response = client.post("/admin/resumption/routingrule/add/", {
        "variant": "街道版", "sector": "coal", "size": "", "in_park": "unknown", "chain": '["emergency", "energy"]', "priority": "3", "note": "测试",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RoutingRule.objects.count() == before + 1
    assert AuditEntry.objects.filter(action="routing_rule.create").exists()
