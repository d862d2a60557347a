"""Read the Adm1 files of the GEM Global Exposure Model for Central Asia (CC BY-NC-SA 4.0; see its README).

Each ``Exposure_{Res,Com,Ind}_<Country>_Adm1.csv`` has one row per (first-level admin unit x GEM building
class): number of buildings, replacement costs in 2021 US dollars (structural, non-structural, contents) and
occupants by period of the day. Costs are kept as whole US cents (``int``), read exactly with
:class:`decimal.Decimal`, so that sums and splits of them are exact. Source: Yepes-Estrada et al. (2023),
Earthquake Spectra, doi:10.1177/87552930231194048; Central Asia: Pittore, Haas & Silva (2020).
"""

from __future__ import annotations

import csv
import math
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from kalkan.catalog.files import GEM_EXPOSURE_COUNTRIES, GEM_EXPOSURE_SOURCE
from kalkan.catalog.sources import data_source
from kalkan.core.exposure.gem import GemExposureRow
from kalkan.errors import InputError

COLUMNS = ("ID_1", "NAME_1", "OCCUPANCY", "TAXONOMY", "BUILDINGS", "COST_STRUCTURAL_USD", "COST_NONSTRUCTURAL_USD",
           "COST_CONTENTS_USD", "OCCUPANTS_PER_ASSET_DAY", "OCCUPANTS_PER_ASSET_NIGHT",
           "OCCUPANTS_PER_ASSET_TRANSIT")  # fmt: skip
"""The columns Kalkan reads (the files have more: ``TOTAL_REPL_COST_USD``, ``TOTAL_AREA_SQM``, ...)."""

OCCUPANCIES = ("Res", "Com", "Ind")

COUNTRIES = GEM_EXPOSURE_COUNTRIES
"""Country folder of the shipped model by the ISO 3166-1 alpha-2 prefix of ``ID_1`` (the catalogue's)."""


def _cents(path: Path, line: int, field: str, text: str) -> int:
    try:
        value = Decimal(text.strip())
    except InvalidOperation as exc:
        raise InputError(
            f"{path}, line {line}, field '{field}': {text!r} is not a number.", code="input.type", field=field, row=line
        ) from exc
    if not value.is_finite() or value < 0:
        raise InputError(
            f"{path}, line {line}, field '{field}': {text!r}; expected a finite value >= 0 (USD).",
            code="input.range",
            field=field,
            row=line,
        )
    return int((value * 100).to_integral_value())


def _number(path: Path, line: int, field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise InputError(
            f"{path}, line {line}, field '{field}': {text!r} is not a number.", code="input.type", field=field, row=line
        ) from exc
    if not math.isfinite(value) or value < 0:
        raise InputError(
            f"{path}, line {line}, field '{field}': {text!r}; expected a finite value >= 0.",
            code="input.range",
            field=field,
            row=line,
        )
    return value


def read_gem_adm1(path: Path | str) -> list[GemExposureRow]:
    """Read one ``Exposure_<Occ>_<Country>_Adm1.csv``; errors name the file, line and field."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(
                    f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}.",
                    code="input.missing",
                    field=missing[0],
                )
            raw = list(reader)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.", code="input.not_found") from exc
    rows = []
    for line, rec in enumerate(raw, start=2):
        for c in COLUMNS:
            if rec.get(c) is None or not rec[c].strip():
                raise InputError(f"{path}, line {line}, field '{c}': empty.", code="input.missing", field=c, row=line)
        if rec["OCCUPANCY"] not in OCCUPANCIES:
            raise InputError(
                f"{path}, line {line}, field 'OCCUPANCY': {rec['OCCUPANCY']!r}; "
                f"expected one of {', '.join(OCCUPANCIES)}.",
                code="input.unknown",
                field="OCCUPANCY",
                row=line,
            )
        rows.append(
            GemExposureRow(
                id_1=rec["ID_1"].strip(),
                name_1=rec["NAME_1"].strip(),
                occupancy=rec["OCCUPANCY"],
                taxonomy=rec["TAXONOMY"].strip(),
                buildings=_number(path, line, "BUILDINGS", rec["BUILDINGS"]),
                cost_structural_cents=_cents(path, line, "COST_STRUCTURAL_USD", rec["COST_STRUCTURAL_USD"]),
                cost_nonstructural_cents=_cents(path, line, "COST_NONSTRUCTURAL_USD", rec["COST_NONSTRUCTURAL_USD"]),
                cost_contents_cents=_cents(path, line, "COST_CONTENTS_USD", rec["COST_CONTENTS_USD"]),
                occupants_day=_number(path, line, "OCCUPANTS_PER_ASSET_DAY", rec["OCCUPANTS_PER_ASSET_DAY"]),
                occupants_night=_number(path, line, "OCCUPANTS_PER_ASSET_NIGHT", rec["OCCUPANTS_PER_ASSET_NIGHT"]),
                occupants_transit=_number(
                    path, line, "OCCUPANTS_PER_ASSET_TRANSIT", rec["OCCUPANTS_PER_ASSET_TRANSIT"]
                ),
                source=str(path),
                line=line,
            )
        )
    return rows


def shipped_adm1_paths(country: str) -> list[Path]:
    """The shipped Res, Com and Ind Adm1 files of ``country`` (a folder name such as ``Kyrgyzstan``)."""
    if country not in COUNTRIES.values():
        raise InputError(
            f"No GEM exposure files for {country!r}; shipped: {', '.join(COUNTRIES.values())}.",
            code="input.unknown",
            field="country",
        )
    return [p for p in data_source(GEM_EXPOSURE_SOURCE).paths() if p.parent.name == country and p.suffix == ".csv"]


@cache
def _country_rows(country: str) -> tuple[GemExposureRow, ...]:
    return tuple(row for path in shipped_adm1_paths(country) for row in read_gem_adm1(path))


def admin1_rows(id_1: str) -> list[GemExposureRow]:
    """Every row (Res, Com and Ind) of the admin-1 unit ``id_1`` (e.g. ``KG-O``) in the shipped files."""
    country = COUNTRIES.get(id_1.split("-")[0])
    if country is None:
        raise InputError(
            f"Admin-1 id {id_1!r}: expected a prefix among {', '.join(COUNTRIES)} (e.g. 'KG-O').",
            code="input.unknown",
            field="admin1",
        )
    rows = [r for r in _country_rows(country) if r.id_1 == id_1]
    if not rows:
        ids = sorted({r.id_1 for r in _country_rows(country)})
        raise InputError(
            f"Admin-1 id {id_1!r} is not in the GEM files of {country}; known: {', '.join(ids)}.",
            code="input.unknown",
            field="admin1",
        )
    return rows


def shipped_gem_taxonomies() -> tuple[str, ...]:
    """Every TAXONOMY of the shipped GEM Central Asia Adm1 exposure files (sorted, distinct)."""
    return tuple(sorted({row.taxonomy for country in COUNTRIES.values() for row in _country_rows(country)}))
