"""What a modelled death toll includes, and what history recorded: shown beside every modelled fatality.

Kalkan's earthquake fatalities come from the GEM Central Asia fatality functions applied to ground shaking at
the city's buildings. Many deaths in Central Asian earthquakes came from what ground shaking set off beyond the
city — the loess flow slide that buried Sharora in 1989, the landslides of Khait in 1949 — and a modelled number
next to no recorded one invites reading it as a forecast of the real toll. So every output that shows modelled
deaths states :data:`EARTHQUAKE_MODELLED_EFFECTS`, and a historical scenario shows the recorded toll with its
source and, where the record says so, where the deaths happened (:func:`recorded_toll`). Recorded tolls come
from the cities' notable disasters (``data/cities/founding_cities.json``, each with its source), linked from
the scenario (``recorded_toll`` in ``data/scenarios/earthquake_scenarios.json``); no number is made up: an
event without a record says "no recorded toll on file".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from kalkan.core.coalition.model import DisasterRecord
from kalkan.io.founding_cities import read_founding_cities

EARTHQUAKE_MODELLED_EFFECTS = (
    "ground shaking only; landslides, liquefaction, fire and secondary effects are not modelled"
)
"""The effects an earthquake fatality or loss figure of Kalkan includes (and those it does not)."""

NO_RECORD = "no recorded toll on file"


def _disasters(city_id: str) -> list[DisasterRecord]:
    facts = next((c for c in read_founding_cities() if c.id == city_id), None)
    return list(facts.disasters) if facts is not None else []


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def _toll(record: DisasterRecord, city_id: str, where: str | None, where_source: str | None) -> dict[str, Any]:
    if record.deaths is None:
        text = f"{NO_RECORD} (the record of {record.year} gives no number of deaths; {record.source})"
        return {"available": False, "deaths": None, "text": text, "record_summary": record.summary,
                "source": record.source}  # fmt: skip
    text = f"{record.deaths:,} deaths recorded: " + (where or record.summary).rstrip(". ")
    return {
        "available": True,
        "deaths": record.deaths,
        "unit": "people",
        "city": city_id,
        "year": record.year,
        "date": record.date,
        "where": where,
        "where_source": where_source,
        "record_summary": record.summary,
        "source": record.source,
        "text": text,
    }


def recorded_toll(scenario: Mapping[str, Any]) -> dict[str, Any]:
    """The recorded toll of a scenario's earthquake (see the module docstring): for a named scenario, the notable
    disaster its ``recorded_toll`` link names; for an ISC-GEM event, a notable earthquake of the city within a
    day of its origin time (UTC against local dates); nothing for a hypothetical rupture."""
    if scenario.get("hypothetical"):
        return {"available": False, "deaths": None, "text": "HYPOTHETICAL earthquake: nothing was recorded"}
    city_id = str(scenario.get("city") or "")
    link = scenario.get("recorded_toll")
    if isinstance(link, Mapping):
        city_id = str(link.get("city") or city_id)
        for record in _disasters(city_id):
            if record.hazard == "earthquake" and record.year == link.get("year") and record.date == link.get("date"):
                return _toll(record, city_id, link.get("where"), link.get("where_source"))
        return {"available": False, "deaths": None, "text": f"{NO_RECORD} (the link to {city_id}'s record of "
                f"{link.get('date') or link.get('year')} finds none)"}  # fmt: skip
    origin = _day(str(scenario.get("origin_time_utc") or "")[:10])
    if city_id and origin is not None:
        for record in _disasters(city_id):
            day = _day(record.date)
            if record.hazard == "earthquake" and day is not None and abs((day - origin).days) <= 1:
                return _toll(record, city_id, None, None)
    return {"available": False, "deaths": None, "text": NO_RECORD}
