"""Akkar & Bommer (2010) against OpenQuake's verification tables, plus properties of the model."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.app.gmpe_verification import verify
from kalkan.core.hazard.earthquake.gmpe import Context, get_model
from kalkan.core.hazard.earthquake.gmpe.akkar_bommer_2010 import AkkarBommer2010
from kalkan.errors import InputError
from kalkan.io.gsim_table import VerificationTable, read_table
from tests.errors import expect_error

DATA = Path(__file__).parent / "data" / "AKBO10"
TOLERANCE_PCT = 0.1  # OpenQuake's tolerance for these tables
TABLES = ["AK10_MEAN.csv", "AK10_STD_TOTAL.csv", "AK10_STD_INTER.csv", "AK10_STD_INTRA.csv"]
SHARE_EXTENSION = "SA(4.0)"  # OpenQuake's SHARE addition (ln SA(3 s) / 0.8), in neither paper


def _without_share_extension(table: VerificationTable) -> VerificationTable:
    keep = [j for j, imt in enumerate(table.imts) if imt != SHARE_EXTENSION]
    assert len(keep) == len(table.imts) - 1
    return replace(table, imts=tuple(table.imts[j] for j in keep), expected=table.expected[:, keep])


@pytest.mark.parametrize("filename", TABLES)
def test_matches_openquake_table(filename: str) -> None:
    table = _without_share_extension(read_table(DATA / filename))
    assert not table.unused_columns
    assert {"PGA", "PGV", "SA(0.01)", "SA(0.05)", "SA(3.0)"} <= set(table.imts)
    result = verify(get_model("AkkarBommer2010"), table)
    assert result.rows, "the table has no rows"
    for kind, err in result.max_error_pct.items():
        assert err <= TOLERANCE_PCT, f"{filename} {kind}: {err:.4f} % at {result.worst[kind]}"


def test_table_uses_g_9_81() -> None:
    """The table's 0.034 % offset on PGA/SA is its g = 9.81 m/s^2 (the model uses 9.80665); PGV is exact."""
    table = read_table(DATA / "AK10_MEAN.csv")
    model = get_model("AkBo2010")
    for imt, ratio in (("PGA", 9.81 / 9.80665), ("SA(1.0)", 9.81 / 9.80665), ("PGV", 1.0)):
        got = np.exp(model.compute(table.context, imt).mean)
        np.testing.assert_allclose(got / table.expected[:, table.imts.index(imt)], ratio, rtol=1e-9)


def test_found_by_name_and_alias() -> None:
    by_name = get_model("AkkarBommer2010")
    by_alias = get_model("AkBo2010")
    assert isinstance(by_name, AkkarBommer2010)
    assert isinstance(by_alias, AkkarBommer2010)
    assert "10.1785/gssrl.81.2.195" in by_name.reference
    imts = by_name.supported_imts()
    assert {"PGA", "PGV", "SA(0.01)", "SA(0.04)", "SA(3.0)"} <= set(imts)
    assert len(imts) == 66  # PGA, PGV, 0.01-0.04 s (2012) and 0.05-3 s every 0.05 s


def test_bad_option_imt_and_context_are_refused() -> None:
    with pytest.raises(InputError) as info:
        get_model("AkBo2010", region="TUR")
    expect_error(info, "input.unknown", "region")
    model = get_model("AkBo2010")
    with pytest.raises(InputError) as info:
        model.compute(_scenario(), "SA(4.0)")
    expect_error(info, "input.unsupported", "imt")
    with pytest.raises(InputError) as info:
        model.compute(_scenario(rake=np.nan), "PGA")
    expect_error(info, "input.missing", "rake")


def test_hand_computed_value() -> None:
    """PGA, M 6, reverse, Rjb 20 km, stiff soil (Vs30 500 m/s): Bommer et al. (2012) Table 5, PGA row."""
    b1, b2, b3, b4, b5, b6, b8, b10 = 1.43525, 0.74866, -0.06520, -2.72950, 0.25139, 7.74959, 0.00766, 0.07087
    log10_cm_s2 = b1 + b2 * 6 + b3 * 36 + (b4 + b5 * 6) * math.log10(math.hypot(20.0, b6)) + b8 + b10
    expected_g = 10**log10_cm_s2 / 980.665
    gm = get_model("AkBo2010").compute(_scenario(mag=6.0, rake=90.0, rjb=20.0, vs30=500.0), "PGA")
    assert math.exp(gm.mean[0]) == pytest.approx(expected_g, rel=1e-12)
    assert gm.phi[0] == pytest.approx(0.2611 * math.log(10), rel=1e-12)
    assert gm.tau[0] == pytest.approx(0.1056 * math.log(10), rel=1e-12)


def test_check_warns_outside_the_data_set() -> None:
    model = get_model("AkBo2010")
    assert model.check(_scenario()) == []
    assert len(model.check(_scenario(n=2, mag=np.array([4.5, 6.0]), rjb=150.0))) == 2


def _scenario(n: int = 1, **fields: object) -> Context:
    base: dict[str, object] = {"mag": 6.0, "rake": 0.0, "rjb": 10.0, "vs30": 400.0}
    base.update(fields)
    return Context(**{k: np.broadcast_to(np.asarray(v, dtype=float), (n,)) for k, v in base.items()})  # type: ignore[arg-type]


IMTS = st.sampled_from(["PGA", "PGV", "SA(0.01)", "SA(0.07)", "SA(0.5)", "SA(1.0)", "SA(2.63)", "SA(3.0)"])


@settings(max_examples=60, deadline=None)
@given(
    imt=IMTS,
    mag=st.floats(5.0, 7.6),
    rake=st.sampled_from([-90.0, 0.0, 90.0, 180.0]),
    vs30=st.floats(150.0, 1500.0),
    rjb=st.lists(st.floats(0.0, 200.0), min_size=2, max_size=20),
)
def test_median_decreases_with_distance(imt: str, mag: float, rake: float, vs30: float, rjb: list[float]) -> None:
    r = np.sort(np.asarray(rjb))
    gm = get_model("AkBo2010").compute(_scenario(n=r.size, mag=mag, rake=rake, vs30=vs30, rjb=r), imt)
    assert (np.diff(gm.mean) <= 1e-12).all()


@settings(max_examples=40, deadline=None)
@given(imt=IMTS, mag=st.lists(st.floats(5.0, 7.6), min_size=1, max_size=10), vs30=st.floats(150.0, 1500.0))
def test_sigma_is_root_sum_of_squares(imt: str, mag: list[float], vs30: float) -> None:
    m = np.asarray(mag)
    gm = get_model("AkBo2010").compute(_scenario(n=m.size, mag=m, vs30=vs30), imt)
    np.testing.assert_allclose(gm.sigma**2, gm.tau**2 + gm.phi**2, rtol=1e-12)
    assert np.ptp(gm.sigma) == 0.0  # homoscedastic
