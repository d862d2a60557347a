"""Where each shipped file that Kalkan reads lies inside the package data, in one place.

Paths are relative to :func:`kalkan.catalog.sources.data_root`; each file is one of the ``files`` of a dataset in
``data/sources.json`` (origin, licence, citation), named by :data:`SOURCE_OF`. The readers live in
:mod:`kalkan.io`; they ask this module where a shipped file is, never build the path themselves.
"""

from __future__ import annotations

from pathlib import Path

from kalkan.catalog.sources import data_root

# --- climate ----------------------------------------------------------------------------------------------

AR6_TAS_FILE = "climate/ar6_regional/tas_landsea.csv.gz"
"""IPCC AR6 WGI Atlas regional CMIP6 monthly tas (land+sea), °C, 35 models (Iturbide et al. 2020, CC BY 4.0)."""
AR6_PR_FILE = "climate/ar6_regional/pr_land.csv"
"""The AR6 Atlas regional precipitation sample (land), mm/day, one model (MPI-ESM1-2-HR), 1995-2014 and 2081-2100."""
CLIMATE_NORMALS_FILE = "climate_normals/city_climate_normals_transcribed.csv"
"""Station climate normals transcribed per city and calendar month (°C, mm)."""
CRUDE_DEATH_RATES_FILE = "health/crude_death_rates.csv"
"""Crude death rates of the coalition countries, deaths per 1,000 people per year."""

# --- exposure growth --------------------------------------------------------------------------------------

SSP_DRIVERS_FILE = "ssp/ssp_v3_drivers_2024-04-12_central_asia.csv"
"""SSP v3 drivers: population (million) and urban share (%), SSP1-SSP5."""
SSP_OECD_GDP_FILE = "ssp/ssp_v31_oecd_env_growth_2023_gdp_central_asia.csv"
"""OECD ENV-Growth 2023 GDP and GDP per capita (PPP, US$2017), SSP1-SSP5."""

# --- exposure and vulnerability ---------------------------------------------------------------------------

GEM_EXPOSURE_SOURCE = "gem_global_exposure_model_central_asia"
"""Id of the GEM Global Exposure Model's Adm1 files in ``data/sources.json``."""
GEM_EXPOSURE_COUNTRIES = {
    "KZ": "Kazakhstan",
    "KG": "Kyrgyzstan",
    "TJ": "Tajikistan",
    "TM": "Turkmenistan",
    "UZ": "Uzbekistan",
}
"""Country folder of the shipped GEM exposure model by the ISO 3166-1 alpha-2 prefix of ``ID_1`` (``KG-O``)."""
GEM_COUNTRY_ISO3 = {"KZ": "KAZ", "KG": "KGZ", "TJ": "TJK", "TM": "TKM", "UZ": "UZB"}
"""The country of a GEM admin-1 id's prefix (ISO 3166-1 alpha-2 -> alpha-3)."""

GEM_CENTRAL_ASIA_DIR = "gem_global_vulnerability_model/Central_Asia/Tajikistan"
"""Folder of the shipped GEM Central Asia vulnerability model (the five countries' files are identical)."""
GEM_CENTRAL_ASIA_FILES = (
    "vulnerability_structural.xml",
    "vulnerability_nonstructural.xml",
    "vulnerability_contents.xml",
    "vulnerability_fatalities.xml",
)
"""The NRML vulnerability models of :data:`GEM_CENTRAL_ASIA_DIR`, one per loss type."""
GEM_CENTRAL_ASIA_MAPPING = "taxonomy_mapping_Central_Asia.csv"
"""The GEM taxonomy mapping of :data:`GEM_CENTRAL_ASIA_DIR`."""

JRC_SOURCE = "jrc_flood_depth_damage_asia"
"""Id of the JRC flood depth-damage files in ``data/sources.json``."""
JRC_DIR = "jrc_flood_depth_damage"
JRC_CURVES_FILE = "jrc_flood_depth_damage_asia.csv"
"""JRC Asia depth-damage curves (damage fraction 0-1 by depth in m), in :data:`JRC_DIR`."""
JRC_MAX_DAMAGE_FILE = "jrc_max_damage_central_asia.csv"
"""JRC maximum damages of the five countries (2010 EUR/m2), in :data:`JRC_DIR`."""

# --- geography --------------------------------------------------------------------------------------------

RIVERS_FILE = "geo/natural_earth/ne_10m_rivers_lake_centerlines_central_asia5.geojson"
"""Natural Earth 10m river and lake centre-lines of the five countries (public domain): the rivers the
illustrative flood layers are drawn around."""

SOURCE_OF: dict[str, str] = {
    AR6_TAS_FILE: "ar6_regional_cmip6",
    AR6_PR_FILE: "ar6_regional_cmip6",
    CLIMATE_NORMALS_FILE: "city_climate_normals",
    CRUDE_DEATH_RATES_FILE: "crude_death_rates",
    SSP_DRIVERS_FILE: "ssp_country_projections_central_asia",
    SSP_OECD_GDP_FILE: "ssp_country_projections_central_asia",
    f"{JRC_DIR}/{JRC_CURVES_FILE}": JRC_SOURCE,
    f"{JRC_DIR}/{JRC_MAX_DAMAGE_FILE}": JRC_SOURCE,
    RIVERS_FILE: "natural_earth_rivers_central_asia",
    **{f"{GEM_CENTRAL_ASIA_DIR}/{name}": "gem_global_vulnerability_model_central_asia"
       for name in (*GEM_CENTRAL_ASIA_FILES, GEM_CENTRAL_ASIA_MAPPING)},
}  # fmt: skip
"""The dataset (``data/sources.json`` id) each file above belongs to: where its origin and licence are."""


def shipped_path(relative: str) -> Path:
    """The path of a shipped file given relative to the package data (one of the constants above)."""
    return data_root() / relative
