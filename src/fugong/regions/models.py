"""The jurisdiction tree (county → town → village → grid) and the departments that serve it."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models.functions import Length

from fugong.core.models import TimeStampedModel
from fugong.regions.choices import DepartmentKind, GridKind, Level


class RegionQuerySet(models.QuerySet):
    def subtree(self, region: Region) -> RegionQuerySet:
        """The region and everything below it (materialised-path prefix match)."""
        return self.filter(path__startswith=region.path)

    def for_user(self, user: object) -> RegionQuerySet:
        """Regions a user may pick or browse: their jurisdictions and everything below them.
        Not the ancestors: a town officer who could open the county would see its other towns
        and their enterprise counts (pages name ancestors for context from ``Region.ancestors``)."""
        from fugong.accounts.scope import scope_of

        if not getattr(user, "is_authenticated", False):
            return self.none()
        scope = scope_of(user)  # type: ignore[arg-type]
        if scope.is_admin:
            return self
        if not scope.region_paths:
            return self.none()
        query = models.Q()
        for path in scope.region_paths:
            query |= models.Q(path__startswith=path)
        return self.filter(query)


class Region(models.Model):
    """A node of the jurisdiction tree.

    ``code`` is the GB/T 2260 division code for provinces, cities and counties, the statistical
    township code for towns and streets, and a local code for villages and grids created by the
    admin. ``path`` is the materialised path of codes ("/440000/441600/441602/") so a subtree is
    one indexed prefix match and scoping never walks the tree in Python.
    """

    code = models.CharField("区划代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name="上级", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    path = models.CharField("路径", max_length=255, unique=True, editable=False)
    full_name = models.CharField("全称", max_length=255, editable=False, default="")
    grid_kind = models.CharField("网格类型", max_length=16, choices=GridKind.choices, blank=True)
    is_development_zone = models.BooleanField("开发区/园区", default=False)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "辖区"
        verbose_name_plural = "辖区"
        ordering = ["path"]
        indexes = [
            models.Index(fields=["level", "name"]),
            # LIKE 'prefix%' on PostgreSQL needs the pattern operator class to use an index.
            models.Index(fields=["path"], name="region_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.path, self.full_name = self.derive(self.parent, self.code, self.name, self.level)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def derive(parent: Region | None, code: str, name: str, level: str) -> tuple[str, str]:
        """The materialised path and the full name of a node under ``parent``.

        Full names read as officials write them: 河源市源城区 for a county, the bare name below it.
        """
        path = (parent.path if parent else "/") + f"{code}/"
        if level == Level.COUNTY and parent is not None and parent.level == Level.CITY:
            return path, f"{parent.name}{name}"
        return path, name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def ancestors(self) -> models.QuerySet[Region]:
        codes = [code for code in self.path.strip("/").split("/") if code]
        return Region.objects.filter(code__in=codes).order_by(Length("path"))

    def ancestor_at(self, level: str) -> Region | None:
        return self.ancestors().filter(level=level).first()

    @property
    def label(self) -> str:
        """Name with its county for context, e.g. 河源市源城区 · 高新区."""
        if self.level in (Level.TOWN, Level.VILLAGE, Level.GRID):
            county = self.ancestor_at(Level.COUNTY)
            if county is not None:
                return f"{county.full_name} · {self.name}"
        return str(self)


@pghistory.track()
class Department(TimeStampedModel):
    """A reviewing unit (工信局, 经贸办, 安监办 …) serving a county or town.

    Its jurisdiction is ``region`` and everything below it; reviewers are bound to it by a
    membership.
    """

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类别", max_length=32, choices=DepartmentKind.choices)
    region = models.ForeignKey(Region, verbose_name="所属辖区", on_delete=models.PROTECT, related_name="departments")

    class Meta:
        verbose_name = "主管部门"
        verbose_name_plural = "主管部门"
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]

    def __str__(self) -> str:
        return f"{self.region.name}{self.name}"
