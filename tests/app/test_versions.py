"""Nothing a city entered is lost: versions of its data, `--replace`, `city history` and `city restore`.

The data-loss cases of issue 11 are tests here: shipped data loaded over a city's own registry, an empty
registry file, and a second import over the first.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kalkan.app.database import upgrade_database
from kalkan.io.facilities import illustrative_facilities, write_facilities_csv
from kalkan.store.city_data import load_facilities
from kalkan.store.database import open_store
from kalkan.store.models import DataVersion, FacilityRecord
from tests.cli_runner import run_kalkan


def real_registry(path: Path, city: str, n: int) -> Path:
    """The first ``n`` of the city's shipped facilities, marked as the city's real ones (``illustrative=false``)."""
    write_facilities_csv(illustrative_facilities(city), path)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and len(rows) >= n
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows[:n]:
            writer.writerow({**row, "illustrative": "false", "name": "Real " + row["name"]})
    return path


@pytest.fixture
def loaded(sqlite_url: str) -> str:
    """A store with Osh's shipped data loaded (exposure, grid districts, illustrative facilities)."""
    upgrade_database(sqlite_url)
    result = run_kalkan("city", "load", "osh", database_url=sqlite_url)
    assert result.code == 0, result.output
    return sqlite_url


def facility_ids(url: str, city: str) -> list[str]:
    store = open_store(url)
    try:
        with store.transaction() as session:
            return [f.id for f in load_facilities(session, city)]
    finally:
        store.close()


def test_city_load_never_replaces_the_citys_own_facilities(loaded: str, tmp_path: Path) -> None:
    """Issue 11: `kalkan city load osh` replaced the two real facilities a city had imported with the 11
    illustrative ones."""
    shipped = facility_ids(loaded, "osh")
    assert len(shipped) == len(illustrative_facilities("osh"))
    registry = real_registry(tmp_path / "osh.csv", "osh", 2)
    imported = run_kalkan("city", "import-facilities", "osh", str(registry), database_url=loaded)
    assert imported.code == 0, imported.output
    assert len(facility_ids(loaded, "osh")) == 2
    again = run_kalkan("city", "load", "osh", "--json", database_url=loaded)
    assert again.code == 0, again.output
    actions = json.loads(again.stdout)[0]["actions"]
    assert actions["facilities"].startswith("kept") and actions["exposure"] == "present"
    assert len(facility_ids(loaded, "osh")) == 2  # still the city's two
    shown = json.loads(run_kalkan("cities", "show", "osh", "--json", database_url=loaded).stdout)
    assert shown["facilities"]["count"] == 2 and shown["facilities"]["illustrative"] == 0
    assert shown["facilities"]["origin"] == "city"


def test_header_only_registry_is_refused_and_changes_nothing(loaded: str, tmp_path: Path) -> None:
    """Issue 11: a facility CSV with a header and no rows exited 0 and emptied the registry (12 -> 0)."""
    before = facility_ids(loaded, "osh")
    full = real_registry(tmp_path / "full.csv", "osh", 1)
    header_only = tmp_path / "empty.csv"
    header_only.write_text(full.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = run_kalkan("city", "import-facilities", "osh", str(header_only), database_url=loaded)
    assert result.code == 2 and "Traceback" not in result.output
    assert "empty.csv" in result.output
    assert facility_ids(loaded, "osh") == before


def test_second_import_needs_replace_and_the_first_comes_back(loaded: str, tmp_path: Path) -> None:
    first = real_registry(tmp_path / "first.csv", "osh", 2)
    second = real_registry(tmp_path / "second.csv", "osh", 3)
    assert run_kalkan("city", "import-facilities", "osh", str(first), database_url=loaded).code == 0
    refused = run_kalkan("city", "import-facilities", "osh", str(second), database_url=loaded)
    assert refused.code == 2 and "--replace" in refused.output
    assert len(facility_ids(loaded, "osh")) == 2
    replaced = run_kalkan("city", "import-facilities", "osh", str(second), "--replace", database_url=loaded)
    assert replaced.code == 0, replaced.output
    assert len(facility_ids(loaded, "osh")) == 3

    history = json.loads(run_kalkan("city", "history", "osh", "--kind", "facilities", "--json",
                                    database_url=loaded).stdout)  # fmt: skip
    assert [(h["origin"], h["rows"], h["current"]) for h in history] == [
        ("city", 3, True), ("city", 2, False), ("illustrative", len(illustrative_facilities("osh")), False)
    ]  # fmt: skip
    assert history[1]["imported_from"] == str(first)
    assert history[0]["command"] is not None and "--replace" in history[0]["command"]
    first_version = history[1]["version"]
    restored = run_kalkan("city", "restore", "osh", str(first_version), "--json", database_url=loaded)
    assert restored.code == 0, restored.output
    assert json.loads(restored.stdout)["superseded"]["rows"] == 3
    assert len(facility_ids(loaded, "osh")) == 2
    table = run_kalkan("city", "history", "osh", database_url=loaded)
    assert table.code == 0 and "restored" in table.output

    store = open_store(loaded)  # every row of every version is still stored
    try:
        with store.transaction() as session:
            n_rows = session.scalar(select(func.count()).select_from(FacilityRecord))
            n_versions = session.scalar(select(func.count()).select_from(DataVersion))
            assert n_rows == 2 + 3 + len(illustrative_facilities("osh"))
            assert n_versions == 5  # exposure, facilities (shipped), districts, and the two imports
    finally:
        store.close()


def test_loading_shipped_data_twice_adds_no_version(loaded: str) -> None:
    before = json.loads(run_kalkan("city", "history", "osh", "--json", database_url=loaded).stdout)
    again = run_kalkan("city", "load", "osh", "--json", database_url=loaded)
    assert again.code == 0, again.output
    assert json.loads(again.stdout)[0]["actions"] == {
        "exposure": "present", "facilities": "present", "districts": "present"
    }  # fmt: skip
    assert json.loads(run_kalkan("city", "history", "osh", "--json", database_url=loaded).stdout) == before


def test_restore_names_unknown_versions(loaded: str) -> None:
    result = run_kalkan("city", "restore", "osh", "99", database_url=loaded)
    assert result.code == 2 and "99" in result.output and "Traceback" not in result.output
    unknown = run_kalkan("city", "history", "osh", "--kind", "nonsense", database_url=loaded)
    assert unknown.code == 2 and "nonsense" in unknown.output
