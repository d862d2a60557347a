"""Alembic environment: Kalkan passes an open connection in ``config.attributes['connection']``."""

from __future__ import annotations

from alembic import context

from kalkan.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - Kalkan always passes one (see kalkan.store.migrate)
    raise RuntimeError("Run migrations through `kalkan db upgrade`, which supplies the connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
