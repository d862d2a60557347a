"""Versioned city data (nothing a city entered is ever lost), reproducible runs, a city's own outline and
registry corrections.

- ``data_versions``: one row per version of a city's exposure, facilities, taxonomy mapping, station series,
  districts or outline; the data tables point at their version. Existing data become version 1, 2, ... of
  their city, current.
- ``runs``: the command line, working directory, output digests and the folder results were published to.
- ``city_geometries``: kind ``city_outline`` (versioned); ``city_field_changes``: corrections with sources.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
GRID_SOURCE = "Kalkan grid"

versions_t = sa.table(
    "data_versions",
    sa.column("id", sa.Integer),
    sa.column("city_id", sa.String),
    sa.column("kind", sa.String),
    sa.column("version", sa.Integer),
    sa.column("origin", sa.String),
    sa.column("is_current", sa.Boolean),
    sa.column("source", sa.Text),
    sa.column("licence", sa.String),
    sa.column("imported_from", sa.Text),
    sa.column("rows", sa.Integer),
    sa.column("note", sa.Text),
    sa.column("created_at", TZ),
)


def _create_versions_table() -> None:
    op.create_table(
        "data_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("licence", sa.String(200), nullable=True),
        sa.Column("imported_from", sa.Text(), nullable=True),
        sa.Column("command", sa.Text(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("digest_sha256", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("superseded_at", TZ, nullable=True),
        sa.Column("restored_at", TZ, nullable=True),
        sa.CheckConstraint(
            "kind IN ('exposure', 'facilities', 'mapping', 'station', 'districts', 'outline')",
            name=op.f("ck_data_versions_kind"),
        ),
        sa.CheckConstraint(
            "origin IN ('city', 'shipped', 'illustrative', 'derived')", name=op.f("ck_data_versions_origin")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_data_versions_version_positive")),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_data_versions_city_id_cities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_versions")),
        sa.UniqueConstraint("city_id", "version", name="uq_data_versions_city_version"),
    )
    op.create_index(op.f("ix_data_versions_city_id"), "data_versions", ["city_id"])
    op.create_index(
        "uq_data_versions_current",
        "data_versions",
        ["city_id", "kind"],
        unique=True,
        sqlite_where=sa.text("is_current = 1"),
        postgresql_where=sa.text("is_current"),
    )


class _Numbering:
    """Hands out the next version number of each city, and inserts the version rows."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.next: dict[str, int] = {}
        self.now = dt.datetime.now(dt.UTC)

    def add(self, city_id: str, kind: str, origin: str, source: str, rows: int, **extra: Any) -> int:
        number = self.next.get(city_id, 1)
        self.next[city_id] = number + 1
        result = self.conn.execute(
            versions_t.insert().returning(versions_t.c.id),
            {"city_id": city_id, "kind": kind, "version": number, "origin": origin, "is_current": True,
             "source": source, "rows": rows, "created_at": self.now, "note": "existing data at schema 0005",
             "licence": extra.get("licence"), "imported_from": extra.get("imported_from")},
        )  # fmt: skip
        return int(result.scalar_one())


def _version_existing(conn: sa.Connection) -> None:
    numbering = _Numbering(conn)
    for set_id, city_id, source, licence, method, n in conn.execute(
        sa.text("SELECT id, city_id, source, licence, method, n_assets FROM exposure_sets ORDER BY id")
    ).all():
        shipped = source.startswith("GEM") and "imported_from" not in str(method)
        vid = numbering.add(city_id, "exposure", "shipped" if shipped else "city", source, n, licence=licence)
        conn.execute(sa.text("UPDATE exposure_sets SET version_id = :v WHERE id = :i"), {"v": vid, "i": set_id})
        mapped = conn.execute(
            sa.text("SELECT count(*) FROM taxonomy_mappings WHERE set_id = :i"), {"i": set_id}
        ).scalar_one()
        if mapped:
            mid = numbering.add(city_id, "mapping", "city", "the city's taxonomy mapping", int(mapped))
            conn.execute(
                sa.text("UPDATE taxonomy_mappings SET version_id = :v WHERE set_id = :i"), {"v": mid, "i": set_id}
            )
    for city_id, n, n_illustrative in conn.execute(
        sa.text(
            "SELECT city_id, count(*), sum(CASE WHEN illustrative THEN 1 ELSE 0 END) FROM facilities "
            "GROUP BY city_id ORDER BY city_id"
        )
    ).all():
        origin = "illustrative" if int(n_illustrative) == int(n) else "city"
        vid = numbering.add(city_id, "facilities", origin, "facility registry", int(n))
        conn.execute(sa.text("UPDATE facilities SET version_id = :v WHERE city_id = :c"), {"v": vid, "c": city_id})
    for series_id, city_id, source, licence, imported_from in conn.execute(
        sa.text("SELECT id, city_id, source, licence, imported_from FROM station_series ORDER BY id")
    ).all():
        days = conn.execute(sa.text("SELECT count(*) FROM station_days WHERE series_id = :i"), {"i": series_id})
        vid = numbering.add(city_id, "station", "city", source, int(days.scalar_one()), licence=licence,
                            imported_from=imported_from)  # fmt: skip
        conn.execute(sa.text("UPDATE station_series SET version_id = :v WHERE id = :i"), {"v": vid, "i": series_id})
    for city_id, n, n_grid in conn.execute(
        sa.text(
            "SELECT city_id, count(*), sum(CASE WHEN source LIKE :g THEN 1 ELSE 0 END) FROM districts "
            "GROUP BY city_id ORDER BY city_id"
        ),
        {"g": GRID_SOURCE + "%"},
    ).all():
        origin = "derived" if int(n_grid) == int(n) else "city"
        vid = numbering.add(city_id, "districts", origin, "districts", int(n))
        conn.execute(sa.text("UPDATE districts SET version_id = :v WHERE city_id = :c"), {"v": vid, "c": city_id})


def upgrade() -> None:
    _create_versions_table()
    op.create_table(
        "city_field_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("city_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(64), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=False),
        sa.Column("new_value", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=True),
        sa.Column("changed_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["city_id"], ["cities.id"], name=op.f("fk_city_field_changes_city_id_cities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_field_changes")),
    )
    op.create_index(op.f("ix_city_field_changes_city_id"), "city_field_changes", ["city_id"])

    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("command", sa.Text(), nullable=True))
        batch.add_column(sa.Column("working_dir", sa.Text(), nullable=True))
        batch.add_column(sa.Column("output_digests", sa.JSON(), nullable=False, server_default="{}"))
        batch.add_column(sa.Column("published_to", sa.Text(), nullable=True))
    with op.batch_alter_table("runs") as batch:
        batch.alter_column("output_digests", server_default=None)

    # 1. new columns, nullable while the existing rows are given their versions
    for table in ("exposure_sets", "facilities", "station_series", "districts", "taxonomy_mappings", "city_geometries"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version_id", sa.Integer(), nullable=True))
    _version_existing(op.get_bind())

    # 2. constraints of the versioned tables
    with op.batch_alter_table("exposure_sets") as batch:
        batch.drop_constraint("uq_exposure_sets_city_id", type_="unique")
        batch.alter_column("version_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f("uq_exposure_sets_version_id"), ["version_id"])
        batch.create_foreign_key(
            op.f("fk_exposure_sets_version_id_data_versions"), "data_versions", ["version_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch.create_index(op.f("ix_exposure_sets_city_id"), ["city_id"])
    with op.batch_alter_table("facilities") as batch:
        batch.drop_constraint("uq_facilities_city_facility", type_="unique")
        batch.alter_column("version_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_facilities_version_facility", ["version_id", "facility_id"])
        batch.create_foreign_key(
            op.f("fk_facilities_version_id_data_versions"), "data_versions", ["version_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index(op.f("ix_facilities_version_id"), ["version_id"])
    with op.batch_alter_table("station_series") as batch:
        batch.drop_constraint("uq_station_series_city_id", type_="unique")
        batch.alter_column("version_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f("uq_station_series_version_id"), ["version_id"])
        batch.create_foreign_key(
            op.f("fk_station_series_version_id_data_versions"), "data_versions", ["version_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch.create_index(op.f("ix_station_series_city_id"), ["city_id"])
    with op.batch_alter_table("districts") as batch:
        batch.drop_constraint("uq_districts_city_code", type_="unique")
        batch.alter_column("version_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_districts_version_code", ["version_id", "code"])
        batch.create_foreign_key(
            op.f("fk_districts_version_id_data_versions"), "data_versions", ["version_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index(op.f("ix_districts_version_id"), ["version_id"])
    with op.batch_alter_table("taxonomy_mappings") as batch:
        batch.drop_constraint("uq_taxonomy_mappings_set_taxonomy_conversion", type_="unique")
        batch.drop_index(op.f("ix_taxonomy_mappings_set_id"))
        batch.drop_constraint(op.f("fk_taxonomy_mappings_set_id_exposure_sets"), type_="foreignkey")
        batch.drop_column("set_id")
        batch.alter_column("version_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(
            "uq_taxonomy_mappings_version_taxonomy_conversion", ["version_id", "taxonomy", "conversion"]
        )
        batch.create_foreign_key(
            op.f("fk_taxonomy_mappings_version_id_data_versions"), "data_versions", ["version_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
        batch.create_index(op.f("ix_taxonomy_mappings_version_id"), ["version_id"])
    with op.batch_alter_table("city_geometries") as batch:
        batch.drop_constraint("uq_city_geometries_city_kind", type_="unique")
        batch.drop_constraint(op.f("ck_city_geometries_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_city_geometries_kind"), "kind IN ('admin_boundary', 'urban_extent', 'city_outline')"
        )
        batch.create_check_constraint(
            op.f("ck_city_geometries_versioned_outline"),
            "(kind = 'city_outline' AND version_id IS NOT NULL) OR (kind <> 'city_outline' AND version_id IS NULL)",
        )
        batch.create_unique_constraint(op.f("uq_city_geometries_version_id"), ["version_id"])
        batch.create_foreign_key(
            op.f("fk_city_geometries_version_id_data_versions"), "data_versions", ["version_id"], ["id"],
            ondelete="CASCADE",
        )  # fmt: skip
    op.create_index(
        "uq_city_geometries_shipped_kind",
        "city_geometries",
        ["city_id", "kind"],
        unique=True,
        sqlite_where=sa.text("version_id IS NULL"),
        postgresql_where=sa.text("version_id IS NULL"),
    )


def downgrade() -> None:
    """Back to one set per city: only the current version of each kind is kept (older versions are lost, which
    is why downgrading asks for confirmation)."""
    conn = op.get_bind()
    current = "SELECT id FROM data_versions WHERE is_current"
    if conn.dialect.name == "sqlite":
        current = "SELECT id FROM data_versions WHERE is_current = 1"
    op.drop_index("uq_city_geometries_shipped_kind", table_name="city_geometries")
    conn.execute(sa.text("DELETE FROM city_geometries WHERE kind = 'city_outline'"))
    # children first: foreign keys are off while a schema changes (kalkan.store.migrate.migration_transaction)
    conn.execute(
        sa.text(
            f"DELETE FROM exposure_assets WHERE set_id IN (SELECT id FROM exposure_sets WHERE version_id NOT IN ({current}))"  # noqa: S608
        )
    )
    conn.execute(
        sa.text(
            f"DELETE FROM station_days WHERE series_id IN (SELECT id FROM station_series WHERE version_id NOT IN ({current}))"  # noqa: S608
        )
    )
    for table in ("exposure_sets", "facilities", "station_series", "districts", "taxonomy_mappings"):
        conn.execute(sa.text(f"DELETE FROM {table} WHERE version_id NOT IN ({current})"))  # noqa: S608
    with op.batch_alter_table("city_geometries") as batch:
        batch.drop_constraint(op.f("fk_city_geometries_version_id_data_versions"), type_="foreignkey")
        batch.drop_constraint(op.f("uq_city_geometries_version_id"), type_="unique")
        batch.drop_constraint(op.f("ck_city_geometries_versioned_outline"), type_="check")
        batch.drop_constraint(op.f("ck_city_geometries_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_city_geometries_kind"), "kind IN ('admin_boundary', 'urban_extent')")
        batch.drop_column("version_id")
        batch.create_unique_constraint("uq_city_geometries_city_kind", ["city_id", "kind"])
    with op.batch_alter_table("taxonomy_mappings") as batch:
        batch.add_column(sa.Column("set_id", sa.Integer(), nullable=True))
    conn.execute(
        sa.text(
            "UPDATE taxonomy_mappings SET set_id = (SELECT e.id FROM exposure_sets e JOIN data_versions m "
            "ON m.city_id = e.city_id WHERE m.id = taxonomy_mappings.version_id)"
        )
    )
    conn.execute(sa.text("DELETE FROM taxonomy_mappings WHERE set_id IS NULL"))
    with op.batch_alter_table("taxonomy_mappings") as batch:
        batch.drop_index(op.f("ix_taxonomy_mappings_version_id"))
        batch.drop_constraint(op.f("fk_taxonomy_mappings_version_id_data_versions"), type_="foreignkey")
        batch.drop_constraint("uq_taxonomy_mappings_version_taxonomy_conversion", type_="unique")
        batch.drop_column("version_id")
        batch.alter_column("set_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_taxonomy_mappings_set_id_exposure_sets"), "exposure_sets", ["set_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_unique_constraint(
            "uq_taxonomy_mappings_set_taxonomy_conversion", ["set_id", "taxonomy", "conversion"]
        )
        batch.create_index(op.f("ix_taxonomy_mappings_set_id"), ["set_id"])
    with op.batch_alter_table("districts") as batch:
        batch.drop_index(op.f("ix_districts_version_id"))
        batch.drop_constraint(op.f("fk_districts_version_id_data_versions"), type_="foreignkey")
        batch.drop_constraint("uq_districts_version_code", type_="unique")
        batch.drop_column("version_id")
        batch.create_unique_constraint("uq_districts_city_code", ["city_id", "code"])
    with op.batch_alter_table("station_series") as batch:
        batch.drop_index(op.f("ix_station_series_city_id"))
        batch.drop_constraint(op.f("fk_station_series_version_id_data_versions"), type_="foreignkey")
        batch.drop_constraint(op.f("uq_station_series_version_id"), type_="unique")
        batch.drop_column("version_id")
        batch.create_unique_constraint(op.f("uq_station_series_city_id"), ["city_id"])
    with op.batch_alter_table("facilities") as batch:
        batch.drop_index(op.f("ix_facilities_version_id"))
        batch.drop_constraint(op.f("fk_facilities_version_id_data_versions"), type_="foreignkey")
        batch.drop_constraint("uq_facilities_version_facility", type_="unique")
        batch.drop_column("version_id")
        batch.create_unique_constraint("uq_facilities_city_facility", ["city_id", "facility_id"])
    with op.batch_alter_table("exposure_sets") as batch:
        batch.drop_index(op.f("ix_exposure_sets_city_id"))
        batch.drop_constraint(op.f("fk_exposure_sets_version_id_data_versions"), type_="foreignkey")
        batch.drop_constraint(op.f("uq_exposure_sets_version_id"), type_="unique")
        batch.drop_column("version_id")
        batch.create_unique_constraint(op.f("uq_exposure_sets_city_id"), ["city_id"])
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("published_to")
        batch.drop_column("output_digests")
        batch.drop_column("working_dir")
        batch.drop_column("command")
    op.drop_index(op.f("ix_city_field_changes_city_id"), table_name="city_field_changes")
    op.drop_table("city_field_changes")
    op.drop_index("uq_data_versions_current", table_name="data_versions")
    op.drop_index(op.f("ix_data_versions_city_id"), table_name="data_versions")
    op.drop_table("data_versions")
