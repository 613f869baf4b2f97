#!/usr/bin/env bash
# A local production-like Dagster deployment of logmine: PostgreSQL storage, the daemon (sensors,
# schedules, run queue, retries) and the web UI, all against the repository's dagster.yaml.
#
#   scripts/stack.sh up       start everything, wait until the web UI answers, print its URL
#   scripts/stack.sh down     stop the web UI, the daemon (and their runs), and the PostgreSQL it started
#   scripts/stack.sh status   what is running
#
# Environment (see .env.example; LOGMINE_ENV_FILE=FILE loads one first):
#   LOGMINE_STACK_DIR      state folder: dagster_home/, *.pid, *.log, pg/ (default ./.logmine/stack)
#   LOGMINE_STACK_PORT     web UI port on 127.0.0.1 (default 3000)
#   LOGMINE_STACK_PG_PORT  port of the local PostgreSQL started when DAGSTER_PG_HOST is unset (default 55440)
#   LOGMINE_STACK_WAIT_S   seconds to wait for the web UI (default 120)
#   DAGSTER_PG_*           an existing PostgreSQL for Dagster's storage; unset: scripts/postgres.sh starts
#                          one under the state folder, with a `dagster` database
#   LOGMINE_*              read by the code location (logs, database, hash key, ...), passed through
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: scripts/stack.sh up|down|status}

if [ -n "${LOGMINE_ENV_FILE:-}" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$LOGMINE_ENV_FILE"
  set +a
fi

state=${LOGMINE_STACK_DIR:-$repo/.logmine/stack}
mkdir -p "$state"
state=$(cd "$state" && pwd)
port=${LOGMINE_STACK_PORT:-3000}
pg_port=${LOGMINE_STACK_PG_PORT:-55440}
wait_s=${LOGMINE_STACK_WAIT_S:-120}
export DAGSTER_HOME=$state/dagster_home

alive() { # alive NAME: the process in NAME.pid is running
  [ -s "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null
}

stop_group() { # stop_group NAME: TERM the process group (it was started with setsid), KILL after 20 s
  local pid
  [ -s "$state/$1.pid" ] || return 0
  pid=$(cat "$state/$1.pid")
  if kill -0 -- "-$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 -- "-$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$state/$1.pid"
}

start_postgres() {
  if [ -n "${DAGSTER_PG_HOST:-}" ]; then
    return 0
  fi
  # A local server, owned by the `postgres` OS user when we are root: it must be able to reach the folder.
  "$repo/scripts/postgres.sh" start "$state/pg" "$pg_port" >/dev/null
  touch "$state/pg.started"
  export DAGSTER_PG_USERNAME=postgres DAGSTER_PG_PASSWORD="" DAGSTER_PG_HOST=127.0.0.1 \
    DAGSTER_PG_PORT=$pg_port DAGSTER_PG_DB=${DAGSTER_PG_DB:-dagster}
  python - <<'EOF'
import os
import sqlalchemy as sa

admin = sa.create_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{os.environ['DAGSTER_PG_PORT']}/postgres",
                         isolation_level="AUTOCOMMIT")
name = os.environ["DAGSTER_PG_DB"]
with admin.connect() as conn:
    if not conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).scalar():
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
admin.dispose()
EOF
}

start_bg() { # start_bg NAME COMMAND...: in its own session (so `down` can stop its children), logs to NAME.log
  local name=$1
  shift
  (cd "$repo" && exec setsid "$@" >"$state/$name.log" 2>&1 </dev/null) &
  echo $! >"$state/$name.pid"
}

case "$cmd" in
  up)
    if alive webserver || alive daemon; then
      echo "stack already running (scripts/stack.sh status)" >&2
      exit 1
    fi
    for var in DAGSTER_PG_USERNAME DAGSTER_PG_HOST DAGSTER_PG_PORT DAGSTER_PG_DB; do
      if [ -n "${DAGSTER_PG_HOST:-}" ] && [ -z "${!var:-}" ]; then
        echo "stack.sh: DAGSTER_PG_HOST is set, so $var must be set too" >&2
        exit 2
      fi
    done
    start_postgres
    export DAGSTER_PG_PASSWORD=${DAGSTER_PG_PASSWORD:-}
    mkdir -p "$DAGSTER_HOME"
    cp "$repo/dagster.yaml" "$DAGSTER_HOME/dagster.yaml"
    start_bg daemon dagster-daemon run -w "$repo/workspace.yaml"
    start_bg webserver dagster-webserver -w "$repo/workspace.yaml" -h 127.0.0.1 -p "$port"
    deadline=$((SECONDS + wait_s))
    until curl -fsS "http://127.0.0.1:$port/server_info" >/dev/null 2>&1; do
      for name in webserver daemon; do
        if ! alive "$name"; then
          echo "stack.sh: $name exited; last lines of $state/$name.log:" >&2
          tail -n 30 "$state/$name.log" >&2 || true
          "$0" down >/dev/null 2>&1 || true
          exit 1
        fi
      done
      if [ "$SECONDS" -ge "$deadline" ]; then
        echo "stack.sh: the web UI did not answer within ${wait_s}s; see $state/webserver.log" >&2
        "$0" down >/dev/null 2>&1 || true
        exit 1
      fi
      sleep 1
    done
    echo "http://127.0.0.1:$port"
    ;;
  down)
    stop_group webserver
    stop_group daemon
    if [ -e "$state/pg.started" ]; then
      "$repo/scripts/postgres.sh" stop "$state/pg"
      rm -f "$state/pg.started"
    fi
    ;;
  status)
    rc=0
    for name in daemon webserver; do
      if alive "$name"; then echo "$name: running (pid $(cat "$state/$name.pid"))"; else echo "$name: stopped"; rc=3; fi
    done
    if [ -e "$state/pg.started" ]; then echo "postgresql: started by stack.sh on port $pg_port ($state/pg)"; fi
    if curl -fsS "http://127.0.0.1:$port/server_info" >/dev/null 2>&1; then echo "web UI: http://127.0.0.1:$port"; fi
    exit $rc
    ;;
  *)
    echo "usage: scripts/stack.sh up|down|status" >&2
    exit 2
    ;;
esac
