"""Errors a user can act on, each with a stable code.

Every failure caused by input (a file, a URL, an id on the command line) is a :class:`KalkanError` with a
message that names what is wrong and what to do, a stable ``code`` from :data:`CODES` (what kind of problem:
programs and tests rely on it, not on the wording, which will be translated) and, where one is concerned, the
``field`` (column, element, option or parameter) and the data ``row``. The CLI prints the message alone and
exits non-zero; ``--debug`` shows the traceback; ``--json`` faces will serve :meth:`KalkanError.as_dict`.
"""

from __future__ import annotations

from typing import Any, ClassVar

CODES: dict[str, str] = {
    # input: a file, a value or an option the user gave
    "input.not_found": "a file or folder given does not exist",
    "input.unreadable": "a file cannot be read (permissions, I/O error, a corrupt container)",
    "input.encoding": "a text file is not in the expected encoding (UTF-8)",
    "input.syntax": "a file is not valid in its format (JSON, XML, CSV, ini, GeoTIFF...) or is truncated",
    "input.unsafe": "a file uses a feature refused for safety (DTD, entities, external references, views)",
    "input.too_large": "a file, a nesting depth or a requested run exceeds Kalkan's limit",
    "input.empty": "a file or table has no data where data are required",
    "input.missing": "a required column, field, element or option is absent",
    "input.unknown": "a column, field, name or value is not one of those Kalkan knows",
    "input.type": "a value is not of the expected type or form (a number, a date, an id)",
    "input.range": "a number is outside its allowed or plausible range (NaN and infinities included)",
    "input.duplicate": "an id, row, column or key appears more than once",
    "input.outside": "coordinates lie outside the city, the country or the grid they must be in",
    "input.inconsistent": "values contradict each other (weights, units, currencies, periods, shapes)",
    "input.unsupported": "a valid feature of the format that Kalkan does not support",
    "input.options": "command-line options that do not go together, or a combination that is missing",
    # output: where Kalkan writes
    "output.unwritable": "an output file cannot be written (permissions, a full disk, a value the format cannot hold)",
    # referenced objects
    "not_found.city": "no city with this id in the registry",
    "not_found.run": "no recorded run with this id",
    "not_found.version": "no version with this number of the city's data",
    "not_found.application": "no pending accession application",
    "not_found.data": "the city has no stored data of the kind needed",
    # conflicts with what exists
    "conflict.exists": "an output exists and would be overwritten (give --force)",
    "conflict.owned": "the city's own data would be superseded (give --replace)",
    "conflict.registry": "the request contradicts the registry (a city already there, a decided application)",
    # the database
    "store.config": "the database URL or backend is not usable",
    "store.unreachable": "the database cannot be reached or opened",
    "store.schema": "the database is not at this Kalkan's schema (run `kalkan db upgrade`)",
    "store.busy": "another Kalkan process holds the database's write lock (retry)",
    "store.corrupt": "the database file is damaged or not a database",
}
"""Every error code, with what it means. Codes are part of the interface: never renamed, only added."""


class KalkanError(Exception):
    """An error the user can fix, with a stable code, the field (and row) it concerns, and a hint on how."""

    exit_code = 2
    default_code: ClassVar[str] = "input.type"

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        code: str | None = None,
        field: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message)
        chosen = code or self.default_code
        if chosen not in CODES:
            raise ValueError(f"unknown error code {chosen!r}; add it to kalkan.errors.CODES")
        self.message = message
        self.hint = hint
        self.code = chosen
        self.field = field
        self.row = row

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\nHint: {self.hint}"

    def as_dict(self) -> dict[str, Any]:
        """The error for a machine: code, field, row, message, hint."""
        return {"code": self.code, "field": self.field, "row": self.row, "message": self.message, "hint": self.hint}


class InputError(KalkanError):
    """A file or value given to Kalkan is malformed; the message names file, row/element and field."""

    default_code = "input.type"


class StoreError(KalkanError):
    """The database cannot be reached, opened or upgraded."""

    default_code = "store.unreachable"


class NotFoundError(KalkanError):
    """A referenced object (city, run, application) does not exist."""

    default_code = "not_found.city"


class ConflictError(KalkanError):
    """The request contradicts what is stored (a duplicate id, an application already decided)."""

    default_code = "conflict.registry"
