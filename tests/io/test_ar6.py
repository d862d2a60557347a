"""The AR6 CSV reader: the shipped files load; bad files fail naming file, row and field."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from kalkan.catalog.files import AR6_PR_FILE, shipped_path
from kalkan.core.climate.scenarios import Scenario, regional_change
from kalkan.errors import InputError
from kalkan.io.ar6 import load_pr_cube, load_tas_table, read_monthly_cube
from tests.errors import expect_error

HEADER = "model,member,experiment,date,region,value\n"


def _write(tmp_path: Path, body: str, name: str = "x.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _years(model: str, exp: str, first: int, last: int, region: str = "WCA", value: float = 1.0) -> str:
    return "".join(
        f"{model},r1i1p1f1,{exp},{y}-{m:02d},{region},{value}\n" for y in range(first, last + 1) for m in range(1, 13)
    )


def test_shipped_pr_sample_loads() -> None:
    cube = read_monthly_cube(shipped_path(AR6_PR_FILE))
    assert load_pr_cube().path == cube.path and np.array_equal(load_pr_cube().values, cube.values, equal_nan=True)
    assert cube.models == ("MPI-ESM1-2-HR",)
    assert cube.regions == ("WCA", "WSB", "ECA", "EEU", "TIB")
    assert cube.has_run("MPI-ESM1-2-HR", "ssp585") and not cube.has_run("MPI-ESM1-2-HR", "ssp126")
    assert int(np.isfinite(cube.values).sum()) == 3600


def test_gzip_and_region_filter(tmp_path: Path) -> None:
    path = tmp_path / "t.csv.gz"
    path.write_bytes(
        gzip.compress(
            (HEADER + _years("M", "historical", 1995, 1996) + _years("M", "historical", 1995, 1996, "WSB")).encode()
        )
    )
    cube = read_monthly_cube(path, regions=("WSB",))
    assert cube.regions == ("WSB",)
    assert cube.members == (("r1i1p1f1", "", "", "", ""),)


@pytest.mark.parametrize(
    ("body", "code", "field", "row"),
    [
        ("M,r1,historical,1995-13,WCA,1.0\n", "input.type", "date", 1),
        ("M,r1,historical,1995-01,WCA,1.0\nM,r1,historical,1849-12,WCA,1.0\n", "input.range", "date", 2),
        ("M,r1,historical,1995-01,WCA,1.0\nM,r1,ssp119,2050-01,WCA,1.0\n", "input.unknown", "experiment", 2),
        ("M,r1,historical,1995-01,WCA,\n", "input.range", "value", 1),
        ("M,r1,historical,1995-01,WCA,nan\n", "input.range", "value", 1),
        ("M,r1,historical,1995-01,WCA,1\nM,r1,historical,1995-01,WCA,2\n", "input.duplicate", "date", 2),
        (",r1,historical,1995-01,WCA,1\n", "input.missing", "model", 1),
        ("M,r1,historical,1995-01,WCA,warm\n", "input.syntax", None, None),
    ],
)
def test_bad_rows_are_named(tmp_path: Path, body: str, code: str, field: str | None, row: int | None) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(InputError) as info:
        read_monthly_cube(path)
    expect_error(info, code, field, row)
    assert str(info.value).startswith(str(path))
    if row is not None:
        assert f"(line {row + 1})" in str(info.value)


def test_bad_header_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("model,experiment,date,region,value\nM,historical,1995-01,WCA,1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_monthly_cube(path)
    expect_error(info, "input.missing", "member")
    with pytest.raises(InputError) as info:
        read_monthly_cube(tmp_path / "none.csv")
    expect_error(info, "input.not_found")


def test_window_without_data_is_a_data_gap(tmp_path: Path) -> None:
    """A run that stops before the window: a clear error, not a silent smaller ensemble."""
    body = (
        _years("A", "historical", 1995, 2014)
        + _years("A", "ssp245", 2015, 2100)
        + _years("B", "historical", 1995, 2014)
        + _years("B", "ssp245", 2015, 2040)
    )
    body += body.replace(",WCA,", ",world,")
    path = _write(tmp_path, body, "gap.csv")
    table = load_tas_table(str(path))
    assert regional_change(Scenario("ssp245", 2030), "WCA", table).n_models == 2
    with pytest.raises(InputError) as info:
        regional_change(Scenario("ssp245", 2050), "WCA", table)
    expect_error(info, "input.empty", "region")
    assert "2041-2060" in str(info.value) and "model(s) B" in str(info.value)


def test_incomplete_years_are_left_out(tmp_path: Path) -> None:
    """Annual means from complete years only: a year with 11 months does not count (README method)."""
    base = _years("A", "historical", 1995, 2014, value=0.0)
    fut = _years("A", "ssp245", 2041, 2060, value=2.0)
    # 2041 loses December and gets a huge November: it must be ignored entirely.
    fut = fut.replace("A,r1i1p1f1,ssp245,2041-12,WCA,2.0\n", "").replace("2041-11,WCA,2.0", "2041-11,WCA,99.0")
    body = base + fut
    body += body.replace(",WCA,", ",world,")
    table = load_tas_table(str(_write(tmp_path, body, "inc.csv")))
    res = regional_change(Scenario("ssp245", 2050), "WCA", table)
    assert res.delta_tas_c == pytest.approx(2.0)
    assert res.years_in_window_min == 19
    assert res.delta_tas_monthly_c == pytest.approx((2.0,) * 12)
