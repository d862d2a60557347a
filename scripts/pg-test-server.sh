#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server for the tests, on loopback only, in a temporary directory.
#   eval "$(scripts/pg-test-server.sh start)"   # exports KALKAN_TEST_POSTGRES_URL and KALKAN_PG_TEST_DIR
#   scripts/pg-test-server.sh stop "$KALKAN_PG_TEST_DIR"
set -euo pipefail

bindir() {
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return
    fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
    command -v initdb >/dev/null 2>&1 && { dirname "$(readlink -f "$(command -v initdb)")"; return; }
    return 1
}

as_owner() {
    # initdb and postgres refuse to run as root: use the postgres system user then.
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case "${1:-}" in
start)
    bin=$(bindir) || { echo "echo 'no PostgreSQL server binaries found' >&2; false"; exit 1; }
    dir=$(mktemp -d -t kalkan-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = "0" ] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "export KALKAN_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$port/postgres"
    echo "export KALKAN_PG_TEST_DIR=$dir"
    ;;
stop)
    dir=${2:?usage: pg-test-server.sh stop DIR}
    bin=$(bindir)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
