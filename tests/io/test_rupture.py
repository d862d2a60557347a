"""Rupture files: Kalkan's rupture JSON and OpenQuake rupture NRML, read into the core's ruptures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kalkan.core.hazard.earthquake.rupture import MultiPlaneRupture, PointRupture
from kalkan.errors import InputError
from kalkan.io.rupture import parse_rupture_json, parse_rupture_nrml, read_rupture
from tests.core.hazard.earthquake.test_rupture import BENCH, DUSHANBE, NS, PLANE_XML, SINGLE_XML, dushanbe
from tests.errors import expect_error

# --------------------------------------------------------------------------------------------- JSON


def test_json_forms(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(DUSHANBE), encoding="utf-8")
    assert read_rupture(path) == dushanbe()
    point = parse_rupture_json({"mag": 5.5, "rake": -90, "hypocentre": {"lon": 69.0, "lat": 38.5, "depth_km": 8}})
    assert isinstance(point, PointRupture)
    assert point.ztor_km == 8.0
    planes = parse_rupture_json({**{k: DUSHANBE[k] for k in ("mag", "rake", "hypocenter")},
                                 "planes": [DUSHANBE["corners"], DUSHANBE["corners"]]})  # fmt: skip
    assert isinstance(planes, MultiPlaneRupture)
    assert len(planes.planes) == 2


def test_json_errors_name_the_field(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(DUSHANBE))
    bad["corners"]["top_left"]["lat"] = "x"
    with pytest.raises(InputError, match=r"r\.json") as info:
        parse_rupture_json(bad, "r.json")
    expect_error(info, "input.type", "corners.top_left.lat")
    bad = json.loads(json.dumps(DUSHANBE))
    bad["corners"]["top_left"]["lat"] = 95.0
    with pytest.raises(InputError, match=r"r\.json") as info:
        parse_rupture_json(bad, "r.json")
    expect_error(info, "input.range", "corners.top_left.lat")
    for name, value in (("strike", 75.0), ("ztor_km", 5.0)):  # disagree with the corners
        bad = json.loads(json.dumps(DUSHANBE))
        bad[name] = value
        with pytest.raises(InputError, match=r"r\.json") as info:
            parse_rupture_json(bad, "r.json")
        expect_error(info, "input.inconsistent", name)
    bad = json.loads(json.dumps(DUSHANBE))
    del bad["hypocenter"]
    with pytest.raises(InputError) as info:
        parse_rupture_json(bad, "r.json")
    expect_error(info, "input.missing", "hypocenter")
    bad = json.loads(json.dumps(DUSHANBE))
    bad["mag"] = 11.0
    with pytest.raises(InputError, match=r"r\.json") as info:
        parse_rupture_json(bad, "r.json")
    expect_error(info, "input.range", "mag")
    with pytest.raises(InputError) as info:
        parse_rupture_json({**DUSHANBE, "magnitude": 7.0}, "r.json")
    expect_error(info, "input.unknown", "magnitude")
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.json"):
        read_rupture(path)
    with pytest.raises(InputError, match=r"missing\.json"):
        read_rupture(tmp_path / "missing.json")
    with pytest.raises(InputError) as info:
        read_rupture(tmp_path / "r.txt")
    expect_error(info, "input.unsupported")


# --------------------------------------------------------------------------------------------- NRML


def test_nrml_single_plane_matches_json() -> None:
    assert parse_rupture_nrml(SINGLE_XML.encode()) == dushanbe()


def test_nrml_multi_planes() -> None:
    xml = f"""<nrml {NS}>
  <multiPlanesRupture>
    <magnitude>7.0</magnitude>
    <rake>90.0</rake>
    <hypocenter lat="38.56" lon="68.78" depth="10.0711"/>{PLANE_XML}{PLANE_XML}
  </multiPlanesRupture>
</nrml>"""
    rupture = parse_rupture_nrml(xml.encode())
    assert isinstance(rupture, MultiPlaneRupture)
    assert rupture.planes == (dushanbe().plane, dushanbe().plane)
    assert rupture.ztor_km == pytest.approx(3.0)


def test_nrml_errors() -> None:
    cases: list[tuple[str, str, str, int]] = [
        (SINGLE_XML.replace('lat="38.54492"', 'lat="north"'), "input.type", "lat", 8),
        (SINGLE_XML.replace('lat="38.54492"', 'lat="95"'), "input.range", "topLeft.lat", 8),
        (SINGLE_XML.replace('strike="255.0"', 'strike="75.0"'), "input.inconsistent", "strike", 7),
        (SINGLE_XML.replace("singlePlaneRupture", "simpleFaultRupture"), "input.unsupported", "simpleFaultRupture", 3),
        (SINGLE_XML.replace("<magnitude>7.0</magnitude>", ""), "input.missing", "magnitude", 3),
        (SINGLE_XML.replace("<magnitude>7.0</magnitude>", "<magnitude>12</magnitude>"), "input.range", "magnitude", 3),
    ]
    for text, code, field, row in cases:
        with pytest.raises(InputError, match=r"r\.xml") as info:
            parse_rupture_nrml(text.encode(), "r.xml")
        expect_error(info, code, field, row)
    with pytest.raises(InputError) as info:
        parse_rupture_nrml(b'<rupture xmlns="http://openquake.org/xmlns/nrml/0.5"/>', "r.xml")
    expect_error(info, "input.syntax", "nrml")
    with pytest.raises(InputError, match=r"r\.xml"):
        parse_rupture_nrml(b"<nrml", "r.xml")
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><nrml>&a;</nrml>'
    with pytest.raises(InputError, match=r"r\.xml"):
        parse_rupture_nrml(bomb, "r.xml")
    swapped = (
        SINGLE_XML.replace("bottomLeft", "tmpX").replace("bottomRight", "bottomLeft").replace("tmpX", "bottomRight")
    )
    with pytest.raises(InputError, match=r"r\.xml") as info:
        parse_rupture_nrml(swapped.encode(), "r.xml")
    expect_error(info, "input.inconsistent", "planarSurface.bottom_left", 7)


@pytest.mark.skipif(not BENCH.is_dir(), reason="shared/bench/oq_bench is not present")
def test_shared_benchmark_files_load() -> None:
    from_json = read_rupture(BENCH / "rupture.json")
    from_xml = read_rupture(BENCH / "rupture.xml")
    assert from_json == from_xml == dushanbe()
