"""Daily temperature readers: shipped series load with their documented days and gaps; user CSVs checked by row."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from kalkan.core.climate.series import gap_report
from kalkan.errors import InputError, NotFoundError
from kalkan.io.daily_temperature import (
    DailyTemperatureError,
    load_city_series,
    read_dayton_gsod_tavg,
    read_user_daily_csv,
)
from tests.errors import expect_error


@pytest.mark.parametrize(
    ("city", "kind", "first", "last", "days", "missing", "sentinels", "absent", "longest", "periods"),
    [
        # README: 13,378 days, no gap.
        ("petropavl", "reanalysis", "1984-01-01", "2020-08-16", 13378, 0, 0, 0, 0, 0),
        # README says 12,928 rows; the calendar has 12,996 days, so 68 days have no row (e.g. all of Jan 1999).
        ("osh", "reanalysis", "1979-01-01", "2014-07-31", 12996, 68, 0, 68, 31, 4),
        ("namangan", "reanalysis", "1979-01-01", "2014-07-31", 12996, 68, 0, 68, 31, 4),
        # README: -99 = missing on 82 days (Ashgabat) and 1,472 days (Dushanbe).
        ("ashgabat", "station", "1995-01-01", "2014-04-06", 7036, 82, 82, 0, 53, 15),
        ("dushanbe", "station", "1995-01-01", "2014-04-06", 7036, 1472, 1472, 0, 326, 303),
    ],
)
def test_shipped_series_load_with_expected_days_and_gaps(
    city: str,
    kind: str,
    first: str,
    last: str,
    days: int,
    missing: int,
    sentinels: int,
    absent: int,
    longest: int,
    periods: int,
) -> None:
    s = load_city_series(city)
    g = s.gaps
    assert s.kind == kind
    assert (g.first_day.isoformat(), g.last_day.isoformat(), g.total_days) == (first, last, days)
    assert (g.missing_days, g.sentinel_days, g.absent_days, g.longest_gap_days, len(g.periods)) == (
        missing,
        sentinels,
        absent,
        longest,
        periods,
    )
    assert s.dates.size == days
    if kind == "station":
        assert s.tmax_c is None and s.tmin_c is None and s.tmean_c is not None
        assert int(np.isnan(s.tmean_c).sum()) == missing
    else:
        assert s.tmax_c is not None and s.tmin_c is not None and s.tmean_c is None


def test_osh_missing_january_1999_is_reported_not_filled() -> None:
    s = load_city_series("osh")
    spans = {(p.start, p.end) for p in s.gaps.periods}
    assert (date(1999, 1, 1), date(1999, 1, 31)) in spans
    i = int((np.datetime64("1999-01-15") - s.dates[0]).astype(int))
    assert s.tmax_c is not None and math.isnan(s.tmax_c[i])


def test_unknown_city_is_not_found() -> None:
    with pytest.raises(NotFoundError) as info:
        load_city_series("almaty")
    expect_error(info, "not_found.data", "city")


def test_dayton_reader_converts_fahrenheit_and_counts_sentinels(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    # 3 Jan is absent; 4 Jan holds the -99 sentinel.
    f.write_text(" 1 1 2000 32.0\n 1 2 2000 212.0\n 1 4 2000 -99\n 1 5 2000 -4.0\n")
    s = read_dayton_gsod_tavg(f, source="t", licence="pd")
    assert s.tmean_c is not None
    assert s.tmean_c[0] == pytest.approx(0.0)
    assert s.tmean_c[1] == pytest.approx(100.0)
    assert math.isnan(s.tmean_c[2]) and math.isnan(s.tmean_c[3])
    assert s.tmean_c[4] == pytest.approx(-20.0)
    g = s.gaps
    assert (g.total_days, g.missing_days, g.sentinel_days, g.absent_days, g.longest_gap_days) == (5, 2, 1, 1, 2)
    assert [(p.start, p.end) for p in g.periods] == [(date(2000, 1, 3), date(2000, 1, 4))]


def test_dayton_reader_names_row_of_bad_line(tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text(" 1 1 2000 32.0\n 2 30 2000 40.0\n")
    with pytest.raises(InputError) as info:
        read_dayton_gsod_tavg(f, source="t", licence="pd")
    expect_error(info, "input.type", "date", 2)


def test_gap_report_runs() -> None:
    dates = np.arange(np.datetime64("2001-01-01"), np.datetime64("2001-01-11"))
    missing = np.array([1, 1, 0, 0, 1, 0, 1, 1, 1, 0], dtype=bool)
    g = gap_report(dates, missing)
    assert g.missing_days == 6
    assert g.longest_gap_days == 3
    assert [(p.start.day, p.end.day, p.days) for p in g.periods] == [(1, 2, 2), (5, 5, 1), (7, 9, 3)]
    assert g.as_dict()["filled"] is False


def _csv(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "daily.csv"
    f.write_text(text)
    return f


def test_user_csv_reads_and_reports_gaps(tmp_path: Path) -> None:
    f = _csv(
        tmp_path,
        "date,tmax_c,tmin_c,tmean_c\n"
        "2020-07-01,35.5,20.1,27.0\n"
        "2020-07-02,,18.0,\n"  # empty Tmax: a gap
        "2020-07-04,-999,17.0,25.0\n"  # 3 Jul absent, 4 Jul sentinel
        "2020-07-05,30.0,15.0,22.5\n",
    )
    s = read_user_daily_csv(f)
    assert s.tmax_c is not None and s.tmin_c is not None and s.tmean_c is not None
    assert s.tmax_c[0] == 35.5 and s.tmin_c[4] == 15.0
    g = s.gaps
    assert (g.total_days, g.missing_days, g.sentinel_days, g.absent_days, g.longest_gap_days) == (5, 3, 1, 1, 3)
    assert s.kind == "station" and "daily.csv" in s.source


def test_user_csv_lists_every_bad_row(tmp_path: Path) -> None:
    f = _csv(
        tmp_path,
        "date,tmax_c,tmin_c\n"
        "2020-07-01,30,20\n"
        "2020-13-01,30,20\n"  # bad date
        "2020-07-01,31,21\n"  # duplicate date
        "2020-07-03,18,22\n"  # Tmin > Tmax
        "2020-07-04,75,20\n"  # implausible
        "2020-07-05,abc,20\n",  # not a number
    )
    with pytest.raises(DailyTemperatureError) as err:
        read_user_daily_csv(f)
    got = {(p.row, p.field, p.code) for p in err.value.problems}
    assert got == {(3, "date", "input.type"), (4, "date", "input.duplicate"), (5, "tmin_c", "input.inconsistent"),
                   (6, "tmax_c", "input.range"), (7, "tmax_c", "input.type")}  # fmt: skip
    expect_error(err, "input.type", "date", 3)
    p = next(p for p in err.value.problems if p.row == 5)
    assert p.value == "22" and "Tmin ≤ Tmax" in p.expected and p.file == str(f)
    assert "row 4" in str(err.value) and "already given (row 2)" in str(err.value)


def test_user_csv_wrong_unit_columns(tmp_path: Path) -> None:
    f = _csv(tmp_path, "date,tmax_f,tmin_f\n2020-07-01,95,68\n")
    with pytest.raises(DailyTemperatureError) as err:
        read_user_daily_csv(f)
    assert {(p.field, p.code) for p in err.value.problems} >= {
        ("tmax_f", "input.unsupported"),
        ("tmin_f", "input.unsupported"),
        ("tmax_c", "input.missing"),
    }
    expect_error(err, "input.unsupported", "tmax_f", 1)


def test_user_csv_values_in_kelvin_are_flagged(tmp_path: Path) -> None:
    rows = "".join(f"2020-07-{d:02d},{300 + d},{290 + d}\n" for d in range(1, 6))
    f = _csv(tmp_path, "date,tmax_c,tmin_c\n" + rows)
    with pytest.raises(DailyTemperatureError) as err:
        read_user_daily_csv(f)
    assert (err.value.problems[0].field, err.value.problems[0].code, err.value.problems[0].row) == (
        "tmax_c/tmin_c",
        "input.range",
        1,
    )
    assert "°F or K" in err.value.problems[0].expected
