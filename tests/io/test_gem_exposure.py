"""The GEM Adm1 exposure reader: every row and column kept, exact cents, errors by file, line and field."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from kalkan.catalog.sources import data_root
from kalkan.errors import InputError
from kalkan.io.gem_exposure import COLUMNS, admin1_rows, read_gem_adm1, shipped_gem_taxonomies
from tests.errors import expect_error

GEM = data_root() / "gem_global_exposure_model" / "Central_Asia"


def test_unknown_admin1() -> None:
    with pytest.raises(InputError) as info:
        admin1_rows("KG-ZZ")
    expect_error(info, "input.unknown", "admin1")
    assert "KG-O" in str(info.value)  # the known ids are listed
    with pytest.raises(InputError) as info:
        admin1_rows("XX-A")
    expect_error(info, "input.unknown", "admin1")


def test_missing_file_and_field(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_gem_adm1(tmp_path / "nope.csv")
    expect_error(info, "input.not_found")
    src = GEM / "Kyrgyzstan" / "Exposure_Res_Kyrgyzstan_Adm1.csv"
    lines = src.read_text().splitlines()
    header = lines[0].split(",")
    drop = header.index("COST_CONTENTS_USD")
    no_col = tmp_path / "no_col.csv"
    no_col.write_text("\n".join(",".join(v for i, v in enumerate(ln.split(",")) if i != drop) for ln in lines[:3]))
    with pytest.raises(InputError) as err:
        read_gem_adm1(no_col)
    expect_error(err, "input.missing", "COST_CONTENTS_USD")
    assert str(no_col) in str(err.value)
    bad = tmp_path / "bad.csv"
    row = lines[2].split(",")
    row[header.index("BUILDINGS")] = "many"
    bad.write_text("\n".join([lines[0], lines[1], ",".join(row)]))
    with pytest.raises(InputError) as info:
        read_gem_adm1(bad)
    expect_error(info, "input.type", "BUILDINGS", 3)
    row[header.index("BUILDINGS")] = "-1"
    bad.write_text("\n".join([lines[0], lines[1], ",".join(row)]))
    with pytest.raises(InputError) as info:
        read_gem_adm1(bad)
    expect_error(info, "input.range", "BUILDINGS", 3)


def test_reader_keeps_every_row_and_column() -> None:
    path = GEM / "Kazakhstan" / "Exposure_Res_Kazakhstan_Adm1.csv"
    rows = read_gem_adm1(path)
    with path.open(newline="") as fh:
        raw = list(csv.DictReader(fh))
    assert len(rows) == len(raw) == 254
    assert set(COLUMNS) <= set(raw[0])
    assert rows[0].cost_structural_cents == int(Decimal(raw[0]["COST_STRUCTURAL_USD"]) * 100)


def test_shipped_taxonomies_are_those_of_the_files() -> None:
    found: set[str] = set()
    for path in GEM.glob("*/Exposure_*_Adm1.csv"):
        with path.open(newline="") as fh:
            found |= {rec["TAXONOMY"].strip() for rec in csv.DictReader(fh)}
    assert shipped_gem_taxonomies() == tuple(sorted(found))
    assert len(found) == 37
