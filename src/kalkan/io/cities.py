"""Read city facts (the founding-cities JSON schema, also used for accession applications) and outlines.

The schema is that of ``data/cities/founding_cities.json``: one object per city. Every error names the
file, the city (position and id) and the field, and says what is expected; it carries the field and, in a
file of several cities, the city's position as ``row``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kalkan.core.coalition.model import CityFacts, CityGeometryRecord, DisasterRecord, PopulationFigure
from kalkan.core.coalition.vocabulary import AR6_LAND_REGIONS, CURRENCY_BY_ISO3, HAZARDS
from kalkan.core.geometry import geometry_area_km2
from kalkan.errors import InputError
from kalkan.io.countries import countries, country_at, distance_to_country_km
from kalkan.io.jsonfile import load_json_file

CITY_ID = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")
ISO3 = re.compile(r"^[A-Z]{3}$")
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
MAX_YEAR = 2100


MAX_CITY_FILE_BYTES = 2 << 20
"""Largest city facts file (2 MiB): the five founding cities take 16 KB; an application a few KB."""
CITY_FIELDS = frozenset(
    {
        "id", "name_en", "name_ru", "name_local", "country_iso3", "admin1", "geonameid", "lon", "lat",
        "elevation_m", "population", "population_year", "population_alternatives", "gdp_per_capita_usd",
        "gdp_year", "currency", "ipcc_ar6_region", "main_hazards", "climate", "rivers", "national_agencies",
        "notable_disasters",
    }
)  # fmt: skip
"""The fields of a city object; besides these, any ``<field>_source`` text names a field's source."""
POPULATION_FIELDS = frozenset({"value", "year", "source"})
DISASTER_FIELDS = frozenset({"year", "date", "hazard", "summary", "source", "deaths"})


def load_json(path: Path, *, max_bytes: int = MAX_CITY_FILE_BYTES) -> Any:
    """Parse a JSON file (bounded size and nesting, standard numbers), errors as :class:`InputError`."""
    return load_json_file(path, max_bytes=max_bytes)


def _refuse_unknown(
    obj: Mapping[str, Any],
    allowed: frozenset[str],
    where: str,
    *,
    sources: bool = False,
    row: int | None = None,
    prefix: str = "",
) -> None:
    """An unknown field is an error naming it and the expected set (a misspelt field must not be lost)."""
    unknown = [k for k in obj if k not in allowed and not (sources and isinstance(k, str) and k.endswith("_source"))]
    if unknown:
        extra = " and any '<field>_source'" if sources else ""
        raise InputError(
            f"{where}: unknown field(s) {', '.join(map(repr, unknown))}; expected {', '.join(sorted(allowed))}{extra}.",
            code="input.unknown",
            field=f"{prefix}{unknown[0]}",
            row=row,
        )


class _Fields:
    """Typed access to one JSON object, with errors that say where the bad value is (``row``: the object's
    position in its file, if any; ``prefix``: the path of a nested object, e.g. ``notable_disasters[0].``, put
    before its field names)."""

    def __init__(self, obj: Mapping[str, Any], where: str, row: int | None = None, prefix: str = "") -> None:
        self.obj = obj
        self.where = where
        self.row = row
        self.prefix = prefix

    def fail(self, name: str, expected: str, code: str = "input.type") -> InputError:
        """The error for field ``name``: ``input.missing`` when it is absent (or null), else ``code``."""
        value = self.obj.get(name, "<missing>")
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return InputError(
            f"{self.where}, field '{name}': expected {expected}, got {shown}.",
            code="input.missing" if self.obj.get(name) is None else code,
            field=f"{self.prefix}{name}",
            row=self.row,
        )

    def _text_code(self, value: Any, max_len: int) -> str:
        if isinstance(value, str) and not value.strip():
            return "input.missing"
        return "input.too_large" if isinstance(value, str) and len(value) > max_len else "input.type"

    def text(self, name: str, *, required: bool = True, max_len: int = 10_000) -> str | None:
        value = self.obj.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > max_len:
            raise self.fail(name, f"a non-empty text of at most {max_len} characters", self._text_code(value, max_len))
        return value.strip()

    def req_text(self, name: str, max_len: int = 10_000) -> str:
        value = self.obj.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > max_len:
            raise self.fail(name, f"a non-empty text of at most {max_len} characters", self._text_code(value, max_len))
        return value.strip()

    def number(self, name: str, lo: float, hi: float, *, required: bool = True) -> float | None:
        if self.obj.get(name) is None and not required:
            return None
        return self.req_number(name, lo, hi)

    def req_number(self, name: str, lo: float, hi: float) -> float:
        value = self.obj.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f"a number between {lo} and {hi}")
        if not math.isfinite(value) or not lo <= value <= hi:
            raise self.fail(name, f"a number between {lo} and {hi}", "input.range")
        return float(value)

    def integer(self, name: str, lo: int, hi: int, *, required: bool = True) -> int | None:
        if self.obj.get(name) is None and not required:
            return None
        return self.req_integer(name, lo, hi)

    def req_integer(self, name: str, lo: int, hi: int) -> int:
        value = self.obj.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            in_form = isinstance(value, int) and not isinstance(value, bool)
            raise self.fail(name, f"a whole number between {lo} and {hi}", "input.range" if in_form else "input.type")
        return value

    def text_list(self, name: str, *, allowed: Mapping[str, str] | None = None) -> tuple[str, ...]:
        value = self.obj.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(name, "a list of non-empty texts")
        if allowed is not None:
            unknown = [v for v in value if v not in allowed]
            if unknown:
                raise InputError(
                    f"{self.where}, field '{name}': unknown value(s) {', '.join(map(repr, unknown))}; "
                    f"expected one of: {', '.join(sorted(allowed))}.",
                    code="input.unknown",
                    field=f"{self.prefix}{name}",
                    row=self.row,
                )
        return tuple(v.strip() for v in value)


def _population(obj: Any, where: str, row: int | None, path: str) -> PopulationFigure:
    """One population figure; ``path`` (``population_alternatives[0]``) names it in errors' ``field``."""
    if not isinstance(obj, Mapping):
        raise InputError(
            f"{where}: expected an object with value, year and source, got {obj!r}.",
            code="input.type",
            field=path,
            row=row,
        )
    _refuse_unknown(obj, POPULATION_FIELDS, where, row=row, prefix=f"{path}.")
    f = _Fields(obj, where, row, f"{path}.")
    value = f.req_integer("value", 1, 100_000_000)
    year = f.integer("year", 1800, MAX_YEAR, required=False)
    return PopulationFigure(value=value, year=year, source=f.req_text("source"))


def _disaster(obj: Any, where: str, row: int | None, path: str) -> DisasterRecord:
    """One past disaster; ``path`` (``notable_disasters[0]``) names it in errors' ``field``."""
    if not isinstance(obj, Mapping):
        raise InputError(f"{where}: expected an object, got {obj!r}.", code="input.type", field=path, row=row)
    _refuse_unknown(obj, DISASTER_FIELDS, where, row=row, prefix=f"{path}.")
    f = _Fields(obj, where, row, f"{path}.")
    year = f.req_integer("year", 1000, MAX_YEAR)
    date = f.text("date", required=False, max_len=10)
    if date is not None and (not ISO_DATE.match(date) or not date.startswith(str(year))):
        code = "input.inconsistent" if ISO_DATE.match(date) else "input.type"
        raise f.fail("date", f"an ISO date YYYY, YYYY-MM or YYYY-MM-DD in the year {year}", code)
    hazard = f.req_text("hazard", 64)
    if hazard not in HAZARDS:
        raise f.fail("hazard", f"one of {', '.join(sorted(HAZARDS))}", "input.unknown")
    return DisasterRecord(
        year=year,
        hazard=hazard,
        summary=f.req_text("summary"),
        source=f.req_text("source"),
        date=date,
        deaths=f.integer("deaths", 0, 10_000_000, required=False),
    )


def parse_city(obj: Any, where: str, row: int | None = None) -> CityFacts:
    """Validate one city object; ``where`` (for example ``"cities.json, city #2"``) prefixes errors, which carry
    ``row`` (the city's position in its file, here 2)."""
    if not isinstance(obj, Mapping):
        raise InputError(
            f"{where}: expected a JSON object describing a city, got {type(obj).__name__}.", code="input.type", row=row
        )
    cid = obj.get("id")
    if not isinstance(cid, str) or not CITY_ID.match(cid):
        raise _Fields(obj, where, row).fail(
            "id", "a lower-case identifier of 2-64 letters, digits, '-' or '_' starting with a letter"
        )
    where = f"{where} ('{cid}')"
    _refuse_unknown(obj, CITY_FIELDS, where, sources=True, row=row)
    f = _Fields(obj, where, row)
    iso3 = f.req_text("country_iso3", 3)
    if not ISO3.match(iso3):
        raise f.fail("country_iso3", "an ISO 3166-1 alpha-3 code such as 'KGZ'")
    currency = f.text("currency", required=False, max_len=3) or CURRENCY_BY_ISO3.get(iso3)
    if currency is None:
        raise InputError(
            f"{where}, field 'currency': Kalkan has no national currency on file for {iso3}; "
            "add a 'currency' field with the ISO 4217 code.",
            code="input.missing",
            field="currency",
            row=row,
        )
    if not ISO3.match(currency):
        raise f.fail("currency", "an ISO 4217 code such as 'KGS'")
    region = f.req_text("ipcc_ar6_region", 8)
    if region not in AR6_LAND_REGIONS:
        raise f.fail("ipcc_ar6_region", "an IPCC AR6 land region code such as 'WCA' or 'WSB'", "input.unknown")
    population = PopulationFigure(
        value=f.req_integer("population", 1, 100_000_000),
        year=f.integer("population_year", 1800, MAX_YEAR, required=False),
        source=f.req_text("population_source"),
    )
    alternatives = obj.get("population_alternatives", [])
    if not isinstance(alternatives, list):
        raise f.fail("population_alternatives", "a list of {value, year, source} objects")
    gdp = f.number("gdp_per_capita_usd", 0.0, 1e7, required=False)
    gdp_year = f.integer("gdp_year", 1900, MAX_YEAR, required=False)
    gdp_source = f.text("gdp_source", required=False)
    if gdp is not None and (gdp_year is None or gdp_source is None):
        raise InputError(
            f"{where}: 'gdp_per_capita_usd' needs 'gdp_year' (the price year of the dollars) and 'gdp_source'.",
            code="input.missing",
            field="gdp_year" if gdp_year is None else "gdp_source",
            row=row,
        )
    disasters = obj.get("notable_disasters", [])
    if not isinstance(disasters, list):
        raise f.fail("notable_disasters", "a list of disaster objects")
    geonameid = f.integer("geonameid", 1, 2**31 - 1, required=False)
    sources = {k: v.strip() for k, v in obj.items() if k.endswith("_source") and isinstance(v, str) and v.strip()}
    lon = f.req_number("lon", -180.0, 180.0)
    lat = f.req_number("lat", -90.0, 90.0)
    return CityFacts(
        id=cid,
        name_en=f.req_text("name_en", 200),
        name_ru=f.req_text("name_ru", 200),
        name_local=f.text("name_local", required=False, max_len=200),
        country_iso3=iso3,
        admin1=f.text("admin1", required=False, max_len=200),
        geonameid=geonameid,
        lon=lon,
        lat=lat,
        elevation_m=f.number("elevation_m", -500.0, 9000.0, required=False),
        population=population,
        population_alternatives=tuple(
            _population(a, f"{where}, population_alternatives[{i}]", row, f"population_alternatives[{i}]")
            for i, a in enumerate(alternatives)
        ),
        gdp_per_capita_usd=gdp,
        gdp_year=gdp_year,
        gdp_source=gdp_source,
        currency=currency,
        ipcc_ar6_region=region,
        main_hazards=f.text_list("main_hazards", allowed=HAZARDS),
        climate=f.text("climate", required=False),
        rivers=f.text_list("rivers"),
        national_agencies=f.text_list("national_agencies"),
        sources=sources,
        disasters=tuple(
            _disaster(d, f"{where}, notable_disasters[{i}]", row, f"notable_disasters[{i}]")
            for i, d in enumerate(disasters)
        ),
    )


def read_cities(path: Path) -> list[CityFacts]:
    """Read a JSON list of city objects (or a single object); ids must be unique within the file."""
    data = load_json(path)
    items = data if isinstance(data, list) else [data]
    if not items:
        raise InputError(f"{path}: the file holds no city.", code="input.empty")
    cities = [parse_city(obj, f"{path}, city #{i + 1}", i + 1) for i, obj in enumerate(items)]
    seen: dict[str, int] = {}
    for i, city in enumerate(cities):
        if city.id in seen:
            raise InputError(
                f"{path}, city #{i + 1}: id '{city.id}' is used twice (also city #{seen[city.id] + 1}).",
                code="input.duplicate",
                field="id",
                row=i + 1,
            )
        seen[city.id] = i
    return cities


def read_city_outlines(path: Path, *, kind: str, source: str, licence: str) -> dict[str, CityGeometryRecord]:
    """Read polygon outlines keyed by the ``city_id`` property of a GeoJSON FeatureCollection.

    Point features are skipped on purpose (a point is not an outline); any other geometry type, a
    feature without ``city_id`` or a duplicated ``city_id`` is an error.
    """
    data = load_json(path)
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise InputError(f"{path}: expected a GeoJSON FeatureCollection.", code="input.syntax")
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(
            f"{path}: 'features' must be a list.",
            code="input.missing" if features is None else "input.type",
            field="features",
        )
    out: dict[str, CityGeometryRecord] = {}
    for i, feat in enumerate(features):
        where = f"{path}, feature #{i + 1}"
        props = feat.get("properties") if isinstance(feat, Mapping) else None
        geom = feat.get("geometry") if isinstance(feat, Mapping) else None
        if not isinstance(props, Mapping) or not isinstance(props.get("city_id"), str):
            missing = not isinstance(props, Mapping) or props.get("city_id") is None
            raise InputError(
                f"{where}: expected a feature with a 'city_id' property.",
                code="input.missing" if missing else "input.type",
                field="city_id",
                row=i + 1,
            )
        if not isinstance(geom, Mapping) or not isinstance(geom.get("coordinates"), list):
            raise InputError(
                f"{where}: expected a GeoJSON geometry with coordinates.",
                code="input.missing" if geom is None else "input.type",
                field="geometry",
                row=i + 1,
            )
        gtype = geom.get("type")
        if gtype == "Point":
            continue
        if gtype not in ("Polygon", "MultiPolygon"):
            raise InputError(
                f"{where}: geometry type {gtype!r}; expected Polygon or MultiPolygon.",
                code="input.type",
                field="geometry",
                row=i + 1,
            )
        cid = props["city_id"]
        if cid in out:
            raise InputError(
                f"{where}: a second outline for city '{cid}'.", code="input.duplicate", field="city_id", row=i + 1
            )
        out[cid] = CityGeometryRecord(
            kind=kind,
            geojson=json.dumps(geom, separators=(",", ":")),
            area_km2=round(geometry_area_km2(dict(geom)), 3),
            source=source,
            licence=licence,
        )
    return out


def check_in_country(facts: CityFacts, where: str) -> None:
    """Refuse a city whose point lies outside the country it declares (beyond the outline's tolerance); the
    message names the country the point falls in, and says so when swapping lat and lon would fix it."""
    outline = countries().get(facts.country_iso3)
    if outline is None:
        raise InputError(
            f"{where}, field 'country_iso3': Kalkan has no outline of {facts.country_iso3!r} to check the city's "
            "coordinates against; expected the ISO 3166-1 alpha-3 code of a country, e.g. 'KGZ'.",
            code="input.unknown",
            field="country_iso3",
        )
    off_km = distance_to_country_km(outline, facts.lon, facts.lat)
    if off_km <= outline.tolerance_km:
        return
    found = country_at(facts.lon, facts.lat)
    falls = f"it lies in {found.name} ({found.iso3})" if found is not None else "it lies in no country (sea?)"
    swapped = abs(facts.lon) <= 90 and distance_to_country_km(outline, facts.lat, facts.lon) <= outline.tolerance_km
    raise InputError(
        f"{where}, fields 'lon'/'lat': ({facts.lon:g}, {facts.lat:g}) is {off_km:,.0f} km outside {outline.name} "
        f"({facts.country_iso3}), the declared country; {falls}. Expected WGS84 longitude and latitude of a point "
        f"in {outline.name} (within {outline.tolerance_km:g} km of its Natural Earth {outline.scale} outline).",
        hint="latitude and longitude look swapped." if swapped else None,
        code="input.outside",
        field="lon/lat",
    )


def read_application(path: Path) -> CityFacts:
    """The one city of an accession request, checked (its point must lie in its declared country)."""
    cities = read_cities(path)
    if len(cities) != 1:
        raise InputError(f"{path}: holds {len(cities)} cities; an application is for one city.", code="input.type")
    check_in_country(cities[0], f"{path}, city #1 ('{cities[0].id}')")
    return cities[0]


# --- corrections of a registry field (`kalkan cities update CITY --set FIELD=VALUE`) ---------------------------

UPDATABLE_FIELDS: dict[str, str] = {
    "name_en": "text",
    "name_ru": "text",
    "name_local": "text",
    "admin1": "text",
    "geonameid": "integer",
    "lon": "number",
    "lat": "number",
    "elevation_m": "number",
    "population": "integer",
    "population_year": "integer",
    "population_source": "text",
    "gdp_per_capita_usd": "number",
    "gdp_year": "integer",
    "gdp_source": "text",
    "currency": "text",
    "ipcc_ar6_region": "text",
    "main_hazards": "list",
    "rivers": "list",
    "climate": "text",
    "national_agencies": "list",
    "coordinates_source": "text",
    "elevation_source": "text",
    "climate_source": "text",
    "agencies_source": "text",
}
"""Registry fields a city may correct, with how ``VALUE`` is read: ``text`` as given; ``integer``/``number``
as a JSON number; ``list`` as a JSON list of texts or texts separated by ``;``. Identity (``id``,
``country_iso3``) and membership are not corrections; past disasters are a loss database of their own."""

SOURCE_OF_FIELD = {
    "population": "population_source",
    "population_year": "population_source",
    "gdp_per_capita_usd": "gdp_source",
    "gdp_year": "gdp_source",
    "lon": "coordinates_source",
    "lat": "coordinates_source",
    "elevation_m": "elevation_source",
    "climate": "climate_source",
    "national_agencies": "agencies_source",
}
"""The field that holds the source of a corrected field: set to the correction's source unless it is corrected
in the same command, so that no value is shown with another value's source."""


def parse_assignment(text: str) -> tuple[str, str]:
    """``FIELD=VALUE`` -> (field, value text); the field must be one of :data:`UPDATABLE_FIELDS`."""
    field, sep, value = text.partition("=")
    field = field.strip()
    if not sep or not field:
        raise InputError(
            f"--set {text!r}: expected FIELD=VALUE, e.g. --set population=350000.", code="input.syntax", field="--set"
        )
    if field not in UPDATABLE_FIELDS:
        raise InputError(
            f"--set {text!r}: field '{field}' cannot be corrected; expected one of: {', '.join(UPDATABLE_FIELDS)}.",
            code="input.unknown",
            field=field,
        )
    return field, value.strip()


def field_value(field: str, text: str) -> Any:
    """The JSON value of ``VALUE`` for ``field`` (None for an empty value: the field is cleared), before the
    founding-cities schema checks it (:func:`parse_city`)."""
    kind = UPDATABLE_FIELDS[field]
    if text == "" or text.lower() == "null":
        return None
    if kind == "text":
        return text
    if kind == "list":
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"--set {field}: {text!r} is not a JSON list ({exc.msg}).", code="input.syntax", field=field
                ) from exc
            return value
        return [part.strip() for part in text.split(";") if part.strip()]
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"--set {field}={text}: expected a {kind}.", code="input.type", field=field) from exc
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind == "integer" and not isinstance(
            value, int)):  # fmt: skip
        raise InputError(
            f"--set {field}={text}: expected a {'whole number' if kind == 'integer' else 'number'}.",
            code="input.type",
            field=field,
        )
    return value
