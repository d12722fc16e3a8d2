"""The append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from datetime import UTC
from typing import Any

import pgtrigger
from django.db import models

GENESIS_HASH = "0" * 64


def canonical_ip(value: str | None) -> str | None:
    """One spelling per address (lower case, compressed IPv6, IPv4-mapped IPv6 unpacked), or None
    for anything that is not an address. The hash covers this form, so it does not depend on how
    the database prints an address back (PostgreSQL's inet and Django both rewrite IPv6)."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


class AuditEntry(models.Model):
    """One audited event. Entries are never updated or deleted (a PostgreSQL trigger refuses it);
    each carries the hash of the one before, so an edit, a deletion or a reordering breaks the
    chain and ``fugong verify_audit`` finds it. The actor's id and name are copied in so they
    survive the account's deletion. ``data`` holds field names and non-personal values only."""

    seq = models.PositiveBigIntegerField("序号", unique=True)
    at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True, db_index=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    object_label = models.CharField("对象", max_length=200, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    data = models.JSONField("内容", default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        triggers = [
            pgtrigger.Protect(name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="audit_no_truncate",
                operation=pgtrigger.Truncate,
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION 'audit log is append-only: TRUNCATE refused'; RETURN NULL;",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def payload(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            # Always UTC: the database hands times back in UTC whatever zone they were written in.
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "ip": canonical_ip(self.ip),
            "data": self.data,
        }

    def compute_hash(self) -> str:
        canonical = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256((self.prev_hash + canonical).encode()).hexdigest()


class AuditHead(models.Model):
    """The single row that points at the last entry. Appending locks it, which serialises the
    chain; verification compares it with the last entry, which catches a truncated tail."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.last_seq}"
