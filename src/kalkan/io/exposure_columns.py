"""The Kalkan exposure column layout, shared by the CSV, OpenQuake and GeoPackage readers and writers.

One row per asset. Columns (the CSV header; GeoPackage attribute columns; OpenQuake uses its own names,
see :mod:`kalkan.io.exposure_oq`):

========================= ======================================================================
``id``                    unique asset id, non-empty text
``lon``, ``lat``          WGS84 longitude and latitude, decimal degrees (not in GeoPackage: geometry)
``taxonomy``              GEM building taxonomy string, non-empty
``number``                buildings (or units) in the asset, >= 0, may be fractional; default 1
``cost_structural``,      replacement cost of the asset (all its buildings), >= 0, in ``currency``
``cost_nonstructural``,   of ``price_year``; at least one of them, or ``cost_total`` alone
``cost_contents``
``cost_total``            replacement value not split by component (never with the three above)
``occupants_day``,        people in the asset at that period of the day, >= 0 (optional)
``occupants_night``,
``occupants_transit``
``district``              district name or code (optional text)
``occupancy``             occupancy class, e.g. ``Res``, ``Com``, ``Ind`` (optional text)
``critical_type``         one of :data:`kalkan.core.exposure.table.CRITICAL_TYPES`, or empty
``site_id``               explicit hazard-site index, integer >= 0, in every row (optional column)
``currency``              ISO 4217 code; one value for the whole file (optional column)
``price_year``            year of the prices; one value for the whole file (optional column)
========================= ======================================================================

Any other column is kept in :attr:`Exposure.extra` under its own name: as ``float64`` when every non-empty
value is a number (empty values become NaN), else as text (empty values become ``""``). Columns named
``cost_*`` or ``occupants_*`` other than those above are refused rather than kept, because a misspelt cost
column kept as an extra would silently lose that value.

Every error is an :class:`InputError` that names the file, the row (``data row 1`` is the first row after
the header; for XML the asset; for GeoPackage the feature id), the field, the bad value and what is expected;
it carries the code, the field as the file names it and the row (data row, XML line or feature id).
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from kalkan.core.bounds import ASSET_BUILDINGS, ASSET_OCCUPANTS, ASSET_VALUE
from kalkan.core.exposure.table import COST_TYPES, CRITICAL_TYPES, OCCUPANT_PERIODS, Exposure
from kalkan.errors import InputError

Floats = NDArray[np.float64]
Strings = NDArray[np.object_]

COST_COLUMNS = {f"cost_{k}": k for k in COST_TYPES}
OCCUPANT_COLUMNS = {f"occupants_{p}": p for p in OCCUPANT_PERIODS}
TEXT_COLUMNS = ("district", "occupancy", "critical_type")
REQUIRED = ("id", "lon", "lat", "taxonomy")
RESERVED = frozenset(
    {*REQUIRED, "number", *COST_COLUMNS, *OCCUPANT_COLUMNS, *TEXT_COLUMNS, "site_id", "currency", "price_year"}
)
"""Column names with a meaning in the Kalkan layout; an extra field may not use them."""

DEFAULT_CURRENCY = "USD"
MAX_SHOWN = 60

Locate = Callable[[int], tuple[str, str]]
"""Row index (0-based, over all rows read) -> (file, place in the file such as ``data row 12``)."""
RowOf = Callable[[int], int | None]
"""Row index (0-based, over all rows read) -> the number the place names (data row, XML line, feature id)."""


@dataclass(frozen=True, slots=True)
class RawColumns:
    """Columns of one exposure source before parsing: Arrow arrays keyed by Kalkan field name.

    ``headers`` gives the name of each column in the file (for messages), ``locate`` where a row comes
    from and ``row_of`` the number of that place (for :attr:`InputError.row`). With ``infer_numbers`` (CSV,
    XML) a text extra column whose values all parse as numbers becomes numeric; without it (GeoPackage, whose
    columns are typed) an extra column keeps its declared type.
    """

    source: str
    n: int
    columns: Mapping[str, pa.Array | pa.ChunkedArray]
    headers: Mapping[str, str]
    locate: Locate
    infer_numbers: bool = True
    row_of: RowOf | None = None

    def header(self, name: str) -> str:
        return self.headers.get(name, name)

    def row(self, k: int) -> int | None:
        """The number of row ``k``'s place in the file (data row, XML line, feature id), if known."""
        return None if self.row_of is None else self.row_of(k)

    def at(self, k: int, name: str) -> str:
        """``file: data row 12, field 'cost_structural'`` for messages."""
        file, place = self.locate(k)
        return f"{file}: {place}, field '{self.header(name)}'"

    def fail(self, k: int, name: str, expected: str, *, code: str, hint: str | None = None) -> InputError:
        """The error for row ``k``'s value of column ``name`` (``code`` from :data:`kalkan.errors.CODES`)."""
        value = self.columns[name][k].as_py()
        shown = "an empty value" if value is None or value == "" else f"{shorten(value)!r}"
        return InputError(
            f"{self.at(k, name)}: got {shown}; expected {expected}.",
            hint=hint,
            code=code,
            field=self.header(name),
            row=self.row(k),
        )


def shorten(value: Any) -> Any:
    """A value as shown in a message: long text is cut to :data:`MAX_SHOWN` characters."""
    if isinstance(value, str) and len(value) > MAX_SHOWN:
        return value[: MAX_SHOWN - 3] + "..."
    return value


def row_locator(file: str, label: str = "data row") -> Locate:
    """Locate rows of a single file by their 1-based number."""
    return lambda k: (file, f"{label} {k + 1}")


def data_row(k: int) -> int:
    """The 1-based data row of row index ``k`` of a single file (the :data:`RowOf` of :func:`row_locator`)."""
    return k + 1


def check_layout_names(names: list[str], source: str) -> None:
    """Refuse empty, duplicated or unknown ``cost_*``/``occupants_*`` column names (Kalkan layout)."""
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not name.strip():
            raise InputError(
                f"{source}: column {i + 1} of the header has no name; every column needs one.", code="input.missing"
            )
        if name in seen:
            raise InputError(
                f"{source}: column '{name}' appears twice in the header; column names must be unique.",
                code="input.duplicate",
                field=name,
            )
        seen.add(name)
        if name.startswith("cost_") and name not in COST_COLUMNS:
            raise InputError(
                f"{source}: unknown cost column '{name}'; expected {', '.join(COST_COLUMNS)}.",
                hint="business interruption or other values go in a column without the 'cost_' prefix.",
                code="input.unknown",
                field=name,
            )
        if name.startswith("occupants_") and name not in OCCUPANT_COLUMNS:
            raise InputError(
                f"{source}: unknown occupants column '{name}'; expected {', '.join(OCCUPANT_COLUMNS)}.",
                code="input.unknown",
                field=name,
            )
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        raise InputError(
            f"{source}: missing column(s) {', '.join(repr(c) for c in missing)}; an exposure needs "
            f"{', '.join(REQUIRED)} and at least one of {', '.join(COST_COLUMNS)}. "
            f"Found: {', '.join(map(repr, names))}.",
            code="input.missing",
            field=missing[0],
        )
    if not any(c in seen for c in COST_COLUMNS):
        raise InputError(
            f"{source}: no replacement cost column; expected at least one of {', '.join(COST_COLUMNS)}.",
            code="input.missing",
        )


def _first_true(mask: pa.Array | pa.ChunkedArray | NDArray[np.bool_]) -> int:
    arr = mask if isinstance(mask, np.ndarray) else mask.to_numpy(zero_copy_only=False)
    return int(np.flatnonzero(arr)[0])


def _first_uncastable(arr: pa.Array, to: pa.DataType) -> int:
    """Index of the first value of ``arr`` that Arrow cannot cast to ``to`` (bisection, O(n) work)."""
    lo, hi = 0, len(arr)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            pc.cast(arr.slice(lo, mid - lo), to)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            hi = mid
        else:
            lo = mid
    return lo


def _is_text(arr: pa.Array) -> bool:
    return bool(pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type))


def to_float(raw: RawColumns, name: str, expected: str) -> pa.Array:
    """The column as an Arrow float64 array with nulls where the file has no value."""
    arr = raw.columns[name]
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.float64())
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return pc.cast(arr, pa.float64())
    if _is_text(arr):
        trimmed = pc.utf8_trim_whitespace(arr)
        try:
            return pc.cast(trimmed, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            k = _first_uncastable(trimmed, pa.float64())
            hint = "use '.' as the decimal separator and no thousands separator." if "," in str(arr[k]) else None
            raise raw.fail(k, name, expected, code="input.type", hint=hint) from None
    k = int(np.argmax(pc.is_valid(arr).to_numpy(zero_copy_only=False))) if len(arr) else 0
    raise raw.fail(k, name, expected, code="input.type")


def numbers(
    raw: RawColumns,
    name: str,
    *,
    lo: float = 0.0,
    hi: float = math.inf,
    expected: str,
    hint: str | None = None,
    allow_empty: bool = False,
) -> Floats:
    """A numeric column: every row has a finite value in [lo, hi], else an error at the first bad row
    (``input.type`` not a number, ``input.missing`` empty, ``input.range`` outside [lo, hi] or not finite).

    With ``allow_empty`` a missing value is NaN instead of an error.
    """
    values = to_float(raw, name, expected)
    if values.null_count and not allow_empty:
        raise raw.fail(_first_true(values.is_null()), name, expected, code="input.missing", hint=hint)
    out: Floats = np.ascontiguousarray(pc.fill_null(values, math.nan).to_numpy(zero_copy_only=False), dtype=np.float64)
    present = np.ones(len(out), dtype=bool)
    if values.null_count:
        present = ~np.asarray(pc.is_null(values).to_numpy(zero_copy_only=False), dtype=bool)
    bad = (~np.isfinite(out) | (out < lo) | (out > hi)) & present
    if bad.any():
        raise raw.fail(_first_true(bad), name, expected, code="input.range", hint=hint)
    return out


def texts(raw: RawColumns, name: str, *, repetitive: bool = True) -> Strings:
    """A text column as an object array of ``str``; missing values become ``""``.

    ``repetitive`` columns (taxonomy, district) are dictionary-encoded first, so each distinct string is
    converted to Python once: three times faster on a million rows.
    """
    arr = raw.columns[name]
    if _is_text(arr):
        filled = pc.fill_null(arr, "")
        if repetitive:
            encoded = pc.dictionary_encode(filled)
            if isinstance(encoded, pa.ChunkedArray):
                encoded = encoded.unify_dictionaries().combine_chunks()
            words = np.array(encoded.dictionary.to_pylist(), dtype=object)
            out: Strings = words[encoded.indices.to_numpy(zero_copy_only=False)]
            return out
        out = np.asarray(filled.to_numpy(zero_copy_only=False), dtype=object)
        return out
    values = arr.to_pylist()
    return np.array(["" if v is None else _number_text(v) for v in values], dtype=object)


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _ids(raw: RawColumns) -> Strings:
    """Asset ids: non-empty and unique; a duplicate is reported with both rows."""
    column = raw.columns["id"]
    as_text = column if _is_text(column) else pa.array(texts(raw, "id", repetitive=False), pa.string())
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(as_text), ""), True)
    if raw.n and pc.any(blank).as_py():
        raise raw.fail(_first_true(blank), "id", "a non-empty asset id", code="input.missing")
    ids = texts(raw, "id", repetitive=False)
    if len(pc.unique(as_text)) < raw.n:
        first: dict[str, int] = {}
        for k, value in enumerate(ids):
            if value in first:
                file0, place0 = raw.locate(first[value])
                file, _ = raw.locate(k)
                where0 = place0 if file0 == file else f"{file0}: {place0}"
                raise InputError(
                    f"{raw.at(k, 'id')}: asset id {shorten(value)!r} is already used at {where0}; ids must be unique.",
                    code="input.duplicate",
                    field=raw.header("id"),
                    row=raw.row(k),
                )
            first[value] = k
    return ids


def _blank(values: Strings) -> NDArray[np.bool_]:
    """True where a text value is empty or only whitespace."""
    if not len(values):
        return np.zeros(0, dtype=bool)
    mask: NDArray[np.bool_] = pc.equal(pc.utf8_trim_whitespace(pa.array(values, pa.string())), "").to_numpy(
        zero_copy_only=False
    )
    return mask


def _single_value(raw: RawColumns, name: str, values: NDArray[Any], what: str) -> Any:
    """The one value a whole-file column (currency, price year) holds; a second value is an error."""
    if not len(values):
        return None
    differs = np.flatnonzero(values != values[0])
    if differs.size:
        k = int(differs[0])
        _, place0 = raw.locate(0)
        raise InputError(
            f"{raw.at(k, name)}: got {shorten(raw.columns[name][k].as_py())!r} but {place0} has "
            f"{shorten(raw.columns[name][0].as_py())!r}; a file must use one {what} for all assets.",
            hint=f"convert the values to one {what} before reading, or split the file.",
            code="input.inconsistent",
            field=raw.header(name),
            row=raw.row(k),
        )
    return values[0].item() if isinstance(values[0], np.generic) else values[0]


def resolve_currency(raw: RawColumns, given: str | None, found: str | None, found_where: str) -> str:
    """The currency: the file's and the caller's must agree; USD when neither says."""
    if given is not None and not given.strip():
        raise InputError(
            f"{raw.source}: the currency given is empty; expected an ISO 4217 code such as USD.",
            code="input.missing",
            field="currency",
        )
    if found is not None and given is not None and found != given:
        raise InputError(
            f"{raw.source}: {found_where} says the costs are in {found!r}, but {given!r} was given; "
            "Kalkan does not convert currencies.",
            hint="leave the currency option out to use the file's, or convert the file.",
            code="input.inconsistent",
            field="currency",
        )
    return found or given or DEFAULT_CURRENCY


def resolve_price_year(raw: RawColumns, given: int | None, found: int | None, found_where: str) -> int | None:
    if found is not None and given is not None and found != given:
        raise InputError(
            f"{raw.source}: {found_where} says prices are of {found}, but {given} was given; Kalkan does not "
            "index prices between years.",
            code="input.inconsistent",
            field="price_year",
        )
    return found if found is not None else given


def _extra(raw: RawColumns, name: str) -> NDArray[Any]:
    arr = raw.columns[name]
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_boolean(arr.type):
        out: NDArray[Any] = pc.fill_null(pc.cast(arr, pa.float64()), math.nan).to_numpy(zero_copy_only=False)
        return out
    if raw.infer_numbers and _is_text(arr) and arr.null_count < len(arr):
        try:
            as_float = pc.cast(pc.utf8_trim_whitespace(arr), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return texts(raw, name)
        numeric: NDArray[Any] = pc.fill_null(as_float, math.nan).to_numpy(zero_copy_only=False)
        return numeric
    return texts(raw, name)


def build_exposure(raw: RawColumns, *, currency: str | None = None, price_year: int | None = None) -> Exposure:
    """Parse and check every column, then construct the :class:`Exposure` (source = the file)."""
    cols = raw.columns
    if "total" in {COST_COLUMNS[c] for c in cols if c in COST_COLUMNS} and sum(c in COST_COLUMNS for c in cols) > 1:
        others = sorted(c for c in cols if c in COST_COLUMNS and c != "cost_total")
        raise InputError(
            f"{raw.source}: a total replacement value ('{raw.header('cost_total')}') cannot be combined with "
            f"{', '.join(raw.header(c) for c in others)}: the same value would be counted twice.",
            code="input.inconsistent",
            field=raw.header("cost_total"),
        )
    ids = _ids(raw)
    crs_hint = (
        "coordinates must be WGS84 longitude/latitude in decimal degrees (EPSG:4326); values outside the range "
        "usually mean projected coordinates (for example UTM metres) or swapped lon/lat columns: reproject "
        "the file to EPSG:4326."
    )
    lon = numbers(
        raw, "lon", lo=-180, hi=180, expected="a WGS84 longitude in degrees within [-180, 180]", hint=crs_hint
    )
    lat = numbers(raw, "lat", lo=-90, hi=90, expected="a WGS84 latitude in degrees within [-90, 90]", hint=crs_hint)
    taxonomy = texts(raw, "taxonomy")
    blank = np.flatnonzero(taxonomy == "")
    if blank.size:
        raise raw.fail(
            int(blank[0]),
            "taxonomy",
            "a GEM building taxonomy string, e.g. 'CR+CIP/LFINF+CDL/HBET:1-3'",
            code="input.missing",
        )
    costs = {
        kind: numbers(
            raw,
            col,
            hi=ASSET_VALUE.hi,
            expected=f"a finite replacement cost >= 0 and <= {ASSET_VALUE.hi:g} (per asset)",
        )
        for col, kind in COST_COLUMNS.items()
        if col in cols
    }
    occupants = {
        period: numbers(
            raw, col, hi=ASSET_OCCUPANTS.hi, expected=f"a finite number of people >= 0 and <= {ASSET_OCCUPANTS.hi:g}"
        )
        for col, period in OCCUPANT_COLUMNS.items()
        if col in cols
    }
    number = (
        numbers(raw, "number", hi=ASSET_BUILDINGS.hi,
                expected=f"a finite number of buildings >= 0 and <= {ASSET_BUILDINGS.hi:g}")
        if "number" in cols
        else None
    )  # fmt: skip
    text = {name: texts(raw, name) if name in cols else None for name in TEXT_COLUMNS}
    critical = text["critical_type"]
    if critical is not None:
        unknown = np.flatnonzero(~np.isin(critical, [*CRITICAL_TYPES, ""]))
        if unknown.size:
            raise raw.fail(
                int(unknown[0]), "critical_type", f"empty or one of {', '.join(CRITICAL_TYPES)}", code="input.unknown"
            )
    site_id = None
    if "site_id" in cols:
        sites = numbers(raw, "site_id", hi=2.0**53 - 1, expected="a hazard-site index: an integer >= 0")
        fraction = np.flatnonzero(sites != np.floor(sites))
        if fraction.size:
            raise raw.fail(int(fraction[0]), "site_id", "a hazard-site index: an integer >= 0", code="input.type")
        site_id = sites.astype(np.int64)
    found_currency = None
    if "currency" in cols:
        values = texts(raw, "currency")
        blank = np.flatnonzero(_blank(values))
        if blank.size:
            raise raw.fail(int(blank[0]), "currency", "an ISO 4217 currency code such as USD", code="input.missing")
        found_currency = _single_value(raw, "currency", values, "currency")
    found_year = None
    if "price_year" in cols:
        years = numbers(raw, "price_year", lo=1800, hi=2200, expected="the year of the prices, e.g. 2021")
        fraction = np.flatnonzero(years != np.floor(years))
        if fraction.size:
            raise raw.fail(int(fraction[0]), "price_year", "the year of the prices, e.g. 2021", code="input.type")
        value = _single_value(raw, "price_year", years, "price year")
        found_year = None if value is None else int(value)
    extra = {name: _extra(raw, name) for name in cols if name not in RESERVED}
    return Exposure(
        id=ids,
        lon=lon,
        lat=lat,
        taxonomy=taxonomy,
        costs=costs,
        number=number,
        occupants=occupants,
        district=text["district"],
        occupancy=text["occupancy"],
        critical_type=critical,
        site_id=site_id,
        extra=extra,
        currency=resolve_currency(raw, currency, found_currency, f"column '{raw.header('currency')}'"),
        price_year=resolve_price_year(raw, price_year, found_year, f"column '{raw.header('price_year')}'"),
        source=raw.source,
    )


def check_extra_names(exposure: Exposure, target: str, *, also_reserved: frozenset[str] = frozenset()) -> None:
    """Refuse extra field names that a reader would take for a Kalkan (or format-specific) column."""
    for name in exposure.extra:
        if not name.strip() or name in RESERVED or name in also_reserved or name.startswith(("cost_", "occupants_")):
            raise InputError(
                f"{target}: the extra field {name!r} cannot be written: its name is empty or is used by the "
                "exposure layout (or starts with 'cost_' or 'occupants_'); rename it.",
                code="input.unsupported",
                field=name,
            )


def layout_columns(exposure: Exposure) -> dict[str, NDArray[Any]]:
    """The Exposure as ordered columns of the Kalkan layout (without currency and price year)."""
    cols: dict[str, NDArray[Any]] = {
        "id": exposure.id,
        "lon": exposure.lon,
        "lat": exposure.lat,
        "taxonomy": exposure.taxonomy,
    }
    if exposure.number is not None:
        cols["number"] = exposure.number
    for col, kind in COST_COLUMNS.items():
        if kind in exposure.costs:
            cols[col] = exposure.costs[kind]
    for col, period in OCCUPANT_COLUMNS.items():
        if period in exposure.occupants:
            cols[col] = exposure.occupants[period]
    for name in TEXT_COLUMNS:
        value = getattr(exposure, name)
        if value is not None:
            cols[name] = value
    if exposure.site_id is not None:
        cols["site_id"] = exposure.site_id
    return cols


def extra_to_arrow(values: NDArray[Any]) -> pa.Array:
    """An extra field as an Arrow array: numbers stay numbers (NaN is written `nan`), anything else text."""
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return pa.array(arr.astype(np.int8))
    if arr.dtype.kind in "iu":
        return pa.array(arr)
    if arr.dtype.kind == "f":
        return pa.array(arr.astype(np.float64))
    return pa.array(["" if v is None else str(v) for v in arr.tolist()], pa.string())


def require_file(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path if it is an existing file; otherwise an InputError saying which it is not."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found.", code="input.not_found")
    if not path.is_file():
        raise InputError(f"{path}: not a file.", code="input.unreadable")
    return path


@contextmanager
def atomic_target(path: str | os.PathLike[str], what: str = "file") -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` only if the block succeeds.

    A failed write therefore leaves the old file (or nothing) in place, never half a file.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(
            f"{target}: cannot write the {what}: directory {directory} does not exist.", code="input.not_found"
        )
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
