"""Risk metrics against hand calculations, and the return-period rule's properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kalkan.core.risk import metrics
from kalkan.core.risk.return_periods import (
    STANDARD_RETURN_PERIODS,
    check_return_periods,
    parse_return_periods,
    rp_key,
    standard_text,
    with_standard,
)
from kalkan.errors import InputError
from tests.errors import expect_error


def test_occurrence_curve_and_return_periods_by_hand() -> None:
    loss = np.array([10.0, 50.0, 0.0, 30.0])
    freq = np.array([0.1, 0.01, 0.5, 0.02])
    c = metrics.occurrence_curve(loss, freq)
    assert c.loss.tolist() == [50.0, 30.0, 10.0, 0.0]
    assert c.exceedance_frequency.tolist() == pytest.approx([0.01, 0.03, 0.13, 0.63])
    assert c.return_period.tolist() == pytest.approx([100.0, 100 / 3, 1 / 0.13, 1 / 0.63])
    # lambda(50) = 0.01, lambda(30) = 0.03, lambda(10) = 0.13, lambda(0) = 0.63 per year. The T-year loss is the
    # largest loss with lambda >= 1/T:
    #   T = 1000 or 100 (1/T <= 0.01): 50;  T = 50 (0.02): 30 (lambda(50) = 0.01 < 0.02);  T = 100/3: 30;
    #   T = 20 (0.05): 10 (lambda(30) = 0.03 < 0.05);  T = 1/0.13: 10;  T = 5 (0.2): 0;  T = 1 (1.0): no event is
    #   that frequent (total 0.63 per year): 0.
    got = c.at((1000.0, 100.0, 50.0, 100 / 3, 20.0, 1 / 0.13, 5.0, 1.0))
    assert got.tolist() == [50.0, 50.0, 30.0, 30.0, 10.0, 10.0, 0.0, 0.0]
    assert metrics.aal(loss, freq) == pytest.approx(10 * 0.1 + 50 * 0.01 + 30 * 0.02)
    # The area under the step curve: 0.01 x (50-30) + 0.03 x (30-10) + 0.13 x (10-0) = 2.1 = the AAL.
    assert metrics.aal_from_curve(c) == pytest.approx(2.1)
    assert c.frequency_at([60.0, 50.0, 40.0, 30.0, 5.0, 0.0]).tolist() == pytest.approx(
        [0.0, 0.01, 0.01, 0.03, 0.13, 0.63]
    )


def test_no_event_that_frequent_gives_zero_and_a_tie_counts_once() -> None:
    # Every event has a loss, total frequency 0.3 per year: the 2-year loss (1/T = 0.5) is 0, not the smallest.
    c = metrics.occurrence_curve(np.array([4.0, 4.0, 9.0]), np.array([0.1, 0.1, 0.1]))
    assert c.loss.tolist() == [9.0, 4.0] and c.exceedance_frequency.tolist() == pytest.approx([0.1, 0.3])
    assert c.at((2.0, 3.0, 1 / 0.3, 5.0, 10.0, 1e9)).tolist() == [0.0, 0.0, 4.0, 4.0, 9.0, 9.0]


def test_floating_sums_at_a_point_read_the_point() -> None:
    # A 1,000-year catalogue: 0.001 added k times is not exactly k/1000; the k-th largest loss still answers T=1000/k.
    loss = np.arange(1000, 0, -1, dtype=np.float64)  # the k-th largest is 1001 - k
    c = metrics.occurrence_curve(loss, np.full(1000, 0.001))
    for t in (1000.0, 500.0, 250.0, 100.0, 50.0, 25.0, 10.0, 1.0):
        k = round(1000 / t)
        assert c.at((t,))[0] == 1001 - k, t
    # Between points: T = 475 is between the 2nd (RP 500) and 3rd (RP 333.3) largest: the 3rd.
    assert c.at((475.0,))[0] == 998.0


def test_bad_return_periods_refused() -> None:
    c = metrics.occurrence_curve(np.array([1.0]), np.array([0.1]))
    for bad in (0.0, -5.0, float("nan")):
        with pytest.raises(InputError) as info:
            c.at((10.0, bad))
        expect_error(info, "input.range", "return_period")
    with pytest.raises(InputError, match="value #2") as info:  # which value of the list
        parse_return_periods("10,ten", "--return-periods")
    expect_error(info, "input.type", "--return-periods")
    with pytest.raises(InputError, match="value #1") as info:
        check_return_periods([-1.0])
    expect_error(info, "input.range", "return periods")
    assert parse_return_periods(" 10, 475 ,") == (10.0, 475.0)


def test_one_standard_set_and_one_key() -> None:
    # The union of the sets the commands used: risk run's 10-1000, event-risk's 100/250/475/2475, the profile's.
    assert set(STANDARD_RETURN_PERIODS) >= {10, 25, 50, 100, 250, 500, 1000} | {100, 250, 475, 2475}
    assert list(STANDARD_RETURN_PERIODS) == sorted(STANDARD_RETURN_PERIODS)
    assert standard_text() == "10,25,50,100,250,475,500,1000,2475"
    assert [rp_key(t) for t in (100, 100.0, 12.5, 2475.0)] == ["100", "100", "12.5", "2475"]
    assert with_standard([12.5, 100]) == (10.0, 12.5, 25.0, 50.0, 100.0, 250.0, 475.0, 500.0, 1000.0, 2475.0)


def test_tvar_by_hand() -> None:
    loss = np.array([10.0, 50.0, 30.0])
    freq = np.array([0.1, 0.01, 0.02])
    c = metrics.occurrence_curve(loss, freq)
    # At RP 100/3 the loss is 30: tail = {50, 30} with frequencies 0.01, 0.02.
    assert metrics.tvar(c, 100 / 3) == pytest.approx((50 * 0.01 + 30 * 0.02) / 0.03)
    assert metrics.tvar(c, 1000.0) == 50.0


def test_annual_curves() -> None:
    loss = np.array([5.0, 7.0, 1.0, 2.0])
    year = np.array([0, 0, 2, 3])
    agg, mx = metrics.annual_losses(loss, year, 5)
    assert agg.tolist() == [12.0, 0.0, 1.0, 2.0, 0.0]
    assert mx.tolist() == [7.0, 0.0, 1.0, 2.0, 0.0]
    c = metrics.annual_curve(agg)
    # Sorted 12, 2, 1, 0, 0: the two zero years are one point with exceedance frequency 5/5.
    assert c.loss.tolist() == [12.0, 2.0, 1.0, 0.0]
    assert c.return_period.tolist() == pytest.approx([5.0, 2.5, 5 / 3, 1.0])
    assert c.at((5.0, 4.0, 2.5, 2.0, 1.5)).tolist() == [12.0, 2.0, 2.0, 1.0, 0.0]
    with pytest.raises(InputError) as info:
        metrics.annual_losses(loss, np.array([0, 0, 2, 9]), 5)
    expect_error(info, "input.range", "event_year")


def test_ties_form_one_point() -> None:
    c = metrics.occurrence_curve(np.array([0.0, 5.0, 0.0, 5.0, 9.0]), np.array([0.2, 0.1, 0.3, 0.1, 0.05]))
    assert c.loss.tolist() == [9.0, 5.0, 0.0]
    assert c.exceedance_frequency.tolist() == pytest.approx([0.05, 0.25, 0.75])


def test_aggregate_summary_from_event_years() -> None:
    # A 4-year catalogue: each event 1/4 per year; years 0, 0, 2 (years 1 and 3 have no event).
    loss = np.array([5.0, 7.0, 1.0])
    freq = np.full(3, 0.25)
    out = metrics.aggregate_summary(loss, freq, np.array([10, 10, 12]), (4.0, 2.0))
    assert out["catalogue_years"] == 4
    # Annual totals 12, 0, 1, 0 -> sorted 12, 1, 0, 0 with RPs 4, 2, 4/3, 1.
    assert out["aggregate_rp_losses"] == {"4": 12.0, "2": 1.0}
    assert out["occurrence_rp_losses_from_years"] == {"4": 7.0, "2": 1.0}
    assert out["mean_annual_loss_from_years"] == pytest.approx(13.0 / 4)
    assert metrics.catalogue_years(np.array([0.1, 0.2]), np.array([3, 9])) == 7


# --- properties ----------------------------------------------------------------------------------------------

event_sets = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        arrays(np.float64, n, elements=st.floats(0.0, 1e9, allow_nan=False)),
        arrays(np.float64, n, elements=st.floats(1e-6, 1.0, allow_nan=False)),
    )
)
return_periods = st.lists(st.floats(0.5, 1e6, allow_nan=False), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(event_sets, return_periods)
def test_rule_against_its_definition(events: tuple[np.ndarray, np.ndarray], rps: list[float]) -> None:  # type: ignore[type-arg]
    """Brute force: the largest event loss x with sum of f over {L >= x} >= 1/T (0 if none), for each T alone."""
    loss, freq = events
    c = metrics.occurrence_curve(loss, freq)
    got = c.at(rps)
    for t, value in zip(rps, got, strict=True):
        lam = np.array([freq[loss >= x].sum() for x in loss])
        reached = loss[lam >= (1.0 / t) * (1 - 1e-9)]
        assert value == (reached.max() if reached.size else 0.0)
        # a function of the event set and T only: asking for T alone gives the same number
        assert c.at((t,))[0] == value


@settings(max_examples=150, deadline=None)
@given(event_sets)
def test_curve_is_monotone_and_its_area_is_the_aal(events: tuple[np.ndarray, np.ndarray]) -> None:  # type: ignore[type-arg]
    loss, freq = events
    c = metrics.occurrence_curve(loss, freq)
    values = c.at(np.geomspace(0.01, 1e7, 80))
    assert np.all(np.diff(values) >= 0)
    assert set(values.tolist()) <= set(loss.tolist()) | {0.0}
    assert values[-1] == loss.max()
    assert metrics.aal_from_curve(c) == pytest.approx(metrics.aal(loss, freq), rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.lists(event_sets, min_size=1, max_size=4))
def test_combined_curve_is_the_union_and_never_below_a_part(sets: list[tuple[np.ndarray, np.ndarray]]) -> None:  # type: ignore[type-arg]
    curves = [metrics.occurrence_curve(loss, freq) for loss, freq in sets]
    total = metrics.combine_curves(curves)
    union = metrics.occurrence_curve(np.concatenate([s[0] for s in sets]), np.concatenate([s[1] for s in sets]))
    np.testing.assert_array_equal(total.loss, union.loss)
    np.testing.assert_allclose(total.exceedance_frequency, union.exceedance_frequency, rtol=1e-12)
    rps = np.array([float(t) for t in STANDARD_RETURN_PERIODS] + [1.0, 3.0, 7.7, 1e5])
    whole = total.at(rps)
    for c in curves:
        assert np.all(whole >= c.at(rps))
        assert np.all(total.frequency_at(union.loss) >= c.frequency_at(union.loss))
    assert metrics.aal_from_curve(total) == pytest.approx(sum(metrics.aal(*s) for s in sets), rel=1e-9, abs=1e-9)
