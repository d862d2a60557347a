"""Read the SSP country projections shipped in ``data/ssp/`` (see its README for origin and units).

Two files are read, both copied unchanged from ``iiasa/ssp2024_amended``:

- the SSP "v3" drivers, wide format ``SSP,ISO,Variable,Unit,1950,...,2110``: ``Population`` (million) and
  ``Population|Urban|Share`` (percent of the population, although the unit column says ``-``);
- the OECD ENV-Growth 2023 GDP (SSP release 3.1, the marker GDP model), long format
  ``scenario,region,variable,unit,year,value,iso,...``: ``GDP|PPP [per capita]`` in ``USD_2017/yr``.

Empty cells are years without a value and are skipped. Every error names the file, the line and the field.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from kalkan.catalog.files import SSP_DRIVERS_FILE, SSP_OECD_GDP_FILE, shipped_path
from kalkan.core.exposure.growth import SeriesKey, SspSeries, SspTables
from kalkan.errors import InputError

_DRIVERS_KEYS = ("SSP", "ISO", "Variable", "Unit")
_OECD_KEYS = ("scenario", "variable", "unit", "year", "value", "iso")


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str], list[str]]]:
    """(line number, row as a dict, header) of a CSV file whose header has the ``required`` columns and which has
    at least one data row; I/O errors as :class:`InputError`."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise InputError(f"{path}: the file is empty; expected a CSV header row.", code="input.empty")
            header = [h.strip() for h in header]
            _require(header, required, path)
            n = 0
            for line, row in enumerate(reader, start=2):
                if not row or all(not c.strip() for c in row):
                    continue
                if len(row) != len(header):
                    raise InputError(
                        f"{path}, line {line}: {len(row)} fields; the header has {len(header)}.",
                        code="input.syntax",
                        row=line,
                    )
                n += 1
                yield line, dict(zip(header, (c.strip() for c in row), strict=True)), header
            if n == 0:
                raise InputError(f"{path}: no data rows after the header.", code="input.empty")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.", code="input.not_found") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc}).", code="input.encoding") from exc


def _number(text: str, where: str, field: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"{where}, field '{field}': {text!r} is not a number.", code="input.type", field=field, row=line
        ) from None
    if not math.isfinite(value):
        raise InputError(
            f"{where}, field '{field}': {text!r} is not a finite number.", code="input.range", field=field, row=line
        )
    return value


def _require(header: list[str], needed: tuple[str, ...], path: Path) -> None:
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; the header is {', '.join(header)}.",
            code="input.missing",
            field=missing[0],
        )


def _series(key: SeriesKey, points: dict[int, float], source: str) -> SspSeries:
    years = np.array(sorted(points), dtype=np.int64)
    values = np.array([points[int(y)] for y in years], dtype=np.float64)
    return SspSeries(key[0], key[1], key[2], key[3], years, values, source)


def read_ssp_drivers(path: str | os.PathLike[str]) -> dict[SeriesKey, SspSeries]:
    """Every (scenario, country, variable, unit) row of the SSP v3 drivers file, as a series of its filled years."""
    p = Path(path)
    out: dict[SeriesKey, SspSeries] = {}
    for line, row, header in _rows(p, _DRIVERS_KEYS):
        year_cols = [h for h in header if h.isdigit()]
        if not year_cols:
            raise InputError(f"{p}: no year columns (such as 2020) in the header.", code="input.missing", field="2020")
        key = (row["SSP"], row["ISO"], row["Variable"], row["Unit"])
        for name, value in zip(("SSP", "ISO", "Variable"), key, strict=False):
            if not value:
                raise InputError(
                    f"{p}, line {line}, field '{name}': empty.", code="input.missing", field=name, row=line
                )
        if key in out:
            raise InputError(f"{p}, line {line}: {'/'.join(key)} appears twice.", code="input.duplicate", row=line)
        where = f"{p}, line {line}"
        points = {int(y): _number(row[y], where, y, line) for y in year_cols if row[y] != ""}
        out[key] = _series(key, points, str(p))
    return out


def read_oecd_gdp(path: str | os.PathLike[str]) -> dict[SeriesKey, SspSeries]:
    """Every (scenario, country, variable, unit) series of the long-format OECD ENV-Growth GDP file."""
    p = Path(path)
    points: dict[SeriesKey, dict[int, float]] = {}
    for line, row, _header in _rows(p, _OECD_KEYS):
        where = f"{p}, line {line}"
        key = (row["scenario"], row["iso"], row["variable"], row["unit"])
        for name in ("scenario", "iso", "variable"):
            if not row[name]:
                raise InputError(f"{where}, field '{name}': empty.", code="input.missing", field=name, row=line)
        year_value = _number(row["year"], where, "year", line)
        if not year_value.is_integer():
            raise InputError(
                f"{where}, field 'year': {row['year']!r} is not a whole year.",
                code="input.type",
                field="year",
                row=line,
            )
        year = int(year_value)
        if row["value"] in ("", "NA"):
            continue
        series = points.setdefault(key, {})
        if year in series:
            raise InputError(
                f"{where}: {'/'.join(key)} has year {year} twice.", code="input.duplicate", field="year", row=line
            )
        series[year] = _number(row["value"], where, "value", line)
    return {key: _series(key, pts, str(p)) for key, pts in points.items()}


@lru_cache(maxsize=1)
def shipped_ssp_tables() -> SspTables:
    """The shipped SSP projections (SSP v3 drivers and OECD ENV-Growth 2023 GDP), read once per process."""
    return SspTables(
        drivers=read_ssp_drivers(shipped_path(SSP_DRIVERS_FILE)), gdp=read_oecd_gdp(shipped_path(SSP_OECD_GDP_FILE))
    )
