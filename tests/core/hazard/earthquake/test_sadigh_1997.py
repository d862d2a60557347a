"""Sadigh et al. (1997) against the paper's equations evaluated by hand, plus properties of the model.

No OpenQuake verification table exists for this model. The reference values below apply the paper's equations
with coefficients typed here from its Tables 2-4, independently of ``coeffs/sadigh_1997.csv``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import ArrayLike, NDArray

from kalkan.core.hazard.earthquake.gmpe import Context, get_model
from kalkan.core.hazard.earthquake.gmpe.sadigh_1997 import SadighEtAl1997
from kalkan.errors import InputError
from tests.errors import expect_error

# Table 2 (rock): period -> (c1, c2, c3, c4, c5, c6, c7) for M <= 6.5 and for M > 6.5; Table 3: sigma a, cap.
ROCK_SMALL = {
    "PGA": (-0.624, 1.0, 0.0, -2.100, 1.29649, 0.250, 0.0),
    "SA(0.07)": (0.110, 1.0, 0.006, -2.128, 1.29649, 0.250, -0.082),
    "SA(0.2)": (0.153, 1.0, -0.004, -2.080, 1.29649, 0.250, 0.0),
    "SA(1.0)": (-1.705, 1.0, -0.055, -1.800, 1.29649, 0.250, 0.0),
    "SA(4.0)": (-4.230, 1.0, -0.100, -1.570, 1.29649, 0.250, 0.0),
}
ROCK_LARGE = {
    "PGA": (-1.274, 1.1, 0.0, -2.100, -0.48451, 0.524, 0.0),
    "SA(0.07)": (-0.540, 1.1, 0.006, -2.128, -0.48451, 0.524, -0.082),
    "SA(0.2)": (-0.497, 1.1, -0.004, -2.080, -0.48451, 0.524, 0.0),
    "SA(1.0)": (-2.355, 1.1, -0.055, -1.800, -0.48451, 0.524, 0.0),
    "SA(4.0)": (-4.880, 1.1, -0.100, -1.570, -0.48451, 0.524, 0.0),
}
ROCK_SIGMA = {"PGA": (1.39, 0.38), "SA(0.07)": (1.40, 0.39), "SA(0.2)": (1.43, 0.42), "SA(1.0)": (1.53, 0.52),
              "SA(4.0)": (1.53, 0.52)}  # fmt: skip
# Table 4 (deep soil): period -> (c6 strike-slip, c6 reverse, c7, sigma a).
SOIL = {
    "PGA": (0.0, 0.0, 0.0, 1.52),
    "SA(0.075)": (0.4572, 0.4572, 0.005, 1.54),
    "SA(0.2)": (0.9187, 0.9187, -0.004, 1.565),
    "SA(1.0)": (0.5665, 0.5075, -0.065, 1.66),
    "SA(3.0)": (-0.2801, -0.4905, -0.139, 1.71),
}


def rock_by_hand(imt: str, mag: float, rrup: float, reverse: bool) -> tuple[float, float]:
    c1, c2, c3, c4, c5, c6, c7 = (ROCK_LARGE if mag > 6.5 else ROCK_SMALL)[imt]
    ln_y = c1 + c2 * mag + c3 * (8.5 - mag) ** 2.5 + c4 * math.log(rrup + math.exp(c5 + c6 * mag))
    ln_y += c7 * math.log(rrup + 2.0) + (math.log(1.2) if reverse else 0.0)
    a, cap = ROCK_SIGMA[imt]
    return ln_y, (cap if mag >= 7.21 else a - 0.14 * mag)


def soil_by_hand(imt: str, mag: float, rrup: float, reverse: bool) -> tuple[float, float]:
    c6_ss, c6_rv, c7, a = SOIL[imt]
    c1, c6 = (-1.92, c6_rv) if reverse else (-2.17, c6_ss)
    c4, c5 = (0.3825, 0.5882) if mag > 6.5 else (2.1863, 0.32)
    ln_y = c1 + 1.0 * mag - 1.70 * math.log(rrup + c4 * math.exp(c5 * mag)) + c6 + c7 * (8.5 - mag) ** 2.5
    return ln_y, a - 0.16 * min(mag, 7.0)


def _floats(values: ArrayLike) -> NDArray[np.float64]:
    return np.atleast_1d(np.asarray(values, dtype=np.float64))


def _ctx(mag: ArrayLike, rake: ArrayLike = 0.0, rrup: ArrayLike = 10.0, vs30: ArrayLike = np.nan) -> Context:
    """A context from scalars or arrays (broadcast by :class:`Context`)."""
    return Context(mag=_floats(mag), rake=_floats(rake), rrup=_floats(rrup), vs30=_floats(vs30))


CASES = [(mag, rrup, rake) for mag in (4.5, 6.0, 6.5, 7.0, 7.5, 8.0) for rrup in (0.0, 5.0, 30.0, 100.0)
         for rake in (0.0, 90.0, -90.0)]  # fmt: skip


def _context(vs30: float) -> Context:
    mag, rrup, rake = (np.array(v) for v in zip(*CASES, strict=True))
    return _ctx(mag=mag, rrup=rrup, rake=rake, vs30=vs30)


@pytest.mark.parametrize("imt", list(ROCK_SMALL))
def test_rock_matches_the_paper_by_hand(imt: str) -> None:
    gm = SadighEtAl1997().compute(_context(vs30=760.0), imt)
    expected = np.array([rock_by_hand(imt, m, r, 45 <= k <= 135) for m, r, k in CASES])
    np.testing.assert_allclose(gm.mean, expected[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gm.sigma, expected[:, 1], rtol=1e-12)
    assert np.isnan(gm.tau).all() and np.isnan(gm.phi).all()


@pytest.mark.parametrize("imt", list(SOIL))
def test_deep_soil_matches_the_paper_by_hand(imt: str) -> None:
    gm = SadighEtAl1997().compute(_context(vs30=300.0), imt)
    expected = np.array([soil_by_hand(imt, m, r, 45 <= k <= 135) for m, r, k in CASES])
    np.testing.assert_allclose(gm.mean, expected[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(gm.sigma, expected[:, 1], rtol=1e-12)


def test_a_few_values_worked_out_on_paper() -> None:
    """M 6 strike-slip at 10 km on rock: ln PGA = -0.624 + 6 - 2.1 ln(10 + e^2.79649) = -1.4971 (0.224 g);
    M 7 reverse at 20 km on deep soil: ln PGA = -1.92 + 7 - 1.7 ln(20 + 0.3825 e^4.1174) = -1.3331 (0.264 g)."""
    rock = SadighEtAl1997().compute(_ctx(mag=np.array([6.0]), rake=0.0, rrup=10.0, vs30=1000.0), "PGA")
    soil = SadighEtAl1997().compute(_ctx(mag=np.array([7.0]), rake=90.0, rrup=20.0, vs30=250.0), "PGA")
    assert rock.mean[0] == pytest.approx(-1.4971, abs=1e-4)
    assert rock.sigma[0] == pytest.approx(1.39 - 0.14 * 6.0)
    assert soil.mean[0] == pytest.approx(-1.3331, abs=1e-4)
    assert soil.sigma[0] == pytest.approx(0.40)


def test_site_class_option_and_mixed_sites() -> None:
    ctx = _ctx(mag=np.array([6.0, 6.0]), rake=0.0, rrup=10.0, vs30=np.array([900.0, 300.0]))
    auto = SadighEtAl1997().compute(ctx, "SA(1.0)")
    rock = SadighEtAl1997(site_class="rock").compute(ctx, "SA(1.0)")
    soil = SadighEtAl1997(site_class="deep_soil").compute(ctx, "SA(1.0)")
    np.testing.assert_allclose(auto.mean, [rock.mean[0], soil.mean[1]])
    assert rock.mean[0] == rock.mean[1]  # the rock equations ignore Vs30
    # Each site class has its own short period.
    assert "SA(0.07)" in SadighEtAl1997(site_class="rock").supported_imts()
    assert "SA(0.075)" in SadighEtAl1997(site_class="deep_soil").supported_imts()
    with pytest.raises(InputError) as info:  # SA(0.07) is a rock period; deep soil has SA(0.075)
        SadighEtAl1997().compute(ctx, "SA(0.07)")
    expect_error(info, "input.unsupported", "imt")


def test_interpolation_in_log_period() -> None:
    """SA(0.15) uses coefficients interpolated halfway (in log period) between 0.1 and 0.2 s."""
    model = SadighEtAl1997(site_class="rock")
    c = model.coefficients_for("SA(0.15)")
    w = math.log(0.15 / 0.1) / math.log(2.0)
    assert c["c1"] == pytest.approx(0.275 + w * (0.153 - 0.275))
    assert c["c7"] == pytest.approx(-0.041 * (1 - w))


def test_found_by_name_and_alias() -> None:
    by_name = get_model("SadighEtAl1997")
    by_alias = get_model("Sadigh1997", site_class="rock")
    assert isinstance(by_name, SadighEtAl1997)
    assert isinstance(by_alias, SadighEtAl1997)
    assert by_alias.site_class == "rock"
    assert "Seismological Research Letters 68(1)" in by_name.reference
    assert {"PGA", "SA(0.07)", "SA(0.075)", "SA(4.0)"} <= set(by_name.supported_imts())


@pytest.mark.parametrize(
    ("options", "field"), [({"site_class": "soft"}, "site_class"), ({"site_class": None}, "site_class"),
                           ({"region": "CAL"}, "region")],
)  # fmt: skip
def test_bad_option_is_refused(options: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        get_model("Sadigh1997", **options)
    expect_error(info, "input.unknown", field)


def test_out_of_range_inputs() -> None:
    model = SadighEtAl1997()
    big = _ctx(mag=np.array([8.7]), rake=0.0, rrup=10.0, vs30=800.0)
    with pytest.raises(InputError) as info:  # above M 8.5 the equations are undefined
        model.compute(big, "PGA")
    expect_error(info, "input.range", "mag")
    with pytest.raises(InputError) as info:
        model.check(big)
    expect_error(info, "input.range", "mag")
    with pytest.raises(InputError) as info:
        model.compute(_ctx(mag=np.array([6.0]), rake=0.0, rrup=10.0, vs30=800.0), "PGV")
    expect_error(info, "input.unsupported", "imt")
    with pytest.raises(InputError) as info:
        model.compute(_ctx(mag=np.array([6.0]), rake=0.0, rrup=10.0), "PGA")
    expect_error(info, "input.missing", "vs30")
    warnings = model.check(_ctx(mag=np.array([3.5, 6.0]), rake=0.0, rrup=np.array([10.0, 150.0]), vs30=800.0))
    assert len(warnings) == 2


@settings(max_examples=80, deadline=None)
@given(
    mag=st.floats(4.0, 8.5),
    rrup=st.floats(0.0, 200.0),
    rake=st.sampled_from([-90.0, 0.0, 90.0]),
    vs30=st.sampled_from([200.0, 1100.0]),
    imt=st.sampled_from(["PGA", "SA(0.1)", "SA(0.3)", "SA(0.6)", "SA(1.0)", "SA(2.5)", "SA(4.0)"]),
)
def test_properties(mag: float, rrup: float, rake: float, vs30: float, imt: str) -> None:
    """Finite; the median falls with distance; sigma does not grow with magnitude; the median is continuous
    (to the coefficients' rounding, 0.1 %) across the M 6.5 change of coefficients."""
    model = SadighEtAl1997()
    ctx = _ctx(mag=np.full(3, mag), rake=rake, rrup=np.array([rrup, rrup + 1.0, rrup + 20.0]), vs30=vs30)
    gm = model.compute(ctx, imt)
    assert np.isfinite(gm.mean).all() and (gm.sigma > 0).all()
    assert (np.diff(gm.mean) < 0).all()
    mags = np.array([mag, min(mag + 0.1, 8.5)])
    sig = model.compute(_ctx(mag=mags, rake=rake, rrup=rrup, vs30=vs30), imt).sigma
    assert sig[1] <= sig[0] + 1e-12
    edge = model.compute(_ctx(mag=np.array([6.5, 6.5 + 1e-9]), rake=rake, rrup=rrup, vs30=vs30), imt)
    assert abs(edge.mean[1] - edge.mean[0]) < 1e-3
