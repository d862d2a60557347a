"""Reading return-period maps: CRS transforms, nodata, sampling, units, GeoPackage rasters and polygons."""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio  # type: ignore[import-untyped]
from numpy.typing import NDArray

from kalkan.errors import InputError
from kalkan.io.hazard_maps import (
    MapSpec,
    check_return_periods,
    parse_map_argument,
    read_hazard_maps,
    read_manifest,
    specs_from_gpkg,
)
from tests.errors import expect_error


def from_origin(west: float, north: float, xsize: float, ysize: float) -> Any:
    """North-up affine transform (rasterio's from_origin, without its deprecated operator)."""
    from affine import Affine

    return Affine(xsize, 0.0, west, 0.0, -ysize, north)


def write_tif(
    path: Path,
    data: NDArray[Any],
    *,
    crs: str | None = "EPSG:4326",
    transform: Any = None,
    nodata: float | None = None,
    tags: dict[str, str] | None = None,
) -> Path:
    profile: dict[str, Any] = {
        "driver": "GTiff",
        "width": data.shape[1],
        "height": data.shape[0],
        "count": 1,
        "dtype": "float32",
        "transform": transform if transform is not None else from_origin(68.0, 42.0, 0.1, 0.1),
        "nodata": nodata,
    }
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(data.astype(np.float32), 1)
        if tags:
            ds.update_tags(**tags)
    return path


def geographic(tmp_path: Path, name: str = "g.tif", **kw: Any) -> Path:
    rows, cols = np.mgrid[0:20, 0:20]
    return write_tif(tmp_path / name, rows + cols / 100.0, **kw)


def test_geographic_nearest_cell_known_answers(tmp_path: Path) -> None:
    path = geographic(tmp_path)
    lon = np.array([68.05, 68.25, 68.0999, 70.5])
    lat = np.array([41.95, 41.62, 41.0001, 41.0])
    stack = read_hazard_maps([MapSpec(10.0, path)], "river_flood", "m", lon, lat)
    v = stack.values[0]
    # row = floor((42 - lat) / 0.1), col = floor((lon - 68) / 0.1): value = row + col / 100
    assert v[0] == pytest.approx(0.0)
    assert v[1] == pytest.approx(3.02, abs=1e-6)
    assert v[2] == pytest.approx(9.00, abs=1e-6)
    assert np.isnan(v[3])  # 70.5 E is east of the map (68-70 E)
    assert stack.samples[0].n_outside == 1
    assert stack.peril == "riverine_flood" and stack.unit == "m"
    assert any("outside the map" in w for w in stack.warnings)


def test_projected_utm42n_known_answers(tmp_path: Path) -> None:
    """UTM 42N (EPSG:32642): on the central meridian 69 E, easting is 500 000 m; at 40 N the northing is
    4 427 757 m (the meridian arc x 0.9996); 70 E 40 N is 585 360 m E, 4 428 236 m N."""
    data = np.full((200, 300), 0.1)
    data[72, 99] = 1.5  # x 499 500-500 500 m, y 4 427 000-4 428 000 m
    data[71, 184] = 2.5  # x 584 500-585 500 m, y 4 428 000-4 429 000 m
    path = write_tif(
        tmp_path / "utm.tif", data, crs="EPSG:32642", transform=from_origin(400_500.0, 4_500_000.0, 1000, 1000)
    )
    stack = read_hazard_maps([MapSpec(100.0, path)], "river_flood", "m", np.array([69.0, 70.0]), np.array([40.0, 40.0]))
    assert stack.values[0].tolist() == pytest.approx([1.5, 2.5])
    assert stack.samples[0].crs == "EPSG:32642"


def test_nodata_is_no_hazard_and_counted(tmp_path: Path) -> None:
    data = np.full((20, 20), 1.0)
    data[0, 0] = -9999.0
    data[0, 1] = np.nan
    path = write_tif(tmp_path / "n.tif", data, nodata=-9999.0)
    stack = read_hazard_maps(
        [MapSpec(10.0, path)], "river_flood", "m", np.array([68.05, 68.15, 68.25]), np.array([41.95] * 3)
    )
    assert np.isnan(stack.values[0, :2]).all() and stack.values[0, 2] == 1.0
    assert stack.samples[0].n_nodata == 2
    assert any("2 site(s) fall on nodata cells" in w for w in stack.warnings)
    assert stack.samples[0].as_dict()["sites_nodata"] == 2


def test_missing_crs_is_an_error(tmp_path: Path) -> None:
    path = geographic(tmp_path, crs=None)
    with pytest.raises(InputError) as info:
        read_hazard_maps([MapSpec(10.0, path)], "river_flood", "m", np.array([68.05]), np.array([41.95]))
    assert str(path) in expect_error(info, "input.missing", "crs").message


def test_unit_tag_must_match(tmp_path: Path) -> None:
    data = np.full((20, 20), 150.0)
    path = write_tif(tmp_path / "cm.tif", data, tags={"units": "cm"})
    with pytest.raises(InputError) as info:
        read_hazard_maps([MapSpec(10.0, path)], "river_flood", "m", np.array([68.05]), np.array([41.95]))
    assert "'cm'" in expect_error(info, "input.inconsistent", "units").message  # the unit the file states
    stack = read_hazard_maps([MapSpec(10.0, path)], "river_flood", "cm", np.array([68.05]), np.array([41.95]))
    assert stack.values[0, 0] == pytest.approx(1.5)
    assert stack.unit == "m" and stack.declared_unit == "cm"
    feet = write_tif(tmp_path / "ft.tif", np.ones((20, 20)), tags={"units": "ft"})
    with pytest.raises(InputError) as info:
        read_hazard_maps([MapSpec(10.0, feet)], "river_flood", "m", np.array([68.05]), np.array([41.95]))
    assert "'ft'" in expect_error(info, "input.unsupported", "units").message


@pytest.mark.parametrize("bad", [45.0, -0.5])
def test_implausible_depth_names_file_row_col_value(tmp_path: Path, bad: float) -> None:
    data = np.ones((20, 20))
    data[3, 4] = bad
    path = write_tif(tmp_path / "bad.tif", data)
    with pytest.raises(InputError) as info:
        read_hazard_maps([MapSpec(10.0, path)], "river_flood", "m", np.array([68.45]), np.array([41.65]))
    message = expect_error(info, "input.range").message
    assert "bad.tif" in message and "3" in message and "4" in message and str(bad) in message  # file, cell, value


def test_return_periods_must_increase_and_exceed_one_year(tmp_path: Path) -> None:
    a, b = geographic(tmp_path, "a.tif"), geographic(tmp_path, "b.tif")
    lon, lat = np.array([68.05]), np.array([41.95])
    with pytest.raises(InputError) as info:
        read_hazard_maps([MapSpec(100.0, a), MapSpec(10.0, b)], "river_flood", "m", lon, lat)
    expect_error(info, "input.inconsistent", "--rp")
    with pytest.raises(InputError) as info:
        check_return_periods([10, 10], "x")
    expect_error(info, "input.inconsistent", "--rp")
    with pytest.raises(InputError) as info:
        check_return_periods([1, 10], "x", "return_period_years")
    expect_error(info, "input.range", "return_period_years")
    with pytest.raises(InputError) as info:
        check_return_periods([float("nan")], "x")
    expect_error(info, "input.range", "--rp")
    with pytest.raises(InputError) as info:
        check_return_periods([], "x")
    expect_error(info, "input.empty", "--rp")


def test_non_monotone_maps_are_reported_not_fixed(tmp_path: Path) -> None:
    low = write_tif(tmp_path / "10.tif", np.full((20, 20), 2.0))
    high = np.full((20, 20), 3.0)
    high[0, 0] = 1.0
    high[0, 1] = -9999.0
    hi = write_tif(tmp_path / "100.tif", high, nodata=-9999.0)
    lon = np.array([68.05, 68.15, 68.25])
    stack = read_hazard_maps([MapSpec(10.0, low), MapSpec(100.0, hi)], "river_flood", "m", lon, np.array([41.95] * 3))
    assert stack.values[1, 0] == 1.0  # kept as given
    pair = stack.monotonicity["pairs"][0]
    assert pair["sites_decreasing"] == 1 and pair["max_decrease"] == pytest.approx(1.0)
    assert pair["sites_losing_value"] == 1
    assert any("non-monotone" in w and "1 site(s)" in w for w in stack.warnings)


def test_bilinear_interpolates_and_falls_back(tmp_path: Path) -> None:
    cols = np.tile(np.arange(20, dtype=float), (20, 1))  # value = column index: linear in lon
    path = write_tif(tmp_path / "lin.tif", cols / 10.0)
    # centres of col 2 and 3 are at 68.25 and 68.35; 68.32 is 70 % of the way: 0.2 + 0.7 * 0.1 = 0.27
    lon, lat = np.array([68.32, 68.02]), np.array([41.55, 41.55])
    near = read_hazard_maps([MapSpec(10.0, path)], "river_flood", "m", lon, lat)
    bil = read_hazard_maps([MapSpec(10.0, path)], "river_flood", "m", lon, lat, method="bilinear")
    assert near.values[0].tolist() == pytest.approx([0.3, 0.0])
    assert bil.values[0, 0] == pytest.approx(0.27, abs=1e-6)
    assert bil.values[0, 1] == pytest.approx(0.0)  # west of the first centre: falls back to its cell
    assert bil.samples[0].n_bilinear_fallback == 1


def test_parse_map_argument_and_manifest(tmp_path: Path) -> None:
    assert parse_map_argument("100=maps/d.tif") == MapSpec(100.0, Path("maps/d.tif"))
    assert parse_map_argument("rp50=f.gpkg#depth_rp50") == MapSpec(50.0, Path("f.gpkg"), "depth_rp50")
    assert parse_map_argument("susc.tif") == MapSpec(None, Path("susc.tif"))
    with pytest.raises(InputError) as info:
        parse_map_argument("ten=f.tif")
    assert "'ten'" in expect_error(info, "input.type", "--rp").message
    with pytest.raises(InputError) as info:
        parse_map_argument("10=")
    expect_error(info, "input.missing", "--rp")
    manifest = tmp_path / "m.json"
    manifest.write_text(
        json.dumps({"peril": "mudflow", "unit": "m", "maps": [{"return_period_years": 10, "path": "a.tif"}]})
    )
    peril, unit, specs = read_manifest(manifest)
    assert (peril, unit) == ("mudflow", "m") and specs == [MapSpec(10.0, tmp_path / "a.tif")]
    for content, code, field in (
        ({"peril": "mudflow", "unit": "m"}, "input.missing", "maps"),
        ({"peril": "mudflow", "unit": "m", "maps": []}, "input.empty", "maps"),
        ({"peril": "mudflow", "unit": 1, "maps": []}, "input.type", "unit"),
        ({"peril": "mudflow", "unit": "m", "maps": [], "units": "m"}, "input.unknown", "units"),
        ({"peril": "mudflow", "unit": "m", "maps": [{"path": "a.tif", "rp": 10}]}, "input.unknown", "maps[0].rp"),
        ({"peril": "mudflow", "unit": "m", "maps": [{"return_period_years": 10}]}, "input.missing", "maps[0].path"),
        ({"peril": "mudflow", "unit": "m", "maps": [{"path": "a.tif", "return_period_years": "10"}]}, "input.type",
         "maps[0].return_period_years"),
        ({"peril": "mudflow", "unit": "m", "maps": [{"path": "a.tif", "return_period_years": 0.5}]}, "input.range",
         "maps[0].return_period_years"),
    ):  # fmt: skip
        manifest.write_text(json.dumps(content))
        with pytest.raises(InputError) as info:
            read_manifest(manifest)
        assert "m.json" in expect_error(info, code, field).message


def test_landslide_needs_classes_and_classes_are_checked(tmp_path: Path) -> None:
    lon, lat = np.array([68.05]), np.array([41.95])
    classes = geographic(tmp_path, "c.tif")
    with pytest.raises(InputError) as info:
        read_hazard_maps([MapSpec(None, classes)], "landslide", "m", lon, lat)
    expect_error(info, "input.inconsistent", "unit")
    data = np.full((20, 20), 3.0)
    data[0, 5] = 2.5
    path = write_tif(tmp_path / "cls.tif", data)
    stack = read_hazard_maps([MapSpec(None, path)], "landslide", "class", lon, lat)
    assert stack.values[0, 0] == 3.0 and stack.return_periods_years is None
    with pytest.raises(InputError) as info:
        read_hazard_maps([MapSpec(None, path)], "landslide", "class", np.array([68.55]), lat)
    assert "2.5" in expect_error(info, "input.range").message  # the offending class


def test_geopackage_raster_tables(tmp_path: Path) -> None:
    path = tmp_path / "maps.gpkg"
    for k, (rp, depth) in enumerate(((10, 0.5), (100, 1.25))):
        profile = {"driver": "GPKG", "width": 20, "height": 20, "count": 1, "dtype": "float32", "crs": "EPSG:4326",
                   "transform": from_origin(68.0, 42.0, 0.1, 0.1)}  # fmt: skip
        opts = {"RASTER_TABLE": f"depth_rp{rp}"} | ({"APPEND_SUBDATASET": "YES"} if k else {})
        with rasterio.open(path, "w", **profile, **opts) as ds:
            ds.write(np.full((1, 20, 20), depth, dtype=np.float32))
    specs = specs_from_gpkg(path)
    assert [(s.return_period_years, s.layer) for s in specs] == [(10.0, "depth_rp10"), (100.0, "depth_rp100")]
    stack = read_hazard_maps(specs, "river_flood", "m", np.array([68.05, 69.0]), np.array([41.95, 41.0]))
    assert stack.values.ravel().tolist() == pytest.approx([0.5, 0.5, 1.25, 1.25])


def _gp_polygon(ring: list[tuple[float, float]], srs_id: int) -> bytes:
    """GeoPackage binary (no envelope, little-endian) of a one-ring polygon."""
    wkb = struct.pack("<BII", 1, 3, 1) + struct.pack("<I", len(ring)) + b"".join(struct.pack("<dd", *p) for p in ring)
    return b"GP" + bytes([0, 0b1]) + struct.pack("<i", srs_id) + wkb


def write_polygon_gpkg(path: Path, features: list[tuple[float, float, list[tuple[float, float]]]], *,
                       srs_id: int = 32642, column: str = "depth_m") -> Path:  # fmt: skip
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, "
        "organization_coordsys_id INTEGER, definition TEXT, description TEXT);"
        "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, srs_id INTEGER);"
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, "
        "srs_id INTEGER, z TINYINT, m TINYINT);"
    )
    con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('undefined', -1, 'NONE', -1, 'undefined', NULL)")
    con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 / UTM 42N', 32642, 'EPSG', 32642, 'x', NULL)")
    con.execute("INSERT INTO gpkg_contents VALUES ('flood', 'features', 'flood', ?)", (srs_id,))
    con.execute("INSERT INTO gpkg_geometry_columns VALUES ('flood', 'geom', 'POLYGON', ?, 0, 0)", (srs_id,))
    con.execute(f"CREATE TABLE flood (fid INTEGER PRIMARY KEY, geom BLOB, return_period REAL, {column} REAL)")
    for rp, depth, ring in features:
        con.execute(f"INSERT INTO flood (geom, return_period, {column}) VALUES (?, ?, ?)",
                    (_gp_polygon(ring, srs_id), rp, depth))  # fmt: skip
    con.commit()
    con.close()
    return path


def _square(x0: float, y0: float, size: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size), (x0, y0)]


def test_geopackage_polygons_in_utm(tmp_path: Path) -> None:
    """Polygons in UTM 42N around (69 E, 40 N) = (500 000, 4 427 757) m; the 70 E site is in none."""
    features = [(10.0, 0.4, _square(499_000, 4_427_000, 2000)), (100.0, 1.1, _square(498_000, 4_426_000, 4000)),
                (100.0, 0.7, _square(499_500, 4_427_500, 1000))]  # fmt: skip
    path = write_polygon_gpkg(tmp_path / "poly.gpkg", features)
    specs = specs_from_gpkg(path)
    stack = read_hazard_maps(specs, "river_flood", "m", np.array([69.0, 70.0]), np.array([40.0, 40.0]))
    assert stack.return_periods_years == (10.0, 100.0)
    assert stack.values[:, 0].tolist() == pytest.approx([0.4, 1.1])  # overlapping 100-year polygons: largest
    assert np.isnan(stack.values[:, 1]).all()
    assert stack.samples[1].n_outside == 1
    assert any("more than one polygon" in w for w in stack.warnings)


def test_geopackage_polygons_without_crs_or_in_cm(tmp_path: Path) -> None:
    features = [(10.0, 0.4, _square(0, 0, 10))]
    lon, lat = np.array([69.0]), np.array([40.0])
    nocrs = write_polygon_gpkg(tmp_path / "nocrs.gpkg", features, srs_id=-1)
    with pytest.raises(InputError) as info:
        read_hazard_maps(specs_from_gpkg(nocrs), "river_flood", "m", lon, lat)
    assert "nocrs.gpkg" in expect_error(info, "input.missing", "srs_id").message
    cm = write_polygon_gpkg(tmp_path / "cm.gpkg", features, column="depth_cm")
    with pytest.raises(InputError) as info:
        read_hazard_maps(specs_from_gpkg(cm), "river_flood", "m", lon, lat)
    assert "depth_cm" in expect_error(info, "input.missing", "depth_m").message  # the attribute it has


def test_geopackage_polygon_errors_name_the_feature(tmp_path: Path) -> None:
    """A bad feature's error carries the attribute (or geometry column) as the layer names it and its fid."""
    lon, lat = np.array([69.0]), np.array([40.0])
    square = _square(499_000, 4_427_000, 2000)
    deep = write_polygon_gpkg(tmp_path / "deep.gpkg", [(10.0, 0.4, square), (100.0, 45.0, square)])
    with pytest.raises(InputError) as info:
        read_hazard_maps(specs_from_gpkg(deep), "river_flood", "m", lon, lat)
    assert "45.0" in expect_error(info, "input.range", "depth_m", 2).message
    short = write_polygon_gpkg(tmp_path / "short.gpkg", [(0.5, 0.4, square)])
    with pytest.raises(InputError) as info:
        read_hazard_maps(specs_from_gpkg(short), "river_flood", "m", lon, lat)
    assert "0.5" in expect_error(info, "input.range", "return_period", 1).message
    empty = write_polygon_gpkg(tmp_path / "empty.gpkg", [(10.0, 0.4, square), (100.0, 1.0, square)])
    with sqlite3.connect(empty) as con:
        con.execute("UPDATE flood SET geom = NULL WHERE fid = 2")
    with pytest.raises(InputError) as info:
        read_hazard_maps(specs_from_gpkg(empty), "river_flood", "m", lon, lat)
    expect_error(info, "input.missing", "geom", 2)
    with sqlite3.connect(empty) as con:
        con.execute("UPDATE flood SET geom = ? WHERE fid = 2", (b"GP\x00\x01\x00\x00\x00\x00\x01\x02\x00",))
    with pytest.raises(InputError) as info:
        read_hazard_maps(specs_from_gpkg(empty), "river_flood", "m", lon, lat)
    expect_error(info, "input.syntax", "geom", 2)
    with sqlite3.connect(deep) as con:  # SQLite stores a NaN as NULL: the value is missing
        con.execute("UPDATE flood SET depth_m = NULL WHERE fid = 1")
    with pytest.raises(InputError) as info:
        read_hazard_maps(specs_from_gpkg(deep), "river_flood", "m", lon, lat)
    expect_error(info, "input.missing", "depth_m", 1)


def test_empty_map_files_are_refused_as_empty(tmp_path: Path) -> None:
    lon, lat = np.array([68.05]), np.array([41.95])
    for name in ("empty.tif", "empty.gpkg"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(InputError) as info:
            read_hazard_maps([MapSpec(10.0, tmp_path / name)], "river_flood", "m", lon, lat)
        assert name in expect_error(info, "input.empty").message
