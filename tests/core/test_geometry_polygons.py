"""Polygon validity, distance and intersection (kalkan.core.geometry), against hand-computed shapes and point tests."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.catalog.sources import data_root
from kalkan.core.geometry import (
    KM_PER_DEGREE,
    clip_polygon,
    distance_outside_km,
    geometry_area_km2,
    points_in_geojson,
    polygon_problems,
)


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    pts = np.vstack([np.asarray(r) for p in polys for r in p])
    return float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())


def test_overlapping_boxes_give_their_common_box() -> None:
    out = clip_polygon(box(0, 0, 2, 2), box(1, 1, 3, 3))
    assert out is not None and bounds(out) == (1.0, 1.0, 2.0, 2.0)
    assert geometry_area_km2(out) == pytest.approx(geometry_area_km2(box(1, 1, 2, 2)), rel=1e-12)


def test_contained_disjoint_and_shared_edges() -> None:
    inner = box(0.5, 0.5, 1.0, 1.0)
    assert clip_polygon(inner, box(0, 0, 2, 2)) is inner  # wholly inside: returned unchanged
    assert clip_polygon(box(0, 0, 2, 2), inner) == {"type": "Polygon", "coordinates": inner["coordinates"]}
    assert clip_polygon(box(0, 0, 1, 1), box(2, 2, 3, 3)) is None
    shared = clip_polygon(box(0, 0, 2, 2), box(1, 0, 3, 2))  # collinear edges: resolved by a 1e-9° nudge
    assert shared is not None
    assert bounds(shared) == pytest.approx((1.0, 0.0, 2.0, 2.0), abs=1e-8)


def test_a_hole_of_the_clip_becomes_a_hole_of_the_result() -> None:
    donut = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
                                                [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]]}  # fmt: skip
    out = clip_polygon(box(-1, -1, 5, 5), donut)
    assert out is not None and out["type"] == "Polygon" and len(out["coordinates"]) == 2
    # L-shape: the corner of the donut left by a box over its lower-left part
    corner = clip_polygon(box(-1, -1, 2, 2), donut)
    assert corner is not None
    area = geometry_area_km2(corner)
    assert area == pytest.approx(geometry_area_km2(box(0, 0, 2, 2)) - geometry_area_km2(box(1, 1, 2, 2)), rel=1e-9)


def _star(cx: float, cy: float, radii: list[float], phase: float) -> dict[str, Any]:
    n = len(radii)
    ring = [[cx + r * math.cos(phase + 2 * math.pi * k / n), cy + r * math.sin(phase + 2 * math.pi * k / n)]
            for k, r in enumerate(radii)]  # fmt: skip
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    a=st.lists(st.floats(0.3, 1.0), min_size=5, max_size=14),
    b=st.lists(st.floats(0.3, 1.0), min_size=5, max_size=14),
    dx=st.floats(-1.2, 1.2),
    dy=st.floats(-1.2, 1.2),
    phase=st.floats(0, 6.0),
)
def test_intersection_holds_exactly_the_points_in_both(
    a: list[float], b: list[float], dx: float, dy: float, phase: float
) -> None:
    """Star-shaped (non-convex) polygons: a point is in the intersection iff it is in both (edges aside)."""
    s, c = _star(0, 0, a, 0.1), _star(dx, dy, b, phase)
    out = clip_polygon(s, c)
    rng = np.random.default_rng(0)
    x, y = rng.uniform(-2.5, 2.5, 4000), rng.uniform(-2.5, 2.5, 4000)
    both = points_in_geojson(s, x, y) & points_in_geojson(c, x, y)
    got = points_in_geojson(out, x, y) if out is not None else np.zeros(x.size, dtype=bool)
    near = (distance_outside_km(s, x, y) < 1e-3) | (distance_outside_km(c, x, y) < 1e-3)
    assert np.array_equal(got[~near], both[~near])


def test_osh_urban_extent_is_cut_at_the_border() -> None:
    """Natural Earth's Osh urban area runs into Uzbekistan; the cut keeps exactly its part in Kyrgyzstan."""
    geo = data_root() / "geo"
    extent = next(f["geometry"] for f in json.loads(
        (geo / "cities" / "coalition_cities_urban_extent_ne50m.geojson").read_text())["features"]
        if f["properties"]["city_id"] == "osh")  # fmt: skip
    kgz = next(f["geometry"] for f in json.loads(
        (geo / "natural_earth" / "ne_10m_admin0_central_asia5.geojson").read_text())["features"]
        if f["properties"]["ADM0_A3"] == "KGZ")  # fmt: skip
    out = clip_polygon(extent, kgz)
    assert out is not None
    x0, y0, x1, y1 = bounds(extent)
    rng = np.random.default_rng(1)
    x, y = rng.uniform(x0, x1, 100_000), rng.uniform(y0, y1, 100_000)
    in_extent = points_in_geojson(extent, x, y)
    in_both = in_extent & points_in_geojson(kgz, x, y)
    assert np.array_equal(points_in_geojson(out, x, y), in_both)
    share = in_both.sum() / in_extent.sum()  # Monte Carlo share of the extent inside Kyrgyzstan
    assert 0.4 < share < 0.6  # half of the footprint lies across the border
    assert geometry_area_km2(out) / geometry_area_km2(extent) == pytest.approx(share, abs=0.01)


def test_polygon_problems_name_polygon_and_ring() -> None:
    assert polygon_problems(box(0, 0, 1, 1)) == []
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [1, 3], [0, 0]]]}
    assert "ring 1 crosses or touches itself" in polygon_problems(bowtie)[0]
    unclosed = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    assert "not closed" in polygon_problems(unclosed)[0]
    short = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}
    assert "at least 4" in polygon_problems(short)[0]
    swapped = {"type": "Polygon", "coordinates": [[[40, 100], [41, 100], [41, 101], [40, 100]]]}
    assert "WGS84" in polygon_problems(swapped)[0]
    hole_out = {"type": "Polygon", "coordinates": [box(0, 0, 1, 1)["coordinates"][0],
                                                   box(2, 2, 3, 3)["coordinates"][0]]}  # fmt: skip
    assert "ring 2: a hole outside" in polygon_problems(hole_out)[0]
    multi = {"type": "MultiPolygon", "coordinates": [box(0, 0, 1, 1)["coordinates"], bowtie["coordinates"]]}
    assert polygon_problems(multi)[0].startswith("polygon 2")
    assert "Point" in polygon_problems({"type": "Point", "coordinates": [0, 0]})[0]
    nan = {"type": "Polygon", "coordinates": [[[0, 0], [float("nan"), 0], [1, 1], [0, 0]]]}
    assert "not a finite number" in polygon_problems(nan)[0]
    assert polygon_problems(box(0, 0, 1, 1), max_vertices=3)[0].startswith("5 positions")


def test_distance_outside_by_hand() -> None:
    square = box(10, 0, 11, 1)
    lon = np.array([10.5, 10.5, 12.0, 10.5])
    lat = np.array([0.5, 1.1, 0.5, -0.2])
    d = distance_outside_km(square, lon, lat)
    assert d[0] == 0.0
    assert d[1] == pytest.approx(0.1 * KM_PER_DEGREE, rel=1e-9)  # 0.1° north of the top edge
    assert d[2] == pytest.approx(1.0 * KM_PER_DEGREE * math.cos(math.radians(0.5)), rel=1e-9)  # 1° east at 0.5° N
    assert d[3] == pytest.approx(0.2 * KM_PER_DEGREE, rel=1e-9)
