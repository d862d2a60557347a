"""`kalkan city build-exposure`: GEM admin-1 totals on a grid, for a founding city or any admin-1 unit.

Totals are checked against the GEM files read independently with the csv module (exact Decimal cents).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kalkan.catalog.sources import data_root
from kalkan.io.exposure import read_exposure

GEM = data_root() / "gem_global_exposure_model" / "Central_Asia"
COUNTRY = {"KZ": "Kazakhstan", "KG": "Kyrgyzstan", "TJ": "Tajikistan", "TM": "Turkmenistan", "UZ": "Uzbekistan"}
ALMATY = {"type": "Polygon", "coordinates": [[[76.85, 43.2], [77.0, 43.2], [77.0, 43.3], [76.85, 43.3], [76.85, 43.2]]]}
COSTS = ("structural", "nonstructural", "contents")


def kalkan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kalkan", *args], capture_output=True, text=True, timeout=300, check=False
    )


def gem_sums(id_1: str) -> dict[str, Any]:
    """Cost cents (exact), buildings, night occupants and residents of one unit, straight from the files."""
    country = COUNTRY[id_1.split("-")[0]]
    sums: dict[str, Any] = {k: Decimal(0) for k in COSTS} | {"buildings": 0.0, "night": 0.0, "residents": 0.0}
    for occ in ("Res", "Com", "Ind"):
        with (GEM / country / f"Exposure_{occ}_{country}_Adm1.csv").open(newline="") as fh:
            for rec in csv.DictReader(fh):
                if rec["ID_1"] == id_1:
                    for k in COSTS:
                        sums[k] += Decimal(rec[f"COST_{k.upper()}_USD"]) * 100
                    sums["buildings"] += float(rec["BUILDINGS"])
                    sums["night"] += float(rec["OCCUPANTS_PER_ASSET_NIGHT"])
                    if occ == "Res":
                        sums["residents"] += float(rec["OCCUPANTS_PER_ASSET_NIGHT"])
    return sums


@pytest.fixture
def outline(tmp_path: Path) -> Path:
    path = tmp_path / "almaty.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                                                                           "geometry": ALMATY}]}))  # fmt: skip
    return path


def test_any_admin1_unit_by_population_matches_the_gem_files(tmp_path: Path, outline: Path) -> None:
    target = tmp_path / "almaty.csv"
    proc = kalkan("city", "build-exposure", "KZ-ALM", "--outline", str(outline), "--population", "500000",
                  "--cell-km", "1", "-o", str(target), "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    record = json.loads(proc.stdout)
    sums = gem_sums("KZ-ALM")
    assert record["share"] == pytest.approx(500_000 / sums["residents"], rel=1e-12)
    assert record["licence"].startswith("CC BY-NC-SA 4.0") and record["price_year"] == 2021
    exposure = read_exposure(target)
    assert exposure.currency == "USD" and exposure.price_year == 2021 and len(exposure) == record["n_assets"]
    share = Fraction(record["share"])
    for k in COSTS:
        expected_cents = round(share * Fraction(sums[k]))
        assert round(float(np.sum(exposure.costs[k])) * 100) == expected_cents, k
    assert exposure.number is not None
    assert float(np.sum(exposure.number)) == pytest.approx(record["share"] * sums["buildings"], rel=1e-9)
    assert float(np.sum(exposure.occupants["night"])) == pytest.approx(record["share"] * sums["night"], rel=1e-9)
    lon, lat = exposure.lon, exposure.lat
    assert lon.min() >= 76.85 and lon.max() <= 77.0 and lat.min() >= 43.2 and lat.max() <= 43.3
    assert all(i.startswith("kz-alm-cell-") for i in exposure.id[:10])
    saved = json.loads((tmp_path / "almaty.csv.provenance.json").read_text())
    assert saved["share"] == record["share"] and saved["exposure_file"] == str(target)


def test_founding_city_writes_openquake_xml_with_the_whole_unit(tmp_path: Path) -> None:
    target = tmp_path / "dushanbe.xml"
    proc = kalkan("city", "build-exposure", "dushanbe", "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "CC BY-NC-SA 4.0" in proc.stdout and "USD, 2021 prices" in proc.stdout
    exposure = read_exposure(target)
    sums = gem_sums("TJ-DU")
    for k in COSTS:
        assert round(float(np.sum(exposure.costs[k])) * 100) == sums[k], k
    assert float(np.sum(exposure.occupants["night"])) == pytest.approx(sums["night"], rel=1e-9)


def test_share_option_and_geopackage_output(tmp_path: Path, outline: Path) -> None:
    target = tmp_path / "a.gpkg"
    proc = kalkan("city", "build-exposure", "kz-alm", "--outline", str(outline), "--share", "0.25", "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    exposure = read_exposure(target)
    sums = gem_sums("KZ-ALM")
    assert round(float(np.sum(exposure.costs["structural"])) * 100) == round(
        Fraction(0.25) * Fraction(sums["structural"])
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["KZ-ALM"], "give --outline FILE.geojson"),
        (["KZ-ALM", "--outline", "{outline}", "--share", "0.5", "--population", "1000"], "not both"),
        (["KZ-ALM", "--outline", "{outline}", "--share", "1.5"], "expected a number in (0, 1]"),
        (["KZ-ALM", "--outline", "{outline}", "--population", "1e9"], "more than the unit's"),
        (["KZ-XXX", "--outline", "{outline}"], "not in the GEM files of Kazakhstan"),
        (["dushanbe", "--share", "0.5"], "is a founding city"),
        (["KZ-ALM", "--outline", "{missing}"], "file not found"),
        (["KZ-ALM", "--outline", "{two}"], "2 features; expected exactly one outline"),
        (["KZ-ALM", "--outline", "{projected}"], "reproject it to EPSG:4326"),
        (["KZ-ALM", "--outline", "{point}"], "geometry type 'Point'"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    tmp_path: Path, outline: Path, args: list[str], message: str
) -> None:
    feature = {"type": "Feature", "properties": {}, "geometry": ALMATY}
    files = {
        "outline": outline,
        "missing": tmp_path / "missing.geojson",
        "two": tmp_path / "two.geojson",
        "projected": tmp_path / "projected.geojson",
        "point": tmp_path / "point.geojson",
    }
    files["two"].write_text(json.dumps({"type": "FeatureCollection", "features": [feature, feature]}))
    ring = [[500000.0, 4780000.0], [510000.0, 4780000.0], [510000.0, 4790000.0], [500000.0, 4780000.0]]
    files["projected"].write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    files["point"].write_text(json.dumps({"type": "Point", "coordinates": [76.9, 43.25]}))
    target = tmp_path / "out.csv"
    argv = [a.format(**{k: str(v) for k, v in files.items()}) for a in args]
    proc = kalkan("city", "build-exposure", *argv, "-o", str(target))
    assert proc.returncode != 0
    assert message in proc.stderr
    assert not target.exists() and not list(tmp_path.glob("*.provenance.json"))
