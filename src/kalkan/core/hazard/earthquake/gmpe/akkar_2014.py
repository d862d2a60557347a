"""Akkar, Sandikkaya & Bommer (2014) ground-motion model for Europe and the Middle East, Joyner-Boore version.

Akkar, S., Sandikkaya, M.A. & Bommer, J.J. (2014). Empirical ground-motion models for point- and extended-source
crustal earthquake scenarios in Europe and the Middle East. Bulletin of Earthquake Engineering 12(1), 359-387.
doi:10.1007/s10518-013-9461-4

Geometric-mean horizontal PGA and 5 %-damped SA (g) at 0.01-4 s and PGV (cm/s), from the RESORCE data set
(Mw 4-7.6, distances up to 200 km, Vs30 150-1200 m/s). The median is ``ln Y = ln Y_REF + ln S``:

- reference rock (Vs30 = Vref = 750 m/s), eqs. 2a-b:
  ``ln Y_REF = a1 + a_lin (M - c1) + a3 (8.5 - M)^2 + [a4 + a5 (M - c1)] ln sqrt(Rjb^2 + a6^2) + a8 FN + a9 FR``
  with ``a_lin = a2`` for M <= c1 and ``a7`` above (c1 = 6.75);
- site amplification, eqs. 3a-c: ``b1 ln(Vs30 / Vref) + b2 ln[(PGA_REF + c (Vs30/Vref)^n) /
  ((PGA_REF + c) (Vs30/Vref)^n)]`` for Vs30 <= Vref, where PGA_REF is the median PGA on reference rock (g), and
  ``b1 ln(min(Vs30, Vcon) / Vref)`` above.

FN = 1 for normal faulting (-135 < rake < -45), FR = 1 for reverse (45 < rake < 135), both 0 for strike-slip
(OpenQuake's reading of the paper's mechanism classes). The within-event (phi) and between-event (tau) standard
deviations are constant per period (Table 4a); sigma = sqrt(phi^2 + tau^2). Coefficients:
``coeffs/akkar_2014_rjb.csv`` (Table 4a) and the period-independent ones below (Table 3).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context, Floats, GroundMotion

__all__ = ["AkkarEtAlRjb2014"]

# Period-independent coefficients (Table 3).
A2 = 0.0029  # linear magnitude scaling below the hinge
A5 = 0.2529  # magnitude dependence of geometric spreading
A6_KM = 7.5  # fictitious depth
A7 = -0.5096  # linear magnitude scaling above the hinge
C1_MAG = 6.75  # hinge magnitude
VREF_M_S = 750.0  # reference rock Vs30
VCON_M_S = 1000.0  # Vs30 above which amplification stops changing
C_G = 2.5  # nonlinear site model: c (g)
N_EXP = 3.2  # nonlinear site model: n
_MAX_RJB_KM = 200.0
_VS30_RANGE_M_S = (150.0, 1200.0)


class AkkarEtAlRjb2014(GMPE):
    """ASB14, Joyner-Boore distance model, for active shallow crust in Europe and the Middle East; no options."""

    name: ClassVar[str] = "AkkarEtAlRjb2014"
    aliases: ClassVar[tuple[str, ...]] = ("Akkar2014Rjb",)
    reference: ClassVar[str] = (
        "Akkar, S., Sandikkaya, M.A. & Bommer, J.J. (2014). Empirical ground-motion models for point- and "
        "extended-source crustal earthquake scenarios in Europe and the Middle East. Bulletin of Earthquake "
        "Engineering 12(1), 359-387. doi:10.1007/s10518-013-9461-4"
    )
    coefficients_file: ClassVar[str] = "akkar_2014_rjb.csv"
    DEFINED_FOR_TECTONIC_REGION_TYPE: ClassVar[str] = "Active Shallow Crust"
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset({"PGA", "PGV", "SA"})
    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"mag", "rake"})
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset({"rjb"})
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"vs30"})
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (4.0, 8.0)
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rjb"
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = (0.0, _MAX_RJB_KM)
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = _VS30_RANGE_M_S

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:
        """ln median (g; cm/s for PGV) and sigma, tau, phi (ln units) per rupture-site pair."""
        c = self.coefficients_for(imt)
        pga_ref_g = np.exp(_reference_rock(self.coefficients_for("PGA"), ctx))
        mean = _reference_rock(c, ctx) + _site(c, ctx.vs30, pga_ref_g)
        n = len(ctx)
        phi = np.full(n, c["phi"])
        tau = np.full(n, c["tau"])
        return GroundMotion(mean=mean, sigma=np.sqrt(phi**2 + tau**2), tau=tau, phi=phi)


def _reference_rock(c: dict[str, float], ctx: Context) -> Floats:
    """ln Y_REF (eqs. 2a-b): median on reference rock (Vs30 = 750 m/s)."""
    mag = ctx.mag
    dm = mag - C1_MAG
    normal = (ctx.rake > -135.0) & (ctx.rake < -45.0)
    reverse = (ctx.rake > 45.0) & (ctx.rake < 135.0)
    result: Floats = (
        c["a1"]
        + np.where(mag <= C1_MAG, A2, A7) * dm
        + c["a3"] * (8.5 - mag) ** 2
        + (c["a4"] + A5 * dm) * np.log(np.sqrt(ctx.rjb**2 + A6_KM**2))
        + c["a8"] * normal
        + c["a9"] * reverse
    )
    return result


def _site(c: dict[str, float], vs30: Floats, pga_ref_g: Floats) -> Floats:
    """ln S (eqs. 3a-c): nonlinear amplification up to Vref, linear (capped at Vcon) above."""
    ratio = np.minimum(vs30, VCON_M_S) / VREF_M_S
    nonlinear = c["b2"] * np.log((pga_ref_g + C_G * ratio**N_EXP) / ((pga_ref_g + C_G) * ratio**N_EXP))
    result: Floats = c["b1"] * np.log(ratio) + np.where(vs30 <= VREF_M_S, nonlinear, 0.0)
    return result
