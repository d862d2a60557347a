"""Checks of the scalar parameters of a rupture (magnitude, rake, strike, dip, seismogenic depths), defined once.

Every value is refused unless it is a finite number in its range; the error names the parameter (``field``) as
the caller wrote it, so a reader of a rupture file can add where it came from. Angles are degrees (Aki &
Richards 1980 conventions), depths km positive downwards.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kalkan.core.bounds import MAGNITUDE
from kalkan.errors import InputError

MAGNITUDE_RANGE = (1.0, MAGNITUDE.hi)
"""Moment magnitudes a rupture may have; outside this a value is taken for a typing error
(:mod:`kalkan.core.bounds`)."""


def finite(value: Any, name: str) -> float:
    """``value`` as a float when it is a finite number (not a bool); else an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise InputError(f"{name} must be a number, got {value!r}.", code="input.type", field=name)
    out = float(value)
    if not math.isfinite(out):
        raise InputError(f"{name} must be a finite number, got {value!r}.", code="input.range", field=name)
    return out


def check_mag_rake(mag: float, rake: float) -> tuple[float, float]:
    """Moment magnitude within :data:`MAGNITUDE_RANGE` and rake (degrees) within [-180, 180]."""
    mag = finite(mag, "mag")
    rake = finite(rake, "rake")
    lo, hi = MAGNITUDE_RANGE
    if not lo <= mag <= hi:
        raise InputError(
            f"magnitude {mag} is outside [{lo}, {hi}]; expected a moment magnitude Mw.", code="input.range", field="mag"
        )
    if not -180.0 <= rake <= 180.0:
        raise InputError(
            f"rake {rake} is outside [-180, 180] degrees (Aki & Richards convention).", code="input.range", field="rake"
        )
    return mag, rake


def check_dip(dip: float) -> float:
    """Dip (degrees) within (0, 90]."""
    dip = finite(dip, "dip")
    if not 0.0 < dip <= 90.0:
        raise InputError(f"dip {dip} is outside (0, 90] degrees.", code="input.range", field="dip")
    return dip


def check_strike(strike: float) -> float:
    """Strike (degrees) within [0, 360], returned modulo 360."""
    strike = finite(strike, "strike")
    if not 0.0 <= strike <= 360.0:
        raise InputError(f"strike {strike} is outside [0, 360] degrees.", code="input.range", field="strike")
    return strike % 360.0


def check_seismogenic(usd: float, lsd: float | None) -> tuple[float, float]:
    """Upper (>= 0) and lower (deeper, or None for no floor: infinity) seismogenic depths, km."""
    usd = finite(usd, "upper_seismogenic_depth_km")
    if usd < 0:
        raise InputError(
            f"upper_seismogenic_depth_km {usd} must be >= 0 km.", code="input.range", field="upper_seismogenic_depth_km"
        )
    if lsd is None:
        return usd, math.inf
    lsd = finite(lsd, "lower_seismogenic_depth_km")
    if lsd <= usd:
        raise InputError(
            f"lower_seismogenic_depth_km {lsd} must be deeper than the upper one ({usd} km).",
            code="input.inconsistent",
            field="lower_seismogenic_depth_km",
        )
    return usd, lsd


__all__ = ["MAGNITUDE_RANGE", "check_dip", "check_mag_rake", "check_seismogenic", "check_strike", "finite"]
