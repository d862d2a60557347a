"""The standard return periods of every Kalkan output, their text keys, and the one rule that reads a loss at
a return period (implemented in :mod:`kalkan.core.risk.metrics`; documented in docs/return-periods.md).

Pure Python (no NumPy), so that command-line modules can show the defaults without slowing start-up.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from kalkan.errors import InputError

STANDARD_RETURN_PERIODS: tuple[int, ...] = (10, 25, 50, 100, 250, 475, 500, 1000, 2475)
"""Return periods (years) of every loss table Kalkan writes (``risk run``/``show``, ``risk future``, ``risk
combine``, ``city event-risk``, the city profile). The union of the sets the commands used before
(10-1000 in ``risk run``, 100/250/475/2475 in ``city event-risk``) and of the profile's 10/50/100/250/475/
1000/2475, so that every earlier ``--json`` key stays present. 475 and 2475 years are the 10 % and 2 % in 50
years of building codes; 25 and 500 are kept for the existing keys."""

RP_RELATIVE_TOLERANCE = 1e-9
"""Return periods within this relative difference count as equal: an exceedance frequency is a float sum of
event frequencies (0.001 added 100 times is not exactly 0.1), and a point of the curve at 100 years must
answer the question "the 100-year loss" whatever the rounding of that sum."""

RULE = (
    "occurrence exceedance frequency lambda(x) = sum of the annual frequencies of the events with loss >= x "
    "(a step function); return period = 1 / lambda; loss at return period T = the largest event loss x with "
    "lambda(x) >= 1/T (the loss reached or exceeded at least once in T years on average), 0 when no event is "
    "that frequent (T < 1 / total frequency), the largest loss beyond the longest simulated return period; "
    "no interpolation, so the value depends on the event loss table and T only"
)
"""The rule, in words, as written into summaries (``return_period_definition``)."""


def rp_key(return_period_years: float) -> str:
    """The text key of a return period in JSON and file names: ``100``, ``2475``, ``12.5``."""
    t = float(return_period_years)
    return str(int(t)) if t.is_integer() else str(t)


def rp_keys(return_periods_years: Iterable[float]) -> list[str]:
    """:func:`rp_key` of each return period, in order."""
    return [rp_key(t) for t in return_periods_years]


def standard_text() -> str:
    """The standard return periods as a command-line default: ``10,25,50,...``."""
    return ",".join(rp_keys(STANDARD_RETURN_PERIODS))


def check_return_periods(values: Sequence[float], where: str = "return periods") -> tuple[float, ...]:
    """The values as floats (years) if each is finite and positive; else :class:`InputError` naming ``where``."""
    out = tuple(float(v) for v in values)
    if not out:
        raise InputError(f"{where}: give at least one return period (years).", code="input.missing", field=where)
    for k, t in enumerate(out):
        if not (math.isfinite(t) and t > 0):
            raise InputError(
                f"{where}: value #{k + 1} is {values[k]!r}; expected a positive number of years.",
                code="input.range",
                field=where,
            )
    return out


def parse_return_periods(text: str, option: str = "--return-periods") -> tuple[float, ...]:
    """``"10,100,475"`` -> (10.0, 100.0, 475.0); errors name the option and the value."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    values: list[float] = []
    for k, part in enumerate(parts):
        try:
            values.append(float(part))
        except ValueError as exc:
            raise InputError(
                f"{option}: value #{k + 1} is {part!r}; expected return periods in years separated by commas, "
                "e.g. 10,100,475.",
                code="input.type",
                field=option,
            ) from exc
    return check_return_periods(values, option)


def with_standard(return_periods_years: Iterable[float]) -> tuple[float, ...]:
    """The standard return periods plus any others asked for, ascending (each once)."""
    return tuple(sorted({float(t) for t in STANDARD_RETURN_PERIODS} | {float(t) for t in return_periods_years}))


__all__ = [
    "RP_RELATIVE_TOLERANCE",
    "RULE",
    "STANDARD_RETURN_PERIODS",
    "check_return_periods",
    "parse_return_periods",
    "rp_key",
    "rp_keys",
    "standard_text",
    "with_standard",
]
