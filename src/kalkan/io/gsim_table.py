"""Read OpenQuake ground-motion verification tables (the CSVs of openquake/hazardlib/tests/gsim/data).

Columns: ``rup_*`` rupture parameters, ``dist_*`` distances (km), ``site_*`` site parameters
(``site_z1pt0`` in m, ``site_z2pt5`` in km), ``result_type`` (MEAN, TOTAL_STDDEV, INTER_EVENT_STDDEV,
INTRA_EVENT_STDDEV), ``damping`` (5 %), then one column per IMT: ``pga``, ``pgv`` or a period in seconds.
MEAN values are linear (g, cm/s); standard deviations are in natural-log units.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kalkan.errors import InputError
from kalkan.hazard.earthquake.gmpe.base import Context

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
        raise InputError(f"column {column!r} is neither a parameter nor an IMT (pga, pgv, period in s).") from exc
    return f"SA({period:g})" if period != int(period) else f"SA({period:.1f})"


def read_table(path: Path) -> VerificationTable:
    """Read a verification table; unknown parameter columns are reported, not silently ignored."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.") from exc
    if len(rows) < 2:
        raise InputError(f"{path}: no data rows.")
    header = [h.strip() for h in rows[0]]
    if "result_type" not in header:
        raise InputError(f"{path}: no 'result_type' column; not an OpenQuake verification table.")
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
    try:
        imts = tuple(_imt_name(header[j]) for j in imt_cols)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from exc
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    values: dict[str, list[float]] = {k: [] for k in params}
    result, expected = [], []
    for i, r in enumerate(body, start=2):
        try:
            for k, j in params.items():
                values[k].append(float(r[j]))
            rt = r[header.index("result_type")].strip().upper()
            result.append(_ALIASES.get(rt, rt))
            expected.append([float(r[j]) for j in imt_cols])
        except (ValueError, IndexError) as exc:
            raise InputError(f"{path}, line {i}: {exc}.") from exc
        if result[-1] not in RESULT_TYPES:
            raise InputError(f"{path}, line {i}: result_type {result[-1]!r}; expected {', '.join(RESULT_TYPES)}.")
    ctx_args = {k: np.array(v) for k, v in values.items()}
    if "vs30measured" in ctx_args:
        ctx_args["vs30measured"] = ctx_args["vs30measured"] > 0.5
    return VerificationTable(
        path=path,
        context=Context(**ctx_args),
        result_type=np.array(result),
        imts=imts,
        expected=np.array(expected),
        unused_columns=tuple(unused),
    )
