"""Seismic source models: OpenQuake NRML source models, a simple CSV, and nshmp-haz PEER test folders.

**OpenQuake NRML** (0.4 and 0.5; OpenQuake Engine manual, "Source typologies"): ``pointSource``,
``areaSource`` and ``simpleFaultSource`` with ``truncGutenbergRichterMFD``, ``incrementalMFD`` or
``arbitraryMFD``, ``nodalPlaneDist``, ``hypoDepthDist``, ``magScaleRel`` (``WC1994``, ``PeerMSR``, or a law of
:data:`~kalkan.core.hazard.earthquake.scaling.SCALING_LAWS`) and ``ruptAspectRatio``. A simple fault's trace is at
the surface; its top edge is the trace moved down dip to the upper seismogenic depth, as OpenQuake builds it.
The job-level settings OpenQuake takes from ``job.ini`` are arguments: ``mfd_bin_width``
(``width_of_mfd_bin``), ``mesh_spacing_km`` (``rupture_mesh_spacing``) and ``area_spacing_km``
(``area_source_discretization``). Any other source type or MFD is an error that names it and its line; with
``skip_unsupported=True`` it is left out and a warning naming it is recorded in the result instead.

**CSV** (point and area sources, one per row; ``#`` lines are comments)::

    id,name,kind,lon,lat,polygon,a_value,b_value,min_mag,max_mag,bin_width,upper_depth_km,lower_depth_km,
    hypo_depth_km,strike,dip,rake,scaling,aspect_ratio,spacing_km,tectonic_region

``kind`` is ``point`` (``lon``, ``lat``) or ``area`` (``polygon``: ``lon lat`` pairs separated by ``;``);
the MFD is truncated Gutenberg-Richter; one nodal plane (strike, dip, rake) and one hypocentral depth per
source; ``scaling`` defaults to WC1994, ``aspect_ratio`` to 1, ``bin_width`` to 0.1, ``spacing_km`` (area
grid) to 10, ``tectonic_region`` to Active Shallow Crust.

**nshmp-haz PEER folders** (``config.json``, ``sites.csv``, ``Fault/`` or ``Area/`` with ``source.xml`` and
``gmm.xml``; USGS nshmp-haz, ``etc/peer``): :func:`read_nshmp_case` gives a :class:`PeerCase` with the
sources, GMPE branches, sites, levels and exceedance model. Supported settings: ruptureScaling ``PEER``;
ruptureFloating ``ON``/``OFF``; pointSourceType ``POINT``; areaGridScaling ``UNIFORM_*``; one magnitude
cutoff in ``magDepthMap``. Anything else is an error naming it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np

from kalkan.core.hazard.earthquake.logic_tree import GmpeBranch
from kalkan.core.hazard.earthquake.mfd import MFD, ArbitraryMFD, IncrementalMFD, SingleMFD, TruncatedGRMFD
from kalkan.core.hazard.earthquake.psha import ExceedanceModel
from kalkan.core.hazard.earthquake.scaling import PEER_SIGMA_LOG10_AREA
from kalkan.core.hazard.earthquake.site import Sites
from kalkan.core.hazard.earthquake.sources import (
    AreaSource,
    Frame,
    NodalPlane,
    PointSource,
    SimpleFaultSource,
    Source,
)
from kalkan.errors import InputError
from kalkan.io.jsonfile import load_json_file
from kalkan.io.text import read_text_file
from kalkan.io.xml import parse_with_lines

__all__ = ["PeerCase", "SourceModel", "read_nshmp_case", "read_source_model", "read_source_model_csv"]

SUPPORTED_SOURCES = ("pointSource", "areaSource", "simpleFaultSource")
SUPPORTED_MFDS = ("truncGutenbergRichterMFD", "incrementalMFD", "arbitraryMFD")
KNOWN_SOURCES = (
    *SUPPORTED_SOURCES,
    "complexFaultSource",
    "characteristicFaultSource",
    "nonParametricSeismicSource",
    "multiPointSource",
    "kiteFaultSource",
    "multiFaultSource",
)


@dataclass(frozen=True, slots=True)
class SourceModel:
    """Sources read from a file, with the warnings recorded while reading (skipped sources)."""

    sources: tuple[Source, ...]
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------- NRML


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Doc:
    def __init__(self, path: Path) -> None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"{path}: cannot read the source model ({exc.strerror}).", code="input.unreadable"
            ) from exc
        self.source = str(path)
        self.root, self.lines = parse_with_lines(data, self.source)

    def line(self, elem: Element) -> int:
        return self.lines.get(id(elem), 0)

    def where(self, elem: Element) -> str:
        return f"{self.source}, line {self.line(elem)}"

    def child(self, parent: Element, name: str, *, required: bool = True) -> Element | None:
        for c in parent.iter():
            if c is not parent and _local(c.tag) == name:
                return c
        if required:
            raise InputError(
                f"{self.where(parent)}: <{_local(parent.tag)}> has no <{name}>.",
                code="input.missing",
                field=name,
                row=self.line(parent),
            )
        return None

    def req(self, parent: Element, name: str) -> Element:
        elem = self.child(parent, name)
        assert elem is not None
        return elem

    def numbers(self, elem: Element) -> list[float]:
        text = (elem.text or "").split()
        try:
            return [float(t) for t in text]
        except ValueError:
            raise InputError(
                f"{self.where(elem)}: <{_local(elem.tag)}> must hold numbers, got {elem.text!r}.",
                code="input.type",
                field=_local(elem.tag),
                row=self.line(elem),
            ) from None

    def number(self, elem: Element, attr: str | None = None) -> float:
        raw = elem.get(attr) if attr else elem.text
        if raw is None:
            raise InputError(
                f"{self.where(elem)}: <{_local(elem.tag)}> has no {attr or 'value'}.",
                code="input.missing",
                field=attr or _local(elem.tag),
                row=self.line(elem),
            )
        try:
            value = float(raw)
        except ValueError:
            what = f"attribute {attr}" if attr else "value"
            raise InputError(
                f"{self.where(elem)}: <{_local(elem.tag)}> {what} {raw!r} is not a number.",
                code="input.type",
                field=attr or _local(elem.tag),
                row=self.line(elem),
            ) from None
        if not math.isfinite(value):
            raise InputError(
                f"{self.where(elem)}: <{_local(elem.tag)}> value {raw!r} is not finite.",
                code="input.range",
                field=attr or _local(elem.tag),
                row=self.line(elem),
            )
        return value

    def text_of(self, parent: Element, name: str, default: str | None = None) -> str:
        elem = self.child(parent, name, required=default is None)
        return default if elem is None else (elem.text or "").strip()  # type: ignore[return-value]


def _nrml_mfd(doc: _Doc, src: Element, bin_width: float) -> MFD:
    for c in src:
        name = _local(c.tag)
        where = f"{doc.where(c)}: <{name}>"
        try:
            if name == "truncGutenbergRichterMFD":
                return TruncatedGRMFD(
                    doc.number(c, "aValue"), doc.number(c, "bValue"), doc.number(c, "minMag"),
                    doc.number(c, "maxMag"), bin_width, where,
                )  # fmt: skip
            if name == "incrementalMFD":
                rates = doc.numbers(doc.req(c, "occurRates"))
                return IncrementalMFD(doc.number(c, "minMag"), doc.number(c, "binWidth"), tuple(rates), where)
            if name == "arbitraryMFD":
                return ArbitraryMFD(
                    tuple(doc.numbers(doc.req(c, "magnitudes"))), tuple(doc.numbers(doc.req(c, "occurRates"))), where
                )
        except InputError as exc:
            exc.row = exc.row or doc.line(c)  # the MFD's line, which the message names
            raise
        if name.endswith("MFD") or name.endswith("Mfd"):
            raise InputError(
                f"{where} is not a supported magnitude-frequency distribution; supported: {', '.join(SUPPORTED_MFDS)}.",
                code="input.unsupported",
                field=name,
                row=doc.line(c),
            )
    raise InputError(
        f"{doc.where(src)}: <{_local(src.tag)}> has no magnitude-frequency distribution.",
        code="input.missing",
        field="MFD",
        row=doc.line(src),
    )


def _scaling(doc: _Doc, src: Element) -> tuple[str, float]:
    msr = doc.text_of(src, "magScaleRel")
    aspect = float(doc.text_of(src, "ruptAspectRatio", "1.0"))
    return msr, aspect


def _plane(doc: _Doc, p: Element) -> NodalPlane:
    try:
        return NodalPlane(doc.number(p, "probability"), doc.number(p, "strike"), doc.number(p, "dip"),
                          doc.number(p, "rake"))  # fmt: skip
    except InputError as exc:
        if exc.message.startswith(doc.source):
            exc.row = exc.row or doc.line(p)
            raise
        raise InputError(f"{doc.where(p)}: {exc.message}", code=exc.code, field=exc.field, row=doc.line(p)) from exc


def _distributions(doc: _Doc, src: Element) -> tuple[tuple[NodalPlane, ...], tuple[tuple[float, float], ...]]:
    planes = tuple(_plane(doc, p) for p in doc.req(src, "nodalPlaneDist") if _local(p.tag) == "nodalPlane")
    depths = tuple(
        (doc.number(h, "probability"), doc.number(h, "depth"))
        for h in doc.req(src, "hypoDepthDist")
        if _local(h.tag) == "hypoDepth"
    )
    return planes, depths


def _in_source(doc: _Doc, src: Element, cls: Callable[..., Source], *args: Any) -> Source:
    """``cls(*args)``, with an error inside it located at the source's line."""
    try:
        return cls(*args)
    except InputError as exc:
        if exc.message.startswith(doc.source):
            exc.row = exc.row or doc.line(src)
            raise
        raise InputError(f"{doc.where(src)}: {exc.message}", code=exc.code, field=exc.field, row=doc.line(src)) from exc


def _nrml_source(doc: _Doc, src: Element, trt: str, opts: dict[str, float]) -> Source:
    kind = _local(src.tag)
    sid, name = src.get("id", "?"), src.get("name", "")
    trt = src.get("tectonicRegion", trt)
    mfd = _nrml_mfd(doc, src, opts["bin_width"])
    msr, aspect = _scaling(doc, src)
    if kind == "simpleFaultSource":
        geom = doc.req(src, "simpleFaultGeometry")
        pos = doc.numbers(doc.req(geom, "posList"))
        if len(pos) % 2 or len(pos) < 4:
            raise InputError(
                f"{doc.where(geom)}: the fault trace needs lon lat pairs (at least two points).",
                code="input.syntax",
                field="posList",
                row=doc.line(geom),
            )
        dip = doc.number(doc.req(geom, "dip"))
        usd = doc.number(doc.req(geom, "upperSeismoDepth"))
        lsd = doc.number(doc.req(geom, "lowerSeismoDepth"))
        rake = doc.number(doc.req(src, "rake"))
        trace = _top_edge([(pos[i], pos[i + 1]) for i in range(0, len(pos), 2)], dip, usd)
        return _in_source(doc, src, SimpleFaultSource,
            sid, name, trace, usd, lsd, dip, rake, mfd, msr, aspect, opts["mesh_spacing"], True, 0.0, trt
        )  # fmt: skip
    planes, depths = _distributions(doc, src)
    if kind == "pointSource":
        geom = doc.req(src, "pointGeometry")
        pos = doc.numbers(doc.req(geom, "pos"))
        usd = doc.number(doc.req(geom, "upperSeismoDepth"))
        lsd = doc.number(doc.req(geom, "lowerSeismoDepth"))
        return _in_source(doc, src, PointSource,
            sid, name, pos[0], pos[1], mfd, planes, depths, usd, lsd, msr, aspect, True, trt
        )  # fmt: skip
    geom = doc.req(src, "areaGeometry")
    pos = doc.numbers(doc.req(geom, "posList"))
    if len(pos) % 2 or len(pos) < 6:
        raise InputError(
            f"{doc.where(geom)}: the polygon needs lon lat pairs (at least three points).",
            code="input.syntax",
            field="posList",
            row=doc.line(geom),
        )
    usd = doc.number(doc.req(geom, "upperSeismoDepth"))
    lsd = doc.number(doc.req(geom, "lowerSeismoDepth"))
    poly = tuple((pos[i], pos[i + 1]) for i in range(0, len(pos), 2))
    return _in_source(doc, src, AreaSource,
        sid, name, poly, mfd, planes, depths, usd, lsd, msr, aspect, opts["area_spacing"], None, True, trt
    )  # fmt: skip


def _unique_id(sid: str, where: str, seen: dict[str, str], row: int) -> None:
    """Source ids must be present and unique: a duplicate would count the same source twice (``row``: the line
    of the source)."""
    if not sid.strip():
        raise InputError(
            f"{where}: the source has no id; every source needs a unique id.", code="input.missing", field="id", row=row
        )
    if sid in seen:
        raise InputError(
            f"{where}: source id {sid!r} is already used at {seen[sid]}; ids must be unique (a repeated source "
            "would be counted twice).",
            code="input.duplicate",
            field="id",
            row=row,
        )
    seen[sid] = where.rsplit(", ", 1)[-1]


def _top_edge(trace: list[tuple[float, float]], dip: float, usd: float) -> tuple[tuple[float, float], ...]:
    """The surface trace moved down dip (right of the trace's overall strike) to the upper depth."""
    if usd == 0 or dip >= 90.0:
        return tuple(trace)
    frame = Frame(*trace[0])
    x, y = frame.to_xy([p[0] for p in trace], [p[1] for p in trace])
    strike = math.atan2(x[-1] - x[0], y[-1] - y[0])
    shift = usd / math.tan(math.radians(dip))
    lon, lat = frame.to_lonlat(x + shift * math.cos(strike), y - shift * math.sin(strike))
    return tuple((float(a), float(b)) for a, b in zip(lon, lat, strict=True))


def read_source_model_nrml(
    path: Path | str,
    *,
    mfd_bin_width: float = 0.1,
    mesh_spacing_km: float = 5.0,
    area_spacing_km: float = 10.0,
    skip_unsupported: bool = False,
) -> SourceModel:
    """Read an OpenQuake NRML source model (see the module docstring)."""
    doc = _Doc(Path(path))
    if _local(doc.root.tag) != "nrml":
        raise InputError(
            f"{doc.source}: the root element is <{_local(doc.root.tag)}>, not <nrml>.",
            code="input.syntax",
            field="nrml",
        )
    model = doc.req(doc.root, "sourceModel")
    opts = {"bin_width": mfd_bin_width, "mesh_spacing": mesh_spacing_km, "area_spacing": area_spacing_km}
    sources: list[Source] = []
    warnings: list[str] = []
    seen: dict[str, str] = {}

    def visit(parent: Element, trt: str) -> None:
        for elem in parent:
            name = _local(elem.tag)
            if name == "sourceGroup":
                visit(elem, elem.get("tectonicRegion", trt))
            elif name in SUPPORTED_SOURCES or name.endswith("Source") or name in KNOWN_SOURCES:
                _unique_id(elem.get("id", ""), doc.where(elem), seen, doc.line(elem))
            if name in SUPPORTED_SOURCES:
                try:
                    sources.append(_nrml_source(doc, elem, trt, opts))
                except InputError as exc:
                    if not (skip_unsupported and exc.code == "input.unsupported"):
                        raise
                    warnings.append(f"skipped source {elem.get('id')!r}: {exc.message}")
            elif name.endswith("Source") or name in KNOWN_SOURCES:
                msg = (
                    f"{doc.where(elem)}: <{name}> (source {elem.get('id')!r}) is not a supported source type; "
                    f"supported: {', '.join(SUPPORTED_SOURCES)}."
                )
                if not skip_unsupported:
                    raise InputError(
                        msg,
                        hint="pass skip_unsupported (--skip-unsupported) to leave it out",
                        code="input.unsupported",
                        field=name,
                        row=doc.line(elem),
                    )
                warnings.append(f"skipped: {msg}")

    visit(model, "Active Shallow Crust")
    if not sources:
        raise InputError(f"{doc.source}: no supported source in the model.", code="input.empty")
    return SourceModel(tuple(sources), tuple(warnings))


# --------------------------------------------------------------------------------------------- CSV

CSV_COLUMNS = (
    "id", "name", "kind", "lon", "lat", "polygon", "a_value", "b_value", "min_mag", "max_mag", "bin_width",
    "upper_depth_km", "lower_depth_km", "hypo_depth_km", "strike", "dip", "rake", "scaling", "aspect_ratio",
    "spacing_km", "tectonic_region",
)  # fmt: skip
_CSV_REQUIRED = ("id", "kind", "a_value", "b_value", "min_mag", "max_mag", "upper_depth_km", "lower_depth_km",
                 "hypo_depth_km", "strike", "dip", "rake")  # fmt: skip


def read_source_model_csv(path: Path | str) -> SourceModel:
    """Read point and area sources from Kalkan's CSV (see the module docstring)."""
    p = Path(path)
    text = read_text_file(p, "source model CSV")
    kept = [(n, ln) for n, ln in enumerate(text.splitlines(), start=1) if ln.strip() and not ln.startswith("#")]
    try:
        header = next(csv.reader([kept[0][1]])) if kept else []
        rows = list(csv.DictReader(io.StringIO("\n".join(ln for _, ln in kept))))
    except csv.Error as exc:
        raise InputError(f"{p}: not a readable CSV ({exc}).", code="input.syntax") from exc
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        raise InputError(
            f"{p}: column(s) {', '.join(map(repr, duplicated))} appear twice in the header.",
            code="input.duplicate",
            field=duplicated[0],
            row=1,
        )
    if not rows:
        raise InputError(f"{p}: no source row.", code="input.empty")
    missing = [c for c in _CSV_REQUIRED if c not in rows[0]]
    if missing:
        raise InputError(
            f"{p}: missing column(s) {', '.join(missing)}; expected {', '.join(CSV_COLUMNS)}.",
            code="input.missing",
            field=missing[0],
            row=1,
        )
    unknown = [c for c in rows[0] if c not in CSV_COLUMNS]
    if unknown:
        raise InputError(
            f"{p}: unknown column(s) {', '.join(map(repr, unknown))}; expected {', '.join(CSV_COLUMNS)}.",
            code="input.unknown",
            field=str(unknown[0]),
            row=1,
        )
    sources: list[Source] = []
    seen: dict[str, str] = {}
    for k, row in enumerate(rows, start=1):
        where = f"{p}, line {kept[k][0]}"
        line = kept[k][0]
        if None in row or any(v is None for v in row.values()):
            raise InputError(
                f"{where}: the row has a different number of fields than the header.", code="input.syntax", row=line
            )
        _unique_id(row.get("id") or "", where, seen, line)

        def num(
            col: str, default: float | None = None, where: str = where, row: dict[str, str] = row, line: int = line
        ) -> float:
            raw = (row.get(col) or "").strip()
            if not raw:
                if default is None:
                    raise InputError(f"{where}: column {col} is empty.", code="input.missing", field=col, row=line)
                return default
            try:
                value = float(raw)
            except ValueError:
                raise InputError(
                    f"{where}: column {col} value {raw!r} is not a number.", code="input.type", field=col, row=line
                ) from None
            if not math.isfinite(value):
                raise InputError(
                    f"{where}: column {col} value {raw!r} is not finite.", code="input.range", field=col, row=line
                )
            return value

        try:
            mfd = TruncatedGRMFD(num("a_value"), num("b_value"), num("min_mag"), num("max_mag"),
                                 num("bin_width", 0.1), f"{where}: MFD")  # fmt: skip
            plane = (NodalPlane(1.0, num("strike"), num("dip"), num("rake")),)
            depth = ((1.0, num("hypo_depth_km")),)
            scaling = (row.get("scaling") or "").strip() or "WC1994"
            trt = (row.get("tectonic_region") or "").strip() or "Active Shallow Crust"
            kind = (row.get("kind") or "").strip().lower()
            common = (
                mfd,
                plane,
                depth,
                num("upper_depth_km"),
                num("lower_depth_km"),
                scaling,
                num("aspect_ratio", 1.0),
            )
            sid, name = row["id"].strip(), (row.get("name") or "").strip()
            if kind == "point":
                sources.append(PointSource(sid, name, num("lon"), num("lat"), *common, True, trt))
            elif kind == "area":
                poly = _polygon(row.get("polygon") or "", where)
                sources.append(AreaSource(sid, name, poly, *common, num("spacing_km", 10.0), None, True, trt))
            else:
                raise InputError(
                    f"kind {row.get('kind')!r} is not a supported source type; expected point or area.",
                    code="input.unsupported",
                    field="kind",
                )
        except InputError as exc:
            raise InputError(
                exc.message if exc.message.startswith(where) else f"{where}: {exc.message}",
                code=exc.code,
                field=exc.field,
                row=line,
            ) from exc
    return SourceModel(tuple(sources))


def _polygon(text: str, where: str) -> tuple[tuple[float, float], ...]:
    pts = []
    for part in text.split(";"):
        if not part.strip():
            continue
        xy = part.split()
        if len(xy) != 2:
            raise InputError(
                f"{where}: polygon vertex {part.strip()!r} is not 'lon lat'.", code="input.syntax", field="polygon"
            )
        try:
            pts.append((float(xy[0]), float(xy[1])))
        except ValueError:
            raise InputError(
                f"{where}: polygon vertex {part.strip()!r} is not two numbers.", code="input.type", field="polygon"
            ) from None
    return tuple(pts)


def read_source_model(path: Path | str, **options: Any) -> SourceModel:
    """Read a source model: ``.csv`` (Kalkan's CSV) or NRML XML (options of :func:`read_source_model_nrml`)."""
    p = Path(path)
    if p.suffix.lower() == ".csv":
        return read_source_model_csv(p)
    return read_source_model_nrml(p, **options)


# --------------------------------------------------------------------------------------------- nshmp-haz

NSHMP_GMMS = {
    "SADIGH_97": "SadighEtAl1997",
    "ASK_14": "AbrahamsonEtAl2014",
    "BSSA_14": "BooreEtAl2014",
    "CB_14": "CampbellBozorgnia2014",
    "CY_14": "ChiouYoungs2014",
}
"""nshmp-haz GMM identifiers and the Kalkan models they map to."""
NSHMP_MECHS = {"STRIKE_SLIP": (90.0, 0.0), "REVERSE": (50.0, 90.0), "NORMAL": (50.0, -90.0)}
"""nshmp-haz focal mechanisms: (dip, rake) in degrees (``FocalMech``)."""
_GRID = re.compile(r"^UNIFORM_0P(\d+)$")
_SA_NSHMP = re.compile(r"^SA(\d+)P(\d+)$")


@dataclass(frozen=True, slots=True)
class PeerCase:
    """An nshmp-haz PEER test folder read into Kalkan's terms."""

    name: str
    sources: tuple[Source, ...]
    branches: tuple[GmpeBranch, ...]
    sites: Sites
    imts: tuple[str, ...]
    levels: np.ndarray
    model: ExceedanceModel
    max_distance_km: float
    config: dict[str, Any] = field(default_factory=dict)


def _nshmp_imt(name: str, where: str) -> str:
    if name in ("PGA", "PGV"):
        return name
    m = _SA_NSHMP.match(name)
    if m is None:
        raise InputError(f"{where}: IMT {name!r} is not PGA, PGV or SAxPy.", code="input.unknown", field="imt")
    return f"SA({float(m.group(1) + '.' + m.group(2))})"


def _bracket_list(text: str, where: str) -> list[float]:
    try:
        return [float(v) for v in text.strip().strip("[]").split(",") if v.strip()]
    except ValueError:
        raise InputError(f"{where}: {text[:60]!r} is not a list of numbers.", code="input.type") from None


def _nshmp_mfd(doc: _Doc, elem: Element) -> tuple[MFD, bool]:
    where = f"{doc.where(elem)}: <IncrementalMfd>"
    kind = elem.get("type", "")
    floats = elem.get("floats", "false").lower() == "true"
    if kind == "SINGLE":
        return SingleMFD(doc.number(elem, "m"), doc.number(elem, "rate"), where), floats
    if kind == "INCR":
        mags = _bracket_list(elem.get("mags", ""), where)
        rates = _bracket_list(elem.get("rates", ""), where)
        return ArbitraryMFD(tuple(mags), tuple(rates), where), floats
    raise InputError(
        f"{where}: MFD type {kind!r} is not a supported MFD; supported: SINGLE, INCR.",
        code="input.unsupported",
        field="type",
    )


def _points(text: str | None, where: str) -> list[tuple[float, float, float]]:
    out = []
    for line in (text or "").split():
        parts = line.split(",")
        if len(parts) != 3:
            raise InputError(f"{where}: location {line!r} is not lon,lat,depth.", code="input.syntax", field="location")
        out.append((float(parts[0]), float(parts[1]), float(parts[2])))
    return out


def _mag_depth(text: str, where: str) -> tuple[tuple[float, float], ...]:
    entries = re.findall(r"([\d.]+)::\[([^\]]*)\]", text)
    if len(entries) != 1:
        raise InputError(
            f"{where}: magDepthMap {text!r}: magnitude-dependent depth distributions (several magnitude cutoffs) "
            "are not supported; give one cutoff.",
            code="input.unsupported",
            field="magDepthMap",
        )
    pairs = []
    for part in entries[0][1].split(","):
        d, w = part.split(":")
        pairs.append((float(w), float(d)))
    total = sum(w for w, _ in pairs)
    return tuple((w / total, d) for w, d in pairs)


def _mechs(text: str, where: str) -> tuple[NodalPlane, ...]:
    planes = []
    for part in text.strip().strip("[]").split(","):
        key, w = part.split(":")
        if key.strip() not in NSHMP_MECHS:
            raise InputError(
                f"{where}: focal mechanism {key!r} is not one of {', '.join(NSHMP_MECHS)}.",
                code="input.unknown",
                field="focalMechMap",
            )
        dip, rake = NSHMP_MECHS[key.strip()]
        if float(w) > 0:
            planes.append(NodalPlane(float(w), 0.0, dip, rake))
    return tuple(planes)


def read_nshmp_case(folder: Path | str) -> PeerCase:
    """Read an nshmp-haz PEER test folder (``config.json``, ``sites.csv``, ``Fault|Area/source.xml``,
    ``gmm.xml``). Settings Kalkan does not implement are errors that name them."""
    root = Path(folder)
    cfg_path = root / "config.json"
    config = load_json_file(cfg_path, max_bytes=1 << 20)
    if not isinstance(config, dict):
        raise InputError(f"{cfg_path}: expected a JSON object with 'model' and 'hazard' settings.", code="input.syntax")
    model_cfg, hazard_cfg = config.get("model", {}), config.get("hazard", {})
    floating_cfg = model_cfg.get("ruptureFloating", "ON")
    if floating_cfg not in ("ON", "OFF"):
        raise InputError(
            f"{cfg_path}: ruptureFloating {floating_cfg!r} is not supported; supported: ON, OFF.",
            code="input.unsupported",
            field="ruptureFloating",
        )
    spacing = float(model_cfg.get("surfaceSpacing", 1.0))
    variability = bool(model_cfg.get("ruptureVariability", False))
    point_type = model_cfg.get("pointSourceType", "FINITE")
    grid = model_cfg.get("areaGridScaling", "UNIFORM_0P1")
    exceedance = ExceedanceModel(
        hazard_cfg.get("exceedanceModel", "TRUNCATION_UPPER_ONLY"), float(hazard_cfg.get("truncationLevel", 3.0))
    )
    imts = tuple(_nshmp_imt(i, str(cfg_path)) for i in hazard_cfg.get("imts", ["PGA"]))
    levels = np.asarray(hazard_cfg.get("defaultImls", []), dtype=np.float64)
    if levels.size == 0:
        raise InputError(f"{cfg_path}: hazard.defaultImls is empty.", code="input.empty", field="defaultImls")

    sources: list[Source] = []
    branches: list[GmpeBranch] = []
    max_distance = 300.0
    dirs = [d for d in sorted(root.iterdir()) if d.is_dir() and (d / "source.xml").exists()]
    if not dirs:
        raise InputError(
            f"{root}: no <kind>/source.xml found (nshmp-haz layout: Fault/ or Area/).",
            code="input.missing",
            field="source.xml",
        )
    for d in dirs:
        gdoc = _Doc(d / "gmm.xml")
        mset = gdoc.req(gdoc.root, "ModelSet")
        max_distance = float(mset.get("maxDistance", max_distance))
        for m in mset:
            if _local(m.tag) != "Model":
                continue
            gid = m.get("id", "")
            if gid not in NSHMP_GMMS:
                raise InputError(
                    f"{gdoc.where(m)}: GMM {gid!r} is not supported; supported: {', '.join(NSHMP_GMMS)}.",
                    code="input.unsupported",
                    field="id",
                    row=gdoc.line(m),
                )
            if gid not in [b.name for b in branches]:
                branches.append(GmpeBranch(NSHMP_GMMS[gid], gdoc.number(m, "weight"), branch_id=gid))
        doc = _Doc(d / "source.xml")
        kind = _local(doc.root.tag)
        scaling_elem = doc.child(doc.root, "SourceProperties", required=False)
        for src in doc.root:
            if _local(src.tag) != "Source":
                continue
            sid, name = src.get("id", "?"), src.get("name", "")
            mfd, floats = _nshmp_mfd(doc, doc.req(src, "IncrementalMfd"))
            props = doc.child(src, "SourceProperties", required=False) or scaling_elem
            rup_scaling = props.get("ruptureScaling", "") if props is not None else ""
            if rup_scaling != "PEER":
                raise InputError(
                    f"{doc.where(src)}: ruptureScaling {rup_scaling!r} is not supported; supported: PEER.",
                    code="input.unsupported",
                    field="ruptureScaling",
                    row=doc.line(src),
                )
            if kind == "FaultSourceSet":
                geom = doc.req(src, "Geometry")
                trace = _points(doc.req(geom, "Trace").text, doc.where(geom))
                dip, ztop, width = doc.number(geom, "dip"), doc.number(geom, "depth"), doc.number(geom, "width")
                lower = ztop + width * math.sin(math.radians(dip))
                sources.append(_in_source(doc, src, SimpleFaultSource,
                    sid, name, tuple((p[0], p[1]) for p in trace), ztop, lower, dip, doc.number(geom, "rake"), mfd,
                    "PEER", 2.0, spacing, floats and floating_cfg == "ON",
                    PEER_SIGMA_LOG10_AREA if variability else 0.0,
                ))  # fmt: skip
            elif kind == "AreaSourceSet":
                assert props is not None
                if point_type != "POINT":
                    raise InputError(
                        f"{cfg_path}: pointSourceType {point_type!r} is not supported for nshmp-haz area sources; "
                        "supported: POINT.",
                        code="input.unsupported",
                        field="pointSourceType",
                    )
                grid_match = _GRID.match(grid)
                if grid_match is None:
                    raise InputError(
                        f"{cfg_path}: areaGridScaling {grid!r} is not supported; supported: UNIFORM_*.",
                        code="input.unsupported",
                        field="areaGridScaling",
                    )
                border = _points(doc.req(src, "Border").text, doc.where(src))
                planes = _mechs(props.get("focalMechMap", "[STRIKE_SLIP:1.0]"), doc.where(props))
                depths = _mag_depth(props.get("magDepthMap", ""), doc.where(props))
                max_depth = float(props.get("maxDepth", 30.0))
                sources.append(_in_source(doc, src, AreaSource,
                    sid, name, tuple((p[0], p[1]) for p in border), mfd, planes, depths, 0.0, max_depth,
                    "PEER", 2.0, None, float("0." + grid_match.group(1)), False,
                ))  # fmt: skip
            else:
                raise InputError(f"{doc.source}: source set <{kind}> is not supported; supported: FaultSourceSet, "
                                 "AreaSourceSet.", code="input.unsupported", field=kind)  # fmt: skip
    sites = _nshmp_sites(root / "sites.csv")
    return PeerCase(
        str(model_cfg.get("name", root.name)), tuple(sources), tuple(branches), sites, imts, levels, exceedance,
        max_distance, config,
    )  # fmt: skip


def _nshmp_sites(path: Path) -> Sites:
    """nshmp-haz sites.csv: name, lon, lat[, vs30, vsInf, z1p0 (km), z2p5 (km)]; defaults vs30 760 m/s,
    inferred, z1p0 and z2p5 unknown (nshmp-haz's site defaults)."""
    text = read_text_file(path, "sites CSV")
    reader = csv.reader(io.StringIO(text), skipinitialspace=True)
    header = [h.strip() for h in next(reader, [])]
    names, lon, lat, vs30, measured, z1, z2 = [], [], [], [], [], [], []
    for i, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        rec = dict(zip(header, (c.strip() for c in row), strict=False))
        if "lat" not in rec and "lot" in rec:  # the header typo of nshmp-haz's Set2-Case2c/sites.csv
            rec["lat"] = rec["lot"]
        try:
            names.append(rec["name"])
            lon.append(float(rec["lon"]))
            lat.append(float(rec["lat"]))
            vs30.append(float(rec.get("vs30", 760.0)))
            measured.append(rec.get("vsInf", "true").lower() == "false")
            z1.append(float(rec.get("z1p0", "nan")) * 1000.0)
            z2.append(float(rec.get("z2p5", "nan")))
        except (KeyError, ValueError) as exc:
            raise InputError(f"{path}, row {i}: bad or missing site field ({exc}).", code="input.type", row=i) from exc
    return Sites(np.array(lon), np.array(lat), np.array(vs30), np.array(measured, dtype=bool), np.array(z1),
                 np.array(z2), names=tuple(names))  # fmt: skip
