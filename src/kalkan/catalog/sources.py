"""The catalogue of datasets shipped inside the package, with origin, licence and citation."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any


def data_root() -> Path:
    """The folder of the package's shipped data (a real directory: Kalkan is never run zipped)."""
    return Path(str(resources.files("kalkan") / "data"))


@dataclass(frozen=True, slots=True)
class DataSource:
    id: str
    title: str
    files: tuple[str, ...]
    readme: str
    origin: str
    licence: str
    licence_url: str
    citation: str
    non_commercial: bool
    share_alike: bool

    def paths(self) -> list[Path]:
        return [data_root() / f for f in self.files]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["files"] = list(self.files)
        return out


def data_sources() -> list[DataSource]:
    """Every dataset shipped with Kalkan, as listed in ``data/sources.json``."""
    raw = json.loads((data_root() / "sources.json").read_text(encoding="utf-8"))
    return [DataSource(**{**item, "files": tuple(item["files"])}) for item in raw]


def data_source(source_id: str) -> DataSource:
    for src in data_sources():
        if src.id == source_id:
            return src
    raise KeyError(source_id)
