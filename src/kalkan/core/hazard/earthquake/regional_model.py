"""Kalkan's own regional seismic source model for the five founding cities, built from an earthquake catalogue.

Not the EMCA model (Ullah et al. 2015) and not GEM's CEA mosaic model: neither source model is public here.
This is a documented default (docs/regional-seismic-model.md): area-source zones drawn by Kalkan
(``data/seismic_zones/kalkan_zones_v1.geojson``, read by :mod:`kalkan.io.regional_model`), with rates from the
ISC-GEM v7.0 extract (:mod:`kalkan.io.isc_gem`):

1. screen rows (missing Mw or depth, bad coordinates or times are excluded and counted);
2. decluster with Gardner & Knopoff (1974) windows, separately above and below ``declustering_depth_split_km``
   (intermediate-depth Hindu Kush events would otherwise claim crustal events above them by epicentre);
3. assign mainshocks to zones (first zone in file order whose polygon and depth range contain them);
4. keep events inside the magnitude-dependent completeness periods (ISC-GEM design, checked with Stepp 1972);
5. fit b and the rate with Weichert (1980): per zone if it has ``min_events_own_b`` events, else per ``b_group``
   (zones pooled), else the zone's assumed ``b_default``; the rate is always the zone's own, with that b fixed;
   a zone without events gets the rate of ``n_equivalent_empty`` events (ln 2: zero is the median outcome);
6. Mmax = largest observed Mw + ``mmax_increment``, not below the zone's ``mmax_floor``;
7. hypocentral depths from the histogram of the zone's mainshock depths.

:mod:`kalkan.io.regional_model` writes the result as an OpenQuake NRML 0.5 ``sourceModel`` of ``areaSource``
elements (truncated Gutenberg-Richter MFD, WC1994 scaling, aspect ratio 1.5) and a JSON record of every
parameter and count. Everything is deterministic: the same catalogue, zones and parameters give byte-identical
files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.geometry import points_in_geojson, ring_area_km2
from kalkan.core.hazard.earthquake import catalogue as cat
from kalkan.core.hazard.earthquake.catalogue import Catalogue
from kalkan.core.hazard.earthquake.sources import NodalPlane
from kalkan.errors import InputError

MODEL_ID = "kalkan_regional_model_v1"
MODEL_TITLE = "Kalkan regional seismic source model v1 (Kalkan's own model; not EMCA, not GEM)"
TECTONIC_REGIONS = ("Active Shallow Crust", "Stable Continental Region", "Subduction Intraslab")

ISC_GEM_COMPLETENESS = cat.CompletenessTable(mw=(5.5, 6.3, 7.0), start_year=(1964.0, 1918.0, 1904.0))
"""Completeness of ISC-GEM for continental Central Asia, from the catalogue's design (Storchak et al. 2013,
Di Giacomo et al. 2018: cut-offs 7.5, or 6.5 for continental events, 1904-1917; 6.25 in 1918-1959; 5.5 from
1960): Mw >= 5.5 from 1964 (start of the ISC bulletin, later than the 1960 design year), Mw >= 6.3 from 1918,
Mw >= 7.0 from 1904 (0.5 above the continental cut-off: sparse early stations). Checked with Stepp (1972)."""


@dataclass(frozen=True, slots=True)
class Zone:
    """One area-source zone as drawn in the zones GeoJSON (see its README for each property)."""

    id: str
    name: str
    ring: tuple[tuple[float, float], ...]
    tectonic_region: str
    b_group: str
    b_default: float | None
    event_depth_km: tuple[float, float]
    upper_seismo_depth_km: float
    lower_seismo_depth_km: float
    hypo_depth_edges_km: tuple[float, ...]
    mmax_floor: float
    emit: bool
    cities: tuple[str, ...]
    nodal_planes: tuple[NodalPlane, ...]
    nodal_planes_basis: str
    description: str

    @property
    def geometry(self) -> dict[str, Any]:
        return {"type": "Polygon", "coordinates": [[list(p) for p in self.ring]]}

    def depth_mask(self, depth_km: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Events in the zone's depth range (lo, hi]; a range starting at 0 includes depth 0."""
        lo, hi = self.event_depth_km
        above = depth_km >= lo if lo <= 0 else depth_km > lo
        return np.asarray(above & (depth_km <= hi), dtype=bool)


@dataclass(frozen=True, slots=True)
class ModelParameters:
    """Every choice of the method, with its default (recorded in the JSON)."""

    completeness: cat.CompletenessTable = ISC_GEM_COMPLETENESS
    end_year: float | None = None
    """Catalogue end as a decimal year; None: 1 January after the last event."""
    bin_width: float = 0.1
    mfd_min_mag: float = 5.0
    mmax_increment: float = 0.5
    min_events_own_b: int = 50
    n_equivalent_empty: float = math.log(2.0)
    foreshock_time_fraction: float = 1.0
    declustering_depth_split_km: float = 50.0
    magnitude_scaling: str = "WC1994"
    rupture_aspect_ratio: float = 1.5
    stepp_recent_years: float = 30.0
    emit_not_emitted_zones: bool = False
    """Write zones marked ``emit: false`` too (the intermediate-depth zone, as Subduction Intraslab)."""


@dataclass(frozen=True, slots=True)
class ZoneResult:
    zone: Zone
    area_km2: float
    n_events: int
    """Screened events (all magnitudes and years) assigned to the zone and its depth range."""
    n_mainshocks: int
    n_complete: int
    """Mainshocks inside the completeness periods: the events that set the rate."""
    fit: cat.GutenbergRichterFit | None
    b: float
    sigma_b: float
    b_source: str
    a: float
    rate_m_min_per_year: float
    mmax: float
    max_observed_mw: float
    hypo_depths: tuple[tuple[float, float], ...]
    emitted: bool


@dataclass(frozen=True, slots=True)
class RegionalModel:
    zones: tuple[ZoneResult, ...]
    group_fits: dict[str, cat.GutenbergRichterFit]
    screening: cat.RowScreening
    n_mainshocks: int
    n_outside_zones: int
    end_year: float
    stepp: list[dict[str, float]]
    params: ModelParameters
    catalogue_name: str
    zones_name: str
    reader_problems: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------------------------------------ inputs


# ------------------------------------------------------------------------------------------------ builder


def _year_end(decimal_year: NDArray[np.float64]) -> float:
    return float(math.floor(float(np.max(decimal_year))) + 1)


def build_regional_model(
    catalogue: Catalogue,
    zones: Sequence[Zone],
    params: ModelParameters | None = None,
    *,
    zones_name: str,
    reader_problems: Sequence[str] = (),
) -> RegionalModel:
    """Build the zone parameters from a catalogue (steps in the module docstring); deterministic. ``zones_name``
    names the zones file in the record, ``reader_problems`` are the catalogue reader's messages (counted)."""
    p = params or ModelParameters()
    t_days = cat.parse_times_days(list(catalogue.origin_time_utc))
    screening = cat.screen_events(catalogue.lon, catalogue.lat, catalogue.depth_km, catalogue.mw, t_days)
    ok = screening.valid
    if not np.any(ok):
        raise InputError(
            f"{catalogue.source}: no usable event (every row lacks a time, position, Mw or depth).", code="input.empty"
        )
    lon, lat, depth, mw, t = catalogue.lon[ok], catalogue.lat[ok], catalogue.depth_km[ok], catalogue.mw[ok], t_days[ok]
    year = cat.decimal_years(t)
    end_year = p.end_year if p.end_year is not None else _year_end(year)

    mainshock = np.zeros(mw.size, dtype=bool)
    for part in (depth <= p.declustering_depth_split_km, depth > p.declustering_depth_split_km):
        idx = np.flatnonzero(part)
        if idx.size:
            dec = cat.decluster_gardner_knopoff(
                t[idx], lon[idx], lat[idx], mw[idx], foreshock_time_fraction=p.foreshock_time_fraction
            )
            mainshock[idx[dec.is_mainshock]] = True

    owner = np.full(mw.size, -1, dtype=np.int64)
    for k, z in enumerate(zones):
        free = (owner < 0) & z.depth_mask(depth) & points_in_geojson(z.geometry, lon, lat)
        owner[free] = k
    complete = cat.completeness_mask(year, mw, p.completeness) & (year < end_year)

    group_fits: dict[str, cat.GutenbergRichterFit] = {}
    for group in dict.fromkeys(z.b_group for z in zones):
        members = [k for k, z in enumerate(zones) if z.b_group == group]
        sel = mainshock & np.isin(owner, members)
        try:
            group_fits[group] = cat.weichert(mw[sel], year[sel], p.completeness, end_year, bin_width=p.bin_width)
        except InputError:
            continue  # no events, or all in one bin: the zones fall back to their b_default

    results: list[ZoneResult] = []
    for k, z in enumerate(zones):
        sel = mainshock & (owner == k)
        n_complete = int(np.count_nonzero(sel & complete))
        fit: cat.GutenbergRichterFit | None = None
        if n_complete >= p.min_events_own_b:
            fit = cat.weichert(mw[sel], year[sel], p.completeness, end_year, bin_width=p.bin_width)
            b, sigma_b, b_source = fit.b, fit.sigma_b, "zone"
        elif z.b_group in group_fits:
            g = group_fits[z.b_group]
            b, sigma_b, b_source = g.b, g.sigma_b, f"group {z.b_group}"
        elif z.b_default is not None:
            b, sigma_b, b_source = z.b_default, 0.0, "assumed (b_default)"
        else:
            raise InputError(
                f"zone {z.id}: too few events for a b-value and no 'b_default' in the zones file.",
                code="input.missing",
                field="b_default",
            )
        if n_complete == 0:
            rate = cat.rate_without_events(b, p.completeness, end_year, p.n_equivalent_empty)
        else:
            if fit is None:
                fit = cat.weichert(mw[sel], year[sel], p.completeness, end_year, bin_width=p.bin_width, b_fixed=b)
            rate = fit.rate_per_year
        mmax, observed = cat.mmax_observed_plus(mw[sel], p.mmax_increment, z.mmax_floor)
        results.append(ZoneResult(
            zone=z,
            area_km2=ring_area_km2(z.ring),
            n_events=int(np.count_nonzero(owner == k)),
            n_mainshocks=int(np.count_nonzero(sel)),
            n_complete=n_complete,
            fit=fit,
            b=b,
            sigma_b=sigma_b,
            b_source=b_source,
            a=math.log10(rate) + b * p.completeness.mc,
            rate_m_min_per_year=rate,
            mmax=round(mmax, 2),
            max_observed_mw=observed,
            hypo_depths=tuple(cat.depth_distribution(depth[sel], z.hypo_depth_edges_km)),
            emitted=z.emit or p.emit_not_emitted_zones,
        ))  # fmt: skip

    crustal = mainshock & (depth <= p.declustering_depth_split_km) & (owner >= 0)
    stepp = cat.stepp_consistency(year[crustal], mw[crustal], p.completeness, end_year, p.stepp_recent_years)
    return RegionalModel(
        zones=tuple(results),
        group_fits=group_fits,
        screening=screening,
        n_mainshocks=int(np.count_nonzero(mainshock)),
        n_outside_zones=int(np.count_nonzero(owner < 0)),
        end_year=end_year,
        stepp=stepp,
        params=p,
        catalogue_name=Path(catalogue.source).name,
        zones_name=zones_name,
        reader_problems=tuple(reader_problems),
    )


# ------------------------------------------------------------------------------------------------ outputs


__all__ = [
    "ISC_GEM_COMPLETENESS",
    "MODEL_ID",
    "MODEL_TITLE",
    "TECTONIC_REGIONS",
    "ModelParameters",
    "RegionalModel",
    "Zone",
    "ZoneResult",
    "build_regional_model",
]
