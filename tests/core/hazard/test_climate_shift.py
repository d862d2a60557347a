"""Climate shift of event frequencies: the AR6 Rx1day table, the baseline rebasing and the scenario record."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalkan.core.climate.precipitation import precipitation_change
from kalkan.core.climate.scenarios import Scenario, regional_change
from kalkan.core.hazard.climate_shift import (
    RX1DAY_FREQUENCY,
    apply_climate_shift,
    baseline_relative_multiplier,
    climate_shift,
    frequency_multiplier,
)
from kalkan.core.hazard.return_period import hazard_from_return_period_maps
from kalkan.errors import InputError
from kalkan.io.ar6 import load_tas_table
from tests.errors import expect_error

# IPCC AR6 WGI TS.12 data (github.com/IPCC-WG1/TS_Fig12, Extremes/Rx1day_freq_change_10_year_event.csv,
# column 50th): 10-year Rx1day event frequency vs 1850-1900 at GWL 1, 1.5, 2, 3, 4 °C.
PUBLISHED_10Y = {1.0: 1.32, 1.5: 1.53, 2.0: 1.74, 3.0: 2.21, 4.0: 2.71}


@pytest.mark.parametrize(("gwl", "expected"), sorted(PUBLISHED_10Y.items()))
def test_table_reproduces_published_points(gwl: float, expected: float) -> None:
    m, extrapolated = frequency_multiplier(gwl)
    assert m == pytest.approx(expected) and not extrapolated


def test_interpolation_extrapolation_and_baseline() -> None:
    assert frequency_multiplier(1.25)[0] == pytest.approx((1.32 + 1.53) / 2)
    assert frequency_multiplier(0.0) == (1.0, False)
    m5, extrapolated = frequency_multiplier(5.0)
    assert extrapolated and m5 == pytest.approx(2.71 + (2.71 - 2.21))
    assert frequency_multiplier(2.0, 50)[0] == pytest.approx(2.22)
    # 1995-2014 is 0.85 °C above 1850-1900: m(0.85) = 1 + 0.85 x 0.32 = 1.272
    assert baseline_relative_multiplier(0.0)[0] == pytest.approx(1.0)
    assert baseline_relative_multiplier(1.15)[0] == pytest.approx(1.74 / 1.272)
    with pytest.raises(InputError) as info:
        frequency_multiplier(1.0, 20)
    expect_error(info, "input.unknown", "reference_event_years")


@given(st.floats(min_value=-1.0, max_value=5.0), st.floats(min_value=0.0, max_value=1.0))
def test_multiplier_grows_with_warming(gwl: float, step: float) -> None:
    for table in RX1DAY_FREQUENCY:
        assert baseline_relative_multiplier(gwl + step, table)[0] >= baseline_relative_multiplier(gwl, table)[0] - 1e-12


def test_scenario_shift_uses_the_climate_module_gwl() -> None:
    table = load_tas_table()
    shift = climate_shift("riverine_flood", ssp="ssp245", horizon=2050, percentile=50, region="WCA", table=table)
    change = regional_change(Scenario("ssp245", 2050), "WCA", table)
    assert shift.gwl_c == pytest.approx(change.gwl_c)
    assert shift.window == "2041-2060" and shift.statistic == "median"
    m = frequency_multiplier(change.gwl_c + 0.85)[0] / frequency_multiplier(0.85)[0]
    assert shift.frequency_factor == pytest.approx(m)
    assert shift.heavy_precip_intensity_pct == pytest.approx(precipitation_change("WCA", change.gwl_c).heavy_pct)
    record = shift.as_dict()
    assert record["ssp"] == "ssp245" and "TS_Fig12" in record["citation"] and "SPM B.2.4" in record["citation"]
    snow = climate_shift("snowmelt_flood", ssp="ssp245", horizon=2050, table=table)
    assert any("earlier" in n for n in snow.notes)


def test_apply_and_user_factor() -> None:
    h = hazard_from_return_period_maps(np.array([[0.5], [1.0]]), [10, 100], peril="riverine_flood",
                                       site_lon=np.array([69.0]), site_lat=np.array([40.0]), source="t")  # fmt: skip
    shift = climate_shift("riverine_flood", factor=2.0)
    shifted = apply_climate_shift(h, shift)
    assert shifted.frequency.tolist() == pytest.approx([0.18, 0.02])
    assert "CLIMATE-SHIFTED" in shifted.source and "user factor" in shifted.source
    assert (shifted.intensity != h.intensity).nnz == 0
    with pytest.raises(InputError) as info:
        climate_shift("riverine_flood", factor=0.0)
    expect_error(info, "input.range", "--frequency-factor")
    with pytest.raises(InputError) as info:
        climate_shift("riverine_flood", ssp="ssp245")
    expect_error(info, "input.options", "--horizon")
    with pytest.raises(InputError) as info:
        apply_climate_shift(h, climate_shift("mudflow", factor=1.5))
    expect_error(info, "input.inconsistent", "peril")
