#!/usr/bin/env bash
# A real PostgreSQL 15 cluster on 127.0.0.1 for onshi's tests, CI and failover tests (issue 11): a primary and
# two streaming standbys with quorum synchronous commit, fsync on.
#
#   scripts/pg-cluster.sh start          install Debian postgresql-15 when missing, create the cluster when
#                                        missing, start every node (idempotent); prints the time it took
#   scripts/pg-cluster.sh stop           stop every node (fast shutdown)
#   scripts/pg-cluster.sh destroy        stop every node and remove the state directory
#   scripts/pg-cluster.sh status         each node's port, state and role; pg_stat_replication of the primary
#   scripts/pg-cluster.sh url [DB]       the multi-host URI of database DB (default onshi), read-write
#   scripts/pg-cluster.sh primary-url [DB]  the URI of the primary alone (database DB)
#   scripts/pg-cluster.sh standby-url [DB]  the URI of one running standby that streams (database DB)
#   scripts/pg-cluster.sh createdb DB    create database DB on the primary (when missing)
#   scripts/pg-cluster.sh dropdb DB      drop database DB on the primary (when present)
#   scripts/pg-cluster.sh primary        the number of the node that is the primary now
#   scripts/pg-cluster.sh is-up          exit 0 when the primary is running
#   scripts/pg-cluster.sh kill-primary   kill -9 the primary's postmaster and every process of it at once
#   scripts/pg-cluster.sh promote [N]    promote standby N (default: the standby that received the most WAL,
#                                        the one that holds every acknowledged commit), make it the synchronous
#                                        primary of the others, repoint the running standbys to it
#   scripts/pg-cluster.sh rebuild N      make node N a fresh standby of the primary (pg_basebackup -R)
#   scripts/pg-cluster.sh rejoin OLD     after a promotion: the third node follows the new primary (rebuilt
#                                        when it cannot: it was ahead on the old timeline), and OLD, the
#                                        primary killed before it, is rebuilt as a standby
#
# Layout: node N (1..3) listens on 127.0.0.1:$((ONSHI_PG_PORT + N - 1)) (default 5441..5443), its data directory
# is $ONSHI_PG_DIR/nN (default /tmp/onshi-pg), its log $ONSHI_PG_DIR/nN.log, its application_name "s$((N-1))".
# Node 1 starts as the primary with synchronous_standby_names = 'ANY 1 (s1, s2)': a COMMIT returns only once
# one of the two standbys has flushed it. $ONSHI_PG_DIR/primary names the primary node; a node that was the
# primary before a failover is never started again as one (start refuses: rebuild it).
# Every server process runs as the `postgres` user (initdb refuses root). Authentication is trust on 127.0.0.1
# only (and on the cluster's private Unix socket directory, mode 0700): a test cluster, never a production one.
# Every psql call has a connect timeout, a statement timeout and an outer `timeout`.
set -euo pipefail

PGBIN=${ONSHI_PG_BIN:-/usr/lib/postgresql/15/bin}
DIR=${ONSHI_PG_DIR:-/tmp/onshi-pg}
BASE_PORT=${ONSHI_PG_PORT:-5441}
DB=${ONSHI_PG_DB:-onshi}
NODES=(1 2 3)
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-3}

port_of() { echo $((BASE_PORT + $1 - 1)); }
name_of() { echo "s$(($1 - 1))"; }
data_of() { echo "$DIR/n$1"; }

die() {
  echo "pg-cluster: $*" >&2
  exit 1
}

# Run a command as the postgres user.
as_pg() {
  if [ "$(id -un)" = postgres ]; then
    "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    sudo -n -u postgres -- "$@"
  fi
}

# psql against node N's port, bounded: connect timeout, statement timeout, and an outer timeout for the rest.
q() {
  local n=$1
  shift
  PGOPTIONS="-c statement_timeout=10000 -c client_min_messages=warning" timeout -k 2 20 "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$(port_of "$n")" -U postgres -d postgres "$@"
}

install_server() {
  [ -x "$PGBIN/initdb" ] && return 0
  echo "pg-cluster: installing Debian postgresql-15 (initdb missing at $PGBIN)"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
  [ -x "$PGBIN/initdb" ] || die "postgresql-15 installed but $PGBIN/initdb is still missing"
}

# The postmaster's pid of node N when it is running, else nothing.
pid_of() {
  local f
  f="$(data_of "$1")/postmaster.pid"
  [ -r "$f" ] || return 0
  local pid
  pid=$(head -n1 "$f" 2>/dev/null || true)
  # a killed postmaster may linger as a zombie until its parent reaps it: that is not running
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
    echo "$pid"
  fi
}

running() { [ -n "$(pid_of "$1")" ]; }

current_primary() {
  [ -r "$DIR/primary" ] || die "no cluster at $DIR (run: $0 start)"
  cat "$DIR/primary"
}

# The other nodes' application names, as the synchronous quorum of a primary N.
quorum_of() {
  local n=$1 names="" m
  for m in "${NODES[@]}"; do
    [ "$m" = "$n" ] && continue
    names="${names:+$names, }$(name_of "$m")"
  done
  echo "ANY 1 ($names)"
}

# Settings every node shares (copied to the standbys by pg_basebackup) and the node's own (port, name),
# rewritten for each node after its base backup.
write_common_conf() {
  local d=$1
  as_pg tee "$d/onshi-cluster.conf" >/dev/null <<EOF
# onshi test cluster (scripts/pg-cluster.sh): shared by every node
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR/sock'
unix_socket_permissions = 0700
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
wal_keep_size = '512MB'
hot_standby = on
hot_standby_feedback = on
wal_log_hints = on
fsync = on
synchronous_commit = on
full_page_writes = on
max_connections = 200
shared_buffers = '128MB'
wal_receiver_status_interval = '1s'
wal_retrieve_retry_interval = '500ms'
wal_sender_timeout = '10s'
wal_receiver_timeout = '10s'
log_line_prefix = '%m [%p] %a '
EOF
  grep -q "onshi-cluster.conf" "$d/postgresql.conf" ||
    as_pg sh -c "printf '%s\n' \"include_if_exists = 'onshi-cluster.conf'\" \"include_if_exists = 'onshi-node.conf'\" >> '$d/postgresql.conf'"
  as_pg tee "$d/pg_hba.conf" >/dev/null <<EOF
# onshi test cluster: trust on loopback only, and on the private socket directory (mode 0700)
local   all          all                 trust
host    all          all   127.0.0.1/32  trust
host    replication  all   127.0.0.1/32  trust
EOF
}

# Node N's own settings; PRIMARY is the node it streams from (empty for the primary).
write_node_conf() {
  local n=$1 primary=${2:-}
  local d
  d=$(data_of "$n")
  {
    echo "# node $n (scripts/pg-cluster.sh)"
    echo "port = $(port_of "$n")"
    echo "cluster_name = 'onshi-n$n'"
    if [ -n "$primary" ]; then
      echo "primary_conninfo = 'host=127.0.0.1 port=$(port_of "$primary") user=postgres application_name=$(name_of "$n") connect_timeout=2'"
      echo "synchronous_standby_names = ''"
    else
      echo "synchronous_standby_names = '$(quorum_of "$n")'"
    fi
  } | as_pg tee "$d/onshi-node.conf" >/dev/null
  # pg_basebackup -R writes primary_conninfo into postgresql.auto.conf, which overrides postgresql.conf:
  # keep the auto file free of it so that onshi-node.conf is the one place that says where a node streams from.
  if [ -f "$d/postgresql.auto.conf" ]; then
    as_pg sed -i '/^primary_conninfo/d;/^synchronous_standby_names/d' "$d/postgresql.auto.conf"
  fi
}

# whether something listens on 127.0.0.1:PORT
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_node() {
  local n=$1
  running "$n" && return 0
  if port_busy "$(port_of "$n")"; then
    die "port $(port_of "$n") of node $n is taken by another server; choose other ports with ONSHI_PG_PORT (now $BASE_PORT: nodes on $BASE_PORT..$((BASE_PORT + 2)))"
  fi
  local d
  d=$(data_of "$n")
  local primary
  primary=$(current_primary)
  if [ "$n" != "$primary" ] && [ ! -f "$d/standby.signal" ]; then
    die "node $n was a primary before a failover and would start as a second one; run: $0 rebuild $n"
  fi
  local attempt
  for attempt in 1 2 3; do
    as_pg "$PGBIN/pg_ctl" -D "$d" -l "$DIR/n$n.log" -w -t 60 -s start >/dev/null && return 0
    # right after a kill -9 of the node it replaces, the port or the socket's lock file can still be held for a
    # moment: try again (seen once in 3 runs of the failover test through onshi)
    echo "pg-cluster: node $n did not start (attempt $attempt); retrying" >&2
    sleep 1
  done
  die "node $n did not start; see $DIR/n$n.log"
}

wait_streaming() {
  # wait until standby N streams from the primary (at most $2 seconds)
  local n=$1 limit=${2:-30} i
  for ((i = 0; i < limit * 10; i++)); do
    if [ "$(q "$n" -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = streaming ]; then return 0; fi
    sleep 0.1
  done
  return 1
}

create_cluster() {
  local m
  for m in "${NODES[@]}"; do
    if port_busy "$(port_of "$m")"; then
      die "port $(port_of "$m") is taken by another server; choose other ports with ONSHI_PG_PORT (now $BASE_PORT: nodes on $BASE_PORT..$((BASE_PORT + 2)))"
    fi
  done
  echo "pg-cluster: creating a primary and two standbys under $DIR"
  mkdir -p "$DIR"
  chown postgres:postgres "$DIR" 2>/dev/null || as_pg test -w "$DIR" || die "$DIR is not writable by postgres"
  chmod 0755 "$DIR"
  as_pg mkdir -p "$DIR/sock"
  as_pg chmod 0700 "$DIR/sock"
  local p=1
  as_pg "$PGBIN/initdb" -D "$(data_of $p)" -U postgres --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" ||
    die "initdb failed; see $DIR/initdb.log"
  write_common_conf "$(data_of $p)"
  write_node_conf $p
  echo $p | as_pg tee "$DIR/primary" >/dev/null
  start_node $p
  # both standbys' base backups at once (each is a fast checkpoint and a copy of ~40 MB)
  local n pids=()
  for n in "${NODES[@]}"; do
    [ "$n" = $p ] && continue
    base_backup "$n" $p &
    pids+=($!)
  done
  for n in "${pids[@]}"; do wait "$n" || die "a standby could not be created"; done
  # the database the tests and onshi use
  if [ "$(q $p -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
    q $p -c "CREATE DATABASE $DB" >/dev/null
  fi
}

base_backup() {
  local n=$1 primary=$2
  local d
  d=$(data_of "$n")
  as_pg rm -rf "$d"
  as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$(port_of "$primary")" -U postgres -D "$d" -R -X stream \
    -c fast -w >"$DIR/n$n.basebackup.log" 2>&1 || die "pg_basebackup of node $n failed; see $DIR/n$n.basebackup.log"
  write_node_conf "$n" "$primary"
  start_node "$n"
}

cmd_start() {
  local t0=$EPOCHREALTIME
  install_server
  if [ ! -f "$DIR/primary" ]; then
    create_cluster
  fi
  local primary n
  primary=$(current_primary)
  start_node "$primary"
  for n in "${NODES[@]}"; do [ "$n" = "$primary" ] || start_node "$n"; done
  for n in "${NODES[@]}"; do
    [ "$n" = "$primary" ] && continue
    wait_streaming "$n" 30 || die "standby $n does not stream from node $primary; see $DIR/n$n.log"
  done
  # a write must be acknowledged by the quorum: proves synchronous replication works before anyone relies on it
  q "$primary" -d "$DB" -c "CREATE TABLE IF NOT EXISTS pg_cluster_probe (at timestamptz); INSERT INTO pg_cluster_probe VALUES (now())" >/dev/null ||
    die "a synchronous write on node $primary did not complete; see $DIR/n$primary.log"
  local t1=$EPOCHREALTIME
  printf 'pg-cluster: up in %.2f s (primary node %s on port %s); url: %s\n' \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$primary" "$(port_of "$primary")" "$(cmd_url)"
}

cmd_stop() {
  local n
  for n in "${NODES[@]}"; do
    if running "$n"; then as_pg "$PGBIN/pg_ctl" -D "$(data_of "$n")" -m fast -w -t 60 -s stop || true; fi
  done
}

cmd_destroy() {
  [ -d "$DIR" ] || return 0
  cmd_stop
  rm -rf "$DIR"
}

cmd_url() {
  local db=${1:-$DB} hosts=() n
  for n in "${NODES[@]}"; do hosts+=("127.0.0.1:$(port_of "$n")"); done
  local IFS=,
  echo "postgres://postgres@${hosts[*]}/$db?target_session_attrs=read-write"
}

cmd_primary_url() {
  echo "postgres://postgres@127.0.0.1:$(port_of "$(current_primary)")/${1:-$DB}"
}

cmd_standby_url() {
  local db=${1:-$DB} n
  for n in "${NODES[@]}"; do
    running "$n" || continue
    if [ "$(q "$n" -c "SELECT status FROM pg_stat_wal_receiver" 2>/dev/null)" = streaming ]; then
      echo "postgres://postgres@127.0.0.1:$(port_of "$n")/$db"
      return 0
    fi
  done
  die "no standby streams now (see: $0 status)"
}

valid_db_name() {
  [[ $1 =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "a database name here is lower-case letters, digits and _ (got '$1')"
}

cmd_createdb() {
  local db=${1:-}
  valid_db_name "$db"
  local p
  p=$(current_primary)
  if [ "$(q "$p" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    q "$p" -c "CREATE DATABASE $db" >/dev/null
  fi
}

cmd_dropdb() {
  local db=${1:-}
  valid_db_name "$db"
  q "$(current_primary)" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
}

cmd_status() {
  local primary n
  primary=$(current_primary)
  for n in "${NODES[@]}"; do
    local state="stopped" role="-"
    if running "$n"; then
      state="running (pid $(pid_of "$n"))"
      case "$(q "$n" -c "SELECT pg_is_in_recovery()" 2>/dev/null || echo '?')" in
        t) role="standby ($(q "$n" -c "SELECT coalesce(status, 'not streaming') FROM (SELECT 1) x LEFT JOIN pg_stat_wal_receiver ON true" 2>/dev/null || echo '?'))" ;;
        f) role="primary" ;;
        *) role="not answering" ;;
      esac
    fi
    printf 'node %s  %s  port %s  %-22s %s\n' "$n" "$(name_of "$n")" "$(port_of "$n")" "$state" "$role"
  done
  if running "$primary"; then
    echo "pg_stat_replication on node $primary (synchronous_standby_names = '$(q "$primary" -c "SHOW synchronous_standby_names")'):"
    PGOPTIONS="-c statement_timeout=10000" timeout -k 2 20 "$PGBIN/psql" -X -v ON_ERROR_STOP=1 -h 127.0.0.1 \
      -p "$(port_of "$primary")" -U postgres -d postgres -c \
      "SELECT application_name, state, sync_state, sync_priority, sent_lsn, flush_lsn, replay_lsn, flush_lag FROM pg_stat_replication ORDER BY application_name"
  else
    echo "the primary (node $primary) is not running"
  fi
}

cmd_kill_primary() {
  local primary pid
  primary=$(current_primary)
  pid=$(pid_of "$primary")
  [ -n "$pid" ] || die "the primary (node $primary) is not running"
  # the postmaster and every process it forked, in one kill: what a power cut does to them
  local kids
  kids=$(pgrep -P "$pid" || true)
  # shellcheck disable=SC2086
  kill -9 "$pid" $kids
  # gone before anything else is started on its port (at most 5 s)
  local i
  for ((i = 0; i < 100; i++)); do
    ps -p "$(echo "$pid" $kids | tr ' ' ',')" >/dev/null || break
    sleep 0.05
  done
  echo "pg-cluster: killed -9 node $primary (postmaster $pid and $(echo "$kids" | wc -w) children)"
}

# The standby that received (flushed) the most WAL: with ANY 1 quorum commit, an acknowledged commit is on at
# least one standby, so only the most advanced one is sure to hold them all.
most_advanced_standby() {
  local best="" best_lsn="" n lsn
  for n in "${NODES[@]}"; do
    running "$n" || continue
    [ "$(q "$n" -c "SELECT pg_is_in_recovery()" 2>/dev/null || true)" = t ] || continue
    lsn=$(q "$n" -c "SELECT coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())" 2>/dev/null || true)
    [ -n "$lsn" ] || continue
    if [ -z "$best" ] || [ "$(q "$n" -c "SELECT '$lsn'::pg_lsn > '$best_lsn'::pg_lsn")" = t ]; then
      best=$n
      best_lsn=$lsn
    fi
  done
  [ -n "$best" ] || die "no running standby to promote"
  echo "$best"
}

cmd_promote() {
  local n=${1:-}
  [ -n "$n" ] || n=$(most_advanced_standby)
  running "$n" || die "node $n is not running"
  [ "$(q "$n" -c "SELECT pg_is_in_recovery()")" = t ] || die "node $n is not a standby"
  local old
  old=$(current_primary)
  if running "$old" && [ "$(q "$old" -c "SELECT pg_is_in_recovery()" 2>/dev/null || true)" = f ]; then
    die "node $old is still a running primary; stop or kill it first (two primaries would both take writes)"
  fi
  # the new primary's quorum first, so that its first commit already waits for a standby
  write_node_conf "$n"
  as_pg "$PGBIN/pg_ctl" -D "$(data_of "$n")" -w -t 60 -s promote >/dev/null || die "pg_ctl promote of node $n failed"
  q "$n" -c "SELECT pg_reload_conf()" >/dev/null
  echo "$n" | as_pg tee "$DIR/primary" >/dev/null
  local m
  for m in "${NODES[@]}"; do
    [ "$m" = "$n" ] && continue
    [ "$m" = "$old" ] && continue
    running "$m" || continue
    write_node_conf "$m" "$n"
    q "$m" -c "SELECT pg_reload_conf()" >/dev/null
  done
  echo "pg-cluster: node $n promoted (port $(port_of "$n"), synchronous_standby_names = '$(quorum_of "$n")')"
}

cmd_rebuild() {
  local n=${1:-}
  [ -n "$n" ] || die "usage: $0 rebuild N"
  local primary
  primary=$(current_primary)
  [ "$n" != "$primary" ] || die "node $n is the primary"
  running "$primary" || die "the primary (node $primary) is not running"
  if running "$n"; then as_pg "$PGBIN/pg_ctl" -D "$(data_of "$n")" -m immediate -w -t 60 -s stop || true; fi
  base_backup "$n" "$primary"
  wait_streaming "$n" 30 || die "rebuilt node $n does not stream; see $DIR/n$n.log"
  echo "pg-cluster: node $n rebuilt as a standby of node $primary"
}

cmd_rejoin() {
  local old=${1:-}
  [ -n "$old" ] || die "usage: $0 rejoin OLD (the node that was the primary)"
  local primary n other=""
  primary=$(current_primary)
  [ "$old" != "$primary" ] || die "node $old is still the primary: promote a standby first"
  for n in "${NODES[@]}"; do
    [ "$n" = "$old" ] || [ "$n" = "$primary" ] || other=$n
  done
  if wait_streaming "$other" 15; then
    echo "pg-cluster: node $other streams from node $primary"
  else
    echo "pg-cluster: node $other cannot follow node $primary: rebuilding it"
    cmd_rebuild "$other"
  fi
  cmd_rebuild "$old"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  destroy) cmd_destroy ;;
  status) cmd_status ;;
  url) cmd_url "${2:-}" ;;
  primary-url) cmd_primary_url "${2:-}" ;;
  standby-url) cmd_standby_url "${2:-}" ;;
  createdb) cmd_createdb "${2:-}" ;;
  dropdb) cmd_dropdb "${2:-}" ;;
  primary) current_primary ;;
  is-up) [ -f "$DIR/primary" ] && running "$(current_primary)" ;;
  kill-primary) cmd_kill_primary ;;
  promote) cmd_promote "${2:-}" ;;
  rebuild) cmd_rebuild "${2:-}" ;;
  rejoin) cmd_rejoin "${2:-}" ;;
  wait-streaming) wait_streaming "${2:?node}" "${3:-30}" ;;
  *)
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
