"""Sampled mode: reproducible draws whose mean converges to the mean mode, with the right spread."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

from kalkan.core.risk.assignment import explicit_sites
from kalkan.core.risk.engine import InMemorySource, compute_mean
from kalkan.core.risk.groups import build_groups
from kalkan.core.risk.sampled import compute_sampled, sample_ratio
from kalkan.core.vulnerability.functions import VulnerabilityFunction, VulnerabilitySet
from tests.core.risk.conftest import exposure, hazard


def _draws(mean: float, cov: float, dist: int, n: int = 20000) -> np.ndarray:  # type: ignore[type-arg]
    return np.array([sample_ratio(np.uint64(k * 7919 + 11), mean, cov, dist) for k in range(n)])


@pytest.mark.parametrize(("mean", "cov"), [(0.2, 0.5), (0.05, 1.5), (0.6, 0.3)])
def test_beta_draws_have_the_requested_moments(mean: float, cov: float) -> None:
    x = _draws(mean, cov, 2)
    var = (cov * mean) ** 2
    k = mean * (1 - mean) / var - 1
    ref = stats.beta(mean * k, (1 - mean) * k)
    assert np.all((x >= 0) & (x <= 1))
    assert x.mean() == pytest.approx(mean, abs=4 * np.sqrt(var / x.size))
    assert x.std() == pytest.approx(np.sqrt(var), rel=0.05)
    assert stats.kstest(x, ref.cdf).pvalue > 1e-3


def test_lognormal_draws() -> None:
    mean, cov = 0.1, 0.8
    x = _draws(mean, cov, 1)
    s = np.sqrt(np.log(1 + cov**2))
    ref = stats.lognorm(s, scale=mean * np.exp(-(s**2) / 2))
    assert stats.kstest(np.minimum(x, 1.0), ref.cdf).pvalue > 1e-3
    assert x.mean() == pytest.approx(mean, rel=0.03)


def test_zero_cov_gives_the_mean() -> None:
    assert sample_ratio(np.uint64(1), 0.3, 0.0, 2) == 0.3
    assert sample_ratio(np.uint64(1), 0.0, 0.5, 2) == 0.0


def _case() -> tuple:  # type: ignore[type-arg]
    rng = np.random.default_rng(4)
    n_events = 4000
    dense = rng.uniform(0, 1.5, (n_events, 3))
    haz = hazard(dense, np.full(n_events, 1e-3))
    f = VulnerabilityFunction("b", "PGA", "g", np.array([0.0, 0.5, 1.5]), np.array([0.0, 0.2, 0.7]),
                              cov=np.array([0.0, 0.8, 0.3]), distribution="BT")  # fmt: skip
    exp = exposure([1000.0, 2000.0, 500.0, 800.0])
    asg = explicit_sites(np.array([0, 1, 2, 2]), 3, where="t")
    g = build_groups(exp, asg, VulnerabilitySet.single(f, ("T",)), 3)
    return haz, exp, asg, g


def test_sampled_converges_to_mean_mode_and_is_reproducible() -> None:
    haz, exp, asg, g = _case()
    mean = compute_mean(InMemorySource(haz), haz.frequency, g)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = compute_sampled(haz, exp, asg, g, seed=42, block_events=64)
        numba.set_num_threads(max(2, before))
        b = compute_sampled(haz, exp, asg, g, seed=42, block_events=64)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(a.event_loss, b.event_loss)
    c = compute_sampled(haz, exp, asg, g, seed=42, block_events=500)
    assert np.array_equal(a.event_loss, c.event_loss)  # draws do not depend on blocks
    d = compute_sampled(haz, exp, asg, g, seed=43, block_events=64)
    assert not np.array_equal(a.event_loss, d.event_loss)
    # AAL: the sampled estimate lies within 4 standard errors of the mean-mode value.
    diff = a.event_loss - mean.event_loss
    se = haz.frequency[0] * diff.std() * np.sqrt(diff.size)
    assert abs(a.asset_aal.sum() - mean.asset_aal(4).sum()) < 4 * se
    assert np.all(a.event_loss <= 4300.0)
