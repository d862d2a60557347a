"""Monthly regional climate series of many models and experiments as one dense cube (the AR6 Atlas data's shape).

The reader is :func:`kalkan.io.ar6.read_monthly_cube`; the scenario and precipitation modules compute on the cube.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class MonthlyCube:
    """Monthly regional means as a dense cube, NaN where the source has no value.

    ``values[model, experiment, region, year - first_year, month - 1]`` (tas in °C, pr in mm/day);
    ``members[model][experiment]`` is the run the Atlas chose (e.g. ``r1i1p1f1``), ``""`` where the model has no
    run of that experiment. Dense because every consumer needs whole years and windows; float64 keeps the 3
    source decimals exact.
    """

    path: str
    models: tuple[str, ...]
    experiments: tuple[str, ...]
    regions: tuple[str, ...]
    first_year: int
    members: tuple[tuple[str, ...], ...]
    values: npt.NDArray[np.float64]

    def has_run(self, model: str, experiment: str) -> bool:
        """Whether the file holds any value of this model and experiment."""
        return bool(self.members[self.models.index(model)][self.experiments.index(experiment)])
