"""Read the station climate normals shipped with Kalkan (``data/climate_normals/``): monthly means by city.

``city_climate_normals_transcribed.csv`` holds, per city and calendar month, the mean daily maximum, mean and
minimum temperature (°C) and the mean monthly precipitation (mm) of a station over the normals' period, where
the source gives them (today: Dushanbe WMO 38836, 1991-2020), and record extremes (Petropavl: extremes only).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from kalkan.catalog.sources import data_source
from kalkan.errors import InputError

__all__ = ["NORMALS_CITY", "NORMAL_VARIABLES", "StationNormals", "station_normals"]

NORMALS_CITY = {"dushanbe": "Dushanbe", "petropavl": "Petropavl"}
"""City id -> the ``city`` value of its rows in the transcribed normals."""

NORMAL_VARIABLES = {"tmax_mean_c": "°C", "tmean_c": "°C", "tmin_mean_c": "°C", "precip_mm": "mm/month"}
"""The monthly mean variables of the normals and their units."""

_PERIOD = re.compile(r"(\d{4})\s*-\s*(\d{4})\s*\(means\)")


@dataclass(frozen=True, slots=True)
class StationNormals:
    """A city's station normals: ``means[variable][month]`` (1-12) over ``period`` (years, inclusive), where
    the source gives monthly means; ``period`` is None when it gives record extremes only."""

    city_id: str
    station: str
    period: tuple[int, int] | None
    source: str
    means: dict[str, dict[int, float]] = field(default_factory=dict)

    @property
    def has_means(self) -> bool:
        return self.period is not None and any(self.means.values())


def station_normals(city_id: str) -> StationNormals | None:
    """The shipped station normals of a city, or None when there are none."""
    name = NORMALS_CITY.get(city_id)
    if name is None:
        return None
    path = next(p for p in data_source("city_climate_normals").paths() if p.suffix == ".csv")
    means: dict[str, dict[int, float]] = {v: {} for v in NORMAL_VARIABLES}
    station = period_text = source = ""
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["city"] != name:
                continue
            station, period_text, source = row["station"], row["period"], row["source_url"]
            month = int(row["month"])
            for var in NORMAL_VARIABLES:
                if row.get(var):
                    try:
                        means[var][month] = float(row[var])
                    except ValueError as exc:  # a broken installation, not user input
                        raise InputError(f"{path}: {name} month {month}, field '{var}': not a number.") from exc
    match = _PERIOD.search(period_text)
    period = (int(match.group(1)), int(match.group(2))) if match else None
    return StationNormals(city_id, station, period, source, {k: v for k, v in means.items() if v})
