"""The contract of a ground-motion model (GMPE): contexts in, ln-mean and standard deviations out.

A model is a class with its paper cited in the docstring, its coefficients as data (a CSV in ``coeffs/``
read once), and a vectorised ``_compute`` over a :class:`Context` whose arrays have one entry per
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

Each model declares on its class, as OpenQuake hazardlib's models do, what it reads and where it is valid:

- ``REQUIRES_RUPTURE_PARAMETERS``, ``REQUIRES_DISTANCES``, ``REQUIRES_SITES_PARAMETERS``: the Context fields it
  needs (hazardlib's names); ``OPTIONAL_PARAMETERS`` those it reads when known, where NaN means unknown and the
  model uses its paper's default (a basin depth from Vs30, for instance). Fields it does not read may stay NaN;
- ``DEFINED_FOR_TECTONIC_REGION_TYPE``, ``DEFINED_FOR_INTENSITY_MEASURE_TYPES`` (``PGA``, ``PGV``, ``SA``);
- ``DEFINED_FOR_MAGNITUDE_RANGE``, ``DEFINED_FOR_DISTANCE_RANGE_KM`` (on ``DEFINED_FOR_DISTANCE_TYPE``) and
  ``DEFINED_FOR_VS30_RANGE_M_S``: the ranges of the paper's data set that Kalkan checks (None: not checked);
  outside them :meth:`GMPE.check` warns that results are extrapolated. ``MAX_MAGNITUDE``: above it the
  equations are undefined, and the model refuses.

The base class checks these once, in :meth:`GMPE.compute`, before the model's own ``_compute``: a required field
missing (NaN) is an :class:`InputError` with code ``input.missing`` and the field's name, an impossible value
(a negative distance, a dip outside (0, 90], a Vs30 not above 0, ...) one with ``input.range``, an intensity
measure the model is not defined for one with ``input.unsupported``. Outputs are natural logarithms of the
median in g (PGA, SA) or cm/s (PGV), and total, between-event (tau) and within-event (phi) standard deviations
in ln units.
"""

from __future__ import annotations

import csv
import math
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

IMT_FAMILIES = ("PGA", "PGV", "SA")
"""The intensity-measure types a model may be defined for (``SA`` stands for every ``SA(T)``)."""

_AT_LEAST_ZERO = ("ztor", "hypo_depth", "width", "rrup", "rjb", "ry0", "rhypo", "z1pt0", "z2pt5")
"""Fields that cannot be negative (depths, widths and distances, km; z1.0 in m)."""


def sa_period(imt: str) -> float:
    """Period (s) of ``SA(T)``; 0.0 for PGA; -1.0 for PGV (the conventions of coefficient tables)."""
    if imt == "PGA":
        return 0.0
    if imt == "PGV":
        return -1.0
    m = _SA.match(imt)
    if m is None:
        raise InputError(
            f"Unknown intensity measure {imt!r}; expected PGA, PGV or SA(T) with T in seconds.",
            code="input.unknown",
            field="imt",
        )
    return float(m.group(1))


def imt_family(imt: str) -> str:
    """``PGA``, ``PGV`` or ``SA`` (for any ``SA(T)``); an unknown name is an error."""
    return "SA" if sa_period(imt) > 0 else imt


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
                raise InputError(
                    f"Context field '{name}' has {a.size} values; expected 1 or {n}.",
                    code="input.inconsistent",
                    field=name,
                )
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
    """Base class of the ground-motion models: subclasses declare the class attributes and ``_compute``."""

    name: ClassVar[str]
    """OpenQuake's class name (logic-tree files use it)."""
    aliases: ClassVar[tuple[str, ...]] = ()
    reference: ClassVar[str] = ""
    coefficients_file: ClassVar[str] = ""

    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"mag"})
    """Rupture fields of the Context the model needs (mag, rake, dip, ztor, hypo_depth, width)."""
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset()
    """Distances the model needs (rrup, rjb, rx, ry0, rhypo)."""
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset()
    """Site fields the model needs (vs30, vs30measured, z1pt0, z2pt5)."""
    OPTIONAL_PARAMETERS: ClassVar[frozenset[str]] = frozenset()
    """Fields read when known; NaN means unknown and the model uses its paper's default."""

    DEFINED_FOR_TECTONIC_REGION_TYPE: ClassVar[str] = "Active Shallow Crust"
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset(IMT_FAMILIES)
    """``PGA``, ``PGV`` and ``SA`` (any period the coefficient table covers)."""
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (3.0, 8.5)
    """Magnitudes of the paper's data set; outside them :meth:`check` warns."""
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rrup"
    """The distance the model's median is written in, and its range is measured in."""
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = None
    """Distances (km) of the paper's data set that :meth:`check` warns outside; None: not checked."""
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = None
    """Vs30 (m/s) of the paper's data set that :meth:`check` warns outside; None: not checked."""
    MAX_MAGNITUDE: ClassVar[float] = math.inf
    """Largest magnitude the equations are defined for; above it the model refuses."""

    def __init__(self, **options: Any) -> None:
        if options:
            raise InputError(
                f"{self.name} takes no option; got {', '.join(options)}.",
                code="input.unknown",
                field=next(iter(options)),
            )

    @property
    def tectonic_region(self) -> str:
        """The tectonic region type the model is for (:attr:`DEFINED_FOR_TECTONIC_REGION_TYPE`)."""
        return self.DEFINED_FOR_TECTONIC_REGION_TYPE

    def required_inputs(self) -> frozenset[str]:
        """Context fields that must be known (finite) for this instance; a model whose options leave some
        unused (no style-of-faulting term, no hanging-wall term) narrows them."""
        return self.REQUIRES_RUPTURE_PARAMETERS | self.REQUIRES_DISTANCES | self.REQUIRES_SITES_PARAMETERS

    def supported_imts(self) -> list[str]:
        """IMTs the coefficient table covers (``PGA``, ``PGV``, ``SA(T)``)."""
        return list(self.coefficients()["imt"])

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
            raise InputError(
                f"{self.name} does not cover {imt}; it covers {', '.join(imts)}.", code="input.unsupported", field="imt"
            )
        p = periods[ok]
        order = np.argsort(p)
        lp = np.log(p[order])
        return {
            c: float(np.interp(np.log(period), lp, np.asarray(v, dtype=np.float64)[ok][order]))
            for c, v in table.items()
            if c != "imt"
        }

    # ------------------------------------------------------------------------------------------ checks

    def check_inputs(self, ctx: Context, imt: str | None = None) -> None:
        """Refuse what the model cannot compute: an IMT it is not defined for, a required field missing (NaN)
        or infinite, an impossible value of a field it reads, a magnitude above :attr:`MAX_MAGNITUDE`."""
        if imt is not None and imt_family(imt) not in self.DEFINED_FOR_INTENSITY_MEASURE_TYPES:
            defined = ", ".join(sorted(self.DEFINED_FOR_INTENSITY_MEASURE_TYPES))
            raise InputError(
                f"{self.name} is not defined for {imt}; it covers {defined}.", code="input.unsupported", field="imt"
            )
        required = self.required_inputs()
        for name in sorted(required - {"vs30measured"}):
            bad = ~np.isfinite(getattr(ctx, name))
            if bad.any():
                raise InputError(
                    f"{self.name} needs '{name}' for every rupture-site pair; {int(bad.sum())} are missing or not "
                    f"finite (first at row {int(np.argmax(bad))}).",
                    code="input.missing",
                    field=name,
                )
        for name in sorted((required | self.OPTIONAL_PARAMETERS) - {"vs30measured"}):
            values = getattr(ctx, name)
            rule = _domain(name, values)
            if rule is not None:
                bad, expected = rule
                raise InputError(
                    f"{self.name}: context field '{name}' {expected}; row {int(np.argmax(bad))} breaks this.",
                    code="input.range",
                    field=name,
                )
        if (ctx.mag > self.MAX_MAGNITUDE).any():
            raise InputError(
                f"{self.name}: magnitudes above {self.MAX_MAGNITUDE} are outside the equations' domain.",
                code="input.range",
                field="mag",
            )

    def check(self, ctx: Context) -> list[str]:
        """Warnings for inputs outside the ranges the model declares (results extrapolated); refuses
        magnitudes above :attr:`MAX_MAGNITUDE`."""
        if (ctx.mag > self.MAX_MAGNITUDE).any():
            raise InputError(
                f"{self.name}: magnitudes above {self.MAX_MAGNITUDE} are outside the equations' domain.",
                code="input.range",
                field="mag",
            )
        warnings: list[str] = []
        lo, hi = self.DEFINED_FOR_MAGNITUDE_RANGE
        bad = (ctx.mag < lo) | (ctx.mag > hi)
        if bad.any():
            warnings.append(
                f"{self.name}: magnitudes {np.unique(ctx.mag[bad]).tolist()} are outside its range {lo}-{hi}; "
                "results are extrapolated."
            )
        if self.DEFINED_FOR_DISTANCE_RANGE_KM is not None:
            what = _DISTANCE_WORDS.get(self.DEFINED_FOR_DISTANCE_TYPE, f"{self.DEFINED_FOR_DISTANCE_TYPE} (km) are")
            values = getattr(ctx, self.DEFINED_FOR_DISTANCE_TYPE)
            warnings += self._range_warning(values, *self.DEFINED_FOR_DISTANCE_RANGE_KM, what)
        if self.DEFINED_FOR_VS30_RANGE_M_S is not None:
            warnings += self._range_warning(ctx.vs30, *self.DEFINED_FOR_VS30_RANGE_M_S, "sites' Vs30 (m/s) are")
        return warnings

    def _range_warning(self, values: Floats, lo: float, hi: float, what: str) -> list[str]:
        """A warning when some ``values`` lie outside [lo, hi], the range of the model's data set."""
        out = (values < lo) | (values > hi)
        if not out.any():
            return []
        return [f"{self.name}: {int(out.sum())} {what} outside {lo:g}-{hi:g}, the range of the paper's data; "
                "results are extrapolated."]  # fmt: skip

    # ------------------------------------------------------------------------------------------ compute

    def compute(self, ctx: Context, imt: str) -> GroundMotion:
        """ln median (g; cm/s for PGV) and sigma, tau, phi (ln units) of ``imt`` for every row of ``ctx``,
        after :meth:`check_inputs`."""
        self.check_inputs(ctx, imt)
        return self._compute(ctx, imt)

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:  # pragma: no cover - abstract
        raise NotImplementedError


_DISTANCE_WORDS = {"rrup": "rupture distances (km) are", "rjb": "Joyner-Boore distances (km) are"}


def _domain(name: str, values: Floats) -> tuple[NDArray[np.bool_], str] | None:
    """The rows where a field takes an impossible value (NaN is not checked here), and the rule; None if none."""
    if name in _AT_LEAST_ZERO:
        bad = values < 0.0
        rule = "must not be negative; use NaN where unknown" if name in ("z1pt0", "z2pt5") else "must not be negative"
    elif name == "vs30":
        bad, rule = values <= 0.0, "must be positive (m/s)"
    elif name == "dip":
        bad, rule = (values <= 0.0) | (values > 90.0), "must be in (0, 90] degrees"
    elif name == "rake":
        bad, rule = (values < -180.0) | (values > 180.0), "must be in [-180, 180] degrees"
    else:
        return None
    return (bad, rule) if bad.any() else None


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
