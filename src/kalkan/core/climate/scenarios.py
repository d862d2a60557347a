"""Regional warming under an SSP at a horizon, from the IPCC AR6 WGI Atlas regional CMIP6 tas series.

Method (that of the shipped data's README, which this module reproduces to 0.01 °C):

* annual mean tas of a run = mean of its 12 months, for **complete years only** (a year with a missing
  month has no annual mean);
* the climate of a window = mean of the annual means of the complete years in it; a scenario run is its
  historical run up to 2014 followed by its SSP run from 2015;
* the change of one model = its window mean minus its 1995–2014 mean (one run per model, as chosen by the
  Atlas); per calendar month likewise, with the same complete years, so the 12 monthly changes of one
  model average exactly to its annual change;
* the ensemble statistic is taken across models: a percentile by linear interpolation between order
  statistics (``numpy.percentile(method="linear")``, Hyndman & Fan 1996 type 7), the median being p50;
* the global warming level (GWL) is the same statistic of the same models' change of the ``world``
  (global land+sea) mean, relative to 1995–2014; relative to 1850–1900 it adds the observed
  0.85 °C (see :data:`OBSERVED_WARMING_1850_1900_TO_1995_2014_C`).

Data: Iturbide et al. (2020), ESSD 12, 2959–2988, doi:10.5194/essd-12-2959-2020 (CC BY 4.0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt

from kalkan.core.climate.baseline import BASELINE_YEARS
from kalkan.core.climate.regional_cube import MonthlyCube
from kalkan.errors import InputError

SSPS: dict[str, str] = {"ssp126": "SSP1-2.6", "ssp245": "SSP2-4.5", "ssp370": "SSP3-7.0", "ssp585": "SSP5-8.5"}
"""The CMIP6 Tier-1 scenarios of the Atlas data (SSP1-1.9 is not in it)."""
ENSEMBLES: dict[str, str] = {
    "all": "all models with that SSP",
    "complete": "models with all 4 SSPs",
}
FIRST_HORIZON, LAST_HORIZON = 2015, 2100
LAST_DATA_YEAR = 2100
FIRST_SSP_YEAR = 2015
GLOBAL_REGION = "world"
PERCENTILE_METHOD: Final = "linear"
"""``numpy.percentile`` method; the one that reproduces the data README's p10/p90 (type 7)."""
OBSERVED_WARMING_1850_1900_TO_1995_2014_C = 0.85
"""Observed global surface temperature increase from 1850–1900 to 1995–2014, °C.

IPCC AR6 WGI: Cross-Chapter Box 2.3 (Chapter 2, Gulev et al. 2021) and the caption of Figure SPM.8, where
changes relative to 1850–1900 "are calculated by adding 0.85 °C (the observed global surface temperature
increase from 1850–1900 to 1995–2014) to simulated changes relative to 1995–2014". (SPM A.1.2 gives the
related 1.09 °C for 2011–2020, not this figure.)
"""
DEFAULT_HORIZONS = (2030, 2050, 2080, 2090)
DEFAULT_PERCENTILES = (10, 50, 90)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Horizon = int | Literal["baseline"]


@dataclass(frozen=True, slots=True)
class Window:
    """A span of calendar years, both ends included."""

    first_year: int
    last_year: int

    @property
    def label(self) -> str:
        return f"{self.first_year}-{self.last_year}"

    @property
    def n_years(self) -> int:
        return self.last_year - self.first_year + 1


BASELINE = Window(*BASELINE_YEARS)


def horizon_window(horizon: Horizon) -> Window:
    """The years a horizon stands for: 1995–2014 for ``"baseline"``, else the 20 years centred on year Y.

    Y covers Y-9..Y+10, as the AR6 periods (2050 -> 2041-2060, 2090 -> 2081-2100); the data end in 2100,
    so a window past it is cut there (2100 -> 2091-2100, 10 years) and the label says so.
    """
    if horizon == "baseline":
        return BASELINE
    if isinstance(horizon, bool) or not isinstance(horizon, int):
        raise InputError(
            f"Horizon {horizon!r}: expected 'baseline' or a year {FIRST_HORIZON}-{LAST_HORIZON}.",
            code="input.type",
            field="horizon",
        )
    if not FIRST_HORIZON <= horizon <= LAST_HORIZON:
        raise InputError(
            f"Horizon {horizon} is outside {FIRST_HORIZON}-{LAST_HORIZON}: the SSP runs cover 2015-2100.",
            hint="Use 'baseline' for 1995-2014, or a year such as 2050 (window 2041-2060).",
            code="input.range",
            field="horizon",
        )
    return Window(horizon - 9, min(horizon + 10, LAST_DATA_YEAR))


def parse_horizon(value: str | int) -> Horizon:
    """``"baseline"`` or a year, from a command-line word such as ``2050``."""
    if isinstance(value, int):
        horizon_window(value)
        return value
    text = value.strip().lower()
    if text == "baseline":
        return "baseline"
    if not re.fullmatch(r"\d{4}", text):
        raise InputError(
            f"Horizon {value!r}: expected 'baseline' or a year {FIRST_HORIZON}-{LAST_HORIZON}.",
            code="input.type",
            field="horizon",
        )
    year = int(text)
    horizon_window(year)
    return year


def parse_ssp(value: str) -> str:
    """``ssp245`` from ``ssp245``, ``SSP2-4.5`` or ``SSP2-45``; anything else is an :class:`InputError`."""
    text = value.strip().lower().replace("-", "").replace(".", "").replace("_", "")
    if text in SSPS:
        return text
    raise InputError(
        f"Unknown SSP {value!r}: expected one of {', '.join(SSPS)} ({', '.join(SSPS.values())}).",
        hint="SSP1-1.9 is not in the AR6 Atlas regional CMIP6 data.",
        code="input.unknown",
        field="ssp",
    )


@dataclass(frozen=True, slots=True)
class Statistic:
    """Across-model percentile (0–100), or one named model's own value."""

    percentile: float | None = None
    model: str | None = None

    def __post_init__(self) -> None:
        if (self.percentile is None) == (self.model is None):
            raise InputError(
                "A statistic is either a percentile or a model name, not both or neither.",
                code="input.options",
                field="statistic",
            )
        if self.percentile is not None and not 0 <= self.percentile <= 100:
            raise InputError(f"Percentile {self.percentile} is outside 0-100.", code="input.range", field="statistic")

    @property
    def label(self) -> str:
        if self.model is not None:
            return self.model
        assert self.percentile is not None
        return "median" if self.percentile == 50 else f"p{self.percentile:g}"


DEFAULT_STATISTICS = tuple(Statistic(percentile=float(p)) for p in DEFAULT_PERCENTILES)


def parse_statistic(value: str | float) -> Statistic:
    """``median``/``p50``/``50`` -> p50, ``p10``/``10`` -> p10, ..., any other word -> that model's value."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Statistic(percentile=float(value))
    assert isinstance(value, str)
    text = value.strip()
    if text.lower() == "median":
        return Statistic(percentile=50.0)
    match = re.fullmatch(r"[pP]?(\d{1,3}(?:\.\d+)?)", text)
    if match:
        return Statistic(percentile=float(match.group(1)))
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]{0,63}", text):
        raise InputError(
            f"Statistic {value!r}: expected median, a percentile such as p10 or 90, or a model name.",
            code="input.type",
            field="statistic",
        )
    return Statistic(model=text)


@dataclass(frozen=True, slots=True)
class Scenario:
    """What to compute: an SSP, a horizon and an across-model statistic, over an ensemble of models."""

    ssp: str
    horizon: Horizon
    statistic: Statistic = field(default_factory=lambda: Statistic(percentile=50.0))
    ensemble: str = "all"

    def __post_init__(self) -> None:
        object.__setattr__(self, "ssp", parse_ssp(self.ssp))
        horizon_window(self.horizon)
        if self.ensemble not in ENSEMBLES:
            raise InputError(
                f"Unknown ensemble {self.ensemble!r}: expected one of {', '.join(ENSEMBLES)}.",
                code="input.unknown",
                field="ensemble",
            )

    @property
    def window(self) -> Window:
        return horizon_window(self.horizon)


@dataclass(frozen=True, slots=True)
class TasTable:
    """Annual and monthly regional tas per model and experiment (°C), derived once from the monthly file.

    ``annual[model, experiment, region, year]`` is NaN for an incomplete or absent year; ``monthly`` is the
    same with a trailing month axis and NaN for every month of such a year (complete years only).
    """

    source: str
    models: tuple[str, ...]
    experiments: tuple[str, ...]
    regions: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]
    first_year: int
    annual: npt.NDArray[np.float64]
    monthly: npt.NDArray[np.float64]

    def has_run(self, model: str, experiment: str) -> bool:
        return bool(self.members[self.models.index(model)][self.experiments.index(experiment)])

    def ensemble(self, ssp: str, ensemble: str) -> tuple[str, ...]:
        """The models of an ensemble for one SSP, in file order (each needs a historical run too)."""
        wanted = (ssp,) if ensemble == "all" else tuple(SSPS)
        return tuple(m for m in self.models if all(self.has_run(m, e) for e in ("historical", *wanted)))

    def region_index(self, region: str) -> int:
        if region not in self.regions:
            raise InputError(
                f"Region {region!r} is not in {self.source}: it holds {', '.join(self.regions)}.",
                hint="Regions are AR6 WGI reference-region acronyms (WCA, WSB, ...) or 'world'.",
                code="input.unknown",
                field="region",
            )
        return self.regions.index(region)


def tas_table_from_cube(cube: MonthlyCube) -> TasTable:
    """Derive annual (complete years only) and masked monthly tables from a :class:`MonthlyCube`."""
    annual = cube.values.mean(axis=-1)  # NaN wherever a month is missing: complete years only
    monthly = np.where(np.isnan(annual)[..., None], np.nan, cube.values)
    return TasTable(
        source=cube.path,
        models=cube.models,
        experiments=cube.experiments,
        regions=cube.regions,
        members=cube.members,
        first_year=cube.first_year,
        annual=annual,
        monthly=monthly,
    )


def across_models(values: npt.NDArray[np.float64], statistic: Statistic, models: tuple[str, ...]) -> Any:
    """The statistic over axis 0 (models): a linear-interpolation percentile, or one model's row."""
    if statistic.model is not None:
        return values[models.index(statistic.model)]
    assert statistic.percentile is not None
    return np.percentile(values, statistic.percentile, axis=0, method=PERCENTILE_METHOD)


@dataclass(frozen=True, slots=True)
class ModelChanges:
    """Per-model change of one region's climate between the baseline and a window (°C)."""

    models: tuple[str, ...]
    annual_c: npt.NDArray[np.float64]  # (models,)
    monthly_c: npt.NDArray[np.float64]  # (models, 12)
    years_used: npt.NDArray[np.int64]  # complete years of each model in the window


def model_changes(table: TasTable, ssp: str, window: Window, region: str, models: tuple[str, ...]) -> ModelChanges:
    """Each model's change of annual and monthly mean tas, window vs 1995–2014, historical joined to the SSP.

    A model with no complete year in the window or the baseline is a data gap: :class:`InputError`.
    """
    r = table.region_index(region)
    hist = table.experiments.index("historical")
    exp = table.experiments.index(ssp)
    m = np.array([table.models.index(x) for x in models], dtype=np.intp)
    years = np.arange(window.first_year, window.last_year + 1)
    src = np.where(years < FIRST_SSP_YEAR, hist, exp)
    cols = years - table.first_year
    base = np.arange(BASELINE.first_year, BASELINE.last_year + 1) - table.first_year
    win_annual = table.annual[m[:, None], src[None, :], r, cols[None, :]]
    base_annual = table.annual[m[:, None], hist, r, base[None, :]]
    win_monthly = table.monthly[m[:, None], src[None, :], r, cols[None, :], :]
    base_monthly = table.monthly[m[:, None], hist, r, base[None, :], :]
    used = np.sum(~np.isnan(win_annual), axis=1)
    base_used = np.sum(~np.isnan(base_annual), axis=1)
    for counts, span in ((used, window), (base_used, BASELINE)):
        if (counts == 0).any():
            gaps = [models[i] for i in np.flatnonzero(counts == 0)]
            raise InputError(
                f"Data gap: no complete year of {ssp if span is window else 'historical'} in {span.label} "
                f"for region {region}, model(s) {', '.join(gaps)} ({table.source}).",
                code="input.empty",
                field="region",
            )
    with np.errstate(invalid="ignore"):
        annual = np.nanmean(win_annual, axis=1) - np.nanmean(base_annual, axis=1)
        monthly = np.nanmean(win_monthly, axis=1) - np.nanmean(base_monthly, axis=1)
    return ModelChanges(models=models, annual_c=annual, monthly_c=monthly, years_used=used.astype(np.int64))


@dataclass(frozen=True, slots=True)
class RegionalChange:
    """Warming of one region under one scenario, with the matching global warming level (all °C)."""

    scenario: Scenario
    region: str
    window: Window
    delta_tas_c: float
    delta_tas_monthly_c: tuple[float, ...]
    gwl_c: float
    n_models: int
    models: tuple[str, ...]
    years_in_window_min: int
    source: str

    @property
    def gwl_preindustrial_c(self) -> float:
        """GWL relative to 1850–1900: the 1995–2014 GWL plus the observed 0.85 °C."""
        return self.gwl_c + OBSERVED_WARMING_1850_1900_TO_1995_2014_C

    def as_dict(self, digits: int | None = 2) -> dict[str, Any]:
        """A JSON-ready record; temperatures rounded to ``digits`` decimals (None keeps full precision)."""

        def r(x: float) -> float:
            return x if digits is None else round(x, digits)

        st = self.scenario.statistic
        return {
            "region": self.region,
            "ssp": self.scenario.ssp,
            "ssp_label": SSPS[self.scenario.ssp],
            "horizon": self.scenario.horizon,
            "window": self.window.label,
            "baseline": BASELINE.label,
            "statistic": st.label,
            "percentile": None if st.percentile is None else _int_if_whole(st.percentile),
            "model": st.model,
            "percentile_method": f"numpy {PERCENTILE_METHOD} (type 7) across models",
            "ensemble": self.scenario.ensemble,
            "ensemble_label": ENSEMBLES[self.scenario.ensemble],
            "n_models": self.n_models,
            "years_in_window_min": self.years_in_window_min,
            "delta_tas_c": r(self.delta_tas_c),
            "delta_tas_monthly_c": [r(x) for x in self.delta_tas_monthly_c],
            "gwl_c": r(self.gwl_c),
            "gwl_reference": BASELINE.label,
            "gwl_preindustrial_c": r(self.gwl_preindustrial_c),
            "observed_warming_1850_1900_to_1995_2014_c": OBSERVED_WARMING_1850_1900_TO_1995_2014_C,
            "unit": "°C",
            "source": "IPCC AR6 WGI Atlas regional CMIP6 tas (land+sea), Iturbide et al. 2020, CC BY 4.0",
        }


def _int_if_whole(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def regional_change(scenario: Scenario, region: str, table: TasTable) -> RegionalChange:
    """Change of annual and monthly mean tas of an AR6 region (or ``world``) under a scenario, and its GWL.

    ``table``: the AR6 tas table (:func:`kalkan.io.ar6.load_tas_table` reads the shipped one)."""
    table.region_index(region)
    st = scenario.statistic
    if st.model is not None:
        if st.model not in table.models:
            raise InputError(
                f"Unknown model {st.model!r} (statistic): the data holds {', '.join(table.models)}.",
                hint="Or use median, p10, p90 or another percentile.",
                code="input.unknown",
                field="statistic",
            )
        if not (table.has_run(st.model, scenario.ssp) and table.has_run(st.model, "historical")):
            runs = [e for e in table.experiments if table.has_run(st.model, e)]
            raise InputError(
                f"Data gap: model {st.model} has no {scenario.ssp} run; it has {', '.join(runs)}.",
                code="input.empty",
                field="statistic",
            )
        models: tuple[str, ...] = (st.model,)
    else:
        models = table.ensemble(scenario.ssp, scenario.ensemble)
        if not models:
            raise InputError(
                f"Data gap: no model has both historical and {scenario.ssp} in {table.source}.",
                code="input.empty",
                field="ssp",
            )
    window = scenario.window
    local = model_changes(table, scenario.ssp, window, region, models)
    glob = local if region == GLOBAL_REGION else model_changes(table, scenario.ssp, window, GLOBAL_REGION, models)
    return RegionalChange(
        scenario=scenario,
        region=region,
        window=window,
        delta_tas_c=float(across_models(local.annual_c, st, models)),
        delta_tas_monthly_c=tuple(float(x) for x in across_models(local.monthly_c, st, models)),
        gwl_c=float(across_models(glob.annual_c, st, models)),
        n_models=len(models),
        models=models,
        years_in_window_min=int(local.years_used.min()),
        source=table.source,
    )


def scenario_grid(
    ssps: tuple[str, ...] = tuple(SSPS),
    horizons: tuple[Horizon, ...] = DEFAULT_HORIZONS,
    statistics: tuple[Statistic, ...] = DEFAULT_STATISTICS,
    ensemble: str = "all",
) -> list[Scenario]:
    """Every combination, SSP-major (the default is 4 SSPs x 2030/2050/2080/2090 x p10/p50/p90)."""
    return [Scenario(s, h, st, ensemble) for s in ssps for h in horizons for st in statistics]


def region_scenarios(region: str, scenarios: list[Scenario], table: TasTable) -> list[RegionalChange]:
    """:func:`regional_change` for each scenario, one region given by its AR6 code."""
    return [regional_change(s, region, table) for s in scenarios]


@dataclass(frozen=True, slots=True)
class WarmingPath:
    """Change of a region's annual mean tas along running 20-year windows, for one SSP (°C)."""

    ssp: str
    region: str
    centres: tuple[int, ...]
    low_c: tuple[float, ...]
    median_c: tuple[float, ...]
    high_c: tuple[float, ...]
    low_percentile: float
    high_percentile: float
    n_models: int


def warming_path(
    region: str,
    ssp: str,
    centres: tuple[int, ...] = tuple(range(2030, 2091, 5)),
    *,
    ensemble: str = "all",
    spread: tuple[float, float] = (10.0, 90.0),
    table: TasTable,
) -> WarmingPath:
    """Median and percentile spread of the regional change for each window centre (for plots)."""
    models = table.ensemble(ssp, ensemble)
    series: dict[float, list[float]] = {p: [] for p in (spread[0], 50.0, spread[1])}
    for c in centres:
        ch = model_changes(table, ssp, Scenario(ssp, c, ensemble=ensemble).window, region, models).annual_c
        for p, out in series.items():
            out.append(float(np.percentile(ch, p, method=PERCENTILE_METHOD)))
    return WarmingPath(
        ssp=ssp,
        region=region,
        centres=centres,
        low_c=tuple(series[spread[0]]),
        median_c=tuple(series[50.0]),
        high_c=tuple(series[spread[1]]),
        low_percentile=spread[0],
        high_percentile=spread[1],
        n_models=len(models),
    )
