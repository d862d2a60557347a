"""Write risk results: Parquet tables and a JSON summary, into a folder replaced atomically.

Everything is written into a temporary sibling folder first; only when every file is complete does it
take the place of the output folder, so a failed or interrupted run leaves no half-written results.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from kalkan.errors import ConflictError, InputError


@contextmanager
def atomic_output_dir(target: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` when the block completes (and is removed if not).

    An existing ``target`` that is not empty is refused unless ``overwrite`` (the command line's ``--force``):
    whatever it holds, results a user or a recorded run relies on are never replaced silently.
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not overwrite)):
        raise ConflictError(
            f"{target}: exists and is not an empty folder; Kalkan does not overwrite it.",
            hint="Choose a new or empty output folder (or give --force on the command line).",
            code="conflict.exists",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{tmp.name.rsplit('-', 1)[-1]}")
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_parquet(
    path: Path, columns: Mapping[str, NDArray[Any]], metadata: Mapping[str, str] | None = None, *,
    rows_per_group: int = 1 << 18,
) -> None:  # fmt: skip
    """Write equal-length columns as one Parquet file (zstd), with key-value metadata (units, sources).

    Large tables are converted and written ``rows_per_group`` rows at a time, so that writing a million
    assets does not hold a second copy of them in Arrow's memory.
    """
    arrays = {name: np.asarray(values) for name, values in columns.items()}
    n = len(next(iter(arrays.values()))) if arrays else 0

    def batch(lo: int, hi: int) -> pa.Table:
        # Object arrays of str go to Arrow directly (no intermediate fixed-width unicode copy).
        cols = {
            name: pa.array(arr[lo:hi], type=pa.string()) if arr.dtype == object else pa.array(arr[lo:hi])
            for name, arr in arrays.items()
        }
        return pa.table(cols)

    first = batch(0, min(n, rows_per_group))
    schema = first.schema.with_metadata({**(first.schema.metadata or {}), **dict(metadata or {})})
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        writer.write_table(first.replace_schema_metadata(schema.metadata))
        for lo in range(rows_per_group, n, rows_per_group):
            writer.write_table(batch(lo, min(n, lo + rows_per_group)).replace_schema_metadata(schema.metadata))


def write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False, default=_json_default) + "\n", encoding="utf-8")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def read_summary(folder: Path) -> dict[str, Any]:
    """The summary.json of a result folder, with a clear error if the folder is not one."""
    path = Path(folder) / "summary.json"
    if not path.is_file():
        raise InputError(f"{folder}: no summary.json; not a Kalkan result folder.", code="input.not_found")
    try:
        value: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}).", code="input.syntax") from exc
    return value
