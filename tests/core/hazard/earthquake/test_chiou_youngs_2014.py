"""Chiou & Youngs (2014) against OpenQuake's verification tables (from OpenSHA), plus properties of the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.app.gmpe_verification import verify
from kalkan.core.hazard.earthquake.gmpe import Context, get_model
from kalkan.core.hazard.earthquake.gmpe.chiou_youngs_2014 import ChiouYoungs2014, mean_z1pt0_m, mean_ztor_km
from kalkan.errors import InputError
from kalkan.io.gsim_table import read_table
from tests.errors import expect_error

DATA = Path(__file__).parent / "data" / "NGA" / "CY14"

# file, region, OpenQuake's tolerance (percent)
TABLES = [
    ("CY14_MEDIAN_MS_HW_SS.csv", "CAL", 0.05),
    ("CY14_INTER_EVENT_SIGMA.csv", "CAL", 0.05),
    ("CY14_INTRA_EVENT_SIGMA.csv", "CAL", 0.05),
    ("CY14_TOTAL_EVENT_SIGMA.csv", "CAL", 0.05),
    ("cy14_extended_table_mean.csv", "CAL", 0.001),
    ("cy14_extended_table_total_stddev.csv", "CAL", 0.001),
    ("CY14_Japan_MEAN.csv", "JPN", 1.0),
    ("CY14_Italy_MEAN.csv", "ITA", 1.0),
    ("CY14_Wenchuan_MEAN.csv", "WEN", 1.0),
]


@pytest.mark.parametrize(("filename", "region", "tolerance_pct"), TABLES)
def test_matches_openquake_table(filename: str, region: str, tolerance_pct: float) -> None:
    table = read_table(DATA / filename)
    result = verify(get_model("ChiouYoungs2014", region=region), table)
    assert result.rows, "the table has no rows"
    for kind, err in result.max_error_pct.items():
        assert err <= tolerance_pct, f"{filename} {kind}: {err:.4f} % at {result.worst[kind]}"


def test_regional_tables_match_where_z1pt0_is_known() -> None:
    """The regional tables differ only where Z1.0 = 0 (see the module docstring); elsewhere they match closely."""
    for filename, region in (("CY14_Japan_MEAN.csv", "JPN"), ("CY14_Italy_MEAN.csv", "ITA")):
        table = read_table(DATA / filename)
        known = table.context.z1pt0 > 0
        model = ChiouYoungs2014(region=region)
        for j, imt in enumerate(table.imts):
            got = np.exp(model.compute(table.context, imt).mean)[known]
            np.testing.assert_allclose(got, table.expected[known, j], rtol=1e-6)


def test_found_by_name_and_alias() -> None:
    by_name = get_model("ChiouYoungs2014")
    by_alias = get_model("CY14", region="jpn", use_hw=False)
    assert isinstance(by_name, ChiouYoungs2014)
    assert isinstance(by_alias, ChiouYoungs2014)
    assert (by_name.region, by_name.use_hw) == ("CAL", True)
    assert (by_alias.region, by_alias.use_hw) == ("JPN", False)
    assert "10.1193/072813EQS219M" in by_name.reference
    imts = by_name.supported_imts()
    assert {"PGA", "PGV", "SA(0.01)", "SA(0.3)", "SA(10.0)"} <= set(imts)
    assert len(imts) == 26


@pytest.mark.parametrize(
    ("options", "code"),
    [({"region": "EUR"}, "input.unknown"), ({"region": 3}, "input.unknown"), ({"use_hw": "yes"}, "input.type"),
     ({"sigma_mu": 1.0}, "input.unknown")],
)  # fmt: skip
def test_bad_option_is_refused(options: dict[str, object], code: str) -> None:
    with pytest.raises(InputError) as info:
        get_model("CY14", **options)
    expect_error(info, code, next(iter(options)))


def _scenario(n: int = 1, **fields: object) -> Context:
    base: dict[str, object] = {
        "mag": 6.5, "rake": 90.0, "dip": 45.0, "ztor": 2.0, "rrup": 12.0, "rjb": 8.0, "rx": 5.0,
        "vs30": 400.0, "vs30measured": True, "z1pt0": np.nan,
    }  # fmt: skip
    base.update(fields)
    return Context(**{k: np.broadcast_to(np.asarray(v), (n,)) for k, v in base.items()})  # type: ignore[arg-type]


def test_missing_ztor_and_z1pt0_take_the_paper_means() -> None:
    model = ChiouYoungs2014()
    for mag, rake in ((5.0, 0.0), (6.5, 90.0), (7.5, -90.0)):
        reverse = np.array([30.0 <= rake <= 150.0])
        ztor = float(mean_ztor_km(np.array([mag]), reverse)[0])
        z1 = float(mean_z1pt0_m(np.array([300.0]))[0])
        unknown = model.compute(_scenario(mag=mag, rake=rake, ztor=np.nan, vs30=300.0), "SA(1.0)")
        given_ = model.compute(_scenario(mag=mag, rake=rake, ztor=ztor, vs30=300.0, z1pt0=z1), "SA(1.0)")
        np.testing.assert_allclose(unknown.mean, given_.mean, rtol=1e-12)
    # Deeper sediments than average amplify long periods.
    shallow = model.compute(_scenario(vs30=300.0, z1pt0=50.0), "SA(3.0)").mean
    deep = model.compute(_scenario(vs30=300.0, z1pt0=800.0), "SA(3.0)").mean
    assert deep[0] > shallow[0]


def test_short_periods_are_floored_at_pga() -> None:
    """p. 1144: PSA at T <= 0.3 s is not below PGA (matters for small, distant events on soft soil)."""
    model = ChiouYoungs2014()
    ctx = _scenario(n=3, mag=np.array([3.5, 5.0, 7.5]), rrup=np.array([200.0, 50.0, 5.0]), vs30=180.0)
    pga = model.compute(ctx, "PGA").mean
    for imt in ("SA(0.01)", "SA(0.02)", "SA(0.3)", "SA(0.25)"):
        assert (model.compute(ctx, imt).mean >= pga).all()


def test_hanging_wall_only_on_the_hanging_wall() -> None:
    model = ChiouYoungs2014()
    on = model.compute(_scenario(rx=5.0), "PGA").mean
    footwall = model.compute(_scenario(rx=-5.0), "PGA").mean
    off = ChiouYoungs2014(use_hw=False).compute(_scenario(rx=5.0), "PGA").mean
    assert on[0] > footwall[0]
    np.testing.assert_allclose(footwall, off)


def test_japan_uses_its_own_sigma2() -> None:
    ctx = _scenario(mag=7.0)
    cal = ChiouYoungs2014().compute(ctx, "SA(1.0)")
    jpn = ChiouYoungs2014(region="JPN").compute(ctx, "SA(1.0)")
    assert jpn.phi[0] > cal.phi[0]  # sigma2,JP = 0.5302 > sigma2 = 0.4594 at 1 s
    np.testing.assert_allclose(jpn.tau, cal.tau)


def test_interpolated_period_lies_between_neighbours_on_rock() -> None:
    ctx = _scenario(vs30=1130.0, rrup=30.0)
    model = ChiouYoungs2014()
    lo, mid, hi = (model.compute(ctx, imt).mean[0] for imt in ("SA(1.0)", "SA(1.2)", "SA(1.5)"))
    assert min(lo, hi) <= mid <= max(lo, hi)


def test_bad_context_is_refused() -> None:
    model = ChiouYoungs2014()
    with pytest.raises(InputError) as info:
        model.compute(_scenario(rx=np.nan), "PGA")
    expect_error(info, "input.missing", "rx")
    assert np.isfinite(ChiouYoungs2014(use_hw=False).compute(_scenario(rx=np.nan), "PGA").mean).all()
    with pytest.raises(InputError) as info:
        model.compute(_scenario(z1pt0=-999.0), "PGA")
    expect_error(info, "input.range", "z1pt0")
    with pytest.raises(InputError) as info:
        model.compute(_scenario(), "SA(20.0)")
    expect_error(info, "input.unsupported", "imt")
    assert model.check(_scenario(mag=9.0))  # warns, extrapolates


@settings(max_examples=60, deadline=None)
@given(
    mag=st.floats(3.5, 8.5),
    rjb=st.floats(0.0, 250.0),
    ztor=st.floats(0.0, 15.0),
    rake=st.sampled_from([-90.0, 0.0, 90.0, 180.0]),
    vs30=st.floats(150.0, 1500.0),
    z1pt0=st.one_of(st.just(np.nan), st.floats(1.0, 1500.0)),
    measured=st.booleans(),
    region=st.sampled_from(["CAL", "JPN", "ITA", "WEN"]),
    imt=st.sampled_from(["PGA", "PGV", "SA(0.05)", "SA(0.2)", "SA(0.7)", "SA(2.0)", "SA(10.0)"]),
)
def test_properties(
    mag: float,
    rjb: float,
    ztor: float,
    rake: float,
    vs30: float,
    z1pt0: float,
    measured: bool,
    region: str,
    imt: str,
) -> None:
    """Finite outputs, sigma^2 = tau^2 + phi^2, row-by-row equals vectorised, and (footwall of a vertical
    fault) the median does not grow with distance."""
    rjbs = np.array([rjb, rjb + 1.0, rjb + 30.0])
    rrup = np.sqrt(rjbs**2 + ztor**2)
    ctx = _scenario(
        n=3, mag=mag, rake=rake, dip=90.0, ztor=ztor, rjb=rjbs, rrup=rrup, rx=-rjbs, vs30=vs30,
        vs30measured=measured, z1pt0=z1pt0,
    )  # fmt: skip
    model = ChiouYoungs2014(region=region)
    gm = model.compute(ctx, imt)
    for values in (gm.mean, gm.sigma, gm.tau, gm.phi):
        assert np.isfinite(values).all()
    assert (gm.sigma > 0).all()
    np.testing.assert_allclose(gm.sigma**2, gm.tau**2 + gm.phi**2, rtol=1e-12)
    assert (np.diff(gm.mean) <= 1e-12).all()
    one = model.compute(
        _scenario(mag=mag, rake=rake, dip=90.0, ztor=ztor, rjb=rjbs[1], rrup=rrup[1], rx=-rjbs[1], vs30=vs30,
                  vs30measured=measured, z1pt0=z1pt0),
        imt,
    )  # fmt: skip
    np.testing.assert_allclose(one.mean, gm.mean[1:2], rtol=1e-12)
    np.testing.assert_allclose(one.sigma, gm.sigma[1:2], rtol=1e-12)
