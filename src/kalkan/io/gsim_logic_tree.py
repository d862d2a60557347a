"""GMPE logic trees: OpenQuake's NRML ``gmpeModel`` branch sets, or a simple ``model,weight`` CSV.

A branch's model is an OpenQuake class name (``BooreEtAl2014``), optionally with TOML-style options as
OpenQuake writes them (``[BooreEtAl2014]\\nregion = "JPN"``). Weights must sum to 1.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kalkan.core.hazard.earthquake.gmpe import get_model
from kalkan.errors import InputError
from kalkan.io.text import read_text_file
from kalkan.io.xml import parse_with_lines, read_file_bytes

_TOML_HEADER = re.compile(r"^\s*\[([A-Za-z0-9_]+)\]\s*$")


@dataclass(frozen=True, slots=True)
class GsimBranch:
    """One model of the logic tree: name, options and weight."""

    branch_id: str
    model: str
    weight: float
    options: dict[str, Any] = field(default_factory=dict)
    tectonic_region: str = "Active Shallow Crust"


def _parse_model(text: str, where: str) -> tuple[str, dict[str, Any]]:
    text = text.strip()
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError(f"{where}: empty uncertaintyModel.")
    m = _TOML_HEADER.match(lines[0])
    if m is None:
        if len(lines) > 1 or not re.fullmatch(r"[A-Za-z0-9_]+", lines[0].strip()):
            raise InputError(f"{where}: uncertaintyModel {text!r} is neither a model name nor [Model] with options.")
        return lines[0].strip(), {}
    options: dict[str, Any] = {}
    import tomllib

    try:
        parsed = tomllib.loads("\n".join(lines[1:]))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: options of {m.group(1)} are not valid TOML ({exc}).") from exc
    options.update(parsed)
    return m.group(1), options


def read_logic_tree(path: Path) -> list[GsimBranch]:
    """Read a GMPE logic tree (NRML .xml or model,weight .csv); weights are checked to sum to 1."""
    path = Path(path)
    branches = _read_csv(path) if path.suffix.lower() == ".csv" else _read_xml(path)
    if not branches:
        raise InputError(f"{path}: no GMPE branch found.")
    for b in branches:
        if not (math.isfinite(b.weight) and 0 < b.weight <= 1):
            raise InputError(f"{path}, branch {b.branch_id!r}: weight {b.weight!r}; expected a weight in (0, 1].")
    total = sum(b.weight for b in branches)
    if abs(total - 1.0) > 1e-6:
        raise InputError(f"{path}: branch weights sum to {total:.6f}; expected 1.")
    for b in branches:
        try:
            get_model(b.model, **b.options)
        except InputError as exc:
            raise InputError(f"{path}, branch {b.branch_id!r}: {exc.message}", hint=exc.hint) from exc
        except TypeError as exc:  # an option the model does not take
            raise InputError(f"{path}, branch {b.branch_id!r}: options {b.options!r} of {b.model}: {exc}.") from exc
    return branches


def _read_csv(path: Path) -> list[GsimBranch]:
    text = read_text_file(path, "GMPE logic tree CSV")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or sorted(f.strip() for f in reader.fieldnames) != ["model", "weight"]:
        raise InputError(f"{path}: header {reader.fieldnames!r}; expected the two columns model,weight.")
    out = []
    for i, row in enumerate(reader, start=2):
        if None in row or None in row.values():
            raise InputError(f"{path}, line {i}: expected 2 fields (model,weight).")
        try:
            weight = float(row["weight"])
        except (TypeError, ValueError) as exc:
            raise InputError(f"{path}, line {i}, field 'weight': {row['weight']!r}; expected a number.") from exc
        if not 0 < weight <= 1:
            raise InputError(f"{path}, line {i}, field 'weight': {weight}; expected a weight in (0, 1].")
        name, options = _parse_model(row["model"] or "", f"{path}, line {i}")
        out.append(GsimBranch(f"b{i - 1}", name, weight, options))
    return out


def _read_xml(path: Path) -> list[GsimBranch]:
    data, source = read_file_bytes(path)
    root, _ = parse_with_lines(data, source)

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    out: list[GsimBranch] = []
    for bset in root.iter():
        if local(bset.tag) != "logicTreeBranchSet":
            continue
        kind = bset.get("uncertaintyType")
        if kind != "gmpeModel":
            raise InputError(f"{path}: branch set {bset.get('branchSetID')!r} is {kind!r}; expected gmpeModel.")
        trt = bset.get("applyToTectonicRegionType", "Active Shallow Crust")
        for branch in bset:
            if local(branch.tag) != "logicTreeBranch":
                continue
            bid = branch.get("branchID", f"b{len(out)}")
            model = weight = None
            for child in branch:
                if local(child.tag) == "uncertaintyModel":
                    model = child.text or ""
                elif local(child.tag) == "uncertaintyWeight":
                    weight = child.text
            where = f"{path}, branch {bid!r}"
            if model is None or weight is None:
                raise InputError(f"{where}: needs uncertaintyModel and uncertaintyWeight.")
            try:
                w = float(weight)
            except ValueError as exc:
                raise InputError(f"{where}: uncertaintyWeight {weight!r} is not a number.") from exc
            name, options = _parse_model(model, where)
            out.append(GsimBranch(bid, name, w, options, trt))
    trts = {b.tectonic_region for b in out}
    if len(trts) > 1:
        raise InputError(f"{path}: branch sets for several tectonic regions ({', '.join(sorted(trts))}); "
                         "a scenario uses one.")  # fmt: skip
    return out
