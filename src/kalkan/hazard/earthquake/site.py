"""Site parameters for ground-motion models: Vs30 per site, and basin depths z1.0 and z2.5 estimated from it.

Units are those of :class:`kalkan.hazard.earthquake.gmpe.base.Context`: Vs30 in m/s, z1.0 in m, z2.5 in km.

- z1.0 (depth to Vs = 1.0 km/s) from Vs30: Chiou, B. S.-J. & Youngs, R. R. (2014). Update of the Chiou and
  Youngs NGA model for the average horizontal component of peak ground motion and response spectra.
  *Earthquake Spectra* 30(3), 1117-1153, the centred-z1.0 reference relations:
  California and non-Japan: ln(z1.0) = -7.15/4 ln((Vs30^4 + 571^4) / (1360^4 + 571^4));
  Japan: ln(z1.0) = -5.23/2 ln((Vs30^2 + 412^2) / (1360^2 + 412^2)).
- z2.5 (depth to Vs = 2.5 km/s) from Vs30: Campbell, K. W. & Bozorgnia, Y. (2014). NGA-West2 ground motion
  model for the average horizontal components of PGA, PGV, and 5% damped linear acceleration response
  spectra. *Earthquake Spectra* 30(3), 1087-1114, Eqs. (33)-(34):
  California: ln(z2.5) = 7.089 - 1.144 ln(Vs30); Japan: ln(z2.5) = 5.359 - 1.102 ln(Vs30).

These are the relations OpenQuake uses to fill missing basin depths (``calculate_z1pt0``,
``calculate_z2pt5``). They are mean trends of Californian (or Japanese) basins; a city with a mapped basin
should give its own depths.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kalkan.errors import InputError

Floats = NDArray[np.float64]
Region = Literal["california", "japan"]

VS30_RANGE_M_S = (50.0, 5000.0)
"""Vs30 values accepted (m/s); outside, the value is taken for a unit error (km/s, ft/s)."""

# (exponent n, multiplier c, corner velocity v_c (m/s)): ln z1 = c/n ln((Vs30^n + v_c^n) / (1360^n + v_c^n))
Z1PT0_CY14: dict[str, tuple[float, float, float]] = {
    "california": (4.0, -7.15, 571.0),
    "japan": (2.0, -5.23, 412.0),
}
Z1PT0_CY14_VREF = 1360.0
"""Reference Vs30 (m/s) at which the CY14 relations give z1.0 = 1 m."""

# (a, b): ln z2.5 (km) = a + b ln Vs30
Z2PT5_CB14: dict[str, tuple[float, float]] = {
    "california": (7.089, -1.144),
    "japan": (5.359, -1.102),
}


def _region(region: str) -> str:
    key = region.lower()
    if key not in Z2PT5_CB14:
        raise InputError(f"Unknown basin-depth region {region!r}; expected 'california' or 'japan'.")
    return key


def _check_vs30(vs30: Floats, where: str = "vs30") -> Floats:
    lo, hi = VS30_RANGE_M_S
    bad = ~np.isfinite(vs30) | (vs30 < lo) | (vs30 > hi)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{where}: value #{k + 1} is {float(vs30.ravel()[k])!r}; expected a Vs30 in m/s between {lo:g} and {hi:g}.",
            hint="Vs30 is in m/s (400 for stiff soil, 760 for rock), not km/s or ft/s.",
        )
    return vs30


def site_vs30(n_sites: int, vs30: ArrayLike | None = None, *, city_default_m_s: float | None = None) -> Floats:
    """Vs30 (m/s) at each of ``n_sites`` sites: ``vs30`` (one value or one per site), else the city's default.

    Raises :class:`InputError` when neither is given, when the number of values does not match, or when a
    value is not a plausible Vs30 (see :data:`VS30_RANGE_M_S`).
    """
    if n_sites < 0:
        raise InputError(f"n_sites {n_sites} must be >= 0.")
    if vs30 is None:
        if city_default_m_s is None:
            raise InputError(
                "no Vs30: give one value per site (or one for all), or the city's default Vs30 (m/s).",
            )
        arr = np.full(n_sites, float(city_default_m_s))
        return _check_vs30(arr, "city default Vs30")
    arr = np.atleast_1d(np.asarray(vs30, dtype=np.float64)).ravel()
    if arr.size == 1:
        arr = np.full(n_sites, arr[0])
    elif arr.size != n_sites:
        raise InputError(f"vs30: {arr.size} values for {n_sites} sites; expected 1 or {n_sites}.")
    return _check_vs30(np.ascontiguousarray(arr))


def z1pt0_from_vs30(vs30: ArrayLike, region: Region = "california") -> Floats:
    """Depth to Vs = 1.0 km/s (m) from Vs30 (m/s), Chiou & Youngs (2014), California or Japan."""
    n, c, vc = Z1PT0_CY14[_region(region)]
    v = _check_vs30(np.asarray(vs30, dtype=np.float64))
    ln_z = c / n * np.log((v**n + vc**n) / (Z1PT0_CY14_VREF**n + vc**n))
    return np.asarray(np.exp(ln_z), dtype=np.float64)


def z2pt5_from_vs30(vs30: ArrayLike, region: Region = "california") -> Floats:
    """Depth to Vs = 2.5 km/s (km) from Vs30 (m/s), Campbell & Bozorgnia (2014), California or Japan."""
    a, b = Z2PT5_CB14[_region(region)]
    v = _check_vs30(np.asarray(vs30, dtype=np.float64))
    return np.asarray(np.exp(a + b * np.log(v)), dtype=np.float64)


__all__ = ["VS30_RANGE_M_S", "site_vs30", "z1pt0_from_vs30", "z2pt5_from_vs30"]
