"""A city's own taxonomy mapping, stored with its exposure set.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "taxonomy_mappings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("taxonomy", sa.String(200), nullable=False),
        sa.Column("conversion", sa.String(200), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.CheckConstraint("weight > 0 AND weight <= 1", name=op.f("ck_taxonomy_mappings_weight_range")),
        sa.ForeignKeyConstraint(
            ["set_id"], ["exposure_sets.id"], name=op.f("fk_taxonomy_mappings_set_id_exposure_sets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taxonomy_mappings")),
        sa.UniqueConstraint("set_id", "taxonomy", "conversion", name="uq_taxonomy_mappings_set_taxonomy_conversion"),
    )
    op.create_index(op.f("ix_taxonomy_mappings_set_id"), "taxonomy_mappings", ["set_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_taxonomy_mappings_set_id"), table_name="taxonomy_mappings")
    op.drop_table("taxonomy_mappings")
