"""Site parameters for ground-motion models: Vs30 per site, and basin depths z1.0 and z2.5 estimated from it.

Units are those of :class:`kalkan.core.hazard.earthquake.gmpe.base.Context`: Vs30 in m/s, z1.0 in m, z2.5 in km.

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

**One Vs30 default** (:data:`DEFAULT_VS30_M_S`, 400 m/s) for every earthquake command whose sites have no Vs30
of their own (``eq curves``, ``eq events``, ``eq scenario``, ``city scenario``, ``city event-risk``), stated in
each output. Kalkan computes ground motion to estimate what happens to a city's buildings, and those stand on
soil: the founding cities lie on alluvial fans, river terraces and loess (Osh, Namangan and Dushanbe in
intermontane basins, Ashgabat on the Kopet Dag piedmont, Petropavl on the Ishim terrace). 400 m/s is stiff
soil: NEHRP / ASCE 7 site class C (360-760 m/s) near its soft end, Eurocode 8 ground type B (360-800 m/s);
with no site-condition map of the cities shipped, one uniform value stands for it, and a measured or mapped
Vs30 per site (a sites CSV column ``vs30``) always takes precedence. Published seismic hazard maps are
conventionally drawn for reference rock instead (GEM's global hazard map: Vs30 760-800 m/s; the NEHRP B/C
boundary, 760 m/s): :data:`ROCK_REFERENCE_VS30_M_S` is that choice, named and explicit (``eq curves
--rock``), for comparing Kalkan's hazard with such a map - never a silent default. On the softer site the
same earthquake gives larger short-period motion (e.g. Boore et al. 2014's linear site term scales with
ln(Vs30/760)), so the two choices give different hazard numbers for the same city, by design.
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

DEFAULT_VS30_M_S = 400.0
"""Kalkan's one Vs30 default (m/s) for sites without their own: typical urban stiff soil (module docstring)."""
VS30_DEFAULT_BASIS = (
    "Kalkan's default for city sites without a Vs30 of their own: stiff soil (NEHRP site class C near its soft "
    "end, Eurocode 8 ground type B), the ground a city's buildings typically stand on; inferred, not measured"
)
ROCK_REFERENCE_VS30_M_S = 760.0
"""Reference rock (m/s), the NEHRP B/C boundary on which published hazard maps are drawn (``--rock``)."""
VS30_ROCK_BASIS = (
    "reference rock (NEHRP B/C boundary), the site condition of published seismic hazard maps (e.g. GEM's "
    "global hazard map, 760-800 m/s): for comparison with such maps, not the ground under the city's buildings"
)


def vs30_record(vs30_m_s: float | None, site_vs30_m_s: ArrayLike | None = None) -> dict[str, object]:
    """What an output states about its site condition: the Vs30 (m/s) of the sites without their own (None
    when every site has its own), why that value (Kalkan's default, reference rock, or given), and the range
    over all sites."""
    if vs30_m_s is None:
        v: float | None = None
        basis = "given per site (the sites file's vs30 column)"
    else:
        v = float(vs30_m_s)
        if v == DEFAULT_VS30_M_S:
            basis = VS30_DEFAULT_BASIS
        elif v == ROCK_REFERENCE_VS30_M_S:
            basis = VS30_ROCK_BASIS
        else:
            basis = "given by the user"
    record: dict[str, object] = {"vs30_m_s": v, "basis": basis, "default_m_s": DEFAULT_VS30_M_S}
    if site_vs30_m_s is not None:
        arr = np.asarray(site_vs30_m_s, dtype=np.float64)
        if arr.size:
            record["sites_range_m_s"] = [float(arr.min()), float(arr.max())]
            record["sites_with_other_vs30"] = int(arr.size if v is None else np.count_nonzero(arr != v))
    return record


def vs30_text(record: dict[str, object]) -> str:
    """One line for a printed summary: ``Vs30 400 m/s (Kalkan's default ...)``."""
    v = record["vs30_m_s"]
    text = f"Vs30 {float(v):g} m/s ({record['basis']})" if isinstance(v, float) else f"Vs30 {record['basis']}"
    other = record.get("sites_with_other_vs30")
    lo_hi = record.get("sites_range_m_s")
    if other and isinstance(lo_hi, list):
        text += f"; {other} site(s) with their own Vs30, {lo_hi[0]:g}-{lo_hi[1]:g} m/s"
    return text


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


__all__ = [
    "DEFAULT_VS30_M_S",
    "ROCK_REFERENCE_VS30_M_S",
    "VS30_DEFAULT_BASIS",
    "VS30_RANGE_M_S",
    "VS30_ROCK_BASIS",
    "site_vs30",
    "vs30_record",
    "vs30_text",
    "z1pt0_from_vs30",
    "z2pt5_from_vs30",
]
