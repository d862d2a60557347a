"""Assert what a user relies on in an error: its stable code, the field and row it concerns (not its wording)."""

from __future__ import annotations

from typing import Any

import pytest

from kalkan.errors import CODES, KalkanError


def expect_error(info_or_exc: pytest.ExceptionInfo[Any] | BaseException, code: str, field: str | None = None,
                 row: int | None = None) -> KalkanError:  # fmt: skip
    """The error of ``info_or_exc`` (a ``pytest.raises`` result or the exception), checked to be a KalkanError
    with ``code`` and, where given, ``field`` and ``row``; returned for further checks."""
    exc = info_or_exc.value if isinstance(info_or_exc, pytest.ExceptionInfo) else info_or_exc
    assert isinstance(exc, KalkanError), f"expected a KalkanError, got {type(exc).__name__}: {exc}"
    assert code in CODES, f"{code!r} is not an error code"
    assert exc.code == code, f"code {exc.code!r}, expected {code!r}: {exc}"
    if field is not None:
        assert exc.field == field, f"field {exc.field!r}, expected {field!r}: {exc}"
    if row is not None:
        assert exc.row == row, f"row {exc.row!r}, expected {row}: {exc}"
    return exc
