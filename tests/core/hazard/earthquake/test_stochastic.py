"""Stochastic event sets: Poisson counts, years, branch sampling, reproducibility across block sizes, and the
empirical exceedance rates of a long catalogue against the classical hazard curve (two independent methods)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.stats

from kalkan.app.event_based import write_event_hazard
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
from kalkan.core.hazard.earthquake.mfd import SingleMFD, TruncatedGRMFD
from kalkan.core.hazard.earthquake.psha import ExceedanceModel, hazard_curves
from kalkan.core.hazard.earthquake.site import Sites
from kalkan.core.hazard.earthquake.sources import AreaSource, NodalPlane, PointSource, RuptureSet
from kalkan.core.hazard.earthquake.stochastic import sample_events, simulate_hazard
from kalkan.errors import InputError
from kalkan.io.hazard import load_hazard
from tests.errors import expect_error

BSSA = [GmpeBranch("BooreEtAl2014", 1.0)]


def area(a_value: float = 3.0) -> list[RuptureSet]:
    """A 55 x 65 km area source under Dushanbe, M 5-7, one reverse plane, 10 km deep."""
    polygon = ((68.5, 38.3), (69.1, 38.3), (69.1, 38.8), (68.5, 38.8))
    mfd = TruncatedGRMFD(a_value, 1.0, 5.0, 7.0)
    plane = (NodalPlane(1.0, 60.0, 40.0, 90.0),)
    src = AreaSource("A", "test zone", polygon, mfd, plane, ((1.0, 10.0),), lower_depth_km=20.0, spacing_km=10.0)
    return [src.ruptures()]


SITES = Sites(np.array([68.78, 68.9, 69.5]), np.array([38.56, 38.4, 38.9]), np.full(3, 400.0), names=("a", "b", "c"))


def single(rate: float, source_id: str = "P") -> RuptureSet:
    src = PointSource(source_id, "one rupture", 68.8, 38.6, SingleMFD(6.0, rate), (NodalPlane(1.0, 0.0, 90.0, 0.0),),
                      ((1.0, 10.0),))  # fmt: skip
    rs = src.ruptures()
    assert len(rs) == 1
    return rs


def test_count_of_one_rupture_is_poisson() -> None:
    # one catalogue: z-score of the count against the Poisson mean r T
    rate, years = 0.01, 200_000
    n = sample_events([single(rate)], years, 3, BSSA).n_events
    assert abs(n - rate * years) / np.sqrt(rate * years) < 4
    # 400 catalogues of mean 5: chi-square of the count histogram against the Poisson pmf
    counts = np.array([sample_events([single(0.005)], 1000, s, BSSA).n_events for s in range(400)])
    k = np.arange(12)
    pmf = scipy.stats.poisson.pmf(k, 5.0)
    pmf[-1] += scipy.stats.poisson.sf(k[-1], 5.0)
    observed = np.bincount(np.minimum(counts, k[-1]), minlength=k.size)
    assert scipy.stats.chisquare(observed, pmf * counts.size).pvalue > 0.001
    assert abs(counts.mean() - 5.0) < 4 * np.sqrt(5.0 / counts.size)


def test_years_are_integers_in_range_and_uniform() -> None:
    years = 1500
    ev = sample_events(area(5.0), years, 11, BSSA)
    assert ev.n_events > 1000
    assert ev.year.dtype == np.int64
    assert ev.year.min() >= 0 and ev.year.max() < years
    assert scipy.stats.kstest((ev.year + 0.5) / years, "uniform").pvalue > 0.001
    assert np.array_equal(ev.event_id, np.arange(1, ev.n_events + 1))
    assert ev.rupture_ids()[0].startswith("A:")


def test_branches_are_sampled_with_their_weights() -> None:
    branches = [GmpeBranch("BooreEtAl2014", 0.3), GmpeBranch("AkkarEtAlRjb2014", 0.7)]
    ev = sample_events(area(5.0), 2000, 5, branches)
    share = float((ev.branch == 0).mean())
    assert abs(share - 0.3) < 4 * np.sqrt(0.3 * 0.7 / ev.n_events)
    assert ev.branch_names == ("BooreEtAl2014", "AkkarEtAlRjb2014")


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(InputError) as info:
        sample_events(area(), 0, 1, BSSA)
    expect_error(info, "input.range", "years")
    with pytest.raises(InputError) as info:
        sample_events(area(), 10, -1, BSSA)
    expect_error(info, "input.range", "seed")
    ev = sample_events(area(4.0), 100, 1, BSSA)
    with pytest.raises(InputError) as info:
        simulate_hazard(ev, area(4.0), BSSA, SITES, ["PGD"])
    expect_error(info, "input.unknown", "imt")
    with pytest.raises(InputError) as info:
        simulate_hazard(ev, area(4.0), BSSA, SITES, ["PGA", "PGA"])
    expect_error(info, "input.duplicate", "imt")
    with pytest.raises(InputError) as info:  # not the rupture sets the catalogue was sampled from
        simulate_hazard(ev, [single(0.1)], BSSA, SITES, ["PGA"])
    expect_error(info, "input.inconsistent", "rupture_sets")


def test_empirical_exceedance_rates_converge_to_the_classical_curve() -> None:
    """Event-based rates (count of events above x / T) against the classical lambda(x) of psha.py for the same
    source, GMPE, truncation (3 sigma both sides) and maximum distance; counts are Poisson(lambda T)."""
    rs = area(3.3)
    levels = np.array([0.02, 0.05, 0.1, 0.2, 0.4])
    classical = hazard_curves(rs, BSSA, SITES, ["PGA"], levels, model=ExceedanceModel("TRUNCATION_LOWER_UPPER", 3.0),
                              max_distance_km=200.0).rates[0, :, 0, :]  # fmt: skip
    years = 60_000
    ev = sample_events(rs, years, 2024, BSSA)
    h = simulate_hazard(ev, rs, BSSA, SITES, ["PGA"], max_distance_km=200.0, min_intensity=0.001)["PGA"]
    dense = h.intensity.toarray()
    expected = classical * years
    counts = (dense[:, :, None] > levels[None, None, :]).sum(axis=0)
    enough = expected >= 20
    assert enough.sum() >= 10
    z = (counts[enough] - expected[enough]) / np.sqrt(expected[enough])
    assert np.abs(z).max() < 4.0, z
    # the relative error at 0.1 g (near site) is within a few percent
    assert abs(counts[0, 2] / expected[0, 2] - 1) < 4 / np.sqrt(expected[0, 2])


def test_results_do_not_depend_on_block_size_or_other_imts() -> None:
    rs = area(5.0)
    ev = sample_events(rs, 3000, 9, BSSA)
    assert ev.n_events > 2500
    for corr in (None, "JB2009"):
        big = simulate_hazard(ev, rs, BSSA, SITES, ["PGA", "SA(0.3)"], block_events=10_000, correlation=corr)
        small = simulate_hazard(ev, rs, BSSA, SITES, ["PGA", "SA(0.3)"], block_events=1_000, correlation=corr)
        alone = simulate_hazard(ev, rs, BSSA, SITES, ["PGA"], block_events=333, correlation=corr)
        for imt in ("PGA", "SA(0.3)"):
            assert np.array_equal(big[imt].event_id, small[imt].event_id)
            assert (big[imt].intensity != small[imt].intensity).nnz == 0
        pga = big["PGA"]
        rows = np.isin(pga.event_id, alone["PGA"].event_id)
        assert (pga.intensity[rows] != alone["PGA"].intensity).nnz == 0
        assert pga.event_year is not None and np.array_equal(pga.event_year, ev.year[pga.event_id - 1])


def test_far_sites_get_nothing_and_truncation_bounds_values() -> None:
    rs = area(4.0)
    far = Sites(np.array([68.8, 75.0]), np.array([38.5, 38.5]), np.full(2, 400.0), names=("near", "far"))
    ev = sample_events(rs, 300, 4, BSSA)
    h = simulate_hazard(ev, rs, BSSA, far, ["PGA"], max_distance_km=200.0, truncation=0.0, min_intensity=0.0)["PGA"]
    assert h.intensity[:, 1].nnz == 0
    assert np.allclose(h.frequency, 1 / 300)
    # median fields (truncation 0): each event's value is the GMPE median of its rupture
    k = int(ev.rupture_index[h.event_id[0] - 1])
    from kalkan.core.hazard.earthquake.gmpe.base import Context

    one = rs[0].take(np.array([k]))
    d = one.distances(far.lon[:1], far.lat[:1])
    ctx = Context(mag=one.mag, rake=one.rake, dip=one.dip, ztor=one.ztor, width=one.width, rjb=d["rjb"][0],
                  rrup=d["rrup"][0], rx=d["rx"][0], vs30=np.array([400.0]))  # fmt: skip
    median = float(np.exp(BSSA[0].gmpe.compute(ctx, "PGA").mean[0]))
    assert h.intensity[0, 0] == pytest.approx(median, rel=1e-6)


def test_written_files_match_the_in_memory_hazard(tmp_path: Path) -> None:
    rs = area(5.0)
    ev = sample_events(rs, 400, 8, BSSA)
    memory = simulate_hazard(ev, rs, BSSA, SITES, ["PGA", "SA(1.0)"], block_events=500)
    info = write_event_hazard(tmp_path, ev, rs, BSSA, SITES, ["PGA", "SA(1.0)"], block_events=700)
    assert info["events_sampled"] == ev.n_events
    for imt in ("PGA", "SA(1.0)"):
        back = load_hazard(info["files"][imt])
        assert np.array_equal(back.event_id, memory[imt].event_id)
        assert (back.intensity != memory[imt].intensity).nnz == 0
        expected_years = memory[imt].event_year
        assert back.event_year is not None and expected_years is not None
        assert np.array_equal(back.event_year, expected_years)
        assert back.realisation is not None and (back.realisation == 0).all()
        assert np.allclose(back.frequency, 1 / 400)
        assert back.intensity.data.min() >= 0.01
    import pyarrow.parquet as pq

    table = pq.read_table(info["files"]["events"]).to_pydict()
    assert table["event_id"] == ev.event_id.tolist()
    assert sum(table["in_hazard"]) == info["events_in_hazard"] == memory["PGA"].n_events
    assert set(table["source_id"]) == {"A"}
