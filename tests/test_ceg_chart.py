"""The innovation page's server-rendered SVG: log axes, one colour per series, flags, the fitted band."""

from publish.plugin.chart import Fit, ceg_chart


def test_points_flags_and_fit_are_drawn_on_log_axes():
    points = [{"series": "a", "compute_flop": 1e17, "ceg": 2.0, "lower": 1.8, "upper": 2.2},
              {"series": "a", "compute_flop": 1e19, "ceg": 2.5, "extrapolated": True},
              {"series": "b", "compute_flop": 1e18, "ceg": 1.5, "censored": ">"},
              {"series": "b", "compute_flop": 1e20, "ceg": 0.8, "censored": "<"}]
    svg = str(ceg_chart(points, Fit(0.05, 0.01, 0.09, 1e18, 2.0, 1e17, 1e20), "x"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="cegdb-point"') == 2 and svg.count('class="cegdb-censored"') == 2
    assert 'fill="none"' in svg  # the extrapolated point is hollow
    assert 'class="cegdb-fit"' in svg and 'class="cegdb-band"' in svg
    assert ">1e17<" in svg and ">1e20<" in svg  # decade ticks on the compute axis
    assert "CEG &gt;1.5 at 1e+18 FLOP" in svg  # the tooltip says it is a bound


def test_names_are_escaped_and_nothing_is_drawn_without_points():
    svg = str(ceg_chart([{"series": "<script>", "compute_flop": 1e18, "ceg": 2.0}]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert str(ceg_chart([])) == ""
