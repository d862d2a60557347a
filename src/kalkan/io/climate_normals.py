"""Read the station climate normals shipped with Kalkan (``data/climate_normals/``): monthly means by city.

``city_climate_normals_transcribed.csv`` holds, per city and calendar month, the mean daily maximum, mean and
minimum temperature (°C) and the mean monthly precipitation (mm) of a station over the normals' period, where
the source gives them (today: Dushanbe WMO 38836, 1991-2020), and record extremes (Petropavl: extremes only).
Which cities have normals, and under which name, is the catalogue's (:data:`kalkan.catalog.cities.NORMALS_CITY`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from kalkan.catalog.cities import NORMALS_CITY
from kalkan.catalog.files import CLIMATE_NORMALS_FILE, shipped_path
from kalkan.errors import InputError

__all__ = ["NORMALS_CITY", "NORMAL_RECORDS", "NORMAL_VARIABLES", "StationNormals", "station_normals"]

NORMAL_VARIABLES = {"tmax_mean_c": "°C", "tmean_c": "°C", "tmin_mean_c": "°C", "precip_mm": "mm/month"}
"""The monthly mean variables of the normals and their units."""
NORMAL_RECORDS = {"record_high_c": "°C", "record_low_c": "°C"}
"""The monthly record extremes of the normals and their units."""

_PERIOD = re.compile(r"(\d{4})\s*-\s*(\d{4})\s*\(means\)")


@dataclass(frozen=True, slots=True)
class StationNormals:
    """A city's station normals: ``means[variable][month]`` (1-12) over ``period`` (years, inclusive), where
    the source gives monthly means; ``period`` is None when it gives record extremes only. ``records[variable]
    [month]`` are the record extremes (°C); ``period_text`` is the source's own statement of its periods."""

    city_id: str
    station: str
    period: tuple[int, int] | None
    source: str
    means: dict[str, dict[int, float]] = field(default_factory=dict)
    records: dict[str, dict[int, float]] = field(default_factory=dict)
    period_text: str = ""

    @property
    def has_means(self) -> bool:
        return self.period is not None and any(self.means.values())


def station_normals(city_id: str) -> StationNormals | None:
    """The shipped station normals of a city, or None when there are none."""
    name = NORMALS_CITY.get(city_id)
    if name is None:
        return None
    path = shipped_path(CLIMATE_NORMALS_FILE)
    values: dict[str, dict[int, float]] = {v: {} for v in (*NORMAL_VARIABLES, *NORMAL_RECORDS)}
    station = period_text = source = ""
    with path.open(newline="", encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            if row["city"] != name:
                continue
            station, period_text, source = row["station"], row["period"], row["source_url"]
            month = int(row["month"])
            for var, by_month in values.items():
                if row.get(var):
                    try:
                        by_month[month] = float(row[var])
                    except ValueError as exc:  # a broken installation, not user input
                        raise InputError(
                            f"{path}: {name} month {month}, field '{var}': not a number.",
                            code="input.type",
                            field=var,
                            row=line,
                        ) from exc
    match = _PERIOD.search(period_text)
    period = (int(match.group(1)), int(match.group(2))) if match else None
    means = {k: values[k] for k in NORMAL_VARIABLES if values[k]}
    records = {k: values[k] for k in NORMAL_RECORDS if values[k]}
    return StationNormals(city_id, station, period, source, means, records, period_text)
