"""SSP readers: the shipped files parse; malformed files fail with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kalkan.catalog.files import SSP_DRIVERS_FILE, SSP_OECD_GDP_FILE, shipped_path
from kalkan.errors import InputError
from kalkan.io.ssp import read_oecd_gdp, read_ssp_drivers, shipped_ssp_tables
from tests.errors import expect_error


def test_shipped_files() -> None:
    drivers = read_ssp_drivers(shipped_path(SSP_DRIVERS_FILE))
    assert len(drivers) == 350
    pop = drivers[("SSP2", "TJK", "Population", "million")]
    assert pop.years[0] == 1990 and pop.values[pop.years.tolist().index(2050)] == pytest.approx(14.6314)
    oecd = read_oecd_gdp(shipped_path(SSP_OECD_GDP_FILE))
    g = oecd[("SSP2", "TJK", "GDP|PPP [per capita]", "USD_2017/yr")]
    assert g.years.tolist()[0] == 2020 and g.values[g.years.tolist().index(2050)] == pytest.approx(9503.09)


def test_shipped_tables_are_the_two_files() -> None:
    tables = shipped_ssp_tables()
    assert tables.countries == ("KAZ", "KGZ", "TJK", "TKM", "UZB")
    drivers = read_ssp_drivers(shipped_path(SSP_DRIVERS_FILE))
    assert set(tables.drivers) == set(drivers)
    assert set(tables.gdp) == set(read_oecd_gdp(shipped_path(SSP_OECD_GDP_FILE)))


def test_errors(tmp_path: Path) -> None:
    bad = tmp_path / "drivers.csv"
    bad.write_text("SSP,ISO,Variable,Unit,2020,2025\nSSP1,KAZ,Population,million,1.0,x\n")
    with pytest.raises(InputError) as info:
        read_ssp_drivers(bad)
    expect_error(info, "input.type", "2025", 2)
    bad.write_text("SSP,ISO,Unit,2020\nSSP1,KAZ,million,1.0\n")
    with pytest.raises(InputError) as info:
        read_ssp_drivers(bad)
    expect_error(info, "input.missing", "Variable")
    bad.write_text("SSP,ISO,Variable,Unit,2020\nSSP1,KAZ,Population,million,1\nSSP1,KAZ,Population,million,2\n")
    with pytest.raises(InputError) as info:
        read_ssp_drivers(bad)
    expect_error(info, "input.duplicate", row=3)
    bad.write_text("scenario,variable,unit,year,value,iso\nSSP1,GDP,USD,2020.5,1,KAZ\n")
    with pytest.raises(InputError) as info:
        read_oecd_gdp(bad)
    expect_error(info, "input.type", "year", 2)
    bad.write_text("scenario,variable,unit,year,value\n")
    with pytest.raises(InputError) as info:
        read_oecd_gdp(bad)
    expect_error(info, "input.missing", "iso")
    bad.write_text("")
    with pytest.raises(InputError) as info:
        read_oecd_gdp(bad)
    expect_error(info, "input.empty")
    with pytest.raises(InputError) as info:
        read_ssp_drivers(tmp_path / "none.csv")
    expect_error(info, "input.not_found")
