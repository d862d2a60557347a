"""The issue's faults, one test each: every importer refuses the exact input the issue found accepted (or
crashing), with the error class and the file, row and field it concerns (docs/importers.md)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import struct
import time
from pathlib import Path

import numpy as np
import pytest

from kalkan.core.bounds import ASSET_VALUE, MAGNITUDE, Bound
from kalkan.errors import InputError
from kalkan.io.cities import check_in_country, read_application, read_cities
from kalkan.io.countries import countries, country_at, distance_to_country_km
from kalkan.io.exposure import read_exposure
from kalkan.io.facilities import read_facilities
from kalkan.io.geopackage import read_exposure_gpkg
from kalkan.io.jsonfile import load_json_file
from kalkan.io.oq_job import read_job
from kalkan.io.row_errors import RowsError
from kalkan.io.source_model import read_source_model
from kalkan.io.text import read_text_file
from kalkan.io.xml import parse_with_lines
from tests.errors import expect_error

ROOT = Path(__file__).resolve().parents[2]
BISHKEK = ROOT / "examples" / "accession" / "bishkek.json"
REGISTRY = ROOT / "src" / "kalkan" / "data" / "facilities" / "dushanbe_illustrative.csv"
SOURCES = """<?xml version="1.0" encoding="utf-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.5"><sourceModel name="m"><sourceGroup tectonicRegion="ASC">
{sources}</sourceGroup></sourceModel></nrml>"""
POINT = """<pointSource id="{sid}" name="p">
  <pointGeometry><gml:Point xmlns:gml="http://www.opengis.net/gml"><gml:pos>69.0 39.0</gml:pos></gml:Point>
    <upperSeismoDepth>0</upperSeismoDepth><lowerSeismoDepth>20</lowerSeismoDepth></pointGeometry>
  <magScaleRel>WC1994</magScaleRel><ruptAspectRatio>1</ruptAspectRatio>
  <truncGutenbergRichterMFD aValue="{a}" bValue="1.0" minMag="5.0" maxMag="{mmax}"/>
  <nodalPlaneDist><nodalPlane probability="1" strike="0" dip="90" rake="0"/></nodalPlaneDist>
  <hypoDepthDist><hypoDepth probability="1" depth="10"/></hypoDepthDist>
</pointSource>
"""


def _exposure_csv(path: Path, cost: str = "1e6", extra: str = "") -> Path:
    head = "id,lon,lat,taxonomy,cost_structural" + (",note" if extra else "")
    rows = [f"a{k},68.78,38.56,CR/LFINF/H:2,{cost if k == 1 else '1e6'}" + (f",{extra}" if extra else "")
            for k in range(3)]  # fmt: skip
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def test_bound_check_names_field_and_bound() -> None:
    b = Bound(0.0, 10.0, "Mw", "why")
    assert b.check("7.5", "f.csv, row 2", "mag") == 7.5
    for bad, code in (("nan", "input.range"), ("inf", "input.range"), (1e308, "input.range"), (-1, "input.range"),
                      (True, "input.type"), (None, "input.type"), ("x", "input.type")):  # fmt: skip
        with pytest.raises(InputError) as info:
            b.check(bad, "f.csv, row 2", "mag", row=2)
        assert "f.csv" in expect_error(info, code, "mag", 2).message
    assert MAGNITUDE.contains(9.5) and not MAGNITUDE.contains(99)


def test_cost_1e308_is_refused_with_row_and_field(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_exposure(_exposure_csv(tmp_path / "e.csv", cost="1e308"))
    message = expect_error(info, "input.range", "cost_structural", 2).message
    assert "e.csv" in message and "1e308" in message
    exposure = read_exposure(_exposure_csv(tmp_path / "ok.csv", cost=str(ASSET_VALUE.hi)))
    assert np.isfinite(exposure.total_cost().sum())


def test_exposure_without_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("id,lon,lat,taxonomy,cost_structural\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_exposure(path)
    assert "h.csv" in expect_error(info, "input.empty", None).message
    assert len(read_exposure(path, allow_empty=True)) == 0


def test_facility_far_from_the_city_is_refused_with_its_row(tmp_path: Path) -> None:
    from kalkan.io.extent import Extent

    text = REGISTRY.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = text[1].split(",")
    row[header.index("lon")] = "-70"
    path = tmp_path / "far.csv"
    path.write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n", encoding="utf-8")
    box = Extent(68.6, 69.0, 38.4, 38.7, "within 5 km of the box around dushanbe's outlines")
    with pytest.raises(RowsError) as info:
        read_facilities(path, within=box)
    assert "far.csv" in expect_error(info, "input.outside", None, None).message
    assert [(e.row, e.field, e.code) for e in info.value.errors] == [(1, "lon/lat", "input.outside")]
    assert info.value.errors[0].value.startswith("-70, ")
    assert len(read_facilities(REGISTRY, within=box).table) == len(text) - 1


def test_facility_file_without_rows_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "header_only.csv"
    path.write_text(REGISTRY.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_facilities(path)
    assert "header_only.csv" in expect_error(info, "input.empty", None).message


def test_header_only_registry_leaves_the_stored_one(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: a header-only CSV exited 0 and emptied the registry (12 -> 0 facilities)."""
    from kalkan.app.city_data import load_founding_city
    from kalkan.app.database import upgrade_database
    from kalkan.cli import main
    from kalkan.store.city_data import facility_summary
    from kalkan.store.database import store_scope

    upgrade_database(sqlite_url)
    with store_scope(sqlite_url) as store, store.transaction() as session:
        load_founding_city(session, "petropavl", cell_km=5.0)
    monkeypatch.setenv("KALKAN_DATABASE_URL", sqlite_url)
    path = tmp_path / "header_only.csv"
    path.write_text(REGISTRY.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        main(["city", "import-facilities", "petropavl", str(path)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "Error [input.empty]:" in err and "header_only.csv" in err
    with store_scope(sqlite_url) as store, store.read() as session:
        assert facility_summary(session, "petropavl")["count"] == 12


@pytest.mark.parametrize(
    ("lon", "lat", "falls", "swapped"),
    [(42.87, 74.59, None, True), (151.21, -33.87, "AUS", False), (69.15, 54.87, "KAZ", False)],
)
def test_accession_point_outside_the_declared_country(
    tmp_path: Path, lon: float, lat: float, falls: str | None, swapped: bool
) -> None:
    obj = {**json.loads(BISHKEK.read_text(encoding="utf-8")), "lon": lon, "lat": lat}
    path = tmp_path / "app.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_application(path)
    message = expect_error(info, "input.outside", "lon/lat").message
    assert "app.json" in message and "bishkek" in message and "(KGZ)" in message
    assert falls is None or f"({falls})" in message  # the country the point falls in, by its ISO code
    assert (info.value.hint is not None) == swapped  # the hint says that lat and lon look swapped


def test_accession_example_is_in_its_country_and_unknown_fields_are_refused(tmp_path: Path) -> None:
    facts = read_application(BISHKEK)
    assert facts.country_iso3 == "KGZ"
    kgz = countries()["KGZ"]
    assert distance_to_country_km(kgz, facts.lon, facts.lat) == 0.0
    assert country_at(74.59, 42.87) is kgz
    obj = {**json.loads(BISHKEK.read_text(encoding="utf-8")), "lattitude": 42.8}
    path = tmp_path / "typo.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_cities(path)
    assert "typo.json" in expect_error(info, "input.unknown", "lattitude", 1).message
    with pytest.raises(InputError) as info:
        check_in_country(dataclasses.replace(facts, country_iso3="XXX"), "app")
    assert "'XXX'" in expect_error(info, "input.unknown", "country_iso3").message


def test_deep_or_huge_json_is_refused_cleanly(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(InputError) as info:
        load_json_file(deep)
    assert "deep.json" in expect_error(info, "input.too_large").message
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (3 << 20) + b"{}")
    with pytest.raises(InputError) as info:
        load_json_file(big, max_bytes=2 << 20)
    assert "big.json" in expect_error(info, "input.too_large").message and "3.0 MiB" in info.value.message
    nan = tmp_path / "nan.json"
    nan.write_text('{"lon": NaN}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_json_file(nan)
    assert "nan.json" in expect_error(info, "input.range").message and "NaN" in info.value.message
    overflow = tmp_path / "overflow.json"
    overflow.write_text('{"lon": 1e400}', encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_json_file(overflow)
    assert "overflow.json" in expect_error(info, "input.range").message and "1e400" in info.value.message


def test_non_utf8_names_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.csv"
    path.write_bytes("date,tmax_c\n2001-01-01,1\nМосква,2\n".encode("cp1251"))
    with pytest.raises(InputError) as info:
        read_text_file(path)
    message = expect_error(info, "input.encoding", None, 3).message
    assert "cp1251.csv" in message and "25" in message  # the file, and the byte where the text stops being UTF-8


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE nrml SYSTEM "http://127.0.0.1:9/nrml.dtd">',
        '<!DOCTYPE nrml [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE nrml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        '<!DOCTYPE nrml [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    ],
)
def test_xml_dtds_and_entities_are_refused(doctype: str) -> None:
    with pytest.raises(InputError) as info:
        parse_with_lines(f'<?xml version="1.0"?>{doctype}<nrml/>'.encode(), "m.xml")
    assert "m.xml" in expect_error(info, "input.unsafe").message


@pytest.mark.parametrize(
    ("sources", "code", "field", "row"),
    [
        (POINT.format(sid="a", a="1e308", mmax="6.5"), "input.range", "aValue", 7),
        (POINT.format(sid="a", a="3", mmax="99"), "input.range", "maxMag", 7),
        (POINT.format(sid="a", a="3", mmax="6.5") + POINT.format(sid="a", a="3", mmax="6.5"), "input.duplicate", "id",
         11),
    ],
)  # fmt: skip
def test_source_model_bounds_and_duplicates(tmp_path: Path, sources: str, code: str, field: str, row: int) -> None:
    path = tmp_path / "model.xml"
    path.write_text(SOURCES.format(sources=sources), encoding="utf-8")
    with pytest.raises(InputError, match=r"model\.xml, line " + str(row)) as info:
        read_source_model(path)
    expect_error(info, code, field, row)


def test_gmf_run_size_is_bounded_before_allocation(tmp_path: Path) -> None:
    from kalkan.core.hazard.earthquake.scenario import check_gmf_size

    check_gmf_size(2 * 1000, 500, 2, 2_000_000, "job.ini")  # exactly at the limit
    with pytest.raises(InputError, match=r"job\.ini: 2,000,000,000 ") as info:  # the job and its size
        check_gmf_size(2 * 10**9, 8, 1, 200_000_000, "job.ini")
    expect_error(info, "input.too_large", "max_gmf_values")
    assert info.value.hint is not None and "--max-gmf-values" in info.value.hint
    for name in ("e.xml", "r.xml", "v.xml"):
        (tmp_path / name).write_text("<nrml/>")
    job = tmp_path / "job.ini"
    base = (
        "[general]\ncalculation_mode = scenario_risk\n[exposure]\nexposure_file = e.xml\n[rupture]\n"
        "rupture_model_file = r.xml\n[vulnerability]\nstructural_vulnerability_file = v.xml\n[hazard]\n"
        "gsim = BooreEtAl2014\n"
    )
    job.write_text(base + "number_of_ground_motion_fields = 1e9\n", encoding="utf-8")
    assert read_job(job).n_fields == 10**9  # read; refused when the sites are known
    job.write_bytes((base + "number_of_ground_motion_fields = 10\ndescription = caf\xe9\n").encode("latin-1"))
    with pytest.raises(InputError, match=r"job\.ini: line 12 \(byte \d+\) is not valid UTF-8"):
        read_job(job)
    job.write_text(base + "number_of_ground_motion_fields = 10\n[again]\ngsim = AkkarEtAlRjb2014\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"job\.ini") as info:  # given in [hazard] and again in [again]
        read_job(job)
    expect_error(info, "input.duplicate", "gsim")


def _gpkg_with_recursive_view(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, "
        "organization_coordsys_id INTEGER, definition TEXT, description TEXT);"
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'x', NULL);"
        "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, srs_id INTEGER);"
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, "
        "srs_id INTEGER, z TINYINT, m TINYINT);"
        "INSERT INTO gpkg_contents VALUES ('assets', 'features', 'assets', 4326);"
        "INSERT INTO gpkg_geometry_columns VALUES ('assets', 'geom', 'POINT', 4326, 0, 0);"
        "CREATE TABLE base (fid INTEGER PRIMARY KEY, geom BLOB, id TEXT, taxonomy TEXT, cost_structural REAL);"
        "CREATE VIEW assets AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT base.* FROM base, r;"
    )
    point = b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, 68.78, 38.56)
    con.execute("INSERT INTO base (geom, id, taxonomy, cost_structural) VALUES (?, 'a', 'CR', 1e6)", (point,))
    con.commit()
    con.close()
    return path


def test_geopackage_view_layer_is_refused_before_it_runs(tmp_path: Path) -> None:
    path = _gpkg_with_recursive_view(tmp_path / "view.gpkg")
    t0 = time.perf_counter()
    with pytest.raises(InputError) as info:
        read_exposure_gpkg(path)
    assert "view.gpkg" in expect_error(info, "input.unsafe", "assets").message
    assert time.perf_counter() - t0 < 5.0


def test_raster_without_any_value_at_the_sites_is_refused(tmp_path: Path) -> None:
    import rasterio  # type: ignore[import-untyped]
    from affine import Affine

    from kalkan.io.hazard_maps import MapSpec, read_hazard_maps

    profile = {"driver": "GTiff", "width": 10, "height": 10, "count": 1, "dtype": "float32", "crs": "EPSG:4326",
               "transform": Affine(0.01, 0, 68.7, 0, -0.01, 38.6), "nodata": -9999.0}  # fmt: skip
    lon, lat = np.array([68.75, 68.76]), np.array([38.55, 38.56])
    for name, data, code in (
        ("nan.tif", np.full((10, 10), np.nan), "input.outside"),  # every site on nodata: no value at any site
        ("nodata.tif", np.full((10, 10), -9999.0), "input.outside"),
        ("inf.tif", np.full((10, 10), np.inf), "input.range"),
    ):
        with rasterio.open(tmp_path / name, "w", **profile) as ds:
            ds.write(data.astype(np.float32), 1)
        with pytest.raises(InputError) as info:
            read_hazard_maps([MapSpec(10.0, tmp_path / name)], "river_flood", "m", lon, lat)
        assert name in expect_error(info, code).message
    with rasterio.open(tmp_path / "utm.tif", "w", **{**profile, "crs": "EPSG:32642"}) as ds:
        ds.write(np.ones((10, 10), np.float32), 1)
    with pytest.raises(InputError) as info:
        read_hazard_maps([MapSpec(10.0, tmp_path / "utm.tif")], "river_flood", "m", lon, lat)
    assert "utm.tif" in expect_error(info, "input.outside").message and "2 of 2" in info.value.message
    with rasterio.open(tmp_path / "ones.tif", "w", **profile) as ds:
        ds.write(np.ones((10, 10), np.float32), 1)
    truncated = tmp_path / "truncated.tif"
    truncated.write_bytes((tmp_path / "ones.tif").read_bytes()[:400])  # the header, not the band's data
    with pytest.raises(InputError) as info:
        read_hazard_maps([MapSpec(10.0, truncated)], "river_flood", "m", lon, lat)
    assert "truncated.tif" in expect_error(info, "input.unreadable").message
