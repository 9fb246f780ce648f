#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster on a loopback port, for tests and trying
# the PostGIS store. Installs nothing: it needs Debian's postgresql-15 and
# postgresql-15-postgis-3 (or another version under /usr/lib/postgresql/*/bin).
#
#   scripts/pg_test_cluster.sh start [DIR]   # prints the store URL on stdout
#   scripts/pg_test_cluster.sh stop DIR
#
# `start` creates the cluster in DIR (default: a new temporary folder), owned by the
# `postgres` system user when run as root (PostgreSQL refuses to run as root),
# listening on 127.0.0.1 only at a free port, socket in DIR, trust authentication
# for local connections (a test cluster: nothing else can reach it), a database
# `mineplan` with the postgis extension, and prints
#   postgresql://postgres@127.0.0.1:PORT/mineplan?schema=mineplan
# e.g.  export MINEPLAN_TEST_PG=$(scripts/pg_test_cluster.sh start /tmp/pg)
set -euo pipefail

die() { echo "pg_test_cluster: $*" >&2; exit 1; }

bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then echo "$PG_BINDIR"; return; fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1) || true
    [[ -n "$dir" && -x "$dir/initdb" ]] || die "no PostgreSQL server found (apt-get install postgresql-15 postgresql-15-postgis-3)"
    echo "$dir"
}

# Run a server program as the cluster's owner (root cannot run PostgreSQL).
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 - <<'PY'
import socket
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
PY
}

start() {
    local dir=${1:-} bin port
    bin=$(bindir)
    [[ -n "$dir" ]] || dir=$(mktemp -d /tmp/mineplan-pg.XXXXXX)
    mkdir -p "$dir"
    [[ -z "$(ls -A "$dir")" ]] || die "$dir is not empty"
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || die "no 'postgres' system user to run the server"
        chown postgres: "$dir"
    fi
    port=$(free_port)
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null \
        || { cat "$dir/server.log" >&2; die "server did not start"; }
    echo "$port" >"$dir/port"
    local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
    "${psql[@]}" -d postgres -c "CREATE DATABASE mineplan" >/dev/null
    "${psql[@]}" -d mineplan -c "CREATE EXTENSION postgis" >/dev/null \
        || die "CREATE EXTENSION postgis failed (apt-get install postgresql-15-postgis-3)"
    echo "postgresql://postgres@127.0.0.1:$port/mineplan?schema=mineplan"
}

stop() {
    local dir=${1:-} bin
    [[ -n "$dir" && -d "$dir/data" ]] || die "usage: $0 stop DIR (a folder made by start)"
    bin=$(bindir)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    rm -rf "$dir"
}

case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop "${2:-}" ;;
    *) die "usage: $0 start [DIR] | stop DIR" ;;
esac
