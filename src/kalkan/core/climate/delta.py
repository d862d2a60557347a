"""Climate-shifted daily series by the delta (change-factor) method.

Each day's Tmax, Tmin and Tmean get the warming of its calendar month, ΔT_m in °C (e.g. a CMIP6 ensemble
change between a future and the baseline period). This is the classic "delta change" approach (Hay, Wilby &
Leavesley 2000, JAWRA 36(2), 387–397; IPCC TGICA 2007 guidance on scenario construction).

Limits, on purpose: only the monthly mean shifts. Day-to-day variability, the diurnal range, the length and
sequence of spells and the gaps of the baseline are those of the baseline series, so changes in the
*variability* of extremes (which CMIP6 projects in some regions) are not represented; indicators of the
shifted series are therefore conditional on "the baseline weather, warmer by ΔT".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from kalkan.core.climate.series import DailySeries
from kalkan.errors import InputError

#: Largest monthly change accepted, °C: beyond any CMIP6 regional projection to 2100.
MAX_ABS_DELTA_C = 20.0


def validate_monthly_delta(monthly_delta_c: Sequence[float]) -> tuple[float, ...]:
    """Twelve finite monthly changes (January first), in °C, each within ±20 °C."""
    values = tuple(float(x) for x in monthly_delta_c)
    if len(values) != 12:
        raise InputError(
            f"monthly_delta_c: expected 12 values (January…December, °C), got {len(values)}.",
            code="input.inconsistent",
            field="monthly_delta_c",
        )
    for i, v in enumerate(values, start=1):
        if not math.isfinite(v) or abs(v) > MAX_ABS_DELTA_C:
            raise InputError(
                f"monthly_delta_c, month {i}: expected a finite change within ±{MAX_ABS_DELTA_C:g} °C, got {v!r}.",
                code="input.range",
                field="monthly_delta_c",
            )
    return values


def shift(series: DailySeries, monthly_delta_c: Sequence[float]) -> DailySeries:
    """The series with each month's ΔT (°C) added to Tmax, Tmin and Tmean; gaps stay gaps."""
    delta = np.asarray(validate_monthly_delta(monthly_delta_c))
    per_day = delta[series.months - 1]

    def add(x: np.ndarray | None) -> np.ndarray | None:
        return None if x is None else x + per_day

    shown = ", ".join(f"{d:+.2f}" for d in delta)
    return DailySeries(
        dates=series.dates,
        tmax_c=add(series.tmax_c),
        tmin_c=add(series.tmin_c),
        tmean_c=add(series.tmean_c),
        source=f"{series.source} + monthly delta [{shown}] °C (delta method)",
        kind=series.kind,
        licence=series.licence,
        gaps=series.gaps,
        notes=(*series.notes, "Delta method: monthly mean shifted, variability unchanged."),
    )
