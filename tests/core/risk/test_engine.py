"""Mean-mode engine: hand calculations, properties, determinism, streaming and Dask."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.core.risk.assignment import explicit_sites
from kalkan.core.risk.engine import InMemorySource, check_functions, compute_mean
from kalkan.core.risk.groups import build_groups
from kalkan.core.risk.kernel import evaluate
from kalkan.core.risk.tables import pack_functions
from kalkan.core.vulnerability.functions import VulnerabilityFunction, VulnerabilitySet
from kalkan.errors import InputError
from tests.core.risk.conftest import exposure, hazard, linear
from tests.errors import expect_error


def run(haz, exp, vset, sites, **kwargs):  # type: ignore[no-untyped-def]
    g = build_groups(exp, explicit_sites(np.asarray(sites), haz.n_sites, where="t"), vset, haz.n_sites, **kwargs)
    return g, compute_mean(InMemorySource(haz), haz.frequency, g)


def test_hand_calculation() -> None:
    """2 events x 2 sites; three assets; loss ratio = intensity / 2 (OpenQuake rule)."""
    haz = hazard([[0.2, 0.0], [1.0, 0.4]], [0.1, 0.01])
    exp = exposure([100.0, 50.0, 200.0])
    g, r = run(haz, exp, VulnerabilitySet.single(linear(), ("T",)), [0, 0, 1])
    # event 1: site 0 at 0.2 g -> ratio 0.1 -> (100 + 50) * 0.1 = 15; site 1 untouched.
    # event 2: site 0 at 1.0 g -> 0.5 -> 75; site 1 at 0.4 g -> 0.2 -> 40; total 115.
    assert r.event_loss.tolist() == pytest.approx([15.0, 115.0])
    aal = r.asset_aal(3)[:, 0]
    assert aal.tolist() == pytest.approx([100 * (0.1 * 0.1 + 0.01 * 0.5), 50 * 0.015, 200 * 0.01 * 0.2])
    assert g.n_groups == 2  # the two assets at site 0 share one group


def test_interpolation_rules() -> None:
    """OpenQuake: zero below the first level, constant above the last; CLIMADA: clamped both ends."""
    oq = VulnerabilityFunction("oq", "PGA", "g", np.array([0.1, 0.5, 1.0]), np.array([0.05, 0.3, 0.8]))
    cl = VulnerabilityFunction("cl", "PGA", "g", np.array([0.1, 0.5, 1.0]), np.array([0.05, 0.3, 0.8]),
                               below_first="clamp")  # fmt: skip
    table = pack_functions([oq, cl])
    x = np.array([0.05, 0.1, 0.3, 0.5, 0.75, 1.0, 2.0])
    assert evaluate(table, 0, x).tolist() == pytest.approx([0.0, 0.05, 0.175, 0.3, 0.55, 0.8, 0.8])
    assert evaluate(table, 1, x).tolist() == pytest.approx([0.05, 0.05, 0.175, 0.3, 0.55, 0.8, 0.8])
    assert np.allclose(evaluate(table, 0, x), oq.mean_loss_ratio(x), rtol=1e-14)


@settings(max_examples=60, deadline=None)
@given(
    xs=st.lists(st.floats(0.0, 10.0), min_size=2, max_size=40, unique=True),
    ys=st.lists(st.floats(0.0, 1.0), min_size=40, max_size=40),
    paa=st.lists(st.floats(0.0, 1.0), min_size=40, max_size=40),
    q=st.lists(st.floats(0.0, 12.0), min_size=1, max_size=50),
)
def test_kernel_evaluation_equals_numpy_interp(
    xs: list[float], ys: list[float], paa: list[float], q: list[float]
) -> None:
    x = np.sort(np.array(xs))
    if np.any(np.diff(x) < 1e-9):
        return
    n = x.size
    fn = VulnerabilityFunction("f", "PGA", "g", x, np.array(ys[:n]), paa=np.array(paa[:n]), below_first="clamp")
    got = evaluate(pack_functions([fn]), 0, np.array(q))
    want = np.interp(q, x, ys[:n]) * np.interp(q, x, paa[:n])
    assert np.allclose(got, want, rtol=1e-12, atol=1e-15)


@st.composite
def cases(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[type-arg]
    n_events = draw(st.integers(1, 12))
    n_sites = draw(st.integers(1, 6))
    n_assets = draw(st.integers(1, 10))
    dense = np.array(draw(st.lists(st.floats(0.0, 3.0), min_size=n_events * n_sites, max_size=n_events * n_sites)))
    dense = dense.reshape(n_events, n_sites)
    dense[dense < 0.3] = 0.0
    values = np.array(draw(st.lists(st.floats(0.0, 1e6), min_size=n_assets, max_size=n_assets)))
    sites = np.array(draw(st.lists(st.integers(0, n_sites - 1), min_size=n_assets, max_size=n_assets)))
    freq = np.array(draw(st.lists(st.floats(1e-4, 1.0), min_size=n_events, max_size=n_events)))
    return dense, values, sites, freq


@settings(max_examples=80, deadline=None)
@given(cases())
def test_properties(case: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> None:  # type: ignore[type-arg]
    """Losses never exceed value; monotone in intensity; invariant to asset order; equal to a dense reference."""
    dense, values, sites, freq = case
    vset = VulnerabilitySet.single(linear(), ("T",))
    haz = hazard(dense, freq)
    exp = exposure(values)
    _, r = run(haz, exp, vset, sites)
    # Dense reference: events x assets, only for tiny cases.
    ratio = np.minimum(dense[:, sites] / 2.0, 1.0)
    ref = ratio @ values
    assert np.allclose(r.event_loss, ref, rtol=1e-12, atol=1e-9)
    assert np.all(r.event_loss <= values.sum() * (1 + 1e-12))
    assert np.allclose(r.asset_aal(len(values))[:, 0], values * (freq @ ratio), rtol=1e-12, atol=1e-12)
    # Monotone: more intensity everywhere never gives less loss.
    _, r2 = run(hazard(dense * 1.5, freq), exp, vset, sites)
    assert np.all(r2.event_loss >= r.event_loss - 1e-9)
    # Invariant to asset order.
    perm = np.random.default_rng(0).permutation(len(values))
    _, r3 = run(haz, exposure(values[perm]), vset, sites[perm])
    assert np.allclose(r3.event_loss, r.event_loss, rtol=1e-12, atol=1e-9)


def test_additive_over_cost_types() -> None:
    haz = hazard([[0.5, 1.0], [1.5, 0.0]], [0.1, 0.2])
    contents = np.array([30.0, 70.0])
    exp = exposure([100.0, 200.0], contents=contents)
    fs, fc = linear("s", "structural"), linear("c", "contents", top=0.6)
    vset = VulnerabilitySet(
        functions={"s": fs, "c": fc},
        mapping={"structural": {"T": (("s", 1.0),)}, "contents": {"T": (("c", 1.0),)}},
    )
    g, both = run(haz, exp, vset, [0, 1], breakdowns={"district": np.array(["A", "B"], dtype=object)})
    _, s_only = run(haz, exp, vset, [0, 1], loss_types=["structural"])
    _, c_only = run(haz, exp, vset, [0, 1], loss_types=["contents"])
    assert np.allclose(both.event_loss, s_only.event_loss + c_only.event_loss, rtol=1e-14)
    # Breakdowns: each dimension sums to the total.
    assert both.bucket_loss is not None
    for b in g.breakdowns:
        k0 = int(g.bucket_offset[[x.name for x in g.breakdowns].index(b.name)])
        part = both.bucket_loss[:, k0 : k0 + b.size]
        assert np.allclose(part.sum(axis=1), both.event_loss, rtol=1e-14)
    assert [b.name for b in g.breakdowns] == ["district", "loss_type"]


def test_weighted_mapping_splits_value() -> None:
    haz = hazard([[1.0]], [1.0])
    f1, f2 = linear("a"), linear("b", top=0.5)
    vset = VulnerabilitySet({"a": f1, "b": f2}, {"structural": {"T": (("a", 0.25), ("b", 0.75))}})
    _, r = run(haz, exposure([1000.0]), vset, [0])
    assert r.event_loss[0] == pytest.approx(1000 * (0.25 * 0.5 + 0.75 * 0.25))


def test_identical_across_threads_blocks_and_chunks() -> None:
    rng = np.random.default_rng(5)
    dense = rng.uniform(0, 2, (300, 40))
    dense[dense < 0.8] = 0
    haz = hazard(dense, rng.uniform(1e-4, 1e-2, 300))
    exp = exposure(rng.uniform(1, 1e6, 500))
    sites = rng.integers(0, 40, 500)
    vset = VulnerabilitySet.single(linear(), ("T",))
    g = build_groups(exp, explicit_sites(sites, 40, where="t"), vset, 40)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = compute_mean(InMemorySource(haz), haz.frequency, g, block_events=16)
        numba.set_num_threads(max(2, before))
        b = compute_mean(InMemorySource(haz), haz.frequency, g, block_events=16, chunk_blocks=3)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(a.event_loss, b.event_loss)
    assert np.array_equal(a.group_rate, b.group_rate)  # bit-identical, not just close
    c = compute_mean(InMemorySource(haz), haz.frequency, g, block_events=7)
    assert np.allclose(c.group_rate, a.group_rate, rtol=1e-13)


def test_float32_hazard() -> None:
    dense = [[0.25, 0.5]]
    r64 = run(hazard(dense, [1.0]), exposure([10.0, 10.0]), VulnerabilitySet.single(linear(), ("T",)), [0, 1])[1]
    r32 = run(hazard(dense, [1.0], dtype=np.float32), exposure([10.0, 10.0]),
              VulnerabilitySet.single(linear(), ("T",)), [0, 1])[1]  # fmt: skip
    assert np.allclose(r32.event_loss, r64.event_loss, rtol=1e-6)


def test_dask_local_cluster_gives_identical_results() -> None:
    from distributed import Client, LocalCluster

    rng = np.random.default_rng(2)
    dense = rng.uniform(0, 2, (200, 30))
    dense[dense < 1.0] = 0
    haz = hazard(dense, np.full(200, 1e-3))
    exp = exposure(rng.uniform(1, 1e5, 100))
    vset = VulnerabilitySet.single(linear(), ("T",))
    g = build_groups(exp, explicit_sites(rng.integers(0, 30, 100), 30, where="t"), vset, 30)
    local = compute_mean(InMemorySource(haz), haz.frequency, g, block_events=8, chunk_blocks=2)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        dist = compute_mean(InMemorySource(haz), haz.frequency, g, block_events=8, chunk_blocks=2, client=client)
    assert np.array_equal(local.event_loss, dist.event_loss)
    assert np.array_equal(local.group_rate, dist.group_rate)


def test_unmapped_taxonomy_and_mismatched_units() -> None:
    haz = hazard([[1.0]], [1.0])
    vset = VulnerabilitySet.single(linear(), ("T",))
    with pytest.raises(InputError, match=r"'RC/H3' \(2 assets\)") as info:  # the taxonomy and its assets
        run(haz, exposure([1.0, 2.0, 3.0], taxonomy=["RC/H3", "RC/H3", "T"]), vset, [0, 0, 0])
    expect_error(info, "input.unknown", "taxonomy")
    depth = VulnerabilityFunction("d", "depth", "m", np.array([0.0, 3.0]), np.array([0.0, 1.0]))
    g = build_groups(exposure([1.0]), explicit_sites(np.array([0]), 1, where="t"),
                     VulnerabilitySet.single(depth, ("T",)), 1)  # fmt: skip
    with pytest.raises(InputError) as info:
        check_functions(g, haz.imt, haz.unit, "case")
    expect_error(info, "input.inconsistent", "imt")
    nonzero = VulnerabilityFunction("z", "PGA", "g", np.array([0.0, 1.0]), np.array([0.1, 1.0]))
    g = build_groups(exposure([1.0]), explicit_sites(np.array([0]), 1, where="t"),
                     VulnerabilitySet.single(nonzero, ("T",)), 1)  # fmt: skip
    with pytest.raises(InputError) as info:
        check_functions(g, "PGA", "g", "case")
    expect_error(info, "input.range", "mean_lr")
