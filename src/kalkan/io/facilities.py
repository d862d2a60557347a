"""Read and write critical-facility registries: CSV, GeoJSON and GeoPackage point layers.

Columns (CSV header; GeoJSON feature properties; GeoPackage attribute columns) are the fields of
:mod:`kalkan.core.exposure.facilities`, in the order of :data:`~kalkan.core.exposure.facilities.FIELDS`:

- required: ``id``, ``name``, ``type``, ``lon``, ``lat`` (GeoJSON and GeoPackage: the Point geometry),
  ``construction_class``, ``replacement_cost_usd``, ``price_year``, ``occupants_day``, ``occupants_night``,
  ``backup_power``, ``backup_water``;
- optional (the column may be left out, a value may be empty): ``capacity``, ``capacity_unit`` (default:
  the unit of the type), ``year_built``, ``condition`` (1-5), ``last_inspection`` (``YYYY-MM-DD``),
  ``responsible_agency``, ``illustrative`` (default false), ``source``.

Booleans are ``true``/``false`` (also ``yes``/``no``, ``1``/``0``); coordinates are WGS84 (EPSG:4326). Any
other column is refused, so that a misspelt column is not silently lost.

Every row is checked and every problem collected (row, field, value, expected, code). By default nothing is
imported when any row is bad: a :class:`~kalkan.io.row_errors.RowsError` lists the first :data:`MAX_LISTED`
problems and their count in its message, and holds every one in ``errors``. With ``keep_valid=True`` the
valid rows are imported and the rejected rows are written, as read plus an ``error`` column, to a rejects CSV
(default: ``<file>.rejects.csv`` next to the file). A duplicated id rejects both rows.

Writers go through a temporary file renamed onto the target, so a failed write leaves no half file.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kalkan.catalog.cities import ILLUSTRATIVE_CITIES, illustrative_facilities_file
from kalkan.catalog.files import shipped_path
from kalkan.core.bounds import FACILITY_OCCUPANTS, FACILITY_VALUE_USD
from kalkan.core.exposure.facilities import (
    FIELDS,
    ISO_DATE,
    Facility,
    FacilityTable,
    Problem,
    check_facility,
)
from kalkan.errors import InputError
from kalkan.io.exposure_columns import atomic_target, require_file
from kalkan.io.extent import Extent
from kalkan.io.geopackage import (
    _SCHEMA,
    APPLICATION_ID,
    USER_VERSION,
    WGS84,
    WGS84_WKT,
    _decode_point,
    _ident,
    _Layer,
    point_blobs,
    read_point_rows,
)
from kalkan.io.jsonfile import load_json_file
from kalkan.io.row_errors import RowError, RowsError, code_of
from kalkan.io.text import read_text_file

__all__ = [
    "ILLUSTRATIVE_CITIES",
    "FacilityImport",
    "RowError",
    "RowsError",
    "illustrative_facilities",
    "read_facilities",
    "read_facilities_csv",
    "read_facilities_geojson",
    "read_facilities_gpkg",
    "write_facilities_csv",
    "write_facilities_geojson",
    "write_facilities_gpkg",
]

REQUIRED = (
    "id",
    "name",
    "type",
    "lon",
    "lat",
    "construction_class",
    "replacement_cost_usd",
    "price_year",
    "occupants_day",
    "occupants_night",
    "backup_power",
    "backup_water",
)
MAX_LISTED = 20
"""How many row errors an :class:`InputError` lists (the count says how many there are)."""
TRUE = frozenset({"true", "yes", "y", "t", "1"})
FALSE = frozenset({"false", "no", "n", "f", "0"})
CAPACITY_MAX = 1e9
"""The largest capacity of any facility type (people served by a utility, vehicles a day on a bridge, m3)."""
TEXT_FIELDS = ("id", "name", "type", "capacity_unit", "construction_class", "responsible_agency", "source")


@dataclass(frozen=True, slots=True)
class FacilityImport:
    """The result of an import: the table of valid facilities, the row errors and the rejects file."""

    table: FacilityTable
    errors: tuple[RowError, ...] = ()
    rejects_path: Path | None = None
    n_read: int = 0


@dataclass(frozen=True, slots=True)
class _Record:
    """One record as read: its values by column (for parsing) and as text (for the rejects file)."""

    row: int
    place: str
    values: Mapping[str, Any]
    original: Mapping[str, str]
    problems: tuple[Problem, ...] = ()


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = value if isinstance(value, str) else json.dumps(value) if isinstance(value, list | dict) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _NotFinite(ValueError):
    """A number that is NaN, infinite or beyond a float's range: an out-of-range value, not a malformed one."""


def _number(value: Any) -> float | None:
    """A number from text or a JSON/SQLite number; None when empty; ValueError when not a number
    (:class:`_NotFinite` when it is a number but not a finite one)."""
    if _empty(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(value)
    try:
        out = float(value.strip()) if isinstance(value, str) else float(value)
    except OverflowError as exc:
        raise _NotFinite(value) from exc
    if not math.isfinite(out):
        raise _NotFinite(value)
    return out


def _whole(value: Any) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(value)
    return int(number)


def _flag(value: Any) -> bool | None:
    if _empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise ValueError(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _shown(value)
    raise ValueError(value)


def _date(value: Any) -> date | None:
    if _empty(value):
        return None
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value.strip()):
        raise ValueError(value)
    return date.fromisoformat(value.strip())


PARSERS: Mapping[str, tuple[Callable[[Any], Any], str]] = {
    **{name: (_text, "a text") for name in TEXT_FIELDS},
    "lon": (_number, "a WGS84 longitude in degrees"),
    "lat": (_number, "a WGS84 latitude in degrees"),
    "capacity": (_number, f"a finite number >= 0 and <= {CAPACITY_MAX:g} (or empty when unknown)"),
    "year_built": (_whole, "a year such as 1978 (or empty when unknown)"),
    "condition": (_whole, "a rating 1 (very poor) to 5 (very good), or empty when not rated"),
    "last_inspection": (_date, "an ISO 8601 date YYYY-MM-DD (or empty)"),
    "backup_power": (_flag, "true or false"),
    "backup_water": (_flag, "true or false"),
    "illustrative": (_flag, "true or false (or empty: false)"),
    "replacement_cost_usd": (_number, f"a finite number >= 0 and <= {FACILITY_VALUE_USD.hi:g} (USD)"),
    "price_year": (_whole, "the year of the replacement cost prices, e.g. 2021"),
    "occupants_day": (_number, f"a finite number >= 0 and <= {FACILITY_OCCUPANTS.hi:g} (people)"),
    "occupants_night": (_number, f"a finite number >= 0 and <= {FACILITY_OCCUPANTS.hi:g} (people)"),
}
UPPER: Mapping[str, float] = {
    "capacity": CAPACITY_MAX,
    "replacement_cost_usd": FACILITY_VALUE_USD.hi,
    "occupants_day": FACILITY_OCCUPANTS.hi,
    "occupants_night": FACILITY_OCCUPANTS.hi,
}
"""Plausibility bounds (:mod:`kalkan.core.bounds`) on top of the facility's own checks (finite, >= 0)."""
DEFAULTS: Mapping[str, Any] = {
    "capacity_unit": "",
    "responsible_agency": "",
    "source": "",
    "illustrative": False,
}


def _parse(values: Mapping[str, Any]) -> tuple[Facility | None, list[Problem]]:
    """The facility of one record's raw values, or the problems of all its fields."""
    typed: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in FIELDS:
        parse, expected = PARSERS[name]
        raw = values.get(name)
        try:
            value = parse(raw)
        except (ValueError, TypeError) as exc:
            problems.append(
                Problem(name, raw, expected, "input.range" if isinstance(exc, _NotFinite) else "input.type")
            )
            continue
        if name in UPPER and value is not None and value > UPPER[name]:
            problems.append(Problem(name, raw, expected, "input.range"))
            continue
        if value is None or (value == "" and name in DEFAULTS):
            if name in DEFAULTS:
                value = DEFAULTS[name]
            elif name in REQUIRED:
                problems.append(Problem(name, raw, f"{expected} (required)", "input.missing"))
                continue
        typed[name] = value
    bad = {p.field for p in problems}
    checked = [p for p in check_facility(typed) if p.field not in bad and p.field in typed]
    problems.extend(Problem(p.field, values.get(p.field), p.expected, p.code) for p in checked)
    if problems:
        return None, problems
    return Facility(**typed), []


def _check_columns(names: Sequence[str], where: str, *, geometry: bool) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(
                f"{where}: column {name!r} appears twice; column names must be unique.",
                code="input.duplicate",
                field=name,
            )
        seen.add(name)
    unknown = [n for n in names if n not in FIELDS]
    if unknown:
        raise InputError(
            f"{where}: unknown column(s) {', '.join(map(repr, unknown))}; expected the facility columns "
            f"{', '.join(FIELDS)}.",
            hint="rename misspelt columns; drop columns Kalkan does not use.",
            code="input.unknown",
            field=unknown[0],
        )
    required = [c for c in REQUIRED if not (geometry and c in ("lon", "lat"))]
    missing = [c for c in required if c not in seen]
    if missing:
        raise InputError(
            f"{where}: missing column(s) {', '.join(map(repr, missing))}; required: {', '.join(required)}.",
            code="input.missing",
            field=missing[0],
        )


def _finish(
    records: list[_Record],
    path: Path,
    columns: Sequence[str],
    *,
    keep_valid: bool,
    rejects_path: str | os.PathLike[str] | None,
    within: Extent | None = None,
) -> FacilityImport:
    """Parse every record, collect every error, then import all or (``keep_valid``) the valid ones.

    ``within``: where the facilities must lie (the city's extent); a point outside is a problem of its row.
    A registry with no record is an error: importing it would empty the city's registry.
    """
    if not records:
        raise InputError(
            f"{path}: no facility in the file (a header but no data rows); nothing was imported.",
            hint="an empty file would empty the city's registry; Kalkan keeps the stored one.",
            code="input.empty",
        )
    parsed: list[tuple[_Record, Facility | None, list[Problem]]] = []
    for record in records:
        facility, problems = (None, list(record.problems)) if record.problems else _parse(record.values)
        if facility is not None and within is not None and within.outside(facility.lon, facility.lat).any():
            problems.append(
                Problem("lon/lat", f"{facility.lon:.6g}, {facility.lat:.6g}", within.expected, "input.outside")
            )
            facility = None
        parsed.append((record, facility, problems))
    by_id: dict[str, list[int]] = {}
    for k, (record, _, _) in enumerate(parsed):
        try:
            ident = _text(record.values.get("id"))
        except ValueError:
            continue
        if ident:
            by_id.setdefault(ident, []).append(k)
    for rows in by_id.values():
        if len(rows) > 1:
            for k in rows:
                others = ", ".join(parsed[j][0].place for j in rows if j != k)
                parsed[k][2].append(
                    Problem(
                        "id", parsed[k][0].values.get("id"), f"a unique id (also used at {others})", "input.duplicate"
                    )
                )
    valid = [(r, f) for r, f, p in parsed if f is not None and not p]
    if valid:
        first_record, first = valid[0]
        for record, facility in valid[1:]:
            if facility.price_year != first.price_year:
                k = next(i for i, (r, _, _) in enumerate(parsed) if r is record)
                parsed[k][2].append(
                    Problem(
                        "price_year",
                        record.values.get("price_year"),
                        f"{first.price_year} like {first_record.place} (one price year per registry)",
                        "input.inconsistent",
                    )
                )
    errors: list[RowError] = []
    for record, _, problems in parsed:
        try:
            ident = _text(record.values.get("id"))
        except ValueError:
            ident = ""
        errors.extend(
            RowError(record.row, record.place, ident, p.field, _shown(p.value), p.expected, p.code) for p in problems
        )
    if errors and not keep_valid:
        listed = "\n".join(f"  {e}" for e in errors[:MAX_LISTED])
        more = f"\n  ... and {len(errors) - MAX_LISTED} more" if len(errors) > MAX_LISTED else ""
        n_bad = sum(1 for _, _, p in parsed if p)
        raise RowsError(
            f"{path}: {len(errors)} error(s) in {n_bad} of {len(records)} row(s); nothing was imported:\n"
            f"{listed}{more}",
            errors,
            hint="fix the rows, or import the valid rows with keep_valid (the rejected rows go to a rejects CSV).",
            code=code_of(errors),
        )
    good = [f for _, f, p in parsed if f is not None and not p]
    table = FacilityTable.from_facilities(good, origin=str(path))
    written = None
    if keep_valid:
        written = Path(rejects_path) if rejects_path is not None else path.with_name(path.name + ".rejects.csv")
        rejected = [(r, p) for r, _, p in parsed if p]
        header = [*columns, "error"]
        with atomic_target(written, "rejects CSV") as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for record, problems in rejected:
                message = "; ".join(
                    str(RowError(record.row, record.place, "", p.field, _shown(p.value), p.expected)) for p in problems
                )
                writer.writerow([*(record.original.get(c, "") for c in columns), message])
        if not good:
            raise RowsError(
                f"{path}: no valid facility to store (all {len(records)} rejected); see {written}.",
                errors,
                code=code_of(errors),
            )
    return FacilityImport(table=table, errors=tuple(errors), rejects_path=written, n_read=len(records))


def read_facilities_csv(
    path: str | os.PathLike[str],
    *,
    keep_valid: bool = False,
    rejects_path: str | os.PathLike[str] | None = None,
    within: Extent | None = None,
) -> FacilityImport:
    """Read a facility registry CSV (UTF-8, header row; columns in the module docstring)."""
    path = Path(path)
    text = read_text_file(path, "facility registry CSV")
    records: list[_Record] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header is None:
            raise InputError(
                f"{path}: the file is empty; expected a header row with {', '.join(REQUIRED)}.", code="input.empty"
            )
        header = [h.strip() for h in header]
        _check_columns(header, str(path), geometry=False)
        for k, cells in enumerate(reader):
            if not any(c.strip() for c in cells):
                continue
            place = f"data row {k + 1}"
            values = dict(zip(header, cells, strict=False))
            problems: tuple[Problem, ...] = ()
            if len(cells) > len(header):
                problems = (Problem("(row)", ",".join(cells[len(header) :]), f"{len(header)} values", "input.syntax"),)
            elif len(cells) < len(header):
                problems = (
                    Problem("(row)", f"{len(cells)} values", f"{len(header)} values, one per column", "input.syntax"),
                )
            records.append(_Record(k + 1, place, values, {h: values.get(h, "") for h in header}, problems))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV ({exc}).", code="input.syntax") from exc
    return _finish(records, path, header, keep_valid=keep_valid, rejects_path=rejects_path, within=within)


def _point(geometry: Any) -> tuple[float, float] | Problem:
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else geometry
        return Problem("geometry", kind, "a GeoJSON Point", "input.type")
    coords = geometry.get("coordinates")
    if not (
        isinstance(coords, list)
        and len(coords) in (2, 3)
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
    ):
        return Problem("geometry", coords, "Point coordinates [lon, lat] in WGS84 degrees", "input.type")
    return float(coords[0]), float(coords[1])


def _agree(values: dict[str, Any], lon: float, lat: float) -> list[Problem]:
    """Lon/lat attributes, when a feature repeats them, must agree with its geometry."""
    out = []
    for name, coordinate in (("lon", lon), ("lat", lat)):
        given = values.get(name)
        if given is None:
            continue
        try:
            same = abs(float(given) - coordinate) <= 1e-9
        except (TypeError, ValueError, OverflowError):
            same = False
        if not same:
            out.append(
                Problem(
                    name, given, f"{coordinate!r}, the geometry's coordinate (or no attribute)", "input.inconsistent"
                )
            )
    values["lon"], values["lat"] = lon, lat
    return out


def read_facilities_geojson(
    path: str | os.PathLike[str],
    *,
    keep_valid: bool = False,
    rejects_path: str | os.PathLike[str] | None = None,
    within: Extent | None = None,
) -> FacilityImport:
    """Read a GeoJSON FeatureCollection (RFC 7946) of Point features whose properties are the columns."""
    path = Path(path)
    require_file(path)
    data = load_json_file(path)
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise InputError(f"{path}: expected a GeoJSON FeatureCollection with a 'features' list.", code="input.syntax")
    crs = data.get("crs")
    if crs is not None:
        properties = crs.get("properties") if isinstance(crs, dict) else None
        name = str(properties.get("name", "")) if isinstance(properties, dict) else str(crs)
        if not any(word in name.upper() for word in ("CRS84", "4326")):
            raise InputError(
                f"{path}: the collection declares the coordinate reference system {name!r}; Kalkan reads "
                "facilities in WGS84 longitude/latitude (EPSG:4326, as RFC 7946 requires).",
                hint=f"reproject, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson {path.name}.",
                code="input.unsupported",
                field="crs",
            )
    names: list[str] = []
    for feature in data["features"]:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            names.extend(str(n) for n in properties if str(n) not in names)
    if data["features"]:  # a collection without features is refused below as empty, not for its columns
        _check_columns(names, str(path), geometry=True)
    columns = ["lon", "lat", *(n for n in names if n not in ("lon", "lat"))]
    records = []
    for k, feature in enumerate(data["features"]):
        place = f"feature {k + 1}"
        properties = feature.get("properties") if isinstance(feature, dict) else None
        problems: list[Problem] = []
        if not isinstance(properties, dict):
            problems.append(Problem("properties", properties, "an object of facility columns", "input.type"))
            properties = {}
        values = dict(properties)
        point = _point(feature.get("geometry") if isinstance(feature, dict) else None)
        if isinstance(point, Problem):
            problems.append(point)
        else:
            problems.extend(_agree(values, *point))
        original = {n: _shown(values.get(n)) for n in columns}
        records.append(_Record(k + 1, place, values, original, tuple(problems)))
    return _finish(records, path, columns, keep_valid=keep_valid, rejects_path=rejects_path, within=within)


def read_facilities_gpkg(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    keep_valid: bool = False,
    rejects_path: str | os.PathLike[str] | None = None,
    within: Extent | None = None,
) -> FacilityImport:
    """Read a GeoPackage point layer in EPSG:4326 whose attribute columns are the facility columns."""
    path = Path(path)
    layer_rows = read_point_rows(path, layer)
    table, srs_id, rows = layer_rows.table, layer_rows.srs_id, layer_rows.rows
    attributes = [name for name, _ in layer_rows.attributes]
    _check_columns(attributes, f"{path}: layer '{table}'", geometry=True)
    columns = ["lon", "lat", *(a for a in attributes if a not in ("lon", "lat"))]
    where = _Layer(
        path, table, [int(r[0]) if isinstance(r[0], int) else k for k, r in enumerate(rows)], layer_rows.geom_column
    )
    records = []
    for k, row in enumerate(rows):
        values = dict(zip(attributes, row[2:], strict=True))
        problems: list[Problem] = []
        try:
            lon, lat = _decode_point(where, k, row[1], srs_id)
        except InputError as exc:
            prefix = "{}: {}: ".format(*where.locate(k))
            problems.append(Problem("geometry", _shown(row[1]), exc.message.removeprefix(prefix).rstrip("."), exc.code))
        except (TypeError, ValueError, IndexError) as exc:
            problems.append(Problem("geometry", _shown(row[1]), f"a GeoPackage binary Point ({exc})", "input.syntax"))
        else:
            problems.extend(_agree(values, lon, lat))
        for name, value in list(values.items()):
            if isinstance(value, bytes):
                problems.append(Problem(name, value, "text or a number, not binary data", "input.type"))
                values[name] = None
        original = {n: _shown(values.get(n)) for n in columns}
        records.append(_Record(k + 1, where.locate(k)[1], values, original, tuple(problems)))
    return _finish(records, path, columns, keep_valid=keep_valid, rejects_path=rejects_path, within=within)


def read_facilities(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    keep_valid: bool = False,
    rejects_path: str | os.PathLike[str] | None = None,
    within: Extent | None = None,
) -> FacilityImport:
    """Read a registry by its extension: ``.csv``, ``.geojson``/``.json`` or ``.gpkg``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return read_facilities_csv(path, keep_valid=keep_valid, rejects_path=rejects_path, within=within)
    if suffix in (".geojson", ".json"):
        return read_facilities_geojson(path, keep_valid=keep_valid, rejects_path=rejects_path, within=within)
    if suffix == ".gpkg":
        return read_facilities_gpkg(path, layer=layer, keep_valid=keep_valid, rejects_path=rejects_path, within=within)
    raise InputError(
        f"{path}: unknown facility file type {suffix!r}; expected .csv, .geojson or .gpkg.", code="input.unsupported"
    )


def illustrative_facilities(city: str) -> FacilityTable:
    """Kalkan's illustrative (invented) facility set of a founding city; see data/facilities/README.md."""
    if city not in ILLUSTRATIVE_CITIES:
        raise InputError(
            f"no illustrative facility set for {city!r}; expected one of {', '.join(ILLUSTRATIVE_CITIES)}.",
            code="input.unknown",
            field="city",
        )
    return read_facilities_csv(shipped_path(illustrative_facilities_file(city))).table


def _cell(value: Any) -> Any:
    """A facility value as written: None for unknown, ISO text for dates, else the value."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _rows(table: FacilityTable) -> Iterable[dict[str, Any]]:
    for facility in table:
        yield {name: _cell(getattr(facility, name)) for name in FIELDS}


def write_facilities_csv(table: FacilityTable, path: str | os.PathLike[str]) -> Path:
    """Write ``table`` as a registry CSV (all columns), atomically; :func:`read_facilities_csv` reads it back."""
    target = Path(path)
    with atomic_target(target, "CSV") as tmp, open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for row in _rows(table):
            writer.writerow(["" if v is None else _shown_full(v) for v in row.values()])
    return target


def _shown_full(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_facilities_geojson(table: FacilityTable, path: str | os.PathLike[str]) -> Path:
    """Write ``table`` as a GeoJSON FeatureCollection of Points (RFC 7946), atomically."""
    target = Path(path)
    features = []
    for row in _rows(table):
        lon, lat = row.pop("lon"), row.pop("lat")
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": row}
        )
    with atomic_target(target, "GeoJSON") as tmp:
        tmp.write_text(
            json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return target


SQL_TYPES = {
    "capacity": "DOUBLE",
    "year_built": "INTEGER",
    "condition": "INTEGER",
    "backup_power": "BOOLEAN",
    "backup_water": "BOOLEAN",
    "illustrative": "BOOLEAN",
    "replacement_cost_usd": "DOUBLE",
    "price_year": "INTEGER",
    "occupants_day": "DOUBLE",
    "occupants_night": "DOUBLE",
}


def write_facilities_gpkg(table: FacilityTable, path: str | os.PathLike[str], *, layer: str = "facilities") -> Path:
    """Write ``table`` as a GeoPackage 1.3 point layer in EPSG:4326, atomically (as the exposure writer)."""
    target = Path(path)
    attributes = [c for c in FIELDS if c not in ("lon", "lat")]
    definitions = ", ".join(f"{_ident(c)} {SQL_TYPES.get(c, 'TEXT')}" for c in attributes)
    values = [[row[c] for c in attributes] for row in _rows(table)]
    blobs = point_blobs(table.lon, table.lat)
    bbox = (
        (float(table.lon.min()), float(table.lat.min()), float(table.lon.max()), float(table.lat.max()))
        if len(table)
        else (None, None, None, None)
    )
    names = ", ".join(_ident(c) for c in ("geom", *attributes))
    marks = ", ".join("?" * (1 + len(attributes)))
    with atomic_target(target, "GeoPackage") as tmp:
        con = sqlite3.connect(tmp)
        try:
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            con.execute(f"PRAGMA user_version = {USER_VERSION}")
            con.executescript(_SCHEMA)
            con.executemany(
                "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                [
                    ("WGS 84 geodetic", WGS84, "EPSG", WGS84, WGS84_WKT, "longitude/latitude on WGS 84"),
                    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian"),
                    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic"),
                ],
            )
            con.execute(
                f"CREATE TABLE {_ident(layer)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POINT, "
                f"{definitions})"
            )
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, "
                "max_y, srs_id) VALUES (?, 'features', ?, 'Kalkan critical facilities', ?, ?, ?, ?, ?)",
                (layer, layer, *bbox, WGS84),
            )
            con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POINT', ?, 0, 0)", (layer, WGS84))
            con.executemany(
                f"INSERT INTO {_ident(layer)} ({names}) VALUES ({marks})",  # noqa: S608
                [(blob, *row) for blob, row in zip(blobs, values, strict=True)],
            )
            con.commit()
        except sqlite3.Error as exc:
            raise InputError(f"{target}: cannot write the GeoPackage ({exc}).", code="output.unwritable") from exc
        finally:
            con.close()
    return target
