"""Ground-motion fields: reproducibility, marginal distributions, truncation, between-event residual, spatial
correlation (exact and Vecchia) against Jayaram & Baker (2009), and the scenario HazardSet."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import integrate, linalg, special, stats

from kalkan.core.hazard.earthquake import gmf
from kalkan.core.hazard.earthquake.gmf import (
    fields_to_hazardset,
    jb2009_correlation,
    jb2009_range_km,
    simulate_fields,
    truncated_standard_normal,
)
from kalkan.core.hazard.earthquake.gmpe.base import GroundMotion
from kalkan.errors import InputError
from tests.errors import expect_error

Floats = NDArray[np.float64]

ALMATY = (76.9, 43.25)


def sites(n: int, seed: int = 1, half_km: float = 20.0) -> tuple[Floats, Floats]:
    """``n`` random sites in a square of side 2 * half_km around Almaty."""
    rng = np.random.default_rng(seed)
    dlat = half_km / 111.195
    dlon = dlat / np.cos(np.radians(ALMATY[1]))
    return ALMATY[0] + rng.uniform(-dlon, dlon, n), ALMATY[1] + rng.uniform(-dlat, dlat, n)


def motion(n: int, mean: float = np.log(0.2), tau: float = 0.4, phi: float = 0.6) -> GroundMotion:
    return GroundMotion(
        mean=np.full(n, mean), sigma=np.full(n, np.hypot(tau, phi)), tau=np.full(n, tau), phi=np.full(n, phi)
    )


def haversine_km(lon1: Floats, lat1: Floats, lon2: Floats, lat2: Floats) -> Floats:
    """Great-circle distance, computed independently of the module's chord geometry."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    out: Floats = 2 * 6371.0 * np.arcsin(np.sqrt(a))
    return out


# --- the truncated sampler and the correlation model ------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(truncation=st.floats(0.2, 6.0), seed=st.integers(0, 2**32 - 1))
def test_truncated_normal_bounds_and_moments(truncation: float, seed: int) -> None:
    n = 20_000
    x = truncated_standard_normal(np.random.default_rng(seed), n, truncation)
    assert x.shape == (n,)
    assert np.all(np.abs(x) <= truncation)
    mean, var = stats.truncnorm.stats(-truncation, truncation, moments="mv")
    # 6 standard errors: the mean's SE is sqrt(var/n); the variance's is about var * sqrt(2/n) (less for short
    # tails, whose kurtosis is below the normal's).
    assert abs(x.mean() - mean) < 6 * np.sqrt(var / n)
    assert abs(x.var() - var) < 6 * var * np.sqrt(2 / n)


def test_truncated_normal_edge_cases() -> None:
    rng = np.random.default_rng(0)
    assert np.all(truncated_standard_normal(rng, 5, 0.0) == 0)
    free = truncated_standard_normal(rng, 200_000, None)
    assert np.abs(free).max() > 4  # not truncated
    x = truncated_standard_normal(rng, 200_000, 3.0)
    assert stats.kstest(x, stats.truncnorm(-3, 3).cdf).pvalue > 1e-3


@pytest.mark.parametrize(
    ("imt", "clustered", "b_km"),
    [
        ("PGA", False, 8.5),  # eq. (17), T = 0
        ("PGA", True, 40.7),  # eq. (18), T = 0
        ("SA(0.5)", False, 8.5 + 17.2 * 0.5),
        ("SA(0.5)", True, 40.7 - 15.0 * 0.5),
        ("SA(1.0)", False, 25.7),  # T >= 1 s: b = 22.0 + 3.7 T in both cases
        ("SA(1.0)", True, 25.7),
        ("SA(3.0)", False, 22.0 + 3.7 * 3.0),
        ("SA(10.0)", True, 59.0),
    ],
)
def test_jb2009_range(imt: str, clustered: bool, b_km: float) -> None:
    assert jb2009_range_km(imt, clustered) == pytest.approx(b_km)
    # rho(h) = exp(-3h/b): 0.05 at the range itself
    assert jb2009_correlation(np.array([0.0, b_km]), imt, clustered) == pytest.approx([1.0, np.exp(-3.0)])


@pytest.mark.parametrize(("imt", "code"), [("PGV", "input.unsupported"), ("SA(12.0)", "input.unsupported"),
                                          ("MMI", "input.unknown")])  # fmt: skip
def test_jb2009_refuses_what_the_paper_does_not_cover(imt: str, code: str) -> None:
    with pytest.raises(InputError) as info:
        jb2009_range_km(imt)
    expect_error(info, code, "imt")


# --- reproducibility and stream splitting ------------------------------------------------------------------


@pytest.mark.parametrize(("correlation", "method"), [(None, "auto"), ("JB2009", "cholesky"), ("JB2009", "approximate")])
def test_reproducible_and_independent_of_blocking(
    correlation: str | None, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lon, lat = sites(300)
    gms = {"PGA": motion(300), "SA(1.0)": motion(300, tau=0.3, phi=0.5)}
    kwargs = {"truncation": 3.0, "correlation": correlation, "method": method}
    a = simulate_fields(gms, lon, lat, 12, seed=7, **kwargs)  # type: ignore[arg-type]
    b = simulate_fields(gms, lon, lat, 12, seed=7, **kwargs)  # type: ignore[arg-type]
    for imt in gms:
        assert a[imt].dtype == np.float32
        assert a[imt].shape == (12, 300)
        np.testing.assert_array_equal(a[imt], b[imt])
    c = simulate_fields(gms, lon, lat, 12, seed=8, **kwargs)  # type: ignore[arg-type]
    assert not np.array_equal(a["PGA"], c["PGA"])
    # Blocks of 2 fields, fewer fields, one IMT alone: the same fields.
    monkeypatch.setattr(gmf, "_BLOCK_VALUES", 600)
    d = simulate_fields(gms, lon, lat, 12, seed=7, **kwargs)  # type: ignore[arg-type]
    e = simulate_fields({"PGA": gms["PGA"]}, lon, lat, 5, seed=7, **kwargs)  # type: ignore[arg-type]
    np.testing.assert_array_equal(a["SA(1.0)"], d["SA(1.0)"])
    np.testing.assert_array_equal(a["PGA"][:5], e["PGA"])


def test_auto_switches_to_the_approximation(monkeypatch: pytest.MonkeyPatch) -> None:
    lon, lat = sites(150)
    gms = {"PGA": motion(150)}
    exact = simulate_fields(gms, lon, lat, 3, seed=1, correlation="JB2009", method="cholesky")
    approx = simulate_fields(gms, lon, lat, 3, seed=1, correlation="JB2009", method="approximate")
    np.testing.assert_array_equal(simulate_fields(gms, lon, lat, 3, seed=1, correlation="JB2009")["PGA"], exact["PGA"])
    monkeypatch.setattr(gmf, "EXACT_MAX_SITES", 100)
    auto = simulate_fields(gms, lon, lat, 3, seed=1, correlation="JB2009")
    np.testing.assert_array_equal(auto["PGA"], approx["PGA"])


# --- marginal distributions, truncation, between-event residual --------------------------------------------


def _sum_of_truncated_cdf(tau: float, phi: float, t: float) -> object:
    """CDF of tau * eta + phi * eps, eta and eps independent standard normals truncated at +-t."""
    mass = special.ndtr(t) - special.ndtr(-t)
    grid = np.linspace(-t, t, 2001)
    weight = np.exp(-(grid**2) / 2) / np.sqrt(2 * np.pi) / mass  # truncated normal density

    def cdf(x: Floats) -> Floats:
        x = np.atleast_1d(x)
        y = np.clip((x[:, None] - tau * grid[None, :]) / phi, -t, t)
        inner = (special.ndtr(y) - special.ndtr(-t)) / mass  # truncated normal CDF
        out: Floats = integrate.simpson(weight[None, :] * inner, x=grid, axis=1)
        return out

    return cdf


def test_marginal_distribution_matches_the_model() -> None:
    n_fields = 4000
    lon, lat = sites(3)
    mean = np.log(np.array([0.05, 0.2, 0.6]))
    tau, phi = np.array([0.3, 0.4, 0.0]), np.array([0.5, 0.6, 0.7])
    gm = GroundMotion(mean=mean, sigma=np.hypot(tau, phi), tau=tau, phi=phi)
    free = np.log(simulate_fields({"PGA": gm}, lon, lat, n_fields, seed=3, truncation=None)["PGA"])
    cut = np.log(simulate_fields({"PGA": gm}, lon, lat, n_fields, seed=3, truncation=3.0)["PGA"])
    for s in range(3):
        sigma = float(np.hypot(tau[s], phi[s]))
        assert stats.kstest(free[:, s], stats.norm(mean[s], sigma).cdf).pvalue > 1e-3
        residual = cut[:, s] - mean[s]
        assert np.abs(residual).max() <= 3.0 * (tau[s] + phi[s]) + 1e-5
        assert stats.kstest(residual, _sum_of_truncated_cdf(tau[s], phi[s], 3.0)).pvalue > 1e-3  # type: ignore[arg-type]
        # the truncated sum is close to the model's normal too (the truncation removes 0.27 % of the mass)
        assert stats.kstest(residual, stats.norm(0, sigma).cdf).pvalue > 1e-3
    # site 2 has tau = 0: its residual is phi * eps with |eps| <= 3, distributed as the truncated normal
    eps = (cut[:, 2] - mean[2]) / phi[2]
    assert np.abs(eps).max() <= 3.0 + 1e-5
    assert stats.kstest(eps, stats.truncnorm(-3, 3).cdf).pvalue > 1e-3


def test_between_event_residual_is_common_to_all_sites() -> None:
    n, n_fields, tau, phi = 2000, 1500, 0.4, 0.6
    lon, lat = sites(n)
    ln = np.log(simulate_fields({"PGA": motion(n, 0.0, tau, phi)}, lon, lat, n_fields, seed=11)["PGA"])
    v = float(stats.truncnorm.var(-3, 3))
    field_mean = ln.mean(axis=1)  # tau * eta + phi * mean(eps)
    expected = v * (tau**2 + phi**2 / n)
    assert field_mean.var() == pytest.approx(expected, rel=4 * np.sqrt(2 / n_fields))
    # eta cancels between sites: their difference has variance 2 phi^2 v
    assert (ln[:, 0] - ln[:, 1]).var() == pytest.approx(2 * phi**2 * v, rel=4 * np.sqrt(2 / n_fields))
    # phi = 0: every site of a field has the same residual, with or without correlation
    for correlation in (None, "JB2009"):
        only = simulate_fields(
            {"PGA": motion(50, 0.0, tau, 0.0)},
            lon[:50],
            lat[:50],
            20,
            seed=2,
            correlation=correlation,  # type: ignore[arg-type]
        )["PGA"]
        np.testing.assert_allclose(only, only[:, :1] * np.ones((1, 50)), rtol=1e-6)
        assert np.abs(np.log(only)).max() <= 3 * tau + 1e-5


def test_truncation_zero_gives_the_median() -> None:
    lon, lat = sites(20)
    for correlation in (None, "JB2009"):
        out = simulate_fields({"PGA": motion(20)}, lon, lat, 4, seed=0, truncation=0, correlation=correlation)  # type: ignore[arg-type]
        np.testing.assert_allclose(out["PGA"], 0.2, rtol=1e-6)


# --- spatial correlation -----------------------------------------------------------------------------------

BINS_KM = ((0.8, 1.2), (4.5, 5.5), (9.0, 11.0), (18.0, 22.0))


def binned_correlation(
    z: Floats, lon: Floats, lat: Floats, imt: str, clustered: bool, *, anchors: int, per_bin: int
) -> list[tuple[float, float, float]]:
    """Per distance bin: (estimated correlation, model correlation averaged over the same pairs, standard error).

    Pairs join the first ``anchors`` sites to the others (up to ``per_bin`` pairs per bin). The estimate is
    the ratio of means over fields, mean(z_i z_j) / mean(z^2) (a ratio of per-field ratios would be biased:
    in a domain a few ranges wide the two means of one field move together); its standard error is the
    delta method's over the independent fields.
    """
    rng = np.random.default_rng(0)
    d = haversine_km(lon[:anchors, None], lat[:anchors, None], lon[None, :], lat[None, :])
    out = []
    for lo, hi in BINS_KM:
        a, b = np.nonzero((d > lo) & (d <= hi))
        if a.size > per_bin:
            keep = rng.choice(a.size, per_bin, replace=False)
            a, b = a[keep], b[keep]
        assert a.size > 100
        num = (z[:, a] * z[:, b]).mean(axis=1)
        den = (z**2).mean(axis=1)
        estimate = num.mean() / den.mean()
        se = (num - estimate * den).std(ddof=1) / den.mean() / np.sqrt(z.shape[0])
        model = float(jb2009_correlation(d[a, b], imt, clustered).mean())
        out.append((float(estimate), model, float(se)))
    return out


def test_uncorrelated_fields_have_no_spatial_correlation() -> None:
    n = 500
    lon, lat = sites(n)
    z = np.log(simulate_fields({"PGA": motion(n, 0.0, 0.0, 1.0)}, lon, lat, 400, seed=5)["PGA"]).astype(np.float64)
    for estimate, _, se in binned_correlation(z, lon, lat, "PGA", False, anchors=n, per_bin=20_000):
        assert abs(estimate) < 4 * se + 0.005


@pytest.mark.parametrize(("imt", "clustered"), [("PGA", False), ("PGA", True), ("SA(1.0)", False)])
def test_jb2009_exact_cholesky(imt: str, clustered: bool) -> None:
    n = 500
    lon, lat = sites(n, seed=2)
    z = np.log(
        simulate_fields(
            {imt: motion(n, 0.0, 0.0, 1.0)},
            lon,
            lat,
            400,
            seed=21,
            correlation="JB2009",
            vs30_clustering=clustered,
            method="cholesky",
        )[imt]
    ).astype(np.float64)
    for estimate, model, se in binned_correlation(z, lon, lat, imt, clustered, anchors=n, per_bin=20_000):
        assert abs(estimate - model) < 4 * se + 0.005, (estimate, model, se)


def test_jb2009_approximation_at_20000_sites() -> None:
    """The Vecchia approximation reproduces rho(h) = exp(-3h/b) within sampling error plus its own error
    (below 0.015; see test_vecchia_implied_correlation). 100,000 sites: measured outside the suite."""
    n = 20_000
    lon, lat = sites(n, seed=3)
    for imt, clustered in (("PGA", False), ("PGA", True)):
        z = np.log(
            simulate_fields(
                {imt: motion(n, 0.0, 0.0, 1.0)},
                lon,
                lat,
                150,
                seed=31,
                correlation="JB2009",
                vs30_clustering=clustered,
                method="approximate",
            )[imt]
        ).astype(np.float64)
        # variance 1 up to the truncation (0.973 at 3 sigma) and the approximation (< 1e-2)
        assert (z**2).mean() == pytest.approx(stats.truncnorm.var(-3, 3), abs=0.03)
        for estimate, model, se in binned_correlation(z, lon, lat, imt, clustered, anchors=400, per_bin=20_000):
            assert abs(estimate - model) < 4 * se + 0.015, (imt, estimate, model, se)


def test_vecchia_implied_correlation() -> None:
    """The covariance the Vecchia factor implies, computed densely, against the exact exp(-3h/b)."""
    n = 1500
    lon, lat = sites(n, seed=4)
    xyz, _ = gmf._distinct_locations(lon, lat)
    x = xyz[gmf._coarse_to_fine_order(xyz)]
    exact_d = np.sqrt(gmf._squared_distances(x))
    for b in (8.5, 25.7, 40.7):
        neighbour, weight, scale = gmf._vecchia_factor(x, b, gmf.VECCHIA_NEIGHBOURS)
        a = np.eye(n)
        for k in range(neighbour.shape[1]):
            np.add.at(a, (np.arange(n), neighbour[:, k]), -weight[:, k])
        a_inv = linalg.solve_triangular(a, np.eye(n), lower=True)
        implied = (a_inv * scale**2) @ a_inv.T
        error = np.abs(implied - gmf._correlation_of_chord(exact_d.copy(), b))
        assert error.max() < 0.015
        assert error.mean() < 1.5e-3


def test_previous_neighbours_are_the_nearest_earlier_points() -> None:
    rng = np.random.default_rng(9)
    x = rng.uniform(0, 50, (3000, 3))
    got = gmf._previous_neighbours(x, 10)
    d2 = gmf._squared_distances(x)
    for i in (1, 5, 255, 256, 1000, 2999):
        expected = np.argsort(d2[i, :i], kind="stable")[: min(i, 10)]
        np.testing.assert_array_equal(np.sort(got[i, : min(i, 10)]), np.sort(expected))
        assert np.all(got[i, min(i, 10) :] == -1)


@pytest.mark.parametrize("method", ["cholesky", "approximate"])
def test_sites_at_one_location_are_perfectly_correlated(method: str) -> None:
    lon, lat = sites(60)
    lon, lat = np.concatenate([lon, lon[:5]]), np.concatenate([lat, lat[:5]])
    gms = {"PGA": motion(65)}
    out = simulate_fields(gms, lon, lat, 10, seed=4, correlation="JB2009", method=method)  # type: ignore[arg-type]
    np.testing.assert_array_equal(out["PGA"][:, :5], out["PGA"][:, 60:])
    free = simulate_fields(gms, lon, lat, 10, seed=4)["PGA"]
    assert not np.array_equal(free[:, :5], free[:, 60:])


# --- the scenario HazardSet --------------------------------------------------------------------------------


def test_fields_to_hazardset_round_trip() -> None:
    lon, lat = sites(40)
    fields = simulate_fields({"PGA": motion(40), "PGV": motion(40, np.log(20.0))}, lon, lat, 25, seed=1)
    hs = fields_to_hazardset(fields, "PGA", "g", lon, lat, event_id_start=101, realisation=3)
    assert hs.peril == "earthquake"
    assert (hs.imt, hs.unit, hs.n_events, hs.n_sites) == ("PGA", "g", 25, 40)
    np.testing.assert_array_equal(hs.intensity.toarray(), fields["PGA"])
    np.testing.assert_array_equal(hs.event_id, np.arange(101, 126))
    np.testing.assert_allclose(hs.frequency, 1 / 25)
    assert hs.realisation is not None
    assert np.all(hs.realisation == 3)
    pgv = fields_to_hazardset(fields["PGV"], "PGV", "cm/s", lon, lat)
    np.testing.assert_array_equal(pgv.intensity.toarray(), fields["PGV"])
    assert pgv.realisation is None
    assert pgv.event_id[0] == 1


def test_fields_to_hazardset_leaves_out_only_exact_zeros() -> None:
    lon, lat = sites(4)
    values = np.array([[0.0, 1e-30, 0.2, 0.0], [0.1, 0.0, 0.0, 3.0]], dtype=np.float32)
    hs = fields_to_hazardset(values, "SA(0.3)", "g", lon, lat, realisation=[0, 1])
    assert hs.nnz == 4
    np.testing.assert_array_equal(hs.intensity.toarray(), values)
    assert hs.intensity.dtype == np.float32
    with pytest.raises(InputError, match="cm/s"):  # the unit given, not that of PGA
        fields_to_hazardset(values, "PGA", "cm/s", lon, lat)
    with pytest.raises(InputError) as info:
        fields_to_hazardset(values[:, :3], "PGA", "g", lon, lat)
    expect_error(info, "input.inconsistent", "fields")


# --- input checks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "field", "row"),
    [
        ({"n_fields": 0}, "input.range", "n_fields", None),
        ({"seed": -1}, "input.range", "seed", None),
        ({"truncation": -1.0}, "input.range", "truncation", None),
        ({"correlation": "HM2018"}, "input.unknown", "correlation", None),
        ({"method": "fft"}, "input.unknown", "method", None),
        ({"site_lat": np.array([43.0, 95.0, 43.0])}, "input.range", "site_lat", 2),
        ({"site_lon": np.array([76.0, 76.1])}, "input.inconsistent", "site_lat", None),
        ({"ground_motion_per_imt": {}}, "input.missing", "imt", None),
        ({"ground_motion_per_imt": {"PGA": motion(2)}}, "input.inconsistent", "mean", None),
        ({"ground_motion_per_imt": {"PGA": motion(3, tau=-0.1)}}, "input.range", "tau", 1),
        ({"ground_motion_per_imt": {"PGV": motion(3)}, "correlation": "JB2009"}, "input.unsupported", "imt", None),
    ],
)
def test_input_errors(change: dict[str, object], code: str, field: str, row: int | None) -> None:
    kwargs: dict[str, object] = {
        "ground_motion_per_imt": {"PGA": motion(3)},
        "site_lon": np.array([76.0, 76.1, 76.2]),
        "site_lat": np.array([43.0, 43.1, 43.2]),
        "n_fields": 2,
        "seed": 1,
    }
    kwargs.update(change)
    with pytest.raises(InputError) as info:
        simulate_fields(**kwargs)  # type: ignore[arg-type]
    expect_error(info, code, field, row)


def test_cholesky_refuses_too_many_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gmf, "CHOLESKY_MAX_SITES", 10)
    lon, lat = sites(11)
    with pytest.raises(InputError) as info:
        simulate_fields({"PGA": motion(11)}, lon, lat, 1, seed=0, correlation="JB2009", method="cholesky")
    expect_error(info, "input.too_large", "method")
