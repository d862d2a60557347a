"""Event-based risk of a city's stored exposure (``kalkan city event-risk``): a stochastic catalogue of the source
model, its ground-motion fields streamed to hazard files (:mod:`kalkan.app.event_based`), the losses by the risk
engine in memory on the stored exposure and the city's taxonomy mapping
(:func:`kalkan.core.risk.assessment.assess`), and the exceedance curves of money and fatalities computed once
(:func:`kalkan.core.risk.metrics.catalogue_curves`): average annual loss, occurrence, annual-maximum and aggregate
losses at return periods, expected annual fatalities, each with its sampling error.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from kalkan import __version__
from kalkan.app.city_scenario import DEFAULT_GMPES, GEM_LICENCE, resolve_imts
from kalkan.app.event_based import (
    DEFAULT_MAX_DISTANCE_KM,
    DEFAULT_YEARS,
    RETURN_PERIODS,
    ProgressCallback,
    SourceModelRun,
    asset_sites,
    branches_record,
    check_years,
    gm_record,
    hazard_file_name,
    read_model,
    region_warnings,
    write_event_hazard,
)
from kalkan.app.modelled_effects import EARTHQUAKE_MODELLED_EFFECTS
from kalkan.app.psha import gmpe_branches
from kalkan.app.risk import RiskRun, assess_and_write, load_hazards
from kalkan.app.taxonomy_mapping import full_mapping_rows, with_city_mapping, write_mapping
from kalkan.core.exposure.table import Exposure
from kalkan.core.hazard.earthquake.gmf import Correlation
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, Sites, vs30_record
from kalkan.core.hazard.earthquake.stochastic import (
    DEFAULT_BLOCK_EVENTS,
    DEFAULT_MIN_INTENSITY,
    EventSet,
    sample_events,
)
from kalkan.core.risk import metrics
from kalkan.core.risk.assessment import Assessment
from kalkan.core.risk.return_periods import RULE, check_return_periods, rp_key, with_standard
from kalkan.core.vulnerability.functions import VulnerabilitySet
from kalkan.errors import InputError
from kalkan.io.exposure import write_exposure
from kalkan.io.hazard import hazard_provenance
from kalkan.io.results import atomic_output_dir, write_json
from kalkan.io.shipped_vulnerability import gem_central_asia
from kalkan.io.vulnerability_csv import TaxonomyMapping
from kalkan.store.city_data import load_exposure, load_mapping

__all__ = [
    "CURVE_RETURN_PERIODS",
    "CityEventInputs",
    "CityEventRisk",
    "city_event_based_risk",
    "city_event_inputs",
    "loss_curves",
    "rp_warnings",
]

RP_RELIABLE_FACTOR = 10
"""A loss at return period R is flagged unless T >= 10 R: its estimate rests on about T / R years."""
CURVE_RETURN_PERIODS = (1, 2, 5, 10, 25, 50, 100, 250, 475, 500, 1000, 2475, 5000, 10000, 25000, 100000)
"""Return periods (years) of the exceedance curves written (those up to T)."""


def rp_warnings(years: int, return_periods: Sequence[float]) -> tuple[dict[str, str], list[str]]:
    """Flag each return period against the catalogue length: ``ok`` (T >= 10 R), ``short`` (R <= T < 10 R:
    few years exceed it, large sampling error) or ``beyond_catalogue`` (R > T: the loss is clamped to the
    largest simulated one)."""
    flags: dict[str, str] = {}
    warnings: list[str] = []
    for rp in return_periods:
        if years >= RP_RELIABLE_FACTOR * rp:
            flags[rp_key(rp)] = "ok"
        elif years >= rp:
            flags[rp_key(rp)] = "short"
            warnings.append(
                f"the {rp:g}-year losses rest on about {years / rp:.0f} catalogue year(s) of {years:,}: sampling "
                f"error is large; use --years {RP_RELIABLE_FACTOR * rp:g} or more for a stable estimate."
            )
        else:
            flags[rp_key(rp)] = "beyond_catalogue"
            warnings.append(
                f"the {rp:g}-year return period is beyond the {years:,}-year catalogue: the losses reported there are "
                f"the largest simulated ones (a lower bound); use --years {RP_RELIABLE_FACTOR * rp:g} or more."
            )
    return flags, warnings


def loss_curves(event_loss: NDArray[np.float64], event_year: NDArray[np.int64], years: int,
                return_periods: Sequence[float]) -> dict[str, Any]:  # fmt: skip
    """Losses at the return periods from a T-year catalogue (each event 1/T per year), by the one rule of
    :mod:`kalkan.core.risk.metrics`: ``occurrence`` (event exceedance: the risk engine's curve, the same number as
    ``risk show`` of the run), ``annual_maximum`` (each year's largest loss) and ``aggregate`` (each year's
    total), with the standard error of the mean annual loss (std of annual totals / sqrt T)."""
    rps = check_return_periods(return_periods)
    return metrics.catalogue_curves(event_loss, event_year, years).at(rps)


@dataclass(frozen=True, slots=True)
class CityEventInputs:
    """What a city's event-based run computes on: its stored exposure, its own taxonomy mapping (None: GEM's),
    the GEM Central Asia set with that mapping, the IMTs its functions need, the sites, the GMPE branches and the
    count of assets whose taxonomy has no structural function."""

    exposure: Exposure
    own_mapping: TaxonomyMapping | None
    vulnerability: VulnerabilitySet
    imts: list[str]
    sites: Sites
    branches: list[GmpeBranch]
    unresolved_assets: int


def city_event_inputs(
    session: Session, city_id: str, *, gmpes: Sequence[str], gmpe_logic_tree: Path | None, imts: Sequence[str] | None,
    vs30: float,
) -> CityEventInputs:  # fmt: skip
    """Load and check what :func:`city_event_based_risk` needs from the store and the shipped models."""
    if not (math.isfinite(vs30) and vs30 > 0):
        raise InputError(f"Vs30 {vs30} must be a positive number (m/s).", code="input.range", field="--vs30")
    branches = (gmpe_branches(logic_tree=gmpe_logic_tree) if gmpe_logic_tree is not None
                else gmpe_branches(list(gmpes) or list(DEFAULT_GMPES)))  # fmt: skip
    exposure = load_exposure(session, city_id)
    own_mapping = load_mapping(session, city_id)
    vset = with_city_mapping(gem_central_asia(), own_mapping)
    resolved, unresolved = resolve_imts(vset, {str(t) for t in exposure.taxonomy})
    if imts is None:
        imts = sorted(resolved)
        if not imts:
            raise InputError(f"None of {city_id}'s taxonomies resolves to a GEM Central Asia function.",
                             code="input.unknown", field="taxonomy")  # fmt: skip
    missing = sorted(set(resolved) - set(imts))
    if missing:
        raise InputError(f"The GEM functions of {city_id}'s taxonomies need {', '.join(missing)} too; add them.",
                         code="input.missing", field="--imt")  # fmt: skip
    sites, _ = asset_sites(exposure, vs30)
    unresolved_assets = int(np.isin(exposure.taxonomy.astype(str), unresolved.get("structural", [])).sum())
    return CityEventInputs(exposure, own_mapping, vset, list(imts), sites, list(branches), unresolved_assets)


@dataclass(frozen=True, slots=True)
class CityEventRisk:
    """The result of :func:`city_event_based_risk`: the headline numbers (money in ``money``, per year; people per
    year), the curves of money and of fatalities, and the summary document (``summary.json``, :meth:`as_dict`)."""

    city_id: str
    money: str
    aal_per_year: float
    aal_standard_error_per_year: float
    expected_annual_fatalities_per_year: float
    expected_annual_fatalities_standard_error_per_year: float
    loss_curves: metrics.CatalogueCurves
    fatality_curves: metrics.CatalogueCurves
    return_period_flags: dict[str, str]
    warnings: tuple[str, ...]
    document: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The summary as written to ``summary.json`` (and printed by ``--json``)."""
        return dict(self.document)


def city_event_based_risk(
    session: Session,
    city_id: str,
    out_dir: Path,
    *,
    source_model: Path | None = None,
    gmpes: Sequence[str] = (),
    gmpe_logic_tree: Path | None = None,
    years: int = DEFAULT_YEARS,
    seed: int = 42,
    imts: Sequence[str] | None = None,
    vs30: float = DEFAULT_VS30_M_S,
    correlation: Correlation = None,
    truncation: float | None = 3.0,
    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM,
    min_intensity: float = DEFAULT_MIN_INTENSITY,
    block_events: int = DEFAULT_BLOCK_EVENTS,
    area_spacing_km: float = 10.0,
    return_periods: Sequence[float] = RETURN_PERIODS,
    on_progress: ProgressCallback | None = None,
) -> CityEventRisk:
    """Event-based risk of a city's stored exposure; writes ``out_dir/{summary.json, exceedance_curves.csv,
    hazard/, risk/, exposure.csv, taxonomy_mapping.csv}`` atomically and returns the result.

    Source model: ``source_model`` or the shipped regional model. GMPEs: a logic-tree file, names (equal
    weights) or the scenario's default three. IMTs: those of the GEM Central Asia functions the city's
    taxonomies resolve to (with the city's own mapping). Sites: the unique asset locations with a uniform
    ``vs30`` (m/s). Losses by the risk engine in memory (mean mode; GEM NRML models + the city's mapping;
    night-time occupants for fatalities); the ground-motion fields stream to ``hazard/`` block by block. Money in
    the exposure's currency and price year (USD of 2021 for the GEM exposure); fatalities in people.
    """

    def progress(p: int, message: str) -> None:
        if on_progress is not None:
            on_progress(p, message)

    check_years(years, seed)
    rps = check_return_periods(return_periods)
    inputs = city_event_inputs(session, city_id, gmpes=gmpes, gmpe_logic_tree=gmpe_logic_tree, imts=imts, vs30=vs30)
    t0 = time.perf_counter()
    progress(0, "source model")
    model = read_model(source_model, area_spacing_km=area_spacing_km)
    events = sample_events(model.rupture_sets, years, seed, inputs.branches)
    flags, rp_warns = rp_warnings(years, rps)
    t_sample = time.perf_counter() - t0
    with atomic_output_dir(Path(out_dir)) as tmp:
        t1 = time.perf_counter()
        written = write_event_hazard(
            tmp / "hazard", events, model.rupture_sets, inputs.branches, inputs.sites, inputs.imts,
            truncation=truncation, correlation=correlation, max_distance_km=max_distance_km,
            min_intensity=min_intensity, block_events=block_events, on_progress=lambda p, m: progress(int(p * 0.6), m),
        )  # fmt: skip
        t_gmf = time.perf_counter() - t1
        progress(60, "losses and fatalities")
        t2 = time.perf_counter()
        risk = _city_losses(tmp, inputs, block_events, with_standard(rps),
                            lambda p, m: progress(60 + int(p * 0.35), m))  # fmt: skip
        t_risk = time.perf_counter() - t2
        progress(95, "exceedance curves")
        a = risk.assessment
        assert a is not None and a.event_year is not None
        money_curves = metrics.catalogue_curves(a.event_loss, a.event_year, years)
        people_curves = metrics.catalogue_curves(_fatalities(a), a.event_year, years)
        write_curve_grid(tmp / "exceedance_curves.csv", money_curves, people_curves, years)
        warnings = (*rp_warns, *model.warnings, *region_warnings(model.rupture_sets, inputs.branches),
                    *written["warnings"])  # fmt: skip
        summary = _event_risk_summary(
            city_id, inputs, risk, money_curves.at(rps), people_curves.at(rps), rps, flags, written, model, events,
            gmpe_logic_tree=gmpe_logic_tree, gm_record=gm_record(truncation, correlation, max_distance_km,
                                                                  min_intensity, block_events),
            vs30=vs30, warnings=list(warnings),
            timings={"sample": t_sample, "ground_motion": t_gmf, "risk": t_risk, "total": time.perf_counter() - t0},
        )  # fmt: skip
        write_json(tmp / "summary.json", summary)
        progress(100, "done")
    fat = a.by_loss_type.get("occupants")
    return CityEventRisk(
        city_id=city_id, money=a.money, aal_per_year=a.aal_per_year,
        aal_standard_error_per_year=money_curves.standard_error,
        expected_annual_fatalities_per_year=fat.aal_per_year if fat is not None else math.nan,
        expected_annual_fatalities_standard_error_per_year=people_curves.standard_error,
        loss_curves=money_curves, fatality_curves=people_curves, return_period_flags=flags,
        warnings=tuple(warnings), document=summary,
    )  # fmt: skip


def _city_losses(
    folder: Path, inputs: CityEventInputs, block_events: int, return_periods: Sequence[float],
    on_progress: ProgressCallback,
) -> RiskRun:  # fmt: skip
    """The risk engine on the city's exposure in memory (the hazard files read back block by block as written),
    results in ``folder/risk``; the exposure and the mapping in use written beside them as a record."""
    hazard_paths = [folder / "hazard" / hazard_file_name(imt) for imt in inputs.imts]
    hazards = load_hazards(hazard_paths)
    write_exposure(inputs.exposure, folder / "exposure.csv")
    write_mapping(full_mapping_rows(inputs.own_mapping), folder / "taxonomy_mapping.csv")
    return assess_and_write(
        hazards, inputs.exposure, inputs.vulnerability, folder / "risk", max_distance_km=1.0,
        occupants_period="night", block_events=block_events, return_periods=return_periods,
        provenance={str(p): hazard_provenance(p) for p in hazard_paths}, on_progress=on_progress, atomic=False,
    )  # fmt: skip


def _fatalities(a: Assessment) -> NDArray[np.float64]:
    """Fatalities per event (people; zeros when the run has no occupants loss type)."""
    if "occupants" not in a.loss_types:
        return np.zeros(a.n_events)
    return np.ascontiguousarray(a.event_loss_by_type[:, a.loss_types.index("occupants")])


def write_curve_grid(path: Path, money: metrics.CatalogueCurves, people: metrics.CatalogueCurves, years: int) -> None:
    """``exceedance_curves.csv``: the curves of money and fatalities at the return periods up to T."""
    curve_rps = [r for r in CURVE_RETURN_PERIODS if r <= years]
    grid_money, grid_people = money.at(curve_rps), people.at(curve_rps)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("return_period_years,occurrence_loss_usd,aggregate_loss_usd,occurrence_fatalities_people,"
                 "aggregate_fatalities_people,annual_maximum_loss_usd,annual_maximum_fatalities_people\n")  # fmt: skip
        for r in curve_rps:
            k = rp_key(r)
            fh.write(f"{r},{grid_money['occurrence'][k]:.6g},{grid_money['aggregate'][k]:.6g},"
                     f"{grid_people['occurrence'][k]:.6g},{grid_people['aggregate'][k]:.6g},"
                     f"{grid_money['annual_maximum'][k]:.6g},{grid_people['annual_maximum'][k]:.6g}\n")  # fmt: skip


def _event_risk_summary(
    city_id: str, inputs: CityEventInputs, risk: RiskRun, money_curves: dict[str, Any], people_curves: dict[str, Any],
    rps: Sequence[float], flags: dict[str, str], written: dict[str, Any], model: SourceModelRun, events: EventSet, *,
    gmpe_logic_tree: Path | None, gm_record: dict[str, Any], vs30: float, warnings: list[str],
    timings: dict[str, float],
) -> dict[str, Any]:  # fmt: skip
    """The summary document of a city's event-based run (``summary.json``)."""
    a = risk.assessment
    assert a is not None
    exposure, years = inputs.exposure, events.years
    fat = a.by_loss_type.get("occupants")
    summary: dict[str, Any] = {
        "city": city_id,
        "modelled_effects": EARTHQUAKE_MODELLED_EFFECTS,
        "aal": a.aal_per_year,
        "aal_standard_error": money_curves["standard_error"],
        "expected_annual_fatalities": fat.aal_per_year if fat is not None else math.nan,
        "expected_annual_fatalities_standard_error": people_curves["standard_error"],
        "losses_at_return_periods": {
            "occurrence": money_curves["occurrence"],
            "aggregate": money_curves["aggregate"],
            "annual_maximum": money_curves["annual_maximum"],
            "event_rate_curve": {k: v for k, v in a.rp_losses.items() if float(k) in rps},
        },
        "fatalities_at_return_periods": {
            "occurrence": people_curves["occurrence"],
            "aggregate": people_curves["aggregate"],
            "annual_maximum": people_curves["annual_maximum"],
        },
        "return_period_flags": flags,
        "catalogue": {
            "years": years,
            "seed": events.seed,
            "events_sampled": written["events_sampled"],
            "events_in_hazard": written["events_in_hazard"],
            "ruptures_in_model": written["ruptures_in_model"],
            "ruptures_occurring": written["ruptures_occurring"],
            "event_frequency_per_year": 1.0 / years,
        },
        "source_model": model.record,
        "gmpe_logic_tree": branches_record(inputs.branches, gmpe_logic_tree),
        "ground_motion": {
            **gm_record,
            "imts": list(inputs.imts),
            "vs30_m_s": vs30,
            "stored_values": written["stored_values"],
        },
        "site_condition": vs30_record(vs30),
        "exposure": {
            "assets": len(exposure),
            "sites": len(inputs.sites),
            "source": exposure.source,
            "currency": exposure.currency,
            "price_year": exposure.price_year,
            "unassigned_assets": risk.unassigned_assets,
            "assets_without_structural_function": inputs.unresolved_assets,
        },
        "models": {
            "vulnerability": "gem-central-asia (NRML) with "
            + ("GEM's mapping and the city's own rows" if inputs.own_mapping else "GEM's mapping"),
            "occupants_period": "night",
            "risk_mode": "mean loss ratios (vulnerability uncertainty not sampled)",
        },
        "units": {
            "aal": f"{a.money} per year",
            "loss": a.money,
            "fatalities": "people; expected_annual_fatalities in people per year",
            "return_period": "years",
        },
        "definitions": DEFINITIONS,
        "warnings": warnings,
        "data_licences": [GEM_LICENCE],
        "outputs": list(OUTPUTS),
        "timings_s": timings,
        "engine": f"kalkan {__version__}",
    }
    if model.record["shipped_regional_model"]:
        summary["data_licences"].append("Kalkan regional source model v1: rates from ISC-GEM v7.0, CC BY-SA 3.0")
    return summary


OUTPUTS = ("summary.json", "exceedance_curves.csv", "hazard/", "risk/", "exposure.csv", "taxonomy_mapping.csv")
"""What a city's event-based run writes."""
DEFINITIONS = {
    "occurrence": "event exceedance: return period 1 / (sum of the frequencies of the events with at "
    "least that loss), each event 1/T per year; the risk engine's curve, the same number as `risk show`, "
    "`risk future` and `risk combine` give",
    "aggregate": "the sum of the year's event losses; the k-th largest of T years has return period T/k",
    "annual_maximum": "the year's largest event loss; the k-th largest of T years has return period T/k "
    "(below the occurrence loss where a year holds several large events)",
    "event_rate_curve": "the same as occurrence (kept for earlier readers)",
    "loss_at_return_period": RULE,
    "standard_error": "standard deviation of the T annual totals / sqrt(T) (sampling error of the mean)",
}
"""The definitions of the curves, as the summary states them."""
