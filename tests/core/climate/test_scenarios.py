"""Regional warming reproduces the data README's tables; windows, statistics, GWL and errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from kalkan.catalog.sources import data_root
from kalkan.core.climate.scenarios import (
    OBSERVED_WARMING_1850_1900_TO_1995_2014_C,
    SSPS,
    Scenario,
    Statistic,
    TasTable,
    horizon_window,
    model_changes,
    parse_horizon,
    parse_ssp,
    parse_statistic,
    region_scenarios,
    regional_change,
    scenario_grid,
    warming_path,
)
from kalkan.errors import InputError
from kalkan.io.founding_cities import city_region
from tests.errors import expect_error

README = data_root() / "climate" / "ar6_regional" / "README.md"
LABEL_TO_SSP = {label: code for code, label in SSPS.items()}
ROW = re.compile(
    r"^\| (WCA|WSB) \| (SSP\d-\d\.\d) \| \+(\d+\.\d\d) \[(\d+\.\d\d)–(\d+\.\d\d)\] "
    r"\| \+(\d+\.\d\d) \[(\d+\.\d\d)–(\d+\.\d\d)\] \| (\d+) \|$"
)


def _readme_rows(path: Path) -> list[tuple[str, str, str, int, str, float, float, float, int]]:
    """(ensemble, region, ssp, horizon, window, median, p10, p90, n) parsed from the README's two tables."""
    rows = []
    ensemble = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("**Ensemble: all models with that SSP**"):
            ensemble = "all"
        elif line.startswith("**Ensemble: 29 models with all 4 SSPs**"):
            ensemble = "complete"
        m = ROW.match(line)
        if m and ensemble:
            region, label = m.group(1), m.group(2)
            for horizon, window, g in ((2050, "2041-2060", 3), (2090, "2081-2100", 6)):
                med, lo, hi = (float(m.group(g + k)) for k in range(3))
                rows.append((ensemble, region, LABEL_TO_SSP[label], horizon, window, med, lo, hi, int(m.group(9))))
    return rows


README_ROWS = _readme_rows(README)


def test_readme_tables_parsed_in_full() -> None:
    # 2 ensembles x 2 regions x 4 SSPs x 2 horizons
    assert len(README_ROWS) == 32
    assert {r[0] for r in README_ROWS} == {"all", "complete"}


@pytest.mark.parametrize("row", README_ROWS, ids=lambda r: "-".join(str(x) for x in r[:4]))
def test_reproduces_readme_table(
    table: TasTable, row: tuple[str, str, str, int, str, float, float, float, int]
) -> None:
    ensemble, region, ssp, horizon, window, med, lo, hi, n = row
    for pct, expected in ((50, med), (10, lo), (90, hi)):
        res = regional_change(Scenario(ssp, horizon, Statistic(percentile=pct), ensemble), region, table)
        assert res.window.label == window
        assert res.n_models == n
        assert abs(res.delta_tas_c - expected) <= 0.005 + 1e-9, (pct, res.delta_tas_c, expected)


def test_linear_percentile_is_the_definition_that_reproduces_the_readme(table: TasTable) -> None:
    """Documented choice: numpy 'linear' (type 7) matches every cell; e.g. 'weibull' (type 6) does not."""
    misses = {"linear": 0, "weibull": 0, "hazen": 0}
    for ensemble, region, ssp, horizon, _window, _med, lo, hi, _n in README_ROWS:
        models = table.ensemble(ssp, ensemble)
        ch = model_changes(table, ssp, horizon_window(horizon), region, models).annual_c
        for method in misses:
            got = np.percentile(ch, [10, 90], method=method)  # type: ignore[call-overload]
            misses[method] += int(abs(got[0] - lo) > 0.0051) + int(abs(got[1] - hi) > 0.0051)
    assert misses["linear"] == 0
    assert misses["weibull"] > 0 and misses["hazen"] > 0


def test_world_median_matches_readme_sentence(table: TasTable) -> None:
    """README: world median +0.97/+1.11 (SSP1-2.6) ... +1.70/+3.92 (SSP5-8.5) for 2041-2060/2081-2100.

    These figures match the all-models ensemble (the 29-model one gives e.g. +1.03 for SSP1-2.6 2081-2100).
    """
    expected = {"ssp126": (0.97, 1.11), "ssp245": (1.22, 2.11), "ssp370": (1.33, 3.04), "ssp585": (1.70, 3.92)}
    for ssp, values in expected.items():
        for horizon, value in zip((2050, 2090), values, strict=True):
            res = regional_change(Scenario(ssp, horizon), "WCA", table)
            assert abs(res.gwl_c - value) <= 0.005 + 1e-9
            assert res.gwl_preindustrial_c == pytest.approx(res.gwl_c + 0.85)
            world = regional_change(Scenario(ssp, horizon), "world", table)
            assert world.delta_tas_c == pytest.approx(res.gwl_c)


def test_observed_warming_constant_is_ar6_value() -> None:
    assert OBSERVED_WARMING_1850_1900_TO_1995_2014_C == 0.85


def test_ensembles_have_the_readme_sizes(table: TasTable) -> None:
    assert {s: len(table.ensemble(s, "all")) for s in SSPS} == {"ssp126": 32, "ssp245": 34, "ssp370": 30, "ssp585": 34}
    assert {len(table.ensemble(s, "complete")) for s in SSPS} == {29}


def test_horizon_windows() -> None:
    assert horizon_window(2050).label == "2041-2060"
    assert horizon_window(2090).label == "2081-2100"
    assert horizon_window(2030).label == "2021-2040"
    assert horizon_window(2080).label == "2071-2090"
    assert horizon_window("baseline").label == "1995-2014"
    assert horizon_window(2100).label == "2091-2100"  # cut at the end of the data
    assert parse_horizon("2050") == 2050 and parse_horizon(" Baseline ") == "baseline"


def test_baseline_is_zero_change(table: TasTable) -> None:
    res = regional_change(Scenario("ssp245", "baseline"), "WSB", table)
    assert res.delta_tas_c == pytest.approx(0.0, abs=1e-12)
    assert res.gwl_c == pytest.approx(0.0, abs=1e-12)
    assert res.gwl_preindustrial_c == pytest.approx(0.85)
    assert np.allclose(res.delta_tas_monthly_c, 0.0)


def test_early_horizon_joins_historical_and_ssp(table: TasTable) -> None:
    """2015 = 2006-2025: 2006-2014 from the historical run, 2015-2025 from the SSP run."""
    res = regional_change(Scenario("ssp585", 2015), "WCA", table)
    assert res.window.label == "2006-2025"
    assert res.years_in_window_min == 20
    assert 0.0 < res.delta_tas_c < 1.0


def test_monthly_changes_average_to_annual(table: TasTable) -> None:
    """Exactly for one model (same complete years); approximately for the median across models.

    Percentiles are taken month by month, so p10/p90 of the months need not average to the annual p10/p90.
    """
    one = regional_change(Scenario("ssp370", 2090, parse_statistic("MPI-ESM1-2-HR")), "WSB", table)
    assert np.mean(one.delta_tas_monthly_c) == pytest.approx(one.delta_tas_c, abs=1e-9)
    medians = scenario_grid(horizons=(2030, 2050, 2090), statistics=(Statistic(percentile=50.0),))
    for region in ("WCA", "WSB"):
        for res in region_scenarios(region, medians, table):
            assert len(res.delta_tas_monthly_c) == 12
            assert abs(np.mean(res.delta_tas_monthly_c) - res.delta_tas_c) < 0.15


def test_named_model_and_short_runs(table: TasTable) -> None:
    res = regional_change(Scenario("ssp245", 2090, parse_statistic("IITM-ESM")), "WCA", table)
    assert res.n_models == 1 and res.models == ("IITM-ESM",)
    assert res.years_in_window_min == 19  # the run ends in 2099-12 (README)
    assert (
        regional_change(Scenario("ssp370", 2090, parse_statistic("IITM-ESM")), "WCA", table).years_in_window_min == 18
    )


def test_city_scenarios_use_the_city_region(table: TasTable) -> None:
    [res] = region_scenarios(city_region("petropavl"), [Scenario("ssp585", 2050)], table)
    assert res.region == "WSB" and abs(res.delta_tas_c - 2.90) <= 0.005


def test_default_grid() -> None:
    grid = scenario_grid()
    assert len(grid) == 48
    assert {s.ssp for s in grid} == set(SSPS)
    assert {s.horizon for s in grid} == {2030, 2050, 2080, 2090}
    assert {s.statistic.percentile for s in grid} == {10.0, 50.0, 90.0}


def test_warming_path_is_monotone_in_percentile(table: TasTable) -> None:
    path = warming_path("WSB", "ssp585", table=table)
    assert path.centres[0] == 2030 and path.centres[-1] == 2090 and len(path.centres) == 13
    assert all(lo <= med <= hi for lo, med, hi in zip(path.low_c, path.median_c, path.high_c, strict=True))
    assert abs(path.median_c[4] - 2.90) <= 0.005  # 2050 = README's 2041-2060 median


@pytest.mark.parametrize(
    ("call", "code", "field"),
    [
        (lambda: parse_ssp("ssp119"), "input.unknown", "ssp"),
        (lambda: Scenario("rcp85", 2050), "input.unknown", "ssp"),
        (lambda: horizon_window(2014), "input.range", "horizon"),
        (lambda: horizon_window(2101), "input.range", "horizon"),
        (lambda: parse_horizon("2050s"), "input.type", "horizon"),
        (lambda: Scenario("ssp245", 2050, ensemble="cmip5"), "input.unknown", "ensemble"),
        (lambda: parse_statistic("p150"), "input.range", "statistic"),
        (lambda: parse_statistic("50%!"), "input.type", "statistic"),
        (lambda: Statistic(), "input.options", "statistic"),
    ],
)
def test_input_errors(call: object, code: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    expect_error(info, code, field)


def test_data_errors(table: TasTable) -> None:
    with pytest.raises(InputError) as info:
        regional_change(Scenario("ssp245", 2050), "EAS", table)
    expect_error(info, "input.unknown", "region")
    assert "WCA, WSB, ECA, EEU, TIB, world" in str(info.value)  # the regions the data hold, listed
    with pytest.raises(InputError) as info:
        regional_change(Scenario("ssp245", 2050, parse_statistic("HadGEM9")), "WCA", table)
    expect_error(info, "input.unknown", "statistic")
    with pytest.raises(InputError) as info:
        regional_change(Scenario("ssp126", 2050, parse_statistic("TaiESM1")), "WCA", table)
    expect_error(info, "input.empty", "statistic")
    assert "historical, ssp585" in str(info.value)  # the runs the model has
