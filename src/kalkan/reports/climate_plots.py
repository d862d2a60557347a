"""Plots of climate scenarios: a region's warming path per SSP with the across-model spread shaded."""

from __future__ import annotations

from pathlib import Path

from kalkan.core.climate.scenarios import BASELINE, SSPS, WarmingPath
from kalkan.errors import InputError

PLOT_SUFFIXES = (".png", ".svg")
# IPCC AR6 WGI SSP colours (Annex VI / the WGI visual style guide).
SSP_COLOURS = {"ssp126": "#1d3354", "ssp245": "#eadd3d", "ssp370": "#e71d25", "ssp585": "#951b1e"}


def check_plot_path(path: Path) -> None:
    """Refuse a plot file name whose format Kalkan does not write, before anything is computed."""
    if path.suffix.lower() not in PLOT_SUFFIXES:
        raise InputError(
            f"{path}: the plot file must end in {' or '.join(PLOT_SUFFIXES)}.", code="input.unsupported", field="--plot"
        )
    if not path.parent.exists():
        raise InputError(f"{path}: folder {path.parent} does not exist.", code="input.not_found", field="--plot")


def plot_warming_paths(paths: list[WarmingPath], out: Path, *, title: str) -> Path:
    """Write the median change (line) and its percentile spread (shaded) per SSP vs window centre, °C.

    matplotlib is imported here, not at module import, and uses the non-interactive Agg backend.
    """
    check_plot_path(out)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    try:
        for p in paths:
            colour = SSP_COLOURS.get(p.ssp)
            ax.fill_between(p.centres, p.low_c, p.high_c, color=colour, alpha=0.18, linewidth=0)
            spread = f"p{p.low_percentile:g}-p{p.high_percentile:g}"
            label = f"{SSPS[p.ssp]} median, {spread} shaded ({p.n_models} models)"
            ax.plot(p.centres, p.median_c, color=colour, linewidth=2, label=label)
        ax.axhline(0.0, color="grey", linewidth=0.8)
        ax.set_xlabel("centre of the 20-year window (e.g. 2050 = 2041-2060)")
        ax.set_ylabel(f"change of annual-mean tas vs {BASELINE.label} (°C)")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
        ax.grid(alpha=0.3)
        fig.text(
            0.01,
            0.01,
            "Data: IPCC AR6 WGI Atlas regional CMIP6 (Iturbide et al. 2020, ESSD), CC BY 4.0",
            fontsize=6,
            color="grey",
        )
        fig.tight_layout(rect=(0, 0.03, 1, 1))
        fig.savefig(out)
    finally:
        plt.close(fig)
    return out
