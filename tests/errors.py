"""Assert what a user error carries (its code, field and row), not its wording, which will be translated."""

from __future__ import annotations

from types import EllipsisType
from typing import Any

import pytest

from kalkan.errors import CODES, KalkanError


def expect_error(
    error: pytest.ExceptionInfo[Any] | BaseException,
    code: str,
    field: str | EllipsisType | None = ...,
    row: int | EllipsisType | None = ...,
) -> KalkanError:
    """The KalkanError of ``error`` after checking its code and, unless left out (``...``), field and row."""
    exc = error.value if isinstance(error, pytest.ExceptionInfo) else error
    assert isinstance(exc, KalkanError), f"not a KalkanError: {exc!r}"
    assert code in CODES, f"the test expects {code!r}, which is not in kalkan.errors.CODES"
    assert exc.code == code, f"code {exc.code!r}, expected {code!r}: {exc.message}"
    if field is not ...:
        assert exc.field == field, f"field {exc.field!r}, expected {field!r}: {exc.message}"
    if row is not ...:
        assert exc.row == row, f"row {exc.row!r}, expected {row!r}: {exc.message}"
    return exc
