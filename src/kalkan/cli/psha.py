"""``kalkan eq curves``: classical PSHA hazard curves (a PEER verification folder, or a source model).

A plain function for ``eq_app.command("curves")(eq_curves)`` in :mod:`kalkan.cli`; it prints a summary (or
JSON with ``--json``) and raises :class:`~kalkan.errors.KalkanError` for input problems, which the CLI shows
as a message.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kalkan.errors import KalkanError

DEFAULT_LEVELS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5, 2.0)
"""Default intensity levels (g) of every IMT when --level is not given."""


def eq_curves(
    out: Annotated[Path, typer.Option("--out", help="Output: a CSV file with --peer-case, else a folder.")],
    peer_case: Annotated[
        Path | None, typer.Option("--peer-case", help="nshmp-haz PEER case folder (config.json, sites.csv, ...).")
    ] = None,
    sources: Annotated[Path | None, typer.Option(help="Source model: OpenQuake NRML .xml or Kalkan .csv.")] = None,
    gmpe: Annotated[list[str] | None, typer.Option(help="Ground-motion model (repeat; equal weights).")] = None,
    gmpe_logic_tree: Annotated[
        Path | None, typer.Option(help="GMPE logic tree (NRML .xml or model,weight .csv).")
    ] = None,
    sites: Annotated[Path | None, typer.Option(help="Sites CSV: [name,]lon,lat[,vs30].")] = None,
    city: Annotated[str | None, typer.Option(help="Sites on a grid over this founding city.")] = None,
    grid_km: Annotated[float, typer.Option(help="Grid spacing over the city, km.")] = 2.0,
    vs30: Annotated[
        float | None,
        typer.Option(help="Vs30 of sites without one, m/s [default: 400, Kalkan's city-soil default; see --rock]."),
    ] = None,
    rock: Annotated[
        bool,
        typer.Option(
            "--rock",
            help="Reference rock (Vs30 760 m/s) for sites without one: the site condition of "
            "published hazard maps, for comparison with them.",
        ),
    ] = False,
    imt: Annotated[list[str] | None, typer.Option(help="Intensity measure (repeat): PGA, SA(0.2), ...")] = None,
    level: Annotated[list[float] | None, typer.Option(help="Intensity level, g (repeat; default 0.0005-2 g).")] = None,
    investigation_time: Annotated[float, typer.Option(help="Investigation time, years.")] = 50.0,
    return_period: Annotated[
        float | None, typer.Option(help="Return period (years) of the hazard map GeoJSON and UHS.")
    ] = None,
    quantile: Annotated[list[float] | None, typer.Option(help="Logic-tree quantile curve (repeat).")] = None,
    truncation: Annotated[float, typer.Option(help="Truncation of the GMPE residuals, standard deviations.")] = 3.0,
    max_distance: Annotated[float, typer.Option(help="Integration distance (Rrup), km.")] = 300.0,
    mesh_spacing: Annotated[float, typer.Option(help="Fault rupture mesh spacing, km.")] = 5.0,
    area_spacing: Annotated[float, typer.Option(help="Area source grid spacing, km.")] = 10.0,
    skip_unsupported: Annotated[
        bool, typer.Option(help="Leave out unsupported NRML sources (recorded as warnings) instead of failing.")
    ] = False,
    disagg_site: Annotated[
        str | None, typer.Option(help="Disaggregate this site at the return period (first IMT).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Classical PSHA hazard curves: a PEER test folder (--peer-case) or a source model (--sources). Recorded
    as a run."""
    from kalkan.app.jobs import Output, job
    from kalkan.app.psha import gmpe_branches, hazard_curves, read_psha_sites, run_peer_case, write_hazard_outputs
    from kalkan.core.hazard.earthquake.psha import ExceedanceModel
    from kalkan.core.hazard.earthquake.site import DEFAULT_VS30_M_S, ROCK_REFERENCE_VS30_M_S, vs30_record, vs30_text

    if peer_case is not None:
        if sources is not None:
            raise KalkanError("Give either --peer-case or --sources, not both.")
        if not peer_case.is_dir():
            raise KalkanError(f"{peer_case}: not a folder (a PEER case folder with config.json, sites.csv, ...).")
        with job("eq-peer-case", parameters={"peer_case": str(peer_case)}, inputs={"peer_case": peer_case},
                 output=Output(out, is_dir=False, force=force)) as recorded:  # fmt: skip
            summary = run_peer_case(peer_case, recorded.target)
            recorded.summary = {k: summary[k] for k in ("case", "sites", "ruptures") if k in summary}
        if as_json:
            typer.echo(json.dumps(summary, indent=2))
            return
        typer.echo(
            f"{summary['case']}: {summary['sites']} sites, {summary['ruptures']:,} ruptures, "
            f"{'+'.join(summary['gmpes'])}, {summary['exceedance_model']} in {summary['seconds']:.2f} s -> {out}"
        )
        for w in summary["warnings"]:
            typer.echo(f"Warning: {w}", err=True)
        return
    if sources is None:
        raise KalkanError("Give --peer-case DIR or --sources FILE.", hint="see `kalkan eq curves --help`")
    if disagg_site is not None and return_period is None:
        raise KalkanError("--disagg-site needs --return-period (the level to disaggregate).")
    if rock and vs30 is not None:
        raise KalkanError("Give --vs30 or --rock, not both.")
    site_vs30 = ROCK_REFERENCE_VS30_M_S if rock else (DEFAULT_VS30_M_S if vs30 is None else vs30)
    branches = gmpe_branches(gmpe or (), gmpe_logic_tree)
    site_set = read_psha_sites(sites, city=city, grid_km=grid_km, vs30=site_vs30)
    site_condition = vs30_record(site_vs30, site_set.vs30_m_s)
    imts = imt or ["PGA"]
    inputs = {k: v for k, v in (("sources", sources), ("gmpe_logic_tree", gmpe_logic_tree), ("sites", sites))
              if v is not None}  # fmt: skip
    parameters = {"sources": str(sources), "gmpe": list(gmpe or ()), "city": city, "grid_km": grid_km,
                  "vs30": site_vs30, "imts": imts, "levels_g": list(level or DEFAULT_LEVELS),
                  "investigation_time_years": investigation_time,
                  "return_period_years": return_period, "quantiles": list(quantile or ()), "truncation": truncation,
                  "max_distance_km": max_distance, "mesh_spacing_km": mesh_spacing, "area_spacing_km": area_spacing,
                  "skip_unsupported": skip_unsupported, "disagg_site": disagg_site}  # fmt: skip
    with job("eq-curves", parameters=parameters, inputs=inputs, output=Output(out, force=force)) as recorded:
        run = hazard_curves(
            sources, branches, site_set, imts, list(level or DEFAULT_LEVELS), investigation_time,
            truncation_level=truncation, max_distance_km=max_distance, skip_unsupported=skip_unsupported,
            mesh_spacing_km=mesh_spacing, area_spacing_km=area_spacing,
        )  # fmt: skip
        summary = write_hazard_outputs(
            run.curves, recorded.workdir, return_period=return_period, quantiles=quantile or (), ruptures=run.ruptures,
            branches=run.branches, disagg_site=disagg_site,
            exceedance_model=ExceedanceModel("TRUNCATION_LOWER_UPPER", truncation), site_condition=site_condition,
        )  # fmt: skip
        summary["warnings"] = [*run.warnings, *(w for w in summary["warnings"] if w not in run.warnings)]
        recorded.summary = {"sites": summary["sites"], "files": sorted(summary["files"])}
    summary["files"] = {name: str(Path(out) / Path(path).name) for name, path in summary["files"].items()}
    summary["run_id"] = recorded.id
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(f"Hazard curves at {summary['sites']} sites for {', '.join(imts)} ({len(branches)} GMPE branch(es)).")
    typer.echo(f"Site condition: {vs30_text(site_condition)}.")
    for name, path in summary["files"].items():
        typer.echo(f"  {name}: {path}")
    for note in summary.get("notes", []):
        typer.echo(f"Note: {note}")
    for w in summary["warnings"]:
        typer.echo(f"Warning: {w}", err=True)
