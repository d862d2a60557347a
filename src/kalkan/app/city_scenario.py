"""A baseline earthquake scenario for a city from its stored data: losses, fatalities and non-functional
critical facilities by district.

Steps (docs: the command's help and the ``assumptions`` of summary.json):

1. The city's stored building exposure (:func:`kalkan.store.city_data.load_exposure`) and facility
   registry (:func:`kalkan.store.city_data.load_facilities`; a city without facilities is run, and says so).
   Each facility is given the district of the nearest building asset, by equirectangular distance (exact
   enough within a city: the error against the great circle is far below the spacing of the assets).
2. The intensity measures are those of every GEM Central Asia function (structural, nonstructural, contents,
   occupants) that the buildings' and facilities' taxonomies resolve to; a taxonomy that resolves to none is
   counted and named in the summary, never silently dropped.
3. Sites: the unique locations of the building assets plus the facilities, with a uniform Vs30 of 400 m/s
   (an assumption: no site-condition model is used). Ground-motion fields from a named scenario's rupture
   (:func:`kalkan.app.earthquake.run_scenario`), written to ``DIR/hazard``.
4. Losses and fatalities of the buildings by the risk engine in memory (:func:`kalkan.app.risk.assess_and_write`,
   mean mode, night-time occupants), written to ``DIR/risk``; by district, the mean over events weighted by
   the event frequencies (realisation weight / number of fields; they sum to 1), from the assessment's losses by
   district.
5. Facilities: damage-state probabilities in each event from fragility functions derived from the GEM
   structural vulnerability functions (:mod:`kalkan.core.vulnerability.derived_fragility`: the beta-distributed
   loss ratio read in the HAZUS-MH damage-ratio bands), mixed with the taxonomy mapping's weights, at the
   facility's own site. A facility is non-functional in an event in damage state ``nonfunctional_from``
   (default 'extensive', HAZUS-MH's rule for essential facilities immediately after the event) or worse;
   its probability of that, weighted over events, is ``p_nonfunctional``, and the sum over a district's
   facilities the expected number of non-functional facilities.

Modelled effects: ground shaking only (:data:`~kalkan.app.modelled_effects.EARTHQUAKE_MODELLED_EFFECTS`);
the summary says so and, for a historical earthquake, gives the recorded toll with its source beside the
modelled one (:func:`~kalkan.app.modelled_effects.recorded_toll`).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from kalkan.app.earthquake import run_scenario, scenario_rupture
from kalkan.app.modelled_effects import EARTHQUAKE_MODELLED_EFFECTS, recorded_toll
from kalkan.app.risk import RiskRun, assess_and_write, load_hazards
from kalkan.app.taxonomy_mapping import full_mapping_rows, with_city_mapping, write_mapping
from kalkan.core.exposure.facilities import FacilityTable, to_exposure
from kalkan.core.exposure.table import Exposure
from kalkan.core.geodesy import EARTH_RADIUS_KM
from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, vs30_record
from kalkan.core.risk.assessment import Assessment
from kalkan.core.vulnerability.derived_fragility import (
    DAMAGE_STATES,
    HAZUS_DAMAGE_RATIOS,
    fragility_from_vulnerability,
)
from kalkan.core.vulnerability.fragility_set import exceedance_probabilities
from kalkan.core.vulnerability.functions import VulnerabilitySet
from kalkan.errors import InputError
from kalkan.io.exposure import write_exposure
from kalkan.io.hazard import hazard_provenance
from kalkan.io.results import atomic_output_dir, write_json
from kalkan.io.shipped_vulnerability import gem_central_asia
from kalkan.io.vulnerability_csv import TaxonomyMapping
from kalkan.store.city_data import load_exposure, load_facilities, load_mapping

ProgressCallback = Callable[[int, str], None]

DEFAULT_GMPES = ("BooreEtAl2014", "AkkarEtAlRjb2014", "CauzziEtAl2014")
"""The ground-motion models of `kalkan eq scenario` when none is given (equal weights)."""

VS30_M_S = DEFAULT_VS30_M_S
"""Vs30 (m/s) of every site: Kalkan's one default (kalkan.core.hazard.earthquake.site), stated in the summary."""
LOSS_TYPES = ("structural", "nonstructural", "contents", "occupants")
COSTS = ("structural", "nonstructural", "contents")
DISTRICT_COLUMNS = (
    "district", "assets", "buildings", "mean_loss_structural_usd", "mean_loss_nonstructural_usd",
    "mean_loss_contents_usd", "mean_loss_total_usd", "mean_fatalities_people", "facilities",
    "expected_nonfunctional_facilities",
)  # fmt: skip
FACILITY_COLUMNS = (
    "id", "name", "type", "district", "illustrative", "taxonomy", "mean_structural_loss_ratio", "p_none",
    "p_slight", "p_moderate", "p_extensive", "p_complete", "p_nonfunctional",
)  # fmt: skip
OUTPUTS = (
    "by_district.csv",
    "facilities.csv",
    "summary.json",
    "hazard/",
    "risk/",
    "exposure.csv",
    "taxonomy_mapping.csv",
)
GEM_LICENCE = (
    "GEM Global Exposure Model and GEM Global Vulnerability Model for Central Asia: CC BY-NC-SA 4.0, "
    "non-commercial use only (Martins & Silva 2023, doi:10.5281/zenodo.8391742)"
)


def _km_between(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> NDArray[np.float64]:
    """Equirectangular distance, km (broadcasting)."""
    lat_m = np.radians((np.asarray(lat1) + np.asarray(lat2)) / 2.0)
    dx = np.radians(np.asarray(lon2) - np.asarray(lon1)) * np.cos(lat_m)
    dy = np.radians(np.asarray(lat2) - np.asarray(lat1))
    return np.asarray(EARTH_RADIUS_KM * np.hypot(dx, dy), dtype=np.float64)


def nearest_district(
    lon: NDArray[np.float64], lat: NDArray[np.float64], asset_lon: NDArray[np.float64],
    asset_lat: NDArray[np.float64], district: NDArray[Any],
) -> list[str]:  # fmt: skip
    """The district of the nearest building asset of each point (equirectangular distance)."""
    out = []
    for x, y in zip(lon, lat, strict=True):
        k = int(np.argmin(_km_between(x, y, asset_lon, asset_lat)))
        out.append(str(district[k]))
    return out


def resolve_imts(vset: Any, taxonomies: set[str]) -> tuple[set[str], dict[str, list[str]]]:
    """The IMTs of the functions the taxonomies resolve to, and the unresolved taxonomies by loss type."""
    imts: set[str] = set()
    unresolved: dict[str, list[str]] = {}
    for lt in LOSS_TYPES:
        for tax in sorted(taxonomies):
            entries = vset.resolve(lt, tax)
            if entries is None:
                unresolved.setdefault(lt, []).append(tax)
                continue
            imts.update(vset.functions[fid].imt for fid, _ in entries)
    return imts, unresolved


def _hazard_name(imt: str) -> str:
    return imt.replace("(", "_").replace(")", "")


def facility_loss_ratios(vset: Any, taxonomy: str, hazards: dict[str, Any], site: int) -> NDArray[np.float64] | None:
    """Mean structural loss ratio of a facility in every event (None when its taxonomy is unmapped)."""
    entries = vset.resolve("structural", taxonomy)
    if entries is None:
        return None
    total = None
    for fid, weight in entries:
        fn = vset.functions[fid]
        x = np.asarray(hazards[fn.imt].intensity[:, site].toarray()).ravel()
        part = weight * fn.mean_loss_ratio(x)
        total = part if total is None else total + part
    assert total is not None
    return np.asarray(total, dtype=np.float64)


def facility_exceedance(
    vset: Any, taxonomy: str, hazards: dict[str, Any], site: int, cache: dict[str, Any]
) -> NDArray[np.float64] | None:
    """P(DS >= k) of a facility in every event, shape (events, 4 damage states), from the fragility derived
    from each structural function its taxonomy maps to, mixed by the mapping's weights (None: unmapped).
    ``cache`` keeps the derived fragility functions by function id."""
    entries = vset.resolve("structural", taxonomy)
    if entries is None:
        return None
    total: NDArray[np.float64] | None = None
    for fid, weight in entries:
        if fid not in cache:
            cache[fid] = fragility_from_vulnerability(vset.functions[fid])
        frag = cache[fid]
        x = np.asarray(hazards[frag.imt].intensity[:, site].toarray()).ravel()
        part = weight * exceedance_probabilities(frag, x)
        total = part if total is None else total + part
    return total


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


@dataclass(frozen=True, slots=True)
class ScenarioInputs:
    """What a city scenario computes on: the stored buildings and facilities (as an exposure, with the district
    of each facility), the rupture and its record, the GMPE branches, the GEM set with the city's mapping, the
    IMTs, the unresolved taxonomies, and the sites (unique asset and facility locations, facility site index)."""

    exposure: Exposure
    facilities: FacilityTable
    facility_exposure: Exposure
    building_district: NDArray[np.object_]
    facility_district: list[str]
    rupture: Any
    info: dict[str, Any]
    branches: list[GmpeBranch]
    own_mapping: TaxonomyMapping | None
    vulnerability: VulnerabilitySet
    imts: list[str]
    unresolved: dict[str, list[str]]
    site_lon: NDArray[np.float64]
    site_lat: NDArray[np.float64]
    facility_site: NDArray[np.intp]


def scenario_inputs(
    session: Session, city_id: str, *, scenario: str | None, rupture_options: dict[str, Any] | None,
    gmpes: list[str] | None,
) -> ScenarioInputs:  # fmt: skip
    """Load and check what :func:`run_city_scenario` needs from the store, the scenario and the shipped models."""
    exposure = load_exposure(session, city_id)
    facilities = load_facilities(session, city_id)
    if (scenario is None) == (not rupture_options):
        raise InputError(
            "Give a named scenario (see `kalkan eq scenarios`) or a rupture (an ISC-GEM event with its mechanism, "
            "or magnitude, lon, lat, depth, strike, dip and rake), not both.",
            code="input.options",
            field="--scenario",
        )
    rupture, info = scenario_rupture(scenario, **(rupture_options or {}))
    names = list(gmpes or DEFAULT_GMPES)
    fac_exp = to_exposure(facilities)
    assert exposure.district is not None
    b_district = np.array([str(d) for d in exposure.district], dtype=object)
    own_mapping = load_mapping(session, city_id)
    vset = with_city_mapping(gem_central_asia(), own_mapping)
    imts, unresolved = resolve_imts(vset, {str(t) for t in exposure.taxonomy} | {str(t) for t in fac_exp.taxonomy})
    if not imts:
        raise InputError(f"None of {city_id}'s taxonomies resolves to a GEM Central Asia function.",
                         code="input.unknown", field="taxonomy")  # fmt: skip
    pts = np.round(np.column_stack([np.concatenate([exposure.lon, fac_exp.lon]),
                                    np.concatenate([exposure.lat, fac_exp.lat])]), 6)  # fmt: skip
    uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    return ScenarioInputs(
        exposure=exposure, facilities=facilities, facility_exposure=fac_exp, building_district=b_district,
        facility_district=nearest_district(fac_exp.lon, fac_exp.lat, exposure.lon, exposure.lat, b_district),
        rupture=rupture, info=info, branches=[GmpeBranch(name, 1.0 / len(names)) for name in names],
        own_mapping=own_mapping, vulnerability=vset, imts=sorted(imts), unresolved=unresolved,
        site_lon=uniq[:, 0].copy(), site_lat=uniq[:, 1].copy(), facility_site=inverse[len(exposure) :],
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class CityScenario:
    """The result of :func:`run_city_scenario`: the city's totals (money in ``money``, mean over events; people;
    expected non-functional facilities), the rows of ``by_district.csv`` and ``facilities.csv``, and the summary
    document (``summary.json``, :meth:`as_dict`)."""

    city_id: str
    money: str
    mean_loss_total: float
    mean_fatalities_people: float
    expected_nonfunctional_facilities: float
    events: int
    districts: tuple[dict[str, Any], ...]
    facilities: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    document: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The summary as written to ``summary.json`` (and printed by ``--json``)."""
        return dict(self.document)


def run_city_scenario(
    session: Session,
    city_id: str,
    out_dir: Path,
    *,
    scenario: str | None = None,
    rupture_options: dict[str, Any] | None = None,
    n_fields: int = 20,
    seed: int = 42,
    gmpes: list[str] | None = None,
    correlation: str | None = None,
    nonfunctional_from: str = "extensive",
    on_progress: ProgressCallback | None = None,
) -> CityScenario:
    """Run the scenario for the city and write DIR/{by_district.csv, facilities.csv, summary.json, hazard/, risk/,
    exposure.csv, taxonomy_mapping.csv} atomically; returns the result (see the module docstring).

    ``scenario`` names a shipped scenario; otherwise ``rupture_options`` are the keyword arguments of
    :func:`kalkan.app.earthquake.scenario_rupture` (``catalogue_event`` or ``mag``, ``lon``, ``lat``,
    ``depth_km``, with ``strike``, ``dip``, ``rake``); results of a hypothetical rupture say HYPOTHETICAL.
    """

    def progress(p: int, message: str) -> None:
        if on_progress is not None:
            on_progress(p, message)

    if nonfunctional_from not in DAMAGE_STATES:
        raise InputError(
            f"Unknown damage state {nonfunctional_from!r} for non-functional facilities; expected one of "
            f"{', '.join(DAMAGE_STATES)}.",
            code="input.unknown",
            field="--nonfunctional-from",
        )
    if n_fields < 1:
        raise InputError("The number of ground-motion fields must be at least 1.", code="input.range", field="--n")
    inputs = scenario_inputs(session, city_id, scenario=scenario, rupture_options=rupture_options, gmpes=gmpes)
    with atomic_output_dir(Path(out_dir)) as tmp:
        progress(0, "ground-motion fields")
        hz_summary = run_scenario(
            tmp / "hazard", rupture=inputs.rupture, rupture_info=inputs.info, branches=inputs.branches,
            site_lon=inputs.site_lon, site_lat=inputs.site_lat,
            sites_source=f"{city_id}: stored building assets and facilities", vs30=VS30_M_S, imts=inputs.imts,
            n_fields=n_fields, seed=seed, correlation=correlation, on_progress=lambda p, m: progress(int(p * 0.5), m),
        )  # fmt: skip
        hazard_paths = [tmp / "hazard" / f"hazard_{_hazard_name(imt)}.npz" for imt in inputs.imts]
        hazards = load_hazards(hazard_paths)
        write_exposure(inputs.exposure, tmp / "exposure.csv")
        progress(50, "losses and fatalities")
        # The GEM models with the mapping in use (GEM's, plus the city's own rows), written for reproduction.
        write_mapping(full_mapping_rows(inputs.own_mapping), tmp / "taxonomy_mapping.csv")
        risk = assess_and_write(
            hazards, inputs.exposure, inputs.vulnerability, tmp / "risk", max_distance_km=1.0,
            occupants_period="night", provenance={str(p): hazard_provenance(p) for p in hazard_paths},
            on_progress=lambda p, m: progress(50 + int(p * 0.4), m), atomic=False,
        )  # fmt: skip
        progress(90, "facilities")
        by_imt = dict(zip(inputs.imts, hazards, strict=True))
        districts = sorted(set(inputs.building_district.tolist()) | set(inputs.facility_district))
        fac_rows, expected_nf, n_fac = facility_rows(inputs, by_imt, districts, DAMAGE_STATES.index(nonfunctional_from))
        assert risk.assessment is not None
        rows = district_rows(inputs, risk.assessment, districts, expected_nf, n_fac)
        _write_csv(tmp / "by_district.csv", DISTRICT_COLUMNS, rows)
        _write_csv(tmp / "facilities.csv", FACILITY_COLUMNS, fac_rows)
        summary = scenario_summary(city_id, inputs, risk, rows, expected_nf, hz_summary,
                                   n_fields=n_fields, seed=seed, correlation=correlation,
                                   nonfunctional_from=nonfunctional_from)  # fmt: skip
        write_json(tmp / "summary.json", summary)
        progress(100, "done")
    totals = summary["totals"]
    return CityScenario(
        city_id=city_id, money=summary["units"]["loss"], mean_loss_total=totals["mean_loss_total_usd"],
        mean_fatalities_people=totals["mean_fatalities_people"],
        expected_nonfunctional_facilities=totals["expected_nonfunctional_facilities"], events=summary["events"],
        districts=tuple(rows), facilities=tuple(fac_rows), warnings=tuple(summary["warnings"]), document=summary,
    )  # fmt: skip


def district_means(assessment: Assessment, districts: list[str]) -> dict[str, NDArray[np.float64]]:
    """Mean loss over events (weighted by their frequencies: realisation weight / number of fields) of each
    district, by loss type, from the assessment's losses by district."""
    b = assessment.breakdown
    assert b is not None
    freq = np.asarray(assessment.frequency_per_year, dtype=np.float64)
    event_index = {int(e): i for i, e in enumerate(assessment.event_id)}
    d_index = {d: i for i, d in enumerate(districts)}
    means = {lt: np.zeros(len(districts)) for lt in LOSS_TYPES}
    for e, dim, bucket, lt, loss in zip(b.event_id.tolist(), b.dimension.tolist(), b.bucket.tolist(),
                                        b.loss_type.tolist(), b.loss.tolist(), strict=True):  # fmt: skip
        if dim == "district" and lt in means:
            means[lt][d_index[str(bucket)]] += freq[event_index[int(e)]] * float(loss)
    return means


def facility_rows(
    inputs: ScenarioInputs, hazards: dict[str, Any], districts: list[str], nf_level: int
) -> tuple[list[dict[str, Any]], NDArray[np.float64], NDArray[np.int64]]:
    """One row per facility (mean structural loss ratio, damage-state probabilities, P(non-functional)); the
    expected number of non-functional facilities and the number of facilities of each district."""
    facilities, fac_exp, vset = inputs.facilities, inputs.facility_exposure, inputs.vulnerability
    freq = np.asarray(hazards[inputs.imts[0]].frequency, dtype=np.float64)
    d_index = {d: i for i, d in enumerate(districts)}
    fac_rows: list[dict[str, Any]] = []
    expected_nf = np.zeros(len(districts))
    n_fac = np.zeros(len(districts), dtype=np.int64)
    frag_cache: dict[str, Any] = {}
    for k in range(len(facilities)):
        tax = str(fac_exp.taxonomy[k])
        site = int(inputs.facility_site[k])
        lr = facility_loss_ratios(vset, tax, hazards, site)
        poe = facility_exceedance(vset, tax, hazards, site, frag_cache)
        d = d_index[inputs.facility_district[k]]
        n_fac[d] += 1
        if lr is None or poe is None:
            mean_lr, p_nf = math.nan, math.nan
            p_ds = [math.nan] * (len(DAMAGE_STATES) + 1)
        else:
            mean_lr = float(freq @ lr)
            mean_poe = freq @ poe  # P(DS >= k), weighted over events
            p_ds = [float(v) for v in np.concatenate([[1.0], mean_poe]) - np.concatenate([mean_poe, [0.0]])]
            p_nf = float(mean_poe[nf_level])
            expected_nf[d] += p_nf
        fac_rows.append({
            "id": str(facilities.id[k]), "name": str(facilities.name[k]), "type": str(facilities.type[k]),
            "district": inputs.facility_district[k], "illustrative": bool(facilities.illustrative[k]), "taxonomy": tax,
            "mean_structural_loss_ratio": mean_lr,
            **{f"p_{name}": p_ds[i] for i, name in enumerate(("none", *DAMAGE_STATES))},
            "p_nonfunctional": p_nf,
        })  # fmt: skip
    return fac_rows, expected_nf, n_fac


def district_rows(
    inputs: ScenarioInputs, assessment: Assessment, districts: list[str], expected_nf: NDArray[np.float64],
    n_fac: NDArray[np.int64],
) -> list[dict[str, Any]]:  # fmt: skip
    """The rows of ``by_district.csv``, the largest mean total loss first."""
    means = district_means(assessment, districts)
    exposure, b_district = inputs.exposure, inputs.building_district
    assets = np.array([int((b_district == name).sum()) for name in districts])
    number = np.nan_to_num(np.asarray(exposure.number, dtype=np.float64)) if exposure.number is not None else None
    rows: list[dict[str, Any]] = []
    for i, name in enumerate(districts):
        money = sum(float(means[c][i]) for c in COSTS)
        rows.append({
            "district": name, "assets": int(assets[i]),
            "buildings": float(number[b_district == name].sum()) if number is not None else math.nan,
            "mean_loss_structural_usd": float(means["structural"][i]),
            "mean_loss_nonstructural_usd": float(means["nonstructural"][i]),
            "mean_loss_contents_usd": float(means["contents"][i]), "mean_loss_total_usd": money,
            "mean_fatalities_people": float(means["occupants"][i]), "facilities": int(n_fac[i]),
            "expected_nonfunctional_facilities": float(expected_nf[i]),
        })  # fmt: skip
    rows.sort(key=lambda r: (-r["mean_loss_total_usd"], r["district"]))
    return rows


def _assumptions(info: dict[str, Any], nonfunctional_from: str, illustrative: bool) -> list[str]:
    """What the scenario assumes, in words, as the summary states it."""
    assumptions = [
        f"modelled effects: {EARTHQUAKE_MODELLED_EFFECTS}; the fatalities are those of building damage from "
        "shaking in the city's own buildings",
        f"uniform Vs30 {VS30_M_S:g} m/s at every site (inferred; no site-condition model)",
        f"a facility is non-functional in an event in damage state '{nonfunctional_from}' or worse; damage-state "
        "probabilities from fragility derived from the GEM structural vulnerability functions (beta loss ratio "
        f"in the HAZUS-MH damage-ratio bands {HAZUS_DAMAGE_RATIOS}, thresholds at the midpoints; Kalkan's "
        "derivation, because GEM's fragility functions are not available offline)",
        "a facility's district is that of the nearest building asset (equirectangular distance)",
        "event weights: ground-motion model weight / number of fields (they sum to 1)",
        "building losses by the risk engine in mean mode; fatalities of night-time occupants",
        "facilities are assessed for functionality only; their losses are not added to the buildings'",
    ]
    if info.get("hypothetical"):
        assumptions.insert(0, f"the earthquake is HYPOTHETICAL (a stress test, not a historical event): "
                           f"{info.get('basis', 'a rupture given by the user')}")  # fmt: skip
    if illustrative:
        assumptions.append("the facilities are ILLUSTRATIVE (invented for demonstration), not a real registry")
    return assumptions


def scenario_summary(
    city_id: str, inputs: ScenarioInputs, risk: RiskRun, rows: list[dict[str, Any]], expected_nf: NDArray[np.float64],
    hz_summary: dict[str, Any], *, n_fields: int, seed: int, correlation: str | None, nonfunctional_from: str,
) -> dict[str, Any]:  # fmt: skip
    """The summary document of a city scenario (``summary.json``)."""
    exposure, facilities, info = inputs.exposure, inputs.facilities, inputs.info
    assessment = risk.assessment
    assert assessment is not None
    currency, year = exposure.currency, exposure.price_year
    illustrative = bool(len(facilities)) and bool(facilities.illustrative.all())
    centre_lon, centre_lat = float(np.mean(exposure.lon)), float(np.mean(exposure.lat))
    epi_km = float(_km_between(float(info["lon"]), float(info["lat"]), centre_lon, centre_lat))
    unresolved_assets = int(np.isin(exposure.taxonomy.astype(str), inputs.unresolved.get("structural", [])).sum())
    unresolved_facilities = [
        str(facilities.id[k])
        for k in range(len(facilities))
        if inputs.vulnerability.resolve("structural", str(inputs.facility_exposure.taxonomy[k])) is None
    ]
    return {
        "city": city_id,
        "scenario": {**info, "epicentre_to_exposure_centre_km": round(epi_km, 2)},
        "models": {
            "ground_motion": {b.label: b.weight for b in inputs.branches},
            "vulnerability": "gem-central-asia",
            "taxonomy_mapping": "GEM's, with the city's own rows" if inputs.own_mapping else "GEM's",
            "facility_fragility": {
                "method": "derived from gem-central-asia structural vulnerability (loss-ratio bands)",
                "damage_states": list(DAMAGE_STATES),
                "damage_ratios": list(HAZUS_DAMAGE_RATIOS),
                "nonfunctional_from": nonfunctional_from,
            },
            "imts": list(inputs.imts),
            "correlation": correlation,
            "truncation_sd": 3.0,
        },
        "site_condition": vs30_record(VS30_M_S),
        "n_fields": n_fields,
        "events": assessment.n_events,
        "seed": seed,
        "exposure": {
            "assets": len(exposure),
            "source": exposure.source,
            "currency": currency,
            "price_year": year,
            "sites": int(inputs.site_lon.size),
        },
        "facilities": {
            "count": len(facilities),
            "illustrative": int(facilities.illustrative.sum()),
            "all_illustrative": illustrative,
            "note": None if len(facilities) else f"{city_id} has no stored facilities; none assessed.",
        },
        "modelled_effects": EARTHQUAKE_MODELLED_EFFECTS,
        "recorded_toll": recorded_toll(info),
        "totals": {
            "mean_loss_structural_usd": float(sum(r["mean_loss_structural_usd"] for r in rows)),
            "mean_loss_nonstructural_usd": float(sum(r["mean_loss_nonstructural_usd"] for r in rows)),
            "mean_loss_contents_usd": float(sum(r["mean_loss_contents_usd"] for r in rows)),
            "mean_loss_total_usd": float(sum(r["mean_loss_total_usd"] for r in rows)),
            "mean_fatalities_people": float(sum(r["mean_fatalities_people"] for r in rows)),
            "expected_nonfunctional_facilities": float(expected_nf.sum()),
        },
        "risk_engine": {
            "average_event_loss": None if assessment.scenario is None else assessment.scenario.average_event_loss,
            "unassigned_assets": risk.unassigned_assets,
        },
        "unresolved_taxonomies": {
            "by_loss_type": inputs.unresolved,
            "building_assets_without_structural_function": unresolved_assets,
            "facilities_without_structural_function": unresolved_facilities,
        },
        "units": {
            "loss": f"{currency} of {year} (mean over events)" if year else f"{currency} (mean over events)",
            "fatalities": "people (mean over events, night-time occupants; ground shaking only)",
            "facilities": "number of facilities (expected non-functional)",
            "loss_ratio": "fraction of replacement cost (0-1)",
            "distance": "km",
        },
        "assumptions": _assumptions(info, nonfunctional_from, illustrative),
        "data_licences": [GEM_LICENCE, "ISC-GEM catalogue v7.0: CC BY-SA 3.0 (scenario events)"],
        "warnings": hz_summary["warnings"],
        "outputs": list(OUTPUTS),
    }
