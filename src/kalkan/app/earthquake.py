"""Earthquake use cases: scenarios for a rupture or a named earthquake at sites (files for the risk engine), and
OpenQuake scenario jobs run end to end.

The science is in the core (:mod:`kalkan.core.hazard.earthquake.scenario`: N correlated ground-motion fields
per model of the logic tree, as HazardSets); this module reads the inputs (rupture, logic tree, sites, job),
runs it and writes the results.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan import __version__
from kalkan.app.city_outline import founding_outline
from kalkan.app.risk import peak_rss_mib
from kalkan.catalog.sources import data_source
from kalkan.core.bounds import MAX_GMF_VALUES
from kalkan.core.geometry import grid_in_polygon
from kalkan.core.hazard.earthquake.gmf import correlation_model
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
from kalkan.core.hazard.earthquake.rupture import GeoPoint, PlanarRupture, Rupture
from kalkan.core.hazard.earthquake.scenario import ProgressCallback, per_site_statistics, simulate_scenario
from kalkan.core.hazard.earthquake.site import (
    DEFAULT_VS30_M_S,
    Sites,
    vs30_record,
    z1pt0_from_vs30,
    z2pt5_from_vs30,
)
from kalkan.core.risk.assessment import compute_losses, prepare_losses
from kalkan.core.risk.assignment import explicit_sites, nearest_sites
from kalkan.core.risk.damage import compute_damage
from kalkan.core.vulnerability.fragility_set import FragilitySet
from kalkan.core.vulnerability.functions import ConsequenceModel, VulnerabilitySet
from kalkan.core.vulnerability.library import function_key
from kalkan.errors import InputError
from kalkan.io.exposure_oq import read_exposure_oq
from kalkan.io.gsim_logic_tree import read_logic_tree
from kalkan.io.hazard import save_hazard
from kalkan.io.isc_gem import shipped_catalogue
from kalkan.io.nrml import read_fragility_model, read_vulnerability_model
from kalkan.io.oq_job import ScenarioJob, read_job
from kalkan.io.results import atomic_output_dir, write_json, write_parquet
from kalkan.io.rupture import read_rupture
from kalkan.io.sites import read_site_model

__all__ = [
    "SEISMOGENIC_DEPTH_KM",
    "city_sites",
    "named_scenarios",
    "run_oq_job",
    "run_scenario",
    "scenario_rupture",
]


def _oq_vulnerability(files: dict[str, Path]) -> VulnerabilitySet:
    """OpenQuake's convention without a taxonomy mapping: each function's id is the taxonomy it applies to."""
    functions: dict[str, Any] = {}
    mapping: dict[str, dict[str, tuple[tuple[str, float], ...]]] = {}
    for loss_type, path in files.items():
        model = read_vulnerability_model(path, loss_type=loss_type)
        for fid, fn in model.functions.items():
            key = function_key(model.loss_type, fid)
            functions[key] = dataclasses.replace(fn, id=key)
            mapping.setdefault(model.loss_type, {})[fid] = ((key, 1.0),)
    return VulnerabilitySet(functions, mapping, source=", ".join(str(p) for p in files.values()))


def _site_model_sites(path: Path, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[Sites, list[str]]:
    """Site parameters from an OpenQuake site-model CSV (:func:`kalkan.io.sites.read_site_model`): each site takes
    the nearest row, unknown depths follow its Vs30; a site more than 5 km from every row is reported."""
    model = read_site_model(path)
    asg = nearest_sites(lon, lat, model.lon, model.lat, max_distance_km=1e4)
    k = asg.site
    far = int(np.sum(asg.distance_km > 5.0))
    warnings = [f"{far} site(s) are more than 5 km from the nearest site-model point of {path}"] if far else []
    vs30 = model.vs30_m_s[k]
    z1 = np.where(np.isnan(model.z1pt0_m[k]), z1pt0_from_vs30(vs30), model.z1pt0_m[k])
    z2 = np.where(np.isnan(model.z2pt5_km[k]), z2pt5_from_vs30(vs30), model.z2pt5_km[k])
    sites = Sites(lon, lat, vs30, model.vs30_measured[k], np.asarray(z1, dtype=np.float64),
                  np.asarray(z2, dtype=np.float64))  # fmt: skip
    return sites, warnings


def _job_branches(job: ScenarioJob) -> list[GmpeBranch]:
    """The job's GMPE logic tree, or its one ``gsim``."""
    if job.gsim_logic_tree_file is not None:
        return read_logic_tree(job.gsim_logic_tree_file)
    assert job.gsim is not None
    return [GmpeBranch(job.gsim, 1.0)]


def run_oq_job(
    job_path: Path,
    out_dir: Path,
    *,
    on_progress: ProgressCallback | None = None,
    max_gmf_values: int = MAX_GMF_VALUES,
) -> dict[str, Any]:
    """Run an OpenQuake scenario-risk job (see docs/openquake.md) and write DIR/summary.json with the average
    loss per GMPE realisation and in total, and DIR/event_losses.parquet. A job of more than
    ``max_gmf_values`` ground-motion values (events x sites x IMTs) is refused before it runs."""
    t0 = time.perf_counter()
    job = read_job(job_path)
    if job.calculation_mode not in ("scenario_risk", "scenario_damage"):
        raise InputError(
            f"{job_path}: calculation_mode {job.calculation_mode} is not run by `kalkan eq run-oq`; scenario_risk and "
            "scenario_damage are.",
            code="input.unsupported",
            field="calculation_mode",
        )
    rupture = read_rupture(job.rupture_file)
    assert job.exposure_file is not None
    exposure = read_exposure_oq(job.exposure_file)
    if len(exposure) == 0:
        raise InputError(
            f"{job.exposure_file}: the exposure has no assets; a scenario job needs at least one.",
            code="input.empty",
            field="exposure_file",
        )
    if job.calculation_mode == "scenario_damage":
        return _run_oq_damage(job, rupture, exposure, out_dir, t0, on_progress, max_gmf_values)
    vset = _oq_vulnerability(job.vulnerability_files)
    branches = _job_branches(job)
    # Sites: the distinct asset locations (OpenQuake's default without a site model grid).
    sites, site_of_asset, warnings = _oq_sites(job, exposure)
    imts = list(job.imts) or sorted({f.imt for f in vset.functions.values()})
    t_inputs = time.perf_counter() - t0

    t1 = time.perf_counter()
    hazards, gm_warnings = simulate_scenario(
        rupture, branches, sites, imts, n_fields=job.n_fields, seed=job.seed, truncation=job.truncation_level,
        correlation=correlation_model(job.correlation), vs30_clustering=job.vs30_clustering,
        max_distance_km=job.maximum_distance_km,
        on_progress=on_progress, max_gmf_values=max_gmf_values, where=str(job_path),
    )  # fmt: skip
    warnings += gm_warnings
    t_gmf = time.perf_counter() - t1

    t2 = time.perf_counter()
    assignment = explicit_sites(site_of_asset, sites.lon.size, where=str(job.exposure_file))
    loss_types = [lt for lt in job.vulnerability_files if lt in exposure.costs or lt == "occupants"]
    if not loss_types:
        raise InputError(
            f"{job_path}: the exposure has none of the loss types of the vulnerability files.",
            code="input.inconsistent",
            field="exposure_file",
        )
    hz_list = list(hazards.values())
    prepared = prepare_losses(hz_list, exposure, assignment, vset, loss_types, None, "night")
    mode = "mean" if job.ignore_covs else "sampled"
    losses = compute_losses(prepared, exposure, assignment, mode=mode, seed=job.seed)
    t_risk = time.perf_counter() - t2

    first = hz_list[0]
    assert first.realisation is not None
    labels = [b.label for b in branches]

    def per_rlz(values: NDArray[np.float64]) -> dict[str, float]:
        return {labels[r]: float(values[first.realisation == r].mean()) for r in range(len(branches))}

    by_lt = {}
    for i, lt in enumerate(losses.loss_types):
        ev = losses.event_by_lt[:, i]
        by_lt[lt] = {"avg_loss_per_rlz": per_rlz(ev), "total_avg_loss": float(first.frequency @ ev),
                     "std_event_loss_per_rlz": {labels[r]: float(ev[first.realisation == r].std())
                                                for r in range(len(branches))}}  # fmt: skip
    money = [i for i, lt in enumerate(losses.loss_types) if lt != "occupants"]
    total = losses.event_by_lt[:, money].sum(axis=1)
    currency = f"{exposure.currency} of {exposure.price_year}" if exposure.price_year else exposure.currency
    summary: dict[str, Any] = {
        "avg_loss_per_rlz": per_rlz(total),
        "total_avg_loss": float(first.frequency @ total),
        "events": int(first.n_events),
        "by_loss_type": by_lt,
        "weights": {b.label: b.weight for b in branches},
        "units": {"loss": currency, "fatalities": "people"},
        "job": {
            "path": str(job.path),
            "description": job.description,
            "mode": mode,
            "seed": job.seed,
            "n_fields": job.n_fields,
            "correlation": job.correlation,
            "truncation": job.truncation_level,
            "ignored_parameters": job.ignored,
        },
        "sizes": {"assets": exposure.n_assets, "sites": int(sites.lon.size), "imts": imts},
        "warnings": warnings,
        "engine": f"kalkan {__version__}",
    }
    with atomic_output_dir(Path(out_dir)) as tmp:
        cols: dict[str, Any] = {
            "event_id": first.event_id, "realisation": first.realisation,
            "gsim": np.asarray(labels, dtype=object)[first.realisation], "loss": total,
        }  # fmt: skip
        for i, lt in enumerate(losses.loss_types):
            cols[f"loss_{lt}" if lt != "occupants" else "fatalities"] = losses.event_by_lt[:, i]
        write_parquet(tmp / "event_losses.parquet", cols, {"units": f"losses in {currency}"})
        summary["timings_s"] = {"inputs": t_inputs, "ground_motion_fields": t_gmf, "risk": t_risk,
                                "total": time.perf_counter() - t0}  # fmt: skip
        summary["peak_rss_mib"] = peak_rss_mib()
        write_json(tmp / "summary.json", summary)
    return summary


SEISMOGENIC_DEPTH_KM = 25.0
"""Lower seismogenic depth used to build named-scenario ruptures (the Tien Shan and Kopet Dag crust's
seismogenic layer is ~20-30 km thick); ruptures are cut to it by the scaling law's aspect rules."""


def named_scenarios() -> list[dict[str, Any]]:
    """The named scenarios shipped with Kalkan (data/scenarios): historical ones with their ISC-GEM events,
    and HYPOTHETICAL ones (``"hypothetical": true``, hypocentre and magnitude given in the file) for a city
    with no damaging earthquake nearby in the catalogue."""
    data = json.loads(data_source("earthquake_scenarios").paths()[0].read_text(encoding="utf-8"))
    cat = shipped_catalogue()
    out = []
    for sc in data["scenarios"]:
        if sc.get("hypothetical"):
            out.append({**sc, "origin_time_utc": "HYPOTHETICAL"})
            continue
        ev = cat.event(int(sc["iscgem_eventid"]))
        out.append({**sc, "hypothetical": False, "mw": ev.mw, "lon": ev.lon, "lat": ev.lat,
                    "depth_km": ev.depth_km, "origin_time_utc": ev.origin_time_utc})  # fmt: skip
    return out


def scenario_rupture(
    scenario_id: str | None = None,
    *,
    catalogue_event: int | None = None,
    mag: float | None = None,
    lon: float | None = None,
    lat: float | None = None,
    depth_km: float | None = None,
    strike: float | None = None,
    dip: float | None = None,
    rake: float | None = None,
) -> tuple[PlanarRupture, dict[str, Any]]:
    """A planar rupture (Wells & Coppersmith 1994 dimensions, cut to the seismogenic layer) for a named
    scenario, an ISC-GEM event with a given mechanism, or a user-defined hypocentre; and its description."""
    info: dict[str, Any]
    if scenario_id is not None:
        known = {s["id"]: s for s in named_scenarios()}
        if scenario_id not in known:
            raise InputError(
                f"Unknown scenario {scenario_id!r}; named scenarios: {', '.join(sorted(known))}.",
                code="input.unknown",
                field="--scenario",
            )
        info = dict(known[scenario_id])
    elif catalogue_event is not None:
        ev = shipped_catalogue().event(catalogue_event)
        info = {"id": f"iscgem-{ev.eventid}", "name": f"ISC-GEM {ev.eventid} ({ev.origin_time_utc[:10]})",
                "mw": ev.mw, "lon": ev.lon, "lat": ev.lat, "depth_km": ev.depth_km,
                "mechanism_source": "given by the user", "hypothetical": False}  # fmt: skip
    else:
        if None in (mag, lon, lat, depth_km):
            raise InputError(
                "A user-defined rupture needs magnitude, lon, lat and depth (and strike, dip, rake).",
                code="input.missing",
                field="--magnitude"
                if mag is None
                else "--lon"
                if lon is None
                else "--lat"
                if lat is None
                else "--depth",
            )
        info = {"id": "user", "name": f"HYPOTHETICAL user-defined Mw {mag:g}", "mw": mag, "lon": lon, "lat": lat,
                "depth_km": depth_km, "mechanism_source": "given by the user", "hypothetical": True}  # fmt: skip
    for key, value in (("strike", strike), ("dip", dip), ("rake", rake)):
        if value is not None:
            info[key] = value
            info["mechanism_source"] = "given by the user"
        elif key not in info:
            raise InputError(f"Give the rupture's {key} (degrees).", code="input.missing", field=f"--{key}")
    hypo = GeoPoint(float(info["lon"]), float(info["lat"]), float(info["depth_km"]))
    rupture = PlanarRupture.from_hypocentre(
        float(info["mw"]), float(info["rake"]), float(info["strike"]), float(info["dip"]), hypo,
        lower_seismogenic_depth_km=max(SEISMOGENIC_DEPTH_KM, float(info["depth_km"]) + 1.0),
    )  # fmt: skip
    info["length_km"] = rupture.length_km
    info["width_km"] = rupture.width_km
    info["scaling_law"] = "Wells & Coppersmith (1994), all slip types by rake"
    return rupture, info


def city_sites(city_id: str, spacing_km: float) -> tuple[NDArray[np.float64], NDArray[np.float64], str]:
    """A grid over a founding city's shipped outline (:func:`kalkan.app.city_outline.founding_outline`:
    administrative boundary if shipped, else urban extent clipped to the country)."""
    outline = founding_outline(city_id)
    lon, lat = grid_in_polygon(outline.geometry, spacing_km)
    return lon, lat, f"{spacing_km:g} km grid over the {outline.label} of {city_id} ({outline.source})"


def run_scenario(
    out_dir: Path,
    *,
    rupture: Rupture,
    rupture_info: dict[str, Any],
    branches: Sequence[GmpeBranch],
    site_lon: NDArray[np.float64],
    site_lat: NDArray[np.float64],
    sites_source: str,
    vs30: float | NDArray[np.float64] = DEFAULT_VS30_M_S,
    vs30_measured: bool = False,
    imts: Sequence[str] = ("PGA",),
    n_fields: int = 100,
    seed: int = 42,
    truncation: float | None = 3.0,
    correlation: str | None = None,
    max_distance_km: float = 300.0,
    on_progress: ProgressCallback | None = None,
    max_gmf_values: int = MAX_GMF_VALUES,
) -> dict[str, Any]:
    """Simulate a scenario and write DIR/hazard_<IMT>.npz (HazardSets for the risk engine), DIR/sites.csv and
    DIR/sites.geojson (per-site median of the models and the simulated mean, for GIS) and DIR/summary.json."""
    t0 = time.perf_counter()
    vs30_text: float | str = float(vs30) if np.ndim(vs30) == 0 else "per site"
    if np.ndim(vs30) == 0:
        sites = Sites.uniform(site_lon, site_lat, float(vs30), measured=vs30_measured)
    else:
        v = np.asarray(vs30, dtype=np.float64)
        sites = Sites(np.asarray(site_lon, dtype=np.float64), np.asarray(site_lat, dtype=np.float64), v,
                      np.full(v.size, vs30_measured), np.asarray(z1pt0_from_vs30(v), dtype=np.float64),
                      np.asarray(z2pt5_from_vs30(v), dtype=np.float64))  # fmt: skip
    hazards, warnings = simulate_scenario(
        rupture, branches, sites, imts, n_fields=n_fields, seed=seed, truncation=truncation,
        correlation=correlation_model(correlation),
        max_distance_km=max_distance_km, on_progress=on_progress, max_gmf_values=max_gmf_values,
        where=str(rupture_info.get("source") or rupture_info.get("name") or "The scenario"),
    )  # fmt: skip
    summary: dict[str, Any] = {
        "rupture": rupture_info, "models": {b.label: b.weight for b in branches}, "imts": list(imts),
        "n_fields": n_fields, "events": n_fields * len(branches), "seed": seed, "truncation": truncation,
        "correlation": correlation,
        "sites": {"count": int(site_lon.size), "source": sites_source, "vs30_m_s": vs30_text},
        "site_condition": vs30_record(float(vs30) if np.ndim(vs30) == 0 else None, sites.vs30_m_s),
        "warnings": warnings, "units": {imt: ("cm/s" if imt == "PGV" else "g") for imt in imts},
        "engine": f"kalkan {__version__}",
    }  # fmt: skip
    with atomic_output_dir(Path(out_dir)) as tmp:
        rows = ["lon,lat," + ",".join(f"{imt}_mean,{imt}_p50,{imt}_p84" for imt in imts)]
        stats = {}
        for imt, h in hazards.items():
            name = imt.replace("(", "_").replace(")", "")
            save_hazard(h, tmp / f"hazard_{name}.npz")
            stats[imt] = per_site_statistics(h)
        for s in range(site_lon.size):
            vals = ",".join(f"{stats[i][0][s]:.5g},{stats[i][1][s]:.5g},{stats[i][2][s]:.5g}" for i in imts)
            rows.append(f"{site_lon[s]:.5f},{site_lat[s]:.5f},{vals}")
        (tmp / "sites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
        features = [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(site_lon[s]), float(site_lat[s])]},
             "properties": {f"{imt}_{k}": float(stats[imt][j][s]) for imt in imts
                            for j, k in enumerate(("mean", "p50", "p84"))}}
            for s in range(site_lon.size)
        ]  # fmt: skip
        (tmp / "sites.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        summary["timings_s"] = {"total": time.perf_counter() - t0}
        write_json(tmp / "summary.json", summary)
    return summary


def _oq_sites(job: ScenarioJob, exposure: Any) -> tuple[Sites, NDArray[np.int64], list[str]]:
    """Sites at the distinct asset locations, with the job's site parameters; and each asset's site."""
    coords = np.round(np.column_stack([exposure.lon, exposure.lat]), 5)
    uniq, site_of_asset = np.unique(coords, axis=0, return_inverse=True)
    if job.site_model_file is not None:
        sites, warnings = _site_model_sites(
            job.site_model_file, uniq[:, 0].astype(np.float64), uniq[:, 1].astype(np.float64)
        )
        return sites, site_of_asset.ravel().astype(np.int64), warnings
    if job.vs30 is None:
        raise InputError(
            f"{job.path}: give reference_vs30_value or a site_model_file.",
            code="input.missing",
            field="reference_vs30_value",
        )
    sites = Sites.uniform(uniq[:, 0], uniq[:, 1], job.vs30, measured=job.vs30_measured, z1pt0_m=job.z1pt0_m,
                          z2pt5_km=job.z2pt5_km)  # fmt: skip
    return sites, site_of_asset.ravel().astype(np.int64), []


def _run_oq_damage(
    job: ScenarioJob,
    rupture: Rupture,
    exposure: Any,
    out_dir: Path,
    t0: float,
    on_progress: ProgressCallback | None,
    max_gmf_values: int = MAX_GMF_VALUES,
) -> dict[str, Any]:
    """scenario_damage: expected number of buildings in each damage state, per GMPE realisation."""
    assert job.fragility_file is not None  # read_job requires it for scenario_damage
    model = read_fragility_model(job.fragility_file)
    # No consequence model in the job: damage states only (a consequence of zero loss keeps the engine's contract).
    none = ConsequenceModel("none", model.limit_states, np.zeros(len(model.limit_states)))
    fset = FragilitySet(dict(model.functions), {"none": none}, {fid: ((fid, "none", 1.0),) for fid in model.functions},
                        source=str(job.fragility_file))  # fmt: skip
    branches = _job_branches(job)
    sites, site_of_asset, warnings = _oq_sites(job, exposure)
    imts = sorted({f.imt for f in model.functions.values()})
    if len(imts) != 1:
        raise InputError(
            f"{job.fragility_file}: Kalkan's scenario_damage uses one intensity measure; found {imts}.",
            code="input.unsupported",
            field="structural_fragility_file",
        )
    hazards, gm_warnings = simulate_scenario(
        rupture, branches, sites, imts, n_fields=job.n_fields, seed=job.seed, truncation=job.truncation_level,
        correlation=correlation_model(job.correlation), vs30_clustering=job.vs30_clustering,
        max_distance_km=job.maximum_distance_km,
        on_progress=on_progress, max_gmf_values=max_gmf_values, where=str(job.path),
    )  # fmt: skip
    h = hazards[imts[0]]
    assignment = explicit_sites(site_of_asset, sites.lon.size, where=str(job.exposure_file))
    r = compute_damage(h, exposure, assignment, fset, casualty_period=None, displaced=False, keep_buckets=False)
    assert h.realisation is not None
    labels = [b.label for b in branches]
    per_rlz = {
        labels[k]: {ds: float(r.buildings[h.realisation == k, j].mean()) for j, ds in enumerate(r.damage_states)}
        for k in range(len(branches))
    }
    summary: dict[str, Any] = {
        "avg_damages_per_rlz": per_rlz,
        "total_avg_damages": {ds: float(h.frequency @ r.buildings[:, j]) for j, ds in enumerate(r.damage_states)},
        "events": int(h.n_events),
        "weights": {b.label: b.weight for b in branches},
        "units": {"damages": "expected number of buildings"},
        "warnings": warnings + gm_warnings,
        "engine": f"kalkan {__version__}",
    }
    with atomic_output_dir(Path(out_dir)) as tmp:
        cols: dict[str, Any] = {"event_id": h.event_id, "realisation": h.realisation}
        cols.update({f"buildings_{ds}": r.buildings[:, j] for j, ds in enumerate(r.damage_states)})
        write_parquet(tmp / "event_damages.parquet", cols, {"units": "expected number of buildings"})
        summary["timings_s"] = {"total": time.perf_counter() - t0}
        summary["peak_rss_mib"] = peak_rss_mib()
        write_json(tmp / "summary.json", summary)
    return summary
