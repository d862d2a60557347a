"""Multi-hazard combination: a two-peril example worked by hand, properties, and refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kalkan.errors import InputError
from kalkan.risk import metrics
from kalkan.risk.multihazard import (
    PerilLosses,
    annual_exceedance_probability,
    combine,
    combined_curve,
    exceedance_frequency,
)


def quake() -> PerilLosses:
    # Losses 100 @ 0.01/yr, 50 @ 0.02/yr, 0 @ 0.5/yr: AAL = 1 + 1 = 2.
    return PerilLosses("earthquake", np.array([100.0, 50.0, 0.0]), np.array([0.01, 0.02, 0.5]), "USD", 2021)


def flood() -> PerilLosses:
    # Losses 80 @ 0.005/yr, 20 @ 0.1/yr: AAL = 0.4 + 2 = 2.4.
    return PerilLosses("flood", np.array([80.0, 20.0]), np.array([0.005, 0.1]), "USD", 2021)


def test_two_perils_by_hand() -> None:
    r = combine([quake(), flood()], return_periods=(10, 25, 50, 100))
    assert r.aal_by_peril == pytest.approx({"earthquake": 2.0, "flood": 2.4})
    assert r.aal_total == pytest.approx(4.4)
    assert r.money == "USD of 2021"
    # lambda(L) = sum of frequencies of events with loss >= L, over both perils:
    # L=100: 0.01; L=80: 0.015; L=50: 0.035; L=20: 0.135; L=0: 0.635.
    lam = exceedance_frequency([quake(), flood()], [100.0, 80.0, 50.0, 20.0, 0.0, 60.0, 101.0])
    np.testing.assert_allclose(lam, [0.01, 0.015, 0.035, 0.135, 0.635, 0.015, 0.0])
    np.testing.assert_allclose(r.curve.loss, [100.0, 80.0, 50.0, 20.0, 0.0])
    np.testing.assert_allclose(r.curve.exceedance_frequency, [0.01, 0.015, 0.035, 0.135, 0.635])
    np.testing.assert_allclose(annual_exceedance_probability(np.array([0.01])), [1 - math.exp(-0.01)])
    # RPs of the points: 100, 66.67, 28.57, 7.41. RP 50 lies between 66.67 (80) and 28.57 (50), linear in RP;
    # RP 10 between 28.57 (50) and 7.41 (20); RP 100 is the largest point: 100.
    rp = {100: 100.0, 66.66666666666667: 80.0, 28.571428571428573: 50.0, 7.407407407407407: 20.0}
    pts = sorted(rp)

    def interp(t: float) -> float:
        return float(np.interp(t, pts, [rp[p] for p in pts]))

    assert r.rp_losses[100.0] == pytest.approx(100.0)
    assert r.rp_losses[50.0] == pytest.approx(interp(50.0))
    assert r.rp_losses[50.0] == pytest.approx(
        50 + 30 * (50 - 28.571428571428573) / (66.66666666666667 - 28.571428571428573)
    )
    assert r.rp_losses[10.0] == pytest.approx(interp(10.0))
    # Flood alone: 80 at RP 200, 20 at RP 1 / 0.105 = 9.52; RP 10 lies just above the latter.
    assert r.rp_losses_by_peril["flood"][10.0] == pytest.approx(20 + 60 * (10 - 1 / 0.105) / (200 - 1 / 0.105))
    assert r.aggregate is None and "carry no years" in r.aggregate_note
    d = r.as_dict()
    assert d["units"]["aal"] == "USD of 2021 per year" and d["rp_losses"]["50"] == r.rp_losses[50.0]


def test_mismatched_currency_or_year_or_duplicate_refused() -> None:
    other = PerilLosses("flood", np.array([1.0]), np.array([0.1]), "KZT", 2021, source="kzt-run")
    with pytest.raises(InputError, match="KZT"):
        combine([quake(), other])
    older = PerilLosses("flood", np.array([1.0]), np.array([0.1]), "USD", 2015, source="old-run")
    with pytest.raises(InputError, match="price year"):
        combine([quake(), older])
    with pytest.raises(InputError, match="given twice"):
        combine([quake(), quake()])
    with pytest.raises(InputError, match="finite value >= 0"):
        PerilLosses("flood", np.array([-1.0]), np.array([0.1]), "USD")


def test_aggregate_with_years() -> None:
    # 4-year catalogues, each event 1/4 per year.
    a = PerilLosses("earthquake", np.array([10.0, 5.0]), np.full(2, 0.25), "USD", event_year=np.array([0, 2]))
    b = PerilLosses("flood", np.array([1.0, 2.0, 3.0]), np.full(3, 0.25), "USD", event_year=np.array([0, 1, 2]))
    r = combine([a, b], return_periods=(4, 2))
    assert r.aggregate is not None
    # Annual totals: year0 11, year1 2, year2 8, year3 0 -> sorted 11, 8, 2, 0 with RPs 4, 2, 1.33, 1.
    assert r.aggregate["catalogue_years"] == 4
    assert r.aggregate["aggregate_rp_losses"] == {"4": 11.0, "2": 8.0}
    assert r.aggregate["mean_annual_loss_from_years"] == pytest.approx(r.aal_total)
    c = PerilLosses("flood", np.array([1.0]), np.array([0.5]), "USD", event_year=np.array([0]))
    r2 = combine([a, c])
    assert r2.aggregate is None and "different numbers of years" in r2.aggregate_note


losses = arrays(np.float64, st.integers(1, 12), elements=st.floats(0.0, 1e6, allow_nan=False))


@st.composite
def peril(draw: st.DrawFn, name: str) -> PerilLosses:
    loss = draw(losses)
    freq = draw(arrays(np.float64, loss.size, elements=st.floats(1e-6, 1.0, allow_nan=False)))
    return PerilLosses(name, loss, freq, "USD", 2021)


@settings(max_examples=60, deadline=None)
@given(peril("earthquake"), peril("flood"), peril("mudflow"))
def test_combined_curve_dominates_and_aal_adds(a: PerilLosses, b: PerilLosses, c: PerilLosses) -> None:
    r = combine([a, b, c])
    assert r.aal_total == pytest.approx(a.aal + b.aal + c.aal, rel=1e-12)
    assert r.aal_total == pytest.approx(metrics.aal(r.curve.loss, np.diff(r.curve.exceedance_frequency, prepend=0.0)))
    grid = np.unique(np.concatenate([a.loss, b.loss, c.loss, [0.5, 1e7]]))
    total = exceedance_frequency([a, b, c], grid)
    for p in (a, b, c):
        assert np.all(total >= exceedance_frequency([p], grid) - 1e-12)
    np.testing.assert_allclose(exceedance_frequency([a, b, c], r.curve.loss), r.curve.exceedance_frequency)
    assert combined_curve([a, b, c]).loss.size == r.curve.loss.size
