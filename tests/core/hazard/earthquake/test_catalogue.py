"""Catalogue statistics (declustering, completeness, Weichert, depths) and Kalkan's regional source model."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from defusedxml import ElementTree
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.app.regional_model import build_shipped_model, comparison_sites
from kalkan.catalog.sources import data_source
from kalkan.core.hazard.earthquake import catalogue as cat
from kalkan.core.hazard.earthquake import regional_model as rm
from kalkan.errors import InputError
from kalkan.io import regional_model as rm_files
from kalkan.io.isc_gem import read_catalogue_lenient
from tests.errors import expect_error

KM_PER_DEG_LAT = 6371.0088 * math.pi / 180.0
NS = "{http://openquake.org/xmlns/nrml/0.5}"


@pytest.fixture(scope="module")
def shipped() -> rm.RegionalModel:
    return build_shipped_model()


# ----------------------------------------------------------------------------------------- declustering


def test_gardner_knopoff_windows_match_the_published_fit() -> None:
    # L = 10^(0.1238 M + 0.983) km; T = 10^(0.5409 M - 0.547) d (M < 6.5), 10^(0.032 M + 2.7389) d (M >= 6.5)
    dist, time = cat.gardner_knopoff_windows(np.array([5.0, 6.0, 7.0]))
    np.testing.assert_allclose(dist, [39.994, 53.186, 70.729], rtol=1e-4)
    np.testing.assert_allclose(time, [143.71, 499.34, 918.12], rtol=1e-4)


def _synthetic() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Six events on the meridian 70 E (offsets in km north of 40 N), hand-worked against the windows:
    A M6.0 t=0 at 0 km: L=53.2 km, T=499 d. B M4.5 t=10 d at 20 km: in A's window. E M5.5 t=-5 d at 15 km:
    a foreshock inside A's (symmetric) window. C M5.0 t=100 d at 100 km: outside A's 53 km, opens its own
    window (L=40.0 km, T=144 d). F M4.8 t=120 d at 130 km: 30 km from C, 20 d after it: C's aftershock,
    130 km from A. D M4.0 t=600 d at 10 km: after A's 499 days: independent."""
    #                A     B     E     C      F      D
    t = np.array([0.0, 10.0, -5.0, 100.0, 120.0, 600.0])
    km = np.array([0.0, 20.0, 15.0, 100.0, 130.0, 10.0])
    mw = np.array([6.0, 4.5, 5.5, 5.0, 4.8, 4.0])
    return t, np.full(6, 70.0), 40.0 + km / KM_PER_DEG_LAT, mw


def test_gardner_knopoff_on_hand_worked_clusters() -> None:
    t, lon, lat, mw = _synthetic()
    dec = cat.decluster_gardner_knopoff(t, lon, lat, mw)
    assert dec.cluster.tolist() == [0, 0, 0, 3, 3, 5]
    assert dec.n_mainshocks == 3
    # aftershock-only windows (as in the 1974 paper): the foreshock E becomes a mainshock
    dec0 = cat.decluster_gardner_knopoff(t, lon, lat, mw, foreshock_time_fraction=0.0)
    assert dec0.cluster.tolist() == [0, 0, 2, 3, 3, 5]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 3000), st.floats(69.0, 71.0), st.floats(39.0, 41.0), st.sampled_from([4.0, 4.5, 5.0, 5.5, 6.6])
        ),
        min_size=1,
        max_size=30,
    )
)
def test_declustering_never_adds_events_and_mainshock_is_cluster_max(
    events: list[tuple[float, float, float, float]],
) -> None:
    t, lon, lat, mw = (np.array(c, dtype=np.float64) for c in zip(*events, strict=True))
    dec = cat.decluster_gardner_knopoff(t, lon, lat, mw)
    assert 1 <= dec.n_mainshocks <= mw.size
    assert np.array_equal(dec.cluster[dec.cluster], dec.cluster)  # every cluster points at a mainshock
    assert np.all(mw[dec.cluster] >= mw)


def test_declustering_refuses_unscreened_events() -> None:
    with pytest.raises(InputError) as info:  # screen the events first
        cat.decluster_gardner_knopoff(np.array([0.0]), np.array([70.0]), np.array([40.0]), np.array([np.nan]))
    expect_error(info, "input.missing", "mw")


# ------------------------------------------------------------------------------------------- screening


def test_missing_values_are_reported_and_excluded_with_counts() -> None:
    lon = np.array([70.0, 70.0, 70.0, 70.0, 70.0, np.nan])
    lat = np.array([40.0, 40.0, 95.0, 40.0, 40.0, 40.0])
    depth = np.array([10.0, np.nan, 10.0, np.nan, 10.0, 10.0])
    mw = np.array([5.0, 5.0, 5.0, np.nan, 5.5, 5.0])
    t = np.array([0.0, 1.0, 2.0, 3.0, np.nan, 5.0])
    s = cat.screen_events(lon, lat, depth, mw, t)
    assert s.valid.tolist() == [True, False, False, False, False, False]
    assert (s.missing_depth, s.bad_coordinates, s.missing_mw, s.bad_time) == (1, 2, 1, 1)
    assert s.as_dict()["excluded"] == 5


def test_lenient_reader_and_builder_count_bad_rows(tmp_path: Path, shipped: rm.RegionalModel) -> None:
    src = data_source("isc_gem_catalogue_central_asia").paths()[0].read_text(encoding="utf-8")
    bad = (
        "1,2001-01-01 00:00:00.00,40.0,70.0,A,10.0,A,,direct,A\n"
        "2,2001-01-02 00:00:00.00,40.0,70.0,A,,A,5.6,direct,A\n"
        "3,2001-01-03 00:00:00.00,abc,70.0,A,10.0,A,5.6,direct,A\n"
    )
    path = tmp_path / "cat.csv"
    path.write_text(src + bad, encoding="utf-8")
    catalogue, problems = read_catalogue_lenient(path)
    assert len(problems) == 3 and "line 1805, field 'lat'" in problems[2]
    zones = rm_files.read_zones(rm_files.shipped_path(rm_files.ZONES_FILE))
    model = rm.build_regional_model(catalogue, zones, zones_name=rm_files.ZONES_FILE, reader_problems=problems)
    counts = rm_files.model_record(model)["counts"]
    reasons = ("excluded", "missing_mw", "missing_depth", "bad_coordinates")
    assert [counts[k] for k in reasons] == [3, 1, 1, 1]
    assert [z.a for z in model.zones] == [z.a for z in shipped.zones]  # the bad rows changed nothing else


def test_decimal_years() -> None:
    days = cat.parse_times_days(["1970-01-01 00:00:00", "2000-07-02 00:00:00.00", "not a date"])
    y = cat.decimal_years(days[:2])
    assert y[0] == 1970.0
    assert y[1] == pytest.approx(2000.0 + 183 / 366)
    assert math.isnan(days[2])


# ---------------------------------------------------------------------------------------- completeness


def test_completeness_table_is_applied_by_magnitude_and_year() -> None:
    table = cat.CompletenessTable(mw=(5.5, 6.3, 7.0), start_year=(1964.0, 1918.0, 1904.0))
    year = np.array([1970.0, 1950.0, 1950.0, 1950.0, 1910.0, 1910.0, 2000.0])
    mw = np.array([5.6, 5.6, 6.3, 6.29, 6.9, 7.0, 5.4])
    assert cat.completeness_mask(year, mw, table).tolist() == [True, False, True, False, False, True, False]
    assert table.start_for(np.array([5.4, 5.5, 6.35, 8.0])).tolist() == [math.inf, 1964.0, 1918.0, 1904.0]
    with pytest.raises(InputError) as info:  # start years must decrease with magnitude
        cat.CompletenessTable(mw=(5.5, 6.0), start_year=(1900.0, 1964.0))
    expect_error(info, "input.inconsistent", "start_year")


def test_stepp_rates_and_sigma() -> None:
    rows = cat.stepp_table(np.array([2010.5, 2000.5, 1990.5]), np.array([5.6, 5.7, 5.8]), [5.5, 6.0], 2020.0, [10, 40])
    assert [(r.count, r.rate_per_year) for r in rows] == [(1, 0.1), (3, 0.075)]
    assert rows[1].sigma_per_year == pytest.approx(math.sqrt(0.075 / 40))


# ------------------------------------------------------------------------------------------- recurrence


def _gr_catalogue(
    rng: np.random.Generator, b: float, table: cat.CompletenessTable, end: float
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson GR catalogue above the table's Mc (rate 40/yr at Mc) from the oldest start year on."""
    start = min(table.start_year)
    n = rng.poisson(40.0 * (end - start))
    mw = table.mc + rng.exponential(1.0 / (b * math.log(10.0)), n)
    year = rng.uniform(start, end, n)
    return mw, year


def test_weichert_recovers_b_within_its_standard_error_with_unequal_periods() -> None:
    table = cat.CompletenessTable(mw=(4.0, 5.0, 6.0), start_year=(1990.0, 1950.0, 1900.0))
    rng = np.random.default_rng(20260127)
    within, bs = 0, []
    for _ in range(150):
        mw, year = _gr_catalogue(rng, 1.0, table, 2020.0)
        fit = cat.weichert(mw, year, table, 2020.0)
        within += abs(fit.b - 1.0) <= fit.sigma_b
        bs.append(fit.b)
        assert abs(fit.b - 1.0) < 4 * fit.sigma_b
        assert abs(fit.rate_per_year - 40.0) < 4 * fit.sigma_rate_per_year
    # a correct standard error covers the true b in ~68 % of catalogues (binomial sd 3.8 % for 150)
    assert 0.58 <= within / 150 <= 0.78
    assert np.mean(bs) == pytest.approx(1.0, abs=0.01)


def test_weichert_with_one_period_is_the_binned_aki_estimator() -> None:
    table = cat.CompletenessTable(mw=(5.0,), start_year=(1950.0,))
    mw = np.array([5.02, 5.07, 5.13, 5.21, 5.35, 5.44, 5.58, 5.91, 6.26, 6.73])
    fit = cat.weichert(mw, np.full(mw.size, 2000.0), table, 2020.0)
    centres = 5.0 + 0.1 * np.floor((mw - 5.0) / 0.1 + 1e-6) + 0.05
    beta = math.log(1 + 0.1 / (centres.mean() - 5.05)) / 0.1  # geometric bin counts: MLE in closed form
    assert fit.b == pytest.approx(beta / math.log(10), rel=1e-5)  # span Mc + 10, Newton tolerance
    assert fit.n_events == 10
    fixed = cat.weichert(mw, np.full(mw.size, 2000.0), table, 2020.0, b_fixed=1.0)
    assert fixed.b == 1.0 and fixed.sigma_b == 0.0


def test_rate_without_events_is_ln2_over_the_period() -> None:
    table = cat.CompletenessTable(mw=(5.5,), start_year=(1964.0,))
    assert cat.rate_without_events(1.0, table, 2017.0, math.log(2)) == pytest.approx(math.log(2) / 53)


def test_mmax_and_depth_distribution() -> None:
    mmax, observed = cat.mmax_observed_plus(np.array([6.1, 7.2]), 0.5, 7.0)
    assert mmax == pytest.approx(7.7)
    assert observed == 7.2
    assert cat.mmax_observed_plus(np.array([]), 0.5, 6.5)[0] == 6.5
    dist = cat.depth_distribution(np.array([5.0, 15.0, 15.0, 35.0, 12.0, 18.0]), [0, 10, 20, 30])
    assert dist == [(5.0, 0.17), (15.0, 0.66), (25.0, 0.17)]
    assert sum(p for _, p in dist) == pytest.approx(1.0, abs=1e-12)


# --------------------------------------------------------------------------------------- regional model


def test_shipped_model_regenerates_exactly(shipped: rm.RegionalModel) -> None:
    xml, record = rm_files.shipped_path(rm_files.MODEL_XML_FILE), rm_files.shipped_path(rm_files.MODEL_JSON_FILE)
    assert rm_files.format_nrml(shipped) == xml.read_text(encoding="utf-8")
    assert rm_files.format_record(shipped) == record.read_text(encoding="utf-8")


def test_nrml_is_well_formed_with_the_expected_sources() -> None:
    root = ElementTree.parse(rm_files.shipped_path(rm_files.MODEL_XML_FILE)).getroot()
    assert root.tag == f"{NS}nrml"
    sources = root.findall(f"{NS}sourceModel/{NS}sourceGroup/{NS}areaSource")
    assert sorted(s.get("id") for s in sources) == ["FER", "KOP", "KZP", "PAM", "TAJ"]  # PHK is not written
    for s in sources:
        assert s.get("tectonicRegion") in ("Active Shallow Crust", "Stable Continental Region")
        mfd = s.find(f"{NS}truncGutenbergRichterMFD")
        assert mfd is not None
        a, b, lo, hi = (float(mfd.get(k, "nan")) for k in ("aValue", "bValue", "minMag", "maxMag"))
        assert 0.5 < b < 1.5 and lo == 5.0 and hi > 6.0 and math.isfinite(a)
        assert s.findtext(f"{NS}magScaleRel") == "WC1994"
        assert s.findtext(f"{NS}ruptAspectRatio") == "1.5"
        upper = float(s.findtext(f"{NS}areaGeometry/{NS}upperSeismoDepth") or "nan")
        lower = float(s.findtext(f"{NS}areaGeometry/{NS}lowerSeismoDepth") or "nan")
        hypo = s.findall(f"{NS}hypoDepthDist/{NS}hypoDepth")
        assert sum(float(h.get("probability", "0")) for h in hypo) == pytest.approx(1.0)
        assert all(upper <= float(h.get("depth", "nan")) <= lower for h in hypo)
        planes = s.findall(f"{NS}nodalPlaneDist/{NS}nodalPlane")
        assert sum(float(p.get("probability", "0")) for p in planes) == pytest.approx(1.0)


def test_nrml_polygons_match_the_zones() -> None:
    root = ElementTree.parse(rm_files.shipped_path(rm_files.MODEL_XML_FILE)).getroot()
    gml = "{http://www.opengis.net/gml}"
    zones = {z.id: z for z in rm_files.read_zones(rm_files.shipped_path(rm_files.ZONES_FILE))}
    for s in root.iter(f"{NS}areaSource"):
        text = next(s.iter(f"{gml}posList")).text or ""
        xy = np.array(text.split(), dtype=float).reshape(-1, 2)
        np.testing.assert_allclose(xy, np.array(zones[str(s.get("id"))].ring[:-1]), atol=5e-4)


def test_shipped_model_parameters(shipped: rm.RegionalModel) -> None:
    by_id = {r.zone.id: r for r in shipped.zones}
    crustal = shipped.group_fits["active_shallow_crust"]
    assert 0.5 < crustal.b < 1.0 and crustal.n_events == sum(by_id[z].n_complete for z in ("KOP", "TAJ", "PAM", "FER"))
    for zid in ("KOP", "TAJ", "PAM", "FER"):
        assert by_id[zid].b_source == "group active_shallow_crust" and by_id[zid].b == crustal.b
        assert by_id[zid].mmax == pytest.approx(by_id[zid].max_observed_mw + 0.5, abs=0.006)
    assert by_id["KZP"].n_complete == 0 and by_id["KZP"].b == 1.0 and by_id["KZP"].mmax == 6.5
    assert by_id["PHK"].b_source == "zone" and not by_id["PHK"].emitted
    assert shipped.screening.n_excluded == 0 and shipped.n_mainshocks < shipped.screening.valid.size


def test_comparison_sites_and_published_values() -> None:
    sites = {s.city: s for s in comparison_sites()}
    assert {c: s.zone for c, s in sites.items()} == {
        "petropavl": "KZP", "osh": "FER", "dushanbe": "TAJ", "ashgabat": "KOP", "namangan": "FER",
    }  # fmt: skip
    for s in sites.values():
        assert s.published, s.city
        for v in s.published:
            assert v.citation and v.how_obtained
            assert v.value is not None or "not found" in v.how_obtained
    found = [v for s in sites.values() for v in s.published if v.value is not None]
    assert [(v.city, v.value, v.unit) for v in found] == [("dushanbe", 8.0, "MSK-64 intensity")]


def test_zone_file_errors_name_the_feature() -> None:
    data = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"id": "Z1", "tectonic_region": "Oceanic"},
                      "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}],
    }  # fmt: skip
    with pytest.raises(InputError, match=r"z\.geojson") as info:
        rm_files.parse_zones(data, "z.geojson")
    expect_error(info, "input.unknown", "tectonic_region")
