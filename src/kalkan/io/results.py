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
from numpy.typing import NDArray

from kalkan.errors import InputError


@contextmanager
def atomic_output_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary folder that replaces ``target`` when the block completes (and is removed if not).

    An existing ``target`` is replaced only if it is empty or holds a previous result (a summary.json).
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / "summary.json").exists())):
        raise InputError(
            f"{target}: exists and is not a previous Kalkan result folder; choose a new or empty --out folder."
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


def write_parquet(path: Path, columns: Mapping[str, NDArray[Any]], metadata: Mapping[str, str] | None = None) -> None:
    """Write equal-length columns as one Parquet file (zstd), with key-value metadata (units, sources)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays = {}
    for name, values in columns.items():
        arr = np.asarray(values)
        arrays[name] = pa.array(arr.astype(str) if arr.dtype == object else arr)
    table = pa.table(arrays)
    if metadata:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **dict(metadata)})
    pq.write_table(table, path, compression="zstd")


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
        raise InputError(f"{folder}: no summary.json; not a Kalkan result folder.")
    try:
        value: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}).") from exc
    return value
