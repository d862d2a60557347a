"""A city's own taxonomy mapping: the city's building classes -> GEM Central Asia vulnerability functions.

Why: a city that joins brings its exposure in its own building classes ("brick 1-3 floors, pre-1970"), not
in GEM taxonomy strings. A mapping file in the GEM/OpenQuake format (``taxonomy,conversion,weight``; the
conversion is a function id of the GEM Global Vulnerability Model for Central Asia, the weights of a taxonomy
sum to 1) ties each class to the earthquake functions. It is checked row by row against the model, stored
as a version of the city's data (a new import supersedes it, kept and restorable), used by every earthquake
computation on the city's stored data, and exported beside the exposure. A city row overrides GEM's own row
for the same taxonomy string.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kalkan.core.vulnerability.functions import VulnerabilitySet
from kalkan.core.vulnerability.library import function_key
from kalkan.errors import InputError
from kalkan.io.exposure_columns import atomic_target
from kalkan.io.shipped_vulnerability import gem_central_asia
from kalkan.io.vulnerability_csv import TaxonomyMapping, read_taxonomy_mapping
from kalkan.store.city_data import current_exposure_set, load_mapping, save_mapping
from kalkan.store.models import ExposureAsset

MAPPING_HEADER = ("taxonomy", "conversion", "weight")
MAX_LISTED = 20


def _gem_ids(vset: VulnerabilitySet) -> dict[str, set[str]]:
    """The NRML function ids of each loss type of a loaded GEM set (keys ``"<loss_type>:<id>"``)."""
    out: dict[str, set[str]] = {}
    for key in vset.functions:
        loss_type, _, fid = key.partition(":")
        out.setdefault(loss_type, set()).add(fid)
    return out


def check_mapping_file(path: Path, vset: VulnerabilitySet | None = None) -> TaxonomyMapping:
    """Read and check a mapping file: its layout and weights (:func:`read_taxonomy_mapping`), then every
    conversion against the GEM Central Asia functions of every loss type; all unknown ids are listed with their
    row numbers (header = row 1)."""
    mapping = read_taxonomy_mapping(path)
    ids = _gem_ids(vset or gem_central_asia())
    known = set.intersection(*ids.values())
    problems: list[str] = []
    first_row: int | None = None
    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            fid = (row.get("conversion") or row.get("risk_id") or "").strip()
            if fid and fid not in known:
                problems.append(f"row {line}, field 'conversion': {fid!r}")
                first_row = first_row or line
    if problems:
        shown = "; ".join(problems[:MAX_LISTED]) + (
            f"; and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        )
        example = ", ".join(sorted(known)[:3])
        raise InputError(
            f"{path}: {len(problems)} conversion(s) are not functions of the GEM Central Asia vulnerability model: "
            f"{shown}. Expected a function id of that model (e.g. {example}; `kalkan city export-exposure` writes "
            "the mapping in use).",
            code="input.unknown",
            field="conversion",
            row=first_row,
        )
    return mapping


def with_city_mapping(vset: VulnerabilitySet, mapping: TaxonomyMapping | None) -> VulnerabilitySet:
    """``vset`` (a loaded GEM set) with the city's rows added to every loss type; a city row replaces GEM's row
    for the same taxonomy."""
    if not mapping:
        return vset
    table = {
        lt: {**rows, **{t: tuple((function_key(lt, fid), w) for fid, w in entries) for t, entries in mapping.items()}}
        for lt, rows in vset.mapping.items()
    }
    return VulnerabilitySet(functions=vset.functions, mapping=table, source=f"{vset.source} + the city's mapping")


def city_vulnerability(session: Session, city_id: str) -> VulnerabilitySet:
    """The GEM Central Asia set with the city's own mapping applied (the set every city computation uses)."""
    return with_city_mapping(gem_central_asia(), load_mapping(session, city_id))


def mapping_in_use(session: Session, city_id: str) -> tuple[list[tuple[str, str, float, str]], list[str]]:
    """For each taxonomy of the city's stored exposure: its (taxonomy, conversion, weight, origin) rows, origin
    ``city`` or ``GEM``; and the taxonomies that map to nothing."""
    record = current_exposure_set(session, city_id)
    if record is None:
        raise InputError(
            f"{city_id} has no exposure; store one first (`kalkan city load` or `import-exposure`).",
            code="not_found.data",
            field="exposure",
        )
    taxonomies = session.scalars(
        select(ExposureAsset.taxonomy).where(ExposureAsset.set_id == record.id).distinct()
    ).all()
    own = load_mapping(session, city_id) or {}
    gem = gem_central_asia().mapping["structural"]
    rows: list[tuple[str, str, float, str]] = []
    unmapped: list[str] = []
    for taxonomy in sorted(taxonomies):
        if taxonomy in own:
            rows += [(taxonomy, fid, w, "city") for fid, w in own[taxonomy]]
        elif taxonomy in gem:
            rows += [(taxonomy, key.partition(":")[2], w, "GEM") for key, w in gem[taxonomy]]
        else:
            unmapped.append(taxonomy)
    return rows, unmapped


def full_mapping_rows(own: TaxonomyMapping | None) -> list[tuple[str, str, float, str]]:
    """GEM's whole mapping with the city's rows added (a city row replaces GEM's for the same taxonomy): the
    file the risk engine reads beside the GEM NRML models for a city run."""
    own = own or {}
    gem = gem_central_asia().mapping["structural"]
    rows = [(t, key.partition(":")[2], w, "GEM") for t, entries in gem.items() if t not in own for key, w in entries]
    rows += [(t, fid, w, "city") for t, entries in own.items() for fid, w in entries]
    return rows


def mapping_csv(rows: Iterable[tuple[str, str, float, str]]) -> str:
    """The rows as ``taxonomy,conversion,weight`` CSV text (the GEM/OpenQuake format, readable back)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MAPPING_HEADER)
    for taxonomy, conversion, weight, _ in rows:
        writer.writerow([taxonomy, conversion, repr(float(weight))])
    return buffer.getvalue()


def write_mapping(rows: list[tuple[str, str, float, str]], path: Path) -> Path:
    """Write the mapping CSV atomically (temp file, then rename)."""
    with atomic_target(Path(path), "taxonomy mapping") as tmp:
        Path(tmp).write_text(mapping_csv(rows), encoding="utf-8")
    return Path(path)


def unused_taxonomies(mapping: Mapping[str, Any], taxonomies: Iterable[str]) -> list[str]:
    """Taxonomies of the mapping that no asset uses (reported, not refused: a shared file may cover more)."""
    present = set(taxonomies)
    return sorted(t for t in mapping if t not in present)


def import_city_mapping(session: Session, city_id: str, path: Path, *, replace: bool = False) -> dict[str, Any]:
    """Check the mapping file and store it as the city's current mapping (a previous one of the city's is
    superseded only with ``replace``, and kept); returns what was stored, the mapping's unused taxonomies and
    the exposure's still unmapped ones."""
    record = current_exposure_set(session, city_id)
    if record is None:
        raise InputError(
            f"{city_id} has no exposure; store one first (`kalkan city load` or `import-exposure`).",
            code="not_found.data",
            field="exposure",
        )
    mapping = check_mapping_file(path)
    taxonomies = session.scalars(
        select(ExposureAsset.taxonomy).where(ExposureAsset.set_id == record.id).distinct()
    ).all()
    rows = save_mapping(session, city_id, mapping, source=f"taxonomy mapping {Path(path).name}", replace=replace,
                        imported_from=str(path))  # fmt: skip
    _, unmapped = mapping_in_use(session, city_id)
    return {
        "city_id": city_id,
        "mapping": str(path),
        "rows": rows,
        "taxonomies": len(mapping),
        "unused_mapping_taxonomies": unused_taxonomies(mapping, taxonomies),
        "unmapped_exposure_taxonomies": unmapped,
    }
