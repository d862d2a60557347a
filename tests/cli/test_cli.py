"""End-to-end tests of the real `kalkan` command in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "accession" / "bishkek.json"


def kalkan(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "kalkan", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def ok(*args: str) -> subprocess.CompletedProcess[str]:
    proc = kalkan(*args)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_help_and_version() -> None:
    assert "cities" in ok("--help").stdout
    from kalkan import __version__

    assert json.loads(ok("version", "--json").stdout)["kalkan"] == __version__


def test_main_job_end_to_end(env_db: str) -> None:
    """What `make run` does: upgrade (twice: idempotent), list, summary; then accession from the CLI."""
    assert "loaded (5 cities)" in ok("db", "upgrade").stdout
    assert "present (5 cities)" in ok("db", "upgrade").stdout
    cities = json.loads(ok("cities", "list", "--json").stdout)
    assert {c["id"] for c in cities} == {"petropavl", "osh", "dushanbe", "ashgabat", "namangan"}
    for c in cities:
        assert c["population"] > 0 and c["population_source"]
    table = ok("cities", "list").stdout
    assert "1,228,400 people" in table and "2023" in table
    summary = ok("cities", "summary").stdout
    assert "5 member cities (5 founding) in 5 countries" in summary
    assert "3,486,963 people" in summary
    runs = json.loads(ok("runs", "list", "--json").stdout)
    assert [r["kind"] for r in runs] == ["coalition-summary"] and runs[0]["status"] == "succeeded"
    assert json.loads(ok("runs", "show", runs[0]["id"][:8], "--json").stdout)["id"] == runs[0]["id"]

    applied = json.loads(ok("cities", "apply", str(EXAMPLE), "--applicant", "Bishkek city hall", "--json").stdout)
    assert applied["status"] == "pending"
    decided = json.loads(ok("cities", "approve", "bishkek", "--by", "Secretariat", "--json").stdout)
    assert decided["status"] == "approved" and decided["decided_by"] == "Secretariat"
    shown = json.loads(ok("cities", "show", "bishkek", "--json").stdout)
    assert shown["membership_status"] == "member" and shown["member_since"] == decided["decided_at"][:10]
    info = json.loads(ok("db", "current", "--json").stdout)
    assert info["up_to_date"] is True


def test_user_errors_are_one_message(env_db: str) -> None:
    ok("db", "upgrade")
    proc = kalkan("cities", "approve", "atlantis", "--by", "Secretariat")
    assert proc.returncode == 2
    assert "Error [not_found.city] (field city): " in proc.stderr and "'atlantis'" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = kalkan("cities", "apply", str(EXAMPLE), "--applicant", "x")
    assert proc.returncode == 0
    proc = kalkan("cities", "apply", str(EXAMPLE), "--applicant", "x")
    assert proc.returncode == 2 and "already in the registry (applicant)" in proc.stderr


def test_debug_shows_the_traceback(env_db: str) -> None:
    ok("db", "upgrade")
    proc = kalkan("--debug", "cities", "show", "atlantis")
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "NotFoundError" in proc.stderr


def test_bad_file_names_file_and_field(env_db: str, tmp_path: Path) -> None:
    ok("db", "upgrade")
    bad = tmp_path / "city.json"
    data = json.loads(EXAMPLE.read_text())
    data["lat"] = 123
    bad.write_text(json.dumps(data))
    proc = kalkan("cities", "apply", str(bad), "--applicant", "x")
    assert proc.returncode == 2
    assert f"{bad}, city #1 ('bishkek'), field 'lat': expected a number between -90.0 and 90.0" in proc.stderr


def test_wrong_database_url() -> None:
    proc = kalkan("cities", "list", env_extra={"KALKAN_DATABASE_URL": "mysql://u@h/db"})
    assert proc.returncode == 2 and "Unsupported database 'mysql'" in proc.stderr


def test_commands_before_upgrade_say_what_to_do(tmp_path: Path) -> None:
    proc = kalkan("cities", "list", env_extra={"KALKAN_DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert proc.returncode == 2 and "kalkan db upgrade" in proc.stderr
    assert not (tmp_path / "x.sqlite3").exists()


def test_data_sources_lists_every_dataset_with_licence() -> None:
    sources = json.loads(ok("data", "sources", "--json").stdout)
    assert {s["id"] for s in sources} >= {"founding_cities", "coalition_city_anchors", "wof_city_geometries"}
    for s in sources:
        assert s["licence"] and s["origin"] and s["citation"]
    assert "Who's On First" in ok("data", "sources").stdout


@pytest.mark.parametrize("args", [["cities", "nope"], ["runs", "list", "--limit", "0"]])
def test_usage_errors(args: list[str]) -> None:
    proc = kalkan(*args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
