"""The one GMPE branch type: its model built when it is, its name and label, and the check of the weights."""

from __future__ import annotations

import numpy as np
import pytest

from kalkan.core.hazard.earthquake.gmpe.boore_2014 import BooreEtAl2014
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch, branch_weights, check_imts
from kalkan.errors import InputError
from tests.errors import expect_error


def test_a_branch_builds_its_model() -> None:
    b = GmpeBranch("BSSA14", 0.25, {"region": "JPN"}, branch_id="b2")
    assert isinstance(b.gmpe, BooreEtAl2014) and b.gmpe.region == "JPN"
    assert b.name == "b2" and b.label == "BSSA14(region=JPN)"
    plain = GmpeBranch("CauzziEtAl2014", 0.75)
    assert plain.name == plain.label == "CauzziEtAl2014"
    assert GmpeBranch("CauzziEtAl2014", 0.75) == plain  # equal by what they are, not by the model object
    np.testing.assert_array_equal(branch_weights([b, plain]), [0.25, 0.75])


def test_an_unknown_model_or_option_is_refused_when_the_branch_is_made() -> None:
    with pytest.raises(InputError) as info:
        GmpeBranch("Boore2014")
    expect_error(info, "input.unknown", "model")
    with pytest.raises(InputError) as info:
        GmpeBranch("BooreEtAl2014", options={"region": "EUR"})
    expect_error(info, "input.unknown", "region")


def test_weights_and_imts_are_checked() -> None:
    with pytest.raises(InputError) as info:
        branch_weights([GmpeBranch("BooreEtAl2014", 0.5)])
    expect_error(info, "input.inconsistent", "weight")
    with pytest.raises(InputError) as info:
        branch_weights([])
    expect_error(info, "input.missing", "gmpe")
    check_imts([GmpeBranch("BooreEtAl2014")], ["PGA", "SA(0.33)"])  # a period between tabulated ones is covered
    with pytest.raises(InputError) as info:
        check_imts([GmpeBranch("SadighEtAl1997")], ["PGV"])
    expect_error(info, "input.unsupported", "imt")
