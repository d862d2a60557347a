"""Computations as recorded jobs, and their results in run-owned folders.

Every command that computes numbers runs inside :func:`job`:

1. the user's output (``--out DIR`` or ``-o FILE``) is checked first: an existing, non-empty target is refused
   unless ``force`` is given, before any expensive step;
2. when a database is set up, the run is recorded (:func:`kalkan.store.runs.recorded_run`: command line,
   parameters, seed, input digests, code version, progress, timings, status) and the computation writes into
   the run's own folder, ``<data dir>/runs/<run id>/``; without a database it writes into a private temporary
   folder and the record is ``run.json`` beside the results;
3. on success every result file is hashed (``output_digests``) and made read-only, and the results are
   published to the user's target: hard links where the file system allows (so a large result is not stored
   twice, and an in-place edit of the published copy fails rather than altering the run's), else copies. A
   ``--force`` re-run replaces the published copy only; the run-owned folder is never touched again, so every
   recorded run keeps the exact files it produced.

On failure nothing is published and the run-owned folder is removed (the run is recorded as failed).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kalkan import __version__, config
from kalkan.errors import ConflictError, InputError
from kalkan.io.digest import sha256_file, sha256_files
from kalkan.store.database import Store, optional_store
from kalkan.store.models import Run
from kalkan.store.runs import CURRENT_COMMAND, ProgressCallback, RunRecorder, recorded_run

RUNS_FOLDER = "runs"


def runs_dir() -> Path:
    """Where run-owned result folders live: ``<data dir>/runs`` (``KALKAN_DATA_DIR`` moves it)."""
    return config.data_dir() / RUNS_FOLDER


@dataclass(frozen=True, slots=True)
class Output:
    """The user's target for a job's results: a folder (``--out DIR``) or a file (``-o FILE``, whose side
    files, such as an OpenQuake exposure's CSV, go beside it); ``force`` allows replacing existing ones.
    ``extras``: other files the user named (``--record FILE``), written in the work folder under their own
    names and published to these paths."""

    path: Path
    is_dir: bool = True
    force: bool = False
    extras: tuple[Path, ...] = ()


def check_output(output: Output) -> None:
    """Refuse an existing target unless ``force``: a folder that is not empty, or an existing file."""
    target = Path(output.path)
    if output.is_dir:
        if target.exists() and not target.is_dir():
            raise ConflictError(
                f"{target}: exists and is not a folder; choose a folder for --out.",
                code="conflict.exists",
                field="--out",
            )
        if target.is_dir() and any(target.iterdir()) and not output.force:
            raise ConflictError(
                f"{target}: the folder exists and is not empty; Kalkan does not overwrite it.",
                hint="Choose a new --out folder, or give --force to replace its contents (the results of recorded "
                "runs stay in their own folders; `kalkan runs show ID`).",
                code="conflict.exists",
                field="--out",
            )
    else:
        names = [target.name, *(Path(e).name for e in output.extras)]
        if len(set(names)) != len(names):
            raise InputError(
                f"Two outputs share a file name ({', '.join(names)}); give each its own name.", code="input.duplicate"
            )
        for path in (target, *output.extras):
            if Path(path).exists() and not output.force:
                raise ConflictError(
                    f"{path}: the file exists; Kalkan does not overwrite it.",
                    hint="Choose another name, or give --force to replace it.",
                    code="conflict.exists",
                )
    for path in (target, *output.extras):
        folder = Path(path).parent
        if not folder.exists():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(
                    f"{folder}: cannot create the folder ({exc.strerror}).", code="output.unwritable"
                ) from exc


@dataclass
class Job:
    """A computation in progress. Write results under :attr:`workdir` (it does not exist yet for folder
    outputs: services create it atomically), set :attr:`summary` to the headline numbers to record."""

    kind: str
    workdir: Path
    output: Output | None
    recorder: RunRecorder | None
    summary: dict[str, Any] = field(default_factory=dict)
    published: list[Path] = field(default_factory=list)
    _on_progress: ProgressCallback | None = None

    @property
    def id(self) -> str | None:
        """The run id (None when no database is set up)."""
        return None if self.recorder is None else self.recorder.id

    @property
    def target(self) -> Path:
        """Where the computation writes its main result: the workdir (a folder output) or the file in it."""
        if self.output is None or self.output.is_dir:
            return self.workdir
        return self.workdir / self.output.path.name

    def progress(self, percent: int, message: str) -> None:
        """Record progress (0-100) with what is being done."""
        if self.recorder is not None:
            self.recorder.progress(percent, message)
        elif self._on_progress is not None:
            self._on_progress(percent, message)


@contextmanager
def job(
    kind: str,
    *,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, Path | str] | None = None,
    output: Output | None = None,
    city_id: str | None = None,
    seed: int | None = None,
    store: Store | None = None,
    record: bool = True,
    on_progress: ProgressCallback | None = None,
) -> Iterator[Job]:
    """Run the body as a recorded job (see the module docstring). ``inputs``: files (digested) or digests
    already computed, by name. ``store``: the open store to record in (default: the configured one if a
    database is set up; none with ``record=False``)."""
    if output is not None:
        check_output(output)
    digests = {
        name: (_digest(value) if isinstance(value, Path) else str(value)) for name, value in (inputs or {}).items()
    }
    params = _jsonable(dict(parameters))
    if output is not None:
        params.setdefault("out", str(output.path))
    own_store = store is None and record
    use = store if store is not None else (optional_store() if record else None)
    try:
        if use is None:
            yield from _unrecorded(kind, params, digests, seed, output, on_progress)
            return
        with recorded_run(
            use, kind, parameters=params, input_digests=digests, seed=seed, city_id=city_id, on_progress=on_progress
        ) as recorder:
            workdir = runs_dir() / recorder.id
            if output is None or not output.is_dir:
                workdir.mkdir(parents=True)
            current = Job(kind, workdir, output, recorder, _on_progress=on_progress)
            try:
                yield current
                if output is not None and output.is_dir and not workdir.exists():
                    workdir.mkdir(parents=True)
                files = _seal(workdir)
                recorder.output_digests = files
                recorder.result_path = str(workdir) if files else None
                recorder.summary = _jsonable(current.summary)
                if output is not None:
                    current.published = _publish(workdir, output)
                    recorder.published_to = str(Path(output.path).resolve())
                if not files:
                    shutil.rmtree(workdir, ignore_errors=True)
            except BaseException:
                _discard(workdir)
                raise
    finally:
        if own_store and use is not None:
            use.close()


def _unrecorded(
    kind: str,
    params: dict[str, Any],
    digests: dict[str, str],
    seed: int | None,
    output: Output | None,
    on_progress: ProgressCallback | None,
) -> Iterator[Job]:
    """Without a database: compute in a private folder, publish, and leave ``run.json`` as the record."""
    parent = output.path.parent if output is not None else Path(tempfile.gettempdir())
    scratch = Path(tempfile.mkdtemp(prefix=".kalkan-run-", dir=parent))
    workdir = scratch / "results"
    if output is None or not output.is_dir:
        workdir.mkdir()
    current = Job(kind, workdir, output, None, _on_progress=on_progress)
    try:
        yield current
        if not workdir.exists():
            workdir.mkdir()
        record = {
            "id": str(uuid.uuid4()), "kind": kind, "command": CURRENT_COMMAND.get(), "working_dir": os.getcwd(),
            "parameters": params, "input_digests": digests, "seed": seed, "code_version": __version__,
            "summary": _jsonable(current.summary),
            "recorded": "not in a database (none is set up: `kalkan db upgrade`)",
        }  # fmt: skip
        record["output_digests"] = _seal(workdir)
        if output is not None and output.is_dir:
            (workdir / "run.json").write_text(json.dumps(record, indent=2, default=str) + "\n", encoding="utf-8")
        if output is not None:
            current.published = _publish(workdir, output, link=False)
    finally:
        _discard(scratch)


def _digest(path: Path) -> str:
    if path.is_dir():
        return sha256_files(sorted(p for p in path.rglob("*") if p.is_file()))
    try:
        return sha256_file(path)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.", code="input.not_found") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror}).", code="input.unreadable") from exc


def _jsonable(value: Any) -> Any:
    """Parameters and summaries as JSON values (paths and tuples become strings and lists)."""
    return json.loads(json.dumps(value, default=str))


def _seal(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (by relative path), each made read-only."""
    digests: dict[str, str] = {}
    if not folder.exists():
        return digests
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digests[path.relative_to(folder).as_posix()] = sha256_file(path)
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return digests


def _place(source: Path, target: Path, link: bool) -> None:
    """Hard-link ``source`` to ``target`` (copy across file systems, or when ``link`` is False)."""
    if link:
        try:
            os.link(source, target)
            return
        except OSError:
            pass
    shutil.copy2(source, target)
    target.chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP | stat.S_IROTH)


def _publish(workdir: Path, output: Output, *, link: bool = True) -> list[Path]:
    """Put the results at the user's target. A folder is assembled beside the target and swapped in; a file
    output's files go beside ``output.path``, each refused if it exists (unless ``force``) before any is
    written, each written through a temporary name and renamed."""
    target = Path(output.path)
    if output.is_dir:
        check_output(output)  # again: another process may have written there meanwhile
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
        try:
            for path in sorted(p for p in workdir.rglob("*") if p.is_file()):
                dest = staging / path.relative_to(workdir)
                dest.parent.mkdir(parents=True, exist_ok=True)
                _place(path, dest, link)
            old = None
            if target.exists():
                old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
                target.rename(old)
            staging.rename(target)
            if old is not None:
                _discard(old)
        except BaseException:
            _discard(staging)
            raise
        return [target]
    files = sorted(p for p in workdir.iterdir() if p.is_file())
    named = {Path(e).name: Path(e) for e in output.extras}
    dests = [named.get(p.name, target.parent / p.name) for p in files]
    existing = [d for d in dests if d.exists()]
    if existing and not output.force:
        raise ConflictError(
            f"{', '.join(map(str, existing))}: exist(s); Kalkan does not overwrite files.",
            hint="Choose another output name, or give --force to replace them.",
            code="conflict.exists",
        )
    for source, dest in zip(files, dests, strict=True):
        tmp = dest.with_name(f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}")
        _place(source, tmp, link)
        tmp.replace(dest)
    return dests


def _discard(path: Path) -> None:
    """Remove a folder of ours. Its files may be read-only: unlinking needs only the folder's permission, and
    their modes are left alone (a published file shares its inode with the run-owned copy)."""
    shutil.rmtree(path, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class OutputCheck:
    """A recorded run's result files checked against the SHA-256 digests recorded when it finished."""

    run_id: str
    result_path: Path
    files: int
    missing: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def intact(self) -> bool:
        """Every recorded file is there with its recorded content."""
        return not self.missing and not self.changed

    def as_dict(self) -> dict[str, Any]:
        """The check as `kalkan runs verify --json` prints it."""
        return {
            "id": self.run_id,
            "result_path": str(self.result_path),
            "files": self.files,
            "missing": list(self.missing),
            "changed": list(self.changed),
            "intact": self.intact,
        }


def verify_outputs(run: Run) -> OutputCheck:
    """Re-hash the run's own result files against the digests recorded when it finished."""
    digests = dict(run.output_digests or {})
    if not run.result_path or not digests:
        raise InputError(
            f"Run {run.id} ({run.kind}, {run.status}) recorded no result files to verify.", code="not_found.data"
        )
    root = Path(run.result_path)
    missing = tuple(name for name in digests if not (root / name).is_file())
    changed = tuple(name for name, d in digests.items() if name not in missing and sha256_file(root / name) != d)
    return OutputCheck(run.id, root, len(digests), missing, changed)
