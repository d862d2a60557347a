"""Run the real `kalkan` command on one malformed input and judge the outcome.

A case passes when the command exits with code 2 after printing one ``Error [code]:`` message (a KalkanError, no
traceback) whose code is one of :data:`kalkan.errors.CODES`, the message names the file the case broke, the
store holds what it held before (a canonical dump of every table; a run recorded as ``failed`` is the one change
allowed, since every run is recorded), and the command finished within its time limit. Cases that could hang
or exhaust memory run in a subprocess under ``RLIMIT_AS`` and a wall-clock timeout; the others run in this
process (fast) under a ``SIGALRM`` timer.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kalkan.errors import CODES

IN_PROCESS_LIMIT_S = 30.0
"""Per-case wall-clock limit of an in-process case (the slow ones read a 5,000-asset case or a GEM model)."""
ISOLATED_LIMIT_S = 60.0
"""Per-case wall-clock limit of a subprocess case (start-up of Python and Kalkan included)."""
ISOLATED_MEMORY_BYTES = 6 << 30
"""Address-space limit of a subprocess case: far below what the unbounded inputs would take (tens of GiB),
above what numba, pyarrow and GDAL map at start-up."""
ERROR_LINE = re.compile(r"Error \[([^\]]+)\](?: \(field .*?\))?: ")
"""The CLI's error line: ``Error [input.range] (field cost_structural): message`` (the field when there is one)."""


def error_code(stderr: str) -> str | None:
    """The code of the first ``Error [code]:`` line the CLI printed, if any."""
    found = ERROR_LINE.search(stderr)
    return found.group(1) if found else None


@dataclass(frozen=True)
class Case:
    """One malformed input for one importer: ``argv`` runs it; ``names`` must appear in the message."""

    importer: str
    name: str
    argv: tuple[str, ...]
    names: str | None = None
    isolate: bool = False
    env: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.importer} / {self.name}"


@dataclass
class Outcome:
    code: int | str
    stdout: str
    stderr: str
    seconds: float
    traceback: str | None = None


@dataclass
class Verdict:
    case: Case
    outcome: Outcome
    problems: list[str] = field(default_factory=list)

    @property
    def code(self) -> str | None:
        """The error code the CLI printed (None: no coded error line)."""
        return error_code(self.outcome.stderr)

    def __str__(self) -> str:
        detail = self.outcome.traceback or self.outcome.stderr or self.outcome.stdout
        return f"{self.case.label}: {'; '.join(self.problems)}\n    argv: {' '.join(self.case.argv)}\n" + "\n".join(
            "    " + line for line in detail.strip().splitlines()[-12:]
        )


class _Timeout(BaseException):
    """Raised by the alarm handler; a BaseException so that no ``except Exception`` in Kalkan swallows it."""


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def handler(_signum: int, _frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_in_process(argv: Sequence[str], limit_s: float = IN_PROCESS_LIMIT_S) -> Outcome:
    """``kalkan ARGV`` through the CLI's own entry point (as the console script runs it), output captured."""
    from kalkan.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str = 0
    tb = None
    t0 = time.perf_counter()
    try:
        with _alarm(limit_s), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except _Timeout:
        code = "timeout"
    except BaseException:
        code = "traceback"
        tb = traceback.format_exc()
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - t0, tb)


def _limits(memory_bytes: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    return apply


def run_isolated(
    argv: Sequence[str],
    env: dict[str, str],
    limit_s: float = ISOLATED_LIMIT_S,
    memory_bytes: int = ISOLATED_MEMORY_BYTES,
) -> Outcome:
    """``python -m kalkan ARGV`` in a subprocess with an address-space limit and a timeout."""
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "kalkan", *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=limit_s,
            preexec_fn=_limits(memory_bytes),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return Outcome("timeout", str(exc.stdout or ""), str(exc.stderr or ""), time.perf_counter() - t0)
    tb = proc.stderr if "Traceback" in proc.stderr else None
    code: int | str = proc.returncode if tb is None else "traceback"
    if proc.returncode < 0:
        code = f"signal {-proc.returncode}"
    return Outcome(code, proc.stdout, proc.stderr, time.perf_counter() - t0, tb)


def dump_store(db_path: Path, *, timeless: bool = False) -> dict[str, str]:
    """A digest of every table's rows in a canonical order; failed runs are left out (they are recorded).

    ``timeless`` leaves out the time-stamp columns (``*_at``), to compare two runs of the same import."""
    con = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        digests = {}
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            names = [d[0] for d in con.execute(f"SELECT * FROM {quoted} LIMIT 0").description or ()]
            kept = [n for n in names if not (timeless and n.endswith("_at"))]
            columns = ", ".join('"' + n.replace('"', '""') + '"' for n in kept)
            order = ", ".join(str(i + 1) for i in range(len(kept)))
            where = " WHERE status != 'failed'" if table == "runs" else ""
            h = hashlib.sha256()
            count = 0
            for row in con.execute(f"SELECT {columns} FROM {quoted}{where} ORDER BY {order}"):
                h.update(repr(row).encode())
                count += 1
            digests[table] = f"{count}:{h.hexdigest()[:16]}"
        return digests
    finally:
        con.close()


def judge(case: Case, outcome: Outcome, before: dict[str, str], after: dict[str, str]) -> Verdict:
    """Every way the outcome differs from a clean refusal."""
    problems = []
    if outcome.traceback is not None or outcome.code == "traceback":
        problems.append("traceback")
    elif outcome.code == "timeout":
        problems.append(f"no answer within {outcome.seconds:.0f} s")
    elif outcome.code != 2:
        problems.append(
            f"exit code {outcome.code} (silently accepted)" if outcome.code == 0 else f"exit {outcome.code}"
        )
    elif (code := error_code(outcome.stderr)) is None:
        problems.append("exit 2 without an 'Error [code]:' message")
    elif code not in CODES:
        problems.append(f"the error code {code!r} is not one of kalkan.errors.CODES")
    elif case.names is not None and case.names not in outcome.stderr:
        problems.append(f"the message does not name {case.names!r}")
    if before != after:
        changed = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
        problems.append(f"the store changed: {', '.join(changed)}")
    return Verdict(case, outcome, problems)


def run_case(case: Case, db_path: Path) -> Verdict:
    """Run one case against the store at ``db_path`` and judge it."""
    before = dump_store(db_path)
    if case.isolate:
        env = {**os.environ, "KALKAN_DATABASE_URL": f"sqlite:///{db_path}", **dict(case.env)}
        outcome = run_isolated(case.argv, env)
    else:
        with _environ(dict(case.env)):
            outcome = run_in_process(case.argv)
    return judge(case, outcome, before, dump_store(db_path))


@contextlib.contextmanager
def _environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
