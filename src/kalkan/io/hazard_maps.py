"""Read return-period hazard maps (flood depth or susceptibility class) and sample them at sites.

Inputs (see ``docs/flood-hazard-maps.md``):

* GeoTIFF, one file per return period, band 1;
* GeoPackage raster tables, one per return period (``RP=FILE.gpkg#TABLE``, or tables named ``..._rp100``);
* a GeoPackage **vector** layer of polygons with the attributes ``return_period`` (years) and ``depth_m``
  (or ``depth_cm``) or ``susceptibility_class``: a site takes the value of the polygon that contains it
  (the largest where polygons of one return period overlap, counted in a warning); a site in no polygon
  has no hazard at that return period.

Checks, before any sampling result is used: a coordinate reference system is required (none is an error;
WGS84 lon/lat sites are transformed into the map's CRS with GDAL through :func:`rasterio.warp.transform`);
a unit tag (``units``/``unit``, dataset or band, or the band's GDAL unit type) must agree with the declared
unit (``cm`` declared as ``m`` is refused); depths must lie in 0-30 m and classes be whole numbers 0-5
(the first offending cell is named: file, row, col, value; checked over the window that covers the sites,
the only part read); return periods must be strictly increasing and above 1 year. Nodata cells and sites
outside the map mean "no hazard at this site for this return period": both are counted per map and
reported, never silently turned into a depth of 0 m. A depth that *decreases* with return period at a
site is recorded as a warning with counts and left as it is (nothing is fixed silently).

Sampling: ``nearest`` (default) takes the cell that contains the site (GDAL's pixel-is-area convention);
``bilinear`` interpolates between the four surrounding cell centres and falls back to the containing cell
(counted) where one of the four is nodata or off the map, so that depth is never smeared into nodata.
"""

from __future__ import annotations

import math
import re
import sqlite3
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import rasterio  # type: ignore[import-untyped]
from numpy.typing import NDArray
from rasterio.crs import CRS  # type: ignore[import-untyped]
from rasterio.errors import CRSError  # type: ignore[import-untyped]
from rasterio.warp import transform  # type: ignore[import-untyped]
from rasterio.windows import Window  # type: ignore[import-untyped]

from kalkan.core.geometry import points_in_geojson
from kalkan.errors import InputError
from kalkan.io.geopackage import open_gpkg, require_plain_table
from kalkan.io.jsonfile import load_json_file

__all__ = [
    "CLASS_MAX",
    "DEPTH_MAX_M",
    "PERILS",
    "UNITS",
    "MapSample",
    "MapSpec",
    "MapStack",
    "check_return_periods",
    "normalise_peril",
    "parse_map_argument",
    "read_hazard_maps",
    "read_manifest",
    "specs_from_gpkg",
]

PERILS: dict[str, str] = {
    "river_flood": "riverine_flood",
    "riverine_flood": "riverine_flood",
    "snowmelt_flood": "snowmelt_flood",
    "mudflow": "mudflow",
    "landslide": "landslide",
}
"""Accepted peril names -> the :data:`kalkan.core.hazard.hazardset.PERILS` key they are stored under."""

UNITS: dict[str, str] = {
    "m": "water (or flow) depth in metres",
    "cm": "water (or flow) depth in centimetres; converted to m (x 0.01) on reading, and recorded",
    "class": "susceptibility class, a whole number 0-5: 0 none, 1 very low, 2 low, 3 moderate, 4 high, 5 very high",
}
"""Declared units of a map set."""

DEPTH_MAX_M = 30.0
"""Largest plausible depth (m). More is taken for a unit error (cm or mm read as m) and refused."""
CLASS_MAX = 5
"""Largest susceptibility class; classes are whole numbers 0..CLASS_MAX."""

_UNIT_WORDS: dict[str, str] = {
    "m": "m",
    "meter": "m",
    "meters": "m",
    "metre": "m",
    "metres": "m",
    "metre(s)": "m",
    "cm": "cm",
    "centimeter": "cm",
    "centimeters": "cm",
    "centimetre": "cm",
    "centimetres": "cm",
    "mm": "mm",
    "millimeter": "mm",
    "millimeters": "mm",
    "millimetre": "mm",
    "millimetres": "mm",
    "ft": "ft",
    "feet": "ft",
    "foot": "ft",
    "class": "class",
    "classes": "class",
    "category": "class",
    "susceptibility class": "class",
    "susceptibility_class": "class",
    "1": "class",
}
_UNIT_TAGS = ("units", "unit", "UNITS", "UNIT", "Units", "Unit")
_RP_NAME = re.compile(r"(?:^|[_\-.])(?:rp|t)[_\-]?(\d+(?:\.\d+)?)(?:_?(?:y|yr|yrs|years))?$", re.IGNORECASE)

Method = Literal["nearest", "bilinear"]
RETURN_PERIOD_MAX_YEARS = 1e7
"""Longest return period a hazard map may have (years); probabilistic maps stop at about 1e4-1e5 years."""


@dataclass(frozen=True, slots=True)
class MapSpec:
    """One map of a set: its return period (years; None only for a single susceptibility map), file, layer."""

    return_period_years: float | None
    path: Path
    layer: str | None = None

    @property
    def label(self) -> str:
        return f"{self.path}#{self.layer}" if self.layer else str(self.path)


@dataclass(frozen=True, slots=True)
class MapSample:
    """What one map gave at the sites: values in the declared unit converted (m or class), NaN = no value."""

    spec: MapSpec
    values: NDArray[np.float64]
    n_nodata: int
    n_outside: int
    crs: str
    kind: str
    unit_tag: str | None
    n_bilinear_fallback: int = 0
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        valid = self.values[np.isfinite(self.values)]
        return {
            "return_period_years": self.spec.return_period_years,
            "file": str(self.spec.path),
            "layer": self.spec.layer,
            "kind": self.kind,
            "crs": self.crs,
            "unit_tag": self.unit_tag,
            "sites_nodata": self.n_nodata,
            "sites_outside_map": self.n_outside,
            "sites_with_value": int(valid.size),
            "sites_above_zero": int((valid > 0).sum()),
            "max_value": float(valid.max()) if valid.size else None,
            "bilinear_fallbacks": self.n_bilinear_fallback,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class MapStack:
    """A checked set of maps sampled at sites: ``values[i, s]`` = map i at site s (NaN: no value)."""

    peril: str
    unit: str
    declared_unit: str
    return_periods_years: tuple[float, ...] | None
    values: NDArray[np.float64]
    samples: tuple[MapSample, ...]
    method: str
    warnings: tuple[str, ...] = field(default=())
    monotonicity: dict[str, Any] = field(default_factory=dict)


def normalise_peril(peril: str) -> str:
    """The stored peril name (``river_flood`` -> ``riverine_flood``); unknown names are an InputError."""
    key = peril.strip().lower()
    if key not in PERILS:
        raise InputError(f"Peril {peril!r}: expected one of {', '.join(PERILS)}.", code="input.unknown", field="peril")
    return PERILS[key]


def _check_unit(unit: str) -> str:
    key = unit.strip().lower()
    if key not in UNITS:
        raise InputError(
            f"Unit {unit!r}: expected one of {', '.join(UNITS)} ({'; '.join(UNITS.values())}).",
            code="input.unknown",
            field="unit",
        )
    return key


def check_return_periods(rps: Sequence[float], where: str, field: str = "--rp") -> tuple[float, ...]:
    """Return periods (years) as given, if every one is finite, above 1 and larger than the one before;
    ``field`` names where the user gave them (the option, a manifest field or a layer attribute)."""
    out: list[float] = []
    for k, rp in enumerate(rps):
        value = float(rp)
        if not math.isfinite(value) or value <= 1.0 or value > RETURN_PERIOD_MAX_YEARS:
            raise InputError(
                f"{where}: return period #{k + 1} is {rp!r} years; expected a finite number above 1 year "
                f"(a return period of 1 year or less is not an annual-maximum event) and at most "
                f"{RETURN_PERIOD_MAX_YEARS:g} years.",
                code="input.range",
                field=field,
            )
        if out and value <= out[-1]:
            raise InputError(
                f"{where}: return periods must be strictly increasing; #{k + 1} ({value:g} years) follows "
                f"{out[-1]:g} years. List the maps from the most frequent (smallest) to the rarest.",
                code="input.inconsistent",
                field=field,
            )
        out.append(value)
    if not out:
        raise InputError(f"{where}: no return-period map given.", code="input.empty", field=field)
    return tuple(out)


def parse_map_argument(text: str) -> MapSpec:
    """``RP=PATH`` or ``RP=PATH#LAYER`` (a GeoPackage table) -> MapSpec; ``PATH`` alone has no return period."""
    raw = text.strip()
    rp: float | None = None
    if "=" in raw:
        left, raw = raw.split("=", 1)
        try:
            rp = float(left.strip().lower().removeprefix("rp").removesuffix("y"))
        except ValueError as exc:
            raise InputError(
                f"--rp {text!r}: {left!r} is not a return period in years (write 100=FILE).",
                code="input.type",
                field="--rp",
            ) from exc
    path, _, layer = raw.partition("#")
    if not path:
        raise InputError(
            f"--rp {text!r}: no file given (write RP=FILE.tif or RP=FILE.gpkg#TABLE).",
            code="input.missing",
            field="--rp",
        )
    return MapSpec(rp, Path(path), layer or None)


def read_manifest(path: Path) -> tuple[str, str, list[MapSpec]]:
    """A JSON manifest ``{"peril": ..., "unit": ..., "maps": [{"return_period_years", "path", "layer"?}]}``.

    Relative paths are taken from the manifest's folder. Returns (peril, unit, maps).
    """
    data = load_json_file(path, max_bytes=1 << 20)
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: the manifest must be a JSON object with 'peril', 'unit' and 'maps'.", code="input.syntax"
        )
    for key in ("peril", "unit", "maps"):
        if key not in data:
            raise InputError(f"{path}: field '{key}' is missing.", code="input.missing", field=key)
    unknown = [k for k in data if k not in ("peril", "unit", "maps")]
    if unknown:
        raise InputError(
            f"{path}: unknown field(s) {', '.join(map(repr, unknown))}; expected peril, unit and maps.",
            code="input.unknown",
            field=unknown[0],
        )
    for key in ("peril", "unit"):
        if not isinstance(data[key], str):
            raise InputError(f"{path}: field '{key}' is {data[key]!r}; expected a text.", code="input.type", field=key)
    if not isinstance(data["maps"], list) or not data["maps"]:
        raise InputError(
            f"{path}: 'maps' must be a non-empty list.",
            code="input.empty" if data["maps"] == [] else "input.type",
            field="maps",
        )
    specs: list[MapSpec] = []
    for k, item in enumerate(data["maps"]):
        if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not item["path"].strip():
            missing = isinstance(item, dict) and item.get("path") in (None, "")
            raise InputError(
                f"{path}: maps[{k}] needs 'path' (and 'return_period_years').",
                code="input.missing" if missing else "input.type",
                field=f"maps[{k}].path" if isinstance(item, dict) else f"maps[{k}]",
            )
        unknown = [key for key in item if key not in ("return_period_years", "path", "layer")]
        if unknown:
            raise InputError(
                f"{path}: maps[{k}] has unknown field(s) {', '.join(map(repr, unknown))}; expected "
                "return_period_years, path and layer.",
                code="input.unknown",
                field=f"maps[{k}].{unknown[0]}",
            )
        rp = item.get("return_period_years")
        if rp is not None and (isinstance(rp, bool) or not isinstance(rp, int | float)):
            raise InputError(
                f"{path}: maps[{k}].return_period_years is {rp!r}; expected a number of years.",
                code="input.type",
                field=f"maps[{k}].return_period_years",
            )
        if rp is not None and not (math.isfinite(rp) and 1.0 < rp <= RETURN_PERIOD_MAX_YEARS):
            raise InputError(
                f"{path}: maps[{k}].return_period_years is {rp!r}; expected a number of years above 1 and at "
                f"most {RETURN_PERIOD_MAX_YEARS:g}.",
                code="input.range",
                field=f"maps[{k}].return_period_years",
            )
        layer = item.get("layer")
        if layer is not None and not isinstance(layer, str):
            raise InputError(
                f"{path}: maps[{k}].layer is {layer!r}; expected a table name.",
                code="input.type",
                field=f"maps[{k}].layer",
            )
        file = Path(str(item["path"]))
        specs.append(MapSpec(None if rp is None else float(rp), file if file.is_absolute() else path.parent / file,
                             item.get("layer")))  # fmt: skip
    return str(data["peril"]), str(data["unit"]), specs


# --------------------------------------------------------------------------------------------------------------
# Rasters (GeoTIFF, GeoPackage tables)
# --------------------------------------------------------------------------------------------------------------


def _unit_tag(ds: Any) -> str | None:
    """The unit a raster states for band 1, if any: a 'units'/'unit' tag (band, then dataset) or GDAL's unit."""
    for tags in (ds.tags(1), ds.tags()):
        for key in _UNIT_TAGS:
            if tags.get(key):
                return str(tags[key])
    units = getattr(ds, "units", None)
    if units and units[0]:
        return str(units[0])
    return None


def _check_unit_tag(tag: str | None, declared: str, where: str) -> None:
    if tag is None:
        return
    stated = _UNIT_WORDS.get(tag.strip().lower())
    if stated is None:
        raise InputError(
            f"{where}: the map states the unit {tag!r}, which Kalkan does not know; expected one of "
            f"{', '.join(sorted(set(_UNIT_WORDS.values())))} (declared: {declared!r}).",
            code="input.unknown",
            field="units",
        )
    if stated != declared:
        raise InputError(
            f"{where}: the map states its values are in {tag!r} ({stated}) but the maps were declared in "
            f"{declared!r}; declare the unit the file is in (e.g. --unit {stated}) or fix the file's tag."
            if stated in UNITS
            else f"{where}: the map states its values are in {tag!r} ({stated}); Kalkan reads depths in m or cm "
            "only: convert the map first.",
            code="input.inconsistent" if stated in UNITS else "input.unsupported",
            field="units",
        )


def _to_site_crs(ds_crs: Any, lon: NDArray[np.float64], lat: NDArray[np.float64]) -> tuple[Any, Any]:
    wgs84 = CRS.from_epsg(4326)
    if ds_crs == wgs84:
        return lon.copy(), lat.copy()
    xs, ys = transform(wgs84, ds_crs, lon.tolist(), lat.tolist())
    return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)


def _check_values(values: NDArray[np.float64], valid: NDArray[np.bool_], unit: str, where: str,
                  row0: int, col0: int, *, field: str | None = None, row: int | None = None) -> None:  # fmt: skip
    """Refuse implausible values (in the declared unit), naming the first bad cell (absolute row/col); ``field``
    and ``row`` are the attribute and feature of a polygon's value."""
    if unit == "class":
        bad = valid & ((values < 0) | (values > CLASS_MAX) | (values != np.round(values)))
        expect = f"a whole susceptibility class 0-{CLASS_MAX}"
    else:
        scale = 0.01 if unit == "cm" else 1.0
        bad = valid & ((values * scale < 0) | (values * scale > DEPTH_MAX_M))
        expect = f"a depth of 0 to {DEPTH_MAX_M:g} m" + (" (0 to 3000 cm)" if unit == "cm" else "")
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        raise InputError(
            f"{where}: cell row {row0 + r}, col {col0 + c} holds {float(values[r, c])!r} {unit}; expected {expect} "
            f"({int(bad.sum())} such cell(s) near the sites). A unit error (cm or mm read as m) is the usual "
            "cause; nodata cells must carry the file's nodata value.",
            code="input.range",
            field=field,
            row=row,
        )


def _check_extent(ds: Any, where: str) -> None:
    """Refuse a raster whose corners cannot be coordinates of its own CRS (a projected grid labelled
    EPSG:4326, or degrees labelled as metres are the usual cause)."""
    left, bottom, right, top = (float(v) for v in ds.bounds)
    if not all(math.isfinite(v) for v in (left, bottom, right, top)):
        raise InputError(
            f"{where}: the raster's geotransform gives non-finite bounds; the file is damaged.", code="input.syntax"
        )
    if ds.crs.is_geographic and (min(left, right) < -540 or max(left, right) > 540 or min(bottom, top) < -91
                                 or max(bottom, top) > 91):  # fmt: skip
        raise InputError(
            f"{where}: the raster's bounds x {left:g}..{right:g}, y {bottom:g}..{top:g} are not longitude/latitude "
            f"degrees, but its CRS ({ds.crs.to_string()}) is geographic; the CRS is wrong (projected coordinates "
            "labelled as degrees?).",
            hint="assign the CRS the grid was made in (e.g. gdal_edit.py -a_srs EPSG:32642 FILE).",
            code="input.inconsistent",
            field="crs",
        )


def _read_window(ds: Any, window: Any, where: str) -> Any:
    """Band 1 in ``window`` as a masked array; a damaged (truncated) file is an InputError."""
    try:
        return ds.read(1, window=window, masked=True)
    except (rasterio.errors.RasterioError, OSError, ValueError) as exc:
        raise InputError(
            f"{where}: the raster cannot be read ({exc}); the file is damaged or truncated.", code="input.unreadable"
        ) from exc


def sample_raster(
    spec: MapSpec, lon: NDArray[np.float64], lat: NDArray[np.float64], unit: str, method: Method = "nearest"
) -> MapSample:
    """Values of band 1 of a GeoTIFF (or a GeoPackage raster table) at WGS84 sites, in m or class.

    Refused: a file that is not a readable raster, no CRS or one its corners contradict, a damaged band,
    values that are infinite without being nodata, implausible values near the sites, and a map that gives
    no valid value at any site (all sites outside it or on nodata: a wrong CRS, the wrong area or an empty
    map).
    """
    where = spec.label
    if not spec.path.exists():
        raise InputError(f"{where}: file not found.", code="input.not_found")
    if spec.path.is_file() and spec.path.stat().st_size == 0:
        raise InputError(f"{where}: the file is empty; expected a raster.", code="input.empty")
    if spec.path.suffix.lower() == ".gpkg":
        _gpkg_contents(spec.path)  # every table a plain table before GDAL queries them
    options = {"TABLE": spec.layer} if spec.layer else {}
    try:
        ds_ctx = rasterio.open(spec.path, **options)
    except (rasterio.errors.RasterioError, OSError, ValueError) as exc:
        raise InputError(f"{where}: not a readable raster ({exc}).", code="input.syntax") from exc
    with ds_ctx as ds:
        if ds.count < 1:
            raise InputError(f"{where}: the raster has no band.", code="input.empty")
        if ds.crs is None:
            raise InputError(
                f"{where}: the raster has no coordinate reference system; Kalkan cannot place the sites on it.",
                hint="assign one (e.g. gdal_edit.py -a_srs EPSG:32642 FILE) after checking the map's metadata.",
                code="input.missing",
                field="crs",
            )
        _check_extent(ds, where)
        tag = _unit_tag(ds)
        _check_unit_tag(tag, unit, where)
        try:
            xs, ys = _to_site_crs(ds.crs, lon, lat)
        except (rasterio.errors.RasterioError, ValueError) as exc:
            raise InputError(
                f"{where}: the sites cannot be transformed to the raster's CRS ({exc}).",
                code="input.unsupported",
                field="crs",
            ) from exc
        a, b, c, d, e, f = tuple(~ds.transform)[:6]  # map x/y -> fractional col/row (GDAL pixel-is-area)
        fc = np.asarray(a * xs + b * ys + c, dtype=np.float64)
        fr = np.asarray(d * xs + e * ys + f, dtype=np.float64)
        finite = np.isfinite(fc) & np.isfinite(fr) & (np.abs(fc) < 2**53) & (np.abs(fr) < 2**53)
        col = np.where(finite, np.floor(np.where(finite, fc, 0)), -1).astype(np.int64)
        row = np.where(finite, np.floor(np.where(finite, fr, 0)), -1).astype(np.int64)
        inside = finite & (col >= 0) & (col < ds.width) & (row >= 0) & (row < ds.height)
        values = np.full(lon.shape, np.nan, dtype=np.float64)
        n_nodata = 0
        fallback = 0
        if inside.any():
            c0 = max(int(col[inside].min()) - 1, 0)
            r0 = max(int(row[inside].min()) - 1, 0)
            c1 = min(int(col[inside].max()) + 2, ds.width)
            r1 = min(int(row[inside].max()) + 2, ds.height)
            block = _read_window(ds, Window(c0, r0, c1 - c0, r1 - r0), where)
            data = np.asarray(block.data, dtype=np.float64)
            unmasked = ~np.ma.getmaskarray(block)
            infinite = unmasked & np.isinf(data)
            if infinite.any():
                r, cc = (int(v[0]) for v in np.nonzero(infinite))
                raise InputError(
                    f"{where}: cell row {r0 + r}, col {c0 + cc} holds {float(data[r, cc])!r} {unit}; expected a "
                    f"finite value, or the file's nodata value ({int(infinite.sum())} such cell(s) near the sites).",
                    code="input.range",
                )
            valid = unmasked & np.isfinite(data)
            _check_values(data, valid, unit, where, r0, c0)
            lr, lc = row[inside] - r0, col[inside] - c0
            picked = np.where(valid[lr, lc], data[lr, lc], np.nan)
            if method == "bilinear":
                picked, fallback = _bilinear(data, valid, fc[inside] - c0, fr[inside] - r0, picked)
            n_nodata = int(np.isnan(picked).sum())
            values[inside] = picked
        if unit == "cm":
            values = values * 0.01
        crs_text = ds.crs.to_string()
        if not np.isfinite(values).any():
            left, bottom, right, top = (float(v) for v in ds.bounds)
            reason = (
                f"all {lon.size:,} site(s) fall on nodata (or NaN) cells"
                if inside.all()
                else f"{int((~inside).sum()):,} of {lon.size:,} site(s) lie outside the map (x {left:g}..{right:g}, "
                f"y {bottom:g}..{top:g} in {crs_text}) and the others on nodata"
            )
            raise InputError(
                f"{where}: the map gives no value at any site ({reason}); a map that covers the city and has "
                "values there is expected (a wrong CRS, the wrong area or an empty map are the usual causes).",
                hint="where a map is dry, give depth 0 rather than nodata.",
                code="input.outside",
            )
    notes: tuple[str, ...] = ("values declared in cm, divided by 100 to m",) if unit == "cm" else ()
    return MapSample(spec, values, n_nodata, int((~inside).sum()), crs_text, "raster", tag, fallback, notes)


def _bilinear(
    data: NDArray[np.float64], valid: NDArray[np.bool_], fc: NDArray[np.float64], fr: NDArray[np.float64],
    nearest: NDArray[np.float64],
) -> tuple[NDArray[np.float64], int]:  # fmt: skip
    """Bilinear between the 4 cell centres around each point; the containing cell where any is not valid."""
    x = fc - 0.5
    y = fr - 0.5
    c = np.floor(x).astype(np.int64)
    r = np.floor(y).astype(np.int64)
    tx, ty = x - c, y - r
    h, w = data.shape
    ok = (c >= 0) & (r >= 0) & (c + 1 < w) & (r + 1 < h)
    cc, rr = np.clip(c, 0, max(w - 2, 0)), np.clip(r, 0, max(h - 2, 0))
    if w >= 2 and h >= 2:
        ok &= valid[rr, cc] & valid[rr, cc + 1] & valid[rr + 1, cc] & valid[rr + 1, cc + 1]
        interp = (
            data[rr, cc] * (1 - tx) * (1 - ty)
            + data[rr, cc + 1] * tx * (1 - ty)
            + data[rr + 1, cc] * (1 - tx) * ty
            + data[rr + 1, cc + 1] * tx * ty
        )
    else:
        ok &= False
        interp = nearest
    out = np.where(ok, interp, nearest)
    return out, int((~ok).sum())


# --------------------------------------------------------------------------------------------------------------
# GeoPackage: table discovery and polygon layers (sqlite3 and numpy; no OGR needed)
# --------------------------------------------------------------------------------------------------------------


def _gpkg_connect(path: Path) -> sqlite3.Connection:
    """A guarded read-only connection (:func:`kalkan.io.geopackage.open_gpkg`: plain core tables, a time limit)."""
    if not path.exists():
        raise InputError(f"{path}: file not found.", code="input.not_found")
    con = open_gpkg(path)
    try:
        con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall()
    except sqlite3.Error as exc:
        con.close()
        raise InputError(
            f"{path}: not a GeoPackage (no readable gpkg_contents table: {exc}).",
            code="input.syntax",
            field="gpkg_contents",
        ) from exc
    return con


def _gpkg_contents(path: Path) -> list[tuple[str, str]]:
    """(table, data type) of every layer in gpkg_contents; each must be a plain table (not a view)."""
    con = _gpkg_connect(path)
    try:
        rows = [(str(n), str(t)) for n, t in con.execute("SELECT table_name, data_type FROM gpkg_contents")]
        for name, _ in rows:
            require_plain_table(con, path, name)
        return rows
    except sqlite3.Error as exc:
        raise InputError(f"{path}: not a readable GeoPackage ({exc}).", code="input.unreadable") from exc
    finally:
        con.close()


def specs_from_gpkg(path: Path, layer: str | None = None) -> list[MapSpec]:
    """The maps of a GeoPackage: its polygon layer (``layer`` or the only features layer) as one spec, or
    its raster tables whose names end in the return period (``depth_rp100``, ``t_50``), smallest first."""
    contents = _gpkg_contents(path)
    features = [n for n, t in contents if t == "features"]
    rasters = [n for n, t in contents if t in ("2d-gridded-coverage", "tiles")]
    if layer is not None:
        kinds = dict(contents)
        if layer not in kinds:
            raise InputError(
                f"{path}: no layer {layer!r}; it has {', '.join(n for n, _ in contents) or 'none'}.",
                code="input.unknown",
                field="--layer",
            )
        if kinds[layer] == "features":
            return [MapSpec(None, path, layer)]
        raise InputError(
            f"{path}#{layer}: a raster table needs its return period: write --rp RP={path}#{layer} for each table.",
            code="input.options",
            field="--rp",
        )
    if features:
        if len(features) > 1:
            raise InputError(
                f"{path}: several features layers ({', '.join(features)}); name one with --layer.",
                code="input.options",
                field="--layer",
            )
        return [MapSpec(None, path, features[0])]
    specs = []
    for name in rasters:
        m = _RP_NAME.search(name)
        if m is None:
            raise InputError(
                f"{path}: raster table {name!r} does not end in its return period (e.g. depth_rp100); give "
                f"each table as --rp RP={path}#TABLE instead.",
                code="input.options",
                field="--rp",
            )
        specs.append(MapSpec(float(m.group(1)), path, name))
    if not specs:
        raise InputError(
            f"{path}: no features layer and no raster table in gpkg_contents.",
            code="input.empty",
            field="gpkg_contents",
        )
    return sorted(specs, key=lambda s: s.return_period_years or 0.0)


def _gpkg_crs(con: sqlite3.Connection, path: Path, table: str) -> Any:
    where = f"{path}#{table}"
    row = con.execute(
        "SELECT g.column_name, g.srs_id, s.organization, s.organization_coordsys_id, s.definition "
        "FROM gpkg_geometry_columns g LEFT JOIN gpkg_spatial_ref_sys s ON s.srs_id = g.srs_id "
        "WHERE g.table_name = ?",
        (table,),
    ).fetchone()
    if row is None:
        raise InputError(
            f"{where}: no row in gpkg_geometry_columns; not a features layer.",
            code="input.missing",
            field="gpkg_geometry_columns",
        )
    column, srs_id, org, org_id, definition = row
    if srs_id in (-1, 0) or org is None or (str(definition or "").strip().lower() in ("", "undefined")):
        raise InputError(
            f"{where}: the layer has no coordinate reference system (srs_id {srs_id}); Kalkan cannot place "
            "the sites on it. Assign the CRS the polygons were drawn in.",
            code="input.missing",
            field="srs_id",
        )
    try:
        if str(org).upper() == "EPSG":
            return str(column), CRS.from_epsg(int(org_id))
        return str(column), CRS.from_wkt(str(definition))
    except CRSError as exc:
        raise InputError(
            f"{where}: the layer's CRS (srs_id {srs_id}) cannot be read ({exc}).", code="input.syntax", field="srs_id"
        ) from exc


_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def _gpkg_geometry(blob: Any, where: str, column: str, fid: int | None) -> dict[str, Any] | None:
    """A GeoJSON-like Polygon/MultiPolygon from GeoPackage binary (OGC 12-128r17, clause 2.1.3: ``GP``
    header, optional envelope, ISO WKB), or None when the geometry is empty; errors name ``where`` and carry
    the geometry ``column`` and the feature id ``fid``."""
    data = bytes(blob)
    if len(data) < 8 or data[:2] != b"GP":
        raise InputError(
            f"{where}: not GeoPackage binary geometry (no 'GP' magic).", code="input.syntax", field=column, row=fid
        )
    flags = data[3]
    if flags & 0b10000:
        return None
    env = (flags >> 1) & 0b111
    if env not in _ENVELOPE_BYTES:
        raise InputError(
            f"{where}: invalid envelope indicator {env} in the geometry header.",
            code="input.syntax",
            field=column,
            row=fid,
        )
    try:
        geometry, _ = _wkb(data, 8 + _ENVELOPE_BYTES[env], where)
    except (struct.error, ValueError, IndexError) as exc:
        raise InputError(
            f"{where}: the geometry is truncated or damaged ({exc}).", code="input.syntax", field=column, row=fid
        ) from exc
    except InputError as exc:
        raise InputError(exc.message, code=exc.code, field=column, row=fid) from exc
    if not all(np.isfinite(ring).all() for rings in _polygons_of(geometry) for ring in rings):
        raise InputError(
            f"{where}: the geometry has non-finite (NaN or infinite) coordinates.",
            code="input.range",
            field=column,
            row=fid,
        )
    return geometry


def _polygons_of(geometry: dict[str, Any]) -> list[Any]:
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else list(geometry["coordinates"])


def _wkb(data: bytes, pos: int, where: str) -> tuple[dict[str, Any], int]:
    """Read one ISO WKB Polygon (3) or MultiPolygon (6), 2-D or with Z/M (x, y kept), from ``pos``."""
    order = "<" if data[pos] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", data, pos + 1)
    pos += 5
    base, dims = code % 1000, 2 + (code // 1000 in (1, 2)) + 2 * (code // 1000 == 3)
    if base == 3:
        rings, pos = _rings(data, pos, order, dims)
        return {"type": "Polygon", "coordinates": rings}, pos
    if base == 6:
        (n,) = struct.unpack_from(order + "I", data, pos)
        pos += 4
        polys = []
        for _ in range(n):
            part, pos = _wkb(data, pos, where)
            if part["type"] != "Polygon":
                raise InputError(f"{where}: a MultiPolygon part is a {part['type']}.", code="input.type")
            polys.append(part["coordinates"])
        return {"type": "MultiPolygon", "coordinates": polys}, pos
    raise InputError(f"{where}: geometry type code {code}; expected Polygon or MultiPolygon.", code="input.type")


def _rings(data: bytes, pos: int, order: str, dims: int) -> tuple[list[NDArray[np.float64]], int]:
    (n_rings,) = struct.unpack_from(order + "I", data, pos)
    pos += 4
    rings = []
    for _ in range(n_rings):
        (n,) = struct.unpack_from(order + "I", data, pos)
        pos += 4
        xy = np.frombuffer(data, dtype=np.dtype(order + "f8"), count=n * dims, offset=pos)
        rings.append(xy.reshape(n, dims)[:, :2].astype(np.float64))
        pos += 8 * n * dims
    return rings, pos


def sample_gpkg_polygons(
    spec: MapSpec, lon: NDArray[np.float64], lat: NDArray[np.float64], unit: str
) -> tuple[tuple[float, ...] | None, list[MapSample], list[str]]:
    """Values of a polygon layer at the sites, one sample per return period (by ``return_period``)."""
    assert spec.layer is not None
    where = f"{spec.path}#{spec.layer}"
    con = _gpkg_connect(spec.path)
    try:
        require_plain_table(con, spec.path, spec.layer)
        require_plain_table(con, spec.path, "gpkg_spatial_ref_sys")
        column, crs = _gpkg_crs(con, spec.path, spec.layer)
        names = [str(r[1]) for r in con.execute(f'PRAGMA table_info("{spec.layer}")')]
        lower = {n.lower(): n for n in names}
        wanted = {"m": "depth_m", "cm": "depth_cm", "class": "susceptibility_class"}[unit]
        if wanted not in lower:
            others = [a for a in ("depth_m", "depth_cm", "susceptibility_class") if a in lower]
            stated = f"; it has {', '.join(others)}" if others else ""
            raise InputError(
                f"{where}: declared unit {unit!r} needs the attribute '{wanted}'{stated}. Declare the unit the "
                "layer is in.",
                code="input.missing",
                field=wanted,
            )
        has_rp = "return_period" in lower
        if not has_rp and unit != "class":
            raise InputError(
                f"{where}: no 'return_period' attribute (years); depth polygons need one per feature.",
                code="input.missing",
                field="return_period",
            )
        fid = next((n for n in names if n.lower() in ("fid", "ogc_fid", "id")), "rowid")
        rp_sql = f'"{lower["return_period"]}"' if has_rp else "NULL"
        # Identifiers come from the file's own gpkg_contents / table_info, not from free text.
        query = f'SELECT {fid}, {rp_sql}, "{lower[wanted]}", "{column}" FROM "{spec.layer}"'  # noqa: S608
        rows = con.execute(query).fetchall()
    except sqlite3.Error as exc:
        raise InputError(f"{where}: cannot read the layer ({exc}).", code="input.unreadable") from exc
    finally:
        con.close()
    if not rows:
        raise InputError(f"{where}: the layer has no features.", code="input.empty")
    xs, ys = _to_site_crs(crs, lon, lat)
    by_rp: dict[float | None, list[tuple[dict[str, Any], float]]] = {}
    for feature_id, rp, value, blob in rows:
        at = f"{where}, feature {feature_id}"
        feature_row = feature_id if isinstance(feature_id, int) else None
        if has_rp and (isinstance(rp, bool) or not isinstance(rp, int | float) or not math.isfinite(rp) or rp <= 1):
            is_number = isinstance(rp, int | float) and not isinstance(rp, bool)
            raise InputError(
                f"{at}: return_period is {rp!r}; expected a number of years above 1.",
                code="input.missing" if rp is None else "input.range" if is_number else "input.type",
                field=lower["return_period"],
                row=feature_row,
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            raise InputError(
                f"{at}: {wanted} is {value!r}; expected a number.",
                code="input.missing" if value is None else "input.range" if is_number else "input.type",
                field=lower[wanted],
                row=feature_row,
            )
        _check_values(np.array([[float(value)]]), np.array([[True]]), unit, f"{at}, field {wanted}", 0, 0,
                      field=lower[wanted], row=feature_row)  # fmt: skip
        if blob is None:
            raise InputError(
                f"{at}: the feature has no geometry (NULL); every feature needs a polygon.",
                code="input.missing",
                field=column,
                row=feature_row,
            )
        geom = _gpkg_geometry(blob, at, column, feature_row)
        if geom is None:
            continue
        by_rp.setdefault(None if rp is None else float(rp), []).append((geom, float(value)))
    keys = sorted(by_rp, key=lambda k: -1.0 if k is None else k)
    samples: list[MapSample] = []
    warnings: list[str] = []
    scale = 0.01 if unit == "cm" else 1.0
    for key in keys:
        values = np.full(lon.shape, np.nan, dtype=np.float64)
        hits = np.zeros(lon.shape, dtype=np.int64)
        for geom, value in by_rp[key]:
            inside = points_in_geojson(geom, xs, ys)
            hits += inside
            values = np.where(inside, np.fmax(values, value * scale), values)
        overlap = int((hits > 1).sum())
        label = "no return period" if key is None else f"return period {key:g} years"
        if overlap:
            warnings.append(
                f"{where}, {label}: {overlap} site(s) lie in more than one polygon; the largest value was taken."
            )
        notes: tuple[str, ...] = ("outside every polygon = no hazard at that return period",)
        if unit == "cm":
            notes += ("values declared in cm, divided by 100 to m",)
        samples.append(
            MapSample(
                MapSpec(key, spec.path, spec.layer),
                values,
                0,
                int((hits == 0).sum()),
                crs.to_string(),
                "polygons",
                None,
                0,
                notes,
            )
        )
    rps = None if keys == [None] else tuple(float(k) for k in keys if k is not None)
    if None in by_rp and len(keys) > 1:
        raise InputError(
            f"{where}: some features have a return_period and some do not.",
            code="input.inconsistent",
            field="return_period",
        )
    if not any(np.isfinite(sample.values).any() for sample in samples):
        raise InputError(
            f"{where}: no site lies in any polygon of the layer ({len(rows)} feature(s), CRS {crs.to_string()}); "
            "a layer that covers the city is expected (a wrong CRS or the wrong area are the usual causes).",
            code="input.outside",
        )
    return rps, samples, warnings


# --------------------------------------------------------------------------------------------------------------
# The whole set
# --------------------------------------------------------------------------------------------------------------


def monotonicity(values: NDArray[np.float64], rps: Sequence[float], unit: str) -> tuple[dict[str, Any], list[str]]:
    """Sites where a rarer map gives less than a more frequent one (both valued), or loses its value.

    Policy: reported, never corrected; each band keeps its own map (see docs/flood-hazard-maps.md).
    """
    pairs = []
    warnings = []
    for i in range(len(rps) - 1):
        a, b = values[i], values[i + 1]
        both = np.isfinite(a) & np.isfinite(b)
        lower = both & (b < a)
        lost = np.isfinite(a) & (a > 0) & ~np.isfinite(b)
        drop = float((a - b)[lower].max()) if lower.any() else 0.0
        pairs.append({"from_rp_years": rps[i], "to_rp_years": rps[i + 1], "sites_decreasing": int(lower.sum()),
                      "max_decrease": drop, "sites_losing_value": int(lost.sum())})  # fmt: skip
        if lower.any():
            warnings.append(
                f"non-monotone maps: at {int(lower.sum())} site(s) the {rps[i + 1]:g}-year map is lower than the "
                f"{rps[i]:g}-year map (largest decrease {drop:.3g} {unit}); kept as given, not corrected."
            )
        if lost.any():
            warnings.append(
                f"{int(lost.sum())} site(s) have hazard in the {rps[i]:g}-year map but no value (nodata or outside) "
                f"in the {rps[i + 1]:g}-year map; that band has no hazard there, as the map says."
            )
    unit_name = "m" if unit in ("m", "cm") else unit
    return {"unit": unit_name, "pairs": pairs, "policy": "reported, not corrected"}, warnings


def read_hazard_maps(
    specs: Sequence[MapSpec],
    peril: str,
    unit: str,
    lon: NDArray[np.float64],
    lat: NDArray[np.float64],
    *,
    method: Method = "nearest",
) -> MapStack:
    """Check a map set and sample every map at the WGS84 sites (see the module docstring)."""
    stored_peril = normalise_peril(peril)
    declared = _check_unit(unit)
    if method not in ("nearest", "bilinear"):
        raise InputError(
            f"Sampling method {method!r}: expected nearest or bilinear.", code="input.unknown", field="method"
        )
    if stored_peril == "landslide" and declared != "class":
        raise InputError(
            "landslide maps are read as susceptibility classes (--unit class); Kalkan has no landslide "
            "intensity measure with vulnerability functions.",
            code="input.inconsistent",
            field="unit",
        )
    if declared == "class" and stored_peril != "landslide":
        raise InputError(f"{peril}: susceptibility classes are accepted for landslide only; flood and mudflow "
                         "maps must be depths (--unit m or cm).", code="input.inconsistent", field="unit")  # fmt: skip
    lon = np.ascontiguousarray(lon, dtype=np.float64)
    lat = np.ascontiguousarray(lat, dtype=np.float64)
    if lon.shape != lat.shape or lon.ndim != 1 or lon.size == 0:
        raise InputError(
            "Sites: lon and lat must be two equal, non-empty lists of WGS84 degrees.",
            code="input.empty" if lon.size == 0 or lat.size == 0 else "input.inconsistent",
        )
    if not (np.all(np.abs(lon) <= 180) and np.all(np.abs(lat) <= 90)):
        raise InputError(
            "Sites: lon/lat outside [-180, 180] x [-90, 90] (or NaN); sites must be WGS84 degrees.", code="input.range"
        )
    if not specs:
        raise InputError("No hazard map given.", code="input.missing", field="--rp")
    samples: list[MapSample] = []
    warnings: list[str] = []
    rps: tuple[float, ...] | None
    polygon_specs = [s for s in specs if s.path.suffix.lower() == ".gpkg" and s.layer and _is_features(s)]
    if polygon_specs:
        if len(specs) != 1:
            raise InputError(
                "A GeoPackage polygon layer carries all return periods; give it alone.", code="input.options"
            )
        rps, samples, warnings = sample_gpkg_polygons(polygon_specs[0], lon, lat, declared)
        if rps is not None:
            check_return_periods(rps, f"{polygon_specs[0].label} (return_period attribute)", "return_period")
    else:
        given = [s.return_period_years for s in specs]
        if any(rp is None for rp in given):
            if declared != "class" or len(specs) != 1:
                raise InputError(
                    "Every map needs its return period (RP=FILE); only a single susceptibility-class map may "
                    "come without one.",
                    code="input.missing",
                    field="--rp",
                )
            rps = None
        else:
            rps = check_return_periods([float(rp) for rp in given if rp is not None], "maps")
        for spec in specs:
            samples.append(sample_raster(spec, lon, lat, declared, method))
    values = np.vstack([s.values for s in samples])
    mono: dict[str, Any] = {}
    if rps is not None and len(rps) > 1:
        mono, more = monotonicity(values, rps, declared)
        warnings.extend(more)
    for s in samples:
        if s.n_nodata:
            warnings.append(f"{s.spec.label}: {s.n_nodata} site(s) fall on nodata cells: no hazard there (counted).")
        if s.n_outside and s.kind == "raster":
            warnings.append(f"{s.spec.label}: {s.n_outside} site(s) lie outside the map: no hazard there (counted).")
        if s.n_bilinear_fallback:
            warnings.append(
                f"{s.spec.label}: bilinear fell back to the containing cell at {s.n_bilinear_fallback} site(s) "
                "(a neighbour was nodata or off the map)."
            )
    return MapStack(
        peril=stored_peril,
        unit="class" if declared == "class" else "m",
        declared_unit=declared,
        return_periods_years=rps,
        values=values,
        samples=tuple(samples),
        method=method,
        warnings=tuple(warnings),
        monotonicity=mono,
    )


def _is_features(spec: MapSpec) -> bool:
    return dict(_gpkg_contents(spec.path)).get(spec.layer or "") == "features"
