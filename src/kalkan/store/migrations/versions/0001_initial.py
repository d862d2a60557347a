"""Initial schema: coalition registry (cities, geometries, districts, disasters, accession), runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cities",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("name_ru", sa.String(200), nullable=False),
        sa.Column("name_local", sa.String(200), nullable=True),
        sa.Column("country_iso3", sa.String(3), nullable=False),
        sa.Column("admin1", sa.String(200), nullable=True),
        sa.Column("geonameid", sa.Integer(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("elevation_m", sa.Float(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("population_year", sa.Integer(), nullable=True),
        sa.Column("population_source", sa.Text(), nullable=False),
        sa.Column("population_alternatives", sa.JSON(), nullable=False),
        sa.Column("gdp_per_capita_usd", sa.Float(), nullable=True),
        sa.Column("gdp_year", sa.Integer(), nullable=True),
        sa.Column("gdp_source", sa.Text(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("ipcc_ar6_region", sa.String(8), nullable=False),
        sa.Column("main_hazards", sa.JSON(), nullable=False),
        sa.Column("climate", sa.Text(), nullable=True),
        sa.Column("rivers", sa.JSON(), nullable=False),
        sa.Column("national_agencies", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("membership_status", sa.String(16), nullable=False),
        sa.Column("member_since", sa.Date(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.CheckConstraint("lon >= -180 AND lon <= 180 AND lat >= -90 AND lat <= 90", name=op.f("ck_cities_lonlat")),
        sa.CheckConstraint("population > 0", name=op.f("ck_cities_population_positive")),
        sa.CheckConstraint(
            "membership_status IN ('founding', 'member', 'applicant', 'rejected')",
            name=op.f("ck_cities_membership_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cities")),
    )
    op.create_table(
        "city_geometries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("geojson", sa.Text(), nullable=False),
        sa.Column("area_km2", sa.Float(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(200), nullable=False),
        sa.CheckConstraint("kind IN ('admin_boundary', 'urban_extent')", name=op.f("ck_city_geometries_kind")),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_city_geometries_city_id_cities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_geometries")),
        sa.UniqueConstraint("city_id", "kind", name="uq_city_geometries_city_kind"),
    )
    op.create_index(op.f("ix_city_geometries_city_id"), "city_geometries", ["city_id"])
    op.create_table(
        "districts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_id", sa.String(64), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_ru", sa.String(200), nullable=True),
        sa.Column("geojson", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_districts_city_id_cities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_districts")),
        sa.UniqueConstraint("city_id", "code", name="uq_districts_city_code"),
    )
    op.create_index(op.f("ix_districts_city_id"), "districts", ["city_id"])
    op.create_table(
        "disasters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("date", sa.String(10), nullable=True),
        sa.Column("hazard", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("deaths", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("deaths IS NULL OR deaths >= 0", name=op.f("ck_disasters_deaths_nonnegative")),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_disasters_city_id_cities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disasters")),
    )
    op.create_index(op.f("ix_disasters_city_id"), "disasters", ["city_id"])
    op.create_table(
        "accession_applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_id", sa.String(64), nullable=False),
        sa.Column("applicant", sa.String(200), nullable=False),
        sa.Column("applied_at", TZ, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(200), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_accession_applications_status")
        ),
        sa.CheckConstraint(
            "(status = 'pending' AND decided_by IS NULL AND decided_at IS NULL) OR "
            "(status <> 'pending' AND decided_by IS NOT NULL AND decided_at IS NOT NULL)",
            name=op.f("ck_accession_applications_decision_recorded"),
        ),
        sa.ForeignKeyConstraint(
            ["city_id"],
            ["cities.id"],
            name=op.f("fk_accession_applications_city_id_cities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accession_applications")),
    )
    op.create_index(op.f("ix_accession_applications_city_id"), "accession_applications", ["city_id"])
    op.create_table(
        "runs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("city_id", sa.String(64), nullable=True),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("input_digests", sa.JSON(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("code_version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("progress_message", sa.Text(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("result_path", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name=op.f("ck_runs_progress_range")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name=op.f("ck_runs_status")
        ),
        sa.ForeignKeyConstraint(["city_id"], ["cities.id"], name=op.f("fk_runs_city_id_cities"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_kind"), "runs", ["kind"])
    op.create_index(op.f("ix_runs_city_id"), "runs", ["city_id"])
    op.create_table(
        "reference_datasets",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("digest_sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", TZ, nullable=False),
        sa.Column("code_version", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_datasets")),
    )


def downgrade() -> None:
    op.drop_table("reference_datasets")
    op.drop_index(op.f("ix_runs_city_id"), table_name="runs")
    op.drop_index(op.f("ix_runs_kind"), table_name="runs")
    op.drop_table("runs")
    op.drop_index(op.f("ix_accession_applications_city_id"), table_name="accession_applications")
    op.drop_table("accession_applications")
    op.drop_index(op.f("ix_disasters_city_id"), table_name="disasters")
    op.drop_table("disasters")
    op.drop_index(op.f("ix_districts_city_id"), table_name="districts")
    op.drop_table("districts")
    op.drop_index(op.f("ix_city_geometries_city_id"), table_name="city_geometries")
    op.drop_table("city_geometries")
    op.drop_table("cities")
