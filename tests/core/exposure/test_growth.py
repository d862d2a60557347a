"""SSP growth factors against numbers computed by hand from the shipped CSV rows (read here with csv, not
with kalkan.io.ssp), interpolation, overrides, exact scaling of an exposure, and the `exposure project` CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from kalkan.catalog.sources import data_root
from kalkan.core.exposure.growth import (
    Overrides,
    country_projection,
    growth_factors,
    parse_ssp,
    project_exposure,
    projection_record,
)
from kalkan.core.exposure.table import Exposure
from kalkan.errors import ConflictError, InputError
from kalkan.io.exposure import read_exposure
from kalkan.io.exposure_csv import write_exposure_csv
from kalkan.io.ssp import shipped_ssp_tables
from tests.errors import expect_error

DRIVERS = data_root() / "ssp" / "ssp_v3_drivers_2024-04-12_central_asia.csv"
OECD = data_root() / "ssp" / "ssp_v31_oecd_env_growth_2023_gdp_central_asia.csv"
TABLES = shipped_ssp_tables()


def drivers_row(ssp: str, iso: str, variable: str) -> dict[str, str]:
    with DRIVERS.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if (row["SSP"], row["ISO"], row["Variable"]) == (ssp, iso, variable):
                return row
    raise AssertionError((ssp, iso, variable))


def urban(ssp: str, iso: str, year: int) -> float:
    """Population (million) x urban share (%) / 100 of the CSV row."""
    pop = float(drivers_row(ssp, iso, "Population")[str(year)])
    share = float(drivers_row(ssp, iso, "Population|Urban|Share")[str(year)])
    return pop * share / 100.0


def gdp_pc(ssp: str, iso: str, year: int) -> float:
    with OECD.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if (row["scenario"], row["iso"], row["variable"], row["year"]) == (
                ssp, iso, "GDP|PPP [per capita]", str(year),
            ):  # fmt: skip
                return float(row["value"])
    raise AssertionError((ssp, iso, year))


def lin(f: object, year: int) -> float:
    """Linear interpolation between the 5-year steps of f(ssp-free callable of a step year)."""
    lo = year - year % 5
    if lo == year:
        return f(year)  # type: ignore[operator,no-any-return]
    w = (year - lo) / 5.0
    return (1 - w) * f(lo) + w * f(lo + 5)  # type: ignore[operator,no-any-return]


def test_dushanbe_ssp2_2050_single_year_by_hand() -> None:
    u2021 = 0.8 * urban("SSP2", "TJK", 2020) + 0.2 * urban("SSP2", "TJK", 2025)
    g2021 = 0.8 * gdp_pc("SSP2", "TJK", 2020) + 0.2 * gdp_pc("SSP2", "TJK", 2025)
    p = urban("SSP2", "TJK", 2050) / u2021
    g = gdp_pc("SSP2", "TJK", 2050) / g2021
    f = growth_factors("TJK", "ssp245", tables=TABLES, year=2050)
    assert f.ssp == "SSP2" and f.base_year == 2021 and f.period == "2050"
    assert f.urban_population_factor == pytest.approx(p, rel=1e-12)
    assert f.gdp_per_capita_factor == pytest.approx(g, rel=1e-12)
    assert f.value_factor == pytest.approx(p * g, rel=1e-12)
    assert f.building_number_factor == f.urban_population_factor
    # Round numbers to catch a gross regression: urban Tajikistan grows ~2.4x, value ~5.9x by 2050 (SSP2).
    assert 2.40 < p < 2.43 and 5.9 < p * g < 5.95


def test_window_mean_is_the_mean_of_annual_factors() -> None:
    iso, ssp = "KAZ", "SSP5"
    u0, g0 = urban(ssp, iso, 2020), gdp_pc(ssp, iso, 2020)
    years = range(2041, 2061)
    p = [lin(lambda y: urban(ssp, iso, y), y) / u0 for y in years]
    g = [lin(lambda y: gdp_pc(ssp, iso, y), y) / g0 for y in years]
    f = growth_factors(iso, "ssp585", tables=TABLES, horizon=2050, base_year=2020, elasticity=0.5)
    assert f.period == "2041-2060 (window mean)"
    assert f.urban_population_factor == pytest.approx(np.mean(p), rel=1e-12)
    assert f.gdp_per_capita_factor == pytest.approx(np.mean(g), rel=1e-12)
    assert f.value_factor == pytest.approx(np.mean([a * b**0.5 for a, b in zip(p, g, strict=True)]), rel=1e-12)


def test_interpolation_is_linear_between_steps() -> None:
    proj = country_projection(TABLES, "UZB", "SSP3")
    u45, u50 = urban("SSP3", "UZB", 2045), urban("SSP3", "UZB", 2050)
    assert float(proj.urban_population_at(2047.0)) == pytest.approx(u45 + 0.4 * (u50 - u45), rel=1e-12)
    assert float(proj.urban_population_at(2050.0)) == pytest.approx(u50, rel=1e-12)
    g = growth_factors("UZB", "SSP3", tables=TABLES, year=2020, base_year=2020)
    assert g.urban_population_factor == g.value_factor == 1.0


def test_ssp_names() -> None:
    assert [parse_ssp(s) for s in ("ssp126", "ssp245", "ssp370", "ssp585", "SSP4", "3")] == [
        "SSP1", "SSP2", "SSP3", "SSP5", "SSP4", "SSP3",
    ]  # fmt: skip
    with pytest.raises(InputError) as info:
        parse_ssp("ssp119")
    expect_error(info, "input.unknown", "--ssp")


def test_overrides() -> None:
    base = growth_factors("KGZ", "SSP2", tables=TABLES, year=2050)
    f = growth_factors("KGZ", "SSP2", tables=TABLES, year=2050, overrides=Overrides(population_factor=1.5))
    assert f.urban_population_factor == 1.5
    assert f.value_factor == pytest.approx(1.5 * base.gdp_per_capita_factor, rel=1e-12)
    v = growth_factors(
        "KGZ", "SSP2", tables=TABLES, year=2050, overrides=Overrides(value_factor=2.0, population_growth_pct=1.0)
    )
    assert v.value_factor == 2.0
    assert v.urban_population_factor == pytest.approx(1.01**29, rel=1e-12)
    w = growth_factors("KGZ", "SSP2", tables=TABLES, horizon=2050, overrides=Overrides(gdp_per_capita_growth_pct=3.0))
    assert w.gdp_per_capita_factor == pytest.approx(np.mean([1.03 ** (y - 2021) for y in range(2041, 2061)]))
    assert w.as_dict()["overrides"] == {"gdp_per_capita_growth_pct": 3.0}
    with pytest.raises(InputError) as info:
        Overrides(value_factor=2.0, value_growth_pct=1.0)
    expect_error(info, "input.options", "--value-growth")
    with pytest.raises(InputError) as info:
        Overrides(population_factor=0.0)
    expect_error(info, "input.range", "--population-factor")
    with pytest.raises(InputError) as info:
        Overrides(gdp_per_capita_growth_pct=-100.0)
    expect_error(info, "input.range", "--gdp-per-capita-growth")


def test_errors() -> None:
    with pytest.raises(InputError) as info:
        growth_factors("TJK", "SSP2", tables=TABLES, horizon=2025)
    expect_error(info, "input.range", "--horizon")
    with pytest.raises(InputError) as info:
        growth_factors("AFG", "SSP2", tables=TABLES, horizon=2050)
    expect_error(info, "input.unknown", "--country")
    assert "KAZ, KGZ, TJK, TKM, UZB" in str(info.value)  # the shipped countries, from the tables
    with pytest.raises(InputError) as info:
        growth_factors("TJK", "SSP2", tables=TABLES, horizon=2050, year=2050)
    expect_error(info, "input.options", "--year")
    with pytest.raises(InputError) as info:
        growth_factors("TJK", "SSP2", tables=TABLES, horizon=2050, elasticity=float("nan"))
    expect_error(info, "input.range", "--elasticity")
    with pytest.raises(InputError) as info:
        growth_factors("TJK", "SSP2", tables=TABLES, horizon=2050, base_year=2019)
    expect_error(info, "input.range", "--base-year")


def small_exposure() -> Exposure:
    return Exposure(
        id=np.array(["a", "b", "c"], dtype=object), lon=np.array([68.7, 68.8, 68.9]), lat=np.full(3, 38.55),
        taxonomy=np.array(["MUR/LWAL/H:1"] * 3, dtype=object),
        costs={"structural": np.array([1e6, 2e6, 3e5]), "contents": np.array([1e5, 0.0, 5e4])},
        number=np.array([2.0, 5.0, 1.0]), occupants={"night": np.array([10.0, 20.0, 3.0])}, price_year=2021,
    )  # fmt: skip


def test_project_exposure_scales_totals_exactly() -> None:
    e0 = small_exposure()
    f = growth_factors("TJK", "ssp585", tables=TABLES, horizon=2050)
    e1 = project_exposure(e0, f)
    assert e1.price_year == 2021 and e1.currency == "USD" and list(e1.id) == list(e0.id)
    for k in e0.costs:
        np.testing.assert_allclose(e1.costs[k], e0.costs[k] * f.value_factor, rtol=1e-15)
    np.testing.assert_allclose(e1.occupants["night"], e0.occupants["night"] * f.urban_population_factor, rtol=1e-15)
    assert e1.number is not None and e0.number is not None
    np.testing.assert_allclose(e1.number, e0.number * f.urban_population_factor, rtol=1e-15)
    assert "SSP5 2041-2060" in e1.source
    rec = projection_record(e0, e1, f)
    assert rec["totals_after"]["cost_structural"] == pytest.approx(3.3e6 * f.value_factor)
    assert rec["units"]["cost"] == "USD of 2021"


def _app() -> typer.Typer:
    from kalkan.cli.growth import exposure_project

    app = typer.Typer()
    app.callback()(lambda: None)
    app.command("project")(exposure_project)
    return app


def test_cli_project_file(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    write_exposure_csv(small_exposure(), src)
    target = tmp_path / "out.csv"
    args = ["project", "--exposure", str(src), "--country", "TJK", "--ssp", "ssp245", "--horizon", "2050",
            "--value-factor", "3", "--output", str(target)]  # fmt: skip
    result = CliRunner().invoke(_app(), [*args, "--json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["factors"]["value_factor"] == 3.0 and record["factors"]["ssp"] == "SSP2"
    written = read_exposure(target)
    assert float(written.costs["structural"].sum()) == pytest.approx(3 * 3.3e6)
    assert Path(record["provenance_file"]).is_file()
    refused = CliRunner().invoke(_app(), args)  # the first run's file is never overwritten silently
    assert isinstance(refused.exception, ConflictError)
    table = CliRunner().invoke(_app(), [*args, "--force"])
    assert table.exit_code == 0 and "USD of 2021" in table.stdout
    bad = CliRunner().invoke(_app(), ["project", "--exposure", str(src), "--ssp", "SSP2", "--horizon", "2050",
                                      "--output", str(target)])  # fmt: skip
    assert isinstance(bad.exception, InputError) and "--country" in str(bad.exception)


def test_cli_project_city(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kalkan.app.database import upgrade_database
    from kalkan.store.city_data import save_exposure
    from kalkan.store.database import store_scope

    upgrade_database(sqlite_url)
    monkeypatch.setenv("KALKAN_DATABASE_URL", sqlite_url)
    with store_scope() as store, store.transaction() as session:
        save_exposure(session, "dushanbe", small_exposure(), licence="test", citation="test", method={})
    target = tmp_path / "dushanbe_2050.csv"
    result = CliRunner().invoke(
        _app(),
        ["project", "--city", "dushanbe", "--ssp", "ssp585", "--year", "2050", "--output", str(target), "--json"],
    )
    assert result.exit_code == 0, result.output
    f = growth_factors("TJK", "SSP5", tables=TABLES, year=2050)
    record = json.loads(result.stdout)
    assert record["factors"]["country_iso3"] == "TJK"
    assert record["factors"]["value_factor"] == pytest.approx(f.value_factor, rel=1e-12)
    assert record["totals_after"]["occupants_night"] == pytest.approx(33 * f.urban_population_factor)
