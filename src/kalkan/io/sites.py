"""Read the sites of a ground-motion calculation: a sites CSV, and an OpenQuake site-model CSV.

- Sites CSV (``kalkan eq scenario --sites``, ``kalkan eq curves --sites``, ``kalkan eq events --sites``):
  ``lon``, ``lat`` (WGS84 degrees) and optionally ``name`` and ``vs30`` (m/s; an empty cell: the site has no
  Vs30 of its own and gets the command's default). See :func:`read_sites_csv`.
- OpenQuake site model (``site_model_file`` of a job.ini): ``lon``, ``lat``, ``vs30`` and optionally
  ``vs30measured`` (1/true or 0/false; default measured), ``z1pt0`` (m) and ``z2pt5`` (km), empty where
  unknown. See :func:`read_site_model`.

Every value is checked against its plausible range (:mod:`kalkan.core.bounds`); errors name the file, the line,
the field, the value and what is expected (``row`` and ``field`` on the error).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from kalkan.core.bounds import VS30
from kalkan.errors import InputError
from kalkan.io.text import read_csv_rows

Floats = NDArray[np.float64]

_LIMITS = {"lon": (-180.0, 180.0), "lat": (-90.0, 90.0), "vs30": (VS30.lo, VS30.hi), "z1pt0": (0.0, 10_000.0),
           "z2pt5": (0.0, 20.0)}  # fmt: skip
"""Plausible values: degrees, Vs30 (m/s) as :data:`kalkan.core.bounds.VS30`, z1.0 up to 10 km (m), z2.5 up to
20 km (km)."""


@dataclass(frozen=True, slots=True)
class SitesFile:
    """The sites of a sites CSV: names (the ``name`` column, else ``site1``, ... in file order), lon/lat
    (degrees) and Vs30 (m/s; NaN where the file gives none, None when it has no ``vs30`` column)."""

    names: tuple[str, ...]
    lon: Floats
    lat: Floats
    vs30_m_s: Floats | None

    def vs30_or(self, default_m_s: float) -> Floats:
        """Each site's Vs30 (m/s), ``default_m_s`` where the file gives none."""
        if self.vs30_m_s is None:
            return np.full(self.lon.size, float(default_m_s))
        return np.where(np.isnan(self.vs30_m_s), float(default_m_s), self.vs30_m_s)


@dataclass(frozen=True, slots=True)
class SiteModel:
    """An OpenQuake site model's rows: lon/lat (degrees), Vs30 (m/s), measured or not, z1.0 (m) and z2.5 (km),
    NaN where unknown."""

    lon: Floats
    lat: Floats
    vs30_m_s: Floats
    vs30_measured: NDArray[np.bool_]
    z1pt0_m: Floats
    z2pt5_km: Floats


def _number(path: Path, line: int, name: str, raw: str) -> float:
    """A cell as a number within its plausible range; else an error naming file, line and field."""
    try:
        value = float(raw)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"{path}, line {line}, field '{name}': {raw!r} is not a number.", code="input.type", field=name, row=line
        ) from exc
    lo, hi = _LIMITS[name]
    if not lo <= value <= hi:  # NaN is never within
        raise InputError(
            f"{path}, line {line}, field '{name}': {value} is outside {lo:g}..{hi:g}.",
            code="input.range",
            field=name,
            row=line,
        )
    return value


def read_sites_csv(path: Path | str) -> SitesFile:
    """Sites from a CSV with ``lon``, ``lat`` (degrees) and optionally ``name`` and ``vs30`` (m/s)."""
    p = Path(path)
    header, numbered = read_csv_rows(p, "sites CSV")
    missing = [c for c in ("lon", "lat") if c not in header]
    if missing:
        raise InputError(
            f"{p}: expected the columns lon,lat (and optionally name, vs30); missing {', '.join(missing)}.",
            code="input.missing",
            field=missing[0],
            row=1,
        )
    if not numbered:
        raise InputError(f"{p}: no sites (data rows).", code="input.empty")
    has_vs30 = "vs30" in header
    names: list[str] = []
    lon, lat, vs30 = [], [], []
    for line, r in numbered:
        lon.append(_number(p, line, "lon", r["lon"]))
        lat.append(_number(p, line, "lat", r["lat"]))
        if has_vs30:
            vs30.append(_number(p, line, "vs30", r["vs30"]) if r["vs30"] else np.nan)
        names.append(r.get("name") or f"site{len(names) + 1}")
    if len(set(names)) != len(names):
        duplicate = next(n for n in names if names.count(n) > 1)
        line = numbered[len(names) - 1 - names[::-1].index(duplicate)][0]
        raise InputError(
            f"{p}, line {line}, field 'name': {duplicate!r} names two sites.",
            code="input.duplicate",
            field="name",
            row=line,
        )
    return SitesFile(tuple(names), np.array(lon), np.array(lat), np.array(vs30) if has_vs30 else None)


def read_site_model(path: Path | str) -> SiteModel:
    """An OpenQuake site-model CSV (lon, lat, vs30 [, vs30measured, z1pt0, z2pt5]); errors name line and field."""
    p = Path(path)
    header, numbered = read_csv_rows(p, "site model CSV")
    missing = [c for c in ("lon", "lat", "vs30") if c not in header]
    if not numbered or missing:
        raise InputError(
            f"{p}: a site model needs the columns lon, lat, vs30.",
            code="input.missing" if missing else "input.empty",
            field=missing[0] if missing else None,
            row=1 if missing else None,
        )
    cols: dict[str, list[float]] = {c: [] for c in ("lon", "lat", "vs30", "z1pt0", "z2pt5")}
    measured = []
    for line, r in numbered:
        for name in ("lon", "lat", "vs30"):
            cols[name].append(_number(p, line, name, r[name]))
        for name in ("z1pt0", "z2pt5"):
            raw = r.get(name, "")
            cols[name].append(_number(p, line, name, raw) if raw else np.nan)
        measured.append(str(r.get("vs30measured", "1")).lower() in ("1", "true"))
    return SiteModel(
        np.array(cols["lon"]),
        np.array(cols["lat"]),
        np.array(cols["vs30"]),
        np.array(measured, dtype=bool),
        np.array(cols["z1pt0"]),
        np.array(cols["z2pt5"]),
    )


__all__ = ["SiteModel", "SitesFile", "read_site_model", "read_sites_csv"]
