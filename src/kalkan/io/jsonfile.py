"""Read a user's JSON file safely: bounded size and nesting, UTF-8 only, standard numbers only.

Python's :func:`json.loads` reads ``NaN``, ``Infinity`` and ``1e400`` (which becomes ``inf``) without a word,
recurses once per nesting level (a file of 100,000 ``[`` raises ``RecursionError``) and reads any size into
memory. Every JSON file a user gives Kalkan (accession requests, GeoJSON registries and outlines, hazard
manifests, ruptures) goes through :func:`load_json_file`, which refuses all of these with an
:class:`InputError` naming the file and, where it can, the line and column.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from kalkan.core.bounds import MAX_JSON_BYTES, MAX_JSON_DEPTH
from kalkan.errors import InputError

__all__ = ["decode_json", "load_json_file"]


def _constant(name: str) -> Any:
    raise ValueError(f"the non-standard number {name}")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range for a 64-bit float")
    return value


def _depth(value: Any) -> int:
    """The nesting depth of decoded JSON (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
            deepest = max(deepest, depth + 1)
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
            deepest = max(deepest, depth + 1)
    return deepest


def decode_json(data: bytes, source: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Decode JSON bytes (UTF-8, a byte-order mark allowed); errors name ``source``, line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"{source}: line {line} (byte {exc.start}) is not valid UTF-8 text; save the file as UTF-8.",
            code="input.encoding",
            row=line,
        ) from exc
    if not text.strip():
        raise InputError(f"{source}: the file is empty; expected a JSON document.", code="input.empty")
    try:
        value = json.loads(text, parse_constant=_constant, parse_float=_float)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.",
            code="input.syntax",
            row=exc.lineno,
        ) from exc
    except RecursionError as exc:
        raise InputError(
            f"{source}: the JSON nests arrays or objects too deeply; Kalkan reads at most {max_depth} levels.",
            code="input.too_large",
        ) from exc
    except ValueError as exc:  # from the hooks above, or an integer literal of thousands of digits
        raise InputError(f"{source}: the JSON holds {exc}; expected finite numbers only.", code="input.range") from exc
    if _depth(value) > max_depth:
        raise InputError(
            f"{source}: the JSON nests arrays or objects {_depth(value)} levels deep; Kalkan reads at most "
            f"{max_depth} levels.",
            code="input.too_large",
        )
    return value


def load_json_file(path: str | Path, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Read and decode a JSON file no larger than ``max_bytes`` (see the module docstring)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise InputError(f"{p}: not a file; expected a JSON file.", code="input.unreadable")
        if size > max_bytes:
            raise InputError(
                f"{p}: the file is {size / 2**20:,.1f} MiB; Kalkan reads JSON files of at most "
                f"{max_bytes / 2**20:,.0f} MiB.",
                code="input.too_large",
            )
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{p}: file not found.", code="input.not_found") from exc
    except OSError as exc:
        raise InputError(f"{p}: cannot read the file ({exc.strerror or exc}).", code="input.unreadable") from exc
    return decode_json(data, str(p), max_depth=max_depth)
