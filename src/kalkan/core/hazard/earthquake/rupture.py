"""Earthquake ruptures (a point, a rectangular plane, several planes), magnitude-area scaling, and loaders.

Geometry follows OpenQuake hazardlib's conventions, so that the distances of
:mod:`kalkan.core.hazard.earthquake.distances` match the ones OpenQuake gives its ground-motion models:

- the Earth is a sphere of radius 6371.0 km (OpenQuake's ``EARTH_RADIUS``); longitudes and latitudes are
  degrees, depths are km, positive downwards;
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

Magnitude-area laws (coefficients as data in :data:`SCALING_LAWS`):

- Wells, D. L. & Coppersmith, K. J. (1994). New empirical relationships among magnitude, rupture length,
  rupture width, rupture area, and surface displacement. *Bull. Seismol. Soc. Am.* 84(4), 974-1002,
  Table 2A, rupture area (RA) on moment magnitude: log10(A/km2) = a + b M per slip type.
- Leonard, M. (2014). Self-consistent earthquake fault-scaling relations: update and extension to stable
  continental strike-slip faults. *Bull. Seismol. Soc. Am.* 104(6), 2953-2965: M = log10(A/km2) + a for
  interplate and stable-continental-region faults, strike-slip and dip-slip.

Slip type from rake (OpenQuake's rule): strike-slip when -45 <= rake <= 45 or |rake| >= 135, reverse when
45 < rake < 135, normal when -135 < rake < -45.

Loaders read Kalkan's rupture JSON (the form of ``shared/bench/oq_bench/rupture.json``) and OpenQuake rupture
NRML (``<singlePlaneRupture>``, ``<multiPlanesRupture>``, NRML 0.4 and 0.5; OpenQuake Engine manual, "Rupture
models"), the XML parsed with :mod:`defusedxml`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias
from xml.etree.ElementTree import Element

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kalkan.core.bounds import DEPTH_KM, MAGNITUDE
from kalkan.errors import InputError
from kalkan.io.jsonfile import decode_json
from kalkan.io.xml import parse_with_lines, read_file_bytes

Floats: TypeAlias = NDArray[np.float64]

EARTH_RADIUS_KM = 6371.0
"""Radius of the spherical Earth OpenQuake hazardlib uses for every distance (``geodetic.EARTH_RADIUS``), km."""

MAGNITUDE_RANGE = (1.0, MAGNITUDE.hi)
"""Moment magnitudes a rupture may have; outside this a value is taken for a typing error
(:mod:`kalkan.core.bounds`)."""

MAX_DEPTH_KM = DEPTH_KM.hi
"""Deepest depth accepted (the deepest earthquakes are about 700 km, :mod:`kalkan.core.bounds`), km."""

IMPERFECT_RECTANGLE_TOLERANCE = 0.004
"""OpenQuake's tolerance on a plane's corners, as a fraction of length x width (numerically, in km): the
largest difference between the top and bottom edge lengths, and the largest distance of the bottom-right
corner from the plane of the other three."""

ANGLE_CHECK_DEG = 1.0
"""Largest difference allowed between a strike or dip written in a file and the one its corners give."""


# --------------------------------------------------------------------------------------------- the sphere


def to_ecef_km(lon: ArrayLike, lat: ArrayLike, depth_km: ArrayLike = 0.0) -> Floats:
    """Earth-centred Cartesian coordinates (km, shape ``(..., 3)``) of points on the sphere at a depth."""
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    r = EARTH_RADIUS_KM - np.asarray(depth_km, dtype=np.float64)
    lam, phi, r = np.broadcast_arrays(lam, phi, r)
    cos_phi = np.cos(phi)
    return np.stack([r * cos_phi * np.cos(lam), r * cos_phi * np.sin(lam), r * np.sin(phi)], axis=-1)


def geodetic_distance_km(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> Floats:
    """Great-circle distance on the sphere (haversine formula; Sinnott 1984, *Sky & Telescope* 68(2):159), km."""
    l1, p1, l2, p2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((p2 - p1) / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2.0) ** 2
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))), dtype=np.float64)


def azimuth_deg(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> Floats:
    """Initial great-circle azimuth from point 1 to point 2, degrees clockwise from north in [0, 360)."""
    l1, p1, l2, p2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lon1, lat1, lon2, lat2))
    dl = l2 - l1
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(np.degrees(np.arctan2(y, x)) % 360.0, dtype=np.float64)


def destination(lon: float, lat: float, azimuth: float, distance_km: float) -> tuple[float, float]:
    """The point ``distance_km`` from (lon, lat) along the great circle leaving it at ``azimuth`` (degrees)."""
    phi1, lam1 = math.radians(lat), math.radians(lon)
    theta, delta = math.radians(azimuth), distance_km / EARTH_RADIUS_KM
    sin_phi2 = math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta)
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * sin_phi2
    )
    lon2 = (math.degrees(lam2) + 540.0) % 360.0 - 180.0
    return lon2, math.degrees(phi2)


def cross_track_km(lon0: float, lat0: float, azimuth: float, lon: ArrayLike, lat: ArrayLike) -> Floats:
    """Signed distance (km) from points to the great circle through (lon0, lat0) leaving at ``azimuth``.

    Positive on the right of the direction of travel. Cross-track formula d = R asin(sin(d13/R) sin(a13 - a12))
    (Williams, E., *Aviation Formulary* v1.47), the distance to an arc OpenQuake uses for Rx, Ry0 and Rjb.
    """
    d13 = geodetic_distance_km(lon0, lat0, lon, lat) / EARTH_RADIUS_KM
    a13 = np.radians(azimuth_deg(lon0, lat0, lon, lat))
    s = np.sin(d13) * np.sin(a13 - math.radians(azimuth))
    return np.asarray(EARTH_RADIUS_KM * np.arcsin(np.clip(s, -1.0, 1.0)), dtype=np.float64)


def _angle_difference(a: float, b: float) -> float:
    """Smallest absolute difference between two azimuths, degrees."""
    return abs((a - b + 180.0) % 360.0 - 180.0)


# --------------------------------------------------------------------------------------------- values


def _finite(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise InputError(f"{name} must be a number, got {value!r}.")
    out = float(value)
    if not math.isfinite(out):
        raise InputError(f"{name} must be a finite number, got {value!r}.")
    return out


def _check_mag_rake(mag: float, rake: float) -> tuple[float, float]:
    mag = _finite(mag, "magnitude")
    rake = _finite(rake, "rake")
    lo, hi = MAGNITUDE_RANGE
    if not lo <= mag <= hi:
        raise InputError(f"magnitude {mag} is outside [{lo}, {hi}]; expected a moment magnitude Mw.")
    if not -180.0 <= rake <= 180.0:
        raise InputError(f"rake {rake} is outside [-180, 180] degrees (Aki & Richards convention).")
    return mag, rake


def _check_dip(dip: float) -> float:
    dip = _finite(dip, "dip")
    if not 0.0 < dip <= 90.0:
        raise InputError(f"dip {dip} is outside (0, 90] degrees.")
    return dip


def _check_strike(strike: float) -> float:
    strike = _finite(strike, "strike")
    if not 0.0 <= strike <= 360.0:
        raise InputError(f"strike {strike} is outside [0, 360] degrees.")
    return strike % 360.0


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A point: longitude and latitude (degrees, WGS84 read on OpenQuake's sphere) and depth (km, down)."""

    lon: float
    lat: float
    depth_km: float = 0.0

    def __post_init__(self) -> None:
        lon = _finite(self.lon, "longitude")
        lat = _finite(self.lat, "latitude")
        depth = _finite(self.depth_km, "depth")
        if not -180.0 <= lon <= 180.0:
            raise InputError(f"longitude {lon} is outside [-180, 180] degrees.")
        if not -90.0 <= lat <= 90.0:
            raise InputError(f"latitude {lat} is outside [-90, 90] degrees.")
        if not 0.0 <= depth <= MAX_DEPTH_KM:
            raise InputError(f"depth {depth} km is outside [0, {MAX_DEPTH_KM:g}] km (depths are positive down).")
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
                raise InputError(f"plane corner {name} must be a GeoPoint, got {p!r}.")
        if abs(tl.depth_km - tr.depth_km) > 1e-3:
            raise InputError(
                f"plane: top corners at different depths ({tl.depth_km} and {tr.depth_km} km); the top edge "
                "must be horizontal."
            )
        if abs(bl.depth_km - br.depth_km) > 1e-3:
            raise InputError(
                f"plane: bottom corners at different depths ({bl.depth_km} and {br.depth_km} km); the bottom "
                "edge must be horizontal."
            )
        if not bl.depth_km > tl.depth_km:
            raise InputError(
                f"plane: the bottom edge ({bl.depth_km} km) must be deeper than the top edge ({tl.depth_km} km); "
                "the dip must be in (0, 90] degrees."
            )
        if float(geodetic_distance_km(tl.lon, tl.lat, tr.lon, tr.lat)) < 1e-6:
            raise InputError("plane: top_left and top_right are at the same place; the plane has no length.")
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
                "top_left, top_right, bottom_left, bottom_right with bottom_left below top_left."
            )
        if abs(length1 - length2) > tolerance:
            raise InputError(
                f"plane: the top edge ({length1:.3f} km) and the bottom edge ({length2:.3f} km) differ in length "
                f"by more than OpenQuake's tolerance ({tolerance:.3f} km); the corners do not make a rectangle."
            )
        if abs(off[3]) > tolerance:
            raise InputError(
                f"plane: bottom_right is {abs(off[3]):.3f} km off the plane of the other corners (tolerance "
                f"{tolerance:.3f} km); the corners do not make a plane."
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


# --------------------------------------------------------------------------------------------- scaling


@dataclass(frozen=True, slots=True)
class ScalingLaw:
    """A magnitude-area law log10(A / km2) = a + b Mw per slip type, with its paper and data ranges.

    ``coefficients`` maps ``strike-slip``, ``reverse``, ``normal`` and ``all`` (used when the rake is unknown)
    to (a, b, sigma of log10 A or NaN when the paper gives none); ``magnitude_ranges`` the magnitudes of the
    regression data per slip type, where the paper states them.
    """

    name: str
    reference: str
    coefficients: Mapping[str, tuple[float, float, float]]
    magnitude_ranges: Mapping[str, tuple[float, float]]

    def median_area_km2(self, mag: float, rake: float | None) -> float:
        """Median rupture area (km2) of a rupture of moment magnitude ``mag`` and ``rake`` (degrees)."""
        a, b, _ = self.coefficients[slip_type(rake)]
        return float(10.0 ** (a + b * mag))

    def sigma_log10_area(self, rake: float | None) -> float:
        """Standard deviation of log10(area) about the median (NaN when the paper gives none)."""
        return self.coefficients[slip_type(rake)][2]


def slip_type(rake: float | None) -> str:
    """``strike-slip``, ``reverse`` or ``normal`` from the rake (OpenQuake's rule); ``all`` for None."""
    if rake is None:
        return "all"
    if -45.0 <= rake <= 45.0 or rake >= 135.0 or rake <= -135.0:
        return "strike-slip"
    return "reverse" if rake > 0 else "normal"


_NAN = float("nan")

SCALING_LAWS: dict[str, ScalingLaw] = {
    "WC1994": ScalingLaw(
        name="WC1994",
        reference="Wells & Coppersmith (1994), BSSA 84(4):974-1002, Table 2A, rupture area on Mw",
        coefficients={
            "strike-slip": (-3.42, 0.90, 0.22),
            "reverse": (-3.99, 0.98, 0.26),
            "normal": (-2.87, 0.82, 0.22),
            "all": (-3.49, 0.91, 0.24),
        },
        magnitude_ranges={
            "strike-slip": (4.8, 7.9),
            "reverse": (5.4, 7.4),
            "normal": (5.2, 7.3),
            "all": (4.8, 7.9),
        },
    ),
    # Leonard (2014), Mw = log10(A) + a, i.e. log10(A) = -a + Mw; "all" is the mean of the two constants.
    "Leonard2014_Interplate": ScalingLaw(
        name="Leonard2014_Interplate",
        reference="Leonard (2014), BSSA 104(6):2953-2965, interplate faults",
        coefficients={
            "strike-slip": (-3.99, 1.0, _NAN),
            "reverse": (-4.00, 1.0, _NAN),
            "normal": (-4.00, 1.0, _NAN),
            "all": (-3.995, 1.0, _NAN),
        },
        magnitude_ranges={},
    ),
    "Leonard2014_SCR": ScalingLaw(
        name="Leonard2014_SCR",
        reference="Leonard (2014), BSSA 104(6):2953-2965, stable continental region faults",
        coefficients={
            "strike-slip": (-4.18, 1.0, _NAN),
            "reverse": (-4.19, 1.0, _NAN),
            "normal": (-4.19, 1.0, _NAN),
            "all": (-4.185, 1.0, _NAN),
        },
        magnitude_ranges={},
    ),
}


def scaling_law(name: str | ScalingLaw) -> ScalingLaw:
    """The law named ``name`` (``WC1994``, ``Leonard2014_Interplate``, ``Leonard2014_SCR``), or ``name`` itself."""
    if isinstance(name, ScalingLaw):
        return name
    law = SCALING_LAWS.get(name)
    if law is None:
        raise InputError(f"Unknown magnitude-area scaling law {name!r}; known: {', '.join(SCALING_LAWS)}.")
    return law


def rupture_dimensions(
    mag: float,
    rake: float,
    dip: float,
    *,
    scaling: str | ScalingLaw = "WC1994",
    aspect_ratio: float = 1.0,
    upper_seismogenic_depth_km: float = 0.0,
    lower_seismogenic_depth_km: float | None = None,
) -> tuple[float, float]:
    """Length and width (km) of a rupture: area from ``scaling``, split by ``aspect_ratio`` (length / width).

    OpenQuake's point-source rule: length = sqrt(A x ratio), width = A / length; when the width does not fit
    between the seismogenic depths (width x sin(dip) > lower - upper), it is cut to fit and the length grows so
    that the area stays the median area.
    """
    mag, rake = _check_mag_rake(mag, rake)
    dip = _check_dip(dip)
    ratio = _finite(aspect_ratio, "aspect_ratio")
    if ratio <= 0:
        raise InputError(f"aspect_ratio {ratio} must be positive (length / width).")
    usd, lsd = _check_seismogenic(upper_seismogenic_depth_km, lower_seismogenic_depth_km)
    area = scaling_law(scaling).median_area_km2(mag, rake)
    length = math.sqrt(area * ratio)
    width = area / length
    max_width = (lsd - usd) / math.sin(math.radians(dip))
    if width > max_width:
        width = max_width
        length = area / width
    return length, width


def _check_seismogenic(usd: float, lsd: float | None) -> tuple[float, float]:
    usd = _finite(usd, "upper_seismogenic_depth_km")
    if usd < 0:
        raise InputError(f"upper_seismogenic_depth_km {usd} must be >= 0 km.")
    if lsd is None:
        return usd, math.inf
    lsd = _finite(lsd, "lower_seismogenic_depth_km")
    if lsd <= usd:
        raise InputError(f"lower_seismogenic_depth_km {lsd} must be deeper than the upper one ({usd} km).")
    return usd, lsd


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
        mag, rake = _check_mag_rake(self.mag, self.rake)
        object.__setattr__(self, "mag", mag)
        object.__setattr__(self, "rake", rake)
        object.__setattr__(self, "dip", _check_dip(self.dip))
        if not isinstance(self.hypocentre, GeoPoint):
            raise InputError(f"hypocentre must be a GeoPoint, got {self.hypocentre!r}.")

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
        mag, rake = _check_mag_rake(self.mag, self.rake)
        object.__setattr__(self, "mag", mag)
        object.__setattr__(self, "rake", rake)
        if not isinstance(self.hypocentre, GeoPoint):
            raise InputError(f"hypocentre must be a GeoPoint, got {self.hypocentre!r}.")
        if not isinstance(self.plane, Plane):
            raise InputError(f"plane must be a Plane, got {self.plane!r}.")

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
        mag, rake = _check_mag_rake(mag, rake)
        strike, dip = _check_strike(strike), _check_dip(dip)
        usd, lsd = _check_seismogenic(upper_seismogenic_depth_km, lower_seismogenic_depth_km)
        if not isinstance(hypocentre, GeoPoint):
            raise InputError(f"hypocentre must be a GeoPoint, got {hypocentre!r}.")
        depth = hypocentre.depth_km
        if not usd <= depth <= lsd:
            raise InputError(f"hypocentre depth {depth} km is outside the seismogenic layer [{usd}, {lsd}] km.")
        fs = _finite(hypo_along_strike, "hypo_along_strike")
        fd = _finite(hypo_down_dip, "hypo_down_dip")
        for name, f in (("hypo_along_strike", fs), ("hypo_down_dip", fd)):
            if not 0.0 <= f <= 1.0:
                raise InputError(f"{name} {f} must be a fraction in [0, 1].")
        sin_d, cos_d = math.sin(math.radians(dip)), math.cos(math.radians(dip))
        max_width = (lsd - usd) / sin_d
        length, width = _dimensions(mag, rake, dip, length_km, width_km, scaling, aspect_ratio, usd, lsd)
        if width > max_width * (1.0 + 1e-9):
            raise InputError(
                f"width {width:.3f} km at dip {dip} does not fit between the seismogenic depths {usd} and "
                f"{lsd} km (at most {max_width:.3f} km)."
            )
        height = width * sin_d
        if ztor_km is not None:
            top = _finite(ztor_km, "ztor_km")
            if top < usd or top + height > lsd * (1.0 + 1e-9):
                raise InputError(
                    f"ztor {top} km with a plane {height:.3f} km high leaves the seismogenic layer [{usd}, {lsd}] km."
                )
            fd = (depth - top) / height
            if not -1e-9 <= fd <= 1.0 + 1e-9:
                raise InputError(
                    f"the hypocentre ({depth} km deep) is not on a plane from {top} to {top + height:.3f} km depth "
                    "(ztor and width)."
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
        if v is not None and not _finite(v, name) > 0:
            raise InputError(f"{name} {v} must be positive.")
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
        mag, rake = _check_mag_rake(self.mag, self.rake)
        object.__setattr__(self, "mag", mag)
        object.__setattr__(self, "rake", rake)
        if not isinstance(self.hypocentre, GeoPoint):
            raise InputError(f"hypocentre must be a GeoPoint, got {self.hypocentre!r}.")
        planes = tuple(self.planes)
        if not planes:
            raise InputError("a multi-plane rupture needs at least one plane.")
        for k, p in enumerate(planes):
            if not isinstance(p, Plane):
                raise InputError(f"plane #{k + 1} must be a Plane, got {p!r}.")
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


# --------------------------------------------------------------------------------------------- JSON


def _where(source: str, path: str) -> str:
    return f"{source}, field '{path}'" if path else source


def _obj(value: Any, source: str, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(f"{_where(source, path)}: expected an object, got {type(value).__name__}.")
    return value


def _num(obj: Mapping[str, Any], key: str, source: str, path: str, *, required: bool = True) -> float | None:
    full = f"{path}.{key}" if path else key
    if key not in obj or obj[key] is None:
        if required:
            raise InputError(f"{_where(source, full)}: missing; expected a number.")
        return None
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{_where(source, full)}: expected a finite number, got {value!r}.")
    return float(value)


def _req(obj: Mapping[str, Any], key: str, source: str, path: str) -> float:
    value = _num(obj, key, source, path)
    assert value is not None
    return value


def _in_context(where: str, exc: InputError) -> InputError:
    return InputError(f"{where}: {exc.message}", hint=exc.hint)


def _json_point(obj: Mapping[str, Any], source: str, path: str) -> GeoPoint:
    p = _obj(obj, source, path)
    depth = _num(p, "depth_km", source, path, required=False)
    try:
        return GeoPoint(_req(p, "lon", source, path), _req(p, "lat", source, path), 0.0 if depth is None else depth)
    except InputError as exc:
        raise _in_context(_where(source, path), exc) from None


def _json_plane(obj: Any, source: str, path: str) -> Plane:
    c = _obj(obj, source, path)
    names = ("top_left", "top_right", "bottom_left", "bottom_right")
    missing = [n for n in names if n not in c]
    if missing:
        raise InputError(
            f"{_where(source, path)}: missing corner(s) {', '.join(missing)}; expected {', '.join(names)}."
        )
    points = [_json_point(c[n], source, f"{path}.{n}") for n in names]
    try:
        return Plane(*points)
    except InputError as exc:
        raise _in_context(_where(source, path), exc) from None


def _check_against(source: str, name: str, given: float | None, actual: float, *, angle: bool = False) -> None:
    """A value written in a file next to the corners must agree with what the corners give."""
    if given is None:
        return
    if angle:
        bad = _angle_difference(given, actual) > ANGLE_CHECK_DEG
        tol = f"{ANGLE_CHECK_DEG:g} degree"
    else:
        bad = abs(given - actual) > max(0.1, 0.01 * abs(actual))
        tol = "1 % (or 0.1 km)"
    if bad:
        raise InputError(
            f"{_where(source, name)}: {given:g} disagrees with the corners, which give {actual:.4f} (tolerance {tol})."
        )


RUPTURE_JSON_FIELDS = frozenset(
    {
        "mag", "rake", "hypocenter", "hypocentre", "strike", "dip", "length_km", "width_km", "ztor_km", "corners",
        "planes", "scaling", "aspect_ratio", "upper_seismogenic_depth_km", "lower_seismogenic_depth_km",
        "comment", "description", "name", "id",
    }
)  # fmt: skip
"""The fields of a rupture JSON; any other is refused (a misspelt field must not be silently ignored)."""


def parse_rupture_json(data: Any, source: str = "<rupture>") -> Rupture:
    """A rupture from Kalkan's rupture JSON (a decoded object); ``source`` names it in messages.

    Fields: ``mag``, ``rake`` (degrees), ``hypocenter`` (or ``hypocentre``) ``{lon, lat, depth_km}``, then the
    geometry: ``corners`` ``{top_left, top_right, bottom_left, bottom_right}`` each ``{lon, lat, depth_km}`` (a
    plane; ``strike``, ``dip``, ``length_km``, ``width_km``, ``ztor_km`` written beside them are checked against
    them), or ``planes``, a list of such corner objects (several planes), or ``strike`` and ``dip`` with
    optional ``length_km``, ``width_km``, ``ztor_km``, ``scaling``, ``aspect_ratio``,
    ``upper_seismogenic_depth_km``, ``lower_seismogenic_depth_km`` (a plane built around the hypocentre, see
    :meth:`PlanarRupture.from_hypocentre`), or none of these (a point rupture).
    """
    obj = _obj(data, source, "")
    unknown = [k for k in obj if k not in RUPTURE_JSON_FIELDS]
    if unknown:
        raise InputError(
            f"{source}: unknown field(s) {', '.join(map(repr, unknown))}; expected "
            f"{', '.join(sorted(RUPTURE_JSON_FIELDS))}."
        )
    mag, rake = _req(obj, "mag", source, ""), _req(obj, "rake", source, "")
    hypo_key = "hypocenter" if "hypocenter" in obj else "hypocentre"
    if hypo_key not in obj:
        raise InputError(f"{source}, field 'hypocenter': missing; expected {{lon, lat, depth_km}}.")
    hypo = _json_point(obj[hypo_key], source, hypo_key)
    strike = _num(obj, "strike", source, "", required=False)
    dip = _num(obj, "dip", source, "", required=False)
    length = _num(obj, "length_km", source, "", required=False)
    width = _num(obj, "width_km", source, "", required=False)
    ztor = _num(obj, "ztor_km", source, "", required=False)
    try:
        if "corners" in obj:
            plane = _json_plane(obj["corners"], source, "corners")
            _check_against(source, "strike", strike, plane.strike, angle=True)
            _check_against(source, "dip", dip, plane.dip, angle=True)
            _check_against(source, "length_km", length, plane.length_km)
            _check_against(source, "width_km", width, plane.width_km)
            _check_against(source, "ztor_km", ztor, plane.ztor_km)
            return PlanarRupture(mag, rake, hypo, plane)
        if "planes" in obj:
            planes = obj["planes"]
            if not isinstance(planes, list) or not planes:
                raise InputError(f"{source}, field 'planes': expected a non-empty list of corner objects.")
            return MultiPlaneRupture(
                mag, rake, hypo, tuple(_json_plane(p, source, f"planes[{k}]") for k, p in enumerate(planes))
            )
        if strike is None and dip is None:
            return PointRupture(mag, rake, hypo)
        if strike is None or dip is None:
            raise InputError(f"{source}: give both 'strike' and 'dip' (degrees) to build a plane, or neither.")
        scaling = obj.get("scaling", "WC1994")
        if not isinstance(scaling, str):
            raise InputError(f"{source}, field 'scaling': expected a name, got {scaling!r}.")
        aspect = _num(obj, "aspect_ratio", source, "", required=False)
        usd = _num(obj, "upper_seismogenic_depth_km", source, "", required=False)
        lsd = _num(obj, "lower_seismogenic_depth_km", source, "", required=False)
        return PlanarRupture.from_hypocentre(
            mag,
            rake,
            strike,
            dip,
            hypo,
            length_km=length,
            width_km=width,
            ztor_km=ztor,
            scaling=scaling,
            aspect_ratio=1.0 if aspect is None else aspect,
            upper_seismogenic_depth_km=0.0 if usd is None else usd,
            lower_seismogenic_depth_km=lsd,
        )
    except InputError as exc:
        if exc.message.startswith(source):
            raise
        raise _in_context(source, exc) from None


def read_rupture_json(path: Path | str) -> Rupture:
    """Read a rupture JSON file (see :func:`parse_rupture_json`)."""
    data, source = read_file_bytes(path)
    return parse_rupture_json(decode_json(data, source), source)


# --------------------------------------------------------------------------------------------- NRML

NRML_NAMESPACES = ("http://openquake.org/xmlns/nrml/0.5", "http://openquake.org/xmlns/nrml/0.4")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class _Nrml:
    def __init__(self, data: bytes, source: str) -> None:
        self.source = source
        root, self.lines = parse_with_lines(data, source)
        self.root: Element = root
        ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
        if _local(root.tag) != "nrml" or ns not in NRML_NAMESPACES:
            raise InputError(
                f"{source}, line {self.line(root)}: the root element is <{_local(root.tag)}>; expected "
                f'<nrml xmlns="{NRML_NAMESPACES[0]}"> (or NRML 0.4).'
            )
        self.ns = ns

    def line(self, elem: Element) -> int:
        return self.lines.get(id(elem), 0)

    def where(self, elem: Element) -> str:
        return f"{self.source}, line {self.line(elem)}, <{_local(elem.tag)}>"

    def children(self, parent: Element, local: str) -> list[Element]:
        return parent.findall(f"{{{self.ns}}}{local}")

    def one(self, parent: Element, local: str) -> Element:
        found = self.children(parent, local)
        if len(found) != 1:
            raise InputError(f"{self.where(parent)}: expected exactly one <{local}>, found {len(found)}.")
        return found[0]

    def number(self, elem: Element, attr: str | None = None) -> float:
        raw = elem.text if attr is None else elem.get(attr)
        what = f"attribute '{attr}'" if attr else "its text"
        try:
            value = float((raw or "").strip())
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InputError(f"{self.where(elem)}, {what}: expected a finite number, got {raw!r}.")
        return value

    def point(self, elem: Element) -> GeoPoint:
        try:
            return GeoPoint(self.number(elem, "lon"), self.number(elem, "lat"), self.number(elem, "depth"))
        except InputError as exc:
            if exc.message.startswith(self.source):
                raise
            raise _in_context(self.where(elem), exc) from None

    def plane(self, elem: Element) -> Plane:
        names = (("topLeft", "top_left"), ("topRight", "top_right"), ("bottomLeft", "bottom_left"),
                 ("bottomRight", "bottom_right"))  # fmt: skip
        points = [self.point(self.one(elem, tag)) for tag, _ in names]
        try:
            plane = Plane(*points)
        except InputError as exc:
            raise _in_context(self.where(elem), exc) from None
        for attr, actual in (("strike", plane.strike), ("dip", plane.dip)):
            if elem.get(attr) is not None:
                _check_against(f"{self.where(elem)}", attr, self.number(elem, attr), actual, angle=True)
        return plane


def parse_rupture_nrml(data: bytes, source: str = "<rupture.xml>") -> PlanarRupture | MultiPlaneRupture:
    """A rupture from OpenQuake NRML: ``<singlePlaneRupture>`` or ``<multiPlanesRupture>``.

    Each holds ``<magnitude>``, ``<rake>``, ``<hypocenter lon lat depth>`` and one or more ``<planarSurface>``
    with ``<topLeft>``, ``<topRight>``, ``<bottomLeft>``, ``<bottomRight>`` (``lon``, ``lat``, ``depth`` in km).
    The corners define the plane, as in OpenQuake; ``strike`` and ``dip`` attributes are checked against them.
    """
    doc = _Nrml(data, source)
    elements = [e for e in doc.root if isinstance(e.tag, str)]
    if len(elements) != 1:
        raise InputError(f"{source}: expected one rupture element inside <nrml>, found {len(elements)}.")
    elem = elements[0]
    kind = _local(elem.tag)
    if kind not in ("singlePlaneRupture", "multiPlanesRupture"):
        raise InputError(
            f"{doc.where(elem)}: this rupture type is not supported; Kalkan reads <singlePlaneRupture> and "
            "<multiPlanesRupture>."
        )
    mag = doc.number(doc.one(elem, "magnitude"))
    rake = doc.number(doc.one(elem, "rake"))
    hypo = doc.point(doc.one(elem, "hypocenter"))
    surfaces = doc.children(elem, "planarSurface")
    if kind == "singlePlaneRupture" and len(surfaces) != 1:
        raise InputError(f"{doc.where(elem)}: expected exactly one <planarSurface>, found {len(surfaces)}.")
    if not surfaces:
        raise InputError(f"{doc.where(elem)}: expected at least one <planarSurface>.")
    planes = tuple(doc.plane(s) for s in surfaces)
    try:
        if kind == "singlePlaneRupture":
            return PlanarRupture(mag, rake, hypo, planes[0])
        return MultiPlaneRupture(mag, rake, hypo, planes)
    except InputError as exc:
        raise _in_context(doc.where(elem), exc) from None


def read_rupture_nrml(path: Path | str) -> PlanarRupture | MultiPlaneRupture:
    """Read an OpenQuake rupture NRML file (see :func:`parse_rupture_nrml`)."""
    data, source = read_file_bytes(path)
    return parse_rupture_nrml(data, source)


def read_rupture(path: Path | str) -> Rupture:
    """Read a rupture file: ``.json`` (Kalkan's form) or ``.xml`` (OpenQuake NRML)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return read_rupture_json(path)
    if suffix in (".xml", ".nrml"):
        return read_rupture_nrml(path)
    raise InputError(f"{path}: unknown rupture file type {suffix!r}; expected .json or .xml (NRML).")


__all__ = [
    "EARTH_RADIUS_KM",
    "SCALING_LAWS",
    "GeoPoint",
    "MultiPlaneRupture",
    "PlanarRupture",
    "Plane",
    "PointRupture",
    "Rupture",
    "ScalingLaw",
    "azimuth_deg",
    "cross_track_km",
    "destination",
    "geodetic_distance_km",
    "parse_rupture_json",
    "parse_rupture_nrml",
    "read_rupture",
    "read_rupture_json",
    "read_rupture_nrml",
    "rupture_dimensions",
    "scaling_law",
    "slip_type",
    "to_ecef_km",
]
