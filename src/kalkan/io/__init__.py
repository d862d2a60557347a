"""Readers and writers for standard formats; bad files become errors naming file, row/element and field."""
