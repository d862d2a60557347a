"""Read an OpenQuake scenario job (job.ini) for the documented subset of parameters Kalkan runs.

OpenQuake flattens the sections of job.ini, so does Kalkan. Every key must be one Kalkan understands
(:data:`SUPPORTED`, with what it does) or one it knowingly ignores (:data:`IGNORED`, with why); any other
key is an error naming it, never a silent guess. Paths are resolved relative to the job file.
"""

from __future__ import annotations

import ast
import configparser
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kalkan.core.bounds import VS30
from kalkan.errors import InputError
from kalkan.io.text import read_text_file

SUPPORTED: dict[str, str] = {
    "description": "title of the run",
    "calculation_mode": "scenario_risk or scenario_damage",
    "random_seed": "seed of the ground-motion fields",
    "ses_seed": "seed of the ground-motion fields (used when random_seed is absent)",
    "exposure_file": "exposure model (NRML XML, with CSV assets)",
    "rupture_model_file": "rupture (NRML singlePlaneRupture/multiPlanesRupture/pointRupture)",
    "reference_vs30_type": "measured or inferred",
    "reference_vs30_value": "Vs30 of every site, m/s",
    "reference_depth_to_1pt0km_per_sec": "z1.0 of every site, m",
    "reference_depth_to_2pt5km_per_sec": "z2.5 of every site, km",
    "site_model_file": "per-site lon, lat, vs30 (+ vs30measured, z1pt0, z2pt5) CSV",
    "structural_vulnerability_file": "NRML vulnerability model, structural",
    "nonstructural_vulnerability_file": "NRML vulnerability model, nonstructural",
    "contents_vulnerability_file": "NRML vulnerability model, contents",
    "occupants_vulnerability_file": "NRML vulnerability model, fatalities",
    "structural_fragility_file": "NRML fragility model (scenario_damage); function ids are the taxonomies",
    "gsim_logic_tree_file": "GMPE logic tree (one branch set, Active Shallow Crust)",
    "gsim": "one GMPE instead of a logic tree",
    "truncation_level": "truncation of the residuals, in standard deviations",
    "maximum_distance": "sites farther from the rupture (Rjb, km) get no ground motion",
    "number_of_ground_motion_fields": "realisations per GMPE",
    "ground_motion_correlation_model": "'' or JB2009",
    "ground_motion_correlation_params": "{'vs30_clustering': False|True}",
    "ignore_covs": "true: mean loss ratios (Kalkan's mean mode); false: sampled loss ratios",
    "intensity_measure_types": "IMTs to simulate (default: those of the vulnerability functions)",
    "asset_hazard_distance": "largest asset-to-site distance, km",
}
RANGES: dict[str, tuple[float, float]] = {
    "random_seed": (0, 2**32 - 1),
    "ses_seed": (0, 2**32 - 1),
    "reference_vs30_value": (VS30.lo, VS30.hi),
    "reference_depth_to_1pt0km_per_sec": (0.0, 10_000.0),
    "reference_depth_to_2pt5km_per_sec": (0.0, 20.0),
    "truncation_level": (0.0, 20.0),
    "maximum_distance": (0.001, 20_000.0),
    "number_of_ground_motion_fields": (1, 1e12),
    "asset_hazard_distance": (0.0, 20_000.0),
}
"""Plausible values of the numeric parameters (units of :data:`SUPPORTED`): seeds are 32-bit, Vs30 as
:data:`kalkan.core.bounds.VS30`, z1.0 up to 10 km, z2.5 up to 20 km, distances up to half the Earth's circumference.
The number of fields has no bound of its own here: the run's size (events x sites x IMTs) is bounded when the
sites are known (``kalkan eq run-oq --max-gmf-values``)."""
MAX_JOB_BYTES = 1 << 20
"""A job.ini is a few hundred bytes; a file over 1 MiB is not one."""
IGNORED: dict[str, str] = {
    "rupture_mesh_spacing": "Kalkan computes distances to the exact planes, without a mesh",
    "export_dir": "Kalkan writes to --out",
    "region": "sites come from the exposure or the site model",
    "concurrent_tasks": "Kalkan parallelises by itself",
}


@dataclass(frozen=True, slots=True)
class ScenarioJob:
    """The parameters of a scenario job; paths absolute, numbers in the units of :data:`SUPPORTED`."""

    path: Path
    description: str
    calculation_mode: str
    seed: int
    exposure_file: Path | None
    rupture_file: Path
    vulnerability_files: dict[str, Path]
    gsim_logic_tree_file: Path | None
    gsim: str | None
    truncation_level: float | None
    maximum_distance_km: float
    n_fields: int
    correlation: str | None
    vs30_clustering: bool
    ignore_covs: bool
    vs30: float | None
    vs30_measured: bool
    z1pt0_m: float | None
    z2pt5_km: float | None
    site_model_file: Path | None
    imts: tuple[str, ...] = ()
    fragility_file: Path | None = None
    asset_hazard_distance_km: float | None = None
    ignored: dict[str, str] = field(default_factory=dict)


def read_job(path: Path) -> ScenarioJob:
    """Read and check a job.ini (see the module docstring)."""
    path = Path(path)
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    text = read_text_file(path, "job.ini", max_bytes=MAX_JOB_BYTES)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        raise InputError(f"{path}: not a valid job.ini ({exc}).", code="input.syntax") from exc
    if not parser.sections():
        raise InputError(f"{path}: no [section] with parameters; expected an OpenQuake job.ini.", code="input.empty")
    values: dict[str, str] = {}
    where: dict[str, str] = {}
    for section in parser.sections():
        for key, value in parser.items(section):
            if key in values:
                raise InputError(
                    f"{path}: '{key}' is given in [{where[key]}] and again in [{section}]; OpenQuake flattens the "
                    "sections, so give each parameter once.",
                    code="input.duplicate",
                    field=key,
                )
            values[key], where[key] = value.strip(), section
    unknown = sorted(k for k in values if k not in SUPPORTED and k not in IGNORED)
    if unknown:
        raise InputError(
            f"{path}: parameter(s) Kalkan does not support: {', '.join(unknown)}. Remove them or run the job in "
            "OpenQuake; the supported subset is listed in docs/openquake.md.",
            code="input.unknown",
            field=unknown[0],
        )
    base = path.parent

    def file(key: str, required: bool = False) -> Path | None:
        raw = values.get(key)
        if not raw:
            if required:
                raise InputError(f"{path}: '{key}' is required ({SUPPORTED[key]}).", code="input.missing", field=key)
            return None
        p = (base / raw).resolve()
        if not p.exists():
            raise InputError(f"{path}: {key} = {raw}: file not found ({p}).", code="input.not_found", field=key)
        return p

    def number(key: str, default: float | None = None) -> float | None:
        raw = values.get(key)
        if raw in (None, ""):
            return default
        lo, hi = RANGES[key]
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and lo <= value <= hi):
            raise InputError(
                f"{path}: {key} = {raw!r}; expected a number from {lo:g} to {hi:g} ({SUPPORTED[key]}).",
                code="input.range",
                field=key,
            )
        return value

    def flag(key: str, default: bool) -> bool:
        raw = values.get(key, "").lower()
        if raw == "":
            return default
        if raw not in ("true", "false"):
            raise InputError(f"{path}: {key} = {raw!r}; expected true or false.", code="input.type", field=key)
        return raw == "true"

    mode = values.get("calculation_mode", "")
    if mode not in ("scenario_risk", "scenario_damage"):
        raise InputError(
            f"{path}: calculation_mode = {mode!r}; Kalkan runs scenario_risk and scenario_damage jobs.",
            code="input.unsupported",
            field="calculation_mode",
        )
    correlation = values.get("ground_motion_correlation_model") or None
    if correlation not in (None, "JB2009"):
        raise InputError(
            f"{path}: ground_motion_correlation_model = {correlation!r}; supported: JB2009.",
            code="input.unsupported",
            field="ground_motion_correlation_model",
        )
    params: dict[str, Any] = {}
    raw_params = values.get("ground_motion_correlation_params", "")
    if len(raw_params) > 200:
        raise InputError(
            f"{path}: ground_motion_correlation_params is {len(raw_params)} characters long; expected "
            "{'vs30_clustering': True|False}.",
            code="input.too_large",
            field="ground_motion_correlation_params",
        )
    if raw_params:
        try:
            params = ast.literal_eval(raw_params)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
            raise InputError(
                f"{path}: ground_motion_correlation_params = {raw_params!r} is not a dict.",
                code="input.type",
                field="ground_motion_correlation_params",
            ) from exc
        if not isinstance(params, dict) or set(params) - {"vs30_clustering"}:
            raise InputError(
                f"{path}: ground_motion_correlation_params supports only {{'vs30_clustering': bool}}.",
                code="input.unsupported",
                field="ground_motion_correlation_params",
            )
    vs30_type = values.get("reference_vs30_type", "measured")
    if vs30_type not in ("measured", "inferred"):
        raise InputError(
            f"{path}: reference_vs30_type = {vs30_type!r}; expected measured or inferred.",
            code="input.unknown",
            field="reference_vs30_type",
        )
    gsim_lt = file("gsim_logic_tree_file")
    gsim = values.get("gsim") or None
    if (gsim_lt is None) == (gsim is None):
        raise InputError(
            f"{path}: give exactly one of gsim_logic_tree_file and gsim.", code="input.options", field="gsim"
        )
    vulnerability = {
        lt: p
        for lt in ("structural", "nonstructural", "contents", "occupants")
        if (p := file(f"{lt}_vulnerability_file")) is not None
    }
    if mode == "scenario_risk" and not vulnerability:
        raise InputError(
            f"{path}: a scenario_risk job needs at least one *_vulnerability_file.",
            code="input.missing",
            field="structural_vulnerability_file",
        )
    fragility = file("structural_fragility_file")
    if mode == "scenario_damage" and fragility is None:
        raise InputError(
            f"{path}: a scenario_damage job needs structural_fragility_file.",
            code="input.missing",
            field="structural_fragility_file",
        )
    n_fields = number("number_of_ground_motion_fields")
    if n_fields is None or n_fields < 1 or n_fields != int(n_fields):
        raise InputError(
            f"{path}: number_of_ground_motion_fields must be a positive whole number.",
            code="input.range",
            field="number_of_ground_motion_fields",
        )
    seed_value = number("random_seed", number("ses_seed", 42.0))
    if seed_value is not None and seed_value != int(seed_value):
        raise InputError(
            f"{path}: random_seed = {values.get('random_seed')!r}; expected a whole number.",
            code="input.type",
            field="random_seed",
        )
    if not isinstance(params.get("vs30_clustering", False), bool):
        raise InputError(
            f"{path}: ground_motion_correlation_params: vs30_clustering must be True or False.",
            code="input.type",
            field="ground_motion_correlation_params",
        )
    imts = tuple(i.strip() for i in values.get("intensity_measure_types", "").split(",") if i.strip())
    return ScenarioJob(
        path=path,
        description=values.get("description", ""),
        calculation_mode=mode,
        seed=int(seed_value or 0),
        exposure_file=file("exposure_file", required=True),
        rupture_file=file("rupture_model_file", required=True),  # type: ignore[arg-type]
        vulnerability_files=vulnerability,
        gsim_logic_tree_file=gsim_lt,
        gsim=gsim,
        truncation_level=number("truncation_level"),
        maximum_distance_km=number("maximum_distance", 300.0) or 300.0,
        n_fields=int(n_fields),
        correlation=correlation,
        vs30_clustering=bool(params.get("vs30_clustering", False)),
        ignore_covs=flag("ignore_covs", False),
        vs30=number("reference_vs30_value"),
        vs30_measured=vs30_type == "measured",
        z1pt0_m=number("reference_depth_to_1pt0km_per_sec"),
        z2pt5_km=number("reference_depth_to_2pt5km_per_sec"),
        site_model_file=file("site_model_file"),
        imts=imts,
        asset_hazard_distance_km=number("asset_hazard_distance"),
        ignored={k: IGNORED[k] for k in values if k in IGNORED},
        fragility_file=fragility,
    )
