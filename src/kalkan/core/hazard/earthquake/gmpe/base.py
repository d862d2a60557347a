"""The contract of a ground-motion model (GMPE): contexts in, ln-mean and standard deviations out.

A model is a class with its paper cited in the docstring, its coefficients as data (a CSV in ``coeffs/``
read once), and a vectorised ``compute`` over a :class:`Context` whose arrays have one entry per
(rupture, site) pair, in the units OpenQuake's verification tables use, so that the same tables test it:

| field | unit | meaning |
|---|---|---|
| mag | - | moment magnitude Mw |
| rake, dip | degrees | rupture rake (-180..180) and dip (0..90] |
| ztor, hypo_depth, width | km | depth to top of rupture, hypocentral depth, down-dip width |
| rrup, rjb, rx, ry0, rhypo | km | rupture, Joyner-Boore, Rx (hanging-wall positive), Ry0, hypocentral distances |
| vs30 | m/s | time-averaged shear-wave velocity of the top 30 m |
| vs30measured | bool | vs30 measured (True) or inferred |
| z1pt0 | m | depth to Vs = 1.0 km/s |
| z2pt5 | km | depth to Vs = 2.5 km/s |

Fields a model does not use may be left NaN. Outputs are natural logarithms of the median in g (PGA, SA)
or cm/s (PGV), and total, between-event (tau) and within-event (phi) standard deviations in ln units.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, fields
from functools import cache
from importlib import resources
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from kalkan.errors import InputError

Floats = NDArray[np.float64]

_SA = re.compile(r"^SA\((\d+(?:\.\d+)?)\)$")


def sa_period(imt: str) -> float:
    """Period (s) of ``SA(T)``; 0.0 for PGA; -1.0 for PGV (the conventions of coefficient tables)."""
    if imt == "PGA":
        return 0.0
    if imt == "PGV":
        return -1.0
    m = _SA.match(imt)
    if m is None:
        raise InputError(f"Unknown intensity measure {imt!r}; expected PGA, PGV or SA(T) with T in seconds.")
    return float(m.group(1))


@dataclass(frozen=True, slots=True)
class Context:
    """Arrays (broadcast to one length) describing rupture-site pairs; see the module docstring for units."""

    mag: Floats
    rake: Floats = field(default_factory=lambda: np.array([np.nan]))
    dip: Floats = field(default_factory=lambda: np.array([np.nan]))
    ztor: Floats = field(default_factory=lambda: np.array([np.nan]))
    hypo_depth: Floats = field(default_factory=lambda: np.array([np.nan]))
    width: Floats = field(default_factory=lambda: np.array([np.nan]))
    rrup: Floats = field(default_factory=lambda: np.array([np.nan]))
    rjb: Floats = field(default_factory=lambda: np.array([np.nan]))
    rx: Floats = field(default_factory=lambda: np.array([np.nan]))
    ry0: Floats = field(default_factory=lambda: np.array([np.nan]))
    rhypo: Floats = field(default_factory=lambda: np.array([np.nan]))
    vs30: Floats = field(default_factory=lambda: np.array([np.nan]))
    vs30measured: NDArray[np.bool_] = field(default_factory=lambda: np.array([False]))
    z1pt0: Floats = field(default_factory=lambda: np.array([np.nan]))
    z2pt5: Floats = field(default_factory=lambda: np.array([np.nan]))

    def __post_init__(self) -> None:
        arrays = {f.name: np.atleast_1d(np.asarray(getattr(self, f.name))) for f in fields(self)}
        n = max(a.size for a in arrays.values())
        for name, a in arrays.items():
            dtype = np.bool_ if name == "vs30measured" else np.float64
            if a.size not in (1, n):
                raise InputError(f"Context field '{name}' has {a.size} values; expected 1 or {n}.")
            object.__setattr__(self, name, np.ascontiguousarray(np.broadcast_to(a, (n,)), dtype=dtype))

    def __len__(self) -> int:
        return int(self.mag.shape[0])


@dataclass(frozen=True, slots=True)
class GroundMotion:
    """ln of the median (g for PGA/SA, cm/s for PGV) and the standard deviations (ln units)."""

    mean: Floats
    sigma: Floats
    tau: Floats
    phi: Floats


class GMPE:
    """Base class of the ground-motion models. Subclasses set the class attributes and ``compute``."""

    name: ClassVar[str]
    """OpenQuake's class name (logic-tree files use it)."""
    aliases: ClassVar[tuple[str, ...]] = ()
    reference: ClassVar[str] = ""
    tectonic_region: ClassVar[str] = "Active Shallow Crust"
    distance: ClassVar[str] = "rrup"
    """The distance the model uses (rrup, rjb, rhypo, ...)."""
    requires: ClassVar[tuple[str, ...]] = ("mag",)
    """Context fields the model reads (the others may stay NaN)."""
    magnitude_range: ClassVar[tuple[float, float]] = (3.0, 8.5)
    """The magnitudes of the model's data set; outside it :meth:`check` warns (or refuses, per the paper)."""
    refuse_outside_magnitudes: ClassVar[bool] = False
    coefficients_file: ClassVar[str] = ""

    def __init__(self, **options: Any) -> None:
        if options:
            raise InputError(f"{self.name} takes no option; got {', '.join(options)}.")

    def supported_imts(self) -> list[str]:
        """IMTs the coefficient table covers (``PGA``, ``PGV``, ``SA(T)``)."""
        out = []
        for t in self.coefficients()["imt"]:
            out.append(t)
        return out

    @classmethod
    def coefficients(cls) -> dict[str, Any]:
        """The coefficient table: ``{"imt": [...], "<column>": array, ...}`` (read once, cached)."""
        return _read_coefficients(cls.coefficients_file)

    def coefficients_for(self, imt: str) -> dict[str, float]:
        """Coefficients of one IMT; SA periods between tabulated ones are interpolated linearly in log period
        (OpenQuake's rule), periods outside the table are an error."""
        table = self.coefficients()
        imts = table["imt"]
        if imt in imts:
            k = imts.index(imt)
            return {c: float(v[k]) for c, v in table.items() if c != "imt"}
        period = sa_period(imt)
        periods = np.array([sa_period(i) if i.startswith("SA") else np.nan for i in imts])
        ok = np.isfinite(periods)
        if period <= 0 or not ok.any() or period < periods[ok].min() or period > periods[ok].max():
            raise InputError(f"{self.name} does not cover {imt}; it covers {', '.join(imts)}.")
        p = periods[ok]
        order = np.argsort(p)
        lp = np.log(p[order])
        return {
            c: float(np.interp(np.log(period), lp, np.asarray(v, dtype=np.float64)[ok][order]))
            for c, v in table.items()
            if c != "imt"
        }

    def check(self, ctx: Context) -> list[str]:
        """Warnings for inputs outside the model's range; raises for those the paper rules out."""
        lo, hi = self.magnitude_range
        bad = (ctx.mag < lo) | (ctx.mag > hi)
        if not bad.any():
            return []
        msg = f"{self.name}: magnitudes {np.unique(ctx.mag[bad]).tolist()} are outside its range {lo}-{hi}"
        if self.refuse_outside_magnitudes:
            raise InputError(msg + " (the paper does not allow extrapolation).")
        return [msg + "; results are extrapolated."]

    def range_warning(self, values: Floats, lo: float, hi: float, what: str) -> list[str]:
        """A warning when some ``values`` lie outside [lo, hi], the range of the model's data set."""
        out = (values < lo) | (values > hi)
        if not out.any():
            return []
        return [f"{self.name}: {int(out.sum())} {what} outside {lo:g}-{hi:g}, the range of the paper's data; "
                "results are extrapolated."]  # fmt: skip

    def compute(self, ctx: Context, imt: str) -> GroundMotion:  # pragma: no cover - abstract
        raise NotImplementedError


@cache
def _read_coefficients(filename: str) -> dict[str, Any]:
    """Read ``coeffs/<filename>``: a CSV whose first column ``imt`` holds PGA, PGV or SA(T) names."""
    if not filename:
        raise RuntimeError("this model has no coefficient table")
    text = (resources.files("kalkan.core.hazard.earthquake.gmpe") / "coeffs" / filename).read_text(encoding="utf-8")
    rows = [r for r in csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))]
    header, body = rows[0], rows[1:]
    if header[0] != "imt":
        raise RuntimeError(f"{filename}: the first column must be 'imt'")
    out: dict[str, Any] = {"imt": [r[0] for r in body]}
    for j, name in enumerate(header[1:], start=1):
        out[name] = np.array([float(r[j]) for r in body])
    return out
