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
4. Losses and fatalities of the buildings by the risk engine (:func:`kalkan.app.risk.run_assessment`,
   mean mode, night-time occupants), written to ``DIR/risk``; by district, the mean over events weighted by
   the event frequencies (realisation weight / number of fields; they sum to 1).
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
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from kalkan.app.modelled_effects import EARTHQUAKE_MODELLED_EFFECTS, recorded_toll
from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, vs30_record
from kalkan.errors import InputError

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
    return np.asarray(6371.0 * np.hypot(dx, dy), dtype=np.float64)


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


def _resolve_imts(vset: Any, taxonomies: set[str]) -> tuple[set[str], dict[str, list[str]]]:
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
    from kalkan.core.vulnerability.derived_fragility import fragility_from_vulnerability
    from kalkan.core.vulnerability.fragility_set import exceedance_probabilities

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
) -> dict[str, Any]:
    """Run the scenario for the city and write DIR/{by_district.csv, facilities.csv, summary.json, hazard/, risk/,
    exposure.csv} atomically; returns the summary (see the module docstring).

    ``scenario`` names a shipped scenario; otherwise ``rupture_options`` are the keyword arguments of
    :func:`kalkan.app.earthquake.scenario_rupture` (``catalogue_event`` or ``mag``, ``lon``, ``lat``,
    ``depth_km``, with ``strike``, ``dip``, ``rake``); results of a hypothetical rupture say HYPOTHETICAL.
    """
    import pyarrow.parquet as pq

    from kalkan.app.earthquake import Branch, run_scenario, scenario_rupture
    from kalkan.app.risk import run_assessment
    from kalkan.app.taxonomy_mapping import full_mapping_rows, with_city_mapping, write_mapping
    from kalkan.catalog.sources import data_root
    from kalkan.core.exposure.facilities import to_exposure
    from kalkan.core.vulnerability.library import GEM_CENTRAL_ASIA_DIR, GEM_CENTRAL_ASIA_FILES, gem_central_asia
    from kalkan.io.exposure import write_exposure
    from kalkan.io.hazard import load_hazard
    from kalkan.io.results import atomic_output_dir, write_json
    from kalkan.store.city_data import load_exposure, load_facilities, load_mapping

    def progress(p: int, message: str) -> None:
        if on_progress is not None:
            on_progress(p, message)

    from kalkan.core.vulnerability.derived_fragility import DAMAGE_STATES, HAZUS_DAMAGE_RATIOS

    if nonfunctional_from not in DAMAGE_STATES:
        raise InputError(
            f"Unknown damage state {nonfunctional_from!r} for non-functional facilities; expected one of "
            f"{', '.join(DAMAGE_STATES)}."
        )
    nf_level = DAMAGE_STATES.index(nonfunctional_from)
    if n_fields < 1:
        raise InputError("The number of ground-motion fields must be at least 1.")
    exposure = load_exposure(session, city_id)
    facilities = load_facilities(session, city_id)
    if (scenario is None) == (not rupture_options):
        raise InputError(
            "Give a named scenario (see `kalkan eq scenarios`) or a rupture (an ISC-GEM event with its mechanism, "
            "or magnitude, lon, lat, depth, strike, dip and rake), not both."
        )
    rupture, info = scenario_rupture(scenario, **(rupture_options or {}))
    names = list(gmpes or DEFAULT_GMPES)
    branches = [Branch(name, 1.0 / len(names)) for name in names]
    fac_exp = to_exposure(facilities)
    assert exposure.district is not None
    b_district = np.array([str(d) for d in exposure.district], dtype=object)
    f_district = nearest_district(fac_exp.lon, fac_exp.lat, exposure.lon, exposure.lat, b_district)

    own_mapping = load_mapping(session, city_id)
    vset = with_city_mapping(gem_central_asia(), own_mapping)
    b_tax = {str(t) for t in exposure.taxonomy}
    f_tax = {str(t) for t in fac_exp.taxonomy}
    imts, unresolved = _resolve_imts(vset, b_tax | f_tax)
    if not imts:
        raise InputError(f"None of {city_id}'s taxonomies resolves to a GEM Central Asia function.")
    unresolved_assets = int(np.isin(exposure.taxonomy.astype(str), unresolved.get("structural", [])).sum())
    unresolved_facilities = [
        str(facilities.id[k])
        for k in range(len(facilities))
        if vset.resolve("structural", str(fac_exp.taxonomy[k])) is None
    ]

    pts = np.round(np.column_stack([np.concatenate([exposure.lon, fac_exp.lon]),
                                    np.concatenate([exposure.lat, fac_exp.lat])]), 6)  # fmt: skip
    uniq, inverse = np.unique(pts, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    site_lon, site_lat = uniq[:, 0].copy(), uniq[:, 1].copy()
    f_site = inverse[len(exposure) :]
    centre_lon, centre_lat = float(np.mean(exposure.lon)), float(np.mean(exposure.lat))
    epi_km = float(_km_between(float(info["lon"]), float(info["lat"]), centre_lon, centre_lat))
    imt_list = sorted(imts)

    with atomic_output_dir(Path(out_dir)) as tmp:
        progress(0, "ground-motion fields")
        hz_summary = run_scenario(
            tmp / "hazard", rupture=rupture, rupture_info=info, branches=branches, site_lon=site_lon,
            site_lat=site_lat, sites_source=f"{city_id}: stored building assets and facilities", vs30=VS30_M_S,
            imts=imt_list, n_fields=n_fields, seed=seed, correlation=correlation,
            on_progress=lambda p, m: progress(int(p * 0.5), m),
        )  # fmt: skip
        hazard_paths = [tmp / "hazard" / f"hazard_{_hazard_name(imt)}.npz" for imt in imt_list]
        exposure_path = write_exposure(exposure, tmp / "exposure.csv")
        progress(50, "losses and fatalities")
        # The GEM models with the mapping in use (GEM's, plus the city's own rows), written for reproduction.
        mapping_path = write_mapping(full_mapping_rows(own_mapping), tmp / "taxonomy_mapping.csv")
        gem_dir = data_root() / GEM_CENTRAL_ASIA_DIR
        risk = run_assessment(
            hazard_paths, exposure_path, [gem_dir / f for f in GEM_CENTRAL_ASIA_FILES], tmp / "risk",
            taxonomy_mapping=mapping_path, max_distance_km=1.0, occupants_period="night",
            on_progress=lambda p, m: progress(50 + int(p * 0.4), m),
        )  # fmt: skip
        progress(90, "facilities")
        hazards = {imt: load_hazard(p) for imt, p in zip(imt_list, hazard_paths, strict=True)}
        first = hazards[imt_list[0]]
        freq = np.asarray(first.frequency, dtype=np.float64)
        event_index = {int(e): i for i, e in enumerate(first.event_id)}

        long = pq.read_table(tmp / "risk" / "event_losses_by.parquet").to_pydict()
        districts = sorted(set(b_district.tolist()) | set(f_district))
        d_index = {d: i for i, d in enumerate(districts)}
        means = {lt: np.zeros(len(districts)) for lt in LOSS_TYPES}
        for e, dim, bucket, lt, loss in zip(long["event_id"], long["dimension"], long["bucket"], long["loss_type"],
                                            long["loss"], strict=True):  # fmt: skip
            if dim == "district" and lt in means:
                means[lt][d_index[str(bucket)]] += freq[event_index[int(e)]] * float(loss)

        fac_rows: list[dict[str, Any]] = []
        expected_nf = np.zeros(len(districts))
        n_fac = np.zeros(len(districts), dtype=np.int64)
        frag_cache: dict[str, Any] = {}
        for k in range(len(facilities)):
            tax = str(fac_exp.taxonomy[k])
            lr = facility_loss_ratios(vset, tax, hazards, int(f_site[k]))
            poe = facility_exceedance(vset, tax, hazards, int(f_site[k]), frag_cache)
            d = d_index[f_district[k]]
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
                "district": f_district[k], "illustrative": bool(facilities.illustrative[k]), "taxonomy": tax,
                "mean_structural_loss_ratio": mean_lr,
                **{f"p_{name}": p_ds[i] for i, name in enumerate(("none", *DAMAGE_STATES))},
                "p_nonfunctional": p_nf,
            })  # fmt: skip

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
        _write_csv(tmp / "by_district.csv", DISTRICT_COLUMNS, rows)
        _write_csv(tmp / "facilities.csv", FACILITY_COLUMNS, fac_rows)

        currency = exposure.currency
        year = exposure.price_year
        illustrative = bool(len(facilities)) and bool(facilities.illustrative.all())
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
        summary: dict[str, Any] = {
            "city": city_id,
            "scenario": {**info, "epicentre_to_exposure_centre_km": round(epi_km, 2)},
            "models": {
                "ground_motion": {b.label: b.weight for b in branches},
                "vulnerability": "gem-central-asia",
                "taxonomy_mapping": "GEM's, with the city's own rows" if own_mapping else "GEM's",
                "facility_fragility": {
                    "method": "derived from gem-central-asia structural vulnerability (loss-ratio bands)",
                    "damage_states": list(DAMAGE_STATES),
                    "damage_ratios": list(HAZUS_DAMAGE_RATIOS),
                    "nonfunctional_from": nonfunctional_from,
                },
                "imts": imt_list,
                "correlation": correlation,
                "truncation_sd": 3.0,
            },
            "site_condition": vs30_record(VS30_M_S),
            "n_fields": n_fields,
            "events": int(first.n_events),
            "seed": seed,
            "exposure": {
                "assets": len(exposure),
                "source": exposure.source,
                "currency": currency,
                "price_year": year,
                "sites": int(site_lon.size),
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
                "average_event_loss": risk.get("scenario", {}).get("average_event_loss"),
                "unassigned_assets": risk["unassigned"]["count"],
            },
            "unresolved_taxonomies": {
                "by_loss_type": unresolved,
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
            "assumptions": assumptions,
            "data_licences": [GEM_LICENCE, "ISC-GEM catalogue v7.0: CC BY-SA 3.0 (scenario events)"],
            "warnings": hz_summary["warnings"],
            "outputs": list(OUTPUTS),
        }
        write_json(tmp / "summary.json", summary)
        progress(100, "done")
    return summary
