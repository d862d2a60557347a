"""A city's own districts (``kalkan city import-districts``): checked against the city's outline, stored as a
``districts`` data version of origin ``city``, which ``kalkan city load`` never replaces with grid cells."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from kalkan.app.city_outline import CityOutline, city_outline
from kalkan.core.geometry import distance_outside_km
from kalkan.errors import InputError
from kalkan.io.districts import DistrictFeature, read_districts
from kalkan.store.city_data import save_districts
from kalkan.store.versions import require_replace

DISTRICT_TOLERANCE_KM = 1.0
"""How far (km) a district's vertex may lie outside the city's outline: outlines from different sources differ
by a few hundred metres along their edges."""

MAX_LISTED = 20


def outside_problems(features: list[DistrictFeature], outline: CityOutline, tolerance_km: float) -> list[str]:
    """One line per district with a vertex farther than ``tolerance_km`` outside the outline."""
    problems = []
    for k, feature in enumerate(features, start=1):
        polygons = [feature.geometry["coordinates"]] if feature.geometry["type"] == "Polygon" else (
            feature.geometry["coordinates"])  # fmt: skip
        points = np.vstack([np.asarray(ring, dtype=np.float64)[:, :2] for rings in polygons for ring in rings])
        off = distance_outside_km(outline.geometry, points[:, 0], points[:, 1])
        worst = int(np.argmax(off))
        if off[worst] > tolerance_km:
            problems.append(
                f"feature #{k} ('{feature.code}', {feature.name}): the point ({points[worst, 0]:.6g}, "
                f"{points[worst, 1]:.6g}) lies {off[worst]:,.2f} km outside the city's {outline.label}; expected "
                f"every point within {tolerance_km:g} km of it"
            )
    return problems


def import_city_districts(
    session: Session,
    city_id: str,
    path: Path,
    *,
    source: str | None = None,
    licence: str | None = None,
    replace: bool = False,
    tolerance_km: float = DISTRICT_TOLERANCE_KM,
) -> dict[str, Any]:
    """Check the districts file at ``path`` and store it as the city's current districts (all or nothing, in the
    caller's transaction); the previous version is kept, and a city's own earlier districts are superseded only
    with ``replace``. Every district must lie in the city's outline (within ``tolerance_km``) and have a unique
    code."""
    if not (np.isfinite(tolerance_km) and 0 <= tolerance_km <= 50):
        raise InputError(
            f"--tolerance-km {tolerance_km!r}: expected a distance from 0 to 50 km.",
            code="input.range",
            field="--tolerance-km",
        )
    require_replace(session, city_id, "districts", replace)
    outline = city_outline(session, city_id)
    if outline is None:
        raise InputError(
            f"{city_id} has no outline to check the districts against.",
            hint=f"Store the city's outline first: `kalkan cities set-outline {city_id} OUTLINE.geojson`.",
            code="not_found.data",
            field="outline",
        )
    features, ignored = read_districts(path)
    problems = outside_problems(features, outline, tolerance_km)
    if problems:
        lines = [f"{path}: {len(problems)} of {len(features)} district(s) outside {city_id}'s {outline.label}; "
                 "nothing was imported."]  # fmt: skip
        lines += [f"  {p}" for p in problems[:MAX_LISTED]]
        if len(problems) > MAX_LISTED:
            lines.append(f"  ... and {len(problems) - MAX_LISTED} more")
        raise InputError("\n".join(lines), code="input.outside", field="geometry")
    source = (source or "").strip() or f"the city's districts file {path.name}"
    licence = (licence or "").strip() or "not stated (the city's own data)"
    rows = [
        {"code": f.code, "name": f.name, "name_ru": f.name_ru,
         "geojson": json.dumps(f.geometry, separators=(",", ":")), "source": source, "licence": licence}
        for f in features
    ]  # fmt: skip
    n = save_districts(session, city_id, rows, origin="city", source=source, replace=replace,
                       imported_from=str(path), licence=licence)  # fmt: skip
    return {
        "city_id": city_id,
        "districts": n,
        "codes": [f.code for f in features][:MAX_LISTED],
        "outline": outline.as_dict(),
        "tolerance_km": tolerance_km,
        "ignored_properties": ignored,
        "source": source,
        "licence": licence,
    }
