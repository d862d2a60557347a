"""Boore, Stewart, Seyhan & Atkinson (2014) against OpenQuake's verification tables, plus properties of the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.app.gmpe_verification import verify
from kalkan.core.hazard.earthquake.gmpe import Context, get_model
from kalkan.core.hazard.earthquake.gmpe.boore_2014 import BooreEtAl2014, mu_z1_km
from kalkan.errors import InputError
from kalkan.io.gsim_table import read_table
from tests.errors import expect_error

DATA = Path(__file__).parent / "data" / "BSSA2014"
MEAN_TOL_PCT, STD_TOL_PCT = 2.0, 1.0  # OpenQuake's tolerances for these tables

# file prefix -> options of OpenQuake's BooreEtAl2014 that produced it
VARIANTS: dict[str, dict[str, Any]] = {
    "BSSA_2014_": {},
    "BSSA_2014_NOSOF_": {"sof": False},
    "BSSA_2014_CALIFORNIA_": {"region": "CAL"},
    "BSSA_2014_CALIFORNIA_NOSOF_": {"region": "CAL", "sof": False},
    "BSSA_2014_JAPAN_": {"region": "JPN"},
    "BSSA_2014_JAPAN_NOSOF_": {"region": "JPN", "sof": False},
}
OUTPUTS = ("MEAN", "TOTAL_STD", "INTER_STD", "INTRA_STD")
TABLES = [
    (prefix + out + ".csv", options)
    for prefix, options in VARIANTS.items()
    for out in OUTPUTS
    if (DATA / (prefix + out + ".csv")).exists()
]


def test_all_tables_present() -> None:
    assert len(TABLES) == 22  # the default set has no NOSOF MEAN / TOTAL_STD upstream


@pytest.mark.parametrize(("filename", "options"), TABLES)
def test_matches_openquake_table(filename: str, options: dict[str, Any]) -> None:
    table = read_table(DATA / filename)
    assert not table.unused_columns
    result = verify(get_model("BooreEtAl2014", **options), table)
    assert result.rows, "the table has no rows"
    for kind, err in result.max_error_pct.items():
        tolerance = MEAN_TOL_PCT if kind == "MEAN" else STD_TOL_PCT
        assert err <= tolerance, f"{filename} {kind}: {err:.4f} % at {result.worst[kind]}"


def test_found_by_name_and_alias() -> None:
    by_name = get_model("BooreEtAl2014")
    by_alias = get_model("BSSA14", region="cal", sof=False)
    assert isinstance(by_name, BooreEtAl2014)
    assert isinstance(by_alias, BooreEtAl2014)
    assert (by_name.region, by_name.sof) == ("nobasin", True)
    assert (by_alias.region, by_alias.sof) == ("CAL", False)
    assert "10.1193/070113EQS184M" in by_name.reference
    imts = by_name.supported_imts()
    assert {"PGA", "PGV", "SA(0.01)", "SA(0.667)", "SA(10.0)"} <= set(imts)
    assert len(imts) == 107  # PGA, PGV and 105 periods


@pytest.mark.parametrize(
    ("options", "code"),
    [({"region": "EUR"}, "input.unknown"), ({"region": 3}, "input.unknown"), ({"sof": "yes"}, "input.type"),
     ({"basin": True}, "input.unknown")],
)  # fmt: skip
def test_bad_option_is_refused(options: dict[str, object], code: str) -> None:
    with pytest.raises(InputError) as info:
        get_model("BSSA14", **options)
    expect_error(info, code, next(iter(options)))


def test_bad_imt_and_context_are_refused() -> None:
    model = get_model("BSSA14", region="CAL")
    ctx = _scenario()
    with pytest.raises(InputError) as info:
        model.compute(ctx, "SA(12.0)")
    expect_error(info, "input.unsupported", "imt")
    with pytest.raises(InputError) as info:
        model.compute(_scenario(rake=np.nan), "PGA")
    expect_error(info, "input.missing", "rake")
    with pytest.raises(InputError) as info:
        model.compute(_scenario(z1pt0=-999.0), "SA(1.0)")
    expect_error(info, "input.range", "z1pt0")
    # Without style of faulting, the rake is not needed.
    assert np.isfinite(get_model("BSSA14", sof=False).compute(_scenario(rake=np.nan), "PGA").mean).all()


def test_check_warns_outside_the_data_set() -> None:
    model = get_model("BSSA14")
    assert model.check(_scenario()) == []
    warnings = model.check(_scenario(n=3, mag=np.array([6.0, 7.5, 9.0]), rake=-90.0, rjb=450.0, vs30=100.0))
    assert len(warnings) == 4  # magnitude, normal faulting above M 7, distance, Vs30
    assert "9.0" in warnings[0]


def test_unknown_z1_means_no_basin_adjustment() -> None:
    """z1pt0 NaN gives dz1 = 0; the basin term vanishes below 0.65 s whatever z1 is."""
    vs30 = np.array([200.0, 400.0, 760.0])
    centred = mu_z1_km(vs30, "CAL") * 1000.0
    for imt in ("PGA", "SA(0.5)", "SA(2.0)"):
        plain = get_model("BSSA14").compute(_scenario(n=3, vs30=vs30), imt).mean
        unknown = get_model("BSSA14", region="CAL").compute(_scenario(n=3, vs30=vs30), imt).mean
        at_centre = get_model("BSSA14", region="CAL").compute(_scenario(n=3, vs30=vs30, z1pt0=centred), imt).mean
        np.testing.assert_allclose(unknown, plain, rtol=0, atol=1e-12)
        np.testing.assert_allclose(at_centre, plain, rtol=0, atol=1e-12)
    deep = get_model("BSSA14", region="CAL").compute(_scenario(n=3, vs30=vs30, z1pt0=centred + 500.0), "SA(2.0)")
    shallow = get_model("BSSA14", region="CAL").compute(_scenario(n=3, vs30=vs30, z1pt0=centred * 0.5), "SA(2.0)")
    plain = get_model("BSSA14").compute(_scenario(n=3, vs30=vs30), "SA(2.0)").mean
    assert (deep.mean > plain).all()
    assert (shallow.mean < plain).all()


def _scenario(n: int = 1, **fields: object) -> Context:
    base: dict[str, object] = {"mag": 6.5, "rake": 0.0, "rjb": 10.0, "vs30": 400.0, "z1pt0": np.nan}
    base.update(fields)
    return Context(**{k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in base.items()})  # type: ignore[arg-type]


IMTS = st.sampled_from(["PGA", "PGV", "SA(0.01)", "SA(0.2)", "SA(0.21)", "SA(1.0)", "SA(3.0)", "SA(10.0)"])
OPTIONS = st.sampled_from(list(VARIANTS.values()))


@settings(max_examples=60, deadline=None)
@given(
    options=OPTIONS,
    imt=IMTS,
    mag=st.floats(3.0, 8.5),
    rake=st.sampled_from([-90.0, 0.0, 90.0, 180.0]),
    vs30=st.floats(150.0, 1500.0),
    z1pt0=st.one_of(st.just(np.nan), st.floats(0.0, 2000.0)),
    rjb=st.lists(st.floats(0.0, 400.0), min_size=2, max_size=20),
)
def test_median_decreases_with_distance(
    options: dict[str, Any], imt: str, mag: float, rake: float, vs30: float, z1pt0: float, rjb: list[float]
) -> None:
    """For fixed source and site, the median never grows with Rjb (nonlinear soil included)."""
    r = np.sort(np.asarray(rjb))
    gm = get_model("BSSA14", **options).compute(
        _scenario(n=r.size, mag=mag, rake=rake, vs30=vs30, z1pt0=z1pt0, rjb=r), imt
    )
    assert (np.diff(gm.mean) <= 1e-12).all()


@settings(max_examples=60, deadline=None)
@given(
    options=OPTIONS,
    imt=IMTS,
    mag=st.lists(st.floats(3.0, 8.5), min_size=1, max_size=10),
    rjb=st.floats(0.0, 400.0),
    vs30=st.floats(150.0, 1500.0),
)
def test_sigma_is_root_sum_of_squares_and_rows_are_independent(
    options: dict[str, Any], imt: str, mag: list[float], rjb: float, vs30: float
) -> None:
    """sigma^2 = tau^2 + phi^2 (eq. 13), and each row's result does not depend on the other rows."""
    model = get_model("BSSA14", **options)
    m = np.asarray(mag)
    gm = model.compute(_scenario(n=m.size, mag=m, rjb=rjb, vs30=vs30, z1pt0=300.0), imt)
    np.testing.assert_allclose(gm.sigma**2, gm.tau**2 + gm.phi**2, rtol=1e-12)
    assert (gm.tau > 0).all() and (gm.phi > 0).all()
    last = model.compute(_scenario(mag=m[-1], rjb=rjb, vs30=vs30, z1pt0=300.0), imt)
    np.testing.assert_allclose(gm.mean[-1], last.mean[0], rtol=1e-12)
