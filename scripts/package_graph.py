"""Draw Kalkan's package graph from the code as it is: which package imports which, and how often.

Why: docs/architecture.md states the layer rule (faces -> use cases -> store/io/reports -> catalogue -> core);
this shows the imports that actually exist, so anyone can see the rule hold (``make graph``). It reads every
import, including those inside functions, with grimp (the library import-linter uses).

Usage: python scripts/package_graph.py [--depth 2|3] [--mermaid]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

import grimp

LAYERS = ["kalkan.cli", "kalkan.app", "kalkan.store", "kalkan.io", "kalkan.reports", "kalkan.catalog", "kalkan.core"]


def package_of(module: str, depth: int) -> str:
    """The package a module belongs to at ``depth`` dotted parts (``kalkan.core.risk`` at depth 3)."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] == "core" and depth >= 3:
        return ".".join(parts[:3])
    return ".".join(parts[:2])


def edges(depth: int) -> Counter[tuple[str, str]]:
    graph = grimp.build_graph("kalkan")
    counts: Counter[tuple[str, str]] = Counter()
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            a, b = package_of(importer, depth), package_of(imported, depth)
            if a != b:
                counts[(a, b)] += len(graph.get_import_details(importer=importer, imported=imported)) or 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=2, choices=(2, 3), help="3 splits the core into its packages")
    parser.add_argument("--mermaid", action="store_true", help="print a Mermaid flowchart instead of a list")
    args = parser.parse_args(argv)
    counts = edges(args.depth)
    if args.mermaid:
        print("flowchart TD")
        for (a, b), n in sorted(counts.items()):
            print(f"    {a.replace('.', '_')}[{a}] -->|{n}| {b.replace('.', '_')}[{b}]")
        return 0
    width = max((len(a) for a, _ in counts), default=10)
    for (a, b), n in sorted(counts.items(), key=lambda kv: (_rank(kv[0][0]), kv[0][0], _rank(kv[0][1]), kv[0][1])):
        print(f"{a:<{width}} -> {b}  ({n} import{'s' if n != 1 else ''})")
    return 0


def _rank(package: str) -> int:
    for k, layer in enumerate(LAYERS):
        if package == layer or package.startswith(layer + "."):
            return k
    return len(LAYERS)


if __name__ == "__main__":
    sys.exit(main())
