"""Read the JRC global flood depth-damage tables (Huizinga et al. 2017, EUR 28552 EN, doi:10.2760/16510): the
Asia depth-damage curves and the maximum damages of the five countries, as shipped in
``kalkan/data/jrc_flood_depth_damage`` (see its README). Every error names the file, the line and the field.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from kalkan.core.vulnerability.jrc import SECTORS, JrcCurve, JrcMaxDamage
from kalkan.errors import InputError

CURVE_COLUMNS = (
    "depth_m",
    "residential",
    "residential_sd",
    "commercial",
    "commercial_sd",
    "industrial",
    "industrial_sd",
    "transport",
    "infrastructure_roads",
    "agriculture",
)

MAX_DAMAGE_COLUMNS = (
    "country_iso3",
    "country",
    "max_damage_residential_eur2010_m2",
    "max_damage_commercial_eur2010_m2",
    "max_damage_industrial_eur2010_m2_derived",
    "construction_cost_residential_eur2010_m2",
    "construction_cost_commercial_eur2010_m2",
    "construction_cost_industrial_eur2010_m2",
    "gdp_per_capita_2010_usd",
)


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The data rows of ``path`` with their line numbers, after checking the header and field counts."""
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != columns:
                raise InputError(
                    f"{path}, line 1: header {header!r}; expected the columns {', '.join(columns)}.",
                    code="input.missing" if header is None else "input.unknown",
                    row=1,
                )
            out: list[tuple[int, dict[str, str]]] = []
            for record in reader:
                line = reader.line_num
                if not record or all(not v.strip() for v in record):
                    continue
                if len(record) != len(columns):
                    raise InputError(
                        f"{path}, line {line}: {len(record)} fields; expected {len(columns)}.",
                        code="input.syntax",
                        row=line,
                    )
                out.append((line, dict(zip(columns, (v.strip() for v in record), strict=True))))
    except OSError as exc:
        code = "input.not_found" if isinstance(exc, FileNotFoundError) else "input.unreadable"
        raise InputError(f"{path}: cannot be read ({exc.strerror}).", code=code) from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        code = "input.encoding" if isinstance(exc, UnicodeDecodeError) else "input.syntax"
        raise InputError(f"{path}: not a UTF-8 CSV file ({exc}).", code=code) from exc
    if not out:
        raise InputError(f"{path}: no data rows.", code="input.empty")
    return out


def _value(path: Path, line: int, field: str, text: str, *, low: float = 0.0, high: float = math.inf) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise InputError(
            f"{path}, line {line}, field '{field}': {text!r} is not a number.", code="input.type", field=field, row=line
        ) from exc
    if not (math.isfinite(value) and low <= value <= high):
        upper = "" if high == math.inf else f" and <= {high:g}"
        raise InputError(
            f"{path}, line {line}, field '{field}': {text!r}; expected a finite value >= {low:g}{upper}.",
            code="input.range",
            field=field,
            row=line,
        )
    return value


def read_jrc_curves(path: Path | str) -> dict[str, JrcCurve]:
    """Read a JRC depth-damage CSV (columns :data:`CURVE_COLUMNS`); errors name the file, line and field.

    Depths (m) must be >= 0 and strictly increasing; fractions must lie in [0, 1] and standard deviations
    be >= 0.
    """
    p = Path(path)
    rows = _rows(p, CURVE_COLUMNS)
    depths: list[float] = []
    values: dict[str, list[float]] = {c: [] for c in CURVE_COLUMNS[1:]}
    for line, row in rows:
        depth = _value(p, line, "depth_m", row["depth_m"])
        if depths and depth <= depths[-1]:
            raise InputError(
                f"{p}, line {line}, field 'depth_m': {row['depth_m']!r}; depths must increase strictly "
                f"(the previous row has {depths[-1]:g}).",
                code="input.inconsistent",
                field="depth_m",
                row=line,
            )
        depths.append(depth)
        for col in CURVE_COLUMNS[1:]:
            values[col].append(_value(p, line, col, row[col], high=math.inf if col.endswith("_sd") else 1.0))
    if len(depths) < 2:
        raise InputError(
            f"{p}: {len(depths)} depth row; a curve needs at least two depths.", code="input.empty", field="depth_m"
        )
    return {
        s: JrcCurve(
            sector=s,
            depth_m=tuple(depths),
            fraction=tuple(values[s]),
            sd=tuple(values[f"{s}_sd"]) if f"{s}_sd" in values else None,
        )
        for s in SECTORS
    }


def read_jrc_max_damage(path: Path | str) -> dict[str, JrcMaxDamage]:
    """Read a JRC maximum-damage CSV (columns :data:`MAX_DAMAGE_COLUMNS`), keyed by ISO 3166-1 alpha-3 code."""
    p = Path(path)
    out: dict[str, JrcMaxDamage] = {}
    for line, row in _rows(p, MAX_DAMAGE_COLUMNS):
        iso3 = row["country_iso3"]
        if len(iso3) != 3 or not iso3.isalpha() or not iso3.isupper():
            raise InputError(
                f"{p}, line {line}, field 'country_iso3': {iso3!r} is not an ISO 3166-1 alpha-3 code.",
                code="input.type",
                field="country_iso3",
                row=line,
            )
        if iso3 in out:
            raise InputError(
                f"{p}, line {line}, field 'country_iso3': {iso3!r} is listed twice.",
                code="input.duplicate",
                field="country_iso3",
                row=line,
            )
        if not row["country"]:
            raise InputError(
                f"{p}, line {line}, field 'country': empty.", code="input.missing", field="country", row=line
            )
        num = {c: _value(p, line, c, row[c]) for c in MAX_DAMAGE_COLUMNS[2:]}
        out[iso3] = JrcMaxDamage(
            country_iso3=iso3,
            country=row["country"],
            residential_eur2010_m2=num["max_damage_residential_eur2010_m2"],
            commercial_eur2010_m2=num["max_damage_commercial_eur2010_m2"],
            industrial_eur2010_m2=num["max_damage_industrial_eur2010_m2_derived"],
            construction_cost_residential_eur2010_m2=num["construction_cost_residential_eur2010_m2"],
            construction_cost_commercial_eur2010_m2=num["construction_cost_commercial_eur2010_m2"],
            construction_cost_industrial_eur2010_m2=num["construction_cost_industrial_eur2010_m2"],
            gdp_per_capita_2010_usd=num["gdp_per_capita_2010_usd"],
        )
    return out
