#!/usr/bin/env bash
# Failover under write load through onshi (issue 11):
#
#   scripts/pg-onshi-failover-test.sh [SECONDS] [WRITERS]       (defaults: 30 s, 4 writers)
#
# 1. a fresh cluster of scripts/pg-cluster.sh in its own directory and ports (ONSHI_PG_DIR, default
#    /tmp/onshi-pg-onshi-failover; ONSHI_PG_PORT, default 5547);
# 2. `onshi serve --store <the multi-host URI, target_session_attrs=read-write>` on 127.0.0.1 (ONSHI_BIN, default
#    target/release/onshi, built when missing);
# 3. WRITERS HTTP writers (scripts/onshi_write_load.py) enrol members through POST /insurer/v1/members and record
#    every 201 with its member_id;
# 4. at a third of SECONDS, kill -9 the primary, promote the most advanced standby by hand, repoint the other
#    and rebuild the old primary (as scripts/pg-failover-test.sh does); onshi is not restarted;
# 5. at the end: the same onshi process still runs, it acknowledged writes begun after the promotion, and every
#    member it answered 201 for reads back through it (GET, 200, the number written) and is in table members on
#    the new primary and on the standby that follows it. Prints the counts, the
#    write gap and the time from the kill to the first acknowledged write. Exit 1 on a lost acknowledged write;
#    exit 2 when this onshi has no --store (the PostgreSQL engine, branch pg-engine, is not in it yet).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TOTAL=${1:-30}
WRITERS=${2:-4}
export ONSHI_PG_DIR=${ONSHI_PG_DIR:-/tmp/onshi-pg-onshi-failover}
export ONSHI_PG_PORT=${ONSHI_PG_PORT:-5547}
HTTP_PORT=${ONSHI_HTTP_PORT:-18471}
BIN=${ONSHI_BIN:-target/release/onshi}
CLUSTER=scripts/pg-cluster.sh
WORK=$(mktemp -d /tmp/onshi-pg-onshi-failover-test.XXXXXX)
SERVER=""
LOADER=""

T0=$EPOCHREALTIME
since() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.3f", b - a }'; }
log() { printf '[%7.2f s] %s\n' "$(since "$T0")" "$*"; }

cleanup() {
  touch "$WORK/stop"
  if [ -n "$LOADER" ]; then wait "$LOADER" 2>/dev/null || true; fi
  if [ -n "$SERVER" ]; then
    kill "$SERVER" 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
  fi
  if [ "${ONSHI_PG_KEEP:-0}" != 1 ]; then bash $CLUSTER destroy >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -x "$BIN" ] || cargo build --release --bin onshi
help=$("$BIN" serve --help 2>/dev/null || true)
if [[ $help != *--store* ]]; then
  echo "pg-onshi-failover-test: $BIN has no --store (the PostgreSQL engine is not in this build); nothing tested" >&2
  exit 2
fi

bash $CLUSTER destroy >/dev/null 2>&1 || true
bash $CLUSTER start
URL=$(bash $CLUSTER url)
P0=$(bash $CLUSTER primary)

TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
ONSHI_ADMIN_TOKEN=$TOKEN "$BIN" serve --data "$WORK/data" --store "$URL" --addr "127.0.0.1:$HTTP_PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 300); do
  curl -sf -m 2 "127.0.0.1:$HTTP_PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || {
    tail -20 "$WORK/server.log" >&2
    exit 1
  }
  sleep 0.1
done
curl -sf -m 2 "127.0.0.1:$HTTP_PORT/healthz" >/dev/null || {
  echo "onshi did not become healthy" >&2
  tail -20 "$WORK/server.log" >&2
  exit 1
}
log "onshi serve --store $URL (pid $SERVER) on 127.0.0.1:$HTTP_PORT"

LOAD_AT=$EPOCHREALTIME
python3 scripts/onshi_write_load.py load --addr "127.0.0.1:$HTTP_PORT" --token "$TOKEN" --writers "$WRITERS" \
  --out "$WORK" &
LOADER=$!
log "$WRITERS HTTP writers enrolling members"

sleep $((SECONDS_TOTAL / 3))
before=$(cat "$WORK"/ack.* 2>/dev/null | wc -l)
bash $CLUSTER kill-primary
KILL_AT=$EPOCHREALTIME
log "primary node $P0 killed after $before acknowledged enrolments"
bash $CLUSTER promote
P1=$(bash $CLUSTER primary)
PROMOTED_AT=$EPOCHREALTIME
log "node $P1 promoted"
bash $CLUSTER rejoin "$P0"
for n in 1 2 3; do
  [ "$n" = "$P0" ] || [ "$n" = "$P1" ] || OTHER=$n # the standby that followed
done
log "old primary node $P0 rebuilt as a standby"

rest=$(awk -v a="$LOAD_AT" -v b="$EPOCHREALTIME" -v t="$SECONDS_TOTAL" 'BEGIN { r = t - (b - a); print (r > 0 ? r : 0) }')
sleep "$rest"
touch "$WORK/stop"
wait "$LOADER"
LOADER=""
LOAD_S=$(since "$LOAD_AT")
log "writers stopped"

kill -0 "$SERVER" 2>/dev/null || {
  echo "FAIL: onshi exited during the failover" >&2
  tail -20 "$WORK/server.log" >&2
  exit 1
}
acked=$(cat "$WORK"/ack.* | wc -l)
failed=$(cat "$WORK"/fail.* | wc -l)
cat "$WORK"/ack.* | sort -k3,3n >"$WORK/times"
gap=$(awk 'NR > 1 && $3 - p > g { g = $3 - p } { p = $3 } END { printf "%.3f", g }' "$WORK/times")
resume=$(awk -v k="$KILL_AT" '$4 > k { printf "%.3f", $3 - k; exit }' "$WORK/times")
after_promotion=$(awk -v k="$PROMOTED_AT" '$4 > k' "$WORK/times" | wc -l)
rate=$(awk -v n="$acked" -v s="$LOAD_S" 'BEGIN { printf "%.0f", n / s }')
statuses=$(awk '{ print $2 }' "$WORK"/fail.* | sort | uniq -c | awk '{ printf "%s%s×%s", (NR > 1 ? ", " : ""), $2, $1 }')
verify=$(python3 scripts/onshi_write_load.py verify --addr "127.0.0.1:$HTTP_PORT" --token "$TOKEN" --out "$WORK" 2>"$WORK/verify.err") || true
lost=$(echo "$verify" | sed -n 's/.*missing=\([0-9]*\).*/\1/p')
wrong=$(echo "$verify" | sed -n 's/.*wrong=\([0-9]*\).*/\1/p')

# And straight from PostgreSQL: the numbers of the acknowledged enrolments in table members, on the new primary
# and on the standby that follows it (after it replayed what the primary has).
PSQL=/usr/lib/postgresql/15/bin/psql
pq() {
  local port=$1
  shift
  PGCONNECT_TIMEOUT=3 PGOPTIONS="-c statement_timeout=30000" timeout -k 2 60 "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d onshi "$@"
}
for f in "$WORK"/ack.*; do awk -v w="${f##*.}" '{ print w * 1000000 + $1 }' "$f"; done | sort -u >"$WORK/acked.numbers"
missing_in_table() {
  local port=$1
  pq "$port" -c "SELECT number FROM members WHERE insurer_number = '01130012' AND symbol = '9'" | sort -u >"$WORK/rows.$port" &&
    comm -23 "$WORK/acked.numbers" "$WORK/rows.$port" | wc -l
}
NEWPORT=$((ONSHI_PG_PORT + P1 - 1))
OTHERPORT=$((ONSHI_PG_PORT + OTHER - 1))
target=$(pq "$NEWPORT" -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 100); do
  [ "$(pq "$OTHERPORT" -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ] && break
  sleep 0.1
done
lost_primary=$(missing_in_table "$NEWPORT" || echo "?")
lost_standby=$(missing_in_table "$OTHERPORT" || echo "?")
rows_primary=$(wc -l <"$WORK/rows.$NEWPORT")

echo
echo "onshi (same process, pid $SERVER) acknowledged: $acked enrolments ($rate/s over $LOAD_S s, $WRITERS writers; $before before the kill, $after_promotion begun after the promotion)"
echo "failed attempts (retried):    $failed (${statuses:-none})"
echo "read back through onshi:      $verify"
echo "in table members:             $rows_primary on the new primary (node $P1; acknowledged missing: $lost_primary), acknowledged missing on the following standby (node $OTHER): $lost_standby"
echo "kill -9 → promoted:           $(since "$KILL_AT" "$PROMOTED_AT") s"
echo "kill -9 → first 201:          ${resume:-none} s"
echo "write gap (longest, no 201):  $gap s"
echo "RESULT acked=$acked lost=${lost:-?} wrong=${wrong:-?} lost_primary=$lost_primary lost_standby=$lost_standby failed=$failed gap_s=$gap resume_s=${resume:-none} after_promotion=$after_promotion"
if [ "${lost:-1}" != 0 ] || [ "${wrong:-1}" != 0 ] || [ "$lost_primary" != 0 ] || [ "$lost_standby" != 0 ]; then
  echo "FAIL: acknowledged enrolments are missing after the failover:" >&2
  head -20 "$WORK/verify.err" >&2
  exit 1
fi
if [ "$after_promotion" = 0 ]; then
  echo "FAIL: onshi acknowledged no write after the promotion (it did not find the new primary by itself)" >&2
  tail -20 "$WORK/server.log" >&2
  exit 1
fi
echo "OK: every enrolment onshi acknowledged survived the failover, and onshi went on writing without a restart"
