#!/usr/bin/env bash
# Create a separate virtualenv with the OpenQuake engine 3.26.2 for the side-by-side benchmark
# (benchmarks/bench_openquake.py).
#
# OpenQuake is never a dependency of Kalkan: it lives in its own virtualenv outside the repository,
# at ${OQ_VENV:-/work/venvs/openquake}. Recipe (/work/shared/bench/README.md):
#   1. the dependencies listed in the wheel's metadata (Requires-Dist, with their markers) except gdal,
#      which is needed only for OpenQuake's GIS input formats (the benchmark uses NRML/CSV),
#      together with "pandas<3" (pandas 3 breaks its risk calculators);
#   2. pip install --no-deps openquake-engine==3.26.2.
# Run the engine with CI=1 so that it skips its network version check.
# Idempotent: each step is skipped when already done. Usage:
#   bash benchmarks/setup_openquake.sh          # or OQ_VENV=/some/dir bash ...
#   PYTHON=python3.11 OQ_VERSION=3.26.2 bash benchmarks/setup_openquake.sh
set -euo pipefail

OQ_VENV="${OQ_VENV:-/work/venvs/openquake}"
PYTHON="${PYTHON:-python3.11}"
OQ_VERSION="${OQ_VERSION:-3.26.2}"
export CI=1

log() { printf '[setup_openquake] %s\n' "$*"; }

# 1. the virtualenv
if [ -x "$OQ_VENV/bin/python" ]; then
    log "virtualenv exists: $OQ_VENV"
else
    log "creating virtualenv $OQ_VENV with $PYTHON"
    mkdir -p "$(dirname "$OQ_VENV")"
    "$PYTHON" -m venv "$OQ_VENV"
    "$OQ_VENV/bin/python" -m pip install --upgrade pip
fi
VPY="$OQ_VENV/bin/python"

installed() {
    "$VPY" - "$OQ_VERSION" <<'PY' 2>/dev/null
import importlib.metadata as md, sys
assert md.version("openquake.engine") == sys.argv[1]
assert int(md.version("pandas").split(".")[0]) < 3
import openquake.commonlib.datastore  # noqa: F401
import openquake.hazardlib  # noqa: F401
PY
}

# 2. the dependencies from the wheel's metadata (minus gdal), then the engine without dependencies
if installed; then
    log "openquake.engine $OQ_VERSION already installed"
else
    WHEELS="$OQ_VENV/wheels"
    mkdir -p "$WHEELS"
    "$VPY" -m pip download --no-deps --dest "$WHEELS" "openquake-engine==$OQ_VERSION"
    WHEEL="$(ls "$WHEELS"/openquake_engine-"$OQ_VERSION"-*.whl | head -1)"
    "$VPY" - "$WHEEL" > "$WHEELS/requirements.txt" <<'PY'
import re, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
    for line in z.read(meta).decode().splitlines():
        if line.startswith("Requires-Dist:"):
            req = line.split(":", 1)[1].strip()
            if re.split(r"[ ;<>=~!\[]", req, maxsplit=1)[0].lower() != "gdal":
                print(req)
PY
    log "installing $(wc -l < "$WHEELS/requirements.txt") dependencies (gdal left out) and pandas<3"
    "$VPY" -m pip install -r "$WHEELS/requirements.txt" "pandas<3"
    log "installing $WHEEL without dependencies"
    "$VPY" -m pip install --no-deps "$WHEEL"
fi

# 3. smoke check
installed || { log "import check failed"; exit 1; }
"$OQ_VENV/bin/oq" --version >/dev/null
log "OK: $("$VPY" -c 'import importlib.metadata as m; print(*(f"{p} {m.version(p)}" for p in ("openquake.engine", "numpy", "pandas", "numba")), sep=", ")')"
