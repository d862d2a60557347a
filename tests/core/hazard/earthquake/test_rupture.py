"""Ruptures: validation, planes from their corners and built from a hypocentre, several planes.

Expected values are computed here by hand; the Dushanbe benchmark rupture is typed from
``shared/bench/oq_bench/rupture.json`` (the rupture files themselves: ``tests/io/test_rupture.py``).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kalkan.core.hazard.earthquake.distances import plane_rrup
from kalkan.core.hazard.earthquake.rupture import GeoPoint, MultiPlaneRupture, PlanarRupture, Plane, PointRupture
from kalkan.errors import InputError
from kalkan.io.rupture import parse_rupture_json
from tests.errors import expect_error

BENCH = Path(__file__).resolve().parents[4].parent / "shared" / "bench" / "oq_bench"

# shared/bench/oq_bench/rupture.json, typed (the test must not depend on the shared folder)
DUSHANBE: dict[str, Any] = {
    "mag": 7.0,
    "rake": 90.0,
    "strike": 255.0,
    "dip": 45.0,
    "length_km": 40.0,
    "width_km": 20.0,
    "ztor_km": 3.0,
    "hypocenter": {"lon": 68.78, "lat": 38.56, "depth_km": 10.0711},
    "corners": {
        "top_left": {"lon": 69.02316, "lat": 38.54492, "depth_km": 3.0},
        "top_right": {"lon": 68.57918, "lat": 38.45181, "depth_km": 3.0},
        "bottom_left": {"lon": 68.98145, "lat": 38.66776, "depth_km": 17.1421},
        "bottom_right": {"lon": 68.53671, "lat": 38.57466, "depth_km": 17.1421},
    },
}

NS = 'xmlns:gml="http://www.opengis.net/gml" xmlns="http://openquake.org/xmlns/nrml/0.5"'

PLANE_XML = """
    <planarSurface strike="255.0" dip="45.0">
      <topLeft lon="69.02316" lat="38.54492" depth="3.0"/>
      <topRight lon="68.57918" lat="38.45181" depth="3.0"/>
      <bottomLeft lon="68.98145" lat="38.66776" depth="17.1421"/>
      <bottomRight lon="68.53671" lat="38.57466" depth="17.1421"/>
    </planarSurface>"""

SINGLE_XML = f"""<?xml version="1.0" encoding="utf-8"?>
<nrml {NS}>
  <singlePlaneRupture>
    <magnitude>7.0</magnitude>
    <rake>90.0</rake>
    <hypocenter lat="38.56" lon="68.78" depth="10.0711"/>{PLANE_XML}
  </singlePlaneRupture>
</nrml>
"""


def dushanbe() -> PlanarRupture:
    rupture = parse_rupture_json(DUSHANBE)
    assert isinstance(rupture, PlanarRupture)
    return rupture


def vertical_plane(lon: float, lat0: float, lat1: float, depth_top: float, depth_bottom: float) -> Plane:
    """A vertical plane along a meridian, striking north from ``lat0`` to ``lat1``."""
    return Plane(
        GeoPoint(lon, lat0, depth_top),
        GeoPoint(lon, lat1, depth_top),
        GeoPoint(lon, lat0, depth_bottom),
        GeoPoint(lon, lat1, depth_bottom),
    )


# --------------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("point", "code", "field"),
    [
        ((200.0, 38.0, 5.0), "input.range", "lon"),
        ((69.0, -91.0, 5.0), "input.range", "lat"),
        ((69.0, 38.0, -1.0), "input.range", "depth_km"),
        ((69.0, math.nan, 1.0), "input.range", "lat"),
        ((69.0, "38", 1.0), "input.type", "lat"),
    ],
)
def test_geopoint_validates_ranges(point: tuple[Any, ...], code: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        GeoPoint(*point)
    expect_error(info, code, field)


@pytest.mark.parametrize(
    ("mag", "rake", "field"), [(12.0, 0.0, "mag"), (0.5, 0.0, "mag"), (6.0, 200.0, "rake"), (6.0, -181.0, "rake")]
)
def test_rupture_validates_magnitude_and_rake(mag: float, rake: float, field: str) -> None:
    with pytest.raises(InputError) as info:
        PointRupture(mag, rake, GeoPoint(69.0, 38.0, 10.0))
    expect_error(info, "input.range", field)


@pytest.mark.parametrize("dip", [0.0, 95.0, -10.0])
def test_dip_must_be_in_0_90(dip: float) -> None:
    with pytest.raises(InputError) as info:
        PlanarRupture.from_hypocentre(6.0, 0.0, 90.0, dip, GeoPoint(69.0, 38.0, 10.0))
    expect_error(info, "input.range", "dip")
    with pytest.raises(InputError) as info:
        PointRupture(6.0, 0.0, GeoPoint(69.0, 38.0, 10.0), dip=dip)
    expect_error(info, "input.range", "dip")


def test_plane_from_dushanbe_corners() -> None:
    plane = dushanbe().plane
    # strike is the azimuth top-left -> top-right at the top-left corner (OpenQuake's rule): 255 at the centre
    # becomes 255 + 0.14 at the eastern end (meridian convergence over 20 km at 38.5 N)
    assert plane.strike == pytest.approx(255.14, abs=0.01)
    assert plane.dip == pytest.approx(45.0, abs=0.05)
    # measured in the plane's Cartesian frame: 40 km at the surface shrinks by (R - depth) / R at depth
    assert plane.length_km == pytest.approx(40.0 * (1 - 10.07 / 6371.0), abs=0.01)
    assert plane.width_km == pytest.approx(20.0, abs=0.05)
    assert plane.ztor_km == 3.0
    assert plane.zbot_km == pytest.approx(17.1421)


def test_plane_rejects_bad_corners() -> None:
    tl, tr, bl, br = (GeoPoint(**c) for c in _corner_kwargs())
    bad_planes = [
        ((tl, tr, br, bl), "bottom_left"),  # the bottom edge runs against the top edge
        ((tr, tl, br, bl), "bottom_left"),  # the same plane seen from the other end dips to the left
        ((tl, GeoPoint(tr.lon, tr.lat, 4.0), bl, br), "top_right"),  # top corners at different depths
        ((GeoPoint(tl.lon, tl.lat, 20.0), GeoPoint(tr.lon, tr.lat, 20.0), bl, br), "bottom_left"),  # bottom above top
        ((tl, tr, bl, GeoPoint(68.3, 38.52, br.depth_km)), "bottom_right"),  # edges of different lengths
        ((tl, tl, bl, br), "top_right"),  # no length
    ]
    for corners, field in bad_planes:
        with pytest.raises(InputError) as info:
            Plane(*corners)
        expect_error(info, "input.inconsistent", field)


def _corner_kwargs() -> list[dict[str, float]]:
    c = DUSHANBE["corners"]
    return [
        {"lon": c[k]["lon"], "lat": c[k]["lat"], "depth_km": c[k]["depth_km"]}
        for k in ("top_left", "top_right", "bottom_left", "bottom_right")
    ]


def test_vertical_plane_along_a_meridian() -> None:
    plane = vertical_plane(69.0, 38.3, 38.7, 0.0, 15.0)
    assert plane.strike == pytest.approx(0.0, abs=1e-9)
    assert plane.dip == pytest.approx(90.0)
    # the down-dip axis is perpendicular to the top chord, which is tilted by half the arc (0.2 degrees) from
    # the horizontal at the corners; the corners are vertically below each other, so the width is 15 cos(0.2)
    assert plane.width_km == pytest.approx(15.0 * math.cos(math.radians(0.2)), rel=1e-9)
    # chord of 0.4 degrees of arc at mean radius R - 7.5 km
    chord_top = 2 * 6371.0 * math.sin(math.radians(0.2))
    chord_bottom = 2 * (6371.0 - 15.0) * math.sin(math.radians(0.2))
    assert plane.length_km == pytest.approx((chord_top + chord_bottom) / 2, rel=1e-9)


# --------------------------------------------------------------------------------------------- from a hypocentre


def test_from_hypocentre_reproduces_the_benchmark_corners() -> None:
    hypo = GeoPoint(68.78, 38.56, 10.0711)
    built = PlanarRupture.from_hypocentre(7.0, 90.0, 255.0, 45.0, hypo, length_km=40.0, width_km=20.0)
    for got, want in zip(built.plane.corners, dushanbe().plane.corners, strict=True):
        assert got.lon == pytest.approx(want.lon, abs=1e-4)
        assert got.lat == pytest.approx(want.lat, abs=1e-4)
        assert got.depth_km == pytest.approx(want.depth_km, abs=1e-3)
    # the same from the JSON form without corners (ztor fixes the down-dip position)
    no_corners = {k: v for k, v in DUSHANBE.items() if k != "corners"}
    again = parse_rupture_json(no_corners)
    assert isinstance(again, PlanarRupture)
    for got, want in zip(again.plane.corners, built.plane.corners, strict=True):
        assert (got.lon, got.lat) == pytest.approx((want.lon, want.lat), abs=1e-6)


def test_hypocentre_lies_on_the_plane_where_asked() -> None:
    hypo = GeoPoint(69.0, 38.5, 12.0)
    for fs, fd in [(0.5, 0.5), (0.0, 0.0), (1.0, 1.0), (0.25, 0.8)]:
        r = PlanarRupture.from_hypocentre(
            6.5, 90.0, 120.0, 40.0, hypo, hypo_along_strike=fs, hypo_down_dip=fd, lower_seismogenic_depth_km=40.0
        )
        on_plane = plane_rrup(r.plane, np.array([hypo.lon]), np.array([hypo.lat]), hypo.depth_km)
        assert on_plane[0] < 0.02  # the plane is flat in Cartesian space, the corners on the sphere: sagitta
        assert r.ztor_km == pytest.approx(12.0 - fd * r.width_km * math.sin(math.radians(40.0)), abs=0.02)


def test_plane_slides_into_the_seismogenic_layer() -> None:
    hypo = GeoPoint(69.0, 38.5, 3.0)
    r = PlanarRupture.from_hypocentre(
        7.0, 0.0, 30.0, 60.0, hypo, upper_seismogenic_depth_km=1.0, lower_seismogenic_depth_km=20.0
    )
    assert r.ztor_km == pytest.approx(1.0)
    assert r.plane.zbot_km <= 20.0 + 1e-9
    on_plane = plane_rrup(r.plane, np.array([hypo.lon]), np.array([hypo.lat]), hypo.depth_km)
    assert on_plane[0] < 0.05
    deep = PlanarRupture.from_hypocentre(
        7.0, 0.0, 30.0, 60.0, GeoPoint(69.0, 38.5, 18.0), lower_seismogenic_depth_km=20.0
    )
    assert deep.plane.zbot_km == pytest.approx(20.0)


def test_from_hypocentre_errors() -> None:
    hypo = GeoPoint(69.0, 38.5, 10.0)
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"lower_seismogenic_depth_km": 8.0}, "input.inconsistent", "depth_km"),  # hypocentre below the layer
        ({"width_km": 30.0, "lower_seismogenic_depth_km": 20.0}, "input.inconsistent", "width_km"),  # does not fit
        ({"length_km": 10.0, "width_km": 5.0, "ztor_km": 2.0}, "input.inconsistent", "ztor_km"),  # not on the plane
        ({"hypo_down_dip": 1.5}, "input.range", "hypo_down_dip"),
    ]
    for options, code, field in cases:
        with pytest.raises(InputError) as info:
            PlanarRupture.from_hypocentre(6.0, 0.0, 0.0, 90.0, hypo, **options)
        expect_error(info, code, field)
    with pytest.raises(InputError) as info:
        PlanarRupture.from_hypocentre(6.0, 0.0, 400.0, 90.0, hypo)
    expect_error(info, "input.range", "strike")


def test_one_given_dimension_takes_the_other_from_the_area() -> None:
    hypo = GeoPoint(69.0, 38.5, 10.0)
    area = 10 ** (-3.42 + 0.90 * 6.5)
    r = PlanarRupture.from_hypocentre(6.5, 0.0, 0.0, 90.0, hypo, length_km=30.0, lower_seismogenic_depth_km=30.0)
    assert r.width_km == pytest.approx(area / 30.0, rel=1e-3)


def test_multi_plane_parameters_are_area_weighted() -> None:
    a = vertical_plane(69.0, 38.0, 38.2, 0.0, 10.0)  # strike 0
    b = Plane(  # strike ~350 (a little west of north), 20 km deep
        GeoPoint(69.0, 38.2, 2.0),
        GeoPoint(68.95, 38.45, 2.0),
        GeoPoint(69.0, 38.2, 22.0),
        GeoPoint(68.95, 38.45, 22.0),
    )
    m = MultiPlaneRupture(6.8, 0.0, GeoPoint(69.0, 38.1, 5.0), (a, b))
    wa, wb = a.area_km2 / (a.area_km2 + b.area_km2), b.area_km2 / (a.area_km2 + b.area_km2)
    assert m.ztor_km == pytest.approx(wb * 2.0)
    assert m.width_km == pytest.approx(wa * 10.0 + wb * 20.0, abs=1e-3)
    assert m.dip == pytest.approx(90.0)
    # circular mean: 0 and ~350 average to ~353-357, not to ~175
    assert 350.0 < m.strike < 360.0
    assert m.area_km2 == pytest.approx(a.area_km2 + b.area_km2)
    with pytest.raises(InputError) as info:
        MultiPlaneRupture(6.8, 0.0, GeoPoint(69.0, 38.1, 5.0), ())
    expect_error(info, "input.empty", "planes")
