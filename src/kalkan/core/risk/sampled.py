"""Sampled mode: each asset's loss ratio in each event is drawn from its distribution (OpenQuake's NRML
discrete vulnerability: lognormal or beta with the function's mean and coefficient of variation).

Random numbers come from a counter-based generator: every draw is a hash (SplitMix64, Steele et al.
2014) of (seed, event id, contribution, draw number), so a draw does not depend on which thread or block
computes it, and a run is identical across thread counts and block sizes for a given seed.

- LN: ln LR ~ N(mu, s^2) with s^2 = ln(1 + cov^2), mu = ln(mean) - s^2 / 2 (so E[LR] = mean); the
  sample is capped at 1, as a loss cannot exceed the replacement value.
- BT: LR ~ Beta(a, b) with a = mean k, b = (1 - mean) k, k = mean (1 - mean) / (cov mean)^2 - 1; drawn as
  G_a / (G_a + G_b) with Marsaglia & Tsang (2000) gamma variates.
- A zero coefficient of variation (or distribution ``none``) gives the mean itself.
Assets are not correlated (each asset draws its own ratio), as in OpenQuake with ``asset_correlation = 0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.risk.assignment import Assignment
from kalkan.core.risk.engine import DEFAULT_BLOCK_EVENTS, ProgressCallback
from kalkan.core.risk.groups import Groups
from kalkan.core.risk.tables import pack_functions

SAMPLED_MODES = ("sampled",)
_MASK64 = (1 << 64) - 1


@numba.njit(inline="always", nogil=True, cache=True, error_model="numpy")
def _splitmix(z):  # type: ignore[no-untyped-def]
    z = (z + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@numba.njit(inline="always", nogil=True, cache=True, error_model="numpy")
def _uniform(key, n):  # type: ignore[no-untyped-def]
    """The n-th uniform in (0, 1) of the stream ``key``."""
    h = _splitmix(key ^ _splitmix(np.uint64(n)))
    return (np.float64(h >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _normal(key, n):  # type: ignore[no-untyped-def]
    """Standard normal from the n-th uniform: Acklam's inverse normal, refined by one Halley step."""
    p = _uniform(key, n)
    plow = 0.02425
    if p < plow:
        q = math.sqrt(-2 * math.log(p))
        x = (((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e00) * q
               - 2.549732539343734e00) * q + 4.374664141464968e00) * q + 2.938163982698783e00) / (
            (((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e00) * q
             + 3.754408661907416e00) * q + 1.0)  # fmt: skip
    elif p <= 1 - plow:
        q = p - 0.5
        r = q * q
        x = (((((-3.969683028665376e01 * r + 2.209460984245205e02) * r - 2.759285104469687e02) * r
               + 1.383577518672690e02) * r - 3.066479806614716e01) * r + 2.506628277459239e00) * q / (
            ((((-5.447609879822406e01 * r + 1.615858368580409e02) * r - 1.556989798598866e02) * r
              + 6.680131188771972e01) * r - 1.328068155288572e01) * r + 1.0)  # fmt: skip
    else:
        q = math.sqrt(-2 * math.log(1 - p))
        x = -(((((-7.784894002430293e-03 * q - 3.223964580411365e-01) * q - 2.400758277161838e00) * q
                - 2.549732539343734e00) * q + 4.374664141464968e00) * q + 2.938163982698783e00) / (
            (((7.784695709041462e-03 * q + 3.224671290700398e-01) * q + 2.445134137142996e00) * q
             + 3.754408661907416e00) * q + 1.0)  # fmt: skip
    e = 0.5 * math.erfc(-x / math.sqrt(2.0)) - p
    u = e * math.sqrt(2 * math.pi) * math.exp(x * x / 2)
    return x - u / (1 + x * u / 2)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _gamma(key, n0, a):  # type: ignore[no-untyped-def]
    """Gamma(a, 1) by Marsaglia & Tsang (2000); returns (variate, next draw number)."""
    n = n0
    boost = 1.0
    if a < 1.0:
        boost = _uniform(key, n) ** (1.0 / a)
        n += 1
        a += 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = _normal(key, n)
        n += 1
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = _uniform(key, n)
        n += 1
        if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
            return d * v * boost, n


@numba.njit(nogil=True, cache=True, error_model="numpy")
def sample_ratio(key, mean, cov, dist):  # type: ignore[no-untyped-def]
    """One loss ratio with this mean and coefficient of variation (see the module docstring)."""
    if mean <= 0.0:
        return 0.0
    if cov <= 0.0 or dist == 0:
        return mean
    if dist == 1:
        s2 = math.log(1.0 + cov * cov)
        r = math.exp(math.log(mean) - 0.5 * s2 + math.sqrt(s2) * _normal(key, 0))
        return min(r, 1.0)
    if mean >= 1.0:
        return 1.0
    var = (cov * mean) ** 2
    k = mean * (1.0 - mean) / var - 1.0
    if k <= 0.0:
        return mean
    ga, n = _gamma(key, 0, mean * k)
    gb, n = _gamma(key, n, (1.0 - mean) * k)
    return ga / (ga + gb)


@numba.njit(parallel=True, nogil=True, cache=True, error_model="numpy")
def sampled_blocks(  # type: ignore[no-untyped-def]
    indptr, indices, data, freq, event_id, block_start, seed,
    site_ptr, c_func, c_value, c_key,
    params, points, lut,
    event_total, c_partial,
):  # fmt: skip
    """Sampled losses: ``site_ptr`` indexes contributions (sorted by site); ``c_partial[b, c]`` sums
    frequency x loss of contribution c over block b's events."""
    n_blocks = block_start.size - 1
    for b in numba.prange(n_blocks):
        for e in range(block_start[b], block_start[b + 1]):
            total = 0.0
            ekey = _splitmix(seed ^ _splitmix(np.uint64(event_id[e])))
            for k in range(indptr[e], indptr[e + 1]):
                s = indices[k]
                x = np.float64(data[k])
                for c in range(site_ptr[s], site_ptr[s + 1]):
                    f = c_func[c]
                    x0 = params[f, 0]
                    o = int(params[f, 3])
                    if x <= x0:
                        if x < x0 and params[f, 7] > 0.0:
                            continue
                        i = 0
                        t = 0.0
                    elif x >= params[f, 1]:
                        i = int(params[f, 4]) - 1
                        t = 0.0
                    else:
                        i = lut[int(params[f, 5]) + min(int((x - x0) * params[f, 2]), int(params[f, 6]) - 1)]
                        while points[o + i + 1, 0] <= x:
                            i += 1
                        t = x - points[o + i, 0]
                    mean = points[o + i, 1] + t * (points[o + i, 2] + t * points[o + i, 3])
                    cov = points[o + i, 4] + t * points[o + i, 5]
                    ratio = sample_ratio(_splitmix(ekey ^ c_key[c]), mean, cov, int(params[f, 8]))
                    loss = c_value[c] * ratio
                    total += loss
                    c_partial[b, c] += freq[e] * loss
            event_total[e] = total


@dataclass(frozen=True, slots=True)
class SampledResult:
    """Event losses and per-asset expected annual losses (summed over loss types) of a sampled run."""

    event_loss: NDArray[np.float64]
    asset_aal: NDArray[np.float64]
    seed: int


def compute_sampled(
    hazard: HazardSet,
    exposure: Exposure,
    assignment: Assignment,
    groups: Groups,
    *,
    seed: int,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    chunk_blocks: int = 4,
    on_progress: ProgressCallback | None = None,
) -> SampledResult:
    """Sampled-mode losses (see module docstring); memory O(non-zeros + contributions x chunk_blocks)."""
    table = pack_functions(groups.functions)
    # Contributions sorted by site; each keeps a key fixed by (asset position, loss type, function).
    c_site = groups.g_site[groups.contrib_group]
    c_func = groups.g_func[groups.contrib_group]
    order = np.lexsort((c_func, groups.contrib_loss_type, groups.contrib_asset, c_site))
    key = (
        groups.contrib_asset.astype(np.uint64) * np.uint64(1 << 20)
        + groups.contrib_loss_type.astype(np.uint64) * np.uint64(1 << 16)
        + c_func.astype(np.uint64)
    )[order]
    site_ptr = np.searchsorted(c_site[order], np.arange(hazard.n_sites + 1)).astype(np.int64)
    c_value = groups.contrib_value[order]
    c_func_sorted = c_func[order]
    params, points, lut = table.as_tuple()
    m = hazard.intensity
    indptr = m.indptr.astype(np.int64)
    n = hazard.n_events
    event_loss = np.zeros(n)
    rate = np.zeros(order.size)
    per_chunk = block_events * chunk_blocks
    seed64 = np.uint64(seed & _MASK64)
    for start in range(0, n, per_chunk):
        stop = min(n, start + per_chunk)
        lo, hi = int(indptr[start]), int(indptr[stop])
        block_start = np.unique(np.append(np.arange(0, stop - start, block_events), stop - start)).astype(np.int64)
        partial = np.zeros((block_start.size - 1, order.size))
        ev = np.zeros(stop - start)
        sampled_blocks(
            indptr[start : stop + 1] - lo, m.indices[lo:hi], m.data[lo:hi], hazard.frequency[start:stop],
            hazard.event_id[start:stop], block_start, seed64,
            site_ptr, c_func_sorted, c_value, key, params, points, lut, ev, partial,
        )  # fmt: skip
        event_loss[start:stop] = ev
        for row in partial:
            rate += row
        if on_progress is not None:
            on_progress(int(100 * stop / n), f"events {stop:,} of {n:,} (sampled)")
    asset_aal = np.zeros(len(exposure))
    np.add.at(asset_aal, groups.contrib_asset[order], rate)
    return SampledResult(event_loss, asset_aal, seed)
