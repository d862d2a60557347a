"""`kalkan city import-districts`: a city's own districts, checked against its outline, kept by `city load`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kalkan.app.city_data import load_founding_city
from kalkan.app.city_districts import import_city_districts
from kalkan.errors import ConflictError, InputError
from kalkan.store.database import Store
from kalkan.store.registry import current_districts
from kalkan.store.versions import current_version, history
from tests.app.test_city_data import kalkan
from tests.errors import expect_error


def square(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def write(path: Path, districts: list[tuple[Any, str, dict[str, Any]]], **extra: Any) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code, "name": name, **extra}, "geometry": geometry}
        for code, name, geometry in districts]}))  # fmt: skip
    return path


# Inside Petropavl's shipped urban extent (a quadrilateral, 69.085-69.225 E, 54.824-54.923 N).
WEST, EAST = square(69.12, 54.85, 69.155, 54.89), square(69.155, 54.85, 69.19, 54.89)


def test_districts_are_stored_and_city_load_keeps_them(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "d.geojson", [("W", "West", WEST), (2, "East", EAST)], population=1)
    with store.transaction() as session:
        r = import_city_districts(session, "petropavl", path, source="akimat 2026", licence="CC BY 4.0")
    assert r["districts"] == 2 and r["ignored_properties"] == ["population"]
    with store.transaction() as session:
        report = load_founding_city(session, "petropavl", cell_km=2.0)
    assert report["actions"]["districts"].startswith("kept (the city's own")
    with store.transaction() as session:
        districts = current_districts(session, "petropavl")
        version = current_version(session, "petropavl", "districts")
        assert version is not None and version.origin == "city" and version.licence == "CC BY 4.0"
        assert sorted(d.code for d in districts) == ["2", "W"]  # a numeric code is kept as its text
        assert {d.source for d in districts} == {"akimat 2026"}
        assert json.loads(next(d.geojson for d in districts if d.code == "W") or "{}") == WEST
    with store.transaction() as session, pytest.raises(ConflictError, match="--replace"):
        import_city_districts(session, "petropavl", path)
    with store.transaction() as session:
        again = import_city_districts(session, "petropavl", path, replace=True)
        assert again["districts"] == 2 and len(history(session, "petropavl", "districts")) == 2


@pytest.mark.parametrize(
    ("districts", "token"),
    [
        ([("W", "West", WEST), ("W", "East", EAST)], "used twice"),
        ([("W", "", WEST)], "'name'"),
        (
            [("W", "West", {"type": "Polygon", "coordinates": [[[69.1, 54.85], [69.2, 54.85], [69.1, 54.9]]]})],
            "at least 4",
        ),
        ([("W", "West", {"type": "Point", "coordinates": [69.1, 54.85]})], "Point"),
    ],
)
def test_bad_districts_are_refused_and_nothing_is_stored(
    store: Store, tmp_path: Path, districts: list[tuple[Any, str, dict[str, Any]]], token: str
) -> None:
    path = write(tmp_path / "bad.geojson", districts)
    with store.transaction() as session, pytest.raises(InputError, match=re.escape(token)) as info:
        import_city_districts(session, "petropavl", path)
    assert str(path) in str(info.value)
    with store.transaction() as session:
        assert history(session, "petropavl", "districts") == []


def test_a_district_outside_the_city_is_refused(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "far.geojson", [("W", "West", WEST), ("X", "Far", square(69.30, 54.85, 69.40, 54.90))])
    with store.transaction() as session, pytest.raises(InputError) as info:
        import_city_districts(session, "petropavl", path)
    expect_error(info, "input.outside", "geometry")
    assert str(path) in str(info.value) and "'X'" in str(info.value)  # the file and the district's code
    with store.transaction() as session:
        assert history(session, "petropavl", "districts") == []


def test_tolerance_allows_an_edge_a_little_outside(store: Store, tmp_path: Path) -> None:
    """A district reaching 0.005° (about 0.56 km) south of the outline's southern edge at 54.83 N."""
    from kalkan.app.city_outline import set_city_outline

    with store.transaction() as session:
        set_city_outline(session, "petropavl", square(69.08, 54.83, 69.24, 54.92), source="s", licence="l")
    path = write(tmp_path / "edge.geojson", [("S", "South", square(69.10, 54.825, 69.15, 54.86))])
    with store.transaction() as session, pytest.raises(InputError) as info:
        import_city_districts(session, "petropavl", path, tolerance_km=0.5)
    expect_error(info, "input.outside", "geometry")
    assert "0.56 km" in str(info.value)  # how far outside, in km
    with store.transaction() as session:
        assert import_city_districts(session, "petropavl", path, tolerance_km=1.0)["districts"] == 1


def test_cli_import_districts(sqlite_url: str, tmp_path: Path) -> None:
    assert kalkan(sqlite_url, "db", "upgrade").returncode == 0
    path = write(tmp_path / "d.geojson", [("W", "West", WEST), ("E", "East", EAST)])
    done = kalkan(sqlite_url, "city", "import-districts", "petropavl", str(path), "--source", "akimat", "--json")
    assert done.returncode == 0, done.stderr and json.loads(done.stdout)["districts"] == 2
    shown = json.loads(kalkan(sqlite_url, "cities", "show", "petropavl", "--json").stdout)
    assert sorted(d["code"] for d in shown["districts"]) == ["E", "W"]
    bad = write(tmp_path / "bad.geojson", [("W", "West", WEST), ("W", "Again", EAST)])
    refused = kalkan(sqlite_url, "city", "import-districts", "petropavl", str(bad), "--replace")
    assert refused.returncode == 2 and "used twice" in refused.stderr and "Traceback" not in refused.stderr
