"""`kalkan climate drought CITY`: SPEI/SPI today and their trend per SSP and horizon, as Rich tables or ``--json``.

A plain function, registered by the main CLI with ``climate_app.command("drought")(climate_drought)``. xclim and
the data are imported inside the command, so importing this module stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kalkan.cli.climate import adjustment_lines, adjustment_title
from kalkan.errors import InputError

out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def _split(values: list[str] | None) -> list[str]:
    """Repeated options and comma-separated lists alike: ``--ssp ssp245,ssp585 --ssp ssp126``."""
    return [part.strip() for v in values or [] for part in v.split(",") if part.strip()]


def climate_drought(
    city: Annotated[str, typer.Argument(help="Founding city id (petropavl, osh, namangan, dushanbe, ashgabat).")],
    ssp: Annotated[
        list[str] | None, typer.Option("--ssp", help="SSP(s): ssp126, ssp245, ssp370, ssp585 [default: all 4].")
    ] = None,
    horizon: Annotated[
        list[str] | None,
        typer.Option(
            "--horizon", help="Year(s), each the 20-year window centred on it [default: 2030 2050 2080 2090]."
        ),
    ] = None,
    percentile: Annotated[
        float, typer.Option("--percentile", help="Across-model percentile of the regional warming and GWL (0-100).")
    ] = 50.0,
    precip_file: Annotated[
        Path | None,
        typer.Option(
            "--precip-file",
            help="CSV with daily (date,precip_mm,tmax_c,tmin_c|tmean_c) or monthly (month,precip_mm,tmean_c) data, "
            "mm and °C; replaces the shipped series.",
        ),
    ] = None,
    calibration: Annotated[
        str | None,
        typer.Option(
            "--calibration",
            help="Calibration years YYYY-YYYY (the part the series covers is used) [default: 1995-2014, the IPCC "
            "AR6 baseline].",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of tables.")] = False,
) -> None:
    """Drought: SPEI-3/12 and SPI-3/12 over the 1995-2014 baseline (IPCC AR6) and their shift per SSP and horizon
    (delta method). Recorded as a run."""
    from kalkan.app.drought import city_drought
    from kalkan.app.jobs import job
    from kalkan.core.climate.baseline import BASELINE_YEARS, parse_years
    from kalkan.core.climate.scenarios import DEFAULT_HORIZONS, parse_horizon, parse_ssp
    from kalkan.io.daily_weather import read_user_weather_csv

    ssps = [parse_ssp(s) for s in _split(ssp)] or None
    horizons: list[int] = []
    for h in _split(horizon) or [str(x) for x in DEFAULT_HORIZONS]:
        parsed = parse_horizon(h)
        if not isinstance(parsed, int):
            raise InputError(f"Horizon {h!r}: the baseline is always shown; give future years such as 2050.")
        horizons.append(parsed)
    if not 0 <= percentile <= 100:
        raise InputError(f"Percentile {percentile:g}: expected 0-100.")
    years = BASELINE_YEARS if calibration is None else parse_years(calibration, "--calibration")
    series: Any = read_user_weather_csv(precip_file) if precip_file is not None else None
    if series is None:
        from kalkan.app.station_data import stored_series_if_any

        stored = stored_series_if_any(city)  # the city's imported series, when it has precipitation
        series = stored if stored is not None and stored.precip_mm is not None else None
    parameters = {"city": city, "ssps": ssps, "horizons": horizons, "percentile": percentile,
                  "calibration_years": list(years),
                  "series": None if series is None else f"{series.source} ({series.kind})"}  # fmt: skip
    with job("climate-drought", parameters=parameters, inputs={"series": precip_file} if precip_file else {},
             city_id=city) as run:  # fmt: skip
        result = city_drought(
            city, ssp=ssps, horizons=horizons, percentile=percentile, series=series, calibration_years=years
        )
        run.summary = {"available": result.get("available"), "baseline": result.get("baseline")}
    result["run_id"] = run.id
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    _print(result)


def _f(x: Any, fmt: str) -> str:
    return "—" if x is None else format(x, fmt)


def _print(r: dict[str, Any]) -> None:
    data = r["data"]
    out.print(f"[bold]{r['city']}[/bold] — {data['label']}; AR6 region {r['region']}")
    if not r["available"]:
        out.print(f"[yellow]{r['unavailable']}[/yellow]")
        out.print(r["hint"])
        out.print(f"Cities without precipitation in the shipped data: {', '.join(r['cities_without_precipitation'])}.")
        return
    from kalkan.core.climate.baseline import statement

    base = r["baseline"]
    wb = base["water_balance"]
    out.print(f"{statement(r['baseline_period'])}.")
    out.print(
        f"Water balance {base['window']}: P {_f(wb['precip_mm_per_year'], '.0f')} mm/year, PET "
        f"{_f(wb['pet_mm_per_year'], '.0f')} mm/year, P − PET {_f(wb['balance_mm_per_year'], '.0f')} mm/year, "
        f"Tmean {_f(wb['tmean_c'], '.1f')} °C; missing months: {len(base['missing_months'])} (not filled)."
    )
    series_line = data["label"] + (f"\n{adjustment_title(r['bias_adjustment'])}" if r.get("bias_adjustment") else "")
    t = Table(title=f"Drought indices, baseline (dimensionless index; shares = fraction of months)\n{series_line}")
    for col in ("index", "months", "mean", "share ≤ −1", "share ≤ −1.5", "events", "mean length (months)"):
        t.add_column(col, justify="left" if col == "index" else "right")
    for name, s in base["statistics"].items():
        t.add_row(
            name,
            str(s["months"]),
            _f(s["mean"], "+.2f"),
            _f(s["share_months_le_minus1"], ".1%"),
            _f(s["share_months_le_minus1_5"], ".1%"),
            str(s["events"]),
            _f(s["mean_duration_months"], ".1f"),
        )
    out.print(t)
    trend = Table(
        title=(
            f"Trend per scenario (p{r['scenarios'][0]['percentile']:g} across models) vs the baseline calibration"
            if r["scenarios"]
            else "No scenario requested"
        )
        + f"\n{series_line}"
    )
    cols = ("SSP", "horizon", "window", "ΔT °C", "ΔP % *", "PET mm/yr", "P−PET mm/yr")
    idx = ("SPEI-3", "SPEI-12", "SPI-12")
    for c in cols:
        trend.add_column(c, justify="left" if c in ("SSP", "window") else "right")
    for name in idx:
        trend.add_column(f"{name} mean", justify="right")
        trend.add_column(f"{name} ≤ −1", justify="right")
    base_row = [
        "baseline",
        "",
        base["window"],
        "",
        "",
        _f(wb["pet_mm_per_year"], ".0f"),
        _f(wb["balance_mm_per_year"], ".0f"),
    ]
    for name in idx:
        s = base["statistics"][name]
        base_row += [_f(s["mean"], "+.2f"), _f(s["share_months_le_minus1"], ".0%")]
    trend.add_row(*base_row)
    for row in r["scenarios"]:
        w = row["water_balance"]
        cells = [
            row["ssp_label"],
            str(row["horizon"]),
            row["window"],
            f"{row['delta_t_annual_c']:+.2f}",
            f"{row['precip_change_pct']:+.1f}",
            _f(w["pet_mm_per_year"], ".0f"),
            _f(w["balance_mm_per_year"], ".0f"),
        ]
        for name in idx:
            s = row["statistics"][name]
            cells += [_f(s["mean"], "+.2f"), _f(s["share_months_le_minus1"], ".0%")]
        trend.add_row(*cells)
    out.print(trend)
    m = r["method"]
    out.print(f"PET: {m['pet']}. SPEI: {m['indices']['SPEI']}; SPI: {m['indices']['SPI']}; {m['fit']}.")
    cal = m["calibration"][0]
    out.print(
        f"Calibration: {cal['period']} (requested {m['calibration_years_requested'][0]}-"
        f"{m['calibration_years_requested'][1]}). {m['drought_month']}. {m['index_bound']}."
    )
    out.print(f"* {m['delta_method']}")
    for line in adjustment_lines(r.get("bias_adjustment")):
        out.print(line)
    out.print("Citations: " + "; ".join(r["citations"].values()))
