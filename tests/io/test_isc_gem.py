"""The shipped ISC-GEM extract: spot checks against the values its README cites, and event search."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kalkan.catalog.sources import data_root
from kalkan.errors import InputError
from kalkan.io.isc_gem import read_catalogue, shipped_catalogue
from tests.errors import expect_error


def test_readme_spot_checks() -> None:
    cat = shipped_catalogue()
    assert len(cat.eventid) == 1801
    ashgabat = cat.event(897583)
    assert (ashgabat.origin_time_utc[:10], ashgabat.mw, ashgabat.lat, ashgabat.lon) == (
        "1948-10-05",
        7.15,
        38.084,
        58.364,
    )
    kemin = cat.event(16958130)
    assert (kemin.mw, kemin.lat, kemin.lon) == (8.02, 42.919, 76.808)


def test_near_orders_by_magnitude() -> None:
    events = shipped_catalogue().near(58.38, 37.95, 100.0, min_mw=6.0)
    assert [e.origin_time_utc[:4] for e in events[:2]] == ["1929", "1948"]
    assert all(e.mw >= 6.0 for e in events)


def test_every_named_scenario_refers_to_a_catalogue_event() -> None:
    data = json.loads((data_root() / "scenarios" / "earthquake_scenarios.json").read_text())
    cat = shipped_catalogue()
    for sc in data["scenarios"]:
        if sc.get("hypothetical"):
            assert "iscgem_eventid" not in sc and sc["name"].startswith("HYPOTHETICAL") and sc["basis"]
        else:
            assert cat.event(sc["iscgem_eventid"]).mw >= 5.5
        assert sc["mechanism_source"].startswith("assumed")
        assert 0 < sc["dip"] <= 90
    cities = {sc["city"] for sc in data["scenarios"]}
    assert cities == {"ashgabat", "dushanbe", "namangan", "osh", "petropavl"}


def _km(lon1: float, lat1: float, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Great-circle distance (haversine, R = 6371 km)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(a)))


def test_petropavlovsk_hypothetical_basis_matches_the_catalogue() -> None:
    """The basis written for the hypothetical scenario: nearest event 648 km, largest within 900 km Mw 5.50."""
    data = json.loads((data_root() / "scenarios" / "earthquake_scenarios.json").read_text())
    sc = next(s for s in data["scenarios"] if s["id"] == "petropavlovsk-hypothetical-m55")
    cat = shipped_catalogue()
    centre = (69.15, 54.87)  # Petropavlovsk city centre, degrees
    d = _km(*centre, np.asarray(cat.lon, dtype=float), np.asarray(cat.lat, dtype=float))
    assert d.min() == pytest.approx(648, abs=1)
    within = np.asarray(cat.mw, dtype=float)[d <= 900]
    assert within.max() == pytest.approx(sc["mw"]) == 5.5
    assert _km(*centre, np.array([sc["lon"]]), np.array([sc["lat"]]))[0] == pytest.approx(15, abs=0.5)


def test_bad_files(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("eventid,lat\n1,2\n")
    with pytest.raises(InputError, match=r"c\.csv") as info:
        read_catalogue(tmp_path / "c.csv")
    expect_error(info, "input.missing", row=1)
    with pytest.raises(InputError) as info:
        shipped_catalogue().event(1)
    expect_error(info, "input.unknown", "eventid")
