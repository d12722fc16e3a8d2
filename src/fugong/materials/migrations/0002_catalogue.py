"""The item catalogue (SPEC.md, "Protective materials"): seeded as data, with units and the policy
parameter of each item's daily use per on-site person. Codes match the resumption application's
material items."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CATALOGUE = [
    # code, name, unit, usage parameter, whole units
    ("mask", "口罩", "只", "masks_per_person_per_day", True),
    ("gloves", "一次性手套", "副", "gloves_per_person_per_day", True),
    ("suit", "防护服", "套", "suits_per_person_per_day", True),
    ("thermometer", "体温计（电子/红外）", "支", "thermometers_per_person_per_day", True),
    ("alcohol", "酒精", "升", "alcohol_litres_per_person_per_day", False),
    ("disinfectant", "消毒液", "升", "disinfectant_litres_per_person_per_day", False),
    ("sprayer", "喷雾器", "台", "sprayers_per_person_per_day", True),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Material = apps.get_model("materials", "Material")
    for order, (code, name, unit, parameter, whole) in enumerate(CATALOGUE, start=1):
        Material.objects.update_or_create(code=code, defaults={"name": name, "unit": unit, "usage_parameter": parameter,
                                                               "whole_units": whole, "order": order})


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("materials", "Material").objects.filter(code__in=[row[0] for row in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("materials", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
