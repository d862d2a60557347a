"""Hazard: event sets as sparse events x sites intensity matrices, per peril and intensity measure."""

from kalkan.core.hazard.hazardset import HazardSet

__all__ = ["HazardSet"]
