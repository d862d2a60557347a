"""SQLAlchemy 2 models: the schema of record is the Alembic migrations, which must match these.

Units live in column names: ``lon``/``lat`` WGS84 degrees, ``*_usd`` US dollars of the stated year,
``area_km2`` square kilometres. Geometries are GeoJSON (RFC 7946, WGS84) text, portable between SQLite
and PostgreSQL; PostGIS reads them with ``ST_GeomFromGeoJSON``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MEMBERSHIP_STATUSES = ("founding", "member", "applicant", "rejected")
APPLICATION_STATUSES = ("pending", "approved", "rejected")
RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
DATA_KINDS = ("exposure", "facilities", "mapping", "station", "districts", "outline")
"""Kinds of city data kept in versions (:class:`DataVersion`): never deleted, one current version per kind."""
DATA_ORIGINS = ("city", "shipped", "illustrative", "derived")
"""Where a version comes from: the city's own file, data shipped with Kalkan, invented ILLUSTRATIVE data, or
derived by Kalkan from another version (grid-cell districts). Shipped loads never replace a ``city`` version."""
GEOMETRY_KINDS = ("admin_boundary", "urban_extent", "city_outline")


def utcnow() -> dt.datetime:
    """Timezone-aware current time; every timestamp in the store is UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class City(Base):
    """A member (or applicant) city of the coalition."""

    __tablename__ = "cities"
    __table_args__ = (
        CheckConstraint("lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90", name="lonlat"),
        CheckConstraint("population > 0", name="population_positive"),
        CheckConstraint(
            "membership_status IN ('founding', 'member', 'applicant', 'rejected')", name="membership_status"
        ),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    name_local: Mapped[str | None] = mapped_column(String(200))
    country_iso3: Mapped[str] = mapped_column(String(3))
    admin1: Mapped[str | None] = mapped_column(String(200))
    geonameid: Mapped[int | None] = mapped_column(Integer)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    elevation_m: Mapped[float | None] = mapped_column(Float)
    population: Mapped[int] = mapped_column(Integer)
    population_year: Mapped[int | None] = mapped_column(Integer)
    population_source: Mapped[str] = mapped_column(Text)
    population_alternatives: Mapped[list[Any]] = mapped_column(default=list)
    gdp_per_capita_usd: Mapped[float | None] = mapped_column(Float)
    gdp_year: Mapped[int | None] = mapped_column(Integer)
    gdp_source: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    ipcc_ar6_region: Mapped[str] = mapped_column(String(8))
    main_hazards: Mapped[list[Any]] = mapped_column(default=list)
    climate: Mapped[str | None] = mapped_column(Text)
    rivers: Mapped[list[Any]] = mapped_column(default=list)
    national_agencies: Mapped[list[Any]] = mapped_column(default=list)
    sources: Mapped[dict[str, Any]] = mapped_column(default=dict)
    membership_status: Mapped[str] = mapped_column(String(16))
    member_since: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    geometries: Mapped[list[CityGeometry]] = relationship(
        cascade="all, delete-orphan",
        order_by="CityGeometry.kind",
        primaryjoin="and_(City.id == CityGeometry.city_id, CityGeometry.version_id.is_(None))",
    )
    """The shipped outlines (admin boundary, urban extent); a city's own outline is a versioned
    ``city_outline`` geometry, read through :mod:`kalkan.store.versions`."""
    disasters: Mapped[list[Disaster]] = relationship(
        back_populates="city", cascade="all, delete-orphan", order_by="Disaster.year.desc()"
    )
    applications: Mapped[list[AccessionApplication]] = relationship(
        back_populates="city", cascade="all, delete-orphan", order_by="AccessionApplication.id"
    )


class CityGeometry(Base):
    """An outline of the city with its source: a shipped administrative boundary or urban extent (one of each
    kind, ``version_id`` NULL), or the city's own outline (``city_outline``, one per data version)."""

    __tablename__ = "city_geometries"
    __table_args__ = (
        CheckConstraint("kind IN ('admin_boundary', 'urban_extent', 'city_outline')", name="kind"),
        CheckConstraint(
            "(kind = 'city_outline' AND version_id IS NOT NULL) OR (kind <> 'city_outline' AND version_id IS NULL)",
            name="versioned_outline",
        ),
        Index(
            "uq_city_geometries_shipped_kind",
            "city_id",
            "kind",
            unique=True,
            sqlite_where=text("version_id IS NULL"),
            postgresql_where=text("version_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_id: Mapped[str] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_versions.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    geojson: Mapped[str] = mapped_column(Text)
    area_km2: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(200))


class District(Base):
    """A district of a city (for aggregating results), in one data version of the city's districts."""

    __tablename__ = "districts"
    __table_args__ = (UniqueConstraint("version_id", "code", name="uq_districts_version_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_id: Mapped[str] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("data_versions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str | None] = mapped_column(String(200))
    geojson: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(200))


class Disaster(Base):
    """A notable past disaster affecting the city or its region, with its source."""

    __tablename__ = "disasters"
    __table_args__ = (CheckConstraint("deaths IS NULL OR deaths >= 0", name="deaths_nonnegative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_id: Mapped[str] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    date: Mapped[str | None] = mapped_column(String(10))
    hazard: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)
    deaths: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)

    city: Mapped[City] = relationship(back_populates="disasters")


class AccessionApplication(Base):
    """A city's application to join the declaration, and the secretariat's decision on it."""

    __tablename__ = "accession_applications"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint(
            "(status = 'pending' AND decided_by IS NULL AND decided_at IS NULL) OR "
            "(status <> 'pending' AND decided_by IS NOT NULL AND decided_at IS NOT NULL)",
            name="decision_recorded",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_id: Mapped[str] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    applicant: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)

    city: Mapped[City] = relationship(back_populates="applications")


class Run(Base):
    """A recorded computation: enough to reproduce any number it produced."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    city_id: Mapped[str | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"), index=True)
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    input_digests: Mapped[dict[str, Any]] = mapped_column(default=dict)
    seed: Mapped[int | None] = mapped_column(Integer)
    code_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result_path: Mapped[str | None] = mapped_column(Text)
    """The run-owned folder of its results (read-only files that no later run touches), if it wrote any."""
    command: Mapped[str | None] = mapped_column(Text)
    """The command line that made the run (``kalkan ...``, shell-quoted), to reproduce it."""
    working_dir: Mapped[str | None] = mapped_column(Text)
    """Where the command ran (relative paths in ``command`` are relative to it)."""
    output_digests: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """SHA-256 of every result file, by its path relative to ``result_path``."""
    published_to: Mapped[str | None] = mapped_column(Text)
    """Where the results were copied for the user (``--out``/``-o``); the run's own copy stays in result_path."""
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)


class ReferenceDataset(Base):
    """A shipped dataset loaded into this database, with the digest of the files it was loaded from."""

    __tablename__ = "reference_datasets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    code_version: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)


class DataVersion(Base):
    """One version of one kind of a city's data (its exposure, facilities, taxonomy mapping, station series,
    districts or outline). Versions are numbered per city (1, 2, ...) across kinds, never deleted; at most one
    per (city, kind) is current, and every computation reads the current one. Replacing a city's own data makes
    a new version current and keeps the previous one, restorable (``kalkan city restore``)."""

    __tablename__ = "data_versions"
    __table_args__ = (
        UniqueConstraint("city_id", "version", name="uq_data_versions_city_version"),
        CheckConstraint(
            "kind IN ('exposure', 'facilities', 'mapping', 'station', 'districts', 'outline')", name="kind"
        ),
        CheckConstraint("origin IN ('city', 'shipped', 'illustrative', 'derived')", name="origin"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index(
            "uq_data_versions_current",
            "city_id",
            "kind",
            unique=True,
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_id: Mapped[str] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16))
    is_current: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(String(200))
    imported_from: Mapped[str | None] = mapped_column(Text)
    command: Mapped[str | None] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer)
    digest_sha256: Mapped[str | None] = mapped_column(String(64))
    """Digest of the version's content, so that reloading identical shipped data adds no version."""
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    restored_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CityFieldChange(Base):
    """A correction of one registry field of a city, with its source: kept as history, and never undone by a
    refresh of the shipped reference data."""

    __tablename__ = "city_field_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_id: Mapped[str] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """``{"value": ...}`` before the change (JSON, so any field type fits)."""
    new_value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source: Mapped[str] = mapped_column(Text)
    changed_by: Mapped[str | None] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExposureSet(Base):
    """A city's building exposure (one per data version), with its provenance and totals for checks against the source.

    Costs are in ``currency`` of ``price_year``; occupants are people; ``method`` is the record of how the
    exposure was built (for GEM: admin-1 unit, share and its basis, grid, licence).
    """

    __tablename__ = "exposure_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_id: Mapped[str] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("data_versions.id", ondelete="CASCADE"), unique=True)
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(200))
    citation: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    price_year: Mapped[int | None] = mapped_column(Integer)
    method: Mapped[dict[str, Any]] = mapped_column(default=dict)
    n_assets: Mapped[int] = mapped_column(Integer)
    buildings: Mapped[float] = mapped_column(Float)
    cost_structural: Mapped[float] = mapped_column(Float)
    cost_nonstructural: Mapped[float] = mapped_column(Float)
    cost_contents: Mapped[float] = mapped_column(Float)
    occupants_day: Mapped[float] = mapped_column(Float)
    occupants_night: Mapped[float] = mapped_column(Float)
    occupants_transit: Mapped[float] = mapped_column(Float)
    loaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExposureAsset(Base):
    """One asset of an exposure set: location (WGS84 degrees), taxonomy, costs (the set's currency), people."""

    __tablename__ = "exposure_assets"
    __table_args__ = (UniqueConstraint("set_id", "asset_id", name="uq_exposure_assets_set_asset"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("exposure_sets.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[str] = mapped_column(String(200))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    taxonomy: Mapped[str] = mapped_column(String(200))
    number: Mapped[float | None] = mapped_column(Float)
    cost_structural: Mapped[float | None] = mapped_column(Float)
    cost_nonstructural: Mapped[float | None] = mapped_column(Float)
    cost_contents: Mapped[float | None] = mapped_column(Float)
    occupants_day: Mapped[float | None] = mapped_column(Float)
    occupants_night: Mapped[float | None] = mapped_column(Float)
    occupants_transit: Mapped[float | None] = mapped_column(Float)
    district: Mapped[str | None] = mapped_column(String(64))
    occupancy: Mapped[str | None] = mapped_column(String(32))


class TaxonomyMappingRow(Base):
    """One row of a city's own taxonomy mapping (``taxonomy,conversion,weight``, GEM/OpenQuake format): the
    city's taxonomy string, a GEM Central Asia function id, and its weight; one mapping per data version."""

    __tablename__ = "taxonomy_mappings"
    __table_args__ = (
        UniqueConstraint(
            "version_id", "taxonomy", "conversion", name="uq_taxonomy_mappings_version_taxonomy_conversion"
        ),
        CheckConstraint("weight > 0 AND weight <= 1", name="weight_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("data_versions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    taxonomy: Mapped[str] = mapped_column(String(200))
    conversion: Mapped[str] = mapped_column(String(200))
    weight: Mapped[float] = mapped_column(Float)


class StationSeries(Base):
    """A city's own daily weather series (one per city): where it comes from, its licence, whether it is a
    station or a reanalysis, and its gap counts (missing days are stored as NULL, never filled); one per data
    version."""

    __tablename__ = "station_series"
    __table_args__ = (CheckConstraint("kind IN ('station', 'reanalysis')", name="kind_values"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_id: Mapped[str] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("data_versions.id", ondelete="CASCADE"), unique=True)
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    imported_from: Mapped[str] = mapped_column(Text)
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    sentinel_days: Mapped[int] = mapped_column(Integer)
    absent_days: Mapped[int] = mapped_column(Integer)
    precip_sentinel_days: Mapped[int | None] = mapped_column(Integer)
    precip_absent_days: Mapped[int | None] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StationDay(Base):
    """One calendar day of a station series: °C and mm/day, NULL where the source has no value."""

    __tablename__ = "station_days"
    __table_args__ = (UniqueConstraint("series_id", "day", name="uq_station_days_series_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("station_series.id", ondelete="CASCADE"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    tmax_c: Mapped[float | None] = mapped_column(Float)
    tmin_c: Mapped[float | None] = mapped_column(Float)
    tmean_c: Mapped[float | None] = mapped_column(Float)
    precip_mm: Mapped[float | None] = mapped_column(Float)


class FacilityRecord(Base):
    """A critical facility of a city (registry columns of :mod:`kalkan.core.exposure.facilities`), in one data
    version of its registry."""

    __tablename__ = "facilities"
    __table_args__ = (
        UniqueConstraint("version_id", "facility_id", name="uq_facilities_version_facility"),
        CheckConstraint("condition IS NULL OR (condition >= 1 AND condition <= 5)", name="condition_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    city_id: Mapped[str] = mapped_column(ForeignKey("cities.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("data_versions.id", ondelete="CASCADE"), index=True)
    facility_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    capacity: Mapped[float | None] = mapped_column(Float)
    capacity_unit: Mapped[str] = mapped_column(String(32))
    construction_class: Mapped[str] = mapped_column(String(200))
    year_built: Mapped[int | None] = mapped_column(Integer)
    condition: Mapped[int | None] = mapped_column(Integer)
    last_inspection: Mapped[dt.date | None] = mapped_column(Date)
    backup_power: Mapped[bool] = mapped_column(Boolean)
    backup_water: Mapped[bool] = mapped_column(Boolean)
    responsible_agency: Mapped[str] = mapped_column(String(200))
    replacement_cost_usd: Mapped[float] = mapped_column(Float)
    price_year: Mapped[int] = mapped_column(Integer)
    occupants_day: Mapped[float] = mapped_column(Float)
    occupants_night: Mapped[float] = mapped_column(Float)
    illustrative: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)
