"""The plain-file case format: feed the engine without Kalkan's database (documented in docs/case-format.md).

A case is a folder with
- ``hazard.npz``: CSR events x sites intensity (``data``, ``indices``, ``indptr``, ``shape``),
  ``frequency`` (events per year), ``event_id``, ``centroid_lon``/``centroid_lat`` (WGS84 degrees),
  ``haz_type`` (EQ: PGA in g; FL: flood depth in m) and ``units``;
- ``exposures.csv``: ``id,lon,lat,value`` (value: replacement value in US dollars);
- ``impact_function.csv``: ``intensity,mdd,paa,mdr`` with mdr(x) = interp(x, intensity, mdd) x
  interp(x, intensity, paa), numpy.interp semantics (clamped at both ends);
- optionally ``assignment.csv``: ``id,centroid`` (0-based site per asset; -1 = none).

This is the layout ``climada_bench.py --save`` writes (its ``manifest.json`` defines every field).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray
from pyarrow import csv

from kalkan.core.bounds import ASSET_VALUE, INTENSITY_MAX_BY_UNIT
from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.vulnerability.functions import VulnerabilityFunction, VulnerabilitySet
from kalkan.errors import InputError
from kalkan.io.exposure_csv import non_utf8_line
from kalkan.io.hazard import load_case_hazard
from kalkan.io.hazard_stream import CaseHazardStream

ARROW_COLUMN = re.compile(r"In CSV column #(\d+)")
"""Where Arrow's conversion errors name the column (0-based, in the file's order)."""


@dataclass(frozen=True, slots=True)
class Case:
    """The inputs of a plain-file case; ``assignment`` is None when the folder has no assignment.csv.
    ``hazard`` is a stream (event chunks read on demand) when the case was read with ``stream=True``."""

    hazard: HazardSet | CaseHazardStream
    exposure: Exposure
    vulnerability: VulnerabilitySet
    assignment: NDArray[np.int64] | None


def _read_csv(path: Path, columns: dict[str, str], optional: tuple[str, ...] = ()) -> dict[str, NDArray[np.generic]]:
    """Read the named columns with pyarrow (fast on millions of rows); errors name file, row and field."""
    if not path.is_file():
        raise InputError(f"{path}: file not found.", code="input.not_found")
    names = _check_header(path, columns, optional)
    types = {name: {"int": pa.int64(), "float": pa.float64(), "str": pa.string()}[t] for name, t in columns.items()}
    try:
        table = csv.read_csv(
            path,
            read_options=csv.ReadOptions(block_size=4 << 20),  # small blocks: lower peak memory, same speed
            convert_options=csv.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        found = ARROW_COLUMN.search(str(exc))
        index = int(found.group(1)) if found else -1
        raise InputError(
            f"{path}: {_arrow_message(str(exc), columns)}",
            code="input.type" if "conversion error" in str(exc) else "input.syntax",
            field=names[index] if 0 <= index < len(names) else None,
        ) from exc
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; expected header {','.join(columns)}.",
            code="input.missing",
            field=missing[0],
        )
    out: dict[str, NDArray[np.generic]] = {}
    for name, kind in columns.items():
        col = table.column(name)
        if col.null_count:
            row = int(np.flatnonzero(np.asarray(col.is_null()))[0]) + 1
            raise InputError(
                f"{path}, data row {row}, field '{name}': empty; expected a {kind} value.",
                code="input.missing",
                field=name,
                row=row,
            )
        out[name] = np.asarray(col.to_numpy(zero_copy_only=False))
    del table, col
    pa.default_memory_pool().release_unused()  # give Arrow's buffers back now: peak memory is a benchmark figure
    return out


def _check_header(path: Path, columns: dict[str, str], optional: tuple[str, ...] = ()) -> list[str]:
    """The names of the header, once the file is known to be UTF-8 text without NUL bytes whose header names
    the expected columns (any order) and perhaps some ``optional`` ones the format defines but Kalkan does not
    need; any other is refused."""
    try:
        line = non_utf8_line(path)
        with path.open("rb") as fh:
            first = fh.readline(1 << 20)
            has_nul = b"\x00" in first or any(b"\x00" in chunk for chunk in iter(lambda: fh.read(1 << 22), b""))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror or exc}).", code="input.unreadable") from exc
    if line:
        raise InputError(
            f"{path}: line {line} is not valid UTF-8 text; save the file as UTF-8.", code="input.encoding", row=line
        )
    if has_nul:
        raise InputError(
            f"{path}: the file holds NUL bytes; expected CSV text, not a binary file.", code="input.encoding"
        )
    names = [n.strip() for n in first.decode("utf-8-sig").rstrip("\r\n").split(",")] if first.strip() else []
    if not names:
        raise InputError(
            f"{path}: the file is empty; expected the header {','.join(columns)} and data rows.", code="input.empty"
        )
    duplicated = sorted({n for n in names if names.count(n) > 1})
    unknown = [n for n in names if n not in columns and n not in optional]
    if duplicated or unknown:
        what = f"column(s) {', '.join(map(repr, duplicated))} appear twice" if duplicated else (
            f"unknown column(s) {', '.join(map(repr, unknown))}")  # fmt: skip
        raise InputError(
            f"{path}: {what}; expected the header {','.join([*columns, *optional])}.",
            code="input.duplicate" if duplicated else "input.unknown",
            field=duplicated[0] if duplicated else unknown[0],
            row=1,
        )
    return names


def _arrow_message(message: str, columns: dict[str, str]) -> str:
    # pyarrow says e.g. "In CSV column #3: Row #12: CSV conversion error to double: invalid value 'abc'".
    text = message.replace("\n", " ")
    expected = ", ".join(f"{k} ({v})" for k, v in columns.items())
    return f"{text}. Expected columns {expected}."


def _check_nonnegative_finite(
    path: Path, name: str, values: NDArray[np.float64], unit: str, hi: float = math.inf
) -> None:
    bad = ~np.isfinite(values) | (values < 0) | (values > hi)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        most = f", at most {hi:g}" if math.isfinite(hi) else ""
        raise InputError(
            f"{path}, data row {row}, field '{name}': {float(values[row - 1])}; expected a finite number >= 0 "
            f"({unit}){most}.",
            code="input.range",
            field=name,
            row=row,
        )


def read_impact_function(path: Path, *, imt: str, unit: str) -> VulnerabilityFunction:
    """The case's impact function as a clamped (numpy.interp) function of the hazard's intensity measure."""
    cols = _read_csv(path, {"intensity": "float", "mdd": "float", "paa": "float"}, ("mdr",))
    x = cols["intensity"].astype(np.float64)
    if x.size < 2:
        raise InputError(
            f"{path}: {x.size} intensity level(s); an impact function needs at least two rows.",
            code="input.empty",
            field="intensity",
        )
    _check_nonnegative_finite(path, "intensity", x, unit, INTENSITY_MAX_BY_UNIT.get(unit, math.inf))
    if x.size >= 2 and np.any(np.diff(x) <= 0):
        row = int(np.flatnonzero(np.diff(x) <= 0)[0]) + 2
        raise InputError(
            f"{path}, data row {row}, field 'intensity': intensities must increase strictly.",
            code="input.inconsistent",
            field="intensity",
            row=row,
        )
    for name in ("mdd", "paa"):
        v = cols[name].astype(np.float64)
        bad = ~np.isfinite(v) | (v < 0) | (v > 1)
        if bad.any():
            row = int(np.flatnonzero(bad)[0]) + 1
            raise InputError(
                f"{path}, data row {row}, field '{name}': {float(v[row - 1])}; expected a ratio in [0, 1].",
                code="input.range",
                field=name,
                row=row,
            )
    return VulnerabilityFunction(
        id="1",
        imt=imt,
        unit=unit,
        intensity=x,
        mean_lr=cols["mdd"].astype(np.float64),
        paa=cols["paa"].astype(np.float64),
        below_first="clamp",
        loss_type="total",
        source=str(path),
    )


def read_case(folder: Path, *, stream: bool = False) -> Case:
    """Read and validate a case folder (see the module docstring)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder; a case is a folder with hazard.npz, exposures.csv and "
                         "impact_function.csv.", code="input.not_found")  # fmt: skip
    hazard = CaseHazardStream(folder / "hazard.npz") if stream else load_case_hazard(folder / "hazard.npz")
    path = folder / "exposures.csv"
    cols = _read_csv(path, {"id": "str", "lon": "float", "lat": "float", "value": "float"})
    value = cols["value"].astype(np.float64)
    _check_nonnegative_finite(path, "value", value, "USD", ASSET_VALUE.hi)
    if value.size == 0:
        raise InputError(f"{path}: no assets (the file has no data rows).", code="input.empty")
    exposure = Exposure(
        id=cols["id"].astype(object),
        lon=cols["lon"].astype(np.float64),
        lat=cols["lat"].astype(np.float64),
        taxonomy=np.full(value.size, "*", dtype=object),
        costs={"total": value},
        currency="USD",
        source=str(path),
    )
    function = read_impact_function(folder / "impact_function.csv", imt=hazard.imt, unit=hazard.unit)
    assignment = None
    apath = folder / "assignment.csv"
    if apath.exists():
        acols = _read_csv(apath, {"id": "str", "centroid": "int"})
        if acols["id"].shape != exposure.id.shape or not bool(np.all(acols["id"] == exposure.id)):
            raise InputError(
                f"{apath}: the ids must be those of exposures.csv, in the same order "
                f"({acols['id'].size} rows here, {exposure.n_assets} assets there).",
                code="input.inconsistent",
                field="id",
            )
        assignment = acols["centroid"].astype(np.int64)
    return Case(hazard, exposure, VulnerabilitySet.single(function), assignment)
