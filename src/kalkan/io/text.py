"""Read a user's text file as UTF-8, with one clear message for every way that can fail.

Missing or unreadable files, bytes that are not UTF-8 (a file saved as Windows-1251 or UTF-16), NUL bytes (a
binary file given by mistake) and files too large to be what they claim are all :class:`InputError` naming
the file and, for encoding errors, the line and byte.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from kalkan.errors import InputError

__all__ = ["MAX_TEXT_BYTES", "encoding_error", "read_csv_rows", "read_text_file"]

MAX_TEXT_BYTES = 2 << 30
"""Largest text file read whole into memory (2 GiB); the big formats (exposure CSV) stream through Arrow."""


def encoding_error(data: bytes, source: str, exc: UnicodeDecodeError, what: str = "file") -> InputError:
    """The message for bytes that are not UTF-8: file, line and byte offset."""
    line = data.count(b"\n", 0, exc.start) + 1
    return InputError(
        f"{source}: line {line} (byte {exc.start}) is not valid UTF-8 text ({exc.reason}); save the {what} as UTF-8.",
        code="input.encoding",
        row=line,
    )


def read_text_file(path: str | os.PathLike[str], what: str = "file", *, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The text of ``path`` (UTF-8, a byte-order mark dropped); errors as :class:`InputError`."""
    p = Path(path)
    try:
        if not p.exists():
            raise InputError(f"{p}: file not found.", code="input.not_found")
        if not p.is_file():
            raise InputError(f"{p}: not a file; expected a {what}.", code="input.unreadable")
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{p}: the file is {size / 2**30:,.1f} GiB; too large for a {what}.", code="input.too_large"
            )
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read the file ({exc.strerror or exc}).", code="input.unreadable") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise encoding_error(data, str(p), exc, what) from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(
            f"{p}: line {line} holds a NUL byte; expected a {what} (text), not a binary file.",
            code="input.encoding",
            row=line,
        )
    return text


def read_csv_rows(
    path: str | os.PathLike[str], what: str = "CSV", *, lower: bool = False, strict: bool = True
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the (line, record) of every non-blank data row of a user's CSV, the header being line 1.

    Names and values are stripped (names lower-cased with ``lower``). A name given twice is an error; with
    ``strict`` so is a row with more or fewer fields than the header (a cut or merged line must not become
    an empty or shifted value); without it extra fields are dropped and missing ones are empty.
    """
    p = Path(path)
    text = read_text_file(p, what)
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip().lower() if lower else h.strip() for h in next(reader, [])]
        named = [h for h in header if h]
        duplicated = sorted({h for h in named if named.count(h) > 1})
        if duplicated:
            raise InputError(
                f"{p}: column(s) {', '.join(map(repr, duplicated))} appear twice in the header.",
                code="input.duplicate",
                field=duplicated[0],
                row=1,
            )
        rows = []
        for i, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                if strict:
                    raise InputError(
                        f"{p}, line {i}: {len(cells)} field(s); the header has {len(header)}.",
                        code="input.syntax",
                        row=i,
                    )
                cells = [*cells[: len(header)], *([""] * (len(header) - len(cells)))]
            rows.append((i, {k: v.strip() for k, v in zip(header, cells, strict=True) if k}))
    except csv.Error as exc:
        raise InputError(f"{p}: not a readable CSV ({exc}).", code="input.syntax") from exc
    return header, rows
