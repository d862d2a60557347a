"""A city's own daily weather series (station or reanalysis), imported once and used by climate indicators.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "station_series",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_id", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("imported_from", sa.Text(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("sentinel_days", sa.Integer(), nullable=False),
        sa.Column("absent_days", sa.Integer(), nullable=False),
        sa.Column("precip_sentinel_days", sa.Integer(), nullable=True),
        sa.Column("precip_absent_days", sa.Integer(), nullable=True),
        sa.Column("imported_at", TZ, nullable=False),
        sa.CheckConstraint("kind IN ('station', 'reanalysis')", name=op.f("ck_station_series_kind_values")),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_station_series_city_id_cities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_series")),
        sa.UniqueConstraint("city_id", name=op.f("uq_station_series_city_id")),
    )
    op.create_table(
        "station_days",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tmax_c", sa.Float(), nullable=True),
        sa.Column("tmin_c", sa.Float(), nullable=True),
        sa.Column("tmean_c", sa.Float(), nullable=True),
        sa.Column("precip_mm", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["station_series.id"],
            name=op.f("fk_station_days_series_id_station_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_days")),
        sa.UniqueConstraint("series_id", "day", name="uq_station_days_series_day"),
    )
    op.create_index(op.f("ix_station_days_series_id"), "station_days", ["series_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_station_days_series_id"), table_name="station_days")
    op.drop_table("station_days")
    op.drop_table("station_series")
