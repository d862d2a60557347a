"""Recorded runs: every computation writes its inputs' digests, parameters, seed, code version, status,
progress and timings to the ``runs`` table, so any number on screen can be traced and reproduced.

Progress updates commit in their own short transactions, so another process (the web server, a second
CLI) sees them while the run goes on.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kalkan import __version__
from kalkan.errors import InputError, NotFoundError
from kalkan.store.database import Store
from kalkan.store.models import RUN_STATUSES, City, Run, utcnow
from kalkan.store.registry import isoformat_utc

ProgressCallback = Callable[[int, str], None]

CURRENT_COMMAND: ContextVar[str | None] = ContextVar("kalkan_current_command", default=None)
"""The command line being run (set by the CLI's entry point), recorded with every run and data version."""


class RunRecorder:
    """Handle on one run in progress; use :func:`recorded_run` to get one."""

    def __init__(self, store: Store, run_id: str, on_progress: ProgressCallback | None = None) -> None:
        self.store = store
        self.id = run_id
        self.summary: dict[str, Any] = {}
        self.result_path: str | None = None
        self.output_digests: dict[str, str] = {}
        self.published_to: str | None = None
        self._on_progress = on_progress

    def progress(self, percent: int, message: str) -> None:
        """Record progress (0-100) with a short message saying what is being done."""
        if not 0 <= percent <= 100:
            raise ValueError(f"progress must be within 0-100, got {percent}")
        with self.store.transaction() as session:
            run = session.get_one(Run, self.id)
            run.progress = percent
            run.progress_message = message
        if self._on_progress is not None:
            self._on_progress(percent, message)


@contextmanager
def recorded_run(
    store: Store,
    kind: str,
    *,
    parameters: dict[str, Any],
    input_digests: dict[str, str],
    seed: int | None = None,
    city_id: str | None = None,
    on_progress: ProgressCallback | None = None,
) -> Iterator[RunRecorder]:
    """Record a run around the body: ``running`` on entry, ``succeeded`` or ``failed`` (with the error)
    on exit. The exception, if any, propagates after it is recorded."""
    run_id = str(uuid.uuid4())
    with store.transaction() as session:
        if city_id is not None and session.get(City, city_id) is None:
            city_id = None  # a region or a city not in this registry: the parameters still name it
        session.add(
            Run(
                id=run_id,
                kind=kind,
                city_id=city_id,
                parameters=parameters,
                input_digests=input_digests,
                seed=seed,
                code_version=__version__,
                command=CURRENT_COMMAND.get(),
                working_dir=os.getcwd(),
                status="running",
                progress=0,
                progress_message="started",
                started_at=utcnow(),
            )
        )
    recorder = RunRecorder(store, run_id, on_progress)
    try:
        yield recorder
    except BaseException as exc:
        with store.transaction() as session:
            run = session.get_one(Run, run_id)
            run.status = "cancelled" if isinstance(exc, KeyboardInterrupt) else "failed"
            run.error = f"{type(exc).__name__}: {exc}"
            run.finished_at = utcnow()
        raise
    with store.transaction() as session:
        run = session.get_one(Run, run_id)
        run.status = "succeeded"
        run.progress = 100
        run.progress_message = "done"
        run.summary = recorder.summary
        run.result_path = recorder.result_path
        run.output_digests = recorder.output_digests
        run.published_to = recorder.published_to
        run.finished_at = utcnow()


def run_row(run: Run) -> dict[str, Any]:
    started, finished = run.started_at, run.finished_at
    duration = (finished - started).total_seconds() if started and finished else None
    return {
        "id": run.id,
        "kind": run.kind,
        "city_id": run.city_id,
        "status": run.status,
        "progress": run.progress,
        "progress_message": run.progress_message,
        "parameters": dict(run.parameters),
        "input_digests": dict(run.input_digests),
        "seed": run.seed,
        "code_version": run.code_version,
        "created_at": isoformat_utc(run.created_at),
        "started_at": isoformat_utc(started),
        "finished_at": isoformat_utc(finished),
        "duration_s": duration,
        "summary": dict(run.summary),
        "result_path": run.result_path,
        "output_digests": dict(run.output_digests or {}),
        "published_to": run.published_to,
        "command": run.command,
        "working_dir": run.working_dir,
        "error": run.error,
    }


def list_runs(session: Session, *, kind: str | None = None, status: str | None = None, limit: int = 20) -> list[Run]:
    """The most recent runs first."""
    if status is not None and status not in RUN_STATUSES:
        raise InputError(
            f"Unknown run status {status!r}; expected one of {', '.join(RUN_STATUSES)}.",
            code="input.unknown",
            field="status",
        )
    query = select(Run).order_by(Run.created_at.desc(), Run.id).limit(limit)
    if kind is not None:
        query = query.where(Run.kind == kind)
    if status is not None:
        query = query.where(Run.status == status)
    return list(session.scalars(query))


def get_run(session: Session, run_id: str) -> Run:
    """A run by its id or an unambiguous prefix of at least 6 characters."""
    run = session.get(Run, run_id)
    if run is not None:
        return run
    if len(run_id) >= 6:
        matches = list(session.scalars(select(Run).where(Run.id.startswith(run_id, autoescape=True)).limit(2)))
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InputError(
                f"Run id prefix '{run_id}' is ambiguous; give more characters.", code="input.duplicate", field="run_id"
            )
    raise NotFoundError(
        f"No run with id '{run_id}'.",
        hint="`kalkan runs list` shows recent runs.",
        code="not_found.run",
        field="run_id",
    )
