"""Read a city's districts: a GeoJSON FeatureCollection, one (Multi)Polygon feature per district.

Each feature has the properties ``code`` (unique in the file, at most 64 characters; a number is read as its
text), ``name`` and optionally ``name_ru``; the geometry is a valid Polygon or MultiPolygon in WGS84 degrees
(:func:`kalkan.core.geometry.polygon_problems`). Other properties are not stored and are named in the result. Every
error names the file, the feature (1-based) and the property.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kalkan.core.geometry import polygon_problems
from kalkan.errors import InputError
from kalkan.io.cities import load_json

__all__ = ["DISTRICT_PROPERTIES", "DistrictFeature", "read_districts"]

DISTRICT_PROPERTIES = ("code", "name", "name_ru")
MAX_DISTRICTS = 10_000
"""More districts than this is not a city's districts (a grid or a building layer)."""


@dataclass(frozen=True, slots=True)
class DistrictFeature:
    """One district: code, names and GeoJSON geometry (WGS84 degrees)."""

    code: str
    name: str
    name_ru: str | None
    geometry: dict[str, Any]


def _text(
    props: Mapping[str, Any], name: str, where: str, *, max_len: int, required: bool, row: int | None = None
) -> str | None:
    value = props.get(name)
    if value is None and not required:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and name == "code":
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > max_len:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        empty = value is None or (isinstance(value, str) and not value.strip())
        code = "input.missing" if empty else "input.type" if not isinstance(value, str) else "input.too_large"
        raise InputError(f"{where}, property '{name}': expected a non-empty text of at most {max_len} characters, "
                         f"got {shown}.", code=code, field=name, row=row)  # fmt: skip
    return value.strip()


def read_districts(path: Path) -> tuple[list[DistrictFeature], list[str]]:
    """The districts of a GeoJSON file and the names of the properties that are not stored.

    Errors carry the property (``field``) and the 1-based feature number (``row``).
    """
    data = load_json(path)
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection":
        raise InputError(f"{path}: expected a GeoJSON FeatureCollection of district polygons.", code="input.syntax")
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise InputError(
            f"{path}: no features; a districts file needs at least one district polygon.",
            code="input.empty" if features in (None, []) else "input.type",
            field="features",
        )
    if len(features) > MAX_DISTRICTS:
        raise InputError(
            f"{path}: {len(features):,} features; at most {MAX_DISTRICTS:,} districts are accepted.",
            code="input.too_large",
            field="features",
        )
    out: list[DistrictFeature] = []
    seen: dict[str, int] = {}
    ignored: set[str] = set()
    for i, feature in enumerate(features, start=1):
        where = f"{path}, feature #{i}"
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            raise InputError(f"{where}: expected a GeoJSON Feature.", code="input.syntax", row=i)
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            raise InputError(
                f"{where}: expected 'properties' with code and name.",
                code="input.missing" if props is None else "input.type",
                field="properties",
                row=i,
            )
        code = _text(props, "code", where, max_len=64, required=True, row=i)
        assert code is not None
        if code in seen:
            raise InputError(
                f"{where}, property 'code': {code!r} is used twice (also feature #{seen[code]}); "
                "expected unique district codes.",
                code="input.duplicate",
                field="code",
                row=i,
            )
        seen[code] = i
        name = _text(props, "name", where, max_len=200, required=True, row=i)
        assert name is not None
        name_ru = _text(props, "name_ru", where, max_len=200, required=False, row=i)
        ignored.update(str(k) for k in props if k not in DISTRICT_PROPERTIES)
        geometry = feature.get("geometry")
        problems = polygon_problems(geometry)
        if problems:
            raise InputError(
                f"{where} ('{code}'), geometry: " + "; ".join(problems[:5]) + ".",
                code=problems[0].code,
                field="geometry",
                row=i,
            )
        assert isinstance(geometry, dict)
        out.append(DistrictFeature(code, name, name_ru, {"type": geometry["type"],
                                                         "coordinates": geometry["coordinates"]}))  # fmt: skip
    return out, sorted(ignored)
