#!/usr/bin/env bash
# A throwaway PostgreSQL on a loopback port, for tests and local work.
#   scripts/postgres.sh start [DIR] [PORT]   prints the SQLAlchemy URL of the server's admin database
#   scripts/postgres.sh stop  [DIR]
# initdb refuses to run as root, so the server runs as the `postgres` OS user when we are root.
set -euo pipefail
cmd=${1:?usage: scripts/postgres.sh start|stop [DIR] [PORT]}
dir=${2:-/tmp/logmine-pg}
port=${3:-55432}

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL server binaries not found: apt-get install -y postgresql" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    if [ ! -s "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      [ "$(id -u)" = "0" ] && chown postgres:postgres "$dir"
      as_owner "$bin/initdb" -D "$dir" -A trust -U postgres --no-sync >/dev/null  # a throwaway: no fsync
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" -l "$dir/server.log" start >/dev/null
    fi
    echo "postgresql+psycopg2://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop [DIR] [PORT]" >&2
    exit 2
    ;;
esac
