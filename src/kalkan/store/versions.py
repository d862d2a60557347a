"""Versions of a city's data: nothing a city entered is ever replaced in place or lost.

Every save of a city's exposure, facility registry, taxonomy mapping, station series, districts or outline
creates a new :class:`~kalkan.store.models.DataVersion` and makes it current; the previous one is kept
(superseded) and can be made current again with :func:`restore`. Versions are numbered per city (1, 2, ...)
across kinds, so ``kalkan city restore osh 4`` names one version unambiguously.

Two rules protect a city's own data:
- replacing a version the city imported (origin ``city``) with another of its files needs ``replace=True``
  (``--replace`` on the command line);
- shipped, illustrative or derived data never replace a city's own version (:func:`city_owns`; the loaders
  skip and say so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kalkan.errors import ConflictError, InputError, NotFoundError
from kalkan.store.models import DATA_KINDS, DATA_ORIGINS, DataVersion, utcnow
from kalkan.store.registry import get_city, isoformat_utc
from kalkan.store.runs import CURRENT_COMMAND

KIND_NAMES = {
    "exposure": "building exposure",
    "facilities": "critical-facility registry",
    "mapping": "taxonomy mapping",
    "station": "daily weather series",
    "districts": "districts",
    "outline": "city outline",
}
"""Plain names of the kinds, for messages."""

ORIGIN_NAMES = {
    "city": "the city's own",
    "shipped": "shipped with Kalkan",
    "illustrative": "ILLUSTRATIVE (invented), shipped with Kalkan",
    "derived": "derived by Kalkan",
}
"""Plain words for the origins, for messages."""

REPLACE_HINT = {
    "exposure": "kalkan city import-exposure CITY FILE --replace",
    "facilities": "kalkan city import-facilities CITY FILE --replace",
    "mapping": "kalkan city import-mapping CITY FILE --replace",
    "station": "kalkan climate import-station CITY FILE --replace",
    "districts": "kalkan city import-districts CITY FILE --replace",
    "outline": "kalkan cities set-outline CITY FILE --replace",
}


@dataclass(frozen=True, slots=True)
class VersionChange:
    """What a save or a restore did: the version now current and the one it superseded (if any)."""

    current: DataVersion
    superseded: DataVersion | None


def current_version(session: Session, city_id: str, kind: str) -> DataVersion | None:
    """The city's current version of ``kind`` (None when it never had one)."""
    _check_kind(kind)
    return session.scalars(
        select(DataVersion).where(
            DataVersion.city_id == city_id, DataVersion.kind == kind, DataVersion.is_current.is_(True)
        )
    ).one_or_none()


def city_owns(session: Session, city_id: str, kind: str) -> DataVersion | None:
    """The current version of ``kind`` if the city itself provided it (origin ``city``), else None."""
    version = current_version(session, city_id, kind)
    return version if version is not None and version.origin == "city" else None


def require_replace(session: Session, city_id: str, kind: str, replace: bool) -> None:
    """Refuse early (before a large file is read) when the city owns its current ``kind`` and ``replace`` is
    not given; :func:`new_version` checks the same again inside the saving transaction."""
    get_city(session, city_id)
    own = city_owns(session, city_id, kind)
    if own is not None and not replace:
        raise ConflictError(
            f"{city_id} already has its own {KIND_NAMES[kind]}: {describe(own)}.",
            hint=f"Give --replace to make the new file current (`{REPLACE_HINT[kind]}`); the previous version "
            f"is kept and `kalkan city restore {city_id} {own.version}` brings it back.",
            code="conflict.owned",
        )


def describe(version: DataVersion) -> str:
    """One line naming a version: number, kind, origin, source and date."""
    where = f", from {version.imported_from}" if version.imported_from else ""
    created = version.created_at.strftime("%Y-%m-%d %H:%M UTC") if version.created_at else "date unknown"
    return (
        f"version {version.version} ({KIND_NAMES[version.kind]}, {ORIGIN_NAMES[version.origin]}{where}, "
        f"{version.rows:,} rows, stored {created})"
    )


def new_version(
    session: Session,
    city_id: str,
    kind: str,
    *,
    origin: str,
    source: str,
    rows: int,
    replace: bool = False,
    licence: str | None = None,
    imported_from: str | None = None,
    digest: str | None = None,
    note: str | None = None,
) -> VersionChange:
    """Create the next version of the city's ``kind`` and make it current, superseding (never deleting) the
    previous one. Refused when the previous current version is the city's own and ``replace`` is not given,
    and always when shipped/illustrative/derived data would supersede the city's own."""
    _check_kind(kind)
    if origin not in DATA_ORIGINS:
        raise ValueError(f"origin {origin!r}; expected one of {DATA_ORIGINS}")
    if rows <= 0:
        raise InputError(
            f"{source}: no rows; an empty {KIND_NAMES[kind]} would replace the city's data with nothing.",
            code="input.empty",
        )
    get_city(session, city_id)
    previous = current_version(session, city_id, kind)
    if previous is not None and previous.origin == "city":
        if origin != "city":
            raise ConflictError(
                f"{city_id}'s {KIND_NAMES[kind]} is the city's own ({describe(previous)}); {origin} data never "
                "replace it.",
                code="conflict.owned",
            )
        if not replace:
            raise ConflictError(
                f"{city_id} already has its own {KIND_NAMES[kind]}: {describe(previous)}.",
                hint=f"Give --replace to make the new file current (`{REPLACE_HINT[kind]}`); the previous version "
                f"is kept and `kalkan city restore {city_id} {previous.version}` brings it back.",
                code="conflict.owned",
            )
    number = (session.scalar(select(func.max(DataVersion.version)).where(DataVersion.city_id == city_id)) or 0) + 1
    now = utcnow()
    if previous is not None:
        previous.is_current = False
        previous.superseded_at = now
        session.flush()  # the partial unique index allows one current version per (city, kind)
    version = DataVersion(
        city_id=city_id, kind=kind, version=number, origin=origin, is_current=True, source=source, licence=licence,
        imported_from=imported_from, command=CURRENT_COMMAND.get(), rows=rows, digest_sha256=digest, note=note,
        created_at=now,
    )  # fmt: skip
    session.add(version)
    session.flush()
    return VersionChange(version, previous)


def history(session: Session, city_id: str, kind: str | None = None) -> list[DataVersion]:
    """Every version of the city's data (of one ``kind`` if given), newest first."""
    get_city(session, city_id)
    query = select(DataVersion).where(DataVersion.city_id == city_id)
    if kind is not None:
        _check_kind(kind)
        query = query.where(DataVersion.kind == kind)
    return list(session.scalars(query.order_by(DataVersion.version.desc())))


def get_version(session: Session, city_id: str, number: int) -> DataVersion:
    """Version ``number`` of the city's data."""
    get_city(session, city_id)
    version = session.scalars(
        select(DataVersion).where(DataVersion.city_id == city_id, DataVersion.version == number)
    ).one_or_none()
    if version is None:
        last = session.scalar(select(func.max(DataVersion.version)).where(DataVersion.city_id == city_id))
        raise NotFoundError(
            f"{city_id} has no data version {number}" + (f" (versions 1-{last})." if last else " (no versions)."),
            hint=f"`kalkan city history {city_id}` lists them.",
            code="not_found.version",
            field="version",
        )
    return version


def restore(session: Session, city_id: str, number: int) -> VersionChange:
    """Make version ``number`` current again for its kind; the version it supersedes is kept."""
    version = get_version(session, city_id, number)
    previous = current_version(session, city_id, version.kind)
    if previous is not None and previous.id == version.id:
        return VersionChange(version, None)
    now = utcnow()
    if previous is not None:
        previous.is_current = False
        previous.superseded_at = now
        session.flush()
    version.is_current = True
    version.restored_at = now
    session.flush()
    return VersionChange(version, previous)


def version_row(version: DataVersion) -> dict[str, Any]:
    """A version as JSON-ready values (for ``kalkan city history --json``)."""
    return {
        "version": version.version,
        "kind": version.kind,
        "origin": version.origin,
        "current": version.is_current,
        "rows": version.rows,
        "source": version.source,
        "licence": version.licence,
        "imported_from": version.imported_from,
        "command": version.command,
        "digest_sha256": version.digest_sha256,
        "note": version.note,
        "created_at": isoformat_utc(version.created_at),
        "superseded_at": isoformat_utc(version.superseded_at),
        "restored_at": isoformat_utc(version.restored_at),
    }


def _check_kind(kind: str) -> None:
    if kind not in DATA_KINDS:
        raise InputError(
            f"Unknown kind of city data {kind!r}; expected one of {', '.join(DATA_KINDS)}.",
            code="input.unknown",
            field="kind",
        )


def current_ids(session: Session, city_id: str, kinds: Sequence[str] = DATA_KINDS) -> dict[str, int | None]:
    """The current version number of each kind (None where the city has none): recorded with every run."""
    found = {
        v.kind: v.version
        for v in session.scalars(
            select(DataVersion).where(
                DataVersion.city_id == city_id, DataVersion.is_current.is_(True), DataVersion.kind.in_(kinds)
            )
        )
    }
    return {k: found.get(k) for k in kinds}
