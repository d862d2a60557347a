"""Akkar, Sandikkaya & Bommer (2014), Rjb model: hand-computed values from the paper's equations, and properties.

No OpenQuake verification table exists for this model, so the expected values below are the paper's equations
(2a-b, 3a-c) worked out step by step with the coefficients typed from its Tables 3 and 4a, independently of
``coeffs/akkar_2014_rjb.csv``.
"""

from __future__ import annotations

import csv
import math
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.core.hazard.earthquake.gmpe import Context, get_model
from kalkan.core.hazard.earthquake.gmpe.akkar_2014 import AkkarEtAlRjb2014
from kalkan.errors import InputError
from tests.errors import expect_error

# Table 3 (period-independent).
A2, A5, A6, A7, C1, VREF, VCON, C, N = 0.0029, 0.2529, 7.5, -0.5096, 6.75, 750.0, 1000.0, 2.5, 3.2
# Table 4a rows used here: a1, a3, a4, a8, a9, b1, b2, phi, tau.
PGA = (1.85329, -0.02807, -1.23452, -0.1091, 0.0937, -0.41997, -0.28846, 0.6201, 0.3501)
SA_0_2 = (2.73872, -0.03462, -1.28877, 0.0, 0.0493, -0.65315, -0.44644, 0.6645, 0.3842)
PGV = (5.61201, -0.0998, -0.98388, -0.0616, 0.063, -0.72057, -0.19688, 0.6014, 0.3311)


def _scenario(n: int = 1, **fields: object) -> Context:
    base: dict[str, object] = {"mag": 6.0, "rake": 0.0, "rjb": 10.0, "vs30": 400.0}
    base.update(fields)
    return Context(**{k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in base.items()})  # type: ignore[arg-type]


def test_strike_slip_pga_on_stiff_rock() -> None:
    """PGA, M 6 strike-slip, Rjb 10 km, Vs30 800 m/s (above Vref: linear site term only)."""
    a1, a3, a4, _, _, b1, _, phi, tau = PGA
    ln_ref = a1 + A2 * (6.0 - C1) + a3 * (8.5 - 6.0) ** 2 + (a4 + A5 * (6.0 - C1)) * math.log(math.hypot(10.0, A6))
    ln_s = b1 * math.log(800.0 / VREF)
    gm = get_model("Akkar2014Rjb").compute(_scenario(vs30=800.0), "PGA")
    assert gm.mean[0] == pytest.approx(ln_ref + ln_s, abs=1e-12)
    assert math.exp(gm.mean[0]) == pytest.approx(0.14248, rel=1e-5)  # OpenQuake's AkkarEtAlRjb2014 gives 0.14248 g
    assert (gm.phi[0], gm.tau[0]) == pytest.approx((phi, tau))
    assert gm.sigma[0] == pytest.approx(math.sqrt(phi**2 + tau**2))


def test_reverse_sa_on_soft_soil_uses_nonlinear_amplification() -> None:
    """SA(0.2 s), M 7 reverse (above the hinge c1), Rjb 30 km, Vs30 300 m/s; PGA_REF from the PGA row."""
    mag, rjb, vs30 = 7.0, 30.0, 300.0
    ln_r = math.log(math.hypot(rjb, A6))

    def ln_ref(row: tuple[float, ...]) -> float:
        a1, a3, a4, _a8, a9 = row[:5]
        return a1 + A7 * (mag - C1) + a3 * (8.5 - mag) ** 2 + (a4 + A5 * (mag - C1)) * ln_r + a9  # FR = 1

    pga_ref = math.exp(ln_ref(PGA))
    b1, b2 = SA_0_2[5], SA_0_2[6]
    x = vs30 / VREF
    ln_s = b1 * math.log(x) + b2 * math.log((pga_ref + C * x**N) / ((pga_ref + C) * x**N))
    gm = get_model("Akkar2014Rjb").compute(_scenario(mag=mag, rake=90.0, rjb=rjb, vs30=vs30), "SA(0.2)")
    assert gm.mean[0] == pytest.approx(ln_ref(SA_0_2) + ln_s, abs=1e-12)
    assert math.exp(gm.mean[0]) == pytest.approx(0.282588, rel=1e-5)  # OpenQuake: 0.282588 g
    assert gm.phi[0] == pytest.approx(SA_0_2[7])
    assert gm.tau[0] == pytest.approx(SA_0_2[8])


def test_normal_pgv_above_vcon() -> None:
    """PGV, M 5 normal, Rjb 0, Vs30 1100 m/s: amplification is capped at Vcon = 1000 m/s."""
    a1, a3, a4, a8, _, b1, _, _, _ = PGV
    ln_ref = a1 + A2 * (5.0 - C1) + a3 * (8.5 - 5.0) ** 2 + (a4 + A5 * (5.0 - C1)) * math.log(A6) + a8
    ln_s = b1 * math.log(VCON / VREF)
    gm = get_model("Akkar2014Rjb").compute(_scenario(mag=5.0, rake=-90.0, rjb=0.0, vs30=1100.0), "PGV")
    assert gm.mean[0] == pytest.approx(ln_ref + ln_s, abs=1e-12)
    assert math.exp(gm.mean[0]) == pytest.approx(3.46018, rel=1e-5)  # cm/s; OpenQuake: 3.46018


def test_coefficient_table_totals_match_phi_and_tau() -> None:
    """The tabulated total sigma equals sqrt(phi^2 + tau^2) to the table's 4 decimals (a transcription check)."""
    text = (resources.files("kalkan.core.hazard.earthquake.gmpe") / "coeffs" / "akkar_2014_rjb.csv").read_text()
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    assert len(rows) == 64  # PGA, PGV and 62 periods
    for row in rows:
        total = math.hypot(float(row["phi"]), float(row["tau"]))
        assert abs(total - float(row["sigma"])) <= 6e-5, row["imt"]


def test_found_by_name_and_alias() -> None:
    by_name = get_model("AkkarEtAlRjb2014")
    by_alias = get_model("Akkar2014Rjb")
    assert isinstance(by_name, AkkarEtAlRjb2014)
    assert isinstance(by_alias, AkkarEtAlRjb2014)
    assert "10.1007/s10518-013-9461-4" in by_name.reference
    imts = by_name.supported_imts()
    assert {"PGA", "PGV", "SA(0.01)", "SA(0.075)", "SA(4.0)"} <= set(imts)
    assert len(imts) == 64


def test_bad_option_imt_and_context_are_refused() -> None:
    with pytest.raises(InputError) as info:
        get_model("Akkar2014Rjb", region="TUR")
    expect_error(info, "input.unknown", "region")
    model = get_model("Akkar2014Rjb")
    with pytest.raises(InputError) as info:
        model.compute(_scenario(), "SA(5.0)")
    expect_error(info, "input.unsupported", "imt")
    with pytest.raises(InputError) as info:
        model.compute(_scenario(vs30=np.nan), "PGA")
    expect_error(info, "input.missing", "vs30")


def test_check_warns_outside_the_data_set() -> None:
    model = get_model("Akkar2014Rjb")
    assert model.check(_scenario()) == []
    assert len(model.check(_scenario(n=2, mag=np.array([3.5, 6.0]), rjb=250.0, vs30=1400.0))) == 3


IMTS = st.sampled_from(["PGA", "PGV", "SA(0.01)", "SA(0.2)", "SA(0.21)", "SA(1.0)", "SA(4.0)"])


@settings(max_examples=60, deadline=None)
@given(
    imt=IMTS,
    mag=st.floats(4.0, 8.0),
    rake=st.sampled_from([-90.0, 0.0, 90.0, 180.0]),
    vs30=st.floats(150.0, 1500.0),
    rjb=st.lists(st.floats(0.0, 300.0), min_size=2, max_size=20),
)
def test_median_decreases_with_distance(imt: str, mag: float, rake: float, vs30: float, rjb: list[float]) -> None:
    """For fixed source and site, the median never grows with Rjb (nonlinear soil included)."""
    r = np.sort(np.asarray(rjb))
    gm = get_model("Akkar2014Rjb").compute(_scenario(n=r.size, mag=mag, rake=rake, vs30=vs30, rjb=r), imt)
    assert (np.diff(gm.mean) <= 1e-12).all()


@settings(max_examples=40, deadline=None)
@given(imt=IMTS, mag=st.lists(st.floats(4.0, 8.0), min_size=1, max_size=10), vs30=st.floats(150.0, 1500.0))
def test_sigma_is_root_sum_of_squares_and_rows_are_independent(imt: str, mag: list[float], vs30: float) -> None:
    model = get_model("Akkar2014Rjb")
    m = np.asarray(mag)
    gm = model.compute(_scenario(n=m.size, mag=m, vs30=vs30), imt)
    np.testing.assert_allclose(gm.sigma**2, gm.tau**2 + gm.phi**2, rtol=1e-12)
    last = model.compute(_scenario(mag=m[-1], vs30=vs30), imt)
    np.testing.assert_allclose(gm.mean[-1], last.mean[0], rtol=1e-12)
