"""NRML reader and writer: the GEM Central Asia files, OpenQuake's manual examples, and every bad input."""

from __future__ import annotations

import contextlib
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kalkan.catalog.sources import data_root
from kalkan.core.vulnerability.functions import VulnerabilityFunction
from kalkan.errors import InputError
from kalkan.io.nrml import (
    format_vulnerability_model,
    lognormal_median_beta,
    parse_fragility_model,
    parse_vulnerability_model,
    read_fragility_model,
    read_vulnerability_model,
    write_vulnerability_model,
)
from tests.errors import expect_error

GEM = data_root() / "gem_global_vulnerability_model" / "Central_Asia" / "Tajikistan"
GEM_FILES = {
    "structural": "vulnerability_structural.xml",
    "nonstructural": "vulnerability_nonstructural.xml",
    "contents": "vulnerability_contents.xml",
    "occupants": "vulnerability_fatalities.xml",
}
NS = 'xmlns="http://openquake.org/xmlns/nrml/0.5"'


def raw_functions(text: str) -> dict[str, dict[str, list[str]]]:
    """The functions of an NRML file by plain string splitting (independent of the XML reader)."""
    out: dict[str, dict[str, list[str]]] = {}
    for chunk in text.split('<vulnerabilityFunction id="')[1:]:
        fid = chunk.split('"', 1)[0]
        imt = chunk.split('imt="', 1)[1].split('"', 1)[0]
        fields = {"imt": [imt]}
        for tag in ("imls", "meanLRs", "covLRs"):
            body = chunk.split(f"<{tag}", 1)[1].split(">", 1)[1].split(f"</{tag}>", 1)[0]
            fields[tag] = body.split()
        out[fid] = fields
    return out


def vulnerability_xml(function: str, loss_category: str = "structural") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<nrml {NS}>\n'
        f'<vulnerabilityModel id="m" assetCategory="buildings" lossCategory="{loss_category}">\n'
        f"<description>test</description>\n{function}\n</vulnerabilityModel>\n</nrml>\n"
    )


GOOD_FUNCTION = """<vulnerabilityFunction id="W1" dist="LN">
<imls imt="PGA">0.1 0.2 0.4</imls>
<meanLRs>0.0 0.1 0.5</meanLRs>
<covLRs>0.0 0.3 0.2</covLRs>
</vulnerabilityFunction>"""


# ------------------------------------------------------------------------------------------ GEM files


@pytest.mark.parametrize(("loss_type", "name"), GEM_FILES.items())
def test_gem_file_loads_with_its_loss_type_and_30_functions(loss_type: str, name: str) -> None:
    model = read_vulnerability_model(GEM / name)
    assert model.loss_type == loss_type
    assert len(model.functions) == 30
    imts = sorted(f.imt for f in model.functions.values())
    assert {i: imts.count(i) for i in set(imts)} == {"PGA": 3, "SA(0.3)": 20, "SA(0.6)": 5, "SA(1.0)": 2}
    for f in model.functions.values():
        assert f.unit == "g" and f.distribution == "BT" and f.loss_type == loss_type
        assert f.intensity.size == 50 and f.intensity[0] == 0.05 and f.intensity[-1] == 15.0


@pytest.mark.parametrize("name", GEM_FILES.values())
def test_gem_values_equal_the_xml_text(name: str) -> None:
    text = (GEM / name).read_text(encoding="utf-8")
    raw = raw_functions(text)
    model = read_vulnerability_model(GEM / name)
    assert list(model.functions) == list(raw)
    for fid, fields in raw.items():
        f = model.functions[fid]
        assert f.imt == fields["imt"][0]
        assert f.intensity.tolist() == [float(v) for v in fields["imls"]]
        assert f.mean_lr.tolist() == [float(v) for v in fields["meanLRs"]]
        assert f.cov is not None and f.cov.tolist() == [float(v) for v in fields["covLRs"]]


def test_gem_spot_values_as_printed_in_the_file() -> None:
    # Numbers copied by eye from the first function of vulnerability_structural.xml.
    f = read_vulnerability_model(GEM / "vulnerability_structural.xml").functions["CR/LFINF+CDL+DUL/H1/IND"]
    assert f.imt == "SA(0.3)"
    assert f.intensity[1] == 0.0561725 and f.intensity[26] == 1.03124
    assert f.mean_lr[0] == 1e-08 and f.mean_lr[1] == 0.000109164 and f.mean_lr[-1] == 0.999999
    assert f.cov is not None and f.cov[1] == 8.24065 and f.cov[-1] == 1e-08


def test_gem_interpolation_rule_zero_below_constant_above_linear_between() -> None:
    f = read_vulnerability_model(GEM / "vulnerability_structural.xml").functions["CR/LFINF+CDL+DUL/H1/IND"]
    x = np.array([0.0, 0.049, 0.05, 15.0, 20.0, 100.0])
    assert f.mean_loss_ratio(x).tolist() == [0.0, 0.0, 1e-08, 0.999999, 0.999999, 0.999999]
    # Half-way between levels 2 and 3 (0.0631069 and 0.0708974 g), the mean is half-way too.
    mid = (0.0631069 + 0.0708974) / 2
    assert f.mean_loss_ratio(np.array([mid]))[0] == pytest.approx((0.000195165 + 0.000338071) / 2, rel=1e-12)
    # A quarter of the way between 1.03124 and 1.15855 g.
    x1 = 1.03124 + 0.25 * (1.15855 - 1.03124)
    assert f.mean_loss_ratio(np.array([x1]))[0] == pytest.approx(0.429852 + 0.25 * (0.498192 - 0.429852), rel=1e-12)


def test_manual_example_ln_and_bt_functions() -> None:
    # The LN and BT functions of the OpenQuake manual's vulnerability-model listing.
    text = vulnerability_xml(
        """<vulnerabilityFunction id="W1_Res_LowCode" dist="LN">
 <imls imt="PGA">0.005 0.15 0.4 0.6 0.8 1.0 1.2 1.4 1.6 1.8 2.0</imls>
 <meanLRs>0.01 0.04 0.10 0.20 0.33 0.50 0.67 0.80 0.90 0.96 0.99</meanLRs>
 <covLRs>0.03 0.12 0.24 0.32 0.38 0.40 0.38 0.32 0.24 0.12 0.03</covLRs>
</vulnerabilityFunction>
<vulnerabilityFunction id="S1_Res_HighCode" dist="BT">
 <imls imt="SA(0.3)">0.05 0.2 0.4 0.6 0.8 1.0 1.2 1.4 1.6 1.8 2.0</imls>
 <meanLRs>0.01 0.03 0.07 0.15 0.24 0.37 0.50 0.60 0.67 0.72 0.75</meanLRs>
 <covLRs>0.03 0.12 0.24 0.32 0.38 0.40 0.38 0.32 0.24 0.12 0.03</covLRs>
</vulnerabilityFunction>"""
    )
    model = parse_vulnerability_model(text, "manual.xml")
    assert list(model.functions) == ["W1_Res_LowCode", "S1_Res_HighCode"]
    assert model.functions["W1_Res_LowCode"].distribution == "LN"
    assert model.functions["S1_Res_HighCode"].imt == "SA(0.3)"
    assert model.description == "test" and model.asset_category == "buildings"


def test_nrml_04_vulnerability_pager_fatalities() -> None:
    text = """<?xml version='1.0' encoding='utf-8'?>
<nrml xmlns="http://openquake.org/xmlns/nrml/0.4" xmlns:gml="http://www.opengis.net/gml">
  <vulnerabilityModel>
    <config/>
    <discreteVulnerabilitySet vulnerabilitySetID="PAGER" assetCategory="population" lossCategory="fatalities">
      <IML IMT="MMI">5.00 5.50 6.00 6.50</IML>
      <discreteVulnerability vulnerabilityFunctionID="IR" probabilisticDistribution="LN">
        <lossRatio>0.18 0.36 0.36 0.36</lossRatio>
        <coefficientsVariation>0.30 0.30 0.30 0.30</coefficientsVariation>
      </discreteVulnerability>
    </discreteVulnerabilitySet>
  </vulnerabilityModel>
</nrml>"""
    model = parse_vulnerability_model(text, "pager.xml")
    assert model.loss_type == "occupants" and model.id == "PAGER"
    f = model.functions["IR"]
    assert f.imt == "MMI" and f.unit == "MMI" and f.mean_lr.tolist() == [0.18, 0.36, 0.36, 0.36]
    other = text.replace('lossCategory="fatalities"', 'lossCategory="Economic_loss"')
    with pytest.raises(InputError) as info:
        parse_vulnerability_model(other, "pager.xml")
    expect_error(info, "input.unknown", "lossCategory", 5)
    assert parse_vulnerability_model(other, "pager.xml", loss_type="structural").loss_type == "structural"


# ------------------------------------------------------------------------------------------ fragility

MANUAL_FRAGILITY = f"""<?xml version="1.0" encoding="UTF-8"?>
<nrml {NS}>
<fragilityModel id="fragility_example" assetCategory="buildings" lossCategory="structural">
  <description>Fragility Model Example</description>
  <limitStates>slight moderate extensive complete</limitStates>
  <fragilityFunction id="Woodframe_TwoStorey" format="discrete">
    <imls imt="PGA" noDamageLimit="0.05">0.005 0.2 0.4 0.6 0.8 1.0 1.2</imls>
    <poes ls="slight">0.00 0.01 0.15 0.84 0.99 1.00 1.00</poes>
    <poes ls="moderate">0.00 0.00 0.01 0.12 0.35 0.57 0.74</poes>
    <poes ls="extensive">0.00 0.00 0.00 0.08 0.19 0.32 0.45</poes>
    <poes ls="complete">0.00 0.00 0.00 0.06 0.17 0.26 0.35</poes>
  </fragilityFunction>
  <fragilityFunction id="RC_LowRise" format="continuous" shape="logncdf">
    <imls imt="SA(0.3)" noDamageLimit="0.05" minIML="0.0" maxIML="5.0"/>
    <params ls="slight" mean="0.50" stddev="0.10"/>
    <params ls="moderate" mean="1.00" stddev="0.40"/>
    <params ls="extensive" mean="1.50" stddev="0.90"/>
    <params ls="complete" mean="2.00" stddev="1.60"/>
  </fragilityFunction>
</fragilityModel>
</nrml>
"""


def test_lognormal_conversion_by_hand() -> None:
    # Hand calculation (checked with `bc -l`): mean 0.5 g, stddev 0.1 g: cov = 0.2, 1 + cov^2 = 1.04,
    # ln(1.04) = 0.039220713153, beta = sqrt(0.039220713153) = 0.198042200435,
    # median = 0.5 / sqrt(1.04) = 0.490290337845.
    median, beta = lognormal_median_beta(0.5, 0.1)
    assert median == pytest.approx(0.490290337845, abs=1e-11)
    assert beta == pytest.approx(0.198042200435, abs=1e-11)
    # mean 2.0, stddev 1.6: cov = 0.8, 1 + cov^2 = 1.64, beta = sqrt(ln 1.64) = 0.703346459319,
    # median = 2 / sqrt(1.64) = 1.561737618886.
    median, beta = lognormal_median_beta(2.0, 1.6)
    assert median == pytest.approx(1.561737618886, abs=1e-11)
    assert beta == pytest.approx(0.703346459319, abs=1e-11)


def test_lognormal_conversion_reproduces_the_moments() -> None:
    # The lognormal with this median and beta has mean median*exp(beta^2/2) and the given stddev.
    for mean, sd in [(0.5, 0.1), (1.0, 0.4), (1.5, 0.9), (247.18, 4014.77)]:
        median, beta = lognormal_median_beta(mean, sd)
        assert median * math.exp(beta**2 / 2) == pytest.approx(mean, rel=1e-12)
        assert mean * math.sqrt(math.exp(beta**2) - 1) == pytest.approx(sd, rel=1e-12)


def test_manual_fragility_model() -> None:
    with pytest.raises(InputError) as info:
        parse_fragility_model(MANUAL_FRAGILITY, "frag.xml")
    expect_error(info, "input.unsupported", "noDamageLimit", 14)
    assert "'RC_LowRise'" in str(info.value)
    model = parse_fragility_model(MANUAL_FRAGILITY, "frag.xml", ignore_no_damage_limit=True)
    assert model.limit_states == ("slight", "moderate", "extensive", "complete")
    rc = model.functions["RC_LowRise"]
    assert rc.kind == "lognormal" and rc.imt == "SA(0.3)" and rc.unit == "g"
    assert rc.median is not None and rc.beta is not None
    assert rc.median[0] == pytest.approx(0.490290337845, abs=1e-11) and rc.beta[0] == pytest.approx(0.198042200435)
    assert model.ranges["RC_LowRise"].no_damage_limit == 0.05 and model.ranges["RC_LowRise"].max_iml == 5.0
    poe = rc.poe(np.array([0.490290337845]))
    assert poe[0, 0] == pytest.approx(0.5, abs=1e-8)

    wood = model.functions["Woodframe_TwoStorey"]
    assert wood.kind == "discrete" and wood.intensity is not None
    # noDamageLimit 0.05 becomes the first level, with the poes interpolated between 0.005 and 0.2 g.
    assert wood.intensity.tolist() == [0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2]
    slight_at_ndl = 0.01 * (0.05 - 0.005) / (0.2 - 0.005)
    poe = wood.poe(np.array([0.04, 0.05, 0.4, 5.0]))
    assert poe[:, 0].tolist() == pytest.approx([0.0, slight_at_ndl, 0.15, 1.0])
    assert poe[:, 3].tolist() == pytest.approx([0.0, 0.0, 0.0, 0.35])


def test_read_fragility_model_from_file(tmp_path: Path) -> None:
    path = tmp_path / "frag.xml"
    path.write_text(MANUAL_FRAGILITY.replace('noDamageLimit="0.05" minIML', "minIML"), encoding="utf-8")
    model = read_fragility_model(path)
    assert model.source == str(path) and set(model.functions) == {"Woodframe_TwoStorey", "RC_LowRise"}


def _fragility(function: str, limit_states: str = "slight complete") -> str:
    return (
        f'<nrml {NS}><fragilityModel id="f" lossCategory="structural">'
        f"<limitStates>{limit_states}</limitStates>\n{function}\n</fragilityModel></nrml>"
    )


@pytest.mark.parametrize(
    ("function", "code", "field"),
    [
        (
            '<fragilityFunction id="A" format="continuous" shape="logncdf"><imls imt="PGA"/>'
            '<params ls="slight" mean="0.5" stddev="0.1"/></fragilityFunction>',
            "input.missing", "params",
        ),
        (
            '<fragilityFunction id="A" format="continuous" shape="normcdf"><imls imt="PGA"/></fragilityFunction>',
            "input.unsupported", "shape",
        ),
        (
            '<fragilityFunction id="A" format="continuous" shape="logncdf"><imls imt="PGA"/>'
            '<params ls="slight" mean="0.5" stddev="0"/><params ls="complete" mean="1" stddev="0.1"/>'
            "</fragilityFunction>",
            "input.range", "stddev",
        ),
        (
            '<fragilityFunction id="A" format="continuous" shape="logncdf"><imls imt="PGA"/>'
            '<params ls="slight" mean="1.5" stddev="0.1"/><params ls="complete" mean="1" stddev="0.1"/>'
            "</fragilityFunction>",
            "input.inconsistent", "median",
        ),
        (
            '<fragilityFunction id="A" format="tabular"><imls imt="PGA">0.1 0.2</imls></fragilityFunction>',
            "input.unknown", "format",
        ),
        (
            '<fragilityFunction id="A" format="discrete"><imls imt="PGA">0.1 0.2</imls>'
            '<poes ls="slight">0 0.5</poes><poes ls="extreme">0 0.1</poes></fragilityFunction>',
            "input.unknown", "ls",
        ),
        (
            '<fragilityFunction id="A" format="discrete"><imls imt="PGA">0.1 0.2</imls>'
            '<poes ls="slight">0 0.5</poes><poes ls="complete">0 1.5</poes></fragilityFunction>',
            "input.range", "poes",
        ),
        (
            '<fragilityFunction id="A" format="discrete"><imls imt="PGA">0.1 0.2</imls>'
            '<poes ls="slight">0 0.5</poes><poes ls="complete">0 0.1 0.2</poes></fragilityFunction>',
            "input.inconsistent", "poes",
        ),
        (
            '<fragilityFunction id="A" format="discrete"><imls imt="PGA">0.1 0.2</imls>'
            '<poes ls="slight">0 0.5</poes><poes ls="complete">0 0.6</poes></fragilityFunction>',
            "input.inconsistent", "poes",
        ),
        (
            '<fragilityFunction id="A" format="discrete"><imls imt="PGA" noDamageLimit="0.3">0.1 0.2</imls>'
            '<poes ls="slight">0 0.5</poes><poes ls="complete">0 0.1</poes></fragilityFunction>',
            "input.range", "noDamageLimit",
        ),
        (
            '<fragilityFunction id="A" format="discrete"><imls imt="Sa(0.3)">0.1 0.2</imls>'
            '<poes ls="slight">0 0.5</poes><poes ls="complete">0 0.1</poes></fragilityFunction>',
            "input.unknown", "imt",
        ),
    ],
)  # fmt: skip
def test_bad_fragility_functions(function: str, code: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        parse_fragility_model(_fragility(function), "frag.xml")
    expect_error(info, code, field, 2)
    assert str(info.value).startswith("frag.xml") and "'A'" in str(info.value)


def test_bad_fragility_model_level() -> None:
    with pytest.raises(InputError) as info:
        parse_fragility_model(_fragility("", "slight slight"), "f.xml")
    expect_error(info, "input.duplicate", "limitStates", 1)
    with pytest.raises(InputError) as info:
        parse_fragility_model('<nrml xmlns="http://openquake.org/xmlns/nrml/0.4"><fragilityModel/></nrml>', "f.xml")
    expect_error(info, "input.unsupported", "nrml")
    with pytest.raises(InputError) as info:
        parse_fragility_model(vulnerability_xml(GOOD_FUNCTION), "f.xml")
    expect_error(info, "input.syntax")


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("function", "code", "field", "line"),
    [
        (GOOD_FUNCTION.replace(' id="W1"', ""), "input.missing", "id", 5),
        (GOOD_FUNCTION.replace(' dist="LN"', ""), "input.missing", "dist", 5),
        (GOOD_FUNCTION.replace('dist="LN"', 'dist="GA"'), "input.unknown", "dist", 5),
        (GOOD_FUNCTION.replace('dist="LN"', 'dist="PM"'), "input.unsupported", "dist", 5),
        (GOOD_FUNCTION.replace(' imt="PGA"', ""), "input.missing", "imt", 6),
        (GOOD_FUNCTION.replace('imt="PGA"', 'imt="PGX"'), "input.unknown", "imt", 6),
        (GOOD_FUNCTION.replace('imt="PGA"', 'imt="SA"'), "input.unknown", "imt", 6),
        (GOOD_FUNCTION.replace("0.1 0.2 0.4", "0.1 0.4 0.2"), "input.inconsistent", "imls", 6),
        (GOOD_FUNCTION.replace("0.1 0.2 0.4", "-0.1 0.2 0.4"), "input.range", "imls", 6),
        (GOOD_FUNCTION.replace("0.1 0.2 0.4", "0.1 0.2 abc"), "input.type", "imls", 6),
        (GOOD_FUNCTION.replace("0.1 0.2 0.4", "0.1 0.2 nan"), "input.range", "imls", 6),
        (GOOD_FUNCTION.replace("0.1 0.2 0.4", "0.1"), "input.empty", "imls", 6),
        (GOOD_FUNCTION.replace("0.0 0.1 0.5", "0.0 0.1 1.5"), "input.range", "meanLRs", 7),
        (GOOD_FUNCTION.replace("0.0 0.1 0.5", "-0.1 0.1 0.5"), "input.range", "meanLRs", 7),
        (GOOD_FUNCTION.replace("0.0 0.1 0.5", "0.0 0.1"), "input.inconsistent", "meanLRs", 7),
        (GOOD_FUNCTION.replace("0.0 0.3 0.2", "0.0 0.3"), "input.inconsistent", "covLRs", 8),
        (GOOD_FUNCTION.replace("0.0 0.3 0.2", "0.0 -0.3 0.2"), "input.range", "covLRs", 8),
        (GOOD_FUNCTION.replace("<covLRs>0.0 0.3 0.2</covLRs>", ""), "input.missing", "covLRs", 5),
        (GOOD_FUNCTION.replace("0.0 0.3 0.2", "0.0 <x/>0.3 0.2"), "input.syntax", "covLRs", 8),
        (GOOD_FUNCTION + "\n" + GOOD_FUNCTION, "input.duplicate", "id", 10),
        (
            GOOD_FUNCTION.replace('dist="LN"', 'dist="BT"').replace("0.0 0.3 0.2", "0.0 3.5 0.2"),
            "input.inconsistent", "cov", 5,
        ),
        ("", "input.empty", "vulnerabilityFunction", 3),
    ],
)  # fmt: skip
def test_bad_vulnerability_functions(function: str, code: str, field: str, line: int) -> None:
    with pytest.raises(InputError) as info:
        parse_vulnerability_model(vulnerability_xml(function), "bad.xml")
    expect_error(info, code, field, line)
    assert str(info.value).startswith("bad.xml")


@pytest.mark.parametrize(
    ("text", "code", "field"),
    [
        ("<nrml><unclosed", None, None),
        (vulnerability_xml(GOOD_FUNCTION)[:-20], None, None),
        ("<vulnerabilityModel/>", "input.unsupported", "nrml"),
        ('<nrml xmlns="http://example.org/nrml"/>', "input.unsupported", "nrml"),
        (f"<nrml {NS}/>", "input.syntax", None),
        (vulnerability_xml(GOOD_FUNCTION).replace(' lossCategory="structural"', ""), "input.missing", "lossCategory"),
        (vulnerability_xml(GOOD_FUNCTION, "business_interruption"), "input.unknown", "lossCategory"),
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
            f"<nrml {NS}>&lol2;</nrml>",
            None, None,
        ),
        (
            f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]><nrml {NS}>&ext;</nrml>',
            None, None,
        ),
    ],
)  # fmt: skip
def test_bad_documents(text: str, code: str | None, field: str | None) -> None:
    """Syntax and safety refusals come from :mod:`kalkan.io.xml` (its codes are tested there); the rest here."""
    with pytest.raises(InputError) as info:
        parse_vulnerability_model(text, "bad.xml")
    assert str(info.value).startswith("bad.xml")
    if code is not None:
        expect_error(info, code, field)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_vulnerability_model(tmp_path / "nope.xml")
    assert str(tmp_path / "nope.xml") in str(info.value)  # codes of reading: kalkan.io.xml
    with pytest.raises(InputError) as info:
        read_vulnerability_model(tmp_path)
    assert str(tmp_path) in str(info.value)


# ------------------------------------------------------------------------------------------ writing


def test_round_trip_of_the_gem_model(tmp_path: Path) -> None:
    for name in GEM_FILES.values():
        model = read_vulnerability_model(GEM / name)
        out = tmp_path / name
        write_vulnerability_model(out, model.functions.values(), description=model.description)
        again = read_vulnerability_model(out)
        assert again.loss_type == model.loss_type and again.description == model.description
        assert list(again.functions) == list(model.functions)
        for fid, f in model.functions.items():
            g = again.functions[fid]
            assert (g.imt, g.unit, g.distribution, g.loss_type) == (f.imt, f.unit, f.distribution, f.loss_type)
            assert np.array_equal(g.intensity, f.intensity) and np.array_equal(g.mean_lr, f.mean_lr)
            assert g.cov is not None and f.cov is not None and np.array_equal(g.cov, f.cov)


def _function(**changes: object) -> VulnerabilityFunction:
    values: dict[str, object] = {
        "id": 'a&b "quoted" <id>',
        "imt": "PGV",
        "unit": "cm/s",
        "intensity": np.array([1.0 / 3.0, 2.0, 10.0]),
        "mean_lr": np.array([0.0, 0.1 + 0.2, 1.0]),
    }
    values.update(changes)
    return VulnerabilityFunction(**values)  # type: ignore[arg-type]


def test_round_trip_is_exact_and_escapes_text() -> None:
    f = _function()
    again = parse_vulnerability_model(format_vulnerability_model([f], description="a < b & c"), "mem.xml")
    g = again.functions[f.id]
    assert again.description == "a < b & c"
    assert g.intensity.tolist() == f.intensity.tolist() and g.mean_lr.tolist() == f.mean_lr.tolist()
    # "none" has no NRML name: written as LN with zero covLRs (the manual's deterministic function).
    assert g.distribution == "LN" and g.cov is not None and not g.cov.any()


def test_writer_refuses_what_nrml_cannot_say() -> None:
    with pytest.raises(InputError) as info:
        format_vulnerability_model([_function(), _function(id="x", loss_type="contents")])
    expect_error(info, "input.inconsistent", "loss_type")
    with pytest.raises(InputError) as info:
        format_vulnerability_model([_function(below_first="clamp")])
    expect_error(info, "input.unsupported", "distribution")
    with pytest.raises(InputError) as info:
        format_vulnerability_model([_function(), _function()])
    expect_error(info, "input.duplicate", "id")
    with pytest.raises(InputError) as info:
        format_vulnerability_model([])
    expect_error(info, "input.empty")


# ------------------------------------------------------------------------------------------ properties

_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "1", "-1", "1e-08", "0.999999", "abc", "", "1,5", "NaN", "inf", "&amp;", "<"]),
)
_numbers = st.lists(_number, max_size=6).map(" ".join)
_attr = st.one_of(st.sampled_from(["PGA", "SA(0.3)", "MMI", "SA", "LN", "BT", "PM", "", "x"]), st.text(max_size=8))


def _escape_attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_give_a_model_or_an_input_error(data: bytes) -> None:
    for parse in (parse_vulnerability_model, parse_fragility_model):
        with contextlib.suppress(InputError):
            parse(data, "fuzz.xml")


@settings(max_examples=300, deadline=None)
@given(_attr, _attr, _numbers, _numbers, _numbers, st.sampled_from(["structural", "occupants", "x", ""]))
def test_random_function_content_gives_a_model_or_an_input_error(
    dist: str, imt: str, imls: str, means: str, covs: str, loss: str
) -> None:
    function = (
        f'<vulnerabilityFunction id="f" dist="{_escape_attr(dist)}"><imls imt="{_escape_attr(imt)}">{imls}</imls>'
        f"<meanLRs>{means}</meanLRs><covLRs>{covs}</covLRs></vulnerabilityFunction>"
    )
    try:
        model = parse_vulnerability_model(vulnerability_xml(function, loss), "fuzz.xml")
    except InputError:
        return
    assert list(model.functions) == ["f"]


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["discrete", "continuous", "x"]),
    _attr,
    _numbers,
    _numbers,
    _numbers,
    st.tuples(_number, _number, _number, _number),
    st.one_of(st.none(), _number),
)
def test_random_fragility_content_gives_a_model_or_an_input_error(
    fmt: str,
    imt: str,
    imls: str,
    poes1: str,
    poes2: str,
    params: tuple[str, str, str, str],
    ndl: str | None,
) -> None:
    ndl_attr = "" if ndl is None else f' noDamageLimit="{_escape_attr(ndl)}"'
    m1, s1, m2, s2 = (_escape_attr(p) for p in params)
    function = (
        f'<fragilityFunction id="f" format="{fmt}" shape="logncdf"><imls imt="{_escape_attr(imt)}"{ndl_attr}>'
        f'{imls}</imls><poes ls="slight">{poes1}</poes><poes ls="complete">{poes2}</poes>'
        f'<params ls="slight" mean="{m1}" stddev="{s1}"/><params ls="complete" mean="{m2}" stddev="{s2}"/>'
        "</fragilityFunction>"
    )
    try:
        model = parse_fragility_model(_fragility(function), "fuzz.xml", ignore_no_damage_limit=True)
    except InputError:
        return
    assert list(model.functions) == ["f"]


@settings(max_examples=200, deadline=None)
@given(_attr, _attr, _numbers, _numbers, _numbers, st.sampled_from(["fatalities", "structural", "Economic_loss", ""]))
def test_random_nrml_04_content_gives_a_model_or_an_input_error(
    dist: str, imt: str, imls: str, means: str, covs: str, loss: str
) -> None:
    text = (
        '<nrml xmlns="http://openquake.org/xmlns/nrml/0.4"><vulnerabilityModel>'
        f'<discreteVulnerabilitySet vulnerabilitySetID="s" lossCategory="{loss}">'
        f'<IML IMT="{_escape_attr(imt)}">{imls}</IML>'
        f'<discreteVulnerability vulnerabilityFunctionID="f" probabilisticDistribution="{_escape_attr(dist)}">'
        f"<lossRatio>{means}</lossRatio><coefficientsVariation>{covs}</coefficientsVariation>"
        "</discreteVulnerability></discreteVulnerabilitySet></vulnerabilityModel></nrml>"
    )
    try:
        model = parse_vulnerability_model(text, "fuzz.xml")
    except InputError:
        return
    assert list(model.functions) == ["f"]
