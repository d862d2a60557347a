"""OpenQuake exposure models: inline and CSV-referenced assets, cost conversions, tags, round trips, errors.

The example files are written here by hand in the format the OpenQuake Engine manual documents
("Exposure Models"), with Central Asian values.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kalkan.core.exposure.table import Exposure
from kalkan.errors import InputError
from kalkan.io.exposure_oq import read_exposure_oq, write_exposure_oq
from tests.errors import expect_error
from tests.io.test_exposure_csv import assert_same_exposure, strings

NS = 'xmlns="http://openquake.org/xmlns/nrml/0.5" xmlns:gml="http://www.opengis.net/gml"'

INLINE = f"""<?xml version="1.0" encoding="UTF-8"?>
<nrml {NS}>
  <exposureModel id="osh_sample" category="buildings" taxonomySource="GEM_Building_Taxonomy_3.0">
    <description>Osh sample, 2021 USD</description>
    <conversions>
      <costTypes>
        <costType name="structural" type="aggregated" unit="USD"/>
        <costType name="nonstructural" type="aggregated" unit="USD"/>
        <costType name="contents" type="aggregated" unit="USD"/>
      </costTypes>
    </conversions>
    <occupancyPeriods>day night</occupancyPeriods>
    <tagNames>OCCUPANCY District NAME_1 ID_1</tagNames>
    <assets>
      <asset id="osh_1" number="12" taxonomy="MUR+ADO/LWAL+CDN/H:1/RES">
        <location lon="72.79" lat="40.53"/>
        <costs>
          <cost type="structural" value="240000"/>
          <cost type="nonstructural" value="360000"/>
          <cost type="contents" value="120000"/>
        </costs>
        <occupancies>
          <occupancy occupants="14.5" period="day"/>
          <occupancy occupants="48" period="night"/>
        </occupancies>
        <tags OCCUPANCY="Res" District="Osh city" NAME_1="Osh" ID_1="KG-O"/>
      </asset>
      <asset id="osh_2" number="2" taxonomy="CR+CIP/LFINF+CDL/HBET:1-3/COM">
        <location lon="72.80" lat="40.52"/>
        <costs>
          <cost type="structural" value="900000"/>
          <cost type="nonstructural" value="1350000"/>
          <cost type="contents" value="0"/>
        </costs>
        <occupancies>
          <occupancy occupants="60" period="day"/>
          <occupancy occupants="0" period="night"/>
        </occupancies>
        <tags OCCUPANCY="Com" NAME_1="Osh" ID_1="KG-O"/>
      </asset>
    </assets>
  </exposureModel>
</nrml>
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_inline_assets(tmp_path: Path) -> None:
    e = read_exposure_oq(write(tmp_path / "exposure.xml", INLINE))
    assert list(e.id) == ["osh_1", "osh_2"] and e.source == str(tmp_path / "exposure.xml")
    np.testing.assert_array_equal(e.lon, [72.79, 72.80])
    np.testing.assert_array_equal(e.number, [12, 2])
    assert list(e.taxonomy) == ["MUR+ADO/LWAL+CDN/H:1/RES", "CR+CIP/LFINF+CDL/HBET:1-3/COM"]
    np.testing.assert_array_equal(e.costs["nonstructural"], [360000, 1350000])
    np.testing.assert_array_equal(e.occupants["day"], [14.5, 60])
    assert set(e.occupants) == {"day", "night"}
    assert strings(e.occupancy) == ["Res", "Com"]
    assert strings(e.district) == ["Osh city", ""]
    assert list(e.extra) == ["NAME_1", "ID_1"]
    assert list(e.extra["NAME_1"]) == ["Osh", "Osh"] and list(e.extra["ID_1"]) == ["KG-O", "KG-O"]
    assert (e.currency, e.price_year) == ("USD", None)
    assert read_exposure_oq(tmp_path / "exposure.xml", price_year=2021).price_year == 2021


METADATA = f"""<?xml version="1.0" encoding="UTF-8"?>
<nrml {NS}>
  <exposureModel id="kgz_adm1" category="buildings" taxonomySource="GEM taxonomy">
    <description>Kyrgyzstan by region</description>
    <conversions>
      <costTypes>
        <costType name="structural" type="aggregated" unit="USD"/>
        <costType name="contents" type="aggregated" unit="USD"/>
      </costTypes>
    </conversions>
    <occupancyPeriods>night</occupancyPeriods>
    <tagNames>occupancy NAME_1 ID_1</tagNames>
    <assets>
      res.csv
      com.csv
    </assets>
  </exposureModel>
</nrml>
"""
RES = """id,lon,lat,taxonomy,number,structural,contents,night,occupancy,NAME_1,ID_1
r1,74.6,42.87,MUR+CL99/LWAL+CDN/H:1/RES,1200.5,61000000,30500000,5100,Res,Chuy,KG-C
r2,72.8,40.53,MUR+ADO/LWAL+CDN/H:1/RES,800,22000000,11000000,3300,Res,Osh,KG-O
"""
COM = """id,lon,lat,taxonomy,number,structural,contents,night,occupancy,NAME_1,ID_1
c1,74.6,42.87,CR+CIP/LFINF+CDL/HBET:1-3/COM,40,8000000,4000000,0,Com,Chuy,KG-C
"""


def test_csv_referenced_assets(tmp_path: Path) -> None:
    write(tmp_path / "res.csv", RES)
    write(tmp_path / "com.csv", COM)
    e = read_exposure_oq(write(tmp_path / "exposure.xml", METADATA))
    assert list(e.id) == ["r1", "r2", "c1"]
    np.testing.assert_array_equal(e.number, [1200.5, 800, 40])
    np.testing.assert_array_equal(e.costs["structural"], [61e6, 22e6, 8e6])
    assert set(e.costs) == {"structural", "contents"} and list(e.occupants) == ["night"]
    assert strings(e.occupancy) == ["Res", "Res", "Com"]
    assert list(e.extra["ID_1"]) == ["KG-C", "KG-O", "KG-C"]


def test_errors_name_the_asset_file_and_row(tmp_path: Path) -> None:
    write(tmp_path / "res.csv", RES)
    write(tmp_path / "com.csv", COM.replace("8000000", "-8000000"))
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "exposure.xml", METADATA))
    assert str(info.value).startswith(
        f"{tmp_path / 'com.csv'}: data row 1, field 'structural': got '-8000000'; expected a finite replacement cost"
    )
    write(tmp_path / "com.csv", COM.replace("c1,", "r2,"))
    with pytest.raises(InputError) as info:
        read_exposure_oq(tmp_path / "exposure.xml")
    assert str(info.value).startswith(
        f"{tmp_path / 'com.csv'}: data row 1, field 'id': asset id 'r2' is already used at "
        f"{tmp_path / 'res.csv'}: data row 2"
    )


def test_exposure_fields_rename_columns(tmp_path: Path) -> None:
    header = "ASSET_ID,LONGITUDE,LATITUDE,TAXONOMY,BUILDINGS,COST_STRUCTURAL_USD,COST_CONTENTS_USD,OCC_NIGHT,occupancy"
    rows = ["r1,74.6,42.87,W/LWAL/H:1,3,1000,500,4,Res"]
    write(tmp_path / "res.csv", "\n".join([header, *rows]) + "\n")
    fields = """<exposureFields>
      <field oq="id" input="ASSET_ID"/>
      <field oq="lon" input="LONGITUDE"/>
      <field oq="lat" input="LATITUDE"/>
      <field oq="taxonomy" input="TAXONOMY"/>
      <field oq="number" input="BUILDINGS"/>
      <field oq="value" type="structural" input="COST_STRUCTURAL_USD"/>
      <field oq="value" type="contents" input="COST_CONTENTS_USD"/>
      <field oq="night" input="OCC_NIGHT"/>
    </exposureFields>
  </exposureModel>"""
    xml = METADATA.replace("com.csv", "").replace("</exposureModel>", fields)
    e = read_exposure_oq(write(tmp_path / "exposure.xml", xml))
    assert list(e.id) == ["r1"] and e.costs["contents"][0] == 500 and e.occupants["night"][0] == 4
    write(tmp_path / "res.csv", "\n".join([header, rows[0].replace(",3,", ",x,")]) + "\n")
    with pytest.raises(InputError) as info:
        read_exposure_oq(tmp_path / "exposure.xml")
    message = expect_error(info, "input.type", "BUILDINGS", 1).message  # the column as the file names it
    assert "res.csv" in message and "'x'" in message


def _conversions(structural: str, area: str = "") -> str:
    return INLINE.replace(
        '<costType name="structural" type="aggregated" unit="USD"/>',
        f'<costType name="structural" type="{structural}" unit="USD"/>',
    ).replace("</costTypes>", f"</costTypes>{area}")


def test_per_building_costs_are_multiplied_by_number(tmp_path: Path) -> None:
    e = read_exposure_oq(write(tmp_path / "e.xml", _conversions("per_asset")))
    np.testing.assert_array_equal(e.costs["structural"], [240000 * 12, 900000 * 2])
    np.testing.assert_array_equal(e.costs["contents"], [120000, 0])


def test_per_area_costs_need_an_area(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "e.xml", _conversions("per_area")))
    expect_error(info, "input.missing", "area")
    assert info.value.hint is not None and 'type="aggregated"' in info.value.hint  # the hint shows the XML to add
    xml = _conversions("per_area", '<area type="aggregated" unit="SQM"/>')
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "e.xml", xml))
    expect_error(info, "input.missing", "area")


@pytest.mark.parametrize(("area_type", "factor"), [("aggregated", [100, 50]), ("per_asset", [100 * 12, 50 * 2])])
def test_per_area_costs_with_areas(tmp_path: Path, area_type: str, factor: list[float]) -> None:
    xml = _conversions("per_area", f'<area type="{area_type}" unit="SQM"/>')
    xml = xml.replace('number="12"', 'number="12" area="100"').replace('number="2"', 'number="2" area="50"')
    e = read_exposure_oq(write(tmp_path / "e.xml", xml))
    np.testing.assert_array_equal(e.costs["structural"], np.array([240000, 900000]) * factor)
    np.testing.assert_array_equal(e.extra["area"], [100, 50])


def test_unknown_cost_type_kind(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "e.xml", _conversions("per_unit")))
    assert "'per_unit'" in expect_error(info, "input.unknown", "type", 7).message


def test_business_interruption_and_retrofitted_are_kept(tmp_path: Path) -> None:
    xml = INLINE.replace(
        '<costType name="contents" type="aggregated" unit="USD"/>',
        '<costType name="contents" type="aggregated" unit="USD"/>'
        '<costType name="business_interruption" type="per_asset" unit="USD/month"/>',
    ).replace(
        '<cost type="contents" value="120000"/>',
        '<cost type="contents" value="120000"/><cost type="business_interruption" value="10"/>',
    )
    xml = xml.replace(
        '<cost type="structural" value="240000"/>', '<cost type="structural" value="240000" retrofitted="5000"/>'
    )
    e = read_exposure_oq(write(tmp_path / "e.xml", xml))
    assert e.extra["business_interruption"][0] == 120 and math.isnan(e.extra["business_interruption"][1])
    assert e.extra["retrofitted"][0] == 5000 and math.isnan(e.extra["retrofitted"][1])


@pytest.mark.parametrize(
    ("old", "new", "code", "field", "line"),
    [
        ('<cost type="contents" value="0"/>', '<cost type="contents" value="-1"/>', "input.range", "contents", 28),
        ('lon="72.80"', 'lon="452000"', "input.range", "lon", 28),
        ('<location lon="72.80" lat="40.52"/>', "", "input.missing", "lon", 28),
        ('number="2"', 'number="two"', "input.type", "number", 28),
        ('id="osh_2"', 'id="osh_1"', "input.duplicate", "id", 28),
        ('occupants="48" period="night"', 'occupants="x" period="night"', "input.type", "night", 15),
        ('<occupancy occupants="0" period="night"/>', "", "input.missing", "night", 28),
        ('period="day"/>\n          <occupancy occupants="0"',
         'period="day"/>\n          <occupancy occupants="0" period="evening"/><occupancy occupants="0"',
         "input.unknown", "period", 37),
        ('<cost type="contents" value="0"/>', '<cost type="contents" value="0"/><cost type="contents" value="1"/>',
         "input.duplicate", "contents", 33),
        ('unit="USD"/>\n        <costType name="contents"', 'unit="KGS"/>\n        <costType name="contents"',
         "input.inconsistent", "unit", None),
        ('<costType name="contents" type="aggregated" unit="USD"/>',
         '<costType name="downtime" type="aggregated" unit="USD"/>', "input.unknown", "name", 9),
        ("<occupancyPeriods>day night</occupancyPeriods>", "<occupancyPeriods>day evening</occupancyPeriods>",
         "input.unknown", "occupancyPeriods", 3),
        ('OCCUPANCY="Com"', 'OCCUPANCY="Com" occupancy="Com"', "input.duplicate", "occupancy", 39),
        ("<nrml ", "<nrm ", "input.syntax", None, 43),
        ("exposureModel", "exposureMode", "input.missing", "exposureModel", 2),
    ],
)  # fmt: skip
def test_inline_errors(tmp_path: Path, old: str, new: str, code: str, field: str | None, line: int | None) -> None:
    """Each error carries its code, the attribute or element as the XML names it and the line it is on."""
    assert old in INLINE
    path = write(tmp_path / "e.xml", INLINE.replace(old, new))
    with pytest.raises(InputError) as info:
        read_exposure_oq(path)
    assert expect_error(info, code, field, line).message.startswith(f"{path}"), str(info.value)


def test_currency_comes_from_the_cost_unit(tmp_path: Path) -> None:
    path = write(tmp_path / "e.xml", INLINE.replace('unit="USD"', 'unit="KGS"'))
    assert read_exposure_oq(path).currency == "KGS"
    with pytest.raises(InputError) as info:
        read_exposure_oq(path, currency="USD")
    assert "'KGS'" in expect_error(info, "input.inconsistent", "currency").message


def test_hostile_xml_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE nrml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        f"<nrml {NS}><exposureModel><description>&b;</description></exposureModel></nrml>"
    )
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "bomb.xml", bomb))
    assert "bomb.xml" in expect_error(info, "input.unsafe").message
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "v.xml", f"<nrml {NS}></nrml>".replace("nrml", "vulnerabilityModel")))
    assert "vulnerabilityModel" in expect_error(info, "input.syntax", "nrml", 1).message
    with pytest.raises(InputError) as info:
        read_exposure_oq(tmp_path / "missing.xml")
    assert "missing.xml" in expect_error(info, "input.not_found").message


def test_missing_asset_file(tmp_path: Path) -> None:
    write(tmp_path / "res.csv", RES)
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "exposure.xml", METADATA))
    assert "com.csv" in expect_error(info, "input.not_found").message


def test_asset_files_must_share_columns(tmp_path: Path) -> None:
    write(tmp_path / "res.csv", RES)
    write(tmp_path / "com.csv", COM.replace(",ID_1", "").replace(",KG-C", ""))
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "exposure.xml", METADATA))
    message = expect_error(info, "input.inconsistent").message
    assert "com.csv" in message and "res.csv" in message


def sample() -> Exposure:
    return Exposure(
        id=np.array(["a-1", "b_2", "c3"], dtype=object),
        lon=np.array([74.59, 1 / 3, -0.0]),
        lat=np.array([42.87, 40.5, 38.56]),
        taxonomy=np.array(["CR+CIP/LFINF", "MUR+ADO", "W, timber"], dtype=object),
        costs={"structural": np.array([1e6, 2.5, 0]), "contents": np.array([5e5, 0, 1])},
        number=np.array([2, 0.5, 1]),
        occupants={"night": np.array([10, 2.5, 0]), "transit": np.array([1.0, 0, 0])},
        district=np.array(["Leninsky", "", 'Sino, "old"'], dtype=object),
        critical_type=np.array(["school", "", "hospital"], dtype=object),
        site_id=np.array([0, 4, 4]),
        extra={"year_built": np.array([1975.0, np.nan, 2001]), "NAME_1": np.array(["Chuy", "Osh", ""], dtype=object)},
        currency="KGS",
        price_year=2021,
    )


def test_round_trip(tmp_path: Path) -> None:
    e = sample()
    path = write_exposure_oq(e, tmp_path / "model.xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.csv", "model.xml"]
    text = path.read_text(encoding="utf-8")
    assert '<costType name="structural" type="aggregated" unit="KGS"/>' in text
    assert "<assets>model.csv</assets>" in text and "price year 2021" in text
    assert "<tagNames>district critical_type site_id year_built NAME_1</tagNames>" in text
    header = (tmp_path / "model.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.replace('"', "").split(",")[:9] == [
        "id",
        "lon",
        "lat",
        "taxonomy",
        "number",
        "structural",
        "contents",
        "night",
        "transit",
    ]
    assert_same_exposure(e, read_exposure_oq(path))


def test_writer_refuses_what_openquake_cannot_hold(tmp_path: Path) -> None:
    e = sample()
    total = Exposure(id=e.id, lon=e.lon, lat=e.lat, taxonomy=e.taxonomy, costs={"total": np.ones(3)})
    with pytest.raises(InputError) as info:
        write_exposure_oq(total, tmp_path / "t.xml")
    expect_error(info, "input.unsupported", "cost_total")
    spaced = Exposure(
        id=np.array(["a 1", "b", "c"], dtype=object), lon=e.lon, lat=e.lat, taxonomy=e.taxonomy, costs=e.costs
    )
    with pytest.raises(InputError) as info:
        write_exposure_oq(spaced, tmp_path / "t.xml")
    assert "'a 1'" in expect_error(info, "input.type", "id").message
    tagged = Exposure(id=e.id, lon=e.lon, lat=e.lat, taxonomy=e.taxonomy, costs=e.costs, extra={"area": np.ones(3)})
    with pytest.raises(InputError) as info:
        write_exposure_oq(tagged, tmp_path / "t.xml")
    expect_error(info, "input.unsupported", "area")
    with pytest.raises(InputError) as info:
        write_exposure_oq(e, tmp_path / "t.csv")
    assert "t.csv" in expect_error(info, "input.unsupported").message
    assert list(tmp_path.iterdir()) == []


def test_per_building_costs_need_a_number(tmp_path: Path) -> None:
    xml = _conversions("per_asset").replace(' number="12"', "").replace(' number="2"', "")
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "e.xml", xml))
    expect_error(info, "input.missing", "number")


def test_tag_spellings_must_agree(tmp_path: Path) -> None:
    xml = INLINE.replace('OCCUPANCY="Com"', 'occupancy="Com"')
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "e.xml", xml))
    assert "'OCCUPANCY'" in expect_error(info, "input.duplicate", "occupancy", 39).message


def test_asset_files_need_the_openquake_columns(tmp_path: Path) -> None:
    write(tmp_path / "res.csv", "id,lon,taxonomy,structural,contents,night\n")
    with pytest.raises(InputError) as info:
        read_exposure_oq(write(tmp_path / "exposure.xml", METADATA.replace("com.csv", "")))
    expect_error(info, "input.missing", "lat")
    write(tmp_path / "res.csv", "id,lon,lat,taxonomy,structural,contents\n")
    with pytest.raises(InputError) as info:
        read_exposure_oq(tmp_path / "exposure.xml")
    expect_error(info, "input.missing", "night")
    write(tmp_path / "res.csv", "id,lon,lat,taxonomy,structural,contents,night\n")
    assert len(read_exposure_oq(tmp_path / "exposure.xml")) == 0
