"""GMPE logic trees: the one branch type (:class:`GmpeBranch`) of scenarios, classical PSHA, event sets and the
logic-tree readers, and the check of their weights.

A branch names a registered ground-motion model (an OpenQuake class name such as ``BooreEtAl2014``, or an
alias) with its options; the model is built when the branch is, so an unknown model or option is refused
before any computation. Its ``name`` is the logic tree's branch id when it has one (``b1``, or nshmp-haz's
``SADIGH_97``), else the model; its ``label`` the model with its options (``BooreEtAl2014(region=JPN)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.hazard.earthquake.gmpe import GMPE, get_model
from kalkan.core.hazard.earthquake.gmpe.base import sa_period
from kalkan.errors import InputError

WEIGHT_TOLERANCE = 1e-6
"""Largest difference from 1 allowed for the sum of a logic tree's weights."""


@dataclass(frozen=True, slots=True)
class GmpeBranch:
    """One ground-motion model of a logic tree: the model's registered name, its options and its weight (0-1),
    the branch id of the logic-tree file (empty when none) and the tectonic region the branch applies to."""

    model: str
    weight: float = 1.0
    options: Mapping[str, Any] = field(default_factory=dict)
    branch_id: str = ""
    tectonic_region: str = "Active Shallow Crust"
    gmpe: GMPE = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", dict(self.options))
        object.__setattr__(self, "gmpe", get_model(self.model, **self.options))

    @property
    def name(self) -> str:
        """The branch id, or the model when the branch has none (the name results are recorded under)."""
        return self.branch_id or self.model

    @property
    def label(self) -> str:
        """The model with its options, e.g. ``BooreEtAl2014(region=JPN)``."""
        if not self.options:
            return self.model
        opts = ", ".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return f"{self.model}({opts})"


def branch_weights(branches: Sequence[GmpeBranch]) -> NDArray[np.float64]:
    """The branches' weights, refused unless there is a branch and they are >= 0 and sum to 1."""
    if not branches:
        raise InputError("no GMPE given.", code="input.missing", field="gmpe")
    w = np.array([b.weight for b in branches], dtype=np.float64)
    if (w < 0).any() or abs(float(w.sum()) - 1.0) > WEIGHT_TOLERANCE:
        raise InputError(
            f"GMPE branch weights must be >= 0 and sum to 1; got {w.tolist()}.",
            code="input.inconsistent",
            field="weight",
        )
    return w


def check_imts(branches: Sequence[GmpeBranch], imts: Sequence[str]) -> None:
    """Refuse an unknown intensity-measure name, or one a branch's model does not cover (an SA period between
    the tabulated ones is covered: its coefficients are interpolated)."""
    for imt in imts:
        sa_period(imt)
        for b in branches:
            if imt not in b.gmpe.supported_imts() and not imt.startswith("SA("):
                raise InputError(
                    f"GMPE {b.name} does not cover {imt}; it covers {', '.join(b.gmpe.supported_imts())}.",
                    code="input.unsupported",
                    field="imt",
                )


__all__ = ["WEIGHT_TOLERANCE", "GmpeBranch", "branch_weights", "check_imts"]
