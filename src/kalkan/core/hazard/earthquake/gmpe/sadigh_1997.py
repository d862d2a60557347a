"""Sadigh et al. (1997) attenuation relationships for shallow crustal earthquakes (rock and deep-soil sites).

Sadigh, K., Chang, C.-Y., Egan, J. A., Makdisi, F. and Youngs, R. R. (1997). Attenuation relationships for
shallow crustal earthquakes based on California strong motion data. *Seismological Research Letters* 68(1),
180-189. doi:10.1785/gssrl.68.1.180

Geometric mean horizontal PGA and 5 %-damped SA (g) at rupture distance Rrup (km), for M 4 to 8+ and Rrup up to
100 km. The PEER PSHA code-verification cases (Set 1) use it. Two sets of equations:

- rock (Tables 2-3): ``ln y = c1 + c2 M + c3 (8.5 - M)^2.5 + c4 ln(Rrup + exp(c5 + c6 M)) + c7 ln(Rrup + 2)``,
  with separate c1, c2, c5, c6 for M <= 6.5 and M > 6.5; reverse/thrust medians are 1.2 times strike-slip ones;
- deep soil, more than 20 m of soil over rock (Table 4):
  ``ln y = c1 + c2 M - c3 ln(Rrup + c4 exp(c5 M)) + c6 + c7 (8.5 - M)^2.5``, with c1 and c6 by mechanism and
  c4, c5 by magnitude range.

The total standard deviation depends on magnitude (linear, constant above M 7.21 on rock and M 7 on soil); the
paper does not split it into between- and within-event parts, so ``tau`` and ``phi`` are NaN. Reverse/thrust
means 45 <= rake <= 135 degrees (normal faulting uses the strike-slip equations, as in the paper). The site class
comes from ``site_class``: ``"vs30"`` (default; rock above 750 m/s, OpenQuake's convention), ``"rock"`` or
``"deep_soil"``. SA periods between tabulated ones use coefficients interpolated linearly in log period.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context, Floats, GroundMotion, sa_period
from kalkan.errors import InputError

__all__ = ["SadighEtAl1997"]

SITE_CLASSES = ("vs30", "rock", "deep_soil")
ROCK_VS30_M_S = 750.0
"""Sites with Vs30 above this are rock when ``site_class="vs30"``."""
LARGE_MAG = 6.5
"""Coefficients change above this magnitude (near-source saturation, p. 184)."""
MAX_MAG = 8.5
"""(8.5 - M)^2.5 is undefined above M 8.5."""


class SadighEtAl1997(GMPE):
    """Sadigh et al. (1997); option ``site_class`` (``"vs30"``, ``"rock"`` or ``"deep_soil"``)."""

    name: ClassVar[str] = "SadighEtAl1997"
    aliases: ClassVar[tuple[str, ...]] = ("Sadigh1997",)
    reference: ClassVar[str] = (
        "Sadigh, K., Chang, C.-Y., Egan, J. A., Makdisi, F. and Youngs, R. R. (1997). Attenuation relationships "
        "for shallow crustal earthquakes based on California strong motion data. Seismological Research Letters "
        "68(1), 180-189. doi:10.1785/gssrl.68.1.180"
    )
    coefficients_file: ClassVar[str] = "sadigh_1997.csv"
    DEFINED_FOR_TECTONIC_REGION_TYPE: ClassVar[str] = "Active Shallow Crust"
    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"mag", "rake"})
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset({"rrup"})
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"vs30"})
    """vs30 is read only with ``site_class="vs30"`` (it selects the rock or deep-soil equations)."""
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset({"PGA", "SA"})
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (4.0, 8.0)
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rrup"
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = (0.0, 100.0)
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = None
    MAX_MAGNITUDE: ClassVar[float] = MAX_MAG

    def __init__(self, site_class: str = "vs30", **unknown: Any) -> None:
        if unknown:
            raise InputError(
                f"{self.name}: unknown option(s) {', '.join(unknown)}; it takes site_class.",
                code="input.unknown",
                field=next(iter(unknown)),
            )
        if site_class not in SITE_CLASSES:
            raise InputError(
                f"{self.name}: site_class {site_class!r} is unknown; expected one of {', '.join(SITE_CLASSES)}.",
                code="input.unknown",
                field="site_class",
            )
        self.site_class = site_class

    def supported_imts(self) -> list[str]:
        """IMTs of the site class(es) this instance can use (rock has SA(0.07), deep soil SA(0.075))."""
        table = self.coefficients()
        classes = {"rock": (0.0,), "deep_soil": (1.0,), "vs30": (0.0, 1.0)}[self.site_class]
        out: list[str] = []
        for imt, soil in zip(table["imt"], table["deep_soil"], strict=True):
            if soil in classes and imt not in out:
                out.append(imt)
        return out

    def coefficients_for(self, imt: str) -> dict[str, float]:
        """Coefficients of the fixed site class; with ``site_class="vs30"`` use :meth:`coefficients_site`."""
        if self.site_class == "vs30":
            raise InputError(
                f"{self.name}: the coefficients depend on the site class; use coefficients_site().",
                code="input.unsupported",
                field="site_class",
            )
        return self.coefficients_site(imt, deep_soil=self.site_class == "deep_soil")

    def coefficients_site(self, imt: str, deep_soil: bool) -> dict[str, float]:
        """Coefficients of one IMT for rock or deep soil; SA periods between tabulated ones are interpolated
        linearly in log period, periods outside the site class's table are an error."""
        table = self.coefficients()
        rows = np.flatnonzero(table["deep_soil"] == (1.0 if deep_soil else 0.0))
        imts = [table["imt"][k] for k in rows]
        columns = {c: np.asarray(v, dtype=np.float64)[rows] for c, v in table.items() if c != "imt"}
        if imt in imts:
            k = imts.index(imt)
            return {c: float(v[k]) for c, v in columns.items()}
        period = sa_period(imt)
        sa = np.array([i.startswith("SA") for i in imts])
        periods = np.array([sa_period(i) for i in imts])[sa]
        if period <= 0 or period < periods.min() or period > periods.max():
            kind = "deep-soil" if deep_soil else "rock"
            raise InputError(
                f"{self.name} ({kind} sites) does not cover {imt}; it covers {', '.join(imts)}.",
                code="input.unsupported",
                field="imt",
            )
        order = np.argsort(periods)
        x = np.log(periods[order])
        return {c: float(np.interp(np.log(period), x, v[sa][order])) for c, v in columns.items()}

    def required_inputs(self) -> frozenset[str]:
        """The declared inputs, without vs30 when the site class is fixed (``rock`` or ``deep_soil``)."""
        required = super().required_inputs()
        return required if self.site_class == "vs30" else required - {"vs30"}

    def _deep_soil_mask(self, ctx: Context) -> NDArray[np.bool_]:
        if self.site_class == "rock":
            return np.zeros(len(ctx), dtype=np.bool_)
        if self.site_class == "deep_soil":
            return np.ones(len(ctx), dtype=np.bool_)
        mask: NDArray[np.bool_] = ctx.vs30 <= ROCK_VS30_M_S
        return mask

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:
        """ln median (g) and total sigma (ln units) per rupture-site pair; tau and phi are NaN (not given)."""
        soil = self._deep_soil_mask(ctx)
        reverse = (ctx.rake >= 45.0) & (ctx.rake <= 135.0)
        large = ctx.mag > LARGE_MAG
        mean = np.empty(len(ctx))
        sigma = np.empty(len(ctx))
        if (~soil).any():
            c = self.coefficients_site(imt, deep_soil=False)
            mean_r, sigma_r = _rock(c, ctx.mag, ctx.rrup, reverse, large)
            mean[~soil], sigma[~soil] = mean_r[~soil], sigma_r[~soil]
        if soil.any():
            c = self.coefficients_site(imt, deep_soil=True)
            mean_s, sigma_s = _deep_soil(c, ctx.mag, ctx.rrup, reverse, large)
            mean[soil], sigma[soil] = mean_s[soil], sigma_s[soil]
        nan = np.full(len(ctx), np.nan)
        return GroundMotion(mean=mean, sigma=sigma, tau=nan, phi=nan.copy())


def _sigma(c: dict[str, float], mag: Floats) -> Floats:
    """Total sigma (ln units): linear in M below ``sigma_cap_mag``, ``sigma_cap`` from there up."""
    result: Floats = np.where(mag < c["sigma_cap_mag"], c["sigma_a"] + c["sigma_b"] * mag, c["sigma_cap"])
    return result


def _rock(
    c: dict[str, float], mag: Floats, rrup: Floats, reverse: NDArray[np.bool_], large: NDArray[np.bool_]
) -> tuple[Floats, Floats]:
    """Rock median (Table 2) and sigma (Table 3)."""
    c1 = np.where(large, c["c1_large"], c["c1"])
    c2 = np.where(large, c["c2_large"], c["c2"])
    c5 = np.where(large, c["c5_large"], c["c5"])
    c6 = np.where(large, c["c6_large"], c["c6"])
    ln_y = (
        c1
        + c2 * mag
        + c["c3"] * (MAX_MAG - mag) ** 2.5
        + c["c4"] * np.log(rrup + np.exp(c5 + c6 * mag))
        + c["c7"] * np.log(rrup + 2.0)
    )
    ln_y = ln_y + np.where(reverse, np.log(c["reverse_factor"]), 0.0)
    return ln_y, _sigma(c, mag)


def _deep_soil(
    c: dict[str, float], mag: Floats, rrup: Floats, reverse: NDArray[np.bool_], large: NDArray[np.bool_]
) -> tuple[Floats, Floats]:
    """Deep-soil median and sigma (Table 4)."""
    c1 = np.where(reverse, c["c1_reverse"], c["c1"])
    c6 = np.where(reverse, c["c6_reverse"], c["c6"])
    c4 = np.where(large, c["c4_large"], c["c4"])
    c5 = np.where(large, c["c5_large"], c["c5"])
    ln_y = c1 + c["c2"] * mag - c["c3"] * np.log(rrup + c4 * np.exp(c5 * mag)) + c6 + c["c7"] * (MAX_MAG - mag) ** 2.5
    return ln_y, _sigma(c, mag)
