"""MFDs, sources and the classical-PSHA kernel: hand-computed values and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
from kalkan.core.hazard.earthquake.mfd import ArbitraryMFD, IncrementalMFD, SingleMFD, TruncatedGRMFD, mfd_from_dict
from kalkan.core.hazard.earthquake.psha import (
    ExceedanceModel,
    disaggregate,
    exceedance_probability,
    exceedance_rates,
    hazard_curves,
    interpolate_iml,
    weighted_quantile,
)
from kalkan.core.hazard.earthquake.scaling import dimensions
from kalkan.core.hazard.earthquake.site import Sites
from kalkan.core.hazard.earthquake.sources import (
    AreaSource,
    Frame,
    NodalPlane,
    PointSource,
    SimpleFaultSource,
    concatenate,
    openquake_area_grid,
)
from kalkan.errors import InputError
from tests.errors import expect_error

SADIGH = [GmpeBranch("SadighEtAl1997", 1.0, branch_id="Sadigh")]
SITE = Sites(np.array([0.0]), np.array([0.2]), np.array([760.0]), names=("a",))
LEVELS = np.array([0.01, 0.05, 0.1, 0.2, 0.4, 0.8])


# --------------------------------------------------------------------------------------------- MFDs


def test_truncated_gr_bin_rates_by_hand() -> None:
    mags, rates = TruncatedGRMFD(4.0, 1.0, 5.0, 5.3, 0.1).magnitudes_and_rates()
    np.testing.assert_allclose(mags, [5.05, 5.15, 5.25])
    # rate of a bin = N(>= lower edge) - N(>= upper edge), N = 10^(a - b M)
    np.testing.assert_allclose(rates, [10 ** (4 - 5.0) - 10 ** (4 - 5.1), 10 ** (4 - 5.1) - 10 ** (4 - 5.2),
                                       10 ** (4 - 5.2) - 10 ** (4 - 5.3)])  # fmt: skip
    assert TruncatedGRMFD(4.0, 1.0, 5.0, 5.3, 0.1).total_rate() == pytest.approx(10**-1 - 10**-1.3)


def test_truncated_gr_rounds_range_to_bins_as_openquake() -> None:
    mags, _ = TruncatedGRMFD(4.0, 1.0, 5.02, 5.29, 0.1).magnitudes_and_rates()
    np.testing.assert_allclose(mags, [5.05, 5.15, 5.25])


def test_incremental_arbitrary_single() -> None:
    mags, rates = IncrementalMFD(5.0, 0.5, (0.1, 0.01)).magnitudes_and_rates()
    np.testing.assert_allclose(mags, [5.0, 5.5])
    np.testing.assert_allclose(rates, [0.1, 0.01])
    assert ArbitraryMFD((6.0, 7.0), (0.1, 0.0)).magnitudes_and_rates()[1].tolist() == [0.1, 0.0]
    assert SingleMFD(6.5, 0.002).magnitudes_and_rates()[0].tolist() == [6.5]


@pytest.mark.parametrize(
    ("build", "code", "field"),
    [
        (lambda: TruncatedGRMFD(4.0, 1.0, 6.0, 5.0), "input.inconsistent", "maxMag"),  # below minMag
        (lambda: TruncatedGRMFD(4.0, 0.0, 5.0, 6.0), "input.range", "bValue"),
        (lambda: TruncatedGRMFD(4.0, -1.0, 5.0, 6.0), "input.range", "bValue"),
        (lambda: IncrementalMFD(5.0, 0.1, (0.1, -0.01)), "input.range", "rates"),
        (lambda: SingleMFD(6.0, -1.0), "input.range", "rates"),
        (lambda: ArbitraryMFD((6.0,), (0.1, 0.2)), "input.inconsistent", "rates"),  # 1 magnitude, 2 rates
        (lambda: mfd_from_dict({"kind": "youngsCoppersmith"}), "input.unknown", "kind"),
        (lambda: mfd_from_dict({"kind": "single", "magnitude": 6.0}), "input.missing", "rate"),
    ],
)
def test_mfd_validation(build: object, code: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        build()  # type: ignore[operator]
    expect_error(info, code, field)


# --------------------------------------------------------------------------------------------- geometry


def test_frame_round_trip_and_exact_distance_from_centre() -> None:
    f = Frame(70.0, 40.0)
    x, y = f.to_xy([71.0], [41.0])
    lon, lat = f.to_lonlat(x, y)
    assert (lon[0], lat[0]) == pytest.approx((71.0, 41.0), abs=1e-9)
    from kalkan.core.geodesy import geodetic_distance_km

    assert math.hypot(x[0], y[0]) == pytest.approx(float(geodetic_distance_km(70, 40, 71, 41)), rel=1e-9)


def test_dimensions_cap_width_and_keep_area() -> None:
    length, width = dimensions(np.array([100.0, 400.0]), 2.0, 12.0)
    np.testing.assert_allclose(width, [math.sqrt(50.0), 12.0])
    np.testing.assert_allclose(length * width, [100.0, 400.0])


def fault(**kw: object) -> SimpleFaultSource:
    args: dict[str, object] = {
        "source_id": "f", "name": "f", "trace": ((0.0, 0.0), (0.0, 0.2248)), "upper_depth_km": 0.0,
        "lower_depth_km": 12.0, "dip": 90.0, "rake": 0.0, "mfd": SingleMFD(6.0, 0.01), "scaling": "PEER",
        "aspect_ratio": 2.0, "spacing_km": 1.0,
    }  # fmt: skip
    args.update(kw)
    return SimpleFaultSource(**args)  # type: ignore[arg-type]


def test_floating_rupture_count_by_hand() -> None:
    # fault 25.0 km x 12 km on a 1 km grid: 26 x 13 nodes; M6 PEER: A = 100 km2, W = sqrt(50) = 7.07 km
    # -> rint(7.07 + 1) = 8 rows, L = 14.14 km -> rint(15.14) = 15 columns; (26 - 15 + 1) x (13 - 8 + 1) = 72
    rs = fault().ruptures()
    fault_length = 0.2248 * math.pi / 180 * 6371.0
    n_cols = round(fault_length / (fault_length / math.ceil(fault_length))) + 1
    assert n_cols == 26
    assert len(rs) == (26 - 15 + 1) * (13 - 8 + 1) == 72
    np.testing.assert_allclose(rs.rate, 0.01 / 72)
    assert rs.rate.sum() == pytest.approx(0.01)
    np.testing.assert_allclose(rs.width, 7.0)
    np.testing.assert_allclose(rs.length, 14 * fault_length / 25)
    assert rs.ztor.min() == 0.0 and rs.ztor.max() == pytest.approx(5.0)


def test_rupture_larger_than_fault_fills_it_once() -> None:
    rs = fault(mfd=SingleMFD(7.5, 0.01)).ruptures()
    assert len(rs) == 1
    assert rs.width[0] == pytest.approx(12.0)


def test_non_floating_and_area_variability() -> None:
    assert len(fault(floating=False).ruptures()) == 1
    rs = fault(area_sigma_log10=0.25).ruptures()
    assert rs.rate.sum() == pytest.approx(0.01)
    assert len(np.unique(rs.width)) > 3


def test_plane_distances_vertical_fault() -> None:
    rs = fault(floating=False).ruptures()
    # a site 10 km east of the middle of a vertical strike-slip fault reaching the surface
    x, y = rs.frame.to_xy([0.0], [0.1124])
    lon, lat = rs.frame.to_lonlat(x + 10.0, y)
    d = rs.distances(lon, lat)
    assert d["rrup"][0, 0] == pytest.approx(10.0, abs=1e-6)
    assert d["rjb"][0, 0] == pytest.approx(10.0, abs=1e-6)
    assert d["rx"][0, 0] == pytest.approx(10.0, abs=1e-6)
    assert d["ry0"][0, 0] == pytest.approx(0.0, abs=1e-9)


def test_dipping_plane_distances_by_hand() -> None:
    rs = fault(floating=False, dip=45.0, upper_depth_km=2.0, lower_depth_km=12.0).ruptures()
    x, y = rs.frame.to_xy([0.0], [0.1124])
    # above the top edge: rrup = ztor; 20 km into the hanging wall: beyond the bottom edge's projection
    for dx, rrup, rjb in ((0.0, 2.0, 0.0), (20.0, math.hypot(20.0 - 10.0, 12.0), 10.0), (-3.0, math.hypot(3, 2), 3.0)):
        lon, lat = rs.frame.to_lonlat(x + dx, y)
        d = rs.distances(lon, lat)
        assert d["rjb"][0, 0] == pytest.approx(rjb, abs=1e-6)
        if dx <= 0:
            assert d["rrup"][0, 0] == pytest.approx(rrup, abs=1e-6)
    # a site over the middle of the surface projection: distance to the plane along its normal
    lon, lat = rs.frame.to_lonlat(x + 5.0, y)
    assert rs.distances(lon, lat)["rrup"][0, 0] == pytest.approx((2.0 + 5.0) * math.sin(math.radians(45)), abs=1e-6)


def point(**kw: object) -> PointSource:
    args: dict[str, object] = {
        "source_id": "p", "name": "p", "lon": 0.0, "lat": 0.0, "mfd": SingleMFD(6.0, 0.01),
        "nodal_planes": (NodalPlane(1.0, 0.0, 90.0, 0.0),), "hypo_depths": ((1.0, 10.0),), "upper_depth_km": 0.0,
        "lower_depth_km": 20.0, "scaling": "PEER", "aspect_ratio": 2.0,
    }  # fmt: skip
    args.update(kw)
    return PointSource(**args)  # type: ignore[arg-type]


def test_point_source_rupture_is_centred_and_clipped() -> None:
    rs = point().ruptures()
    assert len(rs) == 1
    assert rs.ztor[0] == pytest.approx(10.0 - math.sqrt(50) / 2)
    # a shallow hypocentre: the plane slides down to the upper depth, the hypocentre stays
    rs = point(hypo_depths=((1.0, 1.0),)).ruptures()
    assert rs.ztor[0] == pytest.approx(0.0)
    assert rs.hypo_depth[0] == 1.0
    # width cut to the seismogenic layer and length grown to keep the area
    rs = point(mfd=SingleMFD(7.0, 0.01), lower_depth_km=10.0).ruptures()
    assert rs.width[0] == pytest.approx(10.0)
    assert rs.length[0] * rs.width[0] == pytest.approx(1000.0)


@settings(max_examples=40, deadline=None)
@given(dip=st.floats(30.0, 90.0), lsd=st.floats(3.0, 20.0), usd=st.floats(0.0, 2.0))
def test_capped_ruptures_never_rise_above_the_layer(dip: float, lsd: float, usd: float) -> None:
    """A width capped at the layer fills it exactly: its top is never above the upper depth (rounding guard)."""
    planes = (NodalPlane(1.0, 0.0, dip, 90.0),)
    rs = point(mfd=SingleMFD(8.0, 0.01), nodal_planes=planes, hypo_depths=((1.0, (usd + lsd) / 2),),
               upper_depth_km=usd, lower_depth_km=lsd).ruptures()  # fmt: skip
    assert rs.ztor[0] >= usd
    assert rs.ztor[0] + rs.width[0] * math.sin(math.radians(dip)) == pytest.approx(lsd, abs=1e-9)


def test_point_source_rates_split_over_planes_and_depths() -> None:
    planes = (NodalPlane(0.25, 0.0, 90.0, 0.0), NodalPlane(0.75, 90.0, 60.0, 90.0))
    rs = point(nodal_planes=planes, hypo_depths=((0.5, 5.0), (0.5, 10.0))).ruptures()
    assert len(rs) == 4
    assert sorted(rs.rate) == pytest.approx([0.00125, 0.00125, 0.00375, 0.00375])


def test_area_source_grid_and_rate_split() -> None:
    square = ((-0.045, -0.045), (0.045, -0.045), (0.045, 0.045), (-0.045, 0.045))
    area = AreaSource("a", "a", square, SingleMFD(6.0, 0.02), (NodalPlane(1.0, 0.0, 90.0, 0.0),), ((1.0, 10.0),),
                      0.0, 20.0, "PEER", 2.0, None, 0.01, False)  # fmt: skip
    rs = area.ruptures()
    assert len(rs) == 81  # -0.04 ... 0.04 on each axis: 9 x 9 points strictly inside
    assert rs.rate.sum() == pytest.approx(0.02)


# The event-based benchmark's zone (benchmarks/bench_event_based.py): 0.8 x 0.6 degrees, about 69.6 x 66.7 km.
BENCH_ZONE = ((68.4, 38.3), (69.2, 38.3), (69.2, 38.9), (68.4, 38.9))
KM_PER_DEG = math.radians(1.0) * 6371.0


def bench_zone(spacing_km: float = 10.0) -> AreaSource:
    return AreaSource("GIS", "bench", BENCH_ZONE, TruncatedGRMFD(4.0, 1.0, 5.0, 7.0),
                      (NodalPlane(1.0, 60.0, 40.0, 90.0),), ((1.0, 10.0),), 0.0, 20.0, "WC1994", 1.5,
                      spacing_km)  # fmt: skip


def test_area_grid_is_anchored_at_the_north_west_corner_as_openquake() -> None:
    # OpenQuake's area_source_discretization = 10 km: rows every 10 km south of the northern edge (38.9),
    # points every 10 km east of the western edge (68.4) along each row; kept if strictly inside: the northern
    # row (inside the great-circle edge) is kept, the column on the western meridian edge is not. 7 rows x 6
    # columns = 42 points, as OpenQuake 3.26 lists them (Polygon.discretize; first 68.5155579 38.9, last
    # 68.5146914 38.3604070 in its west column). The previous grid, centred on the polygon, had 7 x 7 = 49
    # points, i.e. 14 % less rate per point: hazard inside the zone was 5-18 % low against OpenQuake.
    src = bench_zone()
    lon, lat = src.frame().to_lonlat(*src.grid())
    assert lon.size == 42
    rows = 38.9 - np.arange(7) / KM_PER_DEG * 10.0
    np.testing.assert_allclose(np.unique(np.round(lat, 9))[::-1], rows, atol=1e-9)
    for row in rows:
        cols = np.sort(lon[np.isclose(lat, row)])
        expected = 68.4 + np.arange(1, 7) * 10.0 / (KM_PER_DEG * math.cos(math.radians(row)))
        np.testing.assert_allclose(cols, expected, atol=1e-6)
    np.testing.assert_allclose([lon.min(), lon.max()], [68.5146914, 69.0933472], atol=1e-6)
    rs = src.ruptures()
    assert len(rs) == 42 * 20 and rs.rate.sum() == pytest.approx(10**-1 - 10**-3)


def test_area_grid_edges_as_openquake() -> None:
    # a box on the equator: its northern and southern parallels are great circles, their rows lie on the edges
    # and are left out: 10 x 10 points (OpenQuake 3.26), not 11 x 10
    box = ((-0.045, -0.045), (0.045, -0.045), (0.045, 0.045), (-0.045, 0.045))
    assert openquake_area_grid(box, 1.0)[0].size == 100
    # a 342.7 km northern edge bulges north; the grid's first row is at the edge's highest third point
    # (floor(342.7 / 100) = 3 pieces): 39.6152429, and OpenQuake 3.26 has 1,080 points
    lon, lat = openquake_area_grid(((71.5, 36.8), (71.5, 39.6), (75.5, 39.6), (75.5, 36.8)), 10.0)
    assert lon.size == 1080
    assert lat.max() == pytest.approx(39.6152429, abs=1e-7)
    # across the antimeridian: points on both sides, longitudes in [-180, 180)
    lon, _ = openquake_area_grid(((179.0, -17.0), (-179.5, -17.0), (-179.5, -16.0), (179.0, -16.0)), 10.0)
    assert (lon > 179.0).any() and (lon < -179.5).any()
    assert ((lon > 179.0) | (lon < -179.5)).all() and (np.abs(lon) <= 180.0).all()


def test_bench_zone_hazard_matches_openquake_classical() -> None:
    # OpenQuake 3.26 classical, same zone (NRML as in the benchmark), BooreEtAl2014, Vs30 400 measured,
    # truncation 3, 10 km discretisation, MFD bins 0.1, 1 year: PoE of PGA at Dushanbe (68.78, 38.56)
    levels = np.array([0.01, 0.05, 0.1, 0.3, 0.8])
    oq = np.array([9.281716e-02, 6.214135e-02, 3.585974e-02, 7.448459e-03, 7.009514e-04])
    site = Sites(np.array([68.78]), np.array([38.56]), np.array([400.0]), np.array([True]), names=("dushanbe",))
    bssa = [GmpeBranch("BooreEtAl2014", 1.0)]
    curves = hazard_curves([bench_zone().ruptures()], bssa, site, ["PGA"], {"PGA": levels},
                           model=ExceedanceModel("TRUNCATION_LOWER_UPPER", 3.0), investigation_time=1.0)  # fmt: skip
    np.testing.assert_allclose(curves.mean_poe()[0, 0], oq, rtol=0.005)


@pytest.mark.parametrize(
    ("build", "code", "field"),
    [
        (lambda: fault(dip=0.0), "input.range", "dip"),
        (lambda: fault(lower_depth_km=0.0), "input.inconsistent", "lowerSeismoDepth"),
        (lambda: fault(scaling="Nope"), "input.unknown", "scaling"),
        (lambda: point(hypo_depths=((1.0, 30.0),)), "input.inconsistent", "hypoDepth"),  # below the layer
        (lambda: point(nodal_planes=(NodalPlane(0.5, 0.0, 90.0, 0.0),)), "input.inconsistent", "nodalPlaneDist"),
        (lambda: point(aspect_ratio=0.0), "input.range", "ruptAspectRatio"),
    ],
)
def test_source_validation(build: object, code: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        build()  # type: ignore[operator]
    expect_error(info, code, field)


# --------------------------------------------------------------------------------------------- PSHA


def test_point_source_hazard_matches_hand_integration() -> None:
    """One finite rupture: rate x P(ln PGA > ln x) with the GMPE's own mean and sigma at the rupture's Rrup."""
    src = point()
    rs = src.ruptures()
    curves = hazard_curves([rs], SADIGH, SITE, ["PGA"], LEVELS)
    d = rs.distances(SITE.lon, SITE.lat)
    from kalkan.core.hazard.earthquake.gmpe.base import Context

    gm = SADIGH[0].gmpe.compute(Context(mag=np.array([6.0]), rake=np.array([0.0]), rrup=d["rrup"][0],
                                        vs30=np.array([760.0])), "PGA")  # fmt: skip
    expected = 0.01 * norm.sf((np.log(LEVELS) - gm.mean[0]) / gm.sigma[0])
    np.testing.assert_allclose(curves.rates[0, 0, 0], expected, rtol=1e-10)
    np.testing.assert_allclose(curves.poe()[0, 0, 0], 1 - np.exp(-expected), rtol=1e-10)


def test_exceedance_models() -> None:
    mean, sigma = np.array([0.0]), np.array([1.0])
    lv = np.array([-1.0, 0.5, 2.5, 3.5])
    assert exceedance_probability(mean, sigma, lv, ExceedanceModel("NONE"))[0].tolist() == [1, 0, 0, 0]
    np.testing.assert_allclose(
        exceedance_probability(mean, sigma, lv, ExceedanceModel("TRUNCATION_OFF"))[0], norm.sf(lv)
    )
    up = exceedance_probability(mean, sigma, lv, ExceedanceModel("TRUNCATION_UPPER_ONLY", 3.0))[0]
    np.testing.assert_allclose(up, np.clip((norm.sf(lv) - norm.sf(3)) / (1 - norm.sf(3)), 0, 1))
    assert up[-1] == 0.0
    both = exceedance_probability(mean, sigma, np.array([-3.5, 0.0]), ExceedanceModel("TRUNCATION_LOWER_UPPER", 3.0))
    np.testing.assert_allclose(both[0], [1.0, 0.5])
    mix = exceedance_probability(mean, sigma, np.array([1.0]), ExceedanceModel("PEER_MIXTURE_MODEL"))[0, 0]
    assert mix == pytest.approx(0.5 * (norm.sf(1 / 0.8) + norm.sf(1 / 1.2)))
    with pytest.raises(InputError) as info:
        ExceedanceModel("GAUSS")
    expect_error(info, "input.unknown", "exceedance_model")


@settings(max_examples=25, deadline=None)
@given(
    mag=st.floats(5.0, 7.5),
    dist_deg=st.floats(0.0, 1.0),
    depth=st.floats(2.0, 18.0),
    model=st.sampled_from(["NONE", "TRUNCATION_OFF", "TRUNCATION_UPPER_ONLY", "PEER_MIXTURE_MODEL"]),
)
def test_curves_do_not_increase_with_level(mag: float, dist_deg: float, depth: float, model: str) -> None:
    rs = point(mfd=TruncatedGRMFD(3.0, 1.0, 5.0, mag + 0.1), hypo_depths=((1.0, depth),)).ruptures()
    sites = Sites(np.array([dist_deg]), np.array([0.0]), np.array([760.0]), names=("s",))
    rates = exceedance_rates(rs, SADIGH[0].gmpe, sites, {"PGA": np.geomspace(1e-3, 2.0, 15)}, ExceedanceModel(model))
    assert (np.diff(rates[0, 0]) <= 1e-15).all()
    assert (rates >= 0).all()


@settings(max_examples=15, deadline=None)
@given(split=st.integers(1, 70), lon=st.floats(-0.3, 0.3))
def test_rates_add_across_sources_and_rupture_blocks(split: int, lon: float) -> None:
    rs = fault().ruptures()
    sites = Sites(np.array([lon]), np.array([0.1]), np.array([760.0]), names=("s",))
    lv = {"PGA": LEVELS}
    model = ExceedanceModel("TRUNCATION_OFF")
    whole = exceedance_rates(rs, SADIGH[0].gmpe, sites, lv, model)
    a, b = rs.take(slice(0, split)), rs.take(slice(split, None))
    parts = exceedance_rates(a, SADIGH[0].gmpe, sites, lv, model) + exceedance_rates(
        b, SADIGH[0].gmpe, sites, lv, model
    )
    np.testing.assert_allclose(whole, parts, rtol=1e-12)
    np.testing.assert_allclose(exceedance_rates(concatenate([a, b]), SADIGH[0].gmpe, sites, lv, model), whole)


def test_logic_tree_mean_and_quantiles() -> None:
    branches = [GmpeBranch("SadighEtAl1997", 0.3, branch_id="s"), GmpeBranch("BooreEtAl2014", 0.7, branch_id="b")]
    curves = hazard_curves([point().ruptures()], branches, SITE, ["PGA"], LEVELS, investigation_time=50.0)
    poe = curves.poe()
    np.testing.assert_allclose(curves.mean_poe(), 0.3 * poe[0] + 0.7 * poe[1])
    lo, hi = np.minimum(poe[0], poe[1]), np.maximum(poe[0], poe[1])
    median = curves.quantile_poe(0.5)
    assert ((median >= lo - 1e-15) & (median <= hi + 1e-15)).all()
    np.testing.assert_allclose(weighted_quantile(np.array([[1.0], [3.0]]), np.array([0.5, 0.5]), 0.75), [2.0])


def test_uhs_interpolation_log_log() -> None:
    levels = np.array([0.1, 0.2, 0.4])
    poes = np.array([0.1, 0.01, 0.001])
    assert interpolate_iml(levels, poes, 0.01) == pytest.approx(0.2)
    assert interpolate_iml(levels, poes, math.sqrt(0.1 * 0.01)) == pytest.approx(math.sqrt(0.1 * 0.2))
    assert math.isnan(interpolate_iml(levels, poes, 0.5))


def test_disaggregation_fractions_sum_to_one_and_match_rate() -> None:
    rs = point(mfd=TruncatedGRMFD(3.0, 1.0, 5.0, 7.0)).ruptures()
    curves = hazard_curves([rs], SADIGH, SITE, ["PGA"], LEVELS)
    d = disaggregate([rs], SADIGH, SITE, "a", "PGA", 0.1)
    assert d.fractions.sum() == pytest.approx(1.0)
    assert d.total_rate == pytest.approx(curves.rates[0, 0, 0, 2])
    assert 5.0 < d.mean_mag < 7.0
    with pytest.raises(InputError) as info:
        disaggregate([rs], SADIGH, SITE, "zz", "PGA", 0.1)
    expect_error(info, "input.unknown", "site")


def test_far_site_is_a_recorded_warning() -> None:
    far = Sites(np.array([10.0]), np.array([10.0]), np.array([760.0]), names=("far",))
    curves = hazard_curves([point().ruptures()], SADIGH, far, ["PGA"], LEVELS, max_distance_km=200.0)
    assert (curves.rates == 0).all()
    assert any("no rupture within 200 km" in w for w in curves.warnings)


def test_bad_inputs() -> None:
    rs = [point().ruptures()]
    with pytest.raises(InputError) as info:
        hazard_curves(rs, SADIGH, SITE, ["PGA"], np.array([0.2, 0.1]))
    expect_error(info, "input.inconsistent", "levels")  # levels must increase
    with pytest.raises(InputError) as info:
        hazard_curves(rs, [GmpeBranch("SadighEtAl1997", 0.5, branch_id="s")], SITE, ["PGA"], LEVELS)
    expect_error(info, "input.inconsistent", "weight")  # weights sum to 0.5
    with pytest.raises(InputError) as info:
        hazard_curves(rs, SADIGH, SITE, ["PGD"], LEVELS)
    expect_error(info, "input.unknown", "imt")
    with pytest.raises(InputError) as info:
        hazard_curves(rs, SADIGH, SITE, ["PGV"], LEVELS)
    expect_error(info, "input.unsupported", "imt")  # Sadigh et al. (1997) has no PGV equation
