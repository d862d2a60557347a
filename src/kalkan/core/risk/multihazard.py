"""Total risk of one exposure from the event loss tables of several perils.

Method (docs/multi-hazard.md), for perils p with events e of annual frequency f_e and loss L_e, all in one
currency and price year:

* total AAL = sum over perils of AAL_p = sum_p sum_e f_e L_e (expectation is additive, whatever the
  dependence between perils);
* combined occurrence exceedance frequency, assuming the perils' event sets are **independent Poisson
  processes** whose events are distinct (an earthquake and a flood are two events, even in one year):
  lambda(L) = sum_p lambda_p(L), lambda_p(L) = sum over events of p with L_e >= L of f_e: the perils'
  exceedance-frequency functions added up (:func:`kalkan.core.risk.metrics.combine_curves`), which is the
  occurrence curve of the union of the event sets. It is inverted by the one rule of
  :mod:`kalkan.core.risk.metrics` (the largest loss whose exceedance frequency reaches 1/T, no interpolation);
  since lambda >= lambda_p everywhere, the total at every return period is at least each peril's loss there.
  Annual exceedance probability AEP(L) = 1 - exp(-lambda(L)). Cascades (an earthquake triggering a
  landslide) are one event of one peril's set, or they are missed: they are not created here;
* aggregate annual loss exceedance, only when every peril's events carry years of stochastic catalogues of
  the same length N: annual totals A_y = sum_p sum of the losses of year y, each year a point of frequency
  1/N, read by the same rule. Year y of one peril is paired with year y of the others: for independent
  perils any pairing is a valid sample of the joint annual totals; for perils simulated from one weather or
  climate sequence it keeps their dependence. A year's total is at least each peril's total that year, so
  the k-th largest total is at least each peril's k-th largest: the aggregate total is never below a part
  either (the per-peril values are reported beside it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.risk import metrics
from kalkan.core.risk.return_periods import RULE, check_return_periods, rp_key
from kalkan.errors import InputError


@dataclass(frozen=True, slots=True)
class PerilLosses:
    """The event loss table of one peril: losses (``currency``) and annual frequencies (events per year)."""

    peril: str
    loss: NDArray[np.float64]
    frequency: NDArray[np.float64]
    currency: str
    price_year: int | None = None
    event_year: NDArray[np.int64] | None = None
    source: str = field(default="<memory>", compare=False)

    def __post_init__(self) -> None:
        where = f"{self.source} ({self.peril})"
        loss = np.ascontiguousarray(self.loss, dtype=np.float64)
        freq = np.ascontiguousarray(self.frequency, dtype=np.float64)
        object.__setattr__(self, "loss", loss)
        object.__setattr__(self, "frequency", freq)
        if loss.ndim != 1 or loss.shape != freq.shape:
            raise InputError(
                f"{where}: {loss.size} losses but {freq.size} frequencies.",
                code="input.inconsistent",
                field="frequency",
            )
        for name, arr in (("loss", loss), ("frequency", freq)):
            bad = ~np.isfinite(arr) | (arr < 0)
            if bad.any():
                k = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"{where}: event #{k + 1}, field '{name}' is {arr[k]}; expected a finite value >= 0.",
                    code="input.range",
                    field=name,
                    row=k + 1,
                )
        if self.event_year is not None:
            years = np.ascontiguousarray(self.event_year, dtype=np.int64)
            if years.shape != loss.shape:
                raise InputError(
                    f"{where}: {years.size} event years for {loss.size} events.",
                    code="input.inconsistent",
                    field="event_year",
                )
            object.__setattr__(self, "event_year", years)

    @property
    def aal(self) -> float:
        return metrics.aal(self.loss, self.frequency)

    @property
    def money(self) -> str:
        """``USD of 2021`` (or ``USD`` without a price year)."""
        return f"{self.currency} of {self.price_year}" if self.price_year is not None else self.currency


@dataclass(frozen=True, slots=True)
class CombinedRisk:
    """Per-peril and total AAL (money per year), the combined occurrence curve and return-period losses."""

    perils: tuple[str, ...]
    money: str
    aal_by_peril: dict[str, float]
    aal_total: float
    curve: metrics.ExceedanceCurve
    return_periods: tuple[float, ...]
    rp_losses: dict[float, float]
    rp_losses_by_peril: dict[str, dict[float, float]]
    aggregate: dict[str, Any] | None
    aggregate_note: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (return periods as text keys, as in a run's summary.json)."""

        def keyed(values: dict[float, float]) -> dict[str, float]:
            return {rp_key(rp): v for rp, v in values.items()}

        return {
            "perils": list(self.perils),
            "aal_total": self.aal_total,
            "aal_by_peril": self.aal_by_peril,
            "rp_losses": keyed(self.rp_losses),
            "rp_losses_by_peril": {p: keyed(v) for p, v in self.rp_losses_by_peril.items()},
            "max_simulated_rp_years": float(self.curve.return_period[0]) if self.curve.loss.size else 0.0,
            "aggregate": self.aggregate,
            "aggregate_note": self.aggregate_note,
            "units": {
                "loss": self.money,
                "aal": f"{self.money} per year",
                "return_period": "years (1 / exceedance frequency)",
                "exceedance_frequency": "events per year",
            },
            "method": METHOD,
            "return_period_definition": RULE,
        }


METHOD = (
    "total AAL = sum of per-peril AAL; occurrence exceedance frequency lambda(L) = sum over perils of "
    "lambda_p(L) (independent Poisson event sets, events of different perils are distinct events), i.e. the "
    "occurrence curve of the union of the event sets, inverted by the one return-period rule, so the total at "
    "every return period is at least each peril's; RP = 1 / lambda, AEP = 1 - exp(-lambda); aggregate annual "
    "losses only when all perils have year-based catalogues of the same length (years paired by index)"
)


def check_units(perils: Sequence[PerilLosses]) -> str:
    """The common money of the tables (``USD of 2021``); :class:`InputError` if currency or price year differ,
    or a peril appears twice (its losses would be counted twice)."""
    if not perils:
        raise InputError("Give the event loss tables of at least one peril.", code="input.empty")
    first = perils[0]
    for p in perils[1:]:
        if p.currency != first.currency:
            raise InputError(
                f"{p.source}: losses in {p.currency}, but {first.source} has {first.currency}; "
                "convert them to one currency before combining.",
                code="input.inconsistent",
                field="currency",
            )
        if p.price_year != first.price_year:
            raise InputError(
                f"{p.source}: prices of {p.price_year or 'an unstated year'}, but {first.source} has "
                f"{first.price_year or 'an unstated year'}; express them in one price year before combining.",
                code="input.inconsistent",
                field="price_year",
            )
    names = [p.peril for p in perils]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(
            f"Peril(s) {', '.join(dup)} given twice; each peril's losses may be counted once.",
            code="input.duplicate",
            field="peril",
        )
    return first.money


def exceedance_frequency(
    perils: Sequence[PerilLosses], losses: NDArray[np.float64] | Sequence[float]
) -> NDArray[np.float64]:
    """lambda(L) = sum_p sum over events of p with loss >= L of their frequency, events per year, at ``losses``."""
    at = np.asarray(losses, dtype=np.float64)
    total = np.zeros(at.shape)
    for p in perils:
        total += peril_curve(p).frequency_at(at)
    return total


def annual_exceedance_probability(frequency: NDArray[np.float64]) -> NDArray[np.float64]:
    """P(at least one exceeding event in a year) = 1 - exp(-lambda) for a Poisson process of rate lambda."""
    aep: NDArray[np.float64] = -np.expm1(-np.asarray(frequency, dtype=np.float64))
    return aep


def peril_curve(peril: PerilLosses) -> metrics.ExceedanceCurve:
    """The occurrence exceedance curve of one peril's events."""
    return metrics.occurrence_curve(peril.loss, peril.frequency)


def combined_curve(perils: Sequence[PerilLosses]) -> metrics.ExceedanceCurve:
    """The perils' exceedance-frequency functions added up: the occurrence curve of the union of their event
    sets (see module docstring)."""
    return metrics.combine_curves([peril_curve(p) for p in perils])


def combined_aggregate(
    perils: Sequence[PerilLosses], return_periods: Sequence[float]
) -> tuple[dict[str, Any] | None, str]:
    """Aggregate annual loss exceedance of year-based perils (see module docstring), or None and why not."""
    lacking = [p.peril for p in perils if p.event_year is None]
    if lacking:
        return None, f"not available: the events of {', '.join(lacking)} carry no years (not a stochastic catalogue)"
    lengths = {
        p.peril: metrics.catalogue_years(p.frequency, p.event_year)  # type: ignore[arg-type]
        for p in perils
    }
    if len(set(lengths.values())) != 1:
        shown = ", ".join(f"{k}: {v}" for k, v in lengths.items())
        return None, f"not available: the catalogues span different numbers of years ({shown})"
    n_years = next(iter(lengths.values()))
    offset = min(int(p.event_year.min()) for p in perils if p.event_year is not None and p.event_year.size)
    agg = np.zeros(n_years)
    mx = np.zeros(n_years)
    by_peril: dict[str, dict[str, float]] = {}
    for p in perils:
        assert p.event_year is not None
        years = p.event_year - offset
        if years.size and int(years.max()) >= n_years:
            return None, f"not available: the event years do not lie in one common span of {n_years} years"
        a, m = metrics.annual_losses(p.loss, years, n_years)
        by_peril[p.peril] = metrics.losses_by_key(metrics.annual_curve(a), return_periods)
        agg += a
        mx = np.maximum(mx, m)
    result = {
        "catalogue_years": n_years,
        "first_year": offset,
        "aggregate_rp_losses": metrics.losses_by_key(metrics.annual_curve(agg), return_periods),
        "aggregate_rp_losses_by_peril": by_peril,
        "occurrence_rp_losses_from_years": metrics.losses_by_key(metrics.annual_curve(mx), return_periods),
        "mean_annual_loss_from_years": float(agg.mean()),
    }
    return result, f"annual totals of {n_years} catalogue years, summed over perils year by year"


def combine(perils: Sequence[PerilLosses], return_periods: Sequence[float] = metrics.RETURN_PERIODS) -> CombinedRisk:
    """Total risk of several perils of one exposure (see module docstring for the method and assumptions)."""
    money = check_units(perils)
    rps = check_return_periods(return_periods)
    curves = {p.peril: peril_curve(p) for p in perils}
    curve = metrics.combine_curves(list(curves.values()))
    by_peril = {p.peril: p.aal for p in perils}
    rp_by_peril = {name: dict(zip(rps, map(float, c.at(rps)), strict=True)) for name, c in curves.items()}
    aggregate, note = combined_aggregate(perils, rps)
    return CombinedRisk(
        perils=tuple(p.peril for p in perils),
        money=money,
        aal_by_peril=by_peril,
        aal_total=float(sum(by_peril.values())),
        curve=curve,
        return_periods=rps,
        rp_losses=dict(zip(rps, map(float, curve.at(rps)), strict=True)),
        rp_losses_by_peril=rp_by_peril,
        aggregate=aggregate,
        aggregate_note=note,
    )
