"""Registration of the shipped models (module paths only; nothing is imported here)."""

from __future__ import annotations

from kalkan.core.hazard.earthquake.gmpe import register

_P = "kalkan.core.hazard.earthquake.gmpe"

# OpenQuake class name, "module:Class", aliases.
MODELS: list[tuple[str, str, tuple[str, ...]]] = [
    ("AbrahamsonEtAl2014", f"{_P}.abrahamson_2014:AbrahamsonEtAl2014", ("ASK14",)),
    ("AkkarBommer2010", f"{_P}.akkar_bommer_2010:AkkarBommer2010", ("AkBo2010",)),
    ("AkkarEtAlRjb2014", f"{_P}.akkar_2014:AkkarEtAlRjb2014", ("Akkar2014Rjb",)),
    ("BooreEtAl2014", f"{_P}.boore_2014:BooreEtAl2014", ("BSSA14",)),
    ("CampbellBozorgnia2014", f"{_P}.campbell_bozorgnia_2014:CampbellBozorgnia2014", ("CB14",)),
    ("CauzziEtAl2014", f"{_P}.cauzzi_2014:CauzziEtAl2014", ("Cauzzi2014",)),
    ("ChiouYoungs2014", f"{_P}.chiou_youngs_2014:ChiouYoungs2014", ("CY14",)),
    ("SadighEtAl1997", f"{_P}.sadigh_1997:SadighEtAl1997", ("Sadigh1997",)),
]

for _name, _target, _aliases in MODELS:
    register(_name, _target, _aliases)
