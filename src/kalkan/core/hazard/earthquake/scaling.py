"""Magnitude-area scaling laws and the rupture dimensions they give, with their papers and coefficients as data.

- Wells, D. L. & Coppersmith, K. J. (1994). New empirical relationships among magnitude, rupture length,
  rupture width, rupture area, and surface displacement. *Bull. Seismol. Soc. Am.* 84(4), 974-1002,
  Table 2A, rupture area (RA) on moment magnitude: log10(A/km2) = a + b M per slip type.
- Leonard, M. (2014). Self-consistent earthquake fault-scaling relations: update and extension to stable
  continental strike-slip faults. *Bull. Seismol. Soc. Am.* 104(6), 2953-2965: M = log10(A/km2) + a for
  interplate and stable-continental-region faults, strike-slip and dip-slip.
- ``PEER`` / ``PeerMSR``: the PEER PSHA code-verification law (Hale, Abrahamson & Bozorgnia 2018, *Probabilistic
  Seismic Hazard Analysis Code Verification*, PEER Report 2018/03): log10 A = M - 4, sigma 0.25 (nshmp-haz's
  and OpenQuake's ``PeerMSR``); source models only.

Slip type from rake (OpenQuake's rule): strike-slip when -45 <= rake <= 45 or |rake| >= 135, reverse when
45 < rake < 135, normal when -135 < rake < -45.

Dimensions (OpenQuake's point-source rule): length = sqrt(A x aspect ratio), width = A / length; a width that
does not fit between the seismogenic depths is cut to fit and the length grows to keep the area.
:func:`rupture_dimensions` applies it to one rupture (scenarios), :func:`dimensions` to arrays (source models);
the two are kept as they are so that scenario and PSHA numbers stay the same to the last bit (they may differ
in the last binary digit because each takes the square root of a different quotient).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kalkan.core.hazard.earthquake.parameters import check_dip, check_mag_rake, check_seismogenic, finite
from kalkan.errors import InputError

Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ScalingLaw:
    """A magnitude-area law log10(A / km2) = a + b Mw per slip type, with its paper and data ranges.

    ``coefficients`` maps ``strike-slip``, ``reverse``, ``normal`` and ``all`` (used when the rake is unknown)
    to (a, b, sigma of log10 A or NaN when the paper gives none); ``magnitude_ranges`` the magnitudes of the
    regression data per slip type, where the paper states them.
    """

    name: str
    reference: str
    coefficients: Mapping[str, tuple[float, float, float]]
    magnitude_ranges: Mapping[str, tuple[float, float]]

    def median_area_km2(self, mag: float, rake: float | None) -> float:
        """Median rupture area (km2) of a rupture of moment magnitude ``mag`` and ``rake`` (degrees)."""
        a, b, _ = self.coefficients[slip_type(rake)]
        return float(10.0 ** (a + b * mag))

    def sigma_log10_area(self, rake: float | None) -> float:
        """Standard deviation of log10(area) about the median (NaN when the paper gives none)."""
        return self.coefficients[slip_type(rake)][2]


def slip_type(rake: float | None) -> str:
    """``strike-slip``, ``reverse`` or ``normal`` from the rake (OpenQuake's rule); ``all`` for None."""
    if rake is None:
        return "all"
    if -45.0 <= rake <= 45.0 or rake >= 135.0 or rake <= -135.0:
        return "strike-slip"
    return "reverse" if rake > 0 else "normal"


_NAN = float("nan")

SCALING_LAWS: dict[str, ScalingLaw] = {
    "WC1994": ScalingLaw(
        name="WC1994",
        reference="Wells & Coppersmith (1994), BSSA 84(4):974-1002, Table 2A, rupture area on Mw",
        coefficients={
            "strike-slip": (-3.42, 0.90, 0.22),
            "reverse": (-3.99, 0.98, 0.26),
            "normal": (-2.87, 0.82, 0.22),
            "all": (-3.49, 0.91, 0.24),
        },
        magnitude_ranges={
            "strike-slip": (4.8, 7.9),
            "reverse": (5.4, 7.4),
            "normal": (5.2, 7.3),
            "all": (4.8, 7.9),
        },
    ),
    # Leonard (2014), Mw = log10(A) + a, i.e. log10(A) = -a + Mw; "all" is the mean of the two constants.
    "Leonard2014_Interplate": ScalingLaw(
        name="Leonard2014_Interplate",
        reference="Leonard (2014), BSSA 104(6):2953-2965, interplate faults",
        coefficients={
            "strike-slip": (-3.99, 1.0, _NAN),
            "reverse": (-4.00, 1.0, _NAN),
            "normal": (-4.00, 1.0, _NAN),
            "all": (-3.995, 1.0, _NAN),
        },
        magnitude_ranges={},
    ),
    "Leonard2014_SCR": ScalingLaw(
        name="Leonard2014_SCR",
        reference="Leonard (2014), BSSA 104(6):2953-2965, stable continental region faults",
        coefficients={
            "strike-slip": (-4.18, 1.0, _NAN),
            "reverse": (-4.19, 1.0, _NAN),
            "normal": (-4.19, 1.0, _NAN),
            "all": (-4.185, 1.0, _NAN),
        },
        magnitude_ranges={},
    ),
}
"""The laws a rupture or a source may name (``scaling``, ``magScaleRel``)."""

PEER_SCALING = ("PEER", "PeerMSR")
"""Names of the PEER magnitude-area law (log10 A = M - 4): nshmp-haz's and OpenQuake's."""
PEER_SIGMA_LOG10_AREA = 0.25
"""Standard deviation of log10(area) of the PEER law (PEER 2018/03, Set 1 Case 3)."""


def scaling_law(name: str | ScalingLaw) -> ScalingLaw:
    """The law named ``name`` (``WC1994``, ``Leonard2014_Interplate``, ``Leonard2014_SCR``), or ``name`` itself."""
    if isinstance(name, ScalingLaw):
        return name
    law = SCALING_LAWS.get(name)
    if law is None:
        raise InputError(
            f"Unknown magnitude-area scaling law {name!r}; known: {', '.join(SCALING_LAWS)}.",
            code="input.unknown",
            field="scaling",
        )
    return law


def median_area_km2(scaling: str, mag: ArrayLike, rake: ArrayLike) -> Floats:
    """Median rupture areas (km2) of arrays of magnitudes and rakes (degrees): ``PEER``/``PeerMSR``
    (log10 A = M - 4) or a law of :data:`SCALING_LAWS` (e.g. ``WC1994``, by slip type from the rake)."""
    m = np.asarray(mag, dtype=np.float64)
    if scaling in PEER_SCALING:
        return np.asarray(10.0 ** (m - 4.0), dtype=np.float64)
    law = SCALING_LAWS.get(scaling)
    if law is None:
        known = ", ".join([*PEER_SCALING, *SCALING_LAWS])
        raise InputError(
            f"Unknown magnitude-area scaling law {scaling!r}; known: {known}.", code="input.unknown", field="scaling"
        )
    r = np.broadcast_to(np.asarray(rake, dtype=np.float64), m.shape)
    out = np.empty(m.shape)
    for value in np.unique(r):
        a, b, _ = law.coefficients[slip_type(float(value))]
        sel = r == value
        out[sel] = 10.0 ** (a + b * m[sel])
    return out


def dimensions(area_km2: ArrayLike, aspect_ratio: float, max_width_km: ArrayLike) -> tuple[Floats, Floats]:
    """Length and width (km) of arrays of areas: length = sqrt(A x ratio), width = A / length; a width above
    ``max_width_km`` is cut to it and the length grows to keep the area (OpenQuake's and nshmp-haz's rule)."""
    area = np.asarray(area_km2, dtype=np.float64)
    width = np.minimum(np.sqrt(area / aspect_ratio), np.asarray(max_width_km, dtype=np.float64))
    return area / width, np.asarray(width, dtype=np.float64)


def rupture_dimensions(
    mag: float,
    rake: float,
    dip: float,
    *,
    scaling: str | ScalingLaw = "WC1994",
    aspect_ratio: float = 1.0,
    upper_seismogenic_depth_km: float = 0.0,
    lower_seismogenic_depth_km: float | None = None,
) -> tuple[float, float]:
    """Length and width (km) of one rupture: area from ``scaling``, split by ``aspect_ratio`` (length / width).

    OpenQuake's point-source rule: length = sqrt(A x ratio), width = A / length; when the width does not fit
    between the seismogenic depths (width x sin(dip) > lower - upper), it is cut to fit and the length grows so
    that the area stays the median area.
    """
    mag, rake = check_mag_rake(mag, rake)
    dip = check_dip(dip)
    ratio = finite(aspect_ratio, "aspect_ratio")
    if ratio <= 0:
        raise InputError(
            f"aspect_ratio {ratio} must be positive (length / width).", code="input.range", field="aspect_ratio"
        )
    usd, lsd = check_seismogenic(upper_seismogenic_depth_km, lower_seismogenic_depth_km)
    area = scaling_law(scaling).median_area_km2(mag, rake)
    length = math.sqrt(area * ratio)
    width = area / length
    max_width = (lsd - usd) / math.sin(math.radians(dip))
    if width > max_width:
        width = max_width
        length = area / width
    return length, width


__all__ = [
    "PEER_SCALING",
    "PEER_SIGMA_LOG10_AREA",
    "SCALING_LAWS",
    "ScalingLaw",
    "dimensions",
    "median_area_km2",
    "rupture_dimensions",
    "scaling_law",
    "slip_type",
]
