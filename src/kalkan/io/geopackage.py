"""Read and write exposure as a GeoPackage point layer, with the standard library's :mod:`sqlite3` only.

Follows the OGC GeoPackage Encoding Standard 1.3 (OGC 12-128r17, https://docs.ogc.org/is/12-128r17/12-128r17.html):

- clause 1.1.1.1 (Requirements 1-2): an SQLite 3 file whose header ``application_id`` is 0x47504B47
  ("GPKG") and ``user_version`` 10300 (version 1.3.0); file extension ``.gpkg`` (Requirement 3);
- clause 1.1.2 (Requirements 10-11): table ``gpkg_spatial_ref_sys`` with at least EPSG:4326 (WGS 84),
  ``srs_id`` -1 (undefined Cartesian) and 0 (undefined geographic);
- clause 1.1.3 (Requirements 13-16): table ``gpkg_contents`` with one ``features`` row per layer and its
  bounding box;
- clause 2.1.5 (Requirements 21-27): table ``gpkg_geometry_columns`` naming the geometry column, its type
  (``POINT``), ``srs_id`` and the z/m flags (0: prohibited);
- clause 2.1.3 (Requirements 19-20, 33): the geometry column holds "GeoPackage binary": the bytes ``GP``,
  a version byte (0 = version 1), a flags byte (bit 0: byte order of the header, 1 = little-endian;
  bits 1-3: envelope contents indicator, 0 = no envelope, 1 = [minx, maxx, miny, maxy], 2/3 = XYZ/XYM,
  4 = XYZM; bit 4: empty geometry; bit 5: extended type), the ``srs_id`` as int32, the envelope as doubles,
  then the geometry as ISO WKB (a Point is byte order, uint32 type 1, then x and y as doubles).

The writer produces little-endian headers without envelope (29 bytes per point), which the standard allows
for points. The reader accepts either byte order with or without envelope, in ``srs_id`` 4326 (or any srs
that ``gpkg_spatial_ref_sys`` maps to EPSG 4326); another coordinate reference system is an error that says to
reproject. Non-point, empty or 3-D geometries are errors naming the feature id and the geometry type.

Attribute columns are those of the Kalkan exposure CSV (:mod:`kalkan.io.exposure_columns`) without
``lon``/``lat``, which come from the geometry. Columns are typed, so an extra column keeps its declared
type: ``TEXT`` stays text, numeric columns are read as ``float64`` (NULL as NaN).
"""

from __future__ import annotations

import math
import os
import sqlite3
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from kalkan.core.exposure.table import Exposure
from kalkan.errors import InputError
from kalkan.io.exposure_columns import (
    RawColumns,
    atomic_target,
    build_exposure,
    check_extra_names,
    check_layout_names,
    layout_columns,
    require_file,
)

__all__ = ["read_exposure_gpkg", "write_exposure_gpkg"]

APPLICATION_ID = 0x47504B47
"""``GPKG`` in ASCII: the SQLite header's application_id of a GeoPackage (Requirement 2)."""
USER_VERSION = 10300
"""GeoPackage 1.3.0 as major, two-digit minor, two-digit patch (Requirement 2)."""
WGS84 = 4326
WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]'
)
"""EPSG:4326 in OGC WKT 1, the definition GeoPackage writers commonly store for srs_id 4326."""
ENVELOPE_BYTES = (0, 32, 48, 48, 64)
"""Envelope length by envelope contents indicator 0-4 (clause 2.1.3.1.1)."""
WKB_TYPES = {
    1: "Point",
    2: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
    8: "CircularString",
    9: "CompoundCurve",
    10: "CurvePolygon",
    11: "MultiCurve",
    12: "MultiSurface",
    13: "Curve",
    14: "Surface",
    15: "PolyhedralSurface",
    16: "TIN",
    17: "Triangle",
}
WRITTEN_POINT = np.dtype(
    [
        ("magic", "S2"),
        ("version", "u1"),
        ("flags", "u1"),
        ("srs_id", "<i4"),
        ("byte_order", "u1"),
        ("wkb_type", "<u4"),
        ("x", "<f8"),
        ("y", "<f8"),
    ]
)
"""The 29-byte GeoPackage binary of a point as this writer lays it out (no padding)."""
TEXT_AFFINITY = ("CHAR", "CLOB", "TEXT")
"""SQLite gives a column TEXT affinity when its declared type contains one of these (SQLite datatypes, 3.1)."""


def _ident(name: str) -> str:
    """An SQL identifier, quoted (identifiers cannot be bound as parameters)."""
    return '"' + name.replace('"', '""') + '"'


def _wkb_name(code: int) -> str:
    base, dims = code % 1000, code // 1000
    suffix = {0: "", 1: " Z", 2: " M", 3: " ZM"}.get(dims)
    if base not in WKB_TYPES or suffix is None:
        return f"an unknown WKB geometry type (code {code})"
    return WKB_TYPES[base] + suffix


def point_blobs(lon: NDArray[np.float64], lat: NDArray[np.float64], srs_id: int = WGS84) -> list[bytes]:
    """GeoPackage binary Points (little-endian, no envelope), one per coordinate pair."""
    rows = np.zeros(len(lon), dtype=WRITTEN_POINT)
    rows["magic"], rows["version"], rows["flags"], rows["srs_id"] = b"GP", 0, 0b0000_0001, srs_id
    rows["byte_order"], rows["wkb_type"], rows["x"], rows["y"] = 1, 1, lon, lat
    data, size = rows.tobytes(), WRITTEN_POINT.itemsize
    return [data[i : i + size] for i in range(0, len(data), size)]


class _Layer:
    """Where a feature is, for messages: the file, the layer, the feature id and the geometry column."""

    def __init__(self, path: Path, name: str, fids: Sequence[int], geom_column: str = "geom") -> None:
        self.path, self.name, self.fids, self.geom_column = path, name, fids, geom_column

    def locate(self, k: int) -> tuple[str, str]:
        return str(self.path), f"layer '{self.name}', feature fid {self.fids[k]}"

    def row(self, k: int) -> int:
        """The feature id of feature ``k`` (what messages name), for :attr:`InputError.row`."""
        return int(self.fids[k])

    def error(self, k: int, what: str, *, code: str, field: str | None = None, hint: str | None = None) -> InputError:
        """The error of feature ``k``; ``field`` defaults to the geometry column."""
        file, place = self.locate(k)
        return InputError(
            f"{file}: {place}: {what}", hint=hint, code=code, field=field or self.geom_column, row=self.row(k)
        )


def _decode_point(layer: _Layer, k: int, blob: Any, srs_id: int) -> tuple[float, float]:
    """(x, y) of one GeoPackage binary Point; anything else is an error naming the feature."""
    if blob is None:
        raise layer.error(k, "has no geometry (NULL); every asset needs a point.", code="input.missing")
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        raise layer.error(
            k, "the geometry is not GeoPackage binary (it must start with the bytes 'GP').", code="input.syntax"
        )
    flags = blob[3]
    if flags & 0b0010_0000:
        raise layer.error(
            k, "the geometry uses an extended GeoPackage geometry type; expected a Point.", code="input.unsupported"
        )
    if flags & 0b0001_0000:
        raise layer.error(k, "the geometry is empty; every asset needs a point.", code="input.missing")
    indicator = (flags >> 1) & 0b111
    if indicator >= len(ENVELOPE_BYTES):
        raise layer.error(k, f"the geometry header has an invalid envelope indicator {indicator}.", code="input.syntax")
    header = "<" if flags & 1 else ">"
    try:
        (blob_srs,) = struct.unpack_from(header + "i", blob, 4)
        start = 8 + ENVELOPE_BYTES[indicator]
        order = blob[start]
        if order not in (0, 1):
            raise layer.error(k, f"the WKB byte-order byte is {order}; expected 0 or 1.", code="input.syntax")
        wkb = "<" if order == 1 else ">"
        (code,) = struct.unpack_from(wkb + "I", blob, start + 1)
        if code != 1:
            name = _wkb_name(code)
            hint = "drop the Z/M values, e.g. ogr2ogr -dim XY." if code % 1000 == 1 else None
            raise layer.error(
                k, f"the geometry is a {name}; expected a 2-D Point per asset.", code="input.type", hint=hint
            )
        x, y = struct.unpack_from(wkb + "dd", blob, start + 5)
    except (struct.error, IndexError) as exc:
        raise layer.error(k, f"the geometry is truncated ({len(blob)} bytes).", code="input.syntax") from exc
    if blob_srs != srs_id:
        raise layer.error(
            k, f"the geometry has srs_id {blob_srs}, but the layer's is {srs_id}.", code="input.inconsistent"
        )
    if math.isnan(x) and math.isnan(y):
        raise layer.error(k, "the geometry is an empty point; every asset needs a point.", code="input.missing")
    return float(x), float(y)


def _decode_points(layer: _Layer, blobs: list[Any], srs_id: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Coordinates of all points; a vectorised path for the common 29-byte little-endian layout."""
    size = WRITTEN_POINT.itemsize
    if blobs and all(type(b) is bytes and len(b) == size for b in blobs):
        rows = np.frombuffer(b"".join(blobs), dtype=WRITTEN_POINT)
        same = (
            (rows["magic"] == b"GP")
            & (rows["flags"] == 1)
            & (rows["srs_id"] == srs_id)
            & (rows["byte_order"] == 1)
            & (rows["wkb_type"] == 1)
            & ~(np.isnan(rows["x"]) & np.isnan(rows["y"]))
        )
        if same.all():
            return rows["x"].astype(np.float64), rows["y"].astype(np.float64)
    points = [_decode_point(layer, k, blob, srs_id) for k, blob in enumerate(blobs)]
    xy = np.array(points, dtype=np.float64).reshape(-1, 2)
    return np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])


def _attribute(layer: _Layer, name: str, declared: str, values: Sequence[Any]) -> pa.Array:
    """One attribute column as Arrow: text affinity -> string; all numbers -> float64; else string.

    The declared type is tried first in one C-level conversion; mixed columns (SQLite does not enforce
    types) take the slow path.
    """
    text_affinity = any(word in declared.upper() for word in TEXT_AFFINITY)
    try:
        return pa.array(values, pa.string() if text_affinity else pa.float64())
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        pass
    for k, v in enumerate(values):
        if isinstance(v, bytes):
            raise layer.error(
                k, f"field '{name}' holds binary data; expected text or a number.", code="input.type", field=name
            )
    if not text_affinity and all(v is None or isinstance(v, int | float) for v in values):
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    return pa.array([None if v is None else _text(v) for v in values], pa.string())


def _close(value: Any, coordinate: float) -> bool:
    """Whether a lon/lat attribute repeats the geometry's coordinate (within 1e-9 degrees)."""
    try:
        return abs(float(value) - coordinate) <= 1e-9
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


GPKG_QUERY_SECONDS = 120.0
"""Longest any query on a user's GeoPackage may run; a plain table of a million features reads in seconds."""
GPKG_CORE_TABLES = ("gpkg_contents", "gpkg_geometry_columns", "gpkg_spatial_ref_sys")


def open_gpkg(path: Path) -> sqlite3.Connection:
    """A read-only connection to a user's GeoPackage that cannot run away.

    A GeoPackage is an SQLite database the user controls: a "layer" may be a view over a recursive query
    that never ends, a virtual table, or a view hiding the core tables. The connection does not trust the
    schema (``trusted_schema = OFF``: no function with side effects from views or triggers), and a progress
    handler interrupts any query after :data:`GPKG_QUERY_SECONDS`. Callers check that the tables they read
    are plain tables (:func:`require_plain_table`) before querying them.
    """
    require_file(path)
    if path.stat().st_size == 0:  # SQLite would open it as an empty database and find no table
        raise InputError(f"{path}: the file is empty; expected a GeoPackage.", code="input.empty")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(f"{path}: cannot open the GeoPackage ({exc}).", code="input.unreadable") from exc
    deadline = time.monotonic() + GPKG_QUERY_SECONDS
    con.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        con.execute("PRAGMA trusted_schema = OFF")
        for table in GPKG_CORE_TABLES[:2]:
            require_plain_table(con, path, table)
    except sqlite3.DatabaseError as exc:
        con.close()
        raise InputError(
            f"{path}: not a readable GeoPackage (not an SQLite database: {exc}).", code="input.syntax"
        ) from exc
    except InputError:
        con.close()
        raise
    return con


def require_plain_table(con: sqlite3.Connection, path: Path, table: str) -> None:
    """Refuse ``table`` unless it is an ordinary table (not a view, a virtual table or missing), before any
    query reads it: a view can run an endless recursive query, a virtual table any module's code."""
    row = con.execute("SELECT type, sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    if row is None:
        raise InputError(f"{path}: not a readable GeoPackage (no table {table!r}).", code="input.missing", field=table)
    kind, sql = row
    if kind != "table" or str(sql or "").lstrip().upper().startswith("CREATE VIRTUAL"):
        what = "a virtual table" if kind == "table" else f"a {kind}"
        raise InputError(
            f"{path}: {table!r} is {what}, not a plain table; Kalkan reads GeoPackage layers and core tables only "
            "from ordinary tables (a view can hide a query that never ends).",
            hint=f"materialise it, e.g. ogr2ogr out.gpkg {path.name} (which writes plain tables).",
            code="input.unsafe",
            field=table,
        )


def _open(path: Path) -> sqlite3.Connection:
    return open_gpkg(path)


def _choose_layer(con: sqlite3.Connection, path: Path, layer: str | None) -> tuple[str, str, str, int]:
    """(table, geometry column, geometry type, srs_id) of the requested or only feature layer."""
    rows = con.execute(
        "SELECT c.table_name, g.column_name, g.geometry_type_name, g.srs_id FROM gpkg_contents c "
        "JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' "
        "ORDER BY c.table_name"
    ).fetchall()
    names = [str(r[0]) for r in rows]
    if layer is None and len(rows) != 1:
        found = ", ".join(names) or "none"
        raise InputError(
            f"{path}: choose a layer; the GeoPackage has {len(rows)} feature layers ({found}).",
            code="input.options" if rows else "input.empty",
            field="--layer" if rows else None,
        )
    chosen = rows[0] if layer is None else next((r for r in rows if r[0] == layer), None)
    if chosen is None:
        raise InputError(
            f"{path}: no feature layer {layer!r}; found {', '.join(names) or 'none'}.",
            code="input.unknown",
            field="--layer",
        )
    table, column, kind, srs_id = chosen
    if not isinstance(srs_id, int):
        raise InputError(
            f"{path}: gpkg_geometry_columns gives layer '{table}' the srs_id {srs_id!r}; expected 4326.",
            code="input.type",
            field="srs_id",
        )
    return str(table), str(column), str(kind), srs_id


def _check_srs(con: sqlite3.Connection, path: Path, table: str, srs_id: int) -> None:
    row = con.execute(
        "SELECT srs_name, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)
    ).fetchone()
    if row is not None and str(row[1]).upper() == "EPSG" and row[2] == WGS84:
        return
    name = (
        f"EPSG:{row[2]}, {row[0]!r}"
        if row is not None and str(row[1]).upper() == "EPSG"
        else (f"{row[1]}:{row[2]}, {row[0]!r}" if row is not None else "not in gpkg_spatial_ref_sys")
    )
    raise InputError(
        f"{path}: layer '{table}' uses srs_id {srs_id} ({name}); Kalkan reads exposure points in EPSG:4326 "
        "(WGS84 longitude/latitude degrees).",
        hint=f"reproject the layer to EPSG:4326, e.g. ogr2ogr -t_srs EPSG:4326 out.gpkg {path.name}.",
        code="input.unsupported",
        field="srs_id",
    )


@dataclass(frozen=True)
class PointRows:
    """The raw rows of one GeoPackage point layer: ``(fid, geometry blob, *attributes)`` in fid order."""

    table: str
    geom_column: str
    geom_type: str
    srs_id: int
    attributes: list[tuple[str, str]]
    """(column name, declared SQL type) of each attribute column, in table order."""
    rows: list[tuple[Any, ...]]


def read_point_rows(path: Path, layer: str | None) -> PointRows:
    """Choose the layer, check it is in EPSG:4326 and read every row (one place for the SQL, for every reader)."""
    con = _open(path)
    try:
        table, geom_column, geom_type, srs_id = _choose_layer(con, path, layer)
        require_plain_table(con, path, table)
        require_plain_table(con, path, "gpkg_spatial_ref_sys")
        _check_srs(con, path, table, srs_id)
        info = con.execute(f"PRAGMA table_info({_ident(table)})").fetchall()
        pk = [r[1] for r in info if r[5]]
        fid_column = pk[0] if len(pk) == 1 else "rowid"
        attributes = [(str(r[1]), str(r[2] or "")) for r in info if r[1] not in (geom_column, fid_column)]
        select = ", ".join(_ident(c) for c in (fid_column, geom_column, *(a for a, _ in attributes)))
        order = _ident(fid_column) if fid_column != "rowid" else "rowid"
        rows = con.execute(f"SELECT {select} FROM {_ident(table)} ORDER BY {order}").fetchall()  # noqa: S608
    except sqlite3.Error as exc:
        raise InputError(f"{path}: not a readable GeoPackage ({exc}).", code="input.unreadable") from exc
    finally:
        con.close()
    return PointRows(table, geom_column, geom_type, srs_id, attributes, rows)


def read_exposure_gpkg(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    currency: str | None = None,
    price_year: int | None = None,
) -> Exposure:
    """Read a GeoPackage point layer of assets (attribute columns as in the Kalkan exposure CSV)."""
    path = Path(path)
    layer_rows = read_point_rows(path, layer)
    table, geom_column, geom_type, srs_id = (
        layer_rows.table,
        layer_rows.geom_column,
        layer_rows.geom_type,
        layer_rows.srs_id,
    )
    attributes, rows = layer_rows.attributes, layer_rows.rows
    columns = list(zip(*rows, strict=True)) if rows else [()] * (2 + len(attributes))
    where = _Layer(path, table, [int(f) for f in columns[0]], geom_column)
    names = [a for a, _ in attributes]
    check_layout_names([*names, *(c for c in ("lon", "lat") if c not in names)], f"{path}: layer '{table}'")
    lon, lat = _decode_points(where, list(columns[1]), srs_id)
    if geom_type.upper() not in ("POINT", "GEOMETRY") and len(rows) == 0:
        raise InputError(
            f"{path}: layer '{table}' has geometry type {geom_type}; expected POINT.",
            code="input.type",
            field=geom_column,
        )
    arrays = {
        name: _attribute(where, name, declared, values)
        for (name, declared), values in zip(attributes, columns[2:], strict=True)
    }
    for name, coords in (("lon", lon), ("lat", lat)):
        if name in arrays:
            given, expected = arrays.pop(name).to_pylist(), coords.tolist()
            agree = [_close(v, c) for v, c in zip(given, expected, strict=True)]
            if not all(agree):
                k = agree.index(False)
                raise where.error(
                    k,
                    f"attribute '{name}' is {given[k]!r} but the point geometry says {expected[k]!r}; "
                    "remove the attribute or make them agree.",
                    code="input.inconsistent",
                    field=name,
                )
        arrays[name] = pa.array(coords)
    raw = RawColumns(
        source=str(path),
        n=len(rows),
        columns=arrays,
        headers={"lon": f"{geom_column} (x)", "lat": f"{geom_column} (y)"},
        locate=where.locate,
        infer_numbers=False,
        row_of=where.row,
    )
    return build_exposure(raw, currency=currency, price_year=price_year)


def _sql_type(values: NDArray[Any]) -> str:
    kind = np.asarray(values).dtype.kind
    return {"b": "BOOLEAN", "i": "INTEGER", "u": "INTEGER", "f": "DOUBLE"}.get(kind, "TEXT")


def _sql_values(values: NDArray[Any]) -> list[Any]:
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return [None if math.isnan(v) else v for v in arr.tolist()]
    if arr.dtype.kind in "biu":
        return [int(v) for v in arr.tolist()]
    return ["" if v is None else str(v) for v in arr.tolist()]


def write_exposure_gpkg(exposure: Exposure, path: str | os.PathLike[str], *, layer: str = "exposure") -> Path:
    """Write ``exposure`` as a GeoPackage 1.3 point layer (EPSG:4326), atomically.

    :func:`read_exposure_gpkg` reads it back unchanged (extra fields keep their type: numbers or text).
    """
    target = Path(path)
    check_extra_names(exposure, str(target), also_reserved=frozenset({"fid", "geom"}))
    columns = {k: v for k, v in layout_columns(exposure).items() if k not in ("lon", "lat")}
    columns["currency"] = np.full(len(exposure), exposure.currency, dtype=object)
    if exposure.price_year is not None:
        columns["price_year"] = np.full(len(exposure), exposure.price_year, dtype=np.int64)
    columns.update(exposure.extra)
    lowered = [c.lower() for c in ("fid", "geom", *columns)]
    if len(set(lowered)) < len(lowered):
        dup = next(c for c in lowered if lowered.count(c) > 1)
        raise InputError(
            f"{target}: two fields are both named {dup!r} (SQLite column names ignore case); rename one.",
            code="input.duplicate",
            field=dup,
        )
    if not layer or layer.lower().startswith("gpkg_") or layer.lower().startswith("rtree_"):
        raise InputError(
            f"{target}: layer name {layer!r} is empty or reserved by GeoPackage; choose another.",
            code="input.unsupported",
            field="--layer",
        )
    definitions = ", ".join(f"{_ident(name)} {_sql_type(values)}" for name, values in columns.items())
    n = len(exposure)
    bbox = (
        (float(exposure.lon.min()), float(exposure.lat.min()), float(exposure.lon.max()), float(exposure.lat.max()))
        if n
        else (None, None, None, None)
    )
    rows = zip(point_blobs(exposure.lon, exposure.lat), *(_sql_values(v) for v in columns.values()), strict=True)
    marks = ", ".join("?" * (1 + len(columns)))
    names = ", ".join(_ident(c) for c in ("geom", *columns))
    with atomic_target(target, "GeoPackage") as tmp:
        con = sqlite3.connect(tmp)
        try:
            con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            con.execute(f"PRAGMA user_version = {USER_VERSION}")
            con.execute("PRAGMA journal_mode = OFF")
            con.executescript(_SCHEMA)
            con.executemany(
                "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        "WGS 84 geodetic",
                        WGS84,
                        "EPSG",
                        WGS84,
                        WGS84_WKT,
                        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
                    ),
                    (
                        "Undefined cartesian SRS",
                        -1,
                        "NONE",
                        -1,
                        "undefined",
                        "undefined cartesian coordinate reference system",
                    ),
                    (
                        "Undefined geographic SRS",
                        0,
                        "NONE",
                        0,
                        "undefined",
                        "undefined geographic coordinate reference system",
                    ),
                ],
            )
            con.execute(
                f"CREATE TABLE {_ident(layer)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POINT, "
                f"{definitions})"
            )
            con.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, "
                "max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?)",
                (layer, layer, f"Kalkan exposure ({exposure.currency})", *bbox, WGS84),
            )
            con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POINT', ?, 0, 0)", (layer, WGS84))
            con.executemany(f"INSERT INTO {_ident(layer)} ({names}) VALUES ({marks})", rows)  # noqa: S608
            con.commit()
        except (sqlite3.Error, UnicodeEncodeError, OverflowError) as exc:
            raise InputError(f"{target}: cannot write the GeoPackage ({exc}).", code="output.unwritable") from exc
        finally:
            con.close()
    return target


_SCHEMA = """
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
"""
"""The core tables, as in the standard's Annex C (table definition SQL)."""
