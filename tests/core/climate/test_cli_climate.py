"""`kalkan climate scenarios` through Typer's runner on climate_app (the sub-app the main CLI mounts)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kalkan.cli.climate import climate_app
from kalkan.errors import InputError, NotFoundError

runner = CliRunner()


def _json(args: list[str]) -> list[dict[str, Any]]:
    result = runner.invoke(climate_app, ["scenarios", *args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def test_default_json_schema() -> None:
    data = _json(["osh"])
    assert len(data) == 4 * 4 * 3
    assert {(r["ssp"], r["horizon"], r["percentile"]) for r in data} == {
        (s, h, p)
        for s in ("ssp126", "ssp245", "ssp370", "ssp585")
        for h in (2030, 2050, 2080, 2090)
        for p in (10, 50, 90)
    }
    for r in data:
        assert r["region"] == "WCA" and r["city"] == "osh"
        assert isinstance(r["horizon"], int)
        assert r["window"] == f"{r['horizon'] - 9}-{r['horizon'] + 10}"
        assert isinstance(r["n_models"], int) and r["n_models"] >= 29
        for key in ("delta_tas_c", "gwl_c", "gwl_preindustrial_c"):
            assert isinstance(r[key], float) and round(r[key], 2) == r[key]
        assert r["gwl_reference"] == "1995-2014"
        monthly = r["delta_tas_monthly_c"]
        assert isinstance(monthly, list) and len(monthly) == 12
        assert r["precip_method"] == "scaled by global warming level (sparse data)"
    median_2050 = next(r for r in data if r["ssp"] == "ssp245" and r["horizon"] == 2050 and r["percentile"] == 50)
    assert median_2050["delta_tas_c"] == 1.71
    assert median_2050["gwl_c"] == 1.22 and median_2050["gwl_preindustrial_c"] == 2.07


def test_options_and_region_code() -> None:
    data = _json(
        ["WSB", "--ssp", "ssp585,ssp126", "--horizon", "2090", "--percentile", "median", "--ensemble", "complete"]
    )
    assert [(r["ssp"], r["delta_tas_c"], r["n_models"]) for r in data] == [("ssp585", 6.51, 29), ("ssp126", 1.78, 29)]
    assert data[0]["city"] is None and data[0]["ensemble"] == "complete"
    [model] = _json(["petropavl", "--ssp", "SSP2-4.5", "--horizon", "baseline", "--percentile", "MPI-ESM1-2-HR"])
    assert model["percentile"] is None and model["model"] == "MPI-ESM1-2-HR" and model["delta_tas_c"] == 0.0
    assert model["horizon"] == "baseline" and model["window"] == "1995-2014"


def test_table_output() -> None:
    result = runner.invoke(climate_app, ["scenarios", "dushanbe", "--ssp", "ssp245", "--horizon", "2050"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    for needle in (
        "°C",
        "2041-2060",
        "GWL",
        "1850-1900",
        "W.C.Asia",
        "median",
        "+1.71",
        "scaled by global warming level",
    ):
        assert needle in text, needle
    assert "CC BY 4.0" in text


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (["osh", "--ssp", "ssp119"], InputError, "Unknown SSP 'ssp119'"),
        (["osh", "--horizon", "2101"], InputError, "Horizon 2101 is outside 2015-2100"),
        (["osh", "--ensemble", "some"], InputError, "Unknown ensemble 'some'"),
        (["osh", "--plot", "x.pdf"], InputError, "must end in .png or .svg"),
        (["gotham"], NotFoundError, "Unknown city 'gotham'"),
    ],
)
def test_errors(args: list[str], error: type[Exception], message: str) -> None:
    result = runner.invoke(climate_app, ["scenarios", *args])
    assert result.exit_code != 0
    assert isinstance(result.exception, error)
    assert re.search(re.escape(message), str(result.exception))


def test_plot(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "osh.svg"
    result = runner.invoke(climate_app, ["scenarios", "osh", "--horizon", "2050", "--plot", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert "SSP5-8.5" in out.read_text(encoding="utf-8")
