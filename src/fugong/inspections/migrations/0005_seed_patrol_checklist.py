"""Data: the patrol checklist, and the history of rectification items found before it was kept
(each item's finding, answer and verification, from the item itself)."""

from django.db import migrations

from fugong.inspections.checklists import PATROL


def seed(apps, schema_editor):
    template_model = apps.get_model("inspections", "ChecklistTemplate")
    item_model = apps.get_model("inspections", "ChecklistItem")
    name, items = PATROL
    template, created = template_model.objects.get_or_create(kind="patrol", version=1, defaults={"name": name})
    if created:
        item_model.objects.bulk_create(
            [item_model(template=template, order=i, text=t, hint=h, condition=c) for i, (t, h, c) in enumerate(items, start=1)]
        )
    event_model = apps.get_model("inspections", "RectificationEvent")
    events = []
    for item in apps.get_model("inspections", "RectificationItem").objects.filter(history__isnull=True).iterator():
        events.append(event_model(item=item, action="found", actor_id=item.created_by_id, at=item.created_at, note=item.description,
                                  deadline=item.deadline))
        if item.answered_at:
            events.append(event_model(item=item, action="answered", at=item.answered_at, note=item.answer))
        if item.verified_at and item.status in ("verified", "reopened"):
            events.append(event_model(item=item, action=item.status, actor_id=item.verified_by_id, at=item.verified_at))
    event_model.objects.bulk_create(events, batch_size=1000)


def unseed(apps, schema_editor):
    apps.get_model("inspections", "ChecklistTemplate").objects.filter(version=1, kind="patrol").delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0004_patrols_and_rectification_history")]
    operations = [migrations.RunPython(seed, unseed)]
