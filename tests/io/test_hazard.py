"""Hazard I/O: Kalkan NPZ round trips, atomic saves, the benchmark case NPZ and CLIMADA HDF5 import.

The CLIMADA files are written here with h5py in the layout CLIMADA 6.1's ``Hazard.write_hdf5`` produces
(a pandas "fixed" frame for the centroids, with ``geometry.x``/``geometry.y`` columns and a protocol-0
pickled ``metadata`` attribute), and in the h5py centroid layout of CLIMADA <= 4. A file written by
CLIMADA 6.1 itself (``data/climada_hazard_eq_small.hdf5``, with its sidecar of expected values) is read too.
"""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import sparse

from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError
from kalkan.io.hazard import (
    FORMAT_NAME,
    load_case_hazard,
    load_climada_hazard,
    load_hazard,
    read_hazard_metadata,
    save_hazard,
)
from tests.errors import expect_error

DATA = Path(__file__).parent / "data"
REAL_CLIMADA = DATA / "climada_hazard_eq_small.hdf5"
GOLDEN = Path(__file__).resolve().parents[3] / "shared" / "bench" / "climada_golden_5k_1k" / "hazard.npz"

# pyproj's CRS.from_user_input("EPSG:4326").to_wkt(), as CLIMADA 6.1 stores it
_WGS84_MEMBERS = "".join(
    f'MEMBER["World Geodetic System 1984 ({m})"],'
    for m in ("Transit", "G730", "G873", "G1150", "G1674", "G1762", "G2139", "G2296")
)
WGS84_WKT = (
    f'GEOGCRS["WGS 84",ENSEMBLE["World Geodetic System 1984 ensemble",{_WGS84_MEMBERS}'
    'ELLIPSOID["WGS 84",6378137,298.257223563,LENGTHUNIT["metre",1]],ENSEMBLEACCURACY[2.0]],'
    'PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],CS[ellipsoidal,2],'
    'AXIS["geodetic latitude (Lat)",north,ORDER[1],ANGLEUNIT["degree",0.0174532925199433]],'
    'AXIS["geodetic longitude (Lon)",east,ORDER[2],ANGLEUNIT["degree",0.0174532925199433]],'
    'USAGE[SCOPE["Horizontal component of 3D system."],AREA["World."],BBOX[-90,-180,90,180]],ID["EPSG",4326]]'
)
UTM_WKT = 'PROJCRS["WGS 84 / UTM zone 42N",BASEGEOGCRS["WGS 84"],CONVERSION["UTM zone 42N"],ID["EPSG",32642]]'


def _hazard(dtype: type[np.floating[Any]] = np.float64, *, optional: bool = True) -> HazardSet:
    rng = np.random.default_rng(3)
    dense = rng.uniform(0.01, 1.5, size=(5, 4)) * (rng.uniform(size=(5, 4)) < 0.6)
    extra: dict[str, Any] = {}
    if optional:
        extra = {
            "site_vs30": np.array([360.0, 760.0, 180.0, 1100.0]),
            "event_name": np.array(["Kemin 1911", "Chilik 1889", "Верный 1887", "", "synthetic #5"]),
            "event_year": np.array([1911, 1889, 1887, 2024, 2025], dtype=np.int64),
            "realisation": np.array([0, 0, 1, 1, 2], dtype=np.int64),
        }
    return HazardSet(
        peril="earthquake",
        imt="PGA",
        unit="g",
        site_lon=np.array([76.9, 76.95, 77.0, 74.6]),
        site_lat=np.array([43.2, 43.25, 43.3, 42.87]),
        event_id=np.array([11, 12, 13, 14, 15], dtype=np.int64),
        frequency=np.array([0.001, 0.002, 0.0005, 0.01, 0.1]),
        intensity=sparse.csr_matrix(dense.astype(dtype)),
        source="unit test",
        **extra,
    )


def _assert_same(a: HazardSet, b: HazardSet) -> None:
    assert (a.peril, a.imt, a.unit) == (b.peril, b.imt, b.unit)
    assert a.intensity.dtype == b.intensity.dtype
    assert a.intensity.shape == b.intensity.shape
    assert np.array_equal(a.intensity.data, b.intensity.data)
    assert np.array_equal(a.intensity.indices, b.intensity.indices)
    assert np.array_equal(a.intensity.indptr, b.intensity.indptr)
    for name in ("site_lon", "site_lat", "event_id", "frequency"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    for name in ("site_vs30", "event_name", "event_year", "realisation"):
        left, right = getattr(a, name), getattr(b, name)
        assert (left is None) == (right is None), name
        if left is not None:
            assert np.array_equal(left, right), name


# ---------------------------------------------------------------------------------------------------------------
# Kalkan NPZ
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optional", [True, False])
@pytest.mark.parametrize("compress", [False, True])
def test_round_trip(tmp_path: Path, dtype: type[np.floating[Any]], optional: bool, compress: bool) -> None:
    original = _hazard(dtype, optional=optional)
    path = save_hazard(original, tmp_path / "h.npz", compress=compress)
    loaded = load_hazard(path)
    _assert_same(original, loaded)
    assert loaded.intensity.dtype == dtype
    assert loaded.source == str(path)


def test_file_is_plain_arrays_and_metadata(tmp_path: Path) -> None:
    path = save_hazard(_hazard(), tmp_path / "h.npz")
    with np.load(path, allow_pickle=False) as npz:
        assert npz["event_name"].dtype.kind == "U"
        assert npz["shape"].tolist() == [5, 4]
        meta = json.loads(str(npz["metadata"][()]))
    assert meta["format"] == FORMAT_NAME and meta["format_version"] == 1
    assert (meta["peril"], meta["imt"], meta["unit"]) == ("earthquake", "PGA", "g")
    assert meta["source"] == "unit test"
    assert meta["created"]["utc"].endswith("+00:00")
    assert read_hazard_metadata(path) == meta


def test_object_event_names_are_written_as_fixed_width(tmp_path: Path) -> None:
    base = _hazard()
    names = np.array(["a", "bb", "ccc", "d", "e"], dtype=object)
    hazard = HazardSet(
        peril=base.peril,
        imt=base.imt,
        unit=base.unit,
        site_lon=base.site_lon,
        site_lat=base.site_lat,
        event_id=base.event_id,
        frequency=base.frequency,
        intensity=base.intensity,
        event_name=names,
    )
    path = save_hazard(hazard, tmp_path / "h.npz")
    with np.load(path, allow_pickle=False) as npz:
        assert npz["event_name"].dtype == np.dtype("<U3")
    assert load_hazard(path).event_name is not None


def test_save_failure_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_savez(fh: Any, **arrays: Any) -> None:
        fh.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(InputError) as info:
        save_hazard(_hazard(), tmp_path / "h.npz")
    expect_error(info, "output.unwritable")
    assert list(tmp_path.iterdir()) == []


def test_save_failure_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save_hazard(_hazard(np.float32), tmp_path / "h.npz")
    before = path.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(InputError) as info:
        save_hazard(_hazard(np.float64), path)
    expect_error(info, "output.unwritable")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["h.npz"]


def test_interrupted_save_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(fh: Any, **arrays: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_hazard(_hazard(), tmp_path / "h.npz")
    assert list(tmp_path.iterdir()) == []


def test_save_into_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        save_hazard(_hazard(), tmp_path / "nowhere" / "h.npz")
    expect_error(info, "output.unwritable")


def _good_arrays(tmp_path: Path) -> dict[str, Any]:
    path = save_hazard(_hazard(), tmp_path / "good.npz")
    with np.load(path, allow_pickle=False) as npz:
        return {name: npz[name] for name in npz.files}


def _metadata(**changes: Any) -> NDArray[Any]:
    meta: dict[str, Any] = {"format": FORMAT_NAME, "format_version": 1, "peril": "earthquake", "imt": "PGA"}
    meta["unit"] = "g"
    meta.update(changes)
    return np.array(json.dumps(meta))


Expected = tuple[str, str | None, int | None]
"""The error's code, field and row."""

BAD_NPZ: list[tuple[str, Callable[[dict[str, Any]], object], Expected]] = [
    ("missing arrays", lambda a: [a.pop("indptr"), a.pop("frequency")], ("input.missing", "indptr", None)),
    ("no metadata", lambda a: a.pop("metadata"), ("input.missing", "metadata", None)),
    ("metadata not json", lambda a: a.update(metadata=np.array("{oops")), ("input.syntax", "metadata", None)),
    ("metadata not 0-d", lambda a: a.update(metadata=np.array(["{}"])), ("input.type", "metadata", None)),
    ("other format", lambda a: a.update(metadata=_metadata(format="other")), ("input.unsupported", "format", None)),
    ("newer version", lambda a: a.update(metadata=_metadata(format_version=2)),
     ("input.unsupported", "format_version", None)),
    ("no peril", lambda a: a.update(metadata=_metadata(peril="")), ("input.missing", "peril", None)),
    ("other crs", lambda a: a.update(metadata=_metadata(crs="EPSG:3857")), ("input.unsupported", "crs", None)),
    ("unknown peril", lambda a: a.update(metadata=_metadata(peril="meteor")), ("input.unknown", "peril", None)),
    ("short indptr", lambda a: a.update(indptr=a["indptr"][:-1]), ("input.inconsistent", "intensity", None)),
    ("indptr not at 0", lambda a: a.update(indptr=a["indptr"] + 1), ("input.inconsistent", "intensity", None)),
    ("bad shape", lambda a: a.update(shape=np.array([5])), ("input.type", "intensity", None)),
    ("site out of range", lambda a: a["indices"].__setitem__(0, 9), ("input.range", "intensity", 0)),
    ("int intensity", lambda a: a.update(data=a["data"].astype(np.int64)), ("input.type", "intensity", None)),
    ("text event ids", lambda a: a.update(event_id=np.array(["a"] * 5)), ("input.type", "event_id", None)),
    ("fractional year", lambda a: a.update(event_year=np.full(5, 1.5)), ("input.type", "event_year", 0)),
    ("site count", lambda a: a.update(site_lon=a["site_lon"][:3]), ("input.inconsistent", "site_lon", None)),
    ("nan intensity", lambda a: a["data"].__setitem__(2, np.nan), ("input.range", "intensity", 0)),
    ("negative intensity", lambda a: a["data"].__setitem__(-1, -0.5), ("input.range", "intensity", 4)),
]  # fmt: skip


@pytest.mark.parametrize(("label", "change", "expected"), BAD_NPZ, ids=[b[0] for b in BAD_NPZ])
def test_bad_kalkan_npz(
    tmp_path: Path, label: str, change: Callable[[dict[str, Any]], object], expected: Expected
) -> None:
    arrays = _good_arrays(tmp_path)
    change(arrays)
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(InputError) as err:
        load_hazard(path)
    assert str(path) in str(err.value)  # the message names the file
    code, field, row = expected
    expect_error(err, code, field, row) if row is not None else expect_error(err, code, field)


def test_duplicate_entries_are_refused(tmp_path: Path) -> None:
    arrays = _good_arrays(tmp_path)
    row0 = slice(int(arrays["indptr"][0]), int(arrays["indptr"][1]))
    assert row0.stop - row0.start >= 2
    arrays["indices"][row0.start + 1] = arrays["indices"][row0.start]
    path = tmp_path / "dup.npz"
    np.savez(path, **arrays)
    with pytest.raises(InputError) as info:
        load_hazard(path)
    expect_error(info, "input.duplicate", "intensity", 0)


def test_pickled_arrays_are_refused(tmp_path: Path) -> None:
    arrays = _good_arrays(tmp_path)
    arrays["event_name"] = np.array(["a", None, "c", "d", "e"], dtype=object)
    path = tmp_path / "pickled.npz"
    np.savez(path, **arrays)
    with pytest.raises(InputError) as info:
        load_hazard(path)
    expect_error(info, "input.unsafe", "event_name")


@pytest.mark.parametrize(
    ("content", "code"),
    [(None, "input.not_found"), (b"hello, not a zip", "input.syntax"), (b"PK\x03\x04garbage", "input.unreadable")],
)
def test_not_an_npz(tmp_path: Path, content: bytes | None, code: str) -> None:
    path = tmp_path / "x.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load_hazard(path)
    expect_error(info, code)


@st.composite
def _random_hazards(draw: st.DrawFn) -> HazardSet:
    n_events = draw(st.integers(1, 8))
    n_sites = draw(st.integers(1, 8))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    width: Literal[32, 64] = 32 if dtype is np.float32 else 64
    value = st.floats(0, 500, allow_nan=False, allow_infinity=False, width=width)  # depth m, kalkan.core.bounds
    cells = draw(st.dictionaries(st.tuples(st.integers(0, n_events - 1), st.integers(0, n_sites - 1)), value))
    rows = np.array([k[0] for k in cells], dtype=np.int64)
    cols = np.array([k[1] for k in cells], dtype=np.int64)
    values = np.array(list(cells.values()), dtype=dtype)
    matrix = sparse.csr_matrix((values, (rows, cols)), shape=(n_events, n_sites), dtype=dtype)
    names = draw(st.none() | st.lists(st.text(max_size=6), min_size=n_events, max_size=n_events))
    return HazardSet(
        peril="flood",
        imt="depth",
        unit="m",
        site_lon=np.linspace(68.0, 69.0, n_sites),
        site_lat=np.linspace(38.0, 39.0, n_sites),
        event_id=np.arange(1, n_events + 1),
        frequency=np.full(n_events, 1.0 / 3.0),
        intensity=matrix,
        event_name=None if names is None else np.array(names, dtype=np.str_),
    )


@settings(max_examples=60, deadline=None)
@given(hazard=_random_hazards())
def test_random_sparse_matrices_round_trip_exactly(tmp_path_factory: pytest.TempPathFactory, hazard: HazardSet) -> None:
    path = save_hazard(hazard, tmp_path_factory.mktemp("prop") / "h.npz")
    _assert_same(hazard, load_hazard(path))


# ---------------------------------------------------------------------------------------------------------------
# Benchmark case NPZ
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.skipif(not GOLDEN.exists(), reason="shared bench data (/work/shared) is not available")
def test_golden_case_loads_exactly() -> None:
    hazard = load_case_hazard(GOLDEN)
    with np.load(GOLDEN, allow_pickle=False) as raw:
        assert hazard.intensity.shape == tuple(raw["shape"])
        assert hazard.intensity.dtype == raw["data"].dtype == np.float64
        assert np.array_equal(hazard.intensity.data, raw["data"])
        assert np.array_equal(hazard.intensity.indices, raw["indices"])
        assert np.array_equal(hazard.intensity.indptr, raw["indptr"])
        assert np.array_equal(hazard.frequency, raw["frequency"])
        assert np.array_equal(hazard.event_id, raw["event_id"])
        assert np.array_equal(hazard.site_lon, raw["centroid_lon"])
        assert np.array_equal(hazard.site_lat, raw["centroid_lat"])
    assert (hazard.peril, hazard.imt, hazard.unit) == ("earthquake", "PGA", "g")


def _case_arrays(haz_type: str = "FL", units: str = "m") -> dict[str, Any]:
    return {
        "data": np.array([0.5, 1.25, 2.0]),
        "indices": np.array([0, 2, 1], dtype=np.int32),
        "indptr": np.array([0, 2, 3], dtype=np.int64),
        "shape": np.array([2, 3], dtype=np.int64),
        "frequency": np.array([0.01, 0.002]),
        "event_id": np.array([1, 2], dtype=np.int64),
        "centroid_lon": np.array([68.7, 68.8, 68.9]),
        "centroid_lat": np.array([38.5, 38.55, 38.6]),
        "haz_type": np.array(haz_type),
        "units": np.array(units),
    }


def test_case_flood(tmp_path: Path) -> None:
    path = tmp_path / "hazard.npz"
    np.savez(path, **_case_arrays())
    hazard = load_case_hazard(path)
    assert (hazard.peril, hazard.imt, hazard.unit) == ("flood", "depth", "m")
    assert hazard.intensity.toarray().tolist() == [[0.5, 0.0, 1.25], [0.0, 2.0, 0.0]]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"haz_type": np.array("TC")}, ("input.unsupported", "haz_type")),
        ({"units": np.array("cm")}, ("input.inconsistent", "units")),
        ({"units": np.array(["m", "m"])}, ("input.type", "units")),
        ({"data": np.array([0.5, -1.0, 2.0])}, ("input.range", "intensity")),
    ],
)
def test_bad_case(tmp_path: Path, change: dict[str, Any], expected: tuple[str, str]) -> None:
    path = tmp_path / "hazard.npz"
    np.savez(path, **{**_case_arrays(), **change})
    with pytest.raises(InputError) as err:
        load_case_hazard(path)
    assert str(path) in str(err.value)  # the message names the file
    expect_error(err, *expected)


def test_case_missing_arrays(tmp_path: Path) -> None:
    arrays = _case_arrays()
    del arrays["centroid_lat"], arrays["haz_type"]
    path = tmp_path / "hazard.npz"
    np.savez(path, **arrays)
    with pytest.raises(InputError) as info:
        load_case_hazard(path)
    expect_error(info, "input.missing", "centroid_lat")


# ---------------------------------------------------------------------------------------------------------------
# CLIMADA HDF5
# ---------------------------------------------------------------------------------------------------------------

LON = np.array([68.53, 68.556316, 68.582632, 68.6])
LAT = np.array([38.36, 38.36, 38.38, 38.4])
INTENSITY = sparse.csr_matrix(np.array([[0.1, 0.0, 0.25, 0.0], [0.0, 0.0, 0.0, 0.0], [0.3, 0.31, 0.0, 1.5]]))
DATES = np.array([730120, 730486, 738000], dtype=np.int64)  # 2000-01-01, 2001-01-01, 2021-07-28


def _text(h5: Any, name: str, value: str) -> None:
    ds = h5.create_dataset(name, (1,), dtype=h5py.string_dtype())
    ds[0] = value


def _csr_group(h5: Any, name: str, matrix: sparse.csr_matrix) -> None:
    group = h5.create_group(name)
    group.create_dataset("data", data=matrix.data)
    group.create_dataset("indices", data=matrix.indices)
    group.create_dataset("indptr", data=matrix.indptr)
    group.attrs["shape"] = matrix.shape


def _attr(obj: Any, name: str, value: bytes | bool, *, utf8: bool = True) -> None:
    """An attribute typed as PyTables writes it: str as fixed-length UTF-8, bool as an 8-bit bitfield."""
    if isinstance(value, bool):
        attr = h5py.h5a.create(obj.id, name.encode(), h5py.h5t.NATIVE_B8, h5py.h5s.create(h5py.h5s.SCALAR))
        attr.write(np.array(value, dtype=np.uint8), mtype=h5py.h5t.NATIVE_B8)
        return
    obj.attrs.create(name, np.bytes_(value), dtype=h5py.string_dtype("utf-8" if utf8 else "ascii", len(value)))


def _pandas_frame_centroids(h5: Any, lon: NDArray[Any], lat: NDArray[Any], meta: dict[str, Any] | None) -> None:
    """Centroids as CLIMADA 6.1 writes them: pd.HDFStore.put of a frame with region_id, on_land (objects)
    and geometry.x/geometry.y (floats); PyTables keeps the 'metadata' dict as a protocol-0 pickle text."""
    group = h5.create_group("centroids")
    for key, value in {
        "CLASS": b"GROUP",
        "VERSION": b"1.0",
        "pandas_type": b"frame",
        "pandas_version": b"0.15.2",
        "encoding": b"UTF-8",
        "errors": b"strict",
        "axis0_variety": b"regular",
        "axis1_variety": b"regular",
        "block0_items_variety": b"regular",
        "block1_items_variety": b"regular",
    }.items():
        _attr(group, key, value)
    group.attrs["ndim"] = np.int64(2)
    group.attrs["nblocks"] = np.int64(2)
    if meta is not None:
        _attr(group, "metadata", pickle.dumps(meta, protocol=0), utf8=False)

    def array(name: str, values: NDArray[Any], kind: bytes | None = None) -> None:
        ds = group.create_dataset(name, data=values)
        _attr(ds, "CLASS", b"CARRAY", utf8=False)
        _attr(ds, "VERSION", b"1.1", utf8=False)
        _attr(ds, "transposed", True)
        if kind is not None:
            _attr(ds, "kind", kind)

    array("axis0", np.array([b"region_id", b"on_land", b"geometry.x", b"geometry.y"]), b"string")
    array("axis1", np.arange(lon.size, dtype=np.int64), b"integer")
    array("block0_items", np.array([b"geometry.x", b"geometry.y"]), b"string")
    array("block0_values", np.column_stack([lon, lat]))
    array("block1_items", np.array([b"region_id", b"on_land"]), b"string")
    nones = pickle.dumps(np.full((lon.size, 2), None, dtype=object), protocol=5)
    objects = group.create_dataset("block1_values", (1,), dtype=h5py.vlen_dtype(np.uint8))
    objects[0] = np.frombuffer(nones, dtype=np.uint8)
    _attr(objects, "CLASS", b"VLARRAY")
    _attr(objects, "VERSION", b"1.4")
    _attr(objects, "PSEUDOATOM", b"object")
    _attr(objects, "transposed", True)


def _legacy_centroids(h5: Any, lon: NDArray[Any], lat: NDArray[Any], names: tuple[str, str], crs: str) -> None:
    """Centroids as CLIMADA <= 4 wrote them: plain h5py datasets in a 'centroids' group."""
    group = h5.create_group("centroids")
    group.create_dataset(names[0], data=lat)
    group.create_dataset(names[1], data=lon)
    group.create_dataset("region_id", data=np.zeros(lon.size))
    _text(group, "crs", crs)


def write_climada(
    path: Path,
    *,
    haz_type: str = "EQ",
    units: str = "g",
    intensity: sparse.csr_matrix = INTENSITY,
    fraction: sparse.csr_matrix | None = None,
    frequency_unit: str | None = "1/year",
    dates: NDArray[Any] | None = DATES,
    centroids: str = "6.1",
    lon: NDArray[Any] = LON,
    lat: NDArray[Any] = LAT,
    meta: dict[str, Any] | None = None,
    crs: str = WGS84_WKT,
    todense: bool = False,
    drop: tuple[str, ...] = (),
) -> Path:
    """A hazard file in the layout of CLIMADA 6.1's Hazard.write_hdf5 (or of older centroids)."""
    n_events = intensity.shape[0]
    with h5py.File(path, "w") as h5:
        _text(h5, "haz_type", haz_type)
        _text(h5, "units", units)
        h5.create_dataset("event_id", data=np.arange(1, n_events + 1, dtype=np.int64))
        h5.create_dataset("frequency", data=np.full(n_events, 0.01))
        if frequency_unit is not None:
            _text(h5, "frequency_unit", frequency_unit)
        names = h5.create_dataset("event_name", (n_events,), dtype=h5py.string_dtype())
        names[:] = [f"event {i}" for i in range(n_events)]
        if dates is not None:
            h5.create_dataset("date", data=dates[:n_events])
        h5.create_dataset("orig", data=np.ones(n_events, dtype=bool))
        if todense:
            h5.create_dataset("intensity", data=intensity.toarray())
        else:
            _csr_group(h5, "intensity", intensity)
        _csr_group(h5, "fraction", sparse.csr_matrix(intensity.shape) if fraction is None else fraction)
        if centroids == "6.1":
            _pandas_frame_centroids(h5, lon, lat, {"crs": crs, "xy_columns": ["geometry"]} if meta is None else meta)
        elif centroids == "lat/lon":
            _legacy_centroids(h5, lon, lat, ("lat", "lon"), crs)
        elif centroids == "latitude/longitude":
            _legacy_centroids(h5, lon, lat, ("latitude", "longitude"), crs)
        for name in drop:
            del h5[name]
    return path


@pytest.mark.parametrize("centroids", ["6.1", "lat/lon", "latitude/longitude"])
def test_climada_import(tmp_path: Path, centroids: str) -> None:
    hazard = load_climada_hazard(write_climada(tmp_path / "eq.hdf5", centroids=centroids))
    assert (hazard.peril, hazard.imt, hazard.unit) == ("earthquake", "PGA", "g")
    assert hazard.intensity.dtype == np.float64
    assert np.array_equal(hazard.intensity.toarray(), INTENSITY.toarray())
    assert np.array_equal(hazard.site_lon, LON) and np.array_equal(hazard.site_lat, LAT)
    assert hazard.event_id.tolist() == [1, 2, 3]
    assert hazard.frequency.tolist() == [0.01, 0.01, 0.01]
    assert hazard.event_name is not None and hazard.event_name.tolist() == ["event 0", "event 1", "event 2"]
    assert hazard.event_year is not None and hazard.event_year.tolist() == [2000, 2001, 2021]
    assert hazard.source == str(tmp_path / "eq.hdf5")


@pytest.mark.parametrize(
    ("haz_type", "units", "expected"),
    [("TC", "m/s", ("wind", "wind_speed", "m/s")), ("FL", "m", ("flood", "depth", "m"))],
)
def test_climada_haz_types(tmp_path: Path, haz_type: str, units: str, expected: tuple[str, str, str]) -> None:
    hazard = load_climada_hazard(write_climada(tmp_path / "h.hdf5", haz_type=haz_type, units=units))
    assert (hazard.peril, hazard.imt, hazard.unit) == expected


def test_climada_float32_intensity_is_kept(tmp_path: Path) -> None:
    path = write_climada(tmp_path / "h.hdf5", intensity=INTENSITY.astype(np.float32))
    assert load_climada_hazard(path).intensity.dtype == np.float32


def test_climada_dense_intensity(tmp_path: Path) -> None:
    hazard = load_climada_hazard(write_climada(tmp_path / "h.hdf5", todense=True))
    assert np.array_equal(hazard.intensity.toarray(), INTENSITY.toarray())


def test_climada_placeholder_dates_give_no_years(tmp_path: Path) -> None:
    path = write_climada(tmp_path / "h.hdf5", dates=np.ones(3, dtype=np.int64))
    assert load_climada_hazard(path).event_year is None
    assert load_climada_hazard(write_climada(tmp_path / "n.hdf5", dates=None)).event_year is None


def test_climada_other_haz_type_needs_peril_and_imt(tmp_path: Path) -> None:
    path = write_climada(tmp_path / "ls.hdf5", haz_type="LS", units="m")
    with pytest.raises(InputError) as err:
        load_climada_hazard(path)
    expect_error(err, "input.unknown", "haz_type")
    assert err.value.hint is not None and "peril=" in err.value.hint
    hazard = load_climada_hazard(path, peril="landslide", imt="displacement")
    assert (hazard.peril, hazard.imt, hazard.unit) == ("landslide", "displacement", "m")


def test_climada_unit_mismatch(tmp_path: Path) -> None:
    path = write_climada(tmp_path / "mmi.hdf5", units="MMI")
    with pytest.raises(InputError) as err:
        load_climada_hazard(path)
    expect_error(err, "input.inconsistent", "units")
    assert str(path) in str(err.value) and err.value.hint is not None and "imt=" in err.value.hint
    assert load_climada_hazard(path, imt="MMI").unit == "MMI"
    with pytest.raises(InputError) as err:
        load_climada_hazard(path, imt="MMI", unit="g")
    expect_error(err, "input.inconsistent", "units")


def test_climada_empty_units_need_the_caller(tmp_path: Path) -> None:
    path = write_climada(tmp_path / "h.hdf5", units="")
    with pytest.raises(InputError) as err:
        load_climada_hazard(path)
    expect_error(err, "input.missing", "units")
    assert load_climada_hazard(path, unit="g").unit == "g"


def test_climada_fraction(tmp_path: Path) -> None:
    ones = INTENSITY.copy()
    ones.data[:] = 1.0
    assert load_climada_hazard(write_climada(tmp_path / "ones.hdf5", fraction=ones)).n_events == 3
    half = ones.copy()
    half.data[2] = 0.5  # event row 2, site 0
    with pytest.raises(InputError) as err:
        load_climada_hazard(write_climada(tmp_path / "half.hdf5", fraction=half))
    expect_error(err, "input.unsupported", "fraction", 2)
    assert "0.5" in str(err.value)  # the value found
    missing = sparse.csr_matrix(([1.0], ([0], [0])), shape=INTENSITY.shape)
    with pytest.raises(InputError) as err:
        load_climada_hazard(write_climada(tmp_path / "sparse.hdf5", fraction=missing))
    expect_error(err, "input.unsupported", "fraction", 0)
    assert "4 of 5" in str(err.value)  # how many non-zero intensities lack a fraction of 1
    with pytest.raises(InputError) as err:
        load_climada_hazard(write_climada(tmp_path / "shape.hdf5", fraction=sparse.csr_matrix((3, 5))))
    expect_error(err, "input.inconsistent", "fraction")


@pytest.mark.parametrize(("unit", "factor"), [("1/year", 1.0), (None, 1.0), ("annual", 1.0), ("1/month", 12.0)])
def test_climada_frequency_units(tmp_path: Path, unit: str | None, factor: float) -> None:
    hazard = load_climada_hazard(write_climada(tmp_path / "h.hdf5", frequency_unit=unit))
    assert np.allclose(hazard.frequency, 0.01 * factor, rtol=1e-15)


def test_climada_frequency_unit_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_climada_hazard(write_climada(tmp_path / "h.hdf5", frequency_unit="1/day"))
    expect_error(err, "input.unsupported", "frequency_unit")


def test_climada_raster_centroids(tmp_path: Path) -> None:
    path = write_climada(tmp_path / "r.hdf5", centroids="none")
    with h5py.File(path, "a") as h5:
        group = h5.create_group("centroids")
        group.create_dataset("lat", data=np.empty(0))
        group.create_dataset("lon", data=np.empty(0))
        meta = group.create_group("meta")
        meta.create_dataset("height", data=[2])
        meta.create_dataset("width", data=[2])
        meta.create_dataset("transform", data=[0.5, 0.0, 68.0, 0.0, -0.25, 39.0])
    intensity = INTENSITY  # 4 columns = 2 x 2 pixels
    hazard = load_climada_hazard(path)
    assert hazard.n_sites == intensity.shape[1]
    assert hazard.site_lon.tolist() == [68.25, 68.75, 68.25, 68.75]
    assert hazard.site_lat.tolist() == [38.875, 38.875, 38.625, 38.625]


def _raises(path: Path, code: str, field: str | None = None, row: int | None = None, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as err:
        load_climada_hazard(path, **kwargs)
    assert str(path) in str(err.value), str(err.value)  # the message names the file
    error = expect_error(err, code, field) if row is None else expect_error(err, code, field, row)
    assert isinstance(error, InputError)
    return error


def test_climada_bad_files(tmp_path: Path) -> None:
    _raises(tmp_path / "absent.hdf5", "input.not_found")
    text = tmp_path / "text.hdf5"
    text.write_text("not hdf5")
    _raises(text, "input.syntax")
    _raises(write_climada(tmp_path / "a.hdf5", drop=("frequency", "centroids")), "input.missing", "frequency")
    path = write_climada(tmp_path / "b.hdf5")
    with h5py.File(path, "a") as h5:
        del h5["intensity/indptr"]
    _raises(path, "input.missing", "intensity/indptr")
    path = write_climada(tmp_path / "c.hdf5")
    with h5py.File(path, "a") as h5:
        del h5["intensity"].attrs["shape"]
    _raises(path, "input.missing", "intensity")


def test_climada_inconsistent_shapes(tmp_path: Path) -> None:
    _raises(write_climada(tmp_path / "a.hdf5", lon=LON[:3], lat=LAT[:3]), "input.inconsistent", "centroids")
    path = write_climada(tmp_path / "b.hdf5")
    with h5py.File(path, "a") as h5:
        del h5["frequency"]
        h5.create_dataset("frequency", data=[0.1, 0.1])
    _raises(path, "input.inconsistent", "frequency")
    path = write_climada(tmp_path / "c.hdf5")
    with h5py.File(path, "a") as h5:
        h5["intensity"].attrs["shape"] = (4, 4)
    _raises(path, "input.inconsistent", "intensity")


def test_climada_bad_values(tmp_path: Path) -> None:
    nan = INTENSITY.copy()
    nan.data[1] = np.nan
    _raises(write_climada(tmp_path / "nan.hdf5", intensity=nan), "input.range", "intensity", 0)
    neg = INTENSITY.copy()
    neg.data[0] = -0.1
    _raises(write_climada(tmp_path / "neg.hdf5", intensity=neg), "input.range", "intensity", 0)
    _raises(write_climada(tmp_path / "date.hdf5", dates=np.array([730120, 0, 5])), "input.range", "date", 1)


def test_climada_crs(tmp_path: Path) -> None:
    for name, crs in [("wkt1", 'GEOGCS["WGS 84",DATUM["WGS_1984"],AUTHORITY["EPSG","4326"]]'), ("epsg", "epsg:4326")]:
        assert load_climada_hazard(write_climada(tmp_path / f"{name}.hdf5", centroids="lat/lon", crs=crs)).n_sites
    assert load_climada_hazard(write_climada(tmp_path / "nometa.hdf5", meta={})).n_sites == 4
    error = _raises(write_climada(tmp_path / "utm.hdf5", crs=UTM_WKT), "input.unsupported", "crs")
    assert "UTM zone 42N" in str(error)
    _raises(write_climada(tmp_path / "utm4.hdf5", centroids="lat/lon", crs=UTM_WKT), "input.unsupported", "crs")


def test_climada_pickled_geometry_is_refused(tmp_path: Path) -> None:
    """CLIMADA 5.0-6.0 pickled shapely Points into the frame: refused without ever unpickling them."""
    path = write_climada(tmp_path / "h.hdf5")
    with h5py.File(path, "a") as h5:
        group = h5["centroids"]
        for key in ("block0_items", "block0_values"):
            del group[key]
        del group["block1_items"]
        group.create_dataset("block1_items", data=np.array([b"geometry", b"region_id"]))
        group.attrs["metadata"] = np.bytes_(pickle.dumps({"crs": WGS84_WKT}, protocol=0))
    error = _raises(path, "input.unsafe", "centroids")
    assert error.hint is not None and "CLIMADA >= 6.1" in error.hint


def test_climada_metadata_with_code_is_refused(tmp_path: Path) -> None:
    path = write_climada(tmp_path / "h.hdf5", meta={"crs": WGS84_WKT, "call": os.getcwd})
    _raises(path, "input.unreadable", "centroids")


def test_climada_non_point_centroids(tmp_path: Path) -> None:
    path = write_climada(tmp_path / "h.hdf5", meta={"crs": WGS84_WKT, "wkb_columns": ["geometry"]})
    _raises(path, "input.unsupported", "centroids")


def test_real_climada_file_matches_its_sidecar() -> None:
    """A file written by CLIMADA 6.1.0 (Hazard.write_hdf5) from the first 50 events of the golden case."""
    expected = json.loads(REAL_CLIMADA.with_suffix(".json").read_text(encoding="utf-8"))
    hazard = load_climada_hazard(REAL_CLIMADA)
    assert expected["haz_type"] == "EQ" and expected["units"] == hazard.unit == "g"
    assert (hazard.peril, hazard.imt) == ("earthquake", "PGA")
    assert hazard.n_events == expected["n_events"] and hazard.n_sites == expected["n_centroids"]
    assert hazard.intensity.nnz == expected["nnz"] and hazard.intensity.dtype == np.float64
    assert hazard.intensity.data.sum() == pytest.approx(expected["intensity_sum"], rel=1e-12)
    assert float(hazard.intensity.data.max()) == expected["intensity_max"]
    assert hazard.event_id[0] == expected["first_event_id"] and hazard.event_id[-1] == expected["last_event_id"]
    assert hazard.event_name is not None and hazard.event_name[:3].tolist() == expected["event_names_first3"]
    assert hazard.frequency.sum() == pytest.approx(expected["frequency_sum"], rel=1e-12)
    assert hazard.site_lat[:3].tolist() == expected["centroid_lat_first3"]
    assert hazard.site_lon[:3].tolist() == expected["centroid_lon_first3"]
    assert hazard.event_year is not None and hazard.event_year[:3].tolist() == expected["years_first3"]
    assert expected["fraction_stored"] is False


@pytest.mark.skipif(not GOLDEN.exists(), reason="shared bench data (/work/shared) is not available")
def test_real_climada_file_equals_the_golden_case() -> None:
    climada = load_climada_hazard(REAL_CLIMADA)
    golden = load_case_hazard(GOLDEN).events(0, climada.n_events)
    assert np.array_equal(climada.intensity.toarray(), golden.intensity.toarray())
    assert np.array_equal(climada.site_lon, golden.site_lon) and np.array_equal(climada.site_lat, golden.site_lat)
    assert np.array_equal(climada.frequency, golden.frequency)
    assert np.array_equal(climada.event_id, golden.event_id)
