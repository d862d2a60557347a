"""The coalition summary: the registry and one summary per city, computed as a recorded run.

This is today's "main job" (`make run`); later capabilities add each city's assessments to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kalkan.core.digest import sha256_json
from kalkan.store.database import Store
from kalkan.store.registry import MEMBER_STATUSES, city_detail, list_cities
from kalkan.store.runs import ProgressCallback, recorded_run


def _city_summary(detail: dict[str, Any]) -> dict[str, Any]:
    disasters = detail["notable_disasters"]
    with_deaths = [d for d in disasters if d["deaths"] is not None]
    deadliest = max(with_deaths, key=lambda d: d["deaths"]) if with_deaths else None
    outlines = {g["kind"]: g["area_km2"] for g in detail["geometries"]}
    gdp = detail["gdp_per_capita_usd"]
    return {
        "id": detail["id"],
        "name_en": detail["name_en"],
        "name_ru": detail["name_ru"],
        "country_iso3": detail["country_iso3"],
        "membership_status": detail["membership_status"],
        "member_since": detail["member_since"],
        "population": detail["population"],
        "population_year": detail["population_year"],
        "population_source": detail["population_source"],
        "gdp_per_capita_usd": gdp,
        "gdp_year": detail["gdp_year"],
        "city_gdp_usd_estimate": round(gdp * detail["population"]) if gdp is not None else None,
        "currency": detail["currency"],
        "ipcc_ar6_region": detail["ipcc_ar6_region"],
        "main_hazards": detail["main_hazards"],
        "admin_boundary_km2": outlines.get("admin_boundary"),
        "urban_extent_km2": outlines.get("urban_extent"),
        "districts": len(detail["districts"]),
        "notable_disasters": len(disasters),
        "recorded_deaths": sum(d["deaths"] for d in with_deaths),
        "deadliest_disaster": (
            {k: deadliest[k] for k in ("year", "hazard", "deaths", "summary")} if deadliest else None
        ),
    }


@dataclass(frozen=True, slots=True)
class CoalitionSummary:
    """The coalition summary run: its id, one summary row per city (JSON-ready: population in people, GDP in
    current USD of its year, outline areas in km2) and the coalition's totals (members, their population in
    people, countries)."""

    run_id: str
    cities: tuple[dict[str, Any], ...]
    totals: dict[str, Any]

    @property
    def member_population(self) -> int:
        """People living in the member cities (each at its population year)."""
        return int(self.totals["member_population"])

    def as_dict(self) -> dict[str, Any]:
        """``{"run_id", "cities", "totals"}``, as `kalkan summary --json` prints it."""
        return {"run_id": self.run_id, "cities": list(self.cities), "totals": dict(self.totals)}


def coalition_summary(store: Store, *, on_progress: ProgressCallback | None = None) -> CoalitionSummary:
    """Summarise every city of the registry as a recorded run.

    ``city_gdp_usd_estimate`` is GDP per capita (national or regional, current USD of ``gdp_year``) times
    the city population: an order of magnitude for comparing cities, not a city accounts figure.
    """
    with store.read() as session:
        details = [city_detail(c) for c in list_cities(session)]
    with recorded_run(
        store,
        "coalition-summary",
        parameters={},
        input_digests={"registry": sha256_json(details)},
        on_progress=on_progress,
    ) as run:
        cities = []
        for i, detail in enumerate(details):
            cities.append(_city_summary(detail))
            run.progress(int(100 * (i + 1) / max(len(details), 1)), f"summarised {detail['name_en']}")
        members = [c for c in cities if c["membership_status"] in MEMBER_STATUSES]
        totals = {
            "cities": len(cities),
            "members": len(members),
            "founding_members": sum(c["membership_status"] == "founding" for c in cities),
            "applicants": sum(c["membership_status"] == "applicant" for c in cities),
            "member_population": sum(c["population"] for c in members),
            "member_population_years": sorted({c["population_year"] for c in members if c["population_year"]}),
            "countries": sorted({c["country_iso3"] for c in members}),
        }
        run.summary = {"totals": totals}
    return CoalitionSummary(run.id, tuple(cities), totals)
