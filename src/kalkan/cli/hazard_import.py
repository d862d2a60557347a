"""`kalkan hazard import`: return-period hazard maps -> a HazardSet on a city's (or a CSV's) sites.

A plain function, mounted in :mod:`kalkan.cli` with ``hazard_app.command("import")(hazard_import)``; the
heavy imports happen inside it, so importing this module stays fast. Errors are :class:`InputError`
messages (the main CLI prints them without a traceback).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kalkan.errors import InputError

out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def _class_frequencies(values: list[str] | None) -> dict[int, float]:
    """``--class-frequency 4=0.01`` (repeat): annual frequency (1/year) of a susceptibility class."""
    outv: dict[int, float] = {}
    for text in values or []:
        key, sep, value = text.partition("=")
        try:
            if not sep:
                raise ValueError
            outv[int(key)] = float(value)
        except ValueError as exc:
            raise InputError(f"--class-frequency {text!r}: expected CLASS=FREQUENCY, e.g. 4=0.01 (per year).") from exc
    return outv


def hazard_import(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the hazard file(s) and summary.json.")],
    peril: Annotated[
        str | None,
        typer.Option(help="river_flood, snowmelt_flood, mudflow (depth) or landslide (susceptibility class)."),
    ] = None,
    rp: Annotated[
        list[str] | None,
        typer.Option("--rp", help="RP=FILE.tif or RP=FILE.gpkg#TABLE, return period in years (repeat, increasing)."),
    ] = None,
    gpkg: Annotated[
        Path | None, typer.Option(help="GeoPackage: a polygon layer (return_period, depth_m) or tables named *_rpT.")
    ] = None,
    layer: Annotated[str | None, typer.Option(help="Layer of --gpkg to read.")] = None,
    manifest: Annotated[
        Path | None, typer.Option(help="JSON manifest: peril, unit, maps [{return_period_years, path}].")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="Unit of the maps: m (default), cm, or class (landslide).")] = None,
    city: Annotated[str | None, typer.Option(help="City id: the sites are its stored exposure's locations.")] = None,
    sites: Annotated[Path | None, typer.Option(help="CSV of sites with lon, lat columns (WGS84 degrees).")] = None,
    illustrative: Annotated[
        str | None,
        typer.Option(
            help="Draw ILLUSTRATIVE depth layers (synthetic, not a flood model) around Natural Earth "
            "rivers for this founding city instead of reading maps."
        ),
    ] = None,
    ssp: Annotated[str | None, typer.Option(help="Climate shift: ssp126, ssp245, ssp370 or ssp585.")] = None,
    horizon: Annotated[str | None, typer.Option(help="Climate shift: year 2015-2100 (20-year window).")] = None,
    percentile: Annotated[str, typer.Option(help="Across-model statistic of the GWL: 50, 10, 90, median...")] = "50",
    frequency_factor: Annotated[
        float | None, typer.Option(help="Your own frequency multiplier instead of the AR6 table (T_future = T / F).")
    ] = None,
    reference_event: Annotated[int, typer.Option(help="AR6 Rx1day table used: 10 (default) or 50-year event.")] = 10,
    method: Annotated[str, typer.Option(help="Sampling: nearest (cell containing the site) or bilinear.")] = "nearest",
    class_frequency: Annotated[
        list[str] | None, typer.Option(help="Landslide: CLASS=FREQ, your annual frequency of a class (repeat).")
    ] = None,
    assess: Annotated[
        bool, typer.Option("--assess", help="Also run the city's exposure with the JRC Asia curves (AAL).")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out folder.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")] = False,
) -> None:
    """Import flood/mudflow depth maps or landslide susceptibility per return period onto sites: events with
    band frequencies 1/T_i - 1/T_i+1, an optional climate shift of frequencies, summary.json beside. Recorded as
    a run."""
    from kalkan.app.hazard_import import import_hazard_maps
    from kalkan.app.jobs import Output, job
    from kalkan.io.hazard_maps import parse_map_argument
    from kalkan.store.database import optional_store, store_scope
    from kalkan.store.versions import current_ids

    specs = [parse_map_argument(text) for text in rp or []]
    kwargs: dict[str, Any] = {
        "peril": peril, "unit": unit, "maps": specs, "gpkg": gpkg, "gpkg_layer": layer, "manifest": manifest,
        "sites_csv": sites, "illustrative_city": illustrative, "ssp": ssp, "horizon": horizon,
        "percentile": percentile, "frequency_factor": frequency_factor, "reference_event_years": reference_event,
        "method": method, "class_frequency": _class_frequencies(class_frequency), "assess": assess,
    }  # fmt: skip
    if method not in ("nearest", "bilinear"):
        raise InputError(f"--method {method!r}: expected nearest or bilinear.")
    files = [spec.path for spec in specs] + [f for f in (gpkg, manifest, sites) if f is not None]
    inputs = {f"input_{k}": f for k, f in enumerate(files)}
    parameters = {**{k: v for k, v in kwargs.items() if k != "maps"}, "maps": [str(m) for m in specs], "city": city}
    if city is not None or (illustrative is not None and sites is None):
        with store_scope() as store, store.read() as session:
            if city is not None:
                parameters["data_versions"] = current_ids(session, city)
            with job("hazard-import", parameters=parameters, inputs=inputs, output=Output(out_dir, force=force),
                     city_id=city, store=store) as run:  # fmt: skip
                summary = import_hazard_maps(run.workdir, session=session, city_id=city, **kwargs)
                run.summary = _headline(summary)
    else:
        maybe = optional_store()
        try:
            with job("hazard-import", parameters=parameters, inputs=inputs, output=Output(out_dir, force=force),
                     store=maybe, record=maybe is not None) as run:  # fmt: skip
                summary = import_hazard_maps(run.workdir, **kwargs)
                run.summary = _headline(summary)
        finally:
            if maybe is not None:
                maybe.close()
    summary["out_dir"] = str(out_dir)
    summary["run_id"] = run.id
    if as_json:
        _print_json(summary)
        return
    _print_summary(summary)


def _headline(summary: dict[str, Any]) -> dict[str, Any]:
    """What the run record keeps of a hazard import: peril, sites with hazard, AALs of an assessment."""
    keys = ("peril", "sites_with_hazard", "sites_without_hazard", "illustrative", "assessment", "climate")
    return {k: summary[k] for k in keys if k in summary}


def _print_summary(summary: dict[str, Any]) -> None:
    if summary.get("illustrative"):
        out.print(f"[bold]{summary['label']}[/] — layers drawn around Natural Earth rivers; not for decisions.")
        layers = summary["illustrative_layers"]
        if not layers["available"]:
            out.print(f"No layer: {layers['reason']}")
            out.print(f"Summary in {summary['out_dir']}/summary.json")
            return
        out.print(f"Rivers: {', '.join(layers['rivers'])}; formula: {layers['formula']}")
    out.print(f"Sites: {summary['sites']['from']}.")
    if "events" in summary:
        table = Table(title=f"{summary['peril']}: events from return-period maps (step rule)")
        for col in ("event", "return period (years)", "frequency (1/year)", "exceedance (1/year)", "sites with depth"):
            table.add_column(col, justify="right" if col != "event" else "left")
        climate = summary.get("climate")
        if climate:
            table.add_column("shifted frequency (1/year)", justify="right")
        for i, e in enumerate(summary["events"]):
            row = [str(e["name"]), f"{e['return_period_years']:g}", f"{e['frequency_per_year']:.5g}",
                   f"{e['exceedance_frequency_per_year']:.5g}", f"{e['sites_with_depth']:,}"]  # fmt: skip
            if climate:
                row.append(f"{climate['frequency_per_year'][i]:.5g}")
            table.add_row(*row)
        out.print(table)
    if "indicator" in summary:
        out.print(f"Susceptibility indicator (not usable for losses): sites per class "
                  f"{summary['indicator']['sites_per_class']}.")  # fmt: skip
    out.print(f"Sites with hazard: {summary['sites_with_hazard']:,} of {summary['sites']['n_sites']:,} sites; "
              f"{summary['sites_without_hazard']:,} without.")  # fmt: skip
    climate = summary.get("climate")
    if climate:
        if climate["ssp"] and climate.get("gwl_c_vs_1995_2014") is not None:
            out.print(f"Climate: {climate['ssp']} {climate['horizon']} ({climate['window']}), {climate['statistic']}, "
                      f"GWL {climate['gwl_c_vs_1995_2014']:+.2f} °C vs 1995-2014 -> frequencies x"
                      f"{climate['frequency_factor']:.3f} ({climate['method']}).")  # fmt: skip
        else:
            out.print(f"Climate: user frequency factor x{climate['frequency_factor']:.3f}.")
        for note in climate["notes"]:
            out.print(f"  • {note}")
    for a in summary.get("assessment", []):
        out.print(f"AAL ({a['vulnerability']}) with {a['hazard_file']}: {a['aal']:,.0f} {a['aal_unit']}")
    for w in summary.get("warnings", []):
        err.print(f"[yellow]Warning:[/] {w}")
    files = ", ".join(summary.get("hazard_files", [])) or "no hazard file"
    label = " (ILLUSTRATIVE)" if summary.get("illustrative") else ""
    out.print(f"Wrote {files}{label} and summary.json in {summary['out_dir']}.")
    if summary.get("run_id"):
        out.print(f"Recorded as run {summary['run_id']} (`kalkan runs show {summary['run_id'][:8]}`).")
