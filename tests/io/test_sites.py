"""Sites CSVs (``--sites``) and OpenQuake site models: values, defaults and the errors that name line and field."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from kalkan.errors import InputError
from kalkan.io.sites import read_site_model, read_sites_csv
from tests.errors import expect_error


def test_sites_csv_with_names_and_vs30(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("name,lon,lat,vs30\nmarket,68.7,38.5,300\n,68.8,38.6,\nschool,68.9,38.7,760\n")
    read = read_sites_csv(tmp_path / "s.csv")
    assert read.names == ("market", "site2", "school")  # a site without a name is numbered by its place
    assert read.lon.tolist() == [68.7, 68.8, 68.9] and read.lat.tolist() == [38.5, 38.6, 38.7]
    assert read.vs30_m_s is not None and read.vs30_m_s[0] == 300.0 and math.isnan(read.vs30_m_s[1])
    assert read.vs30_or(400.0).tolist() == [300.0, 400.0, 760.0]  # the empty cell takes the default
    (tmp_path / "plain.csv").write_text("lon,lat\n68.7,38.5\n")
    plain = read_sites_csv(tmp_path / "plain.csv")
    assert plain.vs30_m_s is None and plain.names == ("site1",) and plain.vs30_or(760.0).tolist() == [760.0]


@pytest.mark.parametrize(
    ("text", "code", "field", "row"),
    [
        ("lon,lat,vs30\n68.7,38.5,3\n", "input.range", "vs30", 2),  # km/s, not m/s
        ("lon,lat\n68.7,38.5\n200,38.5\n", "input.range", "lon", 3),
        ("lon,lat\n68.7,north\n", "input.type", "lat", 2),
        ("lon,vs30\n68.7,400\n", "input.missing", "lat", 1),
        ("name,lon,lat\na,68.7,38.5\na,68.8,38.6\n", "input.duplicate", "name", 3),
    ],
)
def test_bad_sites_csv(tmp_path: Path, text: str, code: str, field: str, row: int) -> None:
    (tmp_path / "b.csv").write_text(text)
    with pytest.raises(InputError, match=r"b\.csv") as info:
        read_sites_csv(tmp_path / "b.csv")
    expect_error(info, code, field, row)
    (tmp_path / "empty.csv").write_text("lon,lat\n")
    with pytest.raises(InputError) as info:
        read_sites_csv(tmp_path / "empty.csv")
    expect_error(info, "input.empty")


def test_site_model(tmp_path: Path) -> None:
    rows = "lon,lat,vs30,vs30measured,z1pt0,z2pt5\n68.7,38.5,300,0,120,\n68.8,38.6,760,1,,0.6\n"
    (tmp_path / "m.csv").write_text(rows)
    model = read_site_model(tmp_path / "m.csv")
    assert model.vs30_m_s.tolist() == [300.0, 760.0] and model.vs30_measured.tolist() == [False, True]
    assert model.z1pt0_m[0] == 120.0 and np.isnan(model.z1pt0_m[1])
    assert np.isnan(model.z2pt5_km[0]) and model.z2pt5_km[1] == 0.6
    (tmp_path / "bad.csv").write_text("lon,lat,vs30,z2pt5\n68.7,38.5,300,25\n")
    with pytest.raises(InputError, match=r"bad\.csv") as info:
        read_site_model(tmp_path / "bad.csv")
    expect_error(info, "input.range", "z2pt5", row=2)  # z2.5 in km: 25 km is a unit error
    (tmp_path / "cols.csv").write_text("lon,lat\n68.7,38.5\n")
    with pytest.raises(InputError) as info:
        read_site_model(tmp_path / "cols.csv")
    expect_error(info, "input.missing", "vs30", row=1)
