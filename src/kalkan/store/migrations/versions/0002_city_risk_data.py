"""City risk data: exposure sets and their assets, critical-facility registry.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
AMOUNTS = (
    "cost_structural",
    "cost_nonstructural",
    "cost_contents",
    "occupants_day",
    "occupants_night",
    "occupants_transit",
)
"""Per-set totals and per-asset values: costs in the set's currency, occupants in people."""


def upgrade() -> None:
    op.create_table(
        "exposure_sets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_id", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(200), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("price_year", sa.Integer(), nullable=True),
        sa.Column("method", sa.JSON(), nullable=False),
        sa.Column("n_assets", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in ("buildings", *AMOUNTS)),
        sa.Column("loaded_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_exposure_sets_city_id_cities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exposure_sets")),
        sa.UniqueConstraint("city_id", name=op.f("uq_exposure_sets_city_id")),
    )
    op.create_table(
        "exposure_assets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.String(200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("taxonomy", sa.String(200), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=True) for name in ("number", *AMOUNTS)),
        sa.Column("district", sa.String(64), nullable=True),
        sa.Column("occupancy", sa.String(32), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_id"], ["exposure_sets.id"], name=op.f("fk_exposure_assets_set_id_exposure_sets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exposure_assets")),
        sa.UniqueConstraint("set_id", "asset_id", name="uq_exposure_assets_set_asset"),
    )
    op.create_index(op.f("ix_exposure_assets_set_id"), "exposure_assets", ["set_id"])
    op.create_table(
        "facilities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_id", sa.String(64), nullable=False),
        sa.Column("facility_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("capacity_unit", sa.String(32), nullable=False),
        sa.Column("construction_class", sa.String(200), nullable=False),
        sa.Column("year_built", sa.Integer(), nullable=True),
        sa.Column("condition", sa.Integer(), nullable=True),
        sa.Column("last_inspection", sa.Date(), nullable=True),
        sa.Column("backup_power", sa.Boolean(), nullable=False),
        sa.Column("backup_water", sa.Boolean(), nullable=False),
        sa.Column("responsible_agency", sa.String(200), nullable=False),
        sa.Column("replacement_cost_usd", sa.Float(), nullable=False),
        sa.Column("price_year", sa.Integer(), nullable=False),
        sa.Column("occupants_day", sa.Float(), nullable=False),
        sa.Column("occupants_night", sa.Float(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "condition IS NULL OR (condition >= 1 AND condition <= 5)", name=op.f("ck_facilities_condition_range")
        ),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_facilities_city_id_cities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
        sa.UniqueConstraint("city_id", "facility_id", name="uq_facilities_city_facility"),
    )
    op.create_index(op.f("ix_facilities_city_id"), "facilities", ["city_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_facilities_city_id"), table_name="facilities")
    op.drop_table("facilities")
    op.drop_index(op.f("ix_exposure_assets_set_id"), table_name="exposure_assets")
    op.drop_table("exposure_assets")
    op.drop_table("exposure_sets")
