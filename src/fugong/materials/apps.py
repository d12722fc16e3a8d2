from django.apps import AppConfig


class MaterialsConfig(AppConfig):
    name = "fugong.materials"
    label = "materials"
    verbose_name = "防控物资"
