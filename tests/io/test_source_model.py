"""Source-model readers: OpenQuake NRML, Kalkan's CSV, nshmp-haz PEER folders; bad input is named."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from kalkan.core.hazard.earthquake.mfd import ArbitraryMFD, TruncatedGRMFD
from kalkan.core.hazard.earthquake.sources import AreaSource, PointSource, SimpleFaultSource
from kalkan.errors import InputError
from kalkan.io.source_model import read_nshmp_case, read_source_model
from tests.errors import expect_error

PEER = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "peer_psha_verification"

NRML = """<?xml version="1.0" encoding="utf-8"?>
<nrml xmlns:gml="http://www.opengis.net/gml" xmlns="http://openquake.org/xmlns/nrml/{version}">
<sourceModel name="test">
{group_open}
<pointSource id="p1" name="Point" tectonicRegion="Active Shallow Crust">
  <pointGeometry><gml:Point><gml:pos>74.6 42.9</gml:pos></gml:Point>
    <upperSeismoDepth>0.0</upperSeismoDepth><lowerSeismoDepth>20.0</lowerSeismoDepth></pointGeometry>
  <magScaleRel>WC1994</magScaleRel><ruptAspectRatio>1.5</ruptAspectRatio>
  <truncGutenbergRichterMFD aValue="3.0" bValue="1.0" minMag="5.0" maxMag="7.0"/>
  <nodalPlaneDist><nodalPlane probability="0.5" strike="0" dip="90" rake="0"/>
    <nodalPlane probability="0.5" strike="90" dip="45" rake="90"/></nodalPlaneDist>
  <hypoDepthDist><hypoDepth probability="1.0" depth="10"/></hypoDepthDist>
</pointSource>
<areaSource id="a1" name="Area">
  <areaGeometry><gml:Polygon><gml:exterior><gml:LinearRing>
    <gml:posList>74.0 42.5 75.0 42.5 75.0 43.2 74.0 43.2</gml:posList>
  </gml:LinearRing></gml:exterior></gml:Polygon>
    <upperSeismoDepth>0.0</upperSeismoDepth><lowerSeismoDepth>20.0</lowerSeismoDepth></areaGeometry>
  <magScaleRel>PeerMSR</magScaleRel><ruptAspectRatio>2.0</ruptAspectRatio>
  <incrementalMFD minMag="5.0" binWidth="0.5"><occurRates>0.01 0.001</occurRates></incrementalMFD>
  <nodalPlaneDist><nodalPlane probability="1.0" strike="0" dip="90" rake="0"/></nodalPlaneDist>
  <hypoDepthDist><hypoDepth probability="1.0" depth="8"/></hypoDepthDist>
</areaSource>
<simpleFaultSource id="f1" name="Fault">
  <simpleFaultGeometry><gml:LineString><gml:posList>74.0 42.8 74.8 42.8</gml:posList></gml:LineString>
    <dip>60</dip><upperSeismoDepth>2.0</upperSeismoDepth><lowerSeismoDepth>15.0</lowerSeismoDepth>
  </simpleFaultGeometry>
  <magScaleRel>WC1994</magScaleRel><ruptAspectRatio>1.0</ruptAspectRatio>
  <arbitraryMFD><magnitudes>6.5 7.0</magnitudes><occurRates>0.002 0.001</occurRates></arbitraryMFD>
  <rake>90</rake>
</simpleFaultSource>
{extra}
{group_close}
</sourceModel>
</nrml>
"""
COMPLEX = '<complexFaultSource id="c1" name="Complex"><complexFaultGeometry/></complexFaultSource>'


def write_nrml(tmp_path: Path, version: str = "0.5", extra: str = "") -> Path:
    groups = ('<sourceGroup name="g" tectonicRegion="Active Shallow Crust">', "</sourceGroup>")
    text = NRML.format(version=version, extra=extra, group_open=groups[0] if version == "0.5" else "",
                       group_close=groups[1] if version == "0.5" else "")  # fmt: skip
    path = tmp_path / "sources.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("version", ["0.4", "0.5"])
def test_read_nrml_point_area_fault(tmp_path: Path, version: str) -> None:
    model = read_source_model(write_nrml(tmp_path, version), mesh_spacing_km=2.0, area_spacing_km=10.0)
    point, area, fault = model.sources
    assert isinstance(point, PointSource) and isinstance(point.mfd, TruncatedGRMFD)
    assert len(point.nodal_planes) == 2 and point.aspect_ratio == 1.5
    assert isinstance(area, AreaSource) and area.scaling == "PeerMSR" and area.spacing_km == 10.0
    assert isinstance(fault, SimpleFaultSource) and isinstance(fault.mfd, ArbitraryMFD)
    # the top edge is the surface trace moved 2 / tan(60) km down dip (south of an eastward trace)
    assert fault.trace[0][1] < 42.8
    assert (42.8 - fault.trace[0][1]) * 111.19 == pytest.approx(2.0 / np.tan(np.radians(60)), rel=1e-3)
    for s in model.sources:
        rs = s.ruptures()
        assert len(rs) > 0
    assert point.ruptures().rate.sum() == pytest.approx(point.mfd.total_rate())


def test_unsupported_source_is_named_or_skipped_with_warning(tmp_path: Path) -> None:
    path = write_nrml(tmp_path, extra=COMPLEX)
    with pytest.raises(InputError, match="c1") as info:  # names the source
        read_source_model(path)
    expect_error(info, "input.unsupported", "complexFaultSource")
    model = read_source_model(path, skip_unsupported=True)
    assert len(model.sources) == 3
    assert any("complexFaultSource" in w for w in model.warnings)


def test_unsupported_mfd_and_bad_values_are_named(tmp_path: Path) -> None:
    path = write_nrml(tmp_path)
    text = path.read_text()
    bad = text.replace('<truncGutenbergRichterMFD aValue="3.0" bValue="1.0" minMag="5.0" maxMag="7.0"/>',
                       '<YoungsCoppersmithMFD minMag="5.0"/>')  # fmt: skip
    path.write_text(bad)
    with pytest.raises(InputError) as info:
        read_source_model(path)
    expect_error(info, "input.unsupported", "YoungsCoppersmithMFD")
    path.write_text(text.replace('maxMag="7.0"', 'maxMag="4.0"'))
    with pytest.raises(InputError) as info:
        read_source_model(path)
    line = text.splitlines().index(next(ln for ln in text.splitlines() if 'maxMag="7.0"' in ln)) + 1
    expect_error(info, "input.inconsistent", "maxMag", row=line)  # below minMag, on the MFD's line
    path.write_text(text.replace("0.01 0.001", "0.01 -0.001"))
    with pytest.raises(InputError) as info:
        read_source_model(path)
    expect_error(info, "input.range", "rates")


def test_read_csv(tmp_path: Path) -> None:
    path = tmp_path / "sources.csv"
    path.write_text(
        "# Kalkan source CSV\n"
        "id,name,kind,lon,lat,polygon,a_value,b_value,min_mag,max_mag,bin_width,upper_depth_km,lower_depth_km,"
        "hypo_depth_km,strike,dip,rake,scaling,aspect_ratio,spacing_km\n"
        "p,Point,point,74.6,42.9,,3.0,1.0,5.0,7.0,0.1,0,20,10,0,90,0,WC1994,1.5,\n"
        "a,Area,area,,,74 42.5;75 42.5;75 43.2;74 43.2,3.5,1.0,5.0,6.5,,0,20,8,45,60,-90,,,20\n",
        encoding="utf-8",
    )
    point, area = read_source_model(path).sources
    assert isinstance(point, PointSource) and point.aspect_ratio == 1.5
    assert isinstance(area, AreaSource) and area.spacing_km == 20.0 and area.scaling == "WC1994"
    path.write_text(path.read_text().replace("5.0,6.5", "5.0,4.5"))
    with pytest.raises(InputError) as info:
        read_source_model(path)
    expect_error(info, "input.inconsistent", "maxMag", row=4)


@pytest.mark.skipif(not PEER.exists(), reason="PEER data not available")
def test_read_nshmp_case_fault_and_area() -> None:
    case = read_nshmp_case(PEER / "nshmp-haz" / "models" / "Set1-Case4")
    (fault,) = case.sources
    assert isinstance(fault, SimpleFaultSource)
    assert (fault.upper_depth_km, fault.lower_depth_km, fault.dip) == pytest.approx((1.0, 12.0, 60.0))
    assert case.model.kind == "NONE" and case.imts == ("PGA",) and case.levels.size == 18
    area_case = read_nshmp_case(PEER / "nshmp-haz" / "models" / "Set1-Case11-fast")
    (area,) = area_case.sources
    assert isinstance(area, AreaSource) and area.spacing_deg == 0.1 and not area.finite
    assert [d for _, d in area.hypo_depths] == [5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    s2 = read_nshmp_case(PEER / "nshmp-haz" / "models" / "Set2-Case2a-fast")
    assert s2.sites.z1pt0_m[0] == pytest.approx(48.0)
    assert s2.sites.vs30_measured.all()  # vsInf = false: measured


@pytest.mark.skipif(not PEER.exists(), reason="PEER data not available")
def test_nshmp_unsupported_settings_are_named(tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(PEER / "nshmp-haz" / "models" / "Set1-Case10-fast", case)
    cfg = case / "config.json"
    cfg.write_text(cfg.read_text().replace('"UNIFORM_0P05"', '"SCALED_SMALL"'))
    with pytest.raises(InputError) as info:
        read_nshmp_case(case)
    expect_error(info, "input.unsupported", "areaGridScaling")
    cfg.write_text(cfg.read_text().replace('"POINT"', '"FIXED_STRIKE"'))
    with pytest.raises(InputError) as info:
        read_nshmp_case(case)
    expect_error(info, "input.unsupported", "pointSourceType")
    gmm = case / "Area" / "gmm.xml"
    cfg.write_text(cfg.read_text().replace('"FIXED_STRIKE"', '"POINT"').replace('"SCALED_SMALL"', '"UNIFORM_0P1"'))
    gmm.write_text(gmm.read_text().replace("SADIGH_97", "TORO_97"))
    with pytest.raises(InputError, match="TORO_97") as info:
        read_nshmp_case(case)
    expect_error(info, "input.unsupported", "id")
