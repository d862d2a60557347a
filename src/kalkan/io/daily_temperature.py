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

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kalkan.catalog.cities import SHIPPED_SERIES
from kalkan.catalog.files import shipped_path
from kalkan.core.climate.series import DailySeries, GapReport, Kind, gap_report
from kalkan.errors import InputError, NotFoundError
from kalkan.io.text import read_csv_rows

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
class RowProblem:
    """One bad value in a user file: where it is, what it holds and what was expected."""

    file: str
    row: int
    field: str
    value: str
    expected: str
    code: str = "input.type"
    """The error code of this kind of problem (:data:`kalkan.errors.CODES`)."""

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
            code=problems[0].code,
            field=problems[0].field,
            row=problems[0].row,
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
        raise InputError(f"{path}: no daily values found.", code="input.empty")
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


def _number(path: Path, row: int, name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(
            f"{path}, row {row}, field '{name}': expected a number, got {text!r}.",
            code="input.type",
            field=name,
            row=row,
        ) from None


def _store(
    path: Path, row: int, d: date, vals: list[float], out: dict[date, list[float]], sentinels: set[date]
) -> None:
    if d in out:
        raise InputError(f"{path}, row {row}: date {d.isoformat()} appears twice.", code="input.duplicate", row=row)
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
        code = "input.encoding" if isinstance(exc, UnicodeDecodeError) else "input.unreadable"
        raise InputError(f"{path}: cannot read the file ({exc}).", code=code) from exc
    for row, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 4:
            raise InputError(
                f"{path}, row {row}: expected 4 columns 'month day year tavg_F', got {line!r}.",
                code="input.syntax",
                row=row,
            )
        try:
            d = date(int(parts[2]), int(parts[0]), int(parts[1]))
        except ValueError:
            raise InputError(
                f"{path}, row {row}: not a valid month/day/year: {line!r}.", code="input.type", field="date", row=row
            ) from None
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
                raise InputError(
                    f"{path}, row {row}, field 'Date': expected M/D/YYYY, got {text!r}.",
                    code="input.type",
                    field="Date",
                    row=row,
                ) from None
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
            f"0…{PLAUSIBLE_MAX_PRECIP_MM_DAY:g}, got {text!r}.",
            code="input.range",
            field=name,
            row=row,
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
        raise InputError(
            f"{path}, row {row}, field 'date': expected YYYY-MM-DD, got {text!r}.",
            code="input.type",
            field="date",
            row=row,
        ) from None


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
                    RowProblem(
                        name,
                        1,
                        h,
                        h,
                        f"temperatures in °C in columns tmax_c/tmin_c (found {unit})",
                        "input.unsupported",
                    )
                )
    for col in ("date", "tmax_c", "tmin_c"):
        if col not in header:
            problems.append(
                RowProblem(name, 1, col, ",".join(header), f"a header with column '{col}'", "input.missing")
            )
    for col in header:
        if col not in USER_COLUMNS and not problems:
            problems.append(
                RowProblem(name, 1, col, col, f"one of the columns {', '.join(USER_COLUMNS)}", "input.unknown")
            )
    if not problems and not rows:
        problems.append(RowProblem(name, 2, "date", "", "at least one data row after the header", "input.empty"))
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
            problems.append(
                RowProblem(name, row, "date", text, f"a date not already given (row {first_row[d]})", "input.duplicate")
            )
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
                        name,
                        row,
                        c,
                        cell,
                        f"a temperature in °C within {PLAUSIBLE_MIN_C:g}…{PLAUSIBLE_MAX_C:g}",
                        "input.range",
                    )
                )
            vals.append(v)
        if not (math.isnan(vals[0]) or math.isnan(vals[1])) and vals[1] > vals[0]:
            problems.append(
                RowProblem(
                    name,
                    row,
                    "tmin_c",
                    f"{vals[1]:g}",
                    f"Tmin ≤ Tmax ({vals[0]:g} °C on this row)",
                    "input.inconsistent",
                )
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
                "input.range",
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

_READERS = {"dayton_gsod": read_dayton_gsod_tavg, "nasa_power": read_nasa_power_csv, "cfsr_swat": read_cfsr_swat_csv}


def load_city_series(city_id: str) -> DailySeries:
    """The shipped daily series of a founding city (which file and what it is: :data:`SHIPPED_SERIES`)."""
    try:
        spec = SHIPPED_SERIES[city_id]
    except KeyError:
        raise NotFoundError(
            f"No daily temperature series is shipped for city '{city_id}'.",
            hint=f"Known: {', '.join(sorted(SHIPPED_SERIES))}; or pass your own CSV (date,tmax_c,tmin_c).",
            code="not_found.data",
            field="city",
        ) from None
    series = _READERS[spec.reader](shipped_path(spec.file), source=spec.source, licence=spec.licence)
    return dataclasses.replace(series, notes=(*series.notes, spec.caveat))
