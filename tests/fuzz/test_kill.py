"""An import killed at any moment leaves the store as it was: SIGKILL a real `kalkan` process importing a big
exposure or facility registry at several moments of its run, then check that the SQLite file passes
``PRAGMA integrity_check`` and holds exactly what it held before (a canonical dump of every table)."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.fuzz import mutate
from tests.fuzz.conftest import FuzzStore
from tests.fuzz.corpus import CITY
from tests.fuzz.harness import dump_store

KILL_FRACTIONS = (0.2, 0.45, 0.8)
"""Moments of the kill, as fractions of the uninterrupted run's duration (start-up included)."""


def _big_exposure(seed: Path, target: Path, copies: int) -> Path:
    """The city's exposure repeated ``copies`` times on a small grid of nearby points (new ids, same classes)."""
    rows = mutate.read_rows(seed.read_bytes())
    header, body = rows[0], rows[1:]
    i, x, y = header.index("id"), header.index("lon"), header.index("lat")
    out = [header]
    rng = np.random.default_rng(5)
    for c in range(copies):
        dx, dy = rng.uniform(-0.01, 0.01, 2)
        for r in body:
            row = list(r)
            row[i] = f"{r[i]}-{c}"
            row[x] = f"{float(r[x]) + dx:.6f}"
            row[y] = f"{float(r[y]) + dy:.6f}"
            out.append(row)
    target.write_bytes(mutate.write_rows(out))
    return target


def _big_registry(seed: Path, target: Path, copies: int) -> Path:
    """The registry repeated ``copies`` times with new ids (``id`` is its first column)."""
    rows = mutate.read_rows(seed.read_bytes())
    header, body = rows[0], rows[1:]
    assert header[0] == "id"
    out = [header, *([f"{r[0]}-{c}", *r[1:]] for c in range(copies) for r in body)]
    target.write_bytes(mutate.write_rows(out))
    return target


def _run(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kalkan", *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return str(con.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        con.close()


@pytest.mark.parametrize("what", ["exposure", "facilities"])
def test_killed_import_leaves_the_store_as_it_was(what: str, fuzz_store: FuzzStore, tmp_path: Path) -> None:
    db = tmp_path / "kill.sqlite3"
    shutil.copy(fuzz_store.template, db)
    env = {**os.environ, "KALKAN_DATABASE_URL": f"sqlite:///{db}"}
    seeds = fuzz_store.seeds
    if what == "exposure":
        path = _big_exposure(seeds.seed("exposure.csv"), tmp_path / "big.csv", 300)
        argv = ["city", "import-exposure", CITY, str(path), "--licence", "CC0", "--citation", "kill test"]
    else:
        path = _big_registry(seeds.seed("facilities.csv"), tmp_path / "big_registry.csv", 800)
        argv = ["city", "import-facilities", CITY, str(path)]
    before = dump_store(db)

    # The whole run, once, on a copy: how long it takes and what it changes (it must change something).
    done = tmp_path / "done.sqlite3"
    shutil.copy(db, done)
    t0 = time.perf_counter()
    full = _run(argv, {**env, "KALKAN_DATABASE_URL": f"sqlite:///{done}"})
    _, err = full.communicate(timeout=300)
    duration = time.perf_counter() - t0
    assert full.returncode == 0, err.decode()
    assert dump_store(done) != before

    whole = dump_store(done, timeless=True)
    outcomes = []
    for fraction in KILL_FRACTIONS:
        proc = _run(argv, env)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert _integrity(db) == "ok", f"killed at {fraction:.0%} of {duration:.1f} s: integrity check failed"
        if dump_store(db) == before:
            outcomes.append("before")
            continue
        # Killed after its commit (while printing or closing): the import is whole, never half.
        assert dump_store(db, timeless=True) == whole, f"killed at {fraction:.0%} of {duration:.1f} s: half an import"
        outcomes.append("whole")
        shutil.copy(fuzz_store.template, db)
        for suffix in ("-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    assert outcomes[:2] == ["before", "before"], outcomes  # the early kills interrupt the import
