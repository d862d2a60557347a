"""Source-to-site distances against independent expectations.

- hand-computable geometries: a vertical strike-slip fault along a meridian (spherical trigonometry: the
  distance to a meridian's great circle is R asin(sin(dlon) cos(lat))) and a dipping fault (flat-Earth
  cross-section trigonometry, which the sphere changes by a few metres at these sizes);
- brute force: Rrup as the minimum 3-D distance to a fine mesh of points on the plane and Rjb as the minimum
  great-circle distance to their surface projections, both computed here on OpenQuake's sphere;
- GC2 (multi-plane Rx) against Spudich & Chiou's definition of T as a 1/r^2-weighted mean, by quadrature;
- properties (hypothesis) that follow from the definitions, with the spherical slack of OpenQuake's formulas.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from kalkan.core.geodesy import EARTH_RADIUS_KM, destination
from kalkan.core.hazard.earthquake.distances import context_for, distances, gc2_coordinates, hypocentral_distance
from kalkan.core.hazard.earthquake.rupture import GeoPoint, MultiPlaneRupture, PlanarRupture, Plane, PointRupture
from kalkan.errors import InputError
from tests.core.hazard.earthquake.test_rupture import dushanbe, vertical_plane
from tests.errors import expect_error

R = 6371.0  # OpenQuake's sphere, typed (independent of the code)
assert R == EARTH_RADIUS_KM
F = NDArray[np.float64]


# --------------------------------------------------------------------------------------------- helpers (independent)


def ecef(lon: F | float, lat: F | float, depth: F | float) -> F:
    lam, phi = np.radians(lon), np.radians(lat)
    r = R - np.asarray(depth, dtype=float)
    return np.stack(np.broadcast_arrays(r * np.cos(phi) * np.cos(lam), r * np.cos(phi) * np.sin(lam),
                                        r * np.sin(phi)), axis=-1)  # fmt: skip


def haversine(lon1: F | float, lat1: F | float, lon2: F | float, lat2: F | float) -> F:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * R * np.arcsin(np.sqrt(a)), dtype=float)


def mesh(plane: Plane, n_along: int, n_down: int) -> F:
    """Points (Earth-centred km) on the plane: bilinear between its four corners, shape (M, 3)."""
    tl, tr, bl, br = (ecef(c.lon, c.lat, c.depth_km) for c in plane.corners)
    s = np.linspace(0.0, 1.0, n_along)[:, None, None]
    t = np.linspace(0.0, 1.0, n_down)[None, :, None]
    pts = (1 - s) * (1 - t) * tl + s * (1 - t) * tr + (1 - s) * t * bl + s * t * br
    return np.asarray(pts.reshape(-1, 3), dtype=float)


def brute_rrup(plane: Plane, lon: F, lat: F, n: int = 401) -> tuple[F, float]:
    """Minimum 3-D distance to the mesh, and the tolerance: half the mesh diagonal plus OpenQuake's rectangle.

    OpenQuake's rectangle has the mean length and width of the corners' edges: at the ends of the top edge it
    stops half the difference of the top and bottom chords short of the corners.
    """
    pts = mesh(plane, n, n // 2)
    sites = ecef(lon, lat, 0.0)
    d = np.sqrt(((sites[:, None, :] - pts[None, :, :]) ** 2).sum(-1)).min(axis=1)
    tl, tr, bl, br = (ecef(c.lon, c.lat, c.depth_km) for c in plane.corners)
    edges = abs(np.linalg.norm(tr - tl) - np.linalg.norm(br - bl)) / 2
    spacing = math.hypot(plane.length_km / (n - 1), plane.width_km / (n // 2 - 1))
    return d, spacing / 2 + float(edges)


def brute_rjb(plane: Plane, lon: F, lat: F, n: int = 401) -> tuple[F, float]:
    pts = mesh(plane, n, n // 2)
    plon = np.degrees(np.arctan2(pts[:, 1], pts[:, 0]))
    plat = np.degrees(np.arctan2(pts[:, 2], np.hypot(pts[:, 0], pts[:, 1])))
    d = haversine(lon[:, None], lat[:, None], plon[None, :], plat[None, :]).min(axis=1)
    spacing = math.hypot(plane.length_km / (n - 1), plane.width_km / (n // 2 - 1))
    return d, spacing / 2


def to_meridian_km(dlon: float, lat: float) -> float:
    """Distance from (lon0 + dlon, lat) to the great circle of the meridian lon0 (spherical trigonometry)."""
    return R * math.asin(math.sin(math.radians(dlon)) * math.cos(math.radians(lat)))


def slack_km(rupture: PlanarRupture, d: F) -> F:
    """Spherical slack of OpenQuake's planar formulas (arcs through corners along one strike azimuth).

    The sides of the surface projection are great circles through the corners at the strike azimuth of the
    top-left corner; meridian convergence turns the far corners by about L tan(lat) / R radians, which moves
    the sides by that angle times the distance (the width projection plus the site's distance); the plane's
    Cartesian width is also shorter than the surface one by about width x depth / R.
    """
    lat = max(abs(c.lat) for c in rupture.plane.corners)
    wh = rupture.width_km * math.cos(math.radians(rupture.dip))
    return np.asarray(
        2 * (wh + d) * rupture.length_km * math.tan(math.radians(lat)) / R + wh * rupture.plane.zbot_km / R + 1e-6
    )


# --------------------------------------------------------------------------------------------- by hand


def test_vertical_strike_slip_along_a_meridian_by_hand() -> None:
    # strike north along 69 E from 38.3 to 38.7 N, surface to 15 km
    plane = vertical_plane(69.0, 38.3, 38.7, 0.0, 15.0)
    rupture = PlanarRupture(6.8, 0.0, GeoPoint(69.0, 38.5, 8.0), plane)
    lon = np.array([69.1, 68.9, 69.0, 69.08])
    lat = np.array([38.5, 38.5, 38.8, 38.75])
    d = distances(rupture, lon, lat)
    east, west = to_meridian_km(0.1, 38.5), to_meridian_km(-0.1, 38.5)
    beyond = R * math.radians(0.1)  # along the meridian past the north end
    # Ry0 of the NE site: distance to the great circle leaving the north end due east (right of the strike):
    # its pole is top_right x east = (-sin(lat1), 0, cos(lat1)) in a frame with the fault's meridian at lon 0
    lat1, lat_s, dl = math.radians(38.7), math.radians(38.75), math.radians(0.08)
    sin_d = -math.sin(lat1) * math.cos(lat_s) * math.cos(dl) + math.cos(lat1) * math.sin(lat_s)
    ry0_ne = R * math.asin(sin_d)
    corner_ne = float(haversine(69.0, 38.7, 69.08, 38.75))
    np.testing.assert_allclose(d.rx, [east, west, 0.0, to_meridian_km(0.08, 38.75)], atol=1e-6)
    np.testing.assert_allclose(d.rjb, [east, -west, beyond, corner_ne], atol=1e-6)
    np.testing.assert_allclose(d.ry0, [0.0, 0.0, beyond, ry0_ne], atol=1e-6)
    # Rrup: beside the fault the nearest point is on the surface trace; the Cartesian plane holds the
    # Earth's axis, so the distance is R cos(lat) sin(dlon) (chord, 1e-6 km from the arc at 9 km)
    np.testing.assert_allclose(d.rrup[:2], [east, -west], atol=1e-3)
    # past the north end: OpenQuake's rectangle has the mean of the top and bottom chords as its length, so its
    # top edge stops half their difference short of the corner (chords of 0.4 degrees at R and R - 15 km)
    short = (2 * R * math.sin(math.radians(0.2)) - 2 * (R - 15.0) * math.sin(math.radians(0.2))) / 2
    assert d.rrup[2] == pytest.approx(beyond + short, abs=1e-3)
    assert d.rhypo[0] == pytest.approx(math.hypot(float(haversine(69.0, 38.5, 69.1, 38.5)), 8.0), abs=1e-9)
    assert east > 0 > west  # Rx positive on the right of the strike (east when striking north)


def test_dipping_fault_by_hand() -> None:
    # strike north along 69 E, dip 30 to the east, ztor 2 km, width 12 km, length 20 km (corners by hand:
    # the bottom edge 12 cos 30 km east of the top one, 6 km deeper)
    dip, ztor, width = 30.0, 2.0, 12.0
    lat0, lat1 = 38.4, 38.4 + math.degrees(20.0 / R)
    h = width * math.cos(math.radians(dip))
    dlon = math.degrees(h / (R * math.cos(math.radians((lat0 + lat1) / 2))))
    zb = ztor + width * math.sin(math.radians(dip))
    plane = Plane(GeoPoint(69.0, lat0, ztor), GeoPoint(69.0, lat1, ztor), GeoPoint(69.0 + dlon, lat0, zb),
                  GeoPoint(69.0 + dlon, lat1, zb))  # fmt: skip
    assert plane.dip == pytest.approx(dip, abs=0.05)  # dlon from the mid latitude: BL is 0.1 % farther
    rupture = PlanarRupture(6.5, 90.0, GeoPoint(69.0, (lat0 + lat1) / 2, 5.0), plane)
    mid = (lat0 + lat1) / 2
    xs = np.array([5.0, -5.0, 20.0])  # km east of the trace (hanging wall positive)
    lon = 69.0 + np.degrees(np.arcsin(np.sin(xs / R) / math.cos(math.radians(mid))))
    d = distances(rupture, lon, np.full(3, mid))
    np.testing.assert_allclose(d.rx, xs, atol=1e-6)
    s, c = math.sin(math.radians(dip)), math.cos(math.radians(dip))
    # hanging wall, foot of the perpendicular inside the plane (5 cos 30 - 2 sin 30 = 3.33 in [0, 12]):
    # Rrup = x sin(dip) + ztor cos(dip)
    assert d.rrup[0] == pytest.approx(5.0 * s + ztor * c, abs=0.01)
    assert d.rjb[0] == 0.0
    # footwall: the top edge is closest
    assert d.rrup[1] == pytest.approx(math.hypot(5.0, ztor), abs=0.01)
    assert d.rjb[1] == pytest.approx(5.0, abs=1e-3)
    # far hanging wall: beyond the bottom edge (20 cos 30 - 1 = 16.3 > 12): the bottom edge is closest
    assert d.rrup[2] == pytest.approx(math.hypot(20.0 - h, zb), abs=0.01)
    assert d.rjb[2] == pytest.approx(20.0 - h, abs=0.01)
    np.testing.assert_allclose(d.ry0, 0.0)


def test_dushanbe_epicentre_by_hand() -> None:
    """Above the plane's centre (the hypocentre): Rjb 0; Rx = (depth - ztor) / tan(dip); Rrup = depth cos(dip)."""
    r = dushanbe()
    d = distances(r, np.array([68.78]), np.array([38.56]))
    assert d.rjb[0] == 0.0
    assert d.ry0[0] == 0.0
    assert d.rx[0] == pytest.approx(10.0711 - 3.0, abs=0.01)
    assert d.rhypo[0] == pytest.approx(10.0711)
    # + the sagitta of the 40 km top chord (40^2 / 8R = 0.031 km) times cos(dip): the Cartesian plane sags
    assert d.rrup[0] == pytest.approx(10.0711 * math.cos(math.radians(45.0)) + 0.031 * math.cos(math.pi / 4), abs=0.01)


# --------------------------------------------------------------------------------------------- brute force

DUSHANBE_SITES = (np.array([68.78, 68.78, 68.78, 69.30, 68.78, 68.40, 69.10, 68.95]),
                  np.array([38.56, 38.70, 38.90, 38.56, 39.50, 38.30, 38.45, 38.62]))  # fmt: skip


def test_dushanbe_rupture_against_brute_force() -> None:
    r = dushanbe()
    lon, lat = DUSHANBE_SITES
    d = distances(r, lon, lat)
    rrup, tol = brute_rrup(r.plane, lon, lat)
    np.testing.assert_allclose(d.rrup, rrup, atol=tol)
    rjb, tol = brute_rjb(r.plane, lon, lat)
    np.testing.assert_array_less(np.abs(d.rjb - rjb), tol + slack_km(r, rjb))
    assert d.rjb[0] == 0.0 and d.rjb[7] == 0.0  # the epicentre and a site inside the projection


@pytest.mark.parametrize(("strike", "dip", "mag"), [(0.0, 90.0, 6.0), (37.0, 20.0, 6.8), (300.0, 60.0, 7.3)])
def test_random_planes_against_brute_force(strike: float, dip: float, mag: float) -> None:
    rng = np.random.default_rng(int(strike))
    hypo = GeoPoint(71.0, 41.0, 12.0)
    r = PlanarRupture.from_hypocentre(mag, 90.0, strike, dip, hypo, aspect_ratio=1.5, lower_seismogenic_depth_km=25)
    lon, lat = 71.0 + rng.uniform(-0.6, 0.6, 40), 41.0 + rng.uniform(-0.5, 0.5, 40)
    d = distances(r, lon, lat)
    rrup, tol = brute_rrup(r.plane, lon, lat)
    np.testing.assert_allclose(d.rrup, rrup, atol=tol)
    rjb, tol = brute_rjb(r.plane, lon, lat)
    np.testing.assert_array_less(np.abs(d.rjb - rjb), tol + slack_km(r, rjb))


def test_rx_sign_and_size_against_the_top_edge_great_circle() -> None:
    r = dushanbe()
    tl, tr, bl = r.plane.top_left, r.plane.top_right, r.plane.bottom_left
    # the great circle through the top edge's ends; its pole tells the sides apart
    pole = np.cross(ecef(tl.lon, tl.lat, 0.0), ecef(tr.lon, tr.lat, 0.0))
    pole /= np.linalg.norm(pole)
    lon, lat = DUSHANBE_SITES
    d = distances(r, lon, lat)
    expected = R * np.arcsin(ecef(lon, lat, 0.0) @ pole / R)
    hanging = np.sign(ecef(bl.lon, bl.lat, 0.0) @ pole)
    # the top edge's great circle leaves top-left at the strike azimuth: the same circle as Rx's
    np.testing.assert_allclose(d.rx, hanging * expected, atol=1e-6)


# --------------------------------------------------------------------------------------------- point, multi


def test_point_rupture_gives_hypocentral_distances_everywhere() -> None:
    p = PointRupture(5.5, 0.0, GeoPoint(69.0, 38.5, 10.0))
    lon, lat = np.array([69.0, 69.5]), np.array([38.5, 38.2])
    d = distances(p, lon, lat)
    rhypo = np.hypot(haversine(69.0, 38.5, lon, lat), 10.0)
    for values in (d.rrup, d.rjb, d.rx, d.ry0, d.rhypo):
        np.testing.assert_allclose(values, rhypo, rtol=1e-12)
    np.testing.assert_allclose(d.repi, haversine(69.0, 38.5, lon, lat))
    np.testing.assert_allclose(hypocentral_distance(p, lon, lat), rhypo)


def test_multi_plane_of_one_plane_matches_the_plane() -> None:
    r = dushanbe()
    m = MultiPlaneRupture(r.mag, r.rake, r.hypocentre, (r.plane,))
    lon, lat = DUSHANBE_SITES
    a, b = distances(r, lon, lat), distances(m, lon, lat)
    np.testing.assert_array_equal(a.rrup, b.rrup)
    np.testing.assert_array_equal(a.rjb, b.rjb)
    # GC2 in a tangent-plane projection vs cross-track arcs: equal to a few metres within 100 km
    np.testing.assert_allclose(a.rx, b.rx, atol=0.01)
    # OpenQuake's planar Ry0 draws the far end's perpendicular at the near end's azimuth: off by the
    # convergence angle times the distance off the strike line (GC2 has no such slack)
    np.testing.assert_array_less(np.abs(a.ry0 - b.ry0), 0.01 + slack_km(r, np.abs(a.rx)))


def _halves(plane: Plane, reverse_second: bool = False) -> tuple[Plane, Plane]:
    """Split a vertical plane at mid-length along its top edge's great circle."""
    tl, tr = plane.top_left, plane.top_right
    lon, lat = destination(tl.lon, tl.lat, plane.strike, float(haversine(tl.lon, tl.lat, tr.lon, tr.lat)) / 2)
    top, bottom = tl.depth_km, plane.bottom_left.depth_km
    first = Plane(tl, GeoPoint(lon, lat, top), plane.bottom_left, GeoPoint(lon, lat, bottom))
    if reverse_second:
        second = Plane(tr, GeoPoint(lon, lat, top), plane.bottom_right, GeoPoint(lon, lat, bottom))
    else:
        second = Plane(GeoPoint(lon, lat, top), tr, GeoPoint(lon, lat, bottom), plane.bottom_right)
    return first, second


@pytest.mark.parametrize("reverse_second", [False, True])
def test_gc2_of_a_split_straight_fault_is_the_straight_fault(reverse_second: bool) -> None:
    plane = vertical_plane(69.0, 38.3, 38.7, 0.0, 15.0)
    whole = PlanarRupture(6.8, 0.0, GeoPoint(69.0, 38.5, 8.0), plane)
    split = MultiPlaneRupture(6.8, 0.0, GeoPoint(69.0, 38.5, 8.0), _halves(plane, reverse_second))
    rng = np.random.default_rng(5)
    lon, lat = 69.0 + rng.uniform(-0.5, 0.5, 200), 38.5 + rng.uniform(-0.5, 0.5, 200)
    a, b = distances(whole, lon, lat), distances(split, lon, lat)
    np.testing.assert_allclose(b.rx, a.rx, atol=0.01)  # a discordant half is reversed (Spudich & Chiou)
    np.testing.assert_allclose(b.ry0, a.ry0, atol=0.01)
    np.testing.assert_allclose(b.rjb, a.rjb, atol=1e-6)
    # the whole plane sags 44^2 / 8R = 0.039 km more than its halves, and its rectangle stops 0.052 km short of
    # the corners (halves: 0.026 km), see brute_rrup
    np.testing.assert_allclose(b.rrup, a.rrup, atol=0.1)
    _, _, u_max = gc2_coordinates(split.planes, lon, lat)
    assert u_max == pytest.approx(R * math.radians(0.4), abs=0.01)


def test_gc2_t_is_the_inverse_square_weighted_mean_of_t() -> None:
    """Spudich & Chiou (2015): T = sum_i t_i w_i / sum_i w_i with w_i the integral of 1/r^2 along segment i.

    Checked by quadrature on a chevron of two vertical planes, in a tangent-plane projection made here.
    """
    a = Plane(GeoPoint(70.0, 40.0, 0.0), GeoPoint(70.2, 40.1, 0.0), GeoPoint(70.0, 40.0, 12.0),
              GeoPoint(70.2, 40.1, 12.0))  # fmt: skip
    b = Plane(GeoPoint(70.2, 40.1, 0.0), GeoPoint(70.4, 40.0, 0.0), GeoPoint(70.2, 40.1, 12.0),
              GeoPoint(70.4, 40.0, 12.0))  # fmt: skip
    lon = np.array([70.2, 70.2, 70.1, 69.8, 70.5, 70.3])
    lat = np.array([40.3, 39.9, 40.0, 40.05, 40.2, 40.06])
    t, u, u_max = gc2_coordinates((a, b), lon, lat)
    ends = np.array([[70.0, 40.0], [70.2, 40.1], [70.4, 40.0]])
    c = ecef(ends[:, 0], ends[:, 1], 0.0).mean(axis=0)
    lon0, lat0 = math.degrees(math.atan2(c[1], c[0])), math.degrees(math.atan2(c[2], math.hypot(c[0], c[1])))

    def project(lo: F, la: F) -> F:
        lam, phi, p0 = np.radians(lo - lon0), np.radians(la), math.radians(lat0)
        x = R * np.cos(phi) * np.sin(lam)
        y = R * (math.cos(p0) * np.sin(phi) - math.sin(p0) * np.cos(phi) * np.cos(lam))
        return np.stack([x, y], axis=-1)

    p = project(ends[:, 0], ends[:, 1])
    sites = project(lon, lat)
    num = np.zeros(lon.size)
    den = np.zeros(lon.size)
    for k in range(2):
        seg = p[k + 1] - p[k]
        length = float(np.hypot(*seg))
        unit = seg / length
        right = np.array([unit[1], -unit[0]])
        s = (np.arange(200_000) + 0.5) / 200_000 * length  # midpoint rule
        pts = p[k] + s[:, None] * unit
        inv_r2 = 1.0 / ((sites[:, None, :] - pts[None, :, :]) ** 2).sum(-1)
        w = inv_r2.sum(axis=1) * (length / s.size)
        num += w * ((sites - p[k]) @ right)
        den += w
    np.testing.assert_allclose(t, num / den, atol=1e-4)
    # symmetry: the chevron's axis (through its apex, 70.2 E) has U = U_max / 2
    assert u[0] == pytest.approx(u_max / 2, abs=0.05)
    assert u[1] == pytest.approx(u_max / 2, abs=0.05)
    assert t[0] < 0 < t[1]  # north of the apex is left of the eastward nominal strike


# --------------------------------------------------------------------------------------------- context, speed


def test_context_for_fills_rupture_and_site_fields() -> None:
    r = dushanbe()
    lon, lat = DUSHANBE_SITES
    ctx = context_for(r, lon, lat, vs30=400.0, vs30measured=True, z1pt0=356.0, z2pt5=1.0)
    assert len(ctx) == lon.size
    np.testing.assert_array_equal(ctx.mag, 7.0)
    np.testing.assert_array_equal(ctx.rake, 90.0)
    np.testing.assert_allclose(ctx.dip, r.dip)
    np.testing.assert_array_equal(ctx.ztor, 3.0)
    np.testing.assert_allclose(ctx.hypo_depth, 10.0711)
    np.testing.assert_allclose(ctx.width, r.width_km)
    d = distances(r, lon, lat)
    for name in ("rrup", "rjb", "rx", "ry0", "rhypo"):
        np.testing.assert_array_equal(getattr(ctx, name), getattr(d, name))
    np.testing.assert_array_equal(ctx.vs30measured, True)
    np.testing.assert_array_equal(ctx.z1pt0, 356.0)
    bare = context_for(r, lon, lat, vs30=np.full(lon.size, 760.0))
    assert not bare.vs30measured.any()
    assert np.isnan(bare.z1pt0).all() and np.isnan(bare.z2pt5).all()
    with pytest.raises(InputError) as info:
        context_for(r, lon, lat, vs30=[400.0, 500.0, 600.0])  # 3 values for 8 sites
    expect_error(info, "input.inconsistent", "vs30")
    with pytest.raises(InputError) as info:
        context_for(r, lon, lat, vs30=-1.0)
    expect_error(info, "input.range", "vs30")
    with pytest.raises(InputError) as info:
        distances(r, [69.0, 69.0], [38.0, 95.0])
    expect_error(info, "input.range", "lat", row=2)
    with pytest.raises(InputError) as info:
        distances(r, [69.0, 69.0], [38.0])
    expect_error(info, "input.inconsistent", "lat")


@pytest.mark.parametrize("multi", [False, True])
def test_hundred_thousand_sites_well_under_a_second(multi: bool) -> None:
    r = dushanbe()
    rupture = MultiPlaneRupture(r.mag, r.rake, r.hypocentre, _halves_dipping(r.plane)) if multi else r
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(68.0, 70.0, 100_000), rng.uniform(38.0, 39.5, 100_000)
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        context_for(rupture, lon, lat, 400.0)
        best = min(best, time.perf_counter() - start)
    assert best < 1.0


def _halves_dipping(plane: Plane) -> tuple[Plane, Plane]:
    """Two planes from one dipping plane, split at mid-length of the top and bottom edges."""
    tl, tr, bl, br = plane.corners
    mt = destination(tl.lon, tl.lat, plane.strike, float(haversine(tl.lon, tl.lat, tr.lon, tr.lat)) / 2)
    mb = destination(bl.lon, bl.lat, plane.strike, float(haversine(bl.lon, bl.lat, br.lon, br.lat)) / 2)
    top = GeoPoint(mt[0], mt[1], tl.depth_km)
    bottom = GeoPoint(mb[0], mb[1], bl.depth_km)
    return Plane(tl, top, bl, bottom), Plane(top, tr, bottom, br)


# --------------------------------------------------------------------------------------------- properties


@st.composite
def planar_ruptures(draw: st.DrawFn) -> PlanarRupture:
    lon = draw(st.floats(60.0, 80.0))
    lat = draw(st.floats(35.0, 45.0))
    depth = draw(st.floats(1.0, 20.0))
    return PlanarRupture.from_hypocentre(
        draw(st.floats(4.5, 7.5)),
        draw(st.sampled_from([0.0, 90.0, -90.0, 30.0, 180.0])),
        draw(st.floats(0.0, 359.9)),
        draw(st.floats(5.0, 90.0)),
        GeoPoint(lon, lat, depth),
        aspect_ratio=draw(st.floats(1.0, 3.0)),
        lower_seismogenic_depth_km=25.0,
        hypo_along_strike=draw(st.floats(0.0, 1.0)),
        hypo_down_dip=draw(st.floats(0.0, 1.0)),
    )


@settings(max_examples=150, deadline=None)
@given(planar_ruptures(), st.integers(0, 2**32 - 1))
def test_distance_properties(r: PlanarRupture, seed: int) -> None:
    rng = np.random.default_rng(seed)
    h = r.hypocentre
    lon, lat = h.lon + rng.uniform(-1.0, 1.0, 64), h.lat + rng.uniform(-0.8, 0.8, 64)
    d = distances(r, lon, lat)
    slack = slack_km(r, d.rjb)
    wh = r.width_km * math.cos(math.radians(r.dip))
    # Rrup >= ztor exactly (every point of the Cartesian plane is at least ztor below the surface)
    assert np.all(d.rrup >= r.ztor_km - 1e-9)
    # Rjb <= Rrup, less the chord/arc difference and the shrinking of horizontal arcs at depth
    assert np.all(d.rjb <= d.rrup + d.rjb**3 / (24 * R**2) + d.rjb * r.plane.zbot_km / (2 * R) + slack)
    # Ry0 and the strike-normal distance to the projection's strip are the two legs of Rjb
    assert np.all(d.ry0 <= d.rjb + slack)
    assert np.all(-d.rjb - slack <= d.rx) and np.all(d.rx <= d.rjb + wh + slack)
    across = np.maximum.reduce([np.zeros_like(d.rx), -d.rx, d.rx - wh])
    np.testing.assert_array_less(np.abs(d.rjb - np.hypot(d.ry0, across)), 0.01 + slack)
    # the hypocentre lies on the plane: Rrup <= Rhypo, + the plane's sag below the spherical corners, + the
    # rectangle's shortfall at the top corners (the hypocentre may be one), see brute_rrup
    sag = (r.length_km**2 + r.width_km**2) / (8 * R)
    short = r.length_km * (r.plane.zbot_km - r.ztor_km) / (2 * R)
    assert np.all(d.rrup <= d.rhypo + sag + short + 1e-6)


@settings(max_examples=100, deadline=None)
@given(planar_ruptures(), st.floats(0.05, 0.95), st.floats(0.05, 0.95))
def test_rjb_is_zero_inside_the_surface_projection(r: PlanarRupture, a: float, b: float) -> None:
    tl, tr, bl, br = r.plane.corners
    if r.width_km * math.cos(math.radians(r.dip)) < 0.5:
        return  # a (near-)vertical plane projects on a line
    lon = (1 - a) * (1 - b) * tl.lon + a * (1 - b) * tr.lon + (1 - a) * b * bl.lon + a * b * br.lon
    lat = (1 - a) * (1 - b) * tl.lat + a * (1 - b) * tr.lat + (1 - a) * b * bl.lat + a * b * br.lat
    d = distances(r, np.array([lon]), np.array([lat]))
    assert d.rjb[0] == 0.0
    assert d.ry0[0] == 0.0
    assert d.rx[0] > 0.0  # inside the projection of a dipping plane is the hanging wall


@settings(max_examples=60, deadline=None)
@given(planar_ruptures(), st.integers(0, 2**32 - 1))
def test_multi_plane_distances_are_the_minimum_over_planes(r: PlanarRupture, seed: int) -> None:
    rng = np.random.default_rng(seed)
    other = PlanarRupture.from_hypocentre(
        6.0, 0.0, (r.strike + 20.0) % 360, 80.0, GeoPoint(r.hypocentre.lon + 0.2, r.hypocentre.lat, 8.0),
        lower_seismogenic_depth_km=25.0,
    )  # fmt: skip
    m = MultiPlaneRupture(r.mag, r.rake, r.hypocentre, (r.plane, other.plane))
    lon, lat = r.hypocentre.lon + rng.uniform(-1, 1, 32), r.hypocentre.lat + rng.uniform(-1, 1, 32)
    dm, d1, d2 = distances(m, lon, lat), distances(r, lon, lat), distances(other, lon, lat)
    np.testing.assert_array_equal(dm.rrup, np.minimum(d1.rrup, d2.rrup))
    np.testing.assert_array_equal(dm.rjb, np.minimum(d1.rjb, d2.rjb))
    assert np.all(dm.ry0 >= 0.0)
    assert np.all(np.isfinite(dm.rx))
