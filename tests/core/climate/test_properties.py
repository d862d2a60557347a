"""Property tests of the window and percentile helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalkan.core.climate.scenarios import Statistic, across_models, horizon_window, parse_horizon, parse_statistic
from kalkan.errors import InputError
from tests.errors import expect_error


@given(st.integers(min_value=2015, max_value=2100))
def test_window_is_centred_and_cut_at_2100(year: int) -> None:
    w = horizon_window(year)
    assert w.first_year == year - 9
    assert w.last_year == min(year + 10, 2100)
    assert w.first_year <= year <= w.last_year
    assert w.n_years == (20 if year <= 2090 else 2100 - year + 10)
    assert w.label == f"{year - 9}-{min(year + 10, 2100)}"
    assert parse_horizon(str(year)) == year


@given(st.integers().filter(lambda y: not 2015 <= y <= 2100))
def test_window_outside_range_is_refused(year: int) -> None:
    with pytest.raises(InputError) as info:
        horizon_window(year)
    expect_error(info, "input.range", "horizon")
    assert str(year) in str(info.value)


values = st.lists(st.floats(min_value=-10, max_value=10, allow_nan=False), min_size=1, max_size=40)


@given(values, st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_percentile_bounded_and_monotone(xs: list[float], p: float, q: float) -> None:
    arr = np.array(xs)
    models = tuple(f"m{i}" for i in range(len(xs)))
    lo, hi = sorted((p, q))
    a = float(across_models(arr, Statistic(percentile=lo), models))
    b = float(across_models(arr, Statistic(percentile=hi), models))
    assert arr.min() - 1e-9 <= a <= b + 1e-9 <= arr.max() + 2e-9
    assert float(across_models(arr, parse_statistic("median"), models)) == pytest.approx(np.median(arr), abs=1e-12)


@given(st.integers(min_value=0, max_value=100))
def test_statistic_spellings(p: int) -> None:
    for text in (str(p), f"p{p}", f"P{p}"):
        assert parse_statistic(text).percentile == p
    assert parse_statistic("median").label == "median"
    assert parse_statistic("CanESM5").model == "CanESM5"
