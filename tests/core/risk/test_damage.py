"""Damage-state outputs: hand calculations, properties of the kernel, the cross-check against the mean-loss
engine, critical facilities, determinism across thread counts, and bad input."""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy import sparse

from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.risk.assignment import explicit_sites
from kalkan.core.risk.damage import DamageResult, compute_damage, exceedance_numba
from kalkan.core.risk.engine import InMemorySource, compute_mean
from kalkan.core.risk.groups import build_groups
from kalkan.core.vulnerability.fragility_set import (
    FragilitySet,
    damage_state_probabilities,
    exceedance_probabilities,
    vulnerability_from_fragility,
)
from kalkan.core.vulnerability.functions import ConsequenceModel, FragilityFunction, VulnerabilitySet
from kalkan.errors import InputError
from tests.errors import expect_error

LS = ("moderate", "complete")
F1 = FragilityFunction("F1", "PGA", "g", LS, median=np.array([0.3, 0.6]), beta=np.array([0.5, 0.6]))
F2 = FragilityFunction("F2", "PGA", "g", LS, median=np.array([0.2, 0.4]), beta=np.array([0.4, 0.5]))
LOSS_RATIO = np.array([0.2, 1.0])
CASUALTY = {"severity_1": np.array([0.01, 0.1]), "severity_4": np.array([0.0, 0.02])}
DISPLACED = np.array([0.1, 0.9])
C1 = ConsequenceModel(
    "C1", LS, LOSS_RATIO, casualty_rates=CASUALTY, displaced_rate=DISPLACED, non_functional_from="complete"
)
C0 = ConsequenceModel(
    "C0", LS, LOSS_RATIO, casualty_rates=CASUALTY, displaced_rate=DISPLACED, non_functional_from="moderate"
)
MIXED = FragilitySet(
    functions={"F1": F1, "F2": F2},
    consequences={"C1": C1},
    mapping={"RC": (("F1", "C1", 1.0),), "MUR": (("F1", "C1", 0.5), ("F2", "C1", 0.5))},
)


def phi(z: float) -> float:
    """Standard normal CDF, by hand."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def pds(fn: FragilityFunction, x: float) -> NDArray[np.float64]:
    """P(no damage), P(DS1), P(DS2) of a two-limit-state lognormal function, by hand."""
    assert fn.median is not None and fn.beta is not None
    p1, p2 = (phi(math.log(x / m) / b) for m, b in zip(fn.median, fn.beta, strict=True))
    return np.array([1.0 - p1, p1 - p2, p2])


def make_hazard(rows: Any, freq: Any, imt: str = "PGA", unit: str = "g") -> HazardSet:
    """Events x sites intensities (zero: the event does not reach the site) and annual frequencies."""
    m = np.array(rows, dtype=np.float64)
    return HazardSet(
        peril="earthquake",
        imt=imt,
        unit=unit,
        site_lon=np.zeros(m.shape[1]),
        site_lat=np.zeros(m.shape[1]),
        event_id=np.arange(m.shape[0]),
        frequency=np.array(freq),
        intensity=sparse.csr_matrix(m),
    )


def make_exposure(**columns: Any) -> Exposure:
    n = len(columns["taxonomy"])

    def labels(name: str) -> NDArray[np.object_] | None:
        return np.array(columns[name], dtype=object) if name in columns else None

    return Exposure(
        id=np.array([f"a{i}" for i in range(n)], dtype=object),
        lon=np.zeros(n),
        lat=np.zeros(n),
        taxonomy=np.array(columns["taxonomy"], dtype=object),
        costs={"structural": np.asarray(columns.get("cost", np.full(n, 100.0)), dtype=float)},
        number=np.asarray(columns.get("number", np.ones(n)), dtype=float),
        occupants=columns.get("occupants", {"day": np.ones(n), "night": np.ones(n)}),
        district=labels("district"),
        critical_type=labels("critical_type"),
        site_id=np.asarray(columns["site"], dtype=np.int64),
    )


def run(hazard: HazardSet, exposure: Exposure, fragility: FragilitySet, **kwargs: Any) -> DamageResult:
    assert exposure.site_id is not None
    assignment = explicit_sites(exposure.site_id, hazard.n_sites, where="test")
    return compute_damage(hazard, exposure, assignment, fragility, **kwargs)


# ----------------------------------------------------------------------------------------- hand calculation


def test_hand_calculation_one_site_two_assets_two_events() -> None:
    # Asset A: 3 RC buildings (F1); asset B: 2 MUR buildings, half F1 and half F2 (a school).
    exposure = make_exposure(
        taxonomy=["RC", "MUR"],
        number=[3.0, 2.0],
        cost=[100.0, 50.0],
        occupants={"day": np.array([4.0, 6.0]), "night": np.array([10.0, 2.0])},
        critical_type=["", "school"],
        district=["north", "south"],
        site=[0, 0],
    )
    # Events 0 and 1 reach site 0 (0.2 g, 0.5 g); event 2 reaches only site 1, where nothing stands.
    hazard = make_hazard([[0.2, 0.0], [0.5, 0.0], [0.0, 0.9]], [0.1, 0.01, 0.5])
    r = run(hazard, exposure, MIXED, casualty_period="day", breakdowns={"district": exposure.district})

    assert r.damage_states == ("no_damage", "moderate", "complete")
    assert r.severities == ("severity_1", "severity_4")
    for e, x in enumerate([0.2, 0.5]):
        pa = pds(F1, x)
        pb = 0.5 * pds(F1, x) + 0.5 * pds(F2, x)
        np.testing.assert_allclose(r.buildings[e], 3 * pa + 2 * pb, rtol=1e-12)
        np.testing.assert_allclose(r.loss[e], 100 * pa[1:] @ LOSS_RATIO + 50 * pb[1:] @ LOSS_RATIO, rtol=1e-12)
        for s, sev in enumerate(r.severities):
            expected = 4 * pa[1:] @ CASUALTY[sev] + 6 * pb[1:] @ CASUALTY[sev]
            np.testing.assert_allclose(r.casualties_people[e, s], expected, rtol=1e-12, atol=1e-15)
        assert r.displaced_people is not None
        np.testing.assert_allclose(r.displaced_people[e], 10 * pa[1:] @ DISPLACED + 2 * pb[1:] @ DISPLACED, rtol=1e-12)
        # The school is non-functional from "complete": P(DS >= complete).
        np.testing.assert_allclose(r.nonfunctional_facilities[e], [pb[2]], rtol=1e-12)
        # By district: north is asset A alone, south asset B alone.
        assert r.bucket_buildings is not None and r.bucket_loss is not None
        np.testing.assert_allclose(r.bucket_buildings[e], [3 * pa, 2 * pb], rtol=1e-12)
        np.testing.assert_allclose(r.bucket_loss[e], [100 * pa[1:] @ LOSS_RATIO, 50 * pb[1:] @ LOSS_RATIO], rtol=1e-12)
    # An event that reaches no asset leaves every building undamaged.
    np.testing.assert_array_equal(r.buildings[2], [5.0, 0.0, 0.0])
    assert r.loss[2] == 0.0 and r.casualties_people[2].sum() == 0.0

    freq = np.array([0.1, 0.01, 0.5])
    np.testing.assert_allclose(r.loss_per_year, freq @ r.loss, rtol=1e-12)
    np.testing.assert_allclose(r.buildings_per_year, freq @ r.buildings, rtol=1e-12)
    np.testing.assert_allclose(r.casualties_people_per_year, freq @ r.casualties_people, rtol=1e-12)
    assert r.displaced_people_per_year is not None
    np.testing.assert_allclose(r.displaced_people_per_year, freq @ r.displaced_people, rtol=1e-12)
    np.testing.assert_allclose(r.nonfunctional_facilities_per_year, freq @ r.nonfunctional_facilities, rtol=1e-12)
    # Per asset annual values add up to the portfolio's.
    np.testing.assert_allclose(r.asset_loss_per_year().sum(), r.loss_per_year, rtol=1e-12)
    np.testing.assert_allclose(r.asset_casualties_people_per_year().sum(axis=0), r.casualties_people_per_year)
    np.testing.assert_allclose(r.asset_damaged_buildings_per_year().sum(axis=0), r.buildings_per_year[1:])
    assert r.cost_type == "structural" and r.casualty_period == "day" and r.currency == "USD"


def test_lognormal_cdf_with_erfc_matches_scipy_and_hand() -> None:
    x = np.array([0.0, 1e-6, 0.05, 0.3, 0.6, 1.0, 10.0])
    got = exceedance_numba(F1, x)
    # Relative agreement even deep in the tail (1e-140), where z ~ 25 amplifies the rounding of ln(x).
    np.testing.assert_allclose(got, exceedance_probabilities(F1, x), rtol=1e-11, atol=0)
    assert got[0].tolist() == [0.0, 0.0]  # zero intensity: no damage
    assert got[3, 0] == 0.5  # at the median
    np.testing.assert_allclose(got[5, 1], phi(math.log(1.0 / 0.6) / 0.6), rtol=1e-14)


def test_discrete_fragility_rule() -> None:
    fn = FragilityFunction(
        "D", "PGA", "g", LS, kind="discrete", intensity=np.array([0.1, 0.3, 0.6]),
        poes=np.array([[0.1, 0.5, 0.9], [0.0, 0.2, 0.6]]),
    )  # fmt: skip
    x = np.array([0.0, 0.0999, 0.1, 0.2, 0.3, 0.45, 0.6, 2.0])
    got = exceedance_numba(fn, x)
    expected = np.array([[0, 0], [0, 0], [0.1, 0], [0.3, 0.1], [0.5, 0.2], [0.7, 0.4], [0.9, 0.6], [0.9, 0.6]])
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(got, fn.poe(x), rtol=1e-14, atol=1e-15)


def test_crossing_curves_are_capped() -> None:
    # A wider beta on the higher limit state: far below the medians its curve lies above the lower one's.
    fn = FragilityFunction("X", "PGA", "g", LS, median=np.array([0.3, 0.35]), beta=np.array([0.2, 1.2]))
    x = np.array([0.01, 0.05])
    raw = fn.poe(x)
    assert np.all(raw[:, 1] > raw[:, 0])
    got = exceedance_numba(fn, x)
    np.testing.assert_array_equal(got[:, 1], got[:, 0])
    assert np.all(damage_state_probabilities(fn, x) >= 0)


# ----------------------------------------------------------------------------------------------- properties


@st.composite
def lognormal_functions(draw: st.DrawFn) -> FragilityFunction:
    n = draw(st.integers(1, 4))
    medians = sorted(draw(st.lists(st.floats(0.01, 3.0), min_size=n, max_size=n)))
    betas = draw(st.lists(st.floats(0.05, 1.5), min_size=n, max_size=n))
    return FragilityFunction(
        "F", "PGA", "g", tuple(f"DS{k + 1}" for k in range(n)), median=np.array(medians), beta=np.array(betas)
    )


@st.composite
def discrete_functions(draw: st.DrawFn) -> FragilityFunction:
    n = draw(st.integers(1, 4))
    m = draw(st.integers(2, 6))
    steps = draw(st.lists(st.floats(0.01, 1.0), min_size=m, max_size=m))
    levels = np.cumsum(steps)
    rows = [sorted(draw(st.lists(st.floats(0.0, 1.0), min_size=m, max_size=m))) for _ in range(n)]
    poes = np.minimum.accumulate(np.array(rows), axis=0)
    return FragilityFunction(
        "D", "PGA", "g", tuple(f"DS{k + 1}" for k in range(n)), kind="discrete", intensity=levels, poes=poes
    )


def consequence_for(fn: FragilityFunction) -> ConsequenceModel:
    n = len(fn.limit_states)
    return ConsequenceModel("C", fn.limit_states, np.linspace(0.1, 1.0, n), non_functional_from=fn.limit_states[-1])


@settings(max_examples=60, deadline=None)
@given(
    fn=st.one_of(lognormal_functions(), discrete_functions()),
    intensities=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=8),
    numbers=st.lists(st.integers(0, 50), min_size=3, max_size=3),
)
def test_buildings_over_damage_states_sum_to_number_of_buildings(
    fn: FragilityFunction, intensities: list[float], numbers: list[int]
) -> None:
    exposure = make_exposure(
        taxonomy=["T", "T", "T"], number=numbers, site=[0, 0, 1], district=["a", "b", "a"], critical_type=["", "", ""]
    )
    # Event e: intensity x_e at site 0 and x_e / 2 at site 1.
    hazard = make_hazard([[x, x / 2] for x in intensities], [0.01] * len(intensities))
    r = run(hazard, exposure, FragilitySet.single(fn, consequence_for(fn)), breakdowns={"d": exposure.district})
    assert np.all(r.buildings >= 0)
    np.testing.assert_allclose(r.buildings.sum(axis=1), sum(numbers), rtol=1e-12, atol=1e-9)
    assert r.bucket_buildings is not None and np.all(r.bucket_buildings >= 0)
    per_district = np.broadcast_to([numbers[0] + numbers[2], numbers[1]], (len(intensities), 2))
    np.testing.assert_allclose(r.bucket_buildings.sum(axis=2), per_district, rtol=1e-12, atol=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    fn=st.one_of(lognormal_functions(), discrete_functions()),
    intensities=st.lists(st.floats(0.0, 5.0), min_size=2, max_size=10),
)
def test_higher_intensity_never_decreases_exceedance(fn: FragilityFunction, intensities: list[float]) -> None:
    x = np.sort(np.array(intensities))
    poe = exceedance_numba(fn, x)
    assert np.all(np.diff(poe, axis=0) >= 0)
    assert np.all(np.diff(poe, axis=1) <= 0)
    # Through the whole computation: buildings in DS >= k, one event per intensity.
    exposure = make_exposure(taxonomy=["T"], number=[7.0], site=[0])
    r = run(make_hazard([[v] for v in x], [0.1] * x.size), exposure, FragilitySet.single(fn, consequence_for(fn)))
    at_least = np.cumsum(r.buildings[:, ::-1], axis=1)[:, ::-1][:, 1:]
    assert np.all(np.diff(at_least, axis=0) >= -1e-12)


# ----------------------------------------------------------------------------- cross-check with mean mode


def _engine_loss(hazard: HazardSet, exposure: Exposure, grid: NDArray[np.float64]) -> tuple[Any, Any]:
    """Mean-mode event losses with the equivalent vulnerability functions tabulated at ``grid``."""
    vset = VulnerabilitySet(
        functions={
            "V1": vulnerability_from_fragility(F1, C1, grid, id="V1"),
            "V2": vulnerability_from_fragility(F2, C1, grid, id="V2"),
        },
        mapping={"structural": {"RC": (("V1", 1.0),), "MUR": (("V1", 0.5), ("V2", 0.5))}},
    )
    assert exposure.site_id is not None
    assignment = explicit_sites(exposure.site_id, hazard.n_sites, where="test")
    groups = build_groups(exposure, assignment, vset, hazard.n_sites)
    mean = compute_mean(InMemorySource(hazard), hazard.frequency, groups, block_events=4)
    return mean.event_loss, mean.group_aal().sum()


def _cross_check_case(intensity: NDArray[np.float64]) -> tuple[HazardSet, Exposure]:
    rng = np.random.default_rng(7)
    n_assets = 12
    exposure = make_exposure(
        taxonomy=rng.choice(["RC", "MUR"], n_assets).tolist(),
        number=rng.integers(1, 9, n_assets),
        cost=rng.uniform(10, 1000, n_assets),
        site=rng.integers(0, 3, n_assets),
    )
    hazard = make_hazard(intensity, rng.uniform(1e-4, 1e-2, intensity.shape[0]))
    return hazard, exposure


def test_consequence_loss_equals_mean_mode_at_tabulated_intensities() -> None:
    grid = np.linspace(0.0, 2.0, 201)
    rng = np.random.default_rng(3)
    intensity = grid[rng.integers(0, grid.size, (25, 3))]
    hazard, exposure = _cross_check_case(intensity)
    r = run(hazard, exposure, MIXED)
    event_loss, aal = _engine_loss(hazard, exposure, grid)
    np.testing.assert_allclose(r.loss, event_loss, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r.loss_per_year, aal, rtol=1e-12)


def test_consequence_loss_equals_mean_mode_to_interpolation_error() -> None:
    grid = np.linspace(0.0, 3.0, 3001)
    intensity = np.random.default_rng(4).uniform(0.0, 2.5, (40, 3))
    hazard, exposure = _cross_check_case(intensity)
    r = run(hazard, exposure, MIXED)
    event_loss, _ = _engine_loss(hazard, exposure, grid)
    # Linear interpolation with step h: error <= h^2 / 8 max |LR''| per unit value.
    total_value = float(exposure.costs["structural"].sum())
    np.testing.assert_allclose(r.loss, event_loss, rtol=1e-4, atol=1e-6 * total_value)


# ---------------------------------------------------------------------------------------- critical facilities


def test_critical_facility_counts_by_hand() -> None:
    fragility = FragilitySet(
        functions={"F1": F1, "F2": F2},
        consequences={"C0": C0},
        mapping={"RC": (("F1", "C0", 1.0),), "MUR": (("F1", "C0", 0.5), ("F2", "C0", 0.5))},
    )
    exposure = make_exposure(
        taxonomy=["RC", "MUR", "RC", "RC"],
        critical_type=["school", "hospital", "school", ""],
        site=[0, 0, 1, 1],
    )
    x = [[0.3, 0.1], [0.1, 1.0], [0.0, 0.35]]
    freq = [0.1, 0.2, 0.4]
    hazard = make_hazard(x, freq)

    def p_f1(v: float) -> float:  # non-functional from "moderate": P(DS >= moderate)
        return 0.0 if v == 0 else phi(math.log(v / 0.3) / 0.5)

    def p_mix(v: float) -> float:
        return 0.0 if v == 0 else 0.5 * p_f1(v) + 0.5 * phi(math.log(v / 0.2) / 0.4)

    school1 = [p_f1(row[0]) for row in x]
    hospital = [p_mix(row[0]) for row in x]
    school2 = [p_f1(row[1]) for row in x]
    assert school1[0] == 0.5  # exactly at the threshold: counts

    r = run(hazard, exposure, fragility)
    assert r.critical_types == ("hospital", "school")
    np.testing.assert_array_equal(r.facility_asset, [0, 1, 2])
    np.testing.assert_array_equal(r.facility_type, [1, 0, 1])
    expected = np.column_stack([hospital, np.add(school1, school2)])
    np.testing.assert_allclose(r.nonfunctional_facilities, expected, rtol=1e-12)
    np.testing.assert_allclose(r.nonfunctional_facilities_per_year, np.array(freq) @ expected, rtol=1e-12)
    probabilities = np.array([school1, hospital, school2])
    likely = probabilities >= 0.5
    np.testing.assert_array_equal(r.facility_nonfunctional_events, likely.sum(axis=1))
    np.testing.assert_allclose(r.facility_nonfunctional_freq_per_year, likely @ np.array(freq), rtol=1e-12)
    np.testing.assert_allclose(r.facility_nonfunctional_per_year, probabilities @ np.array(freq), rtol=1e-12)
    assert r.facility_nonfunctional_events.tolist() == [1, 1, 2]

    strict = run(hazard, exposure, fragility, nonfunctional_threshold=0.9)
    np.testing.assert_array_equal(strict.facility_nonfunctional_events, (probabilities >= 0.9).sum(axis=1))
    assert strict.nonfunctional_threshold == 0.9


# ------------------------------------------------------------------------------------------------ determinism


def test_identical_results_for_one_and_two_threads() -> None:
    if int(numba.config.NUMBA_NUM_THREADS) < 2:  # type: ignore[attr-defined]
        pytest.skip("numba has a single thread here")
    rng = np.random.default_rng(11)
    n_events, n_sites, n_assets = 300, 20, 200
    m = sparse.random(n_events, n_sites, density=0.4, random_state=5, format="csr", dtype=np.float32)
    m.data *= 1.5
    hazard = HazardSet(
        "earthquake", "PGA", "g", np.zeros(n_sites), np.zeros(n_sites), np.arange(n_events),
        rng.uniform(1e-4, 1e-2, n_events), m,
    )  # fmt: skip
    exposure = make_exposure(
        taxonomy=rng.choice(["RC", "MUR"], n_assets).tolist(),
        number=rng.integers(1, 5, n_assets),
        cost=rng.uniform(1, 100, n_assets),
        occupants={"night": rng.uniform(0, 20, n_assets)},
        district=rng.choice(["a", "b", "c"], n_assets).tolist(),
        critical_type=rng.choice(["", "", "", "school", "clinic"], n_assets).tolist(),
        site=rng.integers(0, n_sites, n_assets),
    )
    before = numba.get_num_threads()
    results = []
    try:
        for threads, chunk_blocks in ((1, None), (2, None), (2, 3)):
            numba.set_num_threads(threads)
            results.append(
                run(hazard, exposure, MIXED, breakdowns={"district": exposure.district}, block_events=16,
                    chunk_blocks=chunk_blocks)
            )  # fmt: skip
    finally:
        numba.set_num_threads(before)
    names = (
        "buildings", "loss", "casualties_people", "displaced_people", "bucket_buildings", "bucket_loss",
        "nonfunctional_facilities", "facility_nonfunctional_events", "facility_nonfunctional_freq_per_year",
        "facility_nonfunctional_per_year", "group_rate",
    )  # fmt: skip
    for other in results[1:]:
        for name in names:
            assert np.array_equal(getattr(results[0], name), getattr(other, name)), name
    assert results[0].facility_asset.size > 0 and results[0].loss.sum() > 0


# -------------------------------------------------------------------------------------------------- bad input


def test_unknown_taxonomy_names_the_taxonomies() -> None:
    exposure = make_exposure(taxonomy=["RC", "ADOBE", "W", "ADOBE"], site=[0, 0, 0, 0])
    with pytest.raises(InputError, match=r"'ADOBE' \(2 assets\), 'W' \(1 assets\)") as info:
        run(make_hazard([[0.3]], [0.1]), exposure, MIXED)
    expect_error(info, "input.unknown", "taxonomy")


def test_consequence_states_must_match_limit_states() -> None:
    other = ConsequenceModel("C", ("slight", "complete"), np.array([0.1, 1.0]))
    with pytest.raises(InputError, match=r"consequence model 'C' has damage states \('slight', 'complete'\)"):
        FragilitySet.single(F1, other)
    with pytest.raises(InputError, match="limit states"):
        vulnerability_from_fragility(F1, other, np.array([0.0, 1.0]))


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"RC": (("F9", "C1", 1.0),)}, "fragility function 'F9' is not defined"),
        ({"RC": (("F1", "C9", 1.0),)}, "consequence model 'C9' is not defined"),
        ({"RC": (("F1", "C1", 0.5), ("F2", "C1", 0.4))}, "weights sum to 0.900000"),
        ({"RC": (("F1", "C1", 0.0), ("F2", "C1", 1.0))}, r"must be in \(0, 1\]"),
        ({"RC": ()}, "maps to no fragility function"),
    ],
)
def test_bad_mapping(mapping: dict[str, tuple[tuple[str, str, float], ...]], message: str) -> None:
    with pytest.raises(InputError, match=message):
        FragilitySet(functions={"F1": F1, "F2": F2}, consequences={"C1": C1}, mapping=mapping)


def test_functions_must_share_limit_states() -> None:
    three = FragilityFunction("F3", "PGA", "g", ("a", "b", "c"), median=np.ones(3), beta=np.ones(3))
    with pytest.raises(InputError, match="one list of limit states"):
        FragilitySet(functions={"F1": F1, "F3": three}, consequences={"C1": C1}, mapping={"*": (("F1", "C1", 1.0),)})


def test_consequence_models_must_agree_on_severities() -> None:
    bare = ConsequenceModel("C2", LS, LOSS_RATIO, displaced_rate=DISPLACED)
    with pytest.raises(InputError, match="same severities"):
        FragilitySet(functions={"F1": F1}, consequences={"C1": C1, "C2": bare}, mapping={"*": (("F1", "C1", 1.0),)})


def test_imt_and_unit_must_match_the_hazard() -> None:
    exposure = make_exposure(taxonomy=["RC"], site=[0])
    with pytest.raises(InputError) as info:
        run(make_hazard([[30.0]], [0.1], imt="PGV", unit="cm/s"), exposure, MIXED)
    expect_error(info, "input.inconsistent", "imt")


def test_missing_occupants_and_missing_non_functional_state() -> None:
    exposure = make_exposure(taxonomy=["RC"], site=[0], occupants={"night": np.array([3.0])})
    with pytest.raises(InputError) as info:
        run(make_hazard([[0.3]], [0.1]), exposure, MIXED, casualty_period="day")
    expect_error(info, "input.missing", "occupants_day")
    r = run(make_hazard([[0.3]], [0.1]), exposure, MIXED, casualty_period=None, displaced=False)
    assert r.casualties_people.shape == (1, 0) and r.displaced_people is None and r.casualty_period is None
    plain = ConsequenceModel("P", LS, LOSS_RATIO)
    school = make_exposure(taxonomy=["RC"], site=[0], critical_type=["school"])
    with pytest.raises(InputError, match="'a0'") as info:  # the message names the asset
        run(make_hazard([[0.3]], [0.1]), school, FragilitySet.single(F1, plain))
    expect_error(info, "input.inconsistent", "critical_type")


def test_unassigned_assets_are_listed_not_counted() -> None:
    exposure = make_exposure(taxonomy=["RC", "RC"], number=[2.0, 5.0], site=[0, -1])
    r = run(make_hazard([[0.3]], [0.1]), exposure, MIXED, casualty_period=None, displaced=False)
    np.testing.assert_array_equal(r.unassigned, [1])
    np.testing.assert_allclose(r.buildings.sum(), 2.0)
