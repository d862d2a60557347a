"""Classical probabilistic seismic hazard analysis: hazard curves, logic-tree statistics, UHS, disaggregation.

Cornell, C. A. (1968). Engineering seismic risk analysis. *Bull. Seismol. Soc. Am.* 58(5), 1583-1606;
McGuire, R. K. (2004). *Seismic Hazard and Risk Analysis*. EERI Monograph MNO-10. The annual rate at which
an intensity measure exceeds a level x at a site is the sum over ruptures of their annual rates times the
probability that the ground motion of the rupture exceeds x:

    lambda(x) = sum_r rate_r P(ln IM > ln x | rupture r),   P from the GMPE's ln-mean and sigma;

and, ruptures occurring as a Poisson process, the probability of at least one exceedance in T years is
1 - exp(-lambda T). Arrays are computed at once for blocks of ruptures x all sites x all levels (the block
size bounds memory), one GMPE call per block and intensity measure.

Exceedance models (how P is computed from the mean mu and sigma; nshmp-haz's names, used by the PEER cases):

- ``NONE``: no ground-motion variability, P = 1 when ln x < mu, else 0 (PEER Set 1 Cases 1-7, sigma = 0);
- ``TRUNCATION_OFF``: the complementary normal CDF, untruncated;
- ``TRUNCATION_UPPER_ONLY``: the normal distribution truncated above mu + n sigma and renormalised,
  P = (Q(eps) - Q(n)) / (1 - Q(n)) clipped to [0, 1], Q the standard normal survival function;
- ``TRUNCATION_LOWER_UPPER``: truncated at mu - n sigma and mu + n sigma (OpenQuake's ``truncation_level``);
- ``PEER_MIXTURE_MODEL``: the mean of two normals with 0.8 sigma and 1.2 sigma (PEER 2018/03, Set 2
  Case 5; nshmp-haz fixes sigma = 0.65 there, give ``fixed_sigma``).

Logic trees: each GMPE branch gives a curve; the mean curve is the weighted mean of the branches'
probabilities (OpenQuake's rule), fractiles the weighted quantiles (values sorted, cumulative weights, linear
interpolation). Uniform hazard spectra: the level with a given probability of exceedance, interpolated
log-log on each curve. Disaggregation: each rupture's share of the exceedance rate at one level, binned by
magnitude and distance (McGuire 1995, Probabilistic seismic hazard analysis and design earthquakes: closing
the loop, *Bull. Seismol. Soc. Am.* 85(5), 1275-1284).

A rupture farther than ``max_distance_km`` (Rrup) from a site contributes nothing there. Warnings from the
GMPEs (magnitudes or distances outside their data) and sites with no rupture within the distance are
recorded in the result rather than printed.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch, branch_weights, check_imts
from kalkan.core.hazard.earthquake.site import Sites
from kalkan.core.hazard.earthquake.sources import RuptureSet
from kalkan.errors import InputError

Floats: TypeAlias = NDArray[np.float64]

__all__ = [
    "EXCEEDANCE_MODELS",
    "Disaggregation",
    "ExceedanceModel",
    "HazardCurves",
    "disaggregate",
    "exceedance_probability",
    "exceedance_rates",
    "hazard_curves",
    "interpolate_iml",
    "weighted_quantile",
]

EXCEEDANCE_MODELS = (
    "NONE",
    "TRUNCATION_OFF",
    "TRUNCATION_UPPER_ONLY",
    "TRUNCATION_LOWER_UPPER",
    "PEER_MIXTURE_MODEL",
)
BLOCK_ELEMENTS = 2_000_000
"""Ruptures x sites x levels computed at once (bounds memory to a few tens of MB per array)."""


@dataclass(frozen=True, slots=True)
class ExceedanceModel:
    """How P(IM > x | rupture) follows from the GMPE's mean and sigma (see the module docstring)."""

    kind: str = "TRUNCATION_OFF"
    n_sigma: float = 3.0
    fixed_sigma: float | None = None

    def __post_init__(self) -> None:
        kind = self.kind.upper()
        if kind not in EXCEEDANCE_MODELS:
            raise InputError(
                f"Unknown exceedance model {self.kind!r}; supported: {', '.join(EXCEEDANCE_MODELS)}.",
                code="input.unknown",
                field="exceedance_model",
            )
        object.__setattr__(self, "kind", kind)
        if not (math.isfinite(self.n_sigma) and self.n_sigma > 0):
            raise InputError(
                f"truncation level {self.n_sigma} must be a positive number of standard deviations.",
                code="input.range",
                field="truncation_level",
            )
        if self.fixed_sigma is not None and not self.fixed_sigma > 0:
            raise InputError(
                f"fixed_sigma {self.fixed_sigma} must be positive.", code="input.range", field="fixed_sigma"
            )


def exceedance_probability(mean: Floats, sigma: Floats, ln_levels: Floats, model: ExceedanceModel) -> Floats:
    """P(ln IM > ln x) of shape ``mean.shape + (levels,)`` for ln-means and sigmas (ln units)."""
    mu = mean[..., None]
    if model.kind == "NONE":
        return np.asarray(ln_levels < mu, dtype=np.float64)
    sig = (sigma if model.fixed_sigma is None else np.full_like(mean, model.fixed_sigma))[..., None]
    if model.kind == "PEER_MIXTURE_MODEL":
        return np.asarray(0.5 * (ndtr((mu - ln_levels) / (0.8 * sig)) + ndtr((mu - ln_levels) / (1.2 * sig))))
    p = ndtr((mu - ln_levels) / sig)
    if model.kind == "TRUNCATION_OFF":
        return np.asarray(p, dtype=np.float64)
    p_hi = float(ndtr(-model.n_sigma))
    p_lo = 1.0 if model.kind == "TRUNCATION_UPPER_ONLY" else 1.0 - p_hi
    return np.asarray(np.clip((p - p_hi) / (p_lo - p_hi), 0.0, 1.0), dtype=np.float64)


# --------------------------------------------------------------------------------------------- kernel


def _context(block: RuptureSet, d: dict[str, Floats], sites: Sites) -> Context:
    n_sites = len(sites)

    def per_rup(a: Floats) -> Floats:
        return np.repeat(a, n_sites)

    def per_site(a: NDArray[np.generic]) -> NDArray[np.generic]:
        return np.tile(a, len(block))

    width = block.width if block.finite else np.full(len(block), 0.0)
    return Context(
        mag=per_rup(block.mag),
        rake=per_rup(block.rake),
        dip=per_rup(block.dip),
        ztor=per_rup(block.ztor),
        hypo_depth=per_rup(block.hypo_depth),
        width=per_rup(width),
        rrup=d["rrup"].ravel(),
        rjb=d["rjb"].ravel(),
        rx=d["rx"].ravel(),
        ry0=d["ry0"].ravel(),
        rhypo=d["rhypo"].ravel(),
        vs30=per_site(sites.vs30_m_s),  # type: ignore[arg-type]
        vs30measured=per_site(sites.vs30_measured),  # type: ignore[arg-type]
        z1pt0=per_site(sites.z1pt0_m),  # type: ignore[arg-type]
        z2pt5=per_site(sites.z2pt5_km),  # type: ignore[arg-type]
    )


def _blocks(n_rup: int, n_sites: int, n_levels: int) -> list[slice]:
    size = max(1, BLOCK_ELEMENTS // max(1, n_sites * n_levels))
    return [slice(i, min(i + size, n_rup)) for i in range(0, n_rup, size)]


def exceedance_rates(
    ruptures: RuptureSet,
    gmpe: GMPE,
    sites: Sites,
    levels: dict[str, Floats],
    model: ExceedanceModel,
    *,
    max_distance_km: float = 300.0,
    warnings: list[str] | None = None,
) -> Floats:
    """Annual rates (1/yr) at which each IMT exceeds each level at each site from one rupture set: an
    array of shape (sites, IMTs, levels), levels in g (PGA, SA) or cm/s (PGV)."""
    imts = list(levels)
    n_lev = max(v.size for v in levels.values())
    out = np.zeros((len(sites), len(imts), n_lev))
    ln_levels = {imt: np.log(np.asarray(v, dtype=np.float64)) for imt, v in levels.items()}
    for sl in _blocks(len(ruptures), len(sites), n_lev * len(imts)):
        block = ruptures.take(sl)
        d = block.distances(sites.lon, sites.lat)
        near = d["rrup"] <= max_distance_km
        if not near.any():
            continue
        ctx = _context(block, d, sites)
        if warnings is not None:
            # range checks on the pairs that count (within the integration distance), not on skipped ones
            flat = near.ravel()
            checked = ctx if flat.all() else dataclasses.replace(
                ctx, **{f.name: getattr(ctx, f.name)[flat] for f in dataclasses.fields(ctx)
                        if np.size(getattr(ctx, f.name)) == flat.size}
            )  # fmt: skip
            seen = {re.sub(r"\d+", "#", w) for w in warnings}
            for w in gmpe.check(checked):
                if re.sub(r"\d+", "#", w) not in seen:  # one message per kind, not one per block
                    warnings.append(w)
        weight = block.rate[:, None] * near  # (r, s)
        for k, imt in enumerate(imts):
            gm = gmpe.compute(ctx, imt)
            shape = (len(block), len(sites))
            poe = exceedance_probability(gm.mean.reshape(shape), gm.sigma.reshape(shape), ln_levels[imt], model)
            out[:, k, : ln_levels[imt].size] += np.einsum("rs,rsl->sl", weight, poe)
    return out


@dataclass(frozen=True, slots=True)
class HazardCurves:
    """Hazard curves of every GMPE branch: annual exceedance rates of shape (branches, sites, IMTs, levels)."""

    sites: Sites
    imts: tuple[str, ...]
    levels: dict[str, Floats]
    branch_names: tuple[str, ...]
    weights: Floats
    rates: Floats
    investigation_time: float = 1.0
    warnings: tuple[str, ...] = ()

    def poe(self, investigation_time: float | None = None) -> Floats:
        """Poisson probability of exceedance in ``investigation_time`` years (default: the result's), per
        branch: 1 - exp(-rate x T)."""
        t = self.investigation_time if investigation_time is None else investigation_time
        return np.asarray(-np.expm1(-self.rates * t), dtype=np.float64)

    def mean_poe(self, investigation_time: float | None = None) -> Floats:
        """Weighted mean over branches of the probabilities of exceedance (sites, IMTs, levels)."""
        return np.asarray(np.tensordot(self.weights, self.poe(investigation_time), axes=1), dtype=np.float64)

    def quantile_poe(self, q: float, investigation_time: float | None = None) -> Floats:
        """Weighted ``q`` quantile over branches of the probabilities of exceedance (sites, IMTs, levels)."""
        return weighted_quantile(self.poe(investigation_time), self.weights, q)


def weighted_quantile(values: Floats, weights: Floats, q: float) -> Floats:
    """Quantile ``q`` along axis 0 of ``values`` with branch ``weights`` (OpenQuake's rule: sort, cumulate the
    weights, interpolate linearly); one branch returns itself."""
    if not 0.0 <= q <= 1.0:
        raise InputError(f"quantile {q} must be in [0, 1].", code="input.range", field="quantile")
    w = np.asarray(weights, dtype=np.float64)
    if values.shape[0] == 1:
        return np.asarray(values[0], dtype=np.float64)
    order = np.argsort(values, axis=0)
    sorted_v = np.take_along_axis(values, order, axis=0)
    cum = np.cumsum(w[order], axis=0)
    flat_v = sorted_v.reshape(sorted_v.shape[0], -1)
    flat_c = cum.reshape(cum.shape[0], -1)
    out = np.array([np.interp(q, flat_c[:, j], flat_v[:, j]) for j in range(flat_v.shape[1])])
    return out.reshape(values.shape[1:])


def _check_levels(imts: Sequence[str], levels: dict[str, ArrayLike] | ArrayLike) -> dict[str, Floats]:
    if not imts:
        raise InputError("no intensity measure type given.", code="input.missing", field="imt")
    out: dict[str, Floats] = {}
    for imt in imts:
        raw = levels[imt] if isinstance(levels, dict) else levels
        v = np.atleast_1d(np.asarray(raw, dtype=np.float64))
        if v.size == 0 or not np.all(np.isfinite(v)) or (v <= 0).any():
            raise InputError(f"{imt}: intensity levels must be positive numbers.", code="input.range", field="levels")
        if (np.diff(v) <= 0).any():
            raise InputError(f"{imt}: intensity levels must increase.", code="input.inconsistent", field="levels")
        out[imt] = v
    return out


def hazard_curves(
    rupture_sets: Sequence[RuptureSet],
    branches: Sequence[GmpeBranch],
    sites: Sites,
    imts: Sequence[str],
    levels: dict[str, ArrayLike] | ArrayLike,
    *,
    model: ExceedanceModel | None = None,
    max_distance_km: float = 300.0,
    investigation_time: float = 1.0,
) -> HazardCurves:
    """Hazard curves at ``sites`` for each GMPE branch from all ``rupture_sets`` (classical PSHA)."""
    weights = branch_weights(branches)
    if not (math.isfinite(investigation_time) and investigation_time > 0):
        raise InputError(
            f"investigation time {investigation_time} must be a positive number of years.",
            code="input.range",
            field="investigation_time",
        )
    if not (math.isfinite(max_distance_km) and max_distance_km > 0):
        raise InputError(
            f"maximum distance {max_distance_km} must be a positive number of km.",
            code="input.range",
            field="max_distance_km",
        )
    lv = _check_levels(imts, levels)
    check_imts(branches, imts)  # an unknown or uncovered IMT is an error here, before any computation
    model = model or ExceedanceModel()
    warnings: list[str] = []
    n_lev = max(v.size for v in lv.values())
    rates = np.zeros((len(branches), len(sites), len(imts), n_lev))
    for i, b in enumerate(branches):
        for rs in rupture_sets:
            rates[i] += exceedance_rates(
                rs, b.gmpe, sites, lv, model, max_distance_km=max_distance_km, warnings=warnings
            )
    near = np.zeros(len(sites), dtype=bool)
    for rs in rupture_sets:
        for sl in _blocks(len(rs), len(sites), 1):
            near |= (rs.take(sl).distances(sites.lon, sites.lat)["rrup"] <= max_distance_km).any(axis=0)
    for k in np.flatnonzero(~near):
        warnings.append(
            f"site {sites.names[k]!r} has no rupture within {max_distance_km:g} km; its hazard is zero (the site "
            "may lie outside the source model's area)."
        )
    return HazardCurves(
        sites, tuple(imts), lv, tuple(b.name for b in branches), weights, rates, investigation_time, tuple(warnings)
    )


def interpolate_iml(levels: Floats, poes: Floats, target_poe: float) -> float:
    """The level with probability of exceedance ``target_poe`` on a curve, interpolated log-log; NaN when the
    target lies outside the curve's probabilities (no extrapolation)."""
    if not 0.0 < target_poe < 1.0:
        raise InputError(f"target probability {target_poe} must be in (0, 1).", code="input.range", field="poe")
    p = np.asarray(poes, dtype=np.float64)
    ok = p > 0
    if ok.sum() < 1 or target_poe > p[ok].max() or target_poe < p[ok].min():
        return math.nan
    x, lp = np.log(np.asarray(levels, dtype=np.float64)[ok]), np.log(p[ok])
    if lp.size == 1:
        return float(np.exp(x[0]))
    # poes decrease with level: interpolate on the reversed arrays
    return float(np.exp(np.interp(math.log(target_poe), lp[::-1], x[::-1])))


def uniform_hazard_spectra(curves: Floats, levels: dict[str, Floats], imts: Sequence[str], target_poe: float) -> Floats:
    """Levels at ``target_poe`` per site and IMT (sites, IMTs) from curves (sites, IMTs, levels) of
    probabilities of exceedance; NaN where the target lies outside a curve."""
    out = np.full((curves.shape[0], len(imts)), math.nan)
    for s in range(curves.shape[0]):
        for k, imt in enumerate(imts):
            lv = levels[imt]
            out[s, k] = interpolate_iml(lv, curves[s, k, : lv.size], target_poe)
    return out


# --------------------------------------------------------------------------------------------- disaggregation


@dataclass(frozen=True, slots=True)
class Disaggregation:
    """Fractions of the exceedance rate at one level and site by magnitude (rows) and Rrup (columns) bins."""

    site: str
    imt: str
    level: float
    total_rate: float
    mag_edges: Floats
    dist_edges: Floats
    fractions: Floats
    mean_mag: float
    mean_dist_km: float

    def mode(self) -> tuple[float, float]:
        """Centres of the magnitude and distance bins with the largest share."""
        i, j = np.unravel_index(int(np.argmax(self.fractions)), self.fractions.shape)
        return (
            float(0.5 * (self.mag_edges[i] + self.mag_edges[i + 1])),
            float(0.5 * (self.dist_edges[j] + self.dist_edges[j + 1])),
        )


def disaggregate(
    rupture_sets: Sequence[RuptureSet],
    branches: Sequence[GmpeBranch],
    sites: Sites,
    site: str,
    imt: str,
    level: float,
    *,
    model: ExceedanceModel | None = None,
    mag_bin: float = 0.5,
    dist_bin_km: float = 10.0,
    max_distance_km: float = 300.0,
) -> Disaggregation:
    """Disaggregation by magnitude and Rrup of the weighted mean (over branches) exceedance rate of ``level``
    (g or cm/s) of ``imt`` at the site named ``site``."""
    if site not in sites.names:
        raise InputError(
            f"disaggregation site {site!r} is not among the sites ({', '.join(sites.names)}).",
            code="input.unknown",
            field="site",
        )
    if not (level > 0 and math.isfinite(level)):
        raise InputError(f"disaggregation level {level} must be a positive number.", code="input.range", field="level")
    k = sites.names.index(site)
    one = sites.take(slice(k, k + 1))
    model = model or ExceedanceModel()
    mags, dists, contrib = [], [], []
    ln_level = np.array([math.log(level)])
    for rs in rupture_sets:
        for sl in _blocks(len(rs), 1, 1):
            block = rs.take(sl)
            d = block.distances(one.lon, one.lat)
            ctx = _context(block, d, one)
            c = np.zeros(len(block))
            for b in branches:
                gm = b.gmpe.compute(ctx, imt)
                c += b.weight * exceedance_probability(gm.mean, gm.sigma, ln_level, model)[:, 0]
            c *= block.rate * (d["rrup"][:, 0] <= max_distance_km)
            mags.append(block.mag)
            dists.append(d["rrup"][:, 0])
            contrib.append(c)
    m, r, c = np.concatenate(mags), np.concatenate(dists), np.concatenate(contrib)
    total = float(c.sum())
    m_edges = np.arange(math.floor(m.min() / mag_bin) * mag_bin, m.max() + mag_bin, mag_bin)
    if m_edges.size < 2:
        m_edges = np.array([m_edges[0], m_edges[0] + mag_bin])
    d_edges = np.arange(0.0, min(max_distance_km, float(r.max())) + dist_bin_km, dist_bin_km)
    hist, _, _ = np.histogram2d(m, np.minimum(r, d_edges[-1] - 1e-9), bins=[m_edges, d_edges], weights=c)
    if total <= 0:
        return Disaggregation(site, imt, level, 0.0, m_edges, d_edges, hist, math.nan, math.nan)
    return Disaggregation(
        site,
        imt,
        level,
        total,
        m_edges,
        d_edges,
        hist / total,
        float((m * c).sum() / total),
        float((r * c).sum() / total),
    )
