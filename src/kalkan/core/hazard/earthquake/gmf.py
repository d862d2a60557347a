"""Ground-motion fields: random realisations of a rupture's ground motion at a set of sites.

A field is ``exp(mean + tau * eta + phi * eps)`` (OpenQuake's convention, hazardlib ``calc/gmf.py``):
``mean``, ``tau`` and ``phi`` come from a ground-motion model (:class:`GroundMotion`, ln units); ``eta`` is one
between-event residual per field, shared by all sites; ``eps`` are the within-event residuals, one per site,
independent or spatially correlated by Jayaram & Baker (2009). Both are standard normals truncated at
``+-truncation`` (sampled from the truncated distribution, never clipped). Fields are in g (PGA, SA) or cm/s
(PGV), float32 (half the memory of float64: 100,000 sites x 1,000 fields are 400 MB per IMT; float32 keeps 7
significant digits, far below the model's uncertainty).

Truncation with correlation follows OpenQuake's ``GmfComputer``: independent truncated normals are drawn
first and then correlated by a linear map (the Cholesky factor, or here also the Vecchia factor). A
correlated residual is thus a weighted sum of truncated variates: it may exceed ``truncation`` (rarely; it is
bounded by ``truncation * sum_j |L_ij|``) and its variance is the truncated normal's (0.973 at 3) instead of 1,
while the correlation between sites is exactly the model's. Without correlation, ``|eps| <= truncation``.
The correlated variates are normalised residuals, scaled by each site's ``phi`` afterwards, so that the
covariance is ``phi_i phi_j rho(h_ij)`` as JB2009 define it (the same as correlating phi-scaled residuals
when ``phi`` is the same at every site, the usual case).

Random streams: field ``f`` of intensity measure ``imt`` draws from its own generator,
``PCG64(SeedSequence(seed, spawn_key=(crc32(imt), f)))``: first ``eta``, then the within-event variates
(one per site in site order without correlation; one per distinct location, in the simulation order of the
correlation method, with it). A field therefore does not depend on how fields are blocked, on ``n_fields``
(the first ``k`` fields of a longer run are the same), or on which other IMTs are simulated; IMTs are
independent (no cross-IMT correlation, as OpenQuake without a cross-correlation model).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from typing import Any, Literal

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import linalg, sparse, special
from scipy.spatial import cKDTree

from kalkan.core.geodesy import EARTH_RADIUS_KM
from kalkan.core.hazard.earthquake.gmpe.base import GroundMotion, sa_period
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError

Floats = NDArray[np.float64]
Method = Literal["auto", "cholesky", "approximate"]
Correlation = Literal["JB2009"] | None
"""A spatial correlation model of within-event residuals: Jayaram & Baker (2009), or none."""

EXACT_MAX_SITES = 4000
"""``method="auto"`` uses the exact Cholesky factor up to this many distinct site locations (128 MB of
float64 correlation matrix, a few seconds on two cores) and the Vecchia approximation beyond."""

CHOLESKY_MAX_SITES = 20000
"""``method="cholesky"`` refuses more distinct locations than this (the matrix alone would take 3.2 GB)."""

VECCHIA_NEIGHBOURS = 40
"""Conditioning-set size m of the Vecchia approximation (the nearest m earlier sites)."""

_ORDER_SEED = 1988
"""Seed of the random tie-breaking within levels of the Vecchia ordering; fixed (independent of ``seed``)
so that the approximate correlation model of a site set is the same for every seed."""

_BLOCK_VALUES = 1 << 23
"""Fields are simulated in blocks of about this many site values (64 MB per float64 work array)."""

# Jayaram & Baker (2009), p. 1700: range b (km) of rho(h) = exp(-3 h / b) (eq. 20), as b = c0 + c1 * T
# (T in s). Case 1: Vs30 values not clustered (eq. 17); case 2: clustered (eq. 18). Periods 0-10 s.
_JB2009_SHORT = {False: (8.5, 17.2), True: (40.7, -15.0)}  # T < 1 s
_JB2009_LONG = (22.0, 3.7)  # T >= 1 s, both cases (eq. 19)
_JB2009_MAX_PERIOD_S = 10.0


def correlation_model(name: str | None) -> Correlation:
    """A spatial correlation model by name: ``None`` (or empty) for none, ``"JB2009"``; any other is refused."""
    if not name:
        return None
    if name == "JB2009":
        return "JB2009"
    raise InputError(
        f"Unknown correlation model {name!r}; expected None or 'JB2009'.", code="input.unknown", field="correlation"
    )


def jb2009_range_km(imt: str, vs30_clustering: bool = False) -> float:
    """Range b (km) of the Jayaram & Baker (2009) correlation of within-event residuals, rho = exp(-3h/b).

    N. Jayaram and J. W. Baker (2009), "Correlation model for spatially distributed ground-motion
    intensities", Earthquake Engineering & Structural Dynamics 38(15), 1687-1708, doi:10.1002/eqe.922,
    eqs. (17) (T < 1 s, case 1, ``vs30_clustering=False``: site conditions vary widely over the region),
    (18) (T < 1 s, case 2, ``True``: sites form clusters of similar Vs30) and (19) (T >= 1 s, both cases).
    Defined for PGA (T = 0) and SA(T), 0 < T <= 10 s; the paper has no PGV model, so PGV is refused rather
    than given a conventional period.
    """
    period = sa_period(imt)
    if period < 0:
        raise InputError(
            f"Jayaram & Baker (2009) gives no correlation model for {imt}; it covers PGA and SA(T).",
            code="input.unsupported",
            field="imt",
        )
    if period > _JB2009_MAX_PERIOD_S:
        raise InputError(
            f"Jayaram & Baker (2009) covers periods up to {_JB2009_MAX_PERIOD_S} s; {imt} is beyond.",
            code="input.unsupported",
            field="imt",
        )
    c0, c1 = _JB2009_SHORT[bool(vs30_clustering)] if period < 1.0 else _JB2009_LONG
    return c0 + c1 * period


def jb2009_correlation(distance_km: ArrayLike, imt: str, vs30_clustering: bool = False) -> Floats:
    """Correlation of normalised within-event residuals at separation ``distance_km`` (Jayaram & Baker 2009)."""
    b = jb2009_range_km(imt, vs30_clustering)
    return np.exp(-3.0 * np.asarray(distance_km, dtype=np.float64) / b)


def truncated_standard_normal(rng: np.random.Generator, size: int, truncation: float | None) -> Floats:
    """``size`` standard normals truncated to ``[-truncation, truncation]`` (``None``: not truncated).

    Exact inverse-CDF sampling: ``ndtri(U)`` with U uniform on ``[Phi(-t), Phi(t)]``; one uniform per value,
    so streams stay aligned. The result is clipped to ``+-t`` only to absorb the last-bit rounding of ``ndtri``,
    so ``|x| <= t`` always holds.
    """
    if truncation is None:
        return rng.standard_normal(size)
    if truncation == 0:
        return np.zeros(size)
    lo = float(special.ndtr(-truncation))
    u = rng.random(size)
    u *= 1.0 - 2.0 * lo  # Phi(t) - Phi(-t), by symmetry
    u += lo
    x: Floats = special.ndtri(u)
    np.clip(x, -truncation, truncation, out=x)
    return x


def simulate_fields(
    ground_motion_per_imt: Mapping[str, GroundMotion],
    site_lon: ArrayLike,
    site_lat: ArrayLike,
    n_fields: int,
    *,
    seed: int,
    truncation: float | None = 3.0,
    correlation: Correlation = None,
    vs30_clustering: bool = False,
    method: Method = "auto",
) -> dict[str, NDArray[np.float32]]:
    """Simulate ``n_fields`` ground-motion fields per IMT: ``{imt: float32 array (n_fields, n_sites)}``.

    ``ground_motion_per_imt`` holds, per IMT, one rupture's :class:`GroundMotion` at the sites (arrays of
    length n_sites, ln units). ``truncation`` is in standard deviations (``None``: none; 0: median fields).
    ``correlation="JB2009"`` correlates within-event residuals by Jayaram & Baker (2009) (great-circle
    distances on Kalkan's sphere, :mod:`kalkan.core.geodesy`; sites at the same location are perfectly
    correlated), with:

    - ``method="cholesky"``: exact, the Cholesky factor of the correlation matrix of the distinct locations
      (memory n^2, time n^3; refused above :data:`CHOLESKY_MAX_SITES`).
    - ``method="approximate"``: the Vecchia (1988) approximation, memory and time O(n m) per field; see
      :func:`_vecchia_factor` for the method and its measured error.
    - ``method="auto"``: exact up to :data:`EXACT_MAX_SITES` distinct locations, approximate beyond.

    Deterministic given ``seed``; see the module docstring for how random streams are split.
    """
    lon, lat = _check_sites(site_lon, site_lat)
    n_sites = lon.size
    _check_options(n_fields, seed, truncation, correlation, method)
    if not ground_motion_per_imt:
        raise InputError(
            "No intensity measure to simulate: 'ground_motion_per_imt' is empty.", code="input.missing", field="imt"
        )
    motions = {imt: _check_motion(imt, gm, n_sites) for imt, gm in ground_motion_per_imt.items()}
    ranges = {imt: jb2009_range_km(imt, vs30_clustering) for imt in motions} if correlation else {}

    correlators: dict[float, _Correlator] = {}
    if correlation and truncation != 0:
        xyz, inverse = _distinct_locations(lon, lat)
        n_distinct = xyz.shape[0]
        use_exact = method == "cholesky" or (method == "auto" and n_distinct <= EXACT_MAX_SITES)
        if use_exact and n_distinct > CHOLESKY_MAX_SITES:
            raise InputError(
                f"method='cholesky' needs a {n_distinct} x {n_distinct} matrix ({n_distinct**2 * 8 / 1e9:.1f} GB) "
                f"for {n_distinct} distinct site locations; the limit is {CHOLESKY_MAX_SITES}.",
                hint="use method='auto' or 'approximate' (the Vecchia approximation).",
                code="input.too_large",
                field="method",
            )
        for b in sorted(set(ranges.values())):
            correlators[b] = _CholeskyCorrelator(xyz, inverse, b) if use_exact else _VecchiaCorrelator(xyz, inverse, b)

    block = max(1, min(n_fields, _BLOCK_VALUES // max(n_sites, 1)))
    out: dict[str, NDArray[np.float32]] = {}
    for imt, (mean, tau, phi) in motions.items():
        key = zlib.crc32(imt.encode("utf-8"))
        correlator = correlators.get(ranges.get(imt, -1.0))
        n_draws = n_sites if correlator is None else correlator.n_draws
        fields = np.empty((n_fields, n_sites), dtype=np.float32)
        for f0 in range(0, n_fields, block):
            f1 = min(n_fields, f0 + block)
            eta = np.empty(f1 - f0)
            eps = np.empty((f1 - f0, n_draws))
            for f in range(f0, f1):
                rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(key, f))))
                eta[f - f0] = truncated_standard_normal(rng, 1, truncation)[0]
                eps[f - f0] = truncated_standard_normal(rng, n_draws, truncation)
            if correlator is not None:
                eps = correlator.correlate(eps)
            eps *= phi
            eps += mean
            eps += eta[:, None] * tau
            np.exp(eps, out=eps)
            fields[f0:f1] = eps
        out[imt] = fields
    return out


def fields_to_hazardset(
    fields: Mapping[str, NDArray[Any]] | NDArray[Any],
    imt: str,
    unit: str,
    site_lon: ArrayLike,
    site_lat: ArrayLike,
    peril: str = "earthquake",
    event_id_start: int = 1,
    realisation: int | ArrayLike | None = None,
) -> HazardSet:
    """A scenario :class:`HazardSet` of one IMT's fields: one event per field, frequency 1/N each.

    ``fields`` is the output of :func:`simulate_fields` (``fields[imt]`` is used) or one (n_fields, n_sites)
    array. Event ids are ``event_id_start, event_id_start + 1, ...``; ``realisation`` (one integer for all
    fields, or one per field) records the logic-tree realisation. Only values exactly 0 are left out of the
    sparse matrix (a field is ``exp(...)``, so that happens only on float32 underflow).
    """
    array = fields[imt] if isinstance(fields, Mapping) else fields
    values = np.asarray(array)
    lon, lat = _check_sites(site_lon, site_lat)
    if values.ndim != 2 or values.shape[1] != lon.size or values.shape[0] == 0:
        raise InputError(
            f"Fields of {imt} have shape {values.shape}; expected (n_fields >= 1, {lon.size} sites).",
            code="input.inconsistent",
            field="fields",
        )
    if values.dtype not in (np.float32, np.float64):
        values = values.astype(np.float32)
    n_events = values.shape[0]
    nonzero = values != 0
    counts = nonzero.sum(axis=1)
    indptr = np.zeros(n_events + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    index_dtype = np.int32 if lon.size < 2**31 else np.int64
    if int(indptr[-1]) == values.size:  # no zero: skip the boolean gather
        data = values.ravel().copy()
        indices = np.tile(np.arange(lon.size, dtype=index_dtype), n_events)
    else:
        data = values[nonzero]
        indices = np.nonzero(nonzero)[1].astype(index_dtype)
    intensity = sparse.csr_matrix((data, indices, indptr), shape=values.shape)
    rlz = None
    if realisation is not None:
        rlz = np.broadcast_to(np.asarray(realisation), (n_events,))
    return HazardSet(
        peril=peril,
        imt=imt,
        unit=unit,
        site_lon=lon,
        site_lat=lat,
        event_id=np.arange(event_id_start, event_id_start + n_events, dtype=np.int64),
        frequency=np.full(n_events, 1.0 / n_events),
        intensity=intensity,
        realisation=rlz,
        source=f"ground-motion fields of {imt}",
    )


# ---------------------------------------------------------------------------------------------------------
# Correlation methods: each maps independent variates (fields x n_draws) to correlated residuals per site.


class _Correlator:
    n_draws: int

    def correlate(self, eps: Floats) -> Floats:  # pragma: no cover - interface
        raise NotImplementedError


class _CholeskyCorrelator(_Correlator):
    """Exact: z = L e with L L^T = R, the correlation matrix of the distinct locations (unique lon/lat)."""

    def __init__(self, xyz: Floats, inverse: NDArray[np.intp], range_km: float) -> None:
        self.inverse = inverse
        self.n_draws = xyz.shape[0]
        chord = _squared_distances(xyz)
        np.sqrt(chord, out=chord)
        self.lower = _cholesky(_correlation_of_chord(chord, range_km))

    def correlate(self, eps: Floats) -> Floats:
        z: Floats = eps @ self.lower.T  # rows are fields: (L e)^T = e^T L^T
        return z[:, self.inverse]


class _VecchiaCorrelator(_Correlator):
    """Approximate: the Vecchia factor (see :func:`_vecchia_factor`), applied by a numba kernel."""

    def __init__(self, xyz: Floats, inverse: NDArray[np.intp], range_km: float) -> None:
        order = _coarse_to_fine_order(xyz)
        self.n_draws = xyz.shape[0]
        self.neighbour, self.weight, self.scale = _vecchia_factor(xyz[order], range_km, VECCHIA_NEIGHBOURS)
        position = np.empty_like(order)
        position[order] = np.arange(order.size)
        self.site_row = position[inverse]  # site -> row in simulation order

    def correlate(self, eps: Floats) -> Floats:
        kernel: Any = _vecchia_apply  # numba dispatchers are untyped
        z = np.ascontiguousarray(eps.T)  # (n_draws, fields): a site's values are contiguous
        kernel(self.neighbour, self.weight, self.scale, z)
        out: Floats = z.T[:, self.site_row]
        return out


def _vecchia_factor(
    xyz: Floats, range_km: float, m: int
) -> tuple[NDArray[np.int32], NDArray[np.float64], NDArray[np.float64]]:
    """Vecchia factor of the exponential correlation exp(-3h/b) at points ``xyz`` (km, simulation order).

    Vecchia (1988, J. R. Stat. Soc. B 50(2), 297-312) writes the joint density as a product of conditionals
    and conditions each point only on its m nearest earlier points: z_i = sum_k w_ik z_N(i,k) + s_i e_i, with
    w_i = R_NN^-1 r_Ni and s_i^2 = 1 - r_Ni . w_i (the exact conditional mean and variance given those
    neighbours). This is a sparse Cholesky factor of an approximate covariance: any ordering and neighbour
    sets give a valid (positive definite) model; time and memory are O(n m) per field (O(n m^3) once to
    build), and distances are exact great-circle ones (no grid, no projection: points closer together than
    any spacing keep their own correlation). The ordering matters: Guinness (2018, Technometrics 60(4),
    415-432) found max-min orderings far more accurate than coordinate or random ones; we use the
    coarse-to-fine approximation of :func:`_coarse_to_fine_order`. The exponential covariance screens
    strongly, so m = 40 neighbours suffice.

    Measured error (the dense implied covariance of 1,500 random points in a 40 km square, and 40 of its
    columns at 100,000 points; b = 8.5, 25.7, 40.7 km): the implied correlation differs from exp(-3h/b) by
    at most 0.012 over all pairs (mean absolute error below 1.5e-3); the implied variance is 1 within 3e-4.
    With m = 30 the largest error is about 0.025.

    Returns the neighbour indices (n, m; padding points at index 0 with weight 0), weights (n, m) and
    conditional standard deviations s (n,).
    """
    neighbour = _previous_neighbours(xyz, m)
    weight = np.zeros(neighbour.shape)
    scale = np.ones(xyz.shape[0])
    kernel: Any = _vecchia_weights  # numba dispatchers are untyped
    kernel(np.ascontiguousarray(xyz), neighbour, float(range_km), EARTH_RADIUS_KM, weight, scale)
    return np.where(neighbour >= 0, neighbour, 0).astype(np.int32), weight, scale


@numba.njit(parallel=True, nogil=True, cache=True, error_model="numpy")
def _vecchia_weights(xyz, neighbour, range_km, radius_km, weight, scale):  # type: ignore[no-untyped-def]
    """Per point: Cholesky of R_NN, then w = R_NN^-1 r_Ni and s = sqrt(1 - |L^-1 r_Ni|^2) (in place)."""
    n, m = neighbour.shape
    factor = -6.0 * radius_km / range_km  # rho = exp(-3 h / b), h = 2 R asin(chord / 2R)
    half = 1.0 / (2.0 * radius_km)
    for i in numba.prange(n):
        k = 0
        while k < m and neighbour[i, k] >= 0:
            k += 1
        if k == 0:
            continue
        a = np.empty((k, k))
        r = np.empty(k)
        for p in range(k):
            jp = neighbour[i, p]
            d2 = 0.0
            for c in range(3):
                d2 += (xyz[i, c] - xyz[jp, c]) ** 2
            r[p] = math.exp(factor * math.asin(min(math.sqrt(d2) * half, 1.0)))
            a[p, p] = 1.0
            for q in range(p):
                jq = neighbour[i, q]
                d2 = 0.0
                for c in range(3):
                    d2 += (xyz[jq, c] - xyz[jp, c]) ** 2
                a[p, q] = math.exp(factor * math.asin(min(math.sqrt(d2) * half, 1.0)))
        for p in range(k):  # lower Cholesky factor, in place
            diag = a[p, p]
            for t in range(p):
                diag -= a[p, t] * a[p, t]
            diag = math.sqrt(max(diag, 1e-14))
            a[p, p] = diag
            for q in range(p + 1, k):
                v = a[q, p]
                for t in range(p):
                    v -= a[q, t] * a[p, t]
                a[q, p] = v / diag
        y = np.empty(k)  # L y = r
        explained = 0.0
        for p in range(k):
            v = r[p]
            for t in range(p):
                v -= a[p, t] * y[t]
            y[p] = v / a[p, p]
            explained += y[p] * y[p]
        for p in range(k - 1, -1, -1):  # L^T w = y
            v = y[p]
            for t in range(p + 1, k):
                v -= a[t, p] * weight[i, t]
            weight[i, p] = v / a[p, p]
        scale[i] = math.sqrt(max(1.0 - explained, 0.0))


def _coarse_to_fine_order(xyz: Floats) -> NDArray[np.intp]:
    """A coarse-to-fine ordering of points ``xyz`` (km): an O(n log n) approximation of max-min ordering.

    Level 0 holds one point, level l one point in each cube of side D / 2^l (D the extent) that holds no
    earlier point, until every point has a level; points are ordered by level, and randomly within a level
    (a fixed permutation, seed :data:`_ORDER_SEED`). Like max-min ordering (Guinness 2018), each point's
    earlier points are spread at the spacing of its level, so its nearest earlier neighbours see both the
    local and (for coarse points) the long-range structure.
    """
    n = xyz.shape[0]
    perm = np.random.default_rng(_ORDER_SEED).permutation(n)
    pts = xyz[perm]
    lo = pts.min(axis=0)
    extent = max(float((pts.max(axis=0) - lo).max()), 1e-9)
    level = np.full(n, -1, dtype=np.int64)
    for lev in range(64):
        cells = 1 << min(lev, 20)
        cell = np.minimum(((pts - lo) * (cells / extent)).astype(np.int64), cells - 1)
        key = (cell[:, 0] * cells + cell[:, 1]) * cells + cell[:, 2]
        done = level >= 0
        free = ~done & ~np.isin(key, key[done])
        candidates = np.flatnonzero(free)
        _, first = np.unique(key[candidates], return_index=True)  # the first (random) free point per cube
        level[candidates[first]] = lev
        if lev >= 20 or bool((level >= 0).all()):
            break
    level[level < 0] = 64  # points closer than D / 2^20 (< 1 m for extents up to 1,000 km): last
    order: NDArray[np.intp] = perm[np.argsort(level, kind="stable")]
    return order


def _previous_neighbours(xyz: Floats, m: int) -> NDArray[np.int64]:
    """Indices (n, m) of each point's m nearest earlier points (nearest first; -1 where fewer exist).

    Points ``[lo, hi)`` with ``lo = hi // 2`` are searched in a k-d tree of points ``[0, hi)``, at least half
    of which are earlier than any of them; the k = 4m nearest usually hold m earlier ones, and k doubles for
    the points where they do not (none in the layouts measured, uniform or clustered). The first few hundred
    points are searched exhaustively. Time O(n log n), memory O(n m).
    """
    n = xyz.shape[0]
    out = np.full((n, m), -1, dtype=np.int64)
    hi = n
    brute = max(4 * m, 256)
    while hi > brute:
        lo = hi // 2
        tree = cKDTree(xyz[:hi])
        pending = np.arange(lo, hi)
        k = min(hi, 4 * m)
        while pending.size:
            _, idx = tree.query(xyz[pending], k=k, workers=-1)
            earlier = idx < pending[:, None]
            enough = earlier.sum(axis=1) >= m
            rows = pending[enough]
            keep = earlier[enough] & (np.cumsum(earlier[enough], axis=1) <= m)
            out[rows] = idx[enough][keep].reshape(rows.size, m)
            pending = pending[~enough]
            k = min(hi, 2 * k)
        hi = lo
    head = xyz[:hi]
    d2 = _squared_distances(head)
    d2[np.triu_indices(hi)] = np.inf  # only earlier points
    nearest = np.argsort(d2, axis=1, kind="stable")[:, :m]
    for i in range(1, hi):
        count = min(i, m)
        out[i, :count] = nearest[i, :count]
    return out


@numba.njit(parallel=True, nogil=True, cache=True, error_model="numpy")
def _vecchia_apply(neighbour, weight, scale, z):  # type: ignore[no-untyped-def]
    """In place: row i of ``z`` (independent variates e_i on entry) becomes s_i e_i + sum_k w_ik z[N(i,k)].

    Rows are processed in order (neighbours are earlier rows, already correlated); the columns (fields)
    are split between threads in chunks of 16.
    """
    n, m = neighbour.shape
    n_cols = z.shape[1]
    width = 16
    for c in numba.prange((n_cols + width - 1) // width):
        f0 = c * width
        f1 = min(n_cols, f0 + width)
        for i in range(n):
            s = scale[i]
            for f in range(f0, f1):
                z[i, f] *= s
            for k in range(m):
                w = weight[i, k]
                if w != 0.0:
                    j = neighbour[i, k]
                    for f in range(f0, f1):
                        z[i, f] += w * z[j, f]


# ---------------------------------------------------------------------------------------------------------
# Geometry and checks.


def _distinct_locations(lon: Floats, lat: Floats) -> tuple[Floats, NDArray[np.intp]]:
    """Earth-centred coordinates (km) of the distinct (lon, lat) pairs, and each site's index among them."""
    pairs, inverse = np.unique(np.column_stack([lon, lat]), axis=0, return_inverse=True)
    lam, phi = np.radians(pairs[:, 0]), np.radians(pairs[:, 1])
    xyz = EARTH_RADIUS_KM * np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])
    return xyz, inverse.reshape(-1)


def _squared_distances(xyz: Floats) -> Floats:
    """Squared chord distances (km^2) between all pairs, from coordinates centred on their mean (so the
    Gram-matrix form keeps precision for points metres apart); one n x n array, filled in place."""
    centred = xyz - xyz.mean(axis=0)
    sq = np.einsum("ij,ij->i", centred, centred)
    d2: Floats = centred @ centred.T
    d2 *= -2.0
    d2 += sq[:, None]
    d2 += sq[None, :]
    np.maximum(d2, 0.0, out=d2)
    np.fill_diagonal(d2, 0.0)
    return d2


def _correlation_of_chord(chord_km: Floats, range_km: float) -> Floats:
    """exp(-3h/b) for great-circle distance h from chord length (in place on ``chord_km``)."""
    h = chord_km
    h *= 1.0 / (2.0 * EARTH_RADIUS_KM)
    np.clip(h, 0.0, 1.0, out=h)
    np.arcsin(h, out=h)
    h *= -3.0 * 2.0 * EARTH_RADIUS_KM / range_km
    np.exp(h, out=h)
    return h


def _cholesky(corr: Floats) -> Floats:
    """Lower Cholesky factor; a correlation matrix of close points can be semi-definite in floating point,
    so a jitter of 1e-10 (then 1e-8 in all) is added to the diagonal if the plain factorisation fails."""
    diagonal = np.diag_indices(corr.shape[0])
    for jitter in (0.0, 1e-10, 1e-8 - 1e-10):
        corr[diagonal] += jitter
        try:
            lower: Floats = linalg.cholesky(corr, lower=True, check_finite=False)
            return lower
        except linalg.LinAlgError:
            continue
    raise InputError(
        "The correlation matrix of the sites is not positive definite (sites too close together).",
        code="input.inconsistent",
        field="sites",
    )


def _check_sites(site_lon: ArrayLike, site_lat: ArrayLike) -> tuple[Floats, Floats]:
    lon = np.ascontiguousarray(site_lon, dtype=np.float64).reshape(-1)
    lat = np.ascontiguousarray(site_lat, dtype=np.float64).reshape(-1)
    if lon.shape != lat.shape or lon.size == 0:
        raise InputError(
            f"site_lon and site_lat must be non-empty and of one length; got {lon.size} and {lat.size}.",
            code="input.inconsistent",
            field="site_lat",
        )
    bad = ~(np.abs(lon) <= 180) | ~(np.abs(lat) <= 90)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"Site {k} has lon/lat ({lon[k]}, {lat[k]}) outside [-180, 180] x [-90, 90] (or NaN).",
            code="input.range",
            field="site_lon" if not abs(lon[k]) <= 180 else "site_lat",
            row=k + 1,
        )
    return lon, lat


def _check_options(n_fields: int, seed: int, truncation: float | None, correlation: str | None, method: str) -> None:
    if isinstance(n_fields, bool) or not isinstance(n_fields, int | np.integer) or n_fields < 1:
        raise InputError(
            f"n_fields must be a positive integer; got {n_fields!r}.", code="input.range", field="n_fields"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a non-negative integer; got {seed!r}.", code="input.range", field="seed")
    if truncation is not None and not (math.isfinite(truncation) and truncation >= 0):
        raise InputError(
            f"truncation must be None or a finite number >= 0 (standard deviations); got {truncation}.",
            code="input.range",
            field="truncation",
        )
    if correlation not in (None, "JB2009"):
        raise InputError(
            f"Unknown correlation model {correlation!r}; expected None or 'JB2009'.",
            code="input.unknown",
            field="correlation",
        )
    if method not in ("auto", "cholesky", "approximate"):
        raise InputError(
            f"Unknown method {method!r}; expected 'auto', 'cholesky' or 'approximate'.",
            code="input.unknown",
            field="method",
        )


def _check_motion(imt: str, gm: GroundMotion, n_sites: int) -> tuple[Floats, Floats, Floats]:
    sa_period(imt)  # a known IMT name
    arrays = []
    for name in ("mean", "tau", "phi"):
        a = np.asarray(getattr(gm, name), dtype=np.float64)
        if a.shape == (1,) or a.shape == ():
            a = np.broadcast_to(a.reshape(-1), (n_sites,))
        if a.shape != (n_sites,):
            raise InputError(
                f"Ground motion of {imt}: '{name}' has shape {a.shape}; expected ({n_sites},) sites.",
                code="input.inconsistent",
                field=name,
            )
        bad = ~np.isfinite(a) | ((a < 0) if name != "mean" else False)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"Ground motion of {imt}: '{name}' at site {k} is {a[k]}; expected a finite"
                + (" value." if name == "mean" else ", non-negative standard deviation (ln units)."),
                code="input.range",
                field=name,
                row=k + 1,
            )
        arrays.append(a)
    return arrays[0], arrays[1], arrays[2]
