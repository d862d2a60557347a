"""Heat-attributable deaths from daily mean temperature with a log-linear exposure–response above the MMT.

Model: RR(T) = RR₁ ^ max(0, T − MMT), with RR₁ the relative risk of death per 1 °C above the
minimum-mortality temperature (MMT). Attributable fraction of a day AF = 1 − 1/RR(T); heat deaths per year =
mean daily AF over the valid days × baseline deaths per year (population × crude death rate / 1,000). Baseline
deaths are taken as evenly spread over the year (no seasonality) — a simplification.

Default coefficients (kept here as data, with their sources):

* RR₁ = 1.0184 (95 % credible interval 1.0006–1.0364): +1.84 % all natural-cause mortality per 1 °C above
  the city-specific threshold, north-continental European cities, PHEWE project: Baccini M. et al. (2008)
  "Heat effects on mortality in 15 European cities", Epidemiology 19(5), 711–719,
  doi:10.1097/EDE.0b013e318176bfcd. (Mediterranean cities: +3.12 %, 0.60–5.72 %.) Their exposure is daily
  *maximum apparent* temperature in the warm season; applying the slope to daily mean temperature above the
  MMT is an assumption stated wherever the result is shown.
* MMT = a percentile of the city's baseline daily-mean-temperature distribution, by climate zone:
  temperate 79.5th, continental 75.4th, arid 68.0th, tropical 58.5th, alpine 41.4th (658 communities, 43
  countries, MCC network): Tobías A. et al. (2021) "Geographical variations of the minimum mortality
  temperature at a global scale", Environmental Epidemiology 5(5), e169, doi:10.1097/EE9.0000000000000169.

Uncertainty: the CI bounds of RR₁ give low/high deaths (AF is monotone in RR₁); optionally a seeded Monte
Carlo draws log RR₁ from a normal distribution whose 95 % interval is the published one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kalkan.errors import InputError

Z_95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class ExposureResponse:
    """Relative risk of death per 1 °C above the MMT, with its 95 % interval and source."""

    rr_per_c: float
    rr_per_c_low: float
    rr_per_c_high: float
    exposure: str
    citation: str


BACCINI_2008_NORTH_CONTINENTAL = ExposureResponse(
    1.0184,
    1.0006,
    1.0364,
    "daily maximum apparent temperature above the city threshold, warm season (applied here to daily mean "
    "temperature above the MMT)",
    "Baccini M. et al. (2008) Epidemiology 19(5):711-719, doi:10.1097/EDE.0b013e318176bfcd, north-continental "
    "cities: +1.84 % (95 % CrI 0.06-3.64 %) per 1 °C",
)
BACCINI_2008_MEDITERRANEAN = ExposureResponse(
    1.0312,
    1.0060,
    1.0572,
    BACCINI_2008_NORTH_CONTINENTAL.exposure,
    "Baccini M. et al. (2008) Epidemiology 19(5):711-719, doi:10.1097/EDE.0b013e318176bfcd, Mediterranean "
    "cities: +3.12 % (95 % CrI 0.60-5.72 %) per 1 °C",
)

#: Minimum-mortality-temperature percentile of daily mean temperature by Köppen climate zone (Tobías et al. 2021).
MMT_PERCENTILE_BY_ZONE: dict[str, float] = {
    "temperate": 79.5,
    "continental": 75.4,
    "arid": 68.0,
    "tropical": 58.5,
    "alpine": 41.4,
}
MMT_CITATION = (
    "Tobías A. et al. (2021) Environmental Epidemiology 5(5):e169, doi:10.1097/EE9.0000000000000169 "
    "(MMT percentiles by climate zone)"
)


def relative_risk(tmean_c: NDArray[np.float64], mmt_c: float, rr_per_c: float) -> NDArray[np.float64]:
    """RR(T) = rr_per_c ** max(0, T − MMT); 1 at or below the MMT; NaN stays NaN."""
    return np.power(rr_per_c, np.maximum(0.0, tmean_c - mmt_c))


def attributable_fraction(tmean_c: NDArray[np.float64], mmt_c: float, rr_per_c: float) -> NDArray[np.float64]:
    """Daily attributable fraction AF = 1 − 1/RR(T) (dimensionless, 0 at or below the MMT)."""
    return 1.0 - 1.0 / relative_risk(tmean_c, mmt_c, rr_per_c)


@dataclass(frozen=True, slots=True)
class HeatDeaths:
    """Heat-attributable deaths per year (central, RR-interval bounds, optional Monte Carlo 2.5–97.5 %)."""

    deaths_per_year: float
    deaths_per_year_low: float
    deaths_per_year_high: float
    mc_p2_5: float | None
    mc_p97_5: float | None
    attributable_fraction_pct: float
    baseline_deaths_per_year: float
    days_above_mmt_per_year: float
    valid_days: int
    mmt_c: float
    rr_per_c: float
    rr_per_c_ci: tuple[float, float]
    n_samples: int
    seed: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "deaths_per_year": round(self.deaths_per_year, 2),
            "deaths_per_year_95ci_from_rr": [round(self.deaths_per_year_low, 2), round(self.deaths_per_year_high, 2)],
            "deaths_per_year_monte_carlo_95": None
            if self.mc_p2_5 is None or self.mc_p97_5 is None
            else [round(self.mc_p2_5, 2), round(self.mc_p97_5, 2)],
            "unit": "deaths/year",
            "attributable_fraction_pct": round(self.attributable_fraction_pct, 3),
            "baseline_deaths_per_year": round(self.baseline_deaths_per_year, 1),
            "days_above_mmt_per_year": round(self.days_above_mmt_per_year, 1),
            "valid_days": self.valid_days,
            "mmt_c": round(self.mmt_c, 2),
            "rr_per_c": self.rr_per_c,
            "rr_per_c_95ci": list(self.rr_per_c_ci),
            "monte_carlo_samples": self.n_samples,
            "seed": self.seed,
        }


def heat_attributable_deaths(
    tmean_daily_c: Sequence[float] | NDArray[np.float64],
    mmt_c: float,
    rr_per_c: float,
    population: float,
    baseline_deaths_per_1000_per_year: float,
    *,
    rr_per_c_ci: tuple[float, float] | None = None,
    n_samples: int = 0,
    seed: int | None = 20260101,
) -> HeatDeaths:
    """Heat-attributable deaths per year (deaths/year) for a daily mean temperature series (°C).

    ``population`` in persons; ``baseline_deaths_per_1000_per_year`` is the crude death rate. NaN days are
    skipped and the result annualised over the valid days (``valid_days`` says how many).
    """
    t = np.asarray(tmean_daily_c, dtype=np.float64)
    t = t[~np.isnan(t)]
    if t.size == 0:
        raise InputError(
            "heat_attributable_deaths: the temperature series has no valid day.", code="input.empty", field="tmean_c"
        )
    if not (math.isfinite(mmt_c) and rr_per_c >= 1.0 and population >= 0 and baseline_deaths_per_1000_per_year >= 0):
        raise InputError(
            "heat_attributable_deaths: expected a finite MMT (°C), RR per °C ≥ 1, population ≥ 0 and a crude "
            f"death rate ≥ 0; got {mmt_c!r}, {rr_per_c!r}, {population!r}, {baseline_deaths_per_1000_per_year!r}.",
            code="input.range",
        )
    lo, hi = rr_per_c_ci if rr_per_c_ci is not None else (rr_per_c, rr_per_c)
    if not 1.0 <= lo <= rr_per_c <= hi:
        raise InputError(
            f"heat_attributable_deaths: expected 1 ≤ RR low ≤ RR ≤ RR high, got {lo}, {rr_per_c}, {hi}.",
            code="input.inconsistent",
            field="rr_per_c_ci",
        )
    annual = population * baseline_deaths_per_1000_per_year / 1000.0

    def deaths(rr: float) -> float:
        return float(np.mean(attributable_fraction(t, mmt_c, rr))) * annual

    central = deaths(rr_per_c)
    p_lo = p_hi = None
    if n_samples > 0:
        se = (math.log(hi) - math.log(lo)) / (2 * Z_95)
        rng = np.random.default_rng(seed)
        rr_draws = np.maximum(1.0, np.exp(rng.normal(math.log(rr_per_c), se, n_samples)))
        excess = np.maximum(0.0, t - mmt_c)
        # AF(T, rr) = 1 - rr^-excess, mean over days, for every draw (draws x days as a loop over draws).
        draws = np.array([np.mean(1.0 - np.power(r, -excess)) * annual for r in rr_draws])
        p_lo, p_hi = (float(v) for v in np.percentile(draws, [2.5, 97.5]))
    return HeatDeaths(
        deaths_per_year=central,
        deaths_per_year_low=deaths(lo),
        deaths_per_year_high=deaths(hi),
        mc_p2_5=p_lo,
        mc_p97_5=p_hi,
        attributable_fraction_pct=100.0 * central / annual if annual else 0.0,
        baseline_deaths_per_year=annual,
        days_above_mmt_per_year=float(np.count_nonzero(t > mmt_c)) * 365.25 / t.size,
        valid_days=int(t.size),
        mmt_c=mmt_c,
        rr_per_c=rr_per_c,
        rr_per_c_ci=(lo, hi),
        n_samples=n_samples,
        seed=seed if n_samples > 0 else None,
    )


def mmt_from_percentile(tmean_daily_c: NDArray[np.float64], percentile: float) -> float:
    """MMT (°C) as the given percentile of the valid daily mean temperatures."""
    v = tmean_daily_c[~np.isnan(tmean_daily_c)]
    if v.size == 0:
        raise InputError("mmt_from_percentile: no valid daily mean temperature.", code="input.empty", field="tmean_c")
    return float(np.percentile(v, percentile))
