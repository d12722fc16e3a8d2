"""Checking the audit chain end to end."""

from __future__ import annotations

from dataclasses import dataclass, field

from fugong.audit.models import GENESIS_HASH, AuditEntry, AuditHead


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    last_seq: int = 0
    last_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(*, batch_size: int = 5000) -> ChainReport:
    """Walk every entry in sequence order and report each break: a gap in the numbering
    (deleted entry), an entry whose contents no longer match its hash (edited), a link to a
    hash other than the previous entry's (reordered or inserted), and a head that points past
    the last entry (truncated tail)."""
    report = ChainReport()
    expected_seq = 1
    prev_hash = GENESIS_HASH
    last_seq = 0
    queryset = AuditEntry.objects.order_by("seq")
    for entry in queryset.iterator(chunk_size=batch_size):
        report.checked += 1
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                missing = f"{expected_seq}" if entry.seq - 1 == expected_seq else f"{expected_seq}–{entry.seq - 1}"
                report.problems.append(f"第 {missing} 条记录缺失（被删除）。")
            else:
                report.problems.append(f"第 {entry.seq} 条记录序号重复或顺序错乱。")
        if entry.prev_hash != prev_hash:
            report.problems.append(f"第 {entry.seq} 条记录的前序哈希不符（记录被删除、插入或调换顺序）。")
        if entry.compute_hash() != entry.hash:
            report.problems.append(f"第 {entry.seq} 条记录内容与哈希不符（记录被篡改）。")
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
        last_seq = entry.seq
    head = AuditHead.objects.filter(id=1).first()
    if head is not None:
        if head.last_seq > last_seq:
            report.problems.append(f"审计链头指向第 {head.last_seq} 条，但最后一条是第 {last_seq} 条（末尾记录被截断）。")
        elif head.last_seq < last_seq or head.last_hash != prev_hash:
            report.problems.append("审计链头与最后一条记录不符。")
    elif report.checked:
        report.problems.append("审计链头缺失。")
    report.last_seq, report.last_hash = last_seq, prev_hash
    return report


def check_anchors(anchors: list[tuple[int, str]]) -> list[str]:
    """Compare the chain with (seq, hash) pairs archived outside the database by earlier runs.

    The chain alone cannot tell a truncated tail from a shorter history if the head row was
    rewritten too; an archived anchor can: the entry it names must still be there, unchanged.
    """
    problems: list[str] = []
    stored = dict(AuditEntry.objects.filter(seq__in=[seq for seq, _ in anchors]).values_list("seq", "hash"))
    for seq, expected in anchors:
        if seq not in stored:
            problems.append(f"存档锚点第 {seq} 条记录已不存在（记录被删除或截断）。")
        elif stored[seq] != expected:
            problems.append(f"存档锚点第 {seq} 条记录的哈希与存档不符（审计链被改写）。")
    return problems
