"""Source-to-site distances (km) from a rupture to sites, and the ground-motion :class:`Context` they make.

All distances are vectorised over sites (no Python loop over them; one short loop over the planes of a
multi-plane rupture) and use the geometry of OpenQuake hazardlib, so that a ground-motion model sees the same
numbers in Kalkan and in OpenQuake:

Planes (sites at depth ``site_depth_km``, default 0; the Earth Kalkan's sphere, :mod:`kalkan.core.geodesy`):

- Rrup, the closest distance to the rupture: in Earth-centred Cartesian coordinates, the distance to the
  plane combined with the distance, within the plane, to the rectangle (length x width from the corners);
- Rjb, the closest distance to the surface projection: signed great-circle cross-track distances to the four
  sides (through top-left and bottom-left along the strike, through top-left and top-right across it);
  between both pairs of sides 0, between one pair the distance to the nearer side of the other, else the
  distance to the nearest corner (haversine);
- Rx, the horizontal distance to the top edge extended to infinity, positive on the hanging wall (right of
  the strike): the cross-track distance to the great circle through the top-left corner along the strike;
- Ry0, the horizontal distance beyond the ends of the top edge along the strike: cross-track distances to the
  great circles through the top-left and top-right corners across the strike; 0 between them, else the
  nearer;
- Rhypo: sqrt(great-circle distance^2 + depth difference^2) to the hypocentre.

As in OpenQuake, the plane is flat in Cartesian space while its corners sit on the sphere, so its middle sags
below the corners' depth by about L^2 / 8R (0.03 km for 40 km); its rectangle has the mean length and width
of the corners' edges, so the top edge stops (L_top - L_bottom) / 2 short of the top corners (about
L (zbot - ztor) / 2R, 0.1 km for 50 km over 25 km of depth); and the sides of the surface projection are
drawn at the top-left corner's azimuths, which meridian convergence turns by about L tan(lat) / R at the far
corners.

Multi-plane ruptures (OpenQuake's ``MultiSurface``): Rrup and Rjb are the minimum over the planes. Rx and Ry0
are the T and U coordinates of the generalized coordinate system GC2 of Spudich, P. & Chiou, B. (2015),
*Strike-parallel and strike-normal coordinate system around geometrically complicated rupture traces — use
by NGA-West2 and further improvements*, USGS Open-File Report 2015-1028, built on the top edges of the planes
(each a one-segment trace, as OpenQuake builds them):

- the top edges are projected on the plane tangent to the sphere at the normalised mean of their end points
  (orthographic projection, km);
- nominal strike b: Spudich & Chiou's b = sum of e_j a_j over the edge vectors a_j, with e_j = +1 or -1
  so that each e_j a_j points along the edges' common axis (their length-weighted axial mean, oriented as the
  longer share of them, the first edge on a tie; Spudich & Chiou's trial sum of the a_j is zero when edges
  cancel); an edge with e_j = -1 (discordant) is reversed;
- origin: the start point (after reversal) with the smallest projection on b; each edge's shift
  s_j = (start_j - origin) . b;
- per edge and site: u_j along it from its start, t_j across it (positive on its right), weight
  w_j = [atan((l_j - u_j)/t_j) - atan(-u_j/t_j)] / t_j, or 1/(u_j - l_j) - 1/u_j on the edge's extension;
  T = sum w_j t_j / sum w_j, U = sum w_j (u_j + s_j) / sum w_j; a site on an edge has T = 0, U = u_j + s_j;
- Rx = T; Ry0 = -U when U < 0, U - U_max when U > U_max (U_max: the largest U of the edges' end points),
  else 0 (OpenQuake's rule).

Differences from OpenQuake's ``MultiLine``: it projects each edge on its own tangent plane, takes the nominal
strike from an angular mean, treats sites within 0.1 km of an edge as on it and keeps GC2 values in float32
(together below 0.1 km at city scale; Kalkan: one tangent plane, the rule above, the exact limit on the edge,
float64); and it puts the origin at the westernmost (or easternmost) end point, which for a rupture trending
near north-south need not be its first end point along the strike, whereas Kalkan's origin is always the
first, so that U runs from 0 to U_max along the rupture. The projection holds for sites within a hemisphere
of the rupture, far beyond any integration distance.

Point ruptures: every finite-fault distance (Rrup, Rjb, Rx, Ry0) is the hypocentral distance, as OpenQuake
computes it for its ``PointRupture``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kalkan.core.geodesy import EARTH_RADIUS_KM, cross_track_km, geodetic_distance_km, to_ecef_km
from kalkan.core.hazard.earthquake.gmpe.base import Context
from kalkan.core.hazard.earthquake.rupture import MultiPlaneRupture, PlanarRupture, Plane, PointRupture, Rupture
from kalkan.errors import InputError

Floats = NDArray[np.float64]

_ON_TRACE_KM = 1e-9
"""|t| below which a site is taken to be on an edge (or its extension) in GC2, km."""


@dataclass(frozen=True, slots=True)
class Distances:
    """Distances (km) from one rupture to each site; ``repi`` is the epicentral distance."""

    rrup: Floats
    rjb: Floats
    rx: Floats
    ry0: Floats
    rhypo: Floats
    repi: Floats


def _sites(lon: ArrayLike, lat: ArrayLike, depth_km: ArrayLike = 0.0) -> tuple[Floats, Floats, Floats]:
    """Site arrays as float64 1-D arrays of one length, checked (lon/lat degrees, depth km)."""
    lons = np.atleast_1d(np.asarray(lon, dtype=np.float64)).ravel()
    lats = np.atleast_1d(np.asarray(lat, dtype=np.float64)).ravel()
    if lons.shape != lats.shape:
        raise InputError(
            f"site longitudes ({lons.size}) and latitudes ({lats.size}) differ in number.",
            code="input.inconsistent",
            field="lat",
        )
    depths = np.atleast_1d(np.asarray(depth_km, dtype=np.float64)).ravel()
    if depths.size not in (1, lons.size):
        raise InputError(
            f"site depths: {depths.size} values for {lons.size} sites; expected 1 or {lons.size}.",
            code="input.inconsistent",
            field="depth_km",
        )
    depths = np.broadcast_to(depths, lons.shape)
    for name, arr, lo, hi in (("longitude", lons, -180.0, 180.0), ("latitude", lats, -90.0, 90.0)):
        bad = ~np.isfinite(arr) | (arr < lo) | (arr > hi)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"site #{k + 1}: {name} {arr[k]} is not a number in [{lo:g}, {hi:g}] degrees.",
                code="input.range",
                field="lon" if name == "longitude" else "lat",
                row=k + 1,
            )
    if not np.all(np.isfinite(depths)):
        raise InputError(
            "site depths must be finite numbers (km, positive down).", code="input.range", field="depth_km"
        )
    return lons, lats, np.ascontiguousarray(depths)


# --------------------------------------------------------------------------------------------- one plane


def plane_rrup(plane: Plane, lon: Floats, lat: Floats, depth_km: Floats | float = 0.0) -> Floats:
    """Closest 3-D distance (km) from sites to the rectangle of ``plane`` (Earth-centred Cartesian frame)."""
    rel = to_ecef_km(lon, lat, depth_km) - np.asarray(plane.origin)
    off = rel @ np.asarray(plane.normal)
    xx = rel @ np.asarray(plane.along_strike)
    yy = rel @ np.asarray(plane.down_dip)
    dx = np.where(xx < 0.0, xx, np.where(xx > plane.length_km, xx - plane.length_km, 0.0))
    dy = np.where(yy < 0.0, yy, np.where(yy > plane.width_km, yy - plane.width_km, 0.0))
    return np.asarray(np.sqrt(off**2 + dx**2 + dy**2), dtype=np.float64)


def plane_rjb(plane: Plane, lon: Floats, lat: Floats) -> Floats:
    """Joyner-Boore distance (km): closest great-circle distance to the plane's surface projection."""
    tl, tr, bl, br = plane.corners
    across = (plane.strike + 90.0) % 360.0
    d_top = cross_track_km(tl.lon, tl.lat, plane.strike, lon, lat)
    d_bottom = cross_track_km(bl.lon, bl.lat, plane.strike, lon, lat)
    d_left = cross_track_km(tl.lon, tl.lat, across, lon, lat)
    d_right = cross_track_km(tr.lon, tr.lat, across, lon, lat)
    same_tb = np.sign(d_top) == np.sign(d_bottom)  # not between top and bottom edges
    same_lr = np.sign(d_left) == np.sign(d_right)  # not between left and right ends
    to_corner = np.min([geodetic_distance_km(c.lon, c.lat, lon, lat) for c in (tl, tr, bl, br)], axis=0)
    to_tb = np.minimum(np.abs(d_top), np.abs(d_bottom))
    to_lr = np.minimum(np.abs(d_left), np.abs(d_right))
    out = np.select([same_tb & same_lr, same_tb, same_lr], [to_corner, to_tb, to_lr], default=0.0)
    return np.asarray(out, dtype=np.float64)


def plane_rx(plane: Plane, lon: Floats, lat: Floats) -> Floats:
    """Rx (km): distance to the top edge's great circle, positive on the right of the strike (hanging wall)."""
    tl = plane.top_left
    return cross_track_km(tl.lon, tl.lat, plane.strike, lon, lat)


def plane_ry0(plane: Plane, lon: Floats, lat: Floats) -> Floats:
    """Ry0 (km): distance along strike beyond the ends of the top edge; 0 alongside it."""
    tl, tr = plane.top_left, plane.top_right
    across = (plane.strike + 90.0) % 360.0
    d1 = cross_track_km(tl.lon, tl.lat, across, lon, lat)
    d2 = cross_track_km(tr.lon, tr.lat, across, lon, lat)
    out = np.where(np.sign(d1) == np.sign(d2), np.minimum(np.abs(d1), np.abs(d2)), 0.0)
    return np.asarray(out, dtype=np.float64)


# --------------------------------------------------------------------------------------------- GC2


@dataclass(frozen=True, slots=True)
class _Traces:
    """Top edges of a multi-plane rupture in a tangent-plane projection, ready for GC2 (km)."""

    centre: tuple[float, float]
    start: Floats  # (J, 2), after reversal of discordant edges
    unit: Floats  # (J, 2) along each edge
    length: Floats  # (J,)
    shift: Floats  # (J,)


def _orthographic(lon: ArrayLike, lat: ArrayLike, centre: tuple[float, float]) -> tuple[Floats, Floats]:
    """Orthographic projection on the sphere's tangent plane at ``centre`` (lon, lat): east and north, km."""
    lam = np.radians(np.asarray(lon, dtype=np.float64)) - math.radians(centre[0])
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    phi0 = math.radians(centre[1])
    x = EARTH_RADIUS_KM * np.cos(phi) * np.sin(lam)
    y = EARTH_RADIUS_KM * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam))
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _traces(planes: tuple[Plane, ...]) -> _Traces:
    lons = np.array([[p.top_left.lon, p.top_right.lon] for p in planes])
    lats = np.array([[p.top_left.lat, p.top_right.lat] for p in planes])
    mean = to_ecef_km(lons, lats).reshape(-1, 3).mean(axis=0)
    centre = (math.degrees(math.atan2(mean[1], mean[0])), math.degrees(math.atan2(mean[2], math.hypot(*mean[:2]))))
    x, y = _orthographic(lons, lats, centre)
    p0 = np.stack([x[:, 0], y[:, 0]], axis=-1)
    p1 = np.stack([x[:, 1], y[:, 1]], axis=-1)
    a = p1 - p0
    seg = np.hypot(a[:, 0], a[:, 1])
    # axis of the edges regardless of their sense: length-weighted mean of doubled angles
    angle = np.arctan2(a[:, 1], a[:, 0])
    half = 0.5 * math.atan2(float(seg @ np.sin(2 * angle)), float(seg @ np.cos(2 * angle)))
    axis = np.array([math.cos(half), math.sin(half)])
    e = np.where(a @ axis < 0.0, -1.0, 1.0)
    share = float(seg @ e)
    if share < -1e-9 * seg.sum() or (abs(share) <= 1e-9 * seg.sum() and e[0] < 0):
        e = -e  # orient the axis as the longer share of the edges (the first edge on a tie)
    b = (e[:, None] * a).sum(axis=0)
    bhat = b / float(np.hypot(*b))
    start = np.where(e[:, None] < 0, p1, p0)
    vec = np.where(e[:, None] < 0, -a, a)
    unit = vec / seg[:, None]
    proj = start @ bhat
    shift = proj - proj.min()
    return _Traces(centre, start, unit, seg, shift)


def _gc2_tu(tr: _Traces, x: Floats, y: Floats) -> tuple[Floats, Floats]:
    """GC2 coordinates T (across, km, positive right of the nominal strike) and U (along, km) of points."""
    w_sum = np.zeros_like(x)
    wt_sum = np.zeros_like(x)
    wu_sum = np.zeros_like(x)
    on_trace = np.zeros(x.shape, dtype=bool)
    u_on = np.zeros_like(x)
    for j in range(tr.length.size):
        dx, dy = x - tr.start[j, 0], y - tr.start[j, 1]
        ux, uy = tr.unit[j]
        u = dx * ux + dy * uy
        t = dx * uy - dy * ux  # right-hand normal of the edge direction: positive on its right
        seg = tr.length[j]
        zero_t = np.abs(t) < _ON_TRACE_KM
        on = zero_t & (u >= 0.0) & (u <= seg)
        safe_t = np.where(zero_t, 1.0, t)
        with np.errstate(divide="ignore", invalid="ignore"):
            w_off = (np.arctan((seg - u) / safe_t) - np.arctan(-u / safe_t)) / safe_t
            w_ext = 1.0 / (u - seg) - 1.0 / u
        w = np.where(zero_t, np.where(on, 0.0, w_ext), w_off)
        u_on = np.where(on & ~on_trace, u + tr.shift[j], u_on)
        on_trace |= on
        w_sum += w
        wt_sum += w * t
        wu_sum += w * (u + tr.shift[j])
    with np.errstate(divide="ignore", invalid="ignore"):
        big_t = np.where(on_trace, 0.0, wt_sum / w_sum)
        big_u = np.where(on_trace, u_on, wu_sum / w_sum)
    return np.asarray(big_t, dtype=np.float64), np.asarray(big_u, dtype=np.float64)


def gc2_coordinates(planes: tuple[Plane, ...], lon: Floats, lat: Floats) -> tuple[Floats, Floats, float]:
    """GC2 (T, U) of sites for the top edges of ``planes``, and U_max, the largest U of the edge end points (km)."""
    tr = _traces(planes)
    x, y = _orthographic(lon, lat, tr.centre)
    t, u = _gc2_tu(tr, x, y)
    ends = np.concatenate([tr.start, tr.start + tr.unit * tr.length[:, None]])
    _, u_ends = _gc2_tu(tr, ends[:, 0], ends[:, 1])
    return t, u, float(u_ends.max())


def _ry0_from_u(u: Floats, u_max: float) -> Floats:
    return np.asarray(np.where(u < 0.0, -u, np.where(u > u_max, u - u_max, 0.0)), dtype=np.float64)


# --------------------------------------------------------------------------------------------- ruptures


def hypocentral_distance(rupture: Rupture, lon: ArrayLike, lat: ArrayLike, site_depth_km: ArrayLike = 0.0) -> Floats:
    """Rhypo (km): sqrt(great-circle distance^2 + depth difference^2) to the hypocentre, as OpenQuake."""
    lons, lats, depths = _sites(lon, lat, site_depth_km)
    h = rupture.hypocentre
    horizontal = geodetic_distance_km(h.lon, h.lat, lons, lats)
    return np.asarray(np.sqrt(horizontal**2 + (h.depth_km - depths) ** 2), dtype=np.float64)


def distances(rupture: Rupture, lon: ArrayLike, lat: ArrayLike, site_depth_km: ArrayLike = 0.0) -> Distances:
    """Rrup, Rjb, Rx, Ry0, Rhypo and Repi (km) from ``rupture`` to sites at ``lon``, ``lat`` (degrees).

    ``site_depth_km`` (default 0, the surface) enters Rrup and Rhypo only. See the module docstring for the
    definitions and conventions.
    """
    lons, lats, depths = _sites(lon, lat, site_depth_km)
    h = rupture.hypocentre
    repi = geodetic_distance_km(h.lon, h.lat, lons, lats)
    rhypo = np.asarray(np.sqrt(repi**2 + (h.depth_km - depths) ** 2), dtype=np.float64)
    if isinstance(rupture, PointRupture):
        return Distances(rhypo.copy(), rhypo.copy(), rhypo.copy(), rhypo.copy(), rhypo, repi)
    if isinstance(rupture, PlanarRupture):
        p = rupture.plane
        return Distances(
            plane_rrup(p, lons, lats, depths),
            plane_rjb(p, lons, lats),
            plane_rx(p, lons, lats),
            plane_ry0(p, lons, lats),
            rhypo,
            repi,
        )
    if isinstance(rupture, MultiPlaneRupture):
        rrup = np.min([plane_rrup(p, lons, lats, depths) for p in rupture.planes], axis=0)
        rjb = np.min([plane_rjb(p, lons, lats) for p in rupture.planes], axis=0)
        t, u, u_max = gc2_coordinates(rupture.planes, lons, lats)
        return Distances(rrup, rjb, t, _ry0_from_u(u, u_max), rhypo, repi)
    raise InputError(f"not a rupture: {rupture!r}", code="input.type", field="rupture")


def rupture_parameters(rupture: Rupture) -> dict[str, float]:
    """mag, rake, dip (degrees), ztor, hypo_depth and width (km): the rupture's share of a :class:`Context`."""
    return {
        "mag": rupture.mag,
        "rake": rupture.rake,
        "dip": rupture.dip,
        "ztor": rupture.ztor_km,
        "hypo_depth": rupture.hypocentre.depth_km,
        "width": rupture.width_km,
    }


def _per_site(value: ArrayLike, name: str, n: int) -> Floats:
    arr = np.atleast_1d(np.asarray(value, dtype=np.float64)).ravel()
    if arr.size not in (1, n):
        raise InputError(
            f"{name}: {arr.size} values for {n} sites; expected 1 or {n}.", code="input.inconsistent", field=name
        )
    return np.ascontiguousarray(np.broadcast_to(arr, (n,)))


def context_for(
    rupture: Rupture,
    site_lon: ArrayLike,
    site_lat: ArrayLike,
    vs30: ArrayLike,
    vs30measured: ArrayLike | None = None,
    z1pt0: ArrayLike | None = None,
    z2pt5: ArrayLike | None = None,
) -> Context:
    """The ground-motion :class:`Context` of ``rupture`` at sites (one entry per site, units of the Context).

    ``vs30`` (m/s), ``vs30measured``, ``z1pt0`` (m) and ``z2pt5`` (km) are scalars or one value per site. Left
    out, ``vs30measured`` is False (inferred) and ``z1pt0``/``z2pt5`` are NaN: a model that needs them then
    fails loudly rather than using an estimate the caller did not choose; :mod:`kalkan.core.hazard.earthquake.site`
    estimates them from Vs30.
    """
    d = distances(rupture, site_lon, site_lat)
    n = d.rrup.size

    v = _per_site(vs30, "vs30", n)
    if not np.all(np.isfinite(v) & (v > 0)):
        raise InputError("vs30 must be a positive number (m/s) at every site.", code="input.range", field="vs30")
    return Context(
        mag=np.array([rupture.mag]),
        rake=np.array([rupture.rake]),
        dip=np.array([rupture.dip]),
        ztor=np.array([rupture.ztor_km]),
        hypo_depth=np.array([rupture.hypocentre.depth_km]),
        width=np.array([rupture.width_km]),
        rrup=d.rrup,
        rjb=d.rjb,
        rx=d.rx,
        ry0=d.ry0,
        rhypo=d.rhypo,
        vs30=v,
        vs30measured=_per_site(False if vs30measured is None else vs30measured, "vs30measured", n).astype(bool),
        z1pt0=_per_site(math.nan if z1pt0 is None else z1pt0, "z1pt0", n),
        z2pt5=_per_site(math.nan if z2pt5 is None else z2pt5, "z2pt5", n),
    )


__all__ = [
    "Distances",
    "context_for",
    "distances",
    "gc2_coordinates",
    "hypocentral_distance",
    "plane_rjb",
    "plane_rrup",
    "plane_rx",
    "plane_ry0",
    "rupture_parameters",
]
