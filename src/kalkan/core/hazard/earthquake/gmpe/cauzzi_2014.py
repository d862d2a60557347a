"""Cauzzi et al. (2015), broadband (0.01-10 s) spectra and peak motions from a global data set, Vs30-continuous.

Reference: Cauzzi, C., Faccioli, E., Vanini, M. & Bianchini, A. (2015). Updated predictive equations for
broadband (0.01-10 s) horizontal response spectra and peak ground motions, based on a global dataset of digital
acceleration records. Bulletin of Earthquake Engineering 13, 1587-1612. doi:10.1007/s10518-014-9685-y
(online 2014; OpenQuake's class name is ``CauzziEtAl2014``).

log10 Y = c1 + m1 M + m2 M^2 + (r1 + r2 M) log10(Rrup + r3) + bV log10(Vs30 / VA) + fN FN + fR FR + fSS FSS,
with Y the 5 %-damped displacement response spectrum DRS in cm (SA = DRS (2 pi / T)^2, converted to g with
g = 9.80665 m/s^2; PGA is the 0.01 s ordinate) or PGV in cm/s. The geometric mean of the horizontal components.
The paper classified style of faulting from the focal mechanism's axes; here, as in OpenQuake, from the rake:
normal for -150 < rake <= -30, reverse for 30 < rake <= 150, strike-slip otherwise. Standard deviations are
the paper's log10 values converted to natural-log units.

Options: ``sof`` (False drops the style-of-faulting term and uses the standard deviations of the regression
without it) and ``adjustment_factor`` (a positive factor on the median, as OpenQuake's option).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context, GroundMotion, sa_period
from kalkan.errors import InputError

_G_CM_S2 = 980.665
"""Standard gravity in cm/s^2 (DRS in cm times (2 pi / T)^2 is in cm/s^2)."""
_LN10 = math.log(10.0)


class CauzziEtAl2014(GMPE):
    """Cauzzi et al. (2015) with Vs30 as a continuous site variable (geometric mean; PGA/SA in g, PGV in cm/s)."""

    name: ClassVar[str] = "CauzziEtAl2014"
    aliases: ClassVar[tuple[str, ...]] = ("Cauzzi2014",)
    reference: ClassVar[str] = (
        "Cauzzi, C., Faccioli, E., Vanini, M. & Bianchini, A. (2015). Updated predictive equations for broadband "
        "(0.01-10 s) horizontal response spectra and peak ground motions, based on a global dataset of digital "
        "acceleration records. Bulletin of Earthquake Engineering 13, 1587-1612. doi:10.1007/s10518-014-9685-y"
    )
    coefficients_file: ClassVar[str] = "cauzzi_2014.csv"
    DEFINED_FOR_TECTONIC_REGION_TYPE: ClassVar[str] = "Active Shallow Crust"
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset({"PGA", "PGV", "SA"})
    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"mag", "rake"})
    """rake is read only with the style-of-faulting term (``sof=True``)."""
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset({"rrup"})
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"vs30"})
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (4.5, 7.9)
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rrup"
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = None
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = None

    def __init__(self, sof: Any = True, adjustment_factor: Any = 1.0, **options: Any) -> None:
        super().__init__(**options)
        if not isinstance(sof, bool):
            raise InputError(f"{self.name}: sof must be True or False; got {sof!r}.", code="input.type", field="sof")
        try:
            factor = float(adjustment_factor)
        except (TypeError, ValueError):
            factor = math.nan
        if isinstance(adjustment_factor, bool) or not (math.isfinite(factor) and factor > 0.0):
            raise InputError(
                f"{self.name}: adjustment_factor must be a finite number > 0; got {adjustment_factor!r}.",
                code="input.range",
                field="adjustment_factor",
            )
        self.sof = sof
        self.adjustment_factor = factor

    def required_inputs(self) -> frozenset[str]:
        """The declared inputs, without rake when the style-of-faulting term is off (``sof=False``)."""
        required = super().required_inputs()
        return required if self.sof else required - {"rake"}

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:
        """ln median and standard deviations of ``imt`` for every row of ``ctx``."""
        c = self.coefficients_for(imt)
        mag = ctx.mag
        log10_y = (
            c["c1"]
            + c["m1"] * mag
            + c["m2"] * mag**2
            + (c["r1"] + c["r2"] * mag) * np.log10(ctx.rrup + c["r3"])
            + c["bV"] * np.log10(ctx.vs30 / c["VA"])
        )
        if self.sof:
            normal = (ctx.rake > -150.0) & (ctx.rake <= -30.0)
            reverse = (ctx.rake > 30.0) & (ctx.rake <= 150.0)
            log10_y = log10_y + np.where(normal, c["fN"], np.where(reverse, c["fR"], c["fSS"]))
        mean = log10_y * _LN10 + math.log(self.adjustment_factor)
        period = sa_period(imt)
        if period >= 0.0:  # DRS (cm) -> SA (g); PGA is the 0.01 s ordinate
            t = max(period, 0.01)
            mean = mean + math.log((2.0 * math.pi / t) ** 2 / _G_CM_S2)
        n = len(ctx)
        tau = np.full(n, _LN10 * (c["tM"] if self.sof else c["t"]))
        sigma = np.full(n, _LN10 * (c["sM"] if self.sof else c["s"]))
        phi = np.full(n, _LN10 * c["f"])
        return GroundMotion(mean=mean, sigma=sigma, tau=tau, phi=phi)
