"""The sites of a ground-motion calculation (:class:`Sites`), and their Vs30 and basin depths z1.0 and z2.5.

Units are those of :class:`kalkan.core.hazard.earthquake.gmpe.base.Context`, in the names: Vs30 in m/s, z1.0 in
m, z2.5 in km. One :class:`Sites` serves scenarios, classical PSHA and stochastic event sets.

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

import math
from dataclasses import dataclass, field, replace
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
        raise InputError(
            f"Unknown basin-depth region {region!r}; expected 'california' or 'japan'.",
            code="input.unknown",
            field="region",
        )
    return key


def _check_vs30(vs30: Floats, where: str = "vs30") -> Floats:
    lo, hi = VS30_RANGE_M_S
    bad = ~np.isfinite(vs30) | (vs30 < lo) | (vs30 > hi)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{where}: value #{k + 1} is {float(vs30.ravel()[k])!r}; expected a Vs30 in m/s between {lo:g} and {hi:g}.",
            hint="Vs30 is in m/s (400 for stiff soil, 760 for rock), not km/s or ft/s.",
            code="input.range",
            field="vs30",
            row=k + 1,
        )
    return vs30


def site_vs30(n_sites: int, vs30: ArrayLike | None = None, *, city_default_m_s: float | None = None) -> Floats:
    """Vs30 (m/s) at each of ``n_sites`` sites: ``vs30`` (one value or one per site), else the city's default.

    Raises :class:`InputError` when neither is given, when the number of values does not match, or when a
    value is not a plausible Vs30 (see :data:`VS30_RANGE_M_S`).
    """
    if n_sites < 0:
        raise InputError(f"n_sites {n_sites} must be >= 0.", code="input.range", field="n_sites")
    if vs30 is None:
        if city_default_m_s is None:
            raise InputError(
                "no Vs30: give one value per site (or one for all), or the city's default Vs30 (m/s).",
                code="input.missing",
                field="vs30",
            )
        arr = np.full(n_sites, float(city_default_m_s))
        return _check_vs30(arr, "city default Vs30")
    arr = np.atleast_1d(np.asarray(vs30, dtype=np.float64)).ravel()
    if arr.size == 1:
        arr = np.full(n_sites, arr[0])
    elif arr.size != n_sites:
        raise InputError(
            f"vs30: {arr.size} values for {n_sites} sites; expected 1 or {n_sites}.",
            code="input.inconsistent",
            field="vs30",
        )
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


@dataclass(frozen=True, slots=True)
class Sites:
    """Sites of a ground-motion calculation: lon/lat (WGS84 degrees), Vs30 (m/s), whether it was measured,
    z1.0 (m) and z2.5 (km), NaN where unknown (a model then uses its paper's default, see
    :func:`Sites.uniform` for Kalkan's estimates), and names for outputs (``site1``, ... when not given).

    One value of a parameter stands for every site. Refused: no site, names not unique or not one per site,
    coordinates that are not lon/lat degrees, a Vs30 that is not a positive number.
    """

    lon: Floats
    lat: Floats
    vs30_m_s: Floats
    vs30_measured: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    z1pt0_m: Floats = field(default_factory=lambda: np.empty(0))
    z2pt5_km: Floats = field(default_factory=lambda: np.empty(0))
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        lon = np.atleast_1d(np.asarray(self.lon, dtype=np.float64))
        n = lon.size
        if n == 0:
            raise InputError("no site given.", code="input.empty", field="sites")
        names = tuple(self.names) if len(self.names) else tuple(f"site{k + 1}" for k in range(n))
        if len(names) != n:
            raise InputError(f"sites: {len(names)} names for {n} sites.", code="input.inconsistent", field="names")
        if len(set(names)) != n:
            raise InputError("site names must be unique.", code="input.duplicate", field="names")

        def arr(value: ArrayLike, name: str, fill: float, dtype: type = np.float64) -> NDArray[np.generic]:
            a: NDArray[np.generic] = np.atleast_1d(np.asarray(value, dtype=dtype))
            if a.size == 0:
                a = np.full(n, fill, dtype=dtype)
            if a.size == 1:
                a = np.full(n, a[0], dtype=dtype)
            if a.size != n:
                raise InputError(
                    f"sites: {a.size} values of {name} for {n} sites.", code="input.inconsistent", field=name
                )
            return a

        object.__setattr__(self, "names", names)
        object.__setattr__(self, "lon", arr(lon, "lon", math.nan))
        object.__setattr__(self, "lat", arr(self.lat, "lat", math.nan))
        object.__setattr__(self, "vs30_m_s", arr(self.vs30_m_s, "vs30", math.nan))
        object.__setattr__(self, "vs30_measured", arr(self.vs30_measured, "vs30measured", 0, bool))
        object.__setattr__(self, "z1pt0_m", arr(self.z1pt0_m, "z1pt0", math.nan))
        object.__setattr__(self, "z2pt5_km", arr(self.z2pt5_km, "z2pt5", math.nan))
        ok = (np.abs(self.lon) <= 180) & (np.abs(self.lat) <= 90)
        if not ok.all():
            k = int(np.flatnonzero(~ok)[0])
            raise InputError(
                f"site {names[k]!r}: ({self.lon[k]}, {self.lat[k]}) is not a lon/lat in degrees.",
                code="input.range",
                field="lon" if not abs(self.lon[k]) <= 180 else "lat",
                row=k + 1,
            )
        good = np.isfinite(self.vs30_m_s) & (self.vs30_m_s > 0)
        if not good.all():
            k = int(np.flatnonzero(~good)[0])
            raise InputError(
                f"site {names[k]!r}: vs30 {self.vs30_m_s[k]} must be a positive number (m/s).",
                code="input.range",
                field="vs30",
                row=k + 1,
            )

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def uniform(
        cls,
        lon: ArrayLike,
        lat: ArrayLike,
        vs30_m_s: float,
        *,
        measured: bool = True,
        z1pt0_m: float | None = None,
        z2pt5_km: float | None = None,
    ) -> Sites:
        """Sites sharing one set of site parameters; missing depths follow the Vs30 correlations
        (:func:`z1pt0_from_vs30`, :func:`z2pt5_from_vs30`, California)."""
        lons = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        n = lons.size
        v = np.full(n, float(vs30_m_s))
        z1 = np.full(n, z1pt0_m) if z1pt0_m is not None else np.asarray(z1pt0_from_vs30(v), dtype=np.float64)
        z2 = np.full(n, z2pt5_km) if z2pt5_km is not None else np.asarray(z2pt5_from_vs30(v), dtype=np.float64)
        return cls(lons, np.asarray(lat, dtype=np.float64), v, np.full(n, measured), z1, z2)

    def take(self, index: NDArray[np.intp] | slice) -> Sites:
        """The sites at ``index`` (integer positions or a slice), with their names."""
        positions = np.arange(len(self))[index]
        return replace(
            self,
            lon=self.lon[positions],
            lat=self.lat[positions],
            vs30_m_s=self.vs30_m_s[positions],
            vs30_measured=self.vs30_measured[positions],
            z1pt0_m=self.z1pt0_m[positions],
            z2pt5_km=self.z2pt5_km[positions],
            names=tuple(self.names[int(k)] for k in positions),
        )


__all__ = [
    "DEFAULT_VS30_M_S",
    "ROCK_REFERENCE_VS30_M_S",
    "VS30_DEFAULT_BASIS",
    "VS30_RANGE_M_S",
    "VS30_ROCK_BASIS",
    "Sites",
    "site_vs30",
    "vs30_record",
    "vs30_text",
    "z1pt0_from_vs30",
    "z2pt5_from_vs30",
]
