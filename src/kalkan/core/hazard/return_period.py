"""Return-period hazard maps -> a HazardSet of events with annual frequencies (pure functions).

Discretisation (the standard step rule for a few return-period maps): maps of return periods
T_1 < T_2 < ... < T_n (years) become n events. Event i has the intensity of map i and the annual frequency
of the band of floods between T_i and T_{i+1}::

    f_i = 1/T_i - 1/T_{i+1}   (i < n),        f_n = 1/T_n

so that the exceedance frequency of event i's intensity is sum_{j>=i} f_j = 1/T_i, exactly the map's
definition. Each band is represented by its *lower* (more frequent) map: the AAL is the lower (left)
Riemann sum of the loss-exceedance curve, sum_i f_i L(T_i), a conservative-low estimate; floods more
frequent than T_1 have no loss (their map is not given), and floods rarer than T_n are represented by map
n. The trapezoidal rule (Ward et al. 2013; Meyer et al. 2009, Fig. 3) adds half of each band's loss rise
and is higher; :func:`trapezoid_aal` computes it for comparison, but the engine sums events, which is
exactly the step rule. References: Ward, P.J. et al. (2013), Assessing flood risk at the global scale:
model setup, results, and sensitivity, Environ. Res. Lett. 8, 044019, doi:10.1088/1748-9326/8/4/044019
(AAL from the integral of the risk curve over the return-period maps); Meyer, V., Haase, D., Scheuer, S.
(2009), Flood risk assessment in European river basins, Risk Analysis 29(5), 661-675,
doi:10.1111/j.1539-6924.2008.01196.x. Both integrate damage over exceedance probability between the
return-period maps; the step rule is the lower bound of that integral on the same maps.

Susceptibility classes (landslide) are not events: a class (0-5) is a relative ranking of how prone a
place is, not an intensity with a probability. :func:`susceptibility_indicator` keeps them as an
indicator per site, usable for maps and counts but **not for losses** (no intensity measure, no
vulnerability function). Where the user gives an annual frequency per class (e.g. from a landslide
inventory), the indicator adds it per site; it is the user's number, recorded as such.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError

__all__ = [
    "DEPTH_IMT",
    "FLOW_DEPTH_IMT",
    "SusceptibilityIndicator",
    "band_frequencies",
    "exceedance_frequencies",
    "hazard_from_return_period_maps",
    "imt_for_peril",
    "step_aal",
    "susceptibility_indicator",
    "trapezoid_aal",
]

DEPTH_IMT = "depth"
"""Water depth (m): floods; the IMT of the JRC depth-damage curves."""
FLOW_DEPTH_IMT = "flow_depth"
"""Flow depth (m): mudflows / debris flows (no shipped vulnerability function takes it yet)."""

RULE = "step (lower Riemann sum): band i from T_i to T_i+1 carries map i; f_i = 1/T_i - 1/T_i+1, f_n = 1/T_n"


def imt_for_peril(peril: str) -> str:
    """The intensity measure of a depth map of ``peril`` (stored peril name)."""
    return FLOW_DEPTH_IMT if peril == "mudflow" else DEPTH_IMT


def _checked(return_periods: Sequence[float] | NDArray[np.float64]) -> NDArray[np.float64]:
    t = np.asarray(return_periods, dtype=np.float64)
    if t.ndim != 1 or t.size == 0:
        raise InputError(
            "Return periods: expected a non-empty list of years.", code="input.empty", field="return_periods"
        )
    if not np.all(np.isfinite(t)) or np.any(t <= 1.0):
        k = int(np.flatnonzero(~np.isfinite(t) | (t <= 1.0))[0])
        raise InputError(
            f"Return period #{k + 1} is {t[k]!r} years; expected a finite number above 1 year.",
            code="input.range",
            field="return_periods",
        )
    if np.any(np.diff(t) <= 0):
        k = int(np.flatnonzero(np.diff(t) <= 0)[0])
        raise InputError(
            f"Return periods must be strictly increasing: #{k + 2} ({t[k + 1]:g} years) follows {t[k]:g} years.",
            code="input.inconsistent",
            field="return_periods",
        )
    return t


def band_frequencies(return_periods: Sequence[float] | NDArray[np.float64]) -> NDArray[np.float64]:
    """Annual frequency (1/year) of each return-period band: 1/T_i - 1/T_{i+1}, and 1/T_n for the last.

    Non-negative, and they sum to 1/T_1 (the frequency of any flood at least as large as map 1's).
    """
    inv = 1.0 / _checked(return_periods)
    return np.append(inv[:-1] - inv[1:], inv[-1])


def exceedance_frequencies(frequencies: Sequence[float] | NDArray[np.float64]) -> NDArray[np.float64]:
    """Exceedance frequency of each band's intensity (1/year): the sum of its own and the rarer bands'."""
    f = np.asarray(frequencies, dtype=np.float64)
    return np.cumsum(f[::-1])[::-1]


def step_aal(losses: Sequence[float], return_periods: Sequence[float]) -> float:
    """AAL by the step rule, sum_i f_i L_i (loss units per year); what the engine computes from the events."""
    return float(np.dot(band_frequencies(return_periods), np.asarray(losses, dtype=np.float64)))


def trapezoid_aal(losses: Sequence[float], return_periods: Sequence[float]) -> float:
    """AAL by trapezoids on exceedance probability between the maps, plus the tail 1/T_n x L_n (per year).

    Ward et al. (2013)-style integration, for comparison: it credits each band with the mean of its two
    maps' losses, so it is at least the step rule's value when losses grow with return period.
    """
    p = 1.0 / _checked(return_periods)
    loss = np.asarray(losses, dtype=np.float64)
    if loss.shape != p.shape:
        raise InputError(
            f"{loss.size} losses for {p.size} return periods.", code="input.inconsistent", field="return_periods"
        )
    return float(np.sum((p[:-1] - p[1:]) * (loss[:-1] + loss[1:]) / 2.0) + p[-1] * loss[-1])


def hazard_from_return_period_maps(
    values: NDArray[np.float64],
    return_periods: Sequence[float],
    *,
    peril: str,
    site_lon: NDArray[np.float64],
    site_lat: NDArray[np.float64],
    source: str,
    unit: str = "m",
    first_event_id: int = 1,
) -> HazardSet:
    """A HazardSet with one event per map (rows of ``values``, depth in m; NaN or 0 = no hazard).

    Event i: intensity = map i, frequency = :func:`band_frequencies` [i], name ``RP<T_i> band``. The
    ``source`` text should say where the maps came from; the rule is appended to it.
    """
    t = _checked(return_periods)
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 2 or v.shape[0] != t.size:
        raise InputError(
            f"Return-period maps: {v.shape[0] if v.ndim == 2 else '?'} maps for {t.size} return periods.",
            code="input.inconsistent",
            field="return_periods",
        )
    if v.shape[1] != np.asarray(site_lon).size:
        raise InputError(
            f"Return-period maps: {v.shape[1]} site values for {np.asarray(site_lon).size} sites.",
            code="input.inconsistent",
            field="site_lon",
        )
    dense = np.where(np.isfinite(v), v, 0.0).astype(np.float32)
    intensity = sparse.csr_matrix(dense)
    intensity.eliminate_zeros()
    names = np.array(
        [
            f"RP{ti:g} band [{ti:g}, {t[i + 1]:g}) y" if i + 1 < t.size else f"RP{ti:g} band [{ti:g}, inf) y"
            for i, ti in enumerate(t)
        ],
        dtype=np.str_,
    )
    return HazardSet(
        peril=peril,
        imt=imt_for_peril(peril),
        unit=unit,
        site_lon=np.asarray(site_lon, dtype=np.float64),
        site_lat=np.asarray(site_lat, dtype=np.float64),
        event_id=np.arange(first_event_id, first_event_id + t.size, dtype=np.int64),
        frequency=band_frequencies(t),
        intensity=intensity,
        event_name=names,
        source=f"{source}; return-period maps -> events by the {RULE}",
        owns_intensity=True,
    )


@dataclass(frozen=True, slots=True)
class SusceptibilityIndicator:
    """Susceptibility class per site (0-5; -1 = no value) of one or more maps: an indicator, not a hazard.

    ``site_class`` is the highest class over the maps; ``annual_frequency_per_year`` is the user's annual
    frequency of the site's class (NaN where none was given), recorded, never derived by Kalkan.
    """

    site_lon: NDArray[np.float64]
    site_lat: NDArray[np.float64]
    classes: NDArray[np.int64]
    site_class: NDArray[np.int64]
    return_periods_years: tuple[float, ...] | None
    class_frequency_per_year: dict[int, float]
    annual_frequency_per_year: NDArray[np.float64]

    def counts(self) -> dict[str, int]:
        """Sites per class (``"none"`` for no value)."""
        out = {str(k): int((self.site_class == k).sum()) for k in range(6)}
        out["none"] = int((self.site_class < 0).sum())
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "indicator (susceptibility class 0-5), not usable for losses",
            "sites_per_class": self.counts(),
            "class_frequency_per_year": {str(k): v for k, v in self.class_frequency_per_year.items()},
            "class_frequency_source": "given by the user" if self.class_frequency_per_year else None,
        }


def susceptibility_indicator(
    values: NDArray[np.float64],
    site_lon: NDArray[np.float64],
    site_lat: NDArray[np.float64],
    *,
    return_periods: Sequence[float] | None = None,
    class_frequency_per_year: Mapping[int, float] | None = None,
) -> SusceptibilityIndicator:
    """Class maps (rows of ``values``, whole numbers 0-5, NaN = no value) -> a per-site indicator."""
    v = np.atleast_2d(np.asarray(values, dtype=np.float64))
    classes = np.where(np.isfinite(v), v, -1).astype(np.int64)
    if np.any(classes > 5) or np.any((classes < 0) & (classes != -1)):
        raise InputError("Susceptibility classes must be whole numbers 0-5.", code="input.type", field="class")
    freq = {int(k): float(f) for k, f in (class_frequency_per_year or {}).items()}
    for k, f in freq.items():
        if not 0 <= k <= 5 or not np.isfinite(f) or f < 0:
            raise InputError(
                f"Class frequency {k}={f}: expected a class 0-5 and a frequency >= 0 per year.",
                code="input.range",
                field="class_frequency",
            )
    site_class = classes.max(axis=0)
    annual = np.array([freq.get(int(c), np.nan) if c >= 0 else np.nan for c in site_class], dtype=np.float64)
    return SusceptibilityIndicator(
        site_lon=np.asarray(site_lon, dtype=np.float64),
        site_lat=np.asarray(site_lat, dtype=np.float64),
        classes=classes,
        site_class=site_class,
        return_periods_years=None if return_periods is None else tuple(float(t) for t in return_periods),
        class_frequency_per_year=freq,
        annual_frequency_per_year=annual,
    )
