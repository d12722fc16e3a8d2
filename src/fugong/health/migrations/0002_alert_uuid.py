# Schema: the alert's UUID, nullable while existing rows get theirs (0003), then unique (0004).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("health", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="uuid",
            field=models.UUIDField(editable=False, null=True, verbose_name="编号"),
        ),
    ]
