"""Split groups by the intensity measure of their functions, so each part runs on its own hazard."""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import NDArray

from kalkan.core.risk.groups import Groups


def subset_groups(groups: Groups, keep: NDArray[np.bool_]) -> Groups:
    """The groups where ``keep`` is true, with their contributions (site ranges rebuilt)."""
    index = np.flatnonzero(keep)
    remap = np.full(groups.n_groups, -1, dtype=np.int64)
    remap[index] = np.arange(index.size)
    c_keep = keep[groups.contrib_group]
    g_site = groups.g_site[index]
    return dataclasses.replace(
        groups,
        site_ptr=np.searchsorted(g_site, np.arange(groups.n_sites + 1), side="left").astype(np.int64),
        g_site=g_site,
        g_func=groups.g_func[index],
        g_value=groups.g_value[index],
        g_bucket=groups.g_bucket[index],
        g_loss_type=groups.g_loss_type[index],
        contrib_asset=groups.contrib_asset[c_keep],
        contrib_group=remap[groups.contrib_group[c_keep]],
        contrib_value=groups.contrib_value[c_keep],
        contrib_loss_type=groups.contrib_loss_type[c_keep],
    )


def by_imt(groups: Groups) -> dict[tuple[str, str], Groups]:
    """Groups split by (intensity measure, unit) of their functions."""
    keys = [(f.imt, f.unit) for f in groups.functions]
    key_of_function = np.array([keys.index(k) for k in keys], dtype=np.int64)  # the first function of each key
    g_key = key_of_function[groups.g_func] if groups.g_func.size else np.zeros(0, dtype=np.int64)
    if g_key.size and bool(np.all(g_key == g_key[0])):
        return {keys[int(g_key[0])]: groups}  # one intensity measure: the groups themselves, no copy
    out = {}
    for k in np.unique(g_key):
        out[keys[int(k)]] = subset_groups(groups, g_key == k)
    return out
