"""Earthquake ruptures: a point, a rectangular plane, several planes (their geometry and checks).

Geometry follows OpenQuake hazardlib's conventions, so that the distances of
:mod:`kalkan.core.hazard.earthquake.distances` match the ones OpenQuake gives its ground-motion models:

- the Earth is Kalkan's one sphere (:data:`kalkan.core.geodesy.EARTH_RADIUS_KM`, OpenQuake's 6371.0 km);
  longitudes and latitudes are degrees, depths are km, positive downwards;
- a plane has four corners named as in OpenQuake's ``<planarSurface>``: ``top_left``, ``top_right``,
  ``bottom_left``, ``bottom_right``. Top and bottom edges are horizontal. The strike is the initial
  great-circle azimuth from top left to top right, and the plane dips to the right of the strike (Aki &
  Richards 1980, *Quantitative Seismology*, Fig. 4.13), so that the hanging wall is on the right and Rx is
  positive there. The dip is ``arcsin(depth difference / distance(top_left, bottom_left))`` where the
  distance combines the great-circle distance and the depth difference, as OpenQuake's
  ``PlanarSurface.from_corner_points`` does; strike and dip written in a file are only checked against the
  corners (within 1 degree), never used instead of them;
- length and width are measured in the plane's own Cartesian frame (Earth-centred coordinates, origin at
  the top-left corner, axes along the top edge and down-dip): the mean of the two edges each way;
- a plane built from a hypocentre is placed as OpenQuake places the ruptures of a point source: area from a
  magnitude-area law, length = sqrt(area x aspect ratio), width = area / length; when the width does not fit
  between the upper and lower seismogenic depths it is cut to fit and the length grows to keep the area;
  when the plane crosses either depth it slides along the dip until it fits (the hypocentre stays where it is
  and its position in the plane changes). Each corner is reached from the hypocentre along a great circle
  ("destination point" formula); with the hypocentre at the centre, as OpenQuake puts it, these are
  OpenQuake's moves along the diagonals.

Dimensions come from a magnitude-area law of :mod:`kalkan.core.hazard.earthquake.scaling`; files are read by
:mod:`kalkan.io.rupture` (Kalkan's rupture JSON and OpenQuake rupture NRML).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from kalkan.core.bounds import DEPTH_KM
from kalkan.core.geodesy import azimuth_deg, cross_track_km, destination, geodetic_distance_km, to_ecef_km
from kalkan.core.hazard.earthquake.parameters import (
    check_dip,
    check_mag_rake,
    check_seismogenic,
    check_strike,
    finite,
)
from kalkan.core.hazard.earthquake.scaling import ScalingLaw, rupture_dimensions, scaling_law
from kalkan.errors import InputError

Floats: TypeAlias = NDArray[np.float64]

MAX_DEPTH_KM = DEPTH_KM.hi
"""Deepest depth accepted (the deepest earthquakes are about 700 km, :mod:`kalkan.core.bounds`), km."""

IMPERFECT_RECTANGLE_TOLERANCE = 0.004
"""OpenQuake's tolerance on a plane's corners, as a fraction of length x width (numerically, in km): the
largest difference between the top and bottom edge lengths, and the largest distance of the bottom-right
corner from the plane of the other three."""

ANGLE_CHECK_DEG = 1.0
"""Largest difference allowed between a strike or dip written in a file and the one its corners give."""


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A point: longitude and latitude (degrees, WGS84 read on OpenQuake's sphere) and depth (km, down)."""

    lon: float
    lat: float
    depth_km: float = 0.0

    def __post_init__(self) -> None:
        lon = finite(self.lon, "lon")
        lat = finite(self.lat, "lat")
        depth = finite(self.depth_km, "depth_km")
        if not -180.0 <= lon <= 180.0:
            raise InputError(f"longitude {lon} is outside [-180, 180] degrees.", code="input.range", field="lon")
        if not -90.0 <= lat <= 90.0:
            raise InputError(f"latitude {lat} is outside [-90, 90] degrees.", code="input.range", field="lat")
        if not 0.0 <= depth <= MAX_DEPTH_KM:
            raise InputError(
                f"depth {depth} km is outside [0, {MAX_DEPTH_KM:g}] km (depths are positive down).",
                code="input.range",
                field="depth_km",
            )
        object.__setattr__(self, "lon", lon)
        object.__setattr__(self, "lat", lat)
        object.__setattr__(self, "depth_km", depth)


Vector3: TypeAlias = tuple[float, float, float]


def _vec(a: Floats) -> Vector3:
    return (float(a[0]), float(a[1]), float(a[2]))


@dataclass(frozen=True, slots=True)
class Plane:
    """A rectangular rupture plane given by its four corners (see the module docstring for conventions).

    Derived on construction: ``strike`` and ``dip`` (degrees), ``length_km`` and ``width_km``, and the plane's
    Cartesian frame (``origin``, ``normal``, ``along_strike``, ``down_dip``: Earth-centred km and unit vectors)
    used for Rrup. Raises :class:`InputError` when the corners do not make a plane dipping to the right of the
    strike with horizontal top and bottom edges of equal length (OpenQuake's tolerance).
    """

    top_left: GeoPoint
    top_right: GeoPoint
    bottom_left: GeoPoint
    bottom_right: GeoPoint
    strike: float = field(init=False)
    dip: float = field(init=False)
    length_km: float = field(init=False)
    width_km: float = field(init=False)
    origin: Vector3 = field(init=False, repr=False)
    normal: Vector3 = field(init=False, repr=False)
    along_strike: Vector3 = field(init=False, repr=False)
    down_dip: Vector3 = field(init=False, repr=False)

    def __post_init__(self) -> None:
        tl, tr, bl, br = self.top_left, self.top_right, self.bottom_left, self.bottom_right
        for name, p in (("top_left", tl), ("top_right", tr), ("bottom_left", bl), ("bottom_right", br)):
            if not isinstance(p, GeoPoint):
                raise InputError(f"plane corner {name} must be a GeoPoint, got {p!r}.", code="input.type", field=name)
        if abs(tl.depth_km - tr.depth_km) > 1e-3:
            raise InputError(
                f"plane: top corners at different depths ({tl.depth_km} and {tr.depth_km} km); the top edge "
                "must be horizontal.",
                code="input.inconsistent",
                field="top_right",
            )
        if abs(bl.depth_km - br.depth_km) > 1e-3:
            raise InputError(
                f"plane: bottom corners at different depths ({bl.depth_km} and {br.depth_km} km); the bottom "
                "edge must be horizontal.",
                code="input.inconsistent",
                field="bottom_right",
            )
        if not bl.depth_km > tl.depth_km:
            raise InputError(
                f"plane: the bottom edge ({bl.depth_km} km) must be deeper than the top edge ({tl.depth_km} km); "
                "the dip must be in (0, 90] degrees.",
                code="input.inconsistent",
                field="bottom_left",
            )
        if float(geodetic_distance_km(tl.lon, tl.lat, tr.lon, tr.lat)) < 1e-6:
            raise InputError(
                "plane: top_left and top_right are at the same place; the plane has no length.",
                code="input.inconsistent",
                field="top_right",
            )
        xyz = to_ecef_km([tl.lon, tr.lon, bl.lon, br.lon], [tl.lat, tr.lat, bl.lat, br.lat],
                         [tl.depth_km, tr.depth_km, bl.depth_km, br.depth_km])  # fmt: skip
        p_tl, p_tr, p_bl, _ = xyz
        normal = np.cross(p_tr - p_tl, p_bl - p_tl)
        normal /= np.linalg.norm(normal)
        u1 = (p_tr - p_tl) / np.linalg.norm(p_tr - p_tl)
        u2 = np.cross(normal, u1)
        rel = xyz - p_tl
        off, xx, yy = rel @ normal, rel @ u1, rel @ u2
        length1, length2 = xx[1] - xx[0], xx[3] - xx[2]
        width1, width2 = yy[2] - yy[0], yy[3] - yy[1]
        length, width = (length1 + length2) / 2.0, (width1 + width2) / 2.0
        tolerance = IMPERFECT_RECTANGLE_TOLERANCE * length * width
        if length2 <= 0:
            raise InputError(
                "plane: the corners are in the wrong order (the bottom edge runs against the top edge); give "
                "top_left, top_right, bottom_left, bottom_right with bottom_left below top_left.",
                code="input.inconsistent",
                field="bottom_left",
            )
        if abs(length1 - length2) > tolerance:
            raise InputError(
                f"plane: the top edge ({length1:.3f} km) and the bottom edge ({length2:.3f} km) differ in length "
                f"by more than OpenQuake's tolerance ({tolerance:.3f} km); the corners do not make a rectangle.",
                code="input.inconsistent",
                field="bottom_right",
            )
        if abs(off[3]) > tolerance:
            raise InputError(
                f"plane: bottom_right is {abs(off[3]):.3f} km off the plane of the other corners (tolerance "
                f"{tolerance:.3f} km); the corners do not make a plane.",
                code="input.inconsistent",
                field="bottom_right",
            )
        strike = float(azimuth_deg(tl.lon, tl.lat, tr.lon, tr.lat))
        side = min(
            float(cross_track_km(tl.lon, tl.lat, strike, bl.lon, bl.lat)),
            float(cross_track_km(tl.lon, tl.lat, strike, br.lon, br.lat)),
        )
        if side < -(1e-3 + 0.01 * width):
            raise InputError(
                "plane: the bottom edge lies to the left of the strike (top_left -> top_right); the plane must "
                "dip to the right of its strike (Aki & Richards). Swap left and right corners.",
                hint="OpenQuake assumes the same convention; with it reversed, Rx is negative on the hanging wall.",
                code="input.inconsistent",
                field="bottom_left",
            )
        dist_tl_bl = math.hypot(float(geodetic_distance_km(tl.lon, tl.lat, bl.lon, bl.lat)), bl.depth_km - tl.depth_km)
        dip = math.degrees(math.asin(min(1.0, (bl.depth_km - tl.depth_km) / dist_tl_bl)))
        object.__setattr__(self, "strike", strike)
        object.__setattr__(self, "dip", dip)
        object.__setattr__(self, "length_km", float(length))
        object.__setattr__(self, "width_km", float(width))
        object.__setattr__(self, "origin", _vec(p_tl))
        object.__setattr__(self, "normal", _vec(normal))
        object.__setattr__(self, "along_strike", _vec(u1))
        object.__setattr__(self, "down_dip", _vec(u2))

    @property
    def ztor_km(self) -> float:
        """Depth of the top edge, km."""
        return self.top_left.depth_km

    @property
    def zbot_km(self) -> float:
        """Depth of the bottom edge, km."""
        return self.bottom_left.depth_km

    @property
    def area_km2(self) -> float:
        return self.length_km * self.width_km

    @property
    def corners(self) -> tuple[GeoPoint, GeoPoint, GeoPoint, GeoPoint]:
        """top_left, top_right, bottom_left, bottom_right (OpenQuake's order in ``<planarSurface>``)."""
        return (self.top_left, self.top_right, self.bottom_left, self.bottom_right)


# --------------------------------------------------------------------------------------------- ruptures


@dataclass(frozen=True, slots=True)
class PointRupture:
    """A rupture reduced to its hypocentre (a far or small event), as OpenQuake's ``PointRupture``.

    Its finite-fault distances (Rrup, Rjb, Rx, Ry0) are all the hypocentral distance, as OpenQuake computes
    them for a point rupture; ztor is the hypocentral depth and the width is 0. ``dip`` (degrees) only fills
    the ground-motion context; 90 keeps hanging-wall terms out.
    """

    mag: float
    rake: float
    hypocentre: GeoPoint
    dip: float = 90.0

    def __post_init__(self) -> None:
        mag, rake = check_mag_rake(self.mag, self.rake)
        object.__setattr__(self, "mag", mag)
        object.__setattr__(self, "rake", rake)
        object.__setattr__(self, "dip", check_dip(self.dip))
        if not isinstance(self.hypocentre, GeoPoint):
            raise InputError(
                f"hypocentre must be a GeoPoint, got {self.hypocentre!r}.", code="input.type", field="hypocentre"
            )

    @property
    def ztor_km(self) -> float:
        return self.hypocentre.depth_km

    @property
    def width_km(self) -> float:
        return 0.0


@dataclass(frozen=True, slots=True)
class PlanarRupture:
    """A rupture on one rectangular plane: magnitude, rake (degrees), hypocentre and the plane."""

    mag: float
    rake: float
    hypocentre: GeoPoint
    plane: Plane

    def __post_init__(self) -> None:
        mag, rake = check_mag_rake(self.mag, self.rake)
        object.__setattr__(self, "mag", mag)
        object.__setattr__(self, "rake", rake)
        if not isinstance(self.hypocentre, GeoPoint):
            raise InputError(
                f"hypocentre must be a GeoPoint, got {self.hypocentre!r}.", code="input.type", field="hypocentre"
            )
        if not isinstance(self.plane, Plane):
            raise InputError(f"plane must be a Plane, got {self.plane!r}.", code="input.type", field="plane")

    @property
    def strike(self) -> float:
        return self.plane.strike

    @property
    def dip(self) -> float:
        return self.plane.dip

    @property
    def ztor_km(self) -> float:
        return self.plane.ztor_km

    @property
    def width_km(self) -> float:
        return self.plane.width_km

    @property
    def length_km(self) -> float:
        return self.plane.length_km

    @property
    def area_km2(self) -> float:
        return self.plane.area_km2

    @classmethod
    def from_corners(
        cls,
        mag: float,
        rake: float,
        hypocentre: GeoPoint,
        top_left: GeoPoint,
        top_right: GeoPoint,
        bottom_left: GeoPoint,
        bottom_right: GeoPoint,
    ) -> PlanarRupture:
        return cls(mag, rake, hypocentre, Plane(top_left, top_right, bottom_left, bottom_right))

    @classmethod
    def from_hypocentre(
        cls,
        mag: float,
        rake: float,
        strike: float,
        dip: float,
        hypocentre: GeoPoint,
        *,
        length_km: float | None = None,
        width_km: float | None = None,
        scaling: str | ScalingLaw = "WC1994",
        aspect_ratio: float = 1.0,
        upper_seismogenic_depth_km: float = 0.0,
        lower_seismogenic_depth_km: float | None = None,
        hypo_along_strike: float = 0.5,
        hypo_down_dip: float = 0.5,
        ztor_km: float | None = None,
    ) -> PlanarRupture:
        """A plane through ``hypocentre`` with the given strike and dip (degrees).

        Size: ``length_km`` and ``width_km`` when both are given; one of them and the other from the median area
        of ``scaling``; or neither, and :func:`rupture_dimensions` (area, ``aspect_ratio``, cut to the
        seismogenic layer). A width given (or derived from a given length) that does not fit in the layer is an
        error rather than silently cut.

        Position: the hypocentre sits at ``hypo_along_strike`` (fraction of the length from the top-left end)
        and ``hypo_down_dip`` (fraction of the width from the top edge); 0.5 and 0.5 put it at the centre, as
        OpenQuake does. A plane crossing the upper or lower seismogenic depth slides along the dip until it
        fits (OpenQuake's rule; the hypocentre's down-dip position changes). ``ztor_km`` instead fixes the top
        edge depth and so the down-dip position.
        """
        mag, rake = check_mag_rake(mag, rake)
        strike, dip = check_strike(strike), check_dip(dip)
        usd, lsd = check_seismogenic(upper_seismogenic_depth_km, lower_seismogenic_depth_km)
        if not isinstance(hypocentre, GeoPoint):
            raise InputError(
                f"hypocentre must be a GeoPoint, got {hypocentre!r}.", code="input.type", field="hypocentre"
            )
        depth = hypocentre.depth_km
        if not usd <= depth <= lsd:
            raise InputError(
                f"hypocentre depth {depth} km is outside the seismogenic layer [{usd}, {lsd}] km.",
                code="input.inconsistent",
                field="depth_km",
            )
        fs = finite(hypo_along_strike, "hypo_along_strike")
        fd = finite(hypo_down_dip, "hypo_down_dip")
        for name, f in (("hypo_along_strike", fs), ("hypo_down_dip", fd)):
            if not 0.0 <= f <= 1.0:
                raise InputError(f"{name} {f} must be a fraction in [0, 1].", code="input.range", field=name)
        sin_d, cos_d = math.sin(math.radians(dip)), math.cos(math.radians(dip))
        max_width = (lsd - usd) / sin_d
        length, width = _dimensions(mag, rake, dip, length_km, width_km, scaling, aspect_ratio, usd, lsd)
        if width > max_width * (1.0 + 1e-9):
            raise InputError(
                f"width {width:.3f} km at dip {dip} does not fit between the seismogenic depths {usd} and "
                f"{lsd} km (at most {max_width:.3f} km).",
                code="input.inconsistent",
                field="width_km",
            )
        height = width * sin_d
        if ztor_km is not None:
            top = finite(ztor_km, "ztor_km")
            if top < usd or top + height > lsd * (1.0 + 1e-9):
                raise InputError(
                    f"ztor {top} km with a plane {height:.3f} km high leaves the seismogenic layer [{usd}, {lsd}] km.",
                    code="input.inconsistent",
                    field="ztor_km",
                )
            fd = (depth - top) / height
            if not -1e-9 <= fd <= 1.0 + 1e-9:
                raise InputError(
                    f"the hypocentre ({depth} km deep) is not on a plane from {top} to {top + height:.3f} km depth "
                    "(ztor and width).",
                    code="input.inconsistent",
                    field="ztor_km",
                )
            fd = min(max(fd, 0.0), 1.0)
        else:
            # slide along the dip into [usd, lsd]; max() again absorbs rounding when the plane fills the layer
            top = max(usd, min(max(depth - fd * height, usd), lsd - height))
            fd = (depth - top) / height
        # each corner straight from the hypocentre along a great circle: offsets x along the strike and y
        # horizontally down dip; with the hypocentre at the centre these are OpenQuake's moves along the diagonals
        horizontal = width * cos_d
        bottom = top + height

        def corner(x: float, y: float, z: float) -> GeoPoint:
            if x == 0.0 and y == 0.0:
                return GeoPoint(hypocentre.lon, hypocentre.lat, z)
            lon, lat = destination(
                hypocentre.lon, hypocentre.lat, strike + math.degrees(math.atan2(y, x)), math.hypot(x, y)
            )
            return GeoPoint(lon, lat, z)

        x0, x1 = -fs * length, (1.0 - fs) * length
        y0, y1 = -fd * horizontal, (1.0 - fd) * horizontal
        plane = Plane(corner(x0, y0, top), corner(x1, y0, top), corner(x0, y1, bottom), corner(x1, y1, bottom))
        return cls(mag, rake, hypocentre, plane)


def _dimensions(
    mag: float,
    rake: float,
    dip: float,
    length_km: float | None,
    width_km: float | None,
    scaling: str | ScalingLaw,
    aspect_ratio: float,
    usd: float,
    lsd: float,
) -> tuple[float, float]:
    if length_km is None and width_km is None:
        return rupture_dimensions(
            mag,
            rake,
            dip,
            scaling=scaling,
            aspect_ratio=aspect_ratio,
            upper_seismogenic_depth_km=usd,
            lower_seismogenic_depth_km=None if math.isinf(lsd) else lsd,
        )
    for name, v in (("length_km", length_km), ("width_km", width_km)):
        if v is not None and not finite(v, name) > 0:
            raise InputError(f"{name} {v} must be positive.", code="input.range", field=name)
    if length_km is not None and width_km is not None:
        return float(length_km), float(width_km)
    area = scaling_law(scaling).median_area_km2(mag, rake)
    if length_km is not None:
        return float(length_km), area / float(length_km)
    assert width_km is not None
    return area / float(width_km), float(width_km)


@dataclass(frozen=True, slots=True)
class MultiPlaneRupture:
    """A rupture on several planes (OpenQuake's ``multiPlanesRupture``).

    Rrup and Rjb are the minimum over the planes; Rx and Ry0 come from the generalized coordinates (GC2) of
    the planes' top edges (see :mod:`kalkan.core.hazard.earthquake.distances`). The scalar parameters a ground-motion
    model gets are those OpenQuake's ``MultiSurface`` gives: ztor, dip and width are area-weighted means over
    the planes, the strike an area-weighted circular mean.
    """

    mag: float
    rake: float
    hypocentre: GeoPoint
    planes: tuple[Plane, ...]

    def __post_init__(self) -> None:
        mag, rake = check_mag_rake(self.mag, self.rake)
        object.__setattr__(self, "mag", mag)
        object.__setattr__(self, "rake", rake)
        if not isinstance(self.hypocentre, GeoPoint):
            raise InputError(
                f"hypocentre must be a GeoPoint, got {self.hypocentre!r}.", code="input.type", field="hypocentre"
            )
        planes = tuple(self.planes)
        if not planes:
            raise InputError("a multi-plane rupture needs at least one plane.", code="input.empty", field="planes")
        for k, p in enumerate(planes):
            if not isinstance(p, Plane):
                raise InputError(f"plane #{k + 1} must be a Plane, got {p!r}.", code="input.type", field="planes")
        object.__setattr__(self, "planes", planes)

    def _weights(self) -> Floats:
        areas = np.array([p.area_km2 for p in self.planes])
        return np.asarray(areas / areas.sum(), dtype=np.float64)

    @property
    def area_km2(self) -> float:
        return float(sum(p.area_km2 for p in self.planes))

    @property
    def ztor_km(self) -> float:
        return float(self._weights() @ np.array([p.ztor_km for p in self.planes]))

    @property
    def dip(self) -> float:
        return float(self._weights() @ np.array([p.dip for p in self.planes]))

    @property
    def width_km(self) -> float:
        return float(self._weights() @ np.array([p.width_km for p in self.planes]))

    @property
    def strike(self) -> float:
        w = self._weights()
        s = np.radians([p.strike for p in self.planes])
        return float(math.degrees(math.atan2(float(w @ np.sin(s)), float(w @ np.cos(s)))) % 360.0)


Rupture: TypeAlias = PointRupture | PlanarRupture | MultiPlaneRupture


__all__ = [
    "ANGLE_CHECK_DEG",
    "MAX_DEPTH_KM",
    "GeoPoint",
    "MultiPlaneRupture",
    "PlanarRupture",
    "Plane",
    "PointRupture",
    "Rupture",
]
