"""One innovation's answer from its series: (a), (b), the class, the pool, and what was compared.

Pure: series results in (analysis/ceg_runs.py), a Classification out. analysis/store.py reads the
catalog, builds the series and writes what this returns. The rules are in analysis/classify.py
(the two questions and the class) and analysis/pooling.py (clusters and random effects).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from analysis import ceg_runs
from analysis import classify as cls
from analysis import pooling

# Weakest first wins: a CEG is only as good as the weakest run it rests on.
EVIDENCE_ORDER = ("primary", "secondary", "unverified", "model-implied")
# Only these decide a class; unverified and model-implied evidence is shown beside it.
DECIDING_EVIDENCE = ("primary", "secondary")


def evidence_rank(evidence: str | None) -> int:
    return EVIDENCE_ORDER.index(evidence) if evidence in EVIDENCE_ORDER else len(EVIDENCE_ORDER)


@dataclass
class SeriesEvidence:
    """One series' result with what the innovation's summary needs to know about it."""

    name: str
    result: ceg_runs.SeriesCeg
    evidence: str
    loss_on: str | None
    baseline_identity: set
    source_id: str
    ablation_ids: tuple[int, ...] = ()
    # the series' recipe-parity record (run_series: arms, one text per PARITY_FIELDS, parity), if any
    parity: dict | None = None

    @property
    def decides(self) -> bool:
        """Measured (primary or secondary) and not computed from a fitted law."""
        return self.evidence in DECIDING_EVIDENCE and not self.result.model_implied


def summarize(innovation: str, series: list[SeriesEvidence], reported: list[cls.GainPoint],
              benchmark: Sequence[tuple[str, str]] = ()) -> cls.Classification:
    """(a), (b), the class, heterogeneity and the one-sentence comparison for one innovation and basis.

    `benchmark`: (series, metric) of each measured comparison on a benchmark score (an accuracy,
    higher is better), which is never turned into a CEG; the sentence names them so that an
    innovation compared only that way does not read as never compared."""
    deciding = [s for s in series if s.decides]
    shown_only = [s for s in series if not s.decides]
    side = _shown_note(shown_only, reported)
    comparison = _comparison(innovation, deciding, shown_only, reported, benchmark)
    if not deciding:
        reason = "no measured series (primary or secondary runs of both arms)" + (f"; {side}" if side else "")
        answer = cls.Classification(cls.INSUFFICIENT, reason=reason, n_points=sum(len(s.result.points) for s in series))
        _describe_extent(answer, series)
        answer.extra["comparison"] = comparison
        return answer
    trends = [s for s in deciding if s.result.slope_lower is not None and s.result.slope_upper is not None]
    cluster_of = pooling.clusters({s.name: s.baseline_identity for s in trends})
    pooled = pooling.pool([pooling.SeriesTrend(s.name, s.result.slope, s.result.slope_lower,
                                               s.result.slope_upper, cluster_of[s.name]) for s in trends]) \
        if trends else None
    small = small_scale_gain(deciding)
    gain_lo, gain_hi = small.lower, small.upper
    gain = cls.gain_of(gain_lo, gain_hi)
    stored_lo, stored_hi = gain_lo, gain_hi
    if small.censored and gain_lo is None:
        # a censored within-scale gain is a bound, stored on its side (">": lower, "<": upper); with no
        # noise estimate it still answers (a) "undetermined"
        stored_lo, stored_hi = (small.value, None) if small.censored == ">" else (None, small.value)
    trend = cls.trend_of(pooled.lower, pooled.upper) if pooled else cls.UNDETERMINED
    klass = cls.class_of(gain, trend)
    gain_text = small.text
    slope_text = cls.fmt_interval(pooled.slope, pooled.lower, pooled.upper, sign=True) if pooled else \
        "none (no measured series with runs at 3+ compute levels in both arms)"
    why = [cls.explain(gain, trend, klass, gain_text, slope_text)]
    if pooled:
        why.append(pooled.note + (f", tau {pooled.tau:.3f}, I² {pooled.i_squared:.0%}" if pooled.tau is not None
                                  else ""))
        for s in trends:
            why.append(f"{s.name}: slope {cls.fmt_interval(s.result.slope, s.result.slope_lower, s.result.slope_upper, sign=True)} "
                       f"({cls.trend_of(s.result.slope_lower, s.result.slope_upper)})")
    if pooled and pooled.series_disagree:
        klass = cls.UNDETERMINED
        why.append("series disagree: one series' gain grows and another's shrinks, each decided by its interval")
    used = trends or deciding
    lo_c = min(min(p.compute_flop for p in s.result.points) for s in used)
    hi_c = max(max(p.compute_flop for p in s.result.points) for s in used)
    decades = math.log10(hi_c / lo_c)
    if klass not in cls.NO_CLASS and decades < cls.MIN_CLASS_DECADES:
        why.append(f"the measured runs span {decades:.2f} decades (a class needs {cls.MIN_CLASS_DECADES:g})")
        klass = cls.UNDETERMINED
    if side:
        why.append(side)
    answer = cls.Classification(
        klass, pooled.slope if pooled else None, pooled.lower if pooled else None,
        pooled.upper if pooled else None, sum(len(s.result.points) for s in deciding),
        reason="; ".join(why), tentative=decades < cls.MIN_DECADES, n_groups=len(deciding),
        gain_small=small.value, gain_small_lower=stored_lo, gain_small_upper=stored_hi,
        compute_small=small.compute, trend=trend,
        tau=pooled.tau if pooled else None, i_squared=pooled.i_squared if pooled else None,
        series_disagree=bool(pooled and pooled.series_disagree))
    _describe_extent(answer, deciding)
    if small.value is not None:
        answer.pivot_compute_flop, answer.pivot_ceg = small.compute, small.value
    answer.extra["comparison"] = comparison
    return answer


# (a) is asked of the series that start within this many decades of the smallest measured compute.
SMALL_SCALE_DECADES = 1.0


@dataclass
class SmallScaleGain:
    """(a): the CEG at small scale, one series' or pooled over several at one common compute."""

    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    compute: float | None = None
    censored: str = ""
    text: str = "none"
    series: tuple[str, ...] = ()
    disagree: bool = False  # one series' (a) a decisive gain, another's a decisive loss


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b))


def _gain_at(s: SeriesEvidence, compute: float) -> tuple[float, float, float] | None:
    """A series' CEG with its interval at `compute`: its own (a) at its smallest compute, elsewhere in its
    treatment's measured range from its joint fit (only a fit with a trend describes other computes)."""
    r = s.result
    if r.compute_small is not None and _same(r.compute_small, compute):
        return r.gain_small, r.gain_small_lower, r.gain_small_upper
    gain_at, reach = r.extra.get("gain_at"), r.extra.get("treatment_range")
    if gain_at is None or reach is None or not (reach[0] <= compute * (1 + 1e-9) and compute <= reach[1] * (1 + 1e-9)):
        return None
    value, lower, upper = gain_at(compute)
    return (value, lower, upper) if lower is not None and upper is not None else None


def small_scale_gain(deciding: list[SeriesEvidence]) -> SmallScaleGain:
    """(a) over an innovation's measured series.

    One series' (a) is its CEG at its smallest measured compute. Across series it is pooled at one
    common compute C0, never taken from whichever series happens to start lowest (a tiny, badly fitted
    series would otherwise decide it alone, e.g. 1.85 [0.02, 154.58] from 16 consistent series): the
    candidates for C0 are the smallest computes of the series with an interval that start within
    SMALL_SCALE_DECADES of the lowest one; C0 is the candidate at which most series have an interval
    (their own smallest compute, or inside their treatment's measured range on their joint fit: an
    interpolation, never an extrapolation); on ties the one with the narrower interval (precision, which
    does not depend on which way the gain goes), then the smaller compute. Their ln CEG at C0 are pooled as the
    trends are (analysis/pooling.py: series sharing baseline runs one cluster, DerSimonian-Laird across
    clusters). Without any interval: the series reaching the smallest compute, as a point."""
    with_gain = [s for s in deciding if s.result.gain_small is not None and s.result.compute_small]
    if not with_gain:
        return SmallScaleGain()
    ranged = [s for s in with_gain if s.result.gain_small_lower is not None and s.result.gain_small_upper is not None]
    if not ranged:
        first = min(with_gain, key=lambda s: s.result.compute_small)
        r = first.result
        return SmallScaleGain(r.gain_small, r.gain_small_lower, r.gain_small_upper, r.compute_small,
                              r.gain_small_censored, (r.gain_small_censored or "") + cls.fmt_interval(
                                  r.gain_small, r.gain_small_lower, r.gain_small_upper)
                              + f" at {r.compute_small:.2g} FLOP ({first.name})", (first.name,))
    lowest = min(s.result.compute_small for s in ranged)
    band = [s for s in ranged if s.result.compute_small <= lowest * 10 ** SMALL_SCALE_DECADES * (1 + 1e-9)]
    gains = [s for s in band if s.result.gain_small_lower > 1.0]
    losses = [s for s in band if s.result.gain_small_upper < 1.0]
    if gains and losses:
        # a decisive gain in one series and a decisive loss in another, each at its own smallest compute:
        # where small scale begins decides the answer, so (a) is not answered (as opposite trends are not)
        g, l = gains[0].result, losses[0].result
        return SmallScaleGain(None, None, None, lowest, "", (
            f"undetermined: series disagree at small scale ({gains[0].name}: "
            f"{cls.fmt_interval(g.gain_small, g.gain_small_lower, g.gain_small_upper)} at {g.compute_small:.2g} FLOP; "
            f"{losses[0].name}: {cls.fmt_interval(l.gain_small, l.gain_small_lower, l.gain_small_upper)} at "
            f"{l.compute_small:.2g} FLOP)"), tuple(s.name for s in band), disagree=True)
    candidates = sorted({s.result.compute_small for s in band})
    options = []
    for c in candidates:
        at = [(s, g) for s in ranged if (g := _gain_at(s, c)) is not None]
        if at:
            cluster_of = pooling.clusters({s.name: s.baseline_identity for s, _ in at})
            pooled = pooling.pool([pooling.SeriesTrend(s.name, math.log(v), math.log(lo), math.log(hi),
                                                       cluster_of[s.name]) for s, (v, lo, hi) in at])
            options.append((-len(at), pooled.upper - pooled.lower, c, at, pooled))
    _, _, c0, best, pooled = min(options, key=lambda o: o[:3])
    if len(best) == 1:
        s, (value, lower, upper) = best[0]
        return SmallScaleGain(value, lower, upper, c0, "", cls.fmt_interval(value, lower, upper)
                              + f" at {c0:.2g} FLOP ({s.name})", (s.name,))
    value, lower, upper = math.exp(pooled.slope), math.exp(pooled.lower), math.exp(pooled.upper)
    heterogeneity = f", tau {pooled.tau:.3f}, I² {pooled.i_squared:.0%}" if pooled.tau is not None else ""
    text = (cls.fmt_interval(value, lower, upper) + f" at {c0:.2g} FLOP, pooled over {len(best)} series "
            f"({pooled.n_clusters} cluster(s){heterogeneity}) at their smallest common compute")
    return SmallScaleGain(value, lower, upper, c0, "", text, tuple(s.name for s, _ in best))


def _describe_extent(answer: cls.Classification, series: list[SeriesEvidence]) -> None:
    exact = sorted((p for s in series for p in s.result.points if not p.censored), key=lambda p: p.compute_flop)
    if exact:
        answer.compute_min, answer.compute_max = exact[0].compute_flop, exact[-1].compute_flop
        answer.ceg_at_min, answer.ceg_at_max = exact[0].ceg, exact[-1].ceg


def _shown_note(shown_only: list[SeriesEvidence], reported: list[cls.GainPoint]) -> str:
    parts = []
    for s in shown_only:
        kind = "model-implied" if s.result.model_implied else s.evidence
        slope = cls.fmt_interval(s.result.slope, s.result.slope_lower, s.result.slope_upper, sign=True)
        parts.append(f"{s.name} ({kind}: shown, never deciding): slope {slope}")
    described = cls.describe_points(reported)
    if described:
        parts.append(described)
    return "; ".join(parts)


def _comparison(innovation: str, deciding: list[SeriesEvidence], shown_only: list[SeriesEvidence],
                reported: list[cls.GainPoint], benchmark: Sequence[tuple[str, str]] = ()) -> str:
    """One sentence: what was compared (arms, recipe, loss, compute range, measured or model-derived)."""
    if deciding:
        names = [s.name.split(" ", 2)[-1] for s in deciding]
        listed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        points = [p.compute_flop for s in deciding for p in s.result.points]
        losses = sorted({s.loss_on for s in deciding if s.loss_on})
        evidence = sorted({s.evidence for s in deciding}, key=evidence_rank)
        loss = f"loss on {'; '.join(losses[:2])}" if losses else "loss as the source gives it"
        # the deciding series' methods, in words (a series that varies N and D is read from L(N, D) fits)
        how = "; or ".join(dict.fromkeys(ceg_runs.method_words(s.result.method) for s in deciding))
        sentence = (f"{innovation} against its baseline in {len(deciding)} measured series ({listed}); "
                    f"{_recipe(deciding)}; {how}; "
                    f"{loss}; {min(points):.2g}-{max(points):.2g} FLOP; measured runs ({', '.join(evidence)})")
    elif benchmark:
        sentence = f"{innovation}: no measured loss comparison of both arms"
    else:
        sentence = f"{innovation}: no measured comparison of both arms"
    extra = []
    if benchmark:
        metrics = sorted({metric or "score" for _, metric in benchmark})
        n_series = len({name for name, _ in benchmark})
        extra.append(f"{len(benchmark)} benchmark-score comparison(s) in {n_series} series ({', '.join(metrics)}) "
                     "shown, never turned into a CEG")
    if shown_only:
        kinds = sorted({"model-derived" if s.result.model_implied else s.evidence for s in shown_only})
        extra.append(f"{len(shown_only)} {'/'.join(kinds)} series shown but not deciding")
    if reported:
        extra.append(f"{len(reported)} reported gain(s) shown but not deciding")
    return sentence + (" (" + "; ".join(extra) + ")" if extra else "") + "."


PARITY_WORDS = {"tokens_per_parameter": "tokens per parameter", "data": "data", "tokenizer": "tokenizer",
                "schedule": "schedule", "tuning_budget": "tuning budget", "loss": "loss definition"}


def _recipe(deciding: list[SeriesEvidence]) -> str:
    """What the arms were and what their recipes held equal, from the series' parity records."""
    records = [s.parity for s in deciding if s.parity]
    if not records:
        return "arms as the source ran them (no recipe-parity record)"
    arms = list(dict.fromkeys(r["arms"] for r in records if r.get("arms")))  # the first listed series' first
    parts = []
    if arms:
        parts.append("arms: " + arms[0] + (f" (and {len(arms) - 1} other pairing(s))" if len(arms) > 1 else ""))
    held, differs, unstated = [], [], []
    for key, word in PARITY_WORDS.items():
        texts = [str(r.get(key) or "not stated") for r in records]
        if any(t.startswith("differs") for t in texts):
            differs.append(word)
        elif any(t.startswith("not stated") for t in texts):
            unstated.append(word)
        elif all(t.startswith("held equal") for t in texts):
            held.append(word)
    if held:
        parts.append("held equal: " + ", ".join(held))
    if differs:
        parts.append("differs (as part of the innovation, per the series' record): " + ", ".join(differs))
    if unstated:
        parts.append("not stated: " + ", ".join(unstated))
    if len(records) < len(deciding):
        parts.append(f"{len(deciding) - len(records)} series without a parity record")
    return "; ".join(parts)
