"""Read rupture files (Kalkan's rupture JSON, OpenQuake rupture NRML) into :mod:`kalkan.core.hazard.earthquake.rupture`.

- Kalkan's rupture JSON (the form of ``shared/bench/oq_bench/rupture.json``): see :func:`parse_rupture_json`.
- OpenQuake rupture NRML (``<singlePlaneRupture>``, ``<multiPlanesRupture>``, NRML 0.4 and 0.5; OpenQuake Engine
  manual, "Rupture models"), the XML parsed with :mod:`defusedxml`: see :func:`parse_rupture_nrml`.

Every error names the file and the field (a JSON path such as ``corners.top_left.lat``, or an NRML element and
attribute with its line): ``field`` and ``row`` (the NRML line) on the error say the same for programs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from kalkan.core.geodesy import angle_difference_deg
from kalkan.core.hazard.earthquake.rupture import (
    ANGLE_CHECK_DEG,
    GeoPoint,
    MultiPlaneRupture,
    PlanarRupture,
    Plane,
    PointRupture,
    Rupture,
)
from kalkan.errors import InputError
from kalkan.io.jsonfile import decode_json
from kalkan.io.xml import parse_with_lines, read_file_bytes

NRML_NAMESPACES = ("http://openquake.org/xmlns/nrml/0.5", "http://openquake.org/xmlns/nrml/0.4")

RUPTURE_JSON_FIELDS = frozenset(
    {
        "mag", "rake", "hypocenter", "hypocentre", "strike", "dip", "length_km", "width_km", "ztor_km", "corners",
        "planes", "scaling", "aspect_ratio", "upper_seismogenic_depth_km", "lower_seismogenic_depth_km",
        "comment", "description", "name", "id",
    }
)  # fmt: skip
"""The fields of a rupture JSON; any other is refused (a misspelt field must not be silently ignored)."""


# --------------------------------------------------------------------------------------------- JSON


def _where(source: str, path: str) -> str:
    return f"{source}, field '{path}'" if path else source


def _in_context(where: str, exc: InputError, path: str = "", row: int | None = None) -> InputError:
    """``exc`` with ``where`` before its message and its field under ``path`` (code, hint and row kept)."""
    field = f"{path}.{exc.field}" if path and exc.field else (exc.field or path or None)
    return InputError(
        f"{where}: {exc.message}", hint=exc.hint, code=exc.code, field=field, row=exc.row if row is None else row
    )


def _obj(value: Any, source: str, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(
            f"{_where(source, path)}: expected an object, got {type(value).__name__}.",
            code="input.type",
            field=path or None,
        )
    return value


def _num(obj: Mapping[str, Any], key: str, source: str, path: str, *, required: bool = True) -> float | None:
    full = f"{path}.{key}" if path else key
    if key not in obj or obj[key] is None:
        if required:
            raise InputError(f"{_where(source, full)}: missing; expected a number.", code="input.missing", field=full)
        return None
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(
            f"{_where(source, full)}: expected a finite number, got {value!r}.", code="input.type", field=full
        )
    if not math.isfinite(value):
        raise InputError(
            f"{_where(source, full)}: expected a finite number, got {value!r}.", code="input.range", field=full
        )
    return float(value)


def _req(obj: Mapping[str, Any], key: str, source: str, path: str) -> float:
    value = _num(obj, key, source, path)
    assert value is not None
    return value


def _json_point(obj: Mapping[str, Any], source: str, path: str) -> GeoPoint:
    p = _obj(obj, source, path)
    depth = _num(p, "depth_km", source, path, required=False)
    try:
        return GeoPoint(_req(p, "lon", source, path), _req(p, "lat", source, path), 0.0 if depth is None else depth)
    except InputError as exc:
        if exc.message.startswith(source):
            raise
        raise _in_context(_where(source, path), exc, path) from None


def _json_plane(obj: Any, source: str, path: str) -> Plane:
    c = _obj(obj, source, path)
    names = ("top_left", "top_right", "bottom_left", "bottom_right")
    missing = [n for n in names if n not in c]
    if missing:
        raise InputError(
            f"{_where(source, path)}: missing corner(s) {', '.join(missing)}; expected {', '.join(names)}.",
            code="input.missing",
            field=f"{path}.{missing[0]}",
        )
    points = [_json_point(c[n], source, f"{path}.{n}") for n in names]
    try:
        return Plane(*points)
    except InputError as exc:
        raise _in_context(_where(source, path), exc, path) from None


def _check_against(source: str, name: str, given: float | None, actual: float, *, angle: bool = False) -> None:
    """A value written in a file next to the corners must agree with what the corners give."""
    if given is None:
        return
    if angle:
        bad = angle_difference_deg(given, actual) > ANGLE_CHECK_DEG
        tol = f"{ANGLE_CHECK_DEG:g} degree"
    else:
        bad = abs(given - actual) > max(0.1, 0.01 * abs(actual))
        tol = "1 % (or 0.1 km)"
    if bad:
        raise InputError(
            f"{_where(source, name)}: {given:g} disagrees with the corners, which give {actual:.4f} (tolerance {tol}).",
            code="input.inconsistent",
            field=name,
        )


def parse_rupture_json(data: Any, source: str = "<rupture>") -> Rupture:
    """A rupture from Kalkan's rupture JSON (a decoded object); ``source`` names it in messages.

    Fields: ``mag``, ``rake`` (degrees), ``hypocenter`` (or ``hypocentre``) ``{lon, lat, depth_km}``, then the
    geometry: ``corners`` ``{top_left, top_right, bottom_left, bottom_right}`` each ``{lon, lat, depth_km}`` (a
    plane; ``strike``, ``dip``, ``length_km``, ``width_km``, ``ztor_km`` written beside them are checked against
    them), or ``planes``, a list of such corner objects (several planes), or ``strike`` and ``dip`` with
    optional ``length_km``, ``width_km``, ``ztor_km``, ``scaling``, ``aspect_ratio``,
    ``upper_seismogenic_depth_km``, ``lower_seismogenic_depth_km`` (a plane built around the hypocentre, see
    :meth:`PlanarRupture.from_hypocentre`), or none of these (a point rupture).
    """
    obj = _obj(data, source, "")
    unknown = [k for k in obj if k not in RUPTURE_JSON_FIELDS]
    if unknown:
        raise InputError(
            f"{source}: unknown field(s) {', '.join(map(repr, unknown))}; expected "
            f"{', '.join(sorted(RUPTURE_JSON_FIELDS))}.",
            code="input.unknown",
            field=str(unknown[0]),
        )
    mag, rake = _req(obj, "mag", source, ""), _req(obj, "rake", source, "")
    hypo_key = "hypocenter" if "hypocenter" in obj else "hypocentre"
    if hypo_key not in obj:
        raise InputError(
            f"{source}, field 'hypocenter': missing; expected {{lon, lat, depth_km}}.",
            code="input.missing",
            field="hypocenter",
        )
    hypo = _json_point(obj[hypo_key], source, hypo_key)
    strike = _num(obj, "strike", source, "", required=False)
    dip = _num(obj, "dip", source, "", required=False)
    length = _num(obj, "length_km", source, "", required=False)
    width = _num(obj, "width_km", source, "", required=False)
    ztor = _num(obj, "ztor_km", source, "", required=False)
    try:
        if "corners" in obj:
            plane = _json_plane(obj["corners"], source, "corners")
            _check_against(source, "strike", strike, plane.strike, angle=True)
            _check_against(source, "dip", dip, plane.dip, angle=True)
            _check_against(source, "length_km", length, plane.length_km)
            _check_against(source, "width_km", width, plane.width_km)
            _check_against(source, "ztor_km", ztor, plane.ztor_km)
            return PlanarRupture(mag, rake, hypo, plane)
        if "planes" in obj:
            planes = obj["planes"]
            if not isinstance(planes, list) or not planes:
                raise InputError(
                    f"{source}, field 'planes': expected a non-empty list of corner objects.",
                    code="input.type" if not isinstance(planes, list) else "input.empty",
                    field="planes",
                )
            return MultiPlaneRupture(
                mag, rake, hypo, tuple(_json_plane(p, source, f"planes[{k}]") for k, p in enumerate(planes))
            )
        if strike is None and dip is None:
            return PointRupture(mag, rake, hypo)
        if strike is None or dip is None:
            raise InputError(
                f"{source}: give both 'strike' and 'dip' (degrees) to build a plane, or neither.",
                code="input.missing",
                field="strike" if strike is None else "dip",
            )
        scaling = obj.get("scaling", "WC1994")
        if not isinstance(scaling, str):
            raise InputError(
                f"{source}, field 'scaling': expected a name, got {scaling!r}.", code="input.type", field="scaling"
            )
        aspect = _num(obj, "aspect_ratio", source, "", required=False)
        usd = _num(obj, "upper_seismogenic_depth_km", source, "", required=False)
        lsd = _num(obj, "lower_seismogenic_depth_km", source, "", required=False)
        return PlanarRupture.from_hypocentre(
            mag,
            rake,
            strike,
            dip,
            hypo,
            length_km=length,
            width_km=width,
            ztor_km=ztor,
            scaling=scaling,
            aspect_ratio=1.0 if aspect is None else aspect,
            upper_seismogenic_depth_km=0.0 if usd is None else usd,
            lower_seismogenic_depth_km=lsd,
        )
    except InputError as exc:
        if exc.message.startswith(source):
            raise
        raise _in_context(source, exc) from None


def read_rupture_json(path: Path | str) -> Rupture:
    """Read a rupture JSON file (see :func:`parse_rupture_json`)."""
    data, source = read_file_bytes(path)
    return parse_rupture_json(decode_json(data, source), source)


# --------------------------------------------------------------------------------------------- NRML


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


class _Nrml:
    """A parsed NRML rupture document, with the line of every element for messages."""

    def __init__(self, data: bytes, source: str) -> None:
        self.source = source
        root, self.lines = parse_with_lines(data, source)
        self.root: Element = root
        ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
        if _local(root.tag) != "nrml" or ns not in NRML_NAMESPACES:
            raise InputError(
                f"{source}, line {self.line(root)}: the root element is <{_local(root.tag)}>; expected "
                f'<nrml xmlns="{NRML_NAMESPACES[0]}"> (or NRML 0.4).',
                code="input.syntax",
                field="nrml",
                row=self.line(root),
            )
        self.ns = ns

    def line(self, elem: Element) -> int:
        return self.lines.get(id(elem), 0)

    def where(self, elem: Element) -> str:
        return f"{self.source}, line {self.line(elem)}, <{_local(elem.tag)}>"

    def children(self, parent: Element, local: str) -> list[Element]:
        return parent.findall(f"{{{self.ns}}}{local}")

    def one(self, parent: Element, local: str) -> Element:
        found = self.children(parent, local)
        if len(found) != 1:
            raise InputError(
                f"{self.where(parent)}: expected exactly one <{local}>, found {len(found)}.",
                code="input.missing" if not found else "input.duplicate",
                field=local,
                row=self.line(parent),
            )
        return found[0]

    def number(self, elem: Element, attr: str | None = None) -> float:
        raw = elem.text if attr is None else elem.get(attr)
        what = f"attribute '{attr}'" if attr else "its text"
        try:
            value = float((raw or "").strip())
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InputError(
                f"{self.where(elem)}, {what}: expected a finite number, got {raw!r}.",
                code="input.missing" if raw is None else "input.type",
                field=attr or _local(elem.tag),
                row=self.line(elem),
            )
        return value

    def point(self, elem: Element) -> GeoPoint:
        try:
            return GeoPoint(self.number(elem, "lon"), self.number(elem, "lat"), self.number(elem, "depth"))
        except InputError as exc:
            if exc.message.startswith(self.source):
                raise
            raise _in_context(self.where(elem), exc, _local(elem.tag), self.line(elem)) from None

    def plane(self, elem: Element) -> Plane:
        names = (("topLeft", "top_left"), ("topRight", "top_right"), ("bottomLeft", "bottom_left"),
                 ("bottomRight", "bottom_right"))  # fmt: skip
        points = [self.point(self.one(elem, tag)) for tag, _ in names]
        try:
            plane = Plane(*points)
        except InputError as exc:
            raise _in_context(self.where(elem), exc, _local(elem.tag), self.line(elem)) from None
        for attr, actual in (("strike", plane.strike), ("dip", plane.dip)):
            if elem.get(attr) is not None:
                try:
                    _check_against(f"{self.where(elem)}", attr, self.number(elem, attr), actual, angle=True)
                except InputError as exc:
                    raise _in_context(self.where(elem), exc, row=self.line(elem)) from None
        return plane


def parse_rupture_nrml(data: bytes, source: str = "<rupture.xml>") -> PlanarRupture | MultiPlaneRupture:
    """A rupture from OpenQuake NRML: ``<singlePlaneRupture>`` or ``<multiPlanesRupture>``.

    Each holds ``<magnitude>``, ``<rake>``, ``<hypocenter lon lat depth>`` and one or more ``<planarSurface>``
    with ``<topLeft>``, ``<topRight>``, ``<bottomLeft>``, ``<bottomRight>`` (``lon``, ``lat``, ``depth`` in km).
    The corners define the plane, as in OpenQuake; ``strike`` and ``dip`` attributes are checked against them.
    """
    doc = _Nrml(data, source)
    elements = [e for e in doc.root if isinstance(e.tag, str)]
    if len(elements) != 1:
        raise InputError(
            f"{source}: expected one rupture element inside <nrml>, found {len(elements)}.",
            code="input.missing" if not elements else "input.duplicate",
            field="nrml",
        )
    elem = elements[0]
    kind = _local(elem.tag)
    if kind not in ("singlePlaneRupture", "multiPlanesRupture"):
        raise InputError(
            f"{doc.where(elem)}: this rupture type is not supported; Kalkan reads <singlePlaneRupture> and "
            "<multiPlanesRupture>.",
            code="input.unsupported",
            field=kind,
            row=doc.line(elem),
        )
    mag = doc.number(doc.one(elem, "magnitude"))
    rake = doc.number(doc.one(elem, "rake"))
    hypo = doc.point(doc.one(elem, "hypocenter"))
    surfaces = doc.children(elem, "planarSurface")
    if kind == "singlePlaneRupture" and len(surfaces) != 1:
        raise InputError(
            f"{doc.where(elem)}: expected exactly one <planarSurface>, found {len(surfaces)}.",
            code="input.missing" if not surfaces else "input.duplicate",
            field="planarSurface",
            row=doc.line(elem),
        )
    if not surfaces:
        raise InputError(
            f"{doc.where(elem)}: expected at least one <planarSurface>.",
            code="input.missing",
            field="planarSurface",
            row=doc.line(elem),
        )
    planes = tuple(doc.plane(s) for s in surfaces)
    try:
        if kind == "singlePlaneRupture":
            return PlanarRupture(mag, rake, hypo, planes[0])
        return MultiPlaneRupture(mag, rake, hypo, planes)
    except InputError as exc:
        err = _in_context(doc.where(elem), exc, row=doc.line(elem))
        err.field = {"mag": "magnitude"}.get(err.field or "", err.field)
        raise err from None


def read_rupture_nrml(path: Path | str) -> PlanarRupture | MultiPlaneRupture:
    """Read an OpenQuake rupture NRML file (see :func:`parse_rupture_nrml`)."""
    data, source = read_file_bytes(path)
    return parse_rupture_nrml(data, source)


def read_rupture(path: Path | str) -> Rupture:
    """Read a rupture file: ``.json`` (Kalkan's form) or ``.xml`` (OpenQuake NRML)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        return read_rupture_json(path)
    if suffix in (".xml", ".nrml"):
        return read_rupture_nrml(path)
    raise InputError(
        f"{path}: unknown rupture file type {suffix!r}; expected .json or .xml (NRML).", code="input.unsupported"
    )


__all__ = [
    "RUPTURE_JSON_FIELDS",
    "parse_rupture_json",
    "parse_rupture_nrml",
    "read_rupture",
    "read_rupture_json",
    "read_rupture_nrml",
]
