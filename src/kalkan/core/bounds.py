"""Plausibility bounds on the numbers users give Kalkan, defined once, each with why it is where it is.

A bound is not a physical law but the edge beyond which a value is certainly a mistake: a unit error, a
misplaced decimal point, an overflow (``1e308``), a sentinel, swapped columns. Every importer checks its
numbers against these bounds (and finiteness) and refuses what falls outside with a message that names the
file, row and field, the value and the bound. The bounds are wide on purpose: no real input should ever meet
them, so they never need an option to widen them (except run sizes, which are about the machine, not the
world: see :data:`MAX_GMF_VALUES`).

Money bounds are in the file's own currency units (Kalkan does not convert currencies), so they leave room
for currencies of up to about 100,000 units per US dollar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kalkan.errors import InputError

__all__ = [
    "ANNUAL_RATE_PER_SOURCE",
    "ASSET_BUILDINGS",
    "ASSET_OCCUPANTS",
    "ASSET_VALUE",
    "A_VALUE",
    "B_VALUE",
    "DEPTH_KM",
    "EVENT_FREQUENCY_MAX",
    "FACILITY_OCCUPANTS",
    "FACILITY_VALUE_USD",
    "INTENSITY_MAX_BY_UNIT",
    "MAGNITUDE",
    "MAX_GMF_VALUES",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "VS30",
    "Bound",
]


@dataclass(frozen=True, slots=True)
class Bound:
    """A closed interval ``[lo, hi]`` of plausible values, its unit and the reason for it."""

    lo: float
    hi: float
    unit: str
    why: str

    def contains(self, value: float) -> bool:
        return math.isfinite(value) and self.lo <= value <= self.hi

    @property
    def expected(self) -> str:
        """The bound as written in messages, e.g. ``a finite number in [0, 1e+15] USD``."""
        unit = f" {self.unit}" if self.unit else ""
        return f"a finite number in [{self.lo:g}, {self.hi:g}]{unit}"

    def check(self, value: Any, where: str, field: str, *, row: int | None = None) -> float:
        """``value`` as a float when it is a number within the bound; else an InputError naming ``where``
        (file and row or element), ``field`` and ``row`` (code ``input.type`` for what is not a number,
        ``input.range`` for a number outside the bound, NaN and infinities included)."""
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            number = None
        if isinstance(value, bool) or number is None or not self.contains(number):
            raise InputError(
                f"{where}, field '{field}': got {value!r}; expected {self.expected} ({self.why}).",
                code="input.type" if number is None or isinstance(value, bool) else "input.range",
                field=field,
                row=row,
            )
        return number


ASSET_VALUE = Bound(
    0.0,
    1e15,
    "currency units",
    "the replacement cost of one asset; GEM's largest Central Asian asset, all buildings of one class in a "
    "province, is 1.3e10 USD, and 1e15 leaves room for currencies of up to 1e5 units per dollar",
)
ASSET_OCCUPANTS = Bound(
    0.0,
    1e8,
    "people",
    "people in one asset; GEM's largest province-wide asset holds 1.5 million, no city holds 1e8",
)
ASSET_BUILDINGS = Bound(
    0.0,
    1e7,
    "buildings",
    "buildings in one asset; GEM's largest province-wide asset has 176,268",
)
FACILITY_VALUE_USD = Bound(
    0.0,
    1e11,
    "USD",
    "the replacement cost of one facility; the largest single structures (dams, airports) cost about 1e10 USD",
)
FACILITY_OCCUPANTS = Bound(0.0, 1e6, "people", "people in one facility; the largest stadiums hold about 1.5e5")
MAGNITUDE = Bound(
    0.0,
    10.0,
    "Mw",
    "moment magnitude; the largest earthquake recorded (Chile 1960) was Mw 9.5 and faults cannot hold Mw 10",
)
A_VALUE = Bound(
    -10.0,
    15.0,
    "",
    "Gutenberg-Richter a-value, log10 of the annual rate of M >= 0; the whole Earth's is about 8-9 at b = 1 "
    "and below 12 for any b up to 1.5",
)
B_VALUE = Bound(0.1, 3.0, "", "Gutenberg-Richter b-value; observed values are 0.5-1.5")
ANNUAL_RATE_PER_SOURCE = Bound(
    0.0,
    1e7,
    "events per year",
    "the total annual rate of one source's MFD; the whole Earth has about 1.3e5 earthquakes of M >= 3 a year",
)
DEPTH_KM = Bound(
    0.0,
    700.0,
    "km",
    "depth below the surface; the deepest earthquakes recorded are at about 700 km",
)
VS30 = Bound(
    50.0,
    5000.0,
    "m/s",
    "time-averaged shear-wave velocity of the top 30 m; soft clays are about 100 m/s and hard rock 3000 m/s",
)
MAX_GMF_VALUES = 200_000_000
"""Default largest ground-motion field of a run: events x sites x intensity measures. Each value costs about
40 bytes across the simulation and the loss kernel, so 2e8 values stay under 8 GiB; a job beyond it is refused
before any allocation with a message giving its size and the option that raises the limit."""
MAX_JSON_BYTES = 50 << 20
"""Largest JSON file Kalkan reads (50 MiB): accession requests, manifests, GeoJSON registries and outlines are
kilobytes to a few megabytes; a larger file is refused before it is read into memory."""
MAX_JSON_DEPTH = 64
"""Deepest nesting of JSON arrays and objects Kalkan accepts; its formats nest at most 6 levels (a GeoJSON
MultiPolygon's coordinates)."""
INTENSITY_MAX_BY_UNIT: dict[str, float] = {
    "g": 20.0,
    "cm/s": 2_000.0,
    "cm": 10_000.0,
    "MMI": 12.0,
    "m": 500.0,
    "m/s": 200.0,
    "m3/s2": 1e5,
    "days": 366.0,
    "degC": 100.0,
    "1": 20.0,
}
"""Largest plausible hazard intensity by unit: the strongest accelerations recorded are about 4 g (spectral
accelerations up to about 10 g), PGV about 400 cm/s, flood and mudflow depths tens of metres, intensities at
most XII, days at most a year. A value beyond is an overflow, a unit error (mm read as m) or a sentinel."""
EVENT_FREQUENCY_MAX = 1e6
"""Largest plausible annual frequency of one hazard event (events per year); a scenario's events have 1/N."""
