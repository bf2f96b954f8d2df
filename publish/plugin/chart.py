"""A server-rendered SVG of compute-equivalent gain against compute, for the innovation page.

Log-log axes; one colour per series; vertical bars for 95% intervals; hollow circles for
extrapolated points, triangles for censored bounds (pointing up for '>', down for '<'); the
fitted line ln CEG = ln pivot_ceg + slope (ln C - ln pivot_compute_flop) over the measured range,
with the band between the slope interval's ends through the same pivot. No JavaScript, so the
chart is in the page itself and in its tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#2471a3", "#c0392b", "#1e8449", "#b9770e", "#7d3c98", "#117a65", "#a04000", "#2e4053")
WIDTH, HEIGHT = 820, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 270, 16, 46
LEGEND_ROWS = 18  # the plot's height holds this many legend rows and the key below them
LEGEND_CHARS = 46  # series ids longer than this are shortened in the legend (full id in a tooltip)


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


def _ticks(low: float, high: float) -> list[float]:
    """Log10 positions: every decade, with 2x and 5x when the axis spans under two decades."""
    ticks = []
    for decade in range(math.floor(low), math.ceil(high) + 1):
        for factor in ((1, 2, 5) if high - low < 2 else (1,)):
            value = decade + math.log10(factor)
            if low <= value <= high:
                ticks.append(value)
    step = max(1, len(ticks) // 8)
    return ticks[::step]


def _label(log_value: float) -> str:
    value = 10 ** log_value
    if 0.01 <= value < 1000:
        return f"{value:.3g}"
    exponent = math.floor(log_value + 1e-9)
    mantissa = value / 10 ** exponent
    return f"{mantissa:.2g}e{exponent}" if abs(mantissa - 1) > 1e-6 else f"1e{exponent}"


def ceg_chart(points: list[dict], fit: Fit | None = None, title: str = "") -> Markup:
    """`points`: dicts with series, compute_flop, ceg, lower, upper, extrapolated, censored."""
    points = [p for p in points if p.get("compute_flop") and p.get("ceg") and p["ceg"] > 0]
    if not points:
        return Markup("")
    xs = [p["compute_flop"] for p in points]
    ys = [p["ceg"] for p in points] + [p[k] for p in points for k in ("lower", "upper") if p.get(k)] + [1.0]
    x_low, x_high = _range(xs, 0.15)
    y_low, y_high = _range(ys, 0.08)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(c: float) -> float:
        return LEFT + (math.log10(c) - x_low) / (x_high - x_low) * plot_w

    def py(g: float) -> float:
        value = min(max(math.log10(g), y_low), y_high)
        return TOP + (y_high - value) / (y_high - y_low) * plot_h

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cegdb-chart" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title or "CEG against compute")}">',
           f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fff" stroke="#999"/>']
    for tick in _ticks(x_low, x_high):
        x = LEFT + (tick - x_low) / (x_high - x_low) * plot_w
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="#eee"/>'
                   f'<text x="{x:.1f}" y="{TOP + plot_h + 14}" font-size="10" text-anchor="middle">'
                   f'{_label(tick)}</text>')
    for tick in _ticks(y_low, y_high):
        y = TOP + (y_high - tick) / (y_high - y_low) * plot_h
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#eee"/>'
                   f'<text x="{LEFT - 4}" y="{y + 3:.1f}" font-size="10" text-anchor="end">{_label(tick)}</text>')
    if y_low <= 0 <= y_high:
        out.append(f'<line x1="{LEFT}" y1="{py(1.0):.1f}" x2="{LEFT + plot_w}" y2="{py(1.0):.1f}" '
                   f'stroke="#555" stroke-dasharray="3,3"/>')
    out.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 8}" font-size="11" text-anchor="middle">'
               f'training compute (FLOP, log scale)</text>'
               f'<text x="14" y="{TOP + plot_h / 2}" font-size="11" text-anchor="middle" '
               f'transform="rotate(-90 14 {TOP + plot_h / 2})">compute-equivalent gain (x, log scale)</text>')
    if fit is not None:
        out.extend(_fit_svg(fit, px, py))
    series = sorted({p.get("series") or "" for p in points})
    for index, name in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        for p in (p for p in points if (p.get("series") or "") == name):
            out.append(_point_svg(p, colour, px, py))
        if index < LEGEND_ROWS:
            y = TOP + 8 + index * 14
            out.append(f'<circle cx="{WIDTH - RIGHT + 14}" cy="{y}" r="4" fill="{colour}"/>'
                       f'<text x="{WIDTH - RIGHT + 22}" y="{y + 4}" font-size="9"><title>{escape(name)}</title>'
                       f'{escape(_short(name or "(no series)"))}</text>')
    rows = min(len(series), LEGEND_ROWS)
    if len(series) > LEGEND_ROWS:
        out.append(f'<text x="{WIDTH - RIGHT + 22}" y="{TOP + 12 + rows * 14}" font-size="9">… and '
                   f'{len(series) - LEGEND_ROWS} more series (colours repeat)</text>')
        rows += 1
    y = TOP + 8 + rows * 14 + 6
    out.append(f'<text x="{WIDTH - RIGHT + 8}" y="{y + 4}" font-size="9" fill="#555">hollow: extrapolated</text>'
               f'<text x="{WIDTH - RIGHT + 8}" y="{y + 16}" font-size="9" fill="#555">triangle: censored bound</text>')
    if fit is not None:
        out.append(f'<text x="{WIDTH - RIGHT + 8}" y="{y + 28}" font-size="9" fill="#555">line: fitted slope, '
                   f'band: its 95% interval</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _short(name: str) -> str:
    return name if len(name) <= LEGEND_CHARS else name[:LEGEND_CHARS - 1] + "…"


def _fit_svg(fit: Fit, px, py) -> list[str]:
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
        parts.append('<polygon class="cegdb-band" fill="#999" fill-opacity="0.2" stroke="none" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in outline) + '"/>')
    line = [(px(math.exp(c)), py(at(fit.slope, c))) for c in (lo_c, hi_c)]
    parts.append(f'<line class="cegdb-fit" x1="{line[0][0]:.1f}" y1="{line[0][1]:.1f}" x2="{line[1][0]:.1f}" '
                 f'y2="{line[1][1]:.1f}" stroke="#333" stroke-width="1.5"/>')
    return parts


def _point_svg(p: dict, colour: str, px, py) -> str:
    x, y = px(p["compute_flop"]), py(p["ceg"])
    parts = []
    if p.get("lower") and p.get("upper"):
        parts.append(f'<line x1="{x:.1f}" y1="{py(p["lower"]):.1f}" x2="{x:.1f}" y2="{py(p["upper"]):.1f}" '
                     f'stroke="{colour}" stroke-width="1.2"/>')
    tip = escape(f'{p.get("series") or ""}: CEG {p.get("censored") or ""}{p["ceg"]:.3g} at {p["compute_flop"]:.3g} FLOP'
                 + (" (extrapolated)" if p.get("extrapolated") else ""))
    if p.get("censored"):
        dy = -6 if p["censored"] == ">" else 6
        parts.append(f'<polygon class="cegdb-censored" points="{x - 5:.1f},{y - dy / 2:.1f} {x + 5:.1f},{y - dy / 2:.1f} '
                     f'{x:.1f},{y + dy:.1f}" fill="none" stroke="{colour}"><title>{tip}</title></polygon>')
    else:
        fill = "none" if p.get("extrapolated") else colour
        parts.append(f'<circle class="cegdb-point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="{colour}">'
                     f'<title>{tip}</title></circle>')
    return "".join(parts)
