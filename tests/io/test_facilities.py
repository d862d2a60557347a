"""Facility registries: round trips, every row error collected, all-or-nothing import and keep_valid."""

from __future__ import annotations

import contextlib
import csv
import json
import math
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kalkan.catalog.sources import data_root
from kalkan.core.exposure.facilities import FIELDS, FacilityTable, to_exposure
from kalkan.errors import InputError
from kalkan.io.facilities import (
    ILLUSTRATIVE_CITIES,
    illustrative_facilities,
    read_facilities,
    read_facilities_csv,
    read_facilities_geojson,
    read_facilities_gpkg,
    write_facilities_csv,
    write_facilities_geojson,
    write_facilities_gpkg,
)

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
    ("changes", "field", "expected"),
    [
        ({"type": "spaceport"}, "type", "one of hospital"),
        ({"lon": "435000"}, "lon", "reproject to EPSG:4326"),
        ({"lat": "4480000"}, "lat", "projected coordinates"),
        ({"condition": "6"}, "condition", "1 (very poor) to 5 (very good)"),
        ({"condition": "0"}, "condition", "1 (very poor)"),
        ({"last_inspection": "01.05.2024"}, "last_inspection", "YYYY-MM-DD"),
        ({"last_inspection": "2024-02-30"}, "last_inspection", "YYYY-MM-DD"),
        ({"capacity": "-5"}, "capacity", ">= 0"),
        ({"backup_power": "maybe"}, "backup_power", "true or false"),
        ({"capacity_unit": "pupils"}, "capacity_unit", "'beds'"),
        ({"replacement_cost_usd": ""}, "replacement_cost_usd", "required"),
    ],
)
def test_each_bad_value_is_reported(tmp_path: Path, changes: dict[str, str], field: str, expected: str) -> None:
    path = write_csv(tmp_path, GOOD[1], row(**changes))
    with pytest.raises(InputError) as info:
        read_facilities_csv(path)
    message = str(info.value)
    assert f"data row 2 (id 'H1'), field '{field}'" in message
    assert expected in message
    assert "nothing was imported" in message


def test_duplicate_id_reports_both_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path, GOOD[0], GOOD[1], row(name="Other"))
    with pytest.raises(InputError) as info:
        read_facilities_csv(path)
    message = str(info.value)
    assert "data row 1 (id 'H1'), field 'id'" in message
    assert "also used at data row 3" in message
    assert "data row 3 (id 'H1'), field 'id'" in message
    assert "also used at data row 1" in message


def test_all_errors_collected_and_listed_up_to_twenty(tmp_path: Path) -> None:
    bad = [row(id=f"X{k}", condition="9", capacity="-1") for k in range(15)]
    with pytest.raises(InputError) as info:
        read_facilities_csv(write_csv(tmp_path, *GOOD, *bad))
    message = str(info.value)
    assert "30 error(s) in 15 of 18 row(s)" in message
    assert message.count("field 'condition'") + message.count("field 'capacity'") == 20
    assert "... and 10 more" in message


def test_keep_valid_imports_valid_rows_and_writes_rejects(tmp_path: Path) -> None:
    path = write_csv(tmp_path, GOOD[0], row(id="H2", condition="7"), GOOD[1], row(id="H3", type="castle"))
    result = read_facilities_csv(path, keep_valid=True)
    assert result.table.id.tolist() == ["H1", "S1"]
    assert [(e.row, e.field, e.value) for e in result.errors] == [(2, "condition", "7"), (4, "type", "castle")]
    assert result.rejects_path == tmp_path / "f.csv.rejects.csv"
    with open(result.rejects_path, newline="", encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert [r["id"] for r in rejects] == ["H2", "H3"]
    assert rejects[0]["condition"] == "7"
    assert rejects[0]["name"] == "Hospital"
    assert "field 'condition': got '7'; expected a rating 1" in rejects[0]["error"]
    assert "field 'type': got 'castle'" in rejects[1]["error"]
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
    with pytest.raises(InputError, match=r"data row 2 \(id 'H2'\), field 'price_year'.*2021 like data row 1"):
        read_facilities_csv(write_csv(tmp_path, GOOD[0], row(id="H2", price_year="2019")))


def test_file_level_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,name,condtion\n1,a,3\n")
    with pytest.raises(InputError, match=r"unknown column.*'condtion'"):
        read_facilities_csv(path)
    path.write_text("id,name\n")
    with pytest.raises(InputError, match="missing column"):
        read_facilities_csv(path)
    with pytest.raises(InputError, match="unknown facility file type"):
        read_facilities(tmp_path / "x.shp")


def test_geojson_bad_features_and_crs(tmp_path: Path) -> None:
    t = read_facilities_csv(write_csv(tmp_path, *GOOD)).table
    path = write_facilities_geojson(t, tmp_path / "f.geojson")
    data = json.loads(path.read_text())
    data["features"][1]["geometry"] = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    data["features"][2]["properties"]["lon"] = 10.0
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as info:
        read_facilities_geojson(path)
    assert "feature 2 (id 'S1'), field 'geometry'" in str(info.value)
    assert "feature 3 (id 'B1'), field 'lon'" in str(info.value)
    data = json.loads(write_facilities_geojson(t, path).read_text())
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32643"}}
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=r"32643.*EPSG:4326"):
        read_facilities_geojson(path)


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
    with pytest.raises(InputError, match="EPSG:32643") as info:
        read_facilities_gpkg(path)
    assert info.value.hint is not None
    assert "reproject" in info.value.hint


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
    assert [(e.place, e.field) for e in result.errors] == [
        ("layer 'facilities', feature fid 2", "condition"),
        ("layer 'facilities', feature fid 3", "geometry"),
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
        with contextlib.suppress(InputError):
            read_facilities_csv(path)


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
        with contextlib.suppress(InputError):
            read_facilities_geojson(path, keep_valid=True)
