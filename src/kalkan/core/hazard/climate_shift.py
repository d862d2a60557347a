"""Climate change as a shift of event frequencies: T_future = T / m, i.e. every band frequency x m.

Method (one, documented in ``docs/flood-hazard-maps.md``): the frequency multiplier ``m`` of a flood
return period is taken equal to the change in frequency of the heavy 1-day precipitation event of the same
rarity, as a function of the global warming level (GWL). The multipliers are IPCC AR6 WGI's CMIP6 medians
for the annual-maximum daily precipitation (Rx1day) over land, relative to 1850-1900, at GWL 1, 1.5, 2, 3
and 4 °C: the 10-year event occurs 1.32, 1.53, 1.74, 2.21 and 2.71 times as often (the 50-year event
1.49, 1.86, 2.22, 3.16 and 4.27 times). Source: IPCC AR6 WGI Figure SPM.6 and Technical Summary Figure TS.12
(Seneviratne et al. 2021, Chapter 11); data files ``Extremes/Rx1day_freq_change_10_year_event.csv`` and
``..._50_year_event.csv`` of github.com/IPCC-WG1/TS_Fig12 (commit cd22488861f75ce054a14a6cffe14f36f01ae54e).
These go with the intensity scaling of about +7 %/°C of heavy precipitation (AR6 WGI SPM B.2.4, the
Clausius-Clapeyron rate; :func:`kalkan.core.climate.precipitation.precipitation_change`), which is recorded
beside the multiplier.

Kalkan's hazard maps stand for today's climate, taken as 1995-2014 (GWL 0.85 °C above 1850-1900, AR6
Cross-Chapter Box 2.3). The multiplier relative to that baseline is m(GWL_pi) / m(0.85 °C), where
GWL_pi = scenario GWL (from :func:`kalkan.core.climate.scenarios.regional_change`, relative to 1995-2014) +
0.85 °C, and m is interpolated linearly between the table's points (1 at 0 °C) and extended beyond 4 °C
along its last segment (then flagged ``extrapolated``).

Assumptions, stated in every result: a flood (or mudflow) band becomes as much more frequent as the
heavy rainfall of the same return period; depth maps are unchanged (no new flooded areas); the 10-year
rainfall table is the default and is conservative for rarer floods (AR6: "projected percentage changes in
frequency are higher for the rarer extreme events"); the global land figure is applied to the city.
Snowmelt floods: warming brings earlier and faster melt and shifts the flood season earlier (AR6 WGI
Chapter 8, Section 8.2.2 and Chapter 9, snow cover), which this frequency shift does not model; the
default is the same precipitation-based multiplier unless the user gives a factor. Mudflows are treated
as rainfall-triggered (same multiplier). A user-given factor replaces the table and is recorded as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from kalkan.core.climate.precipitation import SENSITIVITIES, precipitation_change
from kalkan.core.climate.scenarios import Scenario, TasTable, parse_horizon, parse_statistic, regional_change
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError

__all__ = [
    "BASELINE_GWL_PREINDUSTRIAL_C",
    "CITATION",
    "RX1DAY_FREQUENCY",
    "ClimateShift",
    "apply_climate_shift",
    "baseline_relative_multiplier",
    "climate_shift",
    "frequency_multiplier",
]

RX1DAY_FREQUENCY: dict[int, tuple[tuple[float, float], ...]] = {
    10: ((0.0, 1.0), (1.0, 1.32), (1.5, 1.53), (2.0, 1.74), (3.0, 2.21), (4.0, 2.71)),
    50: ((0.0, 1.0), (1.0, 1.49), (1.5, 1.86), (2.0, 2.22), (3.0, 3.16), (4.0, 4.27)),
}
"""Frequency of the 10- and 50-year Rx1day event over land (times its 1850-1900 frequency) at a GWL
(°C above 1850-1900): CMIP6 medians, IPCC AR6 WGI Fig. SPM.6 / TS.12 (see the module docstring)."""

CITATION = (
    "IPCC AR6 WGI Figure SPM.6 / TS.12, Rx1day frequency change per global warming level (CMIP6 median), "
    "data: github.com/IPCC-WG1/TS_Fig12 Extremes/Rx1day_freq_change_{10,50}_year_event.csv "
    "(commit cd22488861f75ce054a14a6cffe14f36f01ae54e); heavy precipitation +7 %/°C: AR6 WGI SPM B.2.4"
)
BASELINE_GWL_PREINDUSTRIAL_C = 0.85
"""GWL of the 1995-2014 baseline above 1850-1900, °C (AR6 WGI Cross-Chapter Box 2.3)."""

PERIL_NOTES: dict[str, str] = {
    "riverine_flood": "river flood: band frequencies scaled as heavy-rainfall frequency (rainfall-driven floods)",
    "mudflow": "mudflow/debris flow: treated as rainfall-triggered; same multiplier as rainfall floods",
    "snowmelt_flood": (
        "snowmelt flood: warming brings earlier, faster melt and shifts the flood season earlier; this is "
        "not modelled. The default is the same heavy-precipitation multiplier unless a factor is given"
    ),
    "landslide": "landslide: treated as rainfall-triggered; the user's class frequencies are scaled likewise",
}


def frequency_multiplier(gwl_preindustrial_c: float, reference_event_years: int = 10) -> tuple[float, bool]:
    """m(GWL): how many times as often the reference Rx1day event occurs as in 1850-1900; and whether the
    GWL lies beyond the table (above 4 °C, extended along the last segment)."""
    if reference_event_years not in RX1DAY_FREQUENCY:
        raise InputError(
            f"Reference event {reference_event_years} years: expected one of {', '.join(map(str, RX1DAY_FREQUENCY))}.",
            code="input.unknown",
            field="reference_event_years",
        )
    table = RX1DAY_FREQUENCY[reference_event_years]
    x = np.array([p[0] for p in table])
    y = np.array([p[1] for p in table])
    g = float(gwl_preindustrial_c)
    if g <= 0:
        return 1.0, False
    if g <= x[-1]:
        return float(np.interp(g, x, y)), False
    slope = (y[-1] - y[-2]) / (x[-1] - x[-2])
    return float(y[-1] + slope * (g - x[-1])), True


def baseline_relative_multiplier(gwl_c: float, reference_event_years: int = 10) -> tuple[float, bool]:
    """Frequency multiplier relative to 1995-2014 for a GWL given relative to 1995-2014 (°C)."""
    future, extrapolated = frequency_multiplier(gwl_c + BASELINE_GWL_PREINDUSTRIAL_C, reference_event_years)
    base, _ = frequency_multiplier(BASELINE_GWL_PREINDUSTRIAL_C, reference_event_years)
    return future / base, extrapolated


@dataclass(frozen=True, slots=True)
class ClimateShift:
    """A frequency multiplier for one peril and scenario, with everything needed to reproduce it."""

    peril: str
    frequency_factor: float
    method: str
    ssp: str | None = None
    horizon: int | str | None = None
    window: str | None = None
    statistic: str | None = None
    gwl_c: float | None = None
    gwl_preindustrial_c: float | None = None
    region: str | None = None
    reference_event_years: int | None = None
    extrapolated: bool = False
    heavy_precip_intensity_pct: float | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        if self.ssp is None:
            return f"user factor x{self.frequency_factor:.3f}"
        return (f"{self.ssp} {self.horizon} ({self.window}), {self.statistic}, GWL {self.gwl_c:+.2f} °C vs 1995-2014: "
                f"frequencies x{self.frequency_factor:.3f}")  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "peril": self.peril,
            "frequency_factor": self.frequency_factor,
            "return_period_divisor": self.frequency_factor,
            "method": self.method,
            "ssp": self.ssp,
            "horizon": self.horizon,
            "window": self.window,
            "statistic": self.statistic,
            "gwl_c_vs_1995_2014": self.gwl_c,
            "gwl_c_vs_1850_1900": self.gwl_preindustrial_c,
            "region": self.region,
            "reference_event_years": self.reference_event_years,
            "extrapolated_beyond_4c": self.extrapolated,
            "heavy_precip_intensity_change_pct": self.heavy_precip_intensity_pct,
            "citation": CITATION if self.ssp is not None else None,
            "notes": list(self.notes),
        }


def climate_shift(
    peril: str,
    *,
    ssp: str | None = None,
    horizon: int | str | None = None,
    percentile: float | str = 50,
    region: str = "world",
    factor: float | None = None,
    reference_event_years: int = 10,
    table: TasTable | None = None,
) -> ClimateShift:
    """The frequency multiplier of ``peril`` (stored name) under (ssp, horizon, percentile), or a user factor.

    The GWL is the across-model ``percentile`` of :func:`kalkan.core.climate.scenarios.regional_change` (global
    land+sea, relative to 1995-2014); ``region`` (an AR6 region such as WCA/WSB, or ``world``) selects the
    heavy-precipitation intensity recorded beside it (:func:`kalkan.core.climate.precipitation.precipitation_change`).
    ``table``: the AR6 tas table (:func:`kalkan.io.ar6.load_tas_table`), needed unless a ``factor`` is given.
    """
    note = PERIL_NOTES.get(peril, f"{peril}: same heavy-precipitation multiplier")
    if factor is not None:
        if not np.isfinite(factor) or factor <= 0:
            raise InputError(
                f"Frequency factor {factor!r}: expected a positive number (1 = no change).",
                code="input.range",
                field="--frequency-factor",
            )
        return ClimateShift(
            peril=peril,
            frequency_factor=float(factor),
            method="user-given frequency factor (T_future = T / factor)",
            ssp=None if ssp is None else ssp,
            horizon=horizon,
            notes=(note, "factor given by the user, not derived by Kalkan"),
        )
    if ssp is None or horizon is None:
        raise InputError(
            "A climate shift needs --ssp and --horizon (or a user --frequency-factor).",
            code="input.options",
            field="--ssp" if ssp is None else "--horizon",
        )
    if table is None:
        raise ValueError("climate_shift: give the AR6 tas table (kalkan.io.ar6.load_tas_table()) for a scenario.")
    scenario = Scenario(ssp, parse_horizon(str(horizon)), parse_statistic(percentile))
    change = regional_change(scenario, region, table)
    gwl = change.gwl_c
    m, extrapolated = baseline_relative_multiplier(gwl, reference_event_years)
    heavy = precipitation_change(region, gwl).heavy_pct if region in SENSITIVITIES else None
    notes = [
        note,
        "depth maps unchanged; only event frequencies change (T_future = T / factor)",
        f"multiplier of the {reference_event_years}-year Rx1day event applied to every band "
        "(conservative for rarer floods)",
    ]
    if gwl < 0:
        notes.append("the scenario is cooler than 1995-2014 in this statistic; frequencies decrease")
    if extrapolated:
        notes.append("GWL above 4 °C over 1850-1900: multiplier extended beyond the AR6 table (extrapolated)")
    return ClimateShift(
        peril=peril,
        frequency_factor=m,
        method=f"AR6 Rx1day frequency change per GWL ({reference_event_years}-year event, CMIP6 median), "
        "relative to 1995-2014",
        ssp=scenario.ssp,
        horizon=scenario.horizon,
        window=change.window.label,
        statistic=scenario.statistic.label,
        gwl_c=gwl,
        gwl_preindustrial_c=change.gwl_preindustrial_c,
        region=region,
        reference_event_years=reference_event_years,
        extrapolated=extrapolated,
        heavy_precip_intensity_pct=heavy,
        notes=tuple(notes),
    )


def apply_climate_shift(hazard: HazardSet, shift: ClimateShift) -> HazardSet:
    """The same events with frequencies x ``shift.frequency_factor``; the source text says how and why."""
    if shift.peril != hazard.peril:
        raise InputError(
            f"The climate shift is for {shift.peril}; the hazard is {hazard.peril}.",
            code="input.inconsistent",
            field="peril",
        )
    return replace(
        hazard,
        frequency=hazard.frequency * shift.frequency_factor,
        source=f"{hazard.source}; CLIMATE-SHIFTED: {shift.label} ({shift.method})",
    )
