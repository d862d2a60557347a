"""`kalkan climate ...`: regional climate scenarios (IPCC AR6 Atlas CMIP6), as Rich tables or ``--json``.

Kept apart from :mod:`kalkan.cli` so that it can be mounted there with
``app.add_typer(climate_app, name="climate")``; heavy imports (numpy, pyarrow, matplotlib) happen inside
the command, so importing this module stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kalkan.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from kalkan.core.climate.scenarios import Horizon, RegionalChange, Statistic

climate_app = typer.Typer(
    help="Climate scenarios: regional warming per SSP and horizon from IPCC AR6 Atlas CMIP6 data.",
    no_args_is_help=True,
)

out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")]


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


@climate_app.callback()
def _climate() -> None:
    """Climate scenarios (keeps `scenarios` a named sub-command)."""


def _split(values: list[str] | None) -> list[str]:
    """Repeated options and comma-separated lists alike: ``--ssp ssp126,ssp585 --ssp ssp245``."""
    return [part.strip() for v in values or [] for part in v.split(",") if part.strip()]


def _resolve_region(place: str, regions: tuple[str, ...]) -> tuple[str, str | None]:
    """(AR6 region, city id or None) of a founding city id or of an AR6 region code of the data."""
    from kalkan.io.founding_cities import city_region

    if place in regions:
        return place, None
    try:
        return city_region(place), place
    except NotFoundError as exc:
        raise NotFoundError(f"{exc.message} Or give an AR6 region of the data: {', '.join(regions)}.") from exc


@climate_app.command("scenarios")
def scenarios(
    city: Annotated[str, typer.Argument(help="Founding city id (e.g. osh) or AR6 region code (WCA, WSB, world).")],
    ssp: Annotated[
        list[str] | None, typer.Option("--ssp", help="SSP(s): ssp126, ssp245, ssp370, ssp585 [default: all 4].")
    ] = None,
    horizon: Annotated[
        list[str] | None,
        typer.Option(
            "--horizon",
            help="Year(s) 2015-2100, each the 20-year window centred on it (2050 = 2041-2060), or 'baseline' "
            "[default: 2030, 2050, 2080, 2090].",
        ),
    ] = None,
    percentile: Annotated[
        list[str] | None,
        typer.Option(
            "--percentile",
            help="Across-model statistic(s): 10, 50, 90, median, p25, ... or a model name [default: 10, 50, 90].",
        ),
    ] = None,
    ensemble: Annotated[
        str, typer.Option("--ensemble", help="all: all models with that SSP; complete: models with all 4 SSPs.")
    ] = "all",
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="Also write the warming path 2030-2090 per SSP, p10-p90 shaded (.png or .svg)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --plot file.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Warming of a city's AR6 region per SSP and horizon vs 1995-2014, with the global warming level.
    Recorded as a run."""
    from kalkan.app.jobs import Output, job
    from kalkan.core.climate.precipitation import SENSITIVITIES, precipitation_change
    from kalkan.core.climate.scenarios import (
        BASELINE,
        DEFAULT_HORIZONS,
        DEFAULT_PERCENTILES,
        SSPS,
        Scenario,
        parse_horizon,
        parse_ssp,
        parse_statistic,
        regional_change,
        warming_path,
    )
    from kalkan.core.coalition.vocabulary import AR6_LAND_REGIONS
    from kalkan.io.ar6 import load_tas_table
    from kalkan.reports.climate_plots import check_plot_path, plot_warming_paths

    # Every option is checked before the data file is read.
    ssps = [parse_ssp(s) for s in _split(ssp)] or list(SSPS)
    horizons: list[Horizon] = [parse_horizon(h) for h in _split(horizon)] or list(DEFAULT_HORIZONS)
    stats: list[Statistic] = [parse_statistic(p) for p in _split(percentile)] or [
        parse_statistic(float(p)) for p in DEFAULT_PERCENTILES
    ]
    scens = [Scenario(s, h, st, ensemble) for s in ssps for h in horizons for st in stats]
    if plot is not None:
        check_plot_path(plot)

    table = load_tas_table()
    region, city_id = _resolve_region(city, table.regions)
    parameters = {"place": city, "region": region, "ssps": list(ssps), "horizons": list(horizons),
                  "statistics": [str(st) for st in stats], "ensemble": ensemble}  # fmt: skip
    output = Output(plot, is_dir=False, force=force) if plot is not None else None
    with job("climate-scenarios", parameters=parameters, output=output, city_id=city_id) as run:
        results = [regional_change(sc, region, table) for sc in scens]
        records = []
        for res in results:
            rec: dict[str, Any] = {
                "city": city_id, "region_name": AR6_LAND_REGIONS.get(region, region), **res.as_dict()
            }  # fmt: skip
            if region in SENSITIVITIES:
                rec.update(precipitation_change(region, res.gwl_c).as_dict())
            records.append(rec)
        if plot is not None:
            paths = [warming_path(region, s, ensemble=ensemble, table=table) for s in ssps]
            where = f"{city_id} (AR6 region {region})" if city_id else f"AR6 region {region}"
            plot_warming_paths(paths, run.target, title=f"Warming of {where} vs {BASELINE.label}, ensemble: {ensemble}")
        run.summary = {"scenarios": records}
    if plot is not None:
        err.print(f"Plot written to {plot}")

    if as_json:
        _print_json(records)
        return
    _print_table(results, records, city_id, region, ensemble, with_precip=region in SENSITIVITIES)


def _print_table(
    results: list[RegionalChange],
    records: list[dict[str, Any]],
    city_id: str | None,
    region: str,
    ensemble: str,
    *,
    with_precip: bool,
) -> None:
    from kalkan.core.climate.precipitation import SENSITIVITIES
    from kalkan.core.climate.scenarios import (
        BASELINE,
        ENSEMBLES,
        MONTHS,
        OBSERVED_WARMING_1850_1900_TO_1995_2014_C,
        SSPS,
    )

    name = records[0]["region_name"]
    where = f"{city_id}: AR6 region {region} ({name})" if city_id else f"AR6 region {region} ({name})"
    base = BASELINE.label
    table = Table(title=f"Warming of {where} vs {base}, °C — ensemble: {ENSEMBLES[ensemble]}")
    for col in ("SSP", "horizon", "window", "statistic"):
        table.add_column(col)
    for col in ("ΔT annual °C", f"GWL °C vs {base}", "GWL °C vs 1850-1900", "models"):
        table.add_column(col, justify="right")
    if with_precip:
        table.add_column("pr mean % *", justify="right")
        table.add_column("pr heavy % *", justify="right")
    for res, rec in zip(results, records, strict=True):
        row = [
            SSPS[res.scenario.ssp],
            str(res.scenario.horizon),
            res.window.label,
            res.scenario.statistic.label,
            f"{res.delta_tas_c:+.2f}",
            f"{res.gwl_c:+.2f}",
            f"{res.gwl_preindustrial_c:+.2f}",
            str(res.n_models),
        ]
        if with_precip:
            row += [f"{rec['precip_mean_change_pct']:+.1f}", f"{rec['precip_heavy_change_pct']:+.1f}"]
        table.add_row(*row)
    out.print(table)

    first = results[0].scenario.statistic
    shown = [r for r in results if r.scenario.statistic.label == "median"] or [
        r for r in results if r.scenario.statistic == first
    ]
    label = shown[0].scenario.statistic.label
    monthly = Table(title=f"Change of monthly mean tas vs {base}, °C ({label})")
    monthly.add_column("SSP")
    monthly.add_column("window")
    for m in MONTHS:
        monthly.add_column(m, justify="right")
    for res in shown:
        monthly.add_row(SSPS[res.scenario.ssp], res.window.label, *(f"{x:+.1f}" for x in res.delta_tas_monthly_c))
    out.print(monthly)

    short = [r for r in results if r.years_in_window_min < r.window.n_years]
    out.print(
        "Window: the 20 years centred on the horizon (2050 = 2041-2060, cut at 2100); change of the 20-year mean of "
        f"annual-mean tas (complete years only) of the region's land+sea mean vs {base} (the IPCC AR6 baseline), one "
        "run per model."
    )
    out.print(
        "Statistics across models: numpy linear-interpolation percentiles (type 7); median = p50. "
        f"GWL = the same statistic of the global ('world') change vs {base}; vs 1850-1900 adds the observed "
        f"{OBSERVED_WARMING_1850_1900_TO_1995_2014_C} °C (IPCC AR6 WGI Cross-Chapter Box 2.3, Fig. SPM.8)."
    )
    if short:
        out.print(
            f"{len(short)} row(s) use fewer years for some models (runs ending in 2098/2099, or a window cut at 2100)."
        )
    if with_precip:
        s = SENSITIVITIES[region]
        out.print(
            f"* Precipitation: scaled by global warming level (sparse data): mean {s.mean_pct_per_c:g} %/°C "
            f"(range {s.mean_low_pct_per_c:g}-{s.mean_high_pct_per_c:g}), heavy (wettest day) {s.heavy_pct_per_c:g} "
            f"%/°C x GWL vs {base} — {s.basis}."
        )
    out.print(
        "Data: IPCC AR6 WGI Atlas regional CMIP6 (Iturbide et al. 2020, ESSD 12, 2959-2988, "
        "doi:10.5194/essd-12-2959-2020), CC BY 4.0. Regional means, not city values; see docs/climate-scenarios.md."
    )


@climate_app.command("indicators")
def indicators(
    city: Annotated[str, typer.Argument(help="Founding city id (e.g. ashgabat).")],
    scenario: Annotated[
        str | None, typer.Option("--scenario", "--ssp", help="SSP: ssp126, ssp245, ssp370 or ssp585 (none: today).")
    ] = None,
    horizon: Annotated[
        str, typer.Option(help="Year 2015-2100: the 20-year window centred on it (2050 = 2041-2060).")
    ] = "2050",
    percentile: Annotated[
        list[str] | None,
        typer.Option("--percentile", help="Across-model statistic(s) of the warming: 10, 50, 90, ... [default: 50]."),
    ] = None,
    ensemble: Annotated[str, typer.Option(help="all: all models with that SSP; complete: models with all 4.")] = "all",
    station: Annotated[
        Path | None, typer.Option(help="Your own daily series: CSV date,tmax_c,tmin_c[,tmean_c] (°C).")
    ] = None,
    baseline_years: Annotated[
        str | None,
        typer.Option(
            help="Baseline years FIRST-LAST (inclusive) [default: 1995-2014, the IPCC AR6 baseline of the "
            "scenario changes]."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Heat and cold indicators and heat-attributable mortality of a city today and, with --scenario, in a
    future window (delta method: the AR6 regional monthly warming added to the daily series). Recorded as a
    run."""
    from kalkan.app.climate_indicators import city_indicator_scenarios
    from kalkan.app.jobs import job
    from kalkan.app.station_data import stored_series_if_any
    from kalkan.core.climate.baseline import BASELINE_YEARS, parse_years
    from kalkan.core.climate.scenarios import Scenario, parse_horizon, parse_statistic
    from kalkan.io.daily_temperature import read_user_daily_csv

    years = BASELINE_YEARS if baseline_years is None else parse_years(baseline_years, "--baseline-years")
    stats = [parse_statistic(p) for p in _split(percentile)] or [parse_statistic(50.0)]
    scenarios = (
        [Scenario(scenario, parse_horizon(horizon), st, ensemble) for st in stats] if scenario is not None else []
    )
    # a file given now, else the series the city imported (`kalkan climate import-station`), else the shipped one
    series = read_user_daily_csv(station) if station is not None else stored_series_if_any(city)
    parameters = {"city": city, "scenario": scenario, "horizon": horizon, "statistics": [str(st) for st in stats],
                  "ensemble": ensemble, "baseline_years": list(years),
                  "series": None if series is None else f"{series.source} ({series.kind})"}  # fmt: skip
    with job("climate-indicators", parameters=parameters, inputs={"station": station} if station else {},
             city_id=city) as run:  # fmt: skip
        result = city_indicator_scenarios(city, scenarios, series=series, baseline_years=years)
        run.summary = {"baseline": result.get("baseline"), "scenarios": result.get("scenarios")}
    result["run_id"] = run.id
    if as_json:
        _print_json(result)
        return
    _print_indicators(result)


def adjustment_title(adjustment: dict[str, Any]) -> str:
    """One line for a table title: whether the series was bias-adjusted to station normals, and why not."""
    if adjustment["applied"]:
        a, b = adjustment["overlap_years"]
        return f"bias-adjusted to the station normals of {adjustment['station']} (monthly means, {a}-{b})"
    return str(adjustment["reason"])


def adjustment_lines(adjustment: dict[str, Any] | None) -> list[str]:
    """The per-month adjustment of a reanalysis series (°C shifts, precipitation factors), for the table's foot."""
    if not adjustment or not adjustment.get("applied"):
        return []
    months = {m["month"]: m for m in adjustment["months"]}
    lines = [f"Bias adjustment ({adjustment['method']}):"]
    for var, label in (("tmax_c", "Tmax shift °C"), ("tmin_c", "Tmin shift °C"), ("tmean_c", "Tmean shift °C")):
        values = [months.get(m, {}).get(f"{var}_shift") for m in range(1, 13)]
        if any(v is not None for v in values):
            lines.append(f"  {label}, Jan-Dec: " + ", ".join("—" if v is None else f"{v:+.2f}" for v in values))
    factors = [months.get(m, {}).get("precip_factor") for m in range(1, 13)]
    if any(v is not None for v in factors):
        lines.append("  precipitation factor, Jan-Dec: " + ", ".join("—" if v is None else f"{v:.2f}" for v in factors))
    for why in adjustment.get("not_adjusted", []):
        lines.append(f"  not adjusted: {why}")
    return lines


def _fmt(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _print_indicators(r: dict[str, Any]) -> None:
    from kalkan.core.climate.baseline import statement

    data = r["data"]
    kind = "REANALYSIS (gridded model, not a station)" if data["reanalysis"] else data["kind"]
    w = r["window"]
    out.print(f"{r['city']}: {kind} — {data['source']}; licence: {data['licence']}")
    gaps = r["gaps"]
    out.print(
        f"{statement(r['baseline_period'])}. {w['n_years_used']} years used, {w['n_years_excluded']} excluded "
        f"({w['exclusion_rule']}); gaps: {gaps['missing_days']} missing days (longest {gaps['longest_gap_days']}), "
        "reported, not filled."
    )
    table = Table(
        title=f"{r['city']}: heat and cold indicators (mean per year of the window)\n{data['label']}"
        + (f"\n{adjustment_title(r['bias_adjustment'])}" if r.get("bias_adjustment") else "")
    )
    table.add_column("indicator")
    table.add_column("unit")
    table.add_column("today", justify="right")
    labels = []
    for f in r["futures"]:
        s = f["scenario"]
        label = f"{s['ssp_label']} {s['window']} {s['statistic']} (ΔT {s['delta_tas_c']:+.2f} °C)"
        labels.append(label)
        table.add_column(label, justify="right")
    for name, ind in r["indicators"].items():
        why = f" ({ind['reason']})" if ind.get("value") is None and ind.get("reason") else ""
        row = [f"{name}{why}", ind["unit"], _fmt(ind.get("value"))]
        row += [_fmt(f["indicators"][name].get("value")) for f in r["futures"]]
        table.add_row(*row)
    hm = r["heat_mortality"]
    if "baseline" in hm:
        b = hm["baseline"]
        lo, hi = b["deaths_per_year_95ci_from_rr"]
        row = ["heat-attributable deaths", "deaths/year", f"{b['deaths_per_year']:,.0f} ({lo:,.0f}-{hi:,.0f})"]
        for f in r["futures"]:
            s = f["heat_mortality"]
            lo, hi = s["deaths_per_year_95ci_from_rr"]
            row.append(f"{s['deaths_per_year']:,.0f} ({lo:,.0f}-{hi:,.0f})")
        table.add_row(*row)
    out.print(table)
    if "baseline" in hm:
        out.print(
            f"Heat mortality: {hm['model']}; MMT {hm['mmt']['value_c']} °C ({hm['mmt']['percentile']:g}th percentile); "
            f"{hm['exposure_response']['citation']}; ranges: 95 % interval of the relative risk. "
            + " ".join(hm["caveats"])
        )
    else:
        out.print(f"Heat mortality: {hm.get('unavailable', 'not available')}.")
    for line in adjustment_lines(r.get("bias_adjustment")):
        out.print(line)
    nc = r.get("normals_check")
    if nc:
        beyond = sorted(set(nc["months_above_record_high"]) | set(nc["months_below_record_low"]))
        mad = "n/a" if nc["mean_abs_difference_c"] is None else f"{nc['mean_abs_difference_c']:.2f} °C"
        out.print(
            f"Check against the station normals ({nc['station']}, {nc['period']}): mean |series - normal| of the "
            f"monthly means {mad}; months where the series goes beyond the station's records: "
            f"{', '.join(map(str, beyond)) or 'none'} (a sign of bias or smoothing; nothing is adjusted)."
        )
    if r["futures"]:
        out.print(
            f"Futures: {r['futures'][0]['method']}. Window = the 20 years centred on the horizon; warming of the "
            "city's AR6 region (IPCC AR6 WGI Atlas, CC BY 4.0), not a city downscaling; population and death rate "
            "as today."
        )


@climate_app.command("import-station")
def import_station(
    city: Annotated[str, typer.Argument(help="City id of the store.")],
    path: Annotated[Path, typer.Argument(help="Daily CSV: date,tmax_c,tmin_c[,tmean_c][,precip_mm] (°C, mm/day).")],
    source: Annotated[str, typer.Option(help="Station name and owner, e.g. 'Osh station 38613, Kyrgyzhydromet'.")],
    licence: Annotated[str, typer.Option(help="Licence or terms of use of the data, shown wherever it is used.")],
    kind: Annotated[str, typer.Option(help="station (observations) or reanalysis (a gridded product).")] = "station",
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Supersede the city's own series (kept as a version; `kalkan city restore`)."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Store a city's own daily series (checked row by row; gaps kept as gaps); `climate indicators` and
    `climate drought` then use it instead of the shipped series. The previous series is kept as a version;
    superseding the city's own earlier import needs --replace."""
    from kalkan.app.station_data import read_station_file, save_station_series, station_summary
    from kalkan.store.database import store_scope
    from kalkan.store.versions import require_replace

    if kind not in ("station", "reanalysis"):
        raise InputError(f"--kind {kind!r}: expected station or reanalysis.")
    with store_scope() as store, store.read() as session:
        require_replace(session, city, "station", replace)
    series = read_station_file(
        path, source=source, licence=licence, kind="station" if kind == "station" else "reanalysis"
    )
    with store_scope() as store, store.transaction() as session:
        save_station_series(session, city, series, str(path), replace=replace)
        summary = station_summary(session, city)
    assert summary is not None
    if as_json:
        _print_json(summary)
        return
    g = summary["gaps"]
    out.print(
        f"{city}: stored {g['total_days']:,} days {g['first_day']}..{g['last_day']} "
        f"({', '.join(summary['variables'])}) "
        f"from {path}; {g['missing_days']:,} missing days (longest gap {g['longest_gap_days']} days), kept as gaps. "
        f"Source: {summary['source']}; licence: {summary['licence']}."
    )
