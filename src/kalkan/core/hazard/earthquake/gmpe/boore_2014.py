"""Boore, Stewart, Seyhan & Atkinson (2014) ground-motion model for shallow crustal earthquakes (NGA-West2, BSSA14).

Boore, D.M., Stewart, J.P., Seyhan, E. & Atkinson, G.M. (2014). NGA-West2 equations for predicting PGA, PGV, and
5% damped PSA for shallow crustal earthquakes. Earthquake Spectra 30(3), 1057-1085. doi:10.1193/070113EQS184M

RotD50 PGA and SA (g) at 105 periods from 0.01 to 10 s and PGV (cm/s), for M 3-8.5 (normal faulting M 3-7),
Joyner-Boore distance Rjb up to 400 km and Vs30 150-1500 m/s. The median is

    ln Y = F_E(M, mechanism) + F_P(Rjb, M) + F_S(Vs30, Rjb, M, z1),

- source (eq. 2): ``e_mech + e4 (M - Mh) + e5 (M - Mh)^2`` up to the hinge Mh, ``e_mech + e6 (M - Mh)``
  above, where e_mech is e0 (unspecified), e1 (strike-slip), e2 (normal) or e3 (reverse);
- path (eqs. 3-4): ``[c1 + c2 (M - Mref)] ln(R / Rref) + c3 (R - Rref)``, ``R = sqrt(Rjb^2 + h^2)``;
- site (eqs. 5-9): linear ``c ln(min(Vs30, Vc) / Vref)``, nonlinear ``f1 + f2 ln((PGAr + f3) / f3)`` with
  ``f2 = f4 [exp(f5 (min(Vs30, 760) - 360)) - exp(f5 (760 - 360))]`` and PGAr the median PGA on Vref = 760 m/s
  rock, and the basin term ``f6 dz1`` capped at f7, for T >= 0.65 s only, where dz1 = z1 - mu_z1(Vs30)
  in km and mu_z1 is the California (eq. 11) or Japan (eq. 12) Vs30-z1 relation.

The standard deviations (eqs. 13-17): tau and phi are linear in M between 4.5 and 5.5; phi grows with ln Rjb
between R1 and R2 and drops with ln Vs30 between V1 = 225 and V2 = 300 m/s; sigma = sqrt(tau^2 + phi^2).

Options (as OpenQuake's ``BooreEtAl2014``):

- ``region``: ``"nobasin"`` (default; no basin term), ``"CAL"`` or ``"JPN"`` (basin term with that region's
  mu_z1). The anelastic attenuation is the paper's global/California c3 (no regional Dc3).
- ``sof``: True (default) takes the mechanism from the rake (strike-slip within 30 degrees of horizontal, reverse
  for 30 < rake < 150, normal for -150 < rake < -30); False uses the unspecified-mechanism coefficient e0.

``z1pt0`` (m) NaN means unknown: then dz1 = 0, as the paper prescribes. Coefficients: ``coeffs/boore_2014.csv``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context, Floats, GroundMotion, sa_period
from kalkan.errors import InputError

__all__ = ["REGIONS", "BooreEtAl2014", "mu_z1_km"]

REGIONS: tuple[str, ...] = ("nobasin", "CAL", "JPN")

_MREF = 4.5  # reference magnitude of the path term
_RREF_KM = 1.0  # reference distance of the path term
_VREF_M_S = 760.0  # reference rock Vs30 of the site terms
_F1 = 0.0  # nonlinear site term: f1
_F3_G = 0.1  # nonlinear site term: f3 (g)
_NL_VS30_CAP_M_S = 760.0  # Vs30 above which f2 stops decreasing
_V1_M_S, _V2_M_S = 225.0, 300.0  # Vs30 bounds of the site dependence of phi
_M_TAU1, _M_TAU2 = 4.5, 5.5  # magnitudes between which tau and phi change linearly
_BASIN_MIN_PERIOD_S = 0.65  # the basin term applies from this period up
_MAX_RJB_KM = 400.0
_VS30_RANGE_M_S = (150.0, 1500.0)
_MAX_NORMAL_MAG = 7.0  # largest normal-faulting magnitude of the data set


def mu_z1_km(vs30: Floats, region: str) -> Floats:
    """Centred depth to Vs = 1 km/s (km) for a Vs30 (m/s): eq. 11 (California) or eq. 12 (Japan, ``"JPN"``)."""
    if region == "JPN":
        return np.exp(-5.23 / 2.0 * np.log((vs30**2 + 412.39**2) / (1360.0**2 + 412.39**2))) / 1000.0
    return np.exp(-7.15 / 4.0 * np.log((vs30**4 + 570.94**4) / (1360.0**4 + 570.94**4))) / 1000.0


def _ramp(x: Floats, lo: float, hi: float, at_lo: float, at_hi: float) -> Floats:
    """``at_lo`` up to ``lo``, ``at_hi`` from ``hi`` on, linear in between (tau(M), phi(M): eqs. 14, 17)."""
    result: Floats = at_lo + (at_hi - at_lo) * np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return result


class BooreEtAl2014(GMPE):
    """BSSA14 for active shallow crust; options ``region`` (nobasin, CAL, JPN) and ``sof`` (bool)."""

    name: ClassVar[str] = "BooreEtAl2014"
    aliases: ClassVar[tuple[str, ...]] = ("BSSA14",)
    reference: ClassVar[str] = (
        "Boore, D.M., Stewart, J.P., Seyhan, E. & Atkinson, G.M. (2014). NGA-West2 equations for predicting PGA, "
        "PGV, and 5% damped PSA for shallow crustal earthquakes. Earthquake Spectra 30(3), 1057-1085. "
        "doi:10.1193/070113EQS184M"
    )
    coefficients_file: ClassVar[str] = "boore_2014.csv"
    DEFINED_FOR_TECTONIC_REGION_TYPE: ClassVar[str] = "Active Shallow Crust"
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset({"PGA", "PGV", "SA"})
    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"mag", "rake"})
    """rake is read only with ``sof=True``."""
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset({"rjb"})
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"vs30"})
    OPTIONAL_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"z1pt0"})
    """Read with a basin region only; NaN means unknown (dz1 = 0)."""
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (3.0, 8.5)
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rjb"
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = (0.0, _MAX_RJB_KM)
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = _VS30_RANGE_M_S

    def __init__(self, region: str = "nobasin", sof: bool = True, **unknown: Any) -> None:
        if unknown:
            raise InputError(
                f"{self.name}: unknown option(s) {', '.join(unknown)}; it takes region and sof.",
                code="input.unknown",
                field=next(iter(unknown)),
            )
        canonical = {r.lower(): r for r in REGIONS}.get(region.lower()) if isinstance(region, str) else None
        if canonical is None:
            raise InputError(
                f"{self.name}: region {region!r} is unknown; expected one of {', '.join(REGIONS)}.",
                code="input.unknown",
                field="region",
            )
        if not isinstance(sof, bool | np.bool_):
            raise InputError(f"{self.name}: sof must be true or false, not {sof!r}.", code="input.type", field="sof")
        self.region = canonical
        self.sof = bool(sof)

    def required_inputs(self) -> frozenset[str]:
        """The declared inputs, without rake when the style of faulting is off (``sof=False``)."""
        required = super().required_inputs()
        return required if self.sof else required - {"rake"}

    def check(self, ctx: Context) -> list[str]:
        """The declared ranges (M 3-8.5, Rjb up to 400 km, Vs30 150-1500 m/s) and normal faulting up to M 7."""
        warnings = super().check(ctx)
        if self.sof:
            normal = (ctx.rake > -150.0) & (ctx.rake < -30.0) & (ctx.mag > _MAX_NORMAL_MAG)
            if normal.any():
                warnings.insert(
                    1 if warnings and "magnitudes" in warnings[0] else 0,
                    f"{self.name}: {int(normal.sum())} normal-faulting ruptures above M {_MAX_NORMAL_MAG:g}, the "
                    "largest normal event of the data set; results are extrapolated.",
                )
        return warnings

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:
        """ln median (g; cm/s for PGV) and sigma, tau, phi (ln units) per rupture-site pair."""
        c = self.coefficients_for(imt)
        c_pga = self.coefficients_for("PGA")
        # Median PGA on reference rock (Vs30 = 760 m/s) drives the nonlinear site response.
        pga_rock_g = np.exp(self._source(c_pga, ctx) + _path(c_pga, ctx))
        mean = (
            self._source(c, ctx)
            + _path(c, ctx)
            + _site_linear(c, ctx.vs30)
            + _site_nonlinear(c, ctx.vs30, pga_rock_g)
            + self._basin(c, ctx, sa_period(imt))
        )
        tau = _ramp(ctx.mag, _M_TAU1, _M_TAU2, c["tau1"], c["tau2"])
        phi = _phi(c, ctx)
        return GroundMotion(mean=mean, sigma=np.sqrt(tau**2 + phi**2), tau=tau, phi=phi)

    def _source(self, c: dict[str, float], ctx: Context) -> Floats:
        """Source term F_E (eq. 2): mechanism constant plus magnitude scaling with a hinge at Mh."""
        if self.sof:
            rake = ctx.rake
            strike_slip = (np.abs(rake) <= 30.0) | (np.abs(rake) >= 150.0)
            reverse = (rake > 30.0) & (rake < 150.0)
            e_mech: Floats | float = np.where(strike_slip, c["e1"], np.where(reverse, c["e3"], c["e2"]))
        else:
            e_mech = c["e0"]
        dm = ctx.mag - c["Mh"]
        result: Floats = e_mech + np.where(dm <= 0.0, c["e4"] * dm + c["e5"] * dm**2, c["e6"] * dm)
        return result

    def _basin(self, c: dict[str, float], ctx: Context, period: float) -> Floats | float:
        """Basin term F_dz1: f6 dz1 capped at f7, for T >= 0.65 s and a basin region only."""
        if self.region == "nobasin" or period < _BASIN_MIN_PERIOD_S:
            return 0.0
        dz1 = np.where(np.isnan(ctx.z1pt0), 0.0, ctx.z1pt0 / 1000.0 - mu_z1_km(ctx.vs30, self.region))
        result: Floats = np.where(dz1 <= c["f7"] / c["f6"], c["f6"] * dz1, c["f7"])
        return result


def _path(c: dict[str, float], ctx: Context) -> Floats:
    """Path term F_P (eqs. 3-4): magnitude-dependent geometric spreading and anelastic attenuation."""
    r = np.sqrt(ctx.rjb**2 + c["h"] ** 2)
    result: Floats = (c["c1"] + c["c2"] * (ctx.mag - _MREF)) * np.log(r / _RREF_KM) + c["c3"] * (r - _RREF_KM)
    return result


def _site_linear(c: dict[str, float], vs30: Floats) -> Floats:
    """Linear site term ln F_lin (eq. 6), flat above Vc."""
    result: Floats = c["c"] * np.log(np.minimum(vs30, c["Vc"]) / _VREF_M_S)
    return result


def _site_nonlinear(c: dict[str, float], vs30: Floats, pga_rock_g: Floats) -> Floats:
    """Nonlinear site term ln F_nl (eqs. 7-8), zero on rock of 760 m/s and above."""
    f2 = c["f4"] * (
        np.exp(c["f5"] * (np.minimum(vs30, _NL_VS30_CAP_M_S) - 360.0)) - np.exp(c["f5"] * (_NL_VS30_CAP_M_S - 360.0))
    )
    result: Floats = _F1 + f2 * np.log((pga_rock_g + _F3_G) / _F3_G)
    return result


def _phi(c: dict[str, float], ctx: Context) -> Floats:
    """Within-event standard deviation (eqs. 15-17): magnitude, then distance, then Vs30 dependence."""
    phi_m = _ramp(ctx.mag, _M_TAU1, _M_TAU2, c["phi1"], c["phi2"])
    r1, r2 = c["R1"], c["R2"]
    dist = np.clip(np.log(np.maximum(ctx.rjb, r1) / r1) / np.log(r2 / r1), 0.0, 1.0)
    site = np.clip(np.log(_V2_M_S / np.maximum(ctx.vs30, _V1_M_S)) / np.log(_V2_M_S / _V1_M_S), 0.0, 1.0)
    result: Floats = phi_m + c["dphiR"] * dist - c["dphiV"] * site
    return result
