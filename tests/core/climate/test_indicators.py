"""Indicators, delta shift and heat mortality checked against hand-worked series; the service end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from kalkan.app.climate_indicators import city_indicators
from kalkan.core.climate.delta import shift
from kalkan.core.climate.heat_mortality import (
    BACCINI_2008_NORTH_CONTINENTAL,
    attributable_fraction,
    heat_attributable_deaths,
    relative_risk,
)
from kalkan.core.climate.indicators import (
    Thresholds,
    baseline_thresholds,
    compute_indicators,
    cooling_degree_days,
    heat_waves,
    heating_degree_days,
    year_selection,
)
from kalkan.core.climate.series import DailySeries, gap_report
from kalkan.errors import InputError, NotFoundError
from tests.errors import expect_error

F = NDArray[np.float64]


def make_series(
    tmax: F | None, tmin: F | None, tmean: F | None = None, start: str = "2001-01-01", kind: str = "station"
) -> DailySeries:
    n = next(x.size for x in (tmax, tmin, tmean) if x is not None)
    dates = np.arange(np.datetime64(start), np.datetime64(start) + n)
    missing = np.zeros(n, dtype=bool)
    for x in (tmax, tmin, tmean):
        if x is not None:
            missing |= np.isnan(x)
    assert kind in ("station", "reanalysis")
    return DailySeries(dates, tmax, tmin, tmean, "test", kind, "test", gap_report(dates, missing))  # type: ignore[arg-type]


def hand_year() -> DailySeries:
    """2001 (365 days): Tmax 10 °C and Tmin 5 °C except on the days set below (0 = 1 January)."""
    tx = np.full(365, 10.0)
    tn = np.full(365, 5.0)
    tx[100:103] = 36.0  # hot days and a 3-day heat wave, excess 6 °C each day over 30 °C
    tx[200], tx[201] = 35.0, 34.9  # 35.0 counts as ≥ 35; a 2-day run is no heat wave
    tx[300:305] = [31.0, 32.0, 33.0, np.nan, 31.0]  # 3-day wave (excess 1+2+3), NaN breaks the run
    tn[150:153] = [20.0, 25.0, 19.9]  # two tropical nights
    tn[10:14] = [-0.1, -30.0, 0.0, -25.0]  # three frost days, two ≤ −25 °C
    return make_series(tx, tn)


HAND_THRESHOLDS = Thresholds(tmax_p90_c=30.0, tmax_p95_c=35.5, tmin_p05_c=-10.0, years=(2001,))


def test_hand_worked_year_every_indicator() -> None:
    ind = compute_indicators(hand_year(), thresholds=HAND_THRESHOLDS)
    v = {k: i.value for k, i in ind.indicators.items()}
    assert ind.years_used == (2001,) and ind.years_excluded == {}
    assert v["hot_days_tmax_ge_35c"] == 4
    assert v["hot_days_tmax_gt_p90"] == 3 + 2 + 4
    assert v["hot_days_tmax_gt_p95"] == 3
    assert v["tropical_nights_tmin_ge_20c"] == 2
    assert v["frost_days_tmin_lt_0c"] == 3
    assert v["extreme_cold_days_tmin_le_m25c"] == 2
    assert v["extreme_cold_days_tmin_lt_p05"] == 2
    assert v["heatwave_events"] == 2
    assert v["heatwave_days"] == 6
    assert v["heatwave_mean_duration"] == 3.0
    assert v["heatwave_max_duration"] == 3.0
    assert v["heatwave_mean_intensity"] == pytest.approx((3 * 6.0 + 1 + 2 + 3) / 6)
    assert ind.indicators["hot_days_tmax_ge_35c"].unit == "days/year"
    assert ind.indicators["heatwave_mean_intensity"].unit == "°C"
    # Tmean = (Tmax + Tmin)/2; HDD by hand from the same arrays.
    s = hand_year()
    assert s.tmax_c is not None and s.tmin_c is not None
    tm = (s.tmax_c + s.tmin_c) / 2
    assert v["heating_degree_days_base_18c"] == pytest.approx(float(np.nansum(np.maximum(0, 18 - tm))))
    assert v["cooling_degree_days_base_18c"] == pytest.approx(
        3 * 2.5 + 2.0 + 1.95 + 0.5 + 1.0
    )  # Tmean 20.5, 20, 19.95, 18.5, 19


def test_degree_days_and_heat_wave_kernels_by_hand() -> None:
    t = np.array([10.0, 18.0, 20.0, 25.0, np.nan])
    assert heating_degree_days(t) == 8.0
    assert cooling_degree_days(t) == 9.0
    assert cooling_degree_days(t, base_c=22.0) == 3.0
    hw = heat_waves(np.array([31, 32, 33, 34, 20, 31, 31, 31, 20, 31, 31]), 30.0)
    assert (hw.events, hw.days, hw.max_duration_days) == (2, 7, 4)
    assert hw.mean_intensity_c == pytest.approx((1 + 2 + 3 + 4 + 1 + 1 + 1) / 7)
    none = heat_waves(np.array([31.0, 31.0, 20.0]), 30.0)
    assert none.events == 0 and math.isnan(none.mean_intensity_c)


def test_percentile_thresholds() -> None:
    tx = np.arange(365, dtype=float) / 10
    s = make_series(tx, tx - 5)
    th = baseline_thresholds(s, (2001,))
    assert th.tmax_p90_c == pytest.approx(float(np.percentile(tx, 90)))
    assert th.tmax_p95_c == pytest.approx(34.58)  # 0.95 x 364 = 345.8 -> 34.58
    assert th.tmin_p05_c == pytest.approx(float(np.percentile(tx - 5, 5)))
    ind = compute_indicators(s)
    assert ind.indicators["hot_days_tmax_gt_p90"].value == 37  # 32.8 … 36.4 °C are above the p90 of 32.76 °C


def test_years_with_too_many_gaps_are_excluded_and_reported() -> None:
    tx = np.full(365 + 365 + 100, 20.0)
    tx[365 + 10 : 365 + 50] = np.nan  # 40 missing days in 2002 (> 10 %)
    tx[5:30] = np.nan  # 25 missing days in 2001 (≤ 10 %)
    s = make_series(tx, tx - 10)
    kept, excluded = year_selection(s)
    assert kept == (2001,)
    assert excluded == {2002: round(40 / 365, 4), 2003: round(265 / 365, 4)}  # 2003 is a partial year
    ind = compute_indicators(s)
    assert ind.years_used == (2001,) and set(ind.years_excluded) == {2002, 2003}


def test_tmean_only_series_says_what_cannot_be_computed() -> None:
    s = make_series(None, None, np.full(365, 8.0))
    ind = compute_indicators(s)
    for name in ("hot_days_tmax_ge_35c", "heatwave_events", "tropical_nights_tmin_ge_20c", "frost_days_tmin_lt_0c"):
        assert ind.indicators[name].value is None
        assert "daily mean temperature only" in (ind.indicators[name].unavailable or "")
    assert ind.indicators["heating_degree_days_base_18c"].value == pytest.approx(3650.0)
    assert ind.indicators["cooling_degree_days_base_18c"].value == 0.0


def test_matches_xclim_when_installed() -> None:
    xclim_indices = pytest.importorskip("xclim.indices")
    xr = pytest.importorskip("xarray")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    n = 365 * 3
    time = pd.date_range("2001-01-01", periods=n, freq="D")
    season = 15 * np.sin(2 * np.pi * (np.arange(n) - 100) / 365)
    tx = np.round(20 + season + rng.normal(0, 5, n), 1) + 0.05  # no ties with integer thresholds
    tn = tx - 10 - np.abs(rng.normal(0, 2, n))
    s = make_series(tx, tn)
    ours = compute_indicators(s).indicators

    def da(x: F) -> object:
        return xr.DataArray(x, coords={"time": time}, dims="time", attrs={"units": "degC"})

    theirs = {
        "frost_days_tmin_lt_0c": xclim_indices.frost_days(da(tn), thresh="0 degC", freq="YS"),
        "tropical_nights_tmin_ge_20c": xclim_indices.tn_days_above(da(tn), thresh="20 degC", freq="YS", op=">="),
        "hot_days_tmax_ge_35c": xclim_indices.tx_days_above(da(tx), thresh="35 degC", freq="YS"),
        "heating_degree_days_base_18c": xclim_indices.heating_degree_days(
            da((tx + tn) / 2), thresh="18 degC", freq="YS"
        ),
        "cooling_degree_days_base_18c": xclim_indices.cooling_degree_days(
            da((tx + tn) / 2), thresh="18 degC", freq="YS"
        ),
    }
    for name, x in theirs.items():
        assert list(ours[name].per_year.values()) == pytest.approx(np.asarray(x.values, dtype=float), rel=1e-6), name


# --- delta method ---------------------------------------------------------------------------------------

deltas = st.lists(st.floats(-5, 8, allow_nan=False), min_size=12, max_size=12)


@settings(max_examples=40, deadline=None)
@given(delta=deltas, start_day=st.integers(0, 400))
def test_shift_adds_each_months_delta_and_keeps_gaps(delta: list[float], start_day: int) -> None:
    rng = np.random.default_rng(start_day)
    tx = rng.normal(15, 10, 500)
    tx[rng.integers(0, 500, 20)] = np.nan
    s = make_series(tx, tx - 8, (tx + tx - 8) / 2, start=str(np.datetime64("2001-01-01") + start_day))
    out = shift(s, delta)
    expected = np.asarray(delta)[s.months - 1]
    for a, b in ((s.tmax_c, out.tmax_c), (s.tmin_c, out.tmin_c), (s.tmean_c, out.tmean_c)):
        assert a is not None and b is not None
        assert np.array_equal(np.isnan(a), np.isnan(b))
        ok = ~np.isnan(a)
        np.testing.assert_allclose(b[ok] - a[ok], expected[ok], atol=1e-9)
    assert out.gaps == s.gaps and out.kind == s.kind
    back = shift(out, [-d for d in delta])
    assert back.tmax_c is not None and s.tmax_c is not None
    np.testing.assert_allclose(back.tmax_c, s.tmax_c, atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(warming=st.floats(0, 6, allow_nan=False))
def test_uniform_warming_never_reduces_heat_or_raises_frost(warming: float) -> None:
    base = hand_year()
    warm = shift(base, [warming] * 12)
    a = compute_indicators(base, thresholds=HAND_THRESHOLDS).indicators
    b = compute_indicators(warm, thresholds=HAND_THRESHOLDS).indicators
    for name in ("hot_days_tmax_ge_35c", "hot_days_tmax_gt_p90", "tropical_nights_tmin_ge_20c", "heatwave_days"):
        assert (b[name].value or 0) >= (a[name].value or 0), name
    assert (b["frost_days_tmin_lt_0c"].value or 0) <= (a["frost_days_tmin_lt_0c"].value or 0)


def test_shift_rejects_bad_deltas() -> None:
    s = hand_year()
    with pytest.raises(InputError) as info:
        shift(s, [1.0] * 11)
    expect_error(info, "input.inconsistent", "monthly_delta_c")
    with pytest.raises(InputError) as info:
        shift(s, [1.0, 1.0, math.nan] + [1.0] * 9)
    expect_error(info, "input.range", "monthly_delta_c")
    assert "month 3" in str(info.value)  # the month the user gave wrong


# --- heat mortality ---------------------------------------------------------------------------------------


def test_heat_deaths_by_hand() -> None:
    t = np.array([20.0, 25.0, 30.0, np.nan])
    # Population 100,000 at 10 deaths/1,000/yr -> 1,000 deaths/yr. Only 30 °C is above the MMT (25 °C):
    # AF = 1 - 1.02^-5 = 0.0942692; mean over the 3 valid days = 0.0314231 -> 31.423 deaths/yr.
    r = heat_attributable_deaths(t, 25.0, 1.02, 100_000, 10.0, rr_per_c_ci=(1.01, 1.03), n_samples=2000, seed=7)
    assert r.baseline_deaths_per_year == pytest.approx(1000.0)
    assert r.deaths_per_year == pytest.approx(1000 * (1 - 1.02**-5) / 3, rel=1e-12)
    assert r.deaths_per_year == pytest.approx(31.4231, abs=1e-4)
    assert r.deaths_per_year_low == pytest.approx(1000 * (1 - 1.01**-5) / 3)  # 16.178
    assert r.deaths_per_year_high == pytest.approx(1000 * (1 - 1.03**-5) / 3)  # 45.798
    assert r.attributable_fraction_pct == pytest.approx(3.14231, abs=1e-5)
    assert r.days_above_mmt_per_year == pytest.approx(365.25 / 3)
    assert r.valid_days == 3
    assert r.mc_p2_5 is not None and r.mc_p97_5 is not None
    assert r.deaths_per_year_low * 0.9 < r.mc_p2_5 < r.deaths_per_year < r.mc_p97_5 < r.deaths_per_year_high * 1.1
    again = heat_attributable_deaths(t, 25.0, 1.02, 100_000, 10.0, rr_per_c_ci=(1.01, 1.03), n_samples=2000, seed=7)
    assert again.mc_p2_5 == r.mc_p2_5  # seeded


def test_relative_risk_and_af_are_zero_below_mmt() -> None:
    t = np.array([10.0, 25.0, 26.0])
    np.testing.assert_allclose(relative_risk(t, 25.0, 1.0184), [1.0, 1.0, 1.0184])
    np.testing.assert_allclose(attributable_fraction(t, 25.0, 1.0184), [0.0, 0.0, 1 - 1 / 1.0184])
    assert BACCINI_2008_NORTH_CONTINENTAL.rr_per_c_low < 1.0184 < BACCINI_2008_NORTH_CONTINENTAL.rr_per_c_high


def test_heat_deaths_rejects_bad_inputs() -> None:
    with pytest.raises(InputError) as info:
        heat_attributable_deaths(np.array([np.nan]), 25.0, 1.02, 1, 1)
    expect_error(info, "input.empty", "tmean_c")
    with pytest.raises(InputError) as info:
        heat_attributable_deaths(np.array([30.0]), 25.0, 0.98, 1, 1)
    expect_error(info, "input.range")


# --- service ----------------------------------------------------------------------------------------------


def test_city_indicators_reanalysis_city_with_shift() -> None:
    r = city_indicators("petropavl", monthly_delta_c=[2.0] * 12)
    assert r["data"]["kind"] == "reanalysis" and r["data"]["reanalysis"] is True
    assert "Reanalysis" in r["data"]["note"]
    assert r["gaps"]["missing_days"] == 0 and r["gaps"]["filled"] is False
    # The window is Kalkan's one baseline, 1995-2014, which the 1984-2020 series covers entirely.
    assert r["window"]["years_used"] == [1995, 2014] and r["window"]["years_excluded"] == {}
    period = r["baseline_period"]
    assert period["baseline"] == "1995-2014" and period["period_used"] == "1995-2014" and period["covers_baseline"]
    # The whole series on request (None): its partial last year 2020 is excluded.
    whole = city_indicators("petropavl", baseline_years=None)
    assert whole["window"]["years_excluded"] == {"2020": {"missing_fraction": pytest.approx(1 - 229 / 366, abs=1e-4)}}
    assert whole["baseline_period"]["baseline"] is None and whole["baseline_period"]["period_used"] == "1984-2019"
    frost = r["indicators"]["frost_days_tmin_lt_0c"]
    assert frost["unit"] == "days/year" and "Tmin < 0" in frost["definition"]
    ch = r["shifted"]["change"]
    assert ch["frost_days_tmin_lt_0c"]["difference"] < 0
    assert ch["hot_days_tmax_gt_p90"]["difference"] > 0
    hm = r["heat_mortality"]
    assert hm["shifted"]["deaths_per_year"] > hm["baseline"]["deaths_per_year"] > 0
    assert hm["mmt"]["climate_zone"] == "continental" and hm["mmt"]["percentile"] == 75.4
    assert "Baccini" in hm["exposure_response"]["citation"] and "Tobías" in hm["mmt"]["citation"]
    assert hm["crude_death_rate"]["year"] == 2023


def test_city_indicators_station_tmean_only() -> None:
    r = city_indicators("ashgabat")
    assert r["data"]["kind"] == "station" and r["data"]["variables"] == ["tmean_c"]
    assert r["indicators"]["hot_days_tmax_ge_35c"]["value"] is None
    assert "Tmax is not derived" in r["indicators"]["hot_days_tmax_ge_35c"]["unavailable"]
    assert r["indicators"]["cooling_degree_days_base_18c"]["value"] > 0
    assert r["gaps"]["sentinel_days"] == 82
    assert "shifted" not in r and "shifted" not in r["heat_mortality"]
    assert r["heat_mortality"]["mmt"]["climate_zone"] == "arid"


def test_city_indicators_with_user_series_and_errors() -> None:
    r = city_indicators("osh", series=hand_year())
    assert r["data"]["source"] == "test" and r["indicators"]["frost_days_tmin_lt_0c"]["value"] == 3
    with pytest.raises(NotFoundError) as info:
        city_indicators("almaty")
    expect_error(info, "not_found.city", "city")
    with pytest.raises(InputError) as bad:
        city_indicators("osh", monthly_delta_c=[1.0] * 3)
    expect_error(bad, "input.inconsistent", "monthly_delta_c")
