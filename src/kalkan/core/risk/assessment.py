"""Assess risk in memory: hazards x exposure x vulnerability -> :class:`Assessment`, a typed value that carries its
metrics (CLIMADA's ``ImpactCalc.impact(exposures, impfset, hazard) -> Impact`` is the model).

One call groups the exposure once (:mod:`kalkan.core.risk.groups`), runs the engine on the part of the groups of
each intensity measure with the hazard of that measure (they share events), adds the parts up, and computes the
metrics once, by the one rule of :mod:`kalkan.core.risk.metrics`: average annual loss, the occurrence curve, losses
at return periods, TVaR, aggregate (annual) curves when events carry years, per loss type, per asset, and, when
asked, per-asset return-period maps and damage states, casualties and non-functional facilities
(:func:`assess_damage`). Nothing is read or written here: the use cases load the inputs and
:mod:`kalkan.io.assessment` writes the result.

Units: money in the exposure's currency and price year (``currency``, ``price_year``); frequencies in events per
year; annual values per year; ``occupants`` loss type in people (fatalities).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.risk import metrics
from kalkan.core.risk.assignment import Assignment, explicit_sites, nearest_sites
from kalkan.core.risk.damage import DamageResult, compute_damage
from kalkan.core.risk.engine import (
    DEFAULT_BLOCK_EVENTS,
    EventSource,
    InMemorySource,
    ProgressCallback,
    check_functions,
    compute_mean,
    warm_up,
)
from kalkan.core.risk.groups import Groups, build_groups
from kalkan.core.risk.maps import asset_rp_losses
from kalkan.core.risk.return_periods import check_return_periods, rp_key
from kalkan.core.risk.sampled import SAMPLED_MODES, compute_sampled
from kalkan.core.risk.subset import by_imt, subset_groups
from kalkan.core.vulnerability.fragility_set import FragilitySet
from kalkan.core.vulnerability.functions import VulnerabilitySet
from kalkan.errors import InputError

MONETARY = ("structural", "nonstructural", "contents", "total")
"""Loss types in money (added into the total loss); ``occupants`` is in people."""

MODES = ("mean", "sampled")
"""Engine modes: mean loss ratios, or loss ratios sampled from their distributions (needs a seed)."""


class StreamedHazard(EventSource, Protocol):
    """A hazard read from disk event chunk by event chunk (memory independent of the number of events): the
    per-event and per-site vectors in memory, the intensities through :meth:`EventSource.chunks`."""

    @property
    def imt(self) -> str: ...

    @property
    def unit(self) -> str: ...

    @property
    def peril(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def frequency(self) -> NDArray[np.float64]: ...

    @property
    def event_id(self) -> NDArray[np.int64]: ...

    @property
    def site_lon(self) -> NDArray[np.float64]: ...

    @property
    def site_lat(self) -> NDArray[np.float64]: ...

    @property
    def nnz(self) -> int: ...

    @property
    def data_dtype(self) -> np.dtype[Any]: ...

    def chunks(self, events_per_chunk: int) -> Any: ...


AnyHazard = HazardSet | StreamedHazard


@dataclass(frozen=True, slots=True)
class LossTypeMetrics:
    """The average annual loss (per year) and the losses at the return periods (by key, e.g. ``"100"``) of one
    loss type: money in the exposure's currency, ``occupants`` in people."""

    aal_per_year: float
    rp_losses: dict[str, float]


@dataclass(frozen=True, slots=True)
class LossBreakdown:
    """Non-zero event losses by output dimension (district, occupancy, ...), bucket and loss type: a long table,
    one row per (event, dimension, bucket) with a loss; money in the exposure's currency, ``occupants`` in people."""

    event_id: NDArray[np.int64]
    dimension: NDArray[np.object_]
    bucket: NDArray[np.object_]
    loss_type: NDArray[np.object_]
    loss: NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ScenarioMetrics:
    """A scenario run (one event per ground-motion field, frequencies = realisation weight / N summing to 1):
    the 'annual' sums are the probability-weighted average loss per event, reported as such."""

    average_event_loss: float
    average_event_loss_per_realisation: dict[str, float]
    std_event_loss: float


@dataclass(frozen=True, slots=True)
class DamageAssessment:
    """Damage states, casualties, displaced people and non-functional critical facilities of one run, from the
    fragility functions applied to the hazard of their intensity measure (``hazard``: ``"IMT (unit)"``)."""

    result: DamageResult
    hazard: str
    event_id: NDArray[np.int64]
    asset_id: NDArray[np.object_]
    assignment: Assignment
    n_sites: int


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of :func:`assess`: event losses, per-asset annual losses and their metrics, computed once.

    ``event_loss_by_type[e, k]`` and ``asset_aal_by_type[a, k]`` are by ``loss_types[k]``; ``event_loss`` and
    ``asset_aal_per_year`` are the monetary loss types added up. Money in ``currency`` of ``price_year``;
    ``occupants`` in people.
    """

    event_id: NDArray[np.int64]
    frequency_per_year: NDArray[np.float64]
    event_year: NDArray[np.int64] | None
    realisation: NDArray[np.int64] | None
    loss_types: tuple[str, ...]
    event_loss_by_type: NDArray[np.float64]
    asset_id: NDArray[np.object_]
    asset_aal_by_type: NDArray[np.float64]
    event_loss: NDArray[np.float64]
    asset_aal_per_year: NDArray[np.float64]
    currency: str
    price_year: int | None
    return_periods_years: tuple[float, ...]
    curve: metrics.ExceedanceCurve
    aal_per_year: float
    rp_losses: dict[str, float]
    tvar: dict[str, float]
    aggregate: dict[str, object] | None
    by_loss_type: dict[str, LossTypeMetrics]
    scenario: ScenarioMetrics | None
    breakdown: LossBreakdown | None
    rp_maps_years: tuple[float, ...]
    asset_rp_losses: NDArray[np.float64] | None
    assignment: Assignment
    hazards: tuple[str, ...]
    n_sites: int
    n_groups: int
    intensity_nnz: int
    kernel_s: float | None = None
    """Seconds of the engine's passes over the hazard (mean mode), part of the computation."""
    jit_s: float = 0.0
    """Seconds spent compiling (or loading from numba's cache) the kernels before the computation."""
    damage: DamageAssessment | None = None

    @property
    def n_events(self) -> int:
        return int(self.event_id.size)

    @property
    def n_assets(self) -> int:
        return int(self.asset_id.size)

    @property
    def assigned_assets(self) -> int:
        """Assets with a hazard site (the others have no loss; :attr:`assignment` names them)."""
        return self.n_assets - int(self.assignment.unassigned.size)

    @property
    def money(self) -> str:
        """The money unit: ``USD of 2021``, or the currency alone when no price year is known."""
        return f"{self.currency} of {self.price_year}" if self.price_year else self.currency

    @property
    def monetary(self) -> list[int]:
        """Columns of the monetary loss types."""
        return [i for i, lt in enumerate(self.loss_types) if lt in MONETARY]


def site_assignment(exposure: Exposure, hazard: AnyHazard, max_distance_km: float) -> Assignment:
    """Each asset's hazard site: the exposure's own site ids when it has them, else the nearest site within
    ``max_distance_km`` (km)."""
    if exposure.site_id is not None:
        return explicit_sites(exposure.site_id, hazard.n_sites, where=exposure.source)
    return nearest_sites(exposure.lon, exposure.lat, hazard.site_lon, hazard.site_lat, max_distance_km)


def default_loss_types(exposure: Exposure, vulnerability: VulnerabilitySet) -> list[str]:
    """The exposure's cost types that the model has functions for, and ``occupants`` (fatalities) when it has
    occupant functions and the exposure occupants."""
    loss_types = [c for c in exposure.costs if c in vulnerability.mapping]
    if "occupants" in vulnerability.mapping and exposure.occupants:
        loss_types.append("occupants")
    return loss_types


def check_mode(mode: str, seed: int | None) -> None:
    """The engine mode is known, and a sampled run has a seed (so that it can be reproduced)."""
    if mode != "mean" and mode not in SAMPLED_MODES:
        raise InputError(f"Unknown mode {mode!r}; expected mean or sampled.", code="input.unknown", field="mode")
    if mode != "mean" and seed is None:
        raise InputError(
            "Sampled mode needs --seed, so that the run can be reproduced.", code="input.missing", field="seed"
        )


@dataclass(frozen=True, slots=True)
class PreparedLosses:
    """Groups of an exposure, split by the intensity measure of their functions (``parts``), with the hazard of
    each (``hazards``), both keyed by (IMT, unit)."""

    groups: Groups
    parts: dict[tuple[str, str], Groups]
    hazards: dict[tuple[str, str], AnyHazard]


@dataclass(frozen=True, slots=True)
class Losses:
    """Event losses per loss type (events x loss types), per-asset annual losses (assets x loss types, per year),
    event losses by bucket (events x buckets; mean mode only) and the loss types, in the exposure's units."""

    event_by_lt: NDArray[np.float64]
    asset_aal: NDArray[np.float64]
    buckets: NDArray[np.float64] | None
    loss_types: tuple[str, ...]
    kernel_s: float | None = None
    """Seconds of the engine's passes over the hazard (mean mode; part of the computation)."""


def prepare_losses(
    hazards: Sequence[AnyHazard],
    exposure: Exposure,
    assignment: Assignment,
    vulnerability: VulnerabilitySet,
    loss_types: Sequence[str],
    breakdowns: Mapping[str, NDArray[np.object_]] | None,
    occupants_period: str,
) -> PreparedLosses:
    """Group the exposure once and split the groups by the intensity measure of their functions, each part with
    the hazard of its measure (which must be among ``hazards``, with functions for its measure and unit)."""
    first = hazards[0]
    groups = build_groups(exposure, assignment, vulnerability, first.n_sites, loss_types=loss_types,
                          breakdowns=breakdowns, occupants_period=occupants_period)  # fmt: skip
    parts = by_imt(groups)
    by_key = {(h.imt, h.unit): h for h in hazards}
    for key in parts:
        if key not in by_key:
            given = ", ".join(f"{h.imt} in {h.unit}" for h in hazards)
            raise InputError(
                f"The vulnerability model has functions of {key[0]} in {key[1]} for assets of this exposure, but the "
                f"hazard gives {given}. Add a hazard file of {key[0]}.",
                code="input.missing",
                field="hazard",
            )
        check_functions(parts[key], key[0], key[1], str(by_key[key].source))
    return PreparedLosses(groups, parts, by_key)


def compute_losses(
    prepared: PreparedLosses,
    exposure: Exposure,
    assignment: Assignment,
    *,
    mode: str = "mean",
    seed: int | None = None,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    client: Any = None,
    on_progress: ProgressCallback | None = None,
) -> Losses:
    """Run the engine on every intensity measure's part and add the results up (the parts share events)."""
    check_mode(mode, seed)
    groups, parts, hazards = prepared.groups, prepared.parts, prepared.hazards
    first = next(iter(hazards.values()))
    n_lt = len(groups.loss_types)
    event_by_lt = np.zeros((first.n_events, n_lt))
    buckets = np.zeros((first.n_events, groups.n_buckets)) if mode == "mean" else None
    asset_aal = np.zeros((exposure.n_assets, n_lt))
    kernel_s = 0.0
    for key, part in parts.items():
        h = hazards[key]
        if mode == "mean":
            assert buckets is not None
            off = int(part.bucket_offset[len(part.breakdowns) - 1])  # the loss_type dimension is last

            def add_chunk(
                start: int, losses: NDArray[np.float64], off: int = off, totals: NDArray[np.float64] = event_by_lt
            ) -> None:
                """Fold one chunk of events x buckets into the totals, so no part holds a second full copy."""
                assert buckets is not None
                buckets[start : start + losses.shape[0]] += losses
                if n_lt > 1:
                    totals[start : start + losses.shape[0]] += losses[:, off : off + n_lt]

            source: EventSource = InMemorySource(h) if isinstance(h, HazardSet) else h
            tk = time.perf_counter()
            r = compute_mean(source, h.frequency, part, block_events=block_events, on_progress=on_progress,
                             client=client, keep_buckets=False, bucket_sink=add_chunk)  # fmt: skip
            kernel_s += time.perf_counter() - tk
            if len(parts) == 1:
                asset_aal = r.asset_aal(exposure.n_assets)  # one part: its own array, no second copy of the assets
            else:
                asset_aal += r.asset_aal(exposure.n_assets)
            if n_lt == 1 and len(parts) == 1:
                event_by_lt = r.event_loss[:, None]  # one part, one loss type: the engine's own array
            elif n_lt == 1:
                event_by_lt[:, 0] += r.event_loss
        else:
            if not isinstance(h, HazardSet):
                raise InputError("Sampled mode needs the whole hazard in memory; drop --stream.", code="input.options",
                                 field="--stream")  # fmt: skip
            if n_lt > 1:
                raise InputError("Sampled mode computes one loss type at a time; restrict the exposure's costs.",
                                 code="input.options", field="mode")  # fmt: skip
            assert seed is not None
            sampled = compute_sampled(h, exposure, assignment, part, seed=seed, block_events=block_events,
                                      on_progress=on_progress)  # fmt: skip
            event_by_lt[:, 0] += sampled.event_loss
            asset_aal[:, 0] += sampled.asset_aal
    return Losses(event_by_lt, asset_aal, buckets, tuple(groups.loss_types), kernel_s if mode == "mean" else None)


def _warm_up(prepared: PreparedLosses, maps: bool) -> float:
    """Compile (or load from numba's cache) the kernels each part needs, so that the computation's timing does not
    include the JIT; returns the seconds it took."""
    t0 = time.perf_counter()
    for key, part in prepared.parts.items():
        warm_up(prepared.hazards[key].data_dtype, groups=part, maps=maps)
    return time.perf_counter() - t0


def long_losses(
    groups: Groups, buckets: NDArray[np.float64], event_id: NDArray[np.int64], loss_types: Sequence[str]
) -> LossBreakdown:
    """Non-zero event losses by dimension (district, occupancy, ...), bucket and loss type, as a long table."""
    dims, labels, kinds, vals, evs = [], [], [], [], []
    for d, b in enumerate(groups.breakdowns):
        off = int(groups.bucket_offset[d])
        block = buckets[:, off : off + b.size]
        e_idx, k_idx = np.nonzero(block)
        decoded = [b.bucket(k) for k in range(b.size)]
        dims.append(np.full(e_idx.size, b.name, dtype=object))
        labels.append(np.array([decoded[k][0] for k in k_idx], dtype=object))
        kinds.append(np.array([decoded[k][1] or (b.labels[k] if b.name == "loss_type" else loss_types[0])
                               for k in k_idx], dtype=object))  # fmt: skip
        vals.append(block[e_idx, k_idx])
        evs.append(event_id[e_idx])
    return LossBreakdown(
        event_id=np.concatenate(evs) if evs else np.zeros(0, dtype=np.int64),
        dimension=np.concatenate(dims) if dims else np.zeros(0, dtype=object),
        bucket=np.concatenate(labels) if labels else np.zeros(0, dtype=object),
        loss_type=np.concatenate(kinds) if kinds else np.zeros(0, dtype=object),
        loss=np.concatenate(vals) if vals else np.zeros(0),
    )


def _rp_maps(
    parts: Mapping[tuple[str, str], Groups], hazards: Mapping[tuple[str, str], AnyHazard], n_assets: int,
    rp_maps: Sequence[float],
) -> NDArray[np.float64]:  # fmt: skip
    """Per-asset losses at return periods (monetary loss types, one intensity measure)."""
    if len(parts) != 1:
        raise InputError("--rp-maps needs the vulnerability functions of one intensity measure (an asset's loss "
                         "curve is not the sum of its curves on several hazards).", code="input.options",
                         field="--rp-maps")  # fmt: skip
    ((key, part),) = parts.items()
    hazard = hazards[key]
    if not isinstance(hazard, HazardSet):
        raise InputError("--rp-maps needs the whole hazard in memory; drop --stream.", code="input.options",
                         field="--stream")  # fmt: skip
    money = np.isin(np.array(part.loss_types)[part.g_loss_type], list(MONETARY))
    keep = money if not money.all() else None
    return asset_rp_losses(hazard, subset_groups(part, keep) if keep is not None else part, n_assets, rp_maps)


def _scenario(hazards: Sequence[AnyHazard], event_loss: NDArray[np.float64]) -> ScenarioMetrics | None:
    """Scenario metrics when every hazard has realisations and the frequencies sum to 1, else None."""
    first = hazards[0]
    realisations = [getattr(h, "realisation", None) for h in hazards]
    if any(r is None for r in realisations) or abs(float(first.frequency.sum()) - 1.0) >= 1e-9:
        return None
    rlz = realisations[0]
    assert rlz is not None
    return ScenarioMetrics(
        average_event_loss=float(first.frequency @ event_loss),
        average_event_loss_per_realisation={str(int(r)): float(event_loss[rlz == r].mean()) for r in np.unique(rlz)},
        std_event_loss=float(event_loss.std()),
    )


def assess(
    hazards: Sequence[AnyHazard],
    exposure: Exposure,
    vulnerability: VulnerabilitySet,
    *,
    assignment: Assignment | None = None,
    max_distance_km: float = 5.0,
    loss_types: Sequence[str] | None = None,
    breakdowns: Mapping[str, NDArray[np.object_]] | None = None,
    occupants_period: str = "night",
    mode: str = "mean",
    seed: int | None = None,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    return_periods: Sequence[float] = metrics.RETURN_PERIODS,
    rp_maps: Sequence[float] = (),
    fragility: FragilitySet | None = None,
    nonfunctional_threshold: float = 0.5,
    client: Any = None,
    on_progress: ProgressCallback | None = None,
) -> Assessment:
    """Losses of ``exposure`` from ``hazards`` (one per intensity measure, the same events) with ``vulnerability``.

    ``assignment``: each asset's site (default :func:`site_assignment` within ``max_distance_km``).
    ``loss_types``: default :func:`default_loss_types`. ``breakdowns``: output dimensions, name -> one label per
    asset (event losses by bucket, mean mode). ``mode``: ``mean`` or ``sampled`` (with ``seed``).
    ``rp_maps``: return periods (years) of per-asset loss maps. ``fragility``: damage outputs too
    (:func:`assess_damage`). ``client``: a dask.distributed Client (chunks run as tasks on its workers).
    """
    check_mode(mode, seed)
    rps = check_return_periods(return_periods, "return periods")
    first = hazards[0]
    if assignment is None:
        assignment = site_assignment(exposure, first, max_distance_km)
    if loss_types is None:
        loss_types = default_loss_types(exposure, vulnerability)
    if not loss_types:
        raise InputError(
            f"{exposure.source}: none of its cost types ({', '.join(exposure.costs)}) has functions in the "
            f"vulnerability model ({', '.join(vulnerability.mapping)}).",
            code="input.inconsistent",
        )
    prepared = prepare_losses(hazards, exposure, assignment, vulnerability, loss_types, breakdowns, occupants_period)
    jit_s = _warm_up(prepared, bool(rp_maps)) if mode == "mean" and client is None else 0.0
    losses = compute_losses(prepared, exposure, assignment, mode=mode, seed=seed, block_events=block_events,
                            client=client, on_progress=on_progress)  # fmt: skip
    groups, event_by_lt, asset_by_lt, buckets = prepared.groups, losses.event_by_lt, losses.asset_aal, losses.buckets
    lts = losses.loss_types
    monetary = [i for i, lt in enumerate(lts) if lt in MONETARY]
    money: list[int] | slice = slice(None) if len(monetary) == len(lts) else monetary  # a view when all are money
    if monetary == [0] and len(lts) == 1:  # one loss type, money: its own columns (a sum of one value is itself)
        event_loss, asset_aal = event_by_lt[:, 0], asset_by_lt[:, 0]
    else:
        event_loss, asset_aal = event_by_lt[:, money].sum(axis=1), asset_by_lt[:, money].sum(axis=1)
    curve = metrics.occurrence_curve(event_loss, first.frequency)
    event_year = getattr(first, "event_year", None)
    aal_total = float(asset_by_lt[:, money].sum())
    by_type = {
        lt: LossTypeMetrics(
            aal_total if len(lts) == 1 else float(asset_by_lt[:, i].sum()),
            metrics.losses_by_key(
                curve if monetary == [i] else metrics.occurrence_curve(event_by_lt[:, i], first.frequency), rps
            ),
        )
        for i, lt in enumerate(lts)
    }
    damage = None
    if fragility is not None:
        damage = assess_damage(hazards, exposure, fragility, assignment=assignment, occupants_period=occupants_period,
                               nonfunctional_threshold=nonfunctional_threshold, block_events=block_events,
                               on_progress=on_progress)  # fmt: skip
    return Assessment(
        event_id=first.event_id, frequency_per_year=first.frequency, event_year=event_year,
        realisation=getattr(first, "realisation", None), loss_types=lts, event_loss_by_type=event_by_lt,
        asset_id=exposure.id, asset_aal_by_type=asset_by_lt, event_loss=event_loss, asset_aal_per_year=asset_aal,
        currency=exposure.currency, price_year=exposure.price_year, return_periods_years=rps, curve=curve,
        aal_per_year=aal_total, rp_losses=metrics.losses_by_key(curve, rps),
        tvar={rp_key(rp): metrics.tvar(curve, rp) for rp in rps},
        aggregate=(metrics.aggregate_summary(event_loss, first.frequency, event_year, rps)
                   if event_year is not None else None),
        by_loss_type=by_type, scenario=_scenario(hazards, event_loss),
        breakdown=long_losses(groups, buckets, first.event_id, lts) if buckets is not None else None,
        rp_maps_years=tuple(float(r) for r in rp_maps),
        asset_rp_losses=_rp_maps(prepared.parts, prepared.hazards, exposure.n_assets, rp_maps) if rp_maps else None,
        assignment=assignment, hazards=tuple(f"{h.peril} {h.imt} ({h.unit}): {h.source}" for h in hazards),
        n_sites=first.n_sites, n_groups=groups.n_groups, intensity_nnz=sum(h.nnz for h in hazards),
        kernel_s=losses.kernel_s, jit_s=jit_s, damage=damage,
    )  # fmt: skip


def damage_hazard(hazards: Sequence[AnyHazard], fragility: FragilitySet) -> HazardSet:
    """The hazard of the fragility functions' intensity measure (they must all use one)."""
    keys = {(f.imt, f.unit) for f in fragility.functions.values()}
    if len(keys) != 1:
        raise InputError("All fragility functions of a run must use one intensity measure (found "
                         + ", ".join(f"{i} in {u}" for i, u in sorted(keys)) + ").", code="input.inconsistent",
                         field="imt")  # fmt: skip
    (imt, unit) = next(iter(keys))
    for h in hazards:
        if (h.imt, h.unit) == (imt, unit):
            if not isinstance(h, HazardSet):
                raise InputError("Damage outputs need the whole hazard in memory.", code="input.options")
            return h
    raise InputError(f"The fragility functions use {imt} in {unit}; no hazard file gives it.", code="input.missing",
                     field="hazard")  # fmt: skip


def assess_damage(
    hazards: Sequence[AnyHazard],
    exposure: Exposure,
    fragility: FragilitySet,
    *,
    assignment: Assignment | None = None,
    max_distance_km: float = 5.0,
    occupants_period: str = "night",
    nonfunctional_threshold: float = 0.5,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    on_progress: ProgressCallback | None = None,
) -> DamageAssessment:
    """Damage states, casualties (occupants of ``occupants_period``, when the consequence model has severities),
    displaced people (night-time occupants) and non-functional critical facilities (P(non-functional) >=
    ``nonfunctional_threshold``), expected values per event and per year."""
    h = damage_hazard(hazards, fragility)
    if assignment is None:
        assignment = site_assignment(exposure, hazards[0], max_distance_km)
    has_occupants = occupants_period in exposure.occupants
    result = compute_damage(
        h, exposure, assignment, fragility,
        casualty_period=occupants_period if has_occupants and fragility.severities else None,
        displaced=fragility.has_displaced and "night" in exposure.occupants,
        keep_buckets=False, nonfunctional_threshold=nonfunctional_threshold, block_events=block_events,
        on_progress=on_progress,
    )  # fmt: skip
    return DamageAssessment(result, f"{h.imt} ({h.unit})", h.event_id, exposure.id, assignment, h.n_sites)


__all__ = [
    "MODES",
    "MONETARY",
    "Assessment",
    "DamageAssessment",
    "LossBreakdown",
    "LossTypeMetrics",
    "Losses",
    "PreparedLosses",
    "ScenarioMetrics",
    "StreamedHazard",
    "assess",
    "assess_damage",
    "check_mode",
    "compute_losses",
    "default_loss_types",
    "long_losses",
    "prepare_losses",
    "site_assignment",
]
