"""Read the IPCC AR6 WGI Atlas regional CMIP6 series (long CSV: model, member, experiment, date, region, value).

The files are those of ``data/climate/ar6_regional/`` (Iturbide et al. 2020, ESSD 12, 2959–2988,
doi:10.5194/essd-12-2959-2020; CC BY 4.0): monthly regional means, tas in °C and pr in mm/day, one run per
model. Reading uses pyarrow (the 55 MB unzipped tas file parses in well under a second) and keeps only the
needed columns and regions. Every error names the file, the data row (1-based, header = line 1) and the field.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from kalkan.catalog.files import AR6_PR_FILE, AR6_TAS_FILE, shipped_path
from kalkan.core.climate.regional_cube import MonthlyCube
from kalkan.core.climate.scenarios import TasTable, tas_table_from_cube
from kalkan.errors import InputError

COLUMNS = ("model", "member", "experiment", "date", "region", "value")
EXPERIMENTS = ("historical", "ssp126", "ssp245", "ssp370", "ssp585")
FIRST_YEAR = 1850
LAST_YEAR = 2100
_DATE = r"^\d{4}-(0[1-9]|1[0-2])$"


def _fail(path: Path, index: int, field: str, message: str, code: str) -> InputError:
    return InputError(
        f"{path}, data row {index + 1} (line {index + 2}), field '{field}': {message}",
        code=code,
        field=field,
        row=index + 1,
    )


def read_monthly_cube(path: Path, *, regions: tuple[str, ...] | None = None) -> MonthlyCube:
    """Read one AR6 regional CSV (plain or .gz) into a :class:`MonthlyCube`, keeping only ``regions`` if given.

    Checks the header, the ``YYYY-MM`` dates (1850-01 to 2100-12), the experiment names, that values are
    finite numbers and that no (model, experiment, region, month) appears twice.
    """
    if not path.is_file():
        raise InputError(f"{path}: file not found.", code="input.not_found")
    try:
        with pa_csv.open_csv(path) as reader:
            header = reader.schema.names
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: cannot read as CSV ({exc}).", code="input.syntax") from exc
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(
            f"{path}: header lacks column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}.",
            code="input.missing",
            field=missing[0],
        )
    types = {c: pa.string() for c in COLUMNS if c != "value"}
    try:
        table = pa_csv.read_csv(
            path,
            convert_options=pa_csv.ConvertOptions(
                include_columns=list(COLUMNS), column_types={**types, "value": pa.float64()}
            ),
        )
    except pa.ArrowInvalid as exc:
        raise InputError(
            f"{path}: a value is not a number or a row is malformed ({exc}).", code="input.syntax"
        ) from exc
    if regions is not None:
        table = table.filter(pc.is_in(table["region"], value_set=pa.array(regions)))
    if table.num_rows == 0:
        raise InputError(
            f"{path}: no data rows" + (f" for region(s) {', '.join(regions)}." if regions else "."), code="input.empty"
        )

    for name in ("model", "member", "experiment", "region"):
        bad = pc.or_(pc.is_null(table[name]), pc.equal(pc.utf8_length(table[name]), 0))
        if pc.any(bad).as_py():
            raise _fail(path, _first(bad), name, "empty.", "input.missing")
    dates = table["date"]
    ok = pc.fill_null(pc.match_substring_regex(dates, _DATE), False)
    if not pc.all(ok).as_py():
        i = _first(pc.invert(ok))
        raise _fail(path, i, "date", f"expected YYYY-MM, got {dates[i].as_py()!r}.", "input.type")
    year = pc.cast(pc.utf8_slice_codeunits(dates, 0, 4), pa.int32()).to_numpy()
    month = pc.cast(pc.utf8_slice_codeunits(dates, 5, 7), pa.int32()).to_numpy()
    out_of_range = (year < FIRST_YEAR) | (year > LAST_YEAR)
    if out_of_range.any():
        i = int(np.argmax(out_of_range))
        raise _fail(path, i, "date", f"year {year[i]} is outside {FIRST_YEAR}-{LAST_YEAR}.", "input.range")
    values = table["value"].to_numpy(zero_copy_only=False)
    not_finite = ~np.isfinite(values)
    if not_finite.any():
        raise _fail(path, int(np.argmax(not_finite)), "value", "missing or not a finite number.", "input.range")

    model_codes, models = _encode(table["model"])
    exp_known = pa.array(EXPERIMENTS)
    exp_index = pc.index_in(table["experiment"], value_set=exp_known)
    if pc.any(pc.is_null(exp_index)).as_py():
        i = _first(pc.is_null(exp_index))
        raise _fail(
            path,
            i,
            "experiment",
            f"{table['experiment'][i].as_py()!r} is not one of {', '.join(EXPERIMENTS)}.",
            "input.unknown",
        )
    exp_codes = exp_index.to_numpy(zero_copy_only=False).astype(np.intp)
    region_codes, found_regions = _encode(table["region"])

    shape = (len(models), len(EXPERIMENTS), len(found_regions), LAST_YEAR - FIRST_YEAR + 1, 12)
    flat = np.ravel_multi_index((model_codes, exp_codes, region_codes, year - FIRST_YEAR, month - 1), shape)
    counts = np.bincount(flat, minlength=int(np.prod(shape)))
    if (counts > 1).any():
        dup = int(np.flatnonzero(counts[flat] > 1)[1])
        raise _fail(path, dup, "date", "this model, experiment, region and month appear twice.", "input.duplicate")
    cube = np.full(int(np.prod(shape)), np.nan)
    cube[flat] = values

    member_col = table["member"].to_numpy(zero_copy_only=False)
    members = [[""] * len(EXPERIMENTS) for _ in models]
    pair_first = np.unique(model_codes * len(EXPERIMENTS) + exp_codes, return_index=True)
    for pair, i in zip(pair_first[0].tolist(), pair_first[1].tolist(), strict=True):
        members[pair // len(EXPERIMENTS)][pair % len(EXPERIMENTS)] = str(member_col[i])
    return MonthlyCube(
        path=str(path),
        models=models,
        experiments=EXPERIMENTS,
        regions=found_regions,
        first_year=FIRST_YEAR,
        members=tuple(tuple(m) for m in members),
        values=cube.reshape(shape),
    )


def _first(mask: pa.ChunkedArray | pa.Array) -> int:
    """Index of the first true value of a boolean arrow array."""
    arr = np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)
    return int(np.argmax(arr))


def _encode(column: pa.ChunkedArray) -> tuple[npt.NDArray[np.intp], tuple[str, ...]]:
    """Integer codes of a text column and its distinct values, in order of first appearance."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    return codes, tuple(str(v) for v in encoded.dictionary.to_pylist())


@lru_cache(maxsize=4)
def load_tas_table(path: str | None = None) -> TasTable:
    """The shipped AR6 tas table (or the file at ``path``), read and derived once per process (~1–2 s).

    Cached in memory only: nothing is written anywhere.
    """
    return tas_table_from_cube(read_monthly_cube(Path(path) if path else shipped_path(AR6_TAS_FILE)))


@lru_cache(maxsize=1)
def load_pr_cube() -> MonthlyCube:
    """The shipped AR6 precipitation sample (one model, mm/day), read once per process."""
    return read_monthly_cube(shipped_path(AR6_PR_FILE))
