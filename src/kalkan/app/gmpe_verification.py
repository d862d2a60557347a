"""Check a ground-motion model against an OpenQuake verification table (``kalkan eq verify-table``), as
OpenQuake's own tests do: compare exp(mean) with MEAN rows and sigma/tau/phi with the STDDEV rows, as
|computed / expected - 1| in %. The table is read by :mod:`kalkan.io.gsim_table`; the model is the core's."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.hazard.earthquake.gmpe import GMPE, Context, get_model
from kalkan.errors import InputError
from kalkan.io.gsim_table import VerificationTable, read_table

_OUTPUT = {"MEAN": "mean", "TOTAL_STDDEV": "sigma", "INTER_EVENT_STDDEV": "tau", "INTRA_EVENT_STDDEV": "phi"}


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Largest relative error (percent) per result type, and where it occurred."""

    max_error_pct: dict[str, float]
    worst: dict[str, tuple[int, str]]
    rows: dict[str, int]
    skipped_imts: tuple[str, ...] = ()
    """Columns of the table the model does not cover (reported, not silently dropped)."""

    def passed(self, tolerance_pct: float | dict[str, float]) -> bool:
        tol = tolerance_pct if isinstance(tolerance_pct, dict) else dict.fromkeys(self.max_error_pct, tolerance_pct)
        return all(err <= tol.get(k, max(tol.values())) for k, err in self.max_error_pct.items())


def _subset(ctx: Context, index: NDArray[np.int64]) -> Context:
    return Context(**{f.name: getattr(ctx, f.name)[index] for f in fields(ctx)})


def verify(model: GMPE, table: VerificationTable) -> VerificationResult:
    """Run ``model`` on every row and IMT of ``table``; relative errors in percent per result type."""
    errors: dict[str, float] = {}
    worst: dict[str, tuple[int, str]] = {}
    rows: dict[str, int] = {}
    skipped: list[str] = []
    for imt in table.imts:
        try:
            model.coefficients_for(imt)
        except InputError:
            skipped.append(imt)
    for rt, out in _OUTPUT.items():
        index = np.flatnonzero(table.result_type == rt)
        if index.size == 0:
            continue
        ctx = _subset(table.context, index)
        rows[rt] = int(index.size)
        for j, imt in enumerate(table.imts):
            if imt in skipped:
                continue
            gm = model.compute(ctx, imt)
            got = np.exp(gm.mean) if out == "mean" else getattr(gm, out)
            exp = table.expected[index, j]
            with np.errstate(divide="ignore", invalid="ignore"):
                err = np.where(exp == 0, np.where(got == 0, 0.0, np.inf), np.abs(got / exp - 1.0) * 100.0)
            k = int(np.nanargmax(err)) if err.size else 0
            if err.size and (rt not in errors or err[k] > errors[rt]):
                errors[rt] = float(err[k])
                worst[rt] = (int(index[k]) + 2, imt)
    return VerificationResult(errors, worst, rows, tuple(skipped))


def verify_table(path: Path, model: str, options: dict[str, Any] | None = None) -> tuple[GMPE, VerificationResult]:
    """The model registered as ``model`` (with ``options``) checked against the table at ``path``; an error of
    the model on the table's rows names the table."""
    gmpe = get_model(model, **(options or {}))
    table = read_table(path)
    try:
        return gmpe, verify(gmpe, table)
    except InputError as exc:
        raise InputError(f"{path}: {exc.message}", hint=exc.hint, code=exc.code, field=exc.field, row=exc.row) from exc
