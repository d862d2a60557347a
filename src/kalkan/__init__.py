"""Kalkan: multi-hazard disaster and climate risk for the Coalition of Sustainable Cities of Central Asia.

Importing the package does nothing but define names: no files are written, no database is opened.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
