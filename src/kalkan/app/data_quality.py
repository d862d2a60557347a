"""A data-quality report for one city: what is stored, what is missing, what is assumed, what cannot be modelled.

:func:`city_quality` reads the city's stored exposure and facility registry (it changes nothing) and reports

* ``exposure``: coverage of the assets by the city's outline (:func:`kalkan.app.city_outline.city_outline`)
  and by its country (count, ids and share of value outside each), missing values per field, totals against the
  source they were built from (GEM Adm1 files: to the cent), and what is spread or assumed: for an exposure
  built from GEM admin-1 totals, every location (spread uniformly over the outline) and every value (GEM's
  estimates); for an imported one, the fields the file leaves missing;
* ``vulnerability``: for each of the city's main hazards, the model Kalkan uses (see :data:`PERIL_MODELS`) and,
  per loss type, how many assets (and how much of their value) have a taxonomy that resolves to a function;
  a hazard without a model is reported as a gap;
* ``facilities``: illustrative records, missing optional fields, facilities outside the outline or the country,
  stale inspections and construction classes without an earthquake vulnerability function;
* ``summary``: the findings in words.

Gaps are findings, not errors: the report is produced whatever it finds. See docs/data-quality.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from kalkan.app.city_outline import CityOutline, city_outline
from kalkan.app.taxonomy_mapping import city_vulnerability
from kalkan.core.exposure.table import OCCUPANT_PERIODS
from kalkan.core.geometry import distance_outside_km, near_edge, points_in_geojson
from kalkan.core.vulnerability.functions import VulnerabilitySet
from kalkan.core.vulnerability.jrc import FLOOD_PERILS, occupancy_sector
from kalkan.io.countries import CountryOutline, country_outline
from kalkan.io.gem_exposure import admin1_rows, shipped_gem_taxonomies
from kalkan.io.shipped_vulnerability import gem_central_asia, jrc_flood_asia
from kalkan.store.city_data import STORED_COSTS, current_exposure_set, current_facility_version_id, load_mapping
from kalkan.store.models import ExposureAsset, ExposureSet, FacilityRecord
from kalkan.store.registry import get_city


def _jrc_flood_asia(taxonomies: Iterable[str] = ()) -> VulnerabilitySet:
    """JRC curves for the shipped GEM taxonomies and every given one with an occupancy suffix (RES, COM, IND):
    the curves map by occupancy alone, so a city's own class strings ending in one resolve too."""
    return jrc_flood_asia([*shipped_gem_taxonomies(), *(t for t in taxonomies if occupancy_sector(t))])


def _gem_central_asia(taxonomies: Iterable[str] = ()) -> VulnerabilitySet:
    """The GEM set (its own mapping decides; ``taxonomies`` is accepted for the loaders' common signature)."""
    return gem_central_asia()


PERIL_MODELS: dict[str, tuple[str, Callable[[Iterable[str]], VulnerabilitySet]]] = {
    "earthquake": (
        "GEM Global Vulnerability Model, Central Asia v2023.1.0 (Martins & Silva 2023; CC BY-NC-SA 4.0)",
        _gem_central_asia,
    ),
    **{
        peril: (
            "JRC global flood depth-damage curves, Asia (Huizinga et al. 2017), mapped by occupancy",
            _jrc_flood_asia,
        )
        for peril in FLOOD_PERILS
    },
}
"""Peril (as in a city's ``main_hazards``) -> (description of the vulnerability model, loader of its set for the
given taxonomies)."""

EARTHQUAKE = "earthquake"
MAX_LISTED = 20
EDGE_TOLERANCE_DEG = 1e-5
"""Points this close to the outline's edge (degrees, about 1 m) count as inside: the GEM grid stores its cells
rounded to 5 decimals, which can put a cell on the edge just outside."""
"""Most ids listed per finding (asset ids outside the outline)."""
STALE_INSPECTION_YEARS = 5
FACILITY_OPTIONAL_FIELDS = ("capacity", "year_built", "condition", "last_inspection", "responsible_agency")
ASSET_FIELDS = (
    "number",
    *(f"cost_{c}" for c in STORED_COSTS),
    *(f"occupants_{p}" for p in OCCUPANT_PERIODS),
    "district",
    "occupancy",
)
"""Asset fields whose missing values are counted (all but id, location and taxonomy, which are required)."""


# --- geometry -----------------------------------------------------------------------------------------------


def _inside(geometry: dict[str, Any], lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
    inside = points_in_geojson(geometry, lon, lat)
    out = np.flatnonzero(~inside)
    if out.size:
        inside[out] = near_edge(geometry, lon[out], lat[out], EDGE_TOLERANCE_DEG)
    return inside


def _value_share(value: NDArray[np.float64], mask: NDArray[np.bool_]) -> float | None:
    total = float(value.sum())
    return float(value[mask].sum()) / total if total > 0 else None


def _outside_country(
    country: CountryOutline | None, ids: list[Any], lon: NDArray[np.float64], lat: NDArray[np.float64],
    value: NDArray[np.float64], value_unit: str,
) -> dict[str, Any]:  # fmt: skip
    """Points outside the country's Natural Earth outline: count, ids, share of points and of value, and how far."""
    if country is None:
        return {"available": False, "reason": "no outline of the city's country on file"}
    off = distance_outside_km(country.geometry, lon, lat)
    outside = off > 0
    n = len(ids)
    return {
        "available": True,
        "country_iso3": country.iso3,
        "outline": country.source,
        "n_outside": int(outside.sum()),
        "share_of_points": float(outside.sum()) / n if n else None,
        "share_of_value": _value_share(value, outside),
        "value": value_unit,
        "max_distance_outside_km": round(float(off.max()), 3) if n else 0.0,
        "ids": [str(ids[k]) for k in np.flatnonzero(outside)[:MAX_LISTED]],
        "note": f"strictly outside the outline; it is generalised (borders drawn to within about "
        f"{country.tolerance_km:g} km), so a point close to the border may be misplaced by the outline, not the data",
    }


# --- exposure -----------------------------------------------------------------------------------------------


def _asset_table(session: Session, set_id: int) -> dict[str, list[Any]]:
    names = ("asset_id", "lon", "lat", "taxonomy", *ASSET_FIELDS)
    rows = session.execute(
        select(*(getattr(ExposureAsset, n) for n in names))
        .where(ExposureAsset.set_id == set_id)
        .order_by(ExposureAsset.id)
    ).all()
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return {n: list(c) for n, c in zip(names, cols, strict=True)}


def _floats(values: list[Any]) -> NDArray[np.float64]:
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _missing(values: list[Any]) -> int:
    n = 0
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip()):
            n += 1
    return n


def _coverage(
    outline: CityOutline | None, ids: list[Any], lon: NDArray[np.float64], lat: NDArray[np.float64],
    value: NDArray[np.float64],
) -> dict[str, Any]:  # fmt: skip
    if outline is None:
        return {"available": False, "reason": "the city has no outline (its own, administrative boundary or urban "
                "extent)"}  # fmt: skip
    inside = _inside(outline.geometry, lon, lat)
    outside = [str(ids[k]) for k in np.flatnonzero(~inside)]
    n = len(ids)
    return {
        "available": True,
        "outline": outline.kind,
        "outline_label": outline.label,
        "outline_source": outline.source,
        "outline_area_km2": round(outline.area_km2, 3),
        "n_assets_inside": int(inside.sum()),
        "n_assets_outside": len(outside),
        "share_inside": float(inside.sum()) / n if n else None,
        "share_unit": "fraction of assets (0-1)",
        "share_of_value_outside": _value_share(value, ~inside),
        "value": "replacement cost (structural + nonstructural + contents)",
        "edge_tolerance_deg": EDGE_TOLERANCE_DEG,
        "outside_asset_ids": outside[:MAX_LISTED],
    }


def _totals_vs_source(record: ExposureSet, assets: dict[str, list[Any]]) -> dict[str, Any]:
    method = record.method or {}
    if "admin1_id" not in method or "share" not in method:
        return {
            "available": False,
            "reason": "not built from the GEM Adm1 files (no admin-1 unit and share in its method record); "
            "compare the totals with the file it was imported from",
        }
    rows = admin1_rows(str(method["admin1_id"]))
    share = Fraction(method["share"])
    costs: dict[str, Any] = {}
    all_equal = True
    for cost_type in STORED_COSTS:
        expected = round(share * sum(r.cost_cents(cost_type) for r in rows))
        recorded = round(float(getattr(record, f"cost_{cost_type}")) * 100)
        summed = sum(round(v * 100) for v in assets[f"cost_{cost_type}"] if v is not None)
        equal = recorded == expected and summed == expected
        all_equal &= equal
        costs[cost_type] = {
            "expected_usd": expected / 100,
            "recorded_total_usd": recorded / 100,
            "sum_of_assets_usd": summed / 100,
            "difference_usd": (max(recorded - expected, summed - expected, key=abs)) / 100,
            "equal_to_the_cent": equal,
        }

    def relative(stored: float, expected: float) -> float | None:
        return None if expected == 0 else (stored - expected) / expected

    buildings_expected = float(share) * sum(r.buildings for r in rows)
    night_expected = float(share) * sum(r.occupants_night for r in rows)
    buildings = float(np.nansum(_floats(assets["number"])))
    night = float(np.nansum(_floats(assets["occupants_night"])))
    return {
        "available": True,
        "source": f"GEM Adm1 files, unit {method['admin1_id']} x share {float(share):.6g}",
        "currency": "USD",
        "price_year": record.price_year,
        "costs": costs,
        "costs_equal_to_the_cent": all_equal,
        "buildings": {
            "expected_buildings": buildings_expected,
            "stored_buildings": buildings,
            "relative_difference": relative(buildings, buildings_expected),
        },
        "occupants_night": {
            "expected_people": night_expected,
            "stored_people": night,
            "relative_difference": relative(night, night_expected),
        },
    }


GEM_ESTIMATED_FIELDS = (
    "taxonomy", "number", "cost_structural", "cost_nonstructural", "cost_contents", "occupants_day",
    "occupants_night", "occupants_transit",
)  # fmt: skip
"""Fields of a GEM-built asset that are GEM's estimates (its admin-1 totals by building class), not a survey."""


def _gem_method(method: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
    """The GEM method record of a set built from the admin-1 files, and how Kalkan knows: its own method record,
    or the provenance record that `kalkan city build-exposure` wrote beside a file later imported."""
    if "admin1_id" in method and "share" in method:
        return method, "built by Kalkan from the GEM admin-1 files"
    provenance = method.get("provenance")
    if isinstance(provenance, dict) and "admin1_id" in provenance and "share" in provenance:
        origin = (
            f"imported from {method.get('imported_from', 'a file')}, built from the GEM admin-1 files (its "
            "provenance record, written by `kalkan city build-exposure`, says so)"
        )
        return provenance, origin
    return None


def _assumed(record: ExposureSet, assets: dict[str, list[Any]]) -> dict[str, Any]:
    """What of the exposure is spread or assumed rather than located and counted, as shares of assets and of
    value: a GEM-built set is 100 % spread (its locations) and 100 % GEM's estimates (its values); an imported
    set reports the fields its file leaves missing."""
    gem = _gem_method(record.method or {})
    unit = "fraction of assets (0-1)"
    if gem is not None:
        method, origin = gem
        outline = method.get("outline_label") or str(method.get("outline_kind", "outline")).replace("_", " ")
        area = method.get("outline_area_km2")
        where = f"the city's {outline}" + (f" ({area:,.1f} km²)" if isinstance(area, (int, float)) else "")
        reasons = [
            "locations assumed: the admin-1 unit's buildings are spread with uniform density (equal parts) over a "
            f"grid of {method.get('cell_km', '?')} km cells inside {where}"
        ]
        share = float(method["share"])
        by = f"GEM admin-1 unit {method['admin1_id']} ({method.get('admin1_name', '')})".replace(" ()", "")
        if share < 1:
            reasons.append(
                f"values assumed: the city is taken as a share {share:.6g} of its region's every building class "
                f"({method.get('share_basis', 'share basis not recorded')})"
            )
            by += f" x the city's share {share:.6g}"
        else:
            by += ", the whole unit"
        reasons.append("values are GEM's estimates (" + ", ".join(GEM_ESTIMATED_FIELDS) + "), not a survey")
        return {
            "share_of_assets": 1.0,
            "share_of_value": 1.0,
            "share_unit": unit,
            "origin": origin,
            "spread": {
                "what": "location",
                "share_of_assets": 1.0,
                "share_of_value": 1.0,
                "how": f"uniform density over {where}, {method.get('cell_km', '?')} km cells",
            },
            "estimated_fields": {"fields": list(GEM_ESTIMATED_FIELDS), "share_of_value": 1.0, "by": by},
            "reasons": reasons,
        }
    method = record.method or {}
    n = len(assets["asset_id"])
    missing = {name: _missing(assets[name]) for name in ASSET_FIELDS}
    out: dict[str, Any] = {
        "origin": "imported: locations and values as given in the file",
        "spread": {"what": None, "share_of_assets": 0.0, "share_of_value": 0.0},
        "estimated_fields": {"fields": [], "share_of_value": 0.0},
        "fields_missing_for_every_asset": [k for k, v in missing.items() if n and v == n],
        "fields_partly_missing": {k: v / n for k, v in missing.items() if 0 < v < n},
        "share_unit": unit,
    }
    assumed = method.get("assumed_share")
    if isinstance(assumed, (int, float)) and 0 <= assumed <= 1:
        reason = str(method.get("assumed_reason", "stated in the exposure's method record"))
        return {"share_of_assets": float(assumed), "share_of_value": None, **out, "reasons": [reason]}
    reasons = ["imported exposure: locations and values as given in the file (the method record states no "
               "assumption)"]  # fmt: skip
    if out["fields_missing_for_every_asset"]:
        reasons.append("not given for any asset (losses or people of these kinds cannot be computed): "
                       + ", ".join(out["fields_missing_for_every_asset"]))  # fmt: skip
    if out["fields_partly_missing"]:
        reasons.append("missing for some assets: " + ", ".join(
            f"{k} {v:.1%}" for k, v in out["fields_partly_missing"].items()))  # fmt: skip
    return {"share_of_assets": 0.0, "share_of_value": 0.0, **out, "reasons": reasons}


# --- vulnerability ------------------------------------------------------------------------------------------


def _loss_type_values(loss_type: str, assets: dict[str, list[Any]]) -> tuple[NDArray[np.float64], str] | None:
    if loss_type in STORED_COSTS:
        return np.nan_to_num(_floats(assets[f"cost_{loss_type}"])), "replacement cost (the set's currency)"
    if loss_type == "occupants":
        return np.nan_to_num(_floats(assets["occupants_night"])), "occupants at night (people)"
    return None


def _resolution(vset: VulnerabilitySet, assets: dict[str, list[Any]]) -> dict[str, Any]:
    taxonomy = [str(t) for t in assets["taxonomy"]]
    n = len(taxonomy)
    by_loss: dict[str, Any] = {}
    for loss_type in sorted(vset.mapping):
        ok = np.array([vset.resolve(loss_type, t) is not None for t in taxonomy], dtype=bool)
        unresolved = Counter(t for t, good in zip(taxonomy, ok, strict=True) if not good)
        entry: dict[str, Any] = {
            "n_assets_resolved": int(ok.sum()),
            "n_assets_unresolved": n - int(ok.sum()),
            "share_of_assets_resolved": float(ok.sum()) / n if n else None,
            "unresolved_taxonomies": [{"taxonomy": t, "n_assets": c} for t, c in sorted(unresolved.items())],
        }
        values = _loss_type_values(loss_type, assets)
        if values is not None:
            v, unit = values
            total = float(v.sum())
            entry["share_of_value_resolved"] = float(v[ok].sum()) / total if total > 0 else None
            entry["value"] = unit
        by_loss[loss_type] = entry
    return by_loss


def _vulnerability(
    perils: Sequence[str], assets: dict[str, list[Any]] | None, models: dict[str, VulnerabilitySet]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for peril in perils:
        if peril not in PERIL_MODELS:
            out[peril] = {"model": None, "gap": f"no vulnerability model for {peril} in Kalkan yet"}
            continue
        description, loader = PERIL_MODELS[peril]
        if peril not in models:
            models[peril] = loader([str(t) for t in assets["taxonomy"]] if assets else [])
        entry: dict[str, Any] = {"model": description, "gap": None}
        if assets is None:
            entry["loss_types"] = None
            entry["note"] = "no exposure stored: nothing to resolve"
        else:
            entry["loss_types"] = _resolution(models[peril], assets)
            if any(lt["n_assets_unresolved"] for lt in entry["loss_types"].values()):
                entry["gap"] = "some asset taxonomies resolve to no function (see unresolved_taxonomies)"
        out[peril] = entry
    return out


# --- facilities ---------------------------------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _facilities(
    session: Session,
    city_id: str,
    outline: CityOutline | None,
    country: CountryOutline | None,
    today: dt.date,
    models: dict[str, VulnerabilitySet],
) -> dict[str, Any]:
    records = list(
        session.scalars(
            select(FacilityRecord)
            .where(FacilityRecord.version_id == current_facility_version_id(session, city_id))
            .order_by(FacilityRecord.facility_id)
        )
    )
    n = len(records)
    illustrative = sum(1 for f in records if f.illustrative)
    missing = {name: _missing([getattr(f, name) for f in records]) for name in FACILITY_OPTIONAL_FIELDS}
    cutoff = _years_before(today, STALE_INSPECTION_YEARS)
    stale = [f.facility_id for f in records if f.last_inspection is not None and f.last_inspection < cutoff]
    result: dict[str, Any] = {
        "n_facilities": n,
        "n_illustrative": illustrative,
        "all_illustrative": n > 0 and illustrative == n,
        "missing_fields": {"unit": "facilities", **missing},
        "stale_inspections": {
            "older_than_years": STALE_INSPECTION_YEARS,
            "as_of": today.isoformat(),
            "before": cutoff.isoformat(),
            "n_facilities": len(stale),
            "facility_ids": stale,
            "n_never_inspected": missing["last_inspection"],
        },
    }
    lon = np.array([f.lon for f in records], dtype=float)
    lat = np.array([f.lat for f in records], dtype=float)
    value = np.array([f.replacement_cost_usd for f in records], dtype=float)
    if outline is None or n == 0:
        result["outside_outline"] = {"available": outline is not None, "n_facilities": 0, "facility_ids": []}
    else:
        inside = _inside(outline.geometry, lon, lat)
        ids = [f.facility_id for f, ok in zip(records, inside, strict=True) if not ok]
        result["outside_outline"] = {
            "available": True,
            "outline": outline.kind,
            "outline_label": outline.label,
            "n_facilities": len(ids),
            "facility_ids": ids,
            "share_of_value": _value_share(value, ~inside),
            "value": "replacement cost (USD)",
        }
    result["outside_country"] = _outside_country(
        country, [f.facility_id for f in records], lon, lat, value, "replacement cost (USD)"
    )
    unresolved: dict[str, list[str]] = {}
    if records and EARTHQUAKE not in models:
        models[EARTHQUAKE] = PERIL_MODELS[EARTHQUAKE][1]([])
    for f in records:
        vset = models[EARTHQUAKE]
        if vset.resolve("structural", f.construction_class) is None:
            unresolved.setdefault(f.construction_class, []).append(f.facility_id)
    result["unresolved_construction_classes"] = {
        "model": PERIL_MODELS[EARTHQUAKE][0],
        "loss_type": "structural",
        "classes": [{"construction_class": c, "facility_ids": ids} for c, ids in sorted(unresolved.items())],
        "n_facilities": sum(len(v) for v in unresolved.values()),
    }
    return result


# --- the report ---------------------------------------------------------------------------------------------


def _summary(city_id: str, report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    e = report["exposure"]
    if not e["present"]:
        lines.append(
            f"no exposure stored: run `kalkan city load {city_id}` (founding cities) or `kalkan city import-exposure`"
        )
    else:
        c = e["coverage"]
        if c["available"] and c["n_assets_outside"]:
            share = c["share_of_value_outside"]
            lines.append(
                f"{c['n_assets_outside']:,} of {e['n_assets']:,} assets"
                + (f" ({share:.1%} of the value)" if share is not None else "")
                + f" lie outside the city's {c['outline_label']}"
            )
        elif c["available"]:
            lines.append(f"all {e['n_assets']:,} assets lie inside the city's {c['outline_label']}")
        o = e["outside_country"]
        if o["available"] and o["n_outside"]:
            share = o["share_of_value"]
            lines.append(
                f"{o['n_outside']:,} assets"
                + (f" ({share:.1%} of the value)" if share is not None else "")
                + f" lie outside {o['country_iso3']}, up to {o['max_distance_outside_km']:,.1f} km beyond its border"
            )
        for name, count in e["missing_fields"].items():
            if name != "unit" and count:
                lines.append(f"{count:,} of {e['n_assets']:,} assets have no {name.replace('_', ' ')}")
        t = e["totals_vs_source"]
        if t["available"]:
            lines.append(
                "costs equal the GEM source totals to the cent"
                if t["costs_equal_to_the_cent"]
                else "stored costs DIFFER from the GEM source totals: "
                + ", ".join(
                    f"{k} {v['difference_usd']:+,.2f} USD" for k, v in t["costs"].items() if not v["equal_to_the_cent"]
                )
            )
        a = e["assumed"]
        sp = a["spread"]
        if sp["what"]:
            lines.append(
                f"{sp['share_of_value']:.0%} of the value is spread, not located ({sp['what']}: {sp['how']}); "
                f"GEM's estimates, not a survey: {', '.join(a['estimated_fields']['fields'])} "
                f"({a['estimated_fields']['by']})"
            )
        if a["share_of_assets"] > 0:
            lines.append(f"{a['share_of_assets']:.0%} of assets have assumed values: " + "; ".join(a["reasons"]))
        elif a.get("fields_missing_for_every_asset"):
            lines.append("the imported file gives no " + ", ".join(a["fields_missing_for_every_asset"]))
    for peril, v in report["vulnerability"].items():
        if v["model"] is None:
            lines.append(v["gap"])
        elif v.get("loss_types"):
            for loss_type, lt in v["loss_types"].items():
                if lt["n_assets_unresolved"]:
                    lines.append(
                        f"{peril}, {loss_type}: {lt['n_assets_unresolved']:,} assets "
                        f"({len(lt['unresolved_taxonomies'])} taxonomies) resolve to no vulnerability function"
                    )
    f = report["facilities"]
    if f["n_facilities"] == 0:
        lines.append(f"no facilities stored: `kalkan city import-facilities {city_id} FILE`")
    else:
        if f["n_illustrative"]:
            lines.append(f"{f['n_illustrative']} of {f['n_facilities']} facilities are ILLUSTRATIVE (invented)")
        for name, count in f["missing_fields"].items():
            if name != "unit" and count:
                lines.append(f"{count} of {f['n_facilities']} facilities have no {name.replace('_', ' ')}")
        s = f["stale_inspections"]
        if s["n_facilities"]:
            lines.append(
                f"{s['n_facilities']} facilities were last inspected before {s['before']} "
                f"(over {s['older_than_years']} years)"
            )
        if f["outside_outline"]["n_facilities"]:
            lines.append(
                f"{f['outside_outline']['n_facilities']} facilities lie outside the city's "
                f"{f['outside_outline']['outline_label']}"
            )
        oc = f["outside_country"]
        if oc["available"] and oc["n_outside"]:
            lines.append(f"{oc['n_outside']} facilities lie outside {oc['country_iso3']}: {', '.join(oc['ids'])}")
        u = f["unresolved_construction_classes"]
        if u["n_facilities"]:
            lines.append(f"{u['n_facilities']} facilities have a construction class without an earthquake function")
    return lines


def city_quality(
    session: Session, city_id: str, *, today: dt.date | None = None, perils: Sequence[str] | None = None
) -> dict[str, Any]:
    """The data-quality report of a stored city (JSON-ready; schema in docs/data-quality.md).

    ``today``: the date inspections are aged against (default: today's date); ``perils``: the hazards to check
    vulnerability coverage for (default: the city's ``main_hazards``). Raises NotFoundError for an unknown city.
    """
    city = get_city(session, city_id)
    today = today or dt.date.today()
    perils = list(city.main_hazards if perils is None else perils)
    outline = city_outline(session, city_id)
    country = country_outline(city.country_iso3)
    record = current_exposure_set(session, city_id)
    models: dict[str, VulnerabilitySet] = {}
    assets: dict[str, list[Any]] | None = None
    exposure: dict[str, Any]
    if record is None:
        exposure = {
            "present": False,
            "n_assets": 0,
            "message": f"City '{city_id}' has no exposure in the store; run `kalkan city load {city_id}` "
            "(founding cities) or `kalkan city import-exposure`.",
        }
    else:
        own = load_mapping(session, city_id)
        if own:
            models[EARTHQUAKE] = city_vulnerability(session, city_id)
        assets = _asset_table(session, record.id)
        lon, lat = _floats(assets["lon"]), _floats(assets["lat"])
        value = sum(np.nan_to_num(_floats(assets[f"cost_{c}"])) for c in STORED_COSTS)
        assert isinstance(value, np.ndarray)
        exposure = {
            "present": True,
            "n_assets": len(assets["asset_id"]),
            "source": record.source,
            "licence": record.licence,
            "currency": record.currency,
            "price_year": record.price_year,
            "coverage": _coverage(outline, assets["asset_id"], lon, lat, value),
            "outside_country": _outside_country(
                country, assets["asset_id"], lon, lat, value, "replacement cost (structural + nonstructural + contents)"
            ),
            "missing_fields": {"unit": "assets", **{name: _missing(assets[name]) for name in ASSET_FIELDS}},
            "totals_vs_source": _totals_vs_source(record, assets),
            "assumed": _assumed(record, assets),
            "taxonomy_mapping": None
            if not own
            else {
                "origin": "the city's own mapping (overrides GEM's rows for its taxonomies)",
                "taxonomies": len(own),
                "rows": sum(len(v) for v in own.values()),
            },
        }
    report: dict[str, Any] = {
        "city_id": city_id,
        "as_of": today.isoformat(),
        "exposure": exposure,
        "vulnerability": _vulnerability(perils, assets, models),
        "outline": None if outline is None else outline.as_dict(),
        "facilities": _facilities(session, city_id, outline, country, today, models),
    }
    report["summary"] = _summary(city_id, report)
    return report
