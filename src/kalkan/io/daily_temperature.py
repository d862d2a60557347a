"""Read daily temperature (and, where the source has it, precipitation) series into one typed value.

Every series is laid on a complete daily calendar from its first to its last date: a day that is absent
from the file, empty, or holds a missing-value sentinel (``-99``, ``-999``, ``9999.9`` …) is NaN and is
*reported* in :class:`GapReport` (count, longest run, the missing periods). Gaps are never filled.

Units: every temperature is in °C (``*_c``), precipitation in mm per day (``precip_mm``). The GSOD/Dayton
files are in °F and are converted with (°F − 32) × 5/9 on reading.

Precipitation: the shipped NASA POWER (Petropavl) and CFSR (Osh area, Namangan) files have daily
precipitation and it is read; the GSOD/Dayton files (Ashgabat, Dushanbe) have none, so ``precip_mm`` is
``None`` there and nothing that needs precipitation can be computed from them. Precipitation has its own gap
report (``precip_gaps``) so that the temperature gap report is unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from kalkan.catalog.sources import data_root
from kalkan.errors import InputError, NotFoundError
from kalkan.io.text import read_csv_rows

Kind = Literal["station", "reanalysis"]

#: Values that the source files use for "no observation" (GSOD/Dayton ``-99``, DSSAT ``-99``, SWAT ``-99``,
#: GSOD raw ``9999.9``). Compared exactly, in the file's own unit.
MISSING_SENTINELS: frozenset[float] = frozenset({-99.0, -99.9, -999.0, -999.9, 999.9, 9999.9})

#: Plausible range of a daily air temperature anywhere on Earth, °C (records: −89.2 °C Vostok, 56.7 °C
#: Death Valley). Values outside it are errors in user files, not weather.
PLAUSIBLE_MIN_C = -80.0
PLAUSIBLE_MAX_C = 60.0

#: Largest plausible daily precipitation, mm (world record about 1,825 mm, Foc-Foc, La Réunion, 1966).
PLAUSIBLE_MAX_PRECIP_MM_DAY = 2000.0

#: At most this many row problems are spelled out in one error message (all are kept on the error).
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True, slots=True)
class GapPeriod:
    """A run of consecutive missing days, both ends inclusive."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class GapReport:
    """Missing days of a daily series: how many, the longest run and every missing period.

    ``sentinel_days`` counts days that held a missing-value sentinel in the file (they are also in
    ``missing_days``); ``absent_days`` counts calendar days that have no row at all.
    """

    first_day: date
    last_day: date
    total_days: int
    missing_days: int
    sentinel_days: int
    absent_days: int
    longest_gap_days: int
    periods: tuple[GapPeriod, ...]

    @property
    def missing_fraction(self) -> float:
        return self.missing_days / self.total_days if self.total_days else 0.0

    def as_dict(self, *, max_periods: int | None = None) -> dict[str, object]:
        periods = self.periods if max_periods is None else self.periods[:max_periods]
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "total_days": self.total_days,
            "missing_days": self.missing_days,
            "missing_fraction": round(self.missing_fraction, 4),
            "sentinel_days": self.sentinel_days,
            "absent_days": self.absent_days,
            "longest_gap_days": self.longest_gap_days,
            "gap_periods": len(self.periods),
            "periods": [{"start": p.start.isoformat(), "end": p.end.isoformat(), "days": p.days} for p in periods],
            "periods_shown": len(periods),
            "filled": False,
        }


@dataclass(frozen=True, slots=True)
class DailySeries:
    """Daily temperatures (°C) on a complete calendar; NaN = missing; ``None`` = the source has no such variable.

    ``kind`` is ``"reanalysis"`` for gridded model/satellite products (NASA POWER, CFSR): they are not
    observations at the city and smooth extremes. ``precip_mm`` (mm/day) and its own ``precip_gaps`` are
    ``None`` when the source has no precipitation.
    """

    dates: NDArray[np.datetime64]
    tmax_c: NDArray[np.float64] | None
    tmin_c: NDArray[np.float64] | None
    tmean_c: NDArray[np.float64] | None
    source: str
    kind: Kind
    licence: str
    gaps: GapReport
    notes: tuple[str, ...] = field(default=())
    precip_mm: NDArray[np.float64] | None = None
    precip_gaps: GapReport | None = None

    @property
    def years(self) -> NDArray[np.int64]:
        return self.dates.astype("datetime64[Y]").astype(np.int64) + 1970

    @property
    def months(self) -> NDArray[np.int64]:
        return self.dates.astype("datetime64[M]").astype(np.int64) % 12 + 1

    def mean_temperature_c(self) -> tuple[NDArray[np.float64], str] | None:
        """Daily mean temperature (°C) and how it was obtained, or None when neither Tmean nor Tmax+Tmin exist.

        Gridded sources give Tmax and Tmin only; their daily mean is taken as (Tmax + Tmin)/2, the usual
        approximation (WMO-No. 1203 guide to climatological practices accepts it where hourly data are absent).
        """
        if self.tmean_c is not None:
            return self.tmean_c, "daily mean reported by the source"
        if self.tmax_c is not None and self.tmin_c is not None:
            return (self.tmax_c + self.tmin_c) / 2.0, "(Tmax + Tmin) / 2"
        return None


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One bad value in a user file: where it is, what it holds and what was expected."""

    file: str
    row: int
    field: str
    value: str
    expected: str

    def __str__(self) -> str:
        return f"{self.file}, row {self.row}, field '{self.field}': got {self.value!r}, expected {self.expected}."


class DailyTemperatureError(InputError):
    """A daily-temperature file has bad rows; ``problems`` lists every one (file, row, field, value, expected)."""

    def __init__(self, path: Path, problems: Sequence[RowProblem]) -> None:
        shown = "\n".join(f"  {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n  … and {more} more." if more > 0 else ""
        super().__init__(
            f"{path}: {len(problems)} problem(s) in the daily temperature file:\n{shown}{tail}",
            hint="Columns: date (YYYY-MM-DD), tmax_c, tmin_c in °C, optional tmean_c; leave a cell empty for a "
            "missing day.",
        )
        self.problems = tuple(problems)


def _is_sentinel(x: float) -> bool:
    return any(math.isclose(x, s, abs_tol=1e-9) for s in MISSING_SENTINELS)


def _calendar(
    path: Path,
    values: Mapping[date, Sequence[float]],
    sentinel_days: set[date],
    n_vars: int,
) -> tuple[NDArray[np.datetime64], list[NDArray[np.float64]], GapReport]:
    """Lay values on a complete daily calendar; report absent and NaN days as gaps."""
    if not values:
        raise InputError(f"{path}: no daily values found.")
    first, last = min(values), max(values)
    dates = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
    cols = [np.full(dates.size, np.nan) for _ in range(n_vars)]
    base = np.datetime64(first, "D")
    for d, row in values.items():
        i = int((np.datetime64(d, "D") - base).astype(np.int64))
        for j in range(n_vars):
            cols[j][i] = row[j]
    missing = np.zeros(dates.size, dtype=bool)
    for c in cols:
        missing |= np.isnan(c)
    return (
        dates,
        cols,
        gap_report(dates, missing, sentinel_days=len(sentinel_days), absent_days=dates.size - len(values)),
    )


def gap_report(
    dates: NDArray[np.datetime64], missing: NDArray[np.bool_], *, sentinel_days: int = 0, absent_days: int = 0
) -> GapReport:
    """Count missing days, find the longest run and list every missing period of a complete daily calendar."""
    periods: list[GapPeriod] = []
    if missing.any():
        m = np.concatenate([[False], missing, [False]]).astype(np.int8)
        edges = np.diff(m)
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1) - 1
        periods = [GapPeriod(_to_date(dates[s]), _to_date(dates[e])) for s, e in zip(starts, ends, strict=True)]
    return GapReport(
        first_day=_to_date(dates[0]),
        last_day=_to_date(dates[-1]),
        total_days=int(dates.size),
        missing_days=int(missing.sum()),
        sentinel_days=sentinel_days,
        absent_days=absent_days,
        longest_gap_days=max((p.days for p in periods), default=0),
        periods=tuple(periods),
    )


def _to_date(d: np.datetime64) -> date:
    out = d.astype("datetime64[D]").item()
    assert isinstance(out, date)
    return out


def _number(path: Path, row: int, name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{path}, row {row}, field '{name}': expected a number, got {text!r}.") from None


def _store(
    path: Path, row: int, d: date, vals: list[float], out: dict[date, list[float]], sentinels: set[date]
) -> None:
    if d in out:
        raise InputError(f"{path}, row {row}: date {d.isoformat()} appears twice.")
    if any(_is_sentinel(v) for v in vals):
        sentinels.add(d)
    out[d] = [math.nan if _is_sentinel(v) else v for v in vals]


def read_dayton_gsod_tavg(path: Path, *, source: str, licence: str) -> DailySeries:
    """Read a University of Dayton / NOAA GSOD file (``month day year tavg_F``; ``-99`` = missing) as °C Tmean.

    These files give the daily **mean** only: Tmax and Tmin are ``None`` and are never derived from it.
    """
    out: dict[date, list[float]] = {}
    sentinels: set[date] = set()
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the file ({exc}).") from exc
    for row, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise InputError(f"{path}, row {row}: expected 4 columns 'month day year tavg_F', got {line!r}.")
        try:
            d = date(int(parts[2]), int(parts[0]), int(parts[1]))
        except ValueError:
            raise InputError(f"{path}, row {row}: not a valid month/day/year: {line!r}.") from None
        _store(path, row, d, [_number(path, row, "tavg_F", parts[3])], out, sentinels)
    dates, (tavg_f,), gaps = _calendar(path, out, sentinels, 1)
    return DailySeries(
        dates=dates,
        tmax_c=None,
        tmin_c=None,
        tmean_c=(tavg_f - 32.0) * 5.0 / 9.0,
        source=source,
        kind="station",
        licence=licence,
        gaps=gaps,
        notes=("Daily mean only (°F in the file, converted to °C); no Tmax/Tmin in this source.",),
    )


def read_nasa_power_csv(path: Path, *, source: str, licence: str) -> DailySeries:
    """Read the NASA POWER CSV (``date,…,tmax_c,tmin_c,rain_mm,…``) shipped for Petropavl (reanalysis, °C, mm/day)."""
    out: dict[date, list[float]] = {}
    sentinels: set[date] = set()
    rain: dict[date, float] = {}
    rain_sentinels: set[date] = set()
    with _open(path) as rows:
        for row, rec in rows:
            d = _iso_date(path, row, rec.get("date", ""))
            vals = [_number(path, row, k, rec.get(k) or "") for k in ("tmax_c", "tmin_c")]
            _store(path, row, d, vals, out, sentinels)
            _store_precip(path, row, d, "rain_mm", rec.get("rain_mm", ""), rain, rain_sentinels)
    dates, (tmax, tmin), gaps = _calendar(path, out, sentinels, 2)
    precip, precip_gaps = _precip_calendar(dates, rain, len(rain_sentinels))
    return DailySeries(
        dates, tmax, tmin, None, source, "reanalysis", licence, gaps, precip_mm=precip, precip_gaps=precip_gaps
    )


def read_cfsr_swat_csv(path: Path, *, source: str, licence: str) -> DailySeries:
    """Read a CFSR "Global Weather Data for SWAT" CSV (``Date`` M/D/YYYY, ``Max/Min Temperature`` °C,
    ``Precipitation`` mm/day)."""
    out: dict[date, list[float]] = {}
    sentinels: set[date] = set()
    rain: dict[date, float] = {}
    rain_sentinels: set[date] = set()
    with _open(path) as rows:
        for row, rec in rows:
            text = rec.get("Date") or ""
            try:
                m, dd, y = (int(p) for p in text.split("/"))
                d = date(y, m, dd)
            except ValueError:
                raise InputError(f"{path}, row {row}, field 'Date': expected M/D/YYYY, got {text!r}.") from None
            vals = [_number(path, row, k, rec.get(k) or "") for k in ("Max Temperature", "Min Temperature")]
            _store(path, row, d, vals, out, sentinels)
            _store_precip(path, row, d, "Precipitation", rec.get("Precipitation", ""), rain, rain_sentinels)
    dates, (tmax, tmin), gaps = _calendar(path, out, sentinels, 2)
    precip, precip_gaps = _precip_calendar(dates, rain, len(rain_sentinels))
    return DailySeries(
        dates, tmax, tmin, None, source, "reanalysis", licence, gaps, precip_mm=precip, precip_gaps=precip_gaps
    )


def _store_precip(
    path: Path, row: int, d: date, name: str, text: str, out: dict[date, float], sentinels: set[date]
) -> None:
    """Keep one day's precipitation (mm); an empty cell or a sentinel is missing, a negative value an error."""
    if text == "":
        out[d] = math.nan
        return
    v = _number(path, row, name, text)
    if _is_sentinel(v):
        out[d] = math.nan
        sentinels.add(d)
    elif v < 0 or v > PLAUSIBLE_MAX_PRECIP_MM_DAY:
        raise InputError(
            f"{path}, row {row}, field '{name}': expected a precipitation in mm within "
            f"0…{PLAUSIBLE_MAX_PRECIP_MM_DAY:g}, got {text!r}."
        )
    else:
        out[d] = v


def _precip_calendar(
    dates: NDArray[np.datetime64], values: Mapping[date, float], sentinel_days: int
) -> tuple[NDArray[np.float64], GapReport]:
    """Daily precipitation (mm) on the temperature calendar ``dates``; days without a value are NaN and reported."""
    precip = np.full(dates.size, np.nan)
    base = dates[0]
    for d, v in values.items():
        precip[int((np.datetime64(d, "D") - base).astype(np.int64))] = v
    absent = dates.size - len(values)
    return precip, gap_report(dates, np.isnan(precip), sentinel_days=sentinel_days, absent_days=absent)


class _open:
    """Iterate (row number, record) over a CSV with a header; row numbers count the header as row 1."""

    def __init__(self, path: Path, *, strict: bool = False) -> None:
        self.path = path
        self.strict = strict

    def __enter__(self) -> Iterable[tuple[int, dict[str, str]]]:
        return csv_records(self.path, "daily CSV", strict=self.strict)

    def __exit__(self, *exc: object) -> None:
        return None


def _iso_date(path: Path, row: int, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{path}, row {row}, field 'date': expected YYYY-MM-DD, got {text!r}.") from None


# --- user CSV -------------------------------------------------------------------------------------------

USER_COLUMNS = ("date", "tmax_c", "tmin_c", "tmean_c", "precip_mm")
"""The columns of a user's daily CSV (``precip_mm`` is read by :mod:`kalkan.io.daily_weather`); any other column
is refused, so that a misspelt one is not lost."""
_UNIT_SUFFIXES = {"_f": "°F", "_k": "K", "_degf": "°F", "_fahrenheit": "°F", "_kelvin": "K"}


def read_user_daily_csv(
    path: Path, *, source: str | None = None, licence: str = "as stated by the user", kind: Kind = "station"
) -> DailySeries:
    """Read a user CSV ``date,tmax_c,tmin_c[,tmean_c]`` (°C), checking every row before returning.

    Problems raise :class:`DailyTemperatureError` listing file, row, field, value and what was expected: bad or
    duplicated dates, non-numeric values, values outside −80…60 °C, Tmin > Tmax, columns in other units.
    An empty cell or a sentinel (−99, −999, 9999.9) is a missing day: counted in the gap report, never filled.
    """
    problems: list[RowProblem] = []
    name = str(path)
    with _open(path, strict=True) as rows_iter:
        rows = list(rows_iter)
    header = _header(path)
    for h in header:
        for suffix, unit in _UNIT_SUFFIXES.items():
            if h.endswith(suffix) and h.split("_")[0] in {"tmax", "tmin", "tmean", "tavg"}:
                problems.append(
                    RowProblem(name, 1, h, h, f"temperatures in °C in columns tmax_c/tmin_c (found {unit})")
                )
    for col in ("date", "tmax_c", "tmin_c"):
        if col not in header:
            problems.append(RowProblem(name, 1, col, ",".join(header), f"a header with column '{col}'"))
    for col in header:
        if col not in USER_COLUMNS and not problems:
            problems.append(RowProblem(name, 1, col, col, f"one of the columns {', '.join(USER_COLUMNS)}"))
    if not problems and not rows:
        problems.append(RowProblem(name, 2, "date", "", "at least one data row after the header"))
    if problems:
        raise DailyTemperatureError(path, problems)
    has_mean = "tmean_c" in header
    cols = ["tmax_c", "tmin_c", *(["tmean_c"] if has_mean else [])]
    out: dict[date, list[float]] = {}
    first_row: dict[date, int] = {}
    sentinels: set[date] = set()
    implausible = 0
    checked = 0
    for row, rec in rows:
        text = rec.get("date", "")
        try:
            d = date.fromisoformat(text)
        except ValueError:
            problems.append(RowProblem(name, row, "date", text, "a date YYYY-MM-DD"))
            continue
        if d in first_row:
            problems.append(RowProblem(name, row, "date", text, f"a date not already given (row {first_row[d]})"))
            continue
        first_row[d] = row
        vals: list[float] = []
        for c in cols:
            cell = rec.get(c, "")
            if cell == "":
                vals.append(math.nan)
                continue
            try:
                v = float(cell)
            except ValueError:
                problems.append(RowProblem(name, row, c, cell, "a number in °C or an empty cell"))
                vals.append(math.nan)
                continue
            if _is_sentinel(v):
                sentinels.add(d)
                vals.append(math.nan)
                continue
            checked += 1
            if not PLAUSIBLE_MIN_C <= v <= PLAUSIBLE_MAX_C:
                implausible += 1
                problems.append(
                    RowProblem(
                        name, row, c, cell, f"a temperature in °C within {PLAUSIBLE_MIN_C:g}…{PLAUSIBLE_MAX_C:g}"
                    )
                )
            vals.append(v)
        if not (math.isnan(vals[0]) or math.isnan(vals[1])) and vals[1] > vals[0]:
            problems.append(
                RowProblem(name, row, "tmin_c", f"{vals[1]:g}", f"Tmin ≤ Tmax ({vals[0]:g} °C on this row)")
            )
        out[d] = vals
    if checked and implausible > checked / 2:
        problems.insert(
            0,
            RowProblem(
                name,
                1,
                "tmax_c/tmin_c",
                f"{implausible} of {checked} values out of range",
                "°C; most values are implausible, so the file is probably in °F or K",
            ),
        )
    if problems:
        raise DailyTemperatureError(path, problems)
    dates, arrays, gaps = _calendar(path, out, sentinels, len(cols))
    return DailySeries(
        dates=dates,
        tmax_c=arrays[0],
        tmin_c=arrays[1],
        tmean_c=arrays[2] if has_mean else None,
        source=source or f"user file {path.name}",
        kind=kind,
        licence=licence,
        gaps=gaps,
    )


def _header(path: Path) -> list[str]:
    return csv_header(path, "daily CSV")


def csv_header(path: Path, what: str) -> list[str]:
    """The header of a user's CSV, lower-cased and stripped; a name given twice is an error."""
    return read_csv_rows(path, what, lower=True, strict=False)[0]


def csv_records(path: Path, what: str, *, lower: bool = False, strict: bool = True) -> list[tuple[int, dict[str, str]]]:
    """(row number, record) of every non-blank data row, the header counting as row 1; keys are the header's
    names, stripped (and lower-cased with ``lower``). With ``strict`` (a user's file) a row with more or fewer
    fields than the header is an error naming it: a cut or merged line must not become a gap or a shifted
    value. Without it (the shipped series, whose rows end in a comma) extra fields are dropped."""
    return read_csv_rows(path, what, lower=lower, strict=strict)[1]


# --- shipped series -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShippedSeries:
    """Where a founding city's daily series comes from (a file in ``data/stations/``) and what it is."""

    city_id: str
    file: str
    reader: Literal["dayton_gsod", "nasa_power", "cfsr_swat"]
    source: str
    licence: str
    caveat: str
    latitude_deg: float | None = None
    """Latitude of the station or grid point (°N), used for day length and extraterrestrial radiation."""

    @property
    def has_precipitation(self) -> bool:
        """Whether the file has daily precipitation (NASA POWER and CFSR do; the GSOD/Dayton files do not)."""
        return self.reader in PRECIPITATION_READERS


#: Readers whose source files carry daily precipitation (mm/day).
PRECIPITATION_READERS: frozenset[str] = frozenset({"nasa_power", "cfsr_swat"})

_DAYTON_LICENCE = (
    "NOAA GSOD via University of Dayton archive: US-government data, public domain (see stations/README.md)"
)
_CFSR_LICENCE = (
    "NCEP CFSR via Texas A&M 'Global Weather Data for SWAT', free to use; copy from sherzodr/agriclimuz (MIT)"
)

SHIPPED_SERIES: dict[str, ShippedSeries] = {
    "petropavl": ShippedSeries(
        "petropavl",
        "stations/petropavl_nasa_power_daily_1984-2020.csv",
        "nasa_power",
        "NASA POWER daily, grid cell centred 54.75 N 69.25 E (via DSSAT CAPE8437.WTH)",
        "NASA POWER, free of charge with acknowledgement of the NASA Langley Research Center POWER Project",
        "Reanalysis/satellite grid cell (~0.5° × 0.625°), not a station: extremes are smoothed; bias not assessed.",
        54.75,
    ),
    "osh": ShippedSeries(
        "osh",
        "stations/osh_area_cfsr_daily_1979-2014_pt407725.csv",
        "cfsr_swat",
        "NCEP CFSR grid point 40.746 N 72.5 E, 612 m (~35 km WNW of Osh)",
        _CFSR_LICENCE,
        "Reanalysis grid point ~350–400 m lower than Osh and outside its valley: likely warmer in summer than the "
        "city.",
        40.746,
    ),
    "namangan": ShippedSeries(
        "namangan",
        "stations/namangan_cfsr_daily_1979-2014_pt411716.csv",
        "cfsr_swat",
        "NCEP CFSR grid point 41.058 N 71.5625 E, 608 m (~11 km W of Namangan)",
        _CFSR_LICENCE,
        "Reanalysis grid point (~0.3°), not a station: extremes smoothed, may be biased by several °C.",
        41.058,
    ),
    "ashgabat": ShippedSeries(
        "ashgabat",
        "stations/ashgabat_udayton_gsod_daily_tavg_F_1995-2014_RAASHBAD.txt",
        "dayton_gsod",
        "NOAA GSOD station Ashgabat WMO 38880 (University of Dayton daily-average archive)",
        _DAYTON_LICENCE,
        "Station daily mean temperature only: indicators that need Tmax or Tmin cannot be computed.",
        37.97,
    ),
    "dushanbe": ShippedSeries(
        "dushanbe",
        "stations/dushanbe_udayton_gsod_daily_tavg_F_1995-2014_RADUSNBE.txt",
        "dayton_gsod",
        "NOAA GSOD station Dushanbe WMO 38836 (University of Dayton daily-average archive)",
        _DAYTON_LICENCE,
        "Station daily mean temperature only, many gaps in 1995–2001: indicators that need Tmax or Tmin cannot "
        "be computed.",
        38.55,
    ),
}


def load_city_series(city_id: str) -> DailySeries:
    """The shipped daily series for a founding city (see :data:`SHIPPED_SERIES`)."""
    try:
        spec = SHIPPED_SERIES[city_id]
    except KeyError:
        raise NotFoundError(
            f"No daily temperature series is shipped for city '{city_id}'.",
            hint=f"Known: {', '.join(sorted(SHIPPED_SERIES))}; or pass your own CSV (date,tmax_c,tmin_c).",
        ) from None
    path = data_root() / spec.file
    readers = {"dayton_gsod": read_dayton_gsod_tavg, "nasa_power": read_nasa_power_csv, "cfsr_swat": read_cfsr_swat_csv}
    series = readers[spec.reader](path, source=spec.source, licence=spec.licence)
    return DailySeries(
        series.dates,
        series.tmax_c,
        series.tmin_c,
        series.tmean_c,
        series.source,
        series.kind,
        series.licence,
        series.gaps,
        (*series.notes, spec.caveat),
        series.precip_mm,
        series.precip_gaps,
    )


def cities_without_precipitation() -> tuple[str, ...]:
    """Founding cities whose shipped series has no precipitation (drought indices need a user file there)."""
    return tuple(c for c, spec in SHIPPED_SERIES.items() if not spec.has_precipitation)


def series_label(kind: str, source: str) -> str:
    """How a series is named in every table and JSON record: a reanalysis is never shown as if it were a
    station."""
    if kind == "reanalysis":
        return f"REANALYSIS (gridded model, not a station) in place of station data: {source}"
    return f"station observations: {source}"
