"""Abrahamson, Silva & Kamai (2014) against OpenQuake's verification tables, plus properties of the model."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.app.gmpe_verification import verify
from kalkan.core.hazard.earthquake.gmpe import Context, get_model
from kalkan.core.hazard.earthquake.gmpe.abrahamson_2014 import AbrahamsonEtAl2014, z1pt0_reference_km
from kalkan.errors import InputError
from kalkan.io.gsim_table import read_table
from tests.errors import expect_error

DATA = Path(__file__).parent / "data" / "ASK14"

# file, region, OpenQuake's tolerance (percent)
TABLES = [
    ("ASK14_ResMEAN_RegCAL.csv", "CAL", 0.1),
    ("ASK14_ResStdTot_RegCAL.csv", "CAL", 0.1),
    ("ASK14_ResMEAN_RegJPN.csv", "JPN", 0.1),
    ("ASK14_ResStdTot_RegJPN.csv", "JPN", 0.1),
    ("ASK14_ResStdPhi_RegJPN.csv", "JPN", 0.1),
    ("ASK14_ResMEAN_RegCHN.csv", "CHN", 0.1),
    ("ASK14_ResMEAN_RegTWN.csv", "TWN", 0.5),
]


def _without_empty_columns(path: Path, tmp_path: Path) -> Path:
    """Copy of ``path`` without the empty ``Unnamed: NN`` column some upstream tables end with."""
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    keep = [j for j, name in enumerate(rows[0]) if name.strip() and not name.startswith("Unnamed")]
    out = tmp_path / path.name
    with out.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([[row[j] for j in keep] for row in rows])
    return out


@pytest.mark.parametrize(("filename", "region", "tolerance_pct"), TABLES)
def test_matches_openquake_table(filename: str, region: str, tolerance_pct: float, tmp_path: Path) -> None:
    table = read_table(_without_empty_columns(DATA / filename, tmp_path))
    result = verify(get_model("AbrahamsonEtAl2014", region=region), table)
    assert result.rows, "the table has no rows"
    for kind, err in result.max_error_pct.items():
        assert err <= tolerance_pct, f"{filename} {kind}: {err:.4f} % at {result.worst[kind]}"


def test_found_by_name_and_alias() -> None:
    by_name = get_model("AbrahamsonEtAl2014")
    by_alias = get_model("ASK14", region="jpn")
    assert isinstance(by_name, AbrahamsonEtAl2014)
    assert isinstance(by_alias, AbrahamsonEtAl2014)
    assert by_name.region == "CAL"
    assert by_alias.region == "JPN"
    assert "10.1193/070913EQS198M" in by_name.reference
    imts = by_name.supported_imts()
    assert {"PGA", "PGV", "SA(0.01)", "SA(10.0)"} <= set(imts)
    assert len(imts) == 24


@pytest.mark.parametrize("options", [{"region": "EUR"}, {"region": 3}, {"sof": True}])
def test_bad_option_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(InputError) as info:
        get_model("ASK14", **options)
    expect_error(info, "input.unknown", next(iter(options)))


def _scenario(n: int = 1, **fields: object) -> Context:
    base: dict[str, object] = {
        "mag": 6.5, "rake": 90.0, "dip": 45.0, "ztor": 2.0, "width": 15.0, "rrup": 12.0, "rjb": 8.0, "rx": 5.0,
        "ry0": 0.0, "vs30": 400.0, "vs30measured": True, "z1pt0": np.nan,
    }  # fmt: skip
    base.update(fields)
    return Context(**{k: np.broadcast_to(np.asarray(v), (n,)) for k, v in base.items()})  # type: ignore[arg-type]


def test_missing_input_names_the_field() -> None:
    with pytest.raises(InputError) as info:
        AbrahamsonEtAl2014().compute(_scenario(width=np.nan), "PGA")
    expect_error(info, "input.missing", "width")
    with pytest.raises(InputError) as info:
        AbrahamsonEtAl2014().compute(_scenario(z1pt0=-1.0), "PGA")
    expect_error(info, "input.range", "z1pt0")
    with pytest.raises(InputError) as info:  # neither Ry0 nor, failing it, Rjb
        AbrahamsonEtAl2014().compute(_scenario(ry0=np.nan, rjb=np.nan), "PGA")
    expect_error(info, "input.missing", "ry0")


def test_unknown_z1pt0_and_ry0_follow_the_paper() -> None:
    model = AbrahamsonEtAl2014()
    vs30 = np.array([200.0, 400.0, 800.0])
    default = model.compute(_scenario(3, vs30=vs30), "SA(1.0)")
    explicit = model.compute(_scenario(3, vs30=vs30, z1pt0=z1pt0_reference_km(vs30) * 1000.0), "SA(1.0)")
    np.testing.assert_allclose(default.mean, explicit.mean, rtol=0, atol=1e-12)
    # Rjb fallback of the hanging-wall taper (eq. 15b): Rjb = 0 gives T5 = 1, as Ry0 = 0 does.
    with_ry0 = model.compute(_scenario(rjb=0.0), "PGA")
    without = model.compute(_scenario(rjb=0.0, ry0=np.nan), "PGA")
    np.testing.assert_allclose(with_ry0.mean, without.mean, rtol=0, atol=1e-12)


def test_interpolated_period_between_tabulated_ones() -> None:
    model = AbrahamsonEtAl2014()
    ctx = _scenario()
    lo, mid, hi = (float(model.compute(ctx, imt).mean[0]) for imt in ("SA(0.2)", "SA(0.22)", "SA(0.25)"))
    assert min(lo, hi) - 0.05 <= mid <= max(lo, hi) + 0.05


contexts = st.fixed_dictionaries(
    {
        "mag": st.floats(3.0, 8.5),
        "rake": st.floats(-180.0, 180.0),
        "dip": st.floats(10.0, 90.0),
        "ztor": st.floats(0.0, 25.0),
        "width": st.floats(1.0, 60.0),
        "rrup": st.floats(0.0, 300.0),
        "rx": st.floats(-100.0, 100.0),
        "ry0": st.floats(0.0, 100.0),
        "vs30": st.floats(120.0, 2000.0),
        "vs30measured": st.booleans(),
        "z1pt0": st.one_of(st.just(np.nan), st.floats(0.0, 3000.0)),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(contexts, min_size=1, max_size=6),
    imt=st.sampled_from(["PGA", "PGV", "SA(0.2)", "SA(1.5)", "SA(0.7)", "SA(10.0)"]),
    region=st.sampled_from(["CAL", "JPN", "CHN", "TWN"]),
)
def test_vectorised_rows_are_independent_and_consistent(rows: list[dict[str, float]], imt: str, region: str) -> None:
    model = AbrahamsonEtAl2014(region=region)
    columns = {k: np.array([r[k] for r in rows]) for k in rows[0]}
    ctx = Context(rjb=columns["rrup"], **columns)
    gm = model.compute(ctx, imt)
    for out in (gm.mean, gm.sigma, gm.tau, gm.phi):
        assert out.shape == (len(rows),)
        assert np.isfinite(out).all()
    assert (gm.tau >= 0).all()
    assert (gm.phi > 0).all()
    np.testing.assert_allclose(gm.sigma**2, gm.tau**2 + gm.phi**2, rtol=1e-12)
    single = model.compute(Context(**{k: v[-1:] for k, v in columns.items()}, rjb=columns["rrup"][-1:]), imt)
    np.testing.assert_allclose(single.mean, gm.mean[-1:], rtol=1e-12)
    np.testing.assert_allclose(single.sigma, gm.sigma[-1:], rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(mag=st.floats(3.0, 8.5), vs30=st.floats(700.0, 1500.0), near=st.floats(0.0, 150.0), step=st.floats(0.5, 150.0))
def test_median_decreases_with_distance_on_the_footwall(mag: float, vs30: float, near: float, step: float) -> None:
    # Footwall (Rx < 0) and linear site response (Vs30 >= Vlin at PGA): only f1 depends on Rrup.
    ctx = _scenario(2, mag=mag, vs30=vs30, rrup=np.array([near, near + step]), rx=-10.0)
    mean = AbrahamsonEtAl2014().compute(ctx, "PGA").mean
    assert mean[1] < mean[0]


def test_check_warns_outside_the_paper_range() -> None:
    ctx = replace(_scenario(2, mag=np.array([6.0, 8.8])), rrup=np.array([10.0, 400.0]))
    warnings = AbrahamsonEtAl2014().check(ctx)
    assert len(warnings) == 2
