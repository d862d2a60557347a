"""Exposure: what is at risk, one row per asset (buildings, critical facilities), with values and occupants."""

from kalkan.core.exposure.table import COST_TYPES, OCCUPANT_PERIODS, Exposure

__all__ = ["COST_TYPES", "OCCUPANT_PERIODS", "Exposure"]
