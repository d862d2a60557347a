"""Persistence: SQLAlchemy models, Alembic migrations and connection handling.

The embedded default is SQLite (WAL, foreign keys on); ``KALKAN_DATABASE_URL`` selects PostgreSQL.
"""
