"""A city's own taxonomy mapping: checked row by row, stored with the exposure, used and exported."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kalkan.app.city_exposure import city_exposure
from kalkan.app.city_scenario import run_city_scenario
from kalkan.app.data_quality import city_quality
from kalkan.app.database import upgrade_database
from kalkan.app.exposure_import import import_city_exposure
from kalkan.app.taxonomy_mapping import (
    check_mapping_file,
    city_vulnerability,
    import_city_mapping,
    mapping_in_use,
)
from kalkan.errors import InputError
from kalkan.io.exposure import write_exposure
from kalkan.io.shipped_vulnerability import gem_central_asia
from kalkan.io.vulnerability_csv import read_taxonomy_mapping
from kalkan.store.city_data import load_exposure, load_mapping
from kalkan.store.database import Store, open_store
from tests.errors import expect_error

BRICK, FRAME = "city:brick-1-3-floors/RES", "city:rc-frame-5-9-floors/RES"
F_BRICK, F_FRAME = "MUR+CLBRS/LWAL+DNO/H3/RES", "CR/LFINF+CDL+DUL/H2/RES"


def write_mapping_file(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    path.write_text("taxonomy,conversion,weight\n" + "".join(f"{t},{c},{w}\n" for t, c, w in rows))
    return path


def test_known_function_ids() -> None:
    """The ids the tests use are functions of the GEM model (guards the test against a renamed model)."""
    vset = gem_central_asia()
    for fid in (F_BRICK, F_FRAME):
        for lt in ("structural", "nonstructural", "contents", "occupants"):
            assert f"{lt}:{fid}" in vset.functions


def test_unknown_conversions_are_listed_with_their_rows(tmp_path: Path) -> None:
    path = write_mapping_file(
        tmp_path / "m.csv",
        [(BRICK, F_BRICK, 1.0), (FRAME, "CR/NOT-A-FUNCTION", 0.5), (FRAME, F_FRAME, 0.5), ("x", "also-bad", 1)],
    )
    with pytest.raises(InputError) as info:
        check_mapping_file(path)
    expect_error(info, "input.unknown", "conversion", 3)
    text = str(info.value)
    assert "2 conversion(s)" in text and str(path) in text
    assert "row 3, field 'conversion': 'CR/NOT-A-FUNCTION'" in text and "row 5, field 'conversion': 'also-bad'" in text
    bad_weights = write_mapping_file(tmp_path / "w.csv", [(BRICK, F_BRICK, 0.6), (BRICK, F_FRAME, 0.3)])
    with pytest.raises(InputError) as info:
        check_mapping_file(bad_weights)
    expect_error(info, "input.inconsistent", "weight", 2)
    assert "0.9" in str(info.value)  # the sum the user's weights reach


@pytest.fixture
def own_exposure(tmp_path: Path) -> Path:
    """Four Dushanbe assets in the city's own classes (the first two brick, the others frames)."""
    path = tmp_path / "own.csv"
    rows = [("b1", 68.78, 38.56, BRICK), ("b2", 68.79, 38.57, BRICK), ("f1", 68.80, 38.55, FRAME),
            ("f2", 68.77, 38.58, FRAME)]  # fmt: skip
    path.write_text(
        "id,lon,lat,taxonomy,number,cost_structural,occupants_night\n"
        + "".join(f"{i},{x},{y},{t},1,100000,3\n" for i, x, y, t in rows)
    )
    return path


def test_import_with_mapping_stores_it_and_the_city_set_resolves(
    store: Store, own_exposure: Path, tmp_path: Path
) -> None:
    from kalkan.io.exposure import read_exposure

    exposure = read_exposure(own_exposure, currency="USD", price_year=2024)
    with store.transaction() as session, pytest.raises(InputError) as info:
        import_city_exposure(session, "dushanbe", exposure, own_exposure, licence="L", citation="C")
    expect_error(info, "input.unknown", "taxonomy")
    path = write_mapping_file(
        tmp_path / "m.csv", [(BRICK, F_BRICK, 1.0), (FRAME, F_FRAME, 0.7), (FRAME, F_BRICK, 0.3), ("spare", F_BRICK, 1)]
    )
    mapping = check_mapping_file(path)
    with store.transaction() as session:
        r = import_city_exposure(session, "dushanbe", exposure, own_exposure, licence="L", citation="C",
                                 mapping=mapping, mapping_source=path)  # fmt: skip
    assert r["stored_assets"] == 4 and r["taxonomy_mapping_rows"] == 4
    assert r["unused_mapping_taxonomies"] == ["spare"]
    with store.transaction() as session:
        assert load_mapping(session, "dushanbe") == read_taxonomy_mapping(path)
        vset = city_vulnerability(session, "dushanbe")
        rows, unmapped = mapping_in_use(session, "dushanbe")
        report = city_quality(session, "dushanbe")
    assert vset.resolve("occupants", FRAME) == ((f"occupants:{F_FRAME}", 0.7), (f"occupants:{F_BRICK}", 0.3))
    assert vset.resolve("structural", "CR/LFINF+CDL+DUL/H2/RES") is None  # not a taxonomy, a function id
    assert unmapped == [] and {(t, c, w, o) for t, c, w, o in rows} == {
        (BRICK, F_BRICK, 1.0, "city"), (FRAME, F_FRAME, 0.7, "city"), (FRAME, F_BRICK, 0.3, "city")
    }  # fmt: skip
    quake = report["vulnerability"]["earthquake"]
    assert quake["gap"] is None and quake["loss_types"]["structural"]["n_assets_resolved"] == 4
    assert report["exposure"]["taxonomy_mapping"]["rows"] == 4
    flood = [v for k, v in report["vulnerability"].items() if "flood" in k]
    assert flood and all(v["loss_types"]["structural"]["n_assets_resolved"] == 4 for v in flood)  # by /RES


def kalkan(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KALKAN_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "kalkan", *args], capture_output=True, text=True, timeout=300, check=False, env=env
    )


def test_cli_import_mapping_and_export_round_trip(sqlite_url: str, own_exposure: Path, tmp_path: Path) -> None:
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    imported = kalkan(sqlite_url, "city", "import-exposure", "dushanbe", str(own_exposure), "--licence", "L",
                      "--citation", "C", "--currency", "USD", "--price-year", "2024", "--allow-unmapped")  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    bad = write_mapping_file(tmp_path / "bad.csv", [(BRICK, "nope", 1.0)])
    refused = kalkan(sqlite_url, "city", "import-mapping", "dushanbe", str(bad))
    assert refused.returncode != 0 and "row 2, field 'conversion': 'nope'" in " ".join(refused.stderr.split())
    partial = write_mapping_file(tmp_path / "m.csv", [(BRICK, F_BRICK, 1.0)])
    proc = kalkan(sqlite_url, "city", "import-mapping", "dushanbe", str(partial), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["unmapped_exposure_taxonomies"] == [FRAME]
    exported = kalkan(sqlite_url, "city", "export-exposure", "dushanbe", "-o", str(tmp_path / "d.xml"))
    assert exported.returncode == 0, exported.stderr
    assert FRAME in " ".join(exported.stderr.split())  # the unmapped class is named
    with (tmp_path / "d_taxonomy_mapping.csv").open(newline="") as fh:
        assert list(csv.DictReader(fh)) == [{"taxonomy": BRICK, "conversion": F_BRICK, "weight": "1.0"}]


def test_mapped_classes_give_the_same_losses_as_the_gem_taxonomies(tmp_path: Path) -> None:
    """Independent expectation: renaming every GEM taxonomy to a city class and mapping the class to GEM's own
    rows must leave losses, fatalities and facilities unchanged."""
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    upgrade_database(url)
    exposure, _ = city_exposure("dushanbe", cell_km=3.0)
    gem = gem_central_asia().mapping["structural"]
    # the city's own class names keep GEM's occupancy suffix (RES/COM/IND), by which flood curves map
    names = {
        t: f"city-class-{i}/{t.rsplit('/', 1)[1]}" for i, t in enumerate(sorted({str(t) for t in exposure.taxonomy}))
    }
    original = write_exposure(exposure, tmp_path / "gem.csv")
    renamed_exposure = dataclasses.replace(
        exposure, taxonomy=np.array([names[str(t)] for t in exposure.taxonomy], dtype=object)
    )
    renamed = write_exposure(renamed_exposure, tmp_path / "renamed.csv")
    mapping_file = write_mapping_file(
        tmp_path / "m.csv",
        [(names[t], key.partition(":")[2], w) for t in names for key, w in gem[t]],
    )
    results: list[dict[str, Any]] = []
    store = open_store(url)
    try:
        for source, mapping in ((original, None), (renamed, check_mapping_file(mapping_file))):
            from kalkan.io.exposure import read_exposure

            with store.transaction() as session:
                import_city_exposure(session, "dushanbe", read_exposure(source), source, licence="L", citation="C",
                                     mapping=mapping, mapping_source=mapping_file if mapping else None,
                                     replace=bool(results))  # fmt: skip
                stored = load_exposure(session, "dushanbe")
                assert (set(stored.taxonomy.tolist()) <= set(names.values())) == (mapping is not None)
                out = tmp_path / f"run-{len(results)}"
                results.append(run_city_scenario(session, "dushanbe", out, scenario="dushanbe-gissar-1989",
                                                 n_fields=2, gmpes=["BooreEtAl2014"]).as_dict())  # fmt: skip
    finally:
        store.close()
    a, b = (r["totals"] for r in results)
    assert a["mean_loss_total_usd"] > 0
    for key in a:
        assert np.isclose(a[key], b[key], rtol=1e-9), key
    assert results[1]["models"]["taxonomy_mapping"] == "GEM's, with the city's own rows"


def test_import_mapping_needs_a_stored_exposure(store: Store, tmp_path: Path) -> None:
    path = write_mapping_file(tmp_path / "m.csv", [(BRICK, F_BRICK, 1.0)])
    with store.transaction() as session, pytest.raises(InputError) as info:
        import_city_mapping(session, "osh", path)
    expect_error(info, "not_found.data", "exposure")
