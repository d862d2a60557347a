"""What every ground-motion model declares (inputs, validity ranges), and the base class's one check of them."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, ClassVar

import numpy as np
import pytest

from kalkan.core.hazard.earthquake.gmpe import GMPE, Context, GroundMotion, available_models, get_model
from kalkan.core.hazard.earthquake.gmpe.base import IMT_FAMILIES
from kalkan.errors import InputError
from tests.errors import expect_error

MODELS = sorted({type(get_model(name)).__name__: name for name in available_models()}.values())
"""One registered name per model class."""
CONTEXT_FIELDS = {f.name for f in fields(Context)}
DECLARED = (
    "REQUIRES_RUPTURE_PARAMETERS",
    "REQUIRES_DISTANCES",
    "REQUIRES_SITES_PARAMETERS",
    "DEFINED_FOR_TECTONIC_REGION_TYPE",
    "DEFINED_FOR_INTENSITY_MEASURE_TYPES",
    "DEFINED_FOR_MAGNITUDE_RANGE",
    "DEFINED_FOR_DISTANCE_TYPE",
    "DEFINED_FOR_DISTANCE_RANGE_KM",
    "DEFINED_FOR_VS30_RANGE_M_S",
)
RUPTURE = {"mag", "rake", "dip", "ztor", "hypo_depth", "width"}
DISTANCES = {"rrup", "rjb", "rx", "ry0", "rhypo"}
SITE = {"vs30", "vs30measured", "z1pt0", "z2pt5"}


def with_values(ctx: Context, **values: Any) -> Context:
    """``ctx`` with some fields replaced (a number stands for every row)."""
    arrays: dict[str, Any] = {k: np.atleast_1d(np.asarray(v, dtype=np.float64)) for k, v in values.items()}
    return replace(ctx, **arrays)


def plausible(n: int = 2) -> Context:
    """A rupture-site context every model accepts: M 6 strike-slip, 60-degree dip, sites 20 km away on soil."""
    values: dict[str, Any] = {
        "rake": 0.0, "dip": 60.0, "ztor": 2.0, "hypo_depth": 10.0, "width": 15.0, "rrup": 20.0, "rjb": 18.0,
        "rx": 5.0, "ry0": 0.0, "rhypo": 22.0, "vs30": 400.0, "z1pt0": 200.0, "z2pt5": 1.0,
    }  # fmt: skip
    return with_values(Context(mag=np.full(n, 6.0)), **values)


@pytest.mark.parametrize("name", MODELS)
def test_every_model_declares_what_it_requires_and_where_it_is_valid(name: str) -> None:
    cls = type(get_model(name))
    for attribute in DECLARED:
        assert any(attribute in vars(k) for k in cls.__mro__ if k is not GMPE), f"{cls.__name__} lacks {attribute}"
    assert cls.REQUIRES_RUPTURE_PARAMETERS <= RUPTURE and "mag" in cls.REQUIRES_RUPTURE_PARAMETERS
    assert cls.REQUIRES_DISTANCES <= DISTANCES and cls.REQUIRES_DISTANCES
    assert cls.REQUIRES_SITES_PARAMETERS <= SITE
    assert cls.OPTIONAL_PARAMETERS <= CONTEXT_FIELDS
    assert not cls.OPTIONAL_PARAMETERS & (cls.REQUIRES_RUPTURE_PARAMETERS | cls.REQUIRES_SITES_PARAMETERS)
    assert set(IMT_FAMILIES) >= cls.DEFINED_FOR_INTENSITY_MEASURE_TYPES
    lo, hi = cls.DEFINED_FOR_MAGNITUDE_RANGE
    assert 0 < lo < hi <= 9.5
    assert cls.DEFINED_FOR_DISTANCE_TYPE in cls.REQUIRES_DISTANCES
    for declared in (cls.DEFINED_FOR_DISTANCE_RANGE_KM, cls.DEFINED_FOR_VS30_RANGE_M_S):
        assert declared is None or 0 <= declared[0] < declared[1]


@pytest.mark.parametrize("name", MODELS)
def test_a_missing_required_input_is_refused_with_its_field(name: str) -> None:
    model = get_model(name)
    assert np.isfinite(model.compute(plausible(), "PGA").mean).all()
    for field in sorted(model.required_inputs() - {"vs30measured"}):
        with pytest.raises(InputError) as info:
            model.compute(with_values(plausible(), **{field: [6.0, np.nan] if field == "mag" else np.nan}), "PGA")
        expect_error(info, "input.missing", field)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize(("field", "value"), [("rrup", -1.0), ("rjb", -0.5), ("vs30", 0.0), ("dip", 95.0)])
def test_an_impossible_value_of_an_input_is_refused(name: str, field: str, value: float) -> None:
    model = get_model(name)
    if field not in model.required_inputs() | model.OPTIONAL_PARAMETERS:
        assert np.isfinite(model.compute(with_values(plausible(), **{field: value}), "PGA").mean).all()  # not read
        return
    with pytest.raises(InputError) as info:
        model.compute(with_values(plausible(), **{field: value}), "PGA")
    expect_error(info, "input.range", field)


@pytest.mark.parametrize("name", MODELS)
def test_warnings_come_from_the_declared_ranges(name: str) -> None:
    model = get_model(name)
    cls = type(model)
    assert model.check(plausible()) == []
    _, hi = cls.DEFINED_FOR_MAGNITUDE_RANGE
    ctx = replace(plausible(), mag=np.array([6.0, min(hi + 0.2, cls.MAX_MAGNITUDE)]))
    assert len(model.check(ctx)) == 1 and str(min(hi + 0.2, cls.MAX_MAGNITUDE)) in model.check(ctx)[0]
    distance = cls.DEFINED_FOR_DISTANCE_TYPE
    far = with_values(plausible(), rrup=[20.0, 900.0], rjb=[18.0, 899.0], rhypo=900.0)
    expected = 0 if cls.DEFINED_FOR_DISTANCE_RANGE_KM is None else 1
    assert len(model.check(far)) == expected, (distance, model.check(far))
    soft = replace(plausible(), vs30=np.array([400.0, 120.0]))
    assert len(model.check(soft)) == (0 if cls.DEFINED_FOR_VS30_RANGE_M_S is None else 1)


class _Toy(GMPE):
    """A model of the test alone: ln Y = -rjb / 100 with sigma 0.5, to check the base class by itself."""

    name: ClassVar[str] = "Toy"
    REQUIRES_RUPTURE_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"mag"})
    REQUIRES_DISTANCES: ClassVar[frozenset[str]] = frozenset({"rjb"})
    REQUIRES_SITES_PARAMETERS: ClassVar[frozenset[str]] = frozenset()
    OPTIONAL_PARAMETERS: ClassVar[frozenset[str]] = frozenset({"z1pt0"})
    DEFINED_FOR_INTENSITY_MEASURE_TYPES: ClassVar[frozenset[str]] = frozenset({"PGA"})
    DEFINED_FOR_MAGNITUDE_RANGE: ClassVar[tuple[float, float]] = (5.0, 7.0)
    DEFINED_FOR_DISTANCE_TYPE: ClassVar[str] = "rjb"
    DEFINED_FOR_DISTANCE_RANGE_KM: ClassVar[tuple[float, float] | None] = (0.0, 50.0)
    DEFINED_FOR_VS30_RANGE_M_S: ClassVar[tuple[float, float] | None] = None
    MAX_MAGNITUDE: ClassVar[float] = 8.0

    def _compute(self, ctx: Context, imt: str) -> GroundMotion:
        half = np.full(len(ctx), 0.5)
        return GroundMotion(mean=-ctx.rjb / 100.0, sigma=half, tau=half * 0.6, phi=half * 0.8)


def test_the_base_class_checks_a_model_by_its_declarations_alone() -> None:
    toy = _Toy()
    ctx = Context(mag=np.array([6.0, 7.5]), rjb=np.array([10.0, 80.0]))  # everything else unknown (NaN)
    np.testing.assert_allclose(toy.compute(ctx, "PGA").mean, [-0.1, -0.8])
    assert len(toy.check(ctx)) == 2  # one magnitude above 7, one distance beyond 50 km
    for bad, code, field in (
        (replace(ctx, rjb=np.array([10.0, np.inf])), "input.missing", "rjb"),
        (replace(ctx, rjb=np.array([10.0, -1.0])), "input.range", "rjb"),
        (replace(ctx, z1pt0=np.array([-5.0])), "input.range", "z1pt0"),
        (replace(ctx, mag=np.array([6.0, 8.2])), "input.range", "mag"),
    ):
        with pytest.raises(InputError) as info:
            toy.compute(bad, "PGA")
        expect_error(info, code, field)
    with pytest.raises(InputError) as info:
        toy.compute(ctx, "SA(1.0)")
    expect_error(info, "input.unsupported", "imt")
    with pytest.raises(InputError) as info:
        toy.check(replace(ctx, mag=np.array([6.0, 8.2])))
    expect_error(info, "input.range", "mag")
    assert toy.tectonic_region == "Active Shallow Crust"
