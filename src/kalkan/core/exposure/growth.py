"""Exposure growth per SSP and horizon: urban population and building value factors from country projections.

Method (docs/future-exposure.md):

* urban population U(t) = population(t) x urban share(t) / 100, at the 5-year steps of the SSP v3 drivers
  (IIASA-WiC population, NCAR-pattern urban share), **linear in t between the steps**;
* GDP per capita G(t), PPP US$2017, OECD ENV-Growth 2023 (SSP release 3.1 marker), linear between steps;
* factors relative to the base year b (default 2021, the price year of GEM's exposure model, i.e. the year the
  stored city exposures describe): p(t) = U(t) / U(b), g(t) = G(t) / G(b);
* building value factor v(t) = p(t) x g(t)^e: more urban people need proportionally more buildings, and the
  value per building grows with income with elasticity e (default 1: asset value proportional to GDP, the
  convention of GDP-scaled exposure such as CLIMADA's SSP scaling and capital-stock-from-GDP maps);
* a horizon Y stands for the 20-year window Y-9..Y+10 (2050 -> 2041-2060, as the climate scenarios): the
  factors are the **means of the annual factors over the window**, so that the mean annual loss over the
  window (linear in values) is the loss of the mean exposure; ``year=`` gives a single year instead.

SSP names of the climate scenarios map to socio-economic pathways by their first digit: ssp126 -> SSP1,
ssp245 -> SSP2, ssp370 -> SSP3, ssp585 -> SSP5 (SSP4 is available as ``SSP4``). Factors are real growth:
prices stay in the exposure's currency and price year. Projections are national; a city grows with its
country's urban population (no city-level projection is available).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kalkan.core.climate.scenarios import horizon_window
from kalkan.core.exposure.table import Exposure
from kalkan.errors import InputError

SSPS = ("SSP1", "SSP2", "SSP3", "SSP4", "SSP5")
SCENARIO_SSP: dict[str, str] = {"ssp126": "SSP1", "ssp245": "SSP2", "ssp370": "SSP3", "ssp585": "SSP5"}
"""Climate scenario (CMIP6 Tier 1) -> the socio-economic pathway it is built on."""
FIRST_YEAR, LAST_YEAR = 2020, 2100
"""Years covered by every projection used (SSP rows start in 2020; 2110 is an extension and not used)."""
DEFAULT_BASE_YEAR = 2021
"""The year the exposure describes: GEM's Global Exposure Model (the stored city exposures) is in 2021 USD."""
DEFAULT_ELASTICITY = 1.0
"""Elasticity of building value per urban dweller to GDP per capita (1: value proportional to GDP)."""
POPULATION_UNIT = "million"
GDP_PER_CAPITA_UNIT = "USD_2017/yr"
POPULATION = "Population"
URBAN_SHARE = "Population|Urban|Share"
GDP_PER_CAPITA = "GDP|PPP [per capita]"
"""The variables of the SSP files that the projections use (population in million, urban share in percent,
GDP per capita in PPP US$2017 per person per year)."""


@dataclass(frozen=True, slots=True)
class SspSeries:
    """One quantity of one country under one scenario: ascending years and their values (in ``unit``)."""

    scenario: str
    iso3: str
    variable: str
    unit: str
    years: NDArray[np.int64]
    values: NDArray[np.float64]
    source: str


SeriesKey = tuple[str, str, str, str]
"""(scenario, ISO3, variable, unit)."""


@dataclass(frozen=True, slots=True)
class SspTables:
    """The SSP projections the growth factors are computed from: ``drivers`` (population and urban share, SSP v3)
    and ``gdp`` (GDP per capita, OECD ENV-Growth 2023), each keyed by :data:`SeriesKey`.

    :func:`kalkan.io.ssp.shipped_ssp_tables` reads the shipped ones."""

    drivers: dict[SeriesKey, SspSeries]
    gdp: dict[SeriesKey, SspSeries]

    @property
    def countries(self) -> tuple[str, ...]:
        """ISO3 codes of the countries with population projections, sorted."""
        return tuple(sorted({key[1] for key in self.drivers}))


def parse_ssp(value: str | int) -> str:
    """``SSP1``..``SSP5`` from ``SSP2``, ``ssp2``, ``2`` or a climate scenario name (``ssp245`` -> ``SSP2``)."""
    text = str(value).strip().lower()
    if text in SCENARIO_SSP:
        return SCENARIO_SSP[text]
    digits = text.removeprefix("ssp")
    if digits in ("1", "2", "3", "4", "5"):
        return f"SSP{digits}"
    raise InputError(
        f"Unknown SSP {value!r}; expected SSP1-SSP5 or a climate scenario ({', '.join(SCENARIO_SSP)}).",
        code="input.unknown",
        field="--ssp",
    )


@dataclass(frozen=True, slots=True)
class CountryProjection:
    """One country's urban population (million people) and GDP per capita (PPP US$2017 per person per year)
    under one SSP, at the 5-year steps of the data, FIRST_YEAR..LAST_YEAR."""

    iso3: str
    ssp: str
    years: NDArray[np.int64]
    population_million: NDArray[np.float64]
    urban_share_pct: NDArray[np.float64]
    gdp_per_capita_usd2017: NDArray[np.float64]
    sources: tuple[str, ...]

    @property
    def urban_population_million(self) -> NDArray[np.float64]:
        """Population x urban share / 100 at each step, million people."""
        urban: NDArray[np.float64] = self.population_million * self.urban_share_pct / 100.0
        return urban

    def urban_population_at(self, years: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """Urban population (million), linear in time between the 5-year steps."""
        return np.interp(np.asarray(years, dtype=np.float64), self.years, self.urban_population_million)

    def gdp_per_capita_at(self, years: NDArray[np.float64] | float) -> NDArray[np.float64]:
        """GDP per capita (PPP US$2017 per person per year), linear in time between the 5-year steps."""
        return np.interp(np.asarray(years, dtype=np.float64), self.years, self.gdp_per_capita_usd2017)


def _steps(series: SspSeries) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    keep = (series.years >= FIRST_YEAR) & (series.years <= LAST_YEAR)
    return series.years[keep], series.values[keep]


def country_projection(tables: SspTables, iso3: str, ssp: str) -> CountryProjection:
    """The projections of ``iso3`` (the shipped tables have KAZ, KGZ, TJK, TKM, UZB) under ``ssp`` (SSP1..SSP5)."""
    ssp = parse_ssp(ssp)
    iso3 = iso3.strip().upper()
    if iso3 not in tables.countries:
        raise InputError(
            f"No SSP projections for country {iso3!r}; shipped: {', '.join(tables.countries)}.",
            code="input.unknown",
            field="--country",
        )
    drivers, oecd = tables.drivers, tables.gdp
    wanted = (
        (drivers, (ssp, iso3, POPULATION, POPULATION_UNIT)),
        (drivers, (ssp, iso3, URBAN_SHARE, "-")),
        (oecd, (ssp, iso3, GDP_PER_CAPITA, GDP_PER_CAPITA_UNIT)),
    )
    arrays = []
    for table, key in wanted:
        if key not in table:
            raise InputError(f"The shipped SSP data have no series {'/'.join(key)}.", code="input.missing")
        arrays.append(_steps(table[key]))
    years = arrays[0][0]
    expected = np.arange(FIRST_YEAR, LAST_YEAR + 1, 5)
    for (ys, _), (_, key) in zip(arrays, wanted, strict=True):
        if not np.array_equal(ys, expected):
            raise InputError(
                f"SSP series {'/'.join(key)}: years {ys.tolist()}; expected every 5 years 2020-2100.",
                code="input.inconsistent",
            )
    sources = tuple(sorted({drivers[wanted[0][1]].source, oecd[wanted[2][1]].source}))
    return CountryProjection(iso3, ssp, years, arrays[0][1], arrays[1][1], arrays[2][1], sources)


def _positive(value: float | None, name: str, option: str) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise InputError(f"{name} must be a positive number; got {value}.", code="input.range", field=option)


def _rate(value: float | None, name: str, option: str) -> None:
    if value is not None and not (math.isfinite(value) and value > -100):
        raise InputError(
            f"{name} must be a percentage per year above -100; got {value}.", code="input.range", field=option
        )


@dataclass(frozen=True, slots=True)
class Overrides:
    """User-set growth replacing the SSP projection of a quantity: a factor relative to the base year, or a
    compound growth rate in percent per year (factor (1 + r/100)^(t - base year)). At most one per quantity.

    A value override replaces the whole building value factor; without one, the value factor is recomputed
    from the (possibly overridden) urban population and GDP-per-capita factors.
    """

    population_factor: float | None = None
    population_growth_pct: float | None = None
    gdp_per_capita_factor: float | None = None
    gdp_per_capita_growth_pct: float | None = None
    value_factor: float | None = None
    value_growth_pct: float | None = None

    def __post_init__(self) -> None:
        for quantity in ("population", "gdp_per_capita", "value"):
            factor = getattr(self, f"{quantity}_factor")
            rate = getattr(self, f"{quantity}_growth_pct")
            option = "--" + quantity.replace("_", "-")
            if factor is not None and rate is not None:
                raise InputError(
                    f"Give either a {quantity} factor or a {quantity} growth rate, not both.",
                    code="input.options",
                    field=f"{option}-growth",
                )
            _positive(factor, f"The {quantity} factor", f"{option}-factor")
            _rate(rate, f"The {quantity} growth rate", f"{option}-growth")

    def as_dict(self) -> dict[str, float]:
        """The overrides that are set."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


@dataclass(frozen=True, slots=True)
class GrowthFactors:
    """Multipliers from the base year to a target year or window, with what they were computed from.

    ``urban_population_factor`` scales occupants and the number of buildings; ``value_factor`` scales
    replacement costs (real terms, the exposure's price year); all are dimensionless.
    """

    country_iso3: str
    ssp: str
    scenario: str
    base_year: int
    first_year: int
    last_year: int
    urban_population_factor: float
    gdp_per_capita_factor: float
    value_factor: float
    elasticity: float
    overrides: Overrides = field(default_factory=Overrides)
    base_urban_population_million: float = math.nan
    base_gdp_per_capita_usd2017: float = math.nan
    sources: tuple[str, ...] = ()

    @property
    def period(self) -> str:
        """``2050`` for a single year, ``2041-2060 (window mean)`` for a horizon."""
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}-{self.last_year} (window mean)"

    @property
    def building_number_factor(self) -> float:
        """Buildings grow with the urban population (the value per building grows with GDP per capita)."""
        return self.urban_population_factor

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record: factors, inputs, method and sources."""
        return {
            "country_iso3": self.country_iso3,
            "ssp": self.ssp,
            "scenario": self.scenario,
            "base_year": self.base_year,
            "period": self.period,
            "years": [self.first_year, self.last_year],
            "urban_population_factor": self.urban_population_factor,
            "gdp_per_capita_factor": self.gdp_per_capita_factor,
            "value_factor": self.value_factor,
            "building_number_factor": self.building_number_factor,
            "occupants_factor": self.urban_population_factor,
            "elasticity": self.elasticity,
            "overrides": self.overrides.as_dict(),
            "base_urban_population_million": self.base_urban_population_million,
            "base_gdp_per_capita_usd2017_ppp": self.base_gdp_per_capita_usd2017,
            "method": (
                "urban population = population x urban share (SSP v3 drivers), GDP per capita PPP US$2017 "
                "(OECD ENV-Growth 2023, SSP 3.1), both linear between 5-year steps, relative to the base year; "
                "value factor = urban population factor x GDP-per-capita factor ^ elasticity; a window's "
                "factors are the means of its annual factors"
            ),
            "prices": "real terms: costs stay in the exposure's currency and price year",
            "sources": list(self.sources),
        }


def _window(horizon: int | None, year: int | None) -> tuple[int, int]:
    if (horizon is None) == (year is None):
        raise InputError(
            "Give a horizon (20-year window, e.g. 2050 = 2041-2060) or a single year, not both.",
            code="input.options",
            field="--horizon" if horizon is None else "--year",
        )
    if year is not None:
        first = last = int(year)
    else:
        assert horizon is not None
        window = horizon_window(int(horizon))
        first, last = window.first_year, window.last_year
    if first < FIRST_YEAR or last > LAST_YEAR:
        what = f"Year {first}" if year is not None else f"Horizon {horizon} (window {first}-{last})"
        raise InputError(
            f"{what} is outside the SSP projections, {FIRST_YEAR}-{LAST_YEAR}.",
            hint="Horizons 2030-2090 have windows inside the projections.",
            code="input.range",
            field="--year" if year is not None else "--horizon",
        )
    return first, last


def _annual(
    projected: NDArray[np.float64], factor: float | None, rate_pct: float | None, years: NDArray[np.float64], base: int
) -> NDArray[np.float64]:
    """Annual factors: an override factor (constant), an override rate (compound), else the projection."""
    if factor is not None:
        return np.full(years.shape, float(factor))
    if rate_pct is not None:
        grown: NDArray[np.float64] = (1.0 + rate_pct / 100.0) ** (years - base)
        return grown
    return projected


def growth_factors(
    country_iso3: str,
    ssp: str,
    *,
    tables: SspTables,
    horizon: int | None = None,
    year: int | None = None,
    base_year: int = DEFAULT_BASE_YEAR,
    elasticity: float = DEFAULT_ELASTICITY,
    overrides: Overrides | None = None,
) -> GrowthFactors:
    """Growth factors of ``country_iso3`` under ``ssp`` (``SSP2`` or ``ssp245``) from ``base_year`` to a horizon
    (mean over its 20-year window) or to one ``year`` (see the module docstring), from the SSP ``tables``
    (:func:`kalkan.io.ssp.shipped_ssp_tables`)."""
    scenario = str(ssp)
    code = parse_ssp(ssp)
    overrides = overrides or Overrides()
    if not math.isfinite(elasticity) or elasticity < 0:
        raise InputError(
            f"The elasticity must be a finite number >= 0; got {elasticity}.", code="input.range", field="--elasticity"
        )
    if not FIRST_YEAR <= int(base_year) <= LAST_YEAR:
        raise InputError(
            f"Base year {base_year} is outside the SSP projections, {FIRST_YEAR}-{LAST_YEAR}.",
            code="input.range",
            field="--base-year",
        )
    first, last = _window(horizon, year)
    proj = country_projection(tables, country_iso3, code)
    years = np.arange(first, last + 1, dtype=np.float64)
    u0 = float(proj.urban_population_at(float(base_year)))
    g0 = float(proj.gdp_per_capita_at(float(base_year)))
    o = overrides
    pop = _annual(proj.urban_population_at(years) / u0, o.population_factor, o.population_growth_pct, years, base_year)
    gdp = _annual(
        proj.gdp_per_capita_at(years) / g0, o.gdp_per_capita_factor, o.gdp_per_capita_growth_pct, years, base_year
    )
    value = _annual(pop * gdp**elasticity, o.value_factor, o.value_growth_pct, years, base_year)
    return GrowthFactors(
        country_iso3=proj.iso3,
        ssp=code,
        scenario=scenario,
        base_year=int(base_year),
        first_year=first,
        last_year=last,
        urban_population_factor=float(pop.mean()),
        gdp_per_capita_factor=float(gdp.mean()),
        value_factor=float(value.mean()),
        elasticity=float(elasticity),
        overrides=overrides,
        base_urban_population_million=u0,
        base_gdp_per_capita_usd2017=g0,
        sources=proj.sources,
    )


def project_exposure(exposure: Exposure, factors: GrowthFactors) -> Exposure:
    """A new Exposure grown by ``factors``: every cost x value factor; occupants and number of buildings x
    urban population factor. Currency and price year are kept (real terms); the source names the projection."""
    pf, vf = factors.urban_population_factor, factors.value_factor
    number = None if exposure.number is None else exposure.number * pf
    return Exposure(
        id=exposure.id,
        lon=exposure.lon,
        lat=exposure.lat,
        taxonomy=exposure.taxonomy,
        costs={k: v * vf for k, v in exposure.costs.items()},
        number=number,
        occupants={k: v * pf for k, v in exposure.occupants.items()},
        district=exposure.district,
        occupancy=exposure.occupancy,
        critical_type=exposure.critical_type,
        site_id=exposure.site_id,
        extra=dict(exposure.extra),
        currency=exposure.currency,
        price_year=exposure.price_year,
        source=(
            f"{exposure.source}, projected to {factors.ssp} {factors.period} from {factors.base_year} "
            f"(values x{vf:.4f}, occupants and buildings x{pf:.4f})"
        ),
    )


def exposure_totals(exposure: Exposure) -> dict[str, float]:
    """Total replacement cost per cost type (currency of the price year), occupants per period (people) and
    number of buildings."""
    totals = {f"cost_{k}": float(v.sum()) for k, v in exposure.costs.items()}
    totals.update({f"occupants_{k}": float(v.sum()) for k, v in exposure.occupants.items()})
    totals["number"] = float(np.sum(exposure.number)) if exposure.number is not None else float(len(exposure))
    return totals


def projection_record(before: Exposure, after: Exposure, factors: GrowthFactors) -> dict[str, Any]:
    """JSON-ready provenance of a projection: factors, method, sources and totals before and after."""
    money = f"{before.currency} of {before.price_year}" if before.price_year else before.currency
    return {
        "factors": factors.as_dict(),
        "assets": len(before),
        "totals_before": exposure_totals(before),
        "totals_after": exposure_totals(after),
        "units": {"cost": money, "occupants": "people", "number": "buildings", "factors": "dimensionless"},
        "exposure_source": before.source,
    }
