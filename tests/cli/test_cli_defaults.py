"""One default per question in every command: return periods, Vs30, climate baseline.

The command modules keep NumPy out of their import, so a help text names a default that lives in a science
module; these tests keep each help text equal to the one definition it stands for.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

import pytest

from kalkan.core.climate.baseline import BASELINE_LABEL
from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S
from kalkan.core.risk.return_periods import standard_text


def option(command: Callable[..., Any], name: str) -> Any:
    """The typer.Option of a command's parameter."""
    return typing.get_type_hints(command, include_extras=True)[name].__metadata__[0]


def default(command: Callable[..., Any], name: str) -> Any:
    """The Python default of a command's parameter (what typer uses when the option is not given)."""
    return inspect.signature(command).parameters[name].default


def test_return_periods_default_to_the_standard_set() -> None:
    from kalkan.cli.main import risk_run
    from kalkan.cli.multihazard import risk_combine

    for command in (risk_run, risk_combine):
        assert default(command, "return_periods") == standard_text() == "10,25,50,100,250,475,500,1000,2475"


@pytest.mark.parametrize(
    ("module", "command"),
    [("kalkan.cli.psha", "eq_curves"), ("kalkan.cli.event_based", "eq_events"),
     ("kalkan.cli.event_based", "city_event_risk"), ("kalkan.cli.main", "eq_scenario")],
)  # fmt: skip
def test_every_earthquake_command_names_the_one_vs30_default(module: str, command: str) -> None:
    import importlib

    fn = getattr(importlib.import_module(module), command)
    assert default(fn, "vs30") is None  # resolved to DEFAULT_VS30_M_S inside the command
    assert f"[default: {DEFAULT_VS30_M_S:g}," in option(fn, "vs30").help


def test_climate_commands_name_the_one_baseline() -> None:
    from kalkan.cli.climate import indicators
    from kalkan.cli.drought import climate_drought

    assert default(indicators, "baseline_years") is None and default(climate_drought, "calibration") is None
    assert f"[default: {BASELINE_LABEL}, the IPCC AR6" in option(indicators, "baseline_years").help
    assert f"[default: {BASELINE_LABEL}, the IPCC" in option(climate_drought, "calibration").help
