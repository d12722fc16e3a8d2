"""Data: the checklists of SPEC.md."""

from django.db import migrations

from fugong.inspections.checklists import TEMPLATES


def seed(apps, schema_editor):
    template_model = apps.get_model("inspections", "ChecklistTemplate")
    item_model = apps.get_model("inspections", "ChecklistItem")
    for kind, (name, items) in TEMPLATES.items():
        template, created = template_model.objects.get_or_create(kind=kind, version=1, defaults={"name": name})
        if created:
            item_model.objects.bulk_create(
                [item_model(template=template, order=i, text=t, hint=h, condition=c) for i, (t, h, c) in enumerate(items, start=1)]
            )


def unseed(apps, schema_editor):
    apps.get_model("inspections", "ChecklistTemplate").objects.filter(version=1, kind__in=list(TEMPLATES)).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
