"""Future risk = future hazard x future exposure, with the change split into hazard and exposure effects.

The engine runs four times in memory on one exposure (no files written): today's hazard and exposure
(H0, E0), the future hazard alone (H1, E0), the future exposure alone (H0, E1) and both (H1, E1). E1 is E0
grown by SSP factors (:mod:`kalkan.core.exposure.growth`); the decomposition is :mod:`kalkan.core.risk.attribution`.
Money stays in the exposure's currency and price year (real terms).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from kalkan import __version__
from kalkan.app.risk_inputs import load_hazards, load_vulnerability
from kalkan.app.taxonomy_mapping import city_vulnerability
from kalkan.core.exposure.growth import (
    DEFAULT_BASE_YEAR,
    FIRST_YEAR,
    LAST_YEAR,
    GrowthFactors,
    Overrides,
    growth_factors,
    project_exposure,
)
from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.risk import metrics
from kalkan.core.risk.assessment import MONETARY, assess
from kalkan.core.risk.attribution import RiskChange, decompose
from kalkan.core.risk.engine import DEFAULT_BLOCK_EVENTS
from kalkan.core.risk.return_periods import RULE, check_return_periods, rp_key
from kalkan.core.vulnerability.functions import VulnerabilitySet
from kalkan.errors import InputError
from kalkan.io.hazard import hazard_provenance
from kalkan.io.ssp import shipped_ssp_tables
from kalkan.store.city_data import load_exposure
from kalkan.store.registry import get_city

RUNS = ("today", "hazard_only", "exposure_only", "future")
"""(H0, E0), (H1, E0), (H0, E1), (H1, E1)."""


@dataclass(frozen=True, slots=True)
class RunRisk:
    """One of the four engine runs: average annual loss (money per year), losses at the return periods (money,
    by key), fatalities per year (None without occupant functions) and the assets without a hazard site."""

    aal_per_year: float
    rp_losses: dict[str, float]
    fatalities_per_year: float | None
    unassigned_assets: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "aal": self.aal_per_year,
            "rp_losses": dict(self.rp_losses),
            "fatalities_per_year": self.fatalities_per_year,
            "unassigned_assets": self.unassigned_assets,
        }


def _losses(
    hazards: Sequence[HazardSet],
    exposure: Exposure,
    vset: VulnerabilitySet,
    *,
    max_distance_km: float,
    occupants_period: str,
    block_events: int,
    return_periods: tuple[float, ...],
) -> RunRisk:
    """One in-memory engine run (mean loss ratios): AAL, fatalities per year and return-period losses."""
    loss_types = [c for c in exposure.costs if c in vset.mapping]
    if "occupants" in vset.mapping and occupants_period in exposure.occupants:
        loss_types.append("occupants")
    if not any(lt in MONETARY for lt in loss_types):
        raise InputError(
            f"{exposure.source}: none of its cost types ({', '.join(exposure.costs)}) has functions in the "
            f"vulnerability model ({', '.join(vset.mapping)}).",
            code="input.inconsistent",
        )
    a = assess(hazards, exposure, vset, max_distance_km=max_distance_km, loss_types=loss_types, breakdowns={},
               occupants_period=occupants_period, block_events=block_events, return_periods=return_periods)  # fmt: skip
    fatalities = a.by_loss_type.get("occupants")
    return RunRisk(
        a.aal_per_year, dict(a.rp_losses), fatalities.aal_per_year if fatalities is not None else None,
        int(a.assignment.unassigned.size),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class FutureRisk:
    """The result of :func:`future_risk`: the four runs (``today``, ``hazard_only``, ``exposure_only``,
    ``future``), the decomposition of the change of the AAL (money per year), of the fatalities (people per year)
    and of each return-period loss (money), the growth factors, and what the runs were made of. Money in
    ``money`` (the exposure's currency and price year, real terms). :meth:`as_dict` is the JSON document."""

    factors: GrowthFactors
    money: str
    runs: dict[str, RunRisk]
    aal_change: RiskChange
    fatalities_change: RiskChange | None
    rp_loss_changes: dict[str, RiskChange]
    hazards_today: tuple[str, ...]
    hazards_future: tuple[str, ...]
    provenance_today: tuple[str | None, ...]
    provenance_future: tuple[str | None, ...]
    exposure_source: str
    exposure_assets: int
    city_id: str | None = None
    country_iso3: str | None = None
    assets_number_total: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The result as `kalkan risk future --json` prints it and ``-o FILE`` writes it."""
        money = self.money
        attribution: dict[str, Any] = {
            "aal": self.aal_change.as_dict(f"{money} per year"),
            "rp_losses": {k: c.as_dict(money) for k, c in self.rp_loss_changes.items()},
        }
        if self.fatalities_change is not None:
            attribution["fatalities_per_year"] = self.fatalities_change.as_dict("people per year")
        exposure: dict[str, Any] = {"source": self.exposure_source, "assets": self.exposure_assets}
        out: dict[str, Any] = {
            "scenario": self.factors.scenario,
            "ssp": self.factors.ssp,
            "period": self.factors.period,
            "growth": self.factors.as_dict(),
            "runs": {name: run.as_dict() for name, run in self.runs.items()},
            "attribution": attribution,
            "hazard": {
                "today": list(self.hazards_today),
                "future": list(self.hazards_future),
                "today_provenance": list(self.provenance_today),
                "future_provenance": list(self.provenance_future),
            },
            "exposure": exposure,
            "units": {
                "loss": money,
                "aal": f"{money} per year",
                "fatalities": "people per year",
                "return_period": "years",
                "prices": "real terms: the exposure's price year; growth factors are real",
            },
            "return_period_definition": RULE,
            "method": METHOD,
            "engine": f"kalkan {__version__}",
        }
        if self.city_id is not None:
            out["city"] = self.city_id
            out["country_iso3"] = self.country_iso3
            exposure["assets_number_total"] = self.assets_number_total
        return out


METHOD = (
    "four in-memory engine runs (mean loss ratios): (H0,E0), (H1,E0), (H0,E1), (H1,E1); hazard effect = "
    "R(H1,E0) - R(H0,E0), exposure effect = R(H0,E1) - R(H0,E0), interaction = the rest; Shapley split "
    "gives each factor half the interaction"
)
"""How the change is decomposed, as the result states it."""


def _check_pair(today: Sequence[Any], future: Sequence[Any]) -> None:
    key_today = sorted((h.peril, h.imt, h.unit) for h in today)
    key_future = sorted((h.peril, h.imt, h.unit) for h in future)
    if key_today != key_future:
        raise InputError(
            f"Today's hazard ({', '.join(' '.join(k) for k in key_today)}) and the future hazard "
            f"({', '.join(' '.join(k) for k in key_future)}) must give the same peril and intensity measures.",
            code="input.inconsistent",
            field="hazard",
        )


def future_risk(
    exposure: Exposure,
    hazard_today: Sequence[Path],
    hazard_future: Sequence[Path],
    vset: VulnerabilitySet,
    factors: GrowthFactors,
    *,
    max_distance_km: float = 5.0,
    occupants_period: str = "night",
    block_events: int = DEFAULT_BLOCK_EVENTS,
    return_periods: Sequence[float] = metrics.RETURN_PERIODS,
) -> FutureRisk:
    """Run the engine four times (H0/H1 x E0/E1) and decompose the change of AAL, fatalities per year and the
    return-period losses into hazard effect, exposure effect and interaction (plus a Shapley split).

    ``hazard_today``/``hazard_future``: hazard files of one peril (one per intensity measure), each pair of
    the same intensity measures. Money in the exposure's currency and price year.
    """
    rps = check_return_periods(return_periods, "return periods")
    h0, h1 = load_hazards(list(hazard_today)), load_hazards(list(hazard_future))
    _check_pair(h0, h1)
    e1 = project_exposure(exposure, factors)
    kw: dict[str, Any] = dict(
        max_distance_km=max_distance_km, occupants_period=occupants_period, block_events=block_events,
        return_periods=rps,
    )  # fmt: skip
    runs = {
        "today": _losses(h0, exposure, vset, **kw),
        "hazard_only": _losses(h1, exposure, vset, **kw),
        "exposure_only": _losses(h0, e1, vset, **kw),
        "future": _losses(h1, e1, vset, **kw),
    }
    fatalities = [runs[r].fatalities_per_year for r in RUNS]
    return FutureRisk(
        factors=factors,
        money=f"{exposure.currency} of {exposure.price_year}" if exposure.price_year else exposure.currency,
        runs=runs,
        aal_change=decompose(*(runs[r].aal_per_year for r in RUNS)),
        fatalities_change=None if fatalities[0] is None else decompose(*(float(f or 0.0) for f in fatalities)),
        rp_loss_changes={rp_key(rp): decompose(*(runs[r].rp_losses[rp_key(rp)] for r in RUNS)) for rp in rps},
        hazards_today=tuple(f"{h.peril} {h.imt} ({h.unit}): {h.source}" for h in h0),
        hazards_future=tuple(f"{h.peril} {h.imt} ({h.unit}): {h.source}" for h in h1),
        provenance_today=tuple(hazard_provenance(p) for p in hazard_today),
        provenance_future=tuple(hazard_provenance(p) for p in hazard_future),
        exposure_source=exposure.source,
        exposure_assets=len(exposure),
    )


def city_future_risk(
    session: Session,
    city_id: str,
    hazard_today: Sequence[Path],
    hazard_future: Sequence[Path],
    *,
    ssp: str,
    horizon: int | None = None,
    year: int | None = None,
    vulnerability_paths: Sequence[Path] = (),
    taxonomy_mapping: Path | None = None,
    base_year: int | None = None,
    elasticity: float = 1.0,
    overrides: Overrides | None = None,
    **engine: Any,
) -> FutureRisk:
    """:func:`future_risk` for a city of the store: its stored exposure, its country's SSP growth, and the
    given vulnerability files (default: the GEM Central Asia set with the city's own taxonomy mapping).

    ``base_year`` defaults to the exposure's price year (the year it describes), else DEFAULT_BASE_YEAR.
    """
    city = get_city(session, city_id)
    exposure = load_exposure(session, city_id)
    if base_year is None:
        py = exposure.price_year
        base_year = py if py is not None and FIRST_YEAR <= py <= LAST_YEAR else DEFAULT_BASE_YEAR
    factors = growth_factors(
        city.country_iso3, ssp, tables=shipped_ssp_tables(), horizon=horizon, year=year, base_year=base_year,
        elasticity=elasticity, overrides=overrides,
    )  # fmt: skip
    if vulnerability_paths:
        vset = load_vulnerability(list(vulnerability_paths), taxonomy_mapping)
    else:
        vset = city_vulnerability(session, city_id)
    result = future_risk(exposure, hazard_today, hazard_future, vset, factors, **engine)
    total = float(np.sum(exposure.number)) if exposure.number is not None else None
    return dataclasses.replace(result, city_id=city_id, country_iso3=city.country_iso3, assets_number_total=total)
