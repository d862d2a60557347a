"""Earthquake hazard: ground-motion models, ruptures and distances, ground-motion fields, scenarios."""
