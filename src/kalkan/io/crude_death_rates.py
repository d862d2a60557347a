"""Read the crude death rates shipped with Kalkan (``data/health/crude_death_rates.csv``): deaths per 1,000
people per year of each coalition country, with the year and the source (CIA World Factbook estimates)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Any

from kalkan.catalog.files import CRUDE_DEATH_RATES_FILE, shipped_path
from kalkan.errors import NotFoundError

UNIT = "deaths per 1,000 population per year"


@dataclass(frozen=True, slots=True)
class CrudeDeathRate:
    """One country's crude death rate (deaths per 1,000 people per year) in ``year``, and where it comes from."""

    country_iso3: str
    per_1000_per_year: float
    year: int
    source: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the unit."""
        return {"value": self.per_1000_per_year, "unit": UNIT, "year": self.year, "source": self.source}


def crude_death_rate(country_iso3: str) -> CrudeDeathRate:
    """The shipped crude death rate of a coalition country; another country is a :class:`NotFoundError`."""
    with shipped_path(CRUDE_DEATH_RATES_FILE).open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["country_iso3"] == country_iso3:
                return CrudeDeathRate(
                    country_iso3, float(row["crude_death_rate_per_1000_per_year"]), int(row["year"]), row["source"]
                )
    raise NotFoundError(
        f"No crude death rate shipped for country '{country_iso3}'.", code="not_found.data", field="country_iso3"
    )
