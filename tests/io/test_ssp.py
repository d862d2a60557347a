"""SSP readers: the shipped files parse; malformed files fail with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from kalkan.catalog.sources import data_root
from kalkan.errors import InputError
from kalkan.io.ssp import DRIVERS_FILE, OECD_GDP_FILE, read_oecd_gdp, read_ssp_drivers


def test_shipped_files() -> None:
    drivers = read_ssp_drivers(data_root() / DRIVERS_FILE)
    assert len(drivers) == 350
    pop = drivers[("SSP2", "TJK", "Population", "million")]
    assert pop.years[0] == 1990 and pop.values[pop.years.tolist().index(2050)] == pytest.approx(14.6314)
    oecd = read_oecd_gdp(data_root() / OECD_GDP_FILE)
    g = oecd[("SSP2", "TJK", "GDP|PPP [per capita]", "USD_2017/yr")]
    assert g.years.tolist()[0] == 2020 and g.values[g.years.tolist().index(2050)] == pytest.approx(9503.09)


def test_errors(tmp_path: Path) -> None:
    bad = tmp_path / "drivers.csv"
    bad.write_text("SSP,ISO,Variable,Unit,2020,2025\nSSP1,KAZ,Population,million,1.0,x\n")
    with pytest.raises(InputError, match=r"line 2, field '2025': 'x' is not a number"):
        read_ssp_drivers(bad)
    bad.write_text("SSP,ISO,Unit,2020\nSSP1,KAZ,million,1.0\n")
    with pytest.raises(InputError, match="missing column"):
        read_ssp_drivers(bad)
    bad.write_text("SSP,ISO,Variable,Unit,2020\nSSP1,KAZ,Population,million,1\nSSP1,KAZ,Population,million,2\n")
    with pytest.raises(InputError, match="line 3: SSP1/KAZ/Population/million appears twice"):
        read_ssp_drivers(bad)
    bad.write_text("scenario,variable,unit,year,value,iso\nSSP1,GDP,USD,2020.5,1,KAZ\n")
    with pytest.raises(InputError, match="field 'year'"):
        read_oecd_gdp(bad)
    bad.write_text("scenario,variable,unit,year,value\n")
    with pytest.raises(InputError, match=r"file is empty|missing column"):
        read_oecd_gdp(bad)
    with pytest.raises(InputError, match="file not found"):
        read_ssp_drivers(tmp_path / "none.csv")
