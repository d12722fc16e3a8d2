"""Simple bar charts drawn as SVG on the server, for the daily summary PDF (no JavaScript in a PDF)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#2f6fdf", "#e0a800", "#d63939", "#2fb344", "#6f42c1")


def bar_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, width: int = 640, height: int = 220,
              unit: str = "") -> SafeString:
    """Vertical bars, one group per label and one bar per series, with the values written above
    the bars and the labels below them; a legend when there are several series."""
    left, right, top, bottom = 36, 8, 18 + (14 if len(series) > 1 else 0), 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([v for _, values in series for v in values] + [1])
    group = plot_w / max(len(labels), 1)
    bar = max(min(group * 0.8 / max(len(series), 1), 48), 2)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'font-family="FugongCJK, sans-serif" font-size="9">']
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#888" stroke-width="0.6"/>')
    for step in range(1, 5):
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#ddd" stroke-width="0.4"/>')
        parts.append(f'<text x="{left - 3}" y="{y + 3:.1f}" text-anchor="end" fill="#666">{_number(peak * step / 4)}</text>')
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        for i, value in enumerate(values):
            x = left + group * i + (group - bar * len(series)) / 2 + bar * s
            h = plot_h * value / peak
            y = top + plot_h - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}"/>')
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 2:.1f}" text-anchor="middle" fill="#222">{_number(value)}{escape(unit)}</text>')
        if len(series) > 1:
            parts.append(f'<rect x="{left + 90 * s}" y="2" width="9" height="9" fill="{colour}"/>'
                         f'<text x="{left + 90 * s + 12}" y="10" fill="#222">{escape(name)}</text>')
    for i, label in enumerate(labels):
        x = left + group * i + group / 2
        parts.append(f'<text x="{x:.1f}" y="{top + plot_h + 13}" text-anchor="middle" fill="#222">{escape(label[:8])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() or value >= 10 else f"{value:.1f}"
