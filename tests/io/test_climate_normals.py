"""Shipped station normals and crude death rates: values as in the CSV rows (read here with csv)."""

from __future__ import annotations

import csv

import pytest

from kalkan.catalog.files import CLIMATE_NORMALS_FILE, CRUDE_DEATH_RATES_FILE, shipped_path
from kalkan.errors import NotFoundError
from kalkan.io.climate_normals import station_normals
from kalkan.io.crude_death_rates import crude_death_rate
from tests.errors import expect_error


def _rows(city: str) -> dict[int, dict[str, str]]:
    with shipped_path(CLIMATE_NORMALS_FILE).open(newline="", encoding="utf-8") as fh:
        return {int(r["month"]): r for r in csv.DictReader(fh) if r["city"] == city}


def test_dushanbe_means_and_records() -> None:
    n = station_normals("dushanbe")
    assert n is not None and n.has_means and n.period == (1991, 2020)
    rows = _rows("Dushanbe")
    assert n.period_text == rows[1]["period"] and n.station == rows[1]["station"]
    for m, row in rows.items():
        assert n.means["tmean_c"][m] == float(row["tmean_c"])
        assert n.records["record_high_c"][m] == float(row["record_high_c"])


def test_petropavl_has_records_only_and_osh_nothing() -> None:
    n = station_normals("petropavl")
    assert n is not None and not n.has_means and n.period is None
    assert len(n.records["record_low_c"]) == 12
    assert station_normals("osh") is None


def test_crude_death_rates() -> None:
    with shipped_path(CRUDE_DEATH_RATES_FILE).open(newline="", encoding="utf-8") as fh:
        rows = {r["country_iso3"]: r for r in csv.DictReader(fh)}
    rate = crude_death_rate("KGZ")
    assert rate.per_1000_per_year == float(rows["KGZ"]["crude_death_rate_per_1000_per_year"]) == pytest.approx(6.1)
    assert rate.as_dict()["unit"] == "deaths per 1,000 population per year" and rate.year == 2023
    with pytest.raises(NotFoundError) as info:
        crude_death_rate("AFG")
    expect_error(info, "not_found.data", "country_iso3")
