"""Read OpenQuake ground-motion verification tables (the CSVs of openquake/hazardlib/tests/gsim/data).

Columns: ``rup_*`` rupture parameters, ``dist_*`` distances (km), ``site_*`` site parameters
(``site_z1pt0`` in m, ``site_z2pt5`` in km), ``result_type`` (MEAN, TOTAL_STDDEV, INTER_EVENT_STDDEV,
INTRA_EVENT_STDDEV), ``damping`` (5 %), then one column per IMT: ``pga``, ``pgv`` or a period in seconds.
MEAN values are linear (g, cm/s); standard deviations are in natural-log units.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kalkan.core.bounds import DEPTH_KM, MAGNITUDE, VS30
from kalkan.core.hazard.earthquake.gmpe.base import Context
from kalkan.errors import InputError
from kalkan.io.text import read_text_file

RESULT_TYPES = ("MEAN", "TOTAL_STDDEV", "INTER_EVENT_STDDEV", "INTRA_EVENT_STDDEV")
_ALIASES = {"TOTAL": "TOTAL_STDDEV", "INTER_EVENT": "INTER_EVENT_STDDEV", "INTRA_EVENT": "INTRA_EVENT_STDDEV"}
_CONTEXT = {
    "rup_mag": "mag", "rup_rake": "rake", "rup_dip": "dip", "rup_ztor": "ztor", "rup_hypo_depth": "hypo_depth",
    "rup_width": "width", "dist_rrup": "rrup", "dist_rjb": "rjb", "dist_rx": "rx", "dist_ry0": "ry0",
    "dist_rhypo": "rhypo", "site_vs30": "vs30", "site_vs30measured": "vs30measured", "site_z1pt0": "z1pt0",
    "site_z2pt5": "z2pt5",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class VerificationTable:
    """Rows of one table: their context, result type, and expected values per IMT column."""

    path: Path
    context: Context
    result_type: NDArray[np.str_]
    imts: tuple[str, ...]
    expected: NDArray[np.float64]  # rows x imts
    unused_columns: tuple[str, ...]


def _imt_name(column: str) -> str:
    c = column.strip().lower()
    if c in ("pga", "pgv"):
        return c.upper()
    try:
        period = float(c)
    except ValueError as exc:
        raise InputError(
            f"column {column!r} is neither a parameter nor an IMT (pga, pgv, period in s).",
            code="input.unknown",
            field=column,
        ) from exc
    return f"SA({period:g})" if period != int(period) else f"SA({period:.1f})"


_RANGES = {
    "mag": (MAGNITUDE.lo, MAGNITUDE.hi), "rake": (-180.0, 180.0), "dip": (0.0, 90.0), "ztor": (0.0, DEPTH_KM.hi),
    "hypo_depth": (0.0, DEPTH_KM.hi), "width": (0.0, 1000.0), "rrup": (0.0, 20_000.0), "rjb": (0.0, 20_000.0),
    "rx": (-20_000.0, 20_000.0), "ry0": (0.0, 20_000.0), "rhypo": (0.0, 20_000.0), "vs30": (VS30.lo, VS30.hi),
    "vs30measured": (0.0, 1.0), "z1pt0": (0.0, 10_000.0), "z2pt5": (0.0, 20.0),
}  # fmt: skip
"""Plausible values of each context field (units of the module docstring); see :mod:`kalkan.core.bounds`."""


def read_table(path: Path) -> VerificationTable:
    """Read a verification table; unknown parameter columns are reported, not silently ignored. Every value
    must be a finite number within its plausible range; errors name the file, line and column."""
    path = Path(path)
    text = read_text_file(path, "verification table CSV")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(f"{path}: not a readable CSV ({exc}).", code="input.syntax") from exc
    if len(rows) < 2 or not any(any(c.strip() for c in r) for r in rows[1:]):
        raise InputError(f"{path}: no data rows.", code="input.empty")
    header = [h.strip() for h in rows[0]]
    if "result_type" not in header:
        raise InputError(
            f"{path}: no 'result_type' column; not an OpenQuake verification table.",
            code="input.missing",
            field="result_type",
            row=1,
        )
    named = [h for h in header if h]
    duplicated = sorted({h for h in named if named.count(h) > 1})
    if duplicated:
        raise InputError(
            f"{path}: column(s) {', '.join(map(repr, duplicated))} appear twice in the header.",
            code="input.duplicate",
            field=duplicated[0],
            row=1,
        )
    params, imt_cols, unused = {}, [], []
    for j, name in enumerate(header):
        if name in _CONTEXT:
            params[_CONTEXT[name]] = j
        elif name in ("result_type", "damping") or name == "" or name.startswith("Unnamed:"):
            continue  # empty trailing columns are artefacts of spreadsheet/pandas exports
        elif name.startswith(("rup_", "dist_", "site_")):
            unused.append(name)
        else:
            imt_cols.append(j)
    if "mag" not in params:
        raise InputError(
            f"{path}: no 'rup_mag' column; every row needs the rupture's magnitude.",
            code="input.missing",
            field="rup_mag",
            row=1,
        )
    try:
        imts = tuple(_imt_name(header[j]) for j in imt_cols)
    except InputError as exc:
        raise InputError(f"{path}: {exc}", code=exc.code, field=exc.field, row=1) from exc
    if not imts:
        raise InputError(
            f"{path}: no intensity-measure column (pga, pgv or a period in s).",
            code="input.missing",
            field="imt",
            row=1,
        )
    body = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    values: dict[str, list[float]] = {k: [] for k in params}
    result, expected = [], []
    names = {j: header[j] for j in range(len(header))}
    for i, r in body:
        if len(r) != len(header):
            raise InputError(
                f"{path}, line {i}: {len(r)} fields; the header has {len(header)}.", code="input.syntax", row=i
            )
        for k, j in params.items():
            lo, hi = _RANGES[k]
            values[k].append(_number(path, i, names[j], r[j], lo, hi))
        rt = r[header.index("result_type")].strip().upper()
        result.append(_ALIASES.get(rt, rt))
        if result[-1] not in RESULT_TYPES:
            raise InputError(
                f"{path}, line {i}: result_type {result[-1]!r}; expected {', '.join(RESULT_TYPES)}.",
                code="input.unknown",
                field="result_type",
                row=i,
            )
        lo = 0.0 if result[-1] != "MEAN" else 1e-300
        expected.append([_number(path, i, names[j], r[j], lo, 1e6) for j in imt_cols])
    ctx_args = {k: np.array(v) for k, v in values.items()}
    if "vs30measured" in ctx_args:
        ctx_args["vs30measured"] = ctx_args["vs30measured"] > 0.5
    try:
        context = Context(**ctx_args)
    except InputError as exc:
        raise InputError(f"{path}: {exc.message}", hint=exc.hint, code=exc.code, field=exc.field) from exc
    except TypeError as exc:
        raise InputError(
            f"{path}: the table lacks a rupture, distance or site column the context needs ({exc}).",
            code="input.missing",
        ) from exc
    return VerificationTable(
        path=path,
        context=context,
        result_type=np.array(result),
        imts=imts,
        expected=np.array(expected),
        unused_columns=tuple(unused),
    )


def _number(path: Path, line: int, column: str, text: str, lo: float, hi: float) -> float:
    """A cell as a finite number within [lo, hi]; else an InputError naming file, line and column."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and lo <= value <= hi):
        raise InputError(
            f"{path}, line {line}, column '{column}': {text!r}; expected a number from {lo:g} to {hi:g}.",
            code="input.range",
            field=column,
            row=line,
        )
    return value
