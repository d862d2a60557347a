"""Every computation is a recorded run whose results live in a run-owned folder; nothing existing is
overwritten unless --force (issue 11: re-running into a folder replaced results a recorded run pointed to;
exporting X.xml overwrote X.csv beside it)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from kalkan.app.database import upgrade_database
from tests.cli_runner import run_kalkan

CASE = Path(__file__).parents[1] / "core" / "risk" / "data" / "climada_golden_5k_1k"


@pytest.fixture
def db(sqlite_url: str) -> str:
    upgrade_database(sqlite_url)
    return sqlite_url


def run_show(url: str, run_id: str) -> dict[str, object]:
    result = run_kalkan("runs", "show", run_id, "--json", database_url=url)
    assert result.code == 0, result.output
    shown: dict[str, object] = json.loads(result.stdout)
    return shown


def test_rerun_into_the_same_folder_needs_force_and_keeps_the_first_runs_files(db: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_kalkan("risk", "run", "--case", str(CASE), "--out", str(out), "--json", database_url=db)
    assert first.code == 0, first.output
    first_id = json.loads(first.stdout)["run_id"]
    record = run_show(db, first_id)
    own = Path(str(record["result_path"]))
    assert own.is_dir() and own != out and record["published_to"] == str(out.resolve())
    assert record["command"] == f"kalkan risk run --case {CASE} --out {out} --json"
    assert record["working_dir"] == os.getcwd()
    digests = record["output_digests"]
    assert isinstance(digests, dict) and "summary.json" in digests and "event_losses.parquet" in digests
    before = (own / "summary.json").read_bytes()
    # the published copy cannot be edited in place (it would change the run's own file)
    assert not os.stat(out / "summary.json").st_mode & stat.S_IWUSR

    again = run_kalkan("risk", "run", "--case", str(CASE), "--out", str(out), database_url=db)
    assert again.code == 2 and "--force" in again.output and "Traceback" not in again.output
    forced = run_kalkan("risk", "run", "--case", str(CASE), "--out", str(out), "--force", "--json",
                        "--block-events", "7", database_url=db)  # fmt: skip
    assert forced.code == 0, forced.output
    second_id = json.loads(forced.stdout)["run_id"]
    assert second_id != first_id
    assert (own / "summary.json").read_bytes() == before  # the first run's files are untouched
    verified = run_kalkan("runs", "verify", first_id, database_url=db)
    assert verified.code == 0 and "intact" in verified.output
    assert Path(str(run_show(db, second_id)["result_path"])) != own


def test_tampering_with_a_runs_files_is_detected(db: str, tmp_path: Path) -> None:
    result = run_kalkan("risk", "run", "--case", str(CASE), "--out", str(tmp_path / "r"), "--json", database_url=db)
    assert result.code == 0, result.output
    run_id = json.loads(result.stdout)["run_id"]
    own = Path(str(run_show(db, run_id)["result_path"]))
    target = own / "summary.json"
    target.chmod(0o644)
    target.write_text("{}", encoding="utf-8")
    verified = run_kalkan("runs", "verify", run_id, database_url=db)
    assert verified.code == 1 and "summary.json" in verified.output and "NOT intact" in verified.output


def test_a_folder_of_someone_elses_files_is_never_replaced(db: str, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "summary.json").write_text("{}", encoding="utf-8")  # the old helper replaced any folder with one
    result = run_kalkan("risk", "run", "--case", str(CASE), "--out", str(out), database_url=db)
    assert result.code == 2 and "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "summary.json"]
    assert (out / "summary.json").read_text(encoding="utf-8") == "{}"


def test_a_failed_run_publishes_nothing_and_is_recorded_as_failed(db: str, tmp_path: Path) -> None:
    broken = tmp_path / "case"
    broken.mkdir()
    for f in CASE.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    (broken / "exposures.csv").write_text("not,an,exposure\n1,2,3\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_kalkan("risk", "run", "--case", str(broken), "--out", str(out), database_url=db)
    assert result.code == 2 and "Traceback" not in result.output
    assert not out.exists()
    runs = json.loads(run_kalkan("runs", "list", "--json", database_url=db).stdout)
    assert runs[0]["status"] == "failed" and runs[0]["kind"] == "risk-case" and runs[0]["error"]
    assert runs[0]["result_path"] is None


def test_without_a_database_the_record_is_run_json(tmp_path: Path) -> None:
    out = tmp_path / "plain"
    result = run_kalkan("risk", "run", "--case", str(CASE), "--out", str(out))
    assert result.code == 0, result.output
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["kind"] == "risk-case" and record["command"].startswith("kalkan risk run")
    assert "summary.json" in record["output_digests"]
    assert [p.name for p in tmp_path.iterdir()] == ["plain"]  # no scratch folder left behind


def test_an_export_never_overwrites_a_file_beside_it(db: str, tmp_path: Path) -> None:
    """Issue 11: exporting X.xml silently overwrote an existing X.csv beside it (the OpenQuake XML's asset
    table). Every file of the export is checked before any is written."""
    assert run_kalkan("city", "load", "petropavl", database_url=db).code == 0
    beside = tmp_path / "x.csv"
    beside.write_text("my own table\n", encoding="utf-8")
    result = run_kalkan("city", "export-exposure", "petropavl", "-o", str(tmp_path / "x.xml"), database_url=db)
    assert result.code == 2 and "x.csv" in result.output and "Traceback" not in result.output
    assert beside.read_text(encoding="utf-8") == "my own table\n"
    assert not (tmp_path / "x.xml").exists()
    forced = run_kalkan("city", "export-exposure", "petropavl", "-o", str(tmp_path / "x.xml"), "--force",
                        database_url=db)  # fmt: skip
    assert forced.code == 0, forced.output
    assert (tmp_path / "x.xml").is_file() and beside.read_text(encoding="utf-8") != "my own table\n"


def test_every_computing_command_is_recorded(db: str, tmp_path: Path) -> None:
    """Scenarios, indicators, drought, future risk, hazard import, combination and PSHA left no record."""
    assert run_kalkan("city", "load", "petropavl", database_url=db).code == 0
    commands = {
        "climate-scenarios": ["climate", "scenarios", "osh", "--ssp", "ssp245", "--horizon", "2050"],
        "climate-indicators": ["climate", "indicators", "namangan"],
        "climate-drought": ["climate", "drought", "petropavl", "--horizon", "2050", "--ssp", "ssp245"],
        "hazard-import": ["hazard", "import", "--illustrative", "petropavl", "--city", "petropavl", "--peril",
                          "river_flood", "--out", str(tmp_path / "flood")],
        "city-scenario": ["city", "scenario", "petropavl", "--magnitude", "5.5", "--lon", "69.1", "--lat", "54.8",
                          "--depth", "10", "--strike", "45", "--dip", "60", "--rake", "90", "--n", "1", "--gmpe",
                          "BooreEtAl2014", "--out", str(tmp_path / "quake")],
        "exposure-project": ["exposure", "project", "--city", "petropavl", "--ssp", "ssp245", "--horizon", "2050",
                             "-o", str(tmp_path / "future.csv")],
    }  # fmt: skip
    for kind, args in commands.items():
        result = run_kalkan(*args, database_url=db)
        assert result.code == 0, (kind, result.output)
    combined = run_kalkan("risk", "combine", str(tmp_path / "flood"), str(tmp_path / "quake" / "risk"), "--out",
                          str(tmp_path / "all"), database_url=db)  # fmt: skip
    runs = json.loads(run_kalkan("runs", "list", "--json", "--limit", "50", database_url=db).stdout)
    kinds = {r["kind"]: r for r in runs}
    assert set(commands) <= set(kinds)
    for kind, args in commands.items():
        r = kinds[kind]
        assert r["status"] == "succeeded" and r["command"] == "kalkan " + " ".join(args), kind
    assert kinds["city-scenario"]["parameters"]["data_versions"]["exposure"] == 1
    assert kinds["city-scenario"]["city_id"] == "petropavl"
    # a scenario's losses are per event, not per year: refused, and the refusal is recorded too
    assert combined.code == 2 and "Traceback" not in combined.output, combined.output
    assert kinds["risk-combine"]["status"] == "failed" and kinds["risk-combine"]["error"]
