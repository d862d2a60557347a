"""Chiou & Youngs (2014) NGA-West2 ground-motion model for shallow crustal earthquakes in active regions.

Chiou, B. S.-J. and Youngs, R. R. (2014). Update of the Chiou and Youngs NGA model for the average horizontal
component of peak ground motion and response spectra. *Earthquake Spectra* 30(3), 1117-1153.
doi:10.1193/072813EQS219M

RotD50 of PGA, PGV and 5 %-damped PSA (0.01-10 s) for M 3.5-8.5 and Rrup 0-300 km. The median is the
reference-rock motion of Eq. 11 (Vs30 = 1130 m/s) times the site term of Eq. 12 (linear Vs30 scaling,
soil nonlinearity driven by the reference-rock motion, and sediment depth through Delta Z1.0); the standard
deviations are those of Eq. 13, where the nonlinear-site slope NL0 scales the between-event term and enters the
within-event term. Coefficients (Tables 1-5) are in ``coeffs/chiou_youngs_2014.csv``.

Choices, following the paper and the implementations used to verify it (OpenSHA, OpenQuake):

- ``ztor`` NaN: the rupture sits at the paper's magnitude- and mechanism-dependent mean depth E[Ztor], so
  Delta Ztor = 0. ``z1pt0`` (m) NaN means unknown: Z1.0 = E[Z1.0](Vs30) (the paper's regional Vs30-Z1.0
  relations), so Delta Z1.0 = 0. ``z1pt0 = 0`` also gets no sediment-depth term, as in OpenQuake (whose tables
  expect it); taken literally, Delta Z1.0 = -E[Z1.0] would strongly de-amplify long periods on soft soil, and the
  implementation that does so (which made the regional tables) differs from this one by up to 0.9 % there.
- Directivity is at its mean (Delta DPP = 0): the near-fault variant is not implemented.
- PSA at T <= 0.3 s is not allowed below PGA (p. 1144).
- Regions (``region``): ``CAL`` (California and other regions; default), ``JPN`` (Japan: its far-field
  attenuation for 6 < M < 6.9, its Vs30 and Z1.0 scaling, its sigma2), ``ITA`` (Italy: the Japan-Italy
  attenuation factor for 6 < M < 6.9) and ``WEN`` (Wenchuan: its attenuation factor). ``use_hw=False`` drops the
  hanging-wall term.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context, Floats, GroundMotion, sa_period
from kalkan.errors import InputError

__all__ = ["ChiouYoungs2014"]

REGIONS = ("CAL", "JPN", "ITA", "WEN")
VS30_REF_M_S = 1130.0
"""Reference rock of Eq. 11 (m/s)."""


def mean_ztor_km(mag: Floats, reverse: NDArray[np.bool_]) -> Floats:
    """E[Ztor] (km): the paper's mean depth to top of rupture for reverse (rake 30-150) and other mechanisms."""
    rv = np.maximum(2.704 - 1.226 * np.maximum(mag - 5.849, 0.0), 0.0) ** 2
    ss = np.maximum(2.673 - 1.136 * np.maximum(mag - 4.970, 0.0), 0.0) ** 2
    return np.where(reverse, rv, ss)


def mean_z1pt0_m(vs30: Floats, region: str = "CAL") -> Floats:
    """E[Z1.0] (m) given Vs30 (m/s): the paper's relation for California (and non-Japan regions) or Japan."""
    if region == "JPN":
        return np.exp(-5.23 / 2.0 * np.log((vs30**2 + 412.39**2) / (1360.0**2 + 412.39**2)))
    return np.exp(-7.15 / 4.0 * np.log((vs30**4 + 570.94**4) / (1360.0**4 + 570.94**4)))


class ChiouYoungs2014(GMPE):
    """Chiou & Youngs (2014); options ``region`` (CAL, JPN, ITA, WEN) and ``use_hw`` (hanging-wall term)."""

    name: ClassVar[str] = "ChiouYoungs2014"
    aliases: ClassVar[tuple[str, ...]] = ("CY14",)
    reference: ClassVar[str] = (
        "Chiou, B. S.-J. and Youngs, R. R. (2014). Update of the Chiou and Youngs NGA model for the average "
        "horizontal component of peak ground motion and response spectra. Earthquake Spectra 30(3), 1117-1153. "
        "doi:10.1193/072813EQS219M"
    )
    coefficients_file: ClassVar[str] = "chiou_youngs_2014.csv"
    DEFINED_FOR_TECTONIC_REGION_TYPE: ClassVar[str] = "Active Shallow Crust"
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset({"PGA", "PGV", "SA"})
    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"mag", "rake", "dip"})
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset({"rrup", "rjb", "rx"})
    """rjb and rx are read only with the hanging-wall term (``use_hw=True``)."""
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"vs30", "vs30measured"})
    OPTIONAL_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"ztor", "z1pt0"})
    """ztor NaN: the paper's mean E[Ztor]; z1pt0 NaN: E[Z1.0](Vs30)."""
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (3.5, 8.5)
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rrup"
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = None
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = None

    def __init__(self, region: str = "CAL", use_hw: bool = True, **unknown: Any) -> None:
        if unknown:
            raise InputError(
                f"{self.name}: unknown option(s) {', '.join(unknown)}; it takes region and use_hw.",
                code="input.unknown",
                field=next(iter(unknown)),
            )
        region = region.upper() if isinstance(region, str) else region
        if region not in REGIONS:
            raise InputError(
                f"{self.name}: region {region!r} is unknown; expected one of {', '.join(REGIONS)}.",
                code="input.unknown",
                field="region",
            )
        if not isinstance(use_hw, bool):
            raise InputError(
                f"{self.name}: use_hw must be True or False; got {use_hw!r}.", code="input.type", field="use_hw"
            )
        self.region = region
        self.use_hw = use_hw

    def required_inputs(self) -> frozenset[str]:
        """The declared inputs, without rjb and rx when the hanging-wall term is off (``use_hw=False``)."""
        required = super().required_inputs()
        return required if self.use_hw else required - {"rjb", "rx"}

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:
        """ln median (g; cm/s for PGV) and sigma, tau, phi (ln units) for every rupture-site pair."""
        gm = self._one_imt(ctx, imt)
        period = sa_period(imt)
        if 0.0 < period <= 0.3:
            pga = self._one_imt(ctx, "PGA")
            return GroundMotion(np.maximum(gm.mean, pga.mean), gm.sigma, gm.tau, gm.phi)
        return gm

    def _ln_y_ref(self, ctx: Context, c: dict[str, float], ztor: Floats, reverse: NDArray[np.bool_]) -> Floats:
        """ln of the median on the reference rock (Eq. 11), without directivity (Delta DPP = 0)."""
        mag, rrup = ctx.mag, ctx.rrup
        normal = (ctx.rake >= -120.0) & (ctx.rake <= -60.0)
        cosh_m = np.cosh(2.0 * np.maximum(mag - 4.5, 0.0))
        cos_dip = np.cos(np.radians(ctx.dip))
        d_ztor = ztor - mean_ztor_km(mag, reverse)
        source = (
            c["c1"]
            + (c["c1a"] + c["c1c"] / cosh_m) * reverse
            + (c["c1b"] + c["c1d"] / cosh_m) * normal
            + (c["c7"] + c["c7b"] / cosh_m) * d_ztor
            + (c["c11"] + c["c11b"] / cosh_m) * cos_dip**2
        )
        magnitude = c["c2"] * (mag - 6.0) + (c["c2"] - c["c3"]) / c["cn"] * np.log1p(np.exp(c["cn"] * (c["cm"] - mag)))
        near = c["c4"] * np.log(rrup + c["c5"] * np.cosh(c["c6"] * np.maximum(mag - c["chm"], 0.0)))
        far = (c["c4a"] - c["c4"]) * np.log(np.sqrt(rrup**2 + c["crb"] ** 2))
        anelastic = (c["cg1"] + c["cg2"] / np.cosh(np.maximum(mag - c["cg3"], 0.0))) * rrup
        if self.region in ("JPN", "ITA"):
            anelastic = np.where((mag > 6.0) & (mag < 6.9), c["gjpit"] * anelastic, anelastic)
        elif self.region == "WEN":
            anelastic = c["gwn"] * anelastic
        ln_y = source + magnitude + near + far + anelastic
        if self.use_hw:
            hanging = ctx.rx >= 0.0
            taper = 1.0 - np.sqrt(ctx.rjb**2 + ztor**2) / (rrup + 1.0)
            shape = c["c9a"] + (1.0 - c["c9a"]) * np.tanh(np.where(hanging, ctx.rx, 0.0) / c["c9b"])
            ln_y = ln_y + np.where(hanging, c["c9"] * cos_dip * shape * taper, 0.0)
        result: Floats = ln_y
        return result

    def _one_imt(self, ctx: Context, imt: str) -> GroundMotion:
        c = self.coefficients_for(imt)
        japan = self.region == "JPN"
        reverse = (ctx.rake >= 30.0) & (ctx.rake <= 150.0)
        ztor = np.where(np.isnan(ctx.ztor), mean_ztor_km(ctx.mag, reverse), ctx.ztor)
        ln_y_ref = self._ln_y_ref(ctx, c, ztor, reverse)
        y_ref = np.exp(ln_y_ref)

        # Site response (Eq. 12): linear, nonlinear (slope b(Vs30) times ln((y_ref + phi4) / phi4)), sediment depth.
        vs30 = ctx.vs30
        phi1, phi5, phi6 = (c["phi1jp"], c["phi5jp"], c["phi6jp"]) if japan else (c["phi1"], c["phi5"], c["phi6"])
        linear = phi1 * np.minimum(np.log(vs30 / VS30_REF_M_S), 0.0)
        slope = c["phi2"] * (
            np.exp(c["phi3"] * (np.minimum(vs30, VS30_REF_M_S) - 360.0)) - np.exp(c["phi3"] * (VS30_REF_M_S - 360.0))
        )
        nonlinear = slope * np.log((y_ref + c["phi4"]) / c["phi4"])
        known = np.isfinite(ctx.z1pt0) & (ctx.z1pt0 > 0.0)
        d_z1 = np.where(known, ctx.z1pt0 - mean_z1pt0_m(vs30, self.region), 0.0)
        basin = phi5 * (1.0 - np.exp(-d_z1 / phi6))
        mean = ln_y_ref + linear + nonlinear + basin

        # Standard deviations (Eq. 13), with NL0 the derivative of the nonlinear term wrt ln(y_ref).
        nl0 = slope * y_ref / (y_ref + c["phi4"])
        m = np.clip(ctx.mag, 5.0, 6.5) - 5.0
        tau = c["tau1"] + (c["tau2"] - c["tau1"]) / 1.5 * m
        sig2 = c["sig2jp"] if japan else c["sig2"]
        phi_m = c["sig1"] + (sig2 - c["sig1"]) / 1.5 * m
        phi = phi_m * np.sqrt(np.where(ctx.vs30measured, 0.7, c["sig3"]) + (1.0 + nl0) ** 2)
        tau_nl = np.abs(1.0 + nl0) * tau
        sigma = np.sqrt(tau_nl**2 + phi**2)
        return GroundMotion(mean=mean, sigma=sigma, tau=tau_nl, phi=phi)
