"""The catalogue of shipped data and per-city facts: where each dataset is, its origin and licence."""
