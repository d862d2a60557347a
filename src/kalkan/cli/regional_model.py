"""`kalkan eq regional-model`: write Kalkan's own regional seismic source model (NRML 0.5) and its record.

A plain typer-annotated function, to be registered in :mod:`kalkan.cli` with
``eq_app.command("regional-model")(eq_regional_model)``. numpy and the model code are imported inside the
command, so importing this module stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def eq_regional_model(
    out: Annotated[Path, typer.Option("--out", help="NRML 0.5 source-model XML to write.", dir_okay=False)],
    record: Annotated[
        Path | None,
        typer.Option("--record", help="Also write the JSON record of every parameter and count.", dir_okay=False),
    ] = None,
    catalogue: Annotated[
        Path | None,
        typer.Option(
            "--catalogue",
            help="ISC-GEM-style CSV (eventid, origin_time_utc, lat, lon, ..., depth_km, mw, ...); default: the "
            "shipped ISC-GEM v7.0 Central Asia extract. Rows with missing Mw or depth are excluded and counted.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    zones: Annotated[
        Path | None,
        typer.Option("--zones", help="Zones GeoJSON; default: the shipped kalkan_zones_v1.geojson.", dir_okay=False),
    ] = None,
    mfd_min_mag: Annotated[float, typer.Option(help="Lowest magnitude of the MFDs written (Mw).")] = 5.0,
    mmax_increment: Annotated[float, typer.Option(help="Mmax = largest observed Mw + this.")] = 0.5,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
) -> None:
    """Build Kalkan's regional source model (not EMCA, not GEM) from an earthquake catalogue and area zones.
    Recorded as a run."""
    from kalkan.app.jobs import Output, job
    from kalkan.catalog.sources import data_source
    from kalkan.core.hazard.earthquake import regional_model as rm
    from kalkan.io import regional_model as rm_files
    from kalkan.io.isc_gem import read_catalogue_lenient

    cat_path = catalogue if catalogue is not None else data_source("isc_gem_catalogue_central_asia").paths()[0]
    zones_path = zones if zones is not None else rm_files.shipped_path(rm_files.ZONES_FILE)
    cat, problems = read_catalogue_lenient(cat_path)
    model = rm.build_regional_model(
        cat,
        rm_files.read_zones(zones_path),
        rm.ModelParameters(mfd_min_mag=mfd_min_mag, mmax_increment=mmax_increment),
        zones_name=zones_path.name,
        reader_problems=problems,
    )
    output = Output(out, is_dir=False, force=force, extras=(record,) if record is not None else ())
    parameters = {"catalogue": str(cat_path), "zones": str(zones_path), "mfd_min_mag": mfd_min_mag,
                  "mmax_increment": mmax_increment}  # fmt: skip
    with job("eq-regional-model", parameters=parameters, inputs={"catalogue": cat_path, "zones": zones_path},
             output=output) as run:  # fmt: skip
        rm_files.write_regional_model(model, run.target, run.workdir / record.name if record is not None else None)
        run.summary = {"area_sources": sum(r.emitted for r in model.zones), "mainshocks": model.n_mainshocks}
    s = model.screening
    lines = [
        f"{out}: {sum(r.emitted for r in model.zones)} area sources ({rm.MODEL_TITLE}).",
        f"Catalogue {cat_path.name}: {s.valid.size} rows, {s.n_excluded} excluded (missing Mw {s.missing_mw}, "
        f"missing depth {s.missing_depth}, bad coordinates {s.bad_coordinates}, bad time {s.bad_time}); "
        f"{model.n_mainshocks} mainshocks after declustering.",
    ]
    for r in model.zones:
        lines.append(
            f"  {r.zone.id}: {r.n_complete} complete mainshocks, a={r.a:.3f}, b={r.b:.3f}±{r.sigma_b:.3f} "
            f"({r.b_source}), Mmax={r.mmax:.2f}{'' if r.emitted else ' (not written)'}"
        )
    lines += [f"  {p}" for p in problems[:20]]
    if record is not None:
        lines.append(f"{record}: parameter record.")
    lines.append(f"Recorded as run {run.id}." if run.id else "Not recorded in a database (none is set up).")
    sys.stdout.write("\n".join(lines) + "\n")
