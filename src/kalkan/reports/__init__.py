"""Figures and reports built from computed results (plots live here, not in the science core)."""
