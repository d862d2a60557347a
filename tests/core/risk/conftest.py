"""Small builders for engine tests."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.vulnerability.functions import VulnerabilityFunction


def hazard(dense: ArrayLike, freq: ArrayLike, *, dtype: type = np.float64) -> HazardSet:
    m: NDArray[np.floating] = np.asarray(dense, dtype=dtype)  # type: ignore[type-arg]
    n_sites = m.shape[1]
    return HazardSet(
        peril="earthquake",
        imt="PGA",
        unit="g",
        site_lon=np.linspace(68.0, 69.0, n_sites),
        site_lat=np.full(n_sites, 38.5),
        event_id=np.arange(1, m.shape[0] + 1),
        frequency=np.asarray(freq, dtype=np.float64),
        intensity=sparse.csr_matrix(m),
    )


def exposure(values: ArrayLike, *, taxonomy: list[str] | None = None, **costs: NDArray[np.float64]) -> Exposure:
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    return Exposure(
        id=np.array([f"a{i}" for i in range(n)], dtype=object),
        lon=np.full(n, 68.5),
        lat=np.full(n, 38.5),
        taxonomy=np.array(taxonomy if taxonomy is not None else ["T"] * n, dtype=object),
        costs={"structural": np.asarray(values, dtype=np.float64), **costs},
    )


def linear(fid: str = "lin", loss_type: str = "structural", top: float = 1.0) -> VulnerabilityFunction:
    """Loss ratio = intensity / 2 up to 2 g (then 1): easy to compute by hand."""
    return VulnerabilityFunction(fid, "PGA", "g", np.array([0.0, 2.0]), np.array([0.0, top]), loss_type=loss_type)
