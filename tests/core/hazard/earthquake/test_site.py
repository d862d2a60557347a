"""Site parameters: Vs30 per site, z1.0 (Chiou & Youngs 2014) and z2.5 (Campbell & Bozorgnia 2014) from Vs30.

Expected values are the papers' relations evaluated by hand from the typed constants (the papers give the
relations, not tables):

    CY14 California: ln z1 = -7.15/4 ln((V^4 + 571^4) / (1360^4 + 571^4))   (m)
    CY14 Japan:      ln z1 = -5.23/2 ln((V^2 + 412^2) / (1360^2 + 412^2))   (m)
    CB14 (33):       ln z2.5 = 7.089 - 1.144 ln V                            (km)
    CB14 (34):       ln z2.5 = 5.359 - 1.102 ln V                            (km, Japan)
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalkan.core.hazard.earthquake.site import Sites, site_vs30, z1pt0_from_vs30, z2pt5_from_vs30
from kalkan.errors import InputError
from tests.errors import expect_error

# Vs30 (m/s): z1 California (m), z1 Japan (m), z2.5 California (km), z2.5 Japan (km)
TABLE = [
    (180.0, 514.0219, 410.9811, 3.152694, 0.6951425),
    (250.0, 490.4508, 285.8776, 2.165061, 0.4840099),
    (400.0, 355.7170, 114.3121, 1.264611, 0.2883461),
    (760.0, 41.30664, 13.45454, 0.6068241, 0.1421437),
    (1360.0, 1.0, 1.0, 0.3118495, 0.07485559),
]


@pytest.mark.parametrize(("vs30", "z1_cal", "z1_jpn", "z25_cal", "z25_jpn"), TABLE)
def test_basin_depths_from_vs30(vs30: float, z1_cal: float, z1_jpn: float, z25_cal: float, z25_jpn: float) -> None:
    assert z1pt0_from_vs30(vs30) == pytest.approx(z1_cal, rel=2e-6)
    assert z1pt0_from_vs30(vs30, "japan") == pytest.approx(z1_jpn, rel=2e-6)
    assert z2pt5_from_vs30(vs30) == pytest.approx(z25_cal, rel=2e-6)
    assert z2pt5_from_vs30(vs30, "japan") == pytest.approx(z25_jpn, rel=2e-6)


def test_benchmark_site_parameters() -> None:
    """The Dushanbe benchmark's z1pt0 = 356 m at Vs30 = 400 m/s is CY14's California value, rounded."""
    assert round(float(z1pt0_from_vs30(400.0))) == 356


def test_vectorised_and_units() -> None:
    v = np.array([200.0, 400.0, 800.0])
    z1, z25 = z1pt0_from_vs30(v), z2pt5_from_vs30(v)
    assert z1.shape == z25.shape == (3,)
    assert z1.dtype == z25.dtype == np.float64
    assert np.all(np.diff(z1) < 0) and np.all(np.diff(z25) < 0)  # deeper basins under softer sites
    assert np.all(z1 > 1.0) and np.all(z25 < 5.0)  # z1.0 in m, z2.5 in km


@given(st.floats(50.0, 4900.0), st.floats(1.0, 100.0))
def test_depths_decrease_with_vs30(v: float, dv: float) -> None:
    for region in ("california", "japan"):
        assert z1pt0_from_vs30(v + dv, region) < z1pt0_from_vs30(v, region)  # type: ignore[arg-type]
        assert z2pt5_from_vs30(v + dv, region) < z2pt5_from_vs30(v, region)  # type: ignore[arg-type]


def test_vs30_per_site_or_city_default() -> None:
    np.testing.assert_array_equal(site_vs30(3, 400.0), [400.0, 400.0, 400.0])
    np.testing.assert_array_equal(site_vs30(2, [300.0, 760.0]), [300.0, 760.0])
    np.testing.assert_array_equal(site_vs30(2, city_default_m_s=450.0), [450.0, 450.0])
    assert site_vs30(0, city_default_m_s=450.0).shape == (0,)


def test_vs30_errors() -> None:
    with pytest.raises(InputError) as info:
        site_vs30(3)
    expect_error(info, "input.missing", "vs30")
    with pytest.raises(InputError) as info:
        site_vs30(3, [400.0, 500.0])  # 2 values for 3 sites
    expect_error(info, "input.inconsistent", "vs30")
    with pytest.raises(InputError, match=r"0\.4") as info:  # the value given (km/s, not m/s)
        site_vs30(2, [400.0, 0.4])
    expect_error(info, "input.range", "vs30", row=2)
    assert info.value.hint is not None and "m/s" in info.value.hint
    with pytest.raises(InputError) as info:
        site_vs30(2, city_default_m_s=float("nan"))
    expect_error(info, "input.range", "vs30", row=1)
    with pytest.raises(InputError) as info:
        z1pt0_from_vs30(-1.0)
    expect_error(info, "input.range", "vs30")
    with pytest.raises(InputError) as info:
        z2pt5_from_vs30(400.0, "chile")  # type: ignore[arg-type]
    expect_error(info, "input.unknown", "region")


def test_sites_broadcast_name_and_take() -> None:
    sites = Sites(np.array([68.7, 68.8, 68.9]), np.array([38.5, 38.6, 38.7]), np.array([400.0]))
    assert len(sites) == 3 and sites.names == ("site1", "site2", "site3")
    assert sites.vs30_m_s.tolist() == [400.0] * 3 and not sites.vs30_measured.any()
    assert np.isnan(sites.z1pt0_m).all() and np.isnan(sites.z2pt5_km).all()  # unknown: each model's default
    two = sites.take(np.array([2, 0]))
    assert two.names == ("site3", "site1") and two.lon.tolist() == [68.9, 68.7]
    uniform = Sites.uniform([68.7, 68.8], [38.5, 38.6], 760.0, measured=False)
    np.testing.assert_allclose(uniform.z1pt0_m, z1pt0_from_vs30(760.0))
    np.testing.assert_allclose(uniform.z2pt5_km, z2pt5_from_vs30(760.0))


@pytest.mark.parametrize(
    ("kwargs", "code", "field", "row"),
    [
        ({"lon": np.array([]), "lat": np.array([]), "vs30_m_s": 400.0}, "input.empty", "sites", None),
        ({"lon": np.array([0.0, 1.0]), "lat": np.array([0.0, 95.0]), "vs30_m_s": 400.0}, "input.range", "lat", 2),
        ({"lon": np.array([0.0, 1.0]), "lat": np.array([0.0, 1.0]), "vs30_m_s": [400.0, -1.0]}, "input.range", "vs30",
         2),
        ({"lon": np.array([0.0, 1.0]), "lat": np.zeros(3), "vs30_m_s": 400.0}, "input.inconsistent", "lat", None),
        ({"lon": np.array([0.0, 1.0]), "lat": np.array([0.0, 1.0]), "vs30_m_s": 400.0, "names": ("a", "a")},
         "input.duplicate", "names", None),
    ],
)  # fmt: skip
def test_sites_refuse_what_is_not_a_site(kwargs: dict[str, object], code: str, field: str, row: int | None) -> None:
    with pytest.raises(InputError) as info:
        Sites(**kwargs)  # type: ignore[arg-type]
    expect_error(info, code, field, row)
