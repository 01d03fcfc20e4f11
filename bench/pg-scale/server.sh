#!/usr/bin/env bash
# The single-node PostgreSQL 15 server of the scale benchmark (docs/benchmarks.md, "PostgreSQL at scale"):
# one primary, fsync on, synchronous_commit on, wal_level replica (the WAL a standby would receive), no standbys
# (three copies of 20M members would not fit the disk budget: docs/benchmarks.md estimates the 3-node cost).
#
#   bench/pg-scale/server.sh start      initdb when missing (as the postgres user), start on 127.0.0.1
#   bench/pg-scale/server.sh stop       fast shutdown
#   bench/pg-scale/server.sh destroy    stop and remove the state directory
#   bench/pg-scale/server.sh url [DB]   the URI of database DB (default onshi_scale)
#   bench/pg-scale/server.sh psql ...   psql on database onshi_scale, bounded by a statement timeout
#
# ONSHI_PG_DIR (default /tmp/onshi-pg-scale), ONSHI_PG_PORT (default 5570), ONSHI_PG_SHARED_BUFFERS (default 3GB).
set -euo pipefail
PGBIN=${ONSHI_PG_BIN:-/usr/lib/postgresql/15/bin}
DIR=${ONSHI_PG_DIR:-/tmp/onshi-pg-scale}
PORT=${ONSHI_PG_PORT:-5570}
SB=${ONSHI_PG_SHARED_BUFFERS:-3GB}
export PGCONNECT_TIMEOUT=5

as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"
  elif [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"
  else sudo -n -u postgres -- "$@"; fi
}

start() {
  [ -x "$PGBIN/initdb" ] || { echo "postgresql-15 is missing: scripts/pg-cluster.sh start installs it" >&2; exit 2; }
  if [ ! -f "$DIR/data/PG_VERSION" ]; then
    mkdir -p "$DIR"
    chown postgres "$DIR"
    as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_pg mkdir -p "$DIR/sock"
    as_pg tee "$DIR/data/onshi-scale.conf" >/dev/null <<CONF
# onshi scale benchmark (bench/pg-scale/server.sh)
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DIR/sock'
unix_socket_permissions = 0700
fsync = on
synchronous_commit = on
full_page_writes = on
wal_level = replica
max_wal_senders = 0
max_wal_size = '2GB'
checkpoint_timeout = '15min'
shared_buffers = '$SB'
effective_cache_size = '8GB'
maintenance_work_mem = '1GB'
work_mem = '16MB'
max_connections = 100
random_page_cost = 1.1
log_line_prefix = '%m [%p] %a '
log_checkpoints = on
CONF
    as_pg sh -c "echo \"include_if_exists = 'onshi-scale.conf'\" >> '$DIR/data/postgresql.conf'"
  fi
  as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 -s status >/dev/null 2>&1 ||
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 120 -s start
  echo "PostgreSQL on 127.0.0.1:$PORT, data $DIR/data, shared_buffers $SB"
}

case "${1:-}" in
  start) start ;;
  stop) as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w -t 120 -s stop || true ;;
  destroy)
    as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w -t 120 -s stop 2>/dev/null || true
    rm -rf "$DIR" ;;
  url) echo "postgres://postgres@127.0.0.1:$PORT/${2:-onshi_scale}" ;;
  psql)
    shift
    PGOPTIONS="-c statement_timeout=3600000" timeout -k 5 3700 "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
      -h 127.0.0.1 -p "$PORT" -U postgres -d onshi_scale "$@" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
