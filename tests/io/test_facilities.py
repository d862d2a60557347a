"""Facility registries: round trips, every row error collected, all-or-nothing import and keep_valid."""

from __future__ import annotations

import csv
import json
import math
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kalkan.catalog.sources import data_root
from kalkan.core.exposure.facilities import FIELDS, FacilityTable, to_exposure
from kalkan.errors import CODES, InputError
from kalkan.io.facilities import (
    ILLUSTRATIVE_CITIES,
    RowsError,
    illustrative_facilities,
    read_facilities,
    read_facilities_csv,
    read_facilities_geojson,
    read_facilities_gpkg,
    write_facilities_csv,
    write_facilities_geojson,
    write_facilities_gpkg,
)
from tests.errors import expect_error

HEADER = ",".join(FIELDS)
GOOD = [
    "H1,Hospital,hospital,72.8,40.5,120,beds,CR+CIP/LWAL+CDL/HBET:3-/COM,1976,3,2024-05-01,true,false,Health,1000000,"
    "2021,100,40,false,registry",
    "S1,School,school,72.81,40.52,,,MCF/LWAL+CDL/HBET:1-3/COM,,,,no,yes,,250000.5,2021,900,0,,",
    "B1,Bridge,bridge,72.79,40.51,20000,vehicles_per_day,S/LFM+CDL/H:1/IND,1965,2,2022-05-30,0,1,Roads,5e6,2021,"
    "0,0,true,survey",
]


def write_csv(tmp_path: Path, *rows: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def row(**changes: str) -> str:
    cells = next(csv.reader([GOOD[0]]))
    for name, value in changes.items():
        cells[FIELDS.index(name)] = value
    return ",".join(cells)


def same(a: FacilityTable, b: FacilityTable) -> None:
    assert list(a) == list(b)
    assert a.price_year == b.price_year


def test_csv_reads_all_columns(tmp_path: Path) -> None:
    result = read_facilities_csv(write_csv(tmp_path, *GOOD))
    t = result.table
    assert result.errors == ()
    assert result.n_read == 3
    assert t.id.tolist() == ["H1", "S1", "B1"]
    assert t.capacity_unit.tolist() == ["beds", "pupils", "vehicles_per_day"]
    assert math.isnan(t.capacity[1])
    assert t.condition.tolist() == [3, 0, 2]
    assert t.backup_power.tolist() == [True, False, False]
    assert t.backup_water.tolist() == [False, True, True]
    assert t.illustrative.tolist() == [False, False, True]
    assert t.last_inspection.tolist() == ["2024-05-01", "", "2022-05-30"]
    assert t.replacement_cost_usd.tolist() == [1e6, 250000.5, 5e6]


def test_round_trips(tmp_path: Path) -> None:
    t = read_facilities_csv(write_csv(tmp_path, *GOOD)).table
    same(read_facilities_csv(write_facilities_csv(t, tmp_path / "out.csv")).table, t)
    same(read_facilities_geojson(write_facilities_geojson(t, tmp_path / "out.geojson")).table, t)
    same(read_facilities_gpkg(write_facilities_gpkg(t, tmp_path / "out.gpkg")).table, t)
    same(read_facilities(tmp_path / "out.gpkg").table, t)
    data = json.loads((tmp_path / "out.geojson").read_text())
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [72.8, 40.5]}
    assert data["features"][0]["properties"]["backup_power"] is True
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"type": "spaceport"}, "type", "input.unknown"),
        ({"lon": "435000"}, "lon", "input.range"),
        ({"lon": "nan"}, "lon", "input.range"),
        ({"lon": "east"}, "lon", "input.type"),
        ({"capacity": "inf"}, "capacity", "input.range"),
        ({"year_built": "1e400"}, "year_built", "input.range"),
        ({"lat": "4480000"}, "lat", "input.range"),
        ({"condition": "6"}, "condition", "input.range"),
        ({"condition": "0"}, "condition", "input.range"),
        ({"condition": "2.5"}, "condition", "input.type"),
        ({"last_inspection": "01.05.2024"}, "last_inspection", "input.type"),
        ({"last_inspection": "2024-02-30"}, "last_inspection", "input.type"),
        ({"capacity": "-5"}, "capacity", "input.range"),
        ({"backup_power": "maybe"}, "backup_power", "input.type"),
        ({"capacity_unit": "pupils"}, "capacity_unit", "input.inconsistent"),
        ({"replacement_cost_usd": ""}, "replacement_cost_usd", "input.missing"),
        ({"replacement_cost_usd": "2e11"}, "replacement_cost_usd", "input.range"),
    ],
)
def test_each_bad_value_is_reported(tmp_path: Path, changes: dict[str, str], field: str, code: str) -> None:
    path = write_csv(tmp_path, GOOD[1], row(**changes))
    with pytest.raises(RowsError) as info:
        read_facilities_csv(path)
    expect_error(info, code, None, None)  # an import refused for its rows: the problems are on .errors
    [error] = info.value.errors
    assert (error.row, error.facility_id, error.field, error.code) == (2, "H1", field, code)
    assert error.value == next(iter(changes.values()))
    assert f"'{field}'" in info.value.message  # the message lists the problem


def test_duplicate_id_reports_both_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path, GOOD[0], GOOD[1], row(name="Other"))
    with pytest.raises(RowsError) as info:
        read_facilities_csv(path)
    expect_error(info, "input.duplicate", None, None)
    assert [(e.row, e.facility_id, e.field, e.code) for e in info.value.errors] == [
        (1, "H1", "id", "input.duplicate"),
        (3, "H1", "id", "input.duplicate"),
    ]
    assert "data row 3" in info.value.errors[0].expected and "data row 1" in info.value.errors[1].expected


def test_all_errors_collected_and_listed_up_to_twenty(tmp_path: Path) -> None:
    bad = [row(id=f"X{k}", condition="9", capacity="-1") for k in range(15)]
    with pytest.raises(RowsError) as info:
        read_facilities_csv(write_csv(tmp_path, *GOOD, *bad))
    errors = info.value.errors
    assert len(errors) == 30 and len({e.row for e in errors}) == 15
    assert {(e.field, e.code) for e in errors} == {("condition", "input.range"), ("capacity", "input.range")}
    message = info.value.message
    assert message.count("'condition'") + message.count("'capacity'") == 20  # the first 20 are listed
    assert "10" in message.splitlines()[-1]  # and the count of the others
    assert info.value.as_dict()["errors"][0] == {
        "row": 4, "place": "data row 4", "facility_id": "X0", "field": "capacity", "value": "-1",
        "expected": errors[0].expected, "code": "input.range",
    }  # fmt: skip


def test_keep_valid_imports_valid_rows_and_writes_rejects(tmp_path: Path) -> None:
    path = write_csv(tmp_path, GOOD[0], row(id="H2", condition="7"), GOOD[1], row(id="H3", type="castle"))
    result = read_facilities_csv(path, keep_valid=True)
    assert result.table.id.tolist() == ["H1", "S1"]
    assert [(e.row, e.field, e.value, e.code) for e in result.errors] == [
        (2, "condition", "7", "input.range"),
        (4, "type", "castle", "input.unknown"),
    ]
    assert result.rejects_path == tmp_path / "f.csv.rejects.csv"
    with open(result.rejects_path, newline="", encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert [r["id"] for r in rejects] == ["H2", "H3"]
    assert rejects[0]["condition"] == "7"
    assert rejects[0]["name"] == "Hospital"
    assert "'condition'" in rejects[0]["error"] and "'7'" in rejects[0]["error"]  # the field and the value
    assert "'type'" in rejects[1]["error"] and "'castle'" in rejects[1]["error"]
    assert list(rejects[0]) == [*FIELDS, "error"]
    other = tmp_path / "rejects" / "r.csv"
    other.parent.mkdir()
    assert read_facilities_csv(path, keep_valid=True, rejects_path=other).rejects_path == other
    assert other.is_file()


def test_keep_valid_rejects_both_duplicates(tmp_path: Path) -> None:
    result = read_facilities_csv(write_csv(tmp_path, GOOD[0], GOOD[1], GOOD[0]), keep_valid=True)
    assert result.table.id.tolist() == ["S1"]
    assert result.rejects_path is not None
    assert len(result.rejects_path.read_text().splitlines()) == 3


def test_mixed_price_years_are_row_errors(tmp_path: Path) -> None:
    with pytest.raises(RowsError) as info:
        read_facilities_csv(write_csv(tmp_path, GOOD[0], row(id="H2", price_year="2019")))
    expect_error(info, "input.inconsistent", None, None)
    [error] = info.value.errors
    assert (error.row, error.facility_id, error.field, error.value) == (2, "H2", "price_year", "2019")
    assert "2021" in error.expected  # the price year of the first row


def test_file_level_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,name,condtion\n1,a,3\n")
    with pytest.raises(InputError) as info:
        read_facilities_csv(path)
    assert "x.csv" in expect_error(info, "input.unknown", "condtion").message
    path.write_text("id,name\n")
    with pytest.raises(InputError) as info:
        read_facilities_csv(path)
    expect_error(info, "input.missing", "type")
    with pytest.raises(InputError) as info:
        read_facilities(tmp_path / "x.shp")
    assert "'.shp'" in expect_error(info, "input.unsupported").message


def test_geojson_bad_features_and_crs(tmp_path: Path) -> None:
    t = read_facilities_csv(write_csv(tmp_path, *GOOD)).table
    path = write_facilities_geojson(t, tmp_path / "f.geojson")
    data = json.loads(path.read_text())
    data["features"][1]["geometry"] = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    data["features"][2]["properties"]["lon"] = 10.0
    path.write_text(json.dumps(data))
    with pytest.raises(RowsError) as info:
        read_facilities_geojson(path)
    expect_error(info, "input.type", None, None)
    assert [(e.row, e.place, e.facility_id, e.field, e.code) for e in info.value.errors] == [
        (2, "feature 2", "S1", "geometry", "input.type"),
        (3, "feature 3", "B1", "lon", "input.inconsistent"),
    ]
    data = json.loads(write_facilities_geojson(t, path).read_text())
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32643"}}
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as crs_info:
        read_facilities_geojson(path)
    assert "32643" in expect_error(crs_info, "input.unsupported", "crs").message
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(InputError) as empty_info:
        read_facilities_geojson(path)
    expect_error(empty_info, "input.empty", None)  # an empty registry is refused as empty, not for its columns


def test_gpkg_in_another_crs_is_refused(tmp_path: Path) -> None:
    t = read_facilities_csv(write_csv(tmp_path, *GOOD)).table
    path = write_facilities_gpkg(t, tmp_path / "f.gpkg")
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84 / UTM zone 43N', 32643, 'EPSG', 32643, 'PROJCS[]', '')"
    )
    con.execute("UPDATE gpkg_geometry_columns SET srs_id = 32643")
    con.commit()
    con.close()
    with pytest.raises(InputError) as info:
        read_facilities_gpkg(path)
    assert "EPSG:32643" in expect_error(info, "input.unsupported", "srs_id").message
    assert info.value.hint is not None and "EPSG:4326" in info.value.hint


def test_gpkg_bad_rows_are_collected(tmp_path: Path) -> None:
    t = read_facilities_csv(write_csv(tmp_path, *GOOD)).table
    path = write_facilities_gpkg(t, tmp_path / "f.gpkg")
    con = sqlite3.connect(path)
    con.execute("UPDATE facilities SET condition = 8 WHERE id = 'S1'")
    con.execute("UPDATE facilities SET geom = NULL WHERE id = 'B1'")
    con.commit()
    con.close()
    result = read_facilities_gpkg(path, keep_valid=True)
    assert result.table.id.tolist() == ["H1"]
    assert [(e.place, e.field, e.code) for e in result.errors] == [
        ("layer 'facilities', feature fid 2", "condition", "input.range"),
        ("layer 'facilities', feature fid 3", "geometry", "input.missing"),
    ]


@pytest.mark.parametrize("city", ILLUSTRATIVE_CITIES)
def test_illustrative_sets(city: str) -> None:
    t = illustrative_facilities(city)
    assert 8 <= len(t) <= 15
    assert t.illustrative.all()
    assert all(name.startswith("ILLUSTRATIVE:") for name in t.name)
    centres = {c["id"]: c for c in json.loads((data_root() / "cities" / "founding_cities.json").read_text())}
    centre = centres[city]
    assert (abs(t.lon - centre["lon"]) <= 0.2).all()
    assert (abs(t.lat - centre["lat"]) <= 0.2).all()
    mapping = data_root() / "gem_global_vulnerability_model/Central_Asia/Tajikistan/taxonomy_mapping_Central_Asia.csv"
    with open(mapping, newline="") as handle:
        known = {r["taxonomy"] for r in csv.DictReader(handle)}
    assert set(t.construction_class) <= known
    assert {"hospital", "school", "fire_station", "substation", "water_plant", "bridge", "shelter"} <= set(t.type)
    e = to_exposure(t)
    assert e.critical_type is not None
    assert e.critical_type.tolist() == t.type.tolist()


def assert_coded(read: Callable[..., object], path: Path, **options: Any) -> None:
    """``read(path)`` succeeds or raises an InputError whose code, and each row problem's code, is in CODES."""
    error: InputError | None = None
    try:
        read(path, **options)
    except InputError as exc:
        error = exc
    if error is not None:
        assert error.code in CODES
        assert all(e.code in CODES for e in getattr(error, "errors", ()))


cells = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "nan", "inf", "-1", "1e400", "2024-13-01", "true", "hospital", "0", "999999"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(cells, min_size=0, max_size=len(FIELDS) + 2), min_size=1, max_size=4))
def test_garbage_csv_rows_give_input_errors(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "g.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(FIELDS)
            writer.writerows(rows)
        assert_coded(read_facilities_csv, path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "type": st.just("Feature"),
                "geometry": json_values,
                "properties": st.dictionaries(st.sampled_from(FIELDS), json_values),
            }
        )
        | json_values,
        max_size=3,
    )
)
def test_garbage_geojson_features_give_input_errors(features: list[object]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "g.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
        assert_coded(read_facilities_geojson, path, keep_valid=True)
