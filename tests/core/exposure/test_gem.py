"""GEM exposure spread over a city (the science): exact cents, uniform cells, shares and their refusals."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kalkan.core.exposure.gem import (
    RESIDENTS_PROXY,
    admin1_share,
    build_city_exposure,
    city_share,
    clip_to_country,
    largest_remainder,
    outline_from_geojson,
    region_residents,
)
from kalkan.errors import InputError
from kalkan.io.gem_exposure import admin1_rows
from tests.errors import expect_error

SQUARE = {"type": "Polygon", "coordinates": [[[74.0, 42.0], [74.1, 42.0], [74.1, 42.1], [74.0, 42.1], [74.0, 42.0]]]}


def test_costs_are_spread_equally_within_a_cent() -> None:
    rows = admin1_rows("TJ-DU")
    e = build_city_exposure(rows, 0.3, SQUARE, 2.0, city_id="t")
    assert e.district is not None
    n_cells = len(set(e.district.tolist()))
    assert n_cells > 1
    per_cell = e.costs["structural"].reshape(n_cells, len(rows))
    assert np.all(per_cell.max(axis=0) - per_cell.min(axis=0) <= 0.0100001)


def test_tiny_outline_gets_one_cell_at_its_centroid() -> None:
    tiny = {"type": "Polygon", "coordinates": [[[74.0, 42.001], [74.001, 42.0], [74.001, 42.001], [74.0, 42.001]]]}
    e = build_city_exposure(admin1_rows("KG-O"), 0.1, tiny, 0.5, city_id="t")
    assert e.district is not None
    assert set(e.district.tolist()) == {"cell-0000"}
    assert e.lon[0] == pytest.approx(74.00067, abs=1e-5)
    assert e.lat[0] == pytest.approx(42.00067, abs=1e-5)


@pytest.mark.parametrize("share", [0.0, -0.1, 1.01, float("nan")])
def test_share_outside_zero_one_is_refused(share: float) -> None:
    with pytest.raises(InputError) as info:
        build_city_exposure(admin1_rows("KG-O"), share, SQUARE, city_id="t")
    expect_error(info, "input.range", "share")


def test_rows_of_two_units_are_refused() -> None:
    with pytest.raises(InputError) as info:
        build_city_exposure([*admin1_rows("KG-O"), *admin1_rows("KG-B")], 0.5, SQUARE, city_id="t")
    expect_error(info, "input.inconsistent", "ID_1")


@given(
    total=st.integers(min_value=0, max_value=10**15),
    weights=st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=60).filter(lambda w: sum(w) > 0),
)
def test_largest_remainder_sum_is_exact_and_parts_near_ideal(total: int, weights: list[int]) -> None:
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    w_sum = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        assert abs(Fraction(part) - Fraction(total * w, w_sum)) < 1
        assert part >= 0


def test_largest_remainder_edge_cases() -> None:
    assert largest_remainder(0, [0, 0]) == [0, 0]
    assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]
    with pytest.raises(ValueError, match="zero weights"):
        largest_remainder(1, [0])


def test_city_share_is_population_over_residents() -> None:
    """Hand calculation: share = population / residents (night occupants of the Res rows), whole unit = 1."""
    rows = admin1_rows("KG-O")
    residents = sum(r.occupants_night for r in rows if r.occupancy == "Res")
    assert region_residents(rows) == residents
    share, basis = city_share(rows, city_id="osh", population=100_000, whole=False)
    assert share == pytest.approx(100_000 / residents, rel=1e-15) and RESIDENTS_PROXY in basis
    assert city_share(rows, city_id="osh", population=100_000, whole=True)[0] == 1.0
    with pytest.raises(InputError) as info:
        city_share(rows, city_id="osh", population=residents * 2, whole=False)
    expect_error(info, "input.range", "population")
    no_res = [r for r in rows if r.occupancy != "Res"]
    with pytest.raises(InputError) as info:
        city_share(no_res, city_id="osh", population=1, whole=False)
    expect_error(info, "input.empty", "OCCUPANTS_PER_ASSET_NIGHT")


def test_admin1_share_choices_and_refusals() -> None:
    rows = admin1_rows("KG-O")
    residents = region_residents(rows)
    assert admin1_share(rows) == (1.0, "whole admin-1 unit (no share or population given)")
    assert admin1_share(rows, share=0.25)[0] == 0.25
    assert admin1_share(rows, population=residents / 4)[0] == pytest.approx(0.25, rel=1e-12)
    for kwargs, code in (({"share": 0.5, "population": 10.0}, "input.options"), ({"population": -5.0}, "input.range"),
                         ({"population": residents * 1.5}, "input.range")):  # fmt: skip
        with pytest.raises(InputError) as info:
            admin1_share(rows, **kwargs)  # type: ignore[arg-type]
        expect_error(info, code, "--population")


def test_clip_to_country_cuts_keeps_or_refuses() -> None:
    country = {"type": "Polygon", "coordinates": [[[74.0, 42.0], [74.05, 42.0], [74.05, 42.1], [74.0, 42.1],
                                                   [74.0, 42.0]]]}  # fmt: skip
    assert clip_to_country(SQUARE, None, "X (XXX)", "t") is SQUARE
    half = clip_to_country(SQUARE, country, "X (XXX)", "t")
    xs = [p[0] for p in half["coordinates"][0]]
    assert max(xs) == pytest.approx(74.05) and min(xs) == pytest.approx(74.0)
    far = {"type": "Polygon", "coordinates": [[[10.0, 10.0], [10.1, 10.0], [10.1, 10.1], [10.0, 10.0]]]}
    with pytest.raises(InputError) as info:
        clip_to_country(far, country, "X (XXX)", "t")
    expect_error(info, "input.outside", "outline")


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        ({"type": "FeatureCollection", "features": []}, "input.inconsistent", "features"),
        ({"type": "Point", "coordinates": [74.0, 42.0]}, "input.unsupported", "type"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]}, "input.type", "coordinates"),
        ({"type": "Polygon", "coordinates": [[[7400000, 42], [7400001, 42], [7400001, 43], [7400000, 42]]]},
         "input.range", "coordinates"),
    ],
)  # fmt: skip
def test_outline_refusals(data: dict[str, object], code: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        outline_from_geojson(data, "outline.geojson")
    expect_error(info, code, field)
    assert str(info.value).startswith("outline.geojson")
