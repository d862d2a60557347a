"""Aggregate before multiplying: turn assets into groups (site, function, output buckets) with summed value.

The mean loss is linear in value, so every asset sharing a site, a vulnerability function and the output
buckets it reports to (district, occupancy, ...) can be summed into one group before the hazard is read.
Each asset's share in each group is kept (``contrib_*``) to give per-asset results afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kalkan.core.exposure.table import Exposure
from kalkan.core.risk.assignment import Assignment
from kalkan.core.vulnerability.functions import VulnerabilityFunction, VulnerabilitySet
from kalkan.errors import InputError

VALUE_KINDS = ("structural", "nonstructural", "contents", "total")


@dataclass(frozen=True, slots=True)
class Breakdown:
    """An output dimension: its name and labels (bucket k of this dimension is ``labels[k]``)."""

    name: str
    labels: tuple[str, ...]
    loss_types: tuple[str, ...] = ()
    """When several loss types are computed, bucket k of a dimension is (labels[k // n], loss_types[k % n])
    (n = len(loss_types)), so that losses of different types (money, people) are never added together."""

    def bucket(self, k: int) -> tuple[str, str | None]:
        """(label, loss type or None) of bucket k."""
        if not self.loss_types:
            return self.labels[k], None
        n = len(self.loss_types)
        return self.labels[k // n], self.loss_types[k % n]

    @property
    def size(self) -> int:
        return len(self.labels) * max(1, len(self.loss_types))


@dataclass(frozen=True, slots=True)
class Groups:
    """Groups sorted by site; ``site_ptr[s]:site_ptr[s + 1]`` are the groups at site s.

    ``g_bucket[g, d]`` is the global bucket index (across all breakdowns) of group g in breakdown d.
    Contribution i says asset ``contrib_asset[i]`` puts ``contrib_value[i]`` (its value of loss type
    ``loss_types[contrib_loss_type[i]]`` times the function weight) into group ``contrib_group[i]``.
    """

    n_sites: int
    site_ptr: NDArray[np.int64]
    g_site: NDArray[np.int64]
    g_func: NDArray[np.int64]
    g_value: NDArray[np.float64]
    g_bucket: NDArray[np.int64]
    g_loss_type: NDArray[np.int64]
    breakdowns: tuple[Breakdown, ...]
    bucket_offset: NDArray[np.int64]
    functions: tuple[VulnerabilityFunction, ...]
    loss_types: tuple[str, ...]
    contrib_asset: NDArray[np.int64]
    contrib_group: NDArray[np.int64]
    contrib_value: NDArray[np.float64]
    contrib_loss_type: NDArray[np.int64]
    one_per_asset: bool = False
    """True when contribution i is asset i (every asset assigned, one function, one loss type)."""

    @property
    def n_groups(self) -> int:
        return int(self.g_func.shape[0])

    @property
    def n_buckets(self) -> int:
        return int(self.bucket_offset[-1])


def _codes(labels: NDArray[np.object_]) -> tuple[tuple[str, ...], NDArray[np.int64]]:
    """Sorted distinct labels and each entry's index among them."""
    if labels.size and bool(np.all(labels == labels[0])):  # one label (common, and 10x faster than unique)
        return (str(labels[0]),), np.zeros(labels.size, dtype=np.int64)
    uniq, inv = np.unique(labels, return_inverse=True)
    return tuple(str(u) for u in uniq), inv.astype(np.int64)


def build_groups(
    exposure: Exposure,
    assignment: Assignment,
    vulnerability: VulnerabilitySet,
    n_sites: int,
    *,
    loss_types: Sequence[str] | None = None,
    breakdowns: Mapping[str, NDArray[np.object_]] | None = None,
    occupants_period: str = "night",
) -> Groups:
    """Group the exposure for the kernel.

    ``loss_types``: which values to compute losses for (default: every cost type of the exposure that
    the vulnerability set maps; ``occupants`` means fatalities among ``occupants_period`` occupants).
    ``breakdowns``: output dimensions, name -> one label per asset (e.g. ``{"district": exposure.district}``);
    when more than one loss type is computed, each dimension's buckets are split by loss type and the
    dimension ``loss_type`` is added.
    Raises :class:`InputError` for taxonomies without a function (naming them and their asset count).
    """
    where = exposure.source
    if loss_types is None:
        loss_types = [c for c in exposure.costs if c in vulnerability.mapping]
        if not loss_types:
            raise InputError(
                f"{where}: the vulnerability model has functions for {sorted(vulnerability.mapping)} but the exposure "
                f"has costs {sorted(exposure.costs)}; nothing to compute.",
                code="input.inconsistent",
            )
    loss_types = tuple(loss_types)
    functions = tuple(vulnerability.functions.values())
    func_index = {fid: i for i, fid in enumerate(vulnerability.functions)}
    if not breakdowns and len(loss_types) == 1:
        fast = _one_function_groups(exposure, assignment, vulnerability, n_sites, loss_types[0], occupants_period,
                                    functions, func_index)  # fmt: skip
        if fast is not None:
            return fast
    assigned = np.flatnonzero(assignment.site >= 0)
    dims = _dimension_codes(exposure, breakdowns, assigned)
    c_local, c_func, c_value, c_lt = _contributions(exposure, vulnerability, loss_types, occupants_period, assigned,
                                                    func_index)  # fmt: skip
    c_site = assignment.site[assigned][c_local]
    breakdown_list, dim_codes = _breakdowns(dims, loss_types, c_local, c_lt)
    sizes = np.array([b.size for b in breakdown_list], dtype=np.int64)
    bucket_offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    # Merge contributions with equal (site, function, loss type, buckets...) into groups, ordered by that key.
    radices = [n_sites, len(functions), len(loss_types), *(int(b.size) for b in breakdown_list)]
    space = float(np.prod(np.array(radices, dtype=np.float64)))
    if c_site.size and space <= max(8.0 * c_site.size, 2e7):
        return _dense_groups(
            radices, [c_site, c_func, c_lt, *dim_codes], c_value, c_lt, assigned[c_local], n_sites, functions,
            loss_types, breakdown_list, bucket_offset,
        )  # fmt: skip
    return _sorted_groups([c_site, c_func, c_lt, *dim_codes], c_value, c_lt, assigned[c_local], n_sites, functions,
                          loss_types, breakdown_list, bucket_offset)  # fmt: skip


def _dimension_codes(
    exposure: Exposure, breakdowns: Mapping[str, NDArray[np.object_]] | None, assigned: NDArray[np.int64]
) -> list[tuple[str, tuple[str, ...], NDArray[np.int64]]]:
    """For each output dimension: its name, its sorted labels and each assigned asset's label index."""
    where = exposure.source
    dims: list[tuple[str, tuple[str, ...], NDArray[np.int64]]] = []
    for name, labels in (breakdowns or {}).items():
        labels = np.asarray(labels, dtype=object)
        if labels.shape != (len(exposure),):
            raise InputError(
                f"{where}: breakdown '{name}' needs one label per asset.", code="input.inconsistent", field=name
            )
        lab, code = _codes(labels[assigned])
        dims.append((name, lab, code))
    return dims


def _loss_type_values(exposure: Exposure, loss_type: str, occupants_period: str) -> NDArray[np.float64]:
    """The exposure's values of a loss type: a cost, or the occupants of ``occupants_period`` (fatalities)."""
    where = exposure.source
    if loss_type == "occupants":
        if occupants_period not in exposure.occupants:
            raise InputError(
                f"{where}: no occupants for the period '{occupants_period}' (fatalities need them).",
                code="input.missing",
                field=f"occupants_{occupants_period}",
            )
        return exposure.occupants[occupants_period]
    if loss_type in exposure.costs:
        return exposure.costs[loss_type]
    raise InputError(
        f"{where}: the exposure has no '{loss_type}' values; it has {sorted(exposure.costs)}.",
        code="input.missing",
        field=loss_type,
    )


def _resolve_taxonomies(
    vulnerability: VulnerabilitySet, loss_type: str, tax_labels: tuple[str, ...], tax_code: NDArray[np.int64],
    where: str,
) -> list[tuple[tuple[str, float], ...]]:  # fmt: skip
    """The (function id, weight) entries of each taxonomy for a loss type; every taxonomy must resolve."""
    entries = []
    missing = []
    for t in tax_labels:
        resolved = vulnerability.resolve(loss_type, t)
        if resolved is None:
            missing.append(t)
            resolved = ()
        entries.append(resolved)
    if missing:
        counts = {t: int(np.sum(tax_code == tax_labels.index(t))) for t in missing}
        listed = ", ".join(f"{t!r} ({n} assets)" for t, n in sorted(counts.items())[:10])
        raise InputError(
            f"{where}: no {loss_type} vulnerability function for taxonomy {listed}"
            + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            + ". Add them to the taxonomy mapping (or map '*' to a default function).",
            code="input.unknown",
            field="taxonomy",
        )
    return entries


def _contributions(
    exposure: Exposure, vulnerability: VulnerabilitySet, loss_types: tuple[str, ...], occupants_period: str,
    assigned: NDArray[np.int64], func_index: dict[str, int],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]:  # fmt: skip
    """Each assigned asset's contributions, exploded by its taxonomy's (function, weight) entries and loss type:
    (asset position among the assigned, function index, value x weight, loss-type index)."""
    tax_labels, tax_code = _codes(exposure.taxonomy[assigned])
    a_parts, f_parts, v_parts, lt_parts = [], [], [], []
    for lt_index, loss_type in enumerate(loss_types):
        values = _loss_type_values(exposure, loss_type, occupants_period)[assigned]
        # Resolve each taxonomy once, then explode assets by their (function, weight) entries.
        entries = _resolve_taxonomies(vulnerability, loss_type, tax_labels, tax_code, exposure.source)
        n_entries = np.array([len(e) for e in entries], dtype=np.int64)
        start = np.concatenate([[0], np.cumsum(n_entries)[:-1]])
        flat_f = np.array([func_index[fid] for e in entries for fid, _ in e], dtype=np.int64)
        flat_w = np.array([w for e in entries for _, w in e], dtype=np.float64)
        if n_entries.max() == 1:  # one function per taxonomy: no explosion needed
            asset_rep = np.arange(assigned.size)
            slot = start[tax_code]
        else:
            reps = n_entries[tax_code]
            asset_rep = np.repeat(np.arange(assigned.size), reps)
            pos = np.arange(asset_rep.size) - np.repeat(np.cumsum(reps) - reps, reps)
            slot = start[tax_code[asset_rep]] + pos
        a_parts.append(asset_rep)
        f_parts.append(flat_f[slot])
        weight = flat_w[slot]
        v_parts.append(values[asset_rep] * weight if np.any(weight != 1.0) else values[asset_rep])
        lt_parts.append(np.full(asset_rep.size, lt_index, dtype=np.int64))
    c_local = np.concatenate(a_parts) if a_parts else np.zeros(0, dtype=np.int64)
    c_func = np.concatenate(f_parts) if f_parts else np.zeros(0, dtype=np.int64)
    c_value = np.concatenate(v_parts) if v_parts else np.zeros(0)
    c_lt = np.concatenate(lt_parts) if lt_parts else np.zeros(0, dtype=np.int64)
    return c_local, c_func, c_value, c_lt


def _breakdowns(
    dims: list[tuple[str, tuple[str, ...], NDArray[np.int64]]], loss_types: tuple[str, ...],
    c_local: NDArray[np.int64], c_lt: NDArray[np.int64],
) -> tuple[tuple[Breakdown, ...], list[NDArray[np.int64]]]:  # fmt: skip
    """The output dimensions (split by loss type, with a ``loss_type`` dimension, when there are several) and each
    contribution's bucket code in each."""
    n_lt = len(loss_types)
    if n_lt > 1:
        dim_codes = [d[2][c_local] * n_lt + c_lt for d in dims] + [c_lt]
        breakdown_list = (
            *(Breakdown(name, labels, loss_types) for name, labels, _ in dims),
            Breakdown("loss_type", loss_types),
        )
        return breakdown_list, dim_codes
    return tuple(Breakdown(name, labels) for name, labels, _ in dims), [d[2][c_local] for d in dims]


def _sorted_groups(
    keys: list[NDArray[np.int64]],
    c_value: NDArray[np.float64],
    c_lt: NDArray[np.int64],
    c_asset: NDArray[np.int64],
    n_sites: int,
    functions: tuple[VulnerabilityFunction, ...],
    loss_types: tuple[str, ...],
    breakdown_list: tuple[Breakdown, ...],
    bucket_offset: NDArray[np.int64],
) -> Groups:
    """Groups of contributions with equal keys (site, function, loss type, buckets...), found by sorting (when the
    key space is too large for :func:`_dense_groups`)."""
    c_site = keys[0]
    dims_count = len(breakdown_list)
    order = np.lexsort(keys[::-1]) if c_site.size else np.zeros(0, dtype=np.int64)
    sorted_keys = np.vstack([k[order] for k in keys]) if c_site.size else np.zeros((len(keys), 0), dtype=np.int64)
    new = np.ones(order.size, dtype=bool)
    if order.size > 1:
        new[1:] = np.any(sorted_keys[:, 1:] != sorted_keys[:, :-1], axis=0)
    first = np.flatnonzero(new)
    group_of_sorted = np.cumsum(new) - 1
    g_value = np.add.reduceat(c_value[order], first) if first.size else np.zeros(0)
    g_site = sorted_keys[0, first]
    g_func = sorted_keys[1, first]
    g_lt = sorted_keys[2, first]
    g_bucket = (
        (sorted_keys[3:, first].T + bucket_offset[:-1][None, :]).astype(np.int64)
        if dims_count
        else np.zeros((first.size, 0), dtype=np.int64)
    )
    contrib_group = np.empty(order.size, dtype=np.int64)
    contrib_group[order] = group_of_sorted
    site_ptr = np.searchsorted(g_site, np.arange(n_sites + 1), side="left").astype(np.int64)
    return Groups(
        n_sites=n_sites,
        site_ptr=site_ptr,
        g_site=g_site.astype(np.int64),
        g_func=g_func.astype(np.int64),
        g_value=np.ascontiguousarray(g_value, dtype=np.float64),
        g_bucket=np.ascontiguousarray(g_bucket),
        g_loss_type=g_lt.astype(np.int64),
        breakdowns=breakdown_list,
        bucket_offset=bucket_offset,
        functions=functions,
        loss_types=loss_types,
        contrib_asset=c_asset.astype(np.int64),
        contrib_group=contrib_group,
        contrib_value=c_value,
        contrib_loss_type=c_lt,
    )


def _dense_groups(
    radices: list[int],
    keys: list[NDArray[np.int64]],
    c_value: NDArray[np.float64],
    c_lt: NDArray[np.int64],
    c_asset: NDArray[np.int64],
    n_sites: int,
    functions: tuple[VulnerabilityFunction, ...],
    loss_types: tuple[str, ...],
    breakdowns: tuple[Breakdown, ...],
    bucket_offset: NDArray[np.int64],
) -> Groups:
    """Groups by counting instead of sorting: the key (site, function, loss type, buckets) is a mixed-radix
    integer whose order is the groups' order, and the key space is small enough to count in."""
    key = np.zeros(keys[0].size, dtype=np.int64)
    for k, r in zip(keys, radices, strict=True):
        key = key * r + k
    space = int(np.prod(np.array(radices, dtype=np.int64)))
    present = np.bincount(key, minlength=space) > 0
    group_of_key = np.cumsum(present) - 1
    g_keys = np.flatnonzero(present)
    g_value = np.bincount(key, weights=c_value, minlength=space)[present]
    digits = []
    rest = g_keys
    for r in radices[::-1]:
        rest, d = np.divmod(rest, r)
        digits.append(d)
    digits = digits[::-1]
    g_site, g_func, g_lt = digits[0], digits[1], digits[2]
    g_bucket = (
        np.stack(digits[3:], axis=1) + bucket_offset[:-1][None, :]
        if len(digits) > 3
        else np.zeros((g_keys.size, 0), dtype=np.int64)
    )
    return Groups(
        n_sites=n_sites,
        site_ptr=np.searchsorted(g_site, np.arange(n_sites + 1), side="left").astype(np.int64),
        g_site=g_site.astype(np.int64),
        g_func=g_func.astype(np.int64),
        g_value=np.ascontiguousarray(g_value, dtype=np.float64),
        g_bucket=np.ascontiguousarray(g_bucket, dtype=np.int64),
        g_loss_type=g_lt.astype(np.int64),
        breakdowns=breakdowns,
        bucket_offset=bucket_offset,
        functions=functions,
        loss_types=loss_types,
        contrib_asset=c_asset.astype(np.int64),
        contrib_group=group_of_key[key].astype(np.int64),
        contrib_value=c_value,
        contrib_loss_type=c_lt,
    )


def _one_function_groups(
    exposure: Exposure,
    assignment: Assignment,
    vulnerability: VulnerabilitySet,
    n_sites: int,
    loss_type: str,
    occupants_period: str,
    functions: tuple[VulnerabilityFunction, ...],
    func_index: dict[str, int],
) -> Groups | None:
    """Groups are the occupied sites when every asset has the same single function and no output buckets
    are asked for (a plain case, one impact function): two bincounts instead of the general machinery, so
    that a million assets cost milliseconds. None when the case does not apply."""
    tax = exposure.taxonomy
    if tax.size == 0 or not bool(np.all(tax == tax[0])):
        return None
    entries = vulnerability.resolve(loss_type, str(tax[0]))
    if entries is None or len(entries) != 1 or entries[0][1] != 1.0:
        return None
    if loss_type == "occupants":
        if occupants_period not in exposure.occupants:
            return None
        values = exposure.occupants[occupants_period]
    elif loss_type in exposure.costs:
        values = exposure.costs[loss_type]
    else:
        return None
    f = func_index[entries[0][0]]
    site = assignment.site
    ok = site >= 0
    if bool(ok.all()):
        asset, a_site, a_value = np.arange(site.size, dtype=np.int64), site, values
    else:
        asset = np.flatnonzero(ok).astype(np.int64)
        a_site, a_value = site[asset], values[asset]
    counts = np.bincount(a_site, minlength=n_sites)
    occupied = counts > 0
    g_site = np.flatnonzero(occupied).astype(np.int64)
    group_of_site = np.cumsum(occupied) - 1
    g_value = np.bincount(a_site, weights=a_value, minlength=n_sites)[occupied]
    return Groups(
        n_sites=n_sites,
        site_ptr=np.concatenate([[0], np.cumsum(occupied)]).astype(np.int64),
        g_site=g_site,
        g_func=np.full(g_site.size, f, dtype=np.int64),
        g_value=np.ascontiguousarray(g_value, dtype=np.float64),
        g_bucket=np.zeros((g_site.size, 0), dtype=np.int64),
        g_loss_type=np.zeros(g_site.size, dtype=np.int64),
        breakdowns=(),
        bucket_offset=np.zeros(1, dtype=np.int64),
        functions=functions,
        loss_types=(loss_type,),
        contrib_asset=asset,
        contrib_group=group_of_site[a_site].astype(np.int64),
        contrib_value=np.asarray(a_value, dtype=np.float64),
        contrib_loss_type=np.zeros(asset.size, dtype=np.int64),
        one_per_asset=asset.size == site.size,
    )
