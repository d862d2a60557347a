"""SQLite writers take the write lock up front; a second writer waits for it and, past the busy timeout, gets a
StoreError saying another Kalkan process is writing and to retry; readers never wait (WAL). Each test holds the
lock from a real second process, as two users' commands would."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from kalkan.app.database import upgrade_database
from kalkan.errors import StoreError
from kalkan.store.database import open_store
from kalkan.store.engine import BUSY_TIMEOUT_ENV
from kalkan.store.models import City
from tests.errors import expect_error

HOLDER = """
import sys, time
from sqlalchemy import text
from kalkan.store.database import open_store
store = open_store(sys.argv[1])
with store.transaction() as session:
    session.execute(text("UPDATE cities SET climate = 'held by the other process' WHERE id = 'osh'"))
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
store.close()
print("released", flush=True)
"""


@contextlib.contextmanager
def lock_held(url: str, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """A second Kalkan process holding the database's write lock for ``seconds`` (from when it says so)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, str(seconds)], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.wait(timeout=60)


@pytest.fixture
def db(sqlite_url: str) -> str:
    upgrade_database(sqlite_url)
    return sqlite_url


def test_a_busy_database_is_a_clear_retry_message(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "200")
    store = open_store(db)
    try:
        with lock_held(db, 3.0):
            t0 = time.perf_counter()
            with pytest.raises(StoreError) as info, store.transaction() as session:
                session.execute(text("UPDATE cities SET climate = 'second writer' WHERE id = 'dushanbe'"))
            waited = time.perf_counter() - t0
            expect_error(info, "store.busy")
            assert info.value.hint is not None and BUSY_TIMEOUT_ENV in info.value.hint  # how to wait longer
            assert 0.15 < waited < 2.5  # the busy timeout, not the holder's 3 s
            with store.read() as session:  # a reader does not wait for the writer (WAL) and sees the old value
                assert session.scalar(select(City.climate).where(City.id == "osh")) != "held by the other process"
    finally:
        store.close()
    check = open_store(db)
    try:
        with check.read() as session:
            assert session.scalar(select(City.climate).where(City.id == "osh")) == "held by the other process"
            assert session.scalar(select(City.climate).where(City.id == "dushanbe")) != "second writer"
    finally:
        check.close()


def test_a_second_writer_waits_for_the_first(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "10000")
    store = open_store(db)
    try:
        with lock_held(db, 0.5), store.transaction() as session:
            session.execute(text("UPDATE cities SET climate = 'second writer' WHERE id = 'dushanbe'"))
        with store.read() as session:
            assert session.scalar(select(City.climate).where(City.id == "osh")) == "held by the other process"
            assert session.scalar(select(City.climate).where(City.id == "dushanbe")) == "second writer"
    finally:
        store.close()


def test_cli_writer_gets_the_message_and_reader_works(db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Through the real CLI: an import during another process's write is refused with the retry message (exit 2,
    no traceback); `cities list` answers at once."""
    from kalkan.cli import main

    monkeypatch.setenv("KALKAN_DATABASE_URL", db)
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "200")
    registry = Path(__file__).resolve().parents[2] / "src" / "kalkan" / "data" / "facilities" / "osh_illustrative.csv"

    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(list(argv))
            except SystemExit as exc:
                code = int(exc.code or 0)
        return code, out.getvalue(), err.getvalue()

    with lock_held(db, 4.0):
        code, _, err = run("city", "import-facilities", "osh", str(registry))
        assert code == 2 and "Error [store.busy]:" in err and "Traceback" not in err
        t0 = time.perf_counter()
        code, out, _ = run("cities", "list", "--json")
        assert code == 0 and '"osh"' in out and time.perf_counter() - t0 < 3.0
