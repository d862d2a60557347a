"""Numba kernels: one fused pass over the non-zeros of the events x sites intensity matrix.

Assets are pre-aggregated into *groups* (site, function, output buckets) with summed value, sorted by
site and function, so the work per non-zero is one function evaluation and a few multiply-adds per group
at that site; no events x assets matrix ever exists. Events are processed in fixed blocks; each block
accumulates its own per-group partial sums, folded in block order afterwards, so results are
bit-identical whatever the number of threads or Dask workers.

The function evaluation is written out inside the loop (not called): a call with array arguments costs
more in reference counting than the arithmetic, and the current function's parameters stay in registers
while consecutive groups use the same function.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

from kalkan.core.risk.metrics import loss_at_frequencies
from kalkan.core.risk.tables import FunctionTable


@numba.njit(nogil=True, cache=True, error_model="numpy")
def eval_mdr(f, x, params, points, lut):  # type: ignore[no-untyped-def]
    """Mean damage ratio of function ``f`` at intensity ``x`` (the kernels' rule, for tests and reuse)."""
    x0 = params[f, 0]
    o = int(params[f, 3])
    if x <= x0:
        if x < x0 and params[f, 7] > 0.0:
            return 0.0
        return points[o, 1]
    if x >= params[f, 1]:
        return points[o + int(params[f, 4]) - 1, 1]
    i = lut[int(params[f, 5]) + min(int((x - x0) * params[f, 2]), int(params[f, 6]) - 1)]
    while points[o + i + 1, 0] <= x:
        i += 1
    t = x - points[o + i, 0]
    return points[o + i, 1] + t * (points[o + i, 2] + t * points[o + i, 3])


@numba.njit(parallel=True, nogil=True, cache=True, error_model="numpy")
def mean_blocks(  # type: ignore[no-untyped-def]
    indptr, indices, data, freq, block_start,
    site_ptr, g_func, g_value, g_bucket,
    params, points, lut,
    event_total, bucket_loss, m_partial,
):  # fmt: skip
    """Mean-mode losses for the events of each block ``b``: rows ``block_start[b]:block_start[b+1]``.

    Writes ``event_total[e]`` (loss of event e), ``bucket_loss[e, k]`` (loss of event e in output bucket k)
    and ``m_partial[b, g]`` = sum over the block's events of frequency x mean damage ratio of group g
    (per unit value; the group's expected annual loss is its value times the folded sum).
    """
    n_blocks = block_start.size - 1
    n_dims = g_bucket.shape[1]
    for b in numba.prange(n_blocks):
        cf = -1
        x0 = xl = scale = 0.0
        o = n = lo = nb = 0
        zero_below = False
        uniform = False
        for e in range(block_start[b], block_start[b + 1]):
            total = 0.0
            fe = freq[e]
            for k in range(indptr[e], indptr[e + 1]):
                s = indices[k]
                g0 = site_ptr[s]
                g1 = site_ptr[s + 1]
                if g0 == g1:
                    continue
                x = np.float64(data[k])
                have = False
                mdr = 0.0
                for g in range(g0, g1):
                    f = g_func[g]
                    if f != cf:
                        cf = f
                        x0 = params[f, 0]
                        xl = params[f, 1]
                        scale = params[f, 2]
                        o = int(params[f, 3])
                        n = int(params[f, 4])
                        lo = int(params[f, 5])
                        nb = int(params[f, 6]) - 1
                        zero_below = params[f, 7] > 0.0
                        uniform = params[f, 9] > 0.0
                        have = False
                    if not have:
                        have = True
                        if x <= x0:
                            mdr = 0.0 if (x < x0 and zero_below) else points[o, 1]
                        elif x >= xl:
                            mdr = points[o + n - 1, 1]
                        elif uniform:
                            # Equally spaced breakpoints: the segment is the bin. At a breakpoint, rounding may
                            # pick the segment on its left, whose polynomial ends on the same value.
                            i = min(int((x - x0) * scale), nb)
                            t = x - points[o + i, 0]
                            mdr = points[o + i, 1] + t * (points[o + i, 2] + t * points[o + i, 3])
                        else:
                            i = lut[lo + min(int((x - x0) * scale), nb)]
                            i += points[o + i + 1, 0] <= x  # bins hold at most one breakpoint (usually)
                            while points[o + i + 1, 0] <= x:
                                i += 1
                            t = x - points[o + i, 0]
                            mdr = points[o + i, 1] + t * (points[o + i, 2] + t * points[o + i, 3])
                    if mdr == 0.0:
                        continue
                    loss = g_value[g] * mdr
                    total += loss
                    m_partial[b, g] += fe * mdr
                    for d in range(n_dims):
                        bucket_loss[e, g_bucket[g, d]] += loss
            event_total[e] = total


@numba.njit(parallel=True, nogil=True, cache=True, error_model="numpy", fastmath={"reassoc", "contract"})
def mean_blocks_by_site(  # type: ignore[no-untyped-def]
    indptr, indices, data, freq, block_start,
    site_func, site_value,
    params, points, lut,
    event_total, s_partial,
):  # fmt: skip
    """The mean kernel when every site has one function and no output buckets are asked for (the common
    single-hazard, single-function case): the value at each site is summed once, and the per-unit annual rate
    is accumulated per site (``s_partial[b, s]``), so the pass is one evaluation and two multiply-adds per
    non-zero. ``reassoc``/``contract`` let LLVM fuse and reorder the event sum: results stay identical for any
    thread count and block layout on one machine, and agree with the general kernel to rounding.
    """
    n_blocks = block_start.size - 1
    for b in numba.prange(n_blocks):
        cf = -1
        x0 = xl = scale = 0.0
        o = n = lo = nb = 0
        zero_below = False
        uniform = False
        for e in range(block_start[b], block_start[b + 1]):
            total = 0.0
            fe = freq[e]
            for k in range(indptr[e], indptr[e + 1]):
                s = indices[k]
                f = site_func[s]
                if f < 0:
                    continue
                if f != cf:
                    cf = f
                    x0 = params[f, 0]
                    xl = params[f, 1]
                    scale = params[f, 2]
                    o = int(params[f, 3])
                    n = int(params[f, 4])
                    lo = int(params[f, 5])
                    nb = int(params[f, 6]) - 1
                    zero_below = params[f, 7] > 0.0
                    uniform = params[f, 9] > 0.0
                x = np.float64(data[k])
                if x <= x0:
                    mdr = 0.0 if (x < x0 and zero_below) else points[o, 1]
                elif x >= xl:
                    mdr = points[o + n - 1, 1]
                else:
                    if uniform:
                        i = min(int((x - x0) * scale), nb)
                    else:
                        i = lut[lo + min(int((x - x0) * scale), nb)]
                        i += points[o + i + 1, 0] <= x
                        while points[o + i + 1, 0] <= x:
                            i += 1
                    t = x - points[o + i, 0]
                    mdr = points[o + i, 1] + t * (points[o + i, 2] + t * points[o + i, 3])
                total += site_value[s] * mdr
                s_partial[b, s] += fe * mdr
            event_total[e] = total


@numba.njit(parallel=True, nogil=True, cache=True, error_model="numpy", fastmath={"reassoc", "contract"})
def mean_blocks_one_uniform(  # type: ignore[no-untyped-def]
    indptr, indices, data, freq, block_start,
    site_func, site_value,
    params, points, lut,
    event_total, s_partial,
):  # fmt: skip
    """:func:`mean_blocks_by_site` for one function with equally spaced breakpoints (a tabulated impact
    function, the plain case): its constants stay in registers and the segment is the bin, so each
    non-zero costs one table read and two multiply-adds. Same rule, same results to rounding."""
    x0 = params[0, 0]
    xl = params[0, 1]
    scale = params[0, 2]
    n = int(params[0, 4])
    nb = int(params[0, 6]) - 1
    zero_below = params[0, 7] > 0.0
    first = points[0, 1]
    last = points[n - 1, 1]
    n_blocks = block_start.size - 1
    for b in numba.prange(n_blocks):
        for e in range(block_start[b], block_start[b + 1]):
            total = 0.0
            fe = freq[e]
            for k in range(indptr[e], indptr[e + 1]):
                s = indices[k]  # sites without assets have value 0: no test needed, their rate is unused
                x = np.float64(data[k])
                if x <= x0:
                    mdr = 0.0 if (x < x0 and zero_below) else first
                elif x >= xl:
                    mdr = last
                else:
                    i = min(int((x - x0) * scale), nb)
                    t = x - points[i, 0]
                    mdr = points[i, 1] + t * (points[i, 2] + t * points[i, 3])
                total += site_value[s] * mdr
                s_partial[b, s] += fe * mdr
            event_total[e] = total


def evaluate(table: FunctionTable, f: int, x: NDArray[Any]) -> NDArray[np.float64]:
    """Evaluate function ``f`` of a packed table at every ``x`` with the kernels' rule."""
    params, points, lut = table.as_tuple()
    xs = np.ascontiguousarray(x)
    out = np.empty(xs.shape[0])
    eval_many(f, xs, params, points, lut, out)
    return out


@numba.njit(nogil=True, cache=True, error_model="numpy")
def eval_many(f, x, params, points, lut, out):  # type: ignore[no-untyped-def]
    """``out[i] = eval_mdr(f, x[i])`` for every i (the rule written out: no call per value)."""
    x0 = params[f, 0]
    xl = params[f, 1]
    scale = params[f, 2]
    o = int(params[f, 3])
    n = int(params[f, 4])
    lo = int(params[f, 5])
    nb = int(params[f, 6]) - 1
    zero_below = params[f, 7] > 0.0
    uniform = params[f, 9] > 0.0
    for j in range(x.size):
        v = np.float64(x[j])
        if v <= x0:
            out[j] = 0.0 if (v < x0 and zero_below) else points[o, 1]
        elif v >= xl:
            out[j] = points[o + n - 1, 1]
        else:
            if uniform:
                i = min(int((v - x0) * scale), nb)
            else:
                i = lut[lo + min(int((v - x0) * scale), nb)]
                while points[o + i + 1, 0] <= v:
                    i += 1
            t = v - points[o + i, 0]
            out[j] = points[o + i, 1] + t * (points[o + i, 2] + t * points[o + i, 3])


_loss_at_frequencies = numba.njit(nogil=True, cache=True)(loss_at_frequencies)
"""The return-period rule of :mod:`kalkan.core.risk.metrics`, compiled: the same function, not a copy."""


@numba.njit(parallel=True, nogil=True, cache=True, error_model="numpy")
def site_curves(indptr, events, ratio, freq, total_freq, sites, min_frequency, out):  # type: ignore[no-untyped-def]
    """Per-site loss-ratio exceedance curves read at return periods (kalkan.core.risk.metrics' curve and rule:
    losses sorted descending, equal losses one point, the events that miss the site one point at zero).
    ``indptr/events/ratio``: the sites x events CSR of damage ratios; ``min_frequency``: the thresholds of
    :func:`kalkan.core.risk.metrics.frequency_thresholds` (one per return period)."""
    for j in numba.prange(sites.size):
        s = sites[j]
        lo = indptr[s]
        hi = indptr[s + 1]
        m = hi - lo
        order = np.argsort(-ratio[lo:hi])  # ties are merged below, so their order does not matter
        loss = np.empty(m + 1)
        exceed = np.empty(m + 1)
        cum = 0.0
        k = 0
        for q in range(m):
            idx = lo + order[q]
            cum += freq[events[idx]]
            value = ratio[idx]
            if k > 0 and loss[k - 1] == value:
                exceed[k - 1] = cum  # a tie: one point with the frequency of all of them
            else:
                loss[k] = value
                exceed[k] = cum
                k += 1
        if cum < total_freq:
            if k > 0 and loss[k - 1] == 0.0:
                exceed[k - 1] = total_freq
            else:
                loss[k] = 0.0
                exceed[k] = total_freq
                k += 1
        out[s, :] = _loss_at_frequencies(exceed[:k], loss[:k], min_frequency)
