"""A server-rendered SVG of compute-equivalent gain against compute, for the innovation page.

Log-log axes; each series its own colour and marker (10 colours x 4 markers before anything
repeats); vertical bars for 95% intervals; hollow markers for points the class does not rest on
(extrapolated, or not among the summary's runs and ablations), triangles for censored bounds
(up for '>', down for '<'). The fit is drawn the way it was made: one slope for all series, each
series with its own intercept, so every series gets its own line over its own compute range,
and the pooled line's 95% band goes through the pivot. No JavaScript, so the chart is in the page
and in its tests; two layouts (wide with the legend at the side, narrow with it below) are
rendered and the page's CSS shows the one that fits, so text stays at least 11 px on a phone.
Hovering a point shows its series, run or ablation ids and source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colour-blind-safe-ish qualitative palette (Tableau 10).
PALETTE = ("#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7",
           "#9c755f", "#555555")
MARKERS = ("circle", "square", "diamond", "cross")
FONT = 12  # px at the layout's own width; each layout is shown at (about) its own width
LEGEND_ROW = 16


@dataclass(frozen=True)
class Layout:
    width: int
    left: int
    right: int
    top: int
    bottom: int
    plot_height: int
    legend_below: bool
    legend_chars: int


WIDE = Layout(width=860, left=64, right=300, top=16, bottom=46, plot_height=330, legend_below=False, legend_chars=40)
NARROW = Layout(width=380, left=52, right=12, top=12, bottom=44, plot_height=260, legend_below=True, legend_chars=48)


@dataclass(frozen=True)
class Fit:
    slope: float
    slope_lower: float | None
    slope_upper: float | None
    pivot_compute_flop: float
    pivot_ceg: float
    compute_min: float
    compute_max: float


def _range(values: list[float], pad: float) -> tuple[float, float]:
    low, high = math.log10(min(values)), math.log10(max(values))
    if high - low < 0.5:
        mid = (low + high) / 2
        low, high = mid - 0.25, mid + 0.25
    return low - pad, high + pad


def _ticks(low: float, high: float, most: int = 8) -> list[float]:
    """Log10 positions: every decade, with 2x and 5x when the axis spans under two decades."""
    ticks = []
    for decade in range(math.floor(low), math.ceil(high) + 1):
        for factor in ((1, 2, 5) if high - low < 2 else (1,)):
            value = decade + math.log10(factor)
            if low <= value <= high:
                ticks.append(value)
    step = max(1, math.ceil(len(ticks) / most))
    return ticks[::step]


def _label(log_value: float) -> str:
    value = 10 ** log_value
    if 0.01 <= value < 1000:
        return f"{value:.3g}"
    exponent = math.floor(log_value + 1e-9)
    mantissa = value / 10 ** exponent
    return f"{mantissa:.2g}e{exponent}" if abs(mantissa - 1) > 1e-6 else f"1e{exponent}"


def style_of(index: int) -> tuple[str, str]:
    """(colour, marker) of the index-th series: colours first, then markers, so neighbours differ in colour."""
    return PALETTE[index % len(PALETTE)], MARKERS[(index // len(PALETTE)) % len(MARKERS)]


def ceg_chart(points: list[dict], fit: Fit | None = None, title: str = "") -> Markup:
    """`points`: dicts with series, compute_flop, ceg, lower, upper, extrapolated, censored, and
    optionally label (the legend's human name), in_fit (False: drawn hollow), source_title, run_ids,
    ablation_ids, method. Both layouts, in one figure."""
    points = [p for p in points if p.get("compute_flop") and p.get("ceg") and p["ceg"] > 0]
    if not points:
        return Markup("")
    return Markup(f'<div class="cegdb-chart-wide">{_svg(points, fit, title, WIDE)}</div>'
                  f'<div class="cegdb-chart-narrow">{_svg(points, fit, title, NARROW)}</div>')


def _series(points: list[dict]) -> list[tuple[str, str]]:
    names = {}
    for p in points:
        names.setdefault(p.get("series") or "", p.get("label") or p.get("series") or "(no series)")
    return sorted(names.items())


def _svg(points: list[dict], fit: Fit | None, title: str, layout: Layout) -> str:
    xs = [p["compute_flop"] for p in points]
    ys = [p["ceg"] for p in points] + [p[k] for p in points for k in ("lower", "upper") if p.get(k)] + [1.0]
    x_low, x_high = _range(xs, 0.2)
    y_low, y_high = _range(ys, 0.1)
    series = _series(points)
    plot_w, plot_h = layout.width - layout.left - layout.right, layout.plot_height
    legend_lines = len(series) + 3
    height = layout.top + plot_h + layout.bottom
    if layout.legend_below:
        height += legend_lines * LEGEND_ROW + 8
    else:
        height = max(height, layout.top + legend_lines * LEGEND_ROW + 8)

    def px(c: float) -> float:
        return layout.left + (math.log10(c) - x_low) / (x_high - x_low) * plot_w

    def py(g: float) -> float:
        value = min(max(math.log10(g), y_low), y_high)
        return layout.top + (y_high - value) / (y_high - y_low) * plot_h

    left, top = layout.left, layout.top
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cegdb-chart" viewBox="0 0 {layout.width} {height}" '
           f'width="{layout.width}" role="img" aria-label="{escape(title or "CEG against compute")}" '
           f'font-family="sans-serif" font-size="{FONT}">',
           f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#999"/>']
    most = 8 if plot_w > 400 else 5
    for tick in _ticks(x_low, x_high, most):
        x = left + (tick - x_low) / (x_high - x_low) * plot_w
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#eee"/>'
                   f'<text x="{x:.1f}" y="{top + plot_h + 15}" text-anchor="middle">{_label(tick)}</text>')
    for tick in _ticks(y_low, y_high, most):
        y = top + (y_high - tick) / (y_high - y_low) * plot_h
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">{_label(tick)}</text>')
    if y_low <= 0 <= y_high:
        out.append(f'<line x1="{left}" y1="{py(1.0):.1f}" x2="{left + plot_w}" y2="{py(1.0):.1f}" '
                   f'stroke="#555" stroke-dasharray="3,3"><title>CEG 1: no gain</title></line>')
    out.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 34}" text-anchor="middle">'
               f'training compute (FLOP, log scale)</text>'
               f'<text x="14" y="{top + plot_h / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {top + plot_h / 2})">compute-equivalent gain (×, log)</text>')
    if fit is not None:
        out.extend(_band_svg(fit, px, py))
    legend_x = left + 6 if layout.legend_below else layout.width - layout.right + 12
    legend_y = top + plot_h + layout.bottom + 10 if layout.legend_below else top + 8
    for index, (name, label) in enumerate(series):
        colour, marker = style_of(index)
        mine = [p for p in points if (p.get("series") or "") == name]
        if fit is not None:
            out.extend(_series_line(fit, mine, colour, px, py))
        for p in mine:
            out.append(_point_svg(p, colour, marker, px, py))
        y = legend_y + index * LEGEND_ROW
        short = label if len(label) <= layout.legend_chars else label[:layout.legend_chars - 1] + "…"
        out.append(_marker(marker, legend_x, y, colour, colour) +
                   f'<text x="{legend_x + 10}" y="{y + 4}"><title>{escape(name)}: {escape(label)}</title>'
                   f'{escape(short)}</text>')
    y = legend_y + len(series) * LEGEND_ROW + 4
    out.append(f'<text x="{legend_x - 6}" y="{y + 4}" fill="#444">hollow: not in the fit (extrapolated or</text>'
               f'<text x="{legend_x - 6}" y="{y + 4 + LEGEND_ROW}" fill="#444">not used); triangle: censored bound</text>')
    if fit is not None:
        out.append(f'<text x="{legend_x - 6}" y="{y + 4 + 2 * LEGEND_ROW}" fill="#444">lines: one slope, each series\''
                   f' intercept; band: 95%</text>')
    out.append("</svg>")
    return "".join(out)


def _band_svg(fit: Fit, px, py) -> list[str]:
    lo_c, hi_c = math.log(fit.compute_min), math.log(fit.compute_max)
    pivot_c, pivot_g = math.log(fit.pivot_compute_flop), math.log(fit.pivot_ceg)

    def at(slope: float, log_c: float) -> float:
        return math.exp(pivot_g + slope * (log_c - pivot_c))

    steps = [lo_c + (hi_c - lo_c) * k / 24 for k in range(25)]
    parts = []
    if fit.slope_lower is not None and fit.slope_upper is not None:
        upper = [max(at(fit.slope_lower, c), at(fit.slope_upper, c)) for c in steps]
        lower = [min(at(fit.slope_lower, c), at(fit.slope_upper, c)) for c in steps]
        outline = [(px(math.exp(c)), py(g)) for c, g in zip(steps, upper)] + \
                  [(px(math.exp(c)), py(g)) for c, g in zip(reversed(steps), reversed(lower))]
        parts.append('<polygon class="cegdb-band" fill="#999" fill-opacity="0.18" stroke="none" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in outline) + '"/>')
    line = [(px(math.exp(c)), py(at(fit.slope, c))) for c in (lo_c, hi_c)]
    parts.append(f'<line class="cegdb-fit" x1="{line[0][0]:.1f}" y1="{line[0][1]:.1f}" x2="{line[1][0]:.1f}" '
                 f'y2="{line[1][1]:.1f}" stroke="#333" stroke-width="1" stroke-dasharray="6,3">'
                 f'<title>pooled fit through the weighted mean, slope {fit.slope:+.3g}</title></line>')
    return parts


def _series_line(fit: Fit, points: list[dict], colour: str, px, py) -> list[str]:
    """The common slope through this series' own points (its intercept: their mean of ln CEG - slope ln C)."""
    used = [p for p in points if p.get("in_fit", not p.get("extrapolated")) and not p.get("censored")]
    if not used:
        return []
    intercept = sum(math.log(p["ceg"]) - fit.slope * math.log(p["compute_flop"]) for p in used) / len(used)
    lo, hi = min(p["compute_flop"] for p in used), max(p["compute_flop"] for p in used)
    if hi / lo < 1.05:
        return []
    ends = [(px(c), py(math.exp(intercept + fit.slope * math.log(c)))) for c in (lo, hi)]
    return [f'<line class="cegdb-series-fit" x1="{ends[0][0]:.1f}" y1="{ends[0][1]:.1f}" x2="{ends[1][0]:.1f}" '
            f'y2="{ends[1][1]:.1f}" stroke="{colour}" stroke-width="2" stroke-opacity="0.8"/>']


def _marker(kind: str, x: float, y: float, stroke: str, fill: str, size: float = 4.5) -> str:
    if kind == "square":
        return (f'<rect x="{x - size:.1f}" y="{y - size:.1f}" width="{2 * size:.1f}" height="{2 * size:.1f}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
    if kind == "diamond":
        s = size * 1.3
        return (f'<polygon points="{x:.1f},{y - s:.1f} {x + s:.1f},{y:.1f} {x:.1f},{y + s:.1f} {x - s:.1f},{y:.1f}" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>')
    if kind == "cross":
        return (f'<path d="M{x - size:.1f},{y - size:.1f}L{x + size:.1f},{y + size:.1f}M{x - size:.1f},{y + size:.1f}'
                f'L{x + size:.1f},{y - size:.1f}" stroke="{stroke}" stroke-width="2.5" fill="none"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{size:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'


def _tip(p: dict) -> str:
    parts = [f'{p.get("label") or p.get("series") or ""}: CEG {p.get("censored") or ""}{p["ceg"]:.3g} '
             f'at {p["compute_flop"]:.3g} FLOP']
    if p.get("extrapolated"):
        parts.append("(extrapolated)")
    if p.get("in_fit") is False:
        parts.append("(not in the fit)")
    if p.get("method"):
        parts.append(f'method {p["method"]}')
    if p.get("run_ids"):
        parts.append(f'runs {p["run_ids"]}')
    if p.get("ablation_ids"):
        parts.append(f'ablations {p["ablation_ids"]}')
    if p.get("source_title"):
        parts.append(f'source: {p["source_title"]}')
    return str(escape("; ".join(parts)))


def _point_svg(p: dict, colour: str, marker: str, px, py) -> str:
    x, y = px(p["compute_flop"]), py(p["ceg"])
    parts = []
    if p.get("lower") and p.get("upper"):
        parts.append(f'<line x1="{x:.1f}" y1="{py(p["lower"]):.1f}" x2="{x:.1f}" y2="{py(p["upper"]):.1f}" '
                     f'stroke="{colour}" stroke-width="1.2"/>')
    tip = _tip(p)
    if p.get("censored"):
        dy = -7 if p["censored"] == ">" else 7
        parts.append(f'<polygon class="cegdb-censored" points="{x - 6:.1f},{y - dy / 2:.1f} {x + 6:.1f},{y - dy / 2:.1f} '
                     f'{x:.1f},{y + dy:.1f}" fill="none" stroke="{colour}" stroke-width="1.5"><title>{tip}</title></polygon>')
    else:
        hollow = p.get("extrapolated") or p.get("in_fit") is False
        shape = _marker(marker, x, y, colour, "#fff" if hollow else colour)
        parts.append(f'<g class="cegdb-point{" cegdb-outside" if hollow else ""}"><title>{tip}</title>{shape}</g>')
    return "".join(parts)
