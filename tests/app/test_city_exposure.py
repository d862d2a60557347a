"""GEM Central Asia exposure of a city: totals against the files read independently, shares, outline, border."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from kalkan.app.city_exposure import admin1_exposure, city_exposure
from kalkan.app.city_outline import founding_outline
from kalkan.catalog.cities import CITY_ADMIN1, CITY_GEM_UNIT
from kalkan.catalog.sources import data_root
from kalkan.core.geometry import distance_outside_km, near_edge, points_in_geojson
from kalkan.errors import InputError
from kalkan.io.founding_cities import founding_city_data
from kalkan.io.shipped_vulnerability import gem_central_asia
from tests.errors import expect_error

GEM = data_root() / "gem_global_exposure_model" / "Central_Asia"
COUNTRY = {"TJ-DU": "Tajikistan", "TM-S": "Turkmenistan", "KG-O": "Kyrgyzstan", "UZ-NG": "Uzbekistan",
           "KZ-SEV": "Kazakhstan"}  # fmt: skip


def _independent_totals(id_1: str) -> dict[str, Any]:
    """Sums of one admin-1 unit read with the csv module alone (costs as exact Decimal cents)."""
    out: dict[str, Any] = {"cents": dict.fromkeys(("structural", "nonstructural", "contents"), Decimal(0)),
                           "buildings": 0.0, "day": 0.0, "night": 0.0, "transit": 0.0, "res_night": 0.0}  # fmt: skip
    country = COUNTRY[id_1]
    for occ in ("Res", "Com", "Ind"):
        with (GEM / country / f"Exposure_{occ}_{country}_Adm1.csv").open(newline="") as fh:
            for rec in csv.DictReader(fh):
                if rec["ID_1"] != id_1:
                    continue
                for k in out["cents"]:
                    out["cents"][k] += Decimal(rec[f"COST_{k.upper()}_USD"]) * 100
                out["buildings"] += float(rec["BUILDINGS"])
                for p in ("day", "night", "transit"):
                    out[p] += float(rec[f"OCCUPANTS_PER_ASSET_{p.upper()}"])
                if occ == "Res":
                    out["res_night"] += float(rec["OCCUPANTS_PER_ASSET_NIGHT"])
    return out


@pytest.fixture(scope="module")
def cities() -> dict[str, tuple[Any, dict[str, Any]]]:
    return {c: city_exposure(c, cell_km=1.0) for c in CITY_ADMIN1}


@pytest.mark.parametrize("city_id", sorted(CITY_ADMIN1))
def test_totals_equal_share_times_gem_files(city_id: str, cities: dict[str, tuple[Any, dict[str, Any]]]) -> None:
    exposure, record = cities[city_id]
    ref = _independent_totals(record["admin1_id"])
    share = record["share"]
    for k, cents in ref["cents"].items():
        expected = round(Fraction(share) * Fraction(cents))
        assert round(float(exposure.costs[k].sum()) * 100) == expected, k
        assert record["totals"][f"cost_{k}_usd"] == pytest.approx(expected / 100, abs=0.005)
    assert float(exposure.number.sum()) == pytest.approx(share * ref["buildings"], rel=1e-9)
    for p in ("day", "night", "transit"):
        assert float(exposure.occupants[p].sum()) == pytest.approx(share * ref[p], rel=1e-9)
    assert record["region_residents"] == ref["res_night"]
    assert exposure.price_year == 2021
    assert exposure.currency == "USD"
    assert record["n_cells"] * record["n_building_classes"] == len(exposure)


def test_whole_units_and_osh_share(cities: dict[str, tuple[Any, dict[str, Any]]]) -> None:
    assert cities["dushanbe"][1]["share"] == 1.0
    assert cities["ashgabat"][1]["share"] == 1.0
    facts = {c.id: c for c in founding_city_data()[0]}
    osh = cities["osh"][1]
    residents = _independent_totals("KG-O")["res_night"]
    assert osh["admin1_id"] == "KG-O"
    assert osh["city_population"] == facts["osh"].population.value
    assert osh["city_population_year"] == facts["osh"].population.year
    assert osh["share"] == pytest.approx(facts["osh"].population.value / residents, rel=1e-12)
    assert 0 < osh["share"] < 1
    assert "OCCUPANTS_PER_ASSET_NIGHT" in osh["share_basis"]


def test_the_catalogue_units_are_those_of_the_records(cities: dict[str, tuple[Any, dict[str, Any]]]) -> None:
    for city_id, unit in CITY_GEM_UNIT.items():
        record = cities[city_id][1]
        assert (record["admin1_id"], record["admin1_name"]) == (unit.admin1_id, unit.admin1_name)
        assert (record["share"] == 1.0) == unit.whole


@pytest.mark.parametrize("city_id", sorted(CITY_ADMIN1))
def test_assets_inside_the_outline_bounding_box(city_id: str, cities: dict[str, tuple[Any, dict[str, Any]]]) -> None:
    exposure, record = cities[city_id]
    _, outlines, _ = founding_city_data()
    geom = next(g for g in outlines[city_id] if g.kind == record["outline_kind"])
    coords = json.loads(geom.geojson)["coordinates"]
    polys = [coords] if json.loads(geom.geojson)["type"] == "Polygon" else coords
    pts = np.vstack([np.asarray(p[0]) for p in polys])
    assert exposure.lon.min() >= pts[:, 0].min() - 1e-5
    assert exposure.lon.max() <= pts[:, 0].max() + 1e-5
    assert exposure.lat.min() >= pts[:, 1].min() - 1e-5
    assert exposure.lat.max() <= pts[:, 1].max() + 1e-5
    assert set(exposure.occupancy.tolist()) <= {"res", "com", "ind"}
    assert str(exposure.district[0]).startswith("cell-")


def test_every_taxonomy_has_a_structural_function(cities: dict[str, tuple[Any, dict[str, Any]]]) -> None:
    vs = gem_central_asia()
    taxonomies = {t for e, _ in cities.values() for t in e.taxonomy.tolist()}
    missing = sorted(t for t in taxonomies if vs.resolve("structural", t) is None)
    assert not missing


def test_unknown_city() -> None:
    with pytest.raises(InputError) as info:
        city_exposure("bishkek")
    expect_error(info, "input.unknown", "city")


ISO3 = {"TJ-DU": "TJK", "TM-S": "TKM", "KG-O": "KGZ", "UZ-NG": "UZB", "KZ-SEV": "KAZ"}


def _country(iso3: str) -> dict[str, Any]:
    path = data_root() / "geo" / "natural_earth" / "ne_10m_admin0_central_asia5.geojson"
    return next(f["geometry"] for f in json.loads(path.read_text())["features"] if f["properties"]["ADM0_A3"] == iso3)


@pytest.mark.parametrize("city_id", sorted(CITY_ADMIN1))
def test_assets_stay_inside_the_outline_and_the_country(
    city_id: str, cities: dict[str, tuple[Any, dict[str, Any]]]
) -> None:
    """Never across a border: every cell lies in the city's country (Natural Earth 1:10m admin-0)."""
    exposure, record = cities[city_id]
    outline = founding_outline(city_id)
    assert record["outline_kind"] == outline.kind == ("admin_boundary" if city_id in ("osh", "dushanbe", "ashgabat")
                                                      else "urban_extent")  # fmt: skip
    assert points_in_geojson(_country(ISO3[record["admin1_id"]]), exposure.lon, exposure.lat).all()
    inside = points_in_geojson(outline.geometry, exposure.lon, exposure.lat)
    # cells on the outline's edge may fall just outside once rounded to 5 decimals (about 1 m)
    assert (inside | near_edge(outline.geometry, exposure.lon, exposure.lat, 1e-5)).all()


def test_osh_is_spread_over_osh_city_not_the_fergana_valley(cities: dict[str, tuple[Any, dict[str, Any]]]) -> None:
    """The issue's numbers: the NE urban extent reached 40.99 N with 65 % of the value north of 40.65 N; Osh's
    administrative boundary (Who's On First 'Osh City', read here with plain json) ends at 40.589 N."""
    exposure, record = cities["osh"]
    wof = json.loads((data_root() / "geo" / "whosonfirst" / "wof_coalition_city_geometries.geojson").read_text())
    osh = next(f for f in wof["features"] if f["properties"]["city_id"] == "osh")
    max_lat = max(p[1] for p in osh["geometry"]["coordinates"][0])
    assert max_lat < 40.6
    assert exposure.lat.max() <= max_lat + 1e-5
    assert not (exposure.lat > 40.65).any()
    assert record["outline_area_km2"] == pytest.approx(osh["properties"]["area_m2"] / 1e6, rel=0.01)


def test_a_user_outline_across_the_border_is_cut_to_the_units_country() -> None:
    """KG-O over a box that straddles the Kyrgyz-Uzbek border east of Andijan: only Kyrgyz cells, totals intact."""
    box = {"type": "Polygon", "coordinates": [[[72.55, 40.55], [72.85, 40.55], [72.85, 40.75], [72.55, 40.75],
                                               [72.55, 40.55]]]}  # fmt: skip
    kgz = _country("KGZ")
    exposure, record = admin1_exposure("KG-O", box, share=0.1, cell_km=2.0)
    assert record["outline_clipped_to_country"] and record["country_iso3"] == "KGZ"
    # cells are rounded to 5 decimals (about 1 m): one on the border itself may fall a millimetre beyond it
    assert (distance_outside_km(kgz, exposure.lon, exposure.lat) < 0.002).all()
    gx, gy = np.meshgrid(np.linspace(72.55, 72.85, 61), np.linspace(40.55, 40.75, 41))
    assert not points_in_geojson(kgz, gx.ravel(), gy.ravel()).all()  # the box itself does cross the border
    ref = _independent_totals("KG-O")
    for k, cents in ref["cents"].items():
        assert round(float(exposure.costs[k].sum()) * 100) == round(Fraction(0.1) * Fraction(cents))
    with pytest.raises(InputError) as info:
        admin1_exposure("KG-O", {"type": "Polygon", "coordinates": [[[70.0, 41.3], [70.1, 41.3], [70.1, 41.4],
                                                                     [70.0, 41.3]]]}, share=0.1)  # fmt: skip
    expect_error(info, "input.outside", "outline")
    assert "Kyrgyzstan (KGZ)" in str(info.value)
