"""Small inline SVG charts drawn in Python: no JavaScript, no external assets."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

ROW = 22
LABEL_W = 170
BAR_W = 260


def hbars(rows: Sequence[tuple[str, float | None, str]], title: str,
          maximum: float | None = None) -> Markup:
    """A horizontal bar chart: one ``(label, value, shown text)`` per row; None draws none."""
    top = maximum or max((v for _, v, _ in rows if v is not None), default=0.0) or 1.0
    height = ROW * len(rows) + 8
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {LABEL_W + BAR_W + 110} {height}" '
             f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for n, (label, value, text) in enumerate(rows):
        y = 4 + n * ROW
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end">'
                     f"{escape(label)}</text>")
        width = 0.0 if value is None else max(1.0, BAR_W * min(value, top) / top)
        if value is not None:
            parts.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{width:.1f}" height="15"/>')
        parts.append(f'<text x="{LABEL_W + width + 6:.1f}" y="{y + 15}">{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def columns(points: Sequence[tuple[str, float]], title: str) -> Markup:
    """A vertical bar chart over time (e.g. reports per week)."""
    width, height, base = 440, 150, 120
    top = max((v for _, v in points), default=0.0) or 1.0
    step = (width - 20) / max(1, len(points))
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>']
    for n, (label, value) in enumerate(points):
        x = 10 + n * step
        h = (base - 14) * value / top
        parts.append(f'<rect x="{x + 2:.1f}" y="{base - h:.1f}" width="{max(2.0, step - 4):.1f}"'
                     f' height="{h:.1f}"><title>{escape(label)}: {value:g}</title></rect>')
        if len(points) <= 12 or n % 2 == 0:
            parts.append(f'<text class="small" x="{x + step / 2:.1f}" y="{base + 14}" '
                         f'text-anchor="middle">{escape(label[-3:])}</text>')
        parts.append(f'<text class="small" x="{x + step / 2:.1f}" y="{base - h - 3:.1f}" '
                     f'text-anchor="middle">{value:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
