"""Risk metrics against hand calculations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalkan.errors import InputError
from kalkan.risk import metrics


def test_occurrence_curve_and_return_periods_by_hand() -> None:
    loss = np.array([10.0, 50.0, 0.0, 30.0])
    freq = np.array([0.1, 0.01, 0.5, 0.02])
    c = metrics.occurrence_curve(loss, freq)
    assert c.loss.tolist() == [50.0, 30.0, 10.0, 0.0]
    assert c.exceedance_frequency.tolist() == pytest.approx([0.01, 0.03, 0.13, 0.63])
    assert c.return_period.tolist() == pytest.approx([100.0, 100 / 3, 1 / 0.13, 1 / 0.63])
    # Between 1/0.13 = 7.69 and 33.3 years the loss goes linearly in RP from 10 to 30.
    t = 20.0
    expected = 10 + (t - 1 / 0.13) / (100 / 3 - 1 / 0.13) * 20
    assert c.at((t,))[0] == pytest.approx(expected)
    assert c.at((1000.0, 0.5))[0] == 50.0  # clamped beyond the longest simulated RP
    assert c.at((0.5,))[0] == 0.0
    assert metrics.aal(loss, freq) == pytest.approx(10 * 0.1 + 50 * 0.01 + 30 * 0.02)


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
    assert c.loss.tolist() == [12.0, 2.0, 1.0, 0.0, 0.0]
    assert c.return_period.tolist() == pytest.approx([5.0, 2.5, 5 / 3, 1.25, 1.0])
    with pytest.raises(InputError, match=r"Event years must lie in 0\.\.4"):
        metrics.annual_losses(loss, np.array([0, 0, 2, 9]), 5)


def test_ties_form_one_point() -> None:
    c = metrics.occurrence_curve(np.array([0.0, 5.0, 0.0, 5.0, 9.0]), np.array([0.2, 0.1, 0.3, 0.1, 0.05]))
    assert c.loss.tolist() == [9.0, 5.0, 0.0]
    assert c.exceedance_frequency.tolist() == pytest.approx([0.05, 0.25, 0.75])


@given(st.lists(st.tuples(st.floats(0, 1e9), st.floats(1e-6, 1.0)), min_size=1, max_size=60))
def test_curve_is_monotone(pairs: list[tuple[float, float]]) -> None:
    loss = np.array([p[0] for p in pairs])
    freq = np.array([p[1] for p in pairs])
    c = metrics.occurrence_curve(loss, freq)
    rps = np.geomspace(0.01, 1e5, 50)
    values = c.at(rps)
    assert np.all(np.diff(values) >= -1e-6 * max(1.0, float(loss.max())))
    assert values.max() <= loss.max() and values.min() >= loss.min()


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
