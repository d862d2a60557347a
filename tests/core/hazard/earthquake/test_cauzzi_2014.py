"""Cauzzi et al. (2015) against OpenQuake's verification tables, plus properties and options.

The tables (``data/C14``, see its README) cover PGV, PGA and all 208 spectral periods; OpenQuake accepts 0.1 %.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.app.gmpe_verification import verify
from kalkan.core.hazard.earthquake.gmpe import Context, get_model
from kalkan.core.hazard.earthquake.gmpe.cauzzi_2014 import CauzziEtAl2014
from kalkan.errors import InputError
from kalkan.io.gsim_table import read_table
from tests.errors import expect_error

DATA = Path(__file__).parent / "data" / "C14"
TOLERANCE_PCT = 0.1


@pytest.mark.parametrize(
    ("filename", "result_type"),
    [
        ("CAUZZI_MEAN.csv", "MEAN"),
        ("CAUZZI_INTER_STD.csv", "INTER_EVENT_STDDEV"),
        ("CAUZZI_TOTAL_STD.csv", "TOTAL_STDDEV"),
    ],
)
def test_verification_table(filename: str, result_type: str) -> None:
    table = read_table(DATA / filename)
    assert table.unused_columns == ()
    assert len(table.imts) == 210  # PGV, PGA and 208 periods from 0.01 s to 10 s
    result = verify(CauzziEtAl2014(), table)
    assert set(result.max_error_pct) == {result_type}
    assert result.max_error_pct[result_type] <= TOLERANCE_PCT, result.worst


def test_within_event_coefficients_close_the_variance_budget() -> None:
    """No table checks phi or the no-SOF sigmas; the supplement's columns satisfy s^2 = t^2 + f^2 in both cases."""
    c = CauzziEtAl2014.coefficients()
    np.testing.assert_allclose(c["sM"] ** 2, c["tM"] ** 2 + c["f"] ** 2, rtol=1e-6)
    np.testing.assert_allclose(c["s"] ** 2, c["t"] ** 2 + c["f"] ** 2, rtol=1e-6)
    assert c["imt"][:3] == ["PGV", "PGA", "SA(0.01)"] and len(c["imt"]) == 210


def test_registry_finds_the_model_under_both_names() -> None:
    for name in ("CauzziEtAl2014", "Cauzzi2014"):
        model = get_model(name)
        assert isinstance(model, CauzziEtAl2014)
        assert model.sof is True and model.adjustment_factor == 1.0
    model = get_model("Cauzzi2014", sof=False, adjustment_factor=1.25)
    assert isinstance(model, CauzziEtAl2014) and model.sof is False


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"sof": "yes"}, "input.type"),
        ({"sof": 1}, "input.type"),
        ({"adjustment_factor": 0.0}, "input.range"),
        ({"adjustment_factor": -1.0}, "input.range"),
        ({"adjustment_factor": float("nan")}, "input.range"),
        ({"adjustment_factor": "big"}, "input.range"),
        ({"adjustment_factor": True}, "input.range"),
        ({"region": "CAL"}, "input.unknown"),
    ],
)
def test_bad_options_are_refused(options: dict[str, object], code: str) -> None:
    with pytest.raises(InputError) as info:
        CauzziEtAl2014(**options)  # type: ignore[arg-type]
    expect_error(info, code, next(iter(options)))


def test_missing_rake_is_an_error_only_with_style_of_faulting() -> None:
    ctx = Context(mag=np.array([6.0]), rrup=np.array([20.0]), vs30=np.array([400.0]))
    with pytest.raises(InputError) as info:
        CauzziEtAl2014().compute(ctx, "PGA")
    expect_error(info, "input.missing", "rake")
    gm = CauzziEtAl2014(sof=False).compute(ctx, "PGA")
    assert np.isfinite(gm.mean).all()
    c = CauzziEtAl2014().coefficients_for("PGA")
    assert gm.tau[0] == pytest.approx(math.log(10) * c["t"]) and gm.sigma[0] == pytest.approx(math.log(10) * c["s"])


def test_options_shift_the_median_as_documented() -> None:
    ctx = Context(
        mag=np.array([5.0, 6.0, 7.0]), rake=np.array([-90.0, 90.0, 0.0]), rrup=np.array([10.0]), vs30=np.array([300.0])
    )
    base = CauzziEtAl2014().compute(ctx, "SA(0.3)")
    no_sof = CauzziEtAl2014(sof=False).compute(ctx, "SA(0.3)")
    c = CauzziEtAl2014().coefficients_for("SA(0.3)")
    terms = np.array([c["fN"], c["fR"], c["fSS"]]) * math.log(10)
    np.testing.assert_allclose(base.mean - no_sof.mean, terms, atol=1e-12)
    scaled = CauzziEtAl2014(adjustment_factor=2.0).compute(ctx, "SA(0.3)")
    np.testing.assert_allclose(scaled.mean - base.mean, math.log(2.0), atol=1e-12)
    np.testing.assert_array_equal(scaled.sigma, base.sigma)


@settings(max_examples=60, deadline=None)
@given(
    mag=st.floats(4.5, 7.9),
    rrup=st.floats(0.0, 150.0),
    extra_km=st.floats(1.0, 100.0),
    vs30=st.floats(150.0, 1500.0),
    rake=st.floats(-180.0, 180.0),
    imt=st.sampled_from(["PGA", "PGV", "SA(0.01)", "SA(0.033)", "SA(0.2)", "SA(1.0)", "SA(2.72)", "SA(10.0)"]),
)
def test_motion_falls_with_distance_and_with_stiffer_sites(
    mag: float, rrup: float, extra_km: float, vs30: float, rake: float, imt: str
) -> None:
    """Within the data range, the median decreases with rupture distance and with Vs30 (bV < 0 at every period),
    standard deviations do not depend on the scenario, and sigma^2 = tau^2 + phi^2."""
    ctx = Context(
        mag=np.full(3, mag),
        rake=np.full(3, rake),
        rrup=np.array([rrup, rrup + extra_km, rrup]),
        vs30=np.array([vs30, vs30, vs30 * 1.5]),
    )
    gm = CauzziEtAl2014().compute(ctx, imt)
    assert np.all(np.isfinite(gm.mean))
    assert gm.mean[1] < gm.mean[0] and gm.mean[2] < gm.mean[0]
    assert np.ptp(gm.sigma) == 0.0 and np.ptp(gm.tau) == 0.0 and np.ptp(gm.phi) == 0.0
    np.testing.assert_allclose(gm.sigma**2, gm.tau**2 + gm.phi**2, rtol=1e-4)  # 1e-4: interpolated periods
