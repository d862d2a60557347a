"""Damage-state outputs of every event: buildings per damage state, casualties, displaced people, loss and
critical facilities out of function, from fragility functions and consequence models.

Definitions (HAZUS-MH Earthquake Technical Manual: ch. 5 damage states, ch. 13 casualties by severity,
ch. 14 displaced households, ch. 15 direct loss as loss ratio per damage state; OpenQuake's scenario-damage
calculator and consequence models). For an asset of N buildings at intensity x, with P_k = P(DS = k | x):

- expected buildings in damage state k: N P_k (no damage: N (1 - P(DS >= 1)), and all N where the event
  does not reach the asset's site);
- loss: value x sum_k P_k loss_ratio_k (in the exposure's currency; ``cost_type`` picks the value);
- casualties of severity s: occupants of ``casualty_period`` x sum_k P_k rate_{s,k} (people);
- displaced: night occupants x sum_k P_k displaced_rate_k (people);
- a critical facility (non-empty ``critical_type``) is non-functional with probability
  P(DS >= non_functional_from of its consequence model); each such asset counts as one facility.

Annual values are sum_e frequency_e x value_e (per year). Assets are aggregated into groups (site,
fragility function, consequence model, output buckets) with summed number, value and occupants, as the
mean-loss engine does (all these outputs are linear in them), so memory is O(non-zeros of one chunk +
groups x blocks + events x buckets), never events x assets. Events run in fixed blocks of
``block_events``; per-block partial sums are folded in block order, so results are identical for any
number of threads. Damage-state probabilities follow :mod:`kalkan.core.vulnerability.fragility_set` (lognormal
CDF with ``math.erfc``; discrete tables linear, zero below the first level, constant above the last;
crossing curves capped).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.risk.assignment import Assignment
from kalkan.core.risk.engine import DEFAULT_BLOCK_EVENTS, InMemorySource, ProgressCallback
from kalkan.core.risk.groups import Breakdown
from kalkan.core.vulnerability.fragility_set import FragilitySet
from kalkan.core.vulnerability.functions import ConsequenceModel, FragilityFunction
from kalkan.errors import InputError

DEFAULT_NONFUNCTIONAL_THRESHOLD = 0.5
"""A facility is counted as likely non-functional in an event when P(non-functional) >= this."""

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


# ------------------------------------------------------------------------------------------------- kernel


@numba.njit(inline="always", nogil=True, cache=True, error_model="numpy")
def _exceedance(f, x, kind, logmed, scale, off, npts, dx, dpoe, top, out):  # type: ignore[no-untyped-def]
    """``out[k] = P(LS >= k | x)`` for k < ``top`` of fragility function ``f``, each capped at the one below.

    Inlined at compile time (``inline="always"``), so the kernels pay no call with array arguments.
    Lognormal: Phi(z) = 0.5 erfc(-z / sqrt 2), z = ln(x / median) / beta, with ``scale`` = 1 / (beta sqrt 2).
    """
    if kind[f] == 0:
        lx = math.log(x) if x > 0.0 else -math.inf
        for k in range(top):
            out[k] = 0.5 * math.erfc((logmed[f, k] - lx) * scale[f, k])
    else:
        o = off[f]
        last = o + npts[f] - 1
        if x < dx[o]:
            for k in range(top):
                out[k] = 0.0
        elif x >= dx[last]:
            for k in range(top):
                out[k] = dpoe[last, k]
        else:
            lo = o
            hi = last  # dx[lo] <= x < dx[hi]
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if dx[mid] <= x:
                    lo = mid
                else:
                    hi = mid
            dxl = x - dx[lo]
            width = dx[lo + 1] - dx[lo]
            for k in range(top):
                out[k] = (dpoe[lo + 1, k] - dpoe[lo, k]) / width * dxl + dpoe[lo, k]  # numpy.interp's formula
    for k in range(1, top):
        if out[k] > out[k - 1]:
            out[k] = out[k - 1]


@numba.njit(parallel=True, nogil=True, cache=True, error_model="numpy")
def damage_blocks(  # type: ignore[no-untyped-def]
    indptr, indices, data, freq, block_start,
    site_ptr, g_func, g_cons, g_value, g_bucket,
    kind, logmed, scale, off, npts, dx, dpoe, cons_q,
    fac_ptr, fe_func, fe_level, fe_weight, fe_fac, fac_type, threshold,
    event_q, bucket_q, rate_partial, crit_event, fac_count, fac_freq, fac_rate,
):  # fmt: skip
    """Damage outputs for the events of each block ``b``: rows ``block_start[b]:block_start[b+1]``.

    Quantities q (columns of ``g_value``, ``cons_q``, ``event_q``): damaged buildings per state, loss,
    casualties per severity, displaced. ``cons_q[c, k, q]`` is what one unit of group value in damage state
    k + 1 gives to q under consequence model c, so group g adds ``g_value[g, q] * sum_k P_k cons_q[c, k, q]``.
    Writes ``event_q[e, q]``, ``bucket_q[e, bucket, q]``, ``crit_event[e, type]`` (expected non-functional
    facilities) and per-block partial sums: ``rate_partial[b, g, k]`` = sum frequency x P_k, and per facility
    the count, frequency and frequency x probability of the events where it is non-functional.
    """
    n_blocks = block_start.size - 1
    n_ls = logmed.shape[1]
    n_q = cons_q.shape[2]
    n_dims = g_bucket.shape[1]
    for b in numba.prange(n_blocks):
        poe = np.zeros(n_ls + 1)  # poe[n_ls] stays 0: P(DS >= n_ls + 1)
        pds = np.empty(n_ls)
        ratio = np.empty(n_q)
        fpoe = np.empty(n_ls)
        for e in range(block_start[b], block_start[b + 1]):
            fe = freq[e]
            for k in range(indptr[e], indptr[e + 1]):
                s = indices[k]
                x = np.float64(data[k])
                cf = -1
                cc = -1
                for g in range(site_ptr[s], site_ptr[s + 1]):
                    f = g_func[g]
                    if f != cf:
                        cf = f
                        cc = -1
                        _exceedance(f, x, kind, logmed, scale, off, npts, dx, dpoe, n_ls, poe)
                        for j in range(n_ls):
                            pds[j] = poe[j] - poe[j + 1]
                    if poe[0] == 0.0:
                        continue
                    c = g_cons[g]
                    if c != cc:
                        cc = c
                        for q in range(n_q):
                            acc = 0.0
                            for j in range(n_ls):
                                acc += pds[j] * cons_q[c, j, q]
                            ratio[q] = acc
                    for j in range(n_ls):
                        rate_partial[b, g, j] += fe * pds[j]
                    for q in range(n_q):
                        v = g_value[g, q] * ratio[q]
                        event_q[e, q] += v
                        for d in range(n_dims):
                            bucket_q[e, g_bucket[g, d], q] += v
                i = fac_ptr[s]
                end = fac_ptr[s + 1]
                while i < end:  # entries of one facility are consecutive; its probability is their mixture
                    cur = fe_fac[i]
                    p = 0.0
                    while i < end and fe_fac[i] == cur:
                        top = fe_level[i] + 1
                        _exceedance(fe_func[i], x, kind, logmed, scale, off, npts, dx, dpoe, top, fpoe)
                        p += fe_weight[i] * fpoe[top - 1]
                        i += 1
                    crit_event[e, fac_type[cur]] += p
                    fac_rate[b, cur] += fe * p
                    if p >= threshold:
                        fac_count[b, cur] += 1
                        fac_freq[b, cur] += fe


def exceedance_numba(function: FragilityFunction, x: NDArray[np.float64]) -> Floats:
    """P(LS >= k | x) of one function with the kernels' rule (for tests): shape (len(x), n_limit_states)."""
    table = _pack_fragility((function,))
    xs = np.ascontiguousarray(x, dtype=np.float64)
    out = np.empty((xs.size, len(function.limit_states)))
    _exceedance_many(xs, *table, out)
    return out


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _exceedance_many(x, kind, logmed, scale, off, npts, dx, dpoe, out):  # type: ignore[no-untyped-def]
    n_ls = out.shape[1]
    row = np.empty(n_ls)
    for i in range(x.size):
        _exceedance(0, x[i], kind, logmed, scale, off, npts, dx, dpoe, n_ls, row)
        for k in range(n_ls):
            out[i, k] = row[k]


FragilityTable = tuple[Ints, Floats, Floats, Ints, Ints, Floats, Floats]
"""kind, ln median, 1 / (beta sqrt 2), first point, number of points, levels, poes: the kernels' arrays."""


def _pack_fragility(functions: tuple[FragilityFunction, ...]) -> FragilityTable:
    """Flat arrays for the kernel: kind (0 lognormal, 1 discrete), ln median and 1 / (beta sqrt 2) per
    limit state, and the discrete tables (first point, number of points, levels, poes)."""
    n_f = len(functions)
    n_ls = len(functions[0].limit_states) if functions else 1
    kind = np.zeros(n_f, dtype=np.int64)
    logmed = np.zeros((n_f, n_ls))
    scale = np.ones((n_f, n_ls))
    off = np.zeros(n_f, dtype=np.int64)
    npts = np.zeros(n_f, dtype=np.int64)
    xs: list[Floats] = [np.zeros(1)]
    poes: list[Floats] = [np.zeros((1, n_ls))]
    pos = 1
    for f, fn in enumerate(functions):
        if fn.kind == "lognormal":
            assert fn.median is not None and fn.beta is not None
            logmed[f] = np.log(fn.median)
            scale[f] = 1.0 / (fn.beta * math.sqrt(2.0))
        else:
            assert fn.intensity is not None and fn.poes is not None
            kind[f] = 1
            off[f] = pos
            npts[f] = fn.intensity.size
            xs.append(fn.intensity)
            poes.append(np.ascontiguousarray(fn.poes.T))
            pos += fn.intensity.size
    return kind, logmed, scale, off, npts, np.concatenate(xs), np.ascontiguousarray(np.concatenate(poes))


# ------------------------------------------------------------------------------------------------- groups


@dataclass(frozen=True, slots=True)
class DamageGroups:
    """Assets aggregated by (site, fragility function, consequence model, buckets), sorted by site.

    ``g_value[g, q]`` is the group's summed value for quantity q: number of buildings for the damage-state
    columns, ``cost_type`` value for the loss, ``casualty_period`` occupants for the casualties (none when
    it is None), night occupants for the displaced (asset values times mapping weights). Contribution i puts asset
    ``contrib_asset[i]`` with mapping weight ``contrib_weight[i]`` into group ``contrib_group[i]``.
    Facility entries (one per facility and mapping entry, sorted by site and facility) give the fragility
    function, the index of the first non-functional limit state and the weight.
    """

    n_sites: int
    n_assets: int
    cost_type: str
    casualty_period: str | None
    damage_states: tuple[str, ...]
    severities: tuple[str, ...]
    has_displaced: bool
    site_ptr: Ints
    g_func: Ints
    g_cons: Ints
    g_value: NDArray[np.float64]
    g_bucket: Ints
    breakdowns: tuple[Breakdown, ...]
    bucket_offset: Ints
    functions: tuple[FragilityFunction, ...]
    cons_q: NDArray[np.float64]
    contrib_asset: Ints
    contrib_group: Ints
    contrib_value: NDArray[np.float64]
    critical_types: tuple[str, ...]
    facility_asset: Ints
    facility_type: Ints
    fac_ptr: Ints
    fe_func: Ints
    fe_level: Ints
    fe_weight: Floats
    fe_fac: Ints

    @property
    def n_limit_states(self) -> int:
        return len(self.damage_states) - 1

    @property
    def n_groups(self) -> int:
        return int(self.g_func.shape[0])

    @property
    def n_buckets(self) -> int:
        return int(self.bucket_offset[-1])

    @property
    def n_quantities(self) -> int:
        return int(self.cons_q.shape[2])

    @property
    def loss_column(self) -> int:
        return self.n_limit_states

    @property
    def casualty_columns(self) -> slice:
        return slice(self.n_limit_states + 1, self.n_limit_states + 1 + len(self.severities))

    @property
    def displaced_column(self) -> int | None:
        return self.n_quantities - 1 if self.has_displaced else None


def _codes(labels: NDArray[np.object_]) -> tuple[tuple[str, ...], Ints]:
    uniq, inv = np.unique(labels.astype(str), return_inverse=True)
    return tuple(str(u) for u in uniq), inv.astype(np.int64).reshape(-1)


def _default_cost_type(exposure: Exposure) -> str:
    for name in ("structural", "total"):
        if name in exposure.costs:
            return name
    raise InputError(
        f"{exposure.source}: the exposure has costs {sorted(exposure.costs)}; damage losses need 'structural' or "
        "'total' values, or a cost_type naming the one to use.",
        code="input.missing",
        field="cost_type",
    )


def _check_damage_inputs(
    exposure: Exposure, fragility: FragilitySet, cost_type: str | None, casualty_period: str | None, displaced: bool
) -> tuple[str, tuple[str, ...], bool]:
    """The cost type the loss ratios apply to, the casualty severities and whether displaced people are computed,
    each checked against what the exposure holds."""
    where = exposure.source
    cost_type = cost_type or _default_cost_type(exposure)
    if cost_type not in exposure.costs:
        raise InputError(
            f"{where}: the exposure has no '{cost_type}' values; it has {sorted(exposure.costs)}.",
            code="input.missing",
            field=cost_type,
        )
    severities = fragility.severities if casualty_period is not None else ()
    if severities and casualty_period not in exposure.occupants:
        raise InputError(
            f"{where}: casualties need occupants for the period '{casualty_period}', but the exposure has "
            f"{sorted(exposure.occupants) or 'no occupants'}. Choose another period, or none to skip casualties.",
            code="input.missing",
            field=f"occupants_{casualty_period}",
        )
    has_displaced = displaced and fragility.has_displaced
    if has_displaced and "night" not in exposure.occupants:
        raise InputError(
            f"{where}: displaced people need night occupants, which the exposure lacks; skip them with "
            "displaced=False.",
            code="input.missing",
            field="occupants_night",
        )
    return cost_type, severities, has_displaced


def _fragility_entries(
    fragility: FragilitySet, tax_labels: tuple[str, ...], tax_code: Ints, where: str
) -> list[tuple[tuple[str, str, float], ...]]:
    """The (fragility, consequence, weight) entries of each taxonomy; every taxonomy must resolve."""
    entries: list[tuple[tuple[str, str, float], ...]] = []
    missing: list[str] = []
    for t in tax_labels:
        resolved = fragility.resolve(t)
        if resolved is None:
            missing.append(t)
        entries.append(resolved or ())
    if missing:
        counts = {t: int(np.sum(tax_code == tax_labels.index(t))) for t in missing}
        listed = ", ".join(f"{t!r} ({n} assets)" for t, n in sorted(counts.items())[:10])
        raise InputError(
            f"{where}: no fragility function for taxonomy {listed}"
            + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
            + f" in {fragility.source}. Add them to the taxonomy mapping (or map '*' to a default).",
            code="input.unknown",
            field="taxonomy",
        )
    return entries


def _consequence_table(
    consequences: tuple[ConsequenceModel, ...], n_ls: int, severities: tuple[str, ...], has_displaced: bool
) -> NDArray[np.float64]:
    """Per-unit consequences ``cons_q[c, k, q]`` of damage state k + 1: buildings in each state, loss ratio,
    casualty rates by severity, displaced rate."""
    n_q = n_ls + 1 + len(severities) + int(has_displaced)
    cons_q = np.zeros((len(consequences), n_ls, n_q))
    for c, cm in enumerate(consequences):
        cons_q[c, :, :n_ls] = np.eye(n_ls)
        cons_q[c, :, n_ls] = cm.loss_ratio
        for i, sev in enumerate(severities):
            cons_q[c, :, n_ls + 1 + i] = cm.casualty_rates[sev]
        if has_displaced:
            assert cm.displaced_rate is not None
            cons_q[c, :, n_q - 1] = cm.displaced_rate
    return cons_q


def _damage_values(
    exposure: Exposure, assigned: Ints, n_ls: int, cost_type: str, casualty_period: str | None,
    severities: tuple[str, ...], has_displaced: bool,
) -> NDArray[np.float64]:  # fmt: skip
    """The values each assigned asset contributes to each quantity: buildings (per damage state), the cost, the
    occupants of the casualty period (per severity), night occupants (displaced)."""
    n_assets = len(exposure)
    n_q = n_ls + 1 + len(severities) + int(has_displaced)
    zeros = np.zeros(n_assets)
    assert exposure.number is not None
    per_asset = [exposure.number] * n_ls + [exposure.costs[cost_type]]
    per_asset += [exposure.occupants[casualty_period] if casualty_period else zeros] * len(severities)
    if has_displaced:
        per_asset.append(exposure.occupants["night"])
    asset_value = np.column_stack(per_asset)[assigned] if assigned.size else np.zeros((0, n_q))
    return asset_value


@dataclass(frozen=True, slots=True)
class _FacilityEntries:
    """The critical facilities (assigned assets with a critical type) and their mapping entries sorted by (site,
    facility): ``entry`` indexes the contributions, ``level`` is the entry's first non-functional damage state."""

    critical_types: tuple[str, ...]
    facility_asset: Ints
    facility_type: Ints
    entry: Ints
    site: Ints
    level: Ints
    facility: Ints


def _facility_entries(
    exposure: Exposure, assigned: Ints, consequences: tuple[ConsequenceModel, ...], c_local: Ints, c_cons: Ints,
    c_site: Ints, where: str,
) -> _FacilityEntries:  # fmt: skip
    """Critical facilities: assigned assets with a critical type, one entry per mapping entry; each entry's
    consequence model must say from which damage state the facility is non-functional."""
    critical = np.asarray(exposure.critical_type, dtype=object)
    is_fac = np.array([bool(v) for v in critical[assigned]], dtype=bool)
    fac_local = np.flatnonzero(is_fac)
    crit_types, fac_type = _codes(critical[assigned][fac_local])
    fac_entry = np.flatnonzero(is_fac[c_local])
    nf_level = np.array(
        [
            -1 if cm.non_functional_from is None else cm.damage_states.index(cm.non_functional_from)
            for cm in consequences
        ],
        dtype=np.int64,
    )
    fac_of_local = np.full(assigned.size, -1, dtype=np.int64)
    fac_of_local[fac_local] = np.arange(fac_local.size)
    fe_level = nf_level[c_cons[fac_entry]]
    if (fe_level < 0).any():
        i = int(fac_entry[np.flatnonzero(fe_level < 0)[0]])
        a = int(assigned[c_local[i]])
        raise InputError(
            f"{where}: asset {exposure.id[a]!r} is a critical facility ({critical[a]}), but consequence model "
            f"{consequences[c_cons[i]].id!r} does not say from which damage state it is non-functional.",
            code="input.inconsistent",
            field="critical_type",
        )
    fe_site = c_site[fac_entry]
    fe_fac = fac_of_local[c_local[fac_entry]]
    fe_order = np.lexsort((fe_fac, fe_site))
    return _FacilityEntries(
        critical_types=crit_types, facility_asset=assigned[fac_local].astype(np.int64), facility_type=fac_type,
        entry=fac_entry[fe_order], site=fe_site[fe_order], level=np.ascontiguousarray(fe_level[fe_order]),
        facility=np.ascontiguousarray(fe_fac[fe_order]),
    )  # fmt: skip


def build_damage_groups(
    exposure: Exposure,
    assignment: Assignment,
    fragility: FragilitySet,
    n_sites: int,
    *,
    cost_type: str | None = None,
    casualty_period: str | None = "night",
    displaced: bool = True,
    breakdowns: Mapping[str, NDArray[np.object_]] | None = None,
) -> DamageGroups:
    """Group the exposure for :func:`damage_blocks`, checking every input first.

    ``cost_type``: the value the consequence loss ratios apply to (default structural, else total).
    ``casualty_period``: whose occupants the casualty rates apply to (None: no casualties).
    ``displaced``: compute displaced people (night occupants) when the consequence models give rates.
    ``breakdowns``: output dimensions, name -> one label per asset (e.g. ``{"district": exposure.district}``).
    Unassigned assets (``assignment.site < 0``) are left out; :class:`DamageResult` lists them.
    """
    where = exposure.source
    cost_type, severities, has_displaced = _check_damage_inputs(exposure, fragility, cost_type, casualty_period,
                                                                displaced)  # fmt: skip
    functions = tuple(fragility.functions.values())
    func_index = {fid: i for i, fid in enumerate(fragility.functions)}
    consequences = tuple(fragility.consequences.values())
    cons_index = {cid: i for i, cid in enumerate(fragility.consequences)}
    n_ls = len(fragility.limit_states)
    n_assets = len(exposure)

    assigned = np.flatnonzero(assignment.site >= 0)
    tax_labels, tax_code = _codes(exposure.taxonomy[assigned])
    entries = _fragility_entries(fragility, tax_labels, tax_code, where)
    cons_q = _consequence_table(consequences, n_ls, severities, has_displaced)
    n_q = cons_q.shape[2]
    asset_value = _damage_values(exposure, assigned, n_ls, cost_type, casualty_period, severities, has_displaced)
    # Explode assets by their (fragility, consequence, weight) entries.
    n_entries = np.array([len(e) for e in entries], dtype=np.int64)
    start = np.concatenate([[0], np.cumsum(n_entries)[:-1]]).astype(np.int64)
    flat_f = np.array([func_index[f] for e in entries for f, _, _ in e], dtype=np.int64)
    flat_c = np.array([cons_index[c] for e in entries for _, c, _ in e], dtype=np.int64)
    flat_w = np.array([w for e in entries for _, _, w in e], dtype=np.float64)
    reps = n_entries[tax_code] if assigned.size else np.zeros(0, dtype=np.int64)
    c_local = np.repeat(np.arange(assigned.size), reps)
    slot = start[tax_code[c_local]] + np.arange(c_local.size) - np.repeat(np.cumsum(reps) - reps, reps)
    c_func = flat_f[slot] if slot.size else np.zeros(0, dtype=np.int64)
    c_cons = flat_c[slot] if slot.size else np.zeros(0, dtype=np.int64)
    c_weight = flat_w[slot] if slot.size else np.zeros(0)
    c_value = asset_value[c_local] * c_weight[:, None]
    c_site = assignment.site[assigned][c_local]

    dims: list[tuple[str, tuple[str, ...], Ints]] = []
    for name, labels in (breakdowns or {}).items():
        labels = np.asarray(labels, dtype=object)
        if labels.shape != (n_assets,):
            raise InputError(
                f"{where}: breakdown '{name}' needs one label per asset.", code="input.inconsistent", field=name
            )
        lab, code = _codes(labels[assigned])
        dims.append((name, lab, code[c_local]))
    breakdown_list = tuple(Breakdown(name, lab) for name, lab, _ in dims)
    sizes = np.array([len(b.labels) for b in breakdown_list], dtype=np.int64)
    bucket_offset = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    # Sort contributions by (site, function, consequence, buckets...) and merge equal keys into groups.
    keys = np.vstack([c_site, c_func, c_cons, *[d[2] for d in dims]]).astype(np.int64)
    order = np.lexsort(keys[::-1]) if c_local.size else np.zeros(0, dtype=np.int64)
    sk = keys[:, order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = np.any(sk[:, 1:] != sk[:, :-1], axis=0)
    first = np.flatnonzero(new)
    g_value = np.add.reduceat(c_value[order], first, axis=0) if first.size else np.zeros((0, n_q))
    contrib_group = np.empty(order.size, dtype=np.int64)
    contrib_group[order] = np.cumsum(new) - 1
    g_site = sk[0, first]
    g_bucket = sk[3:, first].T + bucket_offset[:-1][None, :]

    fac = _facility_entries(exposure, assigned, consequences, c_local, c_cons, c_site, where)
    return DamageGroups(
        n_sites=n_sites,
        n_assets=n_assets,
        cost_type=cost_type,
        casualty_period=casualty_period if severities else None,
        damage_states=fragility.damage_states,
        severities=severities,
        has_displaced=has_displaced,
        site_ptr=np.searchsorted(g_site, np.arange(n_sites + 1), side="left").astype(np.int64),
        g_func=np.ascontiguousarray(sk[1, first]),
        g_cons=np.ascontiguousarray(sk[2, first]),
        g_value=np.ascontiguousarray(g_value, dtype=np.float64),
        g_bucket=np.ascontiguousarray(g_bucket, dtype=np.int64),
        breakdowns=breakdown_list,
        bucket_offset=bucket_offset,
        functions=functions,
        cons_q=cons_q,
        contrib_asset=assigned[c_local].astype(np.int64),
        contrib_group=contrib_group,
        contrib_value=c_value,
        critical_types=fac.critical_types,
        facility_asset=fac.facility_asset,
        facility_type=fac.facility_type,
        fac_ptr=np.searchsorted(fac.site, np.arange(n_sites + 1), side="left").astype(np.int64),
        fe_func=np.ascontiguousarray(c_func[fac.entry]),
        fe_level=fac.level,
        fe_weight=np.ascontiguousarray(c_weight[fac.entry]),
        fe_fac=fac.facility,
    )


# ------------------------------------------------------------------------------------------------- result


@dataclass(frozen=True, slots=True)
class DamageResult:
    """Per-event damage outputs and their annual expected values (see module docstring).

    Units: ``buildings`` expected numbers of buildings, columns ``damage_states`` (no damage first); rows
    sum to the number of buildings of the assigned assets. ``loss`` in ``currency`` (``cost_type`` values).
    ``casualties_people`` people per severity (columns ``severities``, occupants of ``casualty_period``);
    ``displaced_people`` people (None when not computed). ``bucket_*``: the same per output bucket (bucket
    ``bucket_offset[d] + i`` is label i of ``breakdowns[d]``), None when not kept.
    ``nonfunctional_facilities[e, t]``: expected number of facilities of ``critical_types[t]`` out of
    function in event e. Per facility (asset ``facility_asset[i]``): ``facility_nonfunctional_events`` the
    number of events with P(non-functional) >= ``nonfunctional_threshold``, ``facility_nonfunctional_freq_per_year``
    their summed frequency (events per year), ``facility_nonfunctional_per_year`` sum_e frequency x probability.
    ``group_rate[g, k]`` = sum_e frequency x P(DS = k + 1) of group g (per year, per unit value).
    """

    damage_states: tuple[str, ...]
    severities: tuple[str, ...]
    frequency_per_year: Floats
    buildings: NDArray[np.float64]
    loss: Floats
    casualties_people: NDArray[np.float64]
    displaced_people: Floats | None
    bucket_buildings: NDArray[np.float64] | None
    bucket_loss: NDArray[np.float64] | None
    bucket_casualties_people: NDArray[np.float64] | None
    bucket_displaced_people: NDArray[np.float64] | None
    breakdowns: tuple[Breakdown, ...]
    bucket_offset: Ints
    critical_types: tuple[str, ...]
    nonfunctional_facilities: NDArray[np.float64]
    facility_asset: Ints
    facility_type: Ints
    facility_nonfunctional_events: Ints
    facility_nonfunctional_freq_per_year: Floats
    facility_nonfunctional_per_year: Floats
    nonfunctional_threshold: float
    group_rate: NDArray[np.float64]
    groups: DamageGroups
    cost_type: str
    currency: str
    casualty_period: str | None
    unassigned: Ints
    block_events: int

    def per_year(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """sum_e frequency_e x values[e] (first axis: events), per year; pairwise summation (deterministic)."""
        f = self.frequency_per_year.reshape((-1,) + (1,) * (values.ndim - 1))
        return np.asarray(np.sum(f * values, axis=0), dtype=np.float64)

    @property
    def buildings_per_year(self) -> Floats:
        """Expected number of buildings per year in each damage state (sum over events of frequency x count)."""
        return self.per_year(self.buildings)

    @property
    def loss_per_year(self) -> float:
        """Average annual loss from the consequence model, ``currency`` per year."""
        return float(self.per_year(self.loss))

    @property
    def casualties_people_per_year(self) -> Floats:
        """Expected casualties per year by severity (people per year)."""
        return self.per_year(self.casualties_people)

    @property
    def displaced_people_per_year(self) -> float | None:
        """Expected displaced people per year (None when not computed)."""
        return None if self.displaced_people is None else float(self.per_year(self.displaced_people))

    @property
    def nonfunctional_facilities_per_year(self) -> Floats:
        """Expected number of facility outages per year by critical type."""
        return self.per_year(self.nonfunctional_facilities)

    def _asset_per_year(self, columns: slice) -> NDArray[np.float64]:
        g = self.groups
        unit = np.einsum("gk,gkq->gq", self.group_rate, g.cons_q[g.g_cons][:, :, columns])
        out = np.zeros((g.n_assets, unit.shape[1]))
        np.add.at(out, g.contrib_asset, g.contrib_value[:, columns] * unit[g.contrib_group])
        return out

    def asset_damaged_buildings_per_year(self) -> NDArray[np.float64]:
        """Per asset, expected buildings per year in DS1..DSn, shape (n_assets, n_limit_states)."""
        return self._asset_per_year(slice(0, self.groups.n_limit_states))

    def asset_loss_per_year(self) -> Floats:
        """Per asset, average annual loss from the consequence model (``currency`` per year)."""
        col = self.groups.loss_column
        return self._asset_per_year(slice(col, col + 1))[:, 0]

    def asset_casualties_people_per_year(self) -> NDArray[np.float64]:
        """Per asset, expected casualties per year by severity, shape (n_assets, n_severities)."""
        return self._asset_per_year(self.groups.casualty_columns)


# ------------------------------------------------------------------------------------------------ compute


def check_fragility(groups: DamageGroups, hazard: HazardSet) -> None:
    """Every fragility function used must be for the hazard's intensity measure and unit."""
    used = np.unique(np.concatenate([groups.g_func, groups.fe_func]))
    for f in used:
        fn = groups.functions[int(f)]
        if fn.imt != hazard.imt or fn.unit != hazard.unit:
            raise InputError(
                f"{hazard.source}: fragility function '{fn.id}' ({fn.source}) is for {fn.imt} in {fn.unit}, but the "
                f"hazard gives {hazard.imt} in {hazard.unit}. Use functions for this hazard's intensity measure.",
                code="input.inconsistent",
                field="imt",
            )


def compute_damage(
    hazard: HazardSet,
    exposure: Exposure,
    assignment: Assignment,
    fragility: FragilitySet,
    *,
    cost_type: str | None = None,
    casualty_period: str | None = "night",
    displaced: bool = True,
    breakdowns: Mapping[str, NDArray[np.object_]] | None = None,
    keep_buckets: bool = True,
    nonfunctional_threshold: float = DEFAULT_NONFUNCTIONAL_THRESHOLD,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    chunk_blocks: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> DamageResult:
    """Damage-state outputs of every event of ``hazard`` (see the module docstring and :class:`DamageResult`).

    Options as :func:`build_damage_groups`. ``block_events`` fixes the summation order of the annual sums
    per group and per facility (results are identical for any thread count with the same value);
    ``chunk_blocks`` (default: the number of numba threads) bounds memory to that many blocks at a time and
    does not change results.
    """
    if block_events < 1 or (chunk_blocks is not None and chunk_blocks < 1):
        raise InputError("block_events and chunk_blocks must be positive.", code="input.range", field="block_events")
    if not 0.0 < nonfunctional_threshold <= 1.0:
        raise InputError(
            f"nonfunctional_threshold must be in (0, 1], got {nonfunctional_threshold}.",
            code="input.range",
            field="nonfunctional_threshold",
        )
    groups = build_damage_groups(
        exposure,
        assignment,
        fragility,
        hazard.n_sites,
        cost_type=cost_type,
        casualty_period=casualty_period,
        displaced=displaced,
        breakdowns=breakdowns,
    )
    check_fragility(groups, hazard)
    table = _pack_fragility(groups.functions)
    n_e, n_ls, n_q = hazard.n_events, groups.n_limit_states, groups.n_quantities
    n_b, n_fac = groups.n_buckets if keep_buckets else 0, groups.facility_asset.size
    freq = hazard.frequency
    event_q = np.zeros((n_e, n_q))
    bucket_q = np.zeros((n_e, n_b, n_q))
    crit_event = np.zeros((n_e, len(groups.critical_types)))
    rate = np.zeros((groups.n_groups, n_ls))
    fac_count = np.zeros(n_fac, dtype=np.int64)
    fac_freq = np.zeros(n_fac)
    fac_rate = np.zeros(n_fac)
    g_bucket = groups.g_bucket if keep_buckets else np.zeros((groups.n_groups, 0), dtype=np.int64)
    per_chunk = block_events * (chunk_blocks or max(1, int(numba.get_num_threads())))
    for chunk in InMemorySource(hazard).chunks(per_chunk):
        n = chunk.stop - chunk.start
        block_start = np.unique(np.append(np.arange(0, n, block_events), n)).astype(np.int64)
        nb = block_start.size - 1
        partial = np.zeros((nb, groups.n_groups, n_ls))
        p_count = np.zeros((nb, n_fac), dtype=np.int64)
        p_freq = np.zeros((nb, n_fac))
        p_rate = np.zeros((nb, n_fac))
        damage_blocks(
            chunk.indptr, chunk.indices, chunk.data, freq[chunk.start : chunk.stop], block_start,
            groups.site_ptr, groups.g_func, groups.g_cons, groups.g_value, g_bucket,
            *table, groups.cons_q,
            groups.fac_ptr, groups.fe_func, groups.fe_level, groups.fe_weight, groups.fe_fac, groups.facility_type,
            float(nonfunctional_threshold),
            event_q[chunk.start : chunk.stop], bucket_q[chunk.start : chunk.stop], partial,
            crit_event[chunk.start : chunk.stop], p_count, p_freq, p_rate,
        )  # fmt: skip
        for b in range(nb):  # fold in block order: the summation order depends on block_events alone
            rate += partial[b]
            fac_count += p_count[b]
            fac_freq += p_freq[b]
            fac_rate += p_rate[b]
        if on_progress is not None:
            on_progress(int(100 * chunk.stop / n_e), f"events {chunk.stop:,} of {n_e:,} (damage)")

    damaged = event_q[:, :n_ls]
    total_buildings = float(np.sum(groups.g_value[:, 0])) if groups.n_groups else 0.0
    no_damage = np.maximum(total_buildings - damaged.sum(axis=1), 0.0)
    buildings = np.column_stack([no_damage, damaged])
    bucket_buildings = bucket_loss = bucket_cas = bucket_disp = None
    if keep_buckets and groups.breakdowns:
        bucket_n = np.zeros(n_b)
        for d in range(g_bucket.shape[1]):
            np.add.at(bucket_n, g_bucket[:, d], groups.g_value[:, 0])
        b_damaged = bucket_q[:, :, :n_ls]
        b_none = np.maximum(bucket_n[None, :] - b_damaged.sum(axis=2), 0.0)
        bucket_buildings = np.concatenate([b_none[:, :, None], b_damaged], axis=2)
        bucket_loss = bucket_q[:, :, groups.loss_column]
        bucket_cas = bucket_q[:, :, groups.casualty_columns]
        if groups.displaced_column is not None:
            bucket_disp = bucket_q[:, :, groups.displaced_column]
    disp_col = groups.displaced_column
    return DamageResult(
        damage_states=groups.damage_states,
        severities=groups.severities,
        frequency_per_year=freq,
        buildings=buildings,
        loss=event_q[:, groups.loss_column].copy(),
        casualties_people=event_q[:, groups.casualty_columns].copy(),
        displaced_people=None if disp_col is None else event_q[:, disp_col].copy(),
        bucket_buildings=bucket_buildings,
        bucket_loss=bucket_loss,
        bucket_casualties_people=bucket_cas,
        bucket_displaced_people=bucket_disp,
        breakdowns=groups.breakdowns,
        bucket_offset=groups.bucket_offset,
        critical_types=groups.critical_types,
        nonfunctional_facilities=crit_event,
        facility_asset=groups.facility_asset,
        facility_type=groups.facility_type,
        facility_nonfunctional_events=fac_count,
        facility_nonfunctional_freq_per_year=fac_freq,
        facility_nonfunctional_per_year=fac_rate,
        nonfunctional_threshold=float(nonfunctional_threshold),
        group_rate=rate,
        groups=groups,
        cost_type=groups.cost_type,
        currency=exposure.currency,
        casualty_period=groups.casualty_period,
        unassigned=assignment.unassigned,
        block_events=block_events,
    )
