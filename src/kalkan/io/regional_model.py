"""Kalkan's regional seismic source model on file: the zones GeoJSON in, the NRML source model and its JSON
record out, and the published hazard values it is compared with (``data/seismic_zones``; see
:mod:`kalkan.core.hazard.earthquake.regional_model` for the method and docs/regional-seismic-model.md).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from kalkan.catalog.sources import data_root
from kalkan.core.hazard.earthquake import catalogue as cat
from kalkan.core.hazard.earthquake.regional_model import (
    MODEL_ID,
    MODEL_TITLE,
    TECTONIC_REGIONS,
    RegionalModel,
    Zone,
)
from kalkan.core.hazard.earthquake.sources import NodalPlane
from kalkan.errors import InputError

SEISMIC_ZONES_DIR = "seismic_zones"
ZONES_FILE = "kalkan_zones_v1.geojson"
MODEL_XML_FILE = "kalkan_regional_model_v1.xml"
MODEL_JSON_FILE = "kalkan_regional_model_v1.json"
PUBLISHED_FILE = "published_hazard.csv"


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


# ------------------------------------------------------------------------------------------------ inputs


def _num(props: dict[str, Any], key: str, where: str) -> float:
    v = props.get(key)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InputError(f"{where}: property '{key}' must be a number, got {v!r}.", code="input.type", field=key)
    return float(v)


def _numbers(props: dict[str, Any], key: str, where: str, n_min: int) -> tuple[float, ...]:
    v = props.get(key)
    if not isinstance(v, list) or len(v) < n_min:
        raise InputError(
            f"{where}: property '{key}' must be a list of at least {n_min} numbers, got {v!r}.",
            code="input.type",
            field=key,
        )
    return tuple(_num({key: x}, key, where) for x in v)


def parse_zones(data: Any, source: str) -> tuple[Zone, ...]:
    """Zones from a GeoJSON FeatureCollection of Polygons; every error names the source, feature and property."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError(f"{source}: expected a GeoJSON FeatureCollection.", code="input.syntax")
    zones: list[Zone] = []
    for k, feat in enumerate(data.get("features") or [], start=1):
        props = feat.get("properties") or {}
        zid = props.get("id")
        where = f"{source}, feature #{k} ({zid!r})"
        if not isinstance(zid, str) or not zid.isidentifier():
            raise InputError(
                f"{where}: property 'id' must be an identifier (letters, digits, '_').", code="input.type", field="id"
            )
        geom = feat.get("geometry") or {}
        if geom.get("type") != "Polygon" or not geom.get("coordinates"):
            raise InputError(f"{where}: geometry must be a Polygon.", code="input.unsupported", field="geometry")
        ring = tuple((float(p[0]), float(p[1])) for p in geom["coordinates"][0])
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise InputError(
                f"{where}: the polygon ring must be closed with at least 3 vertices.",
                code="input.syntax",
                field="geometry",
            )
        trt = props.get("tectonic_region")
        if trt not in TECTONIC_REGIONS:
            raise InputError(
                f"{where}: 'tectonic_region' must be one of {', '.join(TECTONIC_REGIONS)}, got {trt!r}.",
                code="input.unknown",
                field="tectonic_region",
            )
        planes = props.get("nodal_planes")
        if not isinstance(planes, list) or not planes:
            raise InputError(
                f"{where}: 'nodal_planes' must be a non-empty list.", code="input.missing", field="nodal_planes"
            )
        nodal = tuple(
            NodalPlane(_num(p, "probability", where), _num(p, "strike", where), _num(p, "dip", where),
                       _num(p, "rake", where))
            for p in planes
        )  # fmt: skip
        if abs(sum(p.weight for p in nodal) - 1.0) > 1e-9:
            raise InputError(
                f"{where}: nodal-plane probabilities must sum to 1.", code="input.inconsistent", field="nodal_planes"
            )
        depth = _numbers(props, "event_depth_km", where, 2)
        edges = _numbers(props, "hypo_depth_edges_km", where, 2)
        upper, lower = _num(props, "upper_seismo_depth_km", where), _num(props, "lower_seismo_depth_km", where)
        if not (upper <= edges[0] and edges[-1] <= lower and upper < lower):
            raise InputError(
                f"{where}: hypocentral depth bin edges must lie within [upper, lower] seismogenic depth.",
                code="input.inconsistent",
                field="hypo_depth_edges_km",
            )
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
        raise InputError(f"{source}: no zones.", code="input.empty", field="features")
    if len({z.id for z in zones}) != len(zones):
        raise InputError(f"{source}: zone ids must be unique.", code="input.duplicate", field="id")
    return tuple(zones)


def read_zones(path: Path | str) -> tuple[Zone, ...]:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.", code="input.not_found") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not valid JSON at line {exc.lineno}: {exc.msg}.", code="input.syntax", row=exc.lineno
        ) from exc
    return parse_zones(data, path.name)


def shipped_path(name: str) -> Path:
    """A file of the shipped ``data/seismic_zones`` folder."""
    return data_root() / SEISMIC_ZONES_DIR / name


# ------------------------------------------------------------------------------------------------ builder


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
                    f'          <nodalPlane probability="{n.weight:g}" strike="{n.strike:g}" '
                    f'dip="{n.dip:g}" rake="{n.rake:g}"/>'
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
                {"probability": n.weight, "strike": n.strike, "dip": n.dip, "rake": n.rake}
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
            raise InputError(
                f"{path.name}, line {i}: value and return_period_years must be numbers or empty.",
                code="input.type",
                field="value",
                row=i,
            ) from exc
        out.append(PublishedValue(r["city"], value, r["unit"], rp, r["site_condition"], r["source"], r["citation"],
                                  r["how_obtained"]))  # fmt: skip
    return out


__all__ = [
    "MODEL_JSON_FILE",
    "MODEL_XML_FILE",
    "PUBLISHED_FILE",
    "SEISMIC_ZONES_DIR",
    "ZONES_FILE",
    "PublishedValue",
    "format_nrml",
    "format_record",
    "model_record",
    "parse_zones",
    "read_published_hazard",
    "read_zones",
    "shipped_path",
    "write_regional_model",
]
