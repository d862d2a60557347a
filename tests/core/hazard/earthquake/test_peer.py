"""PEER PSHA code-verification cases (nshmp-haz layout) against nshmp-haz's expected curves.

What is compared: the annual Poisson probability of exceedance, 1 - exp(-annual rate), at every PGA level and
site of ``results/<case>.csv``, as nshmp-haz's ``PeerTest`` does. Levels where the expected probability is
below 1e-10 are not compared relatively; there Kalkan's value must also be below 1e-10.

Tolerances (relative difference |actual - expected| / expected, per case): nshmp-haz asserts 1e-6 because its
expected files are its own output; an independent code reproduces them only as closely as its discretisation
and numerics match. Kalkan floats ruptures on nshmp-haz's grid (same node counts and positions) but measures
distances to exact rectangles instead of grid nodes, and uses an exact normal CDF instead of the
Abramowitz-Stegun erf approximation. Hence:

- 1e-6 where both agree exactly (single rupture, floating ruptures with sigma = 0 on fine grids);
- 1 % for cases whose differences come from the far tail at the highest levels (sigma > 0, the 1 km grids of
  the Set 2 "-fast" variants) or from area-source grids (Set 1 Cases 10, 11);
- 1 % for Set 1 Cases 5-7 run on the full (0.1 km) grid; their "-fast" variants (0.5 km) differ by up to 14 %
  at 0.7 g on the fault trace, where nshmp-haz's grid-node distances and Kalkan's rectangles part ways with
  sigma = 0 (step-function exceedance), so they are not used.

The full-resolution variants (about 45-60 s together) run too: they are the strictest check.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from kalkan.core.hazard.earthquake.psha import hazard_curves
from kalkan.io.source_model import read_nshmp_case

ROOT = Path(__file__).resolve().parents[5] / "shared" / "data" / "peer_psha_verification" / "nshmp-haz"
if not ROOT.exists():  # the worktree layout: ../shared next to the repository
    ROOT = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "peer_psha_verification" / "nshmp-haz"

pytestmark = pytest.mark.skipif(not ROOT.exists(), reason="PEER verification data not available")

FLOOR = 1e-10
CASES = [
    ("Set1-Case1", 1e-6),
    ("Set1-Case2-fast", 1e-6),
    ("Set1-Case3-fast", 1e-6),
    ("Set1-Case4-fast", 1e-6),
    ("Set1-Case5", 0.01),
    ("Set1-Case6", 0.01),
    ("Set1-Case7", 0.01),
    ("Set1-Case8a", 0.01),
    ("Set1-Case8b", 0.01),
    ("Set1-Case8c", 0.01),
    ("Set1-Case10-fast", 0.01),
    ("Set1-Case11-fast", 0.01),
    ("Set2-Case2a-fast", 0.01),
    ("Set2-Case2b-fast", 0.01),
    ("Set2-Case2c-fast", 0.01),
    ("Set2-Case2d-fast", 0.01),
]
SLOW_CASES = [
    ("Set1-Case2", 1e-6),
    ("Set1-Case3", 1e-3),
    ("Set1-Case4", 1e-3),
    ("Set1-Case10", 0.01),
    ("Set1-Case11", 0.01),
    ("Set2-Case2a", 0.01),
    ("Set2-Case2b", 0.01),
    ("Set2-Case2c", 0.01),
    ("Set2-Case2d", 0.01),
]


def expected_curves(case: str) -> tuple[list[str], dict[str, np.ndarray]]:
    with (ROOT / "results" / f"{case}.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], {r[0]: np.array([float(v) for v in r[3:]]) for r in rows[1:]}


def max_relative_difference(case: str) -> float:
    c = read_nshmp_case(ROOT / "models" / case)
    curves = hazard_curves([s.ruptures() for s in c.sources], c.branches, c.sites, c.imts, {c.imts[0]: c.levels},
                           model=c.model, max_distance_km=c.max_distance_km)  # fmt: skip
    poe = curves.poe()[0, :, 0, :]
    header, expected = expected_curves(case)
    assert [float(v) for v in header[3:]] == c.levels.tolist()
    worst = 0.0
    for k, name in enumerate(c.sites.names):
        e, a = expected[name], poe[k]
        big = e > FLOOR
        assert (a[~big] <= FLOOR).all(), f"{case} {name}: non-zero where nshmp-haz has zero"
        worst = max(worst, float((np.abs(a[big] - e[big]) / e[big]).max(initial=0.0)))
    return worst


@pytest.mark.parametrize(("case", "tolerance"), CASES)
def test_peer_case(case: str, tolerance: float) -> None:
    assert max_relative_difference(case) < tolerance


@pytest.mark.parametrize(("case", "tolerance"), SLOW_CASES)
def test_peer_case_full_resolution(case: str, tolerance: float) -> None:
    assert max_relative_difference(case) < tolerance
