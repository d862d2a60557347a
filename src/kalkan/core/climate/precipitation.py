"""Precipitation change scaled by global warming level (sparse data).

The shipped regional precipitation (``pr_land.csv``) is one model, MPI-ESM1-2-HR, and only 1995–2014 and
2081–2100: no ensemble can be built from it. So Kalkan scales published per-degree sensitivities by the
global warming level (GWL, °C relative to 1995–2014) of the same scenario:

* mean precipitation: +2.5 %/°C, range 2–3 %/°C — the global hydrological sensitivity constrained by the
  atmospheric energy budget (Allan et al. 2014, Surv. Geophys. 35, 533–552, doi:10.1007/s10712-012-9213-z:
  "precipitation at the rate 2–3 %/K"; IPCC AR6 WGI Chapter 8, Douville et al. 2021, Section 8.2.1).
  This is a **global** figure applied to the region: AR6 expects more precipitation over high-latitude
  land such as W. Siberia (WSB) and uncertain, seasonally opposite changes over arid W. Central Asia (WCA)
  (AR6 WGI Chapter 4, Section 4.5.1.4; Atlas Section Atlas.5). No per-region %/°C figure of the AR6
  Atlas for WCA or WSB could be verified offline; replace these coefficients when one is.
* heavy precipitation (annual wettest day): +7 %/°C — "At the global scale, extreme daily precipitation
  events are projected to intensify by about 7% for each 1°C of global warming" (IPCC AR6 WGI SPM B.2.4,
  high confidence), the Clausius–Clapeyron rate (Chapter 8, Section 8.2.1).

Changes are linear in GWL (pct = sensitivity x GWL) and relative to 1995–2014.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kalkan.core.climate.regional_cube import MonthlyCube
from kalkan.errors import InputError

SCALING_NOTE = "scaled by global warming level (sparse data)"
SAMPLE_MODEL = "MPI-ESM1-2-HR"


@dataclass(frozen=True, slots=True)
class PrecipitationSensitivity:
    """Per-degree precipitation change of a region, % per °C of global warming."""

    region: str
    mean_pct_per_c: float
    mean_low_pct_per_c: float
    mean_high_pct_per_c: float
    heavy_pct_per_c: float
    basis: str


_MEAN_BASIS = (
    "mean: global hydrological sensitivity 2-3 %/°C (Allan et al. 2014, doi:10.1007/s10712-012-9213-z; "
    "AR6 WGI Ch. 8 §8.2.1) applied regionally; heavy: ~7 %/°C (AR6 WGI SPM B.2.4, Clausius-Clapeyron)"
)
SENSITIVITIES: dict[str, PrecipitationSensitivity] = {
    region: PrecipitationSensitivity(region, 2.5, 2.0, 3.0, 7.0, _MEAN_BASIS) for region in ("WCA", "WSB")
}
"""The regions Kalkan's cities lie in; the same global coefficients for both (see the module docstring)."""


@dataclass(frozen=True, slots=True)
class PrecipitationChange:
    """Precipitation change at a GWL, % relative to 1995–2014, always labelled as GWL-scaled."""

    region: str
    gwl_c: float
    mean_pct: float
    mean_low_pct: float
    mean_high_pct: float
    heavy_pct: float
    basis: str
    note: str = SCALING_NOTE

    def as_dict(self, digits: int = 1) -> dict[str, Any]:
        return {
            "precip_mean_change_pct": round(self.mean_pct, digits),
            "precip_mean_change_pct_range": [round(self.mean_low_pct, digits), round(self.mean_high_pct, digits)],
            "precip_heavy_change_pct": round(self.heavy_pct, digits),
            "precip_method": self.note,
            "precip_basis": self.basis,
        }


def precipitation_change(region: str, gwl_c: float) -> PrecipitationChange:
    """Mean and heavy precipitation change (%) of WCA or WSB at a GWL (°C vs 1995–2014), by linear scaling."""
    s = SENSITIVITIES.get(region)
    if s is None:
        raise InputError(
            f"No precipitation sensitivity for region {region!r}: Kalkan has one for {', '.join(SENSITIVITIES)}.",
            code="input.unknown",
            field="region",
        )
    return PrecipitationChange(
        region=region,
        gwl_c=gwl_c,
        mean_pct=s.mean_pct_per_c * gwl_c,
        mean_low_pct=s.mean_low_pct_per_c * gwl_c,
        mean_high_pct=s.mean_high_pct_per_c * gwl_c,
        heavy_pct=s.heavy_pct_per_c * gwl_c,
        basis=s.basis,
    )


@dataclass(frozen=True, slots=True)
class SamplePrecipitation:
    """One model's land-only mean precipitation (mm/day) in 1995–2014 and a window, for cross-checks only."""

    model: str
    region: str
    ssp: str
    window: str
    baseline_mm_per_day: float
    window_mm_per_day: float

    @property
    def change_pct(self) -> float:
        return 100.0 * (self.window_mm_per_day / self.baseline_mm_per_day - 1.0)


def sample_precipitation(
    cube: MonthlyCube, region: str, ssp: str, first_year: int = 2081, last_year: int = 2100
) -> SamplePrecipitation:
    """MPI-ESM1-2-HR's 20-year mean of all months, baseline and window (not a basis for planning numbers).

    ``cube``: the AR6 precipitation sample (:func:`kalkan.io.ar6.load_pr_cube` reads the shipped one)."""
    if region not in cube.regions:
        raise InputError(
            f"Region {region!r} is not in {cube.path}: it holds {', '.join(cube.regions)}.",
            code="input.unknown",
            field="region",
        )
    r = cube.regions.index(region)
    hist = cube.experiments.index("historical")
    exp = cube.experiments.index(ssp) if ssp in cube.experiments else -1
    if exp < 0 or not cube.has_run(SAMPLE_MODEL, ssp):
        runs = [e for e in cube.experiments if cube.has_run(SAMPLE_MODEL, e)]
        raise InputError(
            f"Data gap: the precipitation sample has no {ssp!r} run; it has {', '.join(runs)}.",
            code="input.empty",
            field="ssp",
        )
    base = cube.values[0, hist, r, 1995 - cube.first_year : 2015 - cube.first_year]
    win = cube.values[0, exp, r, first_year - cube.first_year : last_year + 1 - cube.first_year]
    if np.isnan(win).any() or np.isnan(base).any():
        raise InputError(
            f"Data gap: the precipitation sample covers 1995-2014 and 2081-2100 only, not {first_year}-{last_year}.",
            code="input.empty",
            field="first_year",
        )
    return SamplePrecipitation(
        model=SAMPLE_MODEL,
        region=region,
        ssp=ssp,
        window=f"{first_year}-{last_year}",
        baseline_mm_per_day=float(base.mean()),
        window_mm_per_day=float(win.mean()),
    )
