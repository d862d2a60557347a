#!/usr/bin/env bash
# Create a separate virtualenv with CLIMADA 6.1 for the side-by-side benchmarks.
#
# CLIMADA is never a dependency of Kalkan: it lives in its own virtualenv outside the repository,
# at ${CLIMADA_VENV:-/work/venvs/climada}. Recipe (Debian 12 / bookworm, whose libgdal-dev is
# GDAL 3.6.2, matching the Python binding pinned below):
#   apt-get update && apt-get install -y libgdal-dev      (as root)
#   pip install "gdal==3.6.2" "climada>=6.1,<6.2" "pandas<3" "bayesian-optimization<2"
# Notes:
#   * the GDAL Python binding must match the system GDAL exactly, so it is pinned to the version
#     that `gdal-config --version` reports (3.6.2 on bookworm) and built from source against it;
#     numpy, setuptools and wheel are installed first so that the binding is built with numpy support.
#   * pandas 3 and bayesian-optimization 2 break CLIMADA 6.1 at import or run time, hence the caps.
# Idempotent: each step is skipped when already done. Usage:
#   bash benchmarks/setup_climada.sh            # or CLIMADA_VENV=/some/dir bash ...
#   PYTHON=python3.11 bash benchmarks/setup_climada.sh
set -euo pipefail

CLIMADA_VENV="${CLIMADA_VENV:-/work/venvs/climada}"
PYTHON="${PYTHON:-python3.11}"
CLIMADA_SPEC="${CLIMADA_SPEC:-climada>=6.1,<6.2}"

log() { printf '[setup_climada] %s\n' "$*"; }

# 1. system GDAL (headers + gdal-config)
if command -v gdal-config >/dev/null 2>&1; then
    log "libgdal-dev present (GDAL $(gdal-config --version))"
else
    if [ "$(id -u)" -ne 0 ]; then
        log "libgdal-dev is missing and this is not root: run 'apt-get install -y libgdal-dev' as root"
        exit 1
    fi
    log "installing libgdal-dev"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y libgdal-dev
fi
GDAL_VERSION="$(gdal-config --version)"

# 2. the virtualenv
if [ -x "$CLIMADA_VENV/bin/python" ]; then
    log "virtualenv exists: $CLIMADA_VENV"
else
    log "creating virtualenv $CLIMADA_VENV with $PYTHON"
    mkdir -p "$(dirname "$CLIMADA_VENV")"
    "$PYTHON" -m venv "$CLIMADA_VENV"
    "$CLIMADA_VENV/bin/python" -m pip install --upgrade pip
fi
VPY="$CLIMADA_VENV/bin/python"

# 3. CLIMADA and its pinned companions
if "$VPY" - <<'PY' 2>/dev/null
import importlib.metadata as md
v = md.version("climada")
assert v.startswith("6.1."), v
from osgeo import gdal  # noqa: F401
import climada.engine  # noqa: F401
PY
then
    log "CLIMADA $("$VPY" -c 'import importlib.metadata as m; print(m.version("climada"))') already installed"
else
    log "installing GDAL $GDAL_VERSION binding and $CLIMADA_SPEC (this takes several minutes)"
    "$VPY" -m pip install --upgrade setuptools wheel numpy
    # build the GDAL binding against the installed numpy (no build isolation) so gdal_array works
    "$VPY" -m pip install --no-build-isolation "gdal==$GDAL_VERSION"
    "$VPY" -m pip install "gdal==$GDAL_VERSION" "$CLIMADA_SPEC" "pandas<3" "bayesian-optimization<2"
fi

# 4. smoke check
"$VPY" - <<'PY'
import importlib.metadata as md
from osgeo import gdal
import climada.engine  # noqa: F401
print(f"[setup_climada] OK: climada {md.version('climada')}, GDAL {gdal.__version__}, "
      f"numpy {md.version('numpy')}, pandas {md.version('pandas')}")
PY
