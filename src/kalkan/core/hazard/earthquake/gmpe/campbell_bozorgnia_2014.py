"""Campbell & Bozorgnia (2014), the NGA-West2 model for RotD50 PGA, PGV and 5 %-damped SA (0.01-10 s).

Reference: Campbell, K.W. & Bozorgnia, Y. (2014). NGA-West2 ground motion model for the average horizontal
components of PGA, PGV, and 5% damped linear acceleration response spectra. Earthquake Spectra 30(3),
1087-1115. doi:10.1193/062913EQS175M

ln Y = f_mag + f_dis + f_flt + f_hng + f_site + f_sed + f_hyp + f_dip + f_atn (paper Eq. 1-25); the nonlinear
site term needs A1100, the median PGA on rock (Vs30 = 1100 m/s, Z2.5 from Eq. 33/34). For T < 0.25 s, SA is
set to PGA where it would fall below PGA (the authors' rule). Standard deviations: Eq. 26-32 (magnitude-dependent
tau and phi on base rock, propagated through the nonlinear site term by alpha, Eq. 31). Z2.5 left NaN takes the paper's
default from Vs30 (Eq. 33 California, Eq. 34 Japan); the other inputs are required.

Options: ``SJ`` (1 for the Japan site term of Eq. 19 and the Japan basin term, 0 elsewhere) and ``region``
for the anelastic attenuation adjustment Dc20 of Eq. 25 (``CAL`` = California and global; ``JPN``/``ITA`` =
Japan and Italy; ``CHN``/``TUR`` = eastern China and Turkey).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context, Floats, GroundMotion, sa_period
from kalkan.errors import InputError

_C = 1.88
"""Constant c of the nonlinear site term (Table 1)."""
_N = 1.18
"""Constant n of the nonlinear site term (Table 1)."""
_PHI_LNAF = 0.3
"""Within-event standard deviation of the site amplification (ln units), from the aleatory model."""
_VS30_ROCK = 1100.0
"""Vs30 (m/s) of the rock on which A1100 is computed."""

_REGIONS = {"CAL": "Dc20_CA", "JPN": "Dc20_JI", "ITA": "Dc20_JI", "CHN": "Dc20_CH", "TUR": "Dc20_CH"}


def default_z2pt5_km(vs30: Floats, sj: int) -> Floats:
    """Z2.5 (km) from Vs30 (m/s): Eq. 33 (California, SJ=0) or Eq. 34 (Japan, SJ=1)."""
    if sj:
        return np.exp(5.359 - 1.102 * np.log(vs30))
    return np.exp(7.089 - 1.144 * np.log(vs30))


def _ramp(x: Floats, lo: float, hi: float) -> Floats:
    """0 below ``lo``, linear to 1 at ``hi``, 1 above: the piecewise-linear weights of Eq. 2, 6, 14, 22-24, 28."""
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def _f_mag(c: dict[str, float], mag: Floats) -> Floats:
    """Eq. 2: trilinear magnitude scaling with hinges at 4.5, 5.5 and 6.5."""
    return (
        c["c0"]
        + c["c1"] * mag
        + c["c2"] * np.maximum(mag - 4.5, 0.0)
        + c["c3"] * np.maximum(mag - 5.5, 0.0)
        + c["c4"] * np.maximum(mag - 6.5, 0.0)
    )


def _f_hng(c: dict[str, float], ctx: Context) -> Floats:
    """Eq. 7-16: hanging-wall term, zero on the footwall (Rx < 0)."""
    dip_rad = np.radians(ctx.dip)
    r1 = ctx.width * np.cos(dip_rad)
    r2 = 62.0 * ctx.mag - 350.0
    with np.errstate(divide="ignore", invalid="ignore"):
        x1 = ctx.rx / r1
        x2 = (ctx.rx - r1) / (r2 - r1)
        f1 = c["h1"] + c["h2"] * x1 + c["h3"] * x1**2
        f2 = np.maximum(c["h4"] + c["h5"] * x2 + c["h6"] * x2**2, 0.0)
        f_rx = np.where(ctx.rx < 0.0, 0.0, np.where(ctx.rx < r1, f1, f2))
        f_rrup = np.where(ctx.rrup > 0.0, (ctx.rrup - ctx.rjb) / ctx.rrup, 1.0)
    m = ctx.mag
    f_m = np.where(
        m <= 5.5, 0.0, np.where(m <= 6.5, (m - 5.5) * (1.0 + c["a2"] * (m - 6.5)), 1.0 + c["a2"] * (m - 6.5))
    )
    f_z = np.where(ctx.ztor <= 16.66, 1.0 - 0.06 * ctx.ztor, 0.0)
    f_dip = (90.0 - ctx.dip) / 45.0
    out: Floats = c["c10"] * f_rx * f_rrup * f_m * f_z * f_dip
    return out


def _f_sed(c: dict[str, float], z2pt5: Floats, sj: int) -> Floats:
    """Eq. 20: shallow-sediment (Z2.5 < 1 km) and deep-basin (Z2.5 > 3 km) terms; Z2.5 in km."""
    shallow = (c["c14"] + c["c15"] * sj) * (z2pt5 - 1.0)
    deep = c["c16"] * c["k3"] * np.exp(-0.75) * (1.0 - np.exp(-0.25 * (z2pt5 - 3.0)))
    return np.where(z2pt5 <= 1.0, shallow, np.where(z2pt5 <= 3.0, 0.0, deep))


def _f_site(c: dict[str, float], vs30: Floats, a1100: Floats, sj: int) -> Floats:
    """Eq. 17-19: linear/nonlinear site response (nonlinear below k1) plus the Japan term when SJ=1."""
    k1, k2 = c["k1"], c["k2"]
    ln_v = np.log(vs30 / k1)
    nonlinear = c["c11"] * ln_v + k2 * (np.log(a1100 + _C * (vs30 / k1) ** _N) - np.log(a1100 + _C))
    out: Floats = np.where(vs30 <= k1, nonlinear, (c["c11"] + k2 * _N) * ln_v)
    if sj:
        soft = np.where(vs30 <= 200.0, (c["c12"] + k2 * _N) * (ln_v - np.log(200.0 / k1)), 0.0)
        out = out + soft + (c["c13"] + k2 * _N) * ln_v
    return out


def _ln_median(
    c: dict[str, float], ctx: Context, vs30: Floats, z2pt5: Floats, a1100: Floats, sj: int, dc20: str
) -> Floats:
    """Eq. 1: ln of the median for one coefficient set, site (vs30, z2pt5) and rock PGA a1100 (g)."""
    mag = ctx.mag
    f_dis = (c["c5"] + c["c6"] * mag) * np.log(np.sqrt(ctx.rrup**2 + c["c7"] ** 2))
    f_rv = ((ctx.rake > 30.0) & (ctx.rake < 150.0)).astype(np.float64)
    f_nm = ((ctx.rake > -150.0) & (ctx.rake < -30.0)).astype(np.float64)
    f_flt = (c["c8"] * f_rv + c["c9"] * f_nm) * _ramp(mag, 4.5, 5.5)
    f_hyp = np.clip(ctx.hypo_depth - 7.0, 0.0, 13.0) * (c["c17"] + (c["c18"] - c["c17"]) * _ramp(mag, 5.5, 6.5))
    f_dip = c["c19"] * ctx.dip * (1.0 - _ramp(mag, 4.5, 5.5))
    f_atn = (c["c20"] + c[dc20]) * np.maximum(ctx.rrup - 80.0, 0.0)
    out: Floats = (
        _f_mag(c, mag)
        + f_dis
        + f_flt
        + _f_hng(c, ctx)
        + _f_site(c, vs30, a1100, sj)
        + _f_sed(c, z2pt5, sj)
        + f_hyp
        + f_dip
        + f_atn
    )
    return out


def _tau_phi(c: dict[str, float], mag: Floats) -> tuple[Floats, Floats]:
    """Eq. 27-28: between-event tau and within-event phi (ln units), linear in M between 4.5 and 5.5."""
    w = _ramp(mag, 4.5, 5.5)
    return c["tau1"] + (c["tau2"] - c["tau1"]) * w, c["phi1"] + (c["phi2"] - c["phi1"]) * w


class CampbellBozorgnia2014(GMPE):
    """Campbell & Bozorgnia (2014) NGA-West2 model (RotD50; PGA/SA in g, PGV in cm/s)."""

    name: ClassVar[str] = "CampbellBozorgnia2014"
    aliases: ClassVar[tuple[str, ...]] = ("CB14",)
    reference: ClassVar[str] = (
        "Campbell, K.W. & Bozorgnia, Y. (2014). NGA-West2 ground motion model for the average horizontal "
        "components of PGA, PGV, and 5% damped linear acceleration response spectra. Earthquake Spectra 30(3), "
        "1087-1115. doi:10.1193/062913EQS175M"
    )
    coefficients_file: ClassVar[str] = "campbell_bozorgnia_2014.csv"
    DEFINED_FOR_TECTONIC_REGION_TYPE: ClassVar[str] = "Active Shallow Crust"
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset({"PGA", "PGV", "SA"})
    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset(
        {"mag", "rake", "dip", "ztor", "width", "hypo_depth"}
    )
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset({"rrup", "rjb", "rx"})
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"vs30"})
    OPTIONAL_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"z2pt5"})
    """Z2.5 NaN: the paper's default from Vs30 (Eq. 33/34)."""
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (3.3, 8.5)
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rrup"
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = None
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = None

    def __init__(self, SJ: Any = 0, region: Any = "CAL", **options: Any) -> None:
        super().__init__(**options)
        if isinstance(SJ, bool) or SJ in (0, 1):
            self.sj = int(SJ)
        else:
            raise InputError(
                f"{self.name}: SJ must be 0 (not Japan) or 1 (Japan); got {SJ!r}.", code="input.unknown", field="SJ"
            )
        key = str(region).upper()
        if key not in _REGIONS:
            raise InputError(
                f"{self.name}: region must be one of {', '.join(_REGIONS)}; got {region!r}.",
                code="input.unknown",
                field="region",
            )
        self.region = key
        self._dc20 = _REGIONS[key]

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:
        """ln median and standard deviations of ``imt`` for every row of ``ctx``."""
        sj, dc20 = self.sj, self._dc20
        c = self.coefficients_for(imt)
        c_pga = self.coefficients_for("PGA")
        n = len(ctx)
        z2pt5 = np.where(np.isfinite(ctx.z2pt5), ctx.z2pt5, default_z2pt5_km(ctx.vs30, sj))
        rock_vs30 = np.full(n, _VS30_ROCK)
        rock_z2pt5 = default_z2pt5_km(rock_vs30, sj)
        a1100 = np.exp(_ln_median(c_pga, ctx, rock_vs30, rock_z2pt5, np.zeros(n), sj, dc20))
        mean = _ln_median(c, ctx, ctx.vs30, z2pt5, a1100, sj, dc20)
        period = sa_period(imt)
        if 0.0 < period < 0.25:
            mean = np.maximum(mean, _ln_median(c_pga, ctx, ctx.vs30, z2pt5, a1100, sj, dc20))

        tau_y, phi_y = _tau_phi(c, ctx.mag)
        tau_pga, phi_pga = _tau_phi(c_pga, ctx.mag)
        phi_yb = np.sqrt(phi_y**2 - _PHI_LNAF**2)
        phi_pgab = np.sqrt(phi_pga**2 - _PHI_LNAF**2)
        k1, k2 = c["k1"], c["k2"]
        alpha = np.where(
            ctx.vs30 < k1,
            k2 * a1100 * (1.0 / (a1100 + _C * (ctx.vs30 / k1) ** _N) - 1.0 / (a1100 + _C)),
            0.0,
        )
        rho = c["rholny"]
        tau = np.sqrt(tau_y**2 + alpha**2 * tau_pga**2 + 2.0 * alpha * rho * tau_y * tau_pga)
        phi = np.sqrt(phi_yb**2 + _PHI_LNAF**2 + alpha**2 * phi_pgab**2 + 2.0 * alpha * rho * phi_yb * phi_pgab)
        return GroundMotion(mean=mean, sigma=np.sqrt(tau**2 + phi**2), tau=tau, phi=phi)
