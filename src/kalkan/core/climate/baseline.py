"""The one climate baseline period of Kalkan, 1995-2014, and how every climate output states it.

IPCC AR6 WGI gives future changes relative to 1995-2014, the modern reference period of the Atlas (Gutiérrez
et al. 2021) and of the scenario changes Kalkan applies (:mod:`kalkan.core.climate.scenarios`). Today's heat and
cold indicators and the drought calibration (:mod:`kalkan.core.climate.indicators`, :mod:`kalkan.core.climate.drought`)
are computed over the same years, so that a change is added to the climate it is a change from: a future
window shifted from 1995-2014 but applied to another baseline would mix two reference periods.

A series that does not cover all of 1995-2014 (the shipped CFSR points end in July 2014; a station with a gap
year) is used over the part it covers. The output then says which part and why - the period actually used -
instead of silently moving the baseline. A user may choose other years (``--baseline-years``,
``--calibration``); the output says so, and that the scenario changes stay relative to 1995-2014.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kalkan.errors import InputError

BASELINE_YEARS: tuple[int, int] = (1995, 2014)
"""The AR6 modern reference period, both years included."""
BASELINE_REFERENCE = "IPCC AR6 modern reference period, the baseline of the AR6 scenario changes"


def years_label(years: tuple[int, int]) -> str:
    """``1995-2014``."""
    return f"{years[0]}-{years[1]}"


BASELINE_LABEL = years_label(BASELINE_YEARS)


def parse_years(text: str, option: str) -> tuple[int, int]:
    """``"1995-2014"`` -> (1995, 2014), inclusive; errors name the option and the value."""
    try:
        first, last = (int(x) for x in text.split("-"))
    except ValueError as exc:
        raise InputError(
            f"{option} {text!r}: expected FIRST-LAST, e.g. {BASELINE_LABEL}.", code="input.type", field=option
        ) from exc
    if first > last:
        raise InputError(f"{option} {text!r}: the first year is after the last.", code="input.range", field=option)
    return first, last


def _reference(requested: tuple[int, int]) -> str:
    if tuple(requested) == BASELINE_YEARS:
        return BASELINE_REFERENCE
    return (
        f"chosen by the user instead of Kalkan's baseline {BASELINE_LABEL} ({BASELINE_REFERENCE}); the scenario "
        f"changes stay relative to {BASELINE_LABEL}"
    )


def period_of_years(
    requested: tuple[int, int] | None, kept: Sequence[int], excluded: Mapping[int, float]
) -> dict[str, Any]:
    """The baseline asked for and the years actually used (kept calendar years, and the excluded ones with
    their fraction of missing days), as an output states them. ``requested`` None: the whole series."""
    used = f"{min(kept)}-{max(kept)}" if kept else None
    if requested is None:
        return {
            "baseline": None,
            "baseline_years": None,
            "reference": f"the whole series (no baseline period chosen; Kalkan's baseline is {BASELINE_LABEL})",
            "period_used": used,
            "years_used": len(kept),
            "covers_baseline": None,
            "note": None,
        }
    n = requested[1] - requested[0] + 1
    covers = len(kept) == n
    note = None
    if not covers:
        gone = ", ".join(f"{y} ({frac:.0%} of days missing)" for y, frac in sorted(excluded.items()))
        note = (
            f"the series gives {len(kept)} of the {n} years of {years_label(requested)}"
            + (f" ({used}, not every year inside)" if used and len(kept) < max(kept) - min(kept) + 1 else "")
            + (f"; not used: {gone}" if gone else "")
            + "; the baseline is not moved to other years"
        )
    return {
        "baseline": years_label(requested),
        "baseline_years": list(requested),
        "reference": _reference(requested),
        "period_used": used,
        "years_used": len(kept),
        "covers_baseline": covers,
        "note": note,
    }


def period_of_months(
    requested: tuple[int, int], first_month: str, last_month: str, series_first: str, series_last: str
) -> dict[str, Any]:
    """The baseline asked for and the months actually used (``YYYY-MM``; the part of the baseline the series
    covers), as an output states them."""
    covers = first_month == f"{requested[0]}-01" and last_month == f"{requested[1]}-12"
    note = None
    if not covers:
        note = (
            f"the series ({series_first} to {series_last}) covers {first_month} to {last_month} of "
            f"{years_label(requested)}; the baseline is not moved to other years"
        )
    return {
        "baseline": years_label(requested),
        "baseline_years": list(requested),
        "reference": _reference(requested),
        "period_used": f"{first_month} to {last_month}",
        "covers_baseline": covers,
        "note": note,
    }


def statement(period: Mapping[str, Any]) -> str:
    """One printed line: ``Baseline 1995-2014 (IPCC AR6 ...); used 1995-2013: <note>``."""
    if period.get("baseline") is None:
        return f"Baseline: {period['reference']}; used {period['period_used']}"
    text = f"Baseline {period['baseline']} ({period['reference']}); used {period['period_used']}"
    if period.get("note"):
        text += f": {period['note']}"
    return text


__all__ = [
    "BASELINE_LABEL",
    "BASELINE_REFERENCE",
    "BASELINE_YEARS",
    "parse_years",
    "period_of_months",
    "period_of_years",
    "statement",
    "years_label",
]
