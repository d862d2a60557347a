"""The engine reproduces CLIMADA 6.1's results on the benchmark kit's golden case to a relative 1e-9."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from kalkan.app.risk import RiskRun, run_case
from tests.errors import expect_error

CASE = Path(__file__).parent / "data" / "climada_golden_5k_1k"
TOL = 1e-9


def _rel(a: np.ndarray, b: np.ndarray) -> float:  # type: ignore[type-arg]
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> tuple[RiskRun, Path]:
    out = tmp_path_factory.mktemp("golden") / "out"
    return run_case(CASE, out), out


def test_event_losses_match_climada(result: tuple[RiskRun, Path]) -> None:
    _, out = result
    table = pq.read_table(out / "event_losses.parquet")
    assert table.column_names == ["event_id", "loss"]
    expected = np.load(CASE / "at_event.npy")
    with np.load(CASE / "hazard.npz") as hz:
        assert np.array_equal(table.column("event_id").to_numpy(), hz["event_id"])
    assert _rel(table.column("loss").to_numpy(), expected) < TOL


def test_asset_aal_matches_climada(result: tuple[RiskRun, Path]) -> None:
    _, out = result
    table = pq.read_table(out / "asset_aal.parquet")
    assert table.column_names == ["id", "aal"]
    expected = np.load(CASE / "eai_exp.npy")
    got = table.column("aal").to_numpy()
    assert np.all(np.abs(got - expected) <= TOL * np.abs(expected))
    assert table.column("id").to_pylist()[:3] == ["0", "1", "2"]


def test_aal_and_return_period_losses_match_climada(result: tuple[RiskRun, Path]) -> None:
    run, out = result
    expected = json.loads((CASE / "expected.json").read_text())["results"]
    assert run.aal_per_year == pytest.approx(expected["aai_agg"], rel=TOL)
    rp = run.rp_losses
    # Kalkan's standard return periods; CLIMADA's seven (10 ... 1000 years) are among them.
    assert list(rp) == ["10", "25", "50", "100", "250", "475", "500", "1000", "2475"]
    assert set(expected["rp_losses"]) <= set(rp)
    for key, value in expected["rp_losses"].items():
        assert rp[key] == pytest.approx(value, rel=TOL), key
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk == json.loads(json.dumps(run.as_dict()))  # the summary written is the run's document
    assert set(on_disk["timings_s"]) >= {"load", "compute", "write"}
    assert on_disk["peak_rss_mib"] > 0
    assert on_disk["unassigned"]["count"] == 0


def test_cli_case_run(tmp_path: Path) -> None:
    """The documented command, end to end, in a subprocess."""
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "kalkan", "risk", "run", "--case", str(CASE), "--out", str(out),
         "--no-record", "--json"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    expected = json.loads((CASE / "expected.json").read_text())["results"]
    assert summary["aal"] == pytest.approx(expected["aai_agg"], rel=TOL)
    shown = subprocess.run(
        [sys.executable, "-m", "kalkan", "risk", "show", str(out)], capture_output=True, text=True, check=True
    )
    assert "USD per year" in shown.stdout and "884,358" in shown.stdout


def test_streamed_hazard_gives_identical_results(tmp_path: Path, result: tuple[RiskRun, Path]) -> None:
    """Reading the hazard in event chunks (memory independent of the number of events) changes nothing."""
    _, out = result
    streamed = run_case(CASE, tmp_path / "streamed", stream=True, block_events=64)
    assert streamed.parameters["stream"] is True
    a = pq.read_table(out / "event_losses.parquet").column("loss").to_numpy()
    b = pq.read_table(tmp_path / "streamed" / "event_losses.parquet").column("loss").to_numpy()
    assert np.array_equal(a, b)
    c = pq.read_table(out / "asset_aal.parquet").column("aal").to_numpy()
    d = pq.read_table(tmp_path / "streamed" / "asset_aal.parquet").column("aal").to_numpy()
    assert np.allclose(c, d, rtol=1e-13)


def test_streamed_hazard_reports_bad_values(tmp_path: Path) -> None:
    from kalkan.errors import InputError

    case = tmp_path / "case"
    case.mkdir()
    for name in ("exposures.csv", "impact_function.csv", "assignment.csv"):
        (case / name).write_bytes((CASE / name).read_bytes())
    with np.load(CASE / "hazard.npz") as z:
        arrays = {k: z[k] for k in z.files}
    arrays["data"] = arrays["data"].copy()
    arrays["data"][900] = -1.0
    np.savez(case / "hazard.npz", **arrays)  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        run_case(case, tmp_path / "out", stream=True)
    expect_error(info, "input.range", "intensity", 11)
    assert not (tmp_path / "out").exists()
