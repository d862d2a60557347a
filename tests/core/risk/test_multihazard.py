"""Multi-hazard combination: a two-peril example worked by hand, properties, and refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kalkan.core.risk import metrics
from kalkan.core.risk.multihazard import (
    PerilLosses,
    annual_exceedance_probability,
    combine,
    combined_curve,
    exceedance_frequency,
)
from kalkan.errors import InputError
from tests.errors import expect_error


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
    # The T-year loss is the largest loss with lambda >= 1/T (no interpolation):
    #   T = 100 (0.01): 100;  T = 50 (0.02): 50 (lambda(80) = 0.015 < 0.02);  T = 25 (0.04): 20 (lambda(50) = 0.035);
    #   T = 10 (0.1): 20.
    assert r.rp_losses == {100.0: 100.0, 50.0: 50.0, 25.0: 20.0, 10.0: 20.0}
    # Earthquake alone: 100 @ 0.01, 50 @ 0.03, 0 @ 0.53; flood alone: 80 @ 0.005, 20 @ 0.105 per year.
    assert r.rp_losses_by_peril["earthquake"] == {10.0: 0.0, 25.0: 0.0, 50.0: 50.0, 100.0: 100.0}
    assert r.rp_losses_by_peril["flood"] == {10.0: 20.0, 25.0: 20.0, 50.0: 20.0, 100.0: 20.0}
    assert r.aggregate is None and "carry no years" in r.aggregate_note
    d = r.as_dict()
    assert d["units"]["aal"] == "USD of 2021 per year" and d["rp_losses"]["50"] == r.rp_losses[50.0]
    assert "no interpolation" in d["return_period_definition"]


def test_a_peril_from_return_period_maps_is_never_above_the_total() -> None:
    """Issue 11's Petropavl case in miniature: a flood from maps at 10, 50, 100 and 500 years (the 10-year map
    causes no loss) and an earthquake set of many small losses. Interpolated in return period, the flood's
    25-year loss was 1.33 M while the total, interpolated over the earthquake's points, was about 1,600."""
    from kalkan.core.hazard.return_period import band_frequencies

    maps = (10.0, 50.0, 100.0, 500.0)
    flood = PerilLosses("river_flood", np.array([0.0, 3.54e6, 5.0e6, 2.0e7]), band_frequencies(maps), "USD", 2021)
    small = np.linspace(1000.0, 2000.0, 50)
    quake = PerilLosses("earthquake", small, np.full(50, 0.001), "USD", 2021)
    r = combine([quake, flood])
    # The flood read at its own maps gives each map's loss; between maps, the loss of the more frequent map.
    at_maps = combine([flood], return_periods=maps).rp_losses_by_peril["river_flood"]
    assert at_maps == {10.0: 0.0, 50.0: 3.54e6, 100.0: 5.0e6, 500.0: 2.0e7}
    assert r.rp_losses_by_peril["river_flood"][25.0] == 0.0
    assert r.rp_losses_by_peril["river_flood"][250.0] == 5.0e6
    for t in r.return_periods:
        assert r.rp_losses[t] >= max(r.rp_losses_by_peril["river_flood"][t], r.rp_losses_by_peril["earthquake"][t])
    # 25 years: lambda_total(x) = 0.02 (the flood maps of 50+ years) + 0.001 per earthquake loss >= x reaches
    # 0.04 at the 20th largest earthquake loss.
    assert r.rp_losses[25.0] == pytest.approx(small[-20])
    assert r.rp_losses[250.0] == 5.0e6


def test_mismatched_currency_or_year_or_duplicate_refused() -> None:
    other = PerilLosses("flood", np.array([1.0]), np.array([0.1]), "KZT", 2021, source="kzt-run")
    with pytest.raises(InputError, match="KZT") as info:  # the currency given
        combine([quake(), other])
    expect_error(info, "input.inconsistent", "currency")
    older = PerilLosses("flood", np.array([1.0]), np.array([0.1]), "USD", 2015, source="old-run")
    with pytest.raises(InputError) as info:
        combine([quake(), older])
    expect_error(info, "input.inconsistent", "price_year")
    with pytest.raises(InputError) as info:
        combine([quake(), quake()])
    expect_error(info, "input.duplicate", "peril")
    with pytest.raises(InputError) as info:
        PerilLosses("flood", np.array([-1.0]), np.array([0.1]), "USD")
    expect_error(info, "input.range", "loss", 1)


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


@settings(max_examples=100, deadline=None)
@given(peril("earthquake"), peril("flood"), peril("mudflow"))
def test_combined_curve_dominates_and_aal_adds(a: PerilLosses, b: PerilLosses, c: PerilLosses) -> None:
    rps = (1.0, 2.0, 5.0, 7.3, 10, 25, 50, 100, 250, 475, 500, 1000, 2475, 1e5)
    r = combine([a, b, c], return_periods=rps)
    assert r.aal_total == pytest.approx(a.aal + b.aal + c.aal, rel=1e-12)
    assert r.aal_total == pytest.approx(metrics.aal_from_curve(r.curve), rel=1e-9, abs=1e-9)
    grid = np.unique(np.concatenate([a.loss, b.loss, c.loss, [0.5, 1e7]]))
    total = exceedance_frequency([a, b, c], grid)
    for p in (a, b, c):
        assert np.all(total >= exceedance_frequency([p], grid))
        # the combined loss at every return period is at least each peril's own
        for t in rps:
            assert r.rp_losses[float(t)] >= r.rp_losses_by_peril[p.peril][float(t)]
    np.testing.assert_allclose(exceedance_frequency([a, b, c], r.curve.loss), r.curve.exceedance_frequency)
    assert combined_curve([a, b, c]).loss.size == r.curve.loss.size


@st.composite
def catalogue(draw: st.DrawFn, name: str, years: int) -> PerilLosses:
    loss = draw(losses)
    year = draw(arrays(np.int64, loss.size, elements=st.integers(0, years - 1)))
    return PerilLosses(name, loss, np.full(loss.size, 1.0 / years), "USD", 2021, event_year=year)


@settings(max_examples=60, deadline=None)
@given(catalogue("earthquake", 20), catalogue("flood", 20))
def test_aggregate_total_never_below_a_part(a: PerilLosses, b: PerilLosses) -> None:
    rps = (1.0, 2.0, 4.0, 5.0, 10.0, 20.0, 100.0)
    r = combine([a, b], return_periods=rps)
    assert r.aggregate is not None
    total, parts = r.aggregate["aggregate_rp_losses"], r.aggregate["aggregate_rp_losses_by_peril"]
    for key, value in total.items():
        assert value >= parts["earthquake"][key] and value >= parts["flood"][key]
        assert value >= r.aggregate["occurrence_rp_losses_from_years"][key]
