#!/usr/bin/env bash
# Install the Debian packages the test suite needs: a PostgreSQL server with PostGIS.
# Needs root (CI runs as root); elsewhere it prints the command to run and exits 1.
set -euo pipefail

have_pg() {
    command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}
have_postgis() {
    ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1
}

if have_pg && have_postgis; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL with PostGIS is not installed. On Debian/Ubuntu run:" >&2
    echo "  sudo apt-get install -y postgresql postgresql-postgis" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# postgresql-postgis is Debian's metapackage for the PostGIS build matching the default server.
apt-get install -y -qq --no-install-recommends postgresql postgresql-postgis >/dev/null
echo "Installed PostgreSQL $(ls /usr/lib/postgresql | sort -V | tail -1) with PostGIS."
