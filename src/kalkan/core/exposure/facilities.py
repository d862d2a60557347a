"""Critical facilities: a registry of hospitals, schools, substations, bridges... and their attributes.

A :class:`Facility` is one record; a :class:`FacilityTable` is the columnar registry of a city (one NumPy
array per field, like :class:`kalkan.core.exposure.table.Exposure`), validated on construction.
:func:`to_exposure` turns the registry into an Exposure so that the risk engine computes the facilities'
damage and functionality like any other asset.

Fields and units (the column layout of the registry files, see :mod:`kalkan.io.facilities`):

========================== ==========================================================================
``id``                     unique facility id, non-empty text
``name``                   facility name, non-empty text
``type``                   one of :data:`kalkan.core.exposure.table.CRITICAL_TYPES`
``lon``, ``lat``           WGS84 longitude and latitude, decimal degrees (EPSG:4326)
``capacity``               size of the service in ``capacity_unit``, >= 0; unknown: NaN (None)
``capacity_unit``          the unit of ``type`` given by :data:`CAPACITY_UNITS` (beds, pupils, ...)
``construction_class``     GEM building taxonomy string of the main structure, non-empty
``year_built``             year of construction, 1000 to 2200; unknown: NaN (None)
``condition``              rating 1-5 on the :data:`CONDITION_SCALE`; unknown: 0 (None)
``last_inspection``        date of the last structural inspection, ISO 8601 ``YYYY-MM-DD``; unknown: ""
``backup_power``           True when the facility has an emergency generator or other backup power
``backup_water``           True when the facility has its own water store or supply
``responsible_agency``     the agency that runs the facility (optional text)
``replacement_cost_usd``   replacement cost of the structure, US dollars of ``price_year``, >= 0
``price_year``             year of the replacement cost prices; one value for a whole table
``occupants_day``,         people in the facility by day and by night, >= 0
``occupants_night``
``illustrative``           True for records invented for demonstration (Kalkan's illustrative sets)
``source``                 where the record comes from (registry name, survey, ...), optional text
========================== ==========================================================================
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, TypeGuard

import numpy as np
from numpy.typing import NDArray

from kalkan.core.exposure.table import CRITICAL_TYPES, Exposure
from kalkan.errors import InputError

__all__ = [
    "CAPACITY_UNITS",
    "CONDITION_SCALE",
    "FIELDS",
    "Facility",
    "FacilityTable",
    "Problem",
    "check_facility",
    "to_exposure",
]

CAPACITY_UNITS: Mapping[str, str] = {
    "hospital": "beds",
    "clinic": "beds",
    "school": "pupils",
    "kindergarten": "pupils",
    "university": "pupils",
    "fire_station": "staff",
    "police": "staff",
    "emergency_centre": "staff",
    "shelter": "persons",
    "government": "staff",
    "power_plant": "people_served",
    "substation": "people_served",
    "water_plant": "people_served",
    "sewage_plant": "people_served",
    "pumping_station": "people_served",
    "bridge": "vehicles_per_day",
    "telecom": "people_served",
    "fuel_depot": "m3",
    "dam": "people_served",
}
"""The unit of ``capacity`` for each facility type: beds (hospitals, clinics), pupils (schools), people
served (utilities), persons (shelters), staff on duty (responders, government), vehicles per day (bridges),
cubic metres of storage (fuel depots)."""

CONDITION_SCALE: Mapping[int, str] = {
    1: "very poor: major structural defects, unsafe or out of use",
    2: "poor: significant defects, repair needed soon",
    3: "fair: visible wear, routine repair needed",
    4: "good: minor defects only",
    5: "very good: new or as new",
}
"""The condition rating of the last inspection (0 in a table, None on a Facility: not rated)."""

FIELDS = (
    "id",
    "name",
    "type",
    "lon",
    "lat",
    "capacity",
    "capacity_unit",
    "construction_class",
    "year_built",
    "condition",
    "last_inspection",
    "backup_power",
    "backup_water",
    "responsible_agency",
    "replacement_cost_usd",
    "price_year",
    "occupants_day",
    "occupants_night",
    "illustrative",
    "source",
)
"""The fields of a facility, in the column order of the registry files."""

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CRS_HINT = (
    "values outside the range usually mean projected coordinates (for example UTM metres) or swapped "
    "lon/lat: reproject to EPSG:4326"
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad field of one facility: the field, the value found, what was expected and the kind of problem
    (a code of :data:`kalkan.errors.CODES`)."""

    field: str
    value: Any
    expected: str
    code: str = "input.type"
    """The error code of this kind of problem (:data:`kalkan.errors.CODES`)."""


def check_facility(values: Mapping[str, Any]) -> list[Problem]:
    """Every problem of one facility's typed values (as on :class:`Facility`); empty when it is valid.

    Codes: ``input.missing`` (an empty required text), ``input.type`` (not a text, number, whole number, date
    or boolean), ``input.range`` (a number outside its range), ``input.unknown`` (a type Kalkan does not know),
    ``input.inconsistent`` (a capacity unit that is not the type's).
    """
    out: list[Problem] = []

    def bad(name: str, expected: str, code: str = "input.type") -> None:
        out.append(Problem(name, values.get(name), expected, code))

    def number_code(value: Any, whole: bool = False) -> str:
        """``input.range`` for a number of the right form outside its range, else ``input.type``."""
        return "input.range" if (_whole(value) if whole else _real(value)) else "input.type"

    for name in ("id", "name", "construction_class"):
        value = values.get(name)
        if not isinstance(value, str) or not value.strip():
            empty = value is None or (isinstance(value, str) and not value.strip())
            expected = "a non-empty text" if name != "construction_class" else "a GEM taxonomy string"
            bad(name, expected, "input.missing" if empty else "input.type")
    for name in ("responsible_agency", "source", "capacity_unit"):
        if not isinstance(values.get(name, ""), str):
            bad(name, "a text")
    kind = values.get("type")
    if kind not in CRITICAL_TYPES:
        bad("type", f"one of {', '.join(CRITICAL_TYPES)}", "input.missing" if kind in (None, "") else "input.unknown")
    else:
        unit = values.get("capacity_unit", "")
        if unit not in ("", CAPACITY_UNITS[kind]):
            bad("capacity_unit", f"'{CAPACITY_UNITS[kind]}' for a {kind} (or empty)", "input.inconsistent")
    for name, limit in (("lon", 180.0), ("lat", 90.0)):
        value = values.get(name)
        if not _real(value) or not abs(value) <= limit:
            axis = "longitude" if name == "lon" else "latitude"
            bad(name, f"a WGS84 {axis} in degrees within [-{limit:g}, {limit:g}]; {CRS_HINT}", number_code(value))
    for name in ("replacement_cost_usd", "occupants_day", "occupants_night"):
        value = values.get(name)
        if not _real(value) or not math.isfinite(value) or value < 0:
            bad(name, "a finite number >= 0", number_code(value))
    capacity = values.get("capacity")
    if capacity is not None and (not _real(capacity) or not math.isfinite(capacity) or capacity < 0):
        bad("capacity", "a finite number >= 0 (or empty when unknown)", number_code(capacity))
    year = values.get("year_built")
    if year is not None and (not _whole(year) or not 1000 <= year <= 2200):
        bad("year_built", "a year such as 1978 (or empty when unknown)", number_code(year, whole=True))
    year = values.get("price_year")
    if not _whole(year) or not 1800 <= year <= 2200:
        bad("price_year", "the year of the replacement cost prices, e.g. 2021", number_code(year, whole=True))
    condition = values.get("condition")
    if condition is not None and (not _whole(condition) or condition not in CONDITION_SCALE):
        bad(
            "condition",
            "a rating 1 (very poor) to 5 (very good), or empty when not rated",
            number_code(condition, whole=True),
        )
    inspected = values.get("last_inspection")
    if inspected is not None and not isinstance(inspected, date):
        bad("last_inspection", "an ISO 8601 date YYYY-MM-DD (or empty)")
    for name in ("backup_power", "backup_water", "illustrative"):
        if not isinstance(values.get(name, False), bool | np.bool_):
            bad(name, "true or false")
    return out


def _real(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_)


def _whole(value: Any) -> TypeGuard[float]:
    return _real(value) and math.isfinite(value) and float(value).is_integer()


def _refuse(problems: list[Problem], ident: Any, where: str) -> InputError:
    p = problems[0]
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return InputError(
        f"{where}facility {ident!r}, field '{p.field}' is {p.value!r}; expected {p.expected}{more}.",
        code=p.code,
        field=p.field,
    )


@dataclass(frozen=True, slots=True)
class Facility:
    """One critical facility (see the module docstring for fields and units); validated on construction.

    An empty ``capacity_unit`` is set to the unit of the type (:data:`CAPACITY_UNITS`).
    """

    id: str
    name: str
    type: str
    lon: float
    lat: float
    construction_class: str
    replacement_cost_usd: float
    price_year: int
    occupants_day: float
    occupants_night: float
    backup_power: bool
    backup_water: bool
    capacity: float | None = None
    capacity_unit: str = ""
    year_built: int | None = None
    condition: int | None = None
    last_inspection: date | None = None
    responsible_agency: str = ""
    illustrative: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        problems = check_facility(values)
        if problems:
            raise _refuse(problems, self.id, "")
        if not self.capacity_unit:
            object.__setattr__(self, "capacity_unit", CAPACITY_UNITS[self.type])


Strings = NDArray[np.object_]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


def _text_array(values: Any) -> Strings:
    return np.array(["" if v is None else str(v) for v in np.asarray(values, dtype=object).tolist()], dtype=object)


@dataclass(frozen=True, slots=True, eq=False)
class FacilityTable:
    """A registry of facilities, one array entry per facility (fields and units: module docstring).

    Unknown values: ``capacity`` and ``year_built`` NaN, ``condition`` 0, ``last_inspection`` "".
    ``origin`` names the file (or ``<memory>``) in messages.
    """

    id: Strings
    name: Strings
    type: Strings
    lon: Floats
    lat: Floats
    capacity: Floats
    capacity_unit: Strings
    construction_class: Strings
    year_built: Floats
    condition: NDArray[np.int8]
    last_inspection: Strings
    backup_power: Bools
    backup_water: Bools
    responsible_agency: Strings
    replacement_cost_usd: Floats
    occupants_day: Floats
    occupants_night: Floats
    illustrative: Bools
    source: Strings
    price_year: int
    origin: str = field(default="<memory>", compare=False)

    def __post_init__(self) -> None:
        for name in ("id", "name", "type", "capacity_unit", "construction_class", "last_inspection"):
            object.__setattr__(self, name, _text_array(getattr(self, name)))
        for name in ("responsible_agency", "source"):
            object.__setattr__(self, name, _text_array(getattr(self, name)))
        for name in (
            "lon",
            "lat",
            "capacity",
            "year_built",
            "replacement_cost_usd",
            "occupants_day",
            "occupants_night",
        ):
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.float64))
        for name in ("backup_power", "backup_water", "illustrative"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=bool))
        object.__setattr__(self, "condition", np.asarray(self.condition, dtype=np.int8))
        n = len(self.id)
        where = f"{self.origin}: "
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and value.shape != (n,):
                raise InputError(
                    f"{where}column '{f.name}' has {value.shape} values for {n} facilities.",
                    code="input.inconsistent",
                    field=f.name,
                )
        seen: dict[str, int] = {}
        for k in range(n):
            ident = str(self.id[k])
            if ident in seen:
                raise InputError(
                    f"{where}facility id {ident!r} appears at positions {seen[ident] + 1} and {k + 1}; ids must be "
                    "unique.",
                    code="input.duplicate",
                    field="id",
                    row=k + 1,
                )
            seen[ident] = k
            values = self._values(k)
            values["capacity_unit"] = str(self.capacity_unit[k])
            problems = check_facility(values)
            if problems:
                raise _refuse(problems, ident, where)
            if not self.capacity_unit[k]:
                self.capacity_unit[k] = CAPACITY_UNITS[str(self.type[k])]
            if self.last_inspection[k] and not ISO_DATE.fullmatch(str(self.last_inspection[k])):
                raise _refuse(
                    [Problem("last_inspection", self.last_inspection[k], "YYYY-MM-DD", "input.type")], ident, where
                )

    def __len__(self) -> int:
        return int(self.id.shape[0])

    def __iter__(self) -> Iterator[Facility]:
        return (self[k] for k in range(len(self)))

    def __getitem__(self, k: int) -> Facility:
        return Facility(**self._values(k))

    def _values(self, k: int) -> dict[str, Any]:
        capacity, year = float(self.capacity[k]), float(self.year_built[k])
        inspected: date | str | None = None
        if self.last_inspection[k]:
            try:
                inspected = date.fromisoformat(str(self.last_inspection[k]))
            except ValueError:
                inspected = str(self.last_inspection[k])
        return {
            "id": str(self.id[k]),
            "name": str(self.name[k]),
            "type": str(self.type[k]),
            "lon": float(self.lon[k]),
            "lat": float(self.lat[k]),
            "construction_class": str(self.construction_class[k]),
            "replacement_cost_usd": float(self.replacement_cost_usd[k]),
            "price_year": self.price_year,
            "occupants_day": float(self.occupants_day[k]),
            "occupants_night": float(self.occupants_night[k]),
            "backup_power": bool(self.backup_power[k]),
            "backup_water": bool(self.backup_water[k]),
            "capacity": None if math.isnan(capacity) else capacity,
            "capacity_unit": str(self.capacity_unit[k]),
            "year_built": None if math.isnan(year) else (int(year) if year.is_integer() else year),
            "condition": int(self.condition[k]) or None,
            "last_inspection": inspected,
            "responsible_agency": str(self.responsible_agency[k]),
            "illustrative": bool(self.illustrative[k]),
            "source": str(self.source[k]),
        }

    @classmethod
    def from_facilities(cls, facilities: Iterable[Facility], *, origin: str = "<memory>") -> FacilityTable:
        """The table of ``facilities`` (in order); they must share one price year."""
        rows = list(facilities)
        years = sorted({f.price_year for f in rows})
        if len(years) > 1:
            raise InputError(
                f"{origin}: facilities have prices of several years {years}; expected one price year.",
                code="input.inconsistent",
                field="price_year",
            )

        def column(name: str) -> list[Any]:
            return [getattr(f, name) for f in rows]

        return cls(
            id=np.array(column("id"), dtype=object),
            name=np.array(column("name"), dtype=object),
            type=np.array(column("type"), dtype=object),
            lon=np.array(column("lon"), dtype=np.float64),
            lat=np.array(column("lat"), dtype=np.float64),
            capacity=np.array([math.nan if v is None else v for v in column("capacity")], dtype=np.float64),
            capacity_unit=np.array(column("capacity_unit"), dtype=object),
            construction_class=np.array(column("construction_class"), dtype=object),
            year_built=np.array([math.nan if v is None else v for v in column("year_built")], dtype=np.float64),
            condition=np.array([v or 0 for v in column("condition")], dtype=np.int8),
            last_inspection=np.array(
                ["" if v is None else v.isoformat() for v in column("last_inspection")], dtype=object
            ),
            backup_power=np.array(column("backup_power"), dtype=bool),
            backup_water=np.array(column("backup_water"), dtype=bool),
            responsible_agency=np.array(column("responsible_agency"), dtype=object),
            replacement_cost_usd=np.array(column("replacement_cost_usd"), dtype=np.float64),
            occupants_day=np.array(column("occupants_day"), dtype=np.float64),
            occupants_night=np.array(column("occupants_night"), dtype=np.float64),
            illustrative=np.array(column("illustrative"), dtype=bool),
            source=np.array(column("source"), dtype=object),
            price_year=years[0] if years else 2021,
            origin=origin,
        )


def to_exposure(table: FacilityTable) -> Exposure:
    """The facilities as an Exposure: one asset each, so the engine computes damage and functionality.

    ``critical_type`` = type, ``taxonomy`` = construction class, ``costs`` = {"structural": replacement
    cost} in USD of the table's price year, occupants by day and night; name, capacity, condition,
    backups and the illustrative flag travel in ``extra``.
    """
    return Exposure(
        id=table.id.copy(),
        lon=table.lon.copy(),
        lat=table.lat.copy(),
        taxonomy=table.construction_class.copy(),
        costs={"structural": table.replacement_cost_usd.copy()},
        occupants={"day": table.occupants_day.copy(), "night": table.occupants_night.copy()},
        critical_type=table.type.copy(),
        extra={
            "name": table.name.copy(),
            "capacity": table.capacity.copy(),
            "capacity_unit": table.capacity_unit.copy(),
            "condition": table.condition.astype(np.float64),
            "backup_power": table.backup_power.copy(),
            "backup_water": table.backup_water.copy(),
            "illustrative": table.illustrative.copy(),
        },
        currency="USD",
        price_year=table.price_year,
        source=table.origin,
    )
