"""The report's charts as SVG drawn on the server: no browser, no network, the same in the PDF
and on the page. Pure: labels and numbers in, an SVG string out."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"
# One colour per rating, best first (达成 … 无法评估 / 完成 … 未启动).
TARGET_COLOURS = ("#1a7f37", "#8fbf3f", "#c62828", "#9e9e9e")
TASK_COLOURS = ("#1a7f37", "#8fbf3f", "#1e6fd9", "#e08a00", "#9e9e9e")


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, int]],
    colours: Sequence[str],
    *,
    width: int = 520,
    bar_height: int = 26,
) -> str:
    """Horizontal bars with their counts, one per label, in the given order."""
    label_width, gap, top = 110, 8, 34
    peak = max([count for _, count in bars] + [1])
    span = width - label_width - 60
    height = top + len(bars) * (bar_height + gap) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="13">',
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for index, (label, count) in enumerate(bars):
        y = top + index * (bar_height + gap)
        length = round(span * count / peak) if count else 0
        colour = colours[index % len(colours)]
        parts += [
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.68:.1f}" '
            f'text-anchor="end">{escape(label)}</text>',
            f'<rect x="{label_width}" y="{y}" width="{max(length, 1)}" height="{bar_height}" '
            f'fill="{colour}"/>',
            f'<text x="{label_width + length + 6}" y="{y + bar_height * 0.68:.1f}">{count}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def completion_chart(
    title: str,
    items: Sequence[tuple[str, float | None]],
    *,
    marker: float | None,
    marker_label: str,
    width: int = 520,
) -> str:
    """Completion of each target (0–150 %), with the time elapsed as a dashed line."""
    label_width, bar_height, gap, top = 200, 14, 5, 40
    span = width - label_width - 50
    height = top + len(items) * (bar_height + gap) + 24
    scale = span / 1.5
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="10">',
        f'<text x="0" y="16" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for tick in (0, 0.5, 1.0, 1.5):
        x = label_width + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 18}" stroke="#ddd"/>'
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{round(tick * 100)}%</text>'
        )
    for index, (label, share) in enumerate(items):
        y = top + index * (bar_height + gap)
        short = label if len(label) <= 16 else label[:15] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height - 3}" text-anchor="end">'
            f"{escape(short)}</text>"
        )
        if share is None:
            parts.append(f'<text x="{label_width + 4}" y="{y + bar_height - 3}">—</text>')
            continue
        clipped = min(max(share, 0.0), 1.5)
        colour = "#1a7f37" if share >= 1 else ("#1e6fd9" if share >= (marker or 0) else "#e08a00")
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{max(clipped * scale, 1):.1f}" '
            f'height="{bar_height}" fill="{colour}"/>'
        )
    if marker is not None:
        x = label_width + min(max(marker, 0.0), 1.5) * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{height - 18}" '
            f'stroke="#c62828" stroke-dasharray="4 3" stroke-width="1.5"/>'
            f'<text x="{x + 4:.1f}" y="{top - 10}" fill="#c62828">{escape(marker_label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
