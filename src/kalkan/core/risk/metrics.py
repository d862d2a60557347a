"""Risk metrics from event losses: average annual loss, exceedance curves, losses at return periods, TVaR.

This is the one place where a loss at a return period is computed (docs/return-periods.md). Every command
(``risk run``/``show``, ``risk future``, ``risk combine``, ``city event-risk``, the loss maps) reads its
return-period values through :meth:`ExceedanceCurve.at`, so one question has one number.

Definitions (events e with loss L_e >= 0 and annual frequency f_e, events per year):

- AAL = sum_e f_e L_e.
- **Occurrence exceedance frequency** lambda(x) = sum of f_e over the events with L_e >= x: a step function
  that falls at each event loss. The curve keeps one point per distinct loss, descending, with
  lambda_k = f_1 + ... + f_k and return period 1 / lambda_k (years). Equal losses form one point with the
  frequency of all of them, so nothing depends on the order of ties. (OpenQuake calls this the EP curve; the
  curve of each year's largest loss, its OEP, is :func:`annual_curve` of the annual maxima.)
- **Loss at return period T** (the rule): the largest event loss x with lambda(x) >= 1/T, i.e. the largest
  loss reached or exceeded at least once in T years on average; 0 when no event is that frequent
  (T < 1 / total frequency); the largest loss beyond the longest simulated return period. Return periods
  within a relative 1e-9 count as equal (sums of frequencies are rounded). At a point of the curve this is
  the point's loss - the k-th largest loss of an N-year catalogue at T = N/k, as in CLIMADA and OpenQuake;
  between points it is the loss of the point with the shorter return period. There is no interpolation:
  CLIMADA's ``Impact.calc_freq_curve`` interpolates linearly in T (clamped at both ends), its
  ``local_exceedance_impact`` in log-frequency and log-impact, OpenQuake's ``losses_by_period`` linearly in
  log(T) (NaN beyond the catalogue); each invents losses between the simulated ones, and an interpolated
  curve of several perils can fall below one peril's own interpolated curve. The step rule is exact for the
  event set, is what the return-period map discretisation already assumes (kalkan.core.hazard.return_period:
  each band carries its lower map), makes the area under the curve equal the AAL, and makes combinations
  monotone: lambda_total = sum_p lambda_p >= lambda_p, so the total at every T is at least each part.
- TVaR at T: the frequency-weighted mean of the losses at least as large as the loss at T,
  sum f_e L_e / sum f_e over {e : L_e >= L(T)}.
- Annual curves (events that carry years of an N-year stochastic catalogue): annual totals A_y (aggregate,
  OpenQuake's AEP) or annual maxima (OEP), years without events count as 0, each year a point of frequency
  1/N: the same curve and rule, so the k-th largest has return period N/k.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.risk.return_periods import (
    RP_RELATIVE_TOLERANCE,
    RULE,
    STANDARD_RETURN_PERIODS,
    check_return_periods,
    rp_key,
)
from kalkan.errors import InputError

RETURN_PERIODS = STANDARD_RETURN_PERIODS
"""The standard return periods (years); see :data:`kalkan.core.risk.return_periods.STANDARD_RETURN_PERIODS`."""

__all__ = [
    "RETURN_PERIODS",
    "RULE",
    "CatalogueCurves",
    "ExceedanceCurve",
    "aal",
    "aal_from_curve",
    "aggregate_summary",
    "annual_curve",
    "annual_losses",
    "catalogue_curves",
    "catalogue_years",
    "combine_curves",
    "frequency_thresholds",
    "loss_at_frequencies",
    "losses_by_key",
    "occurrence_curve",
    "rp_key",
    "tvar",
]


def frequency_thresholds(return_periods: Sequence[float] | NDArray[np.float64]) -> NDArray[np.float64]:
    """1/T for each return period T (years), lowered by the relative tolerance: the least exceedance
    frequency (per year) a curve point needs to count as reached within T years."""
    t = np.asarray(return_periods, dtype=np.float64)
    bad = np.isnan(t) | (t <= 0)
    if bad.any():
        k = int(np.flatnonzero(bad.ravel())[0])
        raise InputError(
            f"Return period #{k + 1} is {float(t.ravel()[k])!r}; expected a positive number of years.",
            code="input.range",
            field="return_period",
        )
    threshold: NDArray[np.float64] = (1.0 / t) * (1.0 - RP_RELATIVE_TOLERANCE)
    return threshold


def loss_at_frequencies(
    exceedance_frequency: NDArray[np.float64], loss: NDArray[np.float64], min_frequency: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The rule on one curve: for each threshold, the loss of the first point (losses descending, exceedance
    frequencies ascending) whose exceedance frequency reaches it; 0 when none does.

    Written in plain NumPy that Numba also compiles, so the per-site kernel
    (:func:`kalkan.core.risk.kernel.site_curves`) runs this very function.
    """
    idx = np.searchsorted(exceedance_frequency, min_frequency)
    out = np.zeros(min_frequency.size)
    for i in range(min_frequency.size):
        if idx[i] < loss.size:
            out[i] = loss[idx[i]]
    return out


@dataclass(frozen=True, slots=True)
class ExceedanceCurve:
    """Distinct losses descending, with exceedance frequency (events per year, ascending) and return period
    (years) of each point."""

    loss: NDArray[np.float64]
    exceedance_frequency: NDArray[np.float64]
    return_period: NDArray[np.float64]

    def at(self, return_periods: NDArray[np.float64] | Sequence[float]) -> NDArray[np.float64]:
        """Losses at the return periods (years) by the rule of the module docstring."""
        threshold = frequency_thresholds(return_periods)
        return loss_at_frequencies(self.exceedance_frequency, self.loss, threshold.ravel()).reshape(threshold.shape)

    def frequency_at(self, losses: NDArray[np.float64] | Sequence[float]) -> NDArray[np.float64]:
        """lambda(x): the exceedance frequency (events per year) of the events with loss >= x, at each x."""
        x = np.asarray(losses, dtype=np.float64)
        n = self.loss.size
        at_least = n - np.searchsorted(self.loss[::-1], x, side="left")  # points with loss >= x
        out = np.zeros(x.shape)
        has = at_least > 0
        out[has] = self.exceedance_frequency[at_least[has] - 1]
        return out


def _curve(sorted_loss: NDArray[np.float64], cumulative_frequency: NDArray[np.float64]) -> ExceedanceCurve:
    """A curve from losses sorted descending and their running frequency sums; equal losses become one point
    whose exceedance frequency counts them all."""
    last_of_tie = np.append(sorted_loss[1:] != sorted_loss[:-1], True) if sorted_loss.size else np.zeros(0, bool)
    srt, exceed = sorted_loss[last_of_tie], cumulative_frequency[last_of_tie]
    with np.errstate(divide="ignore"):
        rp = 1.0 / exceed
    return ExceedanceCurve(srt, exceed, rp)


def aal(loss: NDArray[np.float64], frequency: NDArray[np.float64]) -> float:
    """Average annual loss: sum of frequency x loss."""
    return float(np.dot(frequency, loss))


def aal_from_curve(curve: ExceedanceCurve) -> float:
    """The area under the step curve, sum_k lambda_k (L_k - L_k+1) with L_n+1 = 0: equal to the AAL of the
    events behind it (loss units per year), which checks a combination of curves."""
    lower = np.append(curve.loss[1:], 0.0)
    return float(np.dot(curve.exceedance_frequency, curve.loss - lower))


def occurrence_curve(loss: NDArray[np.float64], frequency: NDArray[np.float64]) -> ExceedanceCurve:
    """The occurrence exceedance curve of event losses (see module docstring)."""
    if loss.shape != frequency.shape:
        raise InputError(
            f"{loss.size} losses but {frequency.size} frequencies.", code="input.inconsistent", field="frequency"
        )
    order = np.argsort(loss, kind="stable")[::-1]
    return _curve(loss[order], np.cumsum(frequency[order]))


def combine_curves(curves: Sequence[ExceedanceCurve]) -> ExceedanceCurve:
    """The exceedance-frequency functions of independent event sets added up, lambda(x) = sum of lambda_i(x),
    on the union of their points: the occurrence curve of all their events together, and by construction
    lambda(x) >= lambda_i(x) everywhere, so the loss at every return period is at least each part's."""
    if not curves:
        raise InputError("Give at least one exceedance curve to combine.", code="input.empty")
    points = np.unique(np.concatenate([c.loss for c in curves]))[::-1]
    total = np.zeros(points.size)
    for c in curves:
        total += c.frequency_at(points)
    with np.errstate(divide="ignore"):
        rp = 1.0 / total
    return ExceedanceCurve(np.ascontiguousarray(points), total, rp)


def losses_by_key(curve: ExceedanceCurve, return_periods: Sequence[float]) -> dict[str, float]:
    """``{"100": loss at 100 years, ...}``: the curve read at each return period by the rule."""
    rps = check_return_periods(return_periods)
    return {rp_key(t): float(v) for t, v in zip(rps, curve.at(rps), strict=True)}


def tvar(curve: ExceedanceCurve, return_period: float) -> float:
    """Tail value at risk at ``return_period`` from an occurrence curve (see module docstring)."""
    threshold = float(curve.at((return_period,))[0])
    tail = curve.loss >= threshold
    freq = np.diff(np.concatenate([[0.0], curve.exceedance_frequency]))
    weight = freq[tail]
    if weight.sum() == 0:
        return threshold
    return float(np.dot(weight, curve.loss[tail]) / weight.sum())


def annual_losses(
    loss: NDArray[np.float64], year: NDArray[np.int64], n_years: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(aggregate, maximum) loss of each year 0..n_years-1 of a stochastic catalogue."""
    if n_years < 1:
        raise InputError("The catalogue must span at least one year.", code="input.range", field="years")
    if year.size and (year.min() < 0 or year.max() >= n_years):
        raise InputError(
            f"Event years must lie in 0..{n_years - 1}; found {int(year.min())}..{int(year.max())}.",
            code="input.range",
            field="event_year",
        )
    agg = np.bincount(year, weights=loss, minlength=n_years).astype(np.float64)
    mx = np.zeros(n_years)
    np.maximum.at(mx, year, loss)
    return agg, mx


def annual_curve(per_year: NDArray[np.float64]) -> ExceedanceCurve:
    """Exceedance curve of the annual values of an N-year catalogue, each year a point of frequency 1/N: the
    k-th largest has exceedance frequency k/N (exactly) and return period N/k; equal values form one point."""
    n = per_year.size
    srt = np.sort(per_year)[::-1]
    return _curve(srt, np.arange(1, n + 1, dtype=np.float64) / n)


def catalogue_years(frequency: NDArray[np.float64], event_year: NDArray[np.int64]) -> int:
    """Length (years) of the stochastic catalogue the events come from: 1 / frequency when every event has
    the same frequency (an N-year catalogue gives each event 1/N per year), else the span of the years."""
    f = np.unique(frequency)
    if f.size == 1 and f[0] > 0:
        return round(1.0 / float(f[0]))
    return int(event_year.max() - event_year.min() + 1)


def aggregate_summary(
    loss: NDArray[np.float64],
    frequency: NDArray[np.float64],
    event_year: NDArray[np.int64],
    return_periods: Sequence[float],
) -> dict[str, object]:
    """Aggregate (annual total, AEP) and annual-maximum (OEP) exceedance losses from event years.

    ``occurrence_rp_losses_from_years`` is the curve of each year's largest loss; it differs from the
    occurrence (event) curve where a year holds several large events.
    """
    n_years = catalogue_years(frequency, event_year)
    years = event_year - event_year.min()
    if years.max() >= n_years:
        n_years = int(years.max()) + 1
    agg, mx = annual_losses(loss, years.astype(np.int64), n_years)
    return {
        "catalogue_years": n_years,
        "aggregate_rp_losses": losses_by_key(annual_curve(agg), return_periods),
        "occurrence_rp_losses_from_years": losses_by_key(annual_curve(mx), return_periods),
        "mean_annual_loss_from_years": float(agg.mean()),
    }


@dataclass(frozen=True, slots=True)
class CatalogueCurves:
    """The exceedance curves of event losses from an N-year stochastic catalogue, each event 1/N per year:
    ``occurrence`` (event exceedance, the engine's curve), ``annual_maximum`` (each year's largest loss) and
    ``aggregate`` (each year's total), with the mean annual loss and its standard error (std of the N annual
    totals / sqrt N, the sampling error of the mean), in the losses' unit per year."""

    years: int
    occurrence: ExceedanceCurve
    annual_maximum: ExceedanceCurve
    aggregate: ExceedanceCurve
    mean_annual: float
    standard_error: float

    def at(self, return_periods: Sequence[float]) -> dict[str, Any]:
        """The three curves read at the return periods (years) by the one rule, with the mean and its error."""
        rps = check_return_periods(return_periods)
        return {
            "occurrence": losses_by_key(self.occurrence, rps),
            "annual_maximum": losses_by_key(self.annual_maximum, rps),
            "aggregate": losses_by_key(self.aggregate, rps),
            "mean_annual": self.mean_annual,
            "standard_error": self.standard_error,
        }


def catalogue_curves(loss: NDArray[np.float64], event_year: NDArray[np.int64], years: int) -> CatalogueCurves:
    """The curves of :class:`CatalogueCurves` of event losses with their years (0 .. years-1) in the catalogue."""
    agg, mx = annual_losses(loss, event_year, years)
    return CatalogueCurves(
        years=years,
        occurrence=occurrence_curve(loss, np.full(loss.size, 1.0 / years)),
        annual_maximum=annual_curve(mx),
        aggregate=annual_curve(agg),
        mean_annual=float(agg.mean()),
        standard_error=float(agg.std(ddof=1) / math.sqrt(years)) if years > 1 else math.nan,
    )
