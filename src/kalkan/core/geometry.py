"""Small geodesy helpers on WGS84 lon/lat coordinates (degrees)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

KM_PER_DEGREE = 111.2
"""Kilometres per degree of latitude (rounded; spherical Earth): the spacing rule of Kalkan's lon/lat grids."""

EARTH_MEAN_RADIUS_KM = 6371.0088
"""IUGG mean Earth radius R1 (Moritz 2000, Geodetic Reference System 1980), km."""


class GeometryProblem(str):
    """One problem of a geometry, as text (what messages show), with the error ``code`` it calls for (a code of
    :data:`kalkan.errors.CODES`), so that a reader raising for it does not have to guess the kind."""

    code: str

    def __new__(cls, text: str, code: str) -> GeometryProblem:
        problem = super().__new__(cls, text)
        problem.code = code
        return problem


def ring_area_km2(ring: Sequence[Sequence[float]]) -> float:
    """Area of a closed lon/lat ring on the sphere, km2 (unsigned).

    Uses the line-integral formula of Chamberlain & Duquette (2007), "Some algorithms for polygons on a
    sphere", JPL Publication 07-03: A = R^2/2 * |sum (lon[i+1] - lon[i-1]) * sin(lat[i])|. On the mean
    sphere this is within about 0.5 % of the WGS84 ellipsoidal area at these latitudes.
    """
    n = len(ring)
    if n < 4:
        return 0.0
    pts = list(ring[:-1]) if tuple(ring[0]) == tuple(ring[-1]) else list(ring)
    m = len(pts)
    total = 0.0
    for i in range(m):
        lon_prev = math.radians(pts[i - 1][0])
        lon_next = math.radians(pts[(i + 1) % m][0])
        total += (lon_next - lon_prev) * math.sin(math.radians(pts[i][1]))
    return abs(total) * EARTH_MEAN_RADIUS_KM**2 / 2.0


def geometry_area_km2(geometry: dict[str, Any]) -> float:
    """Area of a GeoJSON Polygon or MultiPolygon (holes subtracted), km2; 0 for points and lines."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return 0.0
    area = 0.0
    for rings in polygons:
        if rings:
            area += ring_area_km2(rings[0]) - sum(ring_area_km2(r) for r in rings[1:])
    return area


def points_in_geojson(
    geometry: dict[str, Any], lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Which points lie inside a GeoJSON (Multi)Polygon (holes excluded): even-odd ray test, vectorised.

    Planar in lon/lat degrees, like the grid the GEM exposure is built on; a point exactly on an edge may go
    either way.
    """
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    kind = geometry.get("type")
    polygons = (
        [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"] if kind == "MultiPolygon" else []
    )
    inside = np.zeros(x.shape, dtype=bool)
    for rings in polygons:
        odd = np.zeros(x.shape, dtype=bool)
        for ring in rings:  # exterior and holes alike: even-odd excludes the holes
            r = np.asarray(ring, dtype=np.float64)[:, :2]
            if r.shape[0] < 3:
                continue
            if not np.array_equal(r[0], r[-1]):
                r = np.vstack([r, r[:1]])
            for (a, b), (c, d) in itertools.pairwise(r):
                if b == d:
                    continue  # a horizontal edge never crosses a horizontal ray
                crosses = ((b > y) != (d > y)) & (x < (c - a) * (y - b) / (d - b) + a)
                odd ^= crosses
        inside |= odd
    return inside


def grid_in_polygon(geojson: dict[str, Any], spacing_km: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Points of a regular lon/lat grid (about ``spacing_km`` apart) inside a GeoJSON (Multi)Polygon."""
    polys = [geojson["coordinates"]] if geojson["type"] == "Polygon" else geojson["coordinates"]
    rings = [np.asarray(p[0], dtype=np.float64) for p in polys]
    allpts = np.vstack(rings)
    lat0 = float(allpts[:, 1].mean())
    dlat = spacing_km / KM_PER_DEGREE
    dlon = spacing_km / (KM_PER_DEGREE * np.cos(np.radians(lat0)))
    gx, gy = np.meshgrid(np.arange(allpts[:, 0].min(), allpts[:, 0].max() + dlon, dlon),
                         np.arange(allpts[:, 1].min(), allpts[:, 1].max() + dlat, dlat))  # fmt: skip
    x, y = gx.ravel(), gy.ravel()
    inside = points_in_geojson(geojson, x, y)
    return np.round(x[inside], 5), np.round(y[inside], 5)


def near_edge(
    geometry: dict[str, Any], lon: NDArray[np.float64], lat: NDArray[np.float64], tolerance_deg: float
) -> NDArray[np.bool_]:
    """Which points lie within ``tolerance_deg`` (planar, degrees) of an edge of a GeoJSON (Multi)Polygon."""
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    kind = geometry.get("type")
    polygons = (
        [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"] if kind == "MultiPolygon" else []
    )
    best = np.full(x.shape, np.inf)
    for rings in polygons:
        for ring in rings:
            r = np.asarray(ring, dtype=np.float64)[:, :2]
            for (a, b), (c, d) in itertools.pairwise(r):
                vx, vy = c - a, d - b
                length2 = vx * vx + vy * vy
                t = np.zeros(x.shape) if length2 == 0 else np.clip(((x - a) * vx + (y - b) * vy) / length2, 0, 1)
                best = np.minimum(best, np.hypot(x - a - t * vx, y - b - t * vy))
    return best <= tolerance_deg


# --- polygons: validity, distance, intersection (planar in lon/lat degrees, like the grids built on them) ----

MAX_POLYGON_VERTICES = 200_000
"""Most vertices a user polygon may have: the checks below are quadratic per ring, and no city outline needs
more (the shipped country outlines have under 40,000 each)."""


def _polygons(geometry: dict[str, Any]) -> list[list[NDArray[np.float64]]]:
    """The polygons of a GeoJSON (Multi)Polygon as lists of (n, 2) ring arrays (exterior first)."""
    kind = geometry.get("type")
    polys = (
        [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"] if kind == "MultiPolygon" else []
    )
    return [[np.asarray(ring, dtype=np.float64)[:, :2] for ring in rings] for rings in polys]


def _signed_area(ring: NDArray[np.float64]) -> float:
    """Signed planar area of a closed ring (degrees², shoelace): positive when counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])) / 2.0


def _segments_cross(
    a: NDArray[np.float64], b: NDArray[np.float64], c: NDArray[np.float64], d: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Whether segments a-b and c-d (arrays of points, broadcasting) intersect, touching included."""

    def orient(p: Any, q: Any, r: Any) -> Any:
        return (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1]) - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0])

    def on(p: Any, q: Any, r: Any) -> Any:  # r within the bounding box of p-q
        return (
            (np.minimum(p[..., 0], q[..., 0]) <= r[..., 0])
            & (r[..., 0] <= np.maximum(p[..., 0], q[..., 0]))
            & (np.minimum(p[..., 1], q[..., 1]) <= r[..., 1])
            & (r[..., 1] <= np.maximum(p[..., 1], q[..., 1]))
        )

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    proper = (np.sign(o1) * np.sign(o2) < 0) & (np.sign(o3) * np.sign(o4) < 0)
    touch = (
        ((o1 == 0) & on(a, b, c)) | ((o2 == 0) & on(a, b, d)) | ((o3 == 0) & on(c, d, a)) | ((o4 == 0) & on(c, d, b))
    )
    return np.asarray(proper | touch, dtype=bool)


def polygon_problems(geometry: Any, *, max_vertices: int = MAX_POLYGON_VERTICES) -> list[GeometryProblem]:
    """What makes a GeoJSON Polygon/MultiPolygon invalid as an outline (empty when it is valid).

    Checked: the type and nesting, at least 4 positions per ring, closed rings (first = last position, RFC 7946),
    finite WGS84 degrees (lon -180..180, lat -90..90), a non-zero area, no ring crossing or touching itself or
    another ring of its polygon, and holes inside their exterior ring. Each problem names the polygon and ring
    (1-based) and carries its code: ``input.missing`` (no geometry), ``input.type`` (not a polygon, positions not
    numbers), ``input.syntax`` (nesting, short or open rings), ``input.range`` (not finite, not degrees),
    ``input.too_large`` (too many positions), ``input.inconsistent`` (rings that cross, no area, a hole outside).
    Overlaps between the parts of a MultiPolygon are not checked.
    """
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        code = "input.missing" if geometry is None else "input.type"
        return [GeometryProblem(f"geometry type {kind!r}; expected a Polygon or MultiPolygon", code)]
    coords = geometry.get("coordinates")
    polys = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polys, list) or not polys or not all(isinstance(p, list) and p for p in polys):
        return [GeometryProblem("coordinates are not a list of polygons, each a list of rings", "input.syntax")]
    problems: list[GeometryProblem] = []
    total = 0
    parsed: list[list[NDArray[np.float64]]] = []
    for p, rings in enumerate(polys, start=1):
        arrays = []
        for r, ring in enumerate(rings, start=1):
            where = f"polygon {p}, ring {r}"
            try:
                arr = np.asarray(ring, dtype=np.float64)
            except (TypeError, ValueError):
                problems.append(GeometryProblem(f"{where}: positions are not [lon, lat] number pairs", "input.type"))
                continue
            if arr.ndim != 2 or arr.shape[1] < 2 or arr.shape[0] < 4:
                problems.append(GeometryProblem(
                    f"{where}: {len(ring) if isinstance(ring, list) else 0} positions; a ring needs at least 4 "
                    "[lon, lat] positions (the last repeating the first)", "input.syntax"))  # fmt: skip
                continue
            arr = arr[:, :2]
            total += arr.shape[0]
            if not np.all(np.isfinite(arr)):
                problems.append(GeometryProblem(f"{where}: a coordinate is not a finite number", "input.range"))
                continue
            if np.any(np.abs(arr[:, 0]) > 180) or np.any(np.abs(arr[:, 1]) > 90):
                problems.append(GeometryProblem(
                    f"{where}: coordinates outside lon -180..180 / lat -90..90; expected WGS84 degrees (EPSG:4326)",
                    "input.range"))  # fmt: skip
                continue
            if not np.array_equal(arr[0], arr[-1]):
                problems.append(GeometryProblem(
                    f"{where}: not closed (first position {arr[0].tolist()}, last {arr[-1].tolist()})",
                    "input.syntax"))  # fmt: skip
                continue
            arrays.append(arr)
        parsed.append(arrays)
    if total > max_vertices:
        return [
            GeometryProblem(
                f"{total:,} positions; at most {max_vertices:,} are accepted (simplify the outline)", "input.too_large"
            )
        ]
    if problems:
        return problems
    for p, rings in enumerate(parsed, start=1):
        crossings = _crossings(rings, p)
        if crossings:
            problems.extend(crossings)
            continue
        if abs(_signed_area(rings[0])) <= 1e-14:
            problems.append(
                GeometryProblem(f"polygon {p}, ring 1: the exterior ring encloses no area", "input.inconsistent")
            )
            continue
        for r, hole in enumerate(rings[1:], start=2):
            exterior = {"type": "Polygon", "coordinates": [rings[0].tolist()]}
            if not points_in_geojson(exterior, hole[:1, 0], hole[:1, 1])[0]:
                problems.append(
                    GeometryProblem(f"polygon {p}, ring {r}: a hole outside its exterior ring", "input.inconsistent")
                )
    return problems


def _crossings(rings: list[NDArray[np.float64]], p: int) -> list[GeometryProblem]:
    """Edges of a polygon's rings that cross or touch (adjacent edges of one ring excepted)."""
    starts = np.vstack([r[:-1] for r in rings])
    ends = np.vstack([r[1:] for r in rings])
    ring_of = np.concatenate([np.full(r.shape[0] - 1, k) for k, r in enumerate(rings)])
    index = np.concatenate([np.arange(r.shape[0] - 1) for r in rings])
    size = np.array([r.shape[0] - 1 for r in rings])
    lo, hi = np.minimum(starts, ends), np.maximum(starts, ends)
    for i in range(starts.shape[0] - 1):
        j = np.arange(i + 1, starts.shape[0])
        box = np.all(lo[j] <= hi[i], axis=1) & np.all(hi[j] >= lo[i], axis=1)
        same = ring_of[j] == ring_of[i]
        gap = (index[j] - index[i]) % size[ring_of[i]]
        adjacent = same & ((gap == 1) | (gap == size[ring_of[i]] - 1))
        j = j[box & ~adjacent]
        if j.size == 0:
            continue
        hit = _segments_cross(starts[i], ends[i], starts[j], ends[j])
        if hit.any():
            k = int(j[np.argmax(hit)])
            a, b = int(ring_of[i]) + 1, int(ring_of[k]) + 1
            which = f"ring {a} crosses or touches itself" if a == b else f"rings {a} and {b} cross or touch"
            return [
                GeometryProblem(
                    f"polygon {p}: {which} near ({starts[i][0]:.6g}, {starts[i][1]:.6g})", "input.inconsistent"
                )
            ]
    return []


def distance_to_edge_km(
    geometry: dict[str, Any], lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Distance (km, local equirectangular: good to about 1 % within 100 km) from each point to the nearest edge
    of a GeoJSON (Multi)Polygon."""
    x = np.asarray(lon, dtype=np.float64).ravel()
    y = np.asarray(lat, dtype=np.float64).ravel()
    best = np.full(x.shape, np.inf)
    block = 512  # bounded memory: 4096 points x 512 edges at a time
    for rings in _polygons(geometry):
        for ring in rings:
            a, b = ring[:-1], ring[1:]
            for p in range(0, x.size, 4096):
                px, py = x[p : p + 4096, None], y[p : p + 4096, None]
                kx = KM_PER_DEGREE * np.cos(np.radians(py))
                for k in range(0, a.shape[0], block):
                    ax = (a[k : k + block, 0][None, :] - px) * kx
                    ay = (a[k : k + block, 1][None, :] - py) * KM_PER_DEGREE
                    dx = (b[k : k + block, 0] - a[k : k + block, 0])[None, :] * kx
                    dy = np.broadcast_to((b[k : k + block, 1] - a[k : k + block, 1])[None, :] * KM_PER_DEGREE, dx.shape)
                    length2 = dx * dx + dy * dy
                    t = np.clip(-(ax * dx + ay * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
                    near = np.sqrt((ax + t * dx) ** 2 + (ay + t * dy) ** 2).min(axis=1)
                    best[p : p + 4096] = np.minimum(best[p : p + 4096], near)
    return best


def distance_outside_km(
    geometry: dict[str, Any], lon: NDArray[np.float64], lat: NDArray[np.float64]
) -> NDArray[np.float64]:
    """0 for points inside a GeoJSON (Multi)Polygon, else their distance to its nearest edge (km)."""
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    out = np.zeros(x.shape)
    outside = ~points_in_geojson(geometry, x, y)
    if outside.any():
        out[outside] = distance_to_edge_km(geometry, x[outside], y[outside])
    return out


def _oriented(rings: list[NDArray[np.float64]]) -> list[NDArray[np.float64]]:
    """Exterior counter-clockwise, holes clockwise (the orientation the intersection below relies on)."""
    out = []
    for k, ring in enumerate(rings):
        ccw = _signed_area(ring) > 0
        out.append(ring if ccw == (k == 0) else ring[::-1].copy())
    return out


def _ring_edges(geometry: dict[str, Any]) -> list[NDArray[np.float64]]:
    return [ring for rings in _polygons(geometry) for ring in _oriented(rings)]


def _as_geojson(rings: list[NDArray[np.float64]], digits: int) -> dict[str, Any] | None:
    """Rings (exteriors CCW, holes CW) -> a GeoJSON Polygon or MultiPolygon (None when there is none)."""
    exteriors = [r for r in rings if _signed_area(r) > 0]
    holes = [r for r in rings if _signed_area(r) < 0]
    if not exteriors:
        return None
    exteriors.sort(key=lambda r: -_signed_area(r))
    polys: list[list[NDArray[np.float64]]] = [[r] for r in exteriors]
    for hole in holes:  # into the smallest exterior that contains it
        for k in sorted(range(len(exteriors)), key=lambda i: _signed_area(exteriors[i])):
            shell = {"type": "Polygon", "coordinates": [exteriors[k].tolist()]}
            mid = (hole[0] + hole[1]) / 2.0
            if points_in_geojson(shell, mid[:1], mid[1:])[0]:
                polys[k].append(hole)
                break

    def ring_list(r: NDArray[np.float64]) -> list[list[float]]:
        return [[round(float(x), digits), round(float(y), digits)] for x, y in r]

    coords = [[ring_list(r) for r in p] for p in polys]
    return {"type": "Polygon", "coordinates": coords[0]} if len(coords) == 1 else {"type": "MultiPolygon",
                                                                                 "coordinates": coords}  # fmt: skip


def _intersections(
    s_rings: list[NDArray[np.float64]], c_rings: list[NDArray[np.float64]], eps: float
) -> tuple[list[tuple[int, int, float, int, int, float]], bool]:
    """Crossings of the subject's and the clip's edges: (s ring, s edge, t, c ring, c edge, u) with the
    parameters along each edge; and whether any is degenerate (a vertex on the other's edge, overlapping edges)."""
    found: list[tuple[int, int, float, int, int, float]] = []
    c_all = [(k, r[:-1], r[1:]) for k, r in enumerate(c_rings)]
    for si, s in enumerate(s_rings):
        a, b = s[:-1], s[1:]
        s_lo, s_hi = np.minimum(a, b), np.maximum(a, b)
        for ci, c, d in c_all:
            c_lo, c_hi = np.minimum(c, d), np.maximum(c, d)
            # candidate pairs by bounding boxes (each subject edge against the clip edges near it)
            near = np.flatnonzero(np.all(c_hi >= s_lo.min(axis=0), axis=1) & np.all(c_lo <= s_hi.max(axis=0), axis=1))
            if near.size == 0:
                continue
            for e in range(a.shape[0]):
                j = near[np.all(c_lo[near] <= s_hi[e], axis=1) & np.all(c_hi[near] >= s_lo[e], axis=1)]
                if j.size == 0:
                    continue
                r = b[e] - a[e]
                q = d[j] - c[j]
                denom = r[0] * q[:, 1] - r[1] * q[:, 0]
                w = c[j] - a[e]
                scale = float(np.hypot(*r)) * np.hypot(q[:, 0], q[:, 1])
                parallel = np.abs(denom) <= eps * np.maximum(scale, 1e-300)
                if parallel.any():
                    cross = np.abs(w[parallel, 0] * r[1] - w[parallel, 1] * r[0])
                    if np.any(cross <= eps * max(float(np.hypot(*r)), 1e-300) * 1e3):
                        return found, True  # collinear candidates (overlap or touch)
                ok = ~parallel
                t = (w[ok, 0] * q[ok, 1] - w[ok, 1] * q[ok, 0]) / denom[ok]
                u = (w[ok, 0] * r[1] - w[ok, 1] * r[0]) / denom[ok]
                inside = (t >= -eps) & (t <= 1 + eps) & (u >= -eps) & (u <= 1 + eps)
                if not inside.any():
                    continue
                edge = (np.abs(t) <= eps) | (np.abs(t - 1) <= eps) | (np.abs(u) <= eps) | (np.abs(u - 1) <= eps)
                if np.any(inside & edge):
                    return found, True
                for jj, tt, uu in zip(j[ok][inside], t[inside], u[inside], strict=True):
                    found.append((si, e, float(tt), ci, int(jj), float(uu)))
    return found, False


def _boundary_pieces(
    rings: list[NDArray[np.float64]], tag: str, cuts: dict[tuple[int, int], list[tuple[float, int]]],
    points: list[NDArray[np.float64]], other: dict[str, Any],
) -> list[tuple[Any, Any, NDArray[np.float64], NDArray[np.float64]]]:  # fmt: skip
    """The directed pieces of ``rings``' edges, split at the crossings, that lie inside ``other``: (from node,
    to node, from point, to point). Nodes: original vertices ``(tag, ring, vertex)`` or crossings ``("x", k)``."""
    pieces: list[tuple[Any, Any, NDArray[np.float64], NDArray[np.float64]]] = []
    for ri, ring in enumerate(rings):
        n = ring.shape[0] - 1
        for e in range(n):
            nodes: list[tuple[Any, NDArray[np.float64]]] = [((tag, ri, e), ring[e])]
            nodes += [(("x", k), points[k]) for _, k in sorted(cuts.get((ri, e), []))]
            nodes.append(((tag, ri, (e + 1) % n), ring[e + 1]))
            for (n0, p0), (n1, p1) in itertools.pairwise(nodes):
                pieces.append((n0, n1, p0, p1))
    if not pieces:
        return []
    mids = np.array([(p0 + p1) / 2.0 for _, _, p0, p1 in pieces])
    keep = points_in_geojson(other, mids[:, 0], mids[:, 1])
    return [piece for piece, k in zip(pieces, keep, strict=True) if k]


def clip_polygon(subject: dict[str, Any], clip: dict[str, Any], *, digits: int = 7) -> dict[str, Any] | None:
    """The intersection of two GeoJSON (Multi)Polygons (planar in lon/lat), or None when they do not overlap.

    Used to keep a city's outline inside its country. The boundary of A ∩ B is the part of A's boundary inside
    B and of B's boundary inside A (both oriented counter-clockwise, holes clockwise); the pieces are joined
    at the crossings into rings. A subject that crosses no edge of the clip is returned unchanged when it lies
    inside it. Degenerate contacts (a vertex exactly on the other's edge, overlapping edges) are resolved by
    moving the subject by 1e-9 degrees (0.1 mm). Coordinates of the result are rounded to ``digits`` decimals.
    """
    s_rings, c_rings = _ring_edges(subject), _ring_edges(clip)
    if not s_rings or not c_rings:
        return None
    eps = 1e-12
    shift = np.zeros(2)
    for attempt in range(8):
        moved = [r + shift for r in s_rings]
        crossings, degenerate = _intersections(moved, c_rings, eps)
        if not degenerate:
            break
        shift = np.array([1.0, 0.6180339887]) * 1e-9 * (attempt + 1)
    else:
        raise ValueError("clip_polygon: could not resolve a degenerate contact between the outlines")
    if not crossings and not shift.any():
        first = s_rings[0][0]
        if points_in_geojson(clip, first[:1], first[1:])[0]:
            c_first = np.vstack([r[0] for r in c_rings])
            if not points_in_geojson(subject, c_first[:, 0], c_first[:, 1]).any():
                return subject  # wholly inside, no part of the clip's boundary within it
    points = [moved[si][e] + t * (moved[si][e + 1] - moved[si][e]) for si, e, t, _, _, _ in crossings]
    s_cuts: dict[tuple[int, int], list[tuple[float, int]]] = {}
    c_cuts: dict[tuple[int, int], list[tuple[float, int]]] = {}
    for k, (si, e, t, ci, f, u) in enumerate(crossings):
        s_cuts.setdefault((si, e), []).append((t, k))
        c_cuts.setdefault((ci, f), []).append((u, k))
    moved_subject = {"type": "Polygon", "coordinates": [r.tolist() for r in moved]}  # even-odd over all rings
    pieces = _boundary_pieces(moved, "s", s_cuts, points, clip) + _boundary_pieces(
        c_rings, "c", c_cuts, points, moved_subject
    )
    following = {p[0]: p for p in pieces}
    if len(following) != len(pieces):
        raise ValueError("clip_polygon: the outlines' boundaries do not form closed rings")
    rings: list[NDArray[np.float64]] = []
    while following:
        start = next(iter(following))
        ring = [following[start][2]]
        node = start
        while True:
            piece = following.pop(node)
            ring.append(piece[3])
            node = piece[1]
            if node == start:
                break
            if node not in following:
                raise ValueError("clip_polygon: an open chain in the intersection's boundary")
        if len(ring) >= 4:
            rings.append(np.array(ring))
    return _as_geojson(rings, digits)
