"""Attribution of a change in risk to hazard change and exposure change.

Given a risk metric R (e.g. AAL) computed four times, with today's or the future hazard H and exposure E:

* R00 = R(H0, E0) today, R10 = R(H1, E0) future hazard only, R01 = R(H0, E1) future exposure only,
  R11 = R(H1, E1) both;
* one-at-a-time effects: hazard effect = R10 - R00, exposure effect = R01 - R00, interaction =
  R11 - R10 - R01 + R00, and they sum to the total change R11 - R00 exactly;
* Shapley split (the average of both orders of switching the two factors on; Shapley 1953, as used for
  index decomposition by Ang, Liu & Chung 2004, Energy Economics 26, 757-763):
  hazard = ((R10 - R00) + (R11 - R01)) / 2, exposure = ((R01 - R00) + (R11 - R10)) / 2, which gives each
  factor half the interaction and also sums to the total change.

When risk is linear in exposure values and the growth is one factor v for every asset (as for SSP growth of
a city), R01 = v R00 and R11 = v R10, so the interaction is (v - 1)(R10 - R00): a hazard change weighs more
on a larger exposure. Units are those of the metric (e.g. currency of the price year per year).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kalkan.errors import InputError


@dataclass(frozen=True, slots=True)
class RiskChange:
    """The four runs of a metric and the decomposition of its change (same unit as the metric)."""

    today: float
    hazard_only: float
    exposure_only: float
    future: float

    @property
    def total_change(self) -> float:
        return self.future - self.today

    @property
    def hazard_effect(self) -> float:
        """Change from the future hazard alone, today's exposure."""
        return self.hazard_only - self.today

    @property
    def exposure_effect(self) -> float:
        """Change from the future exposure alone, today's hazard."""
        return self.exposure_only - self.today

    @property
    def interaction(self) -> float:
        """What neither factor alone explains: R11 - R10 - R01 + R00."""
        return self.future - self.hazard_only - self.exposure_only + self.today

    @property
    def shapley_hazard(self) -> float:
        return 0.5 * ((self.hazard_only - self.today) + (self.future - self.exposure_only))

    @property
    def shapley_exposure(self) -> float:
        return 0.5 * ((self.exposure_only - self.today) + (self.future - self.hazard_only))

    def as_dict(self, unit: str | None = None) -> dict[str, Any]:
        """JSON-ready: the four values, both decompositions, and the changes as percent of today's value."""

        def pct(x: float) -> float | None:
            return 100.0 * x / self.today if self.today > 0 else None

        out: dict[str, Any] = {
            "today": self.today,
            "hazard_only": self.hazard_only,
            "exposure_only": self.exposure_only,
            "future": self.future,
            "total_change": self.total_change,
            "one_at_a_time": {
                "hazard_effect": self.hazard_effect,
                "exposure_effect": self.exposure_effect,
                "interaction": self.interaction,
            },
            "shapley": {"hazard": self.shapley_hazard, "exposure": self.shapley_exposure},
            "percent_of_today": {
                "total_change": pct(self.total_change),
                "hazard_effect": pct(self.hazard_effect),
                "exposure_effect": pct(self.exposure_effect),
                "interaction": pct(self.interaction),
                "shapley_hazard": pct(self.shapley_hazard),
                "shapley_exposure": pct(self.shapley_exposure),
            },
        }
        if unit is not None:
            out["unit"] = unit
        return out


def decompose(today: float, hazard_only: float, exposure_only: float, future: float) -> RiskChange:
    """Decompose the change from ``today`` (H0, E0) to ``future`` (H1, E1) given the runs with only the hazard
    (H1, E0) and only the exposure (H0, E1) changed; values must be finite and >= 0."""
    values = {"today": today, "hazard_only": hazard_only, "exposure_only": exposure_only, "future": future}
    for name, value in values.items():
        if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
            raise InputError(
                f"Risk attribution: '{name}' is {value!r}; expected a finite value >= 0.",
                code="input.range",
                field=name,
            )
    return RiskChange(float(today), float(hazard_only), float(exposure_only), float(future))
