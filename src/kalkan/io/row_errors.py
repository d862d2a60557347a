"""Problems of single rows, and the one error that refuses an import for all of them.

Why: a registry import checks every row and reports every problem at once (row, field, value, expected) so
that a user fixes the file in one go; the refusal must still be one :class:`~kalkan.errors.InputError`, with
the code of the problems for programs and the problems themselves, structured, for a face to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from kalkan.errors import InputError

__all__ = ["RowError", "RowsError", "code_of"]


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row: ``row`` is 1-based over the records of the file, ``place`` says where, ``code``
    (from :data:`kalkan.errors.CODES`) what kind of problem it is."""

    row: int
    place: str
    facility_id: str
    field: str
    value: str
    expected: str
    code: str = "input.type"

    def __str__(self) -> str:
        ident = f" (id {self.facility_id!r})" if self.facility_id else ""
        shown = "an empty value" if self.value == "" else repr(self.value)
        return f"{self.place}{ident}, field '{self.field}': got {shown}; expected {self.expected}"

    def as_dict(self) -> dict[str, Any]:
        """The problem for a machine (``--json``)."""
        return asdict(self)


def code_of(errors: Sequence[RowError]) -> str:
    """The code of a refusal for ``errors``: the code of the first problem listed (each keeps its own)."""
    return errors[0].code if errors else "input.empty"


class RowsError(InputError):
    """An import refused for problems in its rows: one message listing them, ``errors`` holding each one.

    ``field`` and ``row`` are None (the problems concern many); ``code`` is given by the caller, normally
    :func:`code_of` the problems.
    """

    def __init__(self, message: str, errors: Sequence[RowError], *, code: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, code=code)
        self.errors = tuple(errors)

    def as_dict(self) -> dict[str, Any]:
        """The error for a machine, with every row problem under ``errors``."""
        return {**super().as_dict(), "errors": [e.as_dict() for e in self.errors]}
