"""Event-based hazard: a stochastic event set of a source model over T years and its ground-motion fields as
hazard files (``kalkan eq events``); the city's losses from them are :mod:`kalkan.app.city_event_risk`.

The science is in :mod:`kalkan.core.hazard.earthquake.stochastic` (catalogue, seeding, fields); this module
reads the inputs, streams the fields into Kalkan hazard NPZ files block by block (memory O(events + one
block); the stored values go straight to disk) and writes a summary that records the source model (path and
SHA-256), the GMPE logic tree, T, the seed, the event and rupture counts, and warnings.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from kalkan import __version__
from kalkan.catalog.sources import data_root
from kalkan.core.hazard.earthquake.gmf import Correlation
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, Sites, vs30_record, z1pt0_from_vs30, z2pt5_from_vs30
from kalkan.core.hazard.earthquake.sources import RuptureSet
from kalkan.core.hazard.earthquake.stochastic import (
    DEFAULT_BLOCK_EVENTS,
    DEFAULT_MIN_INTENSITY,
    EventSet,
    ground_motion_blocks,
    sample_events,
)
from kalkan.core.risk.return_periods import STANDARD_RETURN_PERIODS
from kalkan.errors import InputError
from kalkan.io.digest import sha256_file
from kalkan.io.exposure_columns import require_file
from kalkan.io.hazard import FORMAT_NAME, FORMAT_VERSION
from kalkan.io.results import atomic_output_dir, write_json, write_parquet
from kalkan.io.source_model import read_source_model

ProgressCallback = Callable[[int, str], None]

__all__ = [
    "DEFAULT_MAX_DISTANCE_KM",
    "DEFAULT_YEARS",
    "RETURN_PERIODS",
    "asset_sites",
    "default_source_model",
    "hazard_file_name",
    "run_event_set",
    "write_event_hazard",
]

DEFAULT_YEARS = 10_000
"""Default catalogue length T (years)."""
DEFAULT_MAX_DISTANCE_KM = 300.0
"""Default maximum source-site distance (Rrup, km), as the classical calculation's."""
RETURN_PERIODS = STANDARD_RETURN_PERIODS
"""Return periods (years) of the losses reported: Kalkan's standard set, as every other loss table."""


def hazard_file_name(imt: str) -> str:
    """``hazard_PGA.npz``, ``hazard_SA_0.3.npz``: the file of one IMT (as the scenario writes them)."""
    return f"hazard_{imt.replace('(', '_').replace(')', '')}.npz"


def default_source_model() -> Path | None:
    """The shipped regional source model (``kalkan_regional_model_v1.xml``), or None if not shipped."""
    path = data_root() / "seismic_zones" / "kalkan_regional_model_v1.xml"
    return path if path.is_file() else None


# --------------------------------------------------------------------------------------------- writer


class _Spool:
    """The CSR values of one IMT, appended block by block to raw files (data float32, indices int32)."""

    def __init__(self, folder: Path, imt: str) -> None:
        self.data_path = folder / f".{hazard_file_name(imt)}.data"
        self.indices_path = folder / f".{hazard_file_name(imt)}.indices"
        self.data: IO[bytes] = self.data_path.open("wb")
        self.indices: IO[bytes] = self.indices_path.open("wb")
        self.counts: list[NDArray[np.int64]] = []
        self.nnz = 0

    def append(self, indptr: NDArray[np.int64], indices: NDArray[np.int32], data: NDArray[np.float32],
               keep: NDArray[np.bool_]) -> None:  # fmt: skip
        counts = np.diff(indptr)
        rows = np.repeat(keep, counts)
        self.data.write(np.ascontiguousarray(data[rows], dtype="<f4").tobytes())
        self.indices.write(np.ascontiguousarray(indices[rows], dtype="<i4").tobytes())
        self.counts.append(counts[keep])
        self.nnz += int(rows.sum())

    def close(self) -> None:
        self.data.close()
        self.indices.close()

    def remove(self) -> None:
        self.close()
        for p in (self.data_path, self.indices_path):
            p.unlink(missing_ok=True)


def _npy_member(zf: zipfile.ZipFile, name: str, array: NDArray[Any]) -> None:
    with zf.open(f"{name}.npy", "w", force_zip64=True) as fh:
        np.lib.format.write_array(fh, np.require(array, requirements="C"), allow_pickle=False)  # keeps 0-d arrays


def _raw_member(zf: zipfile.ZipFile, name: str, raw: Path, dtype: str, count: int) -> None:
    header = {"descr": np.lib.format.dtype_to_descr(np.dtype(dtype)), "fortran_order": False, "shape": (count,)}
    with zf.open(f"{name}.npy", "w", force_zip64=True) as fh, raw.open("rb") as src:
        np.lib.format.write_array_header_1_0(fh, header)
        shutil.copyfileobj(src, fh, 1 << 22)


def _finish_hazard_file(path: Path, spool: _Spool, imt: str, sites: Sites, events: EventSet,
                        positions: NDArray[np.intp], source: str) -> None:  # fmt: skip
    """Write a Kalkan hazard NPZ (format version 1, see :mod:`kalkan.io.hazard`) from a spool."""
    spool.close()
    counts = np.concatenate(spool.counts) if spool.counts else np.zeros(0, dtype=np.int64)
    indptr = np.zeros(positions.size + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    metadata = {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "peril": "earthquake", "imt": imt,
        "unit": "cm/s" if imt == "PGV" else "g", "frequency_unit": "1/year", "crs": "EPSG:4326", "source": source,
        "created": {"utc": datetime.now(UTC).isoformat(timespec="seconds"), "kalkan_version": __version__},
    }  # fmt: skip
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            _raw_member(zf, "data", spool.data_path, "<f4", spool.nnz)
            _raw_member(zf, "indices", spool.indices_path, "<i4", spool.nnz)
            _npy_member(zf, "indptr", indptr)
            _npy_member(zf, "shape", np.array([positions.size, len(sites)], dtype=np.int64))
            _npy_member(zf, "site_lon", sites.lon)
            _npy_member(zf, "site_lat", sites.lat)
            _npy_member(zf, "site_vs30", sites.vs30_m_s)
            _npy_member(zf, "event_id", events.event_id[positions])
            _npy_member(zf, "frequency", np.full(positions.size, events.frequency_per_year))
            _npy_member(zf, "event_year", events.year[positions])
            _npy_member(zf, "realisation", events.branch[positions].astype(np.int64))
            _npy_member(zf, "metadata", np.array(json.dumps(metadata, allow_nan=False, ensure_ascii=False)))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        spool.remove()


def write_event_hazard(
    out_dir: Path,
    events: EventSet,
    rupture_sets: Sequence[RuptureSet],
    branches: Sequence[GmpeBranch],
    sites: Sites,
    imts: Sequence[str],
    *,
    truncation: float | None = 3.0,
    correlation: Correlation = None,
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM,
    min_intensity: float = DEFAULT_MIN_INTENSITY,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Stream the catalogue's ground-motion fields into ``out_dir/hazard_<IMT>.npz`` (one per IMT, the same
    events in each) and write ``out_dir/events.parquet`` (every sampled event: event_id, rupture_id,
    source_id, rupture_index, mag, rake, year, branch, in_hazard).

    Events with no value >= ``min_intensity`` at any site in any IMT are left out of the hazard files (they
    cause no loss; the catalogue length T, recorded as frequency 1/T, sets the years). Returns counts,
    the files and the GMPE warnings. Memory: one block of fields plus a few numbers per event.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    warnings: list[str] = []
    spools = {imt: _Spool(out_dir, imt) for imt in imts}
    kept: list[NDArray[np.intp]] = []
    done = 0
    try:
        for blk in ground_motion_blocks(
            events, rupture_sets, branches, sites, imts, truncation=truncation, correlation=correlation,
            max_distance_km=max_distance_km, min_intensity=min_intensity, block_events=block_events,
            warnings=warnings,
        ):  # fmt: skip
            keep = np.zeros(blk.events.size, dtype=bool)
            for imt in imts:
                keep |= np.diff(blk.indptr[imt]) > 0
            for imt in imts:
                spools[imt].append(blk.indptr[imt], blk.indices[imt], blk.data[imt], keep)
            kept.append(blk.events[keep])
            done += blk.events.size
            if on_progress is not None:
                on_progress(int(100 * done / max(events.n_events, 1)), f"ground motion: {done:,} events")
        positions = np.concatenate(kept) if kept else np.zeros(0, dtype=np.intp)
        if positions.size == 0:
            raise InputError(
                f"no event of the {events.years:,}-year catalogue ({events.n_events:,} events) gives ground motion "
                f">= {min_intensity:g} at any site within {max_distance_km:g} km; lengthen the catalogue (--years) "
                "or check that the source model covers the sites.",
                code="input.empty",
                field="--years",
            )
        source = (f"stochastic event set: {events.years} years, seed {events.seed}, "
                  f"GMPE branches {'+'.join(events.branch_names)}")  # fmt: skip
        files = {}
        for imt in imts:
            path = out_dir / hazard_file_name(imt)
            _finish_hazard_file(path, spools[imt], imt, sites, events, positions, source)
            files[imt] = str(path)
    finally:
        for spool in spools.values():
            spool.remove()
    in_hazard = np.zeros(events.n_events, dtype=bool)
    in_hazard[positions] = True
    mag = np.zeros(events.n_events)
    rake = np.zeros(events.n_events)
    for s, rs in enumerate(rupture_sets):
        on = events.source_index == s
        mag[on] = rs.mag[events.rupture_index[on]]
        rake[on] = rs.rake[events.rupture_index[on]]
    write_parquet(out_dir / "events.parquet", {
        "event_id": events.event_id, "rupture_id": events.rupture_ids().astype(object),
        "source_id": np.asarray(events.source_ids, dtype=object)[events.source_index],
        "rupture_index": events.rupture_index, "mag": mag, "rake": rake, "year": events.year,
        "branch": np.asarray(events.branch_names, dtype=object)[events.branch], "in_hazard": in_hazard,
    }, {"units": "mag: Mw; rake: degrees; year: 0 .. T-1 of the catalogue",
        "catalogue": f"{events.years} years, seed {events.seed}"})  # fmt: skip
    return {
        "events_sampled": events.n_events,
        "events_in_hazard": int(positions.size),
        "ruptures_in_model": events.n_ruptures,
        "ruptures_occurring": _count_ruptures(events),
        "stored_values": {imt: spools[imt].nnz for imt in imts},
        "files": {**files, "events": str(out_dir / "events.parquet")},
        "warnings": warnings,
    }


def _count_ruptures(events: EventSet) -> int:
    """Distinct ruptures with at least one occurrence (events are in rupture order)."""
    if events.n_events == 0:
        return 0
    change = (np.diff(events.source_index) != 0) | (np.diff(events.rupture_index) != 0)
    return int(change.sum()) + 1


# --------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class SourceModelRun:
    """A source model read for an event-based run: its rupture sets, file record and reading warnings."""

    rupture_sets: list[RuptureSet]
    record: dict[str, Any]
    warnings: list[str]


def resolve_source_model(path: Path | None) -> Path:
    """The source-model file to use: ``path`` if given (it must exist), else the shipped regional model."""
    if path is None:
        path = default_source_model()
        if path is None:
            raise InputError(
                "No source model: the shipped regional model is missing; give one with --sources.",
                code="input.missing",
                field="--sources",
            )
    return require_file(path)


def read_model(path: Path | None, *, area_spacing_km: float = 10.0, mesh_spacing_km: float = 5.0,
               mfd_bin_width: float = 0.1) -> SourceModelRun:  # fmt: skip
    """Read a source model (NRML or Kalkan CSV; default: the shipped regional model) and record its path,
    SHA-256 and the discretisation used."""
    p = resolve_source_model(path)
    options = {"mfd_bin_width": mfd_bin_width, "mesh_spacing_km": mesh_spacing_km, "area_spacing_km": area_spacing_km}
    model = read_source_model(p) if p.suffix.lower() == ".csv" else read_source_model(p, **options)
    sets = [s.ruptures() for s in model.sources]
    shipped = default_source_model()
    record = {
        "path": str(p.resolve()),
        "sha256": sha256_file(p),
        "shipped_regional_model": shipped is not None and p.resolve() == shipped.resolve(),
        "sources": [rs.source_id for rs in sets],
        "ruptures": int(sum(len(rs) for rs in sets)),
        "total_rate_per_year": float(sum(rs.rate.sum() for rs in sets)),
        "discretisation": {
            "area_spacing_km": area_spacing_km,
            "mesh_spacing_km": mesh_spacing_km,
            "mfd_bin_width": mfd_bin_width,
        },
    }
    return SourceModelRun(sets, record, list(model.warnings))


def branches_record(branches: Sequence[GmpeBranch], logic_tree: Path | None) -> dict[str, Any]:
    """The GMPE logic tree as run: branches and weights, and the file with its SHA-256 when one was given."""
    out: dict[str, Any] = {
        "sampling": "Monte Carlo: one branch per event, drawn with the branch weights",
        "branches": {b.name: b.weight for b in branches},
    }
    if logic_tree is not None:
        out["file"] = {"path": str(Path(logic_tree).resolve()), "sha256": sha256_file(Path(logic_tree))}
    return out


def region_warnings(sets: Sequence[RuptureSet], branches: Sequence[GmpeBranch]) -> list[str]:
    """Sources of a tectonic region none of the GMPEs is for: each gets the one logic tree all the same."""
    out = []
    regions = {b.gmpe.tectonic_region for b in branches}
    for trt in sorted({rs.tectonic_region for rs in sets} - regions):
        ids = [rs.source_id for rs in sets if rs.tectonic_region == trt]
        out.append(f"source(s) {', '.join(ids)} of tectonic region '{trt}' use the GMPEs given "
                   f"({', '.join(sorted(regions))}); Kalkan applies one logic tree to every source.")  # fmt: skip
    return out


def check_years(years: int, seed: int) -> None:
    """The catalogue length is a whole number of years >= 1 and the seed a non-negative integer."""
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise InputError(
            f"--years must be a whole number of years >= 1; got {years!r}.", code="input.range", field="--years"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"--seed must be a non-negative integer; got {seed!r}.", code="input.range", field="--seed")


def run_event_set(
    out_dir: Path,
    *,
    source_model: Path | None,
    branches: Sequence[GmpeBranch],
    sites: Sites,
    imts: Sequence[str],
    years: int = DEFAULT_YEARS,
    seed: int = 42,
    logic_tree: Path | None = None,
    truncation: float | None = 3.0,
    correlation: Correlation = None,
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM,
    min_intensity: float = DEFAULT_MIN_INTENSITY,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    area_spacing_km: float = 10.0,
    sites_source: str = "",
    vs30_m_s: float = DEFAULT_VS30_M_S,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """``kalkan eq events``: sample a ``years``-year catalogue of the source model and write, atomically,
    ``out_dir/{hazard_<IMT>.npz, events.parquet, summary.json}``; returns the summary. ``vs30_m_s``: the Vs30
    the sites without their own were given (stated in the summary's ``site_condition``)."""
    check_years(years, seed)
    t0 = time.perf_counter()
    model = read_model(source_model, area_spacing_km=area_spacing_km)
    events = sample_events(model.rupture_sets, years, seed, branches)
    t_sample = time.perf_counter() - t0
    with atomic_output_dir(Path(out_dir)) as tmp:
        t1 = time.perf_counter()
        written = write_event_hazard(
            tmp, events, model.rupture_sets, branches, sites, imts, truncation=truncation, correlation=correlation,
            max_distance_km=max_distance_km, min_intensity=min_intensity, block_events=block_events,
            on_progress=on_progress,
        )  # fmt: skip
        files = {k: str(Path(out_dir) / Path(v).name) for k, v in written.pop("files").items()}
        summary: dict[str, Any] = {
            "catalogue_years": years,
            "seed": seed,
            **written,
            "event_frequency_per_year": 1.0 / years,
            "source_model": model.record,
            "gmpe_logic_tree": branches_record(branches, logic_tree),
            "sites": {"count": len(sites), "source": sites_source},
            "site_condition": vs30_record(vs30_m_s, sites.vs30_m_s),
            "imts": list(imts),
            "ground_motion": gm_record(truncation, correlation, max_distance_km, min_intensity, block_events),
            "files": files,
            "warnings": [*model.warnings, *region_warnings(model.rupture_sets, branches), *written["warnings"]],
            "timings_s": {"sample": t_sample, "ground_motion": time.perf_counter() - t1},
            "engine": f"kalkan {__version__}",
        }
        write_json(tmp / "summary.json", summary)
    return summary


def gm_record(truncation: float | None, correlation: str | None, max_distance_km: float, min_intensity: float,
               block_events: int) -> dict[str, Any]:  # fmt: skip
    """The ground-motion settings as a run's summary records them."""
    return {
        "truncation_sd": truncation,
        "correlation": correlation,
        "max_distance_km": max_distance_km,
        "max_distance_metric": "Rrup",
        "min_intensity": min_intensity,
        "min_intensity_unit": "g (PGA, SA); cm/s (PGV)",
        "block_events": block_events,
    }


def asset_sites(exposure: Any, vs30: float) -> tuple[Sites, NDArray[np.intp]]:
    """The unique asset locations (rounded to 1e-6 degree) as sites with a uniform Vs30 (m/s), z1.0 and z2.5
    from the Vs30 correlations (as the scenario's sites); and each asset's site."""
    pts = np.round(np.column_stack([exposure.lon, exposure.lat]), 6)
    uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
    v = np.full(uniq.shape[0], float(vs30))
    sites = Sites(
        uniq[:, 0].copy(), uniq[:, 1].copy(), v, np.zeros(v.size, dtype=bool),
        np.asarray(z1pt0_from_vs30(v), dtype=np.float64), np.asarray(z2pt5_from_vs30(v), dtype=np.float64),
        names=tuple(f"s{k}" for k in range(uniq.shape[0])),
    )  # fmt: skip
    return sites, np.asarray(inverse).ravel()
