"""One innovation's answer from its series: (a), (b), the class, the pool, and what was compared.

Pure: series results in (analysis/ceg_runs.py), a Classification out. analysis/store.py reads the
catalog, builds the series and writes what this returns. The rules are in analysis/classify.py
(the two questions and the class) and analysis/pooling.py (clusters and random effects).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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

    @property
    def decides(self) -> bool:
        """Measured (primary or secondary) and not computed from a fitted law."""
        return self.evidence in DECIDING_EVIDENCE and not self.result.model_implied


def summarize(innovation: str, series: list[SeriesEvidence], reported: list[cls.GainPoint]) -> cls.Classification:
    """(a), (b), the class, heterogeneity and the one-sentence comparison for one innovation and basis."""
    deciding = [s for s in series if s.decides]
    shown_only = [s for s in series if not s.decides]
    side = _shown_note(shown_only, reported)
    comparison = _comparison(innovation, deciding, shown_only, reported)
    if not deciding:
        reason = "no measured series (primary or secondary runs of both arms)" + (f"; {side}" if side else "")
        answer = cls.Classification(cls.INSUFFICIENT, reason=reason, n_points=sum(len(s.result.points) for s in series))
        _describe_extent(answer, series)
        answer.extra["comparison"] = comparison
        return answer
    # (a): the series reaching the smallest compute, preferring one with an interval
    with_gain = [s for s in deciding if s.result.gain_small is not None]
    first = min(with_gain, key=lambda s: (s.result.gain_small_lower is None, s.result.compute_small,
                                          _width(s.result))) if with_gain else None
    trends = [s for s in deciding if s.result.slope_lower is not None and s.result.slope_upper is not None]
    cluster_of = pooling.clusters({s.name: s.baseline_identity for s in trends})
    pooled = pooling.pool([pooling.SeriesTrend(s.name, s.result.slope, s.result.slope_lower,
                                               s.result.slope_upper, cluster_of[s.name]) for s in trends]) \
        if trends else None
    gain_lo = first.result.gain_small_lower if first else None
    gain_hi = first.result.gain_small_upper if first else None
    gain = cls.gain_of(gain_lo, gain_hi)
    stored_lo, stored_hi = gain_lo, gain_hi
    if first is not None and first.result.gain_small_censored and gain_lo is None:
        # a censored within-scale gain is a bound, stored on its side (">": lower, "<": upper); with no
        # noise estimate it still answers (a) "undetermined"
        bound = first.result.gain_small
        stored_lo, stored_hi = (bound, None) if first.result.gain_small_censored == ">" else (None, bound)
    trend = cls.trend_of(pooled.lower, pooled.upper) if pooled else cls.UNDETERMINED
    klass = cls.class_of(gain, trend)
    gain_text = "none"
    if first is not None:
        gain_text = (first.result.gain_small_censored or "") + cls.fmt_interval(
            first.result.gain_small, gain_lo, gain_hi) + f" at {first.result.compute_small:.2g} FLOP ({first.name})"
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
        gain_small=first.result.gain_small if first else None, gain_small_lower=stored_lo, gain_small_upper=stored_hi,
        compute_small=first.result.compute_small if first else None, trend=trend,
        tau=pooled.tau if pooled else None, i_squared=pooled.i_squared if pooled else None,
        series_disagree=bool(pooled and pooled.series_disagree))
    _describe_extent(answer, deciding)
    if first is not None:
        answer.pivot_compute_flop, answer.pivot_ceg = first.result.compute_small, first.result.gain_small
    answer.extra["comparison"] = comparison
    return answer


def _width(result) -> float:
    if result.gain_small_lower is None or result.gain_small_upper is None:
        return math.inf
    return math.log(result.gain_small_upper / result.gain_small_lower)


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
                reported: list[cls.GainPoint]) -> str:
    """One sentence: what was compared (arms, recipe, loss, compute range, measured or model-derived)."""
    if deciding:
        names = [s.name.split(" ", 2)[-1] for s in deciding]
        listed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        points = [p.compute_flop for s in deciding for p in s.result.points]
        losses = sorted({s.loss_on for s in deciding if s.loss_on})
        evidence = sorted({s.evidence for s in deciding}, key=evidence_rank)
        loss = f"loss on {'; '.join(losses[:2])}" if losses else "loss as the source gives it"
        sentence = (f"{innovation} against its baseline in {len(deciding)} measured series ({listed}), arms compared "
                    f"within each series as the source ran them, each arm's loss-vs-compute frontier fitted jointly; "
                    f"{loss}; {min(points):.2g}-{max(points):.2g} FLOP; measured runs ({', '.join(evidence)})")
    else:
        sentence = f"{innovation}: no measured comparison of both arms"
    extra = []
    if shown_only:
        kinds = sorted({"model-derived" if s.result.model_implied else s.evidence for s in shown_only})
        extra.append(f"{len(shown_only)} {'/'.join(kinds)} series shown but not deciding")
    if reported:
        extra.append(f"{len(reported)} reported gain(s) shown but not deciding")
    return sentence + (" (" + "; ".join(extra) + ")" if extra else "") + "."
