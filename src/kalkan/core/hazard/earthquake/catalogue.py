"""Earthquake catalogues (:class:`Catalogue`) and their statistics for source models: screening, declustering,
completeness, b-value, Mmax, depths.

Pure functions on numpy arrays (one entry per event); no I/O. Each method is from a paper, cited where it is
implemented:

- Declustering: Gardner & Knopoff (1974), "Is the sequence of earthquakes in Southern California, with
  aftershocks removed, Poissonian?", BSSA 64(5), 1363-1367; window fit as tabulated by van Stiphout, Zhuang &
  Marsan (2012), "Seismicity declustering", Community Online Resource for Statistical Seismicity Analysis
  (CORSSA), doi:10.5078/corssa-52382934, eq. for the Gardner-Knopoff windows (the same coefficients as
  OpenQuake's hmtk ``GardnerKnopoffWindow``).
- Completeness check: Stepp (1972), "Analysis of completeness of the earthquake sample in the Puget Sound area
  and its effect on statistical estimates of earthquake hazard", Proc. Int. Conf. Microzonation, Seattle, 2,
  897-910.
- b-value and rate: Weichert (1980), "Estimation of the earthquake recurrence parameters for unequal
  observation periods for different magnitudes", BSSA 70(4), 1337-1346.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from kalkan.core.geodesy import geodetic_distance_km
from kalkan.errors import InputError

FloatArray = NDArray[np.float64]

GK_DISTANCE_KM = (0.1238, 0.983)
"""Gardner-Knopoff distance window L(M) = 10^(c1 M + c2) km, all magnitudes (van Stiphout et al. 2012)."""
GK_TIME_DAYS_SMALL = (0.5409, -0.547)
"""Gardner-Knopoff time window T(M) = 10^(c1 M + c2) days for M < 6.5 (van Stiphout et al. 2012)."""
GK_TIME_DAYS_LARGE = (0.032, 2.7389)
"""Gardner-Knopoff time window T(M) = 10^(c1 M + c2) days for M >= 6.5 (van Stiphout et al. 2012)."""
GK_TIME_BREAK_MW = 6.5
"""Magnitude at which the Gardner-Knopoff time window changes branch."""

DAYS_PER_YEAR = 365.25
UNBOUNDED_SPAN_MW = 10.0
"""Magnitude span above Mc of the bins of :func:`weichert` for an unbounded GR law (10^(-b 10) is negligible)."""


# ----------------------------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class CatalogueEvent:
    """One ISC-GEM event: epicentre (WGS84 degrees), depth (km), moment magnitude and quality flags."""

    eventid: int
    origin_time_utc: str
    lon: float
    lat: float
    depth_km: float
    mw: float
    mw_source: str
    quality: str


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The catalogue as columns (one entry per event)."""

    eventid: NDArray[np.int64]
    origin_time_utc: NDArray[np.str_]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    depth_km: NDArray[np.float64]
    mw: NDArray[np.float64]
    mw_source: NDArray[np.str_]
    quality: NDArray[np.str_]
    source: str

    def event(self, eventid: int) -> CatalogueEvent:
        """The event with id ``eventid``; an unknown id is an error naming the catalogue."""
        k = np.flatnonzero(self.eventid == eventid)
        if k.size == 0:
            raise InputError(f"{self.source}: no event with id {eventid}.", code="input.unknown", field="eventid")
        i = int(k[0])
        return CatalogueEvent(int(self.eventid[i]), str(self.origin_time_utc[i]), float(self.lon[i]),
                              float(self.lat[i]), float(self.depth_km[i]), float(self.mw[i]), str(self.mw_source[i]),
                              str(self.quality[i]))  # fmt: skip

    def near(self, lon: float, lat: float, radius_km: float, min_mw: float = 0.0) -> list[CatalogueEvent]:
        """Events within ``radius_km`` of (lon, lat) by great-circle distance, largest magnitude first."""
        dist = geodetic_distance_km(lon, lat, self.lon, self.lat)
        idx = np.flatnonzero((dist <= radius_km) & (self.mw >= min_mw))
        idx = idx[np.argsort(-self.mw[idx], kind="stable")]
        return [self.event(int(self.eventid[i])) for i in idx]


# ----------------------------------------------------------------------------------------------- screening


@dataclass(frozen=True, slots=True)
class RowScreening:
    """Which events are usable, and how many were excluded for each reason (a row counts once, first reason)."""

    valid: NDArray[np.bool_]
    missing_mw: int
    missing_depth: int
    bad_coordinates: int
    bad_time: int

    @property
    def n_excluded(self) -> int:
        return int(self.valid.size - np.count_nonzero(self.valid))

    def as_dict(self) -> dict[str, int]:
        return {
            "rows": int(self.valid.size),
            "used": int(np.count_nonzero(self.valid)),
            "excluded": self.n_excluded,
            "bad_time": self.bad_time,
            "bad_coordinates": self.bad_coordinates,
            "missing_mw": self.missing_mw,
            "missing_depth": self.missing_depth,
        }


def screen_events(
    lon: FloatArray, lat: FloatArray, depth_km: FloatArray, mw: FloatArray, time_days: FloatArray
) -> RowScreening:
    """Flag rows that cannot enter rate estimates: unparsable time, coordinates off the globe, missing Mw or depth.

    Missing values are NaN (see :func:`parse_floats`). Reasons are checked in the order time, coordinates,
    magnitude, depth; each row is counted under its first problem only, so the counts add up to the excluded rows.
    """
    bad_time = ~np.isfinite(time_days)
    bad_xy = ~bad_time & ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0))
    seen = bad_time | bad_xy
    no_mw = ~seen & ~np.isfinite(mw)
    seen |= no_mw
    no_depth = ~seen & ~(np.isfinite(depth_km) & (depth_km >= 0.0))
    seen |= no_depth
    return RowScreening(
        valid=~seen,
        missing_mw=int(np.count_nonzero(no_mw)),
        missing_depth=int(np.count_nonzero(no_depth)),
        bad_coordinates=int(np.count_nonzero(bad_xy)),
        bad_time=int(np.count_nonzero(bad_time)),
    )


def parse_floats(values: Sequence[str]) -> FloatArray:
    """Strings to floats; empty or non-numeric entries become NaN so that :func:`screen_events` can count them."""
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            continue
    return out


def parse_times_days(values: Sequence[str]) -> FloatArray:
    """UTC origin times ``YYYY-MM-DD hh:mm:ss[.ss]`` to days since 1970-01-01; unparsable ones become NaN."""
    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        try:
            t = np.datetime64(str(v).strip().replace(" ", "T"), "ms")
        except ValueError:
            continue
        if not np.isnat(t):
            out[i] = float(t.astype(np.int64)) / 86_400_000.0
    return out


def decimal_years(time_days: FloatArray) -> FloatArray:
    """Days since 1970-01-01 to decimal years (calendar year + fraction of that year elapsed)."""
    days = np.floor(time_days).astype("datetime64[D]")
    year = days.astype("datetime64[Y]")
    start = year.astype("datetime64[D]")
    length = (year + np.timedelta64(1, "Y")).astype("datetime64[D]") - start
    elapsed = time_days - start.astype(np.float64)
    out: FloatArray = year.astype(np.float64) + 1970.0 + elapsed / length.astype(np.float64)
    return out


# -------------------------------------------------------------------------------------------- declustering


def gardner_knopoff_windows(mw: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Gardner & Knopoff (1974) space and time windows: (distance km, time days) for each magnitude."""
    m = np.asarray(mw, dtype=np.float64)
    dist_km = 10.0 ** (GK_DISTANCE_KM[0] * m + GK_DISTANCE_KM[1])
    small = 10.0 ** (GK_TIME_DAYS_SMALL[0] * m + GK_TIME_DAYS_SMALL[1])
    large = 10.0 ** (GK_TIME_DAYS_LARGE[0] * m + GK_TIME_DAYS_LARGE[1])
    return dist_km, np.where(m >= GK_TIME_BREAK_MW, large, small)


@dataclass(frozen=True, slots=True)
class Declustering:
    """Result of declustering: ``cluster[i]`` is the index of event i's mainshock (itself for a mainshock)."""

    cluster: NDArray[np.int64]

    @property
    def is_mainshock(self) -> NDArray[np.bool_]:
        return np.asarray(self.cluster == np.arange(self.cluster.size), dtype=bool)

    @property
    def n_mainshocks(self) -> int:
        return int(np.count_nonzero(self.is_mainshock))


def decluster_gardner_knopoff(
    time_days: FloatArray,
    lon: FloatArray,
    lat: FloatArray,
    mw: FloatArray,
    *,
    foreshock_time_fraction: float = 1.0,
) -> Declustering:
    """Window declustering after Gardner & Knopoff (1974); the mainshock is the largest event of its cluster.

    Events are visited from the largest magnitude down (ties: earlier first). An event not yet claimed opens
    a cluster; it claims every unclaimed event within its distance window L(M) (epicentral great-circle
    distance, km) and within T(M) days after it, or ``foreshock_time_fraction`` * T(M) days before it (1 =
    symmetric window, so foreshocks are removed too; 0 = aftershocks only, as in the original paper). Claimed
    events never open windows of their own (no secondary windows), so every cluster's mainshock is its largest
    event by construction.
    """
    t = np.asarray(time_days, dtype=np.float64)
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    m = np.asarray(mw, dtype=np.float64)
    if not (t.shape == x.shape == y.shape == m.shape) or t.ndim != 1:
        raise InputError(
            "decluster_gardner_knopoff: time, lon, lat and mw must be 1-D arrays of one length.",
            code="input.inconsistent",
            field="mw",
        )
    if not np.all(np.isfinite(t) & np.isfinite(x) & np.isfinite(y) & np.isfinite(m)):
        raise InputError(
            "decluster_gardner_knopoff: screen the events first (NaN time, position or Mw).",
            code="input.missing",
            field="mw",
        )
    if foreshock_time_fraction < 0:
        raise InputError(
            "decluster_gardner_knopoff: foreshock_time_fraction must be >= 0.",
            code="input.range",
            field="foreshock_time_fraction",
        )
    dist_km, win_days = gardner_knopoff_windows(m)
    order = np.lexsort((np.arange(m.size), t, -m))
    cluster = np.full(m.size, -1, dtype=np.int64)
    for i in order:
        if cluster[i] >= 0:
            continue
        cluster[i] = i
        free = np.flatnonzero(cluster < 0)
        if free.size == 0:
            break
        dt = t[free] - t[i]
        in_time = (dt <= win_days[i]) & (dt >= -foreshock_time_fraction * win_days[i])
        cand = free[in_time]
        if cand.size:
            near = geodetic_distance_km(x[i], y[i], x[cand], y[cand]) <= dist_km[i]
            cluster[cand[near]] = i
    return Declustering(cluster=cluster)


# -------------------------------------------------------------------------------------------- completeness


@dataclass(frozen=True, slots=True)
class CompletenessTable:
    """Magnitude-dependent completeness: events with Mw >= ``mw[k]`` are complete from ``start_year[k]`` on.

    Rows are sorted by magnitude increasing and start year decreasing (larger events complete for longer).
    """

    mw: tuple[float, ...]
    start_year: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.mw) != len(self.start_year) or not self.mw:
            raise InputError(
                "CompletenessTable: give one start year per magnitude (at least one row).",
                code="input.empty",
                field="start_year",
            )
        if any(b <= a for a, b in zip(self.mw, self.mw[1:], strict=False)):
            raise InputError(
                f"CompletenessTable: magnitudes must increase, got {self.mw}.", code="input.inconsistent", field="mw"
            )
        if any(b >= a for a, b in zip(self.start_year, self.start_year[1:], strict=False)):
            raise InputError(
                f"CompletenessTable: start years must decrease with magnitude, got {self.start_year}.",
                code="input.inconsistent",
                field="start_year",
            )

    @property
    def mc(self) -> float:
        """The smallest completeness magnitude of the table."""
        return self.mw[0]

    def start_for(self, mw: FloatArray) -> FloatArray:
        """The year from which each magnitude is complete; +inf below the smallest magnitude of the table."""
        m = np.asarray(mw, dtype=np.float64)
        k = np.searchsorted(np.asarray(self.mw), m + 1e-9, side="right") - 1
        years = np.asarray(self.start_year, dtype=np.float64)
        return np.where(k >= 0, years[np.clip(k, 0, None)], np.inf)

    def as_rows(self) -> list[dict[str, float]]:
        return [{"mw_from": m, "complete_from_year": y} for m, y in zip(self.mw, self.start_year, strict=True)]


def completeness_mask(year: FloatArray, mw: FloatArray, table: CompletenessTable) -> NDArray[np.bool_]:
    """Events inside their completeness period (decimal year >= the start year of their magnitude)."""
    return np.asarray(np.asarray(year, dtype=np.float64) >= table.start_for(mw), dtype=bool)


@dataclass(frozen=True, slots=True)
class SteppRow:
    """Stepp (1972) statistic for one magnitude class and one interval ending at the catalogue end."""

    mw_from: float
    mw_to: float
    years: float
    count: int
    rate_per_year: float
    sigma_per_year: float


def stepp_table(
    year: FloatArray, mw: FloatArray, mag_edges: Sequence[float], end_year: float, intervals_years: Sequence[float]
) -> list[SteppRow]:
    """Stepp's (1972) check: rate lambda = N/T and sigma = sqrt(lambda/T) per magnitude class, for intervals T
    counted back from ``end_year``. Where a class is complete, sigma falls as 1/sqrt(T) with a steady rate;
    where the rate drops as T grows, older events are missing."""
    y = np.asarray(year, dtype=np.float64)
    m = np.asarray(mw, dtype=np.float64)
    rows: list[SteppRow] = []
    for lo, hi in itertools.pairwise(mag_edges):
        in_class = (m >= lo - 1e-9) & (m < hi - 1e-9)
        for span in intervals_years:
            n = int(np.count_nonzero(in_class & (y >= end_year - span)))
            rate = n / span
            rows.append(SteppRow(float(lo), float(hi), float(span), n, rate, math.sqrt(rate / span)))
    return rows


def stepp_consistency(
    year: FloatArray, mw: FloatArray, table: CompletenessTable, end_year: float, recent_years: float
) -> list[dict[str, float]]:
    """For each completeness row: the rate over its whole complete period against the rate over the most recent
    ``recent_years`` (both for the magnitude class up to the next row), and their difference in Poisson sigmas
    of the recent rate. A large negative z means the early part of the period is missing events (Stepp 1972)."""
    y = np.asarray(year, dtype=np.float64)
    m = np.asarray(mw, dtype=np.float64)
    out: list[dict[str, float]] = []
    edges = [*table.mw, math.inf]
    for k, start in enumerate(table.start_year):
        in_class = (m >= edges[k] - 1e-9) & (m < edges[k + 1] - 1e-9)
        t_all = end_year - start
        n_all = int(np.count_nonzero(in_class & (y >= start)))
        n_recent = int(np.count_nonzero(in_class & (y >= end_year - recent_years)))
        r_all, r_recent = n_all / t_all, n_recent / recent_years
        sigma = math.sqrt(max(n_recent, 1)) / recent_years
        out.append({
            "mw_from": edges[k],
            "mw_to": edges[k + 1] if math.isfinite(edges[k + 1]) else 99.0,
            "complete_from_year": start,
            "count_complete_period": n_all,
            "rate_complete_period_per_year": r_all,
            "count_recent": n_recent,
            "rate_recent_per_year": r_recent,
            "z_sigma": (r_all - r_recent) / sigma,
        })  # fmt: skip
    return out


# ------------------------------------------------------------------------------------------ recurrence


@dataclass(frozen=True, slots=True)
class GutenbergRichterFit:
    """Gutenberg-Richter recurrence log10 N(>=M) = a - b M (N per year), fitted with Weichert (1980).

    ``a`` is referred to magnitude 0 (OpenQuake ``aValue``); ``rate_per_year`` is the annual rate of events
    with Mw >= ``m_min``; ``b_fixed`` tells whether b was imposed (then ``sigma_b`` is 0).
    """

    a: float
    b: float
    sigma_b: float
    rate_per_year: float
    sigma_rate_per_year: float
    m_min: float
    n_events: int
    b_fixed: bool
    iterations: int


def weichert(
    mw: FloatArray,
    year: FloatArray,
    table: CompletenessTable,
    end_year: float,
    *,
    bin_width: float = 0.1,
    b_fixed: float | None = None,
    m_upper: float | None = None,
    b_start: float = 1.0,
    tol: float = 1e-8,
    max_iter: int = 200,
) -> GutenbergRichterFit:
    """Maximum-likelihood b-value and rate for magnitude bins with unequal observation periods (Weichert 1980).

    Events are binned from the table's smallest magnitude in ``bin_width`` steps; bin i (centre m_i, n_i events)
    is observed for t_i = ``end_year`` - (start year of its lower edge). beta = b ln10 solves Weichert's eq. (8),

        sum_i t_i m_i exp(-beta m_i) / sum_j t_j exp(-beta m_j) = sum_i n_i m_i / N,

    by Newton iteration; the standard error is 1/sqrt(N var_t(m)) (Weichert's eq. 10) and the annual rate above
    the lowest bin edge is N sum_i exp(-beta m_i) / sum_j t_j exp(-beta m_j) (eq. 9), with sigma = rate/sqrt(N).
    With ``b_fixed`` only the rate is estimated. Only events inside their completeness period are used.

    The sums run over every bin up to ``m_upper``, empty bins included (Weichert's magnitude classes are a
    chosen range, not just the occupied bins). The default (None) is the unbounded Gutenberg-Richter law:
    bins up to Mc + :data:`UNBOUNDED_SPAN_MW`, where the terms are negligible; with one completeness period
    this is the binned Aki-Utsu estimator beta = ln(1 + dm / (mean - m_c)) / dm. Summing only up to the largest
    observed bin (as some codes do) fits a GR law truncated there and biases b low for small samples.
    """
    m = np.asarray(mw, dtype=np.float64)
    y = np.asarray(year, dtype=np.float64)
    use = completeness_mask(y, m, table) & (y < end_year)
    m0 = table.mc
    idx = np.floor((m[use] - m0) / bin_width + 1e-6).astype(np.int64)
    top = m0 + UNBOUNDED_SPAN_MW if m_upper is None else m_upper
    n_bins = max(int(idx.max()) + 1 if idx.size else 1, round((top - m0) / bin_width))
    counts = np.bincount(idx, minlength=n_bins).astype(np.float64)
    lower: FloatArray = m0 + bin_width * np.arange(n_bins, dtype=np.float64)
    centre = lower + bin_width / 2
    t = end_year - table.start_for(lower)
    if np.any(t <= 0):
        raise InputError(
            f"weichert: end year {end_year} is not after every completeness start year.",
            code="input.inconsistent",
            field="end_year",
        )
    n = float(counts.sum())
    if n == 0:
        raise InputError(
            "weichert: no events inside the completeness periods; cannot estimate a rate.",
            code="input.empty",
            field="mw",
        )
    beta = (b_fixed if b_fixed is not None else b_start) * math.log(10.0)
    mean_m = float(np.sum(counts * centre) / n)
    iterations = 0
    if b_fixed is None:
        if np.count_nonzero(counts) < 2:
            raise InputError(
                "weichert: events in a single magnitude bin; b cannot be estimated (fix b).",
                code="input.inconsistent",
                field="mw",
            )
        for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
            w = t * np.exp(-beta * centre)
            s0, s1, s2 = float(w.sum()), float((w * centre).sum()), float((w * centre**2).sum())
            grad = n * (s1 / s0 - mean_m)  # dlnL/dbeta
            hess = -n * (s2 / s0 - (s1 / s0) ** 2)
            step = grad / hess
            beta -= step
            if abs(step) < tol:
                break
        else:
            raise InputError(
                f"weichert: no convergence in {max_iter} iterations.", code="input.inconsistent", field="b"
            )
    w = t * np.exp(-beta * centre)
    s0, s1, s2 = float(w.sum()), float((w * centre).sum()), float((w * centre**2).sum())
    var_m = s2 / s0 - (s1 / s0) ** 2
    sigma_beta = 0.0 if b_fixed is not None else 1.0 / math.sqrt(n * var_m)
    rate = n * float(np.exp(-beta * centre).sum()) / s0
    b = beta / math.log(10.0)
    return GutenbergRichterFit(
        a=math.log10(rate) + b * m0,
        b=b,
        sigma_b=sigma_beta / math.log(10.0),
        rate_per_year=rate,
        sigma_rate_per_year=rate / math.sqrt(n),
        m_min=m0,
        n_events=int(n),
        b_fixed=b_fixed is not None,
        iterations=iterations,
    )


def rate_without_events(b: float, table: CompletenessTable, end_year: float, n_equivalent: float) -> float:
    """Annual rate of Mw >= ``table.mc`` for a zone with no event in its completeness periods, given b.

    The zone is credited with ``n_equivalent`` events spread over the bins as a GR law with slope b would spread
    them (n_equivalent = ln 2 makes the observed zero count the median outcome of a Poisson count). Over a
    single completeness period T this is n_equivalent / T; with several periods the GR-weighted T is used.
    """
    beta = b * math.log(10.0)
    lower = np.asarray(table.mw, dtype=np.float64)
    upper = np.append(lower[1:], np.inf)
    p = np.exp(-beta * (lower - lower[0])) - np.exp(-beta * (upper - lower[0]))
    t = end_year - np.asarray(table.start_year, dtype=np.float64)
    return n_equivalent / float(np.sum(p * t))


def mmax_observed_plus(mw: FloatArray, increment: float, floor: float) -> tuple[float, float]:
    """Maximum magnitude as the largest observed Mw plus ``increment``, not below ``floor``: (mmax, max observed).

    The increment rule (EPRI-style "observed + 0.5") is a convention, not a statistical estimate; the floor keeps
    zones with few or no events from getting an Mmax below what the tectonic regime is judged able to produce.
    """
    m = np.asarray(mw, dtype=np.float64)
    observed = float(m.max()) if m.size else math.nan
    mmax = floor if not m.size else max(observed + increment, floor)
    return mmax, observed


def depth_distribution(depth_km: FloatArray, edges_km: Sequence[float]) -> list[tuple[float, float]]:
    """Hypocentral-depth distribution from a histogram: [(bin-centre depth km, probability)], probabilities in
    whole percent summing to exactly 1 (largest-remainder rounding), empty bins dropped.

    Depths outside the edges are clipped into the first or last bin, so every event counts. With no events the
    whole probability goes to the middle bin.
    """
    edges = np.asarray(edges_km, dtype=np.float64)
    if edges.size < 2 or np.any(np.diff(edges) <= 0):
        raise InputError(
            f"depth_distribution: bin edges must increase, got {list(edges_km)}.",
            code="input.inconsistent",
            field="hypo_depth_edges_km",
        )
    d = np.clip(np.asarray(depth_km, dtype=np.float64), edges[0], np.nextafter(edges[-1], -np.inf))
    counts = np.histogram(d, bins=edges)[0].astype(np.float64)
    centres = (edges[:-1] + edges[1:]) / 2
    if counts.sum() == 0:
        counts[(counts.size - 1) // 2] = 1.0
    share = counts / counts.sum() * 100.0
    pct = np.floor(share).astype(np.int64)
    order = np.lexsort((np.arange(share.size), -(share - pct)))
    pct[order[: 100 - int(pct.sum())]] += 1
    return [(float(c), int(p) / 100.0) for c, p in zip(centres, pct, strict=True) if p > 0]
