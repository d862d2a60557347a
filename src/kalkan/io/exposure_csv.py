"""Read and write the Kalkan exposure CSV: one row per asset, columns of :mod:`kalkan.io.exposure_columns`.

Example (UTF-8, comma-separated, header first; ``.`` as decimal separator)::

    id,lon,lat,taxonomy,number,cost_structural,cost_nonstructural,cost_contents,occupants_night,district
    b1,74.59,42.87,CR+CIP/LFINF+CDL/HBET:1-3/RES,2,310000,465000,155000,12,Oktyabrsky

Money is in ``currency`` (the reader's ``currency`` argument, or a ``currency`` column holding one value;
US dollars when neither is given) of ``price_year``. The reader uses :mod:`pyarrow.csv` (multi-threaded; a
million assets read in about a second) and reads every column as text first, so that a bad value is
reported with its row and column instead of Arrow's generic conversion error. Nothing is dropped: a row
with too many or too few fields is an error, not a skipped row. Blank lines are ignored and not counted.
"""

from __future__ import annotations

import csv
import mmap
import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from kalkan.core.exposure.table import Exposure
from kalkan.errors import InputError
from kalkan.io.exposure_columns import (
    RawColumns,
    atomic_target,
    build_exposure,
    check_extra_names,
    check_layout_names,
    data_row,
    extra_to_arrow,
    layout_columns,
    require_file,
    row_locator,
)

__all__ = [
    "non_utf8_line",
    "nul_line",
    "read_csv_text_table",
    "read_exposure_csv",
    "write_arrow_csv",
    "write_exposure_csv",
]


def _bad_row(path: Path, n_columns: int) -> tuple[int, int] | None:
    """(data row, fields) of the first record whose field count differs from the header (slow path)."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        records = (r for r in csv.reader(handle) if r)
        try:
            next(records, None)
            for k, record in enumerate(records, start=1):
                if len(record) != n_columns:
                    return k, len(record)
        except csv.Error:
            return None
    return None


def non_utf8_line(path: Path) -> int | None:
    """The line (1-based) of the first byte that is not UTF-8, if any.

    Checked before parsing (Arrow's SIMD validation over a memory map: under 0.1 s for 250 MB) because
    Arrow's handler for malformed rows cannot receive rows that are not UTF-8.
    """
    with pa.memory_map(str(path)) as mapped:
        data = mapped.read_buffer()
        offsets = pa.array([0, data.size], pa.int64()).buffers()[1]
        try:
            pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, data]).cast(pa.large_string())
        except pa.ArrowInvalid:
            pass
        else:
            return None
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return raw.count(b"\n", 0, exc.start) + 1
    return None


def nul_line(path: Path) -> int | None:
    """The line (1-based) of the first NUL byte, if any: a binary file given as CSV, which Arrow would read as
    text with NULs in its values. A C-speed search over a memory map (no copy of the file)."""
    if path.stat().st_size == 0:
        return None
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        at = data.find(b"\x00")
        return None if at < 0 else data[:at].count(b"\n") + 1


def read_csv_text_table(path: str | os.PathLike[str], what: str = "exposure CSV") -> pa.Table:
    """Read a CSV file with every column as text (empty unquoted fields as nulls).

    Errors name the file and, for a row with the wrong number of fields or bytes that are not UTF-8, the
    data row or line.
    """
    path = Path(path)
    require_file(path)
    try:
        line = non_utf8_line(path)
        nul = None if line else nul_line(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc}).", code="input.unreadable") from exc
    if line:
        raise InputError(
            f"{path}: line {line} is not valid UTF-8 text; save the {what} as UTF-8.", code="input.encoding", row=line
        )
    if nul:
        raise InputError(
            f"{path}: line {nul} holds a NUL byte; expected a {what} (text), not a binary file.",
            code="input.encoding",
            row=nul,
        )
    parse = pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=lambda _: "skip")
    try:
        with pacsv.open_csv(path, parse_options=parse) as reader:
            names = list(reader.schema.names)
    except (pa.ArrowException, OSError, ValueError) as exc:
        if "Empty CSV file" in str(exc):
            raise InputError(
                f"{path}: the file is empty; expected a header line and one row per asset.", code="input.empty"
            ) from exc
        raise InputError(f"{path}: cannot read the header of the {what} ({exc}).", code="input.syntax") from exc
    if len(set(names)) < len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(
            f"{path}: column '{dup}' appears twice in the header; column names must be unique.",
            code="input.duplicate",
            field=dup,
            row=1,
        )
    invalid: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(int(row.actual_columns))
        return "skip"

    parse = pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid)
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()),
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    try:
        table = pacsv.read_csv(path, parse_options=parse, convert_options=convert)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot parse the {what} ({exc}).", code="input.syntax") from exc
    if invalid:
        found = _bad_row(path, len(names))
        row, fields = found if found else (None, invalid[0])
        where = f"data row {row}" if row else "a row"
        raise InputError(
            f"{path}: {where} has {fields} field(s) but the header has {len(names)}; every row needs one value "
            "per column (quote values that contain commas).",
            code="input.syntax",
            row=row,
        )
    if table.column_names != names:
        raise InputError(f"{path}: the header could not be read consistently; check its quoting.", code="input.syntax")
    return table


def read_exposure_csv(
    path: str | os.PathLike[str], *, currency: str | None = None, price_year: int | None = None
) -> Exposure:
    """Read a Kalkan exposure CSV; ``currency``/``price_year`` say what the costs are in (default USD, None)."""
    path = Path(path)
    table = read_csv_text_table(path)
    names = table.column_names
    check_layout_names(names, str(path))
    raw = RawColumns(
        source=str(path),
        n=table.num_rows,
        columns={name: table.column(name) for name in names},
        headers={},
        locate=row_locator(str(path)),
        row_of=data_row,
    )
    return build_exposure(raw, currency=currency, price_year=price_year)


def write_arrow_csv(table: pa.Table, path: str | os.PathLike[str], what: str = "exposure CSV") -> Path:
    """Write an Arrow table as UTF-8 CSV, atomically (temporary file, then rename)."""
    target = Path(path)
    awkward = [name for name in table.column_names if any(c in name for c in ',"\r\n') or name != name.strip()]
    if awkward:
        raise InputError(
            f"{target}: column names {awkward} cannot be written unquoted in a CSV header.",
            code="input.unsupported",
            field=awkward[0],
        )
    # An unquoted header: OpenQuake's CSV reader takes quoted header names literally (quotes included).
    options = pacsv.WriteOptions(quoting_style="needed", quoting_header="none")
    with atomic_target(target, what) as tmp:
        try:
            pacsv.write_csv(table, tmp, write_options=options)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{target}: cannot write the {what} ({exc}).", code="output.unwritable") from exc
    return target


def exposure_table(exposure: Exposure, target: str) -> pa.Table:
    """The Exposure as an Arrow table in the Kalkan layout, with ``currency`` and ``price_year`` columns."""
    check_extra_names(exposure, target)
    arrays: dict[str, pa.Array] = {}
    for name, values in layout_columns(exposure).items():
        arrays[name] = pa.array(values, pa.string()) if values.dtype == object else pa.array(values)
    n = len(exposure)
    arrays["currency"] = pa.array(np.full(n, exposure.currency, dtype=object), pa.string())
    if exposure.price_year is not None:
        arrays["price_year"] = pa.array(np.full(n, exposure.price_year, dtype=np.int64))
    for name, values in exposure.extra.items():
        arrays[name] = extra_to_arrow(values)
    return pa.table(arrays)


def write_exposure_csv(exposure: Exposure, path: str | os.PathLike[str]) -> Path:
    """Write ``exposure`` as a Kalkan exposure CSV that :func:`read_exposure_csv` reads back unchanged.

    Extra text fields whose values all look like numbers are read back as numbers (CSV has no types).
    """
    return write_arrow_csv(exposure_table(exposure, str(path)), path)
