"""The science core: pure functions on arrays and tables (no file, database or face)."""
