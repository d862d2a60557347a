"""Controlled vocabularies of the registry, each with its standard.

- IPCC AR6 land regions: Iturbide et al. (2020), "An update of IPCC climate reference regions for
  subcontinental analysis of climate model data", Earth Syst. Sci. Data 12, 2959-2970, Table 1.
- Currencies: ISO 4217 alphabetic codes of each country's national currency.
"""

from __future__ import annotations

import datetime as dt

FOUNDING_DATE = dt.date(2025, 10, 16)
"""The day the declaration founding the coalition was signed; founding members are members since."""

AR6_LAND_REGIONS: dict[str, str] = {
    "GIC": "Greenland/Iceland",
    "NWN": "N.W.North-America",
    "NEN": "N.E.North-America",
    "WNA": "W.North-America",
    "CNA": "C.North-America",
    "ENA": "E.North-America",
    "NCA": "N.Central-America",
    "SCA": "S.Central-America",
    "CAR": "Caribbean",
    "NWS": "N.W.South-America",
    "NSA": "N.South-America",
    "NES": "N.E.South-America",
    "SAM": "South-American-Monsoon",
    "SWS": "S.W.South-America",
    "SES": "S.E.South-America",
    "SSA": "S.South-America",
    "NEU": "N.Europe",
    "WCE": "West&Central-Europe",
    "EEU": "E.Europe",
    "MED": "Mediterranean",
    "SAH": "Sahara",
    "WAF": "Western-Africa",
    "CAF": "Central-Africa",
    "NEAF": "N.Eastern-Africa",
    "SEAF": "S.Eastern-Africa",
    "WSAF": "W.Southern-Africa",
    "ESAF": "E.Southern-Africa",
    "MDG": "Madagascar",
    "RAR": "Russian-Arctic",
    "WSB": "W.Siberia",
    "ESB": "E.Siberia",
    "RFE": "Russian-Far-East",
    "WCA": "W.C.Asia",
    "ECA": "E.C.Asia",
    "TIB": "Tibetan-Plateau",
    "EAS": "E.Asia",
    "ARP": "Arabian-Peninsula",
    "SAS": "S.Asia",
    "SEA": "S.E.Asia",
    "NAU": "N.Australia",
    "CAU": "C.Australia",
    "EAU": "E.Australia",
    "SAU": "S.Australia",
    "NZ": "New-Zealand",
    "EAN": "E.Antarctica",
    "WAN": "W.Antarctica",
}

CURRENCY_BY_ISO3: dict[str, str] = {
    # The five founding countries.
    "KAZ": "KZT",
    "KGZ": "KGS",
    "TJK": "TJS",
    "TKM": "TMT",
    "UZB": "UZS",
    # Neighbours whose cities may accede; any other country's application names its currency.
    "AFG": "AFN",
    "AZE": "AZN",
    "ARM": "AMD",
    "GEO": "GEL",
    "MNG": "MNT",
    "RUS": "RUB",
    "CHN": "CNY",
    "IRN": "IRR",
    "PAK": "PKR",
    "TUR": "TRY",
}

HAZARDS: dict[str, str] = {
    "earthquake": "Earthquake (ground shaking)",
    "riverine_flood": "River flood",
    "snowmelt_flood": "Snowmelt (spring) flood",
    "flash_flood": "Flash flood",
    "mudflow_debris_flow": "Mudflow / debris flow",
    "landslide": "Landslide",
    "heat_wave": "Heat wave",
    "cold_wave": "Cold wave",
    "blizzard": "Blizzard / snowstorm",
    "drought": "Drought",
    "wildfire": "Wildfire",
    "dust_storm": "Dust storm",
    "glacial_lake_outburst_flood": "Glacial lake outburst flood (GLOF)",
    "avalanche": "Snow avalanche",
}
"""Hazard codes used across Kalkan (registry, loss database, assessments) with English labels."""
