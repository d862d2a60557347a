"""Digests of values: the same content always gives the same hex string, whatever layer computes it (the store
to recognise data it already holds, the use cases to record a run's inputs). Digests of files: :mod:`kalkan.io.digest`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def sha256_json(value: Any) -> str:
    """SHA-256 of a JSON value in canonical form (sorted keys, no whitespace)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
