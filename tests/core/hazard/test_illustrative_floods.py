"""The illustrative flood formula and geometry against hand calculations (no file is read or written)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from kalkan.core.geometry import KM_PER_DEGREE
from kalkan.core.hazard.illustrative_floods import (
    CELL_DEG,
    MARGIN_KM,
    depth_grid,
    illustrative_depth_m,
    no_river_reason,
    outline_box,
    rivers_in_box,
)
from kalkan.errors import InputError
from tests.errors import expect_error


def test_depth_formula_by_hand() -> None:
    """D_T = 0.6 ln T on the centre-line, zero at W_T = 0.4 ln T km (the module's documented numbers)."""
    for t, peak, width in ((10, 1.38, 0.92), (50, 2.35, 1.56), (100, 2.76, 1.84), (500, 3.73, 2.49)):
        half_width_km = 0.4 * math.log(t)
        assert half_width_km == pytest.approx(width, abs=0.005)
        d = illustrative_depth_m(np.array([0.0, half_width_km / 2, half_width_km, 10.0]), t)
        assert d[0] == pytest.approx(peak, abs=0.005)
        assert d[2] == pytest.approx(0.0, abs=1e-12)
        assert d[1] == pytest.approx(0.6 * math.log(t) / 2)  # halfway out: half the peak
        assert d[3] == 0.0
    with pytest.raises(InputError) as info:
        illustrative_depth_m(np.array([0.0]), 1.0)
    expect_error(info, "input.range", "return_period_years")


def test_box_is_the_outline_widened_by_the_margin() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[69.0, 54.0], [69.2, 54.0], [69.2, 54.2], [69.0, 54.2], [69.0, 54.0]]],
    }
    west, south, east, north = outline_box(square)
    dlat = MARGIN_KM / KM_PER_DEGREE
    assert (south, north) == pytest.approx((54.0 - dlat, 54.2 + dlat))
    dlon = dlat / math.cos(math.radians(54.1))
    assert (west, east) == pytest.approx((69.0 - dlon, 69.2 + dlon))


def test_rivers_are_clipped_to_the_box_and_named() -> None:
    box = (0.0, 0.0, 1.0, 1.0)
    features: list[dict[str, Any]] = [
        {"geometry": {"type": "LineString", "coordinates": [[-1.0, 0.5], [2.0, 0.5]]}, "properties": {"name": "A  b"}},
        {"geometry": {"type": "LineString", "coordinates": [[5.0, 5.0], [6.0, 6.0]]}, "properties": {"name": "far"}},
        {"geometry": {"type": "MultiLineString", "coordinates": [[[0.5, -1.0], [0.5, 0.5]]]}, "properties": {}},
    ]
    found = rivers_in_box(features, box)
    assert [name for name, _ in found] == ["A b", "feature 2"]
    assert found[0][1].tolist() == [[0.0, 0.5, 1.0, 0.5]]  # cut at both edges
    assert found[1][1].tolist() == [[0.5, 0.0, 0.5, 0.5]]
    assert "never invents a river" in no_river_reason("x", "urban_extent", box)


def test_grid_distances_to_a_straight_river() -> None:
    """A river along a parallel: each cell's distance is its north-south offset in km."""
    box = (69.0, 54.0, 69.05, 54.05)
    lat0 = 54.025
    river = [("R", np.array([[68.0, lat0, 70.0, lat0]]))]
    grid = depth_grid(box, river)
    assert (grid.width, grid.height) == (math.ceil(0.05 / CELL_DEG), math.ceil(0.05 / CELL_DEG))
    lat = 54.05 - (np.arange(grid.height) + 0.5) * CELL_DEG
    expected = np.abs(lat - lat0) * KM_PER_DEGREE
    assert grid.distance_km[:, 3] == pytest.approx(expected, abs=1e-9)
    assert grid.depth_m(10).dtype == np.float32
