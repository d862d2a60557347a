"""Write an :class:`~kalkan.core.risk.assessment.Assessment` as Parquet tables (docs/risk-engine.md).

Two layouts, the files `kalkan risk run` has always written:

- :func:`write_assessment` (``--hazard/--exposure/--vulnerability`` runs and the city commands):
  ``event_losses.parquet`` (event_id, frequency, loss, [event_year], loss_<type>..., [fatalities]),
  ``event_losses_by.parquet`` (the long table by district, occupancy, taxonomy, critical type and loss type),
  ``asset_aal.parquet`` (id, aal_<type>..., [fatalities_per_year], aal), ``asset_rp_losses.parquet`` (with
  ``--rp-maps``), and with a fragility model ``damage_events.parquet`` and ``facilities.parquet``;
- :func:`write_case_assessment` (benchmark cases, ``--case``): ``event_losses.parquet`` (event_id, loss),
  ``asset_aal.parquet`` (id, aal), ``asset_rp_losses.parquet``.

Money in the exposure's currency and price year; fatalities and casualties in people; annual values per year.
The summary (``summary.json``) is written by the use case, which knows the run's parameters and timings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from kalkan import __version__
from kalkan.core.risk.assessment import Assessment, DamageAssessment
from kalkan.core.risk.return_periods import RULE, rp_key
from kalkan.io.results import write_parquet

ENGINE = f"kalkan {__version__}"
BREAKDOWN_NOTE = "loss in the exposure's currency, except loss_type 'occupants': fatalities (people)"


def _loss_column(loss_type: str, prefix: str, people: str) -> str:
    return people if loss_type == "occupants" else f"{prefix}_{loss_type}"


def write_assessment(folder: Path, assessment: Assessment) -> list[str]:
    """Write the assessment's tables into ``folder`` (which exists); returns the file names written."""
    a = assessment
    meta = {"units": f"losses in {a.money}; occupants in people", "engine": ENGINE}
    cols: dict[str, Any] = {"event_id": a.event_id, "frequency": a.frequency_per_year, "loss": a.event_loss}
    if a.event_year is not None:
        cols["event_year"] = a.event_year
    cols.update({_loss_column(lt, "loss", "fatalities"): a.event_loss_by_type[:, i]
                 for i, lt in enumerate(a.loss_types)})  # fmt: skip
    write_parquet(folder / "event_losses.parquet", cols, meta)
    written = ["event_losses.parquet"]
    if a.breakdown is not None:
        b = a.breakdown
        long = {"event_id": b.event_id, "dimension": b.dimension, "bucket": b.bucket, "loss_type": b.loss_type,
                "loss": b.loss}  # fmt: skip
        write_parquet(folder / "event_losses_by.parquet", long, {**meta, "note": BREAKDOWN_NOTE})
        written.append("event_losses_by.parquet")
    acols: dict[str, Any] = {"id": a.asset_id}
    acols.update({_loss_column(lt, "aal", "fatalities_per_year"): a.asset_aal_by_type[:, i]
                  for i, lt in enumerate(a.loss_types)})  # fmt: skip
    acols["aal"] = a.asset_aal_per_year
    write_parquet(folder / "asset_aal.parquet", acols, meta)
    written.append("asset_aal.parquet")
    if a.asset_rp_losses is not None:
        written.append(_write_rp_maps(folder, a, meta))
    if a.damage is not None:
        written += write_damage(folder, a.damage)
    return written


def write_case_assessment(folder: Path, assessment: Assessment) -> list[str]:
    """Write a benchmark case's tables (one value per asset, in USD) into ``folder``; returns the file names."""
    a = assessment
    meta = {"units": "loss in USD, aal in USD/year", "engine": ENGINE}
    write_parquet(folder / "event_losses.parquet", {"event_id": a.event_id, "loss": a.event_loss}, meta)
    write_parquet(folder / "asset_aal.parquet", {"id": a.asset_id, "aal": a.asset_aal_per_year}, meta)
    written = ["event_losses.parquet", "asset_aal.parquet"]
    if a.asset_rp_losses is not None:
        written.append(_write_rp_maps(folder, a, meta))
    return written


def _write_rp_maps(folder: Path, a: Assessment, meta: dict[str, str]) -> str:
    assert a.asset_rp_losses is not None
    cols: dict[str, Any] = {"id": a.asset_id}
    cols.update({f"rp_{rp_key(rp)}": a.asset_rp_losses[:, i] for i, rp in enumerate(a.rp_maps_years)})
    write_parquet(folder / "asset_rp_losses.parquet", cols, {**meta, "definition": RULE})
    return "asset_rp_losses.parquet"


def write_damage(folder: Path, damage: DamageAssessment) -> list[str]:
    """Damage states, casualties, displaced people and non-functional facilities per event
    (``damage_events.parquet``) and per facility (``facilities.parquet``); returns the file names."""
    r = damage.result
    cols: dict[str, Any] = {"event_id": damage.event_id}
    for k, ds in enumerate(r.damage_states):
        cols[f"buildings_{ds}"] = r.buildings[:, k]
    cols[f"loss_{r.cost_type}"] = r.loss
    for k, sev in enumerate(r.severities):
        cols[f"casualties_{sev}"] = r.casualties_people[:, k]
    if r.displaced_people is not None:
        cols["displaced"] = r.displaced_people
    for k, ct in enumerate(r.critical_types):
        cols[f"nonfunctional_{ct}"] = r.nonfunctional_facilities[:, k]
    meta = {"units": f"buildings (expected number); people; loss in {r.currency}", "engine": ENGINE}
    write_parquet(folder / "damage_events.parquet", cols, meta)
    write_parquet(folder / "facilities.parquet", {
        "id": damage.asset_id[r.facility_asset],
        "critical_type": np.asarray(r.critical_types, dtype=object)[r.facility_type]
        if r.critical_types else np.zeros(0, dtype=object),
        "events_nonfunctional": r.facility_nonfunctional_events,
        "nonfunctional_freq_per_year": r.facility_nonfunctional_freq_per_year,
        "nonfunctional_expected_per_year": r.facility_nonfunctional_per_year,
    }, {**meta, "threshold": f"non-functional when P(non-functional) >= {r.nonfunctional_threshold}"})  # fmt: skip
    return ["damage_events.parquet", "facilities.parquet"]


__all__ = ["write_assessment", "write_case_assessment", "write_damage"]
