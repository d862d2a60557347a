"""Asset-to-site assignment: nearest by great-circle distance, explicit ids, nothing dropped silently."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.core.geodesy import EARTH_RADIUS_KM
from kalkan.core.risk.assignment import explicit_sites, nearest_sites
from kalkan.errors import InputError
from tests.errors import expect_error


def haversine_km(lon1: float, lat1: float, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))  # type: ignore[no-any-return]


@settings(max_examples=50, deadline=None)
@given(
    sites=st.lists(st.tuples(st.floats(60, 80), st.floats(35, 55)), min_size=1, max_size=30, unique=True),
    assets=st.lists(st.tuples(st.floats(60, 80), st.floats(35, 55)), min_size=1, max_size=30),
)
def test_nearest_equals_brute_force_haversine(
    sites: list[tuple[float, float]], assets: list[tuple[float, float]]
) -> None:
    s = np.array(sites)
    a = np.array(assets)
    res = nearest_sites(a[:, 0], a[:, 1], s[:, 0], s[:, 1], max_distance_km=1e5)
    for j, (lon, lat) in enumerate(assets):
        d = haversine_km(lon, lat, s[:, 0], s[:, 1])
        assert d[res.site[j]] == pytest.approx(d.min(), abs=1e-6)
        assert res.distance_km[j] == pytest.approx(d.min(), abs=1e-6)


def test_assets_beyond_the_maximum_distance_are_reported() -> None:
    # Sites 0.1 degree apart along the equator (about 11.1 km).
    res = nearest_sites(np.array([0.0, 0.04, 5.0]), np.zeros(3), np.array([0.0, 0.1]), np.zeros(2), 5.0)
    assert res.site.tolist() == [0, 0, -1]
    assert res.unassigned.tolist() == [2]
    with pytest.raises(InputError) as info:
        nearest_sites(np.zeros(1), np.zeros(1), np.zeros(1), np.zeros(1), 0.0)
    expect_error(info, "input.range", "max_distance_km")


def test_explicit_sites() -> None:
    res = explicit_sites(np.array([0, -1, 2]), 3, where="assignment.csv")
    assert res.unassigned.tolist() == [1]
    with pytest.raises(
        InputError, match=r"assignment.csv: asset #2 is assigned to site 7, but the hazard has sites 0-2"
    ):
        explicit_sites(np.array([0, 7]), 3, where="assignment.csv")
