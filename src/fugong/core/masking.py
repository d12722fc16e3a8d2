"""How personal values are shown to those who may not see them in full."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """The first character and a star: 张晓明 → 张* (gates, phone pages, change lists)."""
    return f"{name[:1]}*" if name else ""
