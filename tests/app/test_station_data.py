"""A city's own daily series in the store: checked, stored with its gaps, read back unchanged, and used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kalkan.app.station_data import (
    load_station_series,
    read_station_file,
    save_station_series,
    station_summary,
    stored_series_if_any,
)
from kalkan.errors import ConflictError, InputError
from kalkan.io.daily_temperature import read_user_daily_csv
from kalkan.store.database import Store
from kalkan.store.versions import restore
from tests.errors import expect_error


def write_station(path: Path, *, precip: bool = False, bad_row: bool = False) -> Path:
    """1995-2014 daily, a seasonal cycle; 1996-03-01..05 absent, 1998-07-10 a -99 sentinel."""
    days = np.arange(np.datetime64("1995-01-01"), np.datetime64("2015-01-01"))
    doy = (days - days.astype("datetime64[Y]")).astype(int)
    tmax = 12 + 22 * np.sin((doy - 100) / 365 * 2 * np.pi)
    lines = ["date,tmax_c,tmin_c" + (",precip_mm" if precip else "")]
    for d, x, k in zip(days, tmax, doy, strict=True):
        if np.datetime64("1996-03-01") <= d <= np.datetime64("1996-03-05"):
            continue
        hi, lo = f"{x:.1f}", f"{x - 11:.1f}"
        if d == np.datetime64("1998-07-10"):
            hi = "-99"
        if bad_row and d == np.datetime64("2000-01-02"):
            lo = f"{x + 5:.1f}"  # Tmin > Tmax
        lines.append(f"{d},{hi},{lo}" + (f",{(k % 7) * 0.8:.1f}" if precip else ""))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_round_trip_keeps_values_and_gaps(store: Store, tmp_path: Path) -> None:
    path = write_station(tmp_path / "osh.csv")
    original = read_user_daily_csv(path, source="Osh test station", licence="CC BY 4.0")
    with store.transaction() as session:
        save_station_series(session, "osh", original, str(path))
    with store.transaction() as session:
        back = load_station_series(session, "osh")
        summary = station_summary(session, "osh")
    assert back is not None and summary is not None
    assert np.array_equal(back.dates, original.dates)
    for name in ("tmax_c", "tmin_c"):
        a, b = getattr(original, name), getattr(back, name)
        assert np.array_equal(np.isnan(a), np.isnan(b)) and np.allclose(a[~np.isnan(a)], b[~np.isnan(b)])
    assert back.tmean_c is None and back.precip_mm is None
    assert back.gaps == original.gaps
    assert back.gaps.missing_days == 6 and back.gaps.absent_days == 5 and back.gaps.sentinel_days == 1
    assert (back.source, back.licence, back.kind) == ("Osh test station", "CC BY 4.0", "station")
    assert summary["variables"] == ["tmax_c", "tmin_c"]


def test_precipitation_and_replacement(store: Store, tmp_path: Path) -> None:
    wet = read_station_file(write_station(tmp_path / "p.csv", precip=True), source="s", licence="l")
    assert wet.precip_mm is not None
    with store.transaction() as session:
        save_station_series(session, "namangan", wet, "p.csv")
    dry = read_station_file(write_station(tmp_path / "t.csv"), source="second", licence="l", kind="reanalysis")
    with pytest.raises(ConflictError), store.transaction() as session:  # the city's own series: only with replace
        save_station_series(session, "namangan", dry, "t.csv")
    with store.transaction() as session:
        save_station_series(session, "namangan", dry, "t.csv", replace=True)
    with store.transaction() as session:
        back = load_station_series(session, "namangan")
    assert back is not None and back.source == "second" and back.kind == "reanalysis" and back.precip_mm is None
    with store.transaction() as session:  # the first import is kept and comes back whole
        restore(session, "namangan", 1)
    with store.transaction() as session:
        first = load_station_series(session, "namangan")
    assert first is not None and first.source == "s" and first.precip_mm is not None
    assert np.array_equal(first.precip_mm, wet.precip_mm, equal_nan=True)


def test_bad_rows_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_station_file(write_station(tmp_path / "b.csv", bad_row=True), source="s", licence="l")
    expect_error(info, "input.inconsistent", "tmin_c")


def test_no_store_means_no_stored_series() -> None:
    assert stored_series_if_any("osh") is None  # the test's data directory has no database


def test_cli_import_then_indicators_use_it(sqlite_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "KALKAN_DATABASE_URL": sqlite_url}

    def kalkan(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kalkan", *args], capture_output=True, text=True, env=env,
                              check=False, timeout=300)  # fmt: skip

    assert kalkan("db", "upgrade").returncode == 0
    bad = kalkan("climate", "import-station", "osh", str(write_station(tmp_path / "b.csv", bad_row=True)),
                 "--source", "x", "--licence", "y")  # fmt: skip
    assert bad.returncode == 2 and "Tmin" in bad.stderr
    path = write_station(tmp_path / "osh.csv")
    proc = kalkan("climate", "import-station", "osh", str(path), "--source", "Osh test station", "--licence",
                  "CC BY 4.0", "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["gaps"]["missing_days"] == 6
    shown = kalkan("climate", "indicators", "osh", "--json")
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["data"]["source"] == "Osh test station" and data["data"]["reanalysis"] is False
    # hand count: days with Tmax >= 35 °C in 1995-2014 of the file's own series, per year
    series = read_user_daily_csv(path)
    assert series.tmax_c is not None
    assert data["indicators"]["hot_days_tmax_ge_35c"]["value"] == pytest.approx(
        np.nansum(series.tmax_c >= 35.0) / 20, abs=1e-3
    )
