#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the tests: initdb in a temp directory, started with pg_ctl as an
# unprivileged user (nobody when run as root; PostgreSQL refuses to run as root) on a free loopback
# port, with trust authentication and no listener but 127.0.0.1. Removed again on exit, whatever
# happens (trap).
#
#   deploy/pg-test-cluster.sh CMD [ARGS...]   runs CMD with THAW_TEST_POSTGRES_URI set, then removes it
#   deploy/pg-test-cluster.sh                 prints the URI and keeps the cluster until interrupted
set -euo pipefail

bindir=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
if [ -z "$bindir" ]; then
    echo "pg-test-cluster: PostgreSQL 15 is missing (apt-get install postgresql; deploy/setup.sh does)" >&2
    exit 1
fi

dir=$(mktemp -d /tmp/thaw-pg.XXXXXX)
as_user=()
if [ "$(id -u)" -eq 0 ]; then
    chown nobody: "$dir"
    as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
cleanup() {
    "${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${as_user[@]}" "$bindir/initdb" -D "$dir/data" -U thaw -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
# fsync off: a test cluster is thrown away, never recovered. Many connections: the Store tests run
# in parallel, each Store with its own reader connections.
"${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start -o \
    "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c max_connections=400 -c shared_buffers=32MB" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
"$bindir/psql" -q -h 127.0.0.1 -p "$port" -U thaw -d postgres -c "CREATE DATABASE thaw_test" >/dev/null
uri="postgresql://thaw@127.0.0.1:$port/thaw_test"

if [ "$#" -eq 0 ]; then
    echo "$uri"
    echo "pg-test-cluster: running in $dir; Ctrl-C stops and removes it" >&2
    # `wait` on a background sleep, not a foreground one: bash runs the trap only once a foreground
    # child exits, so Ctrl-C or SIGTERM would otherwise leave the cluster up for up to an hour.
    while true; do sleep 3600 & wait $!; done
fi
THAW_TEST_POSTGRES_URI=$uri "$@"
