"""Magnitude-frequency distributions (MFDs): annual rates of earthquakes per magnitude bin.

Every MFD reduces to two arrays, bin-centre magnitudes and annual occurrence rates (1/yr), which is all the
source models of :mod:`kalkan.core.hazard.earthquake.sources` use. Conventions follow OpenQuake hazardlib's NRML
(OpenQuake Engine manual, "Magnitude-frequency distributions"), so that an NRML source model gives the same
ruptures in Kalkan and in OpenQuake:

- truncated Gutenberg-Richter (Gutenberg, B. & Richter, C. F. (1944). Frequency of earthquakes in California.
  *Bull. Seismol. Soc. Am.* 34(4), 185-188): log10 N(>=M) = a - b M between ``min_mag`` and ``max_mag``. The
  range is cut into bins of ``bin_width``; each bin is represented by its centre and carries the rate of the
  whole bin, 10^(a - b (m - w/2)) - 10^(a - b (m + w/2)). ``min_mag`` and ``max_mag`` are first rounded to the
  nearest multiple of the bin width, as OpenQuake does, so the bin edges sit on that grid;
- incremental: rates given at ``min_mag``, ``min_mag + w``, ... (OpenQuake's ``incrementalMFD``);
- arbitrary: any list of magnitudes and rates (OpenQuake's ``arbitraryMFD``; nshmp-haz's ``INCR`` MFDs);
- single (delta): one magnitude with one rate (nshmp-haz's ``SINGLE``).

Validation: rates must be finite and non-negative, b positive, ``max_mag`` not below ``min_mag``, the bin
width positive; unknown MFD kinds are named in the error. Every number is also checked against its
plausibility bound (:mod:`kalkan.core.bounds`): magnitudes in [0, 10], a in [-10, 15], b in [0.1, 3], a source's
total annual rate at most 1e7, so that an overflow such as ``aValue = 1e308`` (every probability 0) or
``maxMag = 99`` is refused instead of computed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

from kalkan.core.bounds import A_VALUE, ANNUAL_RATE_PER_SOURCE, B_VALUE, MAGNITUDE, Bound
from kalkan.errors import InputError

Floats: TypeAlias = NDArray[np.float64]

__all__ = [
    "MFD",
    "ArbitraryMFD",
    "IncrementalMFD",
    "SingleMFD",
    "TruncatedGRMFD",
    "mfd_from_dict",
]


def _number(value: Any, name: str, where: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {name} must be a number, got {value!r}.", code="input.type", field=name) from None
    if not math.isfinite(out):
        raise InputError(f"{where}: {name} must be a finite number, got {value!r}.", code="input.range", field=name)
    return out


BIN_WIDTH = Bound(1e-4, 2.0, "magnitude units", "width of an MFD bin; models use 0.05-0.5")


def _in_bound(value: float, bound: Bound, name: str, where: str) -> None:
    """Refuse an MFD parameter outside its plausibility bound (:mod:`kalkan.core.bounds`), naming it."""
    if not bound.contains(value):
        raise InputError(
            f"{where}: {name} {value!r}; expected {bound.expected} ({bound.why}).", code="input.range", field=name
        )


def _magnitudes(values: Sequence[float] | Floats, where: str) -> None:
    arr = np.asarray(values, dtype=np.float64).ravel()
    bad = ~np.isfinite(arr) | (arr < MAGNITUDE.lo) | (arr > MAGNITUDE.hi)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{where}: magnitude #{k + 1} is {arr[k]!r}; expected {MAGNITUDE.expected} ({MAGNITUDE.why}).",
            code="input.range",
            field="magnitudes",
        )


def _rates(values: Sequence[float] | Floats, where: str) -> Floats:
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0:
        raise InputError(f"{where}: the MFD has no rate.", code="input.empty", field="rates")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{where}: MFD rates must be finite numbers.", code="input.range", field="rates")
    if (arr < 0).any():
        k = int(np.flatnonzero(arr < 0)[0])
        raise InputError(
            f"{where}: MFD rate #{k + 1} is negative ({arr[k]!r}); annual rates must be >= 0.",
            code="input.range",
            field="rates",
        )
    _in_bound(float(arr.sum()), ANNUAL_RATE_PER_SOURCE, "total annual rate", where)
    return arr


@dataclass(frozen=True, slots=True)
class TruncatedGRMFD:
    """Doubly truncated Gutenberg-Richter MFD: a and b values, magnitude range and bin width (OpenQuake's)."""

    a_val: float
    b_val: float
    min_mag: float
    max_mag: float
    bin_width: float = 0.1
    where: str = "truncGutenbergRichterMFD"

    def __post_init__(self) -> None:
        w = self.where
        a = _number(self.a_val, "aValue", w)
        b = _number(self.b_val, "bValue", w)
        lo = _number(self.min_mag, "minMag", w)
        hi = _number(self.max_mag, "maxMag", w)
        bw = _number(self.bin_width, "bin width", w)
        if b <= 0:
            raise InputError(
                f"{w}: bValue {b} must be positive (log10 N = a - b M decreases with magnitude).",
                code="input.range",
                field="bValue",
            )
        if bw <= 0:
            raise InputError(f"{w}: bin width {bw} must be positive.", code="input.range", field="binWidth")
        _in_bound(a, A_VALUE, "aValue", w)
        _in_bound(b, B_VALUE, "bValue", w)
        _in_bound(lo, MAGNITUDE, "minMag", w)
        _in_bound(hi, MAGNITUDE, "maxMag", w)
        _in_bound(bw, BIN_WIDTH, "bin width", w)
        if hi < lo:
            raise InputError(f"{w}: maxMag {hi} is below minMag {lo}.", code="input.inconsistent", field="maxMag")
        _in_bound(10.0 ** (a - b * lo), ANNUAL_RATE_PER_SOURCE, "annual rate of M >= minMag (10^(a - b minMag))", w)
        for name, v in (("a_val", a), ("b_val", b), ("min_mag", lo), ("max_mag", hi), ("bin_width", bw)):
            object.__setattr__(self, name, v)

    def magnitudes_and_rates(self) -> tuple[Floats, Floats]:
        """Bin-centre magnitudes and annual rates (1/yr) of each bin."""
        bw = self.bin_width
        lo = round(self.min_mag / bw) * bw
        hi = round(self.max_mag / bw) * bw
        n = round((hi - lo) / bw)
        if n < 1:
            raise InputError(
                f"{self.where}: minMag {self.min_mag} and maxMag {self.max_mag} round to the same multiple of the "
                f"bin width {bw}; the MFD has no bin.",
                code="input.inconsistent",
                field="maxMag",
            )
        mags: Floats = lo + bw * (np.arange(n, dtype=np.float64) + 0.5)
        rates: Floats = 10.0 ** (self.a_val - self.b_val * (mags - bw / 2)) - 10.0 ** (
            self.a_val - self.b_val * (mags + bw / 2)
        )
        return mags, rates

    def total_rate(self) -> float:
        """Annual rate of all earthquakes between the rounded minimum and maximum magnitudes (1/yr)."""
        return float(self.magnitudes_and_rates()[1].sum())


@dataclass(frozen=True, slots=True)
class IncrementalMFD:
    """Rates at ``min_mag``, ``min_mag + bin_width``, ... (OpenQuake's ``incrementalMFD``)."""

    min_mag: float
    bin_width: float
    rates: tuple[float, ...]
    where: str = "incrementalMFD"

    def __post_init__(self) -> None:
        lo = _number(self.min_mag, "minMag", self.where)
        bw = _number(self.bin_width, "binWidth", self.where)
        if bw <= 0:
            raise InputError(f"{self.where}: binWidth {bw} must be positive.", code="input.range", field="binWidth")
        rates = _rates(self.rates, self.where)
        _magnitudes([lo, lo + bw * (rates.size - 1)], self.where)
        object.__setattr__(self, "min_mag", lo)
        object.__setattr__(self, "bin_width", bw)
        object.__setattr__(self, "rates", tuple(float(r) for r in rates))

    def magnitudes_and_rates(self) -> tuple[Floats, Floats]:
        rates = np.asarray(self.rates, dtype=np.float64)
        mags: Floats = self.min_mag + self.bin_width * np.arange(rates.size, dtype=np.float64)
        return mags, rates


@dataclass(frozen=True, slots=True)
class ArbitraryMFD:
    """Any magnitudes with their annual rates (OpenQuake's ``arbitraryMFD``, nshmp-haz's ``INCR``)."""

    magnitudes: tuple[float, ...]
    rates: tuple[float, ...]
    where: str = "arbitraryMFD"

    def __post_init__(self) -> None:
        mags = np.asarray(self.magnitudes, dtype=np.float64).ravel()
        rates = _rates(self.rates, self.where)
        if mags.size != rates.size:
            raise InputError(
                f"{self.where}: {mags.size} magnitudes but {rates.size} rates.",
                code="input.inconsistent",
                field="rates",
            )
        if not np.all(np.isfinite(mags)):
            raise InputError(
                f"{self.where}: magnitudes must be finite numbers.", code="input.range", field="magnitudes"
            )
        _magnitudes(mags, self.where)
        object.__setattr__(self, "magnitudes", tuple(float(m) for m in mags))
        object.__setattr__(self, "rates", tuple(float(r) for r in rates))

    def magnitudes_and_rates(self) -> tuple[Floats, Floats]:
        return np.asarray(self.magnitudes, dtype=np.float64), np.asarray(self.rates, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class SingleMFD:
    """One magnitude with one annual rate (a characteristic earthquake; nshmp-haz's ``SINGLE``)."""

    magnitude: float
    rate: float
    where: str = "single MFD"

    def __post_init__(self) -> None:
        m = _number(self.magnitude, "magnitude", self.where)
        _magnitudes([m], self.where)
        r = _rates([_number(self.rate, "rate", self.where)], self.where)[0]
        object.__setattr__(self, "magnitude", m)
        object.__setattr__(self, "rate", float(r))

    def magnitudes_and_rates(self) -> tuple[Floats, Floats]:
        return np.array([self.magnitude]), np.array([self.rate])


MFD: TypeAlias = TruncatedGRMFD | IncrementalMFD | ArbitraryMFD | SingleMFD

_KINDS = ("truncated_gr", "incremental", "arbitrary", "single")


def mfd_from_dict(spec: Mapping[str, Any], where: str = "MFD") -> MFD:
    """An MFD from ``{"kind": ..., parameters}``; kinds: truncated_gr (a_val, b_val, min_mag, max_mag,
    bin_width), incremental (min_mag, bin_width, rates), arbitrary (magnitudes, rates), single (magnitude,
    rate). Unknown kinds and missing parameters are named in the error."""
    kind = str(spec.get("kind", "")).strip().lower()
    try:
        if kind == "truncated_gr":
            return TruncatedGRMFD(
                spec["a_val"], spec["b_val"], spec["min_mag"], spec["max_mag"], spec.get("bin_width", 0.1), where
            )
        if kind == "incremental":
            return IncrementalMFD(spec["min_mag"], spec["bin_width"], tuple(spec["rates"]), where)
        if kind == "arbitrary":
            return ArbitraryMFD(tuple(spec["magnitudes"]), tuple(spec["rates"]), where)
        if kind == "single":
            return SingleMFD(spec["magnitude"], spec["rate"], where)
    except KeyError as exc:
        raise InputError(
            f"{where}: MFD kind {kind!r} needs the parameter {exc.args[0]!r}.",
            code="input.missing",
            field=str(exc.args[0]),
        ) from None
    raise InputError(
        f"{where}: unknown MFD kind {spec.get('kind')!r}; supported: {', '.join(_KINDS)}.",
        code="input.unknown",
        field="kind",
    )
