"""Read and write OpenQuake exposure models (NRML 0.4/0.5 ``<exposureModel>``).

Format: OpenQuake Engine User Manual, "Exposure Models" (https://docs.openquake.org/oq-engine/manual/,
inputs section). An ``<exposureModel id category taxonomySource>`` holds ``<description>``,
``<conversions>`` (``<costTypes><costType name type unit/>``, optional ``<area type unit/>``),
``<occupancyPeriods>`` (space-separated: day, night, transit), ``<tagNames>`` (space-separated), an optional
``<exposureFields>`` (``<field oq input [type]/>``: CSV header -> OpenQuake field), and ``<assets>`` with either

- inline ``<asset id number taxonomy [area]>`` elements, each with ``<location lon lat/>``,
  ``<costs><cost type value [retrofitted]/></costs>``, ``<occupancies><occupancy occupants period/></occupancies>``
  and ``<tags name="value" .../>``, or
- the names of CSV files (relative to the XML file) with OpenQuake's columns ``id, lon, lat, taxonomy,
  number, structural, nonstructural, contents, business_interruption, area, day, night, transit`` plus one
  column per tag.

Mapping to Kalkan (:class:`~kalkan.core.exposure.table.Exposure`):

- Costs: OpenQuake's cost ``type`` says what a value is. ``aggregated`` is the asset's total and is kept;
  ``per_asset`` is the cost of one building (structural unit) and is multiplied by ``number``;
  ``per_area`` is a cost per unit area and is multiplied by the asset's ``area`` (``<area type="aggregated">``)
  or by ``area * number`` (``<area type="per_asset">``), as the manual describes. A per-area cost without an
  ``<area>`` conversion or without an area for an asset, or a per-building cost without ``number``, is an
  error that says so: Kalkan stores each asset's total replacement cost and cannot guess the area.
  The cost ``unit`` of structural, nonstructural and contents must be one currency; it becomes
  ``Exposure.currency``. ``business_interruption`` (not modelled by Kalkan) and ``retrofitted`` costs are
  converted the same way and kept in ``extra``; so is ``area``.
- Occupants: the periods ``day``, ``night``, ``transit``; any other period is an error.
- Tags: a tag named ``district``, ``occupancy``, ``critical_type`` or ``site_id`` (any letter case) fills
  that Kalkan field; every other tag (``NAME_1``, ``ID_2``, ...) and any unknown CSV column goes to ``extra``
  (numeric if all values are numbers), so nothing is dropped.
- Price year: OpenQuake has none. The writer states it in the description as ``price year 2021``; the
  reader takes it from there unless the caller gives ``price_year``.

The writer produces the XML metadata plus one CSV file of assets (aggregated costs, OpenQuake column names),
both written atomically. XML is parsed with :mod:`defusedxml` (no entity expansion, no external references).
Errors name the file, the line or CSV row, the asset and the field.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pyarrow as pa

from kalkan.core.exposure.table import OCCUPANT_PERIODS, Exposure
from kalkan.errors import InputError
from kalkan.io.exposure_columns import (
    RawColumns,
    atomic_target,
    build_exposure,
    check_extra_names,
    extra_to_arrow,
    numbers,
    require_file,
    resolve_currency,
)
from kalkan.io.exposure_csv import read_csv_text_table, write_arrow_csv
from kalkan.io.xml import parse_with_lines

__all__ = ["read_exposure_oq", "write_exposure_oq"]

NRML_05 = "http://openquake.org/xmlns/nrml/0.5"
NRML_NAMESPACES = (NRML_05, "http://openquake.org/xmlns/nrml/0.4")
OQ_COSTS = ("structural", "nonstructural", "contents")
OQ_OTHER_VALUES = ("business_interruption", "retrofitted")
COST_KINDS = ("aggregated", "per_asset", "per_area")
AREA_KINDS = ("aggregated", "per_asset")
TAG_FIELDS = ("district", "occupancy", "critical_type", "site_id")
ASSET_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")
"""Asset and model ids as the OpenQuake manual allows them: letters, digits, '-' and '_', at most 100."""
PRICE_YEAR = re.compile(r"price year (\d{4})")
OQ_FIELDS = frozenset(
    {"id", "lon", "lat", "taxonomy", "number", "area", *OQ_COSTS, *OQ_OTHER_VALUES, *OCCUPANT_PERIODS}
)
"""OpenQuake CSV column names with a fixed meaning."""


@dataclass(frozen=True, slots=True)
class _Conversion:
    kind: str
    unit: str
    retrofitted_kind: str | None = None


@dataclass
class _Doc:
    path: Path
    root: Element
    lines: dict[int, int]

    def line(self, elem: Element) -> str:
        return f"line {self.lines.get(id(elem), 0)}"

    def row(self, elem: Element) -> int | None:
        """The line of ``elem``'s start tag, for :attr:`InputError.row`."""
        return self.lines.get(id(elem))

    def at(self, elem: Element) -> str:
        return f"{self.path}: {self.line(elem)}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(elem: Element, name: str) -> list[Element]:
    return [c for c in elem if _local(c.tag) == name]


def _child(doc: _Doc, elem: Element, name: str) -> Element | None:
    found = _children(elem, name)
    if len(found) > 1:
        raise InputError(
            f"{doc.at(found[1])}: <{name}> appears twice in <{_local(elem.tag)}>; expected once.",
            code="input.duplicate",
            field=name,
            row=doc.row(found[1]),
        )
    return found[0] if found else None


def _parse(path: Path) -> _Doc:
    require_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc}).", code="input.unreadable") from exc
    root, lines = parse_with_lines(data, str(path))
    doc = _Doc(path, root, lines)
    namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if _local(root.tag) != "nrml" or namespace not in (*NRML_NAMESPACES, ""):
        raise InputError(
            f"{doc.at(root)}: the root element is <{_local(root.tag)}> in namespace {namespace!r}; expected <nrml> "
            f"in {NRML_05} (an OpenQuake exposure model).",
            code="input.syntax",
            field="nrml",
            row=doc.row(root),
        )
    return doc


def _attr(doc: _Doc, elem: Element, name: str, allowed: tuple[str, ...] | None = None) -> str:
    value = elem.get(name)
    if value is None or not value.strip():
        raise InputError(
            f"{doc.at(elem)}: <{_local(elem.tag)}> has no '{name}' attribute.",
            code="input.missing",
            field=name,
            row=doc.row(elem),
        )
    value = value.strip()
    if allowed is not None and value not in allowed:
        raise InputError(
            f"{doc.at(elem)}: <{_local(elem.tag)} {name}={value!r}>; expected one of {', '.join(allowed)}.",
            code="input.unknown",
            field=name,
            row=doc.row(elem),
        )
    return value


def _conversions(doc: _Doc, model: Element) -> tuple[dict[str, _Conversion], _Conversion | None]:
    conv = _child(doc, model, "conversions")
    costs: dict[str, _Conversion] = {}
    area = None
    if conv is None:
        raise InputError(
            f"{doc.at(model)}: <exposureModel> has no <conversions><costTypes>; cost units are unknown.",
            code="input.missing",
            field="conversions",
            row=doc.row(model),
        )
    cost_types = _child(doc, conv, "costTypes")
    for elem in [] if cost_types is None else _children(cost_types, "costType"):
        name = _attr(doc, elem, "name")
        if name not in (*OQ_COSTS, "business_interruption"):
            raise InputError(
                f"{doc.at(elem)}: unknown cost type {name!r}; expected {', '.join(OQ_COSTS)} or business_interruption.",
                code="input.unknown",
                field="name",
                row=doc.row(elem),
            )
        if name in costs:
            raise InputError(
                f"{doc.at(elem)}: cost type {name!r} is declared twice.",
                code="input.duplicate",
                field="name",
                row=doc.row(elem),
            )
        retrofitted = elem.get("retrofittedType")
        if retrofitted is not None and retrofitted not in COST_KINDS:
            raise InputError(
                f"{doc.at(elem)}: <costType retrofittedType={retrofitted!r}>; expected one of {', '.join(COST_KINDS)}.",
                code="input.unknown",
                field="retrofittedType",
                row=doc.row(elem),
            )
        costs[name] = _Conversion(_attr(doc, elem, "type", COST_KINDS), _attr(doc, elem, "unit"), retrofitted)
    if not any(k in costs for k in OQ_COSTS):
        raise InputError(
            f"{doc.at(conv)}: no <costType> for {', '.join(OQ_COSTS)}; Kalkan needs replacement costs.",
            code="input.missing",
            field="costType",
            row=doc.row(conv),
        )
    area_elem = _child(doc, conv, "area")
    if area_elem is not None:
        area = _Conversion(_attr(doc, area_elem, "type", AREA_KINDS), area_elem.get("unit", ""))
    return costs, area


def _words(elem: Element | None) -> list[str]:
    return [] if elem is None or not elem.text else elem.text.split()


def _kalkan_name(oq_name: str) -> str:
    """The Kalkan field for an OpenQuake column, tag or attribute name."""
    if oq_name in OQ_COSTS:
        return f"cost_{oq_name}"
    if oq_name in OCCUPANT_PERIODS:
        return f"occupants_{oq_name}"
    if oq_name in OQ_FIELDS:
        return oq_name
    if oq_name.lower() in TAG_FIELDS:
        return oq_name.lower()
    return oq_name


def _inline(doc: _Doc, assets: Element) -> RawColumns:
    """Columns from inline ``<asset>`` elements (values as text, missing ones as null)."""
    elems = _children(assets, "asset")
    n = len(elems)
    values: dict[str, list[str | None]] = {}
    headers: dict[str, str] = {}
    places: list[str] = []

    def put(k: int, oq_name: str, value: str | None, elem: Element) -> None:
        name = _kalkan_name(oq_name)
        column = values.setdefault(name, [None] * n)
        if column[k] is not None:
            raise InputError(
                f"{doc.at(elem)}: {oq_name!r} is given twice for this asset (also as {headers[name]!r}).",
                code="input.duplicate",
                field=oq_name,
                row=doc.row(elem),
            )
        if headers.setdefault(name, oq_name) != oq_name:
            raise InputError(
                f"{doc.at(elem)}: {oq_name!r} and {headers[name]!r} both give the field {name!r}.",
                code="input.duplicate",
                field=oq_name,
                row=doc.row(elem),
            )
        column[k] = value

    for k, asset in enumerate(elems):
        asset_id = asset.get("id")
        places.append(f"{doc.line(asset)}, asset {asset_id!r}" if asset_id else f"{doc.line(asset)}, asset #{k + 1}")
        for key, value in asset.attrib.items():
            put(k, key, value, asset)
        location = _child(doc, asset, "location")
        if location is not None:
            for key in ("lon", "lat"):
                put(k, key, location.get(key), location)
        costs = _child(doc, asset, "costs")
        for cost in [] if costs is None else _children(costs, "cost"):
            kind = _attr(doc, cost, "type")
            if kind not in (*OQ_COSTS, "business_interruption"):
                raise InputError(
                    f"{doc.at(cost)}: unknown cost type {kind!r}; expected {', '.join(OQ_COSTS)}.",
                    code="input.unknown",
                    field="type",
                    row=doc.row(cost),
                )
            put(k, kind, cost.get("value"), cost)
            if cost.get("retrofitted") is not None:
                put(k, "retrofitted", cost.get("retrofitted"), cost)
        occupancies = _child(doc, asset, "occupancies")
        for occ in [] if occupancies is None else _children(occupancies, "occupancy"):
            put(k, _attr(doc, occ, "period", OCCUPANT_PERIODS), occ.get("occupants"), occ)
        tags = _child(doc, asset, "tags")
        if tags is not None:
            for key, value in tags.attrib.items():
                if key in OQ_FIELDS:
                    raise InputError(
                        f"{doc.at(tags)}: a tag may not be named {key!r} (an OpenQuake asset field).",
                        code="input.duplicate",
                        field=key,
                        row=doc.row(tags),
                    )
                put(k, key, value, tags)
    return RawColumns(
        source=str(doc.path),
        n=n,
        columns={name: pa.array(column, pa.string()) for name, column in values.items()},
        headers=headers,
        locate=lambda k: (str(doc.path), places[k]),
        row_of=lambda k: doc.row(elems[k]),
    )


def _from_csv(doc: _Doc, assets: Element, model: Element) -> RawColumns:
    """Columns from the CSV files listed in ``<assets>``, with ``<exposureFields>`` renaming applied."""
    fields = _child(doc, model, "exposureFields")
    rename: dict[str, str] = {}
    for field in [] if fields is None else _children(fields, "field"):
        oq_name = _attr(doc, field, "oq")
        if oq_name == "value":
            oq_name = _attr(doc, field, "type")
        rename[_attr(doc, field, "input")] = oq_name
    files = [doc.path.parent / name for name in _words(assets)]
    if not files:
        raise InputError(
            f"{doc.at(assets)}: <assets> is empty; expected <asset> elements or CSV file names.",
            code="input.empty",
            field="assets",
            row=doc.row(assets),
        )
    chunks: dict[str, list[pa.Array]] = {}
    headers: dict[str, str] = {}
    offsets: list[tuple[int, str]] = []
    n = 0
    expected_names: list[str] | None = None
    for file in files:
        table = read_csv_text_table(file, "exposure CSV")
        names = [_kalkan_name(rename.get(c, c)) for c in table.column_names]
        for name, header in zip(names, table.column_names, strict=True):
            if names.count(name) > 1:
                others = [h for m, h in zip(names, table.column_names, strict=True) if m == name and h != header]
                raise InputError(
                    f"{file}: columns '{header}' and '{others[0]}' both give the field {name!r}.",
                    code="input.duplicate",
                    field=header,
                )
            headers.setdefault(name, header)
        if expected_names is not None and sorted(names) != sorted(expected_names):
            raise InputError(
                f"{file}: columns {', '.join(table.column_names)} differ from those of {files[0].name}; all asset "
                "files of one exposure model need the same columns.",
                code="input.inconsistent",
            )
        expected_names = names
        for name, header in zip(names, table.column_names, strict=True):
            chunks.setdefault(name, []).extend(table.column(header).chunks)
        offsets.append((n, str(file)))
        n += table.num_rows
    starts = np.array([start for start, _ in offsets])

    def locate(k: int) -> tuple[str, str]:
        i = int(np.searchsorted(starts, k, side="right")) - 1
        start, file = offsets[i]
        return file, f"data row {k - start + 1}"

    def row_of(k: int) -> int:
        return k - offsets[int(np.searchsorted(starts, k, side="right")) - 1][0] + 1

    return RawColumns(
        source=str(doc.path),
        n=n,
        columns={name: pa.chunked_array(parts, pa.string()) for name, parts in chunks.items()},
        headers=headers,
        locate=locate,
        row_of=row_of,
    )


def _convert_costs(raw: RawColumns, costs: dict[str, _Conversion], area: _Conversion | None) -> RawColumns:
    """Turn per-building and per-area costs into each asset's total (see the module docstring)."""
    columns = dict(raw.columns)
    for oq_name in (*OQ_COSTS, *OQ_OTHER_VALUES):
        name = _kalkan_name(oq_name)
        if name not in columns:
            continue
        if oq_name == "retrofitted":
            base = costs.get("structural")
            kind = (base.retrofitted_kind or base.kind) if base else "aggregated"
        elif oq_name in costs:
            kind = costs[oq_name].kind
        else:
            raise InputError(
                f"{raw.source}: assets give {oq_name!r} values but <conversions><costTypes> declares no "
                f"<costType name={oq_name!r}>; its type and unit are unknown.",
                code="input.missing",
                field="costType",
            )
        if kind == "aggregated":
            continue
        optional = oq_name in OQ_OTHER_VALUES
        values = numbers(raw, name, expected=f"a finite {oq_name} cost >= 0", allow_empty=optional)
        if kind == "per_asset" or (area is not None and area.kind == "per_asset"):
            if "number" not in columns:
                raise InputError(
                    f'{raw.source}: the {oq_name} cost is given per building (type="{kind}"), but the assets have '
                    "no 'number'; Kalkan stores each asset's total cost, which needs the number of buildings.",
                    code="input.missing",
                    field="number",
                )
            with np.errstate(over="ignore"):  # an overflow becomes inf, refused by build_exposure's bounds
                values = values * numbers(raw, "number", expected="a finite number of buildings >= 0")
        if kind == "per_area":
            if area is None or "area" not in columns:
                missing = "<conversions> has no <area type unit/>" if area is None else "the assets have no 'area'"
                raise InputError(
                    f'{raw.source}: the {oq_name} cost is given per unit area (type="per_area") but {missing}. '
                    "Kalkan stores each asset's total replacement cost and cannot guess floor areas.",
                    hint='give <area type="aggregated"|"per_asset" unit="SQM"/> and an area for every asset, '
                    'or convert the costs to type="aggregated".',
                    code="input.missing",
                    field="area",
                )
            with np.errstate(over="ignore"):
                values = values * numbers(raw, "area", expected=f"a finite area >= 0 ({area.unit or 'area unit'})")
        columns[name] = pa.array(values)
    return replace(raw, columns=columns)


def read_exposure_oq(
    path: str | os.PathLike[str], *, currency: str | None = None, price_year: int | None = None
) -> Exposure:
    """Read an OpenQuake exposure model (XML with inline assets or CSV files); see the module docstring."""
    doc = _parse(Path(path))
    model = _child(doc, doc.root, "exposureModel")
    if model is None:
        raise InputError(
            f"{doc.at(doc.root)}: <nrml> holds no <exposureModel>; is this an exposure file?",
            code="input.missing",
            field="exposureModel",
            row=doc.row(doc.root),
        )
    costs, area = _conversions(doc, model)
    periods = _words(_child(doc, model, "occupancyPeriods"))
    for period in periods:
        if period not in OCCUPANT_PERIODS:
            raise InputError(
                f"{doc.at(model)}: occupancy period {period!r}; expected {', '.join(OCCUPANT_PERIODS)}.",
                code="input.unknown",
                field="occupancyPeriods",
                row=doc.row(model),
            )
    assets = _child(doc, model, "assets")
    if assets is None:
        raise InputError(
            f"{doc.at(model)}: <exposureModel> has no <assets>.",
            code="input.missing",
            field="assets",
            row=doc.row(model),
        )
    inline = bool(_children(assets, "asset"))
    raw = _inline(doc, assets) if inline else _from_csv(doc, assets, model)
    if not inline:
        missing = [p for p in periods if f"occupants_{p}" not in raw.columns]
        if missing:
            raise InputError(
                f"{raw.source}: <occupancyPeriods> lists {', '.join(missing)} but the asset files have no such column.",
                code="input.missing",
                field=missing[0],
            )
    missing = [name for name in ("id", "lon", "lat", "taxonomy") if name not in raw.columns]
    if missing:
        raise InputError(
            f"{raw.source}: the assets have no {', '.join(missing)}; OpenQuake assets need them all.",
            code="input.missing",
            field=missing[0],
        )
    if not any(f"cost_{k}" in raw.columns for k in OQ_COSTS):
        raise InputError(
            f"{raw.source}: the assets give no {', '.join(OQ_COSTS)} cost; Kalkan needs replacement costs.",
            code="input.missing",
        )
    raw = _convert_costs(raw, costs, area)
    units = {costs[k].unit for k in OQ_COSTS if k in costs}
    if len(units) > 1:
        raise InputError(
            f"{doc.path}: cost types use different units ({', '.join(sorted(units))}); Kalkan needs one currency.",
            hint="convert all costs to one currency first.",
            code="input.inconsistent",
            field="unit",
        )
    found = resolve_currency(raw, currency, units.pop(), "<costType unit>")
    description = _child(doc, model, "description")
    match = PRICE_YEAR.search(description.text or "") if description is not None else None
    found_year = int(match.group(1)) if match else None
    if found_year is not None and price_year is not None and found_year != price_year:
        raise InputError(
            f"{doc.path}: the description says prices are of {found_year}, but {price_year} was given; Kalkan "
            "does not index prices between years.",
            code="input.inconsistent",
            field="price_year",
        )
    return build_exposure(raw, currency=found, price_year=price_year if price_year is not None else found_year)


def _check_writable(exposure: Exposure, target: str) -> None:
    if "total" in exposure.costs:
        raise InputError(
            f"{target}: OpenQuake has no 'total' cost type (only {', '.join(OQ_COSTS)}); this exposure's "
            "replacement value is not split by component, so it cannot be written as an OpenQuake model.",
            hint="write a Kalkan CSV or GeoPackage instead, or split the value into structural, nonstructural "
            "and contents.",
            code="input.unsupported",
            field="cost_total",
        )
    bad = [i for i in exposure.id if not ASSET_ID.match(i)]
    if bad:
        raise InputError(
            f"{target}: asset id {bad[0]!r} is not valid for OpenQuake, whose ids have 1-100 letters, digits, "
            "'-' or '_'; rename the assets.",
            code="input.type",
            field="id",
        )
    reserved = OQ_FIELDS | {f.lower() for f in TAG_FIELDS}
    check_extra_names(exposure, target, also_reserved=frozenset(reserved))
    for name in exposure.extra:
        if name.lower() in reserved or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
            raise InputError(
                f"{target}: the extra field {name!r} cannot be an OpenQuake tag name (letters, digits, '_', '.', "
                "'-', not an OpenQuake field name); rename it.",
                code="input.unsupported",
                field=name,
            )


def _asset_table(exposure: Exposure) -> tuple[pa.Table, list[str]]:
    arrays: dict[str, pa.Array] = {
        "id": pa.array(exposure.id, pa.string()),
        "lon": pa.array(exposure.lon),
        "lat": pa.array(exposure.lat),
        "taxonomy": pa.array(exposure.taxonomy, pa.string()),
        "number": pa.array(np.ones(len(exposure)) if exposure.number is None else exposure.number),
    }
    for kind in OQ_COSTS:
        if kind in exposure.costs:
            arrays[kind] = pa.array(exposure.costs[kind])
    for period in OCCUPANT_PERIODS:
        if period in exposure.occupants:
            arrays[period] = pa.array(exposure.occupants[period])
    tags: list[str] = []
    for name in ("district", "occupancy", "critical_type"):
        values = getattr(exposure, name)
        if values is not None and len(values) and (values != "").any():
            arrays[name] = pa.array(values, pa.string())
            tags.append(name)
    if exposure.site_id is not None:
        arrays["site_id"] = pa.array(exposure.site_id)
        tags.append("site_id")
    for name, values in exposure.extra.items():
        arrays[name] = extra_to_arrow(values)
        tags.append(name)
    return pa.table(arrays), tags


def write_exposure_oq(
    exposure: Exposure,
    path: str | os.PathLike[str],
    *,
    model_id: str = "kalkan_exposure",
    description: str = "Kalkan exposure",
) -> Path:
    """Write ``exposure`` as OpenQuake exposure XML ``path`` plus the assets CSV ``<stem>.csv`` beside it.

    Costs are written ``aggregated`` in ``exposure.currency``; the price year goes into the description.
    Returns the XML path. :func:`read_exposure_oq` reads the pair back unchanged.
    """
    target = Path(path)
    csv_path = target.with_name(f"{target.stem}.csv")
    if csv_path == target:
        raise InputError(
            f"{target}: the exposure XML needs a name not ending in .csv (the assets go in {csv_path.name}).",
            code="input.unsupported",
        )
    if not ASSET_ID.match(model_id):
        raise InputError(
            f"{target}: model id {model_id!r} is not valid for OpenQuake (1-100 letters, digits, '-', '_').",
            code="input.type",
            field="model_id",
        )
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", description + exposure.currency):
        raise InputError(
            f"{target}: the description or currency contains control characters, which XML forbids.",
            code="input.type",
            field="description",
        )
    _check_writable(exposure, str(target))
    table, tags = _asset_table(exposure)
    prices = f" of price year {exposure.price_year}" if exposure.price_year is not None else ""
    text = f"{description} (replacement costs in {exposure.currency}{prices})"
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<nrml xmlns="{NRML_05}" xmlns:gml="http://www.opengis.net/gml">',
        f'<exposureModel id={quoteattr(model_id)} category="buildings" taxonomySource="GEM taxonomy">',
        f"  <description>{escape(text)}</description>",
        "  <conversions>",
        "    <costTypes>",
        *(
            f'      <costType name="{kind}" type="aggregated" unit={quoteattr(exposure.currency)}/>'
            for kind in OQ_COSTS
            if kind in exposure.costs
        ),
        "    </costTypes>",
        "  </conversions>",
        f"  <occupancyPeriods>{' '.join(p for p in OCCUPANT_PERIODS if p in exposure.occupants)}</occupancyPeriods>",
        f"  <tagNames>{escape(' '.join(tags))}</tagNames>",
        f"  <assets>{escape(csv_path.name)}</assets>",
        "</exposureModel>",
        "</nrml>",
        "",
    ]
    with atomic_target(target, "OpenQuake exposure XML") as tmp:
        write_arrow_csv(table, csv_path, "OpenQuake exposure CSV")
        tmp.write_text("\n".join(lines), encoding="utf-8")
    return target
