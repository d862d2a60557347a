"""Akkar & Bommer (2010) ground-motion model for Europe, the Mediterranean region and the Middle East.

Akkar, S. & Bommer, J.J. (2010). Empirical equations for the prediction of PGA, PGV, and spectral accelerations in
Europe, the Mediterranean region, and the Middle East. Seismological Research Letters 81(2), 195-206.
doi:10.1785/gssrl.81.2.195

PGA and coefficients for SA at 0.01-0.05 s come from the authors' refit of the same data set:
Bommer, J.J., Akkar, S. & Drouet, S. (2012). Extending ground-motion prediction equations for spectral
accelerations to higher response frequencies. Bulletin of Earthquake Engineering 10(2), 379-399.
doi:10.1007/s10518-011-9304-0 (Table 5), as in OpenQuake's ``AkkarBommer2010``.

Geometric-mean horizontal PGA and 5 %-damped SA (0.01-3 s) and PGV, for Mw 5-7.6 and Rjb up to 100 km:

    log10 Y = b1 + b2 M + b3 M^2 + (b4 + b5 M) log10(sqrt(Rjb^2 + b6^2)) + b7 Ss + b8 Sa + b9 Fn + b10 Fr,

Y in cm/s^2 (converted here to g) or cm/s (PGV). Site classes from Vs30: soft soil (Ss = 1) below 360 m/s,
stiff soil (Sa = 1) from 360 to 750 m/s, rock above. Mechanism from the rake, as in the paper's data set
(Akkar & Bommer 2007): normal (Fn = 1) for -135 <= rake <= -45, reverse (Fr = 1) for 45 <= rake <= 135, strike-slip
otherwise. The within-event (sigma1) and between-event (sigma2) standard deviations are constant per period, in
log10 units in the paper and converted here to natural-log units; the total is their root sum of squares.

SA(4 s), which OpenQuake adds for the SHARE project (SA(3 s) rescaled), is not in the papers and not supported.
Coefficients: ``coeffs/akkar_bommer_2010.csv``.
"""

from __future__ import annotations

import math
from typing import ClassVar

import numpy as np

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context, GroundMotion

__all__ = ["AkkarBommer2010"]

_G_M_S2 = 9.80665  # standard gravity: cm/s^2 / (100 g) -> g
_LN10 = math.log(10.0)
_SOFT_BELOW_M_S = 360.0  # Vs30 below this: soft soil
_STIFF_UP_TO_M_S = 750.0  # Vs30 from 360 up to this: stiff soil; above: rock
_MAX_RJB_KM = 100.0


class AkkarBommer2010(GMPE):
    """Akkar & Bommer (2010) for active shallow crust in Europe and the Middle East; no options."""

    name: ClassVar[str] = "AkkarBommer2010"
    aliases: ClassVar[tuple[str, ...]] = ("AkBo2010",)
    reference: ClassVar[str] = (
        "Akkar, S. & Bommer, J.J. (2010). Empirical equations for the prediction of PGA, PGV, and spectral "
        "accelerations in Europe, the Mediterranean region, and the Middle East. Seismological Research Letters "
        "81(2), 195-206. doi:10.1785/gssrl.81.2.195"
    )
    coefficients_file: ClassVar[str] = "akkar_bommer_2010.csv"
    DEFINED_FOR_TECTONIC_REGION_TYPE: ClassVar[str] = "Active Shallow Crust"
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset({"PGA", "PGV", "SA"})
    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"mag", "rake"})
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset({"rjb"})
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"vs30"})
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (5.0, 7.6)
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rjb"
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = (0.0, _MAX_RJB_KM)
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = None

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:
        """ln median (g; cm/s for PGV) and sigma, tau, phi (ln units) per rupture-site pair."""
        c = self.coefficients_for(imt)
        soft = ctx.vs30 < _SOFT_BELOW_M_S
        stiff = (ctx.vs30 >= _SOFT_BELOW_M_S) & (ctx.vs30 <= _STIFF_UP_TO_M_S)
        normal = (ctx.rake >= -135.0) & (ctx.rake <= -45.0)
        reverse = (ctx.rake >= 45.0) & (ctx.rake <= 135.0)
        mag = ctx.mag
        log10_y = (
            c["b1"]
            + c["b2"] * mag
            + c["b3"] * mag**2
            + (c["b4"] + c["b5"] * mag) * np.log10(np.sqrt(ctx.rjb**2 + c["b6"] ** 2))
            + c["b7"] * soft
            + c["b8"] * stiff
            + c["b9"] * normal
            + c["b10"] * reverse
        )
        mean = _LN10 * log10_y
        if imt != "PGV":  # cm/s^2 -> g
            mean = mean - math.log(100.0 * _G_M_S2)
        n = len(ctx)
        phi = np.full(n, _LN10 * c["sigma1"])
        tau = np.full(n, _LN10 * c["sigma2"])
        return GroundMotion(mean=mean, sigma=np.sqrt(tau**2 + phi**2), tau=tau, phi=phi)
