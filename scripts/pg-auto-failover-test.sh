#!/usr/bin/env bash
# shellcheck disable=SC2016 # wait_for evaluates its condition (in single quotes) each time
# Automatic failover with pg_auto_failover under write load, at the psql level (issue 11):
#
#   scripts/pg-auto-failover-test.sh [SECONDS_AFTER] [WRITERS]      (defaults: 15 s, 4 writers)
#
# 1. installs Debian postgresql-15-auto-failover when pg_autoctl is missing; as the postgres user, a monitor
#    and two nodes on 127.0.0.1 (ports ONSHI_PG_AUTO_PORT, default 5460, and the next two), state under
#    ONSHI_PG_AUTO_DIR (default /tmp/onshi-pg-auto), trust on loopback, fsync on; pg_auto_failover's synchronous
#    replication (synchronous_standby_names = 'ANY 1 (pgautofailover_standby_N)' once the secondary is healthy).
#    Forming the cluster takes about 85 s on 2 cores.
# 2. the writers of scripts/pg-writers.sh on the formation's multi-host URI (target_session_attrs=read-write);
# 3. after 10 s of load, kill -9 the primary node whole (its pg_autoctl keeper and its postgres at once: a
#    machine that dies; killing postgres alone only makes the keeper restart it); nothing is done by hand: the
#    monitor notices, and the secondary is promoted;
# 4. the writers go on through the same URI; SECONDS_AFTER seconds after the first write acknowledged by the
#    new primary they stop, and every acknowledged row must be on it. Prints the counts, the write gap and the
#    time from the kill to the promotion and to the first acknowledged write. Exit 1 on a lost acknowledged
#    write, or when no promotion happens within 180 s.
# The state directory is removed at the end unless ONSHI_PG_KEEP=1. Run it as its own CI job (about 2.5 min).
set -euo pipefail
cd "$(dirname "$0")/.."

AFTER=${1:-15}
WRITERS=${2:-4}
DIR=${ONSHI_PG_AUTO_DIR:-/tmp/onshi-pg-auto}
PORT=${ONSHI_PG_AUTO_PORT:-5460}
PGBIN=/usr/lib/postgresql/15/bin
PSQL=$PGBIN/psql
WORK=$(mktemp -d /tmp/onshi-pg-auto-test.XXXXXX)
chmod 0755 "$WORK"
# shellcheck source=scripts/pg-writers.sh
source scripts/pg-writers.sh

T0=$EPOCHREALTIME
log() { printf '[%7.2f s] %s\n' "$(pgw_since "$T0")" "$*"; }
die() {
  log "FAIL: $*" >&2
  tail -n 2 "$WORK"/err.* 2>/dev/null | tail -n 6 >&2 || true
  exit 1
}

as_pg() {
  local env=(env "HOME=$DIR" "XDG_CONFIG_HOME=$DIR/xdg/config" "XDG_DATA_HOME=$DIR/xdg/data"
    "XDG_RUNTIME_DIR=$DIR/xdg/run" "PATH=$PGBIN:$PATH" "PGCONNECT_TIMEOUT=5")
  if [ "$(id -un)" = postgres ]; then
    "${env[@]}" "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "${env[@]}" "$@"
  else
    sudo -n -u postgres -- "${env[@]}" "$@"
  fi
}

q() {
  local port=$1
  shift
  PGCONNECT_TIMEOUT=3 PGOPTIONS="-c statement_timeout=10000" timeout -k 2 20 "$PSQL" -X -q -A -t \
    -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"
}

# Every descendant of a process, deepest last.
descendants() {
  local kid
  for kid in $(pgrep -P "$1" || true); do
    echo "$kid"
    descendants "$kid"
  done
}

SERVICE_PIDS=()
cleanup() {
  pgw_stop
  local p
  # every service we started, and what it started, asked to stop and then killed
  for p in "${SERVICE_PIDS[@]}"; do
    # shellcheck disable=SC2046
    kill $(descendants "$p") "$p" 2>/dev/null || true
  done
  sleep 2
  for p in "${SERVICE_PIDS[@]}"; do
    # shellcheck disable=SC2046
    kill -9 $(descendants "$p") "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ "${ONSHI_PG_KEEP:-0}" != 1 ]; then rm -rf "$DIR"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v pg_autoctl >/dev/null; then
  log "installing Debian postgresql-15-auto-failover"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql-15 \
    postgresql-15-auto-failover >/dev/null
fi
AUTOCTL=$(command -v pg_autoctl)

rm -rf "$DIR"
mkdir -p "$DIR"
chown postgres:postgres "$DIR" 2>/dev/null || true
chmod 0755 "$DIR"
as_pg mkdir -p "$DIR/xdg/config" "$DIR/xdg/data" "$DIR/xdg/run"

# a service of pg_autoctl (create … --run) in the background, its output in $DIR/NAME.log
service() {
  local name=$1
  shift
  as_pg "$AUTOCTL" "$@" --run >"$DIR/$name.log" 2>&1 &
  SERVICE_PIDS+=($!)
  eval "PID_$name=$!"
  disown # its kill -9 is the test, not news
}

# the monitor's view: "name reported-state goal-state" of each node
states() {
  q "$PORT" -d pg_auto_failover -c \
    "SELECT nodename || ' ' || reportedstate || ' ' || goalstate FROM pgautofailover.node ORDER BY nodeid" 2>/dev/null || true
}

wait_for() {
  local what=$1 limit=$2 cond=$3 i
  for ((i = 0; i < limit * 2; i++)); do
    if eval "$cond"; then return 0; fi
    sleep 0.5
  done
  states >&2
  die "$what did not happen within $limit s (logs: $DIR/*.log)"
}

log "monitor on 127.0.0.1:$PORT"
service monitor create monitor --pgdata "$DIR/monitor" --pgport "$PORT" --hostname 127.0.0.1 --auth trust \
  --no-ssl --pgctl "$PGBIN/pg_ctl"
wait_for "the monitor" 60 '[ "$(q "$PORT" -d pg_auto_failover -c "SELECT 1" 2>/dev/null)" = 1 ]'
MONITOR="postgres://autoctl_node@127.0.0.1:$PORT/pg_auto_failover?sslmode=disable"

log "node n1 on 127.0.0.1:$((PORT + 1))"
service n1 create postgres --pgdata "$DIR/n1" --pgport $((PORT + 1)) --hostname 127.0.0.1 --name n1 \
  --auth trust --no-ssl --dbname onshi --monitor "$MONITOR" --pgctl "$PGBIN/pg_ctl"
wait_for "n1 as single" 120 '[ "$(states)" = "n1 single single" ]'
log "n1 is the single node; node n2 on 127.0.0.1:$((PORT + 2))"
service n2 create postgres --pgdata "$DIR/n2" --pgport $((PORT + 2)) --hostname 127.0.0.1 --name n2 \
  --auth trust --no-ssl --dbname onshi --monitor "$MONITOR" --pgctl "$PGBIN/pg_ctl"
wait_for "the formation (n1 primary, n2 secondary)" 240 \
  '[ "$(states | tr "\n" " ")" = "n1 primary primary n2 secondary secondary " ]'
FORMED_S=$(pgw_since "$T0")
log "formed in $FORMED_S s"

P0_PORT=$((PORT + 1))
P1_PORT=$((PORT + 2))
SYNC=$(q "$P0_PORT" -c "SHOW synchronous_standby_names")
log "primary n1: synchronous_standby_names = '$SYNC', synchronous_commit = $(q "$P0_PORT" -c "SHOW synchronous_commit"), fsync = $(q "$P0_PORT" -c "SHOW fsync")"
[ -n "$SYNC" ] || die "the primary does not replicate synchronously"
URL=$(as_pg "$AUTOCTL" show uri --pgdata "$DIR/monitor" --formation default)
URL=${URL/sslmode=prefer/sslmode=disable}
URL=${URL/postgres:\/\//postgres://postgres@}
pgw_create_table "$P0_PORT"

pgw_start "$URL" "$WRITERS"
LOAD_AT=$EPOCHREALTIME
log "$WRITERS writers on $URL"
sleep 10
before=$(pgw_acked)
[ "$before" -gt 0 ] || die "no write acknowledged in 10 s before the kill"
# shellcheck disable=SC2154 # PID_n1 is set by service
victims="$PID_n1 $(descendants "$PID_n1")"
# shellcheck disable=SC2086
kill -9 $victims
KILL_AT=$EPOCHREALTIME
log "node n1 killed -9 whole ($(echo "$victims" | wc -w) processes) after $before acknowledged writes"

wait_for "n2 out of recovery" 180 '[ "$(q "$P1_PORT" -c "SELECT pg_is_in_recovery()" 2>/dev/null)" = f ]'
PROMOTED_AT=$EPOCHREALTIME
log "n2 out of recovery, promoted by the monitor ($(states | tr '\n' ';'))"
wait_for "a write acknowledged by the new primary" 60 '[ -n "$(pgw_resume "$PROMOTED_AT")" ]'
log "writes go on on n2"
sleep "$AFTER"
pgw_stop
LOAD_S=$(pgw_since "$LOAD_AT")
log "writers stopped"

acked=$(pgw_acked)
failed=$(pgw_failed)
present=$(q "$P1_PORT" -d onshi -c "SELECT count(*) FROM ft")
lost=$(pgw_missing_on "$P1_PORT")
gap=$(pgw_gap)
resume=$(pgw_resume "$KILL_AT")
promote_s=$(pgw_since "$KILL_AT" "$PROMOTED_AT")
rate=$(awk -v n="$acked" -v s="$LOAD_S" 'BEGIN { printf "%.0f", n / s }')
echo
echo "events on the monitor:"
q "$PORT" -d pg_auto_failover -c "SELECT to_char(eventtime, 'HH24:MI:SS.MS') || '  ' || nodename || '  ' || reportedstate || ' -> ' || goalstate FROM pgautofailover.event ORDER BY eventid" |
  tail -n 12 | sed 's/^/  /'
echo
echo "cluster formed in:            $FORMED_S s"
echo "acknowledged writes:          $acked ($rate/s over $LOAD_S s, $WRITERS writers; $before before the kill)"
echo "failed attempts (retried):    $failed"
echo "rows on the new primary:      $present (n2; acknowledged missing: $lost)"
echo "kill -9 → n2 out of recovery: $promote_s s (writes wait until the monitor gives up on n1: wait_primary)"
echo "kill -9 → first write acked:  ${resume:-none} s"
echo "write gap (longest, no ack):  $gap s"
echo "RESULT formed_s=$FORMED_S acked=$acked lost=$lost present=$present failed=$failed gap_s=$gap resume_s=${resume:-none} promote_s=$promote_s"
if [ "$lost" != 0 ]; then
  echo "FAIL: acknowledged writes are missing after the automatic failover (writer,seq):" >&2
  head -20 "$WORK/missing.$P1_PORT" >&2
  exit 1
fi
echo "OK: automatic failover, every acknowledged write survived"
