"""GMPE logic trees: OpenQuake's NRML ``gmpeModel`` branch sets, or a simple ``model,weight`` CSV.

A branch's model is an OpenQuake class name (``BooreEtAl2014``), optionally with TOML-style options as
OpenQuake writes them (``[BooreEtAl2014]\\nregion = "JPN"``). Weights must sum to 1.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kalkan.errors import InputError

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
    total = sum(b.weight for b in branches)
    if abs(total - 1.0) > 1e-6:
        raise InputError(f"{path}: branch weights sum to {total:.6f}; expected 1.")
    return branches


def _read_csv(path: Path) -> list[GsimBranch]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.") from exc
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or {"model", "weight"} - set(reader.fieldnames):
        raise InputError(f"{path}: expected the header model,weight.")
    out = []
    for i, row in enumerate(reader, start=2):
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
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.parse(path).getroot()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.") from exc
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise InputError(f"{path}: not valid XML ({exc}).") from exc

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
