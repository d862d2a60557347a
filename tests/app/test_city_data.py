"""A city's exposure and facility registry in the store, on SQLite and PostgreSQL, and from the CLI."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select

from kalkan.app.city_exposure import city_exposure
from kalkan.core.exposure.table import Exposure
from kalkan.errors import ConflictError, InputError
from kalkan.io.facilities import illustrative_facilities, read_facilities, write_facilities_csv
from kalkan.store.city_data import (
    exposure_summary,
    facility_summary,
    load_exposure,
    save_exposure,
    save_facilities,
)
from kalkan.store.database import Store
from kalkan.store.models import ExposureAsset
from tests.core.exposure.test_build_exposure_cli import COSTS, gem_sums
from tests.errors import expect_error

PROVENANCE: dict[str, Any] = {"licence": "CC BY-NC-SA 4.0", "citation": "test citation"}


def small_exposure(n: int = 3, cost_type: str = "structural") -> Exposure:
    return Exposure(
        id=np.array([f"a{k}" for k in range(n)], dtype=object), lon=np.full(n, 69.1), lat=np.full(n, 54.87),
        taxonomy=np.array(["MUR/LWAL/H:1"] * n, dtype=object),
        costs={cost_type: np.arange(1.0, n + 1) * 1000}, occupants={"night": np.ones(n)},
        price_year=2021,
    )  # fmt: skip


def test_exposure_round_trip_and_replace(store: Store) -> None:
    exposure, record = city_exposure("petropavl")
    with store.transaction() as session:
        save_exposure(session, "petropavl", exposure, method=record, origin="shipped", **PROVENANCE)
    with store.transaction() as session:
        back = load_exposure(session, "petropavl")
        summary = exposure_summary(session, "petropavl")
    assert back.id.tolist() == exposure.id.tolist()
    for k in COSTS:
        assert np.array_equal(back.costs[k], exposure.costs[k]), k
    for p in ("day", "night", "transit"):
        assert np.allclose(back.occupants[p], exposure.occupants[p], rtol=1e-15, atol=0)
    assert back.district is not None and back.district.tolist() == exposure.district.tolist()  # type: ignore[union-attr]
    assert back.taxonomy.tolist() == exposure.taxonomy.tolist() and back.price_year == 2021
    assert summary is not None and summary["assets"] == len(exposure) and summary["method"]["admin1_id"] == "KZ-SEV"
    assert summary["structural"] == pytest.approx(float(exposure.costs["structural"].sum()), abs=0.005)

    with store.transaction() as session:  # the city's own file supersedes shipped data without --replace
        save_exposure(session, "petropavl", small_exposure(), method={}, **PROVENANCE)
    with store.transaction() as session:  # nothing is deleted: both versions' assets are kept
        assert session.scalar(select(func.count()).select_from(ExposureAsset)) == len(exposure) + 3
        assert len(load_exposure(session, "petropavl")) == 3
        summary = exposure_summary(session, "petropavl")
        assert summary is not None and summary["replacement_cost_usd"] == 6000.0 and summary["nonstructural"] == 0.0
        assert summary["version"] == 2 and summary["origin"] == "city"
    with pytest.raises(ConflictError), store.transaction() as session:  # the city's own: only with replace
        save_exposure(session, "petropavl", small_exposure(5), method={}, **PROVENANCE)
    with store.transaction() as session:
        save_exposure(session, "petropavl", small_exposure(5), method={}, replace=True, **PROVENANCE)
        assert len(load_exposure(session, "petropavl")) == 5


def test_failed_save_leaves_the_previous_exposure(store: Store) -> None:
    with store.transaction() as session:
        save_exposure(session, "osh", small_exposure(), method={}, **PROVENANCE)
    bad = small_exposure(cost_type="total")

    def replace_twice() -> None:
        """A first replacement succeeds, the second fails: the transaction must undo both."""
        with store.transaction() as session:
            save_exposure(session, "osh", small_exposure(4), method={}, replace=True, **PROVENANCE)
            save_exposure(session, "osh", bad, method={}, replace=True, **PROVENANCE)

    with pytest.raises(InputError) as info:
        replace_twice()
    expect_error(info, "input.unsupported", "cost_total")
    with store.transaction() as session:
        assert len(load_exposure(session, "osh")) == 3
        with pytest.raises(InputError) as info:
            load_exposure(session, "dushanbe")
        expect_error(info, "not_found.data", "exposure")


def test_facility_registry_replace_and_summary(store: Store, tmp_path: Path) -> None:
    illustrative = illustrative_facilities("dushanbe")
    with store.transaction() as session:
        assert save_facilities(session, "dushanbe", illustrative) == len(illustrative)
        summary = facility_summary(session, "dushanbe")
    assert summary["count"] == len(illustrative) and summary["all_illustrative"]
    assert sum(summary["by_type"].values()) == len(illustrative)
    expected_poor = sorted(f.id for f in illustrative if f.condition is not None and f.condition <= 2)
    assert summary["poor_condition"] == expected_poor

    write_facilities_csv(illustrative, tmp_path / "real.csv")
    rows = (tmp_path / "real.csv").read_text().splitlines()
    header = rows[0].split(",")
    k = header.index("illustrative")
    real_rows = [",".join([*r.split(",")[:k], "false", *r.split(",")[k + 1 :]]) for r in rows[1:3]]
    (tmp_path / "real.csv").write_text("\n".join([rows[0], *real_rows]) + "\n")
    real = read_facilities(tmp_path / "real.csv").table
    with store.transaction() as session:
        save_facilities(session, "dushanbe", real)
        summary = facility_summary(session, "dushanbe")
    assert summary["count"] == 2 and summary["illustrative"] == 0 and not summary["all_illustrative"]


def kalkan(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KALKAN_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "kalkan", *args], capture_output=True, text=True, timeout=300, check=False, env=env
    )


def test_cli_load_then_show_json_matches_the_gem_files(sqlite_url: str, tmp_path: Path) -> None:
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    proc = kalkan(sqlite_url, "city", "load", "petropavl")
    assert proc.returncode == 0, proc.stderr
    assert "ILLUSTRATIVE" in proc.stdout and "CC BY-NC-SA 4.0" in proc.stdout
    shown = kalkan(sqlite_url, "cities", "show", "petropavl", "--json")
    assert shown.returncode == 0, shown.stderr
    d = json.loads(shown.stdout)
    e, sums = d["exposure"], gem_sums("KZ-SEV")
    share = Fraction(e["method"]["share"])
    for k in COSTS:
        assert round(e[k] * 100) == round(share * Fraction(sums[k])), k
    assert e["replacement_cost_usd"] == pytest.approx(e["structural"] + e["nonstructural"] + e["contents"], abs=0.01)
    assert e["buildings"] == pytest.approx(float(share) * sums["buildings"], rel=1e-9)
    assert e["occupants_night"] == pytest.approx(float(share) * sums["night"], rel=1e-9)
    assert e["licence"].startswith("CC BY-NC-SA 4.0") and e["price_year"] == 2021 and e["currency"] == "USD"
    assert d["facilities"]["all_illustrative"] and d["facilities"]["count"] == len(illustrative_facilities("petropavl"))
    table = kalkan(sqlite_url, "cities", "show", "petropavl")
    assert "ILLUSTRATIVE" in table.stdout and "USD, 2021 prices" in table.stdout

    bad = tmp_path / "bad.csv"
    write_facilities_csv(illustrative_facilities("petropavl"), bad)
    lines = bad.read_text().splitlines()
    lines.append(lines[1])  # a duplicated id
    bad.write_text("\n".join(lines) + "\n")
    refused = kalkan(sqlite_url, "city", "import-facilities", "petropavl", str(bad))
    assert refused.returncode != 0 and "nothing was imported" in refused.stderr
    after = json.loads(kalkan(sqlite_url, "cities", "show", "petropavl", "--json").stdout)
    assert after["facilities"]["count"] == d["facilities"]["count"]
    kept = kalkan(sqlite_url, "city", "import-facilities", "petropavl", str(bad), "--keep-valid")
    assert kept.returncode == 0, kept.stderr
    assert (tmp_path / "bad.csv.rejects.csv").exists()
    after = json.loads(kalkan(sqlite_url, "cities", "show", "petropavl", "--json").stdout)
    assert after["facilities"]["count"] == len(lines) - 1 - 2  # both rows of the duplicated id rejected

    unknown = kalkan(sqlite_url, "city", "load", "almaty")
    assert unknown.returncode != 0 and "No shipped risk data for almaty" in unknown.stderr


def test_cli_export_exposure_round_trips_with_provenance(sqlite_url: str, tmp_path: Path) -> None:
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    assert kalkan(sqlite_url, "city", "load", "petropavl").returncode == 0
    target = tmp_path / "petropavl.gpkg"
    proc = kalkan(sqlite_url, "city", "export-exposure", "petropavl", "-o", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "CC BY-NC-SA 4.0" in " ".join(proc.stdout.split())
    from kalkan.io.exposure import read_exposure

    exported, (built, _) = read_exposure(target), city_exposure("petropavl")
    assert exported.id.tolist() == built.id.tolist()
    for k in COSTS:
        assert np.array_equal(exported.costs[k], built.costs[k]), k
    record = json.loads((tmp_path / "petropavl.gpkg.provenance.json").read_text())
    assert record["licence"].startswith("CC BY-NC-SA 4.0") and record["method"]["admin1_id"] == "KZ-SEV"
    missing = kalkan(sqlite_url, "city", "export-exposure", "osh", "-o", str(tmp_path / "osh.csv"))
    assert missing.returncode != 0 and "has no exposure" in missing.stderr
    assert not (tmp_path / "osh.csv").exists()


def test_import_exposure_refuses_assets_outside_the_city_and_unmodelled_taxonomies(
    sqlite_url: str, tmp_path: Path
) -> None:
    """All or nothing by default, with every problem listed; --keep-valid stores the rest and writes rejects."""
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    good = "CR+CIP/LFINF+CDL/HBET:1-3/RES"
    rows = [
        ("d1", 68.78, 38.56, good),
        ("d2", 38.56, 68.78, good),  # lon/lat swapped
        ("d3", 68.79, 38.57, "XYZ/UNKNOWN"),
        ("d4", 68.80, 38.55, good),
    ]
    source = tmp_path / "own.csv"
    source.write_text(
        "id,lon,lat,taxonomy,number,cost_structural,occupants_night\n"
        + "".join(f"{i},{x},{y},{t},1,100000,3\n" for i, x, y, t in rows)
    )
    args = ["city", "import-exposure", "dushanbe", str(source), "--licence", "CC BY 4.0", "--citation", "test"]
    refused = kalkan(sqlite_url, *args, "--currency", "USD", "--price-year", "2024")
    assert refused.returncode != 0
    message = " ".join(refused.stderr.split())
    assert "3 problem(s) in 2 of 4 asset(s); nothing was imported" in message  # d3: two models
    assert "asset 2 (id 'd2'), field 'lon/lat'" in message and "asset 3 (id 'd3'), field 'taxonomy'" in message
    shown = json.loads(kalkan(sqlite_url, "cities", "show", "dushanbe", "--json").stdout)
    assert shown["exposure"] is None

    kept = kalkan(sqlite_url, *args, "--currency", "USD", "--price-year", "2024", "--keep-valid")
    assert kept.returncode == 0, kept.stderr
    shown = json.loads(kalkan(sqlite_url, "cities", "show", "dushanbe", "--json").stdout)
    assert shown["exposure"]["assets"] == 2 and shown["exposure"]["replacement_cost_usd"] == 200000.0
    with (tmp_path / "own.csv.rejects.csv").open(newline="") as fh:
        rejected = list(csv.DictReader(fh))
    assert [r["id"] for r in rejected] == ["d2", "d3"] and "lon/lat" in rejected[0]["error"]

    unmapped = kalkan(sqlite_url, *args, "--currency", "USD", "--price-year", "2024", "--keep-valid",
                      "--allow-unmapped", "--replace")  # fmt: skip
    assert unmapped.returncode == 0, unmapped.stderr
    shown = json.loads(kalkan(sqlite_url, "cities", "show", "dushanbe", "--json").stdout)
    assert shown["exposure"]["assets"] == 3


def test_city_load_records_grid_cells_as_districts(sqlite_url: str) -> None:
    """No sub-city districts ship for the founding cities: the exposure's grid cells become the districts."""
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    proc = kalkan(sqlite_url, "city", "load", "petropavl", "--json")
    assert proc.returncode == 0, proc.stderr
    exposure, record = city_exposure("petropavl")
    assert json.loads(proc.stdout)[0]["grid_districts"] == record["n_cells"]
    d = json.loads(kalkan(sqlite_url, "cities", "show", "petropavl", "--json").stdout)
    assert exposure.district is not None
    assert sorted(x["code"] for x in d["districts"]) == sorted(set(exposure.district.tolist()))
    assert all(x["source"].startswith("Kalkan grid: 0.5 km cells") for x in d["districts"])
    again = kalkan(sqlite_url, "city", "load", "petropavl", "--json")  # replaced, not duplicated
    assert again.returncode == 0, again.stderr
    d = json.loads(kalkan(sqlite_url, "cities", "show", "petropavl", "--json").stdout)
    assert len(d["districts"]) == record["n_cells"]
    assert "grid cells of the exposure" in kalkan(sqlite_url, "cities", "show", "petropavl").stdout
