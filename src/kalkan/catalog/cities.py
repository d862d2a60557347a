"""Per-city facts of the founding cities that are not in the registry file, in one place, each with its reason.

The registry facts themselves (names, population, AR6 region, rivers...) are in ``data/cities/founding_cities.json``
and read by :mod:`kalkan.io.founding_cities`. This module holds what Kalkan decided about each founding city and
the shipped data that belong to it: the GEM admin-1 unit its buildings come from, its daily weather series and
station normals, the climate zone of its heat-mortality model and its illustrative facility set. Nothing here
reads a file; the io readers take the paths from here and from :mod:`kalkan.catalog.files`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FOUNDING_CITIES = ("petropavl", "osh", "dushanbe", "ashgabat", "namangan")
"""The five founding cities of the coalition, in the order of ``founding_cities.json``."""

COALITION_COUNTRIES = ("KAZ", "KGZ", "TJK", "TKM", "UZB")
"""ISO 3166-1 alpha-3 codes of the founding cities' countries: the countries the shipped GEM, JRC and SSP data
cover."""


# --- GEM exposure: the admin-1 unit of each city ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GemUnit:
    """The GEM Global Exposure Model admin-1 unit a founding city's buildings are taken from.

    ``whole``: the city is the whole unit (share 1); otherwise its share is its population over the unit's
    residents (see :func:`kalkan.core.exposure.gem.city_share`)."""

    admin1_id: str
    admin1_name: str
    whole: bool
    reason: str


CITY_GEM_UNIT: dict[str, GemUnit] = {
    "dushanbe": GemUnit("TJ-DU", "Dushanbe", True, "Dushanbe is an admin-1 unit of its own (checked in the GEM files)"),
    "ashgabat": GemUnit("TM-S", "Ashgabat", True, "Ashgabat is an admin-1 unit of its own (checked in the GEM files)"),
    "osh": GemUnit("KG-O", "Osh Region", False, "Osh is a part of Osh Region (checked in the GEM files)"),
    "namangan": GemUnit("UZ-NG", "Namangan Region", False,
                        "Namangan is a part of Namangan Region (checked in the GEM files)"),
    "petropavl": GemUnit("KZ-SEV", "North Kazakhstan Region", False,
                         "Petropavlovsk is a part of North Kazakhstan Region (checked in the GEM files)"),
}  # fmt: skip
"""Founding city -> its GEM admin-1 unit, whether it is the whole unit, and why."""

CITY_ADMIN1: dict[str, tuple[str, bool]] = {city: (u.admin1_id, u.whole) for city, u in CITY_GEM_UNIT.items()}
"""Founding city -> (GEM ``ID_1``, whether the city is the whole unit): the short view of :data:`CITY_GEM_UNIT`."""


# --- daily weather series and station normals ---------------------------------------------------------------

SeriesReader = Literal["dayton_gsod", "nasa_power", "cfsr_swat"]


@dataclass(frozen=True, slots=True)
class ShippedSeries:
    """Where a founding city's daily series comes from (a file in ``data/stations/``) and what it is."""

    city_id: str
    file: str
    reader: SeriesReader
    source: str
    licence: str
    caveat: str
    latitude_deg: float | None = None
    """Latitude of the station or grid point (°N), used for day length and extraterrestrial radiation."""

    @property
    def has_precipitation(self) -> bool:
        """Whether the file has daily precipitation (NASA POWER and CFSR do; the GSOD/Dayton files do not)."""
        return self.reader in PRECIPITATION_READERS


PRECIPITATION_READERS: frozenset[str] = frozenset({"nasa_power", "cfsr_swat"})
"""Readers whose source files carry daily precipitation (mm/day)."""

_DAYTON_LICENCE = (
    "NOAA GSOD via University of Dayton archive: US-government data, public domain (see stations/README.md)"
)
_CFSR_LICENCE = (
    "NCEP CFSR via Texas A&M 'Global Weather Data for SWAT', free to use; copy from sherzodr/agriclimuz (MIT)"
)

SHIPPED_SERIES: dict[str, ShippedSeries] = {
    "petropavl": ShippedSeries(
        "petropavl",
        "stations/petropavl_nasa_power_daily_1984-2020.csv",
        "nasa_power",
        "NASA POWER daily, grid cell centred 54.75 N 69.25 E (via DSSAT CAPE8437.WTH)",
        "NASA POWER, free of charge with acknowledgement of the NASA Langley Research Center POWER Project",
        "Reanalysis/satellite grid cell (~0.5° × 0.625°), not a station: extremes are smoothed; bias not assessed.",
        54.75,
    ),
    "osh": ShippedSeries(
        "osh",
        "stations/osh_area_cfsr_daily_1979-2014_pt407725.csv",
        "cfsr_swat",
        "NCEP CFSR grid point 40.746 N 72.5 E, 612 m (~35 km WNW of Osh)",
        _CFSR_LICENCE,
        "Reanalysis grid point ~350–400 m lower than Osh and outside its valley: likely warmer in summer than the "
        "city.",
        40.746,
    ),
    "namangan": ShippedSeries(
        "namangan",
        "stations/namangan_cfsr_daily_1979-2014_pt411716.csv",
        "cfsr_swat",
        "NCEP CFSR grid point 41.058 N 71.5625 E, 608 m (~11 km W of Namangan)",
        _CFSR_LICENCE,
        "Reanalysis grid point (~0.3°), not a station: extremes smoothed, may be biased by several °C.",
        41.058,
    ),
    "ashgabat": ShippedSeries(
        "ashgabat",
        "stations/ashgabat_udayton_gsod_daily_tavg_F_1995-2014_RAASHBAD.txt",
        "dayton_gsod",
        "NOAA GSOD station Ashgabat WMO 38880 (University of Dayton daily-average archive)",
        _DAYTON_LICENCE,
        "Station daily mean temperature only: indicators that need Tmax or Tmin cannot be computed.",
        37.97,
    ),
    "dushanbe": ShippedSeries(
        "dushanbe",
        "stations/dushanbe_udayton_gsod_daily_tavg_F_1995-2014_RADUSNBE.txt",
        "dayton_gsod",
        "NOAA GSOD station Dushanbe WMO 38836 (University of Dayton daily-average archive)",
        _DAYTON_LICENCE,
        "Station daily mean temperature only, many gaps in 1995–2001: indicators that need Tmax or Tmin cannot "
        "be computed.",
        38.55,
    ),
}
"""Founding city -> its shipped daily weather series (station or reanalysis), with source, licence and caveat."""


def cities_without_precipitation() -> tuple[str, ...]:
    """Founding cities whose shipped series has no precipitation (drought indices need a user file there)."""
    return tuple(c for c, spec in SHIPPED_SERIES.items() if not spec.has_precipitation)


NORMALS_CITY: dict[str, str] = {"dushanbe": "Dushanbe", "petropavl": "Petropavl"}
"""City id -> the ``city`` value of its rows in the transcribed station normals (the only cities with normals:
Dushanbe WMO 38836, 1991-2020 monthly means; Petropavl record extremes only)."""


# --- heat mortality -----------------------------------------------------------------------------------------

CITY_CLIMATE_ZONE: dict[str, tuple[str, str]] = {
    "petropavl": ("continental", "Köppen Dfb (founding_cities.json)"),
    "osh": ("continental", "described as continental in founding_cities.json (Köppen Dsa/Csa in other sources)"),
    "dushanbe": ("continental", "described as continental in founding_cities.json (Csa unverified)"),
    "ashgabat": ("arid", "Köppen BWk/BSk (founding_cities.json)"),
    "namangan": ("arid", "continental semi-arid Fergana Valley, taken as Köppen BSk"),
}
"""Climate zone of each city for the MMT percentile (Tobías et al. 2021 zones = Köppen main groups), with why."""
DEFAULT_CLIMATE_ZONE = ("continental", "default zone")
"""The zone of a city not in :data:`CITY_CLIMATE_ZONE`, with why."""


# --- illustrative facilities --------------------------------------------------------------------------------

ILLUSTRATIVE_CITIES = FOUNDING_CITIES
"""Cities with an illustrative (invented) facility set shipped in ``data/facilities/`` (see its README)."""


def illustrative_facilities_file(city_id: str) -> str:
    """The shipped illustrative facility CSV of a city, relative to the package data."""
    return f"facilities/{city_id}_illustrative.csv"
