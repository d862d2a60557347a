"""The JRC flood depth-damage readers: strict reading, errors by file, line, field and code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kalkan.catalog.files import JRC_CURVES_FILE, JRC_DIR, JRC_MAX_DAMAGE_FILE, shipped_path
from kalkan.errors import InputError
from kalkan.io.jrc_flood import read_jrc_curves, read_jrc_max_damage
from tests.errors import expect_error

CURVES = shipped_path(f"{JRC_DIR}/{JRC_CURVES_FILE}")
MAX_DAMAGE = shipped_path(f"{JRC_DIR}/{JRC_MAX_DAMAGE_FILE}")


def _corrupt(tmp_path: Path, src: Path, line: int, col: int, value: str) -> Path:
    lines = src.read_text(encoding="utf-8").splitlines()
    fields = lines[line - 1].split(",")
    fields[col] = value
    lines[line - 1] = ",".join(fields)
    out = tmp_path / src.name
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


@pytest.mark.parametrize(
    ("line", "col", "value", "code", "field"),
    [
        (4, 3, "abc", "input.type", "commercial"),
        (5, 1, "1.2", "input.range", "residential"),
        (6, 2, "-0.1", "input.range", "residential_sd"),
        (7, 9, "nan", "input.range", "agriculture"),
        (8, 0, "1.0", "input.inconsistent", "depth_m"),
    ],
)
def test_malformed_curves_name_file_line_and_field(
    tmp_path: Path, line: int, col: int, value: str, code: str, field: str
) -> None:
    bad = _corrupt(tmp_path, CURVES, line, col, value)
    with pytest.raises(InputError) as info:
        read_jrc_curves(bad)
    expect_error(info, code, field, line)
    assert str(bad) in str(info.value)


def test_malformed_structure_and_max_damage(tmp_path: Path) -> None:
    bad = tmp_path / "h.csv"
    bad.write_text("depth,residential\n0,0\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_jrc_curves(bad)
    expect_error(info, "input.unknown", row=1)
    short = tmp_path / "short.csv"
    lines = CURVES.read_text(encoding="utf-8").splitlines()
    short.write_text("\n".join([*lines[:3], lines[3].rsplit(",", 1)[0]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_jrc_curves(short)
    expect_error(info, "input.syntax", row=4)
    md = _corrupt(tmp_path, MAX_DAMAGE, 3, 8, "")
    with pytest.raises(InputError) as info:
        read_jrc_max_damage(md)
    expect_error(info, "input.type", "gdp_per_capita_2010_usd", 3)
    shutil.copy(MAX_DAMAGE, tmp_path / "dup.csv")
    with (tmp_path / "dup.csv").open("a", encoding="utf-8") as fh:
        fh.write(MAX_DAMAGE.read_text(encoding="utf-8").splitlines()[1] + "\n")
    with pytest.raises(InputError) as info:
        read_jrc_max_damage(tmp_path / "dup.csv")
    expect_error(info, "input.duplicate", "country_iso3", 7)
    with pytest.raises(InputError) as info:
        read_jrc_curves(tmp_path / "none.csv")
    expect_error(info, "input.not_found")
