"""Ground-motion models, one module each, registered under OpenQuake's class names and aliases.

``get_model("BooreEtAl2014")`` returns an instance; unknown names get a suggestion of close names.
"""

from __future__ import annotations

import difflib
from importlib import import_module
from typing import Any

from kalkan.core.hazard.earthquake.gmpe.base import GMPE, Context, GroundMotion
from kalkan.errors import InputError

__all__ = ["GMPE", "Context", "GroundMotion", "available_models", "get_model"]

# name -> "module:Class" (imported on first use, so importing kalkan stays fast). Helpers add their models here.
_REGISTRY: dict[str, str] = {}


def register(name: str, target: str, aliases: tuple[str, ...] = ()) -> None:
    for key in (name, *aliases):
        _REGISTRY[key] = target


def available_models() -> list[str]:
    return sorted(_REGISTRY)


def get_model(name: str, **options: Any) -> GMPE:
    """The model registered as ``name`` (OpenQuake class name or alias), built with ``options``."""
    target = _REGISTRY.get(name)
    if target is None:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise InputError(
            f"Unknown ground-motion model {name!r}.{hint} Known: {', '.join(available_models())}.",
            code="input.unknown",
            field="model",
        )
    module, cls = target.split(":")
    model_class = getattr(import_module(module), cls)
    try:
        model: GMPE = model_class(**options)
    except TypeError as exc:  # an option the constructor does not take
        raise InputError(
            f"{name}: {exc}. Check the option names of this model.", code="input.unknown", field="options"
        ) from exc
    return model


from kalkan.core.hazard.earthquake.gmpe import _models  # noqa: E402,F401  (registers the shipped models)
