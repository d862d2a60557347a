"""Risk use cases: load the inputs, assess in memory (:func:`kalkan.core.risk.assessment.assess`), write the
results once (:mod:`kalkan.io.assessment`) with their summary.

- :func:`run_case`: a benchmark case folder (``kalkan risk run --case``; see kalkan.io.case);
- :func:`run_assessment`: Kalkan-format files (``kalkan risk run --hazard --exposure --vulnerability``);
- :func:`assess_and_write`: exposure, hazards and models already in memory (the city commands), with the same
  files and summary as :func:`run_assessment`.

Each returns a :class:`RiskRun`: the assessment with the run's parameters and timings; ``as_dict()`` is the
``summary.json`` written (and the ``--json`` output).
"""

from __future__ import annotations

import os
import resource
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np

from kalkan import __version__
from kalkan.app.risk_inputs import load_fragility, load_hazards, load_vulnerability
from kalkan.core.exposure.table import Exposure
from kalkan.core.risk import metrics
from kalkan.core.risk.assessment import (
    AnyHazard,
    Assessment,
    DamageAssessment,
    assess,
    assess_damage,
    check_mode,
    site_assignment,
)
from kalkan.core.risk.assignment import Assignment, explicit_sites
from kalkan.core.risk.engine import DEFAULT_BLOCK_EVENTS, ProgressCallback
from kalkan.core.risk.return_periods import RULE, check_return_periods
from kalkan.core.vulnerability.fragility_set import FragilitySet
from kalkan.core.vulnerability.functions import VulnerabilitySet
from kalkan.errors import InputError
from kalkan.io.assessment import write_assessment, write_case_assessment, write_damage
from kalkan.io.case import read_case
from kalkan.io.exposure import read_exposure
from kalkan.io.hazard import hazard_provenance
from kalkan.io.results import atomic_output_dir, write_json

RP_DEFINITION = RULE
"""How a loss at a return period is read (the one rule of :mod:`kalkan.core.risk.metrics`), as summaries state it."""

ENGINE = f"kalkan {__version__}"
UNASSIGNED_IDS_SHOWN = 1000
"""At most this many unassigned asset ids are listed in a run's summary (the count is always exact)."""
STREAM_ABOVE_BYTES = 2 << 30
"""Hazards whose intensity arrays exceed this (2 GiB) are streamed from disk by default."""
BREAKDOWNS = ("district", "occupancy", "taxonomy", "critical_type")
"""The dimensions of the event losses by bucket (``event_losses_by.parquet``)."""

__all__ = [
    "RP_DEFINITION",
    "RiskRun",
    "assess_and_write",
    "load_fragility",
    "load_hazards",
    "load_vulnerability",
    "peak_rss_mib",
    "run_assessment",
    "run_case",
    "unassigned_summary",
]


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def unassigned_summary(assignment: Assignment, ids: Any) -> dict[str, Any]:
    """Assets with no hazard site within reach: count, the first ids, and how sites were assigned."""
    unassigned = assignment.unassigned
    return {
        "count": int(unassigned.size),
        "ids": [str(i) for i in ids[unassigned[:UNASSIGNED_IDS_SHOWN]]],
        "ids_truncated": bool(unassigned.size > UNASSIGNED_IDS_SHOWN),
        "method": assignment.method,
        "max_distance_km": assignment.max_distance_km,
    }


@dataclass(frozen=True, slots=True)
class RiskRun:
    """A risk run: its assessment (None for a damage-only run), parameters and timings.

    ``layout``: ``case`` (benchmark case, :func:`run_case`) or ``files`` (:func:`run_assessment` and the city
    commands). ``timings_s``: seconds of each step (load, jit, compute, write; kernel: the engine's pass over the
    hazard). ``peak_rss_mib``: the process's peak memory, MiB. ``hazard_provenance``: where each hazard file's data
    came from (``files`` layout).
    """

    layout: str
    assessment: Assessment | None
    damage: DamageAssessment | None
    parameters: dict[str, Any]
    timings_s: dict[str, float]
    peak_rss_mib: float
    hazard_provenance: dict[str, str | None] | None = None

    @property
    def aal_per_year(self) -> float:
        """Average annual loss (money per year; per event for a scenario), 0 for a damage-only run."""
        return 0.0 if self.assessment is None else self.assessment.aal_per_year

    @property
    def rp_losses(self) -> dict[str, float]:
        """Losses at the return periods, by key (``"100"``), in the exposure's money."""
        return {} if self.assessment is None else dict(self.assessment.rp_losses)

    @property
    def unassigned_assets(self) -> int:
        """Assets without a hazard site."""
        assignment = self.damage.assignment if self.assessment is None and self.damage else None
        if self.assessment is not None:
            assignment = self.assessment.assignment
        return 0 if assignment is None else int(assignment.unassigned.size)

    def as_dict(self) -> dict[str, Any]:
        """The run's summary, as written to ``summary.json`` (and printed by ``--json``)."""
        if self.assessment is None:
            assert self.damage is not None
            return _damage_only_summary(self)
        if self.layout == "case":
            return _case_summary(self, self.assessment)
        return _files_summary(self, self.assessment)


def _threads(threads: int | None) -> int:
    """Set numba's thread count (``--threads``) and return the count in use."""
    if threads is not None:
        most = int(numba.config.NUMBA_NUM_THREADS)  # type: ignore[attr-defined]
        if not 1 <= threads <= most:
            raise InputError(f"--threads must be between 1 and {most}.", code="input.range", field="--threads")
        numba.set_num_threads(threads)
    return int(numba.get_num_threads())


def _hazard_bytes(path: Path) -> int:
    """Uncompressed size of the intensity arrays of a case hazard.npz (0 if unreadable: the reader reports)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return sum(i.file_size for i in zf.infolist() if i.filename in ("data.npy", "indices.npy"))
    except (OSError, zipfile.BadZipFile):
        return 0


def _dask_client(scheduler: str) -> Any:
    """A Dask client: ``local`` starts a local cluster (processes, one thread each), else an address."""
    try:
        from distributed import Client, LocalCluster  # a heavy import, only when a scheduler is asked for
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise InputError("Dask distributed is not installed.", code="input.unsupported", field="--scheduler") from exc
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
        )
        return Client(cluster)
    try:
        return Client(scheduler, timeout="10s")
    except OSError as exc:
        raise InputError(f"Cannot reach the Dask scheduler at {scheduler}: {exc}.", code="input.unknown",
                         field="--scheduler") from exc  # fmt: skip


def _with_client(scheduler: str | None, compute: Any) -> Any:
    """Run ``compute(client)`` with a Dask client for ``scheduler`` (None: in this process), closing it after."""
    client = _dask_client(scheduler) if scheduler else None
    try:
        return compute(client)
    finally:
        if client is not None:
            client.close()


# --------------------------------------------------------------------------------------------- benchmark case


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
) -> RiskRun:
    """Run a plain-file case (see kalkan.io.case) and write OUT/summary.json, event_losses.parquet
    (event_id, loss), asset_aal.parquet (id, aal) and, with ``rp_maps``, asset_rp_losses.parquet.

    Money is in US dollars (the case's value unit); AAL in USD per year. ``stream``: read the hazard in event
    chunks (memory independent of the number of events); by default only when the intensity arrays exceed
    STREAM_ABOVE_BYTES.
    """
    check_mode(mode, 0)  # the mode is known (a sampled run's seed is checked before the computation)
    return_periods = check_return_periods(return_periods, "return periods")
    n_threads = _threads(threads)
    t0 = time.perf_counter()
    if stream is None:
        stream = mode == "mean" and not rp_maps and _hazard_bytes(Path(case_dir) / "hazard.npz") > STREAM_ABOVE_BYTES
    if stream and (mode != "mean" or rp_maps):
        raise InputError("--stream works with the mean mode and without --rp-maps (those need the whole hazard).",
                         code="input.options", field="--stream")  # fmt: skip
    case = read_case(Path(case_dir), stream=stream)
    hazard, exposure = case.hazard, case.exposure
    if case.assignment is not None:
        assignment = explicit_sites(case.assignment, hazard.n_sites, where=str(Path(case_dir) / "assignment.csv"))
    else:
        assignment = site_assignment(exposure, hazard, max_distance_km)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    assessment = _with_client(scheduler, lambda client: assess(
        [hazard], exposure, case.vulnerability, assignment=assignment, mode=mode, seed=seed,
        block_events=block_events, return_periods=return_periods, rp_maps=rp_maps, client=client,
        on_progress=on_progress,
    ))  # fmt: skip
    parameters = {"mode": mode, "seed": seed, "block_events": block_events, "threads": n_threads,
                  "scheduler": scheduler, "rp_maps": list(rp_maps), "stream": stream}  # fmt: skip
    return _write_run(Path(out_dir), "case", assessment, None, parameters,
                      _timings(t_load, time.perf_counter() - t1, assessment), None)  # fmt: skip


def _timings(t_load: float, elapsed: float, assessment: Assessment) -> dict[str, float]:
    """Load, JIT and compute seconds (the computation without the kernels' compilation)."""
    return {"load": t_load, "jit": assessment.jit_s, "compute": elapsed - assessment.jit_s}


def _write_run(
    out_dir: Path,
    layout: str,
    assessment: Assessment | None,
    damage: DamageAssessment | None,
    parameters: dict[str, Any],
    timings: dict[str, float],
    provenance: dict[str, str | None] | None,
) -> RiskRun:
    """Write the run's tables and then its summary into ``out_dir``, atomically; the run as returned."""
    with atomic_output_dir(out_dir) as tmp:
        return write_run(tmp, layout, assessment, damage, parameters, timings, provenance)


def write_run(
    folder: Path,
    layout: str,
    assessment: Assessment | None,
    damage: DamageAssessment | None,
    parameters: dict[str, Any],
    timings: dict[str, float],
    provenance: dict[str, str | None] | None,
) -> RiskRun:
    """Write the run's tables and then its summary into ``folder`` (which exists); the run as returned."""
    t2 = time.perf_counter()
    if assessment is None:
        assert damage is not None
        write_damage(folder, damage)
        timings = {"load": timings["load"], "compute_and_write": timings["compute"] + time.perf_counter() - t2}
    else:
        (write_case_assessment if layout == "case" else write_assessment)(folder, assessment)
        timings = {**timings, "write": time.perf_counter() - t2}
        if assessment.kernel_s is not None and layout == "case":
            timings["kernel"] = assessment.kernel_s  # the pass over the hazard alone (part of compute)
    run = RiskRun(layout, assessment, damage, parameters, timings, peak_rss_mib(), provenance)
    write_json(folder / "summary.json", run.as_dict())
    return run


def _case_summary(run: RiskRun, a: Assessment) -> dict[str, Any]:
    curve = a.curve
    return {
        "aal": a.aal_per_year,
        "rp_losses": dict(a.rp_losses),
        "tvar": dict(a.tvar),
        "aal_from_event_losses": metrics.aal(a.event_loss, a.frequency_per_year),
        "aggregate": a.aggregate,
        "max_event_loss": float(a.event_loss.max()) if a.event_loss.size else 0.0,
        "max_simulated_rp_years": float(curve.return_period[0]) if curve.return_period.size else 0.0,
        "units": {"loss": "USD", "aal": "USD/year", "return_period": "years", "frequency": "events/year"},
        "return_period_definition": RP_DEFINITION,
        "sizes": {
            "assets": a.n_assets,
            "assigned_assets": a.assigned_assets,
            "events": a.n_events,
            "sites": a.n_sites,
            "intensity_nnz": a.intensity_nnz,
            "groups": a.n_groups,
        },
        "unassigned": unassigned_summary(a.assignment, a.asset_id),
        "parameters": dict(run.parameters),
        "engine": ENGINE,
        "timings_s": dict(run.timings_s),
        "peak_rss_mib": run.peak_rss_mib,
    }


# --------------------------------------------------------------------------------------------- files


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
) -> RiskRun:
    """Run the engine on Kalkan-format inputs and write the outputs (see docs/risk-engine.md).

    Losses are in the exposure's currency and price year; fatalities (from ``occupants`` functions applied to
    the occupants of ``occupants_period``) in people. Event losses are broken down by district, occupancy,
    taxonomy, critical type and loss type.
    """
    if mode not in ("mean", "sampled"):
        raise InputError(f"Unknown mode {mode!r}; expected mean or sampled.", code="input.unknown", field="mode")
    check_mode(mode, seed)
    return_periods = check_return_periods(return_periods, "return periods")
    if not vulnerability_paths and not fragility_paths:
        raise InputError("Give a vulnerability model (losses) or a fragility model (damage states), or both.",
                         code="input.options", field="--vulnerability")  # fmt: skip
    t0 = time.perf_counter()
    hazards = load_hazards(hazard_paths)
    provenance = {str(p): hazard_provenance(p) for p in hazard_paths}
    exposure = read_exposure(exposure_path)
    fset = load_fragility(fragility_paths, consequence_path, fragility_mapping) if fragility_paths else None
    vset = load_vulnerability(vulnerability_paths, taxonomy_mapping) if vulnerability_paths else None
    return assess_and_write(
        hazards, exposure, vset, out_dir, fragility=fset, nonfunctional_threshold=nonfunctional_threshold, mode=mode,
        seed=seed, block_events=block_events, threads=threads, scheduler=scheduler, max_distance_km=max_distance_km,
        occupants_period=occupants_period, return_periods=return_periods, rp_maps=rp_maps, provenance=provenance,
        on_progress=on_progress, loaded_s=time.perf_counter() - t0,
    )  # fmt: skip


def assess_and_write(
    hazards: Sequence[AnyHazard],
    exposure: Exposure,
    vulnerability: VulnerabilitySet | None,
    out_dir: Path,
    *,
    fragility: FragilitySet | None = None,
    nonfunctional_threshold: float = 0.5,
    mode: str = "mean",
    seed: int | None = None,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    threads: int | None = None,
    scheduler: str | None = None,
    max_distance_km: float = 5.0,
    occupants_period: str = "night",
    return_periods: Sequence[float] = metrics.RETURN_PERIODS,
    rp_maps: Sequence[float] = (),
    provenance: Mapping[str, str | None] | None = None,
    on_progress: ProgressCallback | None = None,
    loaded_s: float = 0.0,
    atomic: bool = True,
) -> RiskRun:
    """Assess inputs already in memory and write the ``files`` layout (tables and summary.json) into ``out_dir``
    (a new folder, replaced atomically; with ``atomic=False`` written in place, for a caller that writes its own
    folder atomically). ``vulnerability`` None: damage outputs only (``fragility`` needed)."""
    check_mode(mode, seed)
    n_threads = _threads(threads)
    t0 = time.perf_counter()
    assignment = site_assignment(exposure, hazards[0], max_distance_km)
    provenance = dict(provenance) if provenance is not None else {h.source: None for h in hazards}
    if vulnerability is None:
        assert fragility is not None
        return _damage_only(hazards, exposure, fragility, out_dir, assignment, n_threads=n_threads, mode=mode,
                            block_events=block_events, occupants_period=occupants_period,
                            nonfunctional_threshold=nonfunctional_threshold, t_load=loaded_s + time.perf_counter() - t0,
                            on_progress=on_progress, atomic=atomic)  # fmt: skip
    t_load = loaded_s + time.perf_counter() - t0
    t1 = time.perf_counter()
    breakdowns = {name: np.asarray(getattr(exposure, name), dtype=object) for name in BREAKDOWNS}
    assessment = _with_client(scheduler, lambda client: assess(
        hazards, exposure, vulnerability, assignment=assignment, breakdowns=breakdowns,
        occupants_period=occupants_period, mode=mode, seed=seed, block_events=block_events,
        return_periods=return_periods, rp_maps=rp_maps, fragility=fragility,
        nonfunctional_threshold=nonfunctional_threshold, client=client, on_progress=on_progress,
    ))  # fmt: skip
    parameters = {"mode": mode, "seed": seed, "block_events": block_events, "threads": n_threads,
                  "scheduler": scheduler, "occupants_period": occupants_period}  # fmt: skip
    timings = _timings(t_load, time.perf_counter() - t1, assessment)
    if atomic:
        return _write_run(Path(out_dir), "files", assessment, None, parameters, timings, provenance)
    Path(out_dir).mkdir(parents=True)
    return write_run(Path(out_dir), "files", assessment, None, parameters, timings, provenance)


def _files_summary(run: RiskRun, a: Assessment) -> dict[str, Any]:
    money = a.money
    summary: dict[str, Any] = {
        "aal": a.aal_per_year,
        "rp_losses": dict(a.rp_losses),
        "tvar": dict(a.tvar),
        "aggregate": a.aggregate,
        "by_loss_type": {lt: {"aal": m.aal_per_year, "rp": dict(m.rp_losses)} for lt, m in a.by_loss_type.items()},
        "units": {
            "loss": money,
            "aal": f"{money} per year",
            "occupants": "people (fatalities)",
            "return_period": "years",
        },
        "return_period_definition": RP_DEFINITION,
        "sizes": {
            "assets": a.n_assets,
            "assigned_assets": a.assigned_assets,
            "events": a.n_events,
            "sites": a.n_sites,
            "groups": a.n_groups,
            "hazards": list(a.hazards),
        },
        "hazard_provenance": dict(run.hazard_provenance or {}),
        "unassigned": unassigned_summary(a.assignment, a.asset_id),
        "parameters": dict(run.parameters),
        "engine": ENGINE,
    }
    if a.scenario is not None:
        summary["scenario"] = {
            "average_event_loss": a.scenario.average_event_loss,
            "average_event_loss_per_realisation": dict(a.scenario.average_event_loss_per_realisation),
            "std_event_loss": a.scenario.std_event_loss,
            "note": "scenario run: 'aal' is the average loss per event (frequencies are realisation weights / N)",
        }
        summary["units"]["aal"] = f"{money} per event (scenario average)"
    if a.damage is not None:
        summary["damage"] = damage_summary(a.damage)
    summary["timings_s"] = dict(run.timings_s)
    summary["peak_rss_mib"] = run.peak_rss_mib
    return summary


def damage_summary(damage: DamageAssessment) -> dict[str, Any]:
    """Expected damage per year: buildings by damage state, loss, casualties, displaced people, facility outages."""
    r = damage.result
    return {
        "hazard": damage.hazard,
        "buildings_per_year": dict(zip(r.damage_states, map(float, r.buildings_per_year), strict=True)),
        "loss_per_year": r.loss_per_year,
        "casualties_people_per_year": dict(zip(r.severities, map(float, r.casualties_people_per_year), strict=True)),
        "displaced_people_per_year": r.displaced_people_per_year,
        "nonfunctional_facilities_per_year": dict(
            zip(r.critical_types, map(float, r.nonfunctional_facilities_per_year), strict=True)
        ),
        "facilities": int(r.facility_asset.size),
        "nonfunctional_threshold": r.nonfunctional_threshold,
        "units": {"buildings": "expected number per year", "people": "people per year", "loss": r.currency},
    }


def _damage_only(
    hazards: Sequence[AnyHazard],
    exposure: Exposure,
    fragility: FragilitySet,
    out_dir: Path,
    assignment: Assignment,
    *,
    n_threads: int,
    mode: str,
    block_events: int,
    occupants_period: str,
    nonfunctional_threshold: float,
    t_load: float,
    on_progress: ProgressCallback | None,
    atomic: bool,
) -> RiskRun:
    """A run with a fragility model and no vulnerability model: damage outputs only."""
    if mode != "mean":
        raise InputError("Damage-state outputs are expected values; use --mode mean.", code="input.options",
                         field="--mode")  # fmt: skip
    t1 = time.perf_counter()
    damage = assess_damage(hazards, exposure, fragility, assignment=assignment, occupants_period=occupants_period,
                           nonfunctional_threshold=nonfunctional_threshold, block_events=block_events,
                           on_progress=on_progress)  # fmt: skip
    parameters = {"mode": mode, "block_events": block_events, "threads": n_threads,
                  "occupants_period": occupants_period}  # fmt: skip
    timings = {"load": t_load, "compute": time.perf_counter() - t1}
    if atomic:
        return _write_run(Path(out_dir), "files", None, damage, parameters, timings, None)
    Path(out_dir).mkdir(parents=True)
    return write_run(Path(out_dir), "files", None, damage, parameters, timings, None)


def _damage_only_summary(run: RiskRun) -> dict[str, Any]:
    damage = run.damage
    assert damage is not None
    return {
        "sizes": {
            "assets": int(damage.asset_id.size),
            "assigned_assets": int(damage.asset_id.size - damage.assignment.unassigned.size),
            "events": int(damage.event_id.size),
            "sites": damage.n_sites,
        },
        "unassigned": unassigned_summary(damage.assignment, damage.asset_id),
        "parameters": dict(run.parameters),
        "engine": ENGINE,
        "damage": damage_summary(damage),
        "timings_s": dict(run.timings_s),
        "peak_rss_mib": run.peak_rss_mib,
    }
