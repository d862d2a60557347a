"""`kalkan risk combine`: total risk of several perils from the result folders of `kalkan risk run`.

A plain function, registered in :mod:`kalkan.cli` with ``risk_app.command("combine")(risk_combine)``; heavy
imports happen inside it, so importing this module stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from kalkan.core.risk.return_periods import parse_return_periods, standard_text
from kalkan.errors import InputError

out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of a table.")]


def _resolve_runs(items: list[str]) -> list[Path]:
    """Each item is a result folder, or the id (or a 6+ character prefix) of a recorded run, whose own result
    folder is used: the exact files that run produced, whatever happened to its published copy since."""
    from kalkan.store.database import optional_store
    from kalkan.store.runs import get_run

    folders: list[Path] = []
    store = None
    try:
        for item in items:
            path = Path(item)
            if path.is_dir():
                folders.append(path)
                continue
            if store is None:
                store = optional_store()
            if store is None or len(item) < 6:
                raise InputError(f"{item}: no such result folder (and no database to look up a run id in).")
            with store.read() as session:
                run = get_run(session, item)
                if not run.result_path:
                    raise InputError(f"Run {run.id} ({run.kind}, {run.status}) has no result folder to combine.")
                folders.append(Path(run.result_path))
    finally:
        if store is not None:
            store.close()
    return folders


def risk_combine(
    run_dirs: Annotated[
        list[str], typer.Argument(help="Result folders of `kalkan risk run` (or run ids), one per peril.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for summary.json and combined_curve.csv.")],
    return_periods: Annotated[
        str, typer.Option("--return-periods", help="Return periods, years, e.g. 10,100,1000.")
    ] = standard_text(),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out folder.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Combine per-peril runs of one exposure: total AAL (sum) and the exceedance curve of the union of the
    event sets (independent perils); aggregate annual losses when all runs have catalogue years. Recorded as a
    run."""
    from kalkan.app.jobs import Output, job
    from kalkan.app.multihazard import combine_runs

    folders = _resolve_runs(run_dirs)
    rps = parse_return_periods(return_periods)
    inputs: dict[str, Path | str] = {f"run_{k}": folder for k, folder in enumerate(folders)}
    parameters = {"runs": [str(f) for f in folders], "return_periods": list(rps)}
    with job("risk-combine", parameters=parameters, inputs=inputs, output=Output(out_dir, force=force)) as run:
        summary = combine_runs(folders, run.workdir, return_periods=rps).as_dict()
        run.summary = {k: summary[k] for k in ("perils", "aal_total", "rp_losses") if k in summary}
    summary["run_id"] = run.id
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    _print(summary, out_dir)


def _print(summary: dict[str, Any], folder: Path) -> None:
    money = summary["units"]["loss"]
    perils = summary["perils"]
    table = Table(title=f"Multi-hazard risk — {folder}")
    table.add_column("metric")
    for p in perils:
        table.add_column(p, justify="right")
    table.add_column("all perils", justify="right")
    table.add_row(
        f"average annual loss ({money} per year)",
        *(f"{summary['aal_by_peril'][p]:,.0f}" for p in perils),
        f"{summary['aal_total']:,.0f}",
    )
    for rp, loss in summary["rp_losses"].items():
        table.add_row(
            f"loss at {rp}-year return period ({money})",
            *(f"{summary['rp_losses_by_peril'][p][rp]:,.0f}" for p in perils),
            f"{loss:,.0f}",
        )
    agg = summary.get("aggregate")
    if agg:
        parts = agg.get("aggregate_rp_losses_by_peril", {})
        for rp, loss in agg["aggregate_rp_losses"].items():
            table.add_row(
                f"annual total at {rp} years ({money})",
                *(f"{parts[p][rp]:,.0f}" if p in parts else "" for p in perils),
                f"{loss:,.0f}",
            )
    out.print(table)
    out.print(f"Aggregate annual losses: {summary['aggregate_note']}.")
    for note in summary.get("notes", []):
        out.print(f"[yellow]Note: {note}.[/]")
    out.print(f"Method: {summary['method']}.")
    out.print(f"Loss at a return period: {summary['return_period_definition']}.")
