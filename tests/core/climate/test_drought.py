"""Drought indices: PET, SPI/SPEI and the delta method checked against hand-worked and independent expectations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import stats
from typer.testing import CliRunner

from kalkan.app.drought import city_drought
from kalkan.catalog.cities import SHIPPED_SERIES, cities_without_precipitation
from kalkan.cli.drought import climate_drought
from kalkan.core.climate.drought import (
    Calibration,
    DroughtBaseline,
    baseline,
    calibrate,
    drought_statistics,
    fit_glo_lmoments,
    glo_as_fisk,
    monthly_total,
    rolling_sum,
    standardized_index,
    thornthwaite_pet_mm_month,
    water_balance,
)
from kalkan.core.climate.series import DailySeries, MonthlyWeather, gap_report
from kalkan.errors import InputError
from kalkan.io.daily_temperature import load_city_series
from kalkan.io.daily_weather import WeatherFileError, read_user_weather_csv
from tests.errors import expect_error

F = NDArray[np.float64]


def daily_series(start: str, end: str, seed: int = 1, drop_precip_day: str | None = None) -> DailySeries:
    """Synthetic daily weather: seasonal Tmax/Tmin (°C) and gamma-distributed daily precipitation (mm)."""
    rng = np.random.default_rng(seed)
    dates = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    doy = (dates - dates.astype("datetime64[Y]")).astype(int)
    season = 14.0 * np.sin(2 * np.pi * (doy - 110) / 365.25)
    tmax = 18.0 + season + rng.normal(0, 3, dates.size)
    tmin = tmax - 9.0 - np.abs(rng.normal(0, 2, dates.size))
    precip = np.where(rng.random(dates.size) < 0.3, rng.gamma(0.8, 6.0, dates.size), 0.0)
    if drop_precip_day is not None:
        precip[int((np.datetime64(drop_precip_day) - dates[0]).astype(int))] = np.nan
    ok = np.zeros(dates.size, dtype=bool)
    return DailySeries(
        dates,
        tmax,
        tmin,
        None,
        "synthetic",
        "station",
        "test",
        gap_report(dates, ok),
        precip_mm=precip,
        precip_gaps=gap_report(dates, np.isnan(precip)),
    )


# --- PET -----------------------------------------------------------------------------------------------


def test_thornthwaite_hand_computed_month_at_the_equator() -> None:
    # Thornthwaite (1948): PET = 16 (L/12) (N/30) (10 T / I)^a mm/month, I = Σ (T_m / 5)^1.514 over the
    # 12 months, a = 6.75e-7 I³ − 7.71e-5 I² + 0.01791 I + 0.49239. At the equator L = 12 h every day.
    months = np.arange(np.datetime64("2001-01"), np.datetime64("2003-01"))
    t = np.array([20.0, 21, 22, 23, 24, 25, 25, 24, 23, 22, 21, 20] * 2)
    heat_index = float(np.sum((t[:12] / 5.0) ** 1.514))  # 117.251
    a = 6.75e-7 * heat_index**3 - 7.71e-5 * heat_index**2 + 0.01791 * heat_index + 0.49239
    # February 2001 (28 days), T = 21 °C:
    feb = 16.0 * 1.0 * (28 / 30) * (10 * 21.0 / heat_index) ** a
    assert heat_index == pytest.approx(117.251, abs=0.001) and a == pytest.approx(2.6205, abs=1e-4)
    assert feb == pytest.approx(68.77, abs=0.01)
    pet = thornthwaite_pet_mm_month(months, t, 0.0)
    assert pet[1] == pytest.approx(feb, rel=1e-4)
    n = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] * 2)
    np.testing.assert_allclose(pet, 16.0 * (n / 30) * (10 * t / heat_index) ** a, rtol=1e-4)
    # A missing month: no heat index for that year, so no PET in any of its months (nothing filled).
    t_gap = t.copy()
    t_gap[15] = np.nan
    pet_gap = thornthwaite_pet_mm_month(months, t_gap, 0.0)
    assert np.isnan(pet_gap[12:]).all() and np.allclose(pet_gap[:12], pet[:12])


def test_monthly_totals_keep_gaps() -> None:
    s = daily_series("2001-01-01", "2001-03-31", drop_precip_day="2001-02-10")
    assert s.precip_mm is not None
    months, total = monthly_total(s.dates, s.precip_mm)
    assert [str(m) for m in months] == ["2001-01", "2001-02", "2001-03"]
    assert total[0] == pytest.approx(float(np.sum(s.precip_mm[:31])))
    assert np.isnan(total[1]) and not np.isnan(total[2])
    wb = water_balance(s, 41.0)
    assert wb.missing_months == ("2001-02",) and wb.pet_method == "hargreaves"
    assert np.isnan(wb.balance_mm[1]) and (wb.pet_mm[[0, 2]] > 0).all()
    # partial month at the start (series from the 2nd) is missing too
    _, partial = monthly_total(s.dates[1:], s.precip_mm[1:])
    assert np.isnan(partial[0])


def test_rolling_sum_and_statistics_by_hand() -> None:
    x = np.array([1.0, 2.0, 3.0, np.nan, 5.0, 6.0, 7.0])
    np.testing.assert_array_equal(rolling_sum(x, 2), [np.nan, 3.0, 5.0, np.nan, np.nan, 11.0, 13.0])
    v = np.array([0.5, -1.0, -1.2, 0.0, -1.6, np.nan, -2.0, -1.1, 0.3, 8.21])
    s = drought_statistics(v, "SPEI", 3)
    assert s.months == 9
    assert s.share_le_m1 == pytest.approx(5 / 9) and s.share_le_m1_5 == pytest.approx(2 / 9)
    assert (s.events, s.max_duration_months) == (3, 2)  # [-1.0, -1.2], [-1.6] (NaN ends it), [-2.0, -1.1]
    assert s.mean_duration_months == pytest.approx(5 / 3)
    assert s.months_at_bound == 1


# --- SPI / SPEI -------------------------------------------------------------------------------------------


def monthly_weather(precip: F, tmean: F, start: str = "1901-01") -> MonthlyWeather:
    months = np.arange(np.datetime64(start), np.datetime64(start) + precip.size)
    return MonthlyWeather(months, precip, tmean, "synthetic", "station", "test", (), 0)


def test_spi_of_gamma_series_is_standard_normal() -> None:
    rng = np.random.default_rng(7)
    n_years = 100
    scale = np.tile([10.0, 12, 20, 35, 40, 30, 25, 20, 15, 12, 10, 9], n_years)
    precip = rng.gamma(2.5, scale)
    mw = monthly_weather(precip, np.full(precip.size, 15.0))
    wb = water_balance(mw, 40.0)
    cal = calibrate(wb, "SPI", 1, years=(1901, 2000))
    spi = standardized_index(wb, cal)
    assert cal.first_month == "1901-01" and cal.last_month == "2000-12"
    assert abs(float(np.mean(spi))) < 0.05
    assert float(np.std(spi)) == pytest.approx(1.0, abs=0.05)
    assert float(np.mean(spi <= -1.0)) == pytest.approx(0.1587, abs=0.03)  # Φ(−1)


def test_too_short_calibration_is_an_error() -> None:
    rng = np.random.default_rng(1)
    mw = monthly_weather(rng.gamma(2.0, 10.0, 60), np.full(60, 12.0), start="1995-01")
    wb = water_balance(mw, 40.0)
    with pytest.raises(InputError) as info:
        calibrate(wb, "SPI", 3)
    expect_error(info, "input.empty", "calibration")
    with pytest.raises(InputError) as info:
        baseline(monthly_weather(np.ones(24), np.ones(24), start="2020-01"), 40.0)
    expect_error(info, "input.outside", "calibration")


@pytest.fixture(scope="module")
def synthetic() -> tuple[DailySeries, DroughtBaseline]:
    s = daily_series("1994-06-01", "2004-12-31")
    return s, baseline(s, 41.0, years=(1995, 2004), scales=(3,))


def test_loglogistic_lmoment_fit_recovers_known_parameters() -> None:
    d = stats.fisk(c=4.0, loc=-50.0, scale=100.0)
    x = d.rvs(200_000, random_state=np.random.default_rng(1))
    (c, loc, scale), mirrored = glo_as_fisk(*fit_glo_lmoments(x))
    assert not mirrored
    assert (c, loc, scale) == pytest.approx((4.0, -50.0, 100.0), rel=0.03)
    (c2, loc2, scale2), mirrored2 = glo_as_fisk(*fit_glo_lmoments(-x))  # left-skewed: the mirror image
    assert mirrored2 and (c2, loc2, scale2) == pytest.approx((c, loc, scale), rel=1e-9)


def test_spei_is_phi_inverse_of_the_fitted_cdf(synthetic: tuple[DailySeries, DroughtBaseline]) -> None:
    """xclim's mapping of our fitted parameters equals Φ⁻¹(F(x)) computed independently with scipy."""
    _, base = synthetic
    wb = base.water_balance
    cal = next(c for c in base.calibrations if c.index == "SPEI")
    ours = standardized_index(wb, cal)
    sums = rolling_sum(wb.balance_mm, cal.scale_months)
    month_no = wb.months.astype(np.int64) % 12
    direct, mirror = (np.asarray(p.values) for p in cal.params)
    expected = np.full(sums.size, np.nan)
    for i in np.flatnonzero(~np.isnan(sums)):
        m = month_no[i]
        if np.isnan(direct[m, 0]):
            c, loc, scale = mirror[m]
            expected[i] = -stats.norm.ppf(stats.fisk.cdf(-sums[i], c, loc, scale))
        else:
            c, loc, scale = direct[m]
            expected[i] = stats.norm.ppf(stats.fisk.cdf(sums[i], c, loc, scale))
    expected = np.clip(expected, -8.21, 8.21)
    keep = ~np.isnan(sums)
    np.testing.assert_allclose(ours[keep], expected[keep], atol=1e-9)
    assert abs(float(np.nanmean(ours[keep]))) < 0.15


def test_our_spi_equals_xclim_end_to_end(synthetic: tuple[DailySeries, DroughtBaseline]) -> None:
    """Same index both ways: our 3-month sums, calibration window and fixed params vs xclim's own pipeline."""
    xi = pytest.importorskip("xclim.indices")
    xr = pytest.importorskip("xarray")
    _, base = synthetic
    wb = base.water_balance
    cal = next(c for c in base.calibrations if c.index == "SPI")
    ours = standardized_index(wb, cal)
    # xclim rolls a running *mean*; feeding it 3 × P makes that our 3-month sum, so both fit the same data.
    da = xr.DataArray(
        3.0 * wb.precip_mm, coords={"time": wb.months.astype("datetime64[ns]")}, dims="time", attrs={"units": "mm/d"}
    )
    theirs = xi.standardized_precipitation_index(
        da,
        freq=None,
        window=3,
        dist="gamma",
        method="ML",
        fitkwargs={"floc": 0.0},
        cal_start="1995-01-01",
        cal_end="2004-12-31",
    )
    keep = ~np.isnan(ours)
    assert keep.sum() >= 120
    np.testing.assert_allclose(ours[keep], np.asarray(theirs.values)[keep], atol=1e-4)


def _index(base: DroughtBaseline, source: DailySeries, cal: Calibration, **kw: Any) -> F:
    wb = water_balance(
        source, 41.0, first_month=base.first_month, last_month=base.window[1], pet_method="hargreaves", **kw
    )
    return standardized_index(wb, cal)


@settings(max_examples=8, deadline=None)
@given(delta=st.lists(st.floats(0.0, 6.0, allow_nan=False), min_size=12, max_size=12))
def test_warming_never_increases_spei(synthetic: tuple[DailySeries, DroughtBaseline], delta: list[float]) -> None:
    s, base = synthetic
    cal = next(c for c in base.calibrations if c.index == "SPEI")
    before = _index(base, s, cal)
    after = _index(base, s, cal, delta_t_c=delta)
    ok = ~np.isnan(before)
    assert np.array_equal(ok, ~np.isnan(after))
    assert (after[ok] <= before[ok] + 1e-9).all()


@settings(max_examples=8, deadline=None)
@given(k=st.floats(0.001, 1.0, allow_nan=False))
def test_more_precipitation_never_decreases_spei_or_spi(
    synthetic: tuple[DailySeries, DroughtBaseline], k: float
) -> None:
    s, base = synthetic
    for cal in base.calibrations:
        before = _index(base, s, cal)
        after = _index(base, s, cal, precip_factor=1.0 + k)
        ok = ~np.isnan(before)
        assert (after[ok] >= before[ok] - 1e-9).all(), cal.index


def test_baseline_gap_is_reported_and_propagates() -> None:
    s = daily_series("1994-10-01", "2005-12-31", seed=3, drop_precip_day="1999-06-15")
    base = baseline(s, 41.0, years=(1995, 2005), scales=(3,))
    assert base.water_balance.missing_months == ("1999-06",)
    spei = standardized_index(base.water_balance, base.calibrations[0])
    months = [str(m) for m in base.water_balance.months]
    missing = {months[i] for i in np.flatnonzero(np.isnan(spei))}
    assert {"1999-06", "1999-07", "1999-08"} <= missing and "1999-09" not in missing


# --- user files ---------------------------------------------------------------------------------------------


def test_user_csv_daily_and_monthly(tmp_path: Path) -> None:
    daily = tmp_path / "d.csv"
    daily.write_text("date,precip_mm,tmax_c,tmin_c\n2001-01-01,0.5,3,-4\n2001-01-03,,2,-5\n2001-01-04,-99,1,-2\n")
    s = read_user_weather_csv(daily)
    assert isinstance(s, DailySeries) and s.precip_mm is not None and s.precip_gaps is not None
    assert s.precip_gaps.missing_days == 3 and s.precip_gaps.absent_days == 1  # 2nd absent, 3rd empty, 4th −99
    monthly = tmp_path / "m.csv"
    monthly.write_text("month,precip_mm,tmax_c,tmin_c\n2001-01,20,3,-5\n2001-03,31.5,10,0\n")
    m = read_user_weather_csv(monthly)
    assert isinstance(m, MonthlyWeather)
    assert m.missing_months == ("2001-02",) and m.absent_months == 1
    np.testing.assert_allclose(m.tmean_c[[0, 2]], [-1.0, 5.0])


def test_user_csv_reports_every_bad_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date,precip_mm,tmax_c,tmin_c\n2001-01-01,-3,3,-4\n2001-13-01,1,2,1\n2001-01-02,x,2,5\n2001-01-01,1,1,0\n"
    )
    with pytest.raises(WeatherFileError) as err:
        read_user_weather_csv(bad)
    found = {(p.row, p.field, p.code) for p in err.value.problems}
    assert found == {(2, "precip_mm", "input.range"), (3, "date", "input.type"), (4, "precip_mm", "input.type"),
                     (4, "tmin_c", "input.inconsistent"), (5, "date", "input.duplicate")}  # fmt: skip
    expect_error(err, "input.range", "precip_mm", 2)  # the error names the first problem
    inches = tmp_path / "in.csv"
    inches.write_text("month,precip_in,tmean_c\n2001-01,1,2\n")
    with pytest.raises(WeatherFileError) as err:
        read_user_weather_csv(inches)
    expect_error(err, "input.unsupported", "precip_in", 1)


# --- shipped data, service and CLI ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def petropavl() -> dict[str, Any]:
    return city_drought("petropavl", ssp=["ssp585"], horizons=[2090])


def test_shipped_petropavl_spei_and_a_drier_future(petropavl: dict[str, Any]) -> None:
    r = petropavl
    assert r["available"] and r["data"]["reanalysis"] is True and r["region"] == "WSB"
    assert r["method"]["pet_method"] == "hargreaves" and r["method"]["calibration"][0]["period"] == "1995-01 to 2014-12"
    b = r["baseline"]["statistics"]["SPEI-3"]
    assert b["months"] == 240 and abs(b["mean"]) < 0.1 and 0.1 < b["share_months_le_minus1"] < 0.25
    wb = r["baseline"]["water_balance"]
    assert 300 < wb["precip_mm_per_year"] < 550 and wb["pet_mm_per_year"] > wb["precip_mm_per_year"]
    [row] = r["scenarios"]
    assert row["precip_method"] == "scaled by global warming level (sparse data)"
    assert row["delta_t_annual_c"] > 4 and row["precip_change_pct"] > 0
    fut = row["statistics"]["SPEI-3"]
    assert fut["share_months_le_minus1"] > b["share_months_le_minus1"] and fut["mean"] < b["mean"]
    assert row["statistics"]["SPI-3"]["mean"] > r["baseline"]["statistics"]["SPI-3"]["mean"]  # wetter, by scaling
    assert "Vicente-Serrano" in r["citations"]["spei"] and "10.21105/joss.05415" in r["citations"]["xclim"]
    # the one climate baseline, stated: the 1984-2020 series covers all of 1995-2014
    period = r["baseline_period"]
    assert period["baseline"] == "1995-2014" and "IPCC AR6" in period["reference"]
    assert period["period_used"] == "1995-01 to 2014-12" and period["covers_baseline"] is True
    assert period["note"] is None


@pytest.mark.parametrize("city", ["osh", "namangan"])
def test_shipped_cfsr_cities_calibrate_on_the_overlap(city: str) -> None:
    lat = SHIPPED_SERIES[city].latitude_deg
    assert lat is not None
    base = baseline(load_city_series(city), lat, scales=(3,))
    assert base.window == ("1995-01", "2014-07")  # CFSR ends 2014-07-31
    assert "1999-01" in base.water_balance.missing_months  # January 1999 is absent from the file
    spei = next(s for s in base.statistics if s.index == "SPEI")
    assert spei.months == 232 and abs(spei.mean or 1) < 0.15


def test_a_series_ending_inside_the_baseline_says_so() -> None:
    """Osh's CFSR series ends in July 2014: the output keeps the 1995-2014 baseline and states the months used,
    in JSON and in the printed table."""
    res = CliRunner().invoke(_app(), ["drought", "osh", "--ssp", "ssp245", "--horizon", "2050"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "Baseline 1995-2014 (IPCC AR6" in text and "used 1995-01 to 2014-07" in text
    assert "the baseline is not moved" in text
    period = city_drought("osh", ssp=["ssp245"], horizons=[2050])["baseline_period"]
    assert period["period_used"] == "1995-01 to 2014-07" and period["covers_baseline"] is False
    assert "2014-07" in period["note"]


def test_cities_without_precipitation_are_said_so() -> None:
    assert cities_without_precipitation() == ("ashgabat", "dushanbe")
    r = city_drought("dushanbe", ssp=["ssp245"], horizons=[2050])
    assert r["available"] is False and "no precipitation" in r["unavailable"]
    assert "baseline" not in r and r["data"]["variables"] == ["tmean_c"]


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("drought")(climate_drought)

    @app.callback()
    def _root() -> None:
        """Test root."""

    return app


def test_cli_json_table_and_user_file(tmp_path: Path) -> None:
    runner = CliRunner()
    app = _app()
    res = runner.invoke(app, ["drought", "ashgabat", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["available"] is False
    # A monthly user file for Osh: Thornthwaite PET, calibrated on 1995-2014.
    rng = np.random.default_rng(5)
    lines = ["month,precip_mm,tmean_c"]
    for i in range(240):
        y, m = 1995 + i // 12, i % 12 + 1
        t = 12 + 14 * np.sin(2 * np.pi * (m - 4) / 12) + rng.normal(0, 1)
        lines.append(f"{y}-{m:02d},{rng.gamma(2.0, 15.0):.1f},{t:.1f}")
    f = tmp_path / "osh_monthly.csv"
    f.write_text("\n".join(lines) + "\n")
    res = runner.invoke(app, ["drought", "osh", "--precip-file", str(f), "--ssp", "ssp245", "--horizon", "2050"])
    assert res.exit_code == 0, res.output
    assert "Thornthwaite" in res.output and "SPEI-12" in res.output and "mm/yr" in res.output
    res = runner.invoke(
        app, ["drought", "osh", "--precip-file", str(f), "--ssp", "ssp245", "--horizon", "2050", "--json"]
    )
    data = json.loads(res.stdout)
    assert data["method"]["pet_method"] == "thornthwaite" and data["data"]["resolution"] == "monthly"
    assert data["scenarios"][0]["window"] == "2041-2060"
    assert data["baseline_period"]["covers_baseline"] is True and data["baseline_period"]["baseline"] == "1995-2014"
    res = runner.invoke(app, ["drought", "osh", "--precip-file", str(f), "--calibration", "2000-2014", "--json"])
    chosen = json.loads(res.stdout)["baseline_period"]
    assert chosen["baseline"] == "2000-2014" and "chosen by the user" in chosen["reference"]
    assert "stay relative to 1995-2014" in chosen["reference"]
    bad = tmp_path / "bad.csv"
    bad.write_text("month,precip_mm,tmean_c\n2001-01,-5,3\n")
    res = runner.invoke(app, ["drought", "osh", "--precip-file", str(bad)])
    assert isinstance(res.exception, WeatherFileError)
    res = runner.invoke(app, ["drought", "osh", "--percentile", "150"])
    assert isinstance(res.exception, InputError)
