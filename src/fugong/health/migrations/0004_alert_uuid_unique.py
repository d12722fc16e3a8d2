# Schema: every alert has its UUID now (0003); it is required and unique.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("health", "0003_alert_uuid_fill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="编号"),
        ),
    ]
