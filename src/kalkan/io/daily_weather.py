"""Read a user's precipitation + temperature CSV, daily or monthly, checking every row before returning.

Two layouts, told apart by the first column of the header:

* **daily**: ``date`` (YYYY-MM-DD), ``precip_mm`` (mm/day), and ``tmax_c`` + ``tmin_c`` and/or ``tmean_c``
  (°C) — returned as a :class:`~kalkan.core.climate.series.DailySeries` with ``precip_mm`` set;
* **monthly**: ``month`` (YYYY-MM), ``precip_mm`` (monthly total, mm/month), and ``tmean_c`` and/or
  ``tmax_c`` + ``tmin_c`` (monthly means, °C) — returned as a :class:`MonthlyWeather`.

Every problem is collected and raised together as a :class:`WeatherFileError` naming file, row, field,
value and what was expected. An empty cell or a missing-value sentinel (−99, −999, 9999.9 …) is a gap: it is
reported, never filled. Why strict: a drought index fitted on silently wrong or filled months is wrong
everywhere, and the error is only visible later.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kalkan.core.climate.series import DailySeries, Kind, MonthlyWeather, gap_report
from kalkan.errors import InputError
from kalkan.io.daily_temperature import (
    MAX_PROBLEMS_SHOWN,
    PLAUSIBLE_MAX_C,
    PLAUSIBLE_MAX_PRECIP_MM_DAY,
    PLAUSIBLE_MIN_C,
    RowProblem,
    _calendar,
    _is_sentinel,
    csv_header,
    csv_records,
)

FloatArray = NDArray[np.float64]

#: Largest plausible monthly precipitation, mm (record about 9,300 mm, Cherrapunji, July 1861).
PLAUSIBLE_MAX_PRECIP_MM_MONTH = 10000.0

_TEMPS = ("tmax_c", "tmin_c", "tmean_c")
_OTHER_UNITS = {
    "precip_in": "inches",
    "precip_cm": "cm",
    "precip_inch": "inches",
    "prcp_in": "inches",
    "precip_m": "m",
    "precip_kg_m2_s": "kg m-2 s-1 (a flux)",
    "tmax_f": "°F",
    "tmin_f": "°F",
    "tmean_f": "°F",
    "tmax_k": "K",
    "tmin_k": "K",
    "tmean_k": "K",
}
_HINT = (
    "Daily: date (YYYY-MM-DD), precip_mm (mm/day), tmax_c and tmin_c and/or tmean_c (°C). Monthly: month "
    "(YYYY-MM), precip_mm (monthly total, mm), tmean_c and/or tmax_c and tmin_c (monthly means, °C). "
    "Leave a cell empty for a missing value."
)


class WeatherFileError(InputError):
    """A precipitation/temperature file has bad rows; ``problems`` lists every one."""

    def __init__(self, path: Path, problems: list[RowProblem]) -> None:
        shown = "\n".join(f"  {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n  … and {more} more." if more > 0 else ""
        super().__init__(
            f"{path}: {len(problems)} problem(s) in the precipitation/temperature file:\n{shown}{tail}",
            hint=_HINT,
            code=problems[0].code,
            field=problems[0].field,
            row=problems[0].row,
        )
        self.problems = tuple(problems)


WEATHER_COLUMNS = ("date", "month", "precip_mm", "tmax_c", "tmin_c", "tmean_c")
"""The columns of a user's weather CSV; any other is refused (a misspelt column must not be lost)."""


def _header(path: Path) -> list[str]:
    return csv_header(path, "weather CSV")


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    return csv_records(path, "weather CSV", lower=True)


def read_user_weather_csv(
    path: Path, *, source: str | None = None, licence: str = "as stated by the user", kind: Kind = "station"
) -> DailySeries | MonthlyWeather:
    """A user's daily or monthly precipitation + temperature file (see the module docstring for the columns)."""
    header = _header(path)
    name = str(path)
    problems: list[RowProblem] = []
    for h in header:
        if h in _OTHER_UNITS:
            problems.append(
                RowProblem(
                    name,
                    1,
                    h,
                    h,
                    f"mm and °C in columns precip_mm/tmean_c (found {_OTHER_UNITS[h]})",
                    "input.unsupported",
                )
            )
    monthly = "month" in header and "date" not in header
    key = "month" if monthly else "date"
    if key not in header:
        problems.append(
            RowProblem(name, 1, "date", ",".join(header), "a header with a 'date' or a 'month' column", "input.missing")
        )
    if "precip_mm" not in header:
        problems.append(
            RowProblem(name, 1, "precip_mm", ",".join(header), "a header with column 'precip_mm'", "input.missing")
        )
    has_pair = "tmax_c" in header and "tmin_c" in header
    if "tmean_c" not in header and not has_pair:
        problems.append(
            RowProblem(
                name,
                1,
                "tmean_c",
                ",".join(header),
                "a header with 'tmean_c' or both 'tmax_c' and 'tmin_c'",
                "input.missing",
            )
        )
    for h in header:
        if h not in WEATHER_COLUMNS and h not in _OTHER_UNITS and not problems:
            problems.append(
                RowProblem(name, 1, h, h, f"one of the columns {', '.join(WEATHER_COLUMNS)}", "input.unknown")
            )
    if problems:
        raise WeatherFileError(path, problems)
    temps = [c for c in _TEMPS if c in header]
    cols = ["precip_mm", *temps]
    max_p = PLAUSIBLE_MAX_PRECIP_MM_MONTH if monthly else PLAUSIBLE_MAX_PRECIP_MM_DAY
    values: dict[date, list[float]] = {}
    first_row: dict[date, int] = {}
    sentinels: set[date] = set()
    for row, rec in _rows(path):
        text = rec.get(key, "")
        d = _parse_key(text, monthly)
        if d is None:
            problems.append(RowProblem(name, row, key, text, "a month YYYY-MM" if monthly else "a date YYYY-MM-DD"))
            continue
        if d in first_row:
            problems.append(
                RowProblem(name, row, key, text, f"a {key} not already given (row {first_row[d]})", "input.duplicate")
            )
            continue
        first_row[d] = row
        vals: list[float] = []
        for c in cols:
            v = _cell(name, row, c, rec.get(c, ""), max_p, problems)
            if v is not None and _is_sentinel(v):
                sentinels.add(d)
                v = math.nan
            vals.append(math.nan if v is None else v)
        by = dict(zip(cols, vals, strict=True))
        tx, tn = by.get("tmax_c", math.nan), by.get("tmin_c", math.nan)
        if not (math.isnan(tx) or math.isnan(tn)) and tn > tx:
            problems.append(
                RowProblem(name, row, "tmin_c", f"{tn:g}", f"Tmin ≤ Tmax ({tx:g} °C on this row)", "input.inconsistent")
            )
        values[d] = vals
    if problems:
        raise WeatherFileError(path, problems)
    if not values:
        raise InputError(f"{path}: no data rows.", hint=_HINT, code="input.empty")
    label = source or f"user file {path.name}"
    if monthly:
        return _monthly(values, cols, label, kind, licence)
    dates, arrays, gaps = _calendar(path, values, sentinels, len(cols))
    by_col = dict(zip(cols, arrays, strict=True))
    precip = by_col["precip_mm"]
    return DailySeries(
        dates=dates,
        tmax_c=by_col.get("tmax_c"),
        tmin_c=by_col.get("tmin_c"),
        tmean_c=by_col.get("tmean_c"),
        source=label,
        kind=kind,
        licence=licence,
        gaps=gaps,
        precip_mm=precip,
        precip_gaps=gap_report(dates, np.isnan(precip), absent_days=dates.size - len(values)),
    )


def _parse_key(text: str, monthly: bool) -> date | None:
    try:
        if monthly:
            y, m = text.split("-")
            if len(y) != 4 or len(m) != 2:
                return None
            return date(int(y), int(m), 1)
        return date.fromisoformat(text)
    except ValueError:
        return None


def _cell(name: str, row: int, col: str, text: str, max_p: float, problems: list[RowProblem]) -> float | None:
    """The number in one cell (None if empty or bad); out-of-range values are recorded as problems."""
    if text == "":
        return None
    try:
        v = float(text)
    except ValueError:
        unit = "mm" if col == "precip_mm" else "°C"
        problems.append(RowProblem(name, row, col, text, f"a number in {unit} or an empty cell"))
        return None
    if not math.isfinite(v):
        problems.append(RowProblem(name, row, col, text, "a finite number", "input.range"))
        return None
    if _is_sentinel(v):
        return v
    if col == "precip_mm" and not 0.0 <= v <= max_p:
        problems.append(RowProblem(name, row, col, text, f"a precipitation in mm within 0…{max_p:g}", "input.range"))
    elif col != "precip_mm" and not PLAUSIBLE_MIN_C <= v <= PLAUSIBLE_MAX_C:
        problems.append(
            RowProblem(
                name,
                row,
                col,
                text,
                f"a temperature in °C within {PLAUSIBLE_MIN_C:g}…{PLAUSIBLE_MAX_C:g}",
                "input.range",
            )
        )
    return v


def _monthly(values: dict[date, list[float]], cols: list[str], source: str, kind: Kind, licence: str) -> MonthlyWeather:
    first, last = min(values), max(values)
    months = np.arange(np.datetime64(first, "M"), np.datetime64(last, "M") + 1)
    arrays = {c: np.full(months.size, np.nan) for c in cols}
    base = np.datetime64(first, "M")
    for d, vals in values.items():
        i = int((np.datetime64(d, "M") - base).astype(np.int64))
        for c, v in zip(cols, vals, strict=True):
            arrays[c][i] = v
    notes: tuple[str, ...] = ()
    if "tmean_c" in arrays:
        tmean = arrays["tmean_c"]
    else:
        tmean = (arrays["tmax_c"] + arrays["tmin_c"]) / 2.0
        notes = ("Monthly mean temperature taken as (Tmax + Tmin) / 2.",)
    missing = np.isnan(arrays["precip_mm"]) | np.isnan(tmean)
    return MonthlyWeather(
        months=months,
        precip_mm=arrays["precip_mm"],
        tmean_c=tmean,
        source=source,
        kind=kind,
        licence=licence,
        missing_months=tuple(str(m) for m in months[missing]),
        absent_months=int(months.size - len(values)),
        notes=notes,
    )
