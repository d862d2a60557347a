"""The `kalkan` command line: Typer commands over the services, Rich tables by default, ``--json`` for
scripts. User errors print one message to stderr and exit 2; ``kalkan --debug ...`` shows tracebacks."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from kalkan import __version__
from kalkan.cli.climate import climate_app
from kalkan.cli.drought import climate_drought
from kalkan.cli.event_based import city_event_risk, eq_events
from kalkan.cli.growth import exposure_project, risk_future
from kalkan.cli.hazard_import import hazard_import
from kalkan.cli.multihazard import risk_combine
from kalkan.cli.psha import eq_curves
from kalkan.cli.regional_model import eq_regional_model
from kalkan.core.bounds import MAX_GMF_VALUES
from kalkan.core.risk.return_periods import RULE as RP_RULE
from kalkan.core.risk.return_periods import parse_return_periods, standard_text
from kalkan.errors import InputError, KalkanError

app = typer.Typer(
    name="kalkan",
    help="Kalkan: multi-hazard disaster and climate risk for the Coalition of Sustainable Cities of Central Asia.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Create, upgrade and inspect the database.", no_args_is_help=True)
cities_app = typer.Typer(help="The coalition registry: member cities and accession.", no_args_is_help=True)
city_app = typer.Typer(help="One city's risk data: build and check its exposure.", no_args_is_help=True)
data_app = typer.Typer(help="Datasets shipped with Kalkan.", no_args_is_help=True)
runs_app = typer.Typer(help="Recorded runs (assessments and jobs).", no_args_is_help=True)
risk_app = typer.Typer(help="The risk engine: event losses, AAL, exceedance curves.", no_args_is_help=True)
exposure_app = typer.Typer(help="Exposure files: check and convert.", no_args_is_help=True)
hazard_app = typer.Typer(help="Hazard files: import maps, inspect and convert.", no_args_is_help=True)
eq_app = typer.Typer(help="Earthquakes: ground-motion models, scenarios, OpenQuake jobs.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(cities_app, name="cities")
app.add_typer(city_app, name="city")
app.add_typer(data_app, name="data")
app.add_typer(runs_app, name="runs")
app.add_typer(risk_app, name="risk")
app.add_typer(eq_app, name="eq")
app.add_typer(exposure_app, name="exposure")
app.add_typer(hazard_app, name="hazard")
app.add_typer(climate_app, name="climate")
climate_app.command("drought")(climate_drought)
risk_app.command("combine")(risk_combine)
risk_app.command("future")(risk_future)
exposure_app.command("project")(exposure_project)
hazard_app.command("import")(hazard_import)
eq_app.command("curves")(eq_curves)
eq_app.command("regional-model")(eq_regional_model)
eq_app.command("events")(eq_events)
city_app.command("event-risk")(city_event_risk)

# Pipes and logs get a wide, stable layout; a terminal keeps its own width.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True, highlight=False)
_state = {"debug": os.environ.get("KALKAN_DEBUG", "") not in ("", "0")}

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace an existing output (the results of recorded runs stay in their own folders).",
    ),
]
GEM_NOTE = "GEM models are non-commercial, share-alike (CC BY-NC-SA 4.0)."


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def _fmt_int(value: int | float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}{unit}"


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    if debug:
        _state["debug"] = True


@app.command()
def version(as_json: JsonOpt = False) -> None:
    """Show Kalkan's version."""
    info = {"kalkan": __version__, "python": sys.version.split()[0]}
    if as_json:
        _print_json(info)
    else:
        out.print(f"kalkan {__version__} (Python {info['python']})")


# --- db ------------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(as_json: JsonOpt = False) -> None:
    """Create or upgrade the database to the current schema and load the shipped reference data."""
    from kalkan.app.database import upgrade_database

    report = upgrade_database()
    if as_json:
        _print_json(report.as_dict())
        return
    before = report.revision_before or "empty"
    out.print(f"Database: {report.url}")
    out.print(f"Schema: {before} -> {report.revision_after}")
    for ds in report.datasets:
        out.print(f"Reference data '{ds.id}': {ds.action} ({ds.rows} cities)")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target schema revision, or 'base' to remove all tables.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Take the schema back to an older revision (drops the newer tables and their data)."""
    from kalkan import config
    from kalkan.store.database import downgrade_database

    if not yes and not typer.confirm(
        f"Downgrade {config.database_url()} to {revision}? Data in newer tables is lost.", default=False
    ):
        raise typer.Exit(1)
    before, after = downgrade_database(revision)
    out.print(f"Schema: {before or 'empty'} -> {after or 'empty'}")


@db_app.command("current")
def db_current(as_json: JsonOpt = False) -> None:
    """Show the database in use, its backend and its schema revision."""
    from kalkan.store.database import database_info

    info = database_info()
    if as_json:
        _print_json(info)
        return
    table = Table(show_header=False, box=None)
    for key, value in info.items():
        table.add_row(key, "—" if value is None else str(value))
    out.print(table)


# --- cities --------------------------------------------------------------------------------------


@cities_app.command("list")
def cities_list(
    status: Annotated[
        str | None,
        typer.Option(help="Only cities with this membership status: founding, member, applicant, rejected."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the registry's cities with population (year, source) and membership."""
    from kalkan.store.database import store_scope
    from kalkan.store.registry import city_row, list_cities

    with store_scope() as store, store.read() as session:
        rows = [city_row(c) for c in list_cities(session, status=status)]
    if as_json:
        _print_json(rows)
        return
    table = Table(title="Coalition of Sustainable Cities of Central Asia — registry")
    for col in (
        "id",
        "city",
        "country",
        "population",
        "year",
        "source",
        "GDP/cap (USD, year)",
        "AR6",
        "membership",
    ):
        table.add_column(col, overflow="fold", no_wrap=col in ("id", "population", "year", "AR6"))
    for r in rows:
        gdp = f"{_fmt_int(r['gdp_per_capita_usd'])} ({r['gdp_year']})" if r["gdp_per_capita_usd"] else "—"
        since = f" since {r['member_since']}" if r["member_since"] else ""
        table.add_row(
            r["id"],
            f"{r['name_en']} / {r['name_ru']}",
            r["country_iso3"],
            _fmt_int(r["population"], " people"),
            str(r["population_year"] or "n.d."),
            r["population_source"][:40] + ("…" if len(r["population_source"]) > 40 else ""),
            gdp,
            r["ipcc_ar6_region"],
            r["membership_status"] + since,
        )
    out.print(table)
    out.print(f"{len(rows)} cities. `kalkan cities show ID` gives each city's sources in full.")


@cities_app.command("show")
def cities_show(
    city_id: Annotated[str, typer.Argument(help="City id, e.g. dushanbe.")], as_json: JsonOpt = False
) -> None:
    """Everything the registry holds on one city."""
    from kalkan.app.city_outline import city_outline
    from kalkan.store.city_data import exposure_summary, facility_summary
    from kalkan.store.database import store_scope
    from kalkan.store.registry import city_detail, field_changes, get_city

    with store_scope() as store, store.read() as session:
        d = city_detail(get_city(session, city_id))
        d["exposure"] = exposure_summary(session, city_id)
        d["facilities"] = facility_summary(session, city_id)
        outline = city_outline(session, city_id)
        d["outline"] = None if outline is None else outline.as_dict()
        d["corrections"] = field_changes(session, city_id)
    if as_json:
        _print_json(d)
        return
    table = Table(show_header=False, box=None, title=f"{d['name_en']} — {d['name_ru']}")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row("local name", d["name_local"] or "—")
    table.add_row("country / admin-1", f"{d['country_iso3']} / {d['admin1'] or '—'}")
    table.add_row("centre", f"{d['lon']:.5f}° E, {d['lat']:.5f}° N, elevation {_fmt_int(d['elevation_m'], ' m')}")
    table.add_row(
        "population",
        f"{_fmt_int(d['population'], ' people')} ({d['population_year'] or 'year n.d.'}); "
        f"source: {d['population_source']}",
    )
    for alt in d["population_alternatives"]:
        table.add_row(
            "", f"alternative: {_fmt_int(alt['value'], ' people')} ({alt['year'] or 'n.d.'}); {alt['source']}"
        )
    if d["gdp_per_capita_usd"] is not None:
        table.add_row(
            "GDP per capita",
            f"{_fmt_int(d['gdp_per_capita_usd'])} USD (current USD of {d['gdp_year']}); source: {d['gdp_source']}",
        )
    table.add_row("currency", d["currency"])
    table.add_row("IPCC AR6 region", f"{d['ipcc_ar6_region']} ({d['ipcc_ar6_region_name']})")
    table.add_row("main hazards", ", ".join(d["main_hazards"]))
    table.add_row("climate", d["climate"] or "—")
    table.add_row("rivers", "; ".join(d["rivers"]) or "—")
    table.add_row("agencies", "; ".join(d["national_agencies"]) or "—")
    table.add_row("membership", d["membership_status"] + (f" since {d['member_since']}" if d["member_since"] else ""))
    for g in d["geometries"]:
        table.add_row(g["kind"].replace("_", " "), f"{g['area_km2']:,.1f} km² — {g['source']} ({g['licence']})")
    o = d["outline"]
    table.add_row(
        "outline used",
        f"the city's {o['label']}, {o['area_km2']:,.1f} km² — {o['source']} ({o['licence']}); GEM exposure is "
        "spread over it and imports and `city quality` check against it"
        + (f" (cut from {o['area_before_clipping_km2']:,.1f} km² at the border)" if o["clipped_to_country"] else "")
        if o is not None
        else f"none (`kalkan cities set-outline {city_id} FILE`)",
    )
    corrected: dict[str, dict[str, Any]] = {c["field"]: c for c in d["corrections"]}
    for field, c in corrected.items():
        was = "—" if c["old_value"] is None else c["old_value"]
        table.add_row(
            f"corrected: {field}",
            f"{c['new_value']} (was {was}); source: {c['source']}"
            + (f"; by {c['changed_by']}" if c["changed_by"] else "")
            + f"; {str(c['changed_at'])[:10]}",
        )
    table.add_row(
        "districts",
        (
            f"{len(d['districts']):,} grid cells of the exposure ({d['districts'][0]['source']})"
            if d["districts"] and all(x["source"].startswith("Kalkan grid") for x in d["districts"])
            else ", ".join(x["name"] for x in d["districts"])
        )
        or "none in the shipped geodata (`kalkan city load` records the exposure's grid cells as districts)",
    )
    e = d["exposure"]
    if e is None:
        table.add_row("exposure", f"none stored (`kalkan city load {city_id}` or `kalkan city import-exposure`)")
    else:
        money = f"{e['currency']}, {e['price_year'] or 'price year n.d.'} prices"
        total = e.get("replacement_cost_usd", e["structural"] + e["nonstructural"] + e["contents"])
        table.add_row(
            "exposure",
            f"{e['assets']:,} assets, {e['buildings']:,.0f} buildings; replacement cost {total:,.0f} ({money}): "
            f"structural {e['structural']:,.0f}, nonstructural {e['nonstructural']:,.0f}, contents "
            f"{e['contents']:,.0f}; occupants at night {e['occupants_night']:,.0f} people",
        )
        table.add_row("", f"source: {e['source']}; licence: {e['licence']}; {e['citation']}")
    f = d["facilities"]
    if f["count"] == 0:
        table.add_row("facilities", f"none stored (`kalkan city import-facilities {city_id} FILE`)")
    else:
        label = " — ILLUSTRATIVE (invented, not real facilities)" if f["illustrative"] else ""
        kinds = ", ".join(f"{n} {k}" for k, n in f["by_type"].items())
        poor = f"; poor condition (1-2 of 5): {', '.join(f['poor_condition'])}" if f["poor_condition"] else ""
        table.add_row("facilities", f"{f['count']}{label}: {kinds}{poor}")
    out.print(table)
    if d["notable_disasters"]:
        dt_table = Table(title="Notable past disasters")
        for col in ("date", "hazard", "deaths", "summary", "source"):
            dt_table.add_column(col, overflow="fold")
        for x in d["notable_disasters"]:
            deaths = "unknown" if x["deaths"] is None else _fmt_int(x["deaths"], " people")
            dt_table.add_row(x["date"] or str(x["year"]), x["hazard"], deaths, x["summary"], x["source"])
        out.print(dt_table)
    for a in d["applications"]:
        out.print(
            f"Application #{a['id']} by {a['applicant']} on {a['applied_at']}: {a['status']}"
            + (f" by {a['decided_by']} on {a['decided_at']}" if a["decided_by"] else "")
            + (f" — {a['reason']}" if a["reason"] else "")
        )


@cities_app.command("set-outline")
def cities_set_outline(
    city_id: Annotated[str, typer.Argument(help="City id in the registry.")],
    path: Annotated[
        Path, typer.Argument(help="GeoJSON Polygon/MultiPolygon (WGS84; a FeatureCollection of one feature is fine).")
    ],
    source: Annotated[str | None, typer.Option(help="Where the outline comes from (owner, date).")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence or terms of use of the outline.")] = None,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Supersede the city's own outline (kept as a version; `kalkan city restore`)."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Store the city's own outline: checked (valid rings, inside the city's country, containing the city centre,
    1-5,000 km²), then used for everything that places things in the city — GEM exposure (`kalkan city load`
    spreads it over this outline), import extent checks, `city quality`, `cities show`. The previous outline is
    kept as a version; superseding the city's own earlier outline needs --replace."""
    from kalkan.app.city_outline import read_outline_file, set_city_outline
    from kalkan.store.database import store_scope
    from kalkan.store.versions import require_replace

    with store_scope() as store, store.transaction() as session:
        require_replace(session, city_id, "outline", replace)
    geometry = read_outline_file(path)
    with store_scope() as store, store.transaction() as session:
        r = set_city_outline(
            session, city_id, geometry, source=(source or "").strip() or f"the city's outline file {path.name}",
            licence=(licence or "").strip() or "not stated (the city's own data)", imported_from=str(path),
            replace=replace,
        )  # fmt: skip
    if as_json:
        _print_json(r)
        return
    o, before = r["outline"], r["previous_outline"]
    out.print(f"{city_id}: stored its own outline as version {r['version']}: {r['polygons']} polygon(s), "
              f"{o['area_km2']:,.1f} km²; source: {o['source']}; licence: {o['licence']}.")  # fmt: skip
    if before is not None:
        out.print(
            f"It replaces the {before['label']} ({before['area_km2']:,.1f} km²) for exposure, checks and reports."
        )
    out.print(f"Run `kalkan city load {city_id}` to spread shipped GEM exposure over it (a city's own exposure is "
              "never replaced).")  # fmt: skip


@cities_app.command("update")
def cities_update(
    city_id: Annotated[str, typer.Argument(help="City id in the registry.")],
    assignments: Annotated[
        list[str],
        typer.Option("--set", help="FIELD=VALUE (repeat), e.g. --set population=350000."),
    ],
    source: Annotated[str, typer.Option(help="Where the new values come from (publication, office, date).")],
    by: Annotated[str | None, typer.Option(help="Who makes the correction (name, office).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Correct registry fields of a city, with the source: checked like the founding-cities file, kept with the old
    value, who and when (`kalkan cities show` lists them), and never undone by `kalkan db upgrade`. Fields:
    names, admin1, geonameid, lon/lat, elevation_m, population(_year/_source), gdp_per_capita_usd, gdp_year,
    gdp_source, currency, ipcc_ar6_region, main_hazards, rivers, climate, national_agencies and their sources.
    Lists: JSON (["a", "b"]) or separated by ';'. An empty value clears an optional field."""
    from kalkan.app.coalition import update_city
    from kalkan.store.database import store_scope

    with store_scope() as store, store.transaction() as session:
        changes = update_city(session, city_id, assignments, source=source, by=by)
    if as_json:
        _print_json(changes)
        return
    if not changes:
        out.print(f"{city_id}: every field already has the value given; nothing changed.")
        return
    for c in changes:
        out.print(f"{city_id}: {c['field']} {c['old_value']!r} -> {c['new_value']!r} (source: {c['source']})")
    out.print("Kept in the city's corrections (`kalkan cities show`); a refresh of the shipped data keeps them.")


@city_app.command("import-districts")
def city_import_districts(
    city_id: Annotated[str, typer.Argument(help="City id in the registry.")],
    path: Annotated[
        Path, typer.Argument(help="GeoJSON FeatureCollection: one (Multi)Polygon per district; code, name[, name_ru].")
    ],
    source: Annotated[str | None, typer.Option(help="Where the districts come from (owner, date).")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence or terms of use of the districts.")] = None,
    tolerance_km: Annotated[
        float, typer.Option(help="How far (km) a district may reach beyond the city's outline.")
    ] = 1.0,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Supersede the city's own districts (kept as a version; `kalkan city restore`)."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Store a city's own districts (unique codes, valid polygons inside the city's outline): results by district
    use them, and `kalkan city load` keeps them (it never replaces them with grid cells). The previous districts
    are kept as a version; superseding the city's own earlier districts needs --replace."""
    from kalkan.app.city_districts import import_city_districts
    from kalkan.store.database import store_scope

    with store_scope() as store, store.transaction() as session:
        r = import_city_districts(session, city_id, path, source=source, licence=licence, replace=replace,
                                  tolerance_km=tolerance_km)  # fmt: skip
    if as_json:
        _print_json(r)
        return
    out.print(f"{city_id}: stored {r['districts']} districts from {path} (inside the city's {r['outline']['label']} "
              f"within {r['tolerance_km']:g} km); source: {r['source']}; licence: {r['licence']}.")  # fmt: skip
    if r["ignored_properties"]:
        err.print(f"[yellow]Note:[/] properties not stored: {', '.join(r['ignored_properties'])}.")


@city_app.command("build-exposure")
def city_build_exposure(
    target: Annotated[
        str, typer.Argument(help="A founding city id (e.g. dushanbe) or a GEM admin-1 id (e.g. KZ-ALM).")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Exposure file: .csv, .gpkg or .xml (OpenQuake).")],
    outline: Annotated[
        Path | None,
        typer.Option(help="GeoJSON outline (urban extent, WGS84) to spread over; required for an admin-1 id."),
    ] = None,
    share: Annotated[float | None, typer.Option(help="Share of the admin-1 unit's buildings, in (0, 1].")] = None,
    population: Annotated[
        float | None, typer.Option(help="City population (people); share = population / the unit's residents.")
    ] = None,
    cell_km: Annotated[float, typer.Option(help="Grid cell size (km).")] = 0.5,
    prefix: Annotated[str | None, typer.Option(help="Asset id prefix (default: the city or admin-1 id).")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Build a city's building exposure from the GEM Central Asia model (admin-1 totals on a grid).

    The data are GEM's (CC BY-NC-SA 4.0: non-commercial, share-alike); the method record is written
    beside the output as <output>.provenance.json. Existing files are kept unless --force; recorded as a run.
    """
    from kalkan.app.city_data import build_gem_exposure, write_exposure_with_provenance
    from kalkan.app.city_outline import city_outline
    from kalkan.app.jobs import Output, job
    from kalkan.catalog.cities import CITY_ADMIN1
    from kalkan.store.database import optional_store
    from kalkan.store.models import City

    parameters: dict[str, Any] = {"target": target, "share": share, "population": population, "cell_km": cell_km,
                                  "prefix": prefix}  # fmt: skip
    city_outline_now = None
    store = optional_store() if target in CITY_ADMIN1 else None
    if store is not None:  # a founding city in a store: its outline there (its own, if it set one)
        try:
            with store.transaction() as session:
                if session.get(City, target) is not None:
                    city_outline_now = city_outline(session, target)
        finally:
            store.close()
    if city_outline_now is not None:
        parameters["outline"] = city_outline_now.label
    with job("city-build-exposure", parameters=parameters, inputs={"outline": outline} if outline else {},
             output=Output(output, is_dir=False, force=force)) as run:  # fmt: skip
        exposure, record = build_gem_exposure(
            target, outline_path=outline, share=share, population=population, cell_km=cell_km, prefix=prefix,
            outline=city_outline_now,
        )  # fmt: skip
        written, provenance = write_exposure_with_provenance(exposure, run.target, record, published_as=output)
        run.summary = {"n_assets": record["n_assets"], "totals": record["totals"]}
    written, provenance = output.parent / written.name, output.parent / provenance.name
    record["exposure_file"], record["provenance_file"] = str(written), str(provenance)
    if as_json:
        _print_json(record)
        return
    t = record["totals"]
    out.print(
        f"{record['n_assets']:,} assets in {record['n_cells']:,} cells of {cell_km:g} km from GEM "
        f"{record['admin1_id']} ({record['admin1_name']}) x share {record['share']:.4f} -> {written}"
    )
    out.print(
        f"buildings {t['buildings']:,.1f}; replacement cost (USD, 2021 prices): structural "
        f"{t['cost_structural_usd']:,.2f}, nonstructural {t['cost_nonstructural_usd']:,.2f}, contents "
        f"{t['cost_contents_usd']:,.2f}; occupants at night {t['occupants_night']:,.0f} people"
    )
    out.print(f"share basis: {record['share_basis']}")
    if "outline_label" in record:
        out.print(f"spread over the city's {record['outline_label']}, {record['outline_area_km2']:,.1f} km² "
                  f"({record['outline_source']})")  # fmt: skip
    elif record.get("outline_clipped_to_country"):
        out.print(f"outline cut to {record['country_iso3']}: {record['outline_area_before_clipping_km2']:,.1f} -> "
                  f"{record['outline_area_km2']:,.1f} km² (buildings are never spread across a border)")  # fmt: skip
    out.print(f"Data: {record['source']}; {record['citation']}. Non-commercial use only, share-alike.")
    out.print(f"Method and numbers: {provenance}")


@city_app.command("load")
def city_load(
    cities: Annotated[list[str] | None, typer.Argument(help="Founding city ids; none with --founding.")] = None,
    founding: Annotated[bool, typer.Option("--founding", help="All five founding cities.")] = False,
    cell_km: Annotated[float, typer.Option(help="Grid cell size of the exposure (km).")] = 0.5,
    as_json: JsonOpt = False,
) -> None:
    """Load founding cities' shipped risk data into the store: GEM exposure and the ILLUSTRATIVE facilities.

    Never replaces what a city imported itself (its exposure, facilities or districts are kept and the shipped
    data skipped); shipped data already current add nothing; changed shipped data become a new version, the old
    one kept (`kalkan city history CITY`). One transaction per city.
    """
    from kalkan.app.city_data import load_founding_city
    from kalkan.catalog.cities import CITY_ADMIN1
    from kalkan.store.database import store_scope

    ids = list(CITY_ADMIN1) if founding else list(cities or [])
    if not ids:
        raise KalkanError("Name the cities to load, or give --founding for all five.")
    unknown = [c for c in ids if c not in CITY_ADMIN1]
    if unknown:  # refuse before loading any, so that a typo does not leave some cities loaded
        raise KalkanError(
            f"No shipped risk data for {', '.join(unknown)}; shipped: {', '.join(CITY_ADMIN1)}. "
            "Other cities: `kalkan city build-exposure` then `kalkan city import-exposure`."
        )
    report = []
    with store_scope() as store:
        for city_id in ids:
            with store.transaction() as session:
                r = load_founding_city(session, city_id, cell_km)
            report.append(r)
            if not as_json:
                a = r["actions"]
                facilities = (
                    f"{r['facilities']} ILLUSTRATIVE facilities (invented; import the real registry with "
                    "`kalkan city import-facilities`)"
                    if r["illustrative_facilities"]
                    else f"{r['facilities']} facilities"
                )
                out.print(
                    f"{city_id}: exposure {a['exposure']}: {r['assets']:,} assets"
                    + (" (GEM, CC BY-NC-SA 4.0, non-commercial)" if not a["exposure"].startswith("kept") else "")
                    + f"; districts {a['districts']}: {r['districts']:,}; facilities {a['facilities']}: {facilities}"
                )
    if as_json:
        _print_json(report)


@city_app.command("export-exposure")
def city_export_exposure(
    city_id: Annotated[str, typer.Argument(help="City id in the registry.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Exposure file: .csv, .gpkg or .xml (OpenQuake).")],
    force: ForceOpt = False,
) -> None:
    """Write a city's stored exposure to a file, with its provenance (source, licence, method) and the taxonomy
    mapping in use (<name>_taxonomy_mapping.csv: GEM/OpenQuake format, GEM function ids) beside it. Existing
    files (the exposure and every file beside it) are kept unless --force; recorded as a run."""
    from kalkan.app.city_data import write_exposure_with_provenance
    from kalkan.app.jobs import Output, job
    from kalkan.app.taxonomy_mapping import mapping_in_use, write_mapping
    from kalkan.store.city_data import exposure_summary, load_exposure
    from kalkan.store.database import store_scope
    from kalkan.store.versions import current_ids

    with store_scope() as store, store.read() as session:
        exposure = load_exposure(session, city_id)
        summary = exposure_summary(session, city_id)
        rows, unmapped = mapping_in_use(session, city_id)
        parameters = {"city": city_id, "data_versions": current_ids(session, city_id, ("exposure", "mapping"))}
        assert summary is not None
        with job("city-export-exposure", parameters=parameters, output=Output(output, is_dir=False, force=force),
                 city_id=city_id, store=store) as run:  # fmt: skip
            written, provenance = write_exposure_with_provenance(
                exposure, run.target, {"city_id": city_id, **summary}, published_as=output
            )
            mapping_path = write_mapping(rows, written.with_name(f"{written.stem}_taxonomy_mapping.csv"))
    written, provenance, mapping_path = (output.parent / p.name for p in (written, provenance, mapping_path))
    out.print(
        f"{city_id}: {len(exposure):,} assets -> {written} (costs in {exposure.currency} of "
        f"{exposure.price_year or 'an unstated year'}); licence: {summary['licence']}; provenance: {provenance}; "
        f"taxonomy mapping ({sum(1 for r in rows if r[3] == 'city')} city rows, "
        f"{sum(1 for r in rows if r[3] == 'GEM')} GEM rows): {mapping_path}"
    )
    if unmapped:
        err.print(f"[yellow]Warning:[/] taxonomies without a GEM function (not in the mapping): {', '.join(unmapped)}")


@city_app.command("import-exposure")
def city_import_exposure(
    city_id: Annotated[str, typer.Argument(help="City id in the registry.")],
    path: Annotated[Path, typer.Argument(help="Exposure file: .csv (Kalkan), .xml/.csv (OpenQuake) or .gpkg.")],
    licence: Annotated[str, typer.Option(help="Licence of the data, shown wherever it is displayed.")],
    citation: Annotated[str, typer.Option(help="How to cite the data (origin, owner, year).")],
    currency: Annotated[str | None, typer.Option(help="Currency of the costs when the file does not say.")] = None,
    price_year: Annotated[int | None, typer.Option(help="Price year of the costs when the file does not say.")] = None,
    margin_km: Annotated[
        float, typer.Option(help="How far (km) beyond the box around the city's outlines an asset may lie.")
    ] = 5.0,
    allow_unmapped: Annotated[
        bool, typer.Option(help="Accept taxonomies no shipped vulnerability model of the city's hazards maps.")
    ] = False,
    keep_valid: Annotated[
        bool, typer.Option(help="Store the valid assets and write the others to a rejects CSV.")
    ] = False,
    rejects: Annotated[Path | None, typer.Option(help="Rejects CSV (default: <file>.rejects.csv).")] = None,
    taxonomy_mapping: Annotated[
        Path | None,
        typer.Option(help="The city's taxonomy mapping CSV (taxonomy,conversion,weight -> GEM function ids)."),
    ] = None,
    drop_unstored_fields: Annotated[
        bool,
        typer.Option(help="Import without the fields the store does not keep (extra columns) instead of refusing."),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Supersede the city's own exposure (and mapping) (kept as a version; `kalkan city restore`).",
        ),
    ] = False,
) -> None:
    """Store a city's own exposure file: validated first (file, then assets outside the city and unmodelled
    taxonomies); it becomes the city's current exposure, all or nothing unless --keep-valid. The previous version
    is kept (`kalkan city history`); superseding the city's own earlier import needs --replace. With
    --taxonomy-mapping the city's own building classes map to the GEM Central Asia functions."""
    from kalkan.app.exposure_import import import_city_exposure
    from kalkan.app.taxonomy_mapping import check_mapping_file
    from kalkan.io.exposure import read_exposure
    from kalkan.store.database import store_scope
    from kalkan.store.versions import require_replace

    with store_scope() as store, store.read() as session:  # refuse before reading a large file
        require_replace(session, city_id, "exposure", replace)
    mapping = check_mapping_file(taxonomy_mapping) if taxonomy_mapping is not None else None
    exposure = read_exposure(path, currency=currency, price_year=price_year)
    with store_scope() as store, store.transaction() as session:
        r = import_city_exposure(
            session, city_id, exposure, path, licence=licence, citation=citation, margin_km=margin_km,
            require_mapped=not allow_unmapped, keep_valid=keep_valid, rejects_path=rejects, mapping=mapping,
            mapping_source=taxonomy_mapping, replace=replace, drop_unstored=drop_unstored_fields,
        )  # fmt: skip
    year = f" of {r['price_year']}" if r["price_year"] else ""
    out.print(
        f"{city_id}: stored {r['stored_assets']:,} assets, replacement cost {r['replacement_cost']:,.2f} "
        f"{r['currency']}{year}"
    )
    if r["rejects_file"] is not None:
        out.print(f"{r['rejected_assets']} asset(s) rejected ({r['problems']} problem(s)); see {r['rejects_file']}")
    if r["taxonomy_mapping_rows"]:
        out.print(f"Stored the city's taxonomy mapping: {r['taxonomy_mapping_rows']} rows from {taxonomy_mapping}.")
    if r["unused_mapping_taxonomies"]:
        err.print(f"[yellow]Note:[/] no stored asset uses {', '.join(r['unused_mapping_taxonomies'][:20])}.")


@city_app.command("import-mapping")
def city_import_mapping(
    city_id: Annotated[str, typer.Argument(help="City id in the registry (with a stored exposure).")],
    path: Annotated[Path, typer.Argument(help="Taxonomy mapping CSV: taxonomy,conversion,weight (GEM function ids).")],
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Supersede the city's own mapping (kept as a version; `kalkan city restore`)."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Store the city's own taxonomy mapping: each building class -> GEM Central Asia vulnerability functions
    with weights (checked row by row). The previous mapping is kept as a version; superseding the city's own
    earlier mapping needs --replace."""
    from kalkan.app.taxonomy_mapping import import_city_mapping
    from kalkan.store.database import store_scope

    with store_scope() as store, store.transaction() as session:
        r = import_city_mapping(session, city_id, path, replace=replace)
    if as_json:
        _print_json(r)
        return
    out.print(f"{city_id}: stored {r['rows']} mapping rows for {r['taxonomies']} taxonomies from {path}.")
    if r["unused_mapping_taxonomies"]:
        err.print(f"[yellow]Note:[/] no stored asset uses {', '.join(r['unused_mapping_taxonomies'][:20])}.")
    if r["unmapped_exposure_taxonomies"]:
        err.print(
            "[yellow]Warning:[/] stored taxonomies still without a GEM function: "
            + ", ".join(r["unmapped_exposure_taxonomies"][:20])
        )


@city_app.command("import-facilities")
def city_import_facilities(
    city_id: Annotated[str, typer.Argument(help="City id in the registry.")],
    path: Annotated[
        Path, typer.Argument(help="Facility registry: .csv, .geojson or .gpkg (columns: docs/facilities.md).")
    ],
    keep_valid: Annotated[
        bool, typer.Option(help="Import the valid rows and write the others to a rejects CSV.")
    ] = False,
    rejects: Annotated[Path | None, typer.Option(help="Rejects CSV (default: <file>.rejects.csv).")] = None,
    margin_km: Annotated[
        float, typer.Option(help="How far (km) beyond the box around the city's outlines a facility may lie.")
    ] = 5.0,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Supersede the city's own facility registry (kept as a version; `kalkan city restore`)."
        ),
    ] = False,
) -> None:
    """Store a city's critical-facility registry as its current one (all or nothing by default). The previous
    registry is kept as a version; superseding the city's own earlier import needs --replace. Every facility
    must lie within --margin-km of the city's outlines (as for `city import-exposure`)."""
    from kalkan.app.city_extent import city_extent
    from kalkan.io.facilities import read_facilities
    from kalkan.store.city_data import save_facilities
    from kalkan.store.database import store_scope
    from kalkan.store.versions import require_replace

    with store_scope() as store:
        with store.read() as session:
            require_replace(session, city_id, "facilities", replace)
            within = city_extent(session, city_id, margin_km)
        result = read_facilities(path, keep_valid=keep_valid, rejects_path=rejects, within=within)
        with store.transaction() as session:
            n = save_facilities(session, city_id, result.table, replace=replace, imported_from=str(path))
    out.print(f"{city_id}: stored {n} facilities from {path} ({result.n_read} rows read)")
    if result.errors:
        out.print(f"{len(result.errors)} problem(s) in rejected rows; see {result.rejects_path}")


@city_app.command("history")
def city_history(
    city_id: Annotated[str, typer.Argument(help="City id in the registry.")],
    kind: Annotated[
        str | None,
        typer.Option(help="Only one kind: exposure, facilities, mapping, station, districts, outline."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Every version of a city's data, newest first: which is current, where each came from, when it was
    superseded. Nothing is ever deleted; `kalkan city restore CITY VERSION` makes an old version current."""
    from kalkan.store.database import store_scope
    from kalkan.store.versions import KIND_NAMES, history, version_row

    with store_scope() as store, store.read() as session:
        rows = [version_row(v) for v in history(session, city_id, kind)]
    if as_json:
        _print_json(rows)
        return
    if not rows:
        out.print(f"{city_id} has no stored data yet (`kalkan city load` or `kalkan city import-*`).")
        return
    table = Table(title=f"{city_id}: versions of the city's data (newest first)")
    for col in ("version", "kind", "origin", "status", "rows", "source", "created (UTC)", "superseded (UTC)"):
        table.add_column(col, overflow="fold", justify="right" if col in ("version", "rows") else "left")
    for r in rows:
        status = "[bold green]current[/]" if r["current"] else "superseded"
        if r["restored_at"] and r["current"]:
            status += f" (restored {r['restored_at'][:19]})"
        source = r["source"] + (f" — {r['imported_from']}" if r["imported_from"] else "")
        table.add_row(str(r["version"]), KIND_NAMES[r["kind"]], r["origin"], status, f"{r['rows']:,}", source,
                      (r["created_at"] or "")[:19], (r["superseded_at"] or "—")[:19])  # fmt: skip
    out.print(table)
    out.print(f"`kalkan city restore {city_id} VERSION` makes a superseded version current again (the current one "
              "is kept).")  # fmt: skip


@city_app.command("restore")
def city_restore(
    city_id: Annotated[str, typer.Argument(help="City id in the registry.")],
    version: Annotated[int, typer.Argument(help="Version number, from `kalkan city history CITY`.", min=1)],
    as_json: JsonOpt = False,
) -> None:
    """Make an earlier version of a city's data current again; the version it supersedes is kept."""
    from kalkan.store.database import store_scope
    from kalkan.store.versions import describe, restore, version_row

    with store_scope() as store, store.transaction() as session:
        change = restore(session, city_id, version)
        result = {
            "current": version_row(change.current),
            "superseded": None if change.superseded is None else version_row(change.superseded),
        }
        current_text = describe(change.current)
        superseded_text = None if change.superseded is None else describe(change.superseded)
    if as_json:
        _print_json(result)
        return
    if superseded_text is None:
        out.print(f"{city_id}: {current_text} is already current; nothing changed.")
        return
    out.print(f"{city_id}: {current_text} is current again; {superseded_text} is kept (superseded).")


@city_app.command("quality")
def city_quality_cmd(
    city_id: Annotated[str, typer.Argument(help="City id in the registry.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date inspections are aged against, YYYY-MM-DD (default today).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Data-quality report: coverage, missing fields, totals vs source, assumed values, vulnerability gaps.

    A report, not a check: it exits 0 whatever gaps it finds (docs/data-quality.md).
    """
    import datetime as dt

    from kalkan.app.data_quality import city_quality
    from kalkan.store.database import store_scope

    try:
        today = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError as exc:
        raise KalkanError(f"--as-of {as_of!r}: expected a date YYYY-MM-DD.") from exc
    with store_scope() as store, store.read() as session:
        r = city_quality(session, city_id, today=today)
    if as_json:
        _print_json(r)
        return
    e, f = r["exposure"], r["facilities"]
    table = Table(show_header=False, box=None, title=f"Data quality — {city_id} (as of {r['as_of']})")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    if not e["present"]:
        table.add_row("exposure", e["message"])
    else:
        table.add_row("exposure", f"{e['n_assets']:,} assets; {e['source']}")
        c = e["coverage"]
        value_out = c.get("share_of_value_outside")
        table.add_row(
            "coverage",
            f"{c['n_assets_inside']:,} inside the city's {c['outline_label']} ({c['share_inside']:.1%}), "
            f"{c['n_assets_outside']:,} outside"
            + (f" ({value_out:.1%} of the value)" if c["n_assets_outside"] and value_out is not None else "")
            + (f": {', '.join(c['outside_asset_ids'])}" if c["n_assets_outside"] else "")
            + f"\noutline: {c['outline_area_km2']:,.1f} km², {c['outline_source']}"
            if c["available"]
            else c["reason"],
        )
        o = e["outside_country"]
        table.add_row(
            "outside the country",
            (
                f"{o['n_outside']:,} assets outside {o['country_iso3']}"
                + (
                    f" ({o['share_of_value']:.1%} of the value, up to {o['max_distance_outside_km']:,.1f} km): "
                    + ", ".join(o["ids"])
                    if o["n_outside"]
                    else ""
                )
                + f" ({o['outline']})"
            )
            if o["available"]
            else o["reason"],
        )
        gaps = [f"{k} {v:,}" for k, v in e["missing_fields"].items() if k != "unit" and v]
        table.add_row("missing values", ", ".join(gaps) + " assets" if gaps else "none")
        t = e["totals_vs_source"]
        if t["available"]:
            parts = [
                f"{k} {v['expected_usd']:,.2f} expected, difference {v['difference_usd']:+,.2f}"
                + (" (equal to the cent)" if v["equal_to_the_cent"] else " (MISMATCH)")
                for k, v in t["costs"].items()
            ]
            rel_b, rel_n = t["buildings"]["relative_difference"], t["occupants_night"]["relative_difference"]
            table.add_row(
                "totals vs source",
                f"{t['source']}, USD of {t['price_year']}: "
                + "; ".join(parts)
                + f"; buildings rel. diff. {rel_b:.1e}, night occupants rel. diff. {rel_n:.1e}",
            )
        else:
            table.add_row("totals vs source", t["reason"])
        a = e["assumed"]
        sp, est = a["spread"], a["estimated_fields"]
        table.add_row(
            "spread (not located)",
            f"{sp['share_of_value']:.0%} of the value, {sp['share_of_assets']:.0%} of assets: {sp['what']} — "
            f"{sp['how']}"
            if sp["what"]
            else "0% — locations as given in the file",
        )
        table.add_row(
            "estimated values",
            f"{est['share_of_value']:.0%} of the value: {', '.join(est['fields'])} are GEM's estimates ({est['by']})"
            if est["fields"]
            else "none stated"
            + (
                "; not given for any asset: " + ", ".join(a["fields_missing_for_every_asset"])
                if a.get("fields_missing_for_every_asset")
                else ""
            ),
        )
        table.add_row("assumed values", f"{a['share_of_assets']:.0%} of assets — " + "; ".join(a["reasons"]))
    for peril, v in r["vulnerability"].items():
        if v["model"] is None:
            table.add_row(f"vulnerability: {peril}", f"GAP — {v['gap']}")
            continue
        lines = [v["model"]]
        for loss_type, lt in (v.get("loss_types") or {}).items():
            value = lt.get("share_of_value_resolved")
            unresolved = ", ".join(u["taxonomy"] for u in lt["unresolved_taxonomies"])
            lines.append(
                f"{loss_type}: {lt['share_of_assets_resolved']:.1%} of assets"
                + (f", {value:.1%} of value" if value is not None else "")
                + " resolve"
                + (f"; unresolved: {unresolved}" if unresolved else "")
            )
        table.add_row(f"vulnerability: {peril}", "\n".join(lines))
    if f["n_facilities"] == 0:
        table.add_row("facilities", "none stored")
    else:
        label = " — ILLUSTRATIVE (invented, not real facilities)" if f["n_illustrative"] else ""
        table.add_row("facilities", f"{f['n_facilities']}, of which {f['n_illustrative']} illustrative{label}")
        gaps = [f"{k} {v}" for k, v in f["missing_fields"].items() if k != "unit" and v]
        table.add_row("facility gaps", ", ".join(gaps) + " facilities" if gaps else "none")
        s = f["stale_inspections"]
        table.add_row(
            "inspections",
            f"{s['n_facilities']} older than {s['older_than_years']} years (before {s['before']})"
            + (f": {', '.join(s['facility_ids'])}" if s["facility_ids"] else "")
            + f"; {s['n_never_inspected']} never inspected",
        )
        o = f["outside_outline"]
        table.add_row(
            "outside outline",
            f"{o['n_facilities']}" + (f": {', '.join(o['facility_ids'])}" if o["facility_ids"] else ""),
        )
        oc = f["outside_country"]
        if oc["available"]:
            table.add_row(
                "outside the country",
                f"{oc['n_outside']} outside {oc['country_iso3']}" + (f": {', '.join(oc['ids'])}" if oc["ids"] else ""),
            )
        u = f["unresolved_construction_classes"]
        table.add_row(
            "construction classes",
            "all resolve to an earthquake function"
            if not u["classes"]
            else "no earthquake function: " + ", ".join(x["construction_class"] for x in u["classes"]),
        )
    out.print(table)
    out.print("Findings:")
    for line in r["summary"]:
        out.print(f"  • {line}")


@city_app.command("scenario")
def city_scenario_cmd(
    city_id: Annotated[str, typer.Argument(help="City id in the registry (with a stored exposure).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for by_district.csv, facilities.csv, summary.json.")],
    scenario: Annotated[str | None, typer.Option(help="A named scenario (see `kalkan eq scenarios`).")] = None,
    catalogue_event: Annotated[int | None, typer.Option(help="An ISC-GEM event id (give the mechanism).")] = None,
    magnitude: Annotated[float | None, typer.Option(help="HYPOTHETICAL rupture: moment magnitude.")] = None,
    lon: Annotated[float | None, typer.Option(help="HYPOTHETICAL rupture: hypocentre longitude, degrees.")] = None,
    lat: Annotated[float | None, typer.Option(help="HYPOTHETICAL rupture: hypocentre latitude, degrees.")] = None,
    depth: Annotated[float | None, typer.Option(help="HYPOTHETICAL rupture: hypocentre depth, km.")] = None,
    strike: Annotated[float | None, typer.Option(help="Strike, degrees.")] = None,
    dip: Annotated[float | None, typer.Option(help="Dip, degrees (0, 90].")] = None,
    rake: Annotated[float | None, typer.Option(help="Rake, degrees.")] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Ground-motion fields per model.")] = 20,
    seed: Annotated[int, typer.Option(help="Seed of the fields (recorded).")] = 42,
    gmpe: Annotated[list[str] | None, typer.Option(help="Ground-motion model (repeat; equal weights).")] = None,
    correlation: Annotated[str | None, typer.Option(help="Spatial correlation: JB2009.")] = None,
    nonfunctional_from: Annotated[
        str, typer.Option(help="Damage state from which a facility is non-functional: slight .. complete.")
    ] = "extensive",
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Baseline earthquake scenario from the city's stored data: losses, fatalities and non-functional
    critical facilities by district (GEM Central Asia vulnerability; uniform Vs30, Kalkan's 400 m/s default).
    Give a named scenario, an ISC-GEM event with its mechanism, or a hypothetical rupture. Recorded as a run."""
    from rich.progress import Progress

    from kalkan.app.city_scenario import run_city_scenario
    from kalkan.app.jobs import Output, job
    from kalkan.store.database import store_scope
    from kalkan.store.versions import current_ids

    given = {"catalogue_event": catalogue_event, "mag": magnitude, "lon": lon, "lat": lat, "depth_km": depth,
             "strike": strike, "dip": dip, "rake": rake}  # fmt: skip
    rupture_options = {k: v for k, v in given.items() if v is not None}
    with (
        store_scope() as store,
        store.read() as session,
        Progress(console=err, transient=True, disable=as_json) as progress,
    ):
        task = progress.add_task("Scenario", total=100)
        parameters = {"city": city_id, "scenario": scenario, "rupture": rupture_options, "n_fields": n, "gmpes": gmpe,
                      "correlation": correlation, "nonfunctional_from": nonfunctional_from,
                      "data_versions": current_ids(session, city_id)}  # fmt: skip
        with job(
            "city-scenario", parameters=parameters, output=Output(out_dir, force=force), city_id=city_id, seed=seed,
            store=store, on_progress=lambda p, m: progress.update(task, completed=p, description=m),
        ) as run:  # fmt: skip
            result = run_city_scenario(
                session, city_id, run.workdir, scenario=scenario, rupture_options=rupture_options, n_fields=n,
                seed=seed, gmpes=gmpe, correlation=correlation, nonfunctional_from=nonfunctional_from,
                on_progress=run.progress,
            )  # fmt: skip
            summary = result.as_dict()
            run.summary = {k: summary[k] for k in ("totals", "scenario", "models", "site_condition") if k in summary}
        summary["run_id"] = run.id
    if as_json:
        _print_json(summary)
        return
    rows = result.districts
    money = result.money.replace(" (mean over events)", "")
    r, f = summary["scenario"], summary["facilities"]
    n_models = len(summary["models"]["ground_motion"])
    if r.get("hypothetical"):
        out.print("[bold]HYPOTHETICAL earthquake[/] (a stress test, not a historical event).")
    out.print(f"{r['name']}: M{r['mw']:g}, epicentre {r['epicentre_to_exposure_centre_km']:g} km from the exposure's "
              f"centre; {summary['events']:,} events ({n_models} model(s) x {n} fields).")  # fmt: skip
    flag = " — ILLUSTRATIVE facilities (invented)" if f["all_illustrative"] else ""
    table = Table(
        title=f"{city_id}: mean per event, top 15 districts by loss{flag}\nmodelled: {summary['modelled_effects']}"
    )
    for col in ("district", f"loss ({money})", "modelled fatalities (people)", "facilities",
                "exp. non-functional (facilities)"):  # fmt: skip
        table.add_column(col, justify="right" if col != "district" else "left")
    for row in rows[:15]:
        table.add_row(row["district"], f"{row['mean_loss_total_usd']:,.0f}", f"{row['mean_fatalities_people']:,.1f}",
                      str(row["facilities"]), f"{row['expected_nonfunctional_facilities']:.2f}")  # fmt: skip
    table.add_row("[bold]total[/]", f"[bold]{result.mean_loss_total:,.0f}[/]",
                  f"[bold]{result.mean_fatalities_people:,.1f}[/]", str(f["count"]),
                  f"[bold]{result.expected_nonfunctional_facilities:.2f}[/]")  # fmt: skip
    toll = summary["recorded_toll"]
    if not r.get("hypothetical"):
        table.add_row(
            "recorded toll (history)", "", f"{toll['deaths']:,}" if toll["available"] else "none on file", "", ""
        )
    out.print(table)
    out.print(f"Modelled fatalities: {summary['modelled_effects']}.")
    if toll["available"]:
        out.print(f"Recorded toll of {r['name']}: {toll['text']}. Source: {toll['source']}"
                  + (f"; where: {toll['where_source']}" if toll.get("where_source") else "") + ".")  # fmt: skip
    else:
        out.print(f"Recorded toll of {r['name']}: {toll['text']}.")
    if "site_condition" in summary:
        from kalkan.core.hazard.earthquake.site import vs30_text

        out.print(f"Site condition: {vs30_text(summary['site_condition'])}.")
    if not f["count"]:
        out.print(f["note"])
    elif f["all_illustrative"]:
        out.print("[bold]ILLUSTRATIVE facilities[/]: invented for demonstration, not a real registry.")
    u = summary["unresolved_taxonomies"]
    if u["by_loss_type"]:
        err.print(f"[yellow]Warning:[/] taxonomies without GEM functions: {u['by_loss_type']}")
    for w in summary["warnings"]:
        err.print(f"[yellow]Warning:[/] {w}")
    out.print(f"Non-functional: damage state '{nonfunctional_from}' or worse, from fragility derived from the GEM "
              "vulnerability functions (HAZUS damage-ratio bands). Data: GEM, CC BY-NC-SA 4.0, non-commercial use "
              f"only. Results in {out_dir}.")  # fmt: skip
    _print_run_note(summary.get("run_id"))


@cities_app.command("apply")
def cities_apply(
    path: Annotated[Path, typer.Argument(help="JSON file with the city's facts (founding-cities schema).")],
    applicant: Annotated[str, typer.Option(help="Who applies on the city's behalf (name, office).")],
    as_json: JsonOpt = False,
) -> None:
    """Record a city's application to accede to the declaration."""
    from kalkan.app.coalition import apply as apply_city
    from kalkan.io.cities import read_application
    from kalkan.store.database import store_scope
    from kalkan.store.registry import application_row

    facts = read_application(path)
    with store_scope() as store, store.transaction() as session:
        row = application_row(apply_city(session, facts, applicant=applicant, checked=True))
    if as_json:
        _print_json(row)
    else:
        out.print(
            f"Application #{row['id']} of '{row['city_id']}' recorded (pending); the secretariat decides "
            f"with `kalkan cities approve|reject {row['city_id']}`."
        )


@cities_app.command("approve")
def cities_approve(
    city_id: Annotated[str, typer.Argument(help="Id of the applicant city.")],
    by: Annotated[str, typer.Option(help="Secretariat member taking the decision.")],
    reason: Annotated[str | None, typer.Option(help="Note recorded with the decision.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Admit an applicant city to the coalition (the secretariat's decision)."""
    from kalkan.app.coalition import approve
    from kalkan.store.database import store_scope
    from kalkan.store.registry import application_row

    with store_scope() as store, store.transaction() as session:
        row = application_row(approve(session, city_id, by=by, reason=reason))
    if as_json:
        _print_json(row)
    else:
        out.print(f"'{city_id}' is a member from {row['decided_at'][:10]} (decided by {row['decided_by']}).")


@cities_app.command("reject")
def cities_reject(
    city_id: Annotated[str, typer.Argument(help="Id of the applicant city.")],
    by: Annotated[str, typer.Option(help="Secretariat member taking the decision.")],
    reason: Annotated[str, typer.Option(help="Why the application is rejected (recorded).")],
    as_json: JsonOpt = False,
) -> None:
    """Reject a city's application (the secretariat's decision, with its reason)."""
    from kalkan.app.coalition import reject
    from kalkan.store.database import store_scope
    from kalkan.store.registry import application_row

    with store_scope() as store, store.transaction() as session:
        row = application_row(reject(session, city_id, by=by, reason=reason))
    if as_json:
        _print_json(row)
    else:
        out.print(f"Application of '{city_id}' rejected by {row['decided_by']}: {row['reason']}")


@cities_app.command("summary")
def cities_summary(as_json: JsonOpt = False) -> None:
    """The coalition summary: one line per city and the coalition totals (recorded as a run)."""
    from rich.progress import Progress

    from kalkan.app.summary import coalition_summary
    from kalkan.store.database import store_scope

    with store_scope() as store:
        if as_json:
            result = coalition_summary(store)
        else:
            with Progress(console=err, transient=True) as progress:
                task = progress.add_task("Summarising the coalition", total=100)
                result = coalition_summary(
                    store, on_progress=lambda pct, msg: progress.update(task, completed=pct, description=msg)
                )
    if as_json:
        _print_json(result.as_dict())
        return
    for c in result.cities:
        gdp = (
            f"GDP per capita {_fmt_int(c['gdp_per_capita_usd'])} USD ({c['gdp_year']} USD); "
            f"city GDP ≈ {c['city_gdp_usd_estimate'] / 1e9:,.2f} billion USD ({c['gdp_year']} USD, estimate)"
            if c["gdp_per_capita_usd"] is not None
            else "GDP per capita not on file"
        )
        deadliest = c["deadliest_disaster"]
        lines = [
            f"{c['country_iso3']} · {c['membership_status']}"
            + (f" since {c['member_since']}" if c["member_since"] else "")
            + f" · IPCC AR6 region {c['ipcc_ar6_region']} · currency {c['currency']}",
            f"Population {_fmt_int(c['population'], ' people')} ({c['population_year'] or 'year n.d.'})",
            gdp,
            "Hazards: " + ", ".join(c["main_hazards"]),
            "Outline: "
            + ", ".join(
                f"{k} {v:,.1f} km²"
                for k, v in (
                    ("admin boundary", c["admin_boundary_km2"]),
                    ("urban extent", c["urban_extent_km2"]),
                )
                if v is not None
            ),
            f"Notable disasters on file: {c['notable_disasters']}, "
            f"recorded deaths {_fmt_int(c['recorded_deaths'], ' people')}"
            + (
                f"; deadliest {deadliest['year']} {deadliest['hazard']} ({_fmt_int(deadliest['deaths'], ' deaths')})"
                if deadliest
                else ""
            ),
        ]
        out.print(Panel("\n".join(lines), title=f"{c['name_en']} — {c['name_ru']}", expand=False))
    t = result.totals
    years = ", ".join(map(str, t["member_population_years"]))
    out.print(
        f"{t['members']} member cities ({t['founding_members']} founding) "
        f"in {len(t['countries'])} countries, "
        f"{_fmt_int(t['member_population'], ' people')} (population figures of {years}); "
        f"{t['applicants']} pending applicant(s). Run {result.run_id}."
    )


# --- risk ----------------------------------------------------------------------------------------


def _parse_rps(text: str | None, option: str) -> tuple[float, ...]:
    """Return periods (years) from ``10,100,475``; none for an empty option."""
    return parse_return_periods(text, option) if text else ()


@risk_app.command("run")
def risk_run(
    out: Annotated[Path, typer.Option("--out", help="Folder for the results (new or empty; --force replaces).")],
    case: Annotated[Path | None, typer.Option("--case", help="A plain-file case folder (docs/case-format.md).")] = None,
    hazard: Annotated[
        list[Path] | None,
        typer.Option("--hazard", help="Hazard file (Kalkan .npz or CLIMADA .hdf5); repeat for other IMTs."),
    ] = None,
    exposure: Annotated[
        Path | None, typer.Option("--exposure", help="Exposure: Kalkan CSV, OpenQuake exposure XML or GeoPackage.")
    ] = None,
    vulnerability: Annotated[
        list[Path] | None,
        typer.Option(
            "--vulnerability",
            help="NRML vulnerability XML (one per loss type), a vulnerability CSV, or a shipped model: "
            "'gem-central-asia' (earthquake), 'jrc-flood-asia' (flood depth, m).",
        ),
    ] = None,
    taxonomy_mapping: Annotated[
        Path | None, typer.Option("--taxonomy-mapping", help="taxonomy,conversion,weight CSV for the functions.")
    ] = None,
    occupants_period: Annotated[str, typer.Option(help="Occupants for fatalities: day, night or transit.")] = "night",
    fragility: Annotated[
        list[Path] | None, typer.Option("--fragility", help="NRML fragility model(s), for damage-state outputs.")
    ] = None,
    consequence: Annotated[
        Path | None, typer.Option("--consequence", help="Consequence models CSV (loss ratio, casualties, ...).")
    ] = None,
    fragility_mapping: Annotated[
        Path | None, typer.Option("--fragility-mapping", help="taxonomy,fragility,consequence,weight CSV.")
    ] = None,
    mode: Annotated[
        str, typer.Option(help="mean (mean loss ratios) or sampled (draws from their distributions).")
    ] = "mean",
    seed: Annotated[int | None, typer.Option(help="Seed of the sampled mode (recorded with the run).")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler: 'local' for a local cluster, or tcp://host:port.")
    ] = None,
    threads: Annotated[int | None, typer.Option(help="Threads of the in-process kernel (default: all cores).")] = None,
    block_events: Annotated[
        int, typer.Option(min=1, help="Events per block; fixes the summation order (same value, same results).")
    ] = 1024,
    max_distance_km: Annotated[
        float, typer.Option(help="Without an explicit assignment: the farthest site an asset may use, km.")
    ] = 5.0,
    rp_maps: Annotated[
        str | None,
        typer.Option("--rp-maps", help="Also write per-asset losses at these return periods, e.g. 10,100,1000."),
    ] = None,
    stream: Annotated[
        bool | None,
        typer.Option("--stream/--no-stream", help="Read the hazard in event chunks (default: when it is over 2 GiB)."),
    ] = None,
    return_periods: Annotated[
        str, typer.Option("--return-periods", help="Return periods for losses and TVaR, years, e.g. 10,100,475.")
    ] = standard_text(),
    record: Annotated[bool, typer.Option(help="Record the run in the database when one is set up.")] = True,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Compute event losses, average annual loss and exceedance curves."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    if case is None and not (hazard and exposure and (vulnerability or fragility)):
        raise KalkanError(
            "Give the inputs with --case DIR (a plain-file case folder), or with --hazard, --exposure and "
            "--vulnerability."
        )
    if case is not None and (hazard or exposure or vulnerability):
        raise KalkanError("--case cannot be combined with --hazard/--exposure/--vulnerability.")
    maps = _parse_rps(rp_maps, "--rp-maps")
    rps = _parse_rps(return_periods, "--return-periods")
    if case is None:
        if stream:
            raise KalkanError("--stream works with --case inputs (a hazard.npz read in event chunks).")
        assert hazard and exposure
        files = {
            "hazard_paths": hazard, "exposure_path": exposure, "vulnerability_paths": vulnerability or [],
            "taxonomy_mapping": taxonomy_mapping, "occupants_period": occupants_period,
            "fragility_paths": fragility or [], "consequence_path": consequence,
            "fragility_mapping": fragility_mapping,
        }  # fmt: skip
        kw: dict[str, Any] = dict(
            mode=mode, seed=seed, block_events=block_events, threads=threads, scheduler=scheduler,
            max_distance_km=max_distance_km, rp_maps=maps, return_periods=rps,
        )  # fmt: skip
        with Progress(console=err, transient=True, disable=as_json) as progress:
            task = progress.add_task("Computing losses", total=100)
            summary = _recorded_run_files(
                record, files, out, kw, lambda pct, msg: progress.update(task, completed=pct, description=msg), force
            )
        if as_json:
            _print_json(summary)
        else:
            _print_risk_summary(summary, out)
        return
    kwargs: dict[str, Any] = dict(
        mode=mode, seed=seed, block_events=block_events, threads=threads, scheduler=scheduler,
        max_distance_km=max_distance_km, rp_maps=maps, stream=stream, return_periods=rps,
    )  # fmt: skip
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f} %"), TimeElapsedColumn(),
        console=err, transient=True, disable=as_json,
    ) as progress:  # fmt: skip
        task = progress.add_task("Computing losses", total=100)
        summary = _recorded_risk_run(
            record, case, out, kwargs,
            lambda pct, msg: progress.update(task, completed=pct, description=msg), force,
        )  # fmt: skip
    if as_json:
        _print_json(summary)
        return
    _print_risk_summary(summary, out)


def _recorded_risk_run(
    record: bool, case: Path, out: Path, kwargs: dict[str, Any], on_progress: Any, force: bool = False
) -> dict[str, Any]:
    """Run the case as a recorded job (results in the run's own folder, published to ``out``)."""
    from kalkan.app.jobs import Output, job
    from kalkan.app.risk import run_case

    parameters = {"case": str(case), **kwargs}
    inputs = {"case": Path(case)}
    with job("risk-case", parameters=parameters, inputs=inputs, output=Output(out, force=force),
             seed=kwargs.get("seed"), record=record, on_progress=on_progress) as run:  # fmt: skip
        summary = run_case(case, run.workdir, on_progress=run.progress, **kwargs).as_dict()
        run.summary = {k: summary[k] for k in ("aal", "rp_losses", "sizes", "timings_s", "peak_rss_mib")}
    summary["run_id"] = run.id
    return summary


def _recorded_run_files(
    record: bool, files: dict[str, Any], out: Path, kwargs: dict[str, Any], on_progress: Any, force: bool = False
) -> dict[str, Any]:
    """Run on Kalkan-format files as a recorded job (results in the run's own folder, published to ``out``)."""
    from kalkan.app.jobs import Output, job
    from kalkan.app.risk import run_assessment
    from kalkan.io.digest import sha256_files

    paths = [*files["hazard_paths"], files["exposure_path"]]
    paths += [p for p in files["vulnerability_paths"] if Path(p).exists()]
    paths += list(files["fragility_paths"])
    paths += [files[k] for k in ("taxonomy_mapping", "consequence_path", "fragility_mapping") if files[k]]
    params = {**kwargs, **{k: (str(v) if isinstance(v, Path) else v) for k, v in files.items()}}
    params = {k: ([str(x) for x in v] if isinstance(v, list) else v) for k, v in params.items()}
    missing = [p for p in paths if not Path(p).is_file()]
    digests = {"inputs": sha256_files([Path(p) for p in paths])} if not missing else {}
    with job("risk-assessment", parameters=params, inputs=digests, output=Output(out, force=force),
             seed=kwargs.get("seed"), record=record, on_progress=on_progress) as run:  # fmt: skip
        summary = run_assessment(out_dir=run.workdir, on_progress=run.progress, **files, **kwargs).as_dict()
        keys = ("aal", "rp_losses", "sizes", "timings_s", "peak_rss_mib", "damage")
        run.summary = {k: summary[k] for k in keys if k in summary}
    summary["run_id"] = run.id
    return summary


def _print_run_note(run_id: str | None) -> None:
    """Say where the run is recorded (or that it is not: no database set up)."""
    if run_id is None:
        out.print("Not recorded in a database (none is set up; `kalkan db upgrade` creates one): run.json in the "
                  "results says how they were made.")  # fmt: skip
    else:
        out.print(f"Recorded as run {run_id} (`kalkan runs show {run_id[:8]}`: the command, inputs, and the run's own "
                  "copy of the results).")  # fmt: skip


def _print_risk_summary(summary: dict[str, Any], folder: Path) -> None:
    sizes = summary["sizes"]
    money = summary.get("units", {}).get("loss", "USD")
    table = Table(title=f"Risk results — {folder}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    if "scenario" in summary:
        table.add_row("average loss per event (scenario)", f"{summary['aal']:,.0f} {money}")
    else:
        table.add_row("average annual loss", f"{summary['aal']:,.0f} {money} per year")
    for rp, loss in summary["rp_losses"].items():
        table.add_row(f"loss at {rp}-year return period", f"{loss:,.0f} {money}")
    quake = any(str(h).startswith("earthquake") for h in summary.get("hazards", []))
    for lt, values in summary.get("by_loss_type", {}).items():
        per = "per event" if "scenario" in summary else "per year"
        shaking = "; ground shaking only" if quake else ""
        unit = f"people {per} (modelled fatalities{shaking})" if lt == "occupants" else f"{money} {per}"
        table.add_row(f"  {lt}: average", f"{values['aal']:,.2f} {unit}")
    if "max_event_loss" in summary:
        table.add_row("largest event loss", f"{summary['max_event_loss']:,.0f} {money}")
    if "max_simulated_rp_years" in summary:
        table.add_row("longest simulated return period", f"{summary['max_simulated_rp_years']:,.0f} years")
    table.add_row("assets (assigned / all)", f"{sizes['assigned_assets']:,} / {sizes['assets']:,}")
    nnz = f" ({sizes['intensity_nnz']:,} non-zeros)" if "intensity_nnz" in sizes else ""
    table.add_row("events × sites", f"{sizes['events']:,} × {sizes['sites']:,}{nnz}")
    t = summary.get("timings_s", {})
    if t:
        table.add_row("time: load / compute / write", f"{t['load']:.2f} / {t['compute']:.2f} / {t['write']:.2f} s")
    table.add_row("peak memory", f"{summary.get('peak_rss_mib', 0):,.0f} MiB")
    out.print(table)
    if quake and "occupants" in summary.get("by_loss_type", {}):
        from kalkan.app.modelled_effects import EARTHQUAKE_MODELLED_EFFECTS

        out.print(f"Modelled earthquake fatalities and losses: {EARTHQUAKE_MODELLED_EFFECTS}.")
    rule = summary.get("return_period_definition")
    if rule and summary.get("rp_losses"):
        out.print(
            "Loss at a return period T: the largest event loss reached at least once in T years on average, no "
            "interpolation (docs/return-periods.md)."
            if rule == RP_RULE
            else f"Loss at a return period, as the Kalkan version that wrote this folder read it: {rule}."
        )
    un = summary["unassigned"]
    if un["count"]:
        shown = ", ".join(un["ids"][:10])
        out.print(
            f"[yellow]{un['count']:,} asset(s) not assigned to any hazard site (no loss computed): {shown}"
            f"{' …' if un['count'] > 10 else ''}. All ids are in summary.json.[/]"
        )
    for path, origin in (summary.get("hazard_provenance") or {}).items():
        if origin:
            flag = "[bold]ILLUSTRATIVE hazard[/] — " if "ILLUSTRATIVE" in origin else ""
            out.print(f"{flag}{Path(path).name}: {origin}")
    if "run_id" in summary:
        _print_run_note(summary["run_id"])


@risk_app.command("show")
def risk_show(
    folder: Annotated[Path, typer.Argument(help="A result folder written by `kalkan risk run`.")],
    as_json: JsonOpt = False,
) -> None:
    """Show the summary of a result folder."""
    from kalkan.io.results import read_summary

    summary = read_summary(folder)
    if as_json:
        _print_json(summary)
    else:
        _print_risk_summary(summary, folder)


# --- exposure and hazard files ----------------------------------------------------------------------


@exposure_app.command("convert")
def exposure_convert(
    source: Annotated[Path, typer.Argument(help="Exposure file: .csv (Kalkan), .xml (OpenQuake) or .gpkg.")],
    target: Annotated[Path, typer.Argument(help="Output file; its suffix picks the format.")],
    currency: Annotated[str | None, typer.Option(help="Currency of the costs when the file does not say.")] = None,
    price_year: Annotated[int | None, typer.Option(help="Price year of the costs when the file does not say.")] = None,
    force: ForceOpt = False,
) -> None:
    """Read, validate and write an exposure in another format (written atomically; existing files are kept
    unless --force)."""
    from kalkan.app.jobs import Output, job
    from kalkan.io.exposure import read_exposure, write_exposure

    output = Output(target, is_dir=False, force=force)
    with job("exposure-convert", parameters={"source": str(source)}, output=output, record=False) as run:
        exposure = read_exposure(source, currency=currency, price_year=price_year)
        written = target.parent / write_exposure(exposure, run.target).name
    year = f" of {exposure.price_year}" if exposure.price_year else ""
    total = sum(float(v.sum()) for v in exposure.costs.values())
    out.print(f"{exposure.n_assets:,} assets, replacement cost {total:,.0f} {exposure.currency}{year} -> {written}")


@hazard_app.command("info")
def hazard_info(
    path: Annotated[Path, typer.Argument(help="Kalkan hazard .npz, CLIMADA .hdf5, or a case hazard.npz.")],
    as_json: JsonOpt = False,
) -> None:
    """Describe a hazard file: peril, intensity measure, events, sites, non-zeros, frequencies."""
    import numpy as np

    from kalkan.io.hazard import hazard_provenance, load_any_hazard

    hz = load_any_hazard(path)
    data = hz.intensity.data
    info = {
        "file": str(path), "peril": hz.peril, "imt": hz.imt, "unit": hz.unit, "events": hz.n_events,
        "sites": hz.n_sites, "nonzeros": hz.nnz, "dtype": str(hz.data_dtype),
        "frequency_sum_per_year": float(hz.frequency.sum()),
        "intensity_max": float(data.max()) if data.size else 0.0,
        "intensity_mean_nonzero": float(np.mean(data)) if data.size else 0.0,
        "has_years": hz.event_year is not None,
        "provenance": hazard_provenance(path),
    }  # fmt: skip
    if as_json:
        _print_json(info)
        return
    t = Table(show_header=False, box=None, title=str(path))
    for k, v in info.items():
        t.add_row(k, f"{v} {hz.unit}" if k.startswith("intensity") else str(v))
    out.print(t)


@hazard_app.command("convert")
def hazard_convert(
    source: Annotated[Path, typer.Argument(help="CLIMADA .hdf5, case hazard.npz or Kalkan .npz.")],
    target: Annotated[Path, typer.Argument(help="Kalkan hazard .npz to write.")],
    force: ForceOpt = False,
) -> None:
    """Convert a hazard to Kalkan's .npz format (written atomically; an existing file is kept unless --force)."""
    from kalkan.app.jobs import Output, job
    from kalkan.io.hazard import load_any_hazard, save_hazard

    output = Output(target, is_dir=False, force=force)
    with job("hazard-convert", parameters={"source": str(source)}, output=output, record=False) as run:
        hz = load_any_hazard(source)
        written = target.parent / save_hazard(hz, run.target).name
    out.print(f"{hz.n_events:,} events x {hz.n_sites:,} sites of {hz.imt} ({hz.unit}) -> {written}")


# --- eq ------------------------------------------------------------------------------------------


@eq_app.command("verify-table")
def eq_verify_table(
    table: Annotated[Path, typer.Argument(help="An OpenQuake ground-motion verification table (CSV).")],
    model: Annotated[str, typer.Option(help="Model name: OpenQuake class name or alias, e.g. BooreEtAl2014.")],
    option: Annotated[
        list[str] | None, typer.Option("--option", help="Model option as key=value (repeat), e.g. region=JPN.")
    ] = None,
    tolerance: Annotated[float, typer.Option(help="Largest acceptable relative error, percent.")] = 0.1,
    as_json: JsonOpt = False,
) -> None:
    """Check a ground-motion model against a verification table: largest relative error per output."""
    from kalkan.app.gmpe_verification import verify_table

    options: dict[str, Any] = {}
    for item in option or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise KalkanError(f"--option {item!r}: expected key=value.", code="input.syntax", field="--option")
        options[key.strip()] = _option_value(value.strip())
    gmpe, result = verify_table(table, model, options)
    ok = result.passed(tolerance)
    if as_json:
        _print_json({
            "model": gmpe.name, "table": str(table), "tolerance_pct": tolerance, "passed": ok,
            "max_error_pct": result.max_error_pct, "rows": result.rows,
            "worst": {k: {"line": v[0], "imt": v[1]} for k, v in result.worst.items()},
            "skipped_imts": list(result.skipped_imts),
        })  # fmt: skip
    else:
        t = Table(title=f"{gmpe.name} against {table.name} (tolerance {tolerance} %)")
        for col in ("output", "rows", "largest error", "at line / IMT", "verdict"):
            t.add_column(col)
        for key, err in result.max_error_pct.items():
            line, imt = result.worst[key]
            t.add_row(
                key, str(result.rows[key]), f"{err:.4f} %", f"{line} / {imt}", "ok" if err <= tolerance else "FAIL"
            )
        out.print(t)
        if result.skipped_imts:
            out.print(f"Not checked (the model does not cover them): {', '.join(result.skipped_imts)}.")
    if not ok:
        raise typer.Exit(1)


@eq_app.command("scenarios")
def eq_scenarios(as_json: JsonOpt = False) -> None:
    """The named earthquake scenarios of the founding cities (ISC-GEM events; mechanisms assumed), with the toll
    recorded for each historical earthquake (and its source) where the cities' records have one."""
    from kalkan.app.earthquake import named_scenarios
    from kalkan.app.modelled_effects import EARTHQUAKE_MODELLED_EFFECTS, recorded_toll

    rows = named_scenarios()
    for r in rows:  # what a run of the scenario models, and what history recorded (additive keys)
        r["modelled_effects"] = EARTHQUAKE_MODELLED_EFFECTS
        r["recorded"] = recorded_toll(r)
    if as_json:
        _print_json(rows)
        return
    t = Table(
        title="Named earthquake scenarios (ISC-GEM v7.0, CC BY-SA 3.0; mechanisms ASSUMED; HYPOTHETICAL: stress test)"
        f"\nmodelled by `kalkan city scenario`: {EARTHQUAKE_MODELLED_EFFECTS}"
    )
    for col in ("id", "city", "date", "Mw", "depth", "strike/dip/rake", "mechanism", "recorded deaths"):
        t.add_column(col, overflow="fold")
    for r in rows:
        when = "HYPOTHETICAL" if r["hypothetical"] else r["origin_time_utc"][:10]
        rec = r["recorded"]
        deaths = f"{rec['deaths']:,}" if rec["available"] else ("—" if r["hypothetical"] else "none on file")
        t.add_row(r["id"], r["city"], when, f"{r['mw']:.2f}", f"{r['depth_km']:g} km",
                  f"{r['strike']:g}°/{r['dip']:g}°/{r['rake']:g}°", r["mechanism_source"], deaths)  # fmt: skip
    out.print(t)
    for r in rows:
        if r["recorded"]["available"]:
            rec = r["recorded"]
            out.print(f"{r['id']}: {rec['text']}. Source: {rec['source']}"
                      + (f"; where: {rec['where_source']}" if rec.get("where_source") else "") + ".")  # fmt: skip
    for r in rows:
        if r["hypothetical"]:
            out.print(f"{r['id']} is HYPOTHETICAL: {r['basis']}")


@eq_app.command("scenario")
def eq_scenario(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for hazard_<IMT>.npz, sites.csv/.geojson.")],
    scenario: Annotated[str | None, typer.Option(help="A named scenario (see `kalkan eq scenarios`).")] = None,
    rupture: Annotated[Path | None, typer.Option(help="Rupture file: OpenQuake NRML .xml or Kalkan .json.")] = None,
    catalogue_event: Annotated[int | None, typer.Option(help="An ISC-GEM event id (give the mechanism).")] = None,
    magnitude: Annotated[float | None, typer.Option(help="User-defined rupture: moment magnitude.")] = None,
    lon: Annotated[float | None, typer.Option(help="User-defined rupture: hypocentre longitude, degrees.")] = None,
    lat: Annotated[float | None, typer.Option(help="User-defined rupture: hypocentre latitude, degrees.")] = None,
    depth: Annotated[float | None, typer.Option(help="User-defined rupture: hypocentre depth, km.")] = None,
    strike: Annotated[float | None, typer.Option(help="Strike, degrees.")] = None,
    dip: Annotated[float | None, typer.Option(help="Dip, degrees (0, 90].")] = None,
    rake: Annotated[float | None, typer.Option(help="Rake, degrees.")] = None,
    gmpe: Annotated[list[str] | None, typer.Option(help="Ground-motion model (repeat; equal weights).")] = None,
    gmpe_logic_tree: Annotated[
        Path | None, typer.Option(help="GMPE logic tree (NRML .xml or model,weight .csv).")
    ] = None,
    city: Annotated[str | None, typer.Option(help="Sites on a grid over this founding city.")] = None,
    grid_km: Annotated[float, typer.Option(help="Grid spacing over the city, km.")] = 1.0,
    sites: Annotated[Path | None, typer.Option(help="Sites CSV: lon,lat (degrees) [,vs30 (m/s)].")] = None,
    vs30: Annotated[
        float | None,
        typer.Option(help="Vs30 of every site, m/s (inferred) [default: 400, Kalkan's city-soil default]."),
    ] = None,
    imt: Annotated[list[str] | None, typer.Option(help="Intensity measure (repeat): PGA, SA(0.3), ...")] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Ground-motion fields per model.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the fields (recorded).")] = 42,
    truncation: Annotated[float, typer.Option(help="Truncation of the residuals, standard deviations.")] = 3.0,
    correlation: Annotated[str | None, typer.Option(help="Spatial correlation: JB2009.")] = None,
    max_gmf_values: Annotated[
        int,
        typer.Option(min=1, help="Largest run: events x sites x IMTs ground-motion values (about 40 bytes each)."),
    ] = MAX_GMF_VALUES,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Simulate an earthquake scenario: ground-motion fields as HazardSets for `kalkan risk run --hazard`.
    Recorded as a run."""
    from rich.progress import Progress

    from kalkan.app.earthquake import city_sites, run_scenario, scenario_rupture
    from kalkan.app.jobs import Output, job
    from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
    from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, vs30_text
    from kalkan.io.gsim_logic_tree import read_logic_tree
    from kalkan.io.rupture import read_rupture
    from kalkan.io.sites import read_sites_csv

    if rupture is not None:
        rup = read_rupture(rupture)
        info: dict[str, Any] = {"id": "file", "name": str(rupture), "mw": rup.mag, "source": str(rupture)}
    else:
        rup, info = scenario_rupture(scenario, catalogue_event=catalogue_event, mag=magnitude, lon=lon, lat=lat,
                                     depth_km=depth, strike=strike, dip=dip, rake=rake)  # fmt: skip
    if gmpe_logic_tree is not None:
        branches = read_logic_tree(gmpe_logic_tree)
    else:
        names = gmpe or ["BooreEtAl2014", "AkkarEtAlRjb2014", "CauzziEtAl2014"]
        branches = [GmpeBranch(name, 1.0 / len(names)) for name in names]
    site_vs30 = None
    if sites is not None:
        read = read_sites_csv(sites)
        site_lon, site_lat = read.lon, read.lat
        if read.vs30_m_s is not None:
            site_vs30 = read.vs30_or(DEFAULT_VS30_M_S if vs30 is None else vs30)
        source = str(sites)
    else:
        target = city or info.get("city")
        if target is None:
            raise KalkanError("Give --city or --sites for where to compute ground motion.")
        site_lon, site_lat, source = city_sites(str(target), grid_km)
    inputs = {name: path for name, path in (("rupture", rupture), ("gmpe_logic_tree", gmpe_logic_tree),
                                            ("sites", sites)) if path is not None}  # fmt: skip
    parameters = {"scenario": scenario, "rupture": info, "gmpes": [(b.model, b.weight) for b in branches], "city": city,
                  "grid_km": grid_km, "vs30_m_s": DEFAULT_VS30_M_S if vs30 is None else vs30, "imts": imt or ["PGA"],
                  "n_fields": n, "truncation": truncation, "correlation": correlation}  # fmt: skip
    with (
        Progress(console=err, transient=True, disable=as_json) as progress,
        job("eq-scenario", parameters=parameters, inputs=inputs, output=Output(out_dir, force=force), seed=seed,
            on_progress=lambda p, m: progress.update(task, completed=p, description=m)) as run,
    ):  # fmt: skip
        task = progress.add_task("Ground-motion fields", total=100)
        summary = run_scenario(
            run.workdir, rupture=rup, rupture_info=info, branches=branches, site_lon=site_lon, site_lat=site_lat,
            sites_source=source, vs30=(DEFAULT_VS30_M_S if vs30 is None else vs30) if site_vs30 is None else site_vs30,
            imts=imt or ["PGA"], n_fields=n, seed=seed, truncation=truncation, correlation=correlation,
            max_gmf_values=max_gmf_values, on_progress=run.progress,
        )  # fmt: skip
        run.summary = {"events": summary["events"], "sites": summary["sites"]["count"]}
    summary["run_id"] = run.id
    if as_json:
        _print_json(summary)
        return
    r = summary["rupture"]
    out.print(f"{r.get('name')}: M{r.get('mw')} — {summary['events']:,} events "
              f"({len(summary['models'])} model(s) x {n} fields) at {summary['sites']['count']:,} sites.")  # fmt: skip
    if "mechanism_source" in r:
        out.print(f"Mechanism {r.get('strike')}/{r.get('dip')}/{r.get('rake')}°: {r['mechanism_source']}.")
    out.print(f"Site condition: {vs30_text(summary['site_condition'])}.")
    for w in summary["warnings"]:
        err.print(f"[yellow]Warning:[/] {w}")
    out.print(f"HazardSets in {out_dir} (hazard_<IMT>.npz); per-site statistics in sites.csv and sites.geojson.")
    _print_run_note(run.id)


@eq_app.command("run-oq")
def eq_run_oq(
    job: Annotated[Path, typer.Argument(help="OpenQuake scenario job.ini (the subset in docs/openquake.md).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for summary.json and event_losses.parquet.")],
    max_gmf_values: Annotated[
        int,
        typer.Option(min=1, help="Largest run: events x sites x IMTs ground-motion values (about 40 bytes each)."),
    ] = MAX_GMF_VALUES,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Run an OpenQuake scenario-risk job on Kalkan, from its own input files. Recorded as a run."""
    from rich.progress import Progress

    from kalkan.app.earthquake import run_oq_job
    from kalkan.app.jobs import Output
    from kalkan.app.jobs import job as recorded_job

    if not job.is_file():
        raise InputError(f"{job}: file not found (an OpenQuake job.ini).")
    with (
        Progress(console=err, transient=True, disable=as_json) as progress,
        recorded_job("eq-run-oq", parameters={"job": str(job)}, inputs={"job_ini": job},
                     output=Output(out_dir, force=force),
                     on_progress=lambda p, m: progress.update(task, completed=p, description=m)) as run,
    ):  # fmt: skip
        task = progress.add_task("Ground-motion fields", total=100)
        summary = run_oq_job(job, run.workdir, on_progress=run.progress, max_gmf_values=max_gmf_values)
        run.summary = {k: summary[k] for k in ("events", "total_avg_loss", "total_avg_damages") if k in summary}
    summary["run_id"] = run.id
    if as_json:
        _print_json(summary)
        return
    if "avg_damages_per_rlz" in summary:
        t = Table(title=f"{job} — {summary['events']:,} events: expected number of buildings per damage state")
        states = list(summary["total_avg_damages"])
        t.add_column("ground-motion model")
        for ds in states:
            t.add_column(ds, justify="right")
        for name, dmg in summary["avg_damages_per_rlz"].items():
            t.add_row(name, *(f"{dmg[ds]:,.1f}" for ds in states))
        t.add_row("total (weighted)", *(f"{summary['total_avg_damages'][ds]:,.1f}" for ds in states))
        out.print(t)
        _print_run_note(run.id)
        return
    money = summary["units"]["loss"]
    t = Table(title=f"{job} — {summary['events']:,} events")
    t.add_column("ground-motion model")
    t.add_column("weight", justify="right")
    t.add_column("average event loss", justify="right")
    for name, loss in summary["avg_loss_per_rlz"].items():
        t.add_row(name, f"{summary['weights'][name]:g}", f"{loss:,.0f} {money}")
    t.add_row("total (weighted)", "1", f"{summary['total_avg_loss']:,.0f} {money}")
    out.print(t)
    from kalkan.app.modelled_effects import EARTHQUAKE_MODELLED_EFFECTS

    out.print(f"Modelled losses and fatalities: {EARTHQUAKE_MODELLED_EFFECTS}.")
    for w in summary["warnings"]:
        err.print(f"[yellow]Warning:[/] {w}")
    times = summary["timings_s"]
    out.print(f"{times['total']:.1f} s in all, peak memory {summary['peak_rss_mib']:,.0f} MiB. Results in {out_dir}.")
    _print_run_note(run.id)


def _option_value(text: str) -> Any:
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


# --- data ----------------------------------------------------------------------------------------


@data_app.command("sources")
def data_sources_cmd(as_json: JsonOpt = False) -> None:
    """Every dataset shipped with Kalkan: origin, licence and citation."""
    from kalkan.catalog.sources import data_sources

    sources = data_sources()
    if as_json:
        _print_json([s.as_dict() for s in sources])
        return
    table = Table(title="Datasets shipped with Kalkan")
    for col in ("id", "what", "licence", "origin", "cite as"):
        table.add_column(col, overflow="fold")
    for s in sources:
        licence = (
            s.licence + (" — non-commercial" if s.non_commercial else "") + (", share-alike" if s.share_alike else "")
        )
        table.add_row(s.id, s.title, licence, s.origin, s.citation)
    out.print(table)
    if any(s.non_commercial for s in sources):
        out.print(GEM_NOTE)


# --- runs ----------------------------------------------------------------------------------------


@runs_app.command("list")
def runs_list(
    kind: Annotated[str | None, typer.Option(help="Only runs of this kind.")] = None,
    status: Annotated[str | None, typer.Option(help="Only runs with this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many runs to show.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Recent runs, newest first."""
    from kalkan.store.database import store_scope
    from kalkan.store.runs import list_runs, run_row

    with store_scope() as store, store.read() as session:
        rows = [run_row(r) for r in list_runs(session, kind=kind, status=status, limit=limit)]
    if as_json:
        _print_json(rows)
        return
    table = Table(title="Runs")
    for col in ("id", "kind", "city", "status", "progress", "started (UTC)", "duration", "results"):
        table.add_column(col, overflow="fold")
    for r in rows:
        duration = f"{r['duration_s']:.2f} s" if r["duration_s"] is not None else "—"
        table.add_row(
            r["id"][:8],
            r["kind"],
            r["city_id"] or "—",
            r["status"],
            f"{r['progress']} %",
            (r["started_at"] or "—")[:19],
            duration,
            r["published_to"] or ("run folder" if r["result_path"] else "—"),
        )
    out.print(table)


@runs_app.command("verify")
def runs_verify(
    run_id: Annotated[str, typer.Argument(help="Run id (or its first 6+ characters).")],
    as_json: JsonOpt = False,
) -> None:
    """Check that a run's own result files are exactly the ones it wrote (SHA-256 of each); exit 1 if not."""
    from kalkan.app.jobs import verify_outputs
    from kalkan.store.database import store_scope
    from kalkan.store.runs import get_run

    with store_scope() as store, store.read() as session:
        run = get_run(session, run_id)
        report = verify_outputs(run)
    if as_json:
        _print_json(report.as_dict())
    else:
        for name in report.changed:
            out.print(f"[red]changed[/]: {name}")
        for name in report.missing:
            out.print(f"[red]missing[/]: {name}")
        verdict = "intact" if report.intact else "NOT intact"
        out.print(f"Run {report.run_id}: {report.files} file(s) in {report.result_path}: {verdict}.")
    if not report.intact:
        raise typer.Exit(1)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or its first 6+ characters).")],
    as_json: JsonOpt = False,
) -> None:
    """Everything recorded about one run."""
    from kalkan.store.database import store_scope
    from kalkan.store.runs import get_run, run_row

    with store_scope() as store, store.read() as session:
        row = run_row(get_run(session, run_id))
    if as_json:
        _print_json(row)
        return
    table = Table(show_header=False, box=None, title=f"Run {row['id']}")
    for key, value in row.items():
        if key == "output_digests":
            value = f"{len(value)} file(s), SHA-256 recorded (--json lists them)" if value else "—"
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
        table.add_row(key, shown)
    out.print(table)
    if row["command"]:
        import shlex

        where = f"cd {shlex.quote(row['working_dir'])} && " if row["working_dir"] else ""
        out.print(f"To reproduce (Kalkan {row['code_version']}, same inputs: compare input_digests):")
        out.print(f"  {where}{row['command']}", markup=False)
    if row["result_path"]:
        out.print(f"The run's own results (read-only, never touched by later runs): {row['result_path']}", markup=False)


@functools.cache
def command() -> Any:
    """The app as a click command, built once per process (Typer rebuilds it, about 0.2 s, on every call)."""
    return typer.main.get_command(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning Kalkan's user errors into one message and exit code 2.

    Usage errors (unknown option, missing argument) are Typer's own messages, also exit code 2.
    """
    import shlex

    from rich.markup import escape

    from kalkan.store.runs import CURRENT_COMMAND

    args = list(sys.argv[1:] if argv is None else argv)
    CURRENT_COMMAND.set(shlex.join(["kalkan", *args]))
    try:
        command()(args=args, prog_name="kalkan")
    except KalkanError as exc:
        if _state["debug"]:
            raise
        # messages quote user input (file names, values): never let it be read as Rich markup; the code (and the
        # field) are what programs and translations rely on: `Error [input.range] (field cost_structural): ...`
        field = f" (field {escape(exc.field)})" if exc.field else ""
        err.print(
            f"[bold red]Error \\[{exc.code}]{field}:[/] {escape(exc.message)}",
            markup=True,
            highlight=False,
            soft_wrap=True,
        )
        if exc.hint:
            err.print(f"[yellow]Hint:[/] {escape(exc.hint)}", markup=True, highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
