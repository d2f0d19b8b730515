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


CELL = 24
HEAT_LABEL_W = 150
HEAT_TOP = 118


def _shade(share: float, diagonal: bool) -> str:
    """Blue for agreement on the diagonal, red for confusion off it; paler when rarer."""
    r, g, b = (29, 53, 87) if diagonal else (192, 57, 43)
    mix = 0.12 + 0.88 * share if share > 0 else 0.0
    return "#" + "".join(f"{round(255 - (255 - c) * mix):02x}" for c in (r, g, b))


def heatmap(labels: Sequence[str], matrix: Sequence[Sequence[int]], title: str,
            names: Sequence[str] | None = None) -> Markup:
    """A confusion matrix: rows the true area, columns the predicted one.

    A cell's colour is its share of the row (so small areas show as clearly as large
    ones); its number is the count; hovering gives both in words. ``names`` are the
    labels shown (default: the codes).
    """
    shown = list(names or labels)
    n = len(labels)
    width, height = HEAT_LABEL_W + n * CELL + 80, HEAT_TOP + n * CELL + 24  # room for labels
    parts = [f'<svg class="chart heatmap" role="img" viewBox="0 0 {width} {height}" '
             f'width="100%" aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<text class="small" x="{HEAT_LABEL_W}" y="{height - 6}">'
             "columns: predicted; rows: true area</text>"]
    for j, name in enumerate(shown):
        x = HEAT_LABEL_W + j * CELL + CELL / 2 + 4
        parts.append(f'<text class="small" transform="translate({x:.0f},{HEAT_TOP - 4}) '
                     f'rotate(-60)">{escape(name[:22])}</text>')
    for i, (name, row) in enumerate(zip(shown, matrix, strict=True)):
        y = HEAT_TOP + i * CELL
        total = sum(int(v) for v in row)
        parts.append(f'<text class="small" x="{HEAT_LABEL_W - 6}" y="{y + CELL / 2 + 4:.0f}" '
                     f'text-anchor="end">{escape(name[:26])}</text>')
        for j, raw in enumerate(row):
            count = int(raw)
            share = count / total if total else 0.0
            x = HEAT_LABEL_W + j * CELL
            tip = (f"true {shown[i]}, predicted {shown[j]}: {count} "
                   f"({share:.0%} of {shown[i]})")
            parts.append(f'<rect x="{x}" y="{y}" width="{CELL - 1}" height="{CELL - 1}" '
                         f'style="fill:{_shade(share, i == j)}"><title>{escape(tip)}</title>'
                         "</rect>")
            if count:
                ink = "#fff" if share > 0.5 else "#1b1b1b"
                parts.append(f'<text class="small" x="{x + CELL / 2 - 0.5:.1f}" '
                             f'y="{y + CELL / 2 + 3.5:.1f}" text-anchor="middle" '
                             f'style="fill:{ink}">{count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
