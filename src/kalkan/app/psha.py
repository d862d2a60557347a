"""Classical PSHA as a service: PEER verification folders, and hazard curves, maps, UHS and disaggregation
for a source model, a GMPE logic tree and sites, written to files (CSV, GeoJSON, JSON).

The science lives in :mod:`kalkan.core.hazard.earthquake.psha`; this module reads inputs, runs it and writes
results, and returns a summary (a plain dict) for the CLI and the web pages.
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kalkan.app.earthquake import city_sites
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
from kalkan.core.hazard.earthquake.psha import (
    ExceedanceModel,
    HazardCurves,
    disaggregate,
    interpolate_iml,
    uniform_hazard_spectra,
)
from kalkan.core.hazard.earthquake.psha import (
    hazard_curves as compute_curves,
)
from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, Sites, vs30_record
from kalkan.core.hazard.earthquake.sources import RuptureSet
from kalkan.errors import InputError
from kalkan.io.grid_raster import grid_of, write_grid_geotiff
from kalkan.io.gsim_logic_tree import read_logic_tree
from kalkan.io.sites import read_sites_csv
from kalkan.io.source_model import SourceModel, read_nshmp_case, read_source_model

__all__ = ["PshaRun", "gmpe_branches", "hazard_curves", "read_psha_sites", "run_peer_case", "write_hazard_outputs"]


@dataclass(frozen=True, slots=True)
class PshaRun:
    """Hazard curves with what made them: rupture sets, GMPE branches, and all warnings."""

    curves: HazardCurves
    ruptures: list[RuptureSet]
    branches: list[GmpeBranch]
    warnings: list[str]


def run_peer_case(case_dir: Path | str, out_csv: Path | str) -> dict[str, Any]:
    """Run an nshmp-haz PEER test folder and write its hazard curves as the case's expected-results CSV:
    ``name,lon,lat,<level>...``, one row per site in ``sites.csv`` order, annual Poisson probabilities of
    exceedance (1 - exp(-annual rate)) per PGA level in g."""
    start = time.perf_counter()
    case = read_nshmp_case(case_dir)
    if len(case.imts) != 1:
        raise InputError(
            f"{case_dir}: PEER cases have one IMT; this one has {', '.join(case.imts)}.",
            code="input.unsupported",
            field="imt",
        )
    ruptures = [s.ruptures() for s in case.sources]
    curves = compute_curves(ruptures, case.branches, case.sites, case.imts, {case.imts[0]: case.levels},
                            model=case.model, max_distance_km=case.max_distance_km, investigation_time=1.0)  # fmt: skip
    poe = curves.mean_poe()[:, 0, :]
    out = Path(out_csv)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["name", "lon", "lat", *(repr(float(v)) for v in case.levels)])
        for k, name in enumerate(case.sites.names):
            w.writerow([name, f"{case.sites.lon[k]:.5f}", f"{case.sites.lat[k]:.5f}", *(f"{p:.8e}" for p in poe[k])])
    return {
        "case": case.name,
        "folder": str(case_dir),
        "output": str(out),
        "sites": len(case.sites),
        "ruptures": int(sum(len(r) for r in ruptures)),
        "gmpes": [b.name for b in case.branches],
        "exceedance_model": case.model.kind,
        "seconds": round(time.perf_counter() - start, 3),
        "warnings": list(curves.warnings),
    }


def gmpe_branches(names: Sequence[str] = (), logic_tree: Path | None = None) -> list[GmpeBranch]:
    """GMPE branches from a logic-tree file (NRML or model,weight CSV) or names with equal weights."""
    if logic_tree is not None:
        return read_logic_tree(logic_tree)
    if not names:
        raise InputError(
            "Give a GMPE (--gmpe) or a GMPE logic tree (--gmpe-logic-tree).", code="input.missing", field="--gmpe"
        )
    return [GmpeBranch(n, 1.0 / len(names)) for n in names]


def read_psha_sites(path: Path | None = None, *, city: str | None = None, grid_km: float = 2.0,
                    vs30: float = DEFAULT_VS30_M_S) -> Sites:  # fmt: skip
    """Sites from a CSV (``name`` optional, ``lon``, ``lat``, ``vs30`` optional) or a grid over a city; sites
    without a Vs30 get ``vs30`` (m/s; Kalkan's one default,
    :data:`kalkan.core.hazard.earthquake.site.DEFAULT_VS30_M_S`)."""
    if path is not None:
        read = read_sites_csv(path)
        return Sites(read.lon, read.lat, read.vs30_or(vs30), names=read.names)
    if city is None:
        raise InputError("Give sites (--sites CSV) or a city (--city).", code="input.options", field="--sites")
    lons, lats, _ = city_sites(city, grid_km)
    return Sites(lons, lats, np.full(lons.size, vs30), names=tuple(f"{city}-{k + 1}" for k in range(lons.size)))


def hazard_curves(
    source_model: Path | str | SourceModel,
    gmpe_logic_tree: Path | str | Sequence[GmpeBranch],
    sites: Sites,
    imts: Sequence[str],
    imls: dict[str, Sequence[float]] | Sequence[float],
    investigation_time: float = 50.0,
    *,
    exceedance_model: str = "TRUNCATION_LOWER_UPPER",
    truncation_level: float = 3.0,
    max_distance_km: float = 300.0,
    skip_unsupported: bool = False,
    mfd_bin_width: float = 0.1,
    mesh_spacing_km: float = 5.0,
    area_spacing_km: float = 10.0,
) -> PshaRun:
    """Hazard curves of a source model (file or :class:`SourceModel`) for a GMPE logic tree (file, or
    branches) at ``sites``, with the rupture sets and branches (for disaggregation) and reading warnings."""
    if isinstance(source_model, SourceModel):
        model = source_model
    else:
        model = read_source_model(source_model, skip_unsupported=skip_unsupported, mfd_bin_width=mfd_bin_width,
                                  mesh_spacing_km=mesh_spacing_km, area_spacing_km=area_spacing_km)  # fmt: skip
    if isinstance(gmpe_logic_tree, (str, Path)):
        branches = gmpe_branches(logic_tree=Path(gmpe_logic_tree))
    else:
        branches = list(gmpe_logic_tree)
    levels = imls if isinstance(imls, dict) else {imt: imls for imt in imts}
    ruptures = [s.ruptures() for s in model.sources]
    curves = compute_curves(
        ruptures, branches, sites, imts, levels,  # type: ignore[arg-type]
        model=ExceedanceModel(exceedance_model, truncation_level), max_distance_km=max_distance_km,
        investigation_time=investigation_time,
    )  # fmt: skip
    return PshaRun(curves, ruptures, branches, [*model.warnings, *curves.warnings])


def _vs30_tag(site_condition: dict[str, Any]) -> str:
    """The Vs30 (m/s) of the sites without their own, as a GeoTIFF tag; ``per site`` when all have one."""
    v = site_condition.get("vs30_m_s")
    return f"{v:g}" if isinstance(v, float) else "per site"


def write_hazard_outputs(
    curves: HazardCurves,
    out_dir: Path,
    *,
    return_period: float | None = None,
    quantiles: Sequence[float] = (),
    ruptures: Sequence[RuptureSet] = (),
    branches: Sequence[GmpeBranch] = (),
    disagg_site: str | None = None,
    exceedance_model: ExceedanceModel | None = None,
    site_condition: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``hazard_curves.csv`` (mean and quantiles), and with ``return_period`` ``hazard_map.geojson``,
    ``hazard_map.tif`` (when the sites are a regular grid; one band per IMT, NaN where there is no site) and
    ``uhs.csv`` (levels with that return period) and, with ``disagg_site`` (and the ``ruptures`` and
    ``branches`` of the curves), ``disaggregation.json`` at the first IMT's level of that return period.
    ``site_condition`` (:func:`kalkan.core.hazard.earthquake.site.vs30_record`, computed from the sites when not
    given) is stated in the summary, the GeoJSON (and each site's Vs30 in its properties) and the GeoTIFF tags."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if site_condition is None:
        vs30 = curves.sites.vs30_m_s
        site_condition = vs30_record(float(np.median(vs30)) if vs30.size else DEFAULT_VS30_M_S, vs30)
    stats: dict[str, np.ndarray] = {"mean": curves.mean_poe()}
    for q in quantiles:
        stats[f"quantile-{q:g}"] = curves.quantile_poe(q)
    files: dict[str, str] = {}
    path = out_dir / "hazard_curves.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["statistic", "site", "lon", "lat", "imt", "level", "poe"])
        for stat, poe in stats.items():
            for s, name in enumerate(curves.sites.names):
                for k, imt in enumerate(curves.imts):
                    for j, lv in enumerate(curves.levels[imt]):
                        w.writerow([stat, name, f"{curves.sites.lon[s]:.5f}", f"{curves.sites.lat[s]:.5f}", imt,
                                    f"{lv:g}", f"{poe[s, k, j]:.6e}"])  # fmt: skip
    files["curves"] = str(path)
    summary: dict[str, Any] = {
        "sites": len(curves.sites),
        "imts": list(curves.imts),
        "branches": list(curves.branch_names),
        "investigation_time_years": curves.investigation_time,
        "site_condition": site_condition,
        "files": files,
        "warnings": list(curves.warnings),
    }
    if return_period is not None:
        if not return_period > 0:
            raise InputError(
                f"return period {return_period} must be positive (years).", code="input.range", field="--return-period"
            )
        target = -math.expm1(-curves.investigation_time / return_period)
        uhs = uniform_hazard_spectra(stats["mean"], curves.levels, curves.imts, target)
        features = []
        for s, name in enumerate(curves.sites.names):
            props: dict[str, Any] = {"site": name, "vs30_m_s": float(curves.sites.vs30_m_s[s])}
            props.update(
                {imt: (None if math.isnan(uhs[s, k]) else float(uhs[s, k])) for k, imt in enumerate(curves.imts)}
            )
            features.append({"type": "Feature", "properties": props,
                             "geometry": {"type": "Point", "coordinates": [float(curves.sites.lon[s]),
                                                                           float(curves.sites.lat[s])]}})  # fmt: skip
        gj = out_dir / "hazard_map.geojson"
        gj.write_text(json.dumps({"type": "FeatureCollection", "return_period_years": return_period,
                                  "poe": target, "investigation_time_years": curves.investigation_time,
                                  "site_condition": site_condition, "features": features}),
                      encoding="utf-8")  # fmt: skip
        uhs_path = out_dir / "uhs.csv"
        with uhs_path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["site", "lon", "lat", *curves.imts])
            for s, name in enumerate(curves.sites.names):
                w.writerow([name, f"{curves.sites.lon[s]:.5f}", f"{curves.sites.lat[s]:.5f}",
                            *("" if math.isnan(v) else f"{v:.6g}" for v in uhs[s])])  # fmt: skip
        files["hazard_map"], files["uhs"] = str(gj), str(uhs_path)
        grid = grid_of(curves.sites.lon, curves.sites.lat)
        if grid is None:
            summary["notes"] = ["the sites are not a regular lon/lat grid: no GeoTIFF map (the GeoJSON has every site)"]
        else:
            unit = "g" if all(i != "PGV" for i in curves.imts) else "g (PGA, SA); cm/s (PGV)"
            tif = write_grid_geotiff(
                grid, uhs, list(curves.imts), out_dir / "hazard_map.tif", unit=unit,
                tags={"return_period_years": f"{return_period:g}", "poe": f"{target:.6g}",
                      "investigation_time_years": f"{curves.investigation_time:g}", "statistic": "mean",
                      "vs30_m_s": _vs30_tag(site_condition)},
            )  # fmt: skip
            files["hazard_map_geotiff"] = str(tif)
        missing = int(np.isnan(uhs).sum())
        if missing:
            summary["warnings"].append(
                f"{missing} site/IMT value(s) at the {return_period:g}-year return period lie outside the computed "
                "levels (left empty); extend the levels."
            )
        if disagg_site is not None:
            imt = curves.imts[0]
            s = curves.sites.names.index(disagg_site) if disagg_site in curves.sites.names else -1
            if s < 0:
                raise InputError(
                    f"--disagg-site {disagg_site!r} is not among the sites.",
                    code="input.unknown",
                    field="--disagg-site",
                )
            level = interpolate_iml(curves.levels[imt], stats["mean"][s, 0], target)
            if math.isnan(level):
                raise InputError(
                    f"site {disagg_site!r}: the {return_period:g}-year {imt} level is outside the curve.",
                    code="input.range",
                    field="--disagg-site",
                )
            if not ruptures or not branches:
                raise InputError(
                    "disaggregation needs the rupture sets and the GMPE branches of the curves.",
                    code="input.missing",
                    field="ruptures",
                )
            d = disaggregate(ruptures, branches, curves.sites, disagg_site, imt, level, model=exceedance_model)
            dj = out_dir / "disaggregation.json"
            dj.write_text(json.dumps({
                "site": d.site, "imt": d.imt, "level": d.level, "return_period_years": return_period,
                "total_rate_per_year": d.total_rate, "mean_magnitude": d.mean_mag, "mean_distance_km": d.mean_dist_km,
                "mode": d.mode(), "magnitude_edges": d.mag_edges.tolist(), "distance_edges_km": d.dist_edges.tolist(),
                "fractions": d.fractions.tolist(),
            }), encoding="utf-8")  # fmt: skip
            files["disaggregation"] = str(dj)
    return summary
