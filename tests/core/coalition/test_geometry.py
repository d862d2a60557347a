"""Spherical polygon areas against closed-form values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalkan.core.geodesy import EARTH_RADIUS_KM
from kalkan.core.geometry import geometry_area_km2, ring_area_km2


def test_one_degree_cell_at_the_equator() -> None:
    """A lon/lat cell's area is R^2 * dlon * (sin lat2 - sin lat1), exactly, on the sphere."""
    ring = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
    expected = EARTH_RADIUS_KM**2 * math.radians(1) * math.sin(math.radians(1))
    assert ring_area_km2(ring) == pytest.approx(expected, rel=1e-12)


@given(lon=st.floats(-170, 160), lat=st.floats(-80, 79), dlon=st.floats(0.001, 10), dlat=st.floats(0.001, 10))
def test_cells_match_closed_form(lon: float, lat: float, dlon: float, dlat: float) -> None:
    lat2 = min(lat + dlat, 89.0)
    ring = [[lon, lat], [lon + dlon, lat], [lon + dlon, lat2], [lon, lat2], [lon, lat]]
    expected = EARTH_RADIUS_KM**2 * math.radians(dlon) * (math.sin(math.radians(lat2)) - math.sin(math.radians(lat)))
    assert ring_area_km2(ring) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert ring_area_km2(list(reversed(ring))) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_holes_are_subtracted_and_points_have_no_area() -> None:
    outer = [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]
    hole = [[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5], [0.5, 0.5]]
    poly = geometry_area_km2({"type": "Polygon", "coordinates": [outer, hole]})
    assert poly == pytest.approx(ring_area_km2(outer) - ring_area_km2(hole))
    multi = geometry_area_km2({"type": "MultiPolygon", "coordinates": [[outer], [outer]]})
    assert multi == pytest.approx(2 * ring_area_km2(outer))
    assert geometry_area_km2({"type": "Point", "coordinates": [0, 0]}) == 0.0
