# Data: a UUID for every alert raised before alerts had one.

import uuid

from django.db import migrations


def fill(apps, schema_editor):
    Alert = apps.get_model("health", "Alert")
    rows = list(Alert.objects.filter(uuid__isnull=True).only("pk"))
    for alert in rows:
        alert.uuid = uuid.uuid4()
    Alert.objects.bulk_update(rows, ["uuid"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("health", "0002_alert_uuid"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
