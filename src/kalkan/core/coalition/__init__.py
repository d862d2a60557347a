"""The coalition: member cities, accession, and (later) working groups and cross-city comparison."""
