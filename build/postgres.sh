#!/usr/bin/env bash
# A throwaway PostgreSQL for the central tests: Debian's postgresql package (installed when
# missing), a cluster in a temporary folder owned by the postgres user, listening on a free
# loopback port only, stopped and deleted when the calling shell exits.
# Source it, then call start_test_postgres; on success CENTRAL_TEST_POSTGRES_URL is exported.
# Called directly (bash build/postgres.sh COMMAND...), it runs COMMAND with that database.

PG_MAJOR="${PG_MAJOR:-15}"
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
TEST_PG_DIR=""

_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"  # PostgreSQL refuses to run as root only; any other user may own the cluster
  fi
}

_install_postgres() {
  [ -x "$PG_BIN/initdb" ] && return 0
  echo "postgres: installing Debian's postgresql package"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      postgresql >/dev/null \
    && [ -x "$PG_BIN/initdb" ]
}

stop_test_postgres() {
  if [ -n "$TEST_PG_DIR" ] && [ -d "$TEST_PG_DIR" ]; then
    _as_postgres "$PG_BIN/pg_ctl" -D "$TEST_PG_DIR/data" -m immediate -s stop >/dev/null 2>&1
    rm -rf "$TEST_PG_DIR"
  fi
  TEST_PG_DIR=""
}

start_test_postgres() {
  _install_postgres || { echo "postgres: cannot install postgresql" >&2; return 1; }
  TEST_PG_DIR="$(mktemp -d -t central-test-pg.XXXXXX)"
  trap stop_test_postgres EXIT
  chmod 0755 "$TEST_PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$TEST_PG_DIR"; fi
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  if ! _as_postgres "$PG_BIN/initdb" -D "$TEST_PG_DIR/data" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C.UTF-8 >"$TEST_PG_DIR/initdb.log" 2>&1; then
    cat "$TEST_PG_DIR/initdb.log" >&2
    echo "postgres: initdb failed" >&2
    return 1
  fi
  # Throwaway settings: durability off (the cluster dies with the run), loopback only.
  if ! _as_postgres "$PG_BIN/pg_ctl" -D "$TEST_PG_DIR/data" -w -t 60 -s \
      -l "$TEST_PG_DIR/server.log" \
      -o "-h 127.0.0.1 -p $port -k $TEST_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start; then
    cat "$TEST_PG_DIR/server.log" >&2
    echo "postgres: the server did not start" >&2
    return 1
  fi
  export CENTRAL_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  echo "postgres: PostgreSQL $PG_MAJOR for the tests on 127.0.0.1:$port"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  start_test_postgres
  "$@"
fi
