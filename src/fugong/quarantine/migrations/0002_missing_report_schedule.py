"""Data migration: run ``check_missing_reports`` every quarter of an hour with django-celery-beat.

The job itself decides, per county, whether the policy's ``daily_report_deadline_hour`` has
passed (鹤山市 9:00, elsewhere 10:00), so one schedule serves every county; running it again
raises nothing twice (one missing-report alert per enterprise and day).
"""

from django.db import migrations

TASK = "fugong.health.tasks.check_missing_reports"
NAME = "企业日报未报送检查（每15分钟）"


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(minute="*/15", hour="*", day_of_week="*", day_of_month="*", month_of_year="*",
                                                        timezone="Asia/Shanghai")
    PeriodicTask.objects.update_or_create(name=NAME, defaults={
        "task": TASK, "crontab": schedule, "enabled": True,
        "description": "截止时间（政策参数 daily_report_deadline_hour）过后，为已批准复工但未报送日报的企业生成“未报日报”预警。",
    })


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("quarantine", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install, remove)]
