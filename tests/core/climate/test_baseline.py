"""The one climate baseline period and how outputs state the part of it a series covers."""

from __future__ import annotations

import pytest

from kalkan.core.climate import drought, scenarios
from kalkan.core.climate.baseline import (
    BASELINE_YEARS,
    parse_years,
    period_of_months,
    period_of_years,
    statement,
)
from kalkan.errors import InputError
from tests.errors import expect_error


def test_one_baseline_everywhere() -> None:
    assert BASELINE_YEARS == (1995, 2014)  # IPCC AR6 WGI's modern reference period
    assert scenarios.BASELINE.label == "1995-2014"
    assert (scenarios.BASELINE.first_year, scenarios.BASELINE.last_year) == BASELINE_YEARS
    assert drought.CALIBRATION_YEARS is BASELINE_YEARS


def test_years_used_by_hand() -> None:
    full = period_of_years(BASELINE_YEARS, list(range(1995, 2015)), {})
    assert full["period_used"] == "1995-2014" and full["covers_baseline"] is True and full["note"] is None
    short = period_of_years(BASELINE_YEARS, list(range(1995, 2014)), {2014: 0.4192})
    assert short["period_used"] == "1995-2013" and short["years_used"] == 19 and short["covers_baseline"] is False
    assert short["note"] == (
        "the series gives 19 of the 20 years of 1995-2014; not used: 2014 (42% of days missing); "
        "the baseline is not moved to other years"
    )
    holed = period_of_years(BASELINE_YEARS, [y for y in range(1995, 2015) if y != 2000], {2000: 0.5})
    assert "(1995-2014, not every year inside)" in holed["note"]
    assert statement(short) == (
        "Baseline 1995-2014 (IPCC AR6 modern reference period, the baseline of the AR6 scenario changes); used "
        "1995-2013: " + short["note"]
    )


def test_months_used_and_a_chosen_period() -> None:
    p = period_of_months(BASELINE_YEARS, "1995-01", "2014-07", "1979-01", "2014-07")
    assert p["period_used"] == "1995-01 to 2014-07" and p["covers_baseline"] is False
    assert "(1979-01 to 2014-07) covers 1995-01 to 2014-07 of 1995-2014" in p["note"]
    chosen = period_of_months((2000, 2010), "2000-01", "2010-12", "1979-01", "2014-07")
    assert chosen["covers_baseline"] is True and "chosen by the user" in chosen["reference"]


def test_parse_years() -> None:
    assert parse_years("1995-2014", "--baseline-years") == (1995, 2014)
    with pytest.raises(InputError) as info:
        parse_years("1995", "--calibration")
    expect_error(info, "input.type", "--calibration")
    with pytest.raises(InputError) as info:
        parse_years("2014-1995", "--baseline-years")
    expect_error(info, "input.range", "--baseline-years")
