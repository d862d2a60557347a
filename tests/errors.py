"""Assert what a user relies on in an error: its stable code, and the field and row it concerns (not its wording)."""

from __future__ import annotations

from typing import Any

import pytest

from kalkan.errors import KalkanError


def expect_error(
    info_or_exc: pytest.ExceptionInfo[Any] | BaseException,
    code: str,
    field: str | None = None,
    row: int | None = None,
) -> KalkanError:
    """The error of ``info_or_exc``, after checking its ``code`` and, when given, its ``field`` and ``row``."""
    exc = info_or_exc.value if isinstance(info_or_exc, pytest.ExceptionInfo) else info_or_exc
    assert isinstance(exc, KalkanError), f"not a KalkanError: {exc!r}"
    assert exc.code == code, f"code {exc.code!r}, expected {code!r}: {exc}"
    if field is not None:
        assert exc.field == field, f"field {exc.field!r}, expected {field!r}: {exc}"
    if row is not None:
        assert exc.row == row, f"row {exc.row!r}, expected {row!r}: {exc}"
    return exc
