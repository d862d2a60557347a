"""Event-based hazard and risk: a stochastic event set of a source model over T years, its ground-motion
fields as hazard files, and a city's losses from them (average annual loss, occurrence and aggregate
exceedance curves, losses at return periods, expected annual fatalities).

The science is in :mod:`kalkan.core.hazard.earthquake.stochastic` (catalogue, seeding, fields); this module
reads the inputs, streams the fields into Kalkan hazard NPZ files block by block (memory O(events + one
block); the stored values go straight to disk), runs the risk engine and writes a summary that records the
source model (path and SHA-256), the GMPE logic tree, T, the seed, the event and rupture counts, and
warnings (for instance a return period too long for the catalogue).
"""

from __future__ import annotations

import json
import math
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
from sqlalchemy.orm import Session

from kalkan import __version__
from kalkan.app.city_scenario import DEFAULT_GMPES, GEM_LICENCE, resolve_imts
from kalkan.app.modelled_effects import EARTHQUAKE_MODELLED_EFFECTS
from kalkan.app.psha import gmpe_branches
from kalkan.app.risk import RiskRun, assess_and_write, load_hazards
from kalkan.app.taxonomy_mapping import full_mapping_rows, with_city_mapping, write_mapping
from kalkan.catalog.sources import data_root
from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.earthquake.psha import GmpeBranch, Sites
from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, vs30_record, z1pt0_from_vs30, z2pt5_from_vs30
from kalkan.core.hazard.earthquake.sources import RuptureSet
from kalkan.core.hazard.earthquake.stochastic import (
    DEFAULT_BLOCK_EVENTS,
    DEFAULT_MIN_INTENSITY,
    Correlation,
    EventSet,
    ground_motion_blocks,
    sample_events,
)
from kalkan.core.risk import metrics
from kalkan.core.risk.assessment import Assessment
from kalkan.core.risk.return_periods import RULE, STANDARD_RETURN_PERIODS, check_return_periods, rp_key, with_standard
from kalkan.core.vulnerability.functions import VulnerabilitySet
from kalkan.core.vulnerability.library import gem_central_asia
from kalkan.errors import InputError
from kalkan.io.digest import sha256_file
from kalkan.io.exposure import write_exposure
from kalkan.io.exposure_columns import require_file
from kalkan.io.hazard import FORMAT_NAME, FORMAT_VERSION, hazard_provenance
from kalkan.io.results import atomic_output_dir, write_json, write_parquet
from kalkan.io.source_model import read_source_model
from kalkan.io.vulnerability_csv import TaxonomyMapping
from kalkan.store.city_data import load_exposure, load_mapping

ProgressCallback = Callable[[int, str], None]

__all__ = [
    "DEFAULT_MAX_DISTANCE_KM",
    "DEFAULT_YEARS",
    "RETURN_PERIODS",
    "city_event_based_risk",
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
CURVE_RETURN_PERIODS = (1, 2, 5, 10, 25, 50, 100, 250, 475, 500, 1000, 2475, 5000, 10000, 25000, 100000)
"""Return periods (years) of the exceedance curves written (those up to T)."""
RP_RELIABLE_FACTOR = 10
"""A loss at return period R is flagged unless T >= 10 R: its estimate rests on about T / R years."""


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
            _npy_member(zf, "site_vs30", sites.vs30)
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


def _region_warnings(sets: Sequence[RuptureSet], branches: Sequence[GmpeBranch]) -> list[str]:
    out = []
    regions = {b.gmpe.tectonic_region for b in branches}
    for trt in sorted({rs.tectonic_region for rs in sets} - regions):
        ids = [rs.source_id for rs in sets if rs.tectonic_region == trt]
        out.append(f"source(s) {', '.join(ids)} of tectonic region '{trt}' use the GMPEs given "
                   f"({', '.join(sorted(regions))}); Kalkan applies one logic tree to every source.")  # fmt: skip
    return out


def _check_years(years: int, seed: int) -> None:
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
    _check_years(years, seed)
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
            "site_condition": vs30_record(vs30_m_s, sites.vs30),
            "imts": list(imts),
            "ground_motion": _gm_record(truncation, correlation, max_distance_km, min_intensity, block_events),
            "files": files,
            "warnings": [*model.warnings, *_region_warnings(model.rupture_sets, branches), *written["warnings"]],
            "timings_s": {"sample": t_sample, "ground_motion": time.perf_counter() - t1},
            "engine": f"kalkan {__version__}",
        }
        write_json(tmp / "summary.json", summary)
    return summary


def _gm_record(truncation: float | None, correlation: str | None, max_distance_km: float, min_intensity: float,
               block_events: int) -> dict[str, Any]:  # fmt: skip
    return {
        "truncation_sd": truncation,
        "correlation": correlation,
        "max_distance_km": max_distance_km,
        "max_distance_metric": "Rrup",
        "min_intensity": min_intensity,
        "min_intensity_unit": "g (PGA, SA); cm/s (PGV)",
        "block_events": block_events,
    }


# --------------------------------------------------------------------------------------------- city risk


def rp_warnings(years: int, return_periods: Sequence[float]) -> tuple[dict[str, str], list[str]]:
    """Flag each return period against the catalogue length: ``ok`` (T >= 10 R), ``short`` (R <= T < 10 R:
    few years exceed it, large sampling error) or ``beyond_catalogue`` (R > T: the loss is clamped to the
    largest simulated one)."""
    flags: dict[str, str] = {}
    warnings: list[str] = []
    for rp in return_periods:
        if years >= RP_RELIABLE_FACTOR * rp:
            flags[rp_key(rp)] = "ok"
        elif years >= rp:
            flags[rp_key(rp)] = "short"
            warnings.append(
                f"the {rp:g}-year losses rest on about {years / rp:.0f} catalogue year(s) of {years:,}: sampling "
                f"error is large; use --years {RP_RELIABLE_FACTOR * rp:g} or more for a stable estimate."
            )
        else:
            flags[rp_key(rp)] = "beyond_catalogue"
            warnings.append(
                f"the {rp:g}-year return period is beyond the {years:,}-year catalogue: the losses reported there are "
                f"the largest simulated ones (a lower bound); use --years {RP_RELIABLE_FACTOR * rp:g} or more."
            )
    return flags, warnings


def loss_curves(event_loss: NDArray[np.float64], event_year: NDArray[np.int64], years: int,
                return_periods: Sequence[float]) -> dict[str, Any]:  # fmt: skip
    """Losses at the return periods from a T-year catalogue (each event 1/T per year), by the one rule of
    :mod:`kalkan.core.risk.metrics`: ``occurrence`` (event exceedance: the risk engine's curve, the same number as
    ``risk show`` of the run), ``annual_maximum`` (each year's largest loss) and ``aggregate`` (each year's
    total), with the standard error of the mean annual loss (std of annual totals / sqrt T)."""
    rps = check_return_periods(return_periods)
    return metrics.catalogue_curves(event_loss, event_year, years).at(rps)


def city_sites(exposure: Any, vs30: float) -> tuple[Sites, NDArray[np.intp]]:
    """The unique asset locations (rounded to 1e-6 degree) as sites with a uniform Vs30 (m/s), z1.0 and z2.5
    from the Vs30 correlations (as the scenario's sites); and each asset's site."""
    pts = np.round(np.column_stack([exposure.lon, exposure.lat]), 6)
    uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
    v = np.full(uniq.shape[0], float(vs30))
    sites = Sites(
        tuple(f"s{k}" for k in range(uniq.shape[0])), uniq[:, 0].copy(), uniq[:, 1].copy(), v,
        np.zeros(v.size, dtype=bool), np.asarray(z1pt0_from_vs30(v), dtype=np.float64),
        np.asarray(z2pt5_from_vs30(v), dtype=np.float64),
    )  # fmt: skip
    return sites, np.asarray(inverse).ravel()


@dataclass(frozen=True, slots=True)
class CityEventInputs:
    """What a city's event-based run computes on: its stored exposure, its own taxonomy mapping (None: GEM's),
    the GEM Central Asia set with that mapping, the IMTs its functions need, the sites, the GMPE branches and the
    count of assets whose taxonomy has no structural function."""

    exposure: Exposure
    own_mapping: TaxonomyMapping | None
    vulnerability: VulnerabilitySet
    imts: list[str]
    sites: Sites
    branches: list[GmpeBranch]
    unresolved_assets: int


def city_event_inputs(
    session: Session, city_id: str, *, gmpes: Sequence[str], gmpe_logic_tree: Path | None, imts: Sequence[str] | None,
    vs30: float,
) -> CityEventInputs:  # fmt: skip
    """Load and check what :func:`city_event_based_risk` needs from the store and the shipped models."""
    if not (math.isfinite(vs30) and vs30 > 0):
        raise InputError(f"Vs30 {vs30} must be a positive number (m/s).", code="input.range", field="--vs30")
    branches = (gmpe_branches(logic_tree=gmpe_logic_tree) if gmpe_logic_tree is not None
                else gmpe_branches(list(gmpes) or list(DEFAULT_GMPES)))  # fmt: skip
    exposure = load_exposure(session, city_id)
    own_mapping = load_mapping(session, city_id)
    vset = with_city_mapping(gem_central_asia(), own_mapping)
    resolved, unresolved = resolve_imts(vset, {str(t) for t in exposure.taxonomy})
    if imts is None:
        imts = sorted(resolved)
        if not imts:
            raise InputError(f"None of {city_id}'s taxonomies resolves to a GEM Central Asia function.",
                             code="input.unknown", field="taxonomy")  # fmt: skip
    missing = sorted(set(resolved) - set(imts))
    if missing:
        raise InputError(f"The GEM functions of {city_id}'s taxonomies need {', '.join(missing)} too; add them.",
                         code="input.missing", field="--imt")  # fmt: skip
    sites, _ = city_sites(exposure, vs30)
    unresolved_assets = int(np.isin(exposure.taxonomy.astype(str), unresolved.get("structural", [])).sum())
    return CityEventInputs(exposure, own_mapping, vset, list(imts), sites, list(branches), unresolved_assets)


@dataclass(frozen=True, slots=True)
class CityEventRisk:
    """The result of :func:`city_event_based_risk`: the headline numbers (money in ``money``, per year; people per
    year), the curves of money and of fatalities, and the summary document (``summary.json``, :meth:`as_dict`)."""

    city_id: str
    money: str
    aal_per_year: float
    aal_standard_error_per_year: float
    expected_annual_fatalities_per_year: float
    expected_annual_fatalities_standard_error_per_year: float
    loss_curves: metrics.CatalogueCurves
    fatality_curves: metrics.CatalogueCurves
    return_period_flags: dict[str, str]
    warnings: tuple[str, ...]
    document: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The summary as written to ``summary.json`` (and printed by ``--json``)."""
        return dict(self.document)


def city_event_based_risk(
    session: Session,
    city_id: str,
    out_dir: Path,
    *,
    source_model: Path | None = None,
    gmpes: Sequence[str] = (),
    gmpe_logic_tree: Path | None = None,
    years: int = DEFAULT_YEARS,
    seed: int = 42,
    imts: Sequence[str] | None = None,
    vs30: float = DEFAULT_VS30_M_S,
    correlation: Correlation = None,
    truncation: float | None = 3.0,
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM,
    min_intensity: float = DEFAULT_MIN_INTENSITY,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    area_spacing_km: float = 10.0,
    return_periods: Sequence[float] = RETURN_PERIODS,
    on_progress: ProgressCallback | None = None,
) -> CityEventRisk:
    """Event-based risk of a city's stored exposure; writes ``out_dir/{summary.json, exceedance_curves.csv,
    hazard/, risk/, exposure.csv, taxonomy_mapping.csv}`` atomically and returns the result.

    Source model: ``source_model`` or the shipped regional model. GMPEs: a logic-tree file, names (equal
    weights) or the scenario's default three. IMTs: those of the GEM Central Asia functions the city's
    taxonomies resolve to (with the city's own mapping). Sites: the unique asset locations with a uniform
    ``vs30`` (m/s). Losses by the risk engine in memory (mean mode; GEM NRML models + the city's mapping;
    night-time occupants for fatalities); the ground-motion fields stream to ``hazard/`` block by block. Money in
    the exposure's currency and price year (USD of 2021 for the GEM exposure); fatalities in people.
    """

    def progress(p: int, message: str) -> None:
        if on_progress is not None:
            on_progress(p, message)

    _check_years(years, seed)
    rps = check_return_periods(return_periods)
    inputs = city_event_inputs(session, city_id, gmpes=gmpes, gmpe_logic_tree=gmpe_logic_tree, imts=imts, vs30=vs30)
    t0 = time.perf_counter()
    progress(0, "source model")
    model = read_model(source_model, area_spacing_km=area_spacing_km)
    events = sample_events(model.rupture_sets, years, seed, inputs.branches)
    flags, rp_warns = rp_warnings(years, rps)
    t_sample = time.perf_counter() - t0
    with atomic_output_dir(Path(out_dir)) as tmp:
        t1 = time.perf_counter()
        written = write_event_hazard(
            tmp / "hazard", events, model.rupture_sets, inputs.branches, inputs.sites, inputs.imts,
            truncation=truncation, correlation=correlation, max_distance_km=max_distance_km,
            min_intensity=min_intensity, block_events=block_events, on_progress=lambda p, m: progress(int(p * 0.6), m),
        )  # fmt: skip
        t_gmf = time.perf_counter() - t1
        progress(60, "losses and fatalities")
        t2 = time.perf_counter()
        risk = _city_losses(tmp, inputs, block_events, with_standard(rps),
                            lambda p, m: progress(60 + int(p * 0.35), m))  # fmt: skip
        t_risk = time.perf_counter() - t2
        progress(95, "exceedance curves")
        a = risk.assessment
        assert a is not None and a.event_year is not None
        money_curves = metrics.catalogue_curves(a.event_loss, a.event_year, years)
        people_curves = metrics.catalogue_curves(_fatalities(a), a.event_year, years)
        write_curve_grid(tmp / "exceedance_curves.csv", money_curves, people_curves, years)
        warnings = (*rp_warns, *model.warnings, *_region_warnings(model.rupture_sets, inputs.branches),
                    *written["warnings"])  # fmt: skip
        summary = _event_risk_summary(
            city_id, inputs, risk, money_curves.at(rps), people_curves.at(rps), rps, flags, written, model, events,
            gmpe_logic_tree=gmpe_logic_tree, gm_record=_gm_record(truncation, correlation, max_distance_km,
                                                                  min_intensity, block_events),
            vs30=vs30, warnings=list(warnings),
            timings={"sample": t_sample, "ground_motion": t_gmf, "risk": t_risk, "total": time.perf_counter() - t0},
        )  # fmt: skip
        write_json(tmp / "summary.json", summary)
        progress(100, "done")
    fat = a.by_loss_type.get("occupants")
    return CityEventRisk(
        city_id=city_id, money=a.money, aal_per_year=a.aal_per_year,
        aal_standard_error_per_year=money_curves.standard_error,
        expected_annual_fatalities_per_year=fat.aal_per_year if fat is not None else math.nan,
        expected_annual_fatalities_standard_error_per_year=people_curves.standard_error,
        loss_curves=money_curves, fatality_curves=people_curves, return_period_flags=flags,
        warnings=tuple(warnings), document=summary,
    )  # fmt: skip


def _city_losses(
    folder: Path, inputs: CityEventInputs, block_events: int, return_periods: Sequence[float],
    on_progress: ProgressCallback,
) -> RiskRun:  # fmt: skip
    """The risk engine on the city's exposure in memory (the hazard files read back block by block as written),
    results in ``folder/risk``; the exposure and the mapping in use written beside them as a record."""
    hazard_paths = [folder / "hazard" / hazard_file_name(imt) for imt in inputs.imts]
    hazards = load_hazards(hazard_paths)
    write_exposure(inputs.exposure, folder / "exposure.csv")
    write_mapping(full_mapping_rows(inputs.own_mapping), folder / "taxonomy_mapping.csv")
    return assess_and_write(
        hazards, inputs.exposure, inputs.vulnerability, folder / "risk", max_distance_km=1.0,
        occupants_period="night", block_events=block_events, return_periods=return_periods,
        provenance={str(p): hazard_provenance(p) for p in hazard_paths}, on_progress=on_progress, atomic=False,
    )  # fmt: skip


def _fatalities(a: Assessment) -> NDArray[np.float64]:
    """Fatalities per event (people; zeros when the run has no occupants loss type)."""
    if "occupants" not in a.loss_types:
        return np.zeros(a.n_events)
    return np.ascontiguousarray(a.event_loss_by_type[:, a.loss_types.index("occupants")])


def write_curve_grid(path: Path, money: metrics.CatalogueCurves, people: metrics.CatalogueCurves, years: int) -> None:
    """``exceedance_curves.csv``: the curves of money and fatalities at the return periods up to T."""
    curve_rps = [r for r in CURVE_RETURN_PERIODS if r <= years]
    grid_money, grid_people = money.at(curve_rps), people.at(curve_rps)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("return_period_years,occurrence_loss_usd,aggregate_loss_usd,occurrence_fatalities_people,"
                 "aggregate_fatalities_people,annual_maximum_loss_usd,annual_maximum_fatalities_people\n")  # fmt: skip
        for r in curve_rps:
            k = rp_key(r)
            fh.write(f"{r},{grid_money['occurrence'][k]:.6g},{grid_money['aggregate'][k]:.6g},"
                     f"{grid_people['occurrence'][k]:.6g},{grid_people['aggregate'][k]:.6g},"
                     f"{grid_money['annual_maximum'][k]:.6g},{grid_people['annual_maximum'][k]:.6g}\n")  # fmt: skip


def _event_risk_summary(
    city_id: str, inputs: CityEventInputs, risk: RiskRun, money_curves: dict[str, Any], people_curves: dict[str, Any],
    rps: Sequence[float], flags: dict[str, str], written: dict[str, Any], model: SourceModelRun, events: EventSet, *,
    gmpe_logic_tree: Path | None, gm_record: dict[str, Any], vs30: float, warnings: list[str],
    timings: dict[str, float],
) -> dict[str, Any]:  # fmt: skip
    """The summary document of a city's event-based run (``summary.json``)."""
    a = risk.assessment
    assert a is not None
    exposure, years = inputs.exposure, events.years
    fat = a.by_loss_type.get("occupants")
    summary: dict[str, Any] = {
        "city": city_id,
        "modelled_effects": EARTHQUAKE_MODELLED_EFFECTS,
        "aal": a.aal_per_year,
        "aal_standard_error": money_curves["standard_error"],
        "expected_annual_fatalities": fat.aal_per_year if fat is not None else math.nan,
        "expected_annual_fatalities_standard_error": people_curves["standard_error"],
        "losses_at_return_periods": {
            "occurrence": money_curves["occurrence"],
            "aggregate": money_curves["aggregate"],
            "annual_maximum": money_curves["annual_maximum"],
            "event_rate_curve": {k: v for k, v in a.rp_losses.items() if float(k) in rps},
        },
        "fatalities_at_return_periods": {
            "occurrence": people_curves["occurrence"],
            "aggregate": people_curves["aggregate"],
            "annual_maximum": people_curves["annual_maximum"],
        },
        "return_period_flags": flags,
        "catalogue": {
            "years": years,
            "seed": events.seed,
            "events_sampled": written["events_sampled"],
            "events_in_hazard": written["events_in_hazard"],
            "ruptures_in_model": written["ruptures_in_model"],
            "ruptures_occurring": written["ruptures_occurring"],
            "event_frequency_per_year": 1.0 / years,
        },
        "source_model": model.record,
        "gmpe_logic_tree": branches_record(inputs.branches, gmpe_logic_tree),
        "ground_motion": {
            **gm_record,
            "imts": list(inputs.imts),
            "vs30_m_s": vs30,
            "stored_values": written["stored_values"],
        },
        "site_condition": vs30_record(vs30),
        "exposure": {
            "assets": len(exposure),
            "sites": len(inputs.sites),
            "source": exposure.source,
            "currency": exposure.currency,
            "price_year": exposure.price_year,
            "unassigned_assets": risk.unassigned_assets,
            "assets_without_structural_function": inputs.unresolved_assets,
        },
        "models": {
            "vulnerability": "gem-central-asia (NRML) with "
            + ("GEM's mapping and the city's own rows" if inputs.own_mapping else "GEM's mapping"),
            "occupants_period": "night",
            "risk_mode": "mean loss ratios (vulnerability uncertainty not sampled)",
        },
        "units": {
            "aal": f"{a.money} per year",
            "loss": a.money,
            "fatalities": "people; expected_annual_fatalities in people per year",
            "return_period": "years",
        },
        "definitions": DEFINITIONS,
        "warnings": warnings,
        "data_licences": [GEM_LICENCE],
        "outputs": list(OUTPUTS),
        "timings_s": timings,
        "engine": f"kalkan {__version__}",
    }
    if model.record["shipped_regional_model"]:
        summary["data_licences"].append("Kalkan regional source model v1: rates from ISC-GEM v7.0, CC BY-SA 3.0")
    return summary


OUTPUTS = ("summary.json", "exceedance_curves.csv", "hazard/", "risk/", "exposure.csv", "taxonomy_mapping.csv")
"""What a city's event-based run writes."""
DEFINITIONS = {
    "occurrence": "event exceedance: return period 1 / (sum of the frequencies of the events with at "
    "least that loss), each event 1/T per year; the risk engine's curve, the same number as `risk show`, "
    "`risk future` and `risk combine` give",
    "aggregate": "the sum of the year's event losses; the k-th largest of T years has return period T/k",
    "annual_maximum": "the year's largest event loss; the k-th largest of T years has return period T/k "
    "(below the occurrence loss where a year holds several large events)",
    "event_rate_curve": "the same as occurrence (kept for earlier readers)",
    "loss_at_return_period": RULE,
    "standard_error": "standard deviation of the T annual totals / sqrt(T) (sampling error of the mean)",
}
"""The definitions of the curves, as the summary states them."""
