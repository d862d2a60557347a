"""Risk use cases: run the engine on a plain-file case (and, as they are added, on stored city data)."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kalkan import __version__
from kalkan.errors import InputError
from kalkan.risk import metrics
from kalkan.risk.engine import DEFAULT_BLOCK_EVENTS, ProgressCallback

RP_DEFINITION = (
    "sort event losses descending; exceedance frequency = cumulative sum of frequencies; RP = 1 / exceedance "
    "frequency; loss at RP = numpy.interp(RP, RPs ascending, losses ascending), clamped to the simulated range"
)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


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
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Run a plain-file case (see kalkan.io.case) and write OUT/summary.json, event_losses.parquet
    (event_id, loss), asset_aal.parquet (id, aal) and, with ``rp_maps``, asset_rp_losses.parquet.

    Money is in US dollars (the case's value unit); AAL in USD per year. Returns the summary.
    """
    from kalkan.io.case import read_case
    from kalkan.io.results import atomic_output_dir, write_json, write_parquet
    from kalkan.risk.assignment import explicit_sites, nearest_sites
    from kalkan.risk.engine import InMemorySource, check_functions, compute_mean, warm_up
    from kalkan.risk.groups import build_groups

    if mode != "mean":
        from kalkan.risk.sampled import SAMPLED_MODES

        if mode not in SAMPLED_MODES:
            raise InputError(f"Unknown mode {mode!r}; expected mean or sampled.")
    n_threads = _threads(threads)
    t0 = time.perf_counter()
    case = read_case(Path(case_dir))
    hazard, exposure = case.hazard, case.exposure
    if case.assignment is not None:
        assignment = explicit_sites(case.assignment, hazard.n_sites, where=str(Path(case_dir) / "assignment.csv"))
    else:
        assignment = nearest_sites(exposure.lon, exposure.lat, hazard.site_lon, hazard.site_lat, max_distance_km)
    t_load = time.perf_counter() - t0

    tj = time.perf_counter()
    if mode == "mean" and not scheduler:
        warm_up(hazard.intensity.data.dtype)
    t_jit = time.perf_counter() - tj

    t1 = time.perf_counter()
    groups = build_groups(exposure, assignment, case.vulnerability, hazard.n_sites)
    check_functions(groups, hazard.imt, hazard.unit, str(case_dir))
    client = _dask_client(scheduler) if scheduler else None
    try:
        if mode == "mean":
            result = compute_mean(
                InMemorySource(hazard), hazard.frequency, groups, block_events=block_events,
                keep_buckets=False, on_progress=on_progress, client=client,
            )  # fmt: skip
            event_loss = result.event_loss
            asset_aal = result.asset_aal(exposure.n_assets).sum(axis=1)
        else:
            from kalkan.risk.sampled import compute_sampled

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
    rp_values = curve.at(tuple(return_periods))
    maps = None
    if rp_maps:
        from kalkan.risk.maps import asset_rp_losses

        maps = asset_rp_losses(hazard, groups, exposure.n_assets, rp_maps)
    t_compute = time.perf_counter() - t1

    t2 = time.perf_counter()
    unassigned = assignment.unassigned
    summary: dict[str, Any] = {
        "aal": float(asset_aal.sum()),
        "rp_losses": {_rp_key(rp): float(v) for rp, v in zip(return_periods, rp_values, strict=True)},
        "tvar": {_rp_key(rp): metrics.tvar(curve, float(rp)) for rp in return_periods},
        "aal_from_event_losses": metrics.aal(event_loss, hazard.frequency),
        "max_event_loss": float(event_loss.max()) if event_loss.size else 0.0,
        "max_simulated_rp_years": float(curve.return_period[0]) if curve.return_period.size else 0.0,
        "units": {"loss": "USD", "aal": "USD/year", "return_period": "years", "frequency": "events/year"},
        "return_period_definition": RP_DEFINITION,
        "sizes": {
            "assets": exposure.n_assets,
            "assigned_assets": int(exposure.n_assets - unassigned.size),
            "events": hazard.n_events,
            "sites": hazard.n_sites,
            "intensity_nnz": int(hazard.intensity.nnz),
            "groups": groups.n_groups,
        },
        "unassigned": {
            "count": int(unassigned.size),
            "ids": [str(i) for i in exposure.id[unassigned[:1000]]],
            "ids_truncated": bool(unassigned.size > 1000),
            "method": assignment.method,
            "max_distance_km": assignment.max_distance_km,
        },
        "parameters": {
            "mode": mode,
            "seed": seed,
            "block_events": block_events,
            "threads": n_threads,
            "scheduler": scheduler,
            "rp_maps": list(rp_maps),
        },
        "engine": f"kalkan {__version__}",
    }
    with atomic_output_dir(Path(out_dir)) as tmp:
        meta = {"units": "loss in USD, aal in USD/year", "engine": f"kalkan {__version__}"}
        write_parquet(tmp / "event_losses.parquet", {"event_id": hazard.event_id, "loss": event_loss}, meta)
        write_parquet(tmp / "asset_aal.parquet", {"id": exposure.id, "aal": asset_aal}, meta)
        if maps is not None:
            cols: dict[str, Any] = {"id": exposure.id}
            cols.update({f"rp_{_rp_key(rp)}": maps[:, i] for i, rp in enumerate(rp_maps)})
            write_parquet(tmp / "asset_rp_losses.parquet", cols, {**meta, "definition": RP_DEFINITION})
        t_write = time.perf_counter() - t2
        summary["timings_s"] = {"load": t_load, "jit": t_jit, "compute": t_compute, "write": t_write}
        summary["peak_rss_mib"] = peak_rss_mib()
        write_json(tmp / "summary.json", summary)
    return summary


def _rp_key(rp: float) -> str:
    return str(int(rp)) if float(rp).is_integer() else str(rp)


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
