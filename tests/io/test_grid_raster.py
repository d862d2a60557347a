"""Regular grids inferred from site coordinates, and what is not a grid."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.io.grid_raster import grid_of


@settings(max_examples=60, deadline=None)
@given(
    west=st.floats(-170, 170), south=st.floats(-80, 70), dx=st.floats(0.001, 0.5), dy=st.floats(0.001, 0.5),
    nx=st.integers(2, 12), ny=st.integers(2, 12), seed=st.integers(0, 2**16),
)  # fmt: skip
def test_grid_recovered_with_holes(
    west: float, south: float, dx: float, dy: float, nx: int, ny: int, seed: int
) -> None:
    i, j = np.meshgrid(np.arange(nx), np.arange(ny))
    keep = np.random.default_rng(seed).random(i.size) < 0.7
    keep[[0, -1]] = True  # the corners fix the extent and both steps
    keep[1] = keep[nx] = True
    lon = np.asarray(west + dx * i.ravel()[keep], dtype=np.float64)
    lat = np.asarray(south + dy * j.ravel()[keep], dtype=np.float64)
    g = grid_of(lon, lat)
    if keep.sum() < 4 or keep.sum() < 0.25 * nx * ny:
        assert g is None
        return
    assert g is not None
    assert (g.width, g.height) == (nx, ny)
    assert np.allclose(g.west + (g.col + 0.5) * g.dx, lon) and np.allclose(g.north - (g.row + 0.5) * g.dy, lat)


def test_not_a_grid() -> None:
    assert grid_of(np.array([74.6, 80.0]), np.array([42.87, 30.0])) is None  # two scattered sites
    assert grid_of(np.array([0.0, 0.1, 0.25, 0.0, 0.1]), np.array([0.0, 0.0, 0.0, 0.1, 0.1])) is None  # off-node
    assert grid_of(np.array([0.0, 0.0, 0.1, 0.1]), np.array([0.0, 0.0, 0.0, 0.1])) is None  # a node twice
