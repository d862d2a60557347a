"""A reanalysis series named as such, and bias-adjusted to the city's station normals: checked by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from kalkan.app.climate_indicators import city_indicators, reanalysis_adjustment
from kalkan.app.drought import city_drought
from kalkan.cli import app
from kalkan.cli.climate import climate_app
from kalkan.core.climate.bias_adjustment import bias_adjust
from kalkan.core.climate.series import DailySeries, gap_report

runner = CliRunner()
NORMALS_CSV = (
    Path(__file__).resolve().parents[3] / "src/kalkan/data/climate_normals/city_climate_normals_transcribed.csv"
)


def dushanbe_normals() -> dict[str, dict[int, float]]:
    """The transcribed 1991-2020 monthly means of Dushanbe, read with the csv module alone."""
    out: dict[str, dict[int, float]] = {"tmax_mean_c": {}, "tmean_c": {}, "tmin_mean_c": {}, "precip_mm": {}}
    with NORMALS_CSV.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["city"] == "Dushanbe":
                for k in out:
                    out[k][int(row["month"])] = float(row[k])
    return out


def synthetic(first: str, last: str, *, seed: int = 0, offset_c: float = 3.0, wet: float = 1.5,
              kind: str = "reanalysis") -> DailySeries:  # fmt: skip
    """A smooth seasonal cycle with noise, ``offset_c`` warmer than Dushanbe, and gamma-distributed rain."""
    rng = np.random.default_rng(seed)
    dates = np.arange(np.datetime64(first), np.datetime64(last) + 1)
    doy = (dates - dates.astype("datetime64[Y]")).astype(int)
    tmax = 22 + offset_c + 14 * np.sin((doy - 105) / 365.25 * 2 * np.pi) + rng.normal(0, 3, dates.size)
    tmin = tmax - 11 + rng.normal(0, 1, dates.size)
    precip = rng.gamma(0.4, wet * 3, dates.size) * (1 + np.cos((doy - 60) / 365.25 * 2 * np.pi))
    gaps = gap_report(dates, np.isnan(tmax))
    return DailySeries(dates, tmax, tmin, None, "synthetic grid point", kind, "test", gaps,  # type: ignore[arg-type]
                       precip_mm=precip, precip_gaps=gaps)  # fmt: skip


def months_years(series: DailySeries) -> tuple[np.ndarray, np.ndarray]:
    dates = np.asarray(series.dates, dtype="datetime64[D]")
    return dates.astype("datetime64[M]").astype(int) % 12 + 1, dates.astype("datetime64[Y]").astype(int) + 1970


def test_adjusted_monthly_means_equal_the_normals_over_the_overlap() -> None:
    """1985-2000 series, normals 1991-2020: over 1991-2000 every month's mean Tmax and Tmin equals the normal and
    the mean monthly precipitation total equals the normal total; the same shift applies to 1985-1990."""
    normals = dushanbe_normals()
    series = synthetic("1985-01-01", "2000-12-31")
    assert series.tmax_c is not None
    series.tmax_c[100:140] = np.nan  # a gap in 1985 and one in the overlap
    series.tmax_c[6000:6010] = np.nan
    adjusted, record = bias_adjust(series, normals, (1991, 2020), station="Dushanbe (WMO 38836)")
    assert record.applied and record.overlap_years == (1991, 2000)
    months, years = months_years(series)
    overlap = (years >= 1991) & (years <= 2000)
    for m in range(1, 13):
        sel = overlap & (months == m)
        for var, normal in (("tmax_c", "tmax_mean_c"), ("tmin_c", "tmin_mean_c")):
            before, after = getattr(series, var), getattr(adjusted, var)
            assert np.nanmean(after[sel]) == pytest.approx(normals[normal][m], abs=1e-9)
            shift = normals[normal][m] - np.nanmean(before[sel])  # by hand
            assert record.months[m - 1][f"{var}_shift"] == pytest.approx(shift, abs=1e-4)
            early = (years < 1991) & (months == m) & np.isfinite(before)
            assert np.allclose(after[early] - before[early], shift)  # the whole calendar month moves
        assert adjusted.precip_mm is not None
        totals = [adjusted.precip_mm[overlap & (months == m) & (years == y)].sum() for y in range(1991, 2001)]
        assert np.mean(totals) == pytest.approx(normals["precip_mm"][m], rel=1e-9)
    assert adjusted.tmean_c is None  # the daily mean stays (Tmax + Tmin) / 2 of the adjusted values
    assert "bias-adjusted" in adjusted.notes[-1]
    assert adjusted.tmax_c is not None and np.isnan(adjusted.tmax_c[100:140]).all()  # gaps stay gaps


@settings(max_examples=25, deadline=None, derandomize=True)
@given(offset=st.floats(-8, 8), wet=st.floats(0.3, 4.0), seed=st.integers(0, 1000))
def test_any_bias_is_removed_from_the_monthly_means(offset: float, wet: float, seed: int) -> None:
    normals = dushanbe_normals()
    series = synthetic("1995-01-01", "2004-12-31", seed=seed, offset_c=offset, wet=wet)
    adjusted, record = bias_adjust(series, normals, (1991, 2020), station="s")
    months, _ = months_years(series)
    tmin, precip = adjusted.tmin_c, adjusted.precip_mm
    assert tmin is not None and precip is not None
    for m in range(1, 13):
        assert np.nanmean(tmin[months == m]) == pytest.approx(normals["tmin_mean_c"][m], abs=1e-8)
        if "precip_factor" in record.months[m - 1]:
            assert precip[months == m].sum() / 10 == pytest.approx(normals["precip_mm"][m], rel=1e-9)


def test_no_overlap_and_short_overlap_are_reported() -> None:
    normals = dushanbe_normals()
    old = synthetic("1960-01-01", "1970-12-31")
    same, record = bias_adjust(old, normals, (1991, 2020), station="s")
    assert same is old and not record.applied and "does not overlap" in record.reason
    short = synthetic("1985-01-01", "1993-12-31")  # 3 years inside 1991-2020
    same, record = bias_adjust(short, normals, (1991, 2020), station="s")
    assert not record.applied and any("fewer than 5 years" in why for why in record.not_adjusted)


def test_the_service_adjusts_a_reanalysis_where_normals_exist_and_says_why_not_elsewhere() -> None:
    series = synthetic("1991-01-01", "2014-12-31")
    out = city_indicators("dushanbe", series=series, baseline_years=(1995, 2014))
    adj = out["bias_adjustment"]
    assert adj["applied"] and adj["station"] == "Dushanbe (WMO 38836)" and adj["normals_period"] == [1991, 2020]
    assert adj["overlap_years"] == [1991, 2014] and len(adj["months"]) == 12
    assert out["data"]["label"].startswith("REANALYSIS")
    station = synthetic("1991-01-01", "2014-12-31", kind="station")
    assert reanalysis_adjustment("dushanbe", station)[1]["reason"] == "station observations: no bias adjustment"
    osh = city_indicators("osh")
    assert osh["bias_adjustment"] == {"applied": False, "reason": "not bias-adjusted: no station normals on file",
                                      "label": osh["data"]["label"]}  # fmt: skip
    pp = city_drought("petropavl", ssp=["ssp245"], horizons=[2050])
    assert not pp["bias_adjustment"]["applied"] and "only record extremes" in pp["bias_adjustment"]["reason"]
    assert pp["data"]["label"].startswith("REANALYSIS")


def test_every_table_names_the_reanalysis_and_its_adjustment() -> None:
    result = runner.invoke(climate_app, ["indicators", "osh"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "heat and cold indicators (mean per year of the window) REANALYSIS (gridded model, not a station)" in text
    assert "not bias-adjusted: no station normals on file" in text
    drought = runner.invoke(app, ["climate", "drought", "namangan", "--ssp", "ssp245", "--horizon", "2050"])
    assert drought.exit_code == 0, drought.output
    text = " ".join(drought.stdout.split())
    assert text.count("REANALYSIS (gridded model, not a station)") >= 3  # the heading and both tables
    assert "not bias-adjusted: no station normals on file" in text
