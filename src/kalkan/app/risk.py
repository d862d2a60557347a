"""Risk use cases: run the engine on a plain-file case (and, as they are added, on stored city data)."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kalkan import __version__
from kalkan.core.risk import metrics
from kalkan.core.risk.engine import DEFAULT_BLOCK_EVENTS, ProgressCallback
from kalkan.core.risk.return_periods import RULE, check_return_periods, rp_key
from kalkan.errors import InputError

RP_DEFINITION = RULE
"""How a loss at a return period is read (the one rule of :mod:`kalkan.core.risk.metrics`), as summaries state it."""


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


UNASSIGNED_IDS_SHOWN = 1000
"""At most this many unassigned asset ids are listed in a run's summary (the count is always exact)."""


def unassigned_summary(assignment: Any, ids: Any) -> dict[str, Any]:
    """Assets with no hazard site within reach: count, the first ids, and how sites were assigned."""
    unassigned = assignment.unassigned
    return {
        "count": int(unassigned.size),
        "ids": [str(i) for i in ids[unassigned[:UNASSIGNED_IDS_SHOWN]]],
        "ids_truncated": bool(unassigned.size > UNASSIGNED_IDS_SHOWN),
        "method": assignment.method,
        "max_distance_km": assignment.max_distance_km,
    }


def _threads(threads: int | None) -> int:
    import numba

    if threads is not None:
        most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
        if not 1 <= threads <= most:
            raise InputError(f"--threads must be between 1 and {most}.")
        numba.set_num_threads(threads)
    return int(numba.get_num_threads())


def run_case(
    case_dir: Path,
    out_dir: Path,
    *,
    mode: str = "mean",
    seed: int | None = None,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    threads: int | None = None,
    scheduler: str | None = None,
    max_distance_km: float = 5.0,
    rp_maps: Sequence[float] = (),
    return_periods: Sequence[float] = metrics.RETURN_PERIODS,
    stream: bool | None = None,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Run a plain-file case (see kalkan.io.case) and write OUT/summary.json, event_losses.parquet
    (event_id, loss), asset_aal.parquet (id, aal) and, with ``rp_maps``, asset_rp_losses.parquet.

    Money is in US dollars (the case's value unit); AAL in USD per year. Returns the summary.
    ``stream``: read the hazard in event chunks (memory independent of the number of events); by default
    only when the intensity arrays exceed STREAM_ABOVE_BYTES.
    """
    from kalkan.core.risk.assignment import explicit_sites, nearest_sites
    from kalkan.core.risk.engine import InMemorySource, check_functions, compute_mean, warm_up
    from kalkan.core.risk.groups import build_groups
    from kalkan.io.case import read_case
    from kalkan.io.hazard_stream import CaseHazardStream
    from kalkan.io.results import atomic_output_dir, write_json, write_parquet

    if mode != "mean":
        from kalkan.core.risk.sampled import SAMPLED_MODES

        if mode not in SAMPLED_MODES:
            raise InputError(f"Unknown mode {mode!r}; expected mean or sampled.")
    return_periods = check_return_periods(return_periods, "return periods")
    n_threads = _threads(threads)
    t0 = time.perf_counter()
    if stream is None:
        stream = mode == "mean" and not rp_maps and _hazard_bytes(Path(case_dir) / "hazard.npz") > STREAM_ABOVE_BYTES
    if stream and (mode != "mean" or rp_maps):
        raise InputError("--stream works with the mean mode and without --rp-maps (those need the whole hazard).")
    case = read_case(Path(case_dir), stream=stream)
    hazard, exposure = case.hazard, case.exposure
    if case.assignment is not None:
        assignment = explicit_sites(case.assignment, hazard.n_sites, where=str(Path(case_dir) / "assignment.csv"))
    else:
        assignment = nearest_sites(exposure.lon, exposure.lat, hazard.site_lon, hazard.site_lat, max_distance_km)
    t_load = time.perf_counter() - t0

    t1 = time.perf_counter()
    t_kernel: float | None = None
    groups = build_groups(exposure, assignment, case.vulnerability, hazard.n_sites)
    check_functions(groups, hazard.imt, hazard.unit, str(case_dir))
    t_groups = time.perf_counter() - t1

    tj = time.perf_counter()
    if mode == "mean" and not scheduler:
        warm_up(hazard.data_dtype, groups=groups, maps=bool(rp_maps))
    t_jit = time.perf_counter() - tj

    t1 = time.perf_counter() - t_groups  # the compute timing includes grouping, not the JIT
    client = _dask_client(scheduler) if scheduler else None
    try:
        if mode == "mean":
            source = hazard if isinstance(hazard, CaseHazardStream) else InMemorySource(hazard)
            tk = time.perf_counter()
            result = compute_mean(
                source, hazard.frequency, groups, block_events=block_events,
                keep_buckets=False, on_progress=on_progress, client=client,
            )  # fmt: skip
            t_kernel = time.perf_counter() - tk
            event_loss = result.event_loss
            asset_aal = result.asset_aal(exposure.n_assets).sum(axis=1)
        else:
            from kalkan.core.risk.sampled import compute_sampled

            assert not isinstance(hazard, CaseHazardStream)
            if seed is None:
                raise InputError("Sampled mode needs --seed, so that the run can be reproduced.")
            sampled = compute_sampled(
                hazard, exposure, assignment, groups, seed=seed, block_events=block_events, on_progress=on_progress
            )
            event_loss, asset_aal = sampled.event_loss, sampled.asset_aal
    finally:
        if client is not None:
            client.close()
    curve = metrics.occurrence_curve(event_loss, hazard.frequency)
    aggregate = None
    years = getattr(hazard, "event_year", None)
    if years is not None:
        aggregate = metrics.aggregate_summary(event_loss, hazard.frequency, years, return_periods)
    maps = None
    if rp_maps:
        from kalkan.core.risk.maps import asset_rp_losses

        assert not isinstance(hazard, CaseHazardStream)
        maps = asset_rp_losses(hazard, groups, exposure.n_assets, rp_maps)
    t_compute = time.perf_counter() - t1

    t2 = time.perf_counter()
    unassigned = assignment.unassigned
    summary: dict[str, Any] = {
        "aal": float(asset_aal.sum()),
        "rp_losses": metrics.losses_by_key(curve, return_periods),
        "tvar": {rp_key(rp): metrics.tvar(curve, rp) for rp in return_periods},
        "aal_from_event_losses": metrics.aal(event_loss, hazard.frequency),
        "aggregate": aggregate,
        "max_event_loss": float(event_loss.max()) if event_loss.size else 0.0,
        "max_simulated_rp_years": float(curve.return_period[0]) if curve.return_period.size else 0.0,
        "units": {"loss": "USD", "aal": "USD/year", "return_period": "years", "frequency": "events/year"},
        "return_period_definition": RP_DEFINITION,
        "sizes": {
            "assets": exposure.n_assets,
            "assigned_assets": int(exposure.n_assets - unassigned.size),
            "events": hazard.n_events,
            "sites": hazard.n_sites,
            "intensity_nnz": hazard.nnz,
            "groups": groups.n_groups,
        },
        "unassigned": unassigned_summary(assignment, exposure.id),
        "parameters": {
            "mode": mode,
            "seed": seed,
            "block_events": block_events,
            "threads": n_threads,
            "scheduler": scheduler,
            "rp_maps": list(rp_maps),
            "stream": stream,
        },
        "engine": f"kalkan {__version__}",
    }
    with atomic_output_dir(Path(out_dir)) as tmp:
        meta = {"units": "loss in USD, aal in USD/year", "engine": f"kalkan {__version__}"}
        write_parquet(tmp / "event_losses.parquet", {"event_id": hazard.event_id, "loss": event_loss}, meta)
        write_parquet(tmp / "asset_aal.parquet", {"id": exposure.id, "aal": asset_aal}, meta)
        if maps is not None:
            cols: dict[str, Any] = {"id": exposure.id}
            cols.update({f"rp_{rp_key(rp)}": maps[:, i] for i, rp in enumerate(rp_maps)})
            write_parquet(tmp / "asset_rp_losses.parquet", cols, {**meta, "definition": RP_DEFINITION})
        t_write = time.perf_counter() - t2
        summary["timings_s"] = {"load": t_load, "jit": t_jit, "compute": t_compute, "write": t_write}
        if t_kernel is not None:
            summary["timings_s"]["kernel"] = t_kernel  # the pass over the hazard alone (part of compute)
        summary["peak_rss_mib"] = peak_rss_mib()
        write_json(tmp / "summary.json", summary)
    return summary


STREAM_ABOVE_BYTES = 2 << 30
"""Hazards whose intensity arrays exceed this (2 GiB) are streamed from disk by default."""


def _hazard_bytes(path: Path) -> int:
    """Uncompressed size of the intensity arrays of a case hazard.npz (0 if unreadable: the reader reports)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return sum(i.file_size for i in zf.infolist() if i.filename in ("data.npy", "indices.npy"))
    except (OSError, zipfile.BadZipFile):
        return 0


def _dask_client(scheduler: str) -> Any:
    """A Dask client: ``local`` starts a local cluster (processes, one thread each), else an address."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise InputError("Dask distributed is not installed.") from exc
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Client(cluster)
    try:
        return Client(scheduler, timeout="10s")
    except OSError as exc:
        raise InputError(f"Cannot reach the Dask scheduler at {scheduler}: {exc}.") from exc


MONETARY = ("structural", "nonstructural", "contents", "total")


def load_hazards(paths: Sequence[Path]) -> list[Any]:
    """Read hazard files (Kalkan .npz, CLIMADA .hdf5/.h5); several must share events and sites (one per IMT)."""
    import numpy as np

    from kalkan.io.hazard import load_any_hazard

    hazards = [load_any_hazard(Path(p)) for p in paths]
    first = hazards[0]
    for h in hazards[1:]:
        if (h.n_events != first.n_events or not np.array_equal(h.event_id, first.event_id)
                or not np.array_equal(h.frequency, first.frequency)):  # fmt: skip
            raise InputError(f"{h.source}: its events differ from those of {first.source}; hazards of one run "
                             "must be intensity measures of the same events.")  # fmt: skip
        if h.n_sites != first.n_sites or not (np.allclose(h.site_lon, first.site_lon) and
                                              np.allclose(h.site_lat, first.site_lat)):  # fmt: skip
            raise InputError(f"{h.source}: its sites differ from those of {first.source}.")
    imts = [h.imt for h in hazards]
    if len(set(imts)) != len(imts):
        raise InputError(f"Two hazard files give the same intensity measure ({', '.join(imts)}).")
    return hazards


def load_vulnerability(paths: Sequence[Path], mapping: Path | None) -> Any:
    """NRML/CSV vulnerability files plus a taxonomy mapping, or a shipped model: ``gem-central-asia``
    (earthquake) or ``jrc-flood-asia`` (flood depth in m; every GEM Central Asia taxonomy by occupancy)."""
    from kalkan.core.vulnerability.functions import VulnerabilitySet
    from kalkan.io.shipped_vulnerability import gem_central_asia
    from kalkan.io.vulnerability_csv import read_taxonomy_mapping, read_vulnerability_csv
    from kalkan.io.vulnerability_set import load_vulnerability_set

    if len(paths) == 1 and str(paths[0]) == "gem-central-asia":
        return gem_central_asia()
    if len(paths) == 1 and str(paths[0]) == "jrc-flood-asia":
        from kalkan.io.shipped_vulnerability import jrc_flood_asia

        return jrc_flood_asia()
    if mapping is None:
        raise InputError("--taxonomy-mapping is needed with vulnerability files (taxonomy,conversion,weight).")
    if all(Path(p).suffix.lower() == ".xml" for p in paths):
        return load_vulnerability_set(list(paths), mapping)
    if len(paths) == 1 and Path(paths[0]).suffix.lower() == ".csv":
        # One id may describe several loss types (as in the GEM models): key each function by loss type and id.
        import dataclasses

        from kalkan.core.vulnerability.library import function_key

        functions = {
            function_key(f.loss_type, f.id): dataclasses.replace(f, id=function_key(f.loss_type, f.id))
            for f in read_vulnerability_csv(paths[0])
        }
        ids = {key.partition(":")[2] for key in functions}
        by_taxonomy = read_taxonomy_mapping(mapping)
        missing = sorted({fid for entries in by_taxonomy.values() for fid, _ in entries if fid not in ids})
        if missing:
            raise InputError(f"{mapping}: function id(s) {', '.join(missing[:10])} are not in {paths[0]}.")
        loss_types = sorted({f.loss_type for f in functions.values()})
        table = {
            lt: {t: tuple((function_key(lt, fid), w) for fid, w in entries if function_key(lt, fid) in functions)
                 for t, entries in by_taxonomy.items()}
            for lt in loss_types
        }  # fmt: skip
        return VulnerabilitySet(functions, {lt: {t: e for t, e in m.items() if e} for lt, m in table.items()})
    raise InputError("Give NRML vulnerability files (.xml, one per loss type) or one vulnerability CSV.")


@dataclass(frozen=True, slots=True)
class PreparedLosses:
    """Groups of an exposure, split by the intensity measure of their functions, with the hazard of each."""

    groups: Any
    parts: dict[tuple[str, str], Any]
    hazards: dict[tuple[str, str], Any]


@dataclass(frozen=True, slots=True)
class Losses:
    """Event losses per loss type (events x loss types), per-asset annual losses (assets x loss types), event
    losses by bucket (events x buckets; mean mode only) and the loss types, in the exposure's units."""

    event_by_lt: Any
    asset_aal: Any
    buckets: Any
    loss_types: tuple[str, ...]


def prepare_losses(
    hazards: Sequence[Any],
    exposure: Any,
    assignment: Any,
    vset: Any,
    loss_types: Sequence[str],
    breakdowns: Any,
    occupants_period: str,
) -> PreparedLosses:
    """Group the exposure and match each group's functions with the hazard of their intensity measure."""
    from kalkan.core.risk.engine import check_functions
    from kalkan.core.risk.groups import build_groups
    from kalkan.core.risk.subset import by_imt

    first = hazards[0]
    groups = build_groups(exposure, assignment, vset, first.n_sites, loss_types=loss_types, breakdowns=breakdowns,
                          occupants_period=occupants_period)  # fmt: skip
    parts = by_imt(groups)
    by_key = {(h.imt, h.unit): h for h in hazards}
    for key in parts:
        if key not in by_key:
            given = ", ".join(f"{h.imt} in {h.unit}" for h in hazards)
            raise InputError(
                f"The vulnerability model has functions of {key[0]} in {key[1]} for assets of this exposure, but the "
                f"hazard gives {given}. Add a hazard file of {key[0]}."
            )
        check_functions(parts[key], key[0], key[1], str(by_key[key].source))
    return PreparedLosses(groups, parts, by_key)


def compute_losses(
    prepared: PreparedLosses,
    exposure: Any,
    assignment: Any,
    *,
    mode: str = "mean",
    seed: int | None = None,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    client: Any = None,
    on_progress: ProgressCallback | None = None,
) -> Losses:
    """Run the engine on every intensity measure's part and add the results up (events are shared)."""
    import numpy as np

    from kalkan.core.risk.engine import InMemorySource, compute_mean

    groups = prepared.groups
    first = next(iter(prepared.hazards.values()))
    n_lt = len(groups.loss_types)
    event_by_lt = np.zeros((first.n_events, n_lt))
    buckets = np.zeros((first.n_events, groups.n_buckets)) if mode == "mean" else None
    asset_aal = np.zeros((exposure.n_assets, n_lt))
    for key, part in prepared.parts.items():
        h = prepared.hazards[key]
        if mode == "mean":
            assert buckets is not None
            off = int(part.bucket_offset[len(part.breakdowns) - 1])  # the loss_type dimension is last

            def add_chunk(start: int, losses: Any, off: int = off) -> None:
                """Fold one chunk of events x buckets into the totals, so no part holds a second full copy."""
                assert buckets is not None
                buckets[start : start + losses.shape[0]] += losses
                if n_lt > 1:
                    event_by_lt[start : start + losses.shape[0]] += losses[:, off : off + n_lt]

            r = compute_mean(InMemorySource(h), h.frequency, part, block_events=block_events, on_progress=on_progress,
                             client=client, keep_buckets=False, bucket_sink=add_chunk)  # fmt: skip
            asset_aal += r.asset_aal(exposure.n_assets)
            if n_lt == 1:
                event_by_lt[:, 0] += r.event_loss
        else:
            from kalkan.core.risk.sampled import compute_sampled

            if seed is None:
                raise InputError("Sampled mode needs a seed, so that the run can be reproduced.")
            if n_lt > 1:
                raise InputError("Sampled mode computes one loss type at a time; restrict the exposure's costs.")
            sampled = compute_sampled(h, exposure, assignment, part, seed=seed, block_events=block_events,
                                      on_progress=on_progress)  # fmt: skip
            event_by_lt[:, 0] += sampled.event_loss
            asset_aal[:, 0] += sampled.asset_aal
    return Losses(event_by_lt, asset_aal, buckets, tuple(groups.loss_types))


def load_fragility(fragility_paths: Sequence[Path], consequence_path: Path | None, mapping_path: Path | None) -> Any:
    """A FragilitySet from NRML fragility models, a consequence CSV and a taxonomy,fragility,consequence,weight CSV."""
    from kalkan.core.vulnerability.fragility_set import FragilitySet
    from kalkan.io.nrml import read_fragility_model
    from kalkan.io.vulnerability_csv import read_consequence_csv, read_fragility_mapping

    if consequence_path is None or mapping_path is None:
        raise InputError("Damage outputs need --fragility, --consequence and --fragility-mapping together.")
    functions = {}
    for path in fragility_paths:
        model = read_fragility_model(path)
        for fid, fn in model.functions.items():
            if fid in functions:
                raise InputError(f"{path}: fragility function '{fid}' is defined twice.")
            functions[fid] = fn
    return FragilitySet(
        functions=functions,
        consequences=read_consequence_csv(consequence_path),
        mapping=read_fragility_mapping(mapping_path),
        source=str(mapping_path),
    )


def run_assessment(
    hazard_paths: Sequence[Path],
    exposure_path: Path,
    vulnerability_paths: Sequence[Path],
    out_dir: Path,
    *,
    taxonomy_mapping: Path | None = None,
    rp_maps: Sequence[float] = (),
    fragility_paths: Sequence[Path] = (),
    consequence_path: Path | None = None,
    fragility_mapping: Path | None = None,
    nonfunctional_threshold: float = 0.5,
    mode: str = "mean",
    seed: int | None = None,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    threads: int | None = None,
    scheduler: str | None = None,
    max_distance_km: float = 5.0,
    occupants_period: str = "night",
    return_periods: Sequence[float] = metrics.RETURN_PERIODS,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Run the engine on Kalkan-format inputs and write the outputs (see docs/risk-engine.md).

    Losses are in the exposure's currency and price year; fatalities (from ``occupants`` functions applied to
    the occupants of ``occupants_period``) in people. Event losses are broken down by district, occupancy,
    taxonomy, critical type and loss type.
    """
    import numpy as np

    from kalkan.core.risk.assignment import explicit_sites, nearest_sites
    from kalkan.core.risk.engine import warm_up
    from kalkan.io.exposure import read_exposure
    from kalkan.io.hazard import hazard_provenance
    from kalkan.io.results import atomic_output_dir, write_json, write_parquet

    if mode not in ("mean", "sampled"):
        raise InputError(f"Unknown mode {mode!r}; expected mean or sampled.")
    if mode == "sampled" and seed is None:
        raise InputError("Sampled mode needs --seed, so that the run can be reproduced.")
    return_periods = check_return_periods(return_periods, "return periods")
    n_threads = _threads(threads)
    if not vulnerability_paths and not fragility_paths:
        raise InputError("Give a vulnerability model (losses) or a fragility model (damage states), or both.")
    t0 = time.perf_counter()
    hazards = load_hazards(hazard_paths)
    provenance = {str(p): hazard_provenance(p) for p in hazard_paths}
    exposure = read_exposure(exposure_path)
    fset = load_fragility(fragility_paths, consequence_path, fragility_mapping) if fragility_paths else None
    if not vulnerability_paths:
        assert fset is not None
        return _damage_only(hazards, exposure, exposure_path, fset, out_dir, n_threads=n_threads, mode=mode,
                            block_events=block_events, max_distance_km=max_distance_km,
                            occupants_period=occupants_period, nonfunctional_threshold=nonfunctional_threshold,
                            t0=t0, on_progress=on_progress)  # fmt: skip
    vset = load_vulnerability(vulnerability_paths, taxonomy_mapping)
    first = hazards[0]
    if exposure.site_id is not None:
        assignment = explicit_sites(exposure.site_id, first.n_sites, where=str(exposure_path))
    else:
        assignment = nearest_sites(exposure.lon, exposure.lat, first.site_lon, first.site_lat, max_distance_km)
    loss_types = [c for c in exposure.costs if c in vset.mapping]
    if "occupants" in vset.mapping and exposure.occupants:
        loss_types.append("occupants")
    if not loss_types:
        raise InputError(
            f"{exposure_path}: none of its cost types ({', '.join(exposure.costs)}) has functions in the "
            f"vulnerability model ({', '.join(vset.mapping)})."
        )
    breakdowns = {
        name: np.asarray(getattr(exposure, name), dtype=object)
        for name in ("district", "occupancy", "taxonomy", "critical_type")
    }
    prepared = prepare_losses(hazards, exposure, assignment, vset, loss_types, breakdowns, occupants_period)
    groups = prepared.groups
    t_load = time.perf_counter() - t0

    tj = time.perf_counter()
    for h in hazards:
        warm_up(h.data_dtype, len(groups.breakdowns))
    t_jit = time.perf_counter() - tj

    t1 = time.perf_counter()
    client = _dask_client(scheduler) if scheduler else None
    try:
        losses = compute_losses(prepared, exposure, assignment, mode=mode, seed=seed, block_events=block_events,
                                client=client, on_progress=on_progress)  # fmt: skip
    finally:
        if client is not None:
            client.close()
    event_by_lt, asset_aal, buckets = losses.event_by_lt, losses.asset_aal, losses.buckets
    lts = list(groups.loss_types)
    money = [i for i, lt in enumerate(lts) if lt in MONETARY]
    event_loss = event_by_lt[:, money].sum(axis=1)
    curve = metrics.occurrence_curve(event_loss, first.frequency)
    summary_lt: dict[str, dict[str, Any]] = {}
    for i, lt in enumerate(lts):
        summary_lt[lt] = {
            "aal": float(asset_aal[:, i].sum()),
            "rp": metrics.losses_by_key(metrics.occurrence_curve(event_by_lt[:, i], first.frequency), return_periods),
        }
    t_compute = time.perf_counter() - t1

    t2 = time.perf_counter()
    currency = f"{exposure.currency} of {exposure.price_year}" if exposure.price_year else exposure.currency
    unassigned = assignment.unassigned
    summary: dict[str, Any] = {
        "aal": float(asset_aal[:, money].sum()),
        "rp_losses": metrics.losses_by_key(curve, return_periods),
        "tvar": {rp_key(rp): metrics.tvar(curve, rp) for rp in return_periods},
        "aggregate": (
            metrics.aggregate_summary(event_loss, first.frequency, first.event_year, return_periods)
            if first.event_year is not None
            else None
        ),
        "by_loss_type": summary_lt,
        "units": {
            "loss": currency,
            "aal": f"{currency} per year",
            "occupants": "people (fatalities)",
            "return_period": "years",
        },
        "return_period_definition": RP_DEFINITION,
        "sizes": {
            "assets": exposure.n_assets,
            "assigned_assets": int(exposure.n_assets - unassigned.size),
            "events": first.n_events,
            "sites": first.n_sites,
            "groups": groups.n_groups,
            "hazards": [f"{h.peril} {h.imt} ({h.unit}): {h.source}" for h in hazards],
        },
        "hazard_provenance": provenance,
        "unassigned": unassigned_summary(assignment, exposure.id),
        "parameters": {
            "mode": mode,
            "seed": seed,
            "block_events": block_events,
            "threads": n_threads,
            "scheduler": scheduler,
            "occupants_period": occupants_period,
        },
        "engine": f"kalkan {__version__}",
    }
    if all(h.realisation is not None for h in hazards) and abs(float(first.frequency.sum()) - 1.0) < 1e-9:
        # A scenario (one event per ground-motion field, frequencies summing to 1): the "annual" sums are the
        # probability-weighted average loss per event; report them as such, per realisation too.
        rlz = first.realisation
        summary["scenario"] = {
            "average_event_loss": float(first.frequency @ event_loss),
            "average_event_loss_per_realisation": {
                str(int(r)): float(event_loss[rlz == r].mean()) for r in np.unique(rlz)
            },
            "std_event_loss": float(event_loss.std()),
            "note": "scenario run: 'aal' is the average loss per event (frequencies are realisation weights / N)",
        }
        summary["units"]["aal"] = f"{currency} per event (scenario average)"
    with atomic_output_dir(Path(out_dir)) as tmp:
        meta = {"units": f"losses in {currency}; occupants in people", "engine": f"kalkan {__version__}"}
        cols: dict[str, Any] = {"event_id": first.event_id, "frequency": first.frequency, "loss": event_loss}
        if first.event_year is not None:
            cols["event_year"] = first.event_year
        cols.update(
            {f"loss_{lt}" if lt != "occupants" else "fatalities": event_by_lt[:, i] for i, lt in enumerate(lts)}
        )
        write_parquet(tmp / "event_losses.parquet", cols, meta)
        if buckets is not None:
            _write_long_losses(tmp / "event_losses_by.parquet", groups, buckets, first.event_id, lts, meta)
        acols: dict[str, Any] = {"id": exposure.id}
        acols.update({f"aal_{lt}" if lt != "occupants" else "fatalities_per_year": asset_aal[:, i]
                      for i, lt in enumerate(lts)})  # fmt: skip
        acols["aal"] = asset_aal[:, money].sum(axis=1)
        write_parquet(tmp / "asset_aal.parquet", acols, meta)
        if rp_maps:
            _write_assessment_maps(tmp, prepared, exposure, rp_maps, meta)
        if fset is not None:
            summary["damage"] = _write_damage(
                tmp, hazards, exposure, assignment, fset, occupants_period, nonfunctional_threshold,
                block_events, on_progress,
            )  # fmt: skip
        t_write = time.perf_counter() - t2
        summary["timings_s"] = {"load": t_load, "jit": t_jit, "compute": t_compute, "write": t_write}
        summary["peak_rss_mib"] = peak_rss_mib()
        write_json(tmp / "summary.json", summary)
    return summary


def _write_assessment_maps(folder: Path, prepared: PreparedLosses, exposure: Any, rps: Sequence[float],
                           meta: dict[str, str]) -> None:  # fmt: skip
    """Per-asset losses at return periods (monetary loss types, one intensity measure)."""
    from kalkan.core.risk.maps import asset_rp_losses
    from kalkan.core.risk.subset import subset_groups
    from kalkan.io.results import write_parquet

    if len(prepared.parts) != 1:
        raise InputError("--rp-maps needs the vulnerability functions of one intensity measure (an asset's loss "
                         "curve is not the sum of its curves on several hazards).")  # fmt: skip
    ((key, part),) = prepared.parts.items()
    money = np.isin(np.array(part.loss_types)[part.g_loss_type], list(MONETARY))
    maps = asset_rp_losses(prepared.hazards[key], subset_groups(part, money), exposure.n_assets, rps)
    cols: dict[str, Any] = {"id": exposure.id}
    cols.update({f"rp_{rp_key(rp)}": maps[:, i] for i, rp in enumerate(rps)})
    write_parquet(folder / "asset_rp_losses.parquet", cols, {**meta, "definition": RP_DEFINITION})


def _write_long_losses(
    path: Path, groups: Any, buckets: Any, event_id: Any, lts: list[str], meta: dict[str, str]
) -> None:
    """Non-zero event losses by dimension (district, occupancy, ...), bucket and loss type, as a long table."""
    import numpy as np

    from kalkan.io.results import write_parquet

    dims, labels, kinds, vals, evs = [], [], [], [], []
    for d, b in enumerate(groups.breakdowns):
        off = int(groups.bucket_offset[d])
        block = buckets[:, off : off + b.size]
        e_idx, k_idx = np.nonzero(block)
        decoded = [b.bucket(k) for k in range(b.size)]
        dims.append(np.full(e_idx.size, b.name, dtype=object))
        labels.append(np.array([decoded[k][0] for k in k_idx], dtype=object))
        kinds.append(
            np.array([decoded[k][1] or (b.labels[k] if b.name == "loss_type" else lts[0]) for k in k_idx], dtype=object)
        )
        vals.append(block[e_idx, k_idx])
        evs.append(event_id[e_idx])
    long = {
        "event_id": np.concatenate(evs) if evs else np.zeros(0, dtype=np.int64),
        "dimension": np.concatenate(dims) if dims else np.zeros(0, dtype=object),
        "bucket": np.concatenate(labels) if labels else np.zeros(0, dtype=object),
        "loss_type": np.concatenate(kinds) if kinds else np.zeros(0, dtype=object),
        "loss": np.concatenate(vals) if vals else np.zeros(0),
    }
    note = "loss in the exposure's currency, except loss_type 'occupants': fatalities (people)"
    write_parquet(path, long, {**meta, "note": note})


def _damage_hazard(hazards: Sequence[Any], fset: Any) -> Any:
    keys = {(f.imt, f.unit) for f in fset.functions.values()}
    if len(keys) != 1:
        raise InputError("All fragility functions of a run must use one intensity measure (found "
                         + ", ".join(f"{i} in {u}" for i, u in sorted(keys)) + ").")  # fmt: skip
    (imt, unit) = next(iter(keys))
    for h in hazards:
        if (h.imt, h.unit) == (imt, unit):
            return h
    raise InputError(f"The fragility functions use {imt} in {unit}; no hazard file gives it.")


def _write_damage(
    folder: Path,
    hazards: Sequence[Any],
    exposure: Any,
    assignment: Any,
    fset: Any,
    occupants_period: str,
    threshold: float,
    block_events: int,
    on_progress: ProgressCallback | None,
) -> dict[str, Any]:
    """Damage states, casualties, displaced people and critical facilities: Parquet files and a summary."""
    import numpy as np

    from kalkan.core.risk.damage import compute_damage
    from kalkan.io.results import write_parquet

    h = _damage_hazard(hazards, fset)
    has_occupants = occupants_period in exposure.occupants
    r = compute_damage(
        h, exposure, assignment, fset,
        casualty_period=occupants_period if has_occupants and fset.severities else None,
        displaced=fset.has_displaced and "night" in exposure.occupants,
        keep_buckets=False, nonfunctional_threshold=threshold, block_events=block_events, on_progress=on_progress,
    )  # fmt: skip
    cols: dict[str, Any] = {"event_id": h.event_id}
    for k, ds in enumerate(r.damage_states):
        cols[f"buildings_{ds}"] = r.buildings[:, k]
    cols[f"loss_{r.cost_type}"] = r.loss
    for k, sev in enumerate(r.severities):
        cols[f"casualties_{sev}"] = r.casualties_people[:, k]
    if r.displaced_people is not None:
        cols["displaced"] = r.displaced_people
    for k, ct in enumerate(r.critical_types):
        cols[f"nonfunctional_{ct}"] = r.nonfunctional_facilities[:, k]
    meta = {"units": f"buildings (expected number); people; loss in {r.currency}", "engine": f"kalkan {__version__}"}
    write_parquet(folder / "damage_events.parquet", cols, meta)
    write_parquet(folder / "facilities.parquet", {
        "id": exposure.id[r.facility_asset],
        "critical_type": np.asarray(r.critical_types, dtype=object)[r.facility_type]
        if r.critical_types else np.zeros(0, dtype=object),
        "events_nonfunctional": r.facility_nonfunctional_events,
        "nonfunctional_freq_per_year": r.facility_nonfunctional_freq_per_year,
        "nonfunctional_expected_per_year": r.facility_nonfunctional_per_year,
    }, {**meta, "threshold": f"non-functional when P(non-functional) >= {threshold}"})  # fmt: skip
    return {
        "hazard": f"{h.imt} ({h.unit})",
        "buildings_per_year": dict(zip(r.damage_states, map(float, r.buildings_per_year), strict=True)),
        "loss_per_year": r.loss_per_year,
        "casualties_people_per_year": dict(zip(r.severities, map(float, r.casualties_people_per_year), strict=True)),
        "displaced_people_per_year": r.displaced_people_per_year,
        "nonfunctional_facilities_per_year": dict(
            zip(r.critical_types, map(float, r.nonfunctional_facilities_per_year), strict=True)
        ),
        "facilities": int(r.facility_asset.size),
        "nonfunctional_threshold": threshold,
        "units": {"buildings": "expected number per year", "people": "people per year", "loss": r.currency},
    }


def _damage_only(
    hazards: Sequence[Any],
    exposure: Any,
    exposure_path: Path,
    fset: Any,
    out_dir: Path,
    *,
    n_threads: int,
    mode: str,
    block_events: int,
    max_distance_km: float,
    occupants_period: str,
    nonfunctional_threshold: float,
    t0: float,
    on_progress: ProgressCallback | None,
) -> dict[str, Any]:
    """A run with a fragility model and no vulnerability model: damage outputs only."""
    from kalkan.core.risk.assignment import explicit_sites, nearest_sites
    from kalkan.io.results import atomic_output_dir, write_json

    if mode != "mean":
        raise InputError("Damage-state outputs are expected values; use --mode mean.")
    first = hazards[0]
    if exposure.site_id is not None:
        assignment = explicit_sites(exposure.site_id, first.n_sites, where=str(exposure_path))
    else:
        assignment = nearest_sites(exposure.lon, exposure.lat, first.site_lon, first.site_lat, max_distance_km)
    t_load = time.perf_counter() - t0
    summary: dict[str, Any] = {
        "sizes": {
            "assets": exposure.n_assets,
            "assigned_assets": int(exposure.n_assets - assignment.unassigned.size),
            "events": first.n_events,
            "sites": first.n_sites,
        },
        "unassigned": unassigned_summary(assignment, exposure.id),
        "parameters": {
            "mode": mode,
            "block_events": block_events,
            "threads": n_threads,
            "occupants_period": occupants_period,
        },
        "engine": f"kalkan {__version__}",
    }
    with atomic_output_dir(Path(out_dir)) as tmp:
        t1 = time.perf_counter()
        summary["damage"] = _write_damage(tmp, hazards, exposure, assignment, fset, occupants_period,
                                          nonfunctional_threshold, block_events, on_progress)  # fmt: skip
        summary["timings_s"] = {"load": t_load, "compute_and_write": time.perf_counter() - t1}
        summary["peak_rss_mib"] = peak_rss_mib()
        write_json(tmp / "summary.json", summary)
    return summary
