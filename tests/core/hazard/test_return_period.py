"""Return-period maps -> events: band frequencies by hand, a property test, and the engine's AAL by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.return_period import (
    band_frequencies,
    exceedance_frequencies,
    hazard_from_return_period_maps,
    step_aal,
    susceptibility_indicator,
    trapezoid_aal,
)
from kalkan.errors import InputError
from kalkan.io.exposure import write_exposure
from kalkan.io.hazard import save_hazard
from kalkan.io.shipped_vulnerability import jrc_asia_curves

RPS = (10.0, 50.0, 100.0, 500.0)


def test_band_frequencies_by_hand() -> None:
    # 1/10 - 1/50 = 0.08; 1/50 - 1/100 = 0.01; 1/100 - 1/500 = 0.008; 1/500 = 0.002 (per year)
    assert band_frequencies(RPS).tolist() == pytest.approx([0.08, 0.01, 0.008, 0.002])
    assert exceedance_frequencies(band_frequencies(RPS)).tolist() == pytest.approx([0.1, 0.02, 0.01, 0.002])
    assert band_frequencies([2.0]).tolist() == [0.5]


@given(st.lists(st.floats(min_value=1.001, max_value=1e5, allow_nan=False), min_size=1, max_size=12, unique=True))
def test_frequencies_nonnegative_and_sum_to_first(values: list[float]) -> None:
    rps = sorted(values)
    f = band_frequencies(rps)
    assert np.all(f >= 0)
    assert f.sum() == pytest.approx(1.0 / rps[0], rel=1e-12)
    assert exceedance_frequencies(f) == pytest.approx(1.0 / np.asarray(rps), rel=1e-9)


@pytest.mark.parametrize("rps", [[10, 10], [100, 10], [1, 10], [0.5], []])
def test_bad_return_periods(rps: list[float]) -> None:
    with pytest.raises(InputError):
        band_frequencies(rps)


def test_hazard_from_maps_keeps_no_value_and_zero_out() -> None:
    values = np.array([[0.0, np.nan, 0.3], [0.5, 1.0, 0.6]])
    h = hazard_from_return_period_maps(values, [10, 100], peril="riverine_flood", site_lon=np.array([69.0, 69.1, 69.2]),
                                       site_lat=np.array([40.0] * 3), source="test maps")  # fmt: skip
    assert (h.imt, h.unit, h.n_events, h.n_sites, h.nnz) == ("depth", "m", 2, 3, 4)
    assert h.frequency.tolist() == pytest.approx([0.09, 0.01])
    assert h.intensity.toarray().ravel().tolist() == pytest.approx([0.0, 0.0, 0.3, 0.5, 1.0, 0.6], abs=1e-7)
    assert "step" in h.source and h.source.startswith("test maps")
    assert h.event_name is not None and str(h.event_name[1]) == "RP100 band [100, inf) y"
    mud = hazard_from_return_period_maps(values, [10, 100], peril="mudflow", site_lon=np.array([69.0, 69.1, 69.2]),
                                         site_lat=np.array([40.0] * 3), source="m")  # fmt: skip
    assert mud.imt == "flow_depth"


def test_trapezoid_is_at_least_step_for_growing_losses() -> None:
    losses = [10.0, 40.0, 60.0, 100.0]
    # step: 0.08*10 + 0.01*40 + 0.008*60 + 0.002*100 = 1.88
    assert step_aal(losses, RPS) == pytest.approx(1.88)
    # trapezoid: 0.08*25 + 0.01*50 + 0.008*80 + 0.002*100 = 3.34
    assert trapezoid_aal(losses, RPS) == pytest.approx(3.34)


def test_engine_aal_equals_the_step_integral_of_the_loss_exceedance_curve(tmp_path: Path) -> None:
    """One residential asset of 1,000,000 USD at one site; depths 0.5, 1, 2, 4 m at RP 10, 50, 100, 500 y."""
    from kalkan.app.risk import run_assessment

    depths = np.array([0.5, 1.0, 2.0, 4.0])
    hazard = hazard_from_return_period_maps(depths[:, None], RPS, peril="riverine_flood", site_lon=np.array([69.0]),
                                            site_lat=np.array([40.0]), source="one site")  # fmt: skip
    hz = save_hazard(hazard, tmp_path / "h.npz")
    exposure = Exposure(id=np.array(["a1"], dtype=object), lon=np.array([69.0]), lat=np.array([40.0]),
                        taxonomy=np.array(["CR+CIP/LFINF+CDL/HBET:1-3/RES"], dtype=object),
                        costs={"structural": np.array([1_000_000.0])}, currency="USD", price_year=2021)  # fmt: skip
    ex = write_exposure(exposure, tmp_path / "e.csv")
    summary = run_assessment([hz], ex, [Path("jrc-flood-asia")], tmp_path / "out", max_distance_km=0.1).as_dict()
    curve = jrc_asia_curves()["residential"]
    loss = 1_000_000.0 * np.interp(depths, curve.depth_m, curve.fraction)
    # The loss-exceedance curve lambda(L) = sum of the band frequencies (0.08, 0.01, 0.008, 0.002 per year) of
    # the events whose loss is >= L: a step function. AAL = its area, summed rectangle by rectangle.
    freq = np.array([0.08, 0.01, 0.008, 0.002])
    area = 0.0
    previous = 0.0
    for level in np.sort(loss):
        area += (level - previous) * float(freq[loss >= level].sum())
        previous = level
    assert summary["aal"] == pytest.approx(area, rel=1e-6)
    assert summary["aal"] == pytest.approx(step_aal(loss.tolist(), RPS), rel=1e-6)
    assert summary["aal"] < trapezoid_aal(loss.tolist(), RPS)


def test_susceptibility_indicator() -> None:
    values = np.array([[0.0, 3.0, np.nan], [1.0, 5.0, np.nan]])
    ind = susceptibility_indicator(values, np.zeros(3), np.zeros(3), class_frequency_per_year={5: 0.01})
    assert ind.site_class.tolist() == [1, 5, -1]
    assert ind.counts()["5"] == 1 and ind.counts()["none"] == 1
    assert np.isnan(ind.annual_frequency_per_year[0]) and ind.annual_frequency_per_year[1] == 0.01
    assert "not usable for losses" in ind.as_dict()["kind"]
    with pytest.raises(InputError):
        susceptibility_indicator(values, np.zeros(3), np.zeros(3), class_frequency_per_year={7: 0.1})
