"""The fuzzing corpus: valid seed files from Kalkan's shipped data, examples and test fixtures, and the
malformed variants of each, as CLI cases for every importer.

Seeds are written once per session into a temporary folder (nothing binary is committed): the founding city's
stored GEM exposure exported to CSV, OpenQuake XML and GeoPackage; the shipped illustrative facility registry;
``examples/accession/bishkek.json``; a station series, a job.ini and rupture from the tests' own builders; the
shipped regional source model; the golden CLIMADA case; GeoTIFF and GeoPackage flood maps over the city.
:func:`all_cases` turns them into :class:`~tests.fuzz.harness.Case` objects, grouped by importer.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tests.fuzz import mutate
from tests.fuzz.harness import Case

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "kalkan" / "data"
CITY = "petropavl"
GOLDEN = ROOT / "tests" / "core" / "risk" / "data" / "climada_golden_5k_1k"
CLIMADA_H5 = ROOT / "tests" / "io" / "data" / "climada_hazard_eq_small.hdf5"
VERIFY_TABLE = ROOT / "tests" / "core" / "hazard" / "earthquake" / "data" / "BSSA2014"

POINT_SOURCE = """<?xml version="1.0" encoding="utf-8"?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.5">
  <sourceModel name="fuzz seed">
    <sourceGroup tectonicRegion="Active Shallow Crust">
      <pointSource id="P1" name="near the city">
        <pointGeometry><gml:Point xmlns:gml="http://www.opengis.net/gml"><gml:pos>69.4 54.6</gml:pos></gml:Point>
          <upperSeismoDepth>0.0</upperSeismoDepth><lowerSeismoDepth>20.0</lowerSeismoDepth></pointGeometry>
        <magScaleRel>WC1994</magScaleRel><ruptAspectRatio>1.0</ruptAspectRatio>
        <truncGutenbergRichterMFD aValue="4.0" bValue="1.0" minMag="5.0" maxMag="6.5"/>
        <nodalPlaneDist><nodalPlane probability="1.0" strike="0.0" dip="90.0" rake="0.0"/></nodalPlaneDist>
        <hypoDepthDist><hypoDepth probability="1.0" depth="10.0"/></hypoDepthDist>
      </pointSource>
      <pointSource id="P2" name="second">
        <pointGeometry><gml:Point xmlns:gml="http://www.opengis.net/gml"><gml:pos>69.0 55.0</gml:pos></gml:Point>
          <upperSeismoDepth>0.0</upperSeismoDepth><lowerSeismoDepth>20.0</lowerSeismoDepth></pointGeometry>
        <magScaleRel>WC1994</magScaleRel><ruptAspectRatio>1.0</ruptAspectRatio>
        <truncGutenbergRichterMFD aValue="3.5" bValue="1.0" minMag="5.0" maxMag="6.0"/>
        <nodalPlaneDist><nodalPlane probability="1.0" strike="0.0" dip="90.0" rake="0.0"/></nodalPlaneDist>
        <hypoDepthDist><hypoDepth probability="1.0" depth="10.0"/></hypoDepthDist>
      </pointSource>
    </sourceGroup>
  </sourceModel>
</nrml>
"""
SOURCE_CSV = (
    "id,name,kind,lon,lat,polygon,a_value,b_value,min_mag,max_mag,bin_width,upper_depth_km,lower_depth_km,"
    "hypo_depth_km,strike,dip,rake,scaling,aspect_ratio,spacing_km,tectonic_region\n"
    "P1,near,point,69.4,54.6,,4.0,1.0,5.0,6.5,0.1,0,20,10,0,90,0,WC1994,1,,\n"
    "P2,second,point,69.0,55.0,,3.5,1.0,5.0,6.0,0.1,0,20,10,0,90,0,WC1994,1,,\n"
)
RUPTURE_JSON = {
    "mag": 6.0,
    "rake": 90.0,
    "hypocenter": {"lon": 69.2, "lat": 54.8, "depth_km": 10.0},
    "strike": 45.0,
    "dip": 60.0,
}
LOGIC_TREE_CSV = "model,weight\nBooreEtAl2014,0.5\nAkkarEtAlRjb2014,0.5\n"
VULNERABILITY_CSV = (
    "id,loss_type,imt,unit,intensity,mean_lr,cov,distribution\n"
    "fn1,structural,PGA,g,0.05,0.0,0.0,none\nfn1,structural,PGA,g,0.5,0.2,0.0,none\n"
    "fn1,structural,PGA,g,1.5,0.8,0.0,none\n"
)


@dataclass
class Seeds:
    """Where the seeds live and the facts the cases need about the store they run against."""

    root: Path
    db_path: Path

    def path(self, importer: str, name: str, suffix: str) -> Path:
        folder = self.root / "cases" / importer.replace(" ", "_").replace("/", "_")
        folder.mkdir(parents=True, exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_=." else "_" for c in name)[:80]
        return folder / f"{safe}{suffix}"

    def seed(self, name: str) -> Path:
        return self.root / "seeds" / name


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def build_seeds(root: Path, db_path: Path) -> Seeds:
    """Write every seed file (valid inputs that each importer accepts) under ``root/seeds``."""
    from kalkan.app.taxonomy_mapping import mapping_in_use
    from kalkan.io.exposure import write_exposure
    from kalkan.io.facilities import read_facilities_csv, write_facilities_geojson, write_facilities_gpkg
    from kalkan.io.hazard import load_case_hazard, save_hazard
    from kalkan.store.city_data import load_exposure
    from kalkan.store.database import store_scope
    from tests.app.test_earthquake import write_job
    from tests.app.test_station_data import write_station

    seeds = Seeds(root, db_path)
    s = root / "seeds"
    s.mkdir(parents=True, exist_ok=True)
    (root / "out").mkdir(exist_ok=True)
    with store_scope(f"sqlite:///{db_path}") as store, store.read() as session:
        exposure = load_exposure(session, CITY)
        gem_rows, _ = mapping_in_use(session, CITY)
    write_exposure(exposure, s / "exposure.csv")
    write_exposure(exposure, s / "exposure.gpkg")
    (s / "oq").mkdir(exist_ok=True)
    write_exposure(exposure, s / "oq" / "exposure.xml")
    mapping = "taxonomy,conversion,weight\n" + "".join(f"{t},{c},{w:g}\n" for t, c, w, _ in gem_rows)
    (s / "mapping.csv").write_text(mapping, encoding="utf-8")
    facilities = DATA / "facilities" / f"{CITY}_illustrative.csv"
    shutil.copy(facilities, s / "facilities.csv")
    table = read_facilities_csv(facilities).table
    write_facilities_geojson(table, s / "facilities.geojson")
    write_facilities_gpkg(table, s / "facilities.gpkg")
    shutil.copy(ROOT / "examples" / "accession" / "bishkek.json", s / "accession.json")
    write_station(s / "station.csv")
    job = s / "job"
    job.mkdir(exist_ok=True)
    write_job(job, n_assets=40, n_sites=8, n_fields=5)
    (s / "sources.xml").write_text(POINT_SOURCE, encoding="utf-8")
    (s / "sources.csv").write_text(SOURCE_CSV, encoding="utf-8")
    (s / "rupture.json").write_text(json.dumps(RUPTURE_JSON), encoding="utf-8")
    (s / "gmpe_lt.csv").write_text(LOGIC_TREE_CSV, encoding="utf-8")
    (s / "vulnerability.csv").write_text(VULNERABILITY_CSV, encoding="utf-8")
    (s / "risk_mapping.csv").write_text("taxonomy,conversion,weight\nT1,fn1,1\n", encoding="utf-8")
    golden = mutate.read_rows((GOLDEN / "exposures.csv").read_bytes())[1:]
    (s / "risk_exposure.csv").write_bytes(
        mutate.write_rows(
            [["id", "lon", "lat", "taxonomy", "cost_structural"], *([r[0], r[1], r[2], "T1", r[3]] for r in golden)]
        )
    )
    shutil.copytree(GOLDEN, s / "case", dirs_exist_ok=True)
    save_hazard(load_case_hazard(GOLDEN / "hazard.npz"), s / "hazard.npz")
    write_flood_maps(s, exposure.lon, exposure.lat)
    outline = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
               "geometry": {"type": "Polygon", "coordinates": [[[76.8, 43.2], [77.0, 43.2], [77.0, 43.3],
                                                                 [76.8, 43.3], [76.8, 43.2]]]}}]}  # fmt: skip
    (s / "outline.geojson").write_text(json.dumps(outline), encoding="utf-8")
    return seeds


def write_flood_maps(s: Path, lon: Any, lat: Any) -> None:
    """Two GeoTIFF depth maps (10 and 100 years) over the city's exposure, a manifest, and a polygon GeoPackage."""
    import rasterio  # type: ignore[import-untyped]
    from affine import Affine

    x0, y0 = float(np.min(lon)) - 0.05, float(np.max(lat)) + 0.05
    transform = Affine(0.01, 0.0, x0, 0.0, -0.01, y0)
    rows, cols = np.mgrid[0:20, 0:20]
    for rp, scale in ((10, 0.5), (100, 1.0)):
        data = (scale * (0.2 + (rows + cols) / 40.0)).astype(np.float32)
        profile = {"driver": "GTiff", "width": 20, "height": 20, "count": 1, "dtype": "float32",
                   "transform": transform, "nodata": -9999.0, "crs": "EPSG:4326"}  # fmt: skip
        with rasterio.open(s / f"flood_rp{rp}.tif", "w", **profile) as ds:
            ds.write(data, 1)
    manifest = {"peril": "river_flood", "unit": "m",
                "maps": [{"return_period_years": rp, "path": f"flood_rp{rp}.tif"} for rp in (10, 100)]}  # fmt: skip
    (s / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    ring = [(x0, y0), (x0 + 0.2, y0), (x0 + 0.2, y0 - 0.2), (x0, y0 - 0.2), (x0, y0)]
    write_polygon_layer(s / "flood.gpkg", [(10.0, 0.5, ring), (100.0, 1.2, ring)])


def _gp_polygon(ring: list[tuple[float, float]], srs_id: int) -> bytes:
    wkb = struct.pack("<BII", 1, 3, 1) + struct.pack("<I", len(ring)) + b"".join(struct.pack("<dd", *p) for p in ring)
    return b"GP" + bytes([0, 0b1]) + struct.pack("<i", srs_id) + wkb


def write_polygon_layer(path: Path, features: list[tuple[float, float, list[tuple[float, float]]]]) -> Path:
    """A GeoPackage polygon layer ``flood`` (return_period, depth_m) in EPSG:4326."""
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.executescript(
        "CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, "
        "organization_coordsys_id INTEGER, definition TEXT, description TEXT);"
        "CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, srs_id INTEGER);"
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, "
        "srs_id INTEGER, z TINYINT, m TINYINT);"
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS[\"WGS 84\"]', NULL);"
        "INSERT INTO gpkg_contents VALUES ('flood', 'features', 'flood', 4326);"
        "INSERT INTO gpkg_geometry_columns VALUES ('flood', 'geom', 'POLYGON', 4326, 0, 0);"
        "CREATE TABLE flood (fid INTEGER PRIMARY KEY, geom BLOB, return_period REAL, depth_m REAL);"
    )
    for rp, depth, ring in features:
        con.execute("INSERT INTO flood (geom, return_period, depth_m) VALUES (?, ?, ?)",
                    (_gp_polygon(ring, 4326), rp, depth))  # fmt: skip
    con.commit()
    con.close()
    return path


# ------------------------------------------------------------------------------------------------ GeoPackage


def gpkg_mutations(seed: Path, layer: str, out: Callable[[str], Path]) -> Iterator[tuple[str, Path]]:
    """GeoPackage damage: views (one over a recursive query), virtual tables, wrong CRS, empty layer,
    truncated file, non-point geometry, NaN and huge values, duplicate ids."""
    data = seed.read_bytes()
    for name, blob in (("truncated_half", data[: len(data) // 2]), ("not_sqlite", b"GPKG but not really" * 50),
                       ("empty", b"")):  # fmt: skip
        yield name, _write(out(name), blob)

    def edit(name: str, *sql: str, params: Iterable[tuple[str, tuple[Any, ...]]] = ()) -> tuple[str, Path]:
        target = out(name)
        shutil.copy(seed, target)
        con = sqlite3.connect(target)
        try:
            for statement in sql:
                con.executescript(statement)
            for statement, values in params:
                con.execute(statement, values)
            con.commit()
        finally:
            con.close()
        return name, target

    q = f'"{layer}"'
    yield edit("recursive_view_layer", f"ALTER TABLE {q} RENAME TO base_table;",
               f"CREATE VIEW {q} AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
               "SELECT b.* FROM base_table b, r;")  # fmt: skip
    yield edit("plain_view_layer", f"ALTER TABLE {q} RENAME TO base_table;",
               f"CREATE VIEW {q} AS SELECT * FROM base_table;")  # fmt: skip
    yield edit("recursive_view_contents", "ALTER TABLE gpkg_contents RENAME TO c0;",
               "CREATE VIEW gpkg_contents AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
               "SELECT c0.* FROM c0, r;")  # fmt: skip
    yield edit("empty_layer", f"DELETE FROM {q};")
    yield edit("wrong_srs_3857",
               "INSERT OR REPLACE INTO gpkg_spatial_ref_sys VALUES ('WGS 84 / Pseudo-Mercator', 3857, 'EPSG', 3857, "
               "'PROJCS[\"WGS 84 / Pseudo-Mercator\"]', NULL);",
               f"UPDATE gpkg_geometry_columns SET srs_id = 3857 WHERE table_name = '{layer}';",
               f"UPDATE gpkg_contents SET srs_id = 3857 WHERE table_name = '{layer}';")  # fmt: skip
    yield edit("garbage_geometry", f"UPDATE {q} SET geom = X'00FF00FF' WHERE rowid = (SELECT min(rowid) FROM {q});")
    yield edit("truncated_geometry",
               f"UPDATE {q} SET geom = substr(geom, 1, 12) WHERE rowid = (SELECT min(rowid) FROM {q});")  # fmt: skip
    yield edit("null_geometry", f"UPDATE {q} SET geom = NULL WHERE rowid = (SELECT min(rowid) FROM {q});")
    nan_point = b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, float("nan"), 54.8)
    far_point = b"GP\x00\x01" + struct.pack("<i", 4326) + struct.pack("<BIdd", 1, 1, -70.0, 54.8)
    yield edit("nan_coordinate", params=[(f"UPDATE {q} SET geom = ? WHERE rowid = (SELECT min(rowid) FROM {q})",
                                          (nan_point,))])  # fmt: skip
    yield edit("far_coordinate", params=[(f"UPDATE {q} SET geom = ? WHERE rowid = (SELECT min(rowid) FROM {q})",
                                          (far_point,))])  # fmt: skip
    yield edit("no_contents_table", "DROP TABLE gpkg_contents;")


def _columns(path: Path, layer: str) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [str(r[1]) for r in con.execute(f'PRAGMA table_info("{layer}")')]
    finally:
        con.close()


def gpkg_value_mutations(
    seed: Path, layer: str, numeric: Iterable[str], key: str | None, out: Callable[[str], Path]
) -> Iterator[tuple[str, Path]]:
    """Attribute damage in a GeoPackage: bad numbers in ``numeric`` columns, a duplicated ``key``, a new column."""
    columns = _columns(seed, layer)
    for column in numeric:
        if column not in columns:
            continue
        for value in (float("nan"), float("inf"), 1e308, -1.0, "abc"):
            name = f"{column}={value}"
            target = out(name)
            shutil.copy(seed, target)
            con = sqlite3.connect(target)
            con.execute(f'UPDATE "{layer}" SET "{column}" = ? WHERE rowid = (SELECT min(rowid) FROM "{layer}")',
                        (value,))  # fmt: skip
            con.commit()
            con.close()
            yield name, target
    if key is not None and key in columns:
        target = out("duplicate_id")
        shutil.copy(seed, target)
        con = sqlite3.connect(target)
        others = ", ".join(f'"{c}"' for c in columns if c != "fid")
        con.execute(f'INSERT INTO "{layer}" ({others}) SELECT {others} FROM "{layer}" LIMIT 1')
        con.commit()
        con.close()
        yield "duplicate_id", target


# ------------------------------------------------------------------------------------------------ importers


def _cases(importer: str, muts: Iterable[tuple[str, bytes]], s: Seeds, suffix: str,
           argv: Callable[[Path], list[str]], *, names: bool = True) -> list[Case]:  # fmt: skip
    out = []
    for name, data in muts:
        path = _write(s.path(importer, name, suffix), data)
        out.append(Case(importer, name, tuple(argv(path)), path.name if names else None))
    return out


EXPOSURE_NUMERIC = ("lon", "lat", "number", "cost_structural", "cost_nonstructural", "cost_contents",
                    "occupants_night", "occupants_day", "price_year")  # fmt: skip


def exposure_csv(s: Seeds) -> list[Case]:
    importer = "city import-exposure (csv)"
    data = s.seed("exposure.csv").read_bytes()

    def argv(p: Path) -> list[str]:
        return ["city", "import-exposure", CITY, str(p), "--licence", "CC0", "--citation", "fuzz"]

    muts = [*mutate.generic(data), *mutate.csv_table(data, numeric=EXPOSURE_NUMERIC, required=("id", "taxonomy"),
                                                     key="id", lonlat=("lon", "lat"))]  # fmt: skip
    rows = mutate.read_rows(data)
    k = rows[0].index("cost_structural")
    two = [list(r) for r in rows]
    two[1][k] = two[2][k] = "1e308"
    muts.append(("two_costs_1e308", mutate.write_rows(two)))
    return _cases(importer, muts, s, ".csv", argv)


def exposure_xml(s: Seeds) -> list[Case]:
    importer = "city import-exposure (OpenQuake xml)"
    xml = s.seed("oq/exposure.xml").read_bytes()
    assets = s.seed("oq/exposure.csv").read_bytes()
    cases = []
    for name, data in (*mutate.generic(xml), *mutate.xml_document(xml, "nrml")):
        folder = s.path(importer, name, "")
        folder.mkdir(exist_ok=True)
        (folder / "exposure.csv").write_bytes(assets)
        path = _write(folder / "exposure.xml", data)
        cases.append(Case(importer, name, ("city", "import-exposure", CITY, str(path), "--licence", "CC0",
                                           "--citation", "fuzz"), f"{folder.name}/exposure.xml"))  # fmt: skip
    header = mutate.read_rows(assets)[0]
    numeric = [c for c in header if c not in ("id", "taxonomy", "district", "occupancy", "critical_type")]
    for name, data in mutate.csv_table(assets, numeric=numeric, required=("id", "taxonomy"), key="id",
                                       lonlat=("lon", "lat")):  # fmt: skip
        folder = s.path(importer, "assets_" + name, "")
        folder.mkdir(exist_ok=True)
        (folder / "exposure.xml").write_bytes(xml)
        _write(folder / "exposure.csv", data)
        cases.append(Case(importer, "assets_" + name, ("city", "import-exposure", CITY, str(folder / "exposure.xml"),
                                                       "--licence", "CC0", "--citation", "fuzz"),
                          f"{folder.name}/exposure"))  # fmt: skip
    return cases


def exposure_gpkg(s: Seeds) -> list[Case]:
    importer = "city import-exposure (gpkg)"
    seed = s.seed("exposure.gpkg")

    def out(name: str) -> Path:
        return s.path(importer, name, ".gpkg")

    cases = []
    numeric = ("number", "cost_structural", "cost_nonstructural", "cost_contents", "occupants_night")
    for name, path in (*gpkg_mutations(seed, "exposure", out), *gpkg_value_mutations(seed, "exposure", numeric,
                                                                                      "id", out)):  # fmt: skip
        isolate = "recursive" in name
        cases.append(Case(importer, name, ("city", "import-exposure", CITY, str(path), "--licence", "CC0",
                                           "--citation", "fuzz"), path.name, isolate=isolate))  # fmt: skip
    return cases


FACILITY_NUMERIC = ("lon", "lat", "capacity", "year_built", "condition", "replacement_cost_usd", "price_year",
                    "occupants_day", "occupants_night")  # fmt: skip


def facilities(s: Seeds) -> list[Case]:
    importer = "city import-facilities"
    data = s.seed("facilities.csv").read_bytes()

    def argv(p: Path) -> list[str]:
        return ["city", "import-facilities", CITY, str(p)]

    muts = [*mutate.generic(data), *mutate.csv_table(data, numeric=FACILITY_NUMERIC, required=("id", "type"),
                                                     key="id", lonlat=("lon", "lat"),
                                                     optional=("capacity", "year_built", "condition"))]  # fmt: skip
    cases = _cases(importer + " (csv)", muts, s, ".csv", argv)
    geo = json.loads(s.seed("facilities.geojson").read_text(encoding="utf-8"))
    gj = list(mutate.json_document(s.seed("facilities.geojson").read_bytes()))
    feature = geo["features"][0]
    for name, blob in mutate.json_fields(feature["properties"], ("replacement_cost_usd", "occupants_day"),
                                         ("id", "type")):  # fmt: skip
        gj.append((f"properties_{name}", json.dumps({**geo, "features": [
            {**feature, "properties": json.loads(blob)}, *geo["features"][1:]]}).encode()))  # fmt: skip
    for label, (x, y) in {**mutate.FAR_AWAY, "swapped": tuple(feature["geometry"]["coordinates"][::-1])}.items():
        moved = {**feature, "geometry": {"type": "Point", "coordinates": [x, y]}}
        gj.append((f"geometry_{label}", json.dumps({**geo, "features": [moved, *geo["features"][1:]]}).encode()))
    gj.append(("header_only_no_features", json.dumps({"type": "FeatureCollection", "features": []}).encode()))
    gj.append(("crs_3857", json.dumps({**geo, "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}).encode()))
    cases += _cases(importer + " (geojson)", gj, s, ".geojson", argv)

    def out(name: str) -> Path:
        return s.path(importer + " (gpkg)", name, ".gpkg")

    seed = s.seed("facilities.gpkg")
    for name, path in (*gpkg_mutations(seed, "facilities", out),
                       *gpkg_value_mutations(seed, "facilities", ("replacement_cost_usd", "occupants_day"), "id",
                                             out)):  # fmt: skip
        cases.append(Case(importer + " (gpkg)", name, tuple(argv(path)), path.name, isolate="recursive" in name))
    return cases


def mapping(s: Seeds) -> list[Case]:
    importer = "city import-mapping"
    data = s.seed("mapping.csv").read_bytes()
    muts = [*mutate.generic(data), *mutate.csv_table(data, numeric=("weight",), required=("taxonomy", "weight"))]
    rows = mutate.read_rows(data)
    muts.append(("duplicate_row", mutate.write_rows([*rows, rows[1]])))
    muts.append(("unknown_function", mutate.write_rows([rows[0], [rows[1][0], "NOT/A/FUNCTION", "1"], *rows[2:]])))
    return _cases(importer, muts, s, ".csv", lambda p: ["city", "import-mapping", CITY, str(p)])


def station(s: Seeds) -> list[Case]:
    importer = "climate import-station"
    data = s.seed("station.csv").read_bytes()
    muts = [
        *mutate.generic(data),
        *mutate.csv_table(
            data,
            numeric=("tmax_c", "tmin_c"),
            required=("date",),
            bad=("nan", "inf", "1e308", "abc"),
            optional=("tmax_c", "tmin_c"),
        ),
    ]
    rows = mutate.read_rows(data)
    muts.append(("duplicate_date", mutate.write_rows([*rows, rows[5]])))
    muts.append(("date_garbage", mutate.write_rows([rows[0], ["2001-13-45", *rows[1][1:]], *rows[2:]])))
    muts.append(("tmax_1e308_everywhere", mutate.write_rows([rows[0], *([r[0], "1e308", r[2]] for r in rows[1:])])))
    muts.append(("tmax_60C", mutate.write_rows([rows[0], [rows[1][0], "75", rows[1][2]], *rows[2:]])))
    return _cases(importer, muts, s, ".csv", lambda p: ["climate", "import-station", CITY, str(p), "--source",
                                                        "fuzz", "--licence", "CC0"])  # fmt: skip


def accession(s: Seeds) -> list[Case]:
    importer = "cities apply"
    data = s.seed("accession.json").read_bytes()
    obj = json.loads(data)
    muts = [
        *mutate.generic(data),
        *mutate.json_document(data),
        *mutate.json_fields(obj, ("lon", "lat", "population", "geonameid"), ("id", "lon", "lat", "country_iso3")),
    ]
    swapped = {**obj, "lon": obj["lat"], "lat": obj["lon"]}
    muts.append(("lon_lat_swapped", json.dumps(swapped).encode()))
    for label, (x, y) in mutate.FAR_AWAY.items():
        muts.append((f"coordinates_{label}", json.dumps({**obj, "lon": x, "lat": y}).encode()))
    muts.append(("in_kazakhstan_declared_kgz", json.dumps({**obj, "lon": 69.15, "lat": 54.87}).encode()))
    muts.append(("two_cities", json.dumps([obj, {**obj, "id": "bishkek2"}]).encode()))
    muts.append(("huge_file", json.dumps({**obj, "notes": "x" * (12 << 20)}).encode()))
    cases = _cases(importer, muts, s, ".json", lambda p: ["cities", "apply", str(p), "--applicant", "fuzz"])
    return [Case(c.importer, c.name, c.argv, c.names, isolate=c.name.startswith(("deep", "huge"))) for c in cases]


def hazard_maps(s: Seeds) -> list[Case]:
    import rasterio  # type: ignore[import-untyped]
    from affine import Affine

    importer = "hazard import"
    cases = []
    out_dir = s.root / "out" / "hazard"

    def argv(*maps: Path) -> tuple[str, ...]:
        rps = [a for rp, p in zip((10, 100), maps, strict=False) for a in ("--rp", f"{rp}={p}")]
        return ("hazard", "import", "--peril", "river_flood", *rps, "--city", CITY, "--out", str(out_dir))

    seed10 = s.seed("flood_rp10.tif")
    seed100 = s.seed("flood_rp100.tif")
    for name, data in mutate.generic(seed100.read_bytes()):
        path = _write(s.path(importer, name, ".tif"), data)
        cases.append(Case(importer, name, argv(seed10, path), path.name))
    with rasterio.open(seed100) as ds:
        profile, band = ds.profile, ds.read(1)

    def raster(name: str, data: Any = None, **changes: Any) -> None:
        path = s.path(importer, name, ".tif")
        with rasterio.open(path, "w", **{**profile, **changes}) as dst:
            dst.write((band if data is None else data).astype(np.float32), 1)
        cases.append(Case(importer, name, argv(seed10, path), path.name))

    raster("all_nan", np.full(band.shape, np.nan))
    raster("all_inf", np.full(band.shape, np.inf))
    raster("all_nodata", np.full(band.shape, -9999.0))
    block = band.copy()
    block[2:9, 2:9] = 3e38  # the cells around the city's sites (the map starts 0.05 degrees west and north)
    raster("cells_at_sites_3e38", block)
    raster("negative_depth", band - 5.0)
    raster("wrong_crs_utm", crs="EPSG:32642")
    west, north = profile["transform"].c, profile["transform"].f
    raster("not_covering_city", transform=Affine(0.01, 0.0, west + 5.0, 0.0, -0.01, north))
    raster("projected_transform_in_geographic_crs", transform=Affine(30.0, 0.0, 412000.0, 0.0, -30.0, 6080000.0))
    raster("no_crs", crs=None)
    for name, data in [*mutate.json_document(s.seed("manifest.json").read_bytes())]:
        path = _write(s.path(importer, "manifest_" + name, ".json"), data)
        cases.append(Case(importer, "manifest_" + name, ("hazard", "import", "--manifest", str(path), "--city", CITY,
                                                         "--out", str(out_dir)), path.name))  # fmt: skip
    manifest = json.loads(s.seed("manifest.json").read_text())
    for name, value in (("rp_nan", float("nan")), ("rp_negative", -10), ("rp_huge", 1e308), ("rp_text", "ten")):
        bad = {**manifest, "maps": [{**manifest["maps"][0], "return_period_years": value}, manifest["maps"][1]]}
        path = _write(s.path(importer, "manifest_" + name, ".json"), json.dumps(bad).encode())
        cases.append(Case(importer, "manifest_" + name, ("hazard", "import", "--manifest", str(path), "--city", CITY,
                                                         "--out", str(out_dir)), path.name))  # fmt: skip
    for rel in ("../../etc/passwd", "/etc/passwd", "missing.tif"):
        bad = {**manifest, "maps": [{**manifest["maps"][0], "path": rel}, manifest["maps"][1]]}
        path = _write(s.path(importer, "manifest_path_" + rel.replace("/", "_"), ".json"), json.dumps(bad).encode())
        path.parent.joinpath(manifest["maps"][1]["path"]).write_bytes(seed100.read_bytes())
        cases.append(Case(importer, "manifest_path_" + rel, ("hazard", "import", "--manifest", str(path), "--city",
                                                             CITY, "--out", str(out_dir)), None))  # fmt: skip

    def out(name: str) -> Path:
        return s.path(importer + " (gpkg)", name, ".gpkg")

    seed = s.seed("flood.gpkg")
    for name, path in (*gpkg_mutations(seed, "flood", out),
                       *gpkg_value_mutations(seed, "flood", ("return_period", "depth_m"), None, out)):  # fmt: skip
        cases.append(Case(importer + " (gpkg)", name, ("hazard", "import", "--peril", "river_flood", "--gpkg",
                                                       str(path), "--city", CITY, "--out", str(out_dir)),
                          path.name, isolate="recursive" in name))  # fmt: skip
    return cases


SOURCE_FIELDS = {
    "aValue": ("1e308", "nan", "400", "-400"),
    "bValue": ("0", "-1", "1e308", "inf"),
    "maxMag": ("99", "1e308", "-1", "inf"),
    "minMag": ("-5", "99", "nan"),
    "depth": ("-5", "7000", "nan"),
    "probability": ("2", "-1", "nan"),
    "dip": ("0", "95", "nan"),
}


def source_models(s: Seeds) -> list[Case]:
    importer = "eq curves --sources"
    out_dir = s.root / "out" / "curves"

    def argv(p: Path) -> list[str]:
        return ["eq", "curves", "--sources", str(p), "--gmpe", "BooreEtAl2014", "--city", CITY, "--imt", "PGA",
                "--return-period", "475", "--grid-km", "4", "--out", str(out_dir)]  # fmt: skip

    xml = s.seed("sources.xml").read_bytes()
    text = xml.decode()
    muts = [*mutate.generic(xml), *mutate.xml_document(xml)]
    for attr, values in SOURCE_FIELDS.items():
        for value in values:
            muts.append((f"{attr}={value}", text.replace(f'{attr}="', f'{attr}="{value}" x{attr}="', 1).encode()))
    muts.append(("duplicate_source_id", text.replace('id="P2"', 'id="P1"').encode()))
    muts.append(("upper_below_lower", text.replace("<upperSeismoDepth>0.0", "<upperSeismoDepth>30.0", 1).encode()))
    muts.append(("lon_181", text.replace("69.4 54.6", "181 54.6").encode()))
    muts.append(("no_sources", text.split("<pointSource")[0].encode() + b"</sourceGroup></sourceModel></nrml>"))
    cases = _cases(importer + " (NRML)", muts, s, ".xml", argv)
    regional = (DATA / "seismic_zones" / "kalkan_regional_model_v1.xml").read_bytes()
    cases += _cases(importer + " (shipped NRML)", [*mutate.generic(regional), *mutate.xml_document(regional)], s,
                    ".xml", argv)  # fmt: skip
    data = s.seed("sources.csv").read_bytes()
    csv_muts = [*mutate.generic(data), *mutate.csv_table(
        data, numeric=("lon", "lat", "a_value", "b_value", "min_mag", "max_mag", "upper_depth_km", "lower_depth_km",
                       "hypo_depth_km", "dip"), required=("id", "a_value"), key="id", row=0,
        bad=("nan", "inf", "-inf", "1e308", "abc"))]  # fmt: skip
    cases += _cases(importer + " (CSV)", csv_muts, s, ".csv", argv)
    events = [Case("eq events --sources", c.name, ("eq", "events", "--sources", c.argv[3], "--gmpe", "BooreEtAl2014",
                                                   "--city", CITY, "--years", "100", "--grid-km", "4", "--out",
                                                   str(s.root / "out" / "events")), c.names)
              for c in cases if c.importer == importer + " (NRML)"][:25]  # fmt: skip
    return cases + events


JOB_VALUES = {
    "number_of_ground_motion_fields": ("0", "-5", "1.5", "nan", "1e9", "abc"),
    "truncation_level": ("nan", "-1", "inf"),
    "maximum_distance": ("nan", "-10", "inf"),
    "reference_vs30_value": ("nan", "0", "1e308", "-400"),
    "random_seed": ("nan", "1e308", "abc"),
}


def oq_job(s: Seeds) -> list[Case]:
    importer = "eq run-oq"
    out_dir = s.root / "out" / "oq"
    seed = s.seed("job")
    cases = []

    def variant(name: str, filename: str, data: bytes, *, isolate: bool = False, names: str | None = None) -> None:
        folder = s.path(importer, name, "")
        shutil.copytree(seed, folder, dirs_exist_ok=True)
        _write(folder / filename, data)
        cases.append(Case(importer, name, ("eq", "run-oq", str(folder / "job.ini"), "--out", str(out_dir)),
                          f"{folder.name}/{names or filename}", isolate=isolate))  # fmt: skip

    ini = (seed / "job.ini").read_text()
    for name, data in mutate.generic(ini.encode()):
        variant("ini_" + name, "job.ini", data)
    variant("ini_unknown_key", "job.ini", (ini + "surprise_parameter = 1\n").encode())
    variant("ini_duplicate_section", "job.ini", (ini + "[general]\ndescription = again\n").encode())
    variant("ini_missing_exposure", "job.ini", ini.replace("exposure_file = exposure.xml", "").encode())
    variant("ini_exposure_missing_file", "job.ini", ini.replace("exposure.xml", "nowhere.xml").encode())
    variant("ini_path_traversal", "job.ini", ini.replace("exposure.xml", "../../../../etc/passwd").encode())
    for key, values in JOB_VALUES.items():
        for value in values:
            lines = [f"{key} = {value}" if line.startswith(f"{key} =") else line for line in ini.splitlines()]
            if not any(line.startswith(f"{key} =") for line in ini.splitlines()):
                lines.append(f"{key} = {value}")
            variant(f"ini_{key}={value}", "job.ini", ("\n".join(lines) + "\n").encode(),
                    isolate=value in ("1e9",))  # fmt: skip
    for filename in ("exposure.xml", "vulnerability.xml", "rupture.xml", "gsim_logic_tree.xml"):
        data = (seed / filename).read_bytes()
        for name, blob in (*mutate.generic(data), *mutate.xml_document(data)):
            variant(f"{filename}_{name}", filename, blob)
    rupture = (seed / "rupture.xml").read_text()
    for tag, value in (("magnitude", "99"), ("magnitude", "nan"), ("rake", "400")):
        variant(
            f"rupture_{tag}={value}",
            "rupture.xml",
            rupture.replace(f"<{tag}>", f"<{tag}>{value}<!--", 1).replace(f"</{tag}>", f"--></{tag}>", 1).encode(),
        )
    variant("rupture_depth=-5", "rupture.xml", rupture.replace('depth="10.0711"', 'depth="-5"').encode())
    variant("rupture_depth=7000", "rupture.xml", rupture.replace('depth="10.0711"', 'depth="7000"').encode())
    assets = (seed / "exposure.csv").read_bytes()
    for name, blob in (*mutate.generic(assets), *mutate.csv_table(
            assets, numeric=("lon", "lat", "number", "structural"), required=("id", "taxonomy"), key="id",
            lonlat=("lon", "lat"), far_away=False)):  # fmt: skip
        if name not in ("unknown_column", "misspelt_column"):  # extra columns are kept as tags (docs/exposure.md)
            variant(f"assets_{name}", "exposure.csv", blob, names="exposure.")
    rows = mutate.read_rows(assets)
    sites = sorted({(r[1], r[2]) for r in rows[1:]})
    site_model = mutate.write_rows(
        [["lon", "lat", "vs30", "z1pt0", "z2pt5"], *([x, y, "400", "", ""] for x, y in sites)]
    )
    with_sites = (ini + "site_model_file = site_model.csv\n").encode()
    for name, blob in (*mutate.generic(site_model), *mutate.csv_table(
            site_model, numeric=("lon", "lat", "vs30"), required=("vs30",), lonlat=("lon", "lat"), far_away=False,
            bad=("nan", "inf", "1e308", "-1", "abc"))):  # fmt: skip
        if name in ("unknown_column", "misspelt_column"):
            continue  # OpenQuake site models may carry other site parameters
        variant(f"site_model_{name}", "site_model.csv", blob)
        (s.path(importer, f"site_model_{name}", "") / "job.ini").write_bytes(with_sites)
    vuln = (seed / "vulnerability.xml").read_text()
    variant("vulnerability_meanLR_2", "vulnerability.xml", vuln.replace("<meanLRs>", "<meanLRs>2 ", 1).encode())
    variant("vulnerability_imls_nan", "vulnerability.xml", vuln.replace('imt="PGA">', 'imt="PGA">nan ', 1).encode())
    lt = (seed / "gsim_logic_tree.xml").read_text()
    variant("logic_tree_weights_0.9", "gsim_logic_tree.xml", lt.replace(">0.5<", ">0.9<", 1).encode())
    variant("logic_tree_unknown_gmpe", "gsim_logic_tree.xml", lt.replace("BooreEtAl2014", "NoSuchGmpe2099").encode())
    return cases


def risk_case(s: Seeds) -> list[Case]:
    importer = "risk run --case"
    out_dir = s.root / "out" / "case"
    seed = s.seed("case")
    cases = []

    def variant(name: str, filename: str, data: bytes) -> None:
        folder = s.path(importer, name, "")
        if not folder.exists():
            shutil.copytree(seed, folder)
        _write(folder / filename, data)
        cases.append(Case(importer, name, ("risk", "run", "--case", str(folder), "--out", str(out_dir)),
                          f"{folder.name}/{filename}"))  # fmt: skip

    exposures = (seed / "exposures.csv").read_bytes()
    for name, blob in (*mutate.generic(exposures), *mutate.csv_table(
            exposures, numeric=("lon", "lat", "value"), required=("id", "value"), key="id",
            lonlat=("lon", "lat"), far_away=False)):  # fmt: skip
        variant(f"exposures_{name}", "exposures.csv", blob)
    impact = (seed / "impact_function.csv").read_bytes()
    for name, blob in (*mutate.generic(impact), *mutate.csv_table(impact, numeric=("intensity", "mdd", "paa"),
                                                                  required=("intensity",))):  # fmt: skip
        variant(f"impact_{name}", "impact_function.csv", blob)
    assignment = (seed / "assignment.csv").read_bytes()
    for name, blob in (*mutate.generic(assignment), *mutate.csv_table(
            assignment, numeric=("centroid",), required=("centroid",), key="id",
            bad=("nan", "inf", "1e308", "-2", "1.5", "abc"))):  # fmt: skip
        variant(f"assignment_{name}", "assignment.csv", blob)
    for name, blob in npz_mutations((seed / "hazard.npz").read_bytes()):
        variant(f"hazard_{name}", "hazard.npz", blob)
    return cases


def npz_mutations(data: bytes) -> Iterator[tuple[str, bytes]]:
    """NPZ damage: truncated archive, arrays with NaN/negative values, missing arrays, a huge declared shape."""
    import io
    import zipfile

    yield "truncated_half", data[: len(data) // 2]
    yield "not_a_zip", b"PK\x03\x04 but no more"
    yield "empty", b""
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}

    def save(values: dict[str, Any]) -> bytes:
        buf = io.BytesIO()
        np.savez(buf, **values)
        return buf.getvalue()

    key_data = "data" if "data" in arrays else next(k for k in arrays if "intensity" in k or k.endswith("data"))
    for label, value in (("nan", np.nan), ("inf", np.inf), ("1e308", 1e308), ("negative", -1.0)):
        changed = dict(arrays)
        changed[key_data] = arrays[key_data].astype(np.float64).copy()
        changed[key_data][0] = value
        yield f"intensity_{label}", save(changed)
    if "frequency" in arrays:
        for label, value in (("nan", np.nan), ("negative", -1.0), ("1e308", 1e308)):
            changed = dict(arrays)
            changed["frequency"] = arrays["frequency"].astype(np.float64).copy()
            changed["frequency"][0] = value
            yield f"frequency_{label}", save(changed)
    for name in list(arrays)[:4]:
        yield f"missing_{name}", save({k: v for k, v in arrays.items() if k != name})
    if "shape" in arrays:
        yield "shape_huge", save({**arrays, "shape": np.array([10**12, 10**12])})
        yield "shape_negative", save({**arrays, "shape": np.array([-5, 400])})
    yield "indices_out_of_range", save({**arrays, "indices": np.full_like(arrays["indices"], 10**6)}) if (
        "indices" in arrays) else b""  # fmt: skip
    buf = io.BytesIO()
    header = b"{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }"
    header += b" " * (118 - len(header)) + b"\n"
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in arrays.items():
            if k == key_data:
                z.writestr(f"{k}.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * 64)
            else:
                member = io.BytesIO()
                np.save(member, v)
                z.writestr(f"{k}.npy", member.getvalue())
    yield "declared_shape_1e11_floats", buf.getvalue()


def risk_files(s: Seeds) -> list[Case]:
    importer = "risk run --hazard/--exposure/--vulnerability"
    out_dir = s.root / "out" / "files"
    cases = []
    hazard, exposure = s.seed("hazard.npz"), s.seed("risk_exposure.csv")
    vuln = s.seed("vulnerability.csv")

    def argv(h: Path, e: Path, v: Path) -> tuple[str, ...]:
        return ("risk", "run", "--hazard", str(h), "--exposure", str(e), "--vulnerability", str(v),
                "--taxonomy-mapping", str(s.seed("risk_mapping.csv")), "--out", str(out_dir))  # fmt: skip

    for name, blob in npz_mutations(hazard.read_bytes()):
        path = _write(s.path(importer, "npz_" + name, ".npz"), blob)
        cases.append(Case(importer, "npz_" + name, argv(path, exposure, vuln), path.name,
                          isolate="declared" in name or "huge" in name))  # fmt: skip
    for name, blob in mutate.generic(CLIMADA_H5.read_bytes()):
        path = _write(s.path(importer, "hdf5_" + name, ".hdf5"), blob)
        cases.append(Case(importer, "hdf5_" + name, argv(path, exposure, vuln), path.name))
    for name, blob in h5_mutations(s):
        path = _write(s.path(importer, "hdf5_" + name, ".hdf5"), blob)
        cases.append(Case(importer, "hdf5_" + name, argv(path, exposure, vuln), path.name))
    data = vuln.read_bytes()
    table = mutate.csv_table(data, numeric=("intensity", "mean_lr", "cov"), required=("id", "imt"), optional=("cov",))
    for name, blob in (*mutate.generic(data), *table):
        path = _write(s.path(importer, "vuln_" + name, ".csv"), blob)
        cases.append(Case(importer, "vuln_" + name, argv(hazard, exposure, path), path.name))
    xml = s.seed("job/vulnerability.xml").read_bytes()
    for name, blob in (*mutate.generic(xml), *mutate.xml_document(xml)):
        path = _write(s.path(importer, "vuln_nrml_" + name, ".xml"), blob)
        cases.append(Case(importer, "vuln_nrml_" + name, argv(hazard, exposure, path), path.name))
    return cases


def h5_mutations(s: Seeds) -> Iterator[tuple[str, bytes]]:
    """CLIMADA HDF5 damage: a dataset removed, NaN intensity, negative frequency, a huge declared dataset."""
    import h5py

    def edit(name: str, change: Callable[[Any], None]) -> tuple[str, bytes]:
        path = s.root / "seeds" / f"h5_{name}.hdf5"
        shutil.copy(CLIMADA_H5, path)
        with h5py.File(path, "r+") as h5:
            change(h5)
        return name, path.read_bytes()

    def drop(key: str) -> Callable[[Any], None]:
        return lambda h5: h5.__delitem__(key) if key in h5 else None

    def set_first(key: str, value: float) -> Callable[[Any], None]:
        def change(h5: Any) -> None:
            node = h5[key]
            if isinstance(node, h5py.Group):
                node = node["data"]
            values = node[()]
            values.flat[0] = value
            node[...] = values

        return change

    def huge(h5: Any) -> None:
        del h5["frequency"]
        h5.create_dataset("frequency", shape=(10**11,), dtype="f8", chunks=(1024,))

    with h5py.File(CLIMADA_H5, "r") as h5:
        keys = list(h5.keys())
    for key in ("frequency", "intensity", "centroids", "event_id"):
        if key in keys:
            yield edit(f"missing_{key}", drop(key))
    for key, value in (("intensity", np.nan), ("intensity", 1e308), ("frequency", -1.0), ("frequency", np.nan)):
        if key in keys:
            yield edit(f"{key}_{value}", set_first(key, value))
    yield edit("frequency_declared_1e11", huge)


def rupture_and_lt(s: Seeds) -> list[Case]:
    importer = "eq scenario --rupture"
    out_dir = s.root / "out" / "scenario"

    def argv(rupture: Path, lt: Path | None = None) -> tuple[str, ...]:
        extra = ("--gmpe-logic-tree", str(lt)) if lt is not None else ("--gmpe", "BooreEtAl2014")
        return ("eq", "scenario", "--rupture", str(rupture), *extra, "--city", CITY, "--grid-km", "3", "--n", "2",
                "--out", str(out_dir))  # fmt: skip

    cases = []
    data = s.seed("rupture.json").read_bytes()
    for name, blob in (*mutate.generic(data), *mutate.json_document(data),
                       *mutate.json_fields(RUPTURE_JSON, ("mag", "rake", "strike", "dip"), ("mag",))):  # fmt: skip
        path = _write(s.path(importer + " (json)", name, ".json"), blob)
        cases.append(Case(importer + " (json)", name, argv(path), path.name,
                          isolate=name.startswith("deep")))  # fmt: skip
    for name, hypo in (("hypo_depth_-5", {"lon": 69.2, "lat": 54.8, "depth_km": -5}),
                       ("hypo_depth_7000", {"lon": 69.2, "lat": 54.8, "depth_km": 7000}),
                       ("hypo_lon_nan", {"lon": float("nan"), "lat": 54.8, "depth_km": 10}),
                       ("hypo_swapped", {"lon": 54.8, "lat": 69.2, "depth_km": 10})):  # fmt: skip
        path = _write(
            s.path(importer + " (json)", name, ".json"), json.dumps({**RUPTURE_JSON, "hypocenter": hypo}).encode()
        )
        cases.append(Case(importer + " (json)", name, argv(path), path.name))
    xml = s.seed("job/rupture.xml").read_bytes()
    for name, blob in (*mutate.generic(xml), *mutate.xml_document(xml)):
        path = _write(s.path(importer + " (NRML)", name, ".xml"), blob)
        cases.append(Case(importer + " (NRML)", name, argv(path), path.name))
    lt_xml = s.seed("job/gsim_logic_tree.xml").read_bytes()
    for name, blob in (*mutate.generic(lt_xml), *mutate.xml_document(lt_xml)):
        path = _write(s.path("GMPE logic tree (NRML)", name, ".xml"), blob)
        cases.append(Case("GMPE logic tree (NRML)", name, argv(s.seed("rupture.json"), path), path.name))
    lt_csv = s.seed("gmpe_lt.csv").read_bytes()
    for name, blob in (*mutate.generic(lt_csv), *mutate.csv_table(lt_csv, numeric=("weight",), required=("model",))):
        path = _write(s.path("GMPE logic tree (CSV)", name, ".csv"), blob)
        cases.append(Case("GMPE logic tree (CSV)", name, argv(s.seed("rupture.json"), path), path.name))
    return cases


def build_outline(s: Seeds) -> list[Case]:
    importer = "city build-exposure --outline"
    data = s.seed("outline.geojson").read_bytes()
    obj = json.loads(data)
    muts = [*mutate.generic(data), *mutate.json_document(data)]
    poly = obj["features"][0]["geometry"]["coordinates"][0]
    for label, ring in (("nan_vertex", [[float("nan"), 43.2], *poly[1:]]), ("huge_vertex", [[1e308, 43.2], *poly[1:]]),
                        ("two_vertices", poly[:2]), ("swapped", [[y, x] for x, y in poly]),
                        ("elsewhere", [[x - 30, y] for x, y in poly])):  # fmt: skip
        geom = {"type": "Polygon", "coordinates": [ring]}
        muts.append((label, json.dumps({**obj, "features": [{**obj["features"][0], "geometry": geom}]}).encode()))
    muts.append(("point_geometry", json.dumps({**obj, "features": [{**obj["features"][0], "geometry": {
        "type": "Point", "coordinates": [76.9, 43.25]}}]}).encode()))  # fmt: skip
    out = s.root / "out" / "built.csv"
    return _cases(importer, muts, s, ".geojson", lambda p: ["city", "build-exposure", "KZ-ALM", "--outline", str(p),
                                                            "--population", "100000", "-o", str(out)])  # fmt: skip


def exposure_convert(s: Seeds) -> list[Case]:
    importer = "exposure convert"
    data = s.seed("exposure.csv").read_bytes()
    out = s.root / "out" / "converted.gpkg"
    muts = [*mutate.generic(data), *mutate.csv_table(data, numeric=EXPOSURE_NUMERIC, required=("id", "taxonomy"),
                                                     key="id", lonlat=("lon", "lat"), far_away=False)]  # fmt: skip
    # Extra columns are part of the exposure formats (kept in Exposure.extra): refused only by importers that
    # store what the store cannot keep (`city import-exposure`), not by a converter.
    muts = [(n, b) for n, b in muts if n not in ("unknown_column", "misspelt_column")]
    return _cases(importer, muts, s, ".csv", lambda p: ["exposure", "convert", str(p), str(out)])


def hazard_files(s: Seeds) -> list[Case]:
    cases = []
    for name, blob in npz_mutations(s.seed("hazard.npz").read_bytes()):
        path = _write(s.path("hazard info", name, ".npz"), blob)
        isolate = "declared" in name or "huge" in name
        cases.append(Case("hazard info", name, ("hazard", "info", str(path)), path.name, isolate=isolate))
        cases.append(Case("hazard convert", name, ("hazard", "convert", str(path), str(s.root / "out" / "h.npz")),
                          path.name, isolate=isolate))  # fmt: skip
    return cases


def verify_table(s: Seeds) -> list[Case]:
    importer = "eq verify-table"
    table = next(iter(sorted(VERIFY_TABLE.glob("*MEAN*.csv"))))
    data = table.read_bytes()[:20_000]
    data = data[: data.rfind(b"\n") + 1]
    header = mutate.read_rows(data)[0]
    numeric = [c for c in header if c.lower() in ("rup_mag", "dist_rjb", "site_vs30", "rup_rake", "result_type")]
    muts = [
        *mutate.generic(data),
        *mutate.csv_table(data, numeric=numeric[:3], required=header[:2], bad=("nan", "inf", "-inf", "1e308", "abc")),
    ]
    return _cases(importer, muts, s, ".csv", lambda p: ["eq", "verify-table", str(p), "--model", "BooreEtAl2014"])


IMPORTERS: dict[str, Callable[[Seeds], list[Case]]] = {
    "exposure_csv": exposure_csv,
    "exposure_xml": exposure_xml,
    "exposure_gpkg": exposure_gpkg,
    "facilities": facilities,
    "mapping": mapping,
    "station": station,
    "accession": accession,
    "hazard_maps": hazard_maps,
    "source_models": source_models,
    "oq_job": oq_job,
    "risk_case": risk_case,
    "risk_files": risk_files,
    "rupture_and_lt": rupture_and_lt,
    "build_outline": build_outline,
    "exposure_convert": exposure_convert,
    "hazard_files": hazard_files,
    "verify_table": verify_table,
}


def seed_commands(s: Seeds) -> dict[str, tuple[str, ...]]:
    """The command of each importer on its unmutated seed: each must succeed, so that every malformed case is
    refused for what was broken in it, not for a broken seed."""
    d, out = s.root / "seeds", s.root / "out"
    curves = ("--gmpe", "BooreEtAl2014", "--city", CITY, "--imt", "PGA", "--return-period", "475", "--grid-km", "4")
    scenario = ("--city", CITY, "--grid-km", "3", "--n", "2", "--out", str(out / "scenario_seed"))
    importing = ("--licence", "CC0", "--citation", "fuzz seed")
    return {
        "exposure csv": ("city", "import-exposure", CITY, str(d / "exposure.csv"), *importing),
        "exposure gpkg": ("city", "import-exposure", CITY, str(d / "exposure.gpkg"), *importing),
        "exposure OpenQuake xml": ("city", "import-exposure", CITY, str(d / "oq" / "exposure.xml"), *importing),
        "facilities csv": ("city", "import-facilities", CITY, str(d / "facilities.csv")),
        "facilities geojson": ("city", "import-facilities", CITY, str(d / "facilities.geojson")),
        "facilities gpkg": ("city", "import-facilities", CITY, str(d / "facilities.gpkg")),
        "mapping": ("city", "import-mapping", CITY, str(d / "mapping.csv")),
        "station": ("climate", "import-station", CITY, str(d / "station.csv"), "--source", "s", "--licence", "l"),
        "accession": ("cities", "apply", str(d / "accession.json"), "--applicant", "fuzz seed"),
        "hazard maps tif": ("hazard", "import", "--peril", "river_flood", "--rp", f"10={d / 'flood_rp10.tif'}",
                            "--rp", f"100={d / 'flood_rp100.tif'}", "--city", CITY, "--out", str(out / "h1")),
        "hazard maps manifest": ("hazard", "import", "--manifest", str(d / "manifest.json"), "--city", CITY, "--out",
                                 str(out / "h2")),
        "hazard maps gpkg": ("hazard", "import", "--peril", "river_flood", "--gpkg", str(d / "flood.gpkg"), "--city",
                             CITY, "--out", str(out / "h3")),
        "sources NRML": ("eq", "curves", "--sources", str(d / "sources.xml"), *curves, "--out", str(out / "c1")),
        "sources CSV": ("eq", "curves", "--sources", str(d / "sources.csv"), *curves, "--out", str(out / "c2")),
        "events": ("eq", "events", "--sources", str(d / "sources.xml"), "--gmpe", "BooreEtAl2014", "--city", CITY,
                   "--years", "100", "--grid-km", "4", "--out", str(out / "e1")),
        "run-oq": ("eq", "run-oq", str(d / "job" / "job.ini"), "--out", str(out / "oq_seed")),
        "risk case": ("risk", "run", "--case", str(d / "case"), "--out", str(out / "case_seed")),
        "risk files npz": ("risk", "run", "--hazard", str(d / "hazard.npz"), "--exposure", str(d / "risk_exposure.csv"),
                           "--vulnerability", str(d / "vulnerability.csv"), "--taxonomy-mapping",
                           str(d / "risk_mapping.csv"), "--out", str(out / "files_seed")),
        "rupture json + logic tree CSV": ("eq", "scenario", "--rupture", str(d / "rupture.json"), "--gmpe-logic-tree",
                                          str(d / "gmpe_lt.csv"), *scenario),
        "rupture NRML + logic tree NRML": ("eq", "scenario", "--rupture", str(d / "job" / "rupture.xml"),
                                           "--gmpe-logic-tree", str(d / "job" / "gsim_logic_tree.xml"), "--city",
                                           "dushanbe", "--grid-km", "5", "--n", "2", "--out", str(out / "sc2")),
        "outline": ("city", "build-exposure", "KZ-ALM", "--outline", str(d / "outline.geojson"), "--population",
                    "100000", "-o", str(out / "built_seed.csv")),
        "exposure convert": ("exposure", "convert", str(d / "exposure.csv"), str(out / "converted_seed.gpkg")),
        "hazard info": ("hazard", "info", str(d / "hazard.npz")),
        "hazard info hdf5": ("hazard", "info", str(CLIMADA_H5)),
        "hazard convert": ("hazard", "convert", str(d / "hazard.npz"), str(out / "converted_seed.npz")),
    }  # fmt: skip
