"""Per-asset return-period losses against a dense events x assets reference."""

from __future__ import annotations

import numpy as np

from kalkan.core.risk import metrics
from kalkan.core.risk.assignment import explicit_sites
from kalkan.core.risk.groups import build_groups
from kalkan.core.risk.maps import asset_rp_losses
from kalkan.core.vulnerability.functions import VulnerabilitySet
from tests.core.risk.conftest import exposure, hazard, linear


def test_maps_equal_each_assets_own_curve() -> None:
    rng = np.random.default_rng(9)
    dense = rng.uniform(0, 2.5, (80, 5))
    dense[dense < 1.0] = 0.0
    freq = rng.uniform(1e-3, 2e-2, 80)
    haz = hazard(dense, freq)
    values = rng.uniform(10, 1000, 12)
    sites = rng.integers(0, 5, 12)
    f1, f2 = linear("a"), linear("b", top=0.4)
    tax = ["A"] * 6 + ["M"] * 6
    vset = VulnerabilitySet({"a": f1, "b": f2}, {"structural": {"A": (("a", 1.0),), "M": (("a", 0.3), ("b", 0.7))}})
    exp = exposure(values, taxonomy=tax)
    g = build_groups(exp, explicit_sites(sites, 5, where="t"), vset, 5)
    rps = (2.0, 10.0, 50.0, 500.0)
    got = asset_rp_losses(haz, g, 12, rps)
    for j in range(12):
        x = dense[:, sites[j]]
        ratio = f1.mean_loss_ratio(x) if tax[j] == "A" else 0.3 * f1.mean_loss_ratio(x) + 0.7 * f2.mean_loss_ratio(x)
        ref = metrics.occurrence_curve(values[j] * ratio, freq).at(rps)
        assert np.allclose(got[j], ref, rtol=1e-12, atol=1e-9), j


def test_single_function_fast_path_equals_each_assets_own_curve() -> None:
    """One function for all assets (the compiled per-site path), with tied and missing intensities."""
    rng = np.random.default_rng(10)
    dense = np.round(rng.uniform(0, 2.5, (120, 7)), 1)  # rounding makes ties
    dense[dense < 0.9] = 0.0
    freq = rng.uniform(1e-3, 2e-2, 120)
    haz = hazard(dense, freq)
    values = rng.uniform(10, 1000, 15)
    sites = rng.integers(0, 7, 15)
    f = linear("a")
    g = build_groups(exposure(values), explicit_sites(sites, 7, where="t"), VulnerabilitySet.single(f, ("T",)), 7)
    rps = (1.0, 3.0, 10.0, 40.0, 1e4)
    got = asset_rp_losses(haz, g, 15, rps)
    for j in range(15):
        ref = metrics.occurrence_curve(values[j] * f.mean_loss_ratio(dense[:, sites[j]]), freq).at(rps)
        assert np.allclose(got[j], ref, rtol=1e-12, atol=1e-9), j
