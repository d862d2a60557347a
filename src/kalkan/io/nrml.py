"""Read and write OpenQuake NRML vulnerability models; read NRML fragility models.

Formats (OpenQuake Engine User Manual, "Vulnerability Models" and "Fragility Models",
https://docs.openquake.org/oq-engine/manual/latest/user-guide/inputs/):

- NRML 0.5 ``<vulnerabilityModel lossCategory=...>`` with ``<vulnerabilityFunction id dist>``, each holding
  ``<imls imt>`` (intensity levels), ``<meanLRs>`` (mean loss ratios, 0-1) and ``<covLRs>`` (coefficients of
  variation). ``dist`` is ``LN`` (lognormal) or ``BT`` (beta); probability-mass functions (``PM``) are not
  supported. ``lossCategory`` ``occupants`` means fatality ratios. All ``covLRs`` zero means deterministic,
  as the manual states; the distribution is kept as written.
- NRML 0.4 ``<discreteVulnerabilitySet lossCategory>`` with ``<IML IMT>`` and ``<discreteVulnerability
  vulnerabilityFunctionID probabilisticDistribution>`` holding ``<lossRatio>`` and ``<coefficientsVariation>``.
  0.4 loss categories were free text: ``fatalities`` is read as ``occupants``; any other category outside
  Kalkan's loss types needs ``loss_type=`` from the caller.
- NRML 0.5 ``<fragilityModel lossCategory>`` with ``<limitStates>`` and ``<fragilityFunction id format>``:
  ``format="discrete"`` gives ``<imls imt noDamageLimit>`` and one ``<poes ls>`` per limit state;
  ``format="continuous" shape="logncdf"`` gives ``<imls imt noDamageLimit minIML maxIML/>`` and one
  ``<params ls mean stddev/>`` per limit state.

Continuous fragility: the manual states that ``mean`` and ``stddev`` are the mean and standard deviation of
the intensity itself (in g for PGA and SA), "not the mean and standard deviation of log(IML)". Kalkan's
:class:`FragilityFunction` takes the median and the logarithmic standard deviation, so the reader applies
the moments of a lognormal distribution (as OpenQuake does)::

    beta   = sqrt(ln(1 + (stddev / mean)^2))
    median = mean / sqrt(1 + (stddev / mean)^2)  = mean * exp(-beta^2 / 2)

OpenQuake additionally clips the intensity to ``[minIML, maxIML]`` and sets the probabilities to zero below
``noDamageLimit``; Kalkan's lognormal function does neither. The reader reports these values per function in
:attr:`FragilityModel.ranges`, and refuses a positive ``noDamageLimit`` on a continuous function unless the
caller passes ``ignore_no_damage_limit=True``. On a discrete function ``noDamageLimit`` is applied exactly:
levels below it are dropped and the limit becomes the first level, with the probabilities interpolated there
(below the first level the probability is zero, see :mod:`kalkan.core.vulnerability.functions`).

XML is parsed with :mod:`defusedxml` (no entity expansion, no external references). Every error is an
:class:`InputError` naming the file, the line, the function id and the field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from kalkan.core.hazard.hazardset import IMT_UNITS, imt_family
from kalkan.core.vulnerability.functions import LOSS_TYPES, FragilityFunction, VulnerabilityFunction
from kalkan.core.vulnerability.library import VulnerabilityModel
from kalkan.errors import InputError
from kalkan.io.xml import parse_with_lines, read_file_bytes

NRML_05 = "http://openquake.org/xmlns/nrml/0.5"
NRML_04 = "http://openquake.org/xmlns/nrml/0.4"

_LOSS_CATEGORY_ALIASES = {"fatalities": "occupants"}
_NRML_DISTRIBUTIONS = ("LN", "BT")


@dataclass(frozen=True, slots=True)
class IntensityRange:
    """What OpenQuake does outside the tabulated or valid range of one fragility function (intensity unit).

    ``min_iml``/``max_iml``: OpenQuake clips the intensity to this range (continuous functions);
    ``no_damage_limit``: below it OpenQuake takes every probability of exceedance as zero.
    """

    min_iml: float | None = None
    max_iml: float | None = None
    no_damage_limit: float | None = None


@dataclass(frozen=True, slots=True)
class FragilityModel:
    """The functions of one NRML fragility model, by id in file order, with their limit states."""

    id: str
    loss_type: str
    asset_category: str
    description: str
    limit_states: tuple[str, ...]
    functions: dict[str, FragilityFunction]
    ranges: dict[str, IntensityRange]
    source: str = field(default="<memory>", compare=False)


def lognormal_median_beta(mean: float, stddev: float) -> tuple[float, float]:
    """Median and logarithmic standard deviation of a lognormal with this arithmetic mean and stddev.

    Used for NRML continuous fragility functions, whose ``mean``/``stddev`` are those of the intensity
    (same unit as the intensity), not of its logarithm. See the module docstring.
    """
    cov2 = (stddev / mean) ** 2
    return mean / math.sqrt(1.0 + cov2), math.sqrt(math.log1p(cov2))


# --------------------------------------------------------------------------------------------- parsing


class _Doc:
    """A parsed NRML document: its root, namespace, element lines and the name used in messages."""

    def __init__(self, data: bytes, source: str) -> None:
        self.source = source
        root, self.lines = parse_with_lines(data, source)
        self.root: Element = root
        tag = root.tag
        ns, _, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if local != "nrml" or ns not in (NRML_05, NRML_04):
            raise InputError(
                f"{source}, line {self.line(root)}: the root element is <{local}>"
                + (f" in namespace {ns!r}" if ns else " without a namespace")
                + f'; expected <nrml xmlns="{NRML_05}"> (or NRML 0.4).',
                code="input.unsupported",
                field="nrml",
                row=self.line(root),
            )
        self.ns = ns

    def q(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def line(self, elem: Element) -> int:
        return self.lines.get(id(elem), 0)

    def where(self, elem: Element, what: str | None = None, field_name: str | None = None) -> str:
        out = f"{self.source}, line {self.line(elem)}"
        if what:
            out += f", {what}"
        if field_name:
            out += f", field '{field_name}'"
        return out

    def fail(
        self,
        elem: Element,
        what: str | None,
        field_name: str | None,
        expected: str,
        got: Any = None,
        *,
        code: str = "input.type",
    ) -> InputError:
        """The error for ``elem``: file, line, element and field, what was expected and what was found."""
        msg = f"{self.where(elem, what, field_name)}: expected {expected}"
        if got is not None:
            shown = repr(got)
            msg += f", got {shown[:77] + '...' if len(shown) > 80 else shown}"
        return InputError(msg + ".", code=code, field=field_name, row=self.line(elem) or None)

    def attr(self, elem: Element, name: str, what: str | None = None) -> str:
        value = elem.get(name)
        if value is None or not value.strip():
            raise self.fail(
                elem, what, name, f"a non-empty attribute {name}=... on <{_local(elem.tag)}>", code="input.missing"
            )
        return value.strip()

    def one(self, parent: Element, local: str, what: str | None) -> Element:
        found = parent.findall(self.q(local))
        if len(found) != 1:
            code = "input.missing" if not found else "input.duplicate"
            raise self.fail(parent, what, local, f"exactly one <{local}> element (found {len(found)})", code=code)
        return found[0]

    def numbers(self, elem: Element, what: str | None, field_name: str) -> list[float]:
        if len(elem):
            raise self.fail(
                elem, what, field_name, "numbers separated by spaces (no nested elements)", code="input.syntax"
            )
        out: list[float] = []
        for k, token in enumerate((elem.text or "").split()):
            try:
                value = float(token)
            except ValueError:
                raise self.fail(elem, what, field_name, f"finite numbers (value #{k + 1})", token) from None
            if not math.isfinite(value):
                raise self.fail(elem, what, field_name, f"finite numbers (value #{k + 1})", token, code="input.range")
            out.append(value)
        if not out:
            raise self.fail(elem, what, field_name, "at least one number", elem.text or "", code="input.empty")
        return out

    def number_attr(self, elem: Element, name: str, what: str | None, *, required: bool) -> float | None:
        raw = elem.get(name)
        if raw is None and not required:
            return None
        if raw is None:
            raise self.fail(elem, what, name, "a non-negative number", raw, code="input.missing")
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(elem, what, name, "a non-negative number", raw) from None
        if not math.isfinite(value) or value < 0:
            raise self.fail(elem, what, name, "a non-negative number", raw, code="input.range")
        return value


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _unit(doc: _Doc, elem: Element, what: str, imt: str) -> str:
    family = imt_family(imt)
    if family not in IMT_UNITS or imt == "SA":
        known = ", ".join(sorted([*(k for k in IMT_UNITS if k != "SA"), "SA(T)"]))
        raise doc.fail(
            elem,
            what,
            "imt",
            f"a known intensity measure type ({known}; SA needs its period)",
            imt,
            code="input.unknown",
        )
    return IMT_UNITS[family][0]


def _check_levels(doc: _Doc, elem: Element, what: str, field_name: str, levels: Sequence[float]) -> None:
    if len(levels) < 2:
        raise doc.fail(
            elem, what, field_name, f"at least two intensity levels (found {len(levels)})", code="input.empty"
        )
    for k, value in enumerate(levels):
        if value < 0:
            raise doc.fail(
                elem, what, field_name, f"non-negative intensity levels (level #{k + 1})", value, code="input.range"
            )
        if k and value <= levels[k - 1]:
            raise doc.fail(
                elem,
                what,
                field_name,
                f"strictly increasing intensity levels (level #{k + 1} after {levels[k - 1]})",
                value,
                code="input.inconsistent",
            )


def _loss_ratios(
    doc: _Doc, elem: Element, what: str, mean_tag: str, cov_tag: str, n: int
) -> tuple[list[float], list[float]]:
    """Mean loss ratios (fractions, one per level) and their non-negative coefficients of variation."""
    mean_el = doc.one(elem, mean_tag, what)
    mean = doc.numbers(mean_el, what, mean_tag)
    _check_count(doc, mean_el, what, mean_tag, mean, n)
    _check_fractions(doc, mean_el, what, mean_tag, mean)
    cov_el = doc.one(elem, cov_tag, what)
    cov = doc.numbers(cov_el, what, cov_tag)
    _check_count(doc, cov_el, what, cov_tag, cov, n)
    for k, c in enumerate(cov):
        if c < 0:
            raise doc.fail(cov_el, what, cov_tag, f"non-negative values (value #{k + 1})", c, code="input.range")
    return mean, cov


def _check_count(doc: _Doc, elem: Element, what: str, field_name: str, values: Sequence[float], n: int) -> None:
    if len(values) != n:
        raise doc.fail(
            elem,
            what,
            field_name,
            f"{n} values, one per intensity level (found {len(values)})",
            code="input.inconsistent",
        )


def _check_fractions(doc: _Doc, elem: Element, what: str, field_name: str, values: Sequence[float]) -> None:
    for k, value in enumerate(values):
        if not 0.0 <= value <= 1.0:
            raise doc.fail(elem, what, field_name, f"values in [0, 1] (value #{k + 1})", value, code="input.range")


def _loss_type(doc: _Doc, model: Element, override: str | None) -> str:
    if override is not None:
        if override not in LOSS_TYPES:
            raise InputError(
                f"{doc.source}: loss_type {override!r} is not one of {', '.join(LOSS_TYPES)}.",
                code="input.unknown",
                field="loss_type",
            )
        return override
    raw = doc.attr(model, "lossCategory")
    loss_type = _LOSS_CATEGORY_ALIASES.get(raw.lower(), raw)
    if loss_type not in LOSS_TYPES:
        raise doc.fail(
            model,
            None,
            "lossCategory",
            f"one of {', '.join(LOSS_TYPES)} (or pass loss_type= to say which loss type the file describes)",
            raw,
            code="input.unknown",
        )
    return loss_type


def _model_element(doc: _Doc, local: str) -> Element:
    children = list(doc.root)
    if len(children) != 1 or _local(children[0].tag) != local:
        found = ", ".join(f"<{_local(c.tag)}>" for c in children) or "nothing"
        raise doc.fail(doc.root, None, None, f"one <{local}> inside <nrml> (found {found})", code="input.syntax")
    return children[0]


def _build(doc: _Doc, elem: Element, make: Any, **kwargs: Any) -> Any:
    """Construct a science-core value, adding the line to its validation message."""
    try:
        return make(**kwargs)
    except InputError as exc:
        raise InputError(
            f"{exc.message} (line {doc.line(elem)})", code=exc.code, field=exc.field, row=doc.line(elem) or None
        ) from exc


# -------------------------------------------------------------------------------------- vulnerability


def parse_vulnerability_model(
    data: bytes | str, source: str = "<memory>", *, loss_type: str | None = None
) -> VulnerabilityModel:
    """Parse an NRML 0.5 or 0.4 vulnerability model (see the module docstring for the formats)."""
    doc = _Doc(data.encode("utf-8") if isinstance(data, str) else data, source)
    model = _model_element(doc, "vulnerabilityModel")
    if doc.ns == NRML_04:
        return _parse_vulnerability_04(doc, model, loss_type)
    lt = _loss_type(doc, model, loss_type)
    functions: dict[str, VulnerabilityFunction] = {}
    for elem in model.findall(doc.q("vulnerabilityFunction")):
        fid = doc.attr(elem, "id", "<vulnerabilityFunction>")
        what = f"vulnerability function '{fid}'"
        if fid in functions:
            raise doc.fail(elem, what, "id", "ids unique within the file", fid, code="input.duplicate")
        dist = doc.attr(elem, "dist", what)
        if dist == "PM":
            raise doc.fail(
                elem,
                what,
                "dist",
                "LN or BT (probability-mass functions, PM, are not supported)",
                dist,
                code="input.unsupported",
            )
        if dist not in _NRML_DISTRIBUTIONS:
            raise doc.fail(elem, what, "dist", "LN (lognormal) or BT (beta)", dist, code="input.unknown")
        imls_el = doc.one(elem, "imls", what)
        imt = doc.attr(imls_el, "imt", what)
        unit = _unit(doc, imls_el, what, imt)
        imls = doc.numbers(imls_el, what, "imls")
        _check_levels(doc, imls_el, what, "imls", imls)
        mean, cov = _loss_ratios(doc, elem, what, "meanLRs", "covLRs", len(imls))
        functions[fid] = _build(
            doc,
            elem,
            VulnerabilityFunction,
            id=fid,
            imt=imt,
            unit=unit,
            intensity=imls,
            mean_lr=mean,
            cov=cov,
            distribution=dist,
            loss_type=lt,
            source=source,
        )
    if not functions:
        raise doc.fail(model, None, "vulnerabilityFunction", "at least one <vulnerabilityFunction>", code="input.empty")
    return VulnerabilityModel(
        id=model.get("id", ""),
        loss_type=lt,
        asset_category=model.get("assetCategory", ""),
        description=" ".join(_text(doc, model, "description").split()),
        functions=functions,
        source=source,
    )


def _text(doc: _Doc, parent: Element, local: str) -> str:
    elem = parent.find(doc.q(local))
    return "" if elem is None else "".join(elem.itertext())


def _parse_vulnerability_04(doc: _Doc, model: Element, override: str | None) -> VulnerabilityModel:
    functions: dict[str, VulnerabilityFunction] = {}
    loss_types: set[str] = set()
    sets = model.findall(doc.q("discreteVulnerabilitySet"))
    if not sets:
        raise doc.fail(
            model, None, "discreteVulnerabilitySet", "at least one <discreteVulnerabilitySet>", code="input.empty"
        )
    for vset in sets:
        lt = _loss_type(doc, vset, override)
        loss_types.add(lt)
        iml_el = doc.one(vset, "IML", "<discreteVulnerabilitySet>")
        imt = doc.attr(iml_el, "IMT", "<discreteVulnerabilitySet>")
        for elem in vset.findall(doc.q("discreteVulnerability")):
            fid = doc.attr(elem, "vulnerabilityFunctionID", "<discreteVulnerability>")
            what = f"vulnerability function '{fid}'"
            if fid in functions:
                raise doc.fail(
                    elem, what, "vulnerabilityFunctionID", "ids unique within the file", fid, code="input.duplicate"
                )
            unit = _unit(doc, iml_el, what, imt)
            imls = doc.numbers(iml_el, what, "IML")
            _check_levels(doc, iml_el, what, "IML", imls)
            dist = doc.attr(elem, "probabilisticDistribution", what)
            if dist not in _NRML_DISTRIBUTIONS:
                raise doc.fail(
                    elem, what, "probabilisticDistribution", "LN (lognormal) or BT (beta)", dist, code="input.unknown"
                )
            mean, cov = _loss_ratios(doc, elem, what, "lossRatio", "coefficientsVariation", len(imls))
            functions[fid] = _build(
                doc,
                elem,
                VulnerabilityFunction,
                id=fid,
                imt=imt,
                unit=unit,
                intensity=imls,
                mean_lr=mean,
                cov=cov,
                distribution=dist,
                loss_type=lt,
                source=doc.source,
            )
    if len(loss_types) != 1:
        raise InputError(
            f"{doc.source}: the sets have several loss categories ({', '.join(sorted(loss_types))}); "
            "a vulnerability model describes one loss type.",
            code="input.inconsistent",
            field="lossCategory",
        )
    if not functions:
        raise doc.fail(model, None, "discreteVulnerability", "at least one <discreteVulnerability>", code="input.empty")
    first = sets[0]
    return VulnerabilityModel(
        id=first.get("vulnerabilitySetID", ""),
        loss_type=loss_types.pop(),
        asset_category=first.get("assetCategory", ""),
        description="",
        functions=functions,
        source=doc.source,
    )


def read_vulnerability_model(path: Path | str, *, loss_type: str | None = None) -> VulnerabilityModel:
    """Read an NRML vulnerability model file (0.5, or 0.4 where ``loss_type`` may name its loss type)."""
    data, source = read_file_bytes(path)
    return parse_vulnerability_model(data, source, loss_type=loss_type)


def _numbers_text(values: Iterable[float]) -> str:
    # repr gives the shortest text that reads back to the same float: exact round trip.
    return " ".join(repr(float(v)) for v in values)


def format_vulnerability_model(
    functions: Iterable[VulnerabilityFunction],
    *,
    model_id: str = "vulnerability_model",
    asset_category: str = "buildings",
    description: str = "",
) -> str:
    """NRML 0.5 text of one vulnerability model; all functions must share a loss type.

    A deterministic function (``distribution="none"``) is written as ``LN`` with zero ``covLRs``, the
    manual's way to ignore the uncertainty. Functions with ``paa`` or ``below_first="clamp"`` (CLIMADA
    conventions) have no NRML form and raise :class:`InputError`.
    """
    funcs = list(functions)
    if not funcs:
        raise InputError("NRML writer: no vulnerability functions to write.", code="input.empty")
    loss_types = {f.loss_type for f in funcs}
    if len(loss_types) != 1:
        raise InputError(
            f"NRML writer: one model holds one loss type; got {', '.join(sorted(loss_types))}. Write one file each.",
            code="input.inconsistent",
            field="loss_type",
        )
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<nrml xmlns="{NRML_05}">',
        f"<vulnerabilityModel id={quoteattr(model_id)} assetCategory={quoteattr(asset_category)} "
        f"lossCategory={quoteattr(funcs[0].loss_type)}>",
        f"<description>{escape(description)}</description>",
    ]
    seen: set[str] = set()
    for f in funcs:
        if f.paa is not None or f.below_first != "zero":
            raise InputError(
                f"NRML writer: function '{f.id}' uses paa or below_first='clamp', which NRML cannot express.",
                code="input.unsupported",
                field="distribution",
            )
        if f.id in seen:
            raise InputError(f"NRML writer: function id '{f.id}' appears twice.", code="input.duplicate", field="id")
        seen.add(f.id)
        dist = "LN" if f.distribution == "none" else f.distribution
        cov = np.zeros_like(f.intensity) if f.cov is None else f.cov
        lines += [
            f"<vulnerabilityFunction id={quoteattr(f.id)} dist={quoteattr(dist)}>",
            f"<imls imt={quoteattr(f.imt)}>{_numbers_text(f.intensity)}</imls>",
            f"<meanLRs>{_numbers_text(f.mean_lr)}</meanLRs>",
            f"<covLRs>{_numbers_text(cov)}</covLRs>",
            "</vulnerabilityFunction>",
        ]
    lines += ["</vulnerabilityModel>", "</nrml>", ""]
    return "\n".join(lines)


def write_vulnerability_model(
    path: Path | str,
    functions: Iterable[VulnerabilityFunction],
    *,
    model_id: str = "vulnerability_model",
    asset_category: str = "buildings",
    description: str = "",
) -> None:
    """Write one NRML 0.5 vulnerability model file (UTF-8); see :func:`format_vulnerability_model`."""
    text = format_vulnerability_model(
        functions, model_id=model_id, asset_category=asset_category, description=description
    )
    Path(path).write_text(text, encoding="utf-8")


# ------------------------------------------------------------------------------------------ fragility


def parse_fragility_model(
    data: bytes | str, source: str = "<memory>", *, ignore_no_damage_limit: bool = False
) -> FragilityModel:
    """Parse an NRML 0.5 fragility model (discrete and continuous lognormal functions; see module docstring)."""
    doc = _Doc(data.encode("utf-8") if isinstance(data, str) else data, source)
    if doc.ns == NRML_04:
        raise InputError(
            f"{source}: NRML 0.4 fragility models are not supported; upgrade the file with `oq upgrade_nrml`.",
            code="input.unsupported",
            field="nrml",
        )
    model = _model_element(doc, "fragilityModel")
    lt = _loss_type(doc, model, None)
    ls_el = doc.one(model, "limitStates", None)
    limit_states = tuple((ls_el.text or "").split())
    if not limit_states or len(set(limit_states)) != len(limit_states):
        raise doc.fail(
            ls_el,
            None,
            "limitStates",
            "distinct limit-state names separated by spaces",
            ls_el.text,
            code="input.duplicate",
        )
    functions: dict[str, FragilityFunction] = {}
    ranges: dict[str, IntensityRange] = {}
    for elem in model.findall(doc.q("fragilityFunction")):
        fid = doc.attr(elem, "id", "<fragilityFunction>")
        what = f"fragility function '{fid}'"
        if fid in functions:
            raise doc.fail(elem, what, "id", "ids unique within the file", fid, code="input.duplicate")
        fmt = doc.attr(elem, "format", what)
        imls_el = doc.one(elem, "imls", what)
        imt = doc.attr(imls_el, "imt", what)
        unit = _unit(doc, imls_el, what, imt)
        ndl = doc.number_attr(imls_el, "noDamageLimit", what, required=False)
        if fmt == "continuous":
            func, rng = _continuous(doc, elem, imls_el, what, fid, imt, unit, limit_states, ndl, ignore_no_damage_limit)
        elif fmt == "discrete":
            func, rng = _discrete(doc, elem, imls_el, what, fid, imt, unit, limit_states, ndl)
        else:
            raise doc.fail(elem, what, "format", "'discrete' or 'continuous'", fmt, code="input.unknown")
        functions[fid] = func
        ranges[fid] = rng
    if not functions:
        raise doc.fail(model, None, "fragilityFunction", "at least one <fragilityFunction>", code="input.empty")
    return FragilityModel(
        id=model.get("id", ""),
        loss_type=lt,
        asset_category=model.get("assetCategory", ""),
        description=" ".join(_text(doc, model, "description").split()),
        limit_states=limit_states,
        functions=functions,
        ranges=ranges,
        source=source,
    )


def _by_limit_state(doc: _Doc, elem: Element, local: str, what: str, limit_states: tuple[str, ...]) -> list[Element]:
    found: dict[str, Element] = {}
    for child in elem.findall(doc.q(local)):
        ls = doc.attr(child, "ls", what)
        if ls not in limit_states:
            raise doc.fail(
                child,
                what,
                "ls",
                f"one of the model's limit states ({' '.join(limit_states)})",
                ls,
                code="input.unknown",
            )
        if ls in found:
            raise doc.fail(child, what, "ls", "each limit state once", ls, code="input.duplicate")
        found[ls] = child
    missing = [ls for ls in limit_states if ls not in found]
    if missing:
        raise doc.fail(
            elem, what, local, f"one <{local}> per limit state; missing {', '.join(missing)}", code="input.missing"
        )
    return [found[ls] for ls in limit_states]


def _continuous(
    doc: _Doc,
    elem: Element,
    imls_el: Element,
    what: str,
    fid: str,
    imt: str,
    unit: str,
    limit_states: tuple[str, ...],
    ndl: float | None,
    ignore_no_damage_limit: bool,
) -> tuple[FragilityFunction, IntensityRange]:
    shape = doc.attr(elem, "shape", what)
    if shape != "logncdf":
        raise doc.fail(
            elem, what, "shape", "'logncdf' (the only continuous shape NRML defines)", shape, code="input.unsupported"
        )
    if ndl and not ignore_no_damage_limit:
        raise doc.fail(
            imls_el,
            what,
            "noDamageLimit",
            "no noDamageLimit on a continuous function (Kalkan's lognormal function has no cut-off; pass "
            "ignore_no_damage_limit=True to accept the function without it)",
            ndl,
            code="input.unsupported",
        )
    min_iml = doc.number_attr(imls_el, "minIML", what, required=False)
    max_iml = doc.number_attr(imls_el, "maxIML", what, required=False)
    medians: list[float] = []
    betas: list[float] = []
    for params in _by_limit_state(doc, elem, "params", what, limit_states):
        values = []
        for name in ("mean", "stddev"):
            raw = params.get(name)
            expected = f"a positive number (limit state '{params.get('ls')}')"
            if raw is None:
                raise doc.fail(params, what, name, expected, raw, code="input.missing")
            try:
                value = float(raw)
            except ValueError:
                raise doc.fail(params, what, name, expected, raw) from None
            if not (math.isfinite(value) and value > 0):
                raise doc.fail(params, what, name, expected, raw, code="input.range")
            values.append(value)
        try:
            median, beta = lognormal_median_beta(values[0], values[1])
        except OverflowError:
            median = beta = math.inf
        if not (math.isfinite(median) and median > 0 and math.isfinite(beta) and beta > 0):
            expected = f"a stddev/mean ratio that gives a lognormal (limit state '{params.get('ls')}')"
            raise doc.fail(params, what, "stddev", expected, params.get("stddev"), code="input.range")
        medians.append(median)
        betas.append(beta)
    func = _build(
        doc,
        elem,
        FragilityFunction,
        id=fid,
        imt=imt,
        unit=unit,
        limit_states=limit_states,
        kind="lognormal",
        median=medians,
        beta=betas,
        source=doc.source,
    )
    return func, IntensityRange(min_iml=min_iml, max_iml=max_iml, no_damage_limit=ndl)


def _discrete(
    doc: _Doc,
    elem: Element,
    imls_el: Element,
    what: str,
    fid: str,
    imt: str,
    unit: str,
    limit_states: tuple[str, ...],
    ndl: float | None,
) -> tuple[FragilityFunction, IntensityRange]:
    imls = doc.numbers(imls_el, what, "imls")
    _check_levels(doc, imls_el, what, "imls", imls)
    table = []
    for poes_el in _by_limit_state(doc, elem, "poes", what, limit_states):
        poes = doc.numbers(poes_el, what, "poes")
        _check_count(doc, poes_el, what, "poes", poes, len(imls))
        _check_fractions(doc, poes_el, what, "poes", poes)
        table.append(poes)
    x = np.asarray(imls, dtype=np.float64)
    p = np.asarray(table, dtype=np.float64)
    if ndl is not None and ndl > x[0]:
        if ndl >= x[-1]:
            raise doc.fail(
                imls_el,
                what,
                "noDamageLimit",
                f"a value below the last intensity level {x[-1]}",
                ndl,
                code="input.range",
            )
        keep = x > ndl
        at_ndl = np.array([np.interp(ndl, x, row) for row in p])
        x = np.concatenate([[ndl], x[keep]])
        p = np.concatenate([at_ndl[:, None], p[:, keep]], axis=1)
    func = _build(
        doc,
        elem,
        FragilityFunction,
        id=fid,
        imt=imt,
        unit=unit,
        limit_states=limit_states,
        kind="discrete",
        intensity=x,
        poes=p,
        source=doc.source,
    )
    return func, IntensityRange(no_damage_limit=ndl)


def read_fragility_model(path: Path | str, *, ignore_no_damage_limit: bool = False) -> FragilityModel:
    """Read an NRML 0.5 fragility model file (see :func:`parse_fragility_model`)."""
    data, source = read_file_bytes(path)
    return parse_fragility_model(data, source, ignore_no_damage_limit=ignore_no_damage_limit)
