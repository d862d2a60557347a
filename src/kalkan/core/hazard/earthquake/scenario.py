"""Earthquake scenarios: one rupture, a GMPE logic tree and sites -> N correlated ground-motion fields per model,
as HazardSets (one per intensity measure) ready for the risk engine.

Each model of the logic tree is a *realisation*: N fields per realisation, so a run has (models x N) events.
An event of realisation r has frequency w_r / N, so that the engine's "annual" sums are the weighted average
over the logic tree (total average loss), and the mean over one realisation's events is that model's average
loss (OpenQuake's ``avg_losses`` per realisation). Realisation r draws its fields from its own seed, a hash of
the run's seed and r (:func:`branch_seed`), so realisations never share a random stream. The fields themselves
are :func:`kalkan.core.hazard.earthquake.gmf.simulate_fields`'.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from kalkan.core.bounds import MAX_GMF_VALUES
from kalkan.core.hazard.earthquake.distances import context_for, distances
from kalkan.core.hazard.earthquake.gmf import Correlation, simulate_fields
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch, branch_weights
from kalkan.core.hazard.earthquake.rupture import Rupture
from kalkan.core.hazard.earthquake.site import Sites
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.errors import InputError

GMF_BYTES_PER_VALUE = 40
"""Memory per ground-motion value over a run (float32 fields, their sparse copy and the loss kernel's work)."""

ProgressCallback = Callable[[int, str], None]
"""Called with a percentage (0-100) and what is being done."""


def dense_to_csr(dense: NDArray[np.float32]) -> sparse.csr_matrix:
    """CSR of a dense events x sites array without going through COO (10x faster for ground-motion fields,
    which are non-zero almost everywhere); exact zeros are left out."""
    n_rows, n_cols = dense.shape
    flat = dense.ravel()
    nz = np.flatnonzero(flat)
    if nz.size == flat.size:
        indices = np.tile(np.arange(n_cols, dtype=np.int32), n_rows)
        indptr = np.arange(0, (n_rows + 1) * n_cols, n_cols, dtype=np.int64)
        return sparse.csr_matrix((flat, indices, indptr), shape=dense.shape)
    counts = np.bincount(nz // n_cols, minlength=n_rows)
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return sparse.csr_matrix((flat[nz], (nz % n_cols).astype(np.int32), indptr), shape=dense.shape)


def branch_seed(seed: int, index: int) -> int:
    """Independent, reproducible seed of realisation ``index`` (a hash, so seeds never collide)."""
    digest = hashlib.sha256(f"kalkan-scenario:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def check_gmf_size(n_events: int, n_sites: int, n_imts: int, limit: int, where: str) -> None:
    """Refuse a ground-motion run of more than ``limit`` values (events x sites x IMTs), naming its size."""
    values = int(n_events) * int(n_sites) * int(n_imts)
    if values > limit:
        gib = values * GMF_BYTES_PER_VALUE / 2**30
        raise InputError(
            f"{where}: {n_events:,} events x {n_sites:,} sites x {n_imts} intensity measure(s) = {values:,} "
            f"ground-motion values, more than the limit of {limit:,} (this run would need about {gib:,.1f} GiB).",
            hint="lower the number of ground-motion fields, sites or IMTs, or raise the limit with "
            "--max-gmf-values N if the machine has the memory.",
            code="input.too_large",
            field="max_gmf_values",
        )


def simulate_scenario(
    rupture: Rupture,
    branches: Sequence[GmpeBranch],
    sites: Sites,
    imts: Sequence[str],
    *,
    n_fields: int,
    seed: int,
    truncation: float | None = 3.0,
    correlation: Correlation = None,
    vs30_clustering: bool = False,
    max_distance_km: float = 300.0,
    on_progress: ProgressCallback | None = None,
    max_gmf_values: int = MAX_GMF_VALUES,
    where: str = "The scenario",
) -> tuple[dict[str, HazardSet], list[str]]:
    """Ground-motion fields of every branch as one HazardSet per IMT (events = branches x n_fields), and the
    models' warnings (inputs outside their ranges). Sites beyond ``max_distance_km`` (Rjb) get no motion.
    A run of more than ``max_gmf_values`` values (events x sites x IMTs) is refused before anything is
    allocated (``where`` names the job in the message)."""
    if n_fields < 1:
        raise InputError("The number of ground-motion fields must be at least 1.", code="input.range", field="n_fields")
    check_gmf_size(len(branches) * n_fields, sites.lon.size, len(imts), max_gmf_values, where)
    branch_weights(branches)
    near = np.flatnonzero(distances(rupture, sites.lon, sites.lat).rjb <= max_distance_km)
    if near.size == 0:
        raise InputError(
            f"{where}: no site lies within {max_distance_km:g} km (Rjb) of the rupture "
            f"({sites.lon.size:,} site(s) given); check the rupture's location and the sites.",
            code="input.outside",
            field="max_distance_km",
        )
    ctx = context_for(rupture, sites.lon[near], sites.lat[near], sites.vs30_m_s[near], sites.vs30_measured[near],
                      sites.z1pt0_m[near], sites.z2pt5_km[near])  # fmt: skip
    warnings = [w for b in branches for w in b.gmpe.check(ctx)]
    n_sites = sites.lon.size
    dense_by_imt = {imt: np.zeros((len(branches) * n_fields, n_sites), dtype=np.float32) for imt in imts}
    for b, branch in enumerate(branches):
        gm = {imt: branch.gmpe.compute(ctx, imt) for imt in imts}
        fields = simulate_fields(gm, sites.lon[near], sites.lat[near], n_fields, seed=branch_seed(seed, b),
                                 truncation=truncation, correlation=correlation,
                                 vs30_clustering=vs30_clustering)  # fmt: skip
        for imt in imts:
            dense_by_imt[imt][b * n_fields : (b + 1) * n_fields][:, near] = fields[imt]
        if on_progress is not None:
            on_progress(int(100 * (b + 1) / len(branches)), f"ground-motion fields of {branch.label}")
    freq = np.concatenate([np.full(n_fields, br.weight / n_fields) for br in branches])
    realisation = np.repeat(np.arange(len(branches)), n_fields)
    hazards = {}
    for imt in imts:
        dense = dense_by_imt.pop(imt)
        hazards[imt] = HazardSet(
            peril="earthquake", imt=imt, unit="cm/s" if imt == "PGV" else "g", site_lon=sites.lon,
            site_lat=sites.lat, event_id=np.arange(1, dense.shape[0] + 1), frequency=freq,
            intensity=dense_to_csr(dense), realisation=realisation, owns_intensity=True,
            source=f"scenario M{rupture.mag:g}, {len(branches)} model(s) x {n_fields} fields, seed {seed}",
        )  # fmt: skip
    return hazards, warnings


def per_site_statistics(hazard: HazardSet) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Per site over a scenario's events: the mean, median and 84th percentile of the intensity (its unit)."""
    dense = hazard.intensity.toarray()
    return dense.mean(axis=0), np.percentile(dense, 50, axis=0), np.percentile(dense, 84, axis=0)


__all__ = [
    "GMF_BYTES_PER_VALUE",
    "branch_seed",
    "check_gmf_size",
    "dense_to_csr",
    "per_site_statistics",
    "simulate_scenario",
]
