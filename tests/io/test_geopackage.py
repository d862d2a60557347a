"""GeoPackage point layers: the bytes checked against OGC GeoPackage 1.3 by hand, round trips, bad geometries.

Files read here are built with sqlite3 and struct in the test, independently of the writer.
"""

from __future__ import annotations

import contextlib
import sqlite3
import struct
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kalkan.io.geopackage as geopackage
from kalkan.core.exposure.table import Exposure
from kalkan.errors import InputError
from kalkan.io.geopackage import read_exposure_gpkg, write_exposure_gpkg
from tests.errors import expect_error
from tests.io.test_exposure_csv import assert_same_exposure, exposures

WKT_UTM43 = (
    'PROJCS["WGS 84 / UTM zone 43N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]]]]'
)


def sample() -> Exposure:
    return Exposure(
        id=np.array(["b1", "b2", "b3"], dtype=object),
        lon=np.array([74.59, 72.8, -0.5]),
        lat=np.array([42.87, 40.53, 38.5]),
        taxonomy=np.array(["CR+CIP/LFINF", "MUR+ADO", "W"], dtype=object),
        costs={"structural": np.array([1e6, 2.5, 0]), "nonstructural": np.array([2e6, 0, 1])},
        number=np.array([2, 0.5, 1]),
        occupants={"day": np.array([10, 2.5, 0])},
        district=np.array(["Leninsky", "", "Sino"], dtype=object),
        occupancy=np.array(["Res", "Com", ""], dtype=object),
        critical_type=np.array(["", "school", ""], dtype=object),
        site_id=np.array([0, 1, 1]),
        extra={
            "year_built": np.array([1975.0, np.nan, 2001]),
            "storeys": np.array([5, 1, 2]),
            "code": np.array(["01234", "", "x"], dtype=object),
        },
        currency="TJS",
        price_year=2021,
    )


def test_round_trip(tmp_path: Path) -> None:
    e = sample()
    path = write_exposure_gpkg(e, tmp_path / "assets.gpkg")
    assert [p.name for p in tmp_path.iterdir()] == ["assets.gpkg"]
    back = read_exposure_gpkg(path)
    assert_same_exposure(e, back)
    assert list(back.extra["code"]) == ["01234", "", "x"], "TEXT columns stay text, even when numeric-looking"


def test_file_follows_the_standard(tmp_path: Path) -> None:
    """Requirements 1, 2, 6, 7, 10, 11, 13, 21-22 of OGC 12-128r17 (GeoPackage 1.3), checked without the reader."""
    path = write_exposure_gpkg(sample(), tmp_path / "assets.gpkg")
    header = path.read_bytes()[:100]
    assert header[:16] == b"SQLite format 3\x00"
    assert header[68:72] == b"GPKG", "application_id, SQLite header offset 68"
    assert struct.unpack(">I", header[60:64])[0] == 10300, "user_version, SQLite header offset 60"
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    srs = {r[1]: r for r in con.execute("SELECT * FROM gpkg_spatial_ref_sys")}
    assert set(srs) == {4326, -1, 0}
    assert srs[4326][2] == "EPSG" and srs[4326][3] == 4326 and 'AUTHORITY["EPSG","4326"]' in srs[4326][4]
    assert srs[-1][2:5] == ("NONE", -1, "undefined") and srs[0][2:5] == ("NONE", 0, "undefined")
    contents = con.execute(
        "SELECT table_name, data_type, identifier, min_x, min_y, max_x, max_y, srs_id FROM gpkg_contents"
    ).fetchall()
    assert contents == [("exposure", "features", "exposure", -0.5, 38.5, 74.59, 42.87, 4326)]
    assert con.execute("SELECT * FROM gpkg_geometry_columns").fetchall() == [("exposure", "geom", "POINT", 4326, 0, 0)]
    columns = {r[1]: (r[2], r[5]) for r in con.execute("PRAGMA table_info(exposure)")}
    assert columns["fid"] == ("INTEGER", 1) and columns["geom"] == ("POINT", 0)
    assert columns["cost_structural"][0] == "DOUBLE" and columns["district"][0] == "TEXT"
    assert columns["site_id"][0] == "INTEGER" and "lon" not in columns
    blob = con.execute("SELECT geom FROM exposure WHERE id = 'b1'").fetchone()[0]
    con.close()
    # GeoPackage binary header (clause 2.1.3.1.1): magic, version 0, flags, int32 srs_id; no envelope here.
    magic, version, flags = blob[:2], blob[2], blob[3]
    assert (magic, version) == (b"GP", 0)
    assert flags & 0b1 == 1, "header little-endian"
    assert (flags >> 1) & 0b111 == 0, "envelope indicator 0: no envelope"
    assert flags & 0b1_0000 == 0 and flags & 0b10_0000 == 0 and flags >> 6 == 0, "non-empty, standard, reserved 0"
    assert struct.unpack("<i", blob[4:8]) == (4326,)
    # ISO WKB Point: byte order 1 (little-endian), uint32 type 1, then x, y as doubles.
    assert len(blob) == 8 + 1 + 4 + 16
    assert blob[8] == 1 and struct.unpack("<I", blob[9:13]) == (1,)
    assert struct.unpack("<dd", blob[13:29]) == (74.59, 42.87)


SRS_4326 = ("WGS 84", 4326, "EPSG", 4326, "GEOGCS[...]", None)


def build(
    path: Path,
    geometries: list[bytes | None],
    *,
    srs: tuple[Any, ...] = SRS_4326,
    extra_layers: tuple[str, ...] = (),
    attributes: dict[str, list[Any]] | None = None,
    geometry_type: str = "POINT",
) -> Path:
    """A minimal GeoPackage built by hand: one features layer 'assets' (plus empty ``extra_layers``)."""
    n = len(geometries)
    attrs: dict[str, list[Any]] = {
        "id": [f"a{k}" for k in range(n)],
        "taxonomy": ["W"] * n,
        "cost_total": [100.0] * n,
        **(attributes or {}),
    }
    con = sqlite3.connect(path)
    con.executescript(geopackage._SCHEMA)
    con.execute("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", srs)
    for layer in ("assets", *extra_layers):
        columns = ", ".join(f'"{name}"' for name in attrs)
        con.execute(f'CREATE TABLE "{layer}" (fid INTEGER PRIMARY KEY, shape {geometry_type}, {columns})')
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES (?, 'features', ?)", (layer, srs[1])
        )
        con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'shape', ?, ?, 0, 0)", (layer, geometry_type, srs[1]))
    marks = ", ".join("?" * (2 + len(attrs)))
    rows = [(10 + k, g, *(v[k] for v in attrs.values())) for k, g in enumerate(geometries)]
    con.executemany(f"INSERT INTO assets VALUES ({marks})", rows)
    con.commit()
    con.close()
    return path


def gp_point(
    x: float, y: float, *, big: bool = False, envelope: bool = False, srs_id: int = 4326, wkb_big: bool | None = None
) -> bytes:
    order = ">" if big else "<"
    flags = (0 if big else 1) | ((1 << 1) if envelope else 0)
    head = b"GP\x00" + bytes([flags]) + struct.pack(order + "i", srs_id)
    if envelope:
        head += struct.pack(order + "4d", x, x, y, y)
    wkb_order = ">" if (big if wkb_big is None else wkb_big) else "<"
    return head + bytes([0 if wkb_order == ">" else 1]) + struct.pack(wkb_order + "Idd", 1, x, y)


def gp_wkb(wkb: bytes, flags: int = 1) -> bytes:
    return b"GP\x00" + bytes([flags]) + struct.pack("<i", 4326) + wkb


def test_reads_either_byte_order_with_or_without_envelope(tmp_path: Path) -> None:
    blobs: list[bytes | None] = [
        gp_point(74.5, 42.8),
        gp_point(72.8, 40.5, big=True),
        gp_point(69.2, 41.3, envelope=True),
        gp_point(68.8, 38.5, big=True, envelope=True, wkb_big=False),
    ]
    e = read_exposure_gpkg(build(tmp_path / "a.gpkg", blobs))
    np.testing.assert_array_equal(e.lon, [74.5, 72.8, 69.2, 68.8])
    np.testing.assert_array_equal(e.lat, [42.8, 40.5, 41.3, 38.5])
    assert list(e.id) == ["a0", "a1", "a2", "a3"] and e.costs["total"][0] == 100


def test_another_crs_is_an_error(tmp_path: Path) -> None:
    srs = ("WGS 84 / UTM zone 43N", 32643, "EPSG", 32643, WKT_UTM43, None)
    path = build(tmp_path / "utm.gpkg", [gp_point(500000, 4700000, srs_id=32643)], srs=srs)
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(path)
    message = expect_error(info, "input.unsupported", "srs_id").message
    assert "utm.gpkg" in message and "EPSG:32643" in message  # the file and the CRS it is in
    assert info.value.hint is not None and "EPSG:4326" in info.value.hint


def test_a_renumbered_wgs84_is_accepted(tmp_path: Path) -> None:
    srs = ("WGS 84", 100, "epsg", 4326, "GEOGCS[...]", None)
    e = read_exposure_gpkg(build(tmp_path / "a.gpkg", [gp_point(74.5, 42.8, srs_id=100)], srs=srs))
    assert e.lon[0] == 74.5


LINESTRING = b"\x01" + struct.pack("<II4d", 2, 2, 0, 0, 1, 1)
POLYGON = b"\x01" + struct.pack("<III8d", 3, 1, 4, 0, 0, 1, 0, 1, 1, 0, 0)
POINT_Z = b"\x01" + struct.pack("<I3d", 1001, 74.5, 42.8, 800)
MULTIPOINT = b"\x01" + struct.pack("<II", 4, 1) + b"\x01" + struct.pack("<Idd", 1, 74.5, 42.8)
NAN_POINT = b"\x01" + struct.pack("<Idd", 1, float("nan"), float("nan"))


@pytest.mark.parametrize(
    ("blob", "code", "field", "shown"),
    [
        (gp_wkb(POLYGON), "input.type", "shape", "Polygon"),
        (gp_wkb(LINESTRING), "input.type", "shape", "LineString"),
        (gp_wkb(MULTIPOINT), "input.type", "shape", "MultiPoint"),
        (gp_wkb(POINT_Z), "input.type", "shape", "Point Z"),
        (gp_wkb(b"\x01" + struct.pack("<I", 99)), "input.type", "shape", "99"),
        (None, "input.missing", "shape", None),
        (b"\x01\x01\x00\x00\x00", "input.syntax", "shape", None),
        (gp_point(1, 2)[:20], "input.syntax", "shape", "20"),
        (gp_wkb(NAN_POINT, 0b1_0001), "input.missing", "shape", None),
        (gp_wkb(NAN_POINT), "input.missing", "shape", None),
        (gp_wkb(b"\x07" + struct.pack("<Idd", 1, 1, 2)), "input.syntax", "shape", "7"),
        (gp_point(1, 2, srs_id=0), "input.inconsistent", "shape", "srs_id 0"),
        (gp_wkb(b"", 0b1011), "input.syntax", "shape", "5"),
        (gp_wkb(b"", 0b10_0001), "input.unsupported", "shape", None),
        (gp_point(500000, 4700000), "input.range", "shape (x)", "500000.0"),
    ],
)  # fmt: skip
def test_bad_geometries_name_the_feature_and_type(
    tmp_path: Path, blob: bytes | None, code: str, field: str, shown: str | None
) -> None:
    """The error names the file, the layer and the feature (fid 11 is its row); ``shown`` is the offending
    value the message quotes (geometry type, byte count, byte value, srs id, coordinate)."""
    path = build(tmp_path / "bad.gpkg", [gp_point(74.5, 42.8), blob])
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(path)
    message = expect_error(info, code, field, 11).message
    assert message.startswith(f"{path}: layer 'assets', "), message
    assert shown is None or shown in message


def test_attribute_errors_name_the_feature(tmp_path: Path) -> None:
    attributes: dict[str, list[Any]] = {"cost_total": [100.0, -3.0], "id": ["a", "a"]}
    path = build(tmp_path / "a.gpkg", [gp_point(1, 2), gp_point(3, 4)], attributes={"cost_total": [1.0, "lots"]})
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(path)
    assert "'lots'" in expect_error(info, "input.type", "cost_total", 11).message
    path = build(tmp_path / "b.gpkg", [gp_point(1, 2), gp_point(3, 4)], attributes=attributes)
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(path)
    assert "fid 10" in expect_error(info, "input.duplicate", "id", 11).message  # where the id was first used
    path = build(tmp_path / "c.gpkg", [gp_point(1, 2)], attributes={"notes": [b"\x00\x01"]})
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(path)
    expect_error(info, "input.type", "notes", 10)


def test_lon_lat_attributes_must_agree_with_the_geometry(tmp_path: Path) -> None:
    same = build(tmp_path / "a.gpkg", [gp_point(1.5, 2.5)], attributes={"lon": [1.5], "lat": [2.5]})
    e = read_exposure_gpkg(same)
    assert (e.lon[0], e.lat[0]) == (1.5, 2.5) and "lon" not in e.extra
    differs = build(tmp_path / "b.gpkg", [gp_point(1.5, 2.5)], attributes={"lon": [1.5], "lat": [3.0]})
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(differs)
    message = expect_error(info, "input.inconsistent", "lat", 10).message
    assert "3.0" in message and "2.5" in message


def test_layer_choice(tmp_path: Path) -> None:
    path = build(tmp_path / "two.gpkg", [gp_point(1, 2)], extra_layers=("roads",))
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(path)
    assert "assets, roads" in expect_error(info, "input.options", "--layer").message  # the layers to choose from
    assert len(read_exposure_gpkg(path, layer="assets")) == 1
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(path, layer="bridges")
    message = expect_error(info, "input.unknown", "--layer").message
    assert "'bridges'" in message and "assets, roads" in message


def test_not_a_geopackage(tmp_path: Path) -> None:
    (tmp_path / "x.gpkg").write_bytes(b"this is not a database at all, just text" * 40)
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(tmp_path / "x.gpkg")
    assert "x.gpkg" in expect_error(info, "input.syntax").message
    sqlite3.connect(tmp_path / "plain.gpkg").execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(tmp_path / "plain.gpkg")
    assert "plain.gpkg" in expect_error(info, "input.missing", "gpkg_contents").message
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(tmp_path / "missing.gpkg")
    assert "missing.gpkg" in expect_error(info, "input.not_found").message
    (tmp_path / "empty.gpkg").write_bytes(b"")
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(tmp_path / "empty.gpkg")
    assert "empty.gpkg" in expect_error(info, "input.empty").message


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    e = sample()
    bad = Exposure(
        id=e.id,
        lon=e.lon,
        lat=e.lat,
        taxonomy=e.taxonomy,
        costs=e.costs,
        extra={"text": np.array(["a", "\ud800", "c"])},
    )
    with pytest.raises(InputError) as info:
        write_exposure_gpkg(bad, tmp_path / "bad.gpkg")
    assert "bad.gpkg" in expect_error(info, "output.unwritable").message
    assert list(tmp_path.iterdir()) == []
    clash = Exposure(id=e.id, lon=e.lon, lat=e.lat, taxonomy=e.taxonomy, costs=e.costs, extra={"ID": np.ones(3)})
    with pytest.raises(InputError) as info:
        write_exposure_gpkg(clash, tmp_path / "bad.gpkg")
    expect_error(info, "input.duplicate", "id")
    with pytest.raises(InputError) as info:
        write_exposure_gpkg(e, tmp_path / "bad.gpkg", layer="gpkg_contents")
    expect_error(info, "input.unsupported", "--layer")
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exposure=exposures(numeric_looking_text=True))
def test_random_tables_round_trip(exposure: Exposure) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = write_exposure_gpkg(exposure, Path(tmp) / "random.gpkg")
        assert_same_exposure(exposure, read_exposure_gpkg(path))


@settings(max_examples=200, deadline=None)
@given(blob=st.binary(max_size=60) | st.none(), prefix=st.sampled_from([b"", b"GP\x00\x01\xe6\x10\x00\x00"]))
def test_garbage_geometries_give_input_errors(blob: bytes | None, prefix: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "g.gpkg", [gp_point(74.5, 42.8), None if blob is None else prefix + blob])
        with contextlib.suppress(InputError):
            read_exposure_gpkg(path)


@settings(max_examples=100, deadline=None)
@given(value=st.none() | st.integers(-(2**63), 2**63 - 1) | st.floats() | st.text(max_size=10) | st.binary(max_size=5))
def test_garbage_attributes_give_input_errors(value: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for field in ("id", "taxonomy", "cost_total", "site_id", "critical_type", "currency", "price_year"):
            path = build(Path(tmp) / f"{field}.gpkg", [gp_point(74.5, 42.8)], attributes={field: [value]})
            with contextlib.suppress(InputError):
                read_exposure_gpkg(path)
