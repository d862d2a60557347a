"""Seismic sources (point, area, simple fault) and the ruptures they generate, as arrays for classical PSHA.

A source turns its magnitude-frequency distribution (:mod:`kalkan.core.hazard.earthquake.mfd`) into a
:class:`RuptureSet`: one array entry per rupture (magnitude, annual rate, rake, and a rectangular plane or a
point), so that :mod:`kalkan.core.hazard.earthquake.psha` computes distances and ground motions for all ruptures
and sites at once instead of building one Python object per rupture.

Geometry. Each rupture set lives in a local Cartesian frame: the azimuthal equidistant projection about a
point of the source (x east, y north, km; depths km, positive down). Distances from the frame centre are exact
on Kalkan's sphere (:mod:`kalkan.core.geodesy`, OpenQuake's); other distances are off by a factor of about
1 + rho^2 / (6 R^2) for points rho km from the centre (4e-4 at 300 km), far below the effect of any other
modelling choice. A plane is
given by its top-left corner (x0, y0, ztor), strike, dip, length and width; it dips to the right of its
strike (Aki & Richards), as in :mod:`kalkan.core.hazard.earthquake.rupture`.

Sources:

- :class:`PointSource`: for each magnitude, nodal plane (strike, dip, rake, weight) and hypocentral depth
  (depth, weight), one rupture with rate = MFD rate x plane weight x depth weight. ``finite=True`` (default,
  OpenQuake's point source): a plane centred on the hypocentre, area from the magnitude-area law, length =
  sqrt(area x aspect ratio), width = area / length; a width that does not fit between the upper and lower
  seismogenic depths is cut to fit and the length grows to keep the area; a plane crossing either depth
  slides along its dip until it fits. ``finite=False`` (nshmp-haz's ``POINT`` type): the rupture is the
  hypocentre itself; Rjb = epicentral distance, Rrup = hypocentral distance.
- :class:`AreaSource`: a polygon discretised into point sources on a grid, the rate split equally among the
  points: ``spacing_km`` (OpenQuake's ``area_source_discretization``: see :func:`openquake_area_grid`) or
  ``spacing_deg`` (nshmp-haz's grid of longitude/latitude multiples of the spacing, anchored at 0, 0). The
  grid's anchor matters: the number of points inside a polygon a few spacings wide, and so the rate per point
  and the hazard inside the source, changes by tens of per cent with the grid's offset.
- :class:`SimpleFaultSource`: a plane (or a polyline trace) between an upper and a lower depth. The fault is
  gridded with ``spacing_km`` (the spacing shrinks to divide the length and the width into whole steps);
  with ``floating`` each magnitude's rupture (dimensions from the scaling law, width capped by the fault
  width) is placed at every grid position along strike and down dip that fits, the rate split equally among
  the positions; its length and width are rounded to whole grid steps, ``rint(L / step) + 1`` nodes, as
  nshmp-haz and OpenQuake do. Without ``floating`` every magnitude ruptures the whole fault. With
  ``area_sigma_log10 > 0`` (nshmp-haz's "rupture variability", PEER Set 1 Case 3) each magnitude gets 21
  rupture areas between -2 and +2 sigma of log10(area), weighted by the normal density.

Magnitude-area laws: ``PEER`` (PEER 2018/03 test specification, Hale, Abrahamson & Bozorgnia 2018,
*Probabilistic Seismic Hazard Analysis Code Verification*, PEER Report 2018/03: log10 A = M - 4 with
sigma 0.25; nshmp-haz and OpenQuake's ``PeerMSR`` use it with an aspect ratio of 2) and the laws of
:data:`kalkan.core.hazard.earthquake.scaling.SCALING_LAWS` (Wells & Coppersmith 1994 area on magnitude by slip
type, Leonard 2014).

Limits: a floating rupture on a bent trace is the plane through its two ends (chord); ruptures are planar.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kalkan.core.bounds import DEPTH_KM
from kalkan.core.geodesy import EARTH_RADIUS_KM
from kalkan.core.hazard.earthquake.mfd import MFD
from kalkan.core.hazard.earthquake.scaling import dimensions, median_area_km2
from kalkan.errors import InputError

Floats: TypeAlias = NDArray[np.float64]

__all__ = [
    "AreaSource",
    "Frame",
    "NodalPlane",
    "PointSource",
    "RuptureSet",
    "SimpleFaultSource",
    "Source",
    "openquake_area_grid",
]

AREA_VARIABILITY_POINTS = 21
"""Rupture areas per magnitude with area variability: -2 to +2 sigma in steps of 0.2 sigma (nshmp-haz)."""


# --------------------------------------------------------------------------------------------- frame


@dataclass(frozen=True, slots=True)
class Frame:
    """Azimuthal equidistant projection about (lon0, lat0) on the sphere: x east, y north, km."""

    lon0: float
    lat0: float

    def to_xy(self, lon: ArrayLike, lat: ArrayLike) -> tuple[Floats, Floats]:
        """Project longitudes and latitudes (degrees) to km east and north of the centre."""
        lam = np.radians(np.asarray(lon, dtype=np.float64)) - math.radians(self.lon0)
        phi = np.radians(np.asarray(lat, dtype=np.float64))
        phi0 = math.radians(self.lat0)
        cos_c = np.clip(math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam), -1.0, 1.0)
        c = np.arccos(cos_c)
        with np.errstate(invalid="ignore", divide="ignore"):
            k = np.where(c > 1e-12, c / np.sin(c), 1.0)
        x = EARTH_RADIUS_KM * k * np.cos(phi) * np.sin(lam)
        y = EARTH_RADIUS_KM * k * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam))
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def to_lonlat(self, x: ArrayLike, y: ArrayLike) -> tuple[Floats, Floats]:
        """Inverse projection: km east and north of the centre to longitudes and latitudes (degrees)."""
        xx = np.asarray(x, dtype=np.float64)
        yy = np.asarray(y, dtype=np.float64)
        c = np.hypot(xx, yy) / EARTH_RADIUS_KM
        az = np.arctan2(xx, yy)
        phi0, lam0 = math.radians(self.lat0), math.radians(self.lon0)
        sin_phi = math.sin(phi0) * np.cos(c) + math.cos(phi0) * np.sin(c) * np.cos(az)
        phi = np.arcsin(np.clip(sin_phi, -1.0, 1.0))
        lam = lam0 + np.arctan2(np.sin(az) * np.sin(c) * math.cos(phi0), np.cos(c) - math.sin(phi0) * sin_phi)
        lon = (np.degrees(lam) + 540.0) % 360.0 - 180.0
        return np.asarray(lon, dtype=np.float64), np.asarray(np.degrees(phi), dtype=np.float64)


# --------------------------------------------------------------------------------------------- ruptures


@dataclass(frozen=True, slots=True)
class RuptureSet:
    """The ruptures of one source as arrays (one entry per rupture) in the source's :class:`Frame`.

    Planes (``finite``): top-left corner ``x0``, ``y0`` (km), ``ztor`` (km), ``strike`` and ``dip`` (degrees),
    ``length`` and ``width`` (km); the hypocentre is the plane's centre unless given. Points (not ``finite``):
    ``x0``, ``y0`` the epicentre, ``ztor`` the hypocentral depth, length and width 0.
    """

    source_id: str
    frame: Frame
    finite: bool
    mag: Floats
    rate: Floats
    rake: Floats
    strike: Floats
    dip: Floats
    x0: Floats
    y0: Floats
    ztor: Floats
    length: Floats
    width: Floats
    hypo_depth: Floats = field(default_factory=lambda: np.empty(0))
    tectonic_region: str = "Active Shallow Crust"

    def __post_init__(self) -> None:
        n = self.mag.size
        for name in ("rate", "rake", "strike", "dip", "x0", "y0", "ztor", "length", "width"):
            arr = np.ascontiguousarray(np.broadcast_to(np.asarray(getattr(self, name), dtype=np.float64), (n,)))
            object.__setattr__(self, name, arr)
        if self.hypo_depth.size != n:
            sin_d = np.sin(np.radians(self.dip))
            object.__setattr__(self, "hypo_depth", self.ztor + 0.5 * self.width * sin_d)
        if (self.rate < 0).any() or not np.all(np.isfinite(self.rate)):
            raise InputError(
                f"source {self.source_id}: rupture rates must be finite and >= 0.", code="input.range", field="rate"
            )

    def __len__(self) -> int:
        return int(self.mag.size)

    def take(self, index: slice | NDArray[np.intp]) -> RuptureSet:
        """The ruptures at ``index`` (a slice or integer array), as a new set."""
        arrays: dict[str, Any] = {f: getattr(self, f)[index] for f in _ARRAYS}
        return replace(self, **arrays)

    def distances(self, site_lon: Floats, site_lat: Floats) -> dict[str, Floats]:
        """Rrup, Rjb, Rx, Ry0 and Rhypo (km), each of shape (ruptures, sites), to sites at the surface.

        Planes: Rrup is the 3-D distance to the rectangle, Rjb the distance to its surface projection, Rx the
        horizontal distance to the top edge's line (positive on the hanging wall, the dip side), Ry0 the
        distance along strike beyond the ends of the top edge. Points (nshmp-haz's ``PointSurface``): Rjb =
        Rx = Ry0 = epicentral distance, Rrup = Rhypo = sqrt(Repi^2 + depth^2).
        """
        sx, sy = self.frame.to_xy(site_lon, site_lat)
        dx = sx[None, :] - self.x0[:, None]
        dy = sy[None, :] - self.y0[:, None]
        if not self.finite:
            repi = np.hypot(dx, dy)
            rrup = np.hypot(repi, self.ztor[:, None])
            return {"rrup": rrup, "rjb": repi, "rx": repi, "ry0": repi, "rhypo": rrup}
        th = np.radians(self.strike)[:, None]
        de = np.radians(self.dip)[:, None]
        sin_t, cos_t, sin_d, cos_d = np.sin(th), np.cos(th), np.sin(de), np.cos(de)
        along = dx * sin_t + dy * cos_t
        across = dx * cos_t - dy * sin_t  # horizontal, towards the dip direction
        rel_z = -self.ztor[:, None]
        down = across * cos_d + rel_z * sin_d
        normal = across * sin_d - rel_z * cos_d
        length = self.length[:, None]
        width = self.width[:, None]
        d_along = np.maximum(np.maximum(-along, along - length), 0.0)
        d_down = np.maximum(np.maximum(-down, down - width), 0.0)
        rrup = np.sqrt(normal**2 + d_along**2 + d_down**2)
        d_across = np.maximum(np.maximum(-across, across - width * cos_d), 0.0)
        rjb = np.hypot(d_along, d_across)
        # hypocentre: plane centre unless the set carries another depth (then on the plane's mid-strike line)
        h_down = (self.hypo_depth[:, None] - self.ztor[:, None]) / np.where(sin_d > 0, sin_d, 1.0)
        hx = along - 0.5 * length
        hy = across - h_down * cos_d
        rhypo = np.sqrt(hx**2 + hy**2 + self.hypo_depth[:, None] ** 2)
        return {"rrup": rrup, "rjb": rjb, "rx": across, "ry0": d_along, "rhypo": rhypo}


_ARRAYS = ("mag", "rate", "rake", "strike", "dip", "x0", "y0", "ztor", "length", "width", "hypo_depth")


def concatenate(sets: Sequence[RuptureSet]) -> RuptureSet:
    """One set from several of the same source, frame and kind (finite or point)."""
    arrays: dict[str, Any] = {f: np.concatenate([getattr(s, f) for s in sets]) for f in _ARRAYS}
    return replace(sets[0], **arrays)


# --------------------------------------------------------------------------------------------- checks


def _check_depths(usd: float, lsd: float, where: str) -> tuple[float, float]:
    if not (math.isfinite(usd) and math.isfinite(lsd)):
        raise InputError(
            f"{where}: seismogenic depths must be finite numbers (km).", code="input.range", field="upperSeismoDepth"
        )
    if usd < 0:
        raise InputError(
            f"{where}: upper seismogenic depth {usd} km must be >= 0.", code="input.range", field="upperSeismoDepth"
        )
    if lsd <= usd:
        raise InputError(
            f"{where}: lower seismogenic depth {lsd} km must be deeper than the upper one ({usd} km).",
            code="input.inconsistent",
            field="lowerSeismoDepth",
        )
    if lsd > DEPTH_KM.hi:
        raise InputError(
            f"{where}: lower seismogenic depth {lsd} km; expected at most {DEPTH_KM.hi:g} km ({DEPTH_KM.why}).",
            code="input.range",
            field="lowerSeismoDepth",
        )
    return float(usd), float(lsd)


def _check_weights(weights: Sequence[float], what: str, where: str) -> None:
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0 or (w < 0).any() or not np.all(np.isfinite(w)):
        raise InputError(
            f"{where}: {what} weights must be finite, non-negative, and at least one.",
            code="input.range",
            field="nodalPlaneDist" if what == "nodal plane" else "hypoDepthDist",
        )
    if abs(float(w.sum()) - 1.0) > 1e-3:
        raise InputError(
            f"{where}: {what} weights sum to {w.sum():.6f}; expected 1.",
            code="input.inconsistent",
            field="nodalPlaneDist" if what == "nodal plane" else "hypoDepthDist",
        )


def _check_aspect(aspect: float, where: str) -> float:
    if not (math.isfinite(aspect) and aspect > 0):
        raise InputError(
            f"{where}: rupture aspect ratio {aspect} must be positive (length / width).",
            code="input.range",
            field="ruptAspectRatio",
        )
    return float(aspect)


def _mags_rates(mfd: MFD, where: str) -> tuple[Floats, Floats]:
    mags, rates = mfd.magnitudes_and_rates()
    if (rates < 0).any():
        raise InputError(f"{where}: negative annual rate in the MFD.", code="input.range", field="rates")
    return mags, rates


# --------------------------------------------------------------------------------------------- point


@dataclass(frozen=True, slots=True)
class NodalPlane:
    """A nodal plane with its probability: strike, dip, rake (degrees)."""

    weight: float
    strike: float
    dip: float
    rake: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.strike <= 360.0 and 0.0 < self.dip <= 90.0 and -180.0 <= self.rake <= 180.0):
            raise InputError(
                f"nodal plane strike {self.strike}, dip {self.dip}, rake {self.rake}: expected strike in "
                "[0, 360], dip in (0, 90], rake in [-180, 180] degrees.",
                code="input.range",
                field="strike" if not 0.0 <= self.strike <= 360.0 else "dip" if not 0.0 < self.dip <= 90.0 else "rake",
            )


@dataclass(frozen=True, slots=True)
class PointSource:
    """A point source: epicentre, MFD, nodal-plane and hypocentral-depth distributions (see module doc)."""

    source_id: str
    name: str
    lon: float
    lat: float
    mfd: MFD
    nodal_planes: tuple[NodalPlane, ...]
    hypo_depths: tuple[tuple[float, float], ...]
    """(weight, depth km) pairs."""
    upper_depth_km: float = 0.0
    lower_depth_km: float = 30.0
    scaling: str = "WC1994"
    aspect_ratio: float = 1.0
    finite: bool = True
    tectonic_region: str = "Active Shallow Crust"

    def __post_init__(self) -> None:
        where = f"point source {self.source_id!r}"
        if not (-180.0 <= self.lon <= 180.0 and -90.0 <= self.lat <= 90.0):
            raise InputError(
                f"{where}: location ({self.lon}, {self.lat}) is not a longitude/latitude in degrees.",
                code="input.range",
                field="lon" if not -180.0 <= self.lon <= 180.0 else "lat",
            )
        _validate_distributions(self.nodal_planes, self.hypo_depths, self.upper_depth_km, self.lower_depth_km, where)
        _check_aspect(self.aspect_ratio, where)
        if self.finite:
            median_area_km2(self.scaling, 6.0, 0.0)

    def ruptures(self, frame: Frame | None = None) -> RuptureSet:
        f = frame or Frame(self.lon, self.lat)
        x, y = f.to_xy([self.lon], [self.lat])
        return _point_ruptures(self, f, x, y, 1.0)


def _validate_distributions(
    planes: tuple[NodalPlane, ...], depths: tuple[tuple[float, float], ...], usd: float, lsd: float, where: str
) -> None:
    _check_depths(usd, lsd, where)
    _check_weights([p.weight for p in planes], "nodal plane", where)
    _check_weights([w for w, _ in depths], "hypocentral depth", where)
    for _, d in depths:
        if not usd <= d <= lsd:
            raise InputError(
                f"{where}: hypocentral depth {d} km is outside the seismogenic layer [{usd}, {lsd}] km.",
                code="input.inconsistent",
                field="hypoDepth",
            )


def _point_ruptures(src: PointSource | AreaSource, frame: Frame, px: Floats, py: Floats, scale: float) -> RuptureSet:
    """Ruptures of point sources at (px, py) sharing one MFD (rates x ``scale``) and distributions."""
    where = f"source {src.source_id!r}"
    mags, rates = _mags_rates(src.mfd, where)
    planes = [p for p in src.nodal_planes if p.weight > 0]
    depths = [(w, d) for w, d in src.hypo_depths if w > 0]
    # combinations: (mag, plane, depth), then repeated over points
    grids = np.meshgrid(np.arange(mags.size), np.arange(len(planes)), np.arange(len(depths)), indexing="ij")
    m_i, p_i, d_i = (g.ravel() for g in grids)
    pw = np.array([p.weight for p in planes])[p_i]
    dw = np.array([w for w, _ in depths])[d_i]
    mag = mags[m_i]
    rate = rates[m_i] * pw * dw * scale
    keep = rate > 0
    mag, rate, p_i, hypo = mag[keep], rate[keep], p_i[keep], np.array([d for _, d in depths])[d_i][keep]
    strike = np.array([p.strike for p in planes])[p_i]
    dip = np.array([p.dip for p in planes])[p_i]
    rake = np.array([p.rake for p in planes])[p_i]
    n_pts, n_rup = px.size, mag.size
    if not src.finite:
        return RuptureSet(
            src.source_id, frame, False,
            np.tile(mag, n_pts), np.tile(rate, n_pts), np.tile(rake, n_pts), np.tile(strike, n_pts),
            np.tile(dip, n_pts), np.repeat(px, n_rup), np.repeat(py, n_rup), np.tile(hypo, n_pts),
            np.zeros(n_pts * n_rup), np.zeros(n_pts * n_rup), np.tile(hypo, n_pts),
            tectonic_region=src.tectonic_region,
        )  # fmt: skip
    usd, lsd = src.upper_depth_km, src.lower_depth_km
    sin_d, cos_d = np.sin(np.radians(dip)), np.cos(np.radians(dip))
    length, width = dimensions(median_area_km2(src.scaling, mag, rake), src.aspect_ratio, (lsd - usd) / sin_d)
    height = width * sin_d
    # centred on the hypocentre, pushed up from the bottom of the layer, then down from its top; the lower
    # bound goes last, because a width capped at the layer makes lsd - height round to just below usd
    top = np.maximum(np.minimum(hypo - 0.5 * height, lsd - height), usd)
    # offsets of the top-left corner from the epicentre: half a length back along strike, and horizontally
    # up-dip from the hypocentre to the top edge
    up = (hypo - top) / np.where(sin_d > 0, sin_d, 1.0) * cos_d
    th = np.radians(strike)
    ox = -0.5 * length * np.sin(th) - up * np.cos(th)
    oy = -0.5 * length * np.cos(th) + up * np.sin(th)
    return RuptureSet(
        src.source_id, frame, True,
        np.tile(mag, n_pts), np.tile(rate, n_pts), np.tile(rake, n_pts), np.tile(strike, n_pts),
        np.tile(dip, n_pts), (px[:, None] + ox[None, :]).ravel(), (py[:, None] + oy[None, :]).ravel(),
        np.tile(top, n_pts), np.tile(length, n_pts), np.tile(width, n_pts), np.tile(hypo, n_pts),
        tectonic_region=src.tectonic_region,
    )  # fmt: skip


# --------------------------------------------------------------------------------------------- area


def points_in_polygon(x: Floats, y: Floats, poly_x: Floats, poly_y: Floats) -> NDArray[np.bool_]:
    """Even-odd (ray casting) test of points against a closed polygon; vectorised over points."""
    inside = np.zeros(x.shape, dtype=bool)
    n = poly_x.size
    j = n - 1
    for i in range(n):
        xi, yi, xj, yj = poly_x[i], poly_y[i], poly_x[j], poly_y[j]
        crosses = (yi > y) != (yj > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = (xj - xi) * (y - yi) / (yj - yi) + xi
        inside ^= crosses & (x < x_at)
        j = i
    return inside


def _gnomonic(lon: Floats, lat: Floats, lon0: float, lat0: float) -> tuple[Floats, Floats]:
    """Gnomonic projection about (lon0, lat0) (km at the centre): great circles map to straight lines."""
    lam = np.radians(lon - lon0)
    phi, phi0 = np.radians(lat), math.radians(lat0)
    cos_c = math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam)
    if (cos_c <= 0.05).any():
        raise InputError(
            "area source: the polygon and its grid must lie within a hemisphere (< 87 degrees).",
            code="input.outside",
            field="polygon",
        )
    x = EARTH_RADIUS_KM * np.cos(phi) * np.sin(lam) / cos_c
    y = EARTH_RADIUS_KM * (math.cos(phi0) * np.sin(phi) - math.sin(phi0) * np.cos(phi) * np.cos(lam)) / cos_c
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _distance_to_edges(x: Floats, y: Floats, poly_x: Floats, poly_y: Floats) -> Floats:
    """Distance of each point to the nearest edge of a closed polygon (plane coordinates)."""
    best = np.full(x.shape, np.inf)
    n = poly_x.size
    for i in range(n):
        ax, ay, bx, by = poly_x[i - 1], poly_y[i - 1], poly_x[i], poly_y[i]
        ex, ey = bx - ax, by - ay
        t = np.clip(((x - ax) * ex + (y - ay) * ey) / max(ex * ex + ey * ey, 1e-300), 0.0, 1.0)
        best = np.minimum(best, np.hypot(x - ax - t * ex, y - ay - t * ey))
    return best


ON_EDGE = 1e-4
"""Grid points closer than this fraction of the spacing to a polygon edge are on it, and outside the polygon."""
EDGE_PIECE_KM = 100.0
"""The bounding box of an area source's grid is that of its edges cut into floor(length / this) equal pieces."""


def _edge_points(lons: Floats, lats: Floats) -> tuple[Floats, Floats]:
    """The vertices of a closed polygon and the points cutting each great-circle edge into
    ``floor(length / EDGE_PIECE_KM)`` equal pieces (at least one), in order."""
    lam, phi = np.radians(lons), np.radians(lats)
    v = np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])
    out_lon: list[float] = []
    out_lat: list[float] = []
    for i in range(v.shape[0]):
        a, b = v[i], v[(i + 1) % v.shape[0]]
        omega = math.acos(min(1.0, max(-1.0, float(a @ b))))
        pieces = max(1, math.floor(omega * EARTH_RADIUS_KM / EDGE_PIECE_KM))
        out_lon.append(float(lons[i]))
        out_lat.append(float(lats[i]))
        for k in range(1, pieces):
            f = k / pieces
            w = (math.sin((1.0 - f) * omega) * a + math.sin(f * omega) * b) / math.sin(omega)
            lon = math.degrees(math.atan2(w[1], w[0]))
            out_lon.append((lon - float(lons[i]) + 180.0) % 360.0 - 180.0 + float(lons[i]))
            out_lat.append(math.degrees(math.asin(max(-1.0, min(1.0, float(w[2]))))))
    return np.array(out_lon), np.array(out_lat)


def openquake_area_grid(polygon: Sequence[tuple[float, float]], spacing_km: float) -> tuple[Floats, Floats]:
    """Longitudes and latitudes of the point sources of an area source on OpenQuake's grid.

    OpenQuake discretises an area source (``area_source_discretization``) on a grid anchored at the north-west
    corner of the polygon's bounding box: rows every ``spacing_km`` southwards along the meridian from the
    northern edge of the box, and in each row points every ``spacing_km`` eastwards along the parallel from its
    western edge. The box is that of the vertices and of the points cutting each edge (a great-circle arc) into
    ``floor(length / EDGE_PIECE_KM)`` equal pieces, so a long east-west edge bulging polewards raises it. The
    points strictly inside the polygon are kept; a point within ``ON_EDGE`` x spacing of an edge is on it and
    left out (e.g. the column on a western meridian edge, the corner of a longitude/latitude box; a point on a
    northern-hemisphere box's northern parallel lies inside the arc and is kept). Checked against OpenQuake
    3.26's ``Polygon.discretize`` on 46 polygons (rectangles, triangles, concave ones, both hemispheres, the
    antimeridian; 2 to 12.5 km) and the 5 zones of the shipped regional model: the same points, except one of
    2,132 within metres of an edge.
    """
    lons = np.array([p[0] for p in polygon], dtype=np.float64)
    lats = np.array([p[1] for p in polygon], dtype=np.float64)
    lons = (lons - lons[0] + 180.0) % 360.0 - 180.0 + lons[0]  # unwrap across the antimeridian
    box_lon, box_lat = _edge_points(lons, lats)
    west, east, south, north = float(box_lon.min()), float(box_lon.max()), float(box_lat.min()), float(box_lat.max())
    step_lat = math.degrees(spacing_km / EARTH_RADIUS_KM)
    row_lat = north - np.arange(math.floor((north - south) / step_lat + 1e-9) + 1) * step_lat
    glon: list[Floats] = []
    glat: list[Floats] = []
    for lat in row_lat.tolist():
        cos_lat = math.cos(math.radians(lat))
        n_cols = 1 if cos_lat < 1e-9 else math.floor((east - west) * cos_lat / step_lat + 1e-9) + 1
        step_lon = step_lat / max(cos_lat, 1e-9)  # spacing_km along the parallel, in degrees of longitude
        glon.append(west + np.arange(n_cols, dtype=np.float64) * step_lon)
        glat.append(np.full(n_cols, lat, dtype=np.float64))
    lon_g, lat_g = np.concatenate(glon), np.concatenate(glat)
    lon0, lat0 = 0.5 * (west + east), 0.5 * (south + north)
    px, py = _gnomonic(lons, lats, lon0, lat0)
    gx, gy = _gnomonic(lon_g, lat_g, lon0, lat0)
    inside = points_in_polygon(gx, gy, px, py) & (_distance_to_edges(gx, gy, px, py) > ON_EDGE * spacing_km)
    out_lon = (lon_g[inside] + 180.0) % 360.0 - 180.0
    return np.asarray(out_lon, dtype=np.float64), np.asarray(lat_g[inside], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class AreaSource:
    """An area source: a polygon (lon/lat vertices) of point sources sharing one MFD (see module doc)."""

    source_id: str
    name: str
    polygon: tuple[tuple[float, float], ...]
    mfd: MFD
    nodal_planes: tuple[NodalPlane, ...]
    hypo_depths: tuple[tuple[float, float], ...]
    upper_depth_km: float = 0.0
    lower_depth_km: float = 30.0
    scaling: str = "WC1994"
    aspect_ratio: float = 1.0
    spacing_km: float | None = 5.0
    spacing_deg: float | None = None
    finite: bool = True
    tectonic_region: str = "Active Shallow Crust"

    def __post_init__(self) -> None:
        where = f"area source {self.source_id!r}"
        if len(self.polygon) < 3:
            raise InputError(
                f"{where}: the polygon needs at least 3 vertices, got {len(self.polygon)}.",
                code="input.missing",
                field="polygon",
            )
        for lon, lat in self.polygon:
            if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                raise InputError(
                    f"{where}: polygon vertex ({lon}, {lat}) is not a longitude/latitude in degrees.",
                    code="input.range",
                    field="polygon",
                )
        if (self.spacing_km is None) == (self.spacing_deg is None):
            raise InputError(
                f"{where}: give exactly one of spacing_km and spacing_deg (grid of point sources).",
                code="input.options",
                field="spacing_km",
            )
        spacing = self.spacing_km if self.spacing_km is not None else self.spacing_deg
        assert spacing is not None
        if not (math.isfinite(spacing) and spacing > 0):
            raise InputError(
                f"{where}: grid spacing {spacing} must be positive.",
                code="input.range",
                field="spacing_km" if self.spacing_km is not None else "spacing_deg",
            )
        _validate_distributions(self.nodal_planes, self.hypo_depths, self.upper_depth_km, self.lower_depth_km, where)
        _check_aspect(self.aspect_ratio, where)
        if self.finite:
            median_area_km2(self.scaling, 6.0, 0.0)

    def frame(self) -> Frame:
        lons = np.array([p[0] for p in self.polygon])
        lats = np.array([p[1] for p in self.polygon])
        return Frame(float(lons.mean()), float(lats.mean()))

    def grid(self, frame: Frame | None = None) -> tuple[Floats, Floats]:
        """Grid points inside the polygon, in ``frame`` (km)."""
        f = frame or self.frame()
        lons = np.array([p[0] for p in self.polygon])
        lats = np.array([p[1] for p in self.polygon])
        if self.spacing_deg is not None:
            s = self.spacing_deg
            glon = np.arange(math.floor(lons.min() / s), math.ceil(lons.max() / s) + 1) * s
            glat = np.arange(math.floor(lats.min() / s), math.ceil(lats.max() / s) + 1) * s
            mesh = np.meshgrid(glon, glat)
            lon_g, lat_g = mesh[0].ravel(), mesh[1].ravel()
            inside = points_in_polygon(lon_g, lat_g, lons, lats)
            return f.to_xy(lon_g[inside], lat_g[inside])
        assert self.spacing_km is not None
        return f.to_xy(*openquake_area_grid(self.polygon, self.spacing_km))

    def ruptures(self, frame: Frame | None = None) -> RuptureSet:
        f = frame or self.frame()
        gx, gy = self.grid(f)
        if gx.size == 0:
            raise InputError(
                f"area source {self.source_id!r}: no grid point falls inside the polygon; use a smaller spacing.",
                code="input.empty",
                field="spacing_km",
            )
        return _point_ruptures(self, f, gx, gy, 1.0 / gx.size)


# --------------------------------------------------------------------------------------------- fault


@dataclass(frozen=True, slots=True)
class SimpleFaultSource:
    """A simple fault: top-edge trace (lon/lat at ``upper_depth_km``), dip towards the right of the trace,
    down to ``lower_depth_km``; floating ruptures as described in the module docstring."""

    source_id: str
    name: str
    trace: tuple[tuple[float, float], ...]
    upper_depth_km: float
    lower_depth_km: float
    dip: float
    rake: float
    mfd: MFD
    scaling: str = "WC1994"
    aspect_ratio: float = 1.0
    spacing_km: float = 1.0
    floating: bool = True
    area_sigma_log10: float = 0.0
    tectonic_region: str = "Active Shallow Crust"

    def __post_init__(self) -> None:
        where = f"simple fault source {self.source_id!r}"
        if len(self.trace) < 2:
            raise InputError(
                f"{where}: the trace needs at least 2 points, got {len(self.trace)}.",
                code="input.missing",
                field="trace",
            )
        if not 0.0 < self.dip <= 90.0:
            raise InputError(f"{where}: dip {self.dip} is outside (0, 90] degrees.", code="input.range", field="dip")
        if not -180.0 <= self.rake <= 180.0:
            raise InputError(
                f"{where}: rake {self.rake} is outside [-180, 180] degrees.", code="input.range", field="rake"
            )
        _check_depths(self.upper_depth_km, self.lower_depth_km, where)
        _check_aspect(self.aspect_ratio, where)
        if not (math.isfinite(self.spacing_km) and self.spacing_km > 0):
            raise InputError(
                f"{where}: rupture mesh spacing {self.spacing_km} km must be positive.",
                code="input.range",
                field="spacing_km",
            )
        if not (math.isfinite(self.area_sigma_log10) and self.area_sigma_log10 >= 0):
            raise InputError(
                f"{where}: area_sigma_log10 {self.area_sigma_log10} must be >= 0.",
                code="input.range",
                field="area_sigma_log10",
            )
        median_area_km2(self.scaling, 6.0, self.rake)

    @property
    def width_km(self) -> float:
        """Down-dip width of the fault (km)."""
        return (self.lower_depth_km - self.upper_depth_km) / math.sin(math.radians(self.dip))

    def frame(self) -> Frame:
        lons = np.array([p[0] for p in self.trace])
        lats = np.array([p[1] for p in self.trace])
        return Frame(float(lons.mean()), float(lats.mean()))

    def ruptures(self, frame: Frame | None = None) -> RuptureSet:
        where = f"simple fault source {self.source_id!r}"
        f = frame or self.frame()
        tx, ty = f.to_xy([p[0] for p in self.trace], [p[1] for p in self.trace])
        seg = np.hypot(np.diff(tx), np.diff(ty))
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        fault_length = float(cum[-1])
        if fault_length <= 0:
            raise InputError(f"{where}: the trace has no length.", code="input.inconsistent", field="trace")
        fault_width = self.width_km
        d_strike = fault_length / math.ceil(fault_length / self.spacing_km - 1e-9)
        d_dip = fault_width / math.ceil(fault_width / self.spacing_km - 1e-9)
        n_cols = round(fault_length / d_strike) + 1
        n_rows = round(fault_width / d_dip) + 1
        col_x = np.interp(np.arange(n_cols) * d_strike, cum, tx)
        col_y = np.interp(np.arange(n_cols) * d_strike, cum, ty)
        mags, rates = _mags_rates(self.mfd, where)
        if self.area_sigma_log10 > 0:
            eps = np.linspace(-2.0, 2.0, AREA_VARIABILITY_POINTS)
            pdf = np.exp(-0.5 * eps**2)
            offsets, weights = eps * self.area_sigma_log10, pdf / pdf.sum()
        else:
            offsets, weights = np.zeros(1), np.ones(1)
        parts: list[tuple[float, float, NDArray[np.int_], NDArray[np.int_], NDArray[np.int_], NDArray[np.int_]]] = []
        for mag, rate in zip(mags, rates, strict=True):
            if rate <= 0:
                continue
            area = float(median_area_km2(self.scaling, mag, self.rake))
            for off, w in zip(offsets, weights, strict=True):
                if not self.floating:
                    parts.append((mag, rate * w, np.array([0]), np.array([n_cols]), np.array([0]), np.array([n_rows])))
                    continue
                length, width = dimensions(area * 10.0**off, self.aspect_ratio, fault_width)
                fc = int(np.rint(float(length) / d_strike + 1))
                fr = int(np.rint(float(width) / d_dip + 1))
                fc, fr = min(fc, n_cols), min(fr, n_rows)  # one position where the rupture fills the fault
                pos = np.meshgrid(np.arange(n_cols - fc + 1), np.arange(n_rows - fr + 1), indexing="ij")
                c0, r0 = pos[0].ravel(), pos[1].ravel()
                parts.append((mag, rate * w / c0.size, c0, np.full(c0.size, fc), r0, np.full(c0.size, fr)))
        if not parts:
            raise InputError(
                f"{where}: every MFD rate is zero; the source has no rupture.", code="input.empty", field="rates"
            )
        mag = np.concatenate([np.full(p[2].size, p[0]) for p in parts])
        rate = np.concatenate([np.full(p[2].size, p[1]) for p in parts])
        c0 = np.concatenate([p[2] for p in parts])
        nc = np.concatenate([p[3] for p in parts])
        r0 = np.concatenate([p[4] for p in parts])
        nr = np.concatenate([p[5] for p in parts])
        ax, ay = col_x[c0], col_y[c0]
        bx, by = col_x[c0 + nc - 1], col_y[c0 + nc - 1]
        strike = np.degrees(np.arctan2(bx - ax, by - ay)) % 360.0
        # on a straight trace the chord is (nc - 1) x d_strike; on a bent one, the plane through both ends
        length = np.hypot(bx - ax, by - ay)
        sin_d, cos_d = math.sin(math.radians(self.dip)), math.cos(math.radians(self.dip))
        down = r0 * d_dip
        width = (nr - 1) * d_dip
        th = np.radians(strike)
        x0 = ax + down * cos_d * np.cos(th)
        y0 = ay - down * cos_d * np.sin(th)
        ztor = np.asarray(self.upper_depth_km + down * sin_d, dtype=np.float64)
        return RuptureSet(
            self.source_id, f, True, mag, rate, np.full(mag.size, self.rake), strike,
            np.full(mag.size, self.dip), x0, y0, ztor, length, width,
            tectonic_region=self.tectonic_region,
        )  # fmt: skip


Source: TypeAlias = PointSource | AreaSource | SimpleFaultSource
