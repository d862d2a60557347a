"""Errors a user can act on.

Every failure caused by input (a file, a URL, an id on the command line) is a :class:`KalkanError`
with a message that names what is wrong and what to do. The CLI prints the message alone and exits
non-zero; ``--debug`` shows the traceback.
"""

from __future__ import annotations


class KalkanError(Exception):
    """An error the user can fix, with an optional hint on how."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}\nHint: {self.hint}"


class InputError(KalkanError):
    """A file or value given to Kalkan is malformed; the message names file, row/element and field."""


class StoreError(KalkanError):
    """The database cannot be reached, opened or upgraded."""


class NotFoundError(KalkanError):
    """A referenced object (city, run, application) does not exist."""


class ConflictError(KalkanError):
    """The request contradicts what is stored (a duplicate id, an application already decided)."""
