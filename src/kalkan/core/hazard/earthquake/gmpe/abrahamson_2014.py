"""Abrahamson, Silva & Kamai (2014) ground-motion model for shallow crustal earthquakes (NGA-West2, ASK14).

Abrahamson, N.A., Silva, W.J. & Kamai, R. (2014). Summary of the ASK14 ground motion relation for active
crustal regions. Earthquake Spectra 30(3), 1025-1055. doi:10.1193/070913EQS198M

RotD50 PGA and SA (g), PGV (cm/s) for M 3-8.5 and Rrup 0-300 km. The median is

    ln Sa = f1(M, Rrup) + F_RV f7(M) + F_N f8(M) + F_HW f4 + f5(Sa1180, Vs30) + f6(Ztor) + f10(Z1, Vs30)
            + regional term (f12 Taiwan, a28 Rrup China, f13 + a29 Rrup Japan),

where the nonlinear site term f5 is driven by Sa1180, the median at the same period on rock with
Vs30 = 1180 m/s; the aftershock term f11 is not used (mainshocks). The standard deviations (eqs. 24-30)
depend on magnitude (on Rrup in Japan), on whether Vs30 was measured, and on the slope of the
nonlinear site amplification. Coefficients: ``coeffs/abrahamson_2014.csv``.

Choices the paper leaves to the user, made explicit here:

- ``z1pt0`` NaN means unknown: Z1.0 defaults to the paper's Vs30-Z1.0 relation for the region
  (eq. 18, or its Japan form), which makes f10 zero.
- ``ry0`` NaN means unknown: the hanging-wall taper T5 uses the paper's Rjb alternative.
- The basin slope (a43-a46) and the Japan Vs30 scaling f13 (a36-a42) are interpolated linearly in Vs30
  between the class centres, as the paper's application guidelines advise, and held constant outside them.
- Where the within-event phi_A is below phi_amp = 0.4 (small magnitudes at long periods), phi_amp is
  reduced to 0.99 phi_A, the authors' advice reported by OpenQuake, so that phi_B stays real.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context, Floats, GroundMotion, sa_period
from kalkan.errors import InputError

_N = 1.5  # exponent n of the nonlinear site model (page 1034)
_M2 = 5.0  # magnitude below which the scaling is linear (page 1032)
_H1, _H2, _H3 = 0.25, 1.5, -0.75  # hanging-wall Rx taper (page 1040)
_A2HW = 0.2  # hanging-wall magnitude taper (page 1041)
_PHI_AMP = 0.4  # within-event standard deviation of the site amplification (page 1046)
_VS30_ROCK = 1180.0  # reference rock Vs30 (m/s) of Sa1180
_BASIN_VS30 = np.array([150.0, 250.0, 400.0, 700.0])  # Vs30 (m/s) where a43..a46 apply
_JAPAN_VS30 = np.array([150.0, 250.0, 350.0, 450.0, 600.0, 850.0, 1150.0])  # Vs30 (m/s) of a36..a42

REGIONS: tuple[str, ...] = ("CAL", "JPN", "CHN", "TWN")


def _v1(period: float) -> float:
    """Vs30 (m/s) above which the site term stops scaling (V1, eq. 9); period -1 (PGV) and 0 (PGA) -> 1500."""
    if period <= 0.5:
        return 1500.0
    if period < 3.0:
        return float(np.exp(-0.35 * np.log(period / 0.5) + np.log(1500.0)))
    return 800.0


def z1pt0_reference_km(vs30: Floats, region: str = "CAL") -> Floats:
    """The paper's median Z1.0 (km) for a Vs30 (m/s): eq. 18 (California and others) or its Japan form."""
    if region == "JPN":
        return np.exp(-5.23 / 2.0 * np.log((vs30**2 + 412.0**2) / (1360.0**2 + 412.0**2))) / 1000.0
    return np.exp(-7.67 / 4.0 * np.log((vs30**4 + 610.0**4) / (1360.0**4 + 610.0**4))) / 1000.0


class AbrahamsonEtAl2014(GMPE):
    """ASK14 for active shallow crust; ``region`` is CAL (default, also used elsewhere), JPN, CHN or TWN."""

    name: ClassVar[str] = "AbrahamsonEtAl2014"
    aliases: ClassVar[tuple[str, ...]] = ("ASK14",)
    reference: ClassVar[str] = (
        "Abrahamson, N.A., Silva, W.J. & Kamai, R. (2014). Summary of the ASK14 ground motion relation for "
        "active crustal regions. Earthquake Spectra 30(3), 1025-1055. doi:10.1193/070913EQS198M"
    )
    coefficients_file: ClassVar[str] = "abrahamson_2014.csv"
    DEFINED_FOR_TECTONIC_REGION_TYPE: ClassVar[str] = "Active Shallow Crust"
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset({"PGA", "PGV", "SA"})
    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"mag", "rake", "dip", "ztor", "width"})
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset({"rrup", "rx"})
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"vs30", "vs30measured"})
    OPTIONAL_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"ry0", "rjb", "z1pt0"})
    """Ry0 NaN: the hanging-wall taper uses Rjb instead (then Rjb is needed); Z1.0 NaN: the regional median."""
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (3.0, 8.5)
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rrup"
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = (0.0, 300.0)
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = None

    def __init__(self, *, region: str = "CAL", **options: Any) -> None:
        if options:
            raise InputError(
                f"{self.name}: unknown option(s) {', '.join(sorted(options))}; the only option is region.",
                code="input.unknown",
                field=sorted(options)[0],
            )
        if not isinstance(region, str) or region.upper() not in REGIONS:
            raise InputError(
                f"{self.name}: region {region!r} is not one of {', '.join(REGIONS)}.",
                code="input.unknown",
                field="region",
            )
        self.region = region.upper()

    def check_inputs(self, ctx: Context, imt: str | None = None) -> None:
        """The base class's checks, and Ry0 or, failing it, Rjb for the hanging-wall taper T5."""
        super().check_inputs(ctx, imt)
        no_ry0 = np.isnan(ctx.ry0) & ~np.isfinite(ctx.rjb)
        if no_ry0.any():
            raise InputError(
                f"{self.name} needs 'ry0' or, failing it, 'rjb'; both are missing at row {int(np.argmax(no_ry0))}.",
                code="input.missing",
                field="ry0",
            )

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:
        """ln median and standard deviations for every rupture-site pair of ``ctx`` at ``imt``."""
        c = self.coefficients_for(imt)
        v1 = _v1(sa_period(imt))
        # Sa1180: the same model on rock (Vs30 = 1180 m/s, Z1.0 at its reference so f10 = 0).
        source_path = self._source_path(ctx, c)
        rock = np.full(len(ctx), _VS30_ROCK)
        sa1180 = np.exp(source_path + _linear_site(c, rock, v1) + self._regional(c, rock, v1, ctx.rrup))
        mean = (
            source_path
            + _site(c, ctx.vs30, v1, sa1180)
            + self._basin(c, ctx.vs30, ctx.z1pt0)
            + self._regional(c, ctx.vs30, v1, ctx.rrup)
        )
        tau, phi = self._stddevs(c, ctx, sa1180)
        return GroundMotion(mean=mean, sigma=np.sqrt(tau**2 + phi**2), tau=tau, phi=phi)

    def _source_path(self, ctx: Context, c: dict[str, float]) -> Floats:
        """Terms that do not depend on the site: f1 + style of faulting + hanging wall + f6 (ln units)."""
        return _magnitude_distance(c, ctx.mag, ctx.rrup) + _faulting(c, ctx) + _hanging_wall(c, ctx) + _ztor(c, ctx)

    def _basin(self, c: dict[str, float], vs30: Floats, z1pt0_m: Floats) -> Floats:
        """f10: scaling with Z1.0 relative to the region's median Z1.0 for the site's Vs30."""
        z1ref = z1pt0_reference_km(vs30, self.region)
        z1 = np.where(np.isnan(z1pt0_m), z1ref, z1pt0_m / 1000.0)
        slope = np.interp(vs30, _BASIN_VS30, [c["a43"], c["a44"], c["a45"], c["a46"]])
        return slope * np.log((z1 + 0.01) / (z1ref + 0.01))

    def _regional(self, c: dict[str, float], vs30: Floats, v1: float, rrup: Floats) -> Floats:
        """Regional Vs30 and anelastic-attenuation adjustments (f12 Taiwan, China, f13 Japan); zero for California."""
        if self.region == "TWN":
            return c["a31"] * np.log(np.minimum(vs30, v1) / c["vlin"]) + c["a25"] * rrup
        if self.region == "CHN":
            return c["a28"] * rrup
        if self.region == "JPN":
            f13 = np.interp(vs30, _JAPAN_VS30, [c[f"a{k}"] for k in range(36, 43)])
            return f13 + c["a29"] * rrup
        return np.zeros_like(rrup)

    def _stddevs(self, c: dict[str, float], ctx: Context, sa1180: Floats) -> tuple[Floats, Floats]:
        """Between-event tau and within-event phi (eqs. 24-30), including the nonlinear-site correction."""
        if self.region == "JPN":  # eq. 26: distance-dependent phi_A for Japan
            phi_a = c["s5"] + (c["s6"] - c["s5"]) * np.clip((ctx.rrup - 30.0) / 50.0, 0.0, 1.0)
        else:  # eq. 24, with measured or inferred Vs30
            s1 = np.where(ctx.vs30measured, c["s1m"], c["s1e"])
            s2 = np.where(ctx.vs30measured, c["s2m"], c["s2e"])
            phi_a = s1 + (s2 - s1) * np.clip((ctx.mag - 4.0) / 2.0, 0.0, 1.0)
        tau_a = c["s3"] + (c["s4"] - c["s3"]) * np.clip((ctx.mag - 5.0) / 2.0, 0.0, 1.0)  # eq. 25
        phi_amp = np.where(phi_a < _PHI_AMP, 0.99 * phi_a, _PHI_AMP)
        phi_b = np.sqrt(phi_a**2 - phi_amp**2)
        slope = 1.0 + _site_slope(c, ctx.vs30, sa1180)
        # |1 + dAmp|: the spread of (1 + dAmp) * eta is |1 + dAmp| times that of eta.
        return tau_a * np.abs(slope), np.sqrt(phi_b**2 * slope**2 + phi_amp**2)


def _magnitude_distance(c: dict[str, float], mag: Floats, rrup: Floats) -> Floats:
    """f1 (eq. 2): magnitude scaling and geometric and anelastic attenuation, ln units."""
    m1 = c["m1"]
    c4m = c["c4"] - (c["c4"] - 1.0) * np.clip(5.0 - mag, 0.0, 1.0)  # finite-fault term, 1 km below M 4
    ln_r = 0.5 * np.log(rrup**2 + c4m**2)
    hi = c["a5"] * (mag - m1) + c["a8"] * (8.5 - mag) ** 2 + (c["a2"] + c["a3"] * (mag - m1)) * ln_r
    mid = c["a4"] * (mag - m1) + c["a8"] * (8.5 - mag) ** 2 + (c["a2"] + c["a3"] * (mag - m1)) * ln_r
    lo = (
        c["a4"] * (_M2 - m1)
        + c["a8"] * (8.5 - _M2) ** 2
        + c["a6"] * (mag - _M2)
        + c["a7"] * (mag - _M2) ** 2
        + (c["a2"] + c["a3"] * (_M2 - m1)) * ln_r
    )
    return c["a1"] + c["a17"] * rrup + np.where(mag >= m1, hi, np.where(mag >= _M2, mid, lo))


def _faulting(c: dict[str, float], ctx: Context) -> Floats:
    """f7 (reverse, 30 < rake < 150) and f8 (normal, -150 < rake < -30), tapered to zero from M 5 to M 4."""
    taper = np.clip(ctx.mag - 4.0, 0.0, 1.0)
    reverse = (ctx.rake > 30.0) & (ctx.rake < 150.0)
    normal = (ctx.rake > -150.0) & (ctx.rake < -30.0)
    return taper * (c["a11"] * reverse + c["a12"] * normal)


def _hanging_wall(c: dict[str, float], ctx: Context) -> Floats:
    """f4: a13 T1..T5 (eqs. 12-15 for T2..T5) on the hanging wall (Rx > 0) of dipping ruptures, else 0."""
    mag, dip, rx = ctx.mag, ctx.dip, ctx.rx
    on_hw = (rx > 0.0) & (dip < 90.0)
    t1 = np.where(dip <= 30.0, 60.0 / 45.0, (90.0 - dip) / 45.0)
    dm = mag - 6.5
    t2 = np.where(mag > 6.5, 1.0 + _A2HW * dm, np.where(mag > 5.5, 1.0 + _A2HW * dm - (1.0 - _A2HW) * dm**2, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        r1 = ctx.width * np.cos(np.radians(dip))
        x = rx / r1
        t3 = np.where(rx < r1, _H1 + _H2 * x + _H3 * x**2, np.where(rx <= 3.0 * r1, 1.0 - (x - 1.0) / 2.0, 0.0))
    t4 = np.where(ctx.ztor <= 10.0, 1.0 - ctx.ztor**2 / 100.0, 0.0)
    beyond_end = ctx.ry0 - rx * np.tan(np.radians(20.0))
    t5 = np.where(
        np.isnan(ctx.ry0),
        np.clip(1.0 - ctx.rjb / 30.0, 0.0, 1.0),  # the paper's alternative when Ry0 is unknown
        np.clip(1.0 - beyond_end / 5.0, 0.0, 1.0),
    )
    return np.where(on_hw, c["a13"] * t1 * t2 * t3 * t4 * t5, 0.0)


def _ztor(c: dict[str, float], ctx: Context) -> Floats:
    """f6: depth-to-top-of-rupture scaling, saturating at 20 km."""
    return c["a15"] * np.minimum(ctx.ztor, 20.0) / 20.0


def _linear_site(c: dict[str, float], vs30: Floats, v1: float) -> Floats:
    """f5 for Vs30 >= Vlin (linear site response)."""
    return (c["a10"] + c["b"] * _N) * np.log(np.minimum(vs30, v1) / c["vlin"])


def _site(c: dict[str, float], vs30: Floats, v1: float, sa1180: Floats) -> Floats:
    """f5: linear above Vlin, nonlinear in Sa1180 (g, cm/s for PGV) below."""
    ratio = np.minimum(vs30, v1) / c["vlin"]
    nonlinear = (
        c["a10"] * np.log(ratio) - c["b"] * np.log(sa1180 + c["c"]) + c["b"] * np.log(sa1180 + c["c"] * ratio**_N)
    )
    return np.where(vs30 >= c["vlin"], _linear_site(c, vs30, v1), nonlinear)


def _site_slope(c: dict[str, float], vs30: Floats, sa1180: Floats) -> Floats:
    """d ln(Amp) / d ln(Sa1180) (eq. 30): zero for Vs30 >= Vlin."""
    ratio_n = (vs30 / c["vlin"]) ** _N
    slope = c["b"] * sa1180 * (-1.0 / (sa1180 + c["c"]) + 1.0 / (sa1180 + c["c"] * ratio_n))
    return np.where(vs30 < c["vlin"], slope, 0.0)
