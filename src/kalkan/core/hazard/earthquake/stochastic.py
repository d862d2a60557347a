"""Stochastic event sets: Poisson occurrences of a source model's ruptures over T years, and their
ground-motion fields at sites, streamed in blocks of events.

Event-based PSHA (e.g. Musson 2000, The use of Monte Carlo simulations for seismic hazard assessment in the
UK, *Annali di Geofisica* 43(1); OpenQuake's ``event_based`` calculator): ruptures occur as independent
Poisson processes, so in a catalogue of ``T`` years the number of occurrences of a rupture with annual rate
``r`` is Poisson(r T) and each occurrence falls in a uniform year of [0, T) (integer years 0 .. T-1). Every
occurrence is an *event* with frequency 1/T per year: summing any event quantity over the catalogue and
dividing by T estimates its annual rate, and the events of each year give annual totals (aggregate losses).

**GMPE logic trees: Monte Carlo sampling, one branch per event** (the branch index is drawn with the branch
weights as probabilities). The expectation over events of any quantity is then exactly the weighted mean
over branches, with no extra weight on the events (each keeps 1/T), so the risk engine's aggregate and
occurrence curves need no special treatment. Full enumeration (every event under every branch with
frequency w_b / T) would multiply the events, and hence the ground-motion work, by the number of branches
for the same catalogue length; sampling spends that work on a longer catalogue instead. OpenQuake's event
based calculator also samples (its realisations); with a single branch the two coincide.

**Ground motion**: ``ln IM = mean + tau eta + phi eps`` (OpenQuake's convention, as in
:mod:`kalkan.core.hazard.earthquake.gmf`): one between-event residual ``eta`` per event and IMT, within-event
residuals ``eps`` per site, standard normals truncated at ``+-truncation`` by exact inverse-CDF sampling
(:func:`~kalkan.core.hazard.earthquake.gmf.truncated_standard_normal`'s rule). With ``correlation="JB2009"`` the
``eps`` are correlated by Jayaram & Baker (2009) with the exact Cholesky factor or the Vecchia
approximation of :mod:`kalkan.core.hazard.earthquake.gmf` (drawn at every distinct site location, then
correlated). A rupture contributes only at sites within ``max_distance_km`` of it (Rrup, as
:func:`kalkan.core.hazard.earthquake.psha.exceedance_rates`); a rupture with no site that close produces no ground
motion and its events are left out of the hazard (OpenQuake's ``maximum_distance``). Values below
``min_intensity`` (in the IMT's unit: g for PGA and SA, cm/s for PGV) are not stored (OpenQuake's
``minimum_intensity``), so the events x sites matrix stays sparse.

**Random streams and reproducibility.** Every draw comes from a stream keyed by what it describes, never by
its position in a block, so results do not depend on the block size, on the number of sites beyond the
rupture's reach, or on which other IMTs are computed:

- the catalogue of source ``s`` (its index in the list of rupture sets):
  ``PCG64(SeedSequence(seed, spawn_key=(0, s)))`` draws, in this order, the Poisson counts of all its
  ruptures, the year of each occurrence, and one uniform per occurrence that picks its GMPE branch;
- the residuals of rupture ``k`` of source ``s`` for IMT ``imt``:
  ``PCG64(SeedSequence(seed, spawn_key=(1, s, k, crc32(imt))))`` draws, for its occurrences in event order,
  first every ``eta``, then the ``eps`` (occurrence by occurrence; per site within reach in site order
  without correlation, per distinct site location in the correlation method's order with it).

A rupture's events are never split between blocks. Event ids are 1 .. N in (source, rupture, occurrence)
order over the whole model, so an event keeps its id whatever the sites.

**Memory**: the catalogue is a few integers per event; fields are computed for one block of events (at most
``block_events`` events and about 2 million event-site values), thresholded and yielded as CSR rows; only
the kept values outlive the block.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray
from scipy import sparse, special

from kalkan.core.hazard.earthquake import gmf
from kalkan.core.hazard.earthquake.gmf import Correlation
from kalkan.core.hazard.earthquake.gmpe.base import Context
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch, branch_weights, check_imts
from kalkan.core.hazard.earthquake.site import Sites
from kalkan.core.hazard.earthquake.sources import RuptureSet
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError

Floats: TypeAlias = NDArray[np.float64]

__all__ = [
    "DEFAULT_BLOCK_EVENTS",
    "DEFAULT_MIN_INTENSITY",
    "EventSet",
    "GmfBlock",
    "ground_motion_blocks",
    "sample_events",
    "simulate_hazard",
]

DEFAULT_BLOCK_EVENTS = 10_000
"""Events per block of ground-motion fields."""
DEFAULT_MIN_INTENSITY = 0.01
"""Values below this (g for PGA and SA; cm/s for PGV) are not stored: 0.01 g is below the first intensity
of the GEM vulnerability functions, so no loss is lost."""
BLOCK_VALUES = 1 << 21
"""A block also holds at most about this many event x site values (16 MB per float64 work array; smaller
blocks were faster as well as lighter on the Osh run, 45 s against 77 s at 2^23)."""
_CATALOGUE, _FIELDS = 0, 1


@dataclass(frozen=True, slots=True)
class EventSet:
    """A stochastic catalogue: one entry per event (a rupture occurrence), frequency 1/``years`` each.

    ``source_index`` indexes the rupture sets the catalogue was sampled from (their ids in ``source_ids``),
    ``rupture_index`` the rupture within its set, ``year`` is in 0 .. years-1 and ``branch`` indexes
    ``branch_names`` (the GMPE branch sampled for the event).
    """

    years: int
    seed: int
    source_ids: tuple[str, ...]
    branch_names: tuple[str, ...]
    n_ruptures: int
    event_id: NDArray[np.int64]
    source_index: NDArray[np.int32]
    rupture_index: NDArray[np.int64]
    year: NDArray[np.int64]
    branch: NDArray[np.int32]

    @property
    def n_events(self) -> int:
        return int(self.event_id.size)

    @property
    def frequency_per_year(self) -> float:
        """Annual frequency of every event: 1 / T."""
        return 1.0 / self.years

    def rupture_ids(self, positions: NDArray[np.intp] | None = None) -> NDArray[np.str_]:
        """``<source id>:<rupture index>`` of the events at ``positions`` (default: all)."""
        pos = np.arange(self.n_events) if positions is None else positions
        src = np.asarray(self.source_ids, dtype=np.str_)[self.source_index[pos]]
        out: NDArray[np.str_] = np.char.add(np.char.add(src, ":"), self.rupture_index[pos].astype(np.str_))
        return out


def _stream(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def sample_events(
    rupture_sets: Sequence[RuptureSet], years: int, seed: int, branches: Sequence[GmpeBranch]
) -> EventSet:
    """Sample a ``years``-year Poisson catalogue of the ruptures, a GMPE branch per event (module doc)."""
    if isinstance(years, bool) or not isinstance(years, int | np.integer) or years < 1:
        raise InputError(
            f"the catalogue length must be a whole number of years >= 1; got {years!r}.",
            code="input.range",
            field="years",
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a non-negative integer; got {seed!r}.", code="input.range", field="seed")
    if not rupture_sets:
        raise InputError("no source given: the source model has no rupture.", code="input.empty", field="sources")
    cum = np.cumsum(branch_weights(branches))
    cum /= cum[-1]
    src_parts, rup_parts, year_parts, branch_parts = [], [], [], []
    for s, rs in enumerate(rupture_sets):
        rng = _stream(seed, _CATALOGUE, s)
        counts = rng.poisson(rs.rate * years)
        hit = np.flatnonzero(counts)
        n = counts[hit]
        total = int(n.sum())
        rup_parts.append(np.repeat(hit.astype(np.int64), n))
        src_parts.append(np.full(total, s, dtype=np.int32))
        year_parts.append(rng.integers(0, years, size=total, dtype=np.int64))
        u = rng.random(total)
        branch_parts.append(np.minimum(np.searchsorted(cum, u, side="right"), cum.size - 1).astype(np.int32))
    n_events = sum(p.size for p in rup_parts)
    return EventSet(
        years=int(years),
        seed=int(seed),
        source_ids=tuple(rs.source_id for rs in rupture_sets),
        branch_names=tuple(b.name for b in branches),
        n_ruptures=sum(len(rs) for rs in rupture_sets),
        event_id=np.arange(1, n_events + 1, dtype=np.int64),
        source_index=np.concatenate(src_parts),
        rupture_index=np.concatenate(rup_parts),
        year=np.concatenate(year_parts),
        branch=np.concatenate(branch_parts),
    )


# --------------------------------------------------------------------------------------------- fields


@dataclass(frozen=True, slots=True)
class GmfBlock:
    """The ground motion of a block of events: CSR rows per IMT over all sites, values >= the minimum.

    ``events`` are positions in the :class:`EventSet` (ascending); ``indptr[imt]`` has ``events.size + 1``
    entries starting at 0; ``indices`` are site indices (int32), ``data`` values in the IMT's unit (float32).
    Events whose rupture reaches no site have empty rows.
    """

    events: NDArray[np.intp]
    indptr: dict[str, NDArray[np.int64]]
    indices: dict[str, NDArray[np.int32]]
    data: dict[str, NDArray[np.float32]]


def _truncate(u: Floats, truncation: float | None) -> Floats:
    """Uniforms on [0, 1) to standard normals truncated at +-truncation (inverse CDF, in place)."""
    if truncation is None:
        lo = 0.0
    elif truncation == 0:
        u[:] = 0.0
        return u
    else:
        lo = float(special.ndtr(-truncation))
    u *= 1.0 - 2.0 * lo
    u += lo
    np.maximum(u, np.finfo(np.float64).tiny, out=u)  # ndtri(0) = -inf without truncation
    out: Floats = special.ndtri(u)
    if truncation is not None:
        np.clip(out, -truncation, truncation, out=out)
    return out


class _Correlators:
    """JB2009 correlation of within-event residuals at the sites' distinct locations, per IMT (gmf's methods)."""

    def __init__(self, sites: Sites, imts: Sequence[str], vs30_clustering: bool) -> None:
        xyz, inverse = gmf._distinct_locations(sites.lon, sites.lat)
        self.n_draws = int(xyz.shape[0])
        exact = self.n_draws <= gmf.EXACT_MAX_SITES
        by_range: dict[float, Any] = {}
        self.by_imt: dict[str, Any] = {}
        for imt in imts:
            b = gmf.jb2009_range_km(imt, vs30_clustering)
            if b not in by_range:
                cls = gmf._CholeskyCorrelator if exact else gmf._VecchiaCorrelator
                by_range[b] = cls(xyz, inverse, b)
            self.by_imt[imt] = by_range[b]
        self.method = "cholesky" if exact else "vecchia"

    def correlate(self, imt: str, eps: Floats) -> Floats:
        """(events, distinct locations) independent variates -> (events, sites) correlated residuals."""
        out: Floats = self.by_imt[imt].correlate(eps)
        return out


def _groups(events: EventSet) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Start and stop positions of the runs of events sharing a rupture (events are in rupture order)."""
    n = events.n_events
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    change = (np.diff(events.source_index) != 0) | (np.diff(events.rupture_index) != 0)
    starts = np.concatenate([[0], np.flatnonzero(change) + 1]).astype(np.intp)
    stops = np.append(starts[1:], n).astype(np.intp)
    return starts, stops


def _check_imts(imts: Sequence[str], branches: Sequence[GmpeBranch]) -> None:
    if not imts:
        raise InputError("no intensity measure type given.", code="input.missing", field="imt")
    if len(set(imts)) != len(imts):
        raise InputError(f"intensity measures are repeated: {', '.join(imts)}.", code="input.duplicate", field="imt")
    check_imts(branches, imts)


def ground_motion_blocks(
    events: EventSet,
    rupture_sets: Sequence[RuptureSet],
    branches: Sequence[GmpeBranch],
    sites: Sites,
    imts: Sequence[str],
    *,
    truncation: float | None = 3.0,
    correlation: Correlation = None,
    vs30_clustering: bool = False,
    max_distance_km: float = 300.0,
    min_intensity: float | Mapping[str, float] = DEFAULT_MIN_INTENSITY,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    warnings: list[str] | None = None,
) -> Iterator[GmfBlock]:
    """Ground-motion fields of the catalogue's events at ``sites``, block by block (see the module doc).

    ``rupture_sets`` and ``branches`` must be those the catalogue was sampled from. GMPE range warnings are
    appended to ``warnings`` (one per kind).
    """
    if len(rupture_sets) != len(events.source_ids) or any(
        rs.source_id != sid for rs, sid in zip(rupture_sets, events.source_ids, strict=True)
    ):
        raise InputError(
            "the rupture sets are not those the event set was sampled from.",
            code="input.inconsistent",
            field="rupture_sets",
        )
    if tuple(b.name for b in branches) != events.branch_names:
        raise InputError(
            "the GMPE branches are not those the event set was sampled from.",
            code="input.inconsistent",
            field="branches",
        )
    _check_imts(imts, branches)
    if not (math.isfinite(max_distance_km) and max_distance_km > 0):
        raise InputError(
            f"maximum distance {max_distance_km} must be a positive number of km.",
            code="input.range",
            field="max_distance_km",
        )
    if truncation is not None and not (math.isfinite(truncation) and truncation >= 0):
        raise InputError(
            f"truncation must be None or a number >= 0 (standard deviations); got {truncation}.",
            code="input.range",
            field="truncation",
        )
    if correlation not in (None, "JB2009"):
        raise InputError(
            f"Unknown correlation model {correlation!r}; expected None or 'JB2009'.",
            code="input.unknown",
            field="correlation",
        )
    if isinstance(block_events, bool) or not isinstance(block_events, int) or block_events < 1:
        raise InputError(
            f"block_events must be a positive integer; got {block_events!r}.", code="input.range", field="block_events"
        )
    minimum = {imt: float(min_intensity[imt] if isinstance(min_intensity, Mapping) else min_intensity) for imt in imts}
    for imt, v in minimum.items():
        if not (math.isfinite(v) and v >= 0):
            raise InputError(
                f"minimum intensity of {imt} must be a number >= 0; got {v}.", code="input.range", field="min_intensity"
            )
    correlators = _Correlators(sites, imts, vs30_clustering) if correlation and truncation != 0 else None
    n_sites = len(sites)
    value_cap = max(1, BLOCK_VALUES // max(1, correlators.n_draws if correlators else n_sites))
    starts, stops = _groups(events)
    g = 0
    while g < starts.size:
        # whole ruptures, at most block_events events and value_cap events (one rupture may exceed both)
        first = int(starts[g])
        h = int(np.searchsorted(stops, first + min(block_events, value_cap), side="right"))
        h = max(h, g + 1)
        yield _block(events, rupture_sets, branches, sites, imts, starts[g:h], stops[g:h], truncation=truncation,
                     correlators=correlators, max_distance_km=max_distance_km, minimum=minimum,
                     warnings=warnings)  # fmt: skip
        g = h


def _block(
    events: EventSet,
    rupture_sets: Sequence[RuptureSet],
    branches: Sequence[GmpeBranch],
    sites: Sites,
    imts: Sequence[str],
    starts: NDArray[np.intp],
    stops: NDArray[np.intp],
    *,
    truncation: float | None,
    correlators: _Correlators | None,
    max_distance_km: float,
    minimum: dict[str, float],
    warnings: list[str] | None,
) -> GmfBlock:
    """The fields of the events of the rupture groups ``starts[i]:stops[i]`` (consecutive)."""
    pos0, pos1 = int(starts[0]), int(stops[-1])
    positions = np.arange(pos0, pos1, dtype=np.intp)
    n_ev = positions.size
    g_src = events.source_index[starts]
    g_rup = events.rupture_index[starts]
    n_occ = (stops - starts).astype(np.int64)

    # (rupture group, site) pairs within reach, and the context of every pair
    pair_group, pair_site, ctx_parts = [], [], []
    for s in np.unique(g_src):
        sel = np.flatnonzero(g_src == s)
        block = rupture_sets[int(s)].take(g_rup[sel].astype(np.intp))
        d = block.distances(sites.lon, sites.lat)
        rr, ss = np.nonzero(d["rrup"] <= max_distance_km)
        if rr.size == 0:
            continue
        width = block.width if block.finite else np.zeros(len(block))
        ctx_parts.append({
            "mag": block.mag[rr], "rake": block.rake[rr], "dip": block.dip[rr], "ztor": block.ztor[rr],
            "hypo_depth": block.hypo_depth[rr], "width": width[rr],
            **{k: d[k][rr, ss] for k in ("rrup", "rjb", "rx", "ry0", "rhypo")},
        })  # fmt: skip
        pair_group.append(sel[rr])
        pair_site.append(ss)
    empty = GmfBlock(
        positions,
        {imt: np.zeros(n_ev + 1, dtype=np.int64) for imt in imts},
        {imt: np.zeros(0, dtype=np.int32) for imt in imts},
        {imt: np.zeros(0, dtype=np.float32) for imt in imts},
    )
    if not pair_group:
        return empty
    pg = np.concatenate(pair_group)
    ps = np.concatenate(pair_site)
    order = np.lexsort((ps, pg))  # pairs by group, then site (groups of several sources interleave otherwise)
    pg, ps = pg[order], ps[order]
    ctx = Context(
        **{k: np.concatenate([c[k] for c in ctx_parts])[order] for k in ctx_parts[0]},
        vs30=sites.vs30_m_s[ps], vs30measured=sites.vs30_measured[ps], z1pt0=sites.z1pt0_m[ps],
        z2pt5=sites.z2pt5_km[ps],
    )  # fmt: skip
    n_near = np.bincount(pg, minlength=starts.size)  # sites within reach per group
    pair_ptr = np.concatenate([[0], np.cumsum(n_near)])

    # event -> pairs of its rupture: the flat (event, pair) list, events in order, pairs by site
    ev_group = np.repeat(np.arange(starts.size), n_occ)
    ev_len = n_near[ev_group]
    ep_event = np.repeat(np.arange(n_ev), ev_len)
    ep_off = np.arange(ep_event.size) - np.repeat(np.cumsum(ev_len) - ev_len, ev_len)
    ep_pair = pair_ptr[ev_group][ep_event] + ep_off
    ev_start = np.cumsum(ev_len) - ev_len
    ev_branch = events.branch[positions]
    used = np.unique(ev_branch[ev_len > 0])
    if warnings is not None:
        for b in used:
            _add_warnings(warnings, branches[int(b)].gmpe.check(ctx))

    indptr: dict[str, NDArray[np.int64]] = {}
    indices: dict[str, NDArray[np.int32]] = {}
    data: dict[str, NDArray[np.float32]] = {}
    for imt in imts:
        key = zlib.crc32(imt.encode("utf-8"))
        n_draws = correlators.n_draws if correlators is not None else 0
        eta_u = np.full(n_ev, 0.5)  # events out of reach keep the median (never used)
        eps_u = np.full(n_ev * n_draws if correlators is not None else ep_event.size, 0.5)
        for i in np.flatnonzero(n_near):
            e0, n = int(starts[i]) - pos0, int(n_occ[i])
            rng = _stream(events.seed, _FIELDS, int(g_src[i]), int(g_rup[i]), key)
            eta_u[e0 : e0 + n] = rng.random(n)
            if correlators is not None:
                eps_u[e0 * n_draws : (e0 + n) * n_draws] = rng.random(n * n_draws)
            else:
                lo, k = int(ev_start[e0]), int(n_near[i])
                eps_u[lo : lo + n * k] = rng.random(n * k)
        eta = _truncate(eta_u, truncation)
        eps = _truncate(eps_u, truncation)
        if correlators is not None:
            z = correlators.correlate(imt, eps.reshape(n_ev, n_draws))
            eps = z[ep_event, ps[ep_pair]]
        ln = np.empty(ep_event.size)
        for b in used:
            gm = branches[int(b)].gmpe.compute(ctx, imt)
            on = ev_branch[ep_event] == b
            p = ep_pair[on]
            ln[on] = gm.mean[p] + gm.tau[p] * eta[ep_event[on]] + gm.phi[p] * eps[on]
        values = np.exp(ln).astype(np.float32)
        keep = values >= minimum[imt]
        counts = np.bincount(ep_event[keep], minlength=n_ev)
        ip = np.zeros(n_ev + 1, dtype=np.int64)
        np.cumsum(counts, out=ip[1:])
        indptr[imt], indices[imt], data[imt] = ip, ps[ep_pair[keep]].astype(np.int32), values[keep]
    return GmfBlock(positions, indptr, indices, data)


def _add_warnings(warnings: list[str], new: Sequence[str]) -> None:
    seen = {re.sub(r"\d+(\.\d+)?", "#", w) for w in warnings}
    for w in new:
        k = re.sub(r"\d+(\.\d+)?", "#", w)
        if k not in seen:  # one message per kind, not one per block
            warnings.append(w)
            seen.add(k)


def simulate_hazard(
    events: EventSet,
    rupture_sets: Sequence[RuptureSet],
    branches: Sequence[GmpeBranch],
    sites: Sites,
    imts: Sequence[str],
    *,
    keep_empty: bool = False,
    **options: Any,
) -> dict[str, HazardSet]:
    """In-memory HazardSets (one per IMT) of the catalogue's fields: events with frequency 1/T, their years
    and sampled branches (``realisation``). Events with no stored value in any IMT are left out unless
    ``keep_empty`` (they cause no loss; the catalogue length, not the event count, sets the years).
    ``options`` are those of :func:`ground_motion_blocks`. Memory: the stored values; for files written
    block by block see :func:`kalkan.app.event_based.write_event_hazard`."""
    parts: dict[str, list[sparse.csr_matrix]] = {imt: [] for imt in imts}
    kept: list[NDArray[np.intp]] = []
    n_sites = len(sites)
    for blk in ground_motion_blocks(events, rupture_sets, branches, sites, imts, **options):
        rows = [
            sparse.csr_matrix((blk.data[i], blk.indices[i], blk.indptr[i]), shape=(blk.events.size, n_sites))
            for i in imts
        ]
        keep = np.ones(blk.events.size, dtype=bool) if keep_empty else np.zeros(blk.events.size, dtype=bool)
        for m in rows:
            keep |= np.diff(m.indptr) > 0
        kept.append(blk.events[keep])
        for imt, m in zip(imts, rows, strict=True):
            parts[imt].append(m[keep])
    pos = np.concatenate(kept) if kept else np.zeros(0, dtype=np.intp)
    if pos.size == 0:
        raise InputError(
            "no event of the catalogue produces ground motion above the minimum intensity at any site; lengthen the "
            "catalogue, or check that the sources lie within the maximum distance of the sites.",
            code="input.empty",
            field="min_intensity",
        )
    out = {}
    for imt in imts:
        out[imt] = HazardSet(
            peril="earthquake", imt=imt, unit="cm/s" if imt == "PGV" else "g", site_lon=sites.lon,
            site_lat=sites.lat, site_vs30=sites.vs30_m_s, event_id=events.event_id[pos],
            frequency=np.full(pos.size, events.frequency_per_year), intensity=sparse.vstack(parts[imt], format="csr"),
            event_year=events.year[pos], realisation=events.branch[pos].astype(np.int64), owns_intensity=True,
            source=f"stochastic event set: {events.years} years, seed {events.seed}",
        )  # fmt: skip
    return out
