"""Risk metrics from event losses: average annual loss, exceedance curves, return-period losses, TVaR.

Definitions (events e with loss L_e and annual frequency f_e):
- AAL = sum_e f_e L_e.
- Occurrence exceedance curve: sort losses descending; the exceedance frequency of the k-th largest loss
  is lambda_k = f_1 + ... + f_k (events per year) and its return period 1 / lambda_k (years). Events with
  equal losses (typically the events that cause no loss) form one point with the frequency of all of them,
  so the curve does not depend on the order of ties; with distinct losses this is exactly CLIMADA's
  ``Impact.calc_freq_curve``.
- Loss at return period T: linear interpolation in T between the curve's points, clamped to the smallest
  and largest simulated return periods (``numpy.interp`` on the ascending curve; CLIMADA's
  ``Impact.calc_freq_curve`` rule). Beyond the longest simulated return period the loss is the largest
  simulated loss: the event set cannot say more.
- TVaR at T: the frequency-weighted mean of the losses at least as large as the loss at T,
  sum f_e L_e / sum f_e over {e : L_e >= L(T)}.
- Aggregate exceedance (when events carry years of an N-year stochastic catalogue): annual totals
  A_y = sum of the losses of year y (years without events count as 0); the k-th largest total has
  return period N / k. The occurrence curve from years uses each year's largest loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kalkan.errors import InputError

RETURN_PERIODS = (10, 25, 50, 100, 250, 500, 1000)


@dataclass(frozen=True, slots=True)
class ExceedanceCurve:
    """Losses descending, with exceedance frequency (per year) and return period (years) of each."""

    loss: NDArray[np.float64]
    exceedance_frequency: NDArray[np.float64]
    return_period: NDArray[np.float64]

    def at(self, return_periods: NDArray[np.float64] | tuple[float, ...]) -> NDArray[np.float64]:
        """Losses at the return periods (linear in return period, clamped; see module docstring)."""
        rp = np.asarray(return_periods, dtype=np.float64)
        if self.loss.size == 0:
            return np.zeros(rp.shape)
        return np.interp(rp, self.return_period[::-1], self.loss[::-1])


def aal(loss: NDArray[np.float64], frequency: NDArray[np.float64]) -> float:
    """Average annual loss: sum of frequency x loss."""
    return float(np.dot(frequency, loss))


def occurrence_curve(loss: NDArray[np.float64], frequency: NDArray[np.float64]) -> ExceedanceCurve:
    """The occurrence exceedance curve of event losses (see module docstring)."""
    if loss.shape != frequency.shape:
        raise InputError(f"{loss.size} losses but {frequency.size} frequencies.")
    order = np.argsort(loss, kind="stable")[::-1]
    srt = loss[order]
    exceed = np.cumsum(frequency[order])
    # Events with equal losses form one point whose exceedance frequency counts them all, so the curve does
    # not depend on how ties are ordered (with distinct losses this is exactly the per-event curve).
    last_of_tie = np.append(srt[1:] != srt[:-1], True)
    srt, exceed = srt[last_of_tie], exceed[last_of_tie]
    with np.errstate(divide="ignore"):
        rp = 1.0 / exceed
    return ExceedanceCurve(srt, exceed, rp)


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
        raise InputError("The catalogue must span at least one year.")
    if year.size and (year.min() < 0 or year.max() >= n_years):
        raise InputError(f"Event years must lie in 0..{n_years - 1}; found {int(year.min())}..{int(year.max())}.")
    agg = np.bincount(year, weights=loss, minlength=n_years).astype(np.float64)
    mx = np.zeros(n_years)
    np.maximum.at(mx, year, loss)
    return agg, mx


def annual_curve(per_year: NDArray[np.float64]) -> ExceedanceCurve:
    """Exceedance curve of annual values of an N-year catalogue: the k-th largest has RP N / k."""
    n = per_year.size
    srt = np.sort(per_year)[::-1]
    k = np.arange(1, n + 1, dtype=np.float64)
    return ExceedanceCurve(srt, k / n, n / k)


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
    return_periods: tuple[float, ...],
) -> dict[str, object]:
    """Aggregate (annual total) and occurrence (annual maximum) exceedance losses from event years."""
    n_years = catalogue_years(frequency, event_year)
    years = event_year - event_year.min()
    if years.max() >= n_years:
        n_years = int(years.max()) + 1
    agg, mx = annual_losses(loss, years.astype(np.int64), n_years)
    key = [str(int(r)) if float(r).is_integer() else str(r) for r in return_periods]
    return {
        "catalogue_years": n_years,
        "aggregate_rp_losses": dict(zip(key, map(float, annual_curve(agg).at(return_periods)), strict=True)),
        "occurrence_rp_losses_from_years": dict(zip(key, map(float, annual_curve(mx).at(return_periods)), strict=True)),
        "mean_annual_loss_from_years": float(agg.mean()),
    }
