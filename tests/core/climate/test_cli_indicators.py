"""`kalkan climate indicators`: today's indicators and futures by the delta method, checked independently."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kalkan.cli.climate import climate_app
from kalkan.core.climate.scenarios import Scenario, parse_statistic, regional_change
from kalkan.errors import InputError
from kalkan.io.ar6 import load_tas_table
from kalkan.io.daily_temperature import load_city_series

runner = CliRunner()


def test_future_hot_days_recomputed_from_the_shifted_series() -> None:
    result = runner.invoke(climate_app, ["indicators", "namangan", "--scenario", "ssp585", "--horizon", "2090",
                                         "--percentile", "50", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["data"]["reanalysis"] is True and data["baseline_years"] == [1995, 2014]
    (future,) = data["futures"]
    sc = future["scenario"]
    assert (sc["ssp"], sc["window"], sc["percentile"]) == ("ssp585", "2081-2100", 50)
    change = regional_change(Scenario("ssp585", 2090, parse_statistic(50.0)), "WCA", load_tas_table())
    assert sc["delta_tas_c"] == round(change.delta_tas_c, 2)
    # independent recomputation: days with Tmax >= 35 °C after adding each month's warming, in the valid years
    series = load_city_series("namangan")
    assert series.tmax_c is not None
    dates = np.asarray(series.dates, dtype="datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    used = [y for y in range(1995, 2015) if str(y) not in data["window"]["years_excluded"]]
    keep = np.isin(years, used)
    shifted = series.tmax_c + np.array(change.delta_tas_monthly_c)[months - 1]
    today = np.nansum(series.tmax_c[keep] >= 35.0) / len(used)
    future_days = np.nansum(shifted[keep] >= 35.0) / len(used)
    assert data["indicators"]["hot_days_tmax_ge_35c"]["value"] == pytest.approx(today, abs=1e-3)
    assert future["indicators"]["hot_days_tmax_ge_35c"]["value"] == pytest.approx(future_days, abs=1e-3)
    assert future_days > today
    assert future["heat_mortality"]["deaths_per_year"] > data["heat_mortality"]["baseline"]["deaths_per_year"]


def test_station_file_and_table(tmp_path: Path) -> None:
    path = tmp_path / "station.csv"
    days = np.arange(np.datetime64("1995-01-01"), np.datetime64("2015-01-01"))
    doy = (days - days.astype("datetime64[Y]")).astype(int)
    tmax = 15 + 20 * np.sin((doy - 100) / 365 * 2 * np.pi)  # °C, peaks at 35 in summer
    path.write_text(
        "date,tmax_c,tmin_c\n" + "".join(f"{d},{x:.2f},{x - 12:.2f}\n" for d, x in zip(days, tmax, strict=True))
    )
    result = runner.invoke(climate_app, ["indicators", "osh", "--station", str(path), "--scenario", "ssp245"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "SSP2-4.5 2041-2060 median" in text and "heat-attributable deaths" in text
    assert "user-supplied" in json.dumps(
        json.loads(runner.invoke(climate_app, ["indicators", "osh", "--station", str(path), "--json"]).stdout)
    )


def test_the_baseline_and_the_years_used_are_stated() -> None:
    """Osh's CFSR series ends in July 2014, so 2014 is excluded: the baseline stays 1995-2014 and the output
    says that 1995-2013 was used, and why; the scenarios command states the same baseline."""
    res = runner.invoke(climate_app, ["indicators", "osh", "--json"])
    assert res.exit_code == 0, res.output
    period = json.loads(res.stdout)["baseline_period"]
    assert period["baseline"] == "1995-2014" and period["baseline_years"] == [1995, 2014]
    assert "IPCC AR6" in period["reference"]
    assert period["period_used"] == "1995-2013" and period["years_used"] == 19 and period["covers_baseline"] is False
    assert "2014 (" in period["note"] and "of days missing" in period["note"]
    text = " ".join(runner.invoke(climate_app, ["indicators", "osh"]).stdout.split())
    assert "Baseline 1995-2014 (IPCC AR6" in text and "used 1995-2013" in text
    scen = runner.invoke(climate_app, ["scenarios", "osh", "--ssp", "ssp245", "--horizon", "2050", "--json"])
    assert json.loads(scen.stdout)[0]["baseline"] == "1995-2014"
    shown = runner.invoke(climate_app, ["scenarios", "osh", "--ssp", "ssp245", "--horizon", "2050"]).stdout
    assert "vs 1995-2014" in " ".join(shown.split())


def test_bad_options() -> None:
    result = runner.invoke(climate_app, ["indicators", "osh", "--baseline-years", "2014-1995"])
    assert isinstance(result.exception, InputError) and "first year is after" in str(result.exception)
    result = runner.invoke(climate_app, ["indicators", "osh", "--scenario", "ssp999"])
    assert isinstance(result.exception, InputError)


def test_normals_check_recomputed() -> None:
    """Dushanbe's monthly means against the 1991-2020 normals, Petropavl's extremes against the records."""
    from kalkan.app.climate_indicators import normals_check

    series = load_city_series("dushanbe")
    dates = np.asarray(series.dates, dtype="datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    check = normals_check("dushanbe", series, (1995, 2014))
    assert check is not None and check["station"] == "Dushanbe (WMO 38836)"
    assert series.tmean_c is not None
    july = series.tmean_c[(months == 7) & (years >= 1995) & (years <= 2014)]
    assert check["months"][6]["tmean_c"]["series"] == pytest.approx(np.nanmean(july), abs=0.005)
    assert check["months"][6]["tmean_c"]["normal"] == 27.4  # transcribed 1991-2020 July mean
    pp = load_city_series("petropavl")
    assert pp.tmin_c is not None
    pmonths = np.asarray(pp.dates, dtype="datetime64[M]").astype(int) % 12 + 1
    jan_low = np.nanmin(pp.tmin_c[pmonths == 1])
    pcheck = normals_check("petropavl", pp)
    assert pcheck is not None
    assert pcheck["months"][0]["record_low_c"] == {"series_extreme": round(float(jan_low), 2), "record": -43.7}
    assert (1 in pcheck["months_below_record_low"]) == (jan_low < -43.7)
    assert normals_check("osh", load_city_series("osh")) is None
