"""Pack vulnerability functions into flat arrays that the numba kernels evaluate in O(1) per value.

Each function keeps its exact breakpoints. Within segment i (x_i <= x < x_i+1) the mean damage ratio
``interp(mdd) * interp(paa)`` is the quadratic ``c0 + t (c1 + t c2)`` with t = x - x_i, whose coefficients
are stored per breakpoint (c2 = 0 when paa is constant, and then this is numpy.interp's own formula).
A uniform look-up table over [x0, x_last] gives the segment in one step: its bins are narrower than the
narrowest segment whenever the table size allows, so one comparison corrects the bin's guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.vulnerability.functions import VulnerabilityFunction

LUT_BINS_PER_POINT = 4
LUT_MAX_BINS = 1 << 14

# Columns of FunctionTable.params, one row per function.
P_X0, P_XL, P_SCALE, P_OFFSET, P_COUNT, P_LUT_OFFSET, P_LUT_BINS, P_ZERO_BELOW, P_DIST, P_UNIFORM = range(10)
DIST_CODES = {"none": 0, "LN": 1, "BT": 2}


@dataclass(frozen=True, slots=True)
class FunctionTable:
    """``params[f]``: x0, x_last, bins per unit intensity, first point, number of points, first look-up bin,
    number of bins, 1.0 if zero below x0, distribution code (DIST_CODES), 1.0 if the breakpoints are equally
    spaced (then bin b is segment b and no look-up is needed). ``points[p]``: x, c0, c1, c2 of
    point p, then the coefficient of variation and its slope in the segment. ``lut[b]``: segment of bin b.
    """

    params: NDArray[np.float64]
    points: NDArray[np.float64]
    lut: NDArray[np.int64]

    def as_tuple(self) -> tuple[NDArray[Any], ...]:
        """The arrays in the order the kernels take them."""
        return (self.params, self.points, self.lut)


def pack_functions(functions: Sequence[VulnerabilityFunction]) -> FunctionTable:
    """Build the :class:`FunctionTable` of ``functions`` (index f in the table = position in the sequence)."""
    params = np.zeros((len(functions), 10))
    points, luts = [], []
    pos = lpos = 0
    for f, fn in enumerate(functions):
        x = fn.intensity
        n = x.size
        mdd = fn.mean_lr
        paa = fn.paa if fn.paa is not None else np.ones(n)
        smdd = np.append(np.diff(mdd) / np.diff(x), 0.0)
        spaa = np.append(np.diff(paa) / np.diff(x), 0.0)
        pts = np.empty((n, 6))
        cov = fn.cov if fn.cov is not None else np.zeros(n)
        pts[:, 4] = cov
        pts[:, 5] = np.append(np.diff(cov) / np.diff(x), 0.0)
        pts[:, 0] = x
        pts[:, 1] = mdd * paa
        pts[:, 2] = mdd * spaa + smdd * paa
        pts[:, 3] = smdd * spaa
        points.append(pts)
        span = float(x[-1] - x[0])
        narrowest = float(np.min(np.diff(x)))
        uniform = bool(np.all(np.abs(np.diff(x) - span / (n - 1)) <= 1e-9 * span / (n - 1)))
        if uniform:
            bins = n - 1  # bin b is segment b
        else:
            bins = int(min(LUT_MAX_BINS, max(16, LUT_BINS_PER_POINT * n, np.ceil(span / narrowest) + 1)))
        scale = bins / span
        edges = x[0] + np.arange(bins) / scale
        luts.append(np.clip(np.searchsorted(x, edges, side="right") - 1, 0, n - 2).astype(np.int64))
        zero = 1.0 if fn.below_first == "zero" else 0.0
        params[f] = (x[0], x[-1], scale, pos, n, lpos, bins, zero, DIST_CODES[fn.distribution], float(uniform))
        pos += n
        lpos += bins
    return FunctionTable(
        params=params,
        points=np.ascontiguousarray(np.concatenate(points)) if points else np.zeros((0, 6)),
        lut=np.concatenate(luts) if luts else np.zeros(0, dtype=np.int64),
    )
