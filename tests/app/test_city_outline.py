"""The city's outline: which one is used, a city's own (`kalkan cities set-outline`), and GEM exposure inside it."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kalkan.app.city_data import load_founding_city
from kalkan.app.city_outline import city_outline, founding_outline, set_city_outline
from kalkan.app.exposure_import import city_box
from kalkan.catalog.sources import data_root
from kalkan.core.geometry import geometry_area_km2, points_in_geojson
from kalkan.errors import ConflictError, InputError
from kalkan.io.gem_exposure import admin1_rows
from kalkan.store.city_data import current_exposure_set, load_exposure
from kalkan.store.database import Store
from kalkan.store.versions import history, restore
from tests.app.test_city_data import kalkan
from tests.errors import expect_error

GEO = data_root() / "geo"


def features(path: Path, key: str) -> dict[str, dict[str, Any]]:
    return {f["properties"][key]: f for f in json.loads(path.read_text())["features"]}


WOF = features(GEO / "whosonfirst" / "wof_coalition_city_geometries.geojson", "city_id")
NE_URBAN = features(GEO / "cities" / "coalition_cities_urban_extent_ne50m.geojson", "city_id")
COUNTRIES = features(GEO / "natural_earth" / "ne_10m_admin0_central_asia5.geojson", "ADM0_A3")
# A square of 0.16 x 0.09 degrees around Petropavl's centre (69.15065 E, 54.87343 N): about 102 km2.
PETROPAVL_SQUARE = {"type": "Polygon", "coordinates": [[[69.08, 54.83], [69.24, 54.83], [69.24, 54.92],
                                                        [69.08, 54.92], [69.08, 54.83]]]}  # fmt: skip


def test_the_shipped_choice_per_founding_city() -> None:
    """WOF polygons where they exist (Osh, Dushanbe, Ashgabat), else the NE urban extent inside the country."""
    for city, iso3 in (("osh", "KGZ"), ("dushanbe", "TJK"), ("ashgabat", "TKM")):
        o = founding_outline(city)
        assert o.kind == "admin_boundary" and o.country_iso3 == iso3 and not o.clipped_to_country
        assert o.geometry == WOF[city]["geometry"]
        assert o.area_km2 == pytest.approx(WOF[city]["properties"]["area_m2"] / 1e6, rel=0.01)  # WOF's own area
    for city in ("namangan", "petropavl"):
        o = founding_outline(city)
        assert o.kind == "urban_extent" and not o.clipped_to_country  # wholly inside UZB / KAZ: nothing cut
        assert o.geometry == NE_URBAN[city]["geometry"]
        assert o.area_km2 == pytest.approx(NE_URBAN[city]["properties"]["area_sqkm"], rel=0.01)


def test_an_urban_extent_across_the_border_is_cut(store: Store) -> None:
    """Without its WOF boundary Osh would fall back to the NE urban extent: only its Kyrgyz part is used."""
    from sqlalchemy import delete

    from kalkan.store.models import CityGeometry

    with store.transaction() as session:
        wof = (CityGeometry.city_id == "osh") & (CityGeometry.kind == "admin_boundary")
        session.execute(delete(CityGeometry).where(wof))
    with store.transaction() as session:
        o = city_outline(session, "osh")
    assert o is not None and o.kind == "urban_extent" and o.clipped_to_country
    assert o.label == "urban extent clipped to KGZ"
    extent, kgz = NE_URBAN["osh"]["geometry"], COUNTRIES["KGZ"]["geometry"]
    rng = np.random.default_rng(3)
    x, y = rng.uniform(72.4, 73.2, 50_000), rng.uniform(40.3, 41.1, 50_000)
    inside = points_in_geojson(o.geometry, x, y)
    assert np.array_equal(inside, points_in_geojson(extent, x, y) & points_in_geojson(kgz, x, y))
    assert o.clipped_from_km2 is not None and o.clipped_from_km2 == pytest.approx(geometry_area_km2(extent))
    assert o.area_km2 < 0.6 * o.clipped_from_km2


def test_set_outline_is_checked_stored_as_a_version_and_used(store: Store) -> None:
    with store.transaction() as session:
        before = city_outline(session, "petropavl")
        r = set_city_outline(session, "petropavl", PETROPAVL_SQUARE, source="akimat 2026", licence="CC BY 4.0",
                             imported_from="square.geojson")  # fmt: skip
    assert before is not None and before.kind == "urban_extent"
    assert r["previous_outline"]["kind"] == "urban_extent" and r["outline"]["kind"] == "city_outline"
    with store.transaction() as session:
        o = city_outline(session, "petropavl")
        lon0, lon1, lat0, lat1, where = city_box(session, "petropavl", 0.0)
        versions = history(session, "petropavl", "outline")
    assert o is not None and o.kind == "city_outline" and o.version == r["version"] and o.source == "akimat 2026"
    assert o.area_km2 == pytest.approx(geometry_area_km2(PETROPAVL_SQUARE))
    assert (lon0, lon1, lat0, lat1) == pytest.approx((69.08, 69.24, 54.83, 54.92))  # the box of the own outline
    assert "own outline" in where
    assert [v.origin for v in versions] == ["city"]
    with store.transaction() as session, pytest.raises(ConflictError, match="already has its own city outline"):
        set_city_outline(session, "petropavl", PETROPAVL_SQUARE, source="again", licence="x")
    smaller = {"type": "Polygon", "coordinates": [[[69.1, 54.85], [69.2, 54.85], [69.2, 54.9], [69.1, 54.9],
                                                   [69.1, 54.85]]]}  # fmt: skip
    with store.transaction() as session:
        again = set_city_outline(session, "petropavl", smaller, source="v2", licence="x", replace=True)
    assert again["superseded_version"] == r["version"]
    with store.transaction() as session:
        restore(session, "petropavl", r["version"])
    with store.transaction() as session:
        o = city_outline(session, "petropavl")
    assert o is not None and o.source == "akimat 2026"  # restored: the first outline is current again


@pytest.mark.parametrize(
    ("geometry", "code", "field"),
    [
        (
            {
                "type": "Polygon",
                "coordinates": [[[54.83, 69.08], [54.83, 69.24], [54.92, 69.24], [54.92, 69.08], [54.83, 69.08]]],
            },
            "input.outside",
            "coordinates",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[69.3, 54.83], [69.4, 54.83], [69.4, 54.92], [69.3, 54.92], [69.3, 54.83]]],
            },
            "input.outside",
            "coordinates",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[69.15, 54.873], [69.152, 54.873], [69.152, 54.874], [69.15, 54.874], [69.15, 54.873]]
                ],
            },
            "input.range",
            "geometry",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[69.0, 54.8], [69.3, 54.95], [69.3, 54.8], [69.1, 54.95], [69.0, 54.8]]],
            },
            "input.type",
            "geometry",
        ),
        ({"type": "LineString", "coordinates": [[69.0, 54.8], [69.3, 54.95]]}, "input.type", "geometry"),
    ],
)
def test_bad_outlines_are_refused(store: Store, geometry: dict[str, Any], code: str, field: str) -> None:
    with store.transaction() as session, pytest.raises(InputError) as info:
        set_city_outline(session, "petropavl", geometry, source="s", licence="l", imported_from="bad.geojson")
    expect_error(info, code, field)
    assert "bad.geojson" in str(info.value)
    with store.transaction() as session:
        assert history(session, "petropavl", "outline") == []  # nothing stored


def test_city_load_spreads_gem_exposure_over_the_own_outline(store: Store) -> None:
    with store.transaction() as session:
        set_city_outline(session, "petropavl", PETROPAVL_SQUARE, source="akimat 2026", licence="CC BY 4.0")
    with store.transaction() as session:
        load_founding_city(session, "petropavl", cell_km=1.0)
    with store.transaction() as session:
        exposure = load_exposure(session, "petropavl")
        record = current_exposure_set(session, "petropavl")
    assert record is not None and record.method["outline_kind"] == "city_outline"
    assert points_in_geojson(PETROPAVL_SQUARE, exposure.lon, exposure.lat).all()
    share = Fraction(record.method["share"])  # totals to the cent, whatever the outline
    for cost in ("structural", "nonstructural", "contents"):
        cents = round(share * sum(r.cost_cents(cost) for r in admin1_rows("KZ-SEV")))
        assert round(float(exposure.costs[cost].sum()) * 100) == cents


def test_cli_set_outline_and_show(sqlite_url: str, tmp_path: Path) -> None:
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    path = tmp_path / "petropavl.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": PETROPAVL_SQUARE}]}))  # fmt: skip
    done = kalkan(sqlite_url, "cities", "set-outline", "petropavl", str(path), "--source", "akimat", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outline"]["kind"] == "city_outline"
    shown = json.loads(kalkan(sqlite_url, "cities", "show", "petropavl", "--json").stdout)
    assert shown["outline"]["kind"] == "city_outline" and shown["outline"]["source"] == "akimat"
    text = kalkan(sqlite_url, "cities", "show", "petropavl")
    assert "outline used" in text.stdout and "own outline" in text.stdout
    refused = kalkan(sqlite_url, "cities", "set-outline", "petropavl", str(path))
    assert refused.returncode == 2 and "--replace" in refused.stderr and "Traceback" not in refused.stderr
