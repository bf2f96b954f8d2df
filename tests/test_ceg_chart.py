"""The innovation page's server-rendered SVG: log axes, one colour per series, flags, the fitted band."""

from publish.plugin.chart import Fit, ceg_chart


def test_points_flags_and_fit_are_drawn_on_log_axes():
    points = [{"series": "a", "compute_flop": 1e17, "ceg": 2.0, "lower": 1.8, "upper": 2.2},
              {"series": "a", "compute_flop": 1e19, "ceg": 2.5, "extrapolated": True},
              {"series": "b", "compute_flop": 1e18, "ceg": 1.5, "censored": ">"},
              {"series": "b", "compute_flop": 1e20, "ceg": 0.8, "censored": "<"}]
    svg = str(ceg_chart(points, Fit(0.05, 0.01, 0.09, 1e18, 2.0, 1e17, 1e20), "x"))
    assert svg.startswith('<div class="cegdb-chart-wide"><svg') and svg.endswith("</svg></div>")
    wide = svg.split('<div class="cegdb-chart-narrow">')[0]
    assert wide.count('class="cegdb-point') == 2 and wide.count('class="cegdb-censored"') == 2
    assert wide.count('class="cegdb-point cegdb-outside"') == 1  # the extrapolated point is hollow
    assert 'class="cegdb-fit"' in svg and 'class="cegdb-band"' in svg
    assert ">1e17<" in svg and ">1e20<" in svg  # decade ticks on the compute axis
    assert "CEG &gt;1.5 at 1e+18 FLOP" in svg  # the tooltip says it is a bound
    # one line per series with a fitted point range (series a: its one non-extrapolated point spans nothing)
    assert wide.count('class="cegdb-series-fit"') == 0


def test_each_series_gets_its_own_line_colour_marker_and_readable_text():
    import re

    from publish.plugin.chart import MARKERS, PALETTE, style_of

    points = [{"series": f"s{i:02d}", "compute_flop": 10 ** (17 + k), "ceg": 1.5 + 0.1 * k + 0.01 * i}
              for i in range(13) for k in range(3)]
    points[0]["in_fit"] = False
    svg = str(ceg_chart(points, Fit(0.05, 0.0, 0.1, 1e18, 1.6, 1e17, 1e19), "x"))
    wide = svg.split('<div class="cegdb-chart-narrow">')[0]
    assert wide.count('class="cegdb-series-fit"') == 13
    assert len({style_of(i) for i in range(len(PALETTE) * len(MARKERS))}) == len(PALETTE) * len(MARKERS)
    assert style_of(10) != style_of(0) and style_of(10)[0] == style_of(0)[0]  # the 11th series: same colour, other marker
    assert 'class="cegdb-point cegdb-outside"' in wide  # a point left out of the fit is hollow
    sizes = [float(v) for v in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes and min(sizes) >= 11
    assert 'viewBox="0 0 380' in svg  # the narrow layout for phones


def test_names_are_escaped_and_nothing_is_drawn_without_points():
    svg = str(ceg_chart([{"series": "<script>", "compute_flop": 1e18, "ceg": 2.0}]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert str(ceg_chart([])) == ""
