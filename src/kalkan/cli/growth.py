"""`kalkan exposure project`: grow an exposure to an SSP and horizon (urban population and building value).

A plain function, registered in :mod:`kalkan.cli` with ``exposure_app.command("project")(exposure_project)``;
heavy imports happen inside it, so importing this module stays fast.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kalkan.errors import InputError

if TYPE_CHECKING:
    from kalkan.core.exposure.table import Exposure

out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace existing output files.")]


def _city_exposure(city: str) -> tuple[Exposure, str]:
    """The city's stored exposure and its country (ISO3)."""
    from kalkan.store.city_data import load_exposure
    from kalkan.store.database import store_scope
    from kalkan.store.registry import get_city

    with store_scope() as store, store.read() as session:
        country = get_city(session, city).country_iso3
        return load_exposure(session, city), country


def exposure_project(
    output: Annotated[Path, typer.Option("--output", "-o", help="Projected exposure: .csv, .gpkg or .xml.")],
    ssp: Annotated[
        str,
        typer.Option("--ssp", help="SSP1-SSP5 or a climate scenario (ssp126, ssp245, ssp370, ssp585 -> SSP1/2/3/5)."),
    ],
    city: Annotated[str | None, typer.Option("--city", help="A city of the store (its stored exposure).")] = None,
    exposure: Annotated[
        Path | None, typer.Option("--exposure", help="An exposure file instead of a city (give --country).")
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="ISO3 country of the projections: KAZ, KGZ, TJK, TKM, UZB.")
    ] = None,
    horizon: Annotated[
        int | None, typer.Option("--horizon", help="Year Y: mean over the window Y-9..Y+10 (2050 = 2041-2060).")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="A single target year instead of a horizon.")] = None,
    base_year: Annotated[
        int | None,
        typer.Option("--base-year", help="Year the exposure describes [default: its price year, else 2021]."),
    ] = None,
    elasticity: Annotated[
        float, typer.Option(help="Elasticity of building value to GDP per capita (1: value grows with GDP).")
    ] = 1.0,
    population_factor: Annotated[
        float | None, typer.Option("--population-factor", help="Override: urban population factor.")
    ] = None,
    population_growth: Annotated[
        float | None, typer.Option("--population-growth", help="Override: urban population growth, % per year.")
    ] = None,
    gdp_per_capita_factor: Annotated[
        float | None, typer.Option("--gdp-per-capita-factor", help="Override: GDP-per-capita factor.")
    ] = None,
    gdp_per_capita_growth: Annotated[
        float | None, typer.Option("--gdp-per-capita-growth", help="Override: GDP-per-capita growth, % per year.")
    ] = None,
    value_factor: Annotated[
        float | None, typer.Option("--value-factor", help="Override: building value factor (all costs).")
    ] = None,
    value_growth: Annotated[
        float | None, typer.Option("--value-growth", help="Override: building value growth, % per year.")
    ] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Grow an exposure to an SSP and horizon: costs x value factor, occupants and buildings x urban population
    factor; prices stay in the exposure's price year. Writes the exposure and <output>.provenance.json."""
    from kalkan.app.city_data import write_exposure_with_provenance
    from kalkan.app.jobs import Output, job
    from kalkan.core.exposure.growth import (
        DEFAULT_BASE_YEAR,
        FIRST_YEAR,
        LAST_YEAR,
        Overrides,
        growth_factors,
        project_exposure,
        projection_record,
    )
    from kalkan.io.ssp import shipped_ssp_tables

    if (city is None) == (exposure is None):
        raise InputError("Give --city CITY (a stored exposure) or --exposure FILE, not both.")
    if exposure is not None:
        from kalkan.io.exposure import read_exposure

        if country is None:
            raise InputError("--exposure needs --country (KAZ, KGZ, TJK, TKM or UZB): whose projections to use.")
        before = read_exposure(exposure)
        iso3 = country
    else:
        assert city is not None
        before, iso3 = _city_exposure(city)
        if country is not None and country.upper() != iso3:
            raise InputError(f"City {city} is in {iso3}, not {country}; leave out --country.")
    if base_year is None:
        py = before.price_year
        base_year = py if py is not None and FIRST_YEAR <= py <= LAST_YEAR else DEFAULT_BASE_YEAR
    overrides = Overrides(
        population_factor=population_factor, population_growth_pct=population_growth,
        gdp_per_capita_factor=gdp_per_capita_factor, gdp_per_capita_growth_pct=gdp_per_capita_growth,
        value_factor=value_factor, value_growth_pct=value_growth,
    )  # fmt: skip
    factors = growth_factors(
        iso3, ssp, tables=shipped_ssp_tables(), horizon=horizon, year=year, base_year=base_year,
        elasticity=elasticity, overrides=overrides,
    )  # fmt: skip
    parameters = {"city": city, "exposure": str(exposure) if exposure else None, "country": iso3, "ssp": ssp,
                  "horizon": horizon, "year": year, "base_year": base_year, "elasticity": elasticity,
                  "overrides": {k: v for k, v in dataclasses.asdict(overrides).items() if v is not None}}  # fmt: skip
    with job("exposure-project", parameters=parameters, inputs={"exposure": exposure} if exposure else {},
             output=Output(output, is_dir=False, force=force)) as run:  # fmt: skip
        after = project_exposure(before, factors)
        record = projection_record(before, after, factors)
        record["input"] = f"city {city}" if city is not None else str(exposure)
        written, provenance = write_exposure_with_provenance(after, run.target, record, published_as=output)
        run.summary = {"totals_after": record["totals_after"]}
    record["output"] = str(output.parent / written.name)
    record["provenance_file"] = str(output.parent / provenance.name)
    record["run_id"] = run.id
    if as_json:
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    _print(record)


def _print(record: dict[str, Any]) -> None:
    f = record["factors"]
    money = record["units"]["cost"]
    table = Table(title=f"Exposure projected: {f['country_iso3']} {f['ssp']} ({f['scenario']}), {f['period']}, "
                  f"base year {f['base_year']}")  # fmt: skip
    table.add_column("quantity")
    table.add_column("factor", justify="right")
    table.add_column("before", justify="right")
    table.add_column("after", justify="right")
    table.add_column("unit")
    before, after = record["totals_before"], record["totals_after"]
    table.add_row("GDP per capita (PPP)", f"{f['gdp_per_capita_factor']:.4f}", "", "", f"elasticity {f['elasticity']}")
    for key in before:
        factor = f["value_factor"] if key.startswith("cost_") else f["urban_population_factor"]
        unit = money if key.startswith("cost_") else ("people" if key.startswith("occupants_") else "buildings")
        table.add_row(key, f"{factor:.4f}", f"{before[key]:,.0f}", f"{after[key]:,.0f}", unit)
    out.print(table)
    if f["overrides"]:
        out.print("Overrides: " + ", ".join(f"{k}={v}" for k, v in f["overrides"].items()))
    out.print(f"Prices in {money} (real terms). Written {record['output']} and {record['provenance_file']}.")


def risk_future(
    city: Annotated[str, typer.Argument(help="City id of the store (its stored exposure is E0).")],
    hazard_today: Annotated[
        list[Path], typer.Option("--hazard-today", help="Today's hazard file(s) of one peril (one per IMT).")
    ],
    hazard_future: Annotated[
        list[Path], typer.Option("--hazard-future", help="The future hazard file(s), same IMTs as today's.")
    ],
    ssp: Annotated[str, typer.Option(help="SSP of the exposure growth: ssp126, ssp245, ssp370, ssp585 (or SSP1-5).")],
    horizon: Annotated[int | None, typer.Option(help="Year Y: mean over Y-9..Y+10 (2050 = 2041-2060).")] = None,
    year: Annotated[int | None, typer.Option(help="A single target year instead of a horizon.")] = None,
    vulnerability: Annotated[
        list[Path] | None,
        typer.Option(help="Vulnerability: gem-central-asia, jrc-flood-asia or files [default: GEM + city mapping]."),
    ] = None,
    taxonomy_mapping: Annotated[Path | None, typer.Option(help="Mapping CSV for vulnerability files.")] = None,
    elasticity: Annotated[float, typer.Option(help="Elasticity of building value to GDP per capita.")] = 1.0,
    out_file: Annotated[Path | None, typer.Option("--out", help="Also write the result as JSON here.")] = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Future risk = future hazard x future exposure (SSP growth), with the change of AAL, fatalities and
    return-period losses split into hazard effect, exposure effect and interaction. Recorded as a run."""
    from kalkan.app.future_risk import city_future_risk
    from kalkan.app.jobs import Output, job
    from kalkan.io.results import write_json
    from kalkan.store.database import store_scope
    from kalkan.store.versions import current_ids

    if (horizon is None) == (year is None):
        raise InputError("Give --horizon (a 20-year window) or --year (a single year), not both.")
    inputs: dict[str, Path | str] = {f"hazard_today_{k}": p for k, p in enumerate(hazard_today)}
    inputs.update({f"hazard_future_{k}": p for k, p in enumerate(hazard_future)})
    inputs.update({f"vulnerability_{k}": p for k, p in enumerate(vulnerability or ()) if p.is_file()})
    if taxonomy_mapping is not None:
        inputs["taxonomy_mapping"] = taxonomy_mapping
    output = Output(out_file, is_dir=False, force=force) if out_file is not None else None
    with store_scope() as store, store.read() as session:
        parameters = {"city": city, "ssp": ssp, "horizon": horizon, "year": year, "elasticity": elasticity,
                      "vulnerability": [str(v) for v in vulnerability or ()],
                      "data_versions": current_ids(session, city)}  # fmt: skip
        with job("risk-future", parameters=parameters, inputs=inputs, output=output, city_id=city,
                 store=store) as run:  # fmt: skip
            result = city_future_risk(
                session, city, hazard_today, hazard_future, ssp=ssp, horizon=horizon, year=year,
                vulnerability_paths=vulnerability or (), taxonomy_mapping=taxonomy_mapping, elasticity=elasticity,
            )  # fmt: skip
            document = result.as_dict()
            if out_file is not None:
                write_json(run.target, document)
            run.summary = {"attribution": document["attribution"]}
    document["run_id"] = run.id
    if as_json:
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    money = result.money
    table = Table(title=f"{city}: change of risk, {result.factors.ssp} {result.factors.period} ({money})")
    for col in ("measure", "today", "future", "change", "hazard effect", "exposure effect", "interaction"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    rows = [("AAL (per year)", result.aal_change)]
    if result.fatalities_change is not None:
        rows.append(("fatalities (people per year)", result.fatalities_change))
    rows += [(f"loss at {rp} years", c) for rp, c in result.rp_loss_changes.items()]
    for label, c in rows:
        table.add_row(label, *(f"{v:,.2f}" for v in (c.today, c.future, c.total_change, c.hazard_effect,
                                                     c.exposure_effect, c.interaction)))  # fmt: skip
    out.print(table)
    for side, origins in (("today", result.provenance_today), ("future", result.provenance_future)):
        for origin in origins:
            if origin and "ILLUSTRATIVE" in origin:
                out.print(f"[bold]ILLUSTRATIVE {side} hazard[/]: {origin}")
    g = document["growth"]
    out.print(
        f"Exposure growth {g['ssp']} {g['period']}: value x{g['value_factor']:.3f}, occupants "
        f"x{g['occupants_factor']:.3f} ({g['method']}); {g['prices']}. {document['method']}."
    )
