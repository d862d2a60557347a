"""Magnitude-area scaling laws and rupture dimensions, against the papers' tables.

Expected values are typed from the papers (Wells & Coppersmith 1994, Table 2A; Leonard 2014) or computed here
by hand.
"""

from __future__ import annotations

import math

import pytest

from kalkan.core.hazard.earthquake.scaling import SCALING_LAWS, rupture_dimensions, scaling_law, slip_type
from kalkan.errors import InputError
from tests.errors import expect_error

# Wells & Coppersmith (1994), Table 2A, log10(RA) = a + b M, typed: (slip type, M, a, b)
WC1994_TABLE_2A = [
    ("strike-slip", 7.0, -3.42, 0.90),
    ("reverse", 6.5, -3.99, 0.98),
    ("normal", 6.0, -2.87, 0.82),
    ("all", 6.5, -3.49, 0.91),
]
# Table 2A, the inverse regressions M = a + b log10(RA) over the same data
WC1994_M_ON_A = {"strike-slip": (3.98, 1.02), "reverse": (4.33, 0.90), "normal": (3.93, 1.02), "all": (4.07, 0.98)}
RAKE_OF = {"strike-slip": 0.0, "reverse": 90.0, "normal": -90.0, "all": None}


@pytest.mark.parametrize(("kind", "mag", "a", "b"), WC1994_TABLE_2A)
def test_wells_coppersmith_area(kind: str, mag: float, a: float, b: float) -> None:
    law = scaling_law("WC1994")
    area = law.median_area_km2(mag, RAKE_OF[kind])
    assert area == pytest.approx(10 ** (a + b * mag), rel=1e-12)
    # the paper's inverse regression gives back nearly the same magnitude (within the regressions' scatter)
    ma, mb = WC1994_M_ON_A[kind]
    assert ma + mb * math.log10(area) == pytest.approx(mag, abs=0.15)


def test_wells_coppersmith_typed_values() -> None:
    law = SCALING_LAWS["WC1994"]
    assert law.median_area_km2(7.0, 0.0) == pytest.approx(758.58, rel=1e-4)  # 10^2.88
    assert law.median_area_km2(6.5, 90.0) == pytest.approx(239.88, rel=1e-4)  # 10^2.38
    assert law.median_area_km2(6.0, -90.0) == pytest.approx(112.20, rel=1e-4)  # 10^2.05
    assert law.sigma_log10_area(90.0) == 0.26
    assert law.magnitude_ranges["reverse"] == (5.4, 7.4)


def test_leonard_2014() -> None:
    # Mw = log10(A) + 4.00 (interplate dip-slip), + 3.99 (interplate strike-slip), + 4.18 (SCR strike-slip)
    assert scaling_law("Leonard2014_Interplate").median_area_km2(7.0, 90.0) == pytest.approx(1000.0)
    assert scaling_law("Leonard2014_Interplate").median_area_km2(7.0, 180.0) == pytest.approx(10**3.01)
    assert scaling_law("Leonard2014_SCR").median_area_km2(6.0, 10.0) == pytest.approx(10**1.82)
    assert scaling_law("Leonard2014_SCR").median_area_km2(6.0, -100.0) == pytest.approx(10**1.81)
    with pytest.raises(InputError) as info:
        scaling_law("WC94")
    expect_error(info, "input.unknown", "scaling")


@pytest.mark.parametrize(
    ("rake", "kind"),
    [(0.0, "strike-slip"), (45.0, "strike-slip"), (46.0, "reverse"), (134.0, "reverse"), (135.0, "strike-slip"),
     (-180.0, "strike-slip"), (-90.0, "normal"), (-46.0, "normal"), (None, "all")],
)  # fmt: skip
def test_slip_type_from_rake(rake: float | None, kind: str) -> None:
    assert slip_type(rake) == kind


def test_rupture_dimensions_aspect_ratio_and_seismogenic_cut() -> None:
    area = 10 ** (-3.42 + 0.90 * 7.0)
    length, width = rupture_dimensions(7.0, 0.0, 90.0, aspect_ratio=2.0)
    assert length / width == pytest.approx(2.0)
    assert length * width == pytest.approx(area)
    # a 15 km thick layer cuts the width (19.5 km) to 15 km; the length keeps the area
    length, width = rupture_dimensions(7.0, 0.0, 90.0, aspect_ratio=2.0, lower_seismogenic_depth_km=15.0)
    assert width == pytest.approx(15.0)
    assert length == pytest.approx(area / 15.0)
    # dipping 30 degrees: width up to 15 / sin 30 = 30 km
    _, width = rupture_dimensions(7.5, 90.0, 30.0, lower_seismogenic_depth_km=15.0)
    assert width == pytest.approx(30.0)
    with pytest.raises(InputError) as info:
        rupture_dimensions(7.0, 0.0, 90.0, aspect_ratio=0.0)
    expect_error(info, "input.range", "aspect_ratio")
    with pytest.raises(InputError) as info:
        rupture_dimensions(7.0, 0.0, 90.0, upper_seismogenic_depth_km=10.0, lower_seismogenic_depth_km=5.0)
    expect_error(info, "input.inconsistent", "lower_seismogenic_depth_km")
