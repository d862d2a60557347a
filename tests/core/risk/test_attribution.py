"""Decomposition of a risk change into hazard and exposure effects: hand numbers and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalkan.core.risk.attribution import decompose
from kalkan.errors import InputError
from tests.errors import expect_error


def test_hand_example() -> None:
    # Today 100; hazard alone -> 130; exposure alone (x2) -> 200; both -> 260 (= 2 x 130, linear in values).
    r = decompose(100.0, 130.0, 200.0, 260.0)
    assert r.total_change == 160.0
    assert (r.hazard_effect, r.exposure_effect, r.interaction) == (30.0, 100.0, 30.0)
    assert (r.shapley_hazard, r.shapley_exposure) == (45.0, 115.0)
    d = r.as_dict("USD of 2021 per year")
    assert d["percent_of_today"]["total_change"] == 160.0
    assert d["shapley"] == {"hazard": 45.0, "exposure": 115.0}
    assert d["unit"] == "USD of 2021 per year"


def test_zero_today_has_no_percentages() -> None:
    d = decompose(0.0, 5.0, 0.0, 10.0).as_dict()
    assert d["percent_of_today"]["total_change"] is None
    assert d["one_at_a_time"]["interaction"] == 5.0


def test_refuses_negative_or_nan() -> None:
    with pytest.raises(InputError) as info:
        decompose(1.0, -1.0, 1.0, 1.0)
    expect_error(info, "input.range", "hazard_only")
    with pytest.raises(InputError) as info:
        decompose(1.0, 1.0, 1.0, float("nan"))
    expect_error(info, "input.range", "future")


values = st.floats(min_value=0.0, max_value=1e12, allow_nan=False)


@given(values, values, values, values)
def test_effects_sum_to_the_total_change(r00: float, r10: float, r01: float, r11: float) -> None:
    r = decompose(r00, r10, r01, r11)
    tol = 1e-9 * max(1.0, r00, r10, r01, r11)
    assert r.hazard_effect + r.exposure_effect + r.interaction == pytest.approx(r.total_change, abs=tol)
    assert r.shapley_hazard + r.shapley_exposure == pytest.approx(r.total_change, abs=tol)


@given(values, values, st.floats(min_value=0.0, max_value=10.0))
def test_uniform_exposure_growth_interaction(r00: float, r10: float, v: float) -> None:
    """Risk linear in values, one growth factor v: interaction = (v - 1)(R10 - R00)."""
    r = decompose(r00, r10, v * r00, v * r10)
    assert r.interaction == pytest.approx((v - 1) * (r10 - r00), abs=1e-6 * max(1.0, r00, r10) * max(1.0, v))
