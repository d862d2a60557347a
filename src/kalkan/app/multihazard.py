"""Combine the saved results of several `kalkan risk run` runs (one per peril, same exposure) into total risk.

Each run folder holds ``summary.json`` (money unit in ``units.loss``, the hazard files in ``sizes.hazards``
as ``"<peril> <imt> (<unit>): <file>"``) and ``event_losses.parquet`` (``event_id``, ``loss``). Event
frequencies (and years) are taken from a ``frequency`` (``event_year``) column of the event loss table when
it has one, else from the run's hazard file, matched by event id. Method: :mod:`kalkan.core.risk.multihazard`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from numpy.typing import NDArray

from kalkan import __version__
from kalkan.core.risk import metrics
from kalkan.core.risk.multihazard import (
    CombinedRisk,
    PerilLosses,
    annual_exceedance_probability,
    combine,
    peril_curve,
)
from kalkan.errors import InputError
from kalkan.io.hazard import load_any_hazard
from kalkan.io.results import atomic_output_dir, read_summary, write_json

_HAZARD_ENTRY = re.compile(r"^(?P<peril>\S+) (?P<imt>\S+) \((?P<unit>[^)]*)\): (?P<source>.+)$")
_MONEY = re.compile(r"^(?P<currency>[A-Z]{3})(?: of (?P<year>\d{4}))?$")
CURVE_FILE = "combined_curve.csv"


def _money(summary: dict[str, Any], where: Path) -> tuple[str, int | None]:
    text = str(summary.get("units", {}).get("loss", ""))
    m = _MONEY.match(text)
    if m is None:
        raise InputError(
            f"{where}: field 'units.loss' is {text!r}; expected a currency such as 'USD of 2021'.",
            code="input.type",
            field="units.loss",
        )
    return m["currency"], int(m["year"]) if m["year"] else None


def _hazard_entries(summary: dict[str, Any], where: Path) -> list[re.Match[str]]:
    entries = summary.get("sizes", {}).get("hazards")
    if not entries:
        raise InputError(
            f"{where}: field 'sizes.hazards' is missing; the peril and events of the run are unknown.",
            hint="Combine runs made with `kalkan risk run --hazard ... --exposure ... --vulnerability ...`.",
            code="input.missing",
            field="sizes.hazards",
        )
    matches = [_HAZARD_ENTRY.match(str(e)) for e in entries]
    bad = [str(e) for e, m in zip(entries, matches, strict=True) if m is None]
    if bad:
        raise InputError(
            f"{where}: field 'sizes.hazards' entry {bad[0]!r} is not '<peril> <imt> (<unit>): <file>'.",
            code="input.syntax",
            field="sizes.hazards",
        )
    return [m for m in matches if m is not None]


def _hazard_path(source: str, folder: Path) -> Path:
    for candidate in (Path(source), folder / source, folder.parent / source):
        if candidate.is_file():
            return candidate
    raise InputError(
        f"{folder}: the run's hazard file {source} is not found (as given, nor beside the run folder); "
        "its event frequencies are needed.",
        hint="Run the combination from the folder the run was made in, or keep the hazard file where it was.",
        code="input.not_found",
    )


def _frequencies(
    event_id: NDArray[np.int64], source: str, folder: Path
) -> tuple[NDArray[np.float64], NDArray[np.int64] | None]:
    """Frequencies (and years) of the run's events, from its hazard file, in the order of ``event_id``."""
    hazard = load_any_hazard(_hazard_path(source, folder))
    order = np.argsort(hazard.event_id)
    pos = np.searchsorted(hazard.event_id, event_id, sorter=order)
    pos = np.minimum(pos, hazard.event_id.size - 1)
    found = hazard.event_id[order[pos]] == event_id
    if not found.all():
        k = int(np.flatnonzero(~found)[0])
        raise InputError(
            f"{folder}: event {int(event_id[k])} of event_losses.parquet is not in {hazard.source}.",
            code="input.inconsistent",
            field="event_id",
        )
    idx = order[pos]
    years = None if hazard.event_year is None else hazard.event_year[idx]
    return hazard.frequency[idx], years


def read_run(folder: Path) -> PerilLosses:
    """The event loss table of a run folder, with its peril, money unit and event frequencies."""
    folder = Path(folder)
    summary = read_summary(folder)
    if "scenario" in summary:
        raise InputError(
            f"{folder}: a scenario run (average loss per event); only annual event sets can be combined.",
            code="input.unsupported",
        )
    currency, price_year = _money(summary, folder / "summary.json")
    entries = _hazard_entries(summary, folder / "summary.json")
    perils = sorted({m["peril"] for m in entries})
    if len(perils) != 1:
        raise InputError(
            f"{folder}: the run mixes perils {', '.join(perils)}; combine runs of one peril each.",
            code="input.inconsistent",
            field="sizes.hazards",
        )
    path = folder / "event_losses.parquet"
    if not path.is_file():
        raise InputError(
            f"{folder}: no event_losses.parquet; not a `kalkan risk run` result folder.", code="input.not_found"
        )
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for unreadable files
        raise InputError(f"{path}: not a readable Parquet file ({exc}).", code="input.unreadable") from exc
    columns = set(table.column_names)
    missing = {"event_id", "loss"} - columns
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(sorted(missing))}.", code="input.missing", field=sorted(missing)[0]
        )
    event_id = np.asarray(table.column("event_id").to_numpy(), dtype=np.int64)
    loss = np.asarray(table.column("loss").to_numpy(), dtype=np.float64)
    if "frequency" in columns:
        frequency = np.asarray(table.column("frequency").to_numpy(), dtype=np.float64)
        years = np.asarray(table.column("event_year").to_numpy(), dtype=np.int64) if "event_year" in columns else None
    else:
        frequency, years = _frequencies(event_id, entries[0]["source"], folder)
    return PerilLosses(
        peril=perils[0], loss=loss, frequency=frequency, currency=currency, price_year=price_year,
        event_year=years, source=str(folder),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class CombinedRuns:
    """The result of :func:`combine_runs`: the combination (:class:`~kalkan.core.risk.multihazard.CombinedRisk`:
    total and per-peril AAL in money per year, losses at return periods), the run folder of each peril, the assets
    of each run and notes; :meth:`as_dict` is ``summary.json``."""

    combined: CombinedRisk
    runs: dict[str, str]
    assets_by_run: dict[str, Any]
    notes: tuple[str, ...]

    @property
    def aal_total_per_year(self) -> float:
        return self.combined.aal_total

    def as_dict(self) -> dict[str, Any]:
        """The summary as written to ``summary.json`` (and printed by ``--json``)."""
        summary = self.combined.as_dict()
        summary["runs"] = dict(self.runs)
        summary["assets_by_run"] = dict(self.assets_by_run)
        summary["notes"] = list(self.notes)
        summary["engine"] = f"kalkan {__version__}"
        summary["files"] = {"curve": CURVE_FILE, "curve_units": f"loss in {self.combined.money}"}
        return summary


def combine_runs(
    folders: Sequence[Path], out_dir: Path, *, return_periods: Sequence[float] = metrics.RETURN_PERIODS
) -> CombinedRuns:
    """Combine run folders (one peril each, same exposure) and write OUT/summary.json and OUT/combined_curve.csv
    (loss, exceedance frequency per peril and in total, AEP, return period). Returns the combination.

    The losses at return periods, of each peril and in total, follow the one rule of
    :mod:`kalkan.core.risk.metrics`: read on the curve file's rows, the loss at T is the first row (losses
    descending) whose return period is at most T."""
    if len(folders) < 2:
        raise InputError("Give at least two run folders (one per peril) to combine.", code="input.options")
    perils = [read_run(Path(f)) for f in folders]
    assets = {str(f): read_summary(Path(f)).get("sizes", {}).get("assets") for f in folders}
    result = combine(perils, return_periods)
    notes = []
    if len(set(assets.values())) > 1:
        notes.append("the runs have different numbers of assets: check that they use the same exposure")
    combined = CombinedRuns(result, {p.peril: str(f) for p, f in zip(perils, folders, strict=True)}, assets,
                            tuple(notes))  # fmt: skip
    with atomic_output_dir(Path(out_dir)) as tmp:
        write_combined_curve(tmp / CURVE_FILE, result, perils)
        write_json(tmp / "summary.json", combined.as_dict())
    return combined


def write_combined_curve(path: Path, result: CombinedRisk, perils: Sequence[PerilLosses]) -> None:
    """The combined curve's points: loss, exceedance frequency of each peril and in total, AEP, return period."""
    curve = result.curve
    by_peril = {p.peril: peril_curve(p).frequency_at(curve.loss) for p in perils}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                f"loss_{perils[0].currency}",
                *(f"exceedance_frequency_{p}_per_year" for p in by_peril),
                "exceedance_frequency_per_year",
                "annual_exceedance_probability",
                "return_period_years",
            ]
        )
        aep = annual_exceedance_probability(curve.exceedance_frequency)
        for k in range(curve.loss.size):
            writer.writerow(
                [
                    repr(float(curve.loss[k])),
                    *(repr(float(v[k])) for v in by_peril.values()),
                    repr(float(curve.exceedance_frequency[k])),
                    repr(float(aep[k])),
                    repr(float(curve.return_period[k])),
                ]
            )
