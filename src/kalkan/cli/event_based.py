"""``kalkan eq events`` (a stochastic event set and its ground-motion fields) and ``kalkan city event-risk``
(event-based risk of a city's stored exposure).

Plain functions for :mod:`kalkan.cli` to register (``eq_app.command("events")(eq_events)``,
``city_app.command("event-risk")(city_event_risk)``); they print rich tables with units (or JSON with
``--json``), show a progress bar on stderr (not with ``--json``) and raise
:class:`~kalkan.errors.KalkanError` for input problems, which the CLI shows as a message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kalkan.errors import KalkanError

_out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
_err = Console(stderr=True, highlight=False)


def _correlation(value: str | None) -> Any:
    if value is None or value.lower() in ("", "none"):
        return None
    if value.upper() != "JB2009":
        raise KalkanError(f"Unknown correlation model {value!r}; expected JB2009 (or none).")
    return "JB2009"


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def eq_events(
    out: Annotated[Path, typer.Option("--out", help="Output folder: hazard_<IMT>.npz, events.parquet, summary.json.")],
    sources: Annotated[
        Path | None,
        typer.Option(help="Source model: OpenQuake NRML .xml or Kalkan .csv (default: the shipped regional model)."),
    ] = None,
    gmpe: Annotated[list[str] | None, typer.Option(help="Ground-motion model (repeat; equal weights).")] = None,
    gmpe_logic_tree: Annotated[
        Path | None, typer.Option(help="GMPE logic tree (NRML .xml or model,weight .csv).")
    ] = None,
    sites: Annotated[Path | None, typer.Option(help="Sites CSV: [name,]lon,lat[,vs30].")] = None,
    city: Annotated[str | None, typer.Option(help="Sites on a grid over this founding city.")] = None,
    grid_km: Annotated[float, typer.Option(help="Grid spacing over the city, km.")] = 2.0,
    vs30: Annotated[
        float | None, typer.Option(help="Vs30 of sites without one, m/s [default: 400, Kalkan's city-soil default].")
    ] = None,
    years: Annotated[int, typer.Option(min=1, help="Catalogue length T, years.")] = 10_000,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the catalogue and the fields (recorded).")] = 42,
    imt: Annotated[list[str] | None, typer.Option(help="Intensity measure (repeat): PGA, SA(0.3), ...")] = None,
    correlation: Annotated[str | None, typer.Option(help="Spatial correlation of residuals: JB2009.")] = None,
    truncation: Annotated[float, typer.Option(help="Truncation of the residuals, standard deviations.")] = 3.0,
    max_distance: Annotated[float, typer.Option(help="Maximum rupture-site distance (Rrup), km.")] = 300.0,
    min_intensity: Annotated[
        float, typer.Option(help="Values below this are not stored: g (PGA, SA), cm/s (PGV).")
    ] = 0.01,
    block_events: Annotated[int, typer.Option(min=1, help="Events per block of ground-motion fields.")] = 10_000,
    area_spacing: Annotated[float, typer.Option(help="Area source grid spacing, km.")] = 10.0,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out folder.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Stochastic event set: Poisson occurrences of the source model's ruptures over --years, with correlated
    ground-motion fields at the sites, written as hazard files whose events carry their years (for the risk
    engine's aggregate and occurrence curves)."""
    from rich.progress import Progress

    from kalkan.app.event_based import resolve_source_model, run_event_set
    from kalkan.app.jobs import Output, job
    from kalkan.app.psha import gmpe_branches, read_psha_sites
    from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, vs30_text

    site_vs30 = DEFAULT_VS30_M_S if vs30 is None else vs30
    branches = gmpe_branches(gmpe or (), gmpe_logic_tree)
    site_set = read_psha_sites(sites, city=city, grid_km=grid_km, vs30=site_vs30)
    imts = imt or ["PGA"]
    model_path = Path(resolve_source_model(sources))
    inputs = {k: v for k, v in (("source_model", model_path), ("gmpe_logic_tree", gmpe_logic_tree), ("sites", sites))
              if v is not None}  # fmt: skip
    parameters = {"source_model": str(model_path), "gmpe": list(gmpe or ()), "city": city, "grid_km": grid_km,
                  "vs30": site_vs30, "years": years, "imts": imts, "correlation": correlation, "truncation": truncation,
                  "max_distance_km": max_distance, "min_intensity": min_intensity, "block_events": block_events,
                  "area_spacing_km": area_spacing}  # fmt: skip
    with (
        Progress(console=_err, transient=True, disable=as_json) as progress,
        job("eq-events", parameters=parameters, inputs=inputs, output=Output(out, force=force), seed=seed,
            on_progress=lambda p, m: progress.update(task, completed=p, description=m)) as run,
    ):  # fmt: skip
        task = progress.add_task("Event set", total=100)
        summary = run_event_set(
            run.workdir, source_model=sources, branches=branches, sites=site_set, imts=imts, years=years, seed=seed,
            logic_tree=gmpe_logic_tree, truncation=truncation, correlation=_correlation(correlation),
            max_distance_km=max_distance, min_intensity=min_intensity, block_events=block_events,
            area_spacing_km=area_spacing, sites_source=str(sites) if sites else f"grid over {city} ({grid_km:g} km)",
            vs30_m_s=site_vs30, on_progress=run.progress,
        )  # fmt: skip
        run.summary = {k: summary[k] for k in ("events_sampled", "events_in_hazard", "source_model")}
    summary["files"] = {name: str(Path(out) / Path(path).name) for name, path in summary["files"].items()}
    summary["run_id"] = run.id
    if as_json:
        _print_json(summary)
        return
    table = Table(title=f"Stochastic event set: {years:,} years, seed {seed}")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("unit")
    sm = summary["source_model"]
    table.add_row("source model", Path(sm["path"]).name, f"sha256 {sm['sha256'][:12]}…")
    table.add_row("ruptures in the model", f"{sm['ruptures']:,}", "")
    table.add_row("total rate", f"{sm['total_rate_per_year']:.4g}", "events per year")
    table.add_row("events sampled", f"{summary['events_sampled']:,}", "events")
    table.add_row("events with ground motion", f"{summary['events_in_hazard']:,}", "events")
    table.add_row("event frequency", f"{summary['event_frequency_per_year']:.3g}", "per year (1/T)")
    table.add_row("sites", f"{summary['sites']['count']:,}", "")
    for name, n in summary["stored_values"].items():
        table.add_row(f"stored values {name}", f"{n:,}", f">= {min_intensity:g} {'cm/s' if name == 'PGV' else 'g'}")
    table.add_row("GMPE branches", ", ".join(f"{k} ({v:g})" for k, v in summary["gmpe_logic_tree"]["branches"].items()),
                  "weights, one sampled per event")  # fmt: skip
    _out.print(table)
    _out.print(f"Site condition: {vs30_text(summary['site_condition'])}.")
    for name, path in summary["files"].items():
        _out.print(f"  {name}: {path}")
    for w in summary["warnings"]:
        _err.print(f"[yellow]Warning:[/] {w}")
    _out.print(f"Run {run.id}." if run.id else "Not recorded in a database (none is set up): see run.json.")


def city_event_risk(
    city_id: Annotated[str, typer.Argument(help="City id in the registry (with a stored exposure).")],
    out: Annotated[Path, typer.Option("--out", help="Output folder (summary.json, exceedance_curves.csv, ...).")],
    sources: Annotated[
        Path | None,
        typer.Option(help="Source model: OpenQuake NRML .xml or Kalkan .csv (default: the shipped regional model)."),
    ] = None,
    years: Annotated[int, typer.Option(min=1, help="Catalogue length T, years.")] = 10_000,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the catalogue and the fields (recorded).")] = 42,
    gmpe: Annotated[
        list[str] | None,
        typer.Option(help="Ground-motion model (repeat; equal weights; default: the scenario's three)."),
    ] = None,
    gmpe_logic_tree: Annotated[
        Path | None, typer.Option(help="GMPE logic tree (NRML .xml or model,weight .csv).")
    ] = None,
    correlation: Annotated[str | None, typer.Option(help="Spatial correlation of residuals: JB2009.")] = None,
    vs30: Annotated[
        float | None, typer.Option(help="Uniform Vs30 of the sites, m/s [default: 400, Kalkan's city-soil default].")
    ] = None,
    max_distance: Annotated[float, typer.Option(help="Maximum rupture-site distance (Rrup), km.")] = 300.0,
    min_intensity: Annotated[
        float, typer.Option(help="Values below this are not stored: g (PGA, SA), cm/s (PGV).")
    ] = 0.01,
    block_events: Annotated[int, typer.Option(min=1, help="Events per block of ground-motion fields.")] = 10_000,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out folder.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Event-based risk of the city's stored exposure: average annual loss, occurrence and aggregate
    exceedance losses at the standard return periods (10-2475 years), expected annual fatalities (GEM Central
    Asia vulnerability, uniform Vs30, night-time occupants). The run is recorded with the source model's
    digest and the GMPE logic tree."""
    from rich.progress import Progress

    from kalkan.app.city_event_risk import city_event_based_risk
    from kalkan.app.event_based import resolve_source_model
    from kalkan.app.jobs import Output, job
    from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S
    from kalkan.io.digest import sha256_file
    from kalkan.store.database import store_scope
    from kalkan.store.models import City
    from kalkan.store.versions import current_ids

    vs30 = DEFAULT_VS30_M_S if vs30 is None else vs30
    model_path = resolve_source_model(sources)
    digests = {"source_model": sha256_file(Path(model_path))}
    if gmpe_logic_tree is not None:
        digests["gmpe_logic_tree"] = sha256_file(gmpe_logic_tree)
    parameters: dict[str, Any] = {
        "city": city_id, "source_model": str(model_path), "years": years, "gmpe": list(gmpe or ()),
        "gmpe_logic_tree": str(gmpe_logic_tree) if gmpe_logic_tree else None, "correlation": correlation,
        "vs30": vs30, "max_distance_km": max_distance, "min_intensity": min_intensity, "block_events": block_events,
    }  # fmt: skip
    with store_scope() as store, Progress(console=_err, transient=True, disable=as_json) as progress:
        with store.read() as session:
            if session.get(City, city_id) is None:
                raise KalkanError(f"Unknown city {city_id!r}.", hint="`kalkan cities list` shows the registry.")
            parameters["data_versions"] = current_ids(session, city_id)
        task = progress.add_task("Event-based risk", total=100)

        def show(p: int, m: str) -> None:
            progress.update(task, completed=p, description=m)

        with job("city-event-risk", parameters=parameters, inputs=digests, output=Output(out, force=force), seed=seed,
                 city_id=city_id, store=store, on_progress=show) as run:  # fmt: skip
            with store.read() as session:
                result = city_event_based_risk(
                    session, city_id, run.workdir, source_model=Path(model_path), gmpes=gmpe or (),
                    gmpe_logic_tree=gmpe_logic_tree, years=years, seed=seed, vs30=vs30,
                    correlation=_correlation(correlation), max_distance_km=max_distance, min_intensity=min_intensity,
                    block_events=block_events, on_progress=run.progress,
                )  # fmt: skip
            summary = result.as_dict()
            run.summary = {k: summary[k] for k in ("aal", "expected_annual_fatalities", "losses_at_return_periods",
                                                   "catalogue", "source_model", "gmpe_logic_tree")}  # fmt: skip
        summary["run_id"] = run.id
    summary["out"] = str(out)
    if as_json:
        _print_json(summary)
        return
    _print_city_summary(summary)


def _print_city_summary(s: dict[str, Any]) -> None:
    from kalkan.core.hazard.earthquake.site import vs30_text

    money = s["units"]["loss"]
    cat = s["catalogue"]
    _out.print(
        f"{s['city']}: {cat['years']:,}-year stochastic catalogue (seed {cat['seed']}), {cat['events_sampled']:,} "
        f"events sampled, {cat['events_in_hazard']:,} with ground motion at the {s['exposure']['sites']:,} sites."
    )
    effects = s.get("modelled_effects")
    head = Table(title=f"{s['city']}: annual averages" + (f"\nmodelled: {effects}" if effects else ""))
    for col in ("quantity", "value", "± standard error", "unit"):
        head.add_column(col, justify="left" if col in ("quantity", "unit") else "right")
    head.add_row("average annual loss", f"{s['aal']:,.0f}", f"{s['aal_standard_error']:,.0f}", f"{money} per year")
    head.add_row("expected annual fatalities", f"{s['expected_annual_fatalities']:,.2f}",
                 f"{s['expected_annual_fatalities_standard_error']:,.2f}", "people per year")  # fmt: skip
    _out.print(head)
    rp = Table(title=f"{s['city']}: losses at return periods" + (f"\nmodelled: {effects}" if effects else ""))
    for col in ("return period (years)", f"occurrence loss ({money})", f"aggregate loss ({money})",
                "occurrence fatalities (people)", "catalogue"):  # fmt: skip
        rp.add_column(col, justify="right")
    lr, fr = s["losses_at_return_periods"], s["fatalities_at_return_periods"]
    for k, flag in s["return_period_flags"].items():
        mark = {"ok": "ok", "short": "[yellow]short[/]", "beyond_catalogue": "[red]beyond T[/]"}[flag]
        rp.add_row(k, f"{lr['occurrence'][k]:,.0f}", f"{lr['aggregate'][k]:,.0f}", f"{fr['occurrence'][k]:,.1f}", mark)
    _out.print(rp)
    if effects:
        _out.print(f"Modelled fatalities and losses: {effects}.")
    _out.print(
        "Occurrence: event exceedance (the engine's curve, as `kalkan risk show` of the run's risk/ folder); "
        "aggregate: each year's total. Loss at a return period: the largest loss reached at least once in that "
        "many years on average (no interpolation; docs/return-periods.md)."
    )
    if "site_condition" in s:
        _out.print(f"Site condition: {vs30_text(s['site_condition'])}.")
    sm = s["source_model"]
    branches = ", ".join(f"{k} ({v:g})" for k, v in s["gmpe_logic_tree"]["branches"].items())
    _out.print(f"Source model: {sm['path']} (sha256 {sm['sha256'][:12]}…); GMPEs: {branches}, one sampled per event.")
    for w in s["warnings"]:
        _err.print(f"[yellow]Warning:[/] {w}")
    _out.print("Data: GEM, CC BY-NC-SA 4.0, non-commercial use only.")
    _out.print(f"Results in {s['out']}; recorded as run {s['run_id']} (`kalkan runs show {s['run_id'][:8]}`).")
