"""Climate scenarios: regional warming per SSP and horizon from the IPCC AR6 Atlas CMIP6 data, GWL scaling.

Importing this package reads nothing: the functions take the AR6 table as a value (:func:`kalkan.io.ar6.load_tas_table`
reads the shipped one, once per process).
"""

from __future__ import annotations

from kalkan.core.climate.precipitation import PrecipitationChange, precipitation_change
from kalkan.core.climate.scenarios import (
    BASELINE,
    OBSERVED_WARMING_1850_1900_TO_1995_2014_C,
    SSPS,
    RegionalChange,
    Scenario,
    Statistic,
    Window,
    horizon_window,
    parse_statistic,
    region_scenarios,
    regional_change,
    warming_path,
)

__all__ = [
    "BASELINE",
    "OBSERVED_WARMING_1850_1900_TO_1995_2014_C",
    "SSPS",
    "PrecipitationChange",
    "RegionalChange",
    "Scenario",
    "Statistic",
    "Window",
    "horizon_window",
    "parse_statistic",
    "precipitation_change",
    "region_scenarios",
    "regional_change",
    "warming_path",
]
