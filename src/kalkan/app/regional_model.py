"""Kalkan's regional seismic source model as shipped: built from the shipped ISC-GEM extract and zones, and the
founding cities' sites for comparing its hazard with published values (docs/regional-seismic-model.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kalkan.catalog.sources import data_root, data_source
from kalkan.core.geometry import points_in_geojson
from kalkan.core.hazard.earthquake.regional_model import ModelParameters, RegionalModel, Zone, build_regional_model
from kalkan.io.cities import read_cities
from kalkan.io.isc_gem import read_catalogue_lenient
from kalkan.io.regional_model import ZONES_FILE, PublishedValue, read_published_hazard, read_zones, shipped_path


def build_shipped_model(params: ModelParameters | None = None) -> RegionalModel:
    """The model from the shipped ISC-GEM extract and zones (what ``kalkan_regional_model_v1.xml`` holds)."""
    path = data_source("isc_gem_catalogue_central_asia").paths()[0]
    catalogue, problems = read_catalogue_lenient(path)
    zones = read_zones(shipped_path(ZONES_FILE))
    return build_regional_model(catalogue, zones, params, zones_name=ZONES_FILE, reader_problems=problems)


# ----------------------------------------------------------------------------------- published comparison


@dataclass(frozen=True, slots=True)
class ComparisonSite:
    """A founding city's centre (lon/lat degrees), the emitted zone it lies in, and its published values."""

    city: str
    lon: float
    lat: float
    zone: str | None
    published: tuple[PublishedValue, ...]


def comparison_sites(zones: Sequence[Zone] | None = None) -> list[ComparisonSite]:
    """The five founding cities (centre lon/lat), the zone each lies in and the published values to compare with."""
    zones = zones if zones is not None else read_zones(shipped_path(ZONES_FILE))
    published = read_published_hazard()
    out = []
    for c in read_cities(data_root() / "cities" / "founding_cities.json"):
        x, y = np.array([c.lon]), np.array([c.lat])
        inside = [z.id for z in zones if z.emit and bool(points_in_geojson(z.geometry, x, y)[0])]
        out.append(ComparisonSite(c.id, c.lon, c.lat, inside[0] if inside else None,
                                  tuple(v for v in published if v.city == c.id)))  # fmt: skip
    return out


__all__ = ["ComparisonSite", "build_shipped_model", "comparison_sites"]
