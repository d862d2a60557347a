"""Precipitation scaled by GWL, and the one-model sample reproducing the data README."""

from __future__ import annotations

import pytest

from kalkan.core.climate.precipitation import SCALING_NOTE, precipitation_change, sample_precipitation
from kalkan.errors import InputError
from kalkan.io.ar6 import load_pr_cube
from tests.errors import expect_error


def test_scaling_is_linear_in_gwl() -> None:
    p = precipitation_change("WSB", 2.0)
    assert p.mean_pct == pytest.approx(5.0)
    assert (p.mean_low_pct, p.mean_high_pct) == pytest.approx((4.0, 6.0))
    assert p.heavy_pct == pytest.approx(14.0)  # ~7 %/°C, AR6 WGI SPM B.2.4
    assert p.note == SCALING_NOTE == "scaled by global warming level (sparse data)"
    assert p.as_dict()["precip_method"] == SCALING_NOTE
    assert precipitation_change("WCA", 0.0).mean_pct == 0.0


def test_unknown_region() -> None:
    with pytest.raises(InputError) as info:
        precipitation_change("TIB", 1.0)
    expect_error(info, "input.unknown", "region")


@pytest.mark.parametrize(
    ("region", "ssp", "base", "window", "pct"),
    [
        ("WCA", "ssp245", 0.767, 0.793, 3.4),
        ("WCA", "ssp585", 0.767, 0.816, 6.4),
        ("WSB", "ssp245", 1.544, 1.674, 8.5),
        ("WSB", "ssp585", 1.544, 1.604, 3.9),
        ("TIB", "ssp585", 2.622, 2.961, 12.9),
    ],
)
def test_sample_reproduces_readme(region: str, ssp: str, base: float, window: float, pct: float) -> None:
    s = sample_precipitation(load_pr_cube(), region, ssp)
    assert round(s.baseline_mm_per_day, 3) == base
    assert round(s.window_mm_per_day, 3) == window
    assert round(s.change_pct, 1) == pct


def test_sample_gaps() -> None:
    with pytest.raises(InputError) as info:
        sample_precipitation(load_pr_cube(), "WCA", "ssp126")
    expect_error(info, "input.empty", "ssp")
    with pytest.raises(InputError) as info:
        sample_precipitation(load_pr_cube(), "WCA", "ssp245", 2041, 2060)
    expect_error(info, "input.empty", "first_year")
    with pytest.raises(InputError) as info:
        sample_precipitation(load_pr_cube(), "EAS", "ssp245")
    expect_error(info, "input.unknown", "region")
