"""Run the real `kalkan` command line in-process (its `main`, with its error handling) and capture what it
prints, for tests that check what a user sees: the exit code, stdout and stderr."""

from __future__ import annotations

import io
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout and stderr with Rich's line wrapping undone (for searching a phrase)."""
        return " ".join((self.stdout + " " + self.stderr).split())


def run_kalkan(*args: str, database_url: str | None = None, env: dict[str, str] | None = None) -> CliResult:
    """``kalkan ARGS`` through :func:`kalkan.cli.main`; a traceback (an exception other than SystemExit)
    propagates to the test, as it would reach the user."""
    from kalkan.cli import _state, main

    saved = dict(os.environ)
    if database_url is not None:
        os.environ["KALKAN_DATABASE_URL"] = database_url
    os.environ.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    code = 0
    debug = _state["debug"]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main(list(args))
            except SystemExit as exc:
                code = _exit_code(exc.code)
    finally:
        _state["debug"] = debug
        os.environ.clear()
        os.environ.update(saved)
        sys.stdout.flush()
    return CliResult(code, out.getvalue(), err.getvalue())


def _exit_code(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    return 1
