"""Kalkan's own regional seismic source model for the five founding cities, built from the ISC-GEM catalogue.

Not the EMCA model (Ullah et al. 2015) and not GEM's CEA mosaic model: neither source model is public here.
This is a documented default (docs/regional-seismic-model.md): area-source zones drawn by Kalkan
(``data/seismic_zones/kalkan_zones_v1.geojson``), with rates from the ISC-GEM v7.0 extract:

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

The result writes to an OpenQuake NRML 0.5 ``sourceModel`` of ``areaSource`` elements (truncated
Gutenberg-Richter MFD, WC1994 scaling, aspect ratio 1.5) and a JSON record of every parameter and count.
Everything is deterministic: the same catalogue, zones and parameters give byte-identical files.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
from numpy.typing import NDArray

from kalkan.core.geometry import points_in_geojson, ring_area_km2
from kalkan.core.hazard.earthquake import catalogue as cat
from kalkan.errors import InputError
from kalkan.io.isc_gem import Catalogue, read_catalogue_rows

MODEL_ID = "kalkan_regional_model_v1"
MODEL_TITLE = "Kalkan regional seismic source model v1 (Kalkan's own model; not EMCA, not GEM)"
TECTONIC_REGIONS = ("Active Shallow Crust", "Stable Continental Region", "Subduction Intraslab")

ISC_GEM_COMPLETENESS = cat.CompletenessTable(mw=(5.5, 6.3, 7.0), start_year=(1964.0, 1918.0, 1904.0))
"""Completeness of ISC-GEM for continental Central Asia, from the catalogue's design (Storchak et al. 2013,
Di Giacomo et al. 2018: cut-offs 7.5, or 6.5 for continental events, 1904-1917; 6.25 in 1918-1959; 5.5 from
1960): Mw >= 5.5 from 1964 (start of the ISC bulletin, later than the 1960 design year), Mw >= 6.3 from 1918,
Mw >= 7.0 from 1904 (0.5 above the continental cut-off: sparse early stations). Checked with Stepp (1972)."""

SEISMIC_ZONES_DIR = "seismic_zones"
ZONES_FILE = "kalkan_zones_v1.geojson"
MODEL_XML_FILE = "kalkan_regional_model_v1.xml"
MODEL_JSON_FILE = "kalkan_regional_model_v1.json"
PUBLISHED_FILE = "published_hazard.csv"


@dataclass(frozen=True, slots=True)
class NodalPlane:
    probability: float
    strike_deg: float
    dip_deg: float
    rake_deg: float


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


def read_catalogue_lenient(path: Path | str) -> tuple[Catalogue, tuple[str, ...]]:
    """Read an ISC-GEM-style CSV (:data:`kalkan.io.isc_gem.COLUMNS`) keeping rows with empty or malformed numbers
    as NaN, so that :func:`build_regional_model` can report and exclude them with counts; the problems are
    returned as messages naming line and field. A missing column is still an error."""
    path = Path(path)
    rows = read_catalogue_rows(path)
    problems: list[str] = []
    for i, row in enumerate(rows, start=2):
        for c in ("lat", "lon", "depth_km", "mw"):
            try:
                float(row[c])
            except (TypeError, ValueError):
                problems.append(f"{path.name}, line {i}, field '{c}': {row[c]!r} is not a number")
    ids = cat.parse_floats([r["eventid"] for r in rows])
    quality = [f"epicentre {r['epicentre_quality']}, depth {r['depth_quality']}, Mw {r['mw_quality']}" for r in rows]
    catalogue = Catalogue(
        eventid=np.where(np.isfinite(ids), ids, -1).astype(np.int64),
        origin_time_utc=np.array([r["origin_time_utc"] for r in rows], dtype=str),
        lon=cat.parse_floats([r["lon"] for r in rows]),
        lat=cat.parse_floats([r["lat"] for r in rows]),
        depth_km=cat.parse_floats([r["depth_km"] for r in rows]),
        mw=cat.parse_floats([r["mw"] for r in rows]),
        mw_source=np.array([r["mw_source"] for r in rows], dtype=str),
        quality=np.array(quality, dtype=str),
        source=str(path),
    )
    return catalogue, tuple(problems)


def _num(props: dict[str, Any], key: str, where: str) -> float:
    v = props.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InputError(f"{where}: property '{key}' must be a number, got {v!r}.")
    return float(v)


def _numbers(props: dict[str, Any], key: str, where: str, n_min: int) -> tuple[float, ...]:
    v = props.get(key)
    if not isinstance(v, list) or len(v) < n_min:
        raise InputError(f"{where}: property '{key}' must be a list of at least {n_min} numbers, got {v!r}.")
    return tuple(_num({key: x}, key, where) for x in v)


def parse_zones(data: Any, source: str) -> tuple[Zone, ...]:
    """Zones from a GeoJSON FeatureCollection of Polygons; every error names the source, feature and property."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError(f"{source}: expected a GeoJSON FeatureCollection.")
    zones: list[Zone] = []
    for k, feat in enumerate(data.get("features") or [], start=1):
        props = feat.get("properties") or {}
        zid = props.get("id")
        where = f"{source}, feature #{k} ({zid!r})"
        if not isinstance(zid, str) or not zid.isidentifier():
            raise InputError(f"{where}: property 'id' must be an identifier (letters, digits, '_').")
        geom = feat.get("geometry") or {}
        if geom.get("type") != "Polygon" or not geom.get("coordinates"):
            raise InputError(f"{where}: geometry must be a Polygon.")
        ring = tuple((float(p[0]), float(p[1])) for p in geom["coordinates"][0])
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise InputError(f"{where}: the polygon ring must be closed with at least 3 vertices.")
        trt = props.get("tectonic_region")
        if trt not in TECTONIC_REGIONS:
            raise InputError(f"{where}: 'tectonic_region' must be one of {', '.join(TECTONIC_REGIONS)}, got {trt!r}.")
        planes = props.get("nodal_planes")
        if not isinstance(planes, list) or not planes:
            raise InputError(f"{where}: 'nodal_planes' must be a non-empty list.")
        nodal = tuple(
            NodalPlane(_num(p, "probability", where), _num(p, "strike", where), _num(p, "dip", where),
                       _num(p, "rake", where))
            for p in planes
        )  # fmt: skip
        if abs(sum(p.probability for p in nodal) - 1.0) > 1e-9:
            raise InputError(f"{where}: nodal-plane probabilities must sum to 1.")
        depth = _numbers(props, "event_depth_km", where, 2)
        edges = _numbers(props, "hypo_depth_edges_km", where, 2)
        upper, lower = _num(props, "upper_seismo_depth_km", where), _num(props, "lower_seismo_depth_km", where)
        if not (upper <= edges[0] and edges[-1] <= lower and upper < lower):
            raise InputError(f"{where}: hypocentral depth bin edges must lie within [upper, lower] seismogenic depth.")
        b_default = props.get("b_default")
        zones.append(Zone(
            id=zid,
            name=str(props.get("name", zid)),
            ring=ring,
            tectonic_region=str(trt),
            b_group=str(props.get("b_group", zid)),
            b_default=None if b_default is None else _num(props, "b_default", where),
            event_depth_km=(depth[0], depth[1]),
            upper_seismo_depth_km=upper,
            lower_seismo_depth_km=lower,
            hypo_depth_edges_km=edges,
            mmax_floor=_num(props, "mmax_floor", where),
            emit=bool(props.get("emit", True)),
            cities=tuple(str(c) for c in props.get("cities", [])),
            nodal_planes=nodal,
            nodal_planes_basis=str(props.get("nodal_planes_basis", "")),
            description=str(props.get("description", "")),
        ))  # fmt: skip
    if not zones:
        raise InputError(f"{source}: no zones.")
    if len({z.id for z in zones}) != len(zones):
        raise InputError(f"{source}: zone ids must be unique.")
    return tuple(zones)


def read_zones(path: Path | str) -> tuple[Zone, ...]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON at line {exc.lineno}: {exc.msg}.") from exc
    return parse_zones(data, path.name)


def shipped_path(name: str) -> Path:
    """A file of the shipped ``data/seismic_zones`` folder."""
    from kalkan.catalog.sources import data_root

    return data_root() / SEISMIC_ZONES_DIR / name


# ------------------------------------------------------------------------------------------------ builder


def _year_end(decimal_year: NDArray[np.float64]) -> float:
    return float(math.floor(float(np.max(decimal_year))) + 1)


def build_regional_model(
    catalogue: Catalogue,
    zones: Sequence[Zone],
    params: ModelParameters | None = None,
    *,
    zones_name: str = ZONES_FILE,
    reader_problems: Sequence[str] = (),
) -> RegionalModel:
    """Build the zone parameters from a catalogue (steps in the module docstring); deterministic."""
    p = params or ModelParameters()
    t_days = cat.parse_times_days(list(catalogue.origin_time_utc))
    screening = cat.screen_events(catalogue.lon, catalogue.lat, catalogue.depth_km, catalogue.mw, t_days)
    ok = screening.valid
    if not np.any(ok):
        raise InputError(f"{catalogue.source}: no usable event (every row lacks a time, position, Mw or depth).")
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
            raise InputError(f"zone {z.id}: too few events for a b-value and no 'b_default' in the zones file.")
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


def _f(x: float, nd: int) -> str:
    return f"{x:.{nd}f}"


def format_nrml(model: RegionalModel) -> str:
    """The emitted zones as an OpenQuake NRML 0.5 source model: one ``sourceGroup`` per tectonic region."""
    p = model.params
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        "<!-- Kalkan's own regional source model (not EMCA, not GEM); see docs/regional-seismic-model.md and",
        f"     {MODEL_JSON_FILE}. Rates derived from ISC-GEM v7.0 (CC BY-SA 3.0): this file is CC BY-SA 3.0. -->",
        '<nrml xmlns="http://openquake.org/xmlns/nrml/0.5" xmlns:gml="http://www.opengis.net/gml">',
        f"  <sourceModel name={quoteattr(MODEL_TITLE)}>",
    ]
    emitted = [r for r in model.zones if r.emitted]
    for trt in dict.fromkeys(r.zone.tectonic_region for r in emitted):
        out.append(f"    <sourceGroup name={quoteattr(trt)} tectonicRegion={quoteattr(trt)}>")
        for r in (r for r in emitted if r.zone.tectonic_region == trt):
            z = r.zone
            pos = " ".join(f"{lon:.3f} {lat:.3f}" for lon, lat in z.ring[:-1])
            out += [
                f"      <areaSource id={quoteattr(z.id)} name={quoteattr(z.name)} tectonicRegion={quoteattr(trt)}>",
                "        <areaGeometry>",
                "          <gml:Polygon><gml:exterior><gml:LinearRing>",
                f"            <gml:posList>{escape(pos)}</gml:posList>",
                "          </gml:LinearRing></gml:exterior></gml:Polygon>",
                f"          <upperSeismoDepth>{_f(z.upper_seismo_depth_km, 1)}</upperSeismoDepth>",
                f"          <lowerSeismoDepth>{_f(z.lower_seismo_depth_km, 1)}</lowerSeismoDepth>",
                "        </areaGeometry>",
                f"        <magScaleRel>{escape(p.magnitude_scaling)}</magScaleRel>",
                f"        <ruptAspectRatio>{p.rupture_aspect_ratio:g}</ruptAspectRatio>",
                f'        <truncGutenbergRichterMFD aValue="{_f(r.a, 4)}" bValue="{_f(r.b, 4)}" '
                f'minMag="{_f(p.mfd_min_mag, 2)}" maxMag="{_f(r.mmax, 2)}"/>',
                "        <nodalPlaneDist>",
                *(
                    f'          <nodalPlane probability="{n.probability:g}" strike="{n.strike_deg:g}" '
                    f'dip="{n.dip_deg:g}" rake="{n.rake_deg:g}"/>'
                    for n in z.nodal_planes
                ),
                "        </nodalPlaneDist>",
                "        <hypoDepthDist>",
                *(f'          <hypoDepth probability="{pr:.2f}" depth="{d:g}"/>' for d, pr in r.hypo_depths),
                "        </hypoDepthDist>",
                "      </areaSource>",
            ]
        out.append("    </sourceGroup>")
    out += ["  </sourceModel>", "</nrml>", ""]
    return "\n".join(out)


def _r(x: float, nd: int = 6) -> float:
    return float(round(x, nd))


def _fit_record(f: cat.GutenbergRichterFit) -> dict[str, Any]:
    return {
        "a": _r(f.a, 4),
        "b": _r(f.b, 4),
        "sigma_b": _r(f.sigma_b, 4),
        "rate_m_min_per_year": _r(f.rate_per_year),
        "sigma_rate_per_year": _r(f.sigma_rate_per_year),
        "m_min": f.m_min,
        "n_events": f.n_events,
        "b_fixed": f.b_fixed,
    }


def model_record(model: RegionalModel) -> dict[str, Any]:
    """Every parameter and count of the model, JSON-ready (rounded, so it is stable across platforms)."""
    p = model.params
    zones = []
    for r in model.zones:
        z = r.zone
        zones.append({
            "id": z.id,
            "name": z.name,
            "cities": list(z.cities),
            "tectonic_region": z.tectonic_region,
            "in_source_model": r.emitted,
            "area_km2": round(r.area_km2),
            "event_depth_km": list(z.event_depth_km),
            "n_events": r.n_events,
            "n_mainshocks": r.n_mainshocks,
            "n_complete_mainshocks": r.n_complete,
            "b_source": r.b_source,
            "b_group": z.b_group,
            "a": _r(r.a, 4),
            "b": _r(r.b, 4),
            "sigma_b": _r(r.sigma_b, 4),
            "rate_mw_ge_mc_per_year": _r(r.rate_m_min_per_year),
            "rate_mw_ge_mfd_min_per_year": _r(10 ** (r.a - r.b * p.mfd_min_mag) - 10 ** (r.a - r.b * r.mmax)),
            "zone_fit": None if r.fit is None else _fit_record(r.fit),
            "max_observed_mw": None if math.isnan(r.max_observed_mw) else r.max_observed_mw,
            "mmax": r.mmax,
            "mmax_floor": z.mmax_floor,
            "upper_seismo_depth_km": z.upper_seismo_depth_km,
            "lower_seismo_depth_km": z.lower_seismo_depth_km,
            "hypo_depths": [{"depth_km": d, "probability": pr} for d, pr in r.hypo_depths],
            "nodal_planes": [
                {"probability": n.probability, "strike": n.strike_deg, "dip": n.dip_deg, "rake": n.rake_deg}
                for n in z.nodal_planes
            ],
            "nodal_planes_basis": z.nodal_planes_basis,
        })  # fmt: skip
    return {
        "model": MODEL_ID,
        "title": MODEL_TITLE,
        "licence": "CC BY-SA 3.0 (rates derived from ISC-GEM v7.0); zone polygons Apache-2.0 (Kalkan)",
        "inputs": {"catalogue": model.catalogue_name, "zones": model.zones_name},
        "methods": {
            "declustering": "Gardner & Knopoff (1974) windows, coefficients of van Stiphout et al. (2012, CORSSA)",
            "completeness": "ISC-GEM design cut-offs (Storchak 2013; Di Giacomo 2018), Stepp (1972) check",
            "recurrence": "Weichert (1980) maximum likelihood for unequal observation periods",
            "mmax": f"largest observed Mw + {p.mmax_increment}, not below the zone's floor",
            "depths": "histogram of the zone's mainshock depths",
        },
        "parameters": {
            "completeness": p.completeness.as_rows(),
            "catalogue_end_year": model.end_year,
            "magnitude_bin_width": p.bin_width,
            "mfd_min_mag": p.mfd_min_mag,
            "mmax_increment": p.mmax_increment,
            "min_events_own_b": p.min_events_own_b,
            "n_equivalent_empty_zone": _r(p.n_equivalent_empty),
            "foreshock_time_fraction": p.foreshock_time_fraction,
            "declustering_depth_split_km": p.declustering_depth_split_km,
            "magnitude_scaling": p.magnitude_scaling,
            "rupture_aspect_ratio": p.rupture_aspect_ratio,
            "stepp_recent_years": p.stepp_recent_years,
        },
        "counts": {
            **model.screening.as_dict(),
            "reader_problems": list(model.reader_problems),
            "mainshocks": model.n_mainshocks,
            "dependent_events_removed": int(np.count_nonzero(model.screening.valid)) - model.n_mainshocks,
            "events_outside_every_zone": model.n_outside_zones,
        },
        "stepp_check_crustal_zones": [{k: _r(v, 4) for k, v in row.items()} for row in model.stepp],
        "group_fits": {g: _fit_record(f) for g, f in model.group_fits.items()},
        "zones": zones,
    }


def format_record(model: RegionalModel) -> str:
    return json.dumps(model_record(model), indent=1, ensure_ascii=False) + "\n"


def write_regional_model(model: RegionalModel, xml_path: Path | str, json_path: Path | str | None = None) -> None:
    """Write the NRML source model and (optionally) the JSON record; both with '\\n' line ends."""
    Path(xml_path).write_text(format_nrml(model), encoding="utf-8", newline="\n")
    if json_path is not None:
        Path(json_path).write_text(format_record(model), encoding="utf-8", newline="\n")


def build_shipped_model(params: ModelParameters | None = None) -> RegionalModel:
    """The model from the shipped ISC-GEM extract and zones (what ``kalkan_regional_model_v1.xml`` holds)."""
    from kalkan.catalog.sources import data_source

    path = data_source("isc_gem_catalogue_central_asia").paths()[0]
    catalogue, problems = read_catalogue_lenient(path)
    return build_regional_model(catalogue, read_zones(shipped_path(ZONES_FILE)), params, reader_problems=problems)


# ----------------------------------------------------------------------------------- published comparison


@dataclass(frozen=True, slots=True)
class PublishedValue:
    """One published hazard value (or a documented absence) for a city, as in ``published_hazard.csv``."""

    city: str
    value: float | None
    unit: str
    return_period_years: float | None
    site_condition: str
    source: str
    citation: str
    how_obtained: str


@dataclass(frozen=True, slots=True)
class ComparisonSite:
    city: str
    lon: float
    lat: float
    zone: str | None
    published: tuple[PublishedValue, ...]


def read_published_hazard(path: Path | str | None = None) -> list[PublishedValue]:
    """Rows of ``published_hazard.csv``; an empty ``value`` means the value was looked for and not found."""
    path = Path(path) if path is not None else shipped_path(PUBLISHED_FILE)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for i, r in enumerate(rows, start=2):
        try:
            value = float(r["value"]) if r["value"].strip() else None
            rp = float(r["return_period_years"]) if r["return_period_years"].strip() else None
        except (KeyError, ValueError) as exc:
            raise InputError(f"{path.name}, line {i}: value and return_period_years must be numbers or empty.") from exc
        out.append(PublishedValue(r["city"], value, r["unit"], rp, r["site_condition"], r["source"], r["citation"],
                                  r["how_obtained"]))  # fmt: skip
    return out


def comparison_sites(zones: Sequence[Zone] | None = None) -> list[ComparisonSite]:
    """The five founding cities (centre lon/lat), the zone each lies in and the published values to compare with."""
    from kalkan.catalog.sources import data_root
    from kalkan.io.cities import read_cities

    zones = zones if zones is not None else read_zones(shipped_path(ZONES_FILE))
    published = read_published_hazard()
    out = []
    for c in read_cities(data_root() / "cities" / "founding_cities.json"):
        x, y = np.array([c.lon]), np.array([c.lat])
        inside = [z.id for z in zones if z.emit and bool(points_in_geojson(z.geometry, x, y)[0])]
        out.append(ComparisonSite(c.id, c.lon, c.lat, inside[0] if inside else None,
                                  tuple(v for v in published if v.city == c.id)))  # fmt: skip
    return out
