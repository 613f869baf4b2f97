#!/usr/bin/env bash
# A throwaway PostgreSQL on a loopback port, for tests and local work.
#   scripts/postgres.sh start [DIR] [PORT] [ADDRESS [CIDR]]   prints the SQLAlchemy URL of the server's admin database
#     ADDRESS: listen there instead of 127.0.0.1 (e.g. a veth address other network namespaces reach);
#     CIDR: clients from that private network are trusted too (a throwaway server, never a real one).
#   scripts/postgres.sh stop  [DIR]
# initdb refuses to run as root, so the server runs as the `postgres` OS user when we are root.
set -euo pipefail
cmd=${1:?usage: scripts/postgres.sh start|stop [DIR] [PORT]}
dir=${2:-/tmp/logmine-pg}
port=${3:-55432}
address=${4:-127.0.0.1}
cidr=${5:-}

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
      if [ -n "$cidr" ]; then
        echo "host all all $cidr trust" | as_owner tee -a "$dir/pg_hba.conf" >/dev/null
      fi
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir" -w -o "-p $port -k $dir -c listen_addresses=$address -c fsync=off" -l "$dir/server.log" start >/dev/null
    fi
    echo "postgresql+psycopg2://postgres@$address:$port/postgres"
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir" -m fast stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop [DIR] [PORT]" >&2
    exit 2
    ;;
esac
