"""Digests of files that make runs reproducible: the same inputs always give the same hex string (digests of values:
:mod:`kalkan.core.digest`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file's bytes, read in chunks (memory independent of the file size)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_files(paths: Iterable[Path]) -> str:
    """One SHA-256 over several files, each contributing its name and its own digest, in order."""
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode())
        h.update(sha256_file(path).encode())
    return h.hexdigest()
