"""Combining saved runs of two perils (earthquake, flood) of one exposure, and the `risk combine` CLI."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import typer
from scipy import sparse
from typer.testing import CliRunner

from kalkan.app.multihazard import combine_runs, read_run
from kalkan.app.risk import run_assessment
from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.risk.multihazard import PerilLosses, combine
from kalkan.errors import InputError
from kalkan.io.exposure_csv import write_exposure_csv
from kalkan.io.hazard import save_hazard
from tests.errors import expect_error

LON = np.array([68.70, 68.75])
LAT = np.full(2, 38.55)


def write_vulnerability(folder: Path, imt: str, unit: str) -> tuple[Path, Path]:
    """Loss ratio = intensity / 2 up to 2 (structural)."""
    vuln = folder / f"vuln_{imt}.csv"
    vuln.write_text(
        "id,loss_type,imt,unit,intensity,mean_lr,cov,distribution\n"
        f"lin,structural,{imt},{unit},0.0,0.0,,none\nlin,structural,{imt},{unit},2.0,1.0,,none\n"
    )
    mapping = folder / f"mapping_{imt}.csv"
    mapping.write_text("taxonomy,conversion,weight\nT,lin,1\n")
    return vuln, mapping


def exposure() -> Exposure:
    return Exposure(
        id=np.array(["a", "b"], dtype=object), lon=LON.copy(), lat=LAT.copy(),
        taxonomy=np.array(["T", "T"], dtype=object),
        costs={"structural": np.array([1000.0, 3000.0])}, occupants={"night": np.array([10.0, 30.0])},
        site_id=np.array([0, 1]), price_year=2021,
    )  # fmt: skip


def hazard(peril: str, imt: str, unit: str, dense: list[list[float]], freq: list[float], **kw: object) -> HazardSet:
    n = len(dense)
    return HazardSet(
        peril=peril, imt=imt, unit=unit, site_lon=LON, site_lat=LAT, event_id=np.arange(1, n + 1),
        frequency=np.array(freq), intensity=sparse.csr_matrix(np.array(dense)), source="test", **kw,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("multi")
    exp_path = folder / "exposure.csv"
    write_exposure_csv(exposure(), exp_path)
    out: dict[str, Path] = {}
    # Earthquake, 4-year catalogue: events in years 0, 1, 3; flood, 4-year catalogue: years 0, 2.
    eq = hazard("earthquake", "PGA", "g", [[0.4, 0.2], [1.0, 0.0], [0.0, 2.0]], [0.25] * 3,
                event_year=np.array([0, 1, 3]))  # fmt: skip
    fl = hazard("flood", "depth", "m", [[1.0, 1.0], [0.5, 0.0]], [0.25] * 2, event_year=np.array([0, 2]))
    for name, h in (("eq", eq), ("flood", fl)):
        hp = folder / f"{name}.npz"
        save_hazard(h, hp)
        vuln, mapping = write_vulnerability(folder, h.imt, h.unit)
        out[name] = folder / f"run_{name}"
        run_assessment([hp], exp_path, [vuln], out[name], taxonomy_mapping=mapping, threads=1)
    out["folder"] = folder
    return out


def test_read_run_takes_frequencies_from_the_hazard(runs: dict[str, Path]) -> None:
    eq = read_run(runs["eq"])
    assert eq.peril == "earthquake" and eq.currency == "USD" and eq.price_year == 2021
    # Event losses: 1000*0.2 + 3000*0.1 = 500; 1000*0.5 = 500; 3000*1.0 = 3000.
    np.testing.assert_allclose(eq.loss, [500.0, 500.0, 3000.0])
    np.testing.assert_allclose(eq.frequency, [0.25] * 3)
    np.testing.assert_array_equal(eq.event_year, [0, 1, 3])


def test_combine_runs_writes_summary_and_curve(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "combined"
    combined = combine_runs([runs["eq"], runs["flood"]], out, return_periods=(2, 4))
    summary = combined.as_dict()
    aal_eq = json.loads((runs["eq"] / "summary.json").read_text())["aal"]
    aal_fl = json.loads((runs["flood"] / "summary.json").read_text())["aal"]
    # Flood event losses: 500 + 1500 = 2000 and 250; AAL = 0.25 * 2250 = 562.5; earthquake 0.25 * 4000 = 1000.
    assert (aal_eq, aal_fl) == pytest.approx((1000.0, 562.5))
    assert combined.aal_total_per_year == pytest.approx(aal_eq + aal_fl)
    assert summary["aal_total"] == combined.aal_total_per_year
    assert summary["units"]["loss"] == "USD of 2021"
    # Annual totals: year0 500 + 2000, year1 500, year2 250, year3 3000 -> RP 4: 3000, RP 2: 2500.
    assert summary["aggregate"]["aggregate_rp_losses"] == {"2": 2500.0, "4": 3000.0}
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(summary))  # the summary written is the result's document
    with (out / "combined_curve.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [float(r["loss_USD"]) for r in rows] == [3000.0, 2000.0, 500.0, 250.0]
    assert [float(r["exceedance_frequency_per_year"]) for r in rows] == pytest.approx([0.25, 0.5, 1.0, 1.25])
    assert [float(r["exceedance_frequency_flood_per_year"]) for r in rows] == pytest.approx([0.0, 0.25, 0.25, 0.5])
    assert float(rows[0]["annual_exceedance_probability"]) == pytest.approx(1 - np.exp(-0.25))
    direct = combine([read_run(runs["eq"]), read_run(runs["flood"])], (2, 4))
    assert summary["rp_losses"] == {"2": direct.rp_losses[2.0], "4": direct.rp_losses[4.0]}


def test_every_output_gives_the_same_number(runs: dict[str, Path], tmp_path: Path) -> None:
    """A peril's T-year loss in `risk combine` is its run's own (`risk show`), and the combined curve file read
    by the rule (the first row, losses descending, whose return period is at most T) gives the total."""
    summary = combine_runs([runs["eq"], runs["flood"]], tmp_path / "c").as_dict()
    for name, peril in (("eq", "earthquake"), ("flood", "flood")):
        own = json.loads((runs[name] / "summary.json").read_text())["rp_losses"]
        assert summary["rp_losses_by_peril"][peril] == own
        for key, value in own.items():
            assert summary["rp_losses"][key] >= value
    with (tmp_path / "c" / "combined_curve.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    for key, value in summary["rp_losses"].items():
        reached = [float(r["loss_USD"]) for r in rows if float(r["return_period_years"]) <= float(key) * (1 + 1e-9)]
        assert value == (reached[0] if reached else 0.0), key


def test_mismatched_currency_refused(runs: dict[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "run_kzt"
    shutil.copytree(runs["flood"], other)
    summary = json.loads((other / "summary.json").read_text())
    summary["units"]["loss"] = "KZT of 2021"
    (other / "summary.json").write_text(json.dumps(summary))
    with pytest.raises(InputError, match="KZT") as info:  # the currency found
        combine_runs([runs["eq"], other], tmp_path / "out")
    expect_error(info, "input.inconsistent", "currency")
    with pytest.raises(InputError) as info:
        combine_runs([runs["eq"]], tmp_path / "out")
    expect_error(info, "input.options")
    with pytest.raises(InputError) as info:
        read_run(tmp_path)
    expect_error(info, "input.not_found")


def _app() -> typer.Typer:
    from kalkan.cli.multihazard import risk_combine

    app = typer.Typer()
    app.callback()(lambda: None)
    app.command("combine")(risk_combine)
    return app


def test_cli(runs: dict[str, Path], tmp_path: Path) -> None:
    args = ["combine", str(runs["eq"]), str(runs["flood"]), "--out", str(tmp_path / "c")]
    result = CliRunner().invoke(_app(), [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["aal_total"] == pytest.approx(1562.5)
    table = CliRunner().invoke(_app(), [*args, "--force"])  # the same folder again: only with --force
    assert table.exit_code == 0, table.output
    assert "USD of 2021" in table.stdout and "1,562" in table.stdout
    bad = CliRunner().invoke(_app(), [*args, "--force", "--return-periods", "x"])
    assert isinstance(bad.exception, InputError)


def test_peril_losses_validation() -> None:
    with pytest.raises(InputError) as info:
        PerilLosses("flood", np.array([1.0, 2.0]), np.array([0.1]), "USD")
    expect_error(info, "input.inconsistent", "frequency")
