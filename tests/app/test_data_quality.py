"""The per-city data-quality report, on SQLite and PostgreSQL, and `kalkan city quality` from the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select, update

from kalkan.app.city_exposure import city_exposure
from kalkan.app.data_quality import PERIL_MODELS, city_quality
from kalkan.catalog.sources import data_root
from kalkan.core.exposure.table import Exposure
from kalkan.core.geometry import points_in_geojson
from kalkan.errors import NotFoundError
from kalkan.io.facilities import illustrative_facilities
from kalkan.io.gem_exposure import admin1_rows
from kalkan.io.shipped_vulnerability import gem_central_asia
from kalkan.store.city_data import save_exposure, save_facilities
from kalkan.store.database import Store
from kalkan.store.models import ExposureAsset, ExposureSet
from tests.app.test_city_data import PROVENANCE, kalkan

FACILITIES_CSV = Path(__file__).resolve().parents[2] / "src/kalkan/data/facilities/petropavl_illustrative.csv"


def load_petropavl(store: Store) -> tuple[Exposure, dict[str, Any]]:
    exposure, record = city_exposure("petropavl")
    with store.transaction() as session:
        save_exposure(session, "petropavl", exposure, method=record, **PROVENANCE)
        save_facilities(session, "petropavl", illustrative_facilities("petropavl"))
    return exposure, record


def known_taxonomy() -> str:
    return sorted(gem_central_asia().mapping["structural"])[0]


def test_gem_set_totals_coverage_and_tampering(store: Store) -> None:
    exposure, record = load_petropavl(store)
    with store.transaction() as session:
        r = city_quality(session, "petropavl", today=dt.date(2026, 1, 1))
    e = r["exposure"]
    assert e["present"] and e["n_assets"] == len(exposure) == 7511
    assert e["coverage"]["outline"] == "urban_extent" and e["coverage"]["share_inside"] == 1.0
    assert e["coverage"]["n_assets_outside"] == 0 and e["coverage"]["outside_asset_ids"] == []
    assert all(v == 0 for k, v in e["missing_fields"].items() if k != "unit")
    t = e["totals_vs_source"]
    assert t["available"] and t["costs_equal_to_the_cent"] and t["currency"] == "USD" and t["price_year"] == 2021
    rows = admin1_rows("KZ-SEV")  # independent: the source files, the share of the method record, exact fractions
    share = Fraction(record["share"])
    for cost_type in ("structural", "nonstructural", "contents"):
        cents = round(share * sum(row.cost_cents(cost_type) for row in rows))
        assert round(t["costs"][cost_type]["expected_usd"] * 100) == cents
        assert round(t["costs"][cost_type]["sum_of_assets_usd"] * 100) == cents
        assert round(float(exposure.costs[cost_type].sum()) * 100) == cents
        assert t["costs"][cost_type]["difference_usd"] == 0 and t["costs"][cost_type]["equal_to_the_cent"]
    assert abs(t["buildings"]["relative_difference"]) < 1e-12
    assert abs(t["occupants_night"]["relative_difference"]) < 1e-12
    assert e["assumed"]["share_of_assets"] == 1.0 and "uniform density" in e["assumed"]["reasons"][0]
    assert any("uniform density" in line for line in r["summary"])

    with store.transaction() as session:  # one asset +1.00 USD, its set's total too: the report must see it
        set_id = session.scalar(select(ExposureSet.id).where(ExposureSet.city_id == "petropavl"))
        first = session.scalar(
            select(ExposureAsset.id).where(ExposureAsset.set_id == set_id).order_by(ExposureAsset.id)
        )
        session.execute(
            update(ExposureAsset)
            .where(ExposureAsset.id == first)
            .values(cost_structural=ExposureAsset.cost_structural + 1.0)
        )
        session.execute(
            update(ExposureSet)
            .where(ExposureSet.id == set_id)
            .values(cost_structural=ExposureSet.cost_structural + 1.0)
        )
    with store.transaction() as session:
        t = city_quality(session, "petropavl")["exposure"]["totals_vs_source"]
    assert not t["costs_equal_to_the_cent"] and not t["costs"]["structural"]["equal_to_the_cent"]
    assert t["costs"]["structural"]["difference_usd"] == pytest.approx(1.0, abs=1e-9)
    assert t["costs"]["contents"]["equal_to_the_cent"]


def test_assets_outside_the_outline_and_missing_fields(store: Store) -> None:
    n = 4
    taxonomy = known_taxonomy()
    exposure = Exposure(
        id=np.array([f"a{k}" for k in range(n)], dtype=object),
        lon=np.array([69.15, 69.15, 69.15, 10.0]),  # the last asset is in Europe: outside Petropavl
        lat=np.array([54.87, 54.87, 54.87, 50.0]),
        taxonomy=np.array([taxonomy, taxonomy, taxonomy, "XYZ/UNKNOWN"], dtype=object),
        costs={"structural": np.array([1000.0, 2000.0, 5000.0, 7000.0])},
        occupants={"night": np.array([1.0, 9.0, 9.0, 2.0]), "day": np.array([1.0, 1.0, 1.0, 1.0])},
        district=np.array(["d1", "", "d1", "d2"], dtype=object),
        price_year=2021,
    )
    with store.transaction() as session:
        save_exposure(session, "petropavl", exposure, method={"imported_from": "test"}, **PROVENANCE)
    with store.transaction() as session:  # Exposure refuses NaN, so missing values reach the store as NULLs
        session.execute(
            update(ExposureAsset).where(ExposureAsset.asset_id.in_(["a1", "a2"])).values(occupants_night=None)
        )
        session.execute(update(ExposureAsset).where(ExposureAsset.asset_id == "a2").values(cost_structural=None))
    with store.transaction() as session:
        r = city_quality(session, "petropavl", perils=["earthquake", "heat_wave"])
    e = r["exposure"]
    inside_by_hand = points_in_geojson(
        {"type": "Polygon", "coordinates": [[[69.0, 54.8], [69.3, 54.8], [69.3, 54.95], [69.0, 54.95], [69.0, 54.8]]]},
        exposure.lon,
        exposure.lat,
    )
    assert inside_by_hand.tolist() == [True, True, True, False]
    assert e["coverage"]["n_assets_outside"] == 1 and e["coverage"]["outside_asset_ids"] == ["a3"]
    assert e["coverage"]["share_inside"] == pytest.approx(0.75)
    m = e["missing_fields"]
    assert m["occupants_night"] == 2 and m["occupants_day"] == 0 and m["occupants_transit"] == n
    assert m["cost_structural"] == 1 and m["cost_nonstructural"] == n and m["cost_contents"] == n
    assert m["district"] == 1 and m["occupancy"] == n and m["number"] == 0  # number defaults to 1
    assert e["totals_vs_source"]["available"] is False and e["assumed"]["share_of_assets"] == 0.0

    quake = r["vulnerability"]["earthquake"]
    assert quake["model"] == PERIL_MODELS["earthquake"][0] and quake["gap"]
    structural = quake["loss_types"]["structural"]
    assert structural["unresolved_taxonomies"] == [{"taxonomy": "XYZ/UNKNOWN", "n_assets": 1}]
    assert structural["n_assets_resolved"] == 3 and structural["share_of_assets_resolved"] == pytest.approx(0.75)
    assert structural["share_of_value_resolved"] == pytest.approx(3000 / 10000)
    assert quake["loss_types"]["occupants"]["share_of_value_resolved"] == pytest.approx(1 / 3)
    flood = r["vulnerability"]["heat_wave"]
    assert flood["model"] is None and flood["gap"] == "no vulnerability model for heat_wave in Kalkan yet"
    assert "no vulnerability model for heat_wave in Kalkan yet" in r["summary"]


def test_facilities_illustrative_and_stale_inspections(store: Store) -> None:
    load_petropavl(store)
    today = dt.date(2028, 3, 1)
    with open(FACILITIES_CSV, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cutoff = dt.date(2023, 3, 1)
    stale = sorted(
        r["id"] for r in rows if r["last_inspection"] and dt.date.fromisoformat(r["last_inspection"]) < cutoff
    )
    never = sum(1 for r in rows if not r["last_inspection"])
    illustrative = sum(1 for r in rows if r["illustrative"] == "true")
    assert stale and illustrative == len(rows)
    with store.transaction() as session:
        f = city_quality(session, "petropavl", today=today)["facilities"]
    assert f["n_facilities"] == len(rows) and f["n_illustrative"] == illustrative and f["all_illustrative"]
    s = f["stale_inspections"]
    assert s["before"] == cutoff.isoformat() and s["facility_ids"] == stale and s["n_facilities"] == len(stale)
    assert s["n_never_inspected"] == never == f["missing_fields"]["last_inspection"]
    vset = gem_central_asia()
    unresolved = sorted(
        {r["construction_class"] for r in rows if vset.resolve("structural", r["construction_class"]) is None}
    )
    assert [c["construction_class"] for c in f["unresolved_construction_classes"]["classes"]] == unresolved


def test_unknown_city_and_no_exposure(store: Store) -> None:
    with store.transaction() as session:
        with pytest.raises(NotFoundError, match="No city with id 'almaty'"):
            city_quality(session, "almaty")
        r = city_quality(session, "osh")
    assert r["exposure"]["present"] is False and "no exposure" in r["exposure"]["message"]
    assert r["vulnerability"]["earthquake"]["loss_types"] is None
    assert r["facilities"]["n_facilities"] == 0
    assert any(line.startswith("no exposure stored") for line in r["summary"])


def test_cli_quality_json_and_text(sqlite_url: str) -> None:
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    empty = kalkan(sqlite_url, "city", "quality", "petropavl", "--json")
    assert empty.returncode == 0, empty.stderr and json.loads(empty.stdout)["exposure"]["present"] is False
    assert kalkan(sqlite_url, "city", "load", "petropavl").returncode == 0
    proc = kalkan(sqlite_url, "city", "quality", "petropavl", "--json")
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout)
    assert r["exposure"]["totals_vs_source"]["costs_equal_to_the_cent"]
    assert r["exposure"]["coverage"]["share_inside"] == 1.0
    assert r["facilities"]["all_illustrative"]
    assert "no vulnerability model for heat_wave in Kalkan yet" in r["summary"]
    text = kalkan(sqlite_url, "city", "quality", "petropavl")
    assert text.returncode == 0, text.stderr
    assert "ILLUSTRATIVE" in text.stdout and "equal to the cent" in text.stdout
    unknown = kalkan(sqlite_url, "city", "quality", "almaty")
    assert unknown.returncode != 0 and "No city with id 'almaty'" in unknown.stderr


def test_flood_perils_use_the_jrc_curves(store: Store) -> None:
    """Petropavlovsk faces snowmelt and river floods: every GEM taxonomy resolves to a JRC curve by occupancy."""
    load_petropavl(store)
    with store.transaction() as session:
        r = city_quality(session, "petropavl")
    for peril in ("snowmelt_flood", "riverine_flood"):
        flood = r["vulnerability"][peril]
        assert flood["model"].startswith("JRC") and not flood["gap"]
        for loss_type in ("structural", "nonstructural", "contents"):
            assert flood["loss_types"][loss_type]["share_of_assets_resolved"] == 1.0, (peril, loss_type)
    assert r["vulnerability"]["heat_wave"]["model"] is None


def test_assets_outside_the_country_with_their_share_of_value(store: Store) -> None:
    """Two of Osh's assets in Uzbekistan (Andijan, Fergana valley floor): counted, named, with their value."""
    taxonomy = known_taxonomy()
    lon = np.array([72.80, 72.81, 72.34, 72.50])  # Osh centre, Osh, Andijan (UZB), east of Andijan (UZB)
    lat = np.array([40.53, 40.52, 40.78, 40.75])
    costs = np.array([1000.0, 3000.0, 5000.0, 1000.0])
    exposure = Exposure(
        id=np.array(["in1", "in2", "uz1", "uz2"], dtype=object), lon=lon, lat=lat,
        taxonomy=np.array([taxonomy] * 4, dtype=object), costs={"structural": costs},
        occupants={"night": np.ones(4)}, price_year=2021,
    )  # fmt: skip
    with store.transaction() as session:
        save_exposure(session, "osh", exposure, method={"imported_from": "test"}, **PROVENANCE)
    with store.transaction() as session:
        r = city_quality(session, "osh")
    kgz = next(
        f["geometry"]
        for f in json.loads((data_root() / "geo/natural_earth/ne_10m_admin0_central_asia5.geojson").read_text())[
            "features"
        ]
        if f["properties"]["ADM0_A3"] == "KGZ"
    )
    assert points_in_geojson(kgz, lon, lat).tolist() == [True, True, False, False]  # independent check
    o = r["exposure"]["outside_country"]
    assert o["available"] and o["country_iso3"] == "KGZ" and o["n_outside"] == 2 and o["ids"] == ["uz1", "uz2"]
    assert o["share_of_value"] == pytest.approx(6000 / 10000) and o["share_of_points"] == pytest.approx(0.5)
    assert o["max_distance_outside_km"] > 1
    c = r["exposure"]["coverage"]
    assert c["outline"] == "admin_boundary" and c["n_assets_outside"] == 2
    assert c["share_of_value_outside"] == pytest.approx(0.6)
    assert any("lie outside KGZ" in line for line in r["summary"])
    a = r["exposure"]["assumed"]  # an imported file: nothing spread; its own gaps are reported
    assert a["spread"]["share_of_value"] == 0.0 and a["estimated_fields"]["fields"] == []
    assert {"occupants_day", "cost_contents"} <= set(a["fields_missing_for_every_asset"])


def test_gem_exposure_is_reported_as_spread_and_estimated(store: Store) -> None:
    _exposure, record = load_petropavl(store)
    with store.transaction() as session:
        a = city_quality(session, "petropavl")["exposure"]["assumed"]
    assert a["share_of_assets"] == 1.0 and a["share_of_value"] == 1.0
    assert a["spread"] == {"what": "location", "share_of_assets": 1.0, "share_of_value": 1.0,
                           "how": a["spread"]["how"]}  # fmt: skip
    assert "urban extent" in a["spread"]["how"] and "0.5 km cells" in a["spread"]["how"]
    assert set(a["estimated_fields"]["fields"]) == {"taxonomy", "number", "cost_structural", "cost_nonstructural",
                                                    "cost_contents", "occupants_day", "occupants_night",
                                                    "occupants_transit"}  # fmt: skip
    assert "KZ-SEV" in a["estimated_fields"]["by"] and f"{record['share']:.6g}" in a["estimated_fields"]["by"]


def test_a_built_gem_file_imported_as_the_citys_own_is_still_spread(tmp_path: Path, sqlite_url: str) -> None:
    """The issue's case: `build-exposure` then `import-exposure` reported 0 % assumed; the provenance says GEM."""
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    out = tmp_path / "petropavl.csv"
    built = kalkan(sqlite_url, "city", "build-exposure", "petropavl", "-o", str(out), "--cell-km", "2")
    assert built.returncode == 0, built.stderr
    imported = kalkan(sqlite_url, "city", "import-exposure", "petropavl", str(out), "--licence", "CC BY-NC-SA 4.0",
                      "--citation", "GEM via Kalkan")  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    r = json.loads(kalkan(sqlite_url, "city", "quality", "petropavl", "--json").stdout)
    a = r["exposure"]["assumed"]
    assert a["share_of_value"] == 1.0 and a["spread"]["what"] == "location" and "provenance" in a["origin"]
    text = kalkan(sqlite_url, "city", "quality", "petropavl").stdout
    assert "spread (not located)" in text and "100% of the value" in text
