"""Data: the county routing variant of SPEC.md as the default everywhere."""

from django.db import migrations

from fugong.resumption.seeds import install


def seed(apps, schema_editor):
    install(apps.get_model("resumption", "RoutingRule"), variant="县区版")


def unseed(apps, schema_editor):
    apps.get_model("resumption", "RoutingRule").objects.filter(region__isnull=True, variant="县区版").delete()


class Migration(migrations.Migration):
    dependencies = [("resumption", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
