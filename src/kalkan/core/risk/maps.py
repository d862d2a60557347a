"""Per-asset losses at return periods (loss maps), without any events x assets matrix.

An asset's event losses are its value times the mean damage ratio of its function at its site, so all
assets sharing a site and the same mix of functions (their *profile*) have proportional loss curves: the
curve is computed once per (site, profile), from that site's intensities only, and scaled by value.
The return-period rule is that of :mod:`kalkan.core.risk.metrics` (occurrence curve of the asset's event
losses, zeros included; the largest loss whose exceedance frequency reaches 1/T, no interpolation).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.risk.groups import Groups
from kalkan.core.risk.kernel import evaluate, site_curves
from kalkan.core.risk.metrics import frequency_thresholds, loss_at_frequencies
from kalkan.core.risk.tables import pack_functions


def asset_rp_losses(
    hazard: HazardSet, groups: Groups, n_assets: int, return_periods: Sequence[float]
) -> NDArray[np.float64]:
    """Loss of each asset at each return period, shape (n_assets, len(return_periods)), all loss types summed."""
    rps = np.asarray(return_periods, dtype=np.float64)
    min_frequency = frequency_thresholds(rps)
    out = np.zeros((n_assets, rps.size))
    if groups.contrib_asset.size == 0:
        return out
    fast = _single_function_maps(hazard, groups, n_assets, min_frequency)
    if fast is not None:
        return fast
    table = pack_functions(groups.functions)
    by_site = hazard.intensity.T.tocsr()  # sites x events
    freq = hazard.frequency
    total_freq = float(freq.sum())
    # Profile of an asset: its (function, share of its value) pairs; assets with equal site and profile share
    # one normalised curve.
    asset_value = np.bincount(groups.contrib_asset, weights=groups.contrib_value, minlength=n_assets)
    c_func = groups.g_func[groups.contrib_group]
    c_site = groups.g_site[groups.contrib_group]
    with np.errstate(invalid="ignore", divide="ignore"):
        c_share = np.where(
            asset_value[groups.contrib_asset] > 0, groups.contrib_value / asset_value[groups.contrib_asset], 0.0
        )
    order = np.lexsort((c_share, c_func, groups.contrib_asset))
    profiles: dict[tuple[int, tuple[tuple[int, float], ...]], list[int]] = {}
    start = 0
    asset_sorted = groups.contrib_asset[order]
    bounds = np.flatnonzero(np.diff(asset_sorted)) + 1
    for stop in [*bounds.tolist(), order.size]:
        idx = order[start:stop]
        a = int(asset_sorted[start])
        key = (
            int(c_site[idx[0]]),
            tuple((int(f), round(float(s), 12)) for f, s in zip(c_func[idx], c_share[idx], strict=True)),
        )
        profiles.setdefault(key, []).append(a)
        start = stop
    for (site, profile), assets in profiles.items():
        lo, hi = by_site.indptr[site], by_site.indptr[site + 1]
        events = by_site.indices[lo:hi]
        x = by_site.data[lo:hi]
        ratio = np.zeros(x.size)
        for f, share in profile:
            ratio += share * evaluate(table, f, x)
        # Curve of the normalised losses: the site's events, then the events that miss it (loss 0).
        srt = np.argsort(ratio, kind="stable")[::-1]
        loss = ratio[srt]
        exceed = np.cumsum(freq[events[srt]])
        if exceed.size == 0 or exceed[-1] < total_freq:
            loss = np.append(loss, 0.0)
            exceed = np.append(exceed, total_freq)
        curve = loss_at_frequencies(exceed, loss, min_frequency)
        out[assets] = asset_value[assets, None] * curve[None, :]
    return out


def _single_function_maps(
    hazard: HazardSet, groups: Groups, n_assets: int, min_frequency: NDArray[np.float64]
) -> NDArray[np.float64] | None:
    """The common case, one function for every asset: the damage ratio of every (site, event) is evaluated in
    one call and each site's curve is built in a compiled loop; None when the case does not apply."""
    if np.unique(groups.g_func).size != 1:
        return None
    per_asset = np.bincount(groups.contrib_asset, minlength=n_assets)
    if per_asset.max() > 1:
        return None
    table = pack_functions(groups.functions)
    by_site = hazard.intensity.T.tocsr()
    ratio = evaluate(table, int(groups.g_func[0]), by_site.data)
    curves = np.zeros((hazard.n_sites, min_frequency.size))
    _site_curves(by_site.indptr.astype(np.int64), by_site.indices.astype(np.int64), ratio, hazard.frequency,
                 float(hazard.frequency.sum()), np.unique(groups.g_site), min_frequency, curves)  # fmt: skip
    out = np.zeros((n_assets, min_frequency.size))
    site = groups.g_site[groups.contrib_group]
    out[groups.contrib_asset] = groups.contrib_value[:, None] * curves[site]
    return out


def _site_curves(*args: object) -> None:
    compiled: Any = site_curves  # numba dispatchers are untyped
    compiled(*args)
