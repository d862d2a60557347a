"""Import return-period hazard maps (flood, mudflow depth; landslide susceptibility) onto a city's sites.

One use case for the CLI and the API: read and check the maps (:mod:`kalkan.io.hazard_maps`), turn them
into a HazardSet on the sites of the city's stored exposure or of a sites CSV
(:mod:`kalkan.core.hazard.return_period`), optionally shift the event frequencies for a climate scenario
(:mod:`kalkan.core.hazard.climate_shift`), write the Kalkan hazard NPZ file(s) and a ``summary.json`` that says
what was read, what was missing, what was assumed and, for the demo layers, that they are ILLUSTRATIVE.
With ``assess=True`` the risk engine runs the city's exposure against each file with the JRC Asia
depth-damage curves (the default flood vulnerability) and the summary gets the AAL of each.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from kalkan.app.illustrative_floods import ILLUSTRATIVE_LABEL, write_illustrative_layers
from kalkan.app.risk import assess_and_write, load_hazards, load_vulnerability
from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.climate_shift import apply_climate_shift, climate_shift
from kalkan.core.hazard.return_period import (
    RULE,
    exceedance_frequencies,
    hazard_from_return_period_maps,
    susceptibility_indicator,
)
from kalkan.core.vulnerability.jrc import FLOOD_PERILS
from kalkan.errors import InputError, NotFoundError
from kalkan.io.ar6 import load_tas_table
from kalkan.io.exposure import write_exposure
from kalkan.io.founding_cities import city_region
from kalkan.io.hazard import hazard_provenance, save_hazard
from kalkan.io.hazard_maps import MapSpec, MapStack, normalise_peril, read_hazard_maps, read_manifest, specs_from_gpkg
from kalkan.io.results import atomic_output_dir, write_json
from kalkan.store.city_data import load_exposure

__all__ = ["DEFAULT_FLOOD_VULNERABILITY", "import_hazard_maps", "read_sites_csv"]

DEFAULT_FLOOD_VULNERABILITY = "jrc-flood-asia"
"""The shipped JRC Asia depth-damage curves (Huizinga et al. 2017), the default for flood depth in m."""


def read_sites_csv(path: Path) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``lon``,``lat`` columns (WGS84 degrees; other columns ignored) -> two arrays; errors name row and field."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = [f.strip().lower() for f in reader.fieldnames or []]
            if "lon" not in fields or "lat" not in fields:
                raise InputError(
                    f"{path}, line 1: header {reader.fieldnames!r}; expected columns 'lon' and 'lat'.",
                    code="input.missing",
                    field="lat" if "lon" in fields else "lon",
                    row=1,
                )
            lon: list[float] = []
            lat: list[float] = []
            for record in reader:
                row = {k.strip().lower(): (v or "").strip() for k, v in record.items() if k is not None}
                for name, bound, out in (("lon", 180.0, lon), ("lat", 90.0, lat)):
                    try:
                        value = float(row[name])
                    except ValueError as exc:
                        raise InputError(
                            f"{path}, line {reader.line_num}, field '{name}': {row[name]!r} is not a number.",
                            code="input.type",
                            field=name,
                            row=reader.line_num,
                        ) from exc
                    if not math.isfinite(value) or abs(value) > bound:
                        raise InputError(
                            f"{path}, line {reader.line_num}, field '{name}': {value!r} is outside "
                            f"[-{bound:g}, {bound:g}] degrees (WGS84).",
                            code="input.range",
                            field=name,
                            row=reader.line_num,
                        )
                    out.append(value)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.", code="input.not_found") from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        code = "input.encoding" if isinstance(exc, UnicodeDecodeError) else "input.unreadable"
        raise InputError(f"{path}: not a readable UTF-8 CSV file ({exc}).", code=code) from exc
    if not lon:
        raise InputError(f"{path}: no sites (data rows).", code="input.empty")
    return np.array(lon, dtype=np.float64), np.array(lat, dtype=np.float64)


def _exposure_sites(exposure: Exposure) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The distinct asset locations (sorted by lon, lat): assets on one grid cell share one site."""
    pairs = np.unique(np.column_stack([exposure.lon, exposure.lat]), axis=0)
    return np.ascontiguousarray(pairs[:, 0]), np.ascontiguousarray(pairs[:, 1])


def _map_specs(
    maps: Sequence[MapSpec], gpkg: Path | None, gpkg_layer: str | None, manifest: Path | None,
    peril: str | None, unit: str | None,
) -> tuple[list[MapSpec], str | None, str | None]:  # fmt: skip
    given = sum(bool(x) for x in (maps, gpkg, manifest))
    if given > 1:
        raise InputError(
            "Give the maps one way: --rp RP=FILE (repeat), --gpkg FILE or --manifest FILE.",
            code="input.options",
            field="--manifest" if manifest is not None else "--gpkg",
        )
    if manifest is not None:
        m_peril, m_unit, specs = read_manifest(manifest)
        if peril is not None and normalise_peril(peril) != normalise_peril(m_peril):
            raise InputError(
                f"{manifest}: peril {m_peril!r} differs from --peril {peril!r}.",
                code="input.inconsistent",
                field="--peril",
            )
        if unit is not None and unit != m_unit:
            raise InputError(
                f"{manifest}: unit {m_unit!r} differs from --unit {unit!r}.", code="input.inconsistent", field="--unit"
            )
        return specs, m_peril, m_unit
    if gpkg is not None:
        return specs_from_gpkg(gpkg, gpkg_layer), peril, unit
    return list(maps), peril, unit


def _write_indicator_csv(path: Path, stack: MapStack, indicator: Any) -> None:
    rps = stack.return_periods_years
    heads = [f"class_rp{t:g}" for t in rps] if rps else ["class"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["site", "lon", "lat", *heads, "site_class", "annual_frequency_per_year"])
        for s in range(indicator.site_class.size):
            f = indicator.annual_frequency_per_year[s]
            w.writerow([s, f"{indicator.site_lon[s]:.6f}", f"{indicator.site_lat[s]:.6f}",
                        *(int(c) if c >= 0 else "" for c in indicator.classes[:, s]),
                        int(indicator.site_class[s]) if indicator.site_class[s] >= 0 else "",
                        "" if math.isnan(f) else f"{f:.6g}"])  # fmt: skip


def import_hazard_maps(
    out_dir: Path,
    *,
    peril: str | None = None,
    unit: str | None = None,
    maps: Sequence[MapSpec] = (),
    gpkg: Path | None = None,
    gpkg_layer: str | None = None,
    manifest: Path | None = None,
    session: Session | None = None,
    city_id: str | None = None,
    sites_csv: Path | None = None,
    illustrative_city: str | None = None,
    ssp: str | None = None,
    horizon: str | int | None = None,
    percentile: str | float = 50,
    frequency_factor: float | None = None,
    reference_event_years: int = 10,
    method: str = "nearest",
    class_frequency: Mapping[int, float] | None = None,
    assess: bool = False,
) -> dict[str, Any]:
    """Read, check and convert hazard maps; write ``out_dir`` (replaced atomically); return the summary.

    Sites: the city's stored exposure (``session`` + ``city_id``) or ``sites_csv``. Maps: ``maps``,
    ``gpkg`` (+ ``gpkg_layer``), ``manifest``, or ``illustrative_city`` (synthetic demo layers drawn from
    Natural Earth rivers; if no river is near, no hazard is written and the summary says why). Climate:
    ``ssp`` + ``horizon`` (+ ``percentile``) and/or a user ``frequency_factor``.
    """
    if illustrative_city is not None and city_id is None and sites_csv is None:
        city_id = illustrative_city
    if (city_id is None) == (sites_csv is None):
        raise InputError(
            "Give the sites one way: --city CITY (its stored exposure) or --sites FILE.csv.",
            code="input.options",
            field="--city" if city_id is None else "--sites",
        )
    if city_id is not None and session is None:
        raise InputError(
            f"City {city_id!r}: reading its stored exposure needs the database.", code="input.options", field="--city"
        )
    if illustrative_city is not None and (maps or gpkg or manifest):
        raise InputError(
            "--illustrative draws its own layers; do not give maps as well.",
            code="input.options",
            field="--illustrative",
        )
    if illustrative_city is None and not (maps or gpkg or manifest):
        raise InputError(
            "No hazard maps: give --rp RP=FILE (repeat), --gpkg FILE, --manifest FILE or --illustrative.",
            code="input.options",
            field="--rp",
        )
    if assess and city_id is None:
        raise InputError(
            "--assess runs the city's stored exposure; give --city.", code="input.options", field="--assess"
        )

    exposure = None
    if city_id is not None:
        assert session is not None
        exposure = load_exposure(session, city_id)
        lon, lat = _exposure_sites(exposure)
        sites_from = f"{city_id}: {exposure.n_assets} stored assets on {lon.size} distinct locations"
    else:
        assert sites_csv is not None
        lon, lat = read_sites_csv(sites_csv)
        sites_from = f"{sites_csv}: {lon.size} sites"

    summary: dict[str, Any] = {"sites": {"from": sites_from, "n_sites": int(lon.size)}, "illustrative": False}
    with atomic_output_dir(Path(out_dir)) as tmp:
        label = ""
        if illustrative_city is not None:
            layers = write_illustrative_layers(illustrative_city, tmp / "illustrative_layers")
            summary["illustrative"] = True
            summary["label"] = ILLUSTRATIVE_LABEL
            summary["illustrative_layers"] = layers.as_dict()
            if not layers.available:
                summary["hazard_files"] = []
                summary["warnings"] = [str(layers.reason)]
                summary = _shown_everywhere(summary, tmp, Path(out_dir))
                write_json(tmp / "summary.json", summary)
                return _with_out_dir(summary, Path(out_dir))
            specs = list(layers.maps)
            peril = peril or "river_flood"
            unit = unit or "m"
            label = f"{ILLUSTRATIVE_LABEL}: "
        else:
            specs, peril, unit = _map_specs(maps, gpkg, gpkg_layer, manifest, peril, unit)
        if peril is None:
            raise InputError(
                "Give --peril: river_flood, snowmelt_flood, mudflow or landslide.",
                code="input.missing",
                field="--peril",
            )
        unit = unit or ("class" if normalise_peril(peril) == "landslide" else "m")
        if method not in ("nearest", "bilinear"):
            raise InputError(
                f"Sampling method {method!r}: expected nearest or bilinear.", code="input.unknown", field="--method"
            )
        stack = read_hazard_maps(specs, peril, unit, lon, lat, method="bilinear" if method == "bilinear" else "nearest")
        region = _region(city_id)
        summary.update(_stack_summary(stack, lon))
        shift = None
        if ssp is not None or frequency_factor is not None:
            shift = climate_shift(stack.peril, ssp=ssp, horizon=horizon, percentile=percentile, region=region,
                                  factor=frequency_factor, reference_event_years=reference_event_years,
                                  table=load_tas_table() if ssp is not None else None)  # fmt: skip
            summary["climate"] = shift.as_dict()
        elif horizon is not None:
            raise InputError(
                "--horizon needs --ssp (or give --frequency-factor).", code="input.options", field="--horizon"
            )

        if stack.unit == "class":
            freq = dict(class_frequency or {})
            indicator = susceptibility_indicator(stack.values, lon, lat, return_periods=stack.return_periods_years,
                                                 class_frequency_per_year=freq)  # fmt: skip
            _write_indicator_csv(tmp / f"{stack.peril}_susceptibility_sites.csv", stack, indicator)
            summary["indicator"] = indicator.as_dict()
            summary["hazard_files"] = []
            summary["losses"] = (
                "not computed: susceptibility classes are an indicator (no intensity measure, no vulnerability)"
            )
            if shift is not None and freq:
                summary["indicator"]["class_frequency_per_year_shifted"] = {
                    str(k): v * shift.frequency_factor for k, v in freq.items()
                }
            summary = _shown_everywhere(summary, tmp, Path(out_dir))
            write_json(tmp / "summary.json", summary)
            return _with_out_dir(summary, Path(out_dir))

        if stack.return_periods_years is None:
            raise InputError("Depth maps need return periods (RP=FILE).", code="input.missing", field="--rp")
        files = ", ".join(_shown(s.spec.label, tmp, Path(out_dir)) for s in stack.samples)
        source = (
            f"{label}{stack.peril} depth maps ({files}) sampled ({stack.method} cell) at {lon.size} sites of "
            f"{sites_from}"
        )
        hazard = hazard_from_return_period_maps(stack.values, stack.return_periods_years, peril=stack.peril,
                                                site_lon=lon, site_lat=lat, source=source)  # fmt: skip
        written = [save_hazard(hazard, tmp / f"hazard_{stack.peril}.npz")]
        summary["events"] = _events(hazard, stack)
        summary["hazard"] = {"peril": hazard.peril, "imt": hazard.imt, "unit": hazard.unit, "source": hazard.source}
        if shift is not None:
            shifted = apply_climate_shift(hazard, shift)
            tag = f"{shift.ssp}_{shift.horizon}_{shift.statistic}" if shift.ssp else "factor"
            written.append(save_hazard(shifted, tmp / f"hazard_{stack.peril}_{tag}.npz"))
            summary["climate"]["frequency_per_year"] = [float(f) for f in shifted.frequency]
            summary["climate"]["source"] = shifted.source
        summary["hazard_files"] = [p.name for p in written]
        summary["vulnerability_default"] = DEFAULT_FLOOD_VULNERABILITY if stack.peril in FLOOD_PERILS else None
        if stack.peril not in FLOOD_PERILS:
            summary["vulnerability_note"] = f"no shipped vulnerability function takes {hazard.imt} ({stack.peril})"
        if assess:
            if stack.peril not in FLOOD_PERILS:
                raise InputError(
                    f"--assess uses the JRC flood curves; {stack.peril} has none.",
                    code="input.options",
                    field="--assess",
                )
            assert exposure is not None
            summary["assessment"] = _assess(exposure, [tmp / n for n in summary["hazard_files"]], tmp)
        summary = _shown_everywhere(summary, tmp, Path(out_dir))
        write_json(tmp / "summary.json", summary)
    return _with_out_dir(summary, Path(out_dir))


def _shown(text: str, tmp: Path, out_dir: Path) -> str:
    """A path inside the temporary output folder as it will be once the folder is in place."""
    return text.replace(str(tmp), str(out_dir))


def _shown_everywhere(value: Any, tmp: Path, out_dir: Path) -> Any:
    if isinstance(value, str):
        return _shown(value, tmp, out_dir)
    if isinstance(value, dict):
        return {k: _shown_everywhere(v, tmp, out_dir) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown_everywhere(v, tmp, out_dir) for v in value]
    return value


def _with_out_dir(summary: dict[str, Any], out_dir: Path) -> dict[str, Any]:
    summary["out_dir"] = str(out_dir)
    return summary


def _region(city_id: str | None) -> str:
    """The AR6 region of a founding city (for the heavy-precipitation figure), else ``world``."""
    if city_id is None:
        return "world"
    try:
        return city_region(city_id)
    except NotFoundError:
        return "world"


def _stack_summary(stack: MapStack, lon: NDArray[np.float64]) -> dict[str, Any]:
    v = stack.values
    with_hazard = np.any(np.isfinite(v) & (v > 0), axis=0)
    no_value_all = np.all(~np.isfinite(v), axis=0)
    return {
        "peril": stack.peril,
        "unit": stack.unit,
        "declared_unit": stack.declared_unit,
        "return_periods_years": list(stack.return_periods_years) if stack.return_periods_years else None,
        "sampling": f"{stack.method} (nearest = the cell containing the site)",
        "maps": [s.as_dict() for s in stack.samples],
        "sites_with_hazard": int(with_hazard.sum()),
        "sites_without_hazard": int(lon.size - with_hazard.sum()),
        "sites_without_any_value": int(no_value_all.sum()),
        "nodata_policy": "nodata cells and sites off the map carry no hazard for that return period; counted per map",
        "monotonicity": stack.monotonicity,
        "warnings": list(stack.warnings),
    }


def _events(hazard: Any, stack: MapStack) -> list[dict[str, Any]]:
    exc = exceedance_frequencies(hazard.frequency)
    rows = []
    counts = np.diff(hazard.intensity.indptr)
    assert stack.return_periods_years is not None
    for i, t in enumerate(stack.return_periods_years):
        rows.append({
            "event_id": int(hazard.event_id[i]),
            "name": str(hazard.event_name[i]) if hazard.event_name is not None else None,
            "return_period_years": t,
            "frequency_per_year": float(hazard.frequency[i]),
            "exceedance_frequency_per_year": float(exc[i]),
            "sites_with_depth": int(counts[i]),
            "rule": RULE,
        })  # fmt: skip
    return rows


def _assess(exposure: Exposure, hazard_paths: list[Path], tmp: Path) -> list[dict[str, Any]]:
    """AAL of the exposure for each hazard file with the JRC Asia curves (the engine in memory, run per file;
    the exposure is written beside the results as a record)."""
    write_exposure(exposure, tmp / "exposure.csv")
    vset = load_vulnerability([Path(DEFAULT_FLOOD_VULNERABILITY)], None)
    out = []
    for path in hazard_paths:
        risk = assess_and_write(load_hazards([path]), exposure, vset, tmp / f"risk_{path.stem}", max_distance_km=0.01,
                                provenance={str(path): hazard_provenance(path)})  # fmt: skip
        assert risk.assessment is not None
        out.append({
            "hazard_file": path.name,
            "aal": risk.aal_per_year,
            "aal_unit": risk.as_dict()["units"]["aal"],
            "assigned_assets": risk.assessment.assigned_assets,
            "vulnerability": DEFAULT_FLOOD_VULNERABILITY,
            "results": f"risk_{path.stem}",
        })  # fmt: skip
    return out
