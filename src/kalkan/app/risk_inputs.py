"""Load the inputs of a risk run from files: hazards (one per intensity measure, the same events), a vulnerability
model (NRML or CSV files with a taxonomy mapping, or a shipped model) and a fragility model with its consequence
model. Each loader refuses inconsistent inputs with an error naming the file and what is wrong."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kalkan.core.hazard.hazardset import HazardSet
from kalkan.core.vulnerability.fragility_set import FragilitySet
from kalkan.core.vulnerability.functions import FragilityFunction, VulnerabilitySet
from kalkan.core.vulnerability.library import function_key
from kalkan.errors import InputError
from kalkan.io.hazard import load_any_hazard
from kalkan.io.nrml import read_fragility_model
from kalkan.io.shipped_vulnerability import gem_central_asia, jrc_flood_asia
from kalkan.io.vulnerability_csv import (
    read_consequence_csv,
    read_fragility_mapping,
    read_taxonomy_mapping,
    read_vulnerability_csv,
)
from kalkan.io.vulnerability_set import load_vulnerability_set

SHIPPED_MODELS = ("gem-central-asia", "jrc-flood-asia")
"""Vulnerability models named instead of files: GEM Central Asia (earthquake) and JRC Asia (flood depth in m)."""


def load_hazards(paths: Sequence[Path]) -> list[HazardSet]:
    """Read hazard files (Kalkan .npz, CLIMADA .hdf5/.h5); several must share events and sites (one per IMT)."""
    hazards = [load_any_hazard(Path(p)) for p in paths]
    first = hazards[0]
    for h in hazards[1:]:
        if (h.n_events != first.n_events or not np.array_equal(h.event_id, first.event_id)
                or not np.array_equal(h.frequency, first.frequency)):  # fmt: skip
            raise InputError(f"{h.source}: its events differ from those of {first.source}; hazards of one run "
                             "must be intensity measures of the same events.", code="input.inconsistent",
                             field="event_id")  # fmt: skip
        if h.n_sites != first.n_sites or not (np.allclose(h.site_lon, first.site_lon) and
                                              np.allclose(h.site_lat, first.site_lat)):  # fmt: skip
            raise InputError(f"{h.source}: its sites differ from those of {first.source}.", code="input.inconsistent",
                             field="site_lon")  # fmt: skip
    imts = [h.imt for h in hazards]
    if len(set(imts)) != len(imts):
        raise InputError(f"Two hazard files give the same intensity measure ({', '.join(imts)}).",
                         code="input.duplicate", field="imt")  # fmt: skip
    return hazards


def load_vulnerability(paths: Sequence[Path], mapping: Path | None) -> VulnerabilitySet:
    """NRML/CSV vulnerability files plus a taxonomy mapping, or a shipped model: ``gem-central-asia``
    (earthquake) or ``jrc-flood-asia`` (flood depth in m; every GEM Central Asia taxonomy by occupancy)."""
    if len(paths) == 1 and str(paths[0]) == "gem-central-asia":
        return gem_central_asia()
    if len(paths) == 1 and str(paths[0]) == "jrc-flood-asia":
        return jrc_flood_asia()
    if mapping is None:
        raise InputError("--taxonomy-mapping is needed with vulnerability files (taxonomy,conversion,weight).",
                         code="input.options", field="--taxonomy-mapping")  # fmt: skip
    if all(Path(p).suffix.lower() == ".xml" for p in paths):
        return load_vulnerability_set(list(paths), mapping)
    if len(paths) == 1 and Path(paths[0]).suffix.lower() == ".csv":
        return _csv_vulnerability(Path(paths[0]), mapping)
    raise InputError("Give NRML vulnerability files (.xml, one per loss type) or one vulnerability CSV.",
                     code="input.unsupported", field="--vulnerability")  # fmt: skip


def _csv_vulnerability(path: Path, mapping: Path) -> VulnerabilitySet:
    """One vulnerability CSV: one id may describe several loss types (as in the GEM models), so each function is
    keyed by loss type and id."""
    functions = {
        function_key(f.loss_type, f.id): dataclasses.replace(f, id=function_key(f.loss_type, f.id))
        for f in read_vulnerability_csv(path)
    }
    ids = {key.partition(":")[2] for key in functions}
    by_taxonomy = read_taxonomy_mapping(mapping)
    missing = sorted({fid for entries in by_taxonomy.values() for fid, _ in entries if fid not in ids})
    if missing:
        raise InputError(f"{mapping}: function id(s) {', '.join(missing[:10])} are not in {path}.",
                         code="input.unknown", field="conversion")  # fmt: skip
    loss_types = sorted({f.loss_type for f in functions.values()})
    table = {
        lt: {t: tuple((function_key(lt, fid), w) for fid, w in entries if function_key(lt, fid) in functions)
             for t, entries in by_taxonomy.items()}
        for lt in loss_types
    }  # fmt: skip
    return VulnerabilitySet(functions, {lt: {t: e for t, e in m.items() if e} for lt, m in table.items()})


def load_fragility(
    fragility_paths: Sequence[Path], consequence_path: Path | None, mapping_path: Path | None
) -> FragilitySet:
    """A FragilitySet from NRML fragility models, a consequence CSV and a taxonomy,fragility,consequence,weight CSV."""
    if consequence_path is None or mapping_path is None:
        raise InputError("Damage outputs need --fragility, --consequence and --fragility-mapping together.",
                         code="input.options", field="--consequence" if consequence_path is None
                         else "--fragility-mapping")  # fmt: skip
    functions: dict[str, FragilityFunction] = {}
    for path in fragility_paths:
        model = read_fragility_model(path)
        for fid, fn in model.functions.items():
            if fid in functions:
                raise InputError(f"{path}: fragility function '{fid}' is defined twice.", code="input.duplicate",
                                 field="fragilityFunction")  # fmt: skip
            functions[fid] = fn
    return FragilitySet(
        functions=functions,
        consequences=read_consequence_csv(consequence_path),
        mapping=read_fragility_mapping(mapping_path),
        source=str(mapping_path),
    )
