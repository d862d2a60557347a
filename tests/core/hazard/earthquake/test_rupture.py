"""Ruptures: validation, planes built from a hypocentre, magnitude-area scaling, JSON and NRML loaders.

Expected values are typed from the papers (Wells & Coppersmith 1994, Table 2A; Leonard 2014) or computed
here by hand; the Dushanbe benchmark rupture is typed from ``shared/bench/oq_bench/rupture.json``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kalkan.core.hazard.earthquake.distances import plane_rrup
from kalkan.core.hazard.earthquake.rupture import (
    SCALING_LAWS,
    GeoPoint,
    MultiPlaneRupture,
    PlanarRupture,
    Plane,
    PointRupture,
    parse_rupture_json,
    parse_rupture_nrml,
    read_rupture,
    rupture_dimensions,
    scaling_law,
    slip_type,
)
from kalkan.errors import InputError

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


def test_geopoint_validates_ranges() -> None:
    with pytest.raises(InputError, match="longitude 200"):
        GeoPoint(200.0, 38.0, 5.0)
    with pytest.raises(InputError, match="latitude -91"):
        GeoPoint(69.0, -91.0, 5.0)
    with pytest.raises(InputError, match="depth -1"):
        GeoPoint(69.0, 38.0, -1.0)
    with pytest.raises(InputError, match="finite"):
        GeoPoint(69.0, math.nan, 1.0)


@pytest.mark.parametrize(
    ("mag", "rake", "match"),
    [(12.0, 0.0, "magnitude 12"), (0.5, 0.0, "magnitude 0.5"), (6.0, 200.0, "rake 200"), (6.0, -181.0, "rake")],
)
def test_rupture_validates_magnitude_and_rake(mag: float, rake: float, match: str) -> None:
    with pytest.raises(InputError, match=match):
        PointRupture(mag, rake, GeoPoint(69.0, 38.0, 10.0))


@pytest.mark.parametrize(("dip", "match"), [(0.0, "dip 0"), (95.0, "dip 95"), (-10.0, "dip -10")])
def test_dip_must_be_in_0_90(dip: float, match: str) -> None:
    with pytest.raises(InputError, match=match):
        PlanarRupture.from_hypocentre(6.0, 0.0, 90.0, dip, GeoPoint(69.0, 38.0, 10.0))
    with pytest.raises(InputError, match=match):
        PointRupture(6.0, 0.0, GeoPoint(69.0, 38.0, 10.0), dip=dip)


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
    with pytest.raises(InputError, match="wrong order"):
        Plane(tl, tr, br, bl)
    with pytest.raises(InputError, match="left of the strike"):
        Plane(tr, tl, br, bl)  # the same plane seen from the other end dips to the left
    with pytest.raises(InputError, match="top corners at different depths"):
        Plane(tl, GeoPoint(tr.lon, tr.lat, 4.0), bl, br)
    with pytest.raises(InputError, match="deeper than the top"):
        Plane(GeoPoint(tl.lon, tl.lat, 20.0), GeoPoint(tr.lon, tr.lat, 20.0), bl, br)
    with pytest.raises(InputError, match="differ in length"):
        Plane(tl, tr, bl, GeoPoint(68.3, 38.52, br.depth_km))
    with pytest.raises(InputError, match="same place"):
        Plane(tl, tl, bl, br)


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


# --------------------------------------------------------------------------------------------- scaling


# Wells & Coppersmith (1994), Table 2A, log10(RA) = a + b M, typed: (slip type, M, a, b)
WC1994_TABLE_2A = [
    ("strike-slip", 7.0, -3.42, 0.90),
    ("reverse", 6.5, -3.99, 0.98),
    ("normal", 6.0, -2.87, 0.82),
    ("all", 6.5, -3.49, 0.91),
]
# Table 2A, the inverse regressions M = a + b log10(RA) over the same data
WC1994_M_ON_A = {"strike-slip": (3.98, 1.02), "reverse": (4.33, 0.90), "normal": (3.93, 1.02), "all": (4.07, 0.98)}
RAKE_OF = {"strike-slip": 0.0, "reverse": 90.0, "normal": -90.0, "all": None}


@pytest.mark.parametrize(("kind", "mag", "a", "b"), WC1994_TABLE_2A)
def test_wells_coppersmith_area(kind: str, mag: float, a: float, b: float) -> None:
    law = scaling_law("WC1994")
    area = law.median_area_km2(mag, RAKE_OF[kind])
    assert area == pytest.approx(10 ** (a + b * mag), rel=1e-12)
    # the paper's inverse regression gives back nearly the same magnitude (within the regressions' scatter)
    ma, mb = WC1994_M_ON_A[kind]
    assert ma + mb * math.log10(area) == pytest.approx(mag, abs=0.15)


def test_wells_coppersmith_typed_values() -> None:
    law = SCALING_LAWS["WC1994"]
    assert law.median_area_km2(7.0, 0.0) == pytest.approx(758.58, rel=1e-4)  # 10^2.88
    assert law.median_area_km2(6.5, 90.0) == pytest.approx(239.88, rel=1e-4)  # 10^2.38
    assert law.median_area_km2(6.0, -90.0) == pytest.approx(112.20, rel=1e-4)  # 10^2.05
    assert law.sigma_log10_area(90.0) == 0.26
    assert law.magnitude_ranges["reverse"] == (5.4, 7.4)


def test_leonard_2014() -> None:
    # Mw = log10(A) + 4.00 (interplate dip-slip), + 3.99 (interplate strike-slip), + 4.18 (SCR strike-slip)
    assert scaling_law("Leonard2014_Interplate").median_area_km2(7.0, 90.0) == pytest.approx(1000.0)
    assert scaling_law("Leonard2014_Interplate").median_area_km2(7.0, 180.0) == pytest.approx(10**3.01)
    assert scaling_law("Leonard2014_SCR").median_area_km2(6.0, 10.0) == pytest.approx(10**1.82)
    assert scaling_law("Leonard2014_SCR").median_area_km2(6.0, -100.0) == pytest.approx(10**1.81)
    with pytest.raises(InputError, match="Unknown magnitude-area"):
        scaling_law("WC94")


@pytest.mark.parametrize(
    ("rake", "kind"),
    [(0.0, "strike-slip"), (45.0, "strike-slip"), (46.0, "reverse"), (134.0, "reverse"), (135.0, "strike-slip"),
     (-180.0, "strike-slip"), (-90.0, "normal"), (-46.0, "normal"), (None, "all")],
)  # fmt: skip
def test_slip_type_from_rake(rake: float | None, kind: str) -> None:
    assert slip_type(rake) == kind


def test_rupture_dimensions_aspect_ratio_and_seismogenic_cut() -> None:
    area = 10 ** (-3.42 + 0.90 * 7.0)
    length, width = rupture_dimensions(7.0, 0.0, 90.0, aspect_ratio=2.0)
    assert length / width == pytest.approx(2.0)
    assert length * width == pytest.approx(area)
    # a 15 km thick layer cuts the width (19.5 km) to 15 km; the length keeps the area
    length, width = rupture_dimensions(7.0, 0.0, 90.0, aspect_ratio=2.0, lower_seismogenic_depth_km=15.0)
    assert width == pytest.approx(15.0)
    assert length == pytest.approx(area / 15.0)
    # dipping 30 degrees: width up to 15 / sin 30 = 30 km
    _, width = rupture_dimensions(7.5, 90.0, 30.0, lower_seismogenic_depth_km=15.0)
    assert width == pytest.approx(30.0)
    with pytest.raises(InputError, match="aspect_ratio"):
        rupture_dimensions(7.0, 0.0, 90.0, aspect_ratio=0.0)
    with pytest.raises(InputError, match="deeper than the upper"):
        rupture_dimensions(7.0, 0.0, 90.0, upper_seismogenic_depth_km=10.0, lower_seismogenic_depth_km=5.0)


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
    with pytest.raises(InputError, match="outside the seismogenic layer"):
        PlanarRupture.from_hypocentre(6.0, 0.0, 0.0, 90.0, hypo, lower_seismogenic_depth_km=8.0)
    with pytest.raises(InputError, match="does not fit"):
        PlanarRupture.from_hypocentre(6.0, 0.0, 0.0, 90.0, hypo, width_km=30.0, lower_seismogenic_depth_km=20.0)
    with pytest.raises(InputError, match="not on a plane"):
        PlanarRupture.from_hypocentre(6.0, 0.0, 0.0, 90.0, hypo, length_km=10.0, width_km=5.0, ztor_km=2.0)
    with pytest.raises(InputError, match="hypo_down_dip"):
        PlanarRupture.from_hypocentre(6.0, 0.0, 0.0, 90.0, hypo, hypo_down_dip=1.5)
    with pytest.raises(InputError, match="strike 400"):
        PlanarRupture.from_hypocentre(6.0, 0.0, 400.0, 90.0, hypo)


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
    with pytest.raises(InputError, match="at least one plane"):
        MultiPlaneRupture(6.8, 0.0, GeoPoint(69.0, 38.1, 5.0), ())


# --------------------------------------------------------------------------------------------- JSON


def test_json_forms(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(DUSHANBE), encoding="utf-8")
    assert read_rupture(path) == dushanbe()
    point = parse_rupture_json({"mag": 5.5, "rake": -90, "hypocentre": {"lon": 69.0, "lat": 38.5, "depth_km": 8}})
    assert isinstance(point, PointRupture)
    assert point.ztor_km == 8.0
    planes = parse_rupture_json({**{k: DUSHANBE[k] for k in ("mag", "rake", "hypocenter")},
                                 "planes": [DUSHANBE["corners"], DUSHANBE["corners"]]})  # fmt: skip
    assert isinstance(planes, MultiPlaneRupture)
    assert len(planes.planes) == 2


def test_json_errors_name_the_field(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(DUSHANBE))
    bad["corners"]["top_left"]["lat"] = "x"
    with pytest.raises(InputError, match=r"r.json, field 'corners.top_left.lat'"):
        parse_rupture_json(bad, "r.json")
    bad = json.loads(json.dumps(DUSHANBE))
    bad["strike"] = 75.0
    with pytest.raises(InputError, match=r"field 'strike'.*disagrees with the corners"):
        parse_rupture_json(bad, "r.json")
    bad = json.loads(json.dumps(DUSHANBE))
    bad["ztor_km"] = 5.0
    with pytest.raises(InputError, match="field 'ztor_km'"):
        parse_rupture_json(bad, "r.json")
    bad = json.loads(json.dumps(DUSHANBE))
    del bad["hypocenter"]
    with pytest.raises(InputError, match="field 'hypocenter': missing"):
        parse_rupture_json(bad, "r.json")
    bad = json.loads(json.dumps(DUSHANBE))
    bad["mag"] = 11.0
    with pytest.raises(InputError, match=r"r.json: magnitude 11"):
        parse_rupture_json(bad, "r.json")
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON at line 1"):
        read_rupture(path)
    with pytest.raises(InputError, match="file not found"):
        read_rupture(tmp_path / "missing.json")
    with pytest.raises(InputError, match="unknown rupture file type"):
        read_rupture(tmp_path / "r.txt")


# --------------------------------------------------------------------------------------------- NRML


def test_nrml_single_plane_matches_json() -> None:
    assert parse_rupture_nrml(SINGLE_XML.encode()) == dushanbe()


def test_nrml_multi_planes() -> None:
    xml = f"""<nrml {NS}>
  <multiPlanesRupture>
    <magnitude>7.0</magnitude>
    <rake>90.0</rake>
    <hypocenter lat="38.56" lon="68.78" depth="10.0711"/>{PLANE_XML}{PLANE_XML}
  </multiPlanesRupture>
</nrml>"""
    rupture = parse_rupture_nrml(xml.encode())
    assert isinstance(rupture, MultiPlaneRupture)
    assert rupture.planes == (dushanbe().plane, dushanbe().plane)
    assert rupture.ztor_km == pytest.approx(3.0)


def test_nrml_errors() -> None:
    with pytest.raises(InputError, match="line 8, <topLeft>, attribute 'lat'"):
        parse_rupture_nrml(SINGLE_XML.replace('lat="38.54492"', 'lat="north"').encode(), "r.xml")
    with pytest.raises(InputError, match=r"<planarSurface>, field 'strike'.*disagrees"):
        parse_rupture_nrml(SINGLE_XML.replace('strike="255.0"', 'strike="75.0"').encode(), "r.xml")
    with pytest.raises(InputError, match="not supported"):
        parse_rupture_nrml(SINGLE_XML.replace("singlePlaneRupture", "simpleFaultRupture").encode(), "r.xml")
    with pytest.raises(InputError, match="root element is <rupture>"):
        parse_rupture_nrml(b'<rupture xmlns="http://openquake.org/xmlns/nrml/0.5"/>', "r.xml")
    with pytest.raises(InputError, match="exactly one <magnitude>"):
        parse_rupture_nrml(SINGLE_XML.replace("<magnitude>7.0</magnitude>", "").encode(), "r.xml")
    with pytest.raises(InputError, match="not valid XML"):
        parse_rupture_nrml(b"<nrml", "r.xml")
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><nrml>&a;</nrml>'
    with pytest.raises(InputError, match="entities"):
        parse_rupture_nrml(bomb, "r.xml")
    swapped = (
        SINGLE_XML.replace("bottomLeft", "tmpX").replace("bottomRight", "bottomLeft").replace("tmpX", "bottomRight")
    )
    with pytest.raises(InputError, match=r"r\.xml, line 7, <planarSurface>: plane: the corners are in the wrong order"):
        parse_rupture_nrml(swapped.encode(), "r.xml")


@pytest.mark.skipif(not BENCH.is_dir(), reason="shared/bench/oq_bench is not present")
def test_shared_benchmark_files_load() -> None:
    from_json = read_rupture(BENCH / "rupture.json")
    from_xml = read_rupture(BENCH / "rupture.xml")
    assert from_json == from_xml == dushanbe()
