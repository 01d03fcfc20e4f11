#!/usr/bin/env bash
# Failover under write load, by hand, at the psql level (issue 11):
#
#   scripts/pg-failover-test.sh [SECONDS] [WRITERS]        (defaults: 30 s, 4 writers)
#
# 1. a fresh cluster of scripts/pg-cluster.sh in its own directory and ports (ONSHI_PG_DIR, default
#    /tmp/onshi-pg-failover; ONSHI_PG_PORT, default 5451), so that it never touches a developer's cluster;
# 2. WRITERS concurrent writers, each a loop of psql processes on the multi-host URI
#    (target_session_attrs=read-write), insert numbered rows (writer, seq), one transaction per row, and record
#    every row whose COMMIT returned OK, with the time, to a file; a failed attempt is retried with the next
#    number after 50 ms (a failed attempt may or may not have committed: it is never counted as acknowledged);
# 3. at a third of SECONDS the primary is killed with kill -9 (postmaster and all its processes at once);
#    the standby that received the most WAL is promoted by hand (pg_ctl promote: with ANY 1 quorum commit only
#    the most advanced standby is sure to hold every acknowledged commit), the other standby is repointed to it
#    (rebuilt with pg_basebackup when it cannot follow the new timeline), and the old primary is rebuilt as a
#    standby; the writers go on through the same URI and find the new primary by themselves;
# 4. at the end: every acknowledged row must be on the new primary (and on the standby that follows it);
#    prints the counts, the write gap (the longest time with no acknowledged write) and the time from the kill
#    to the first acknowledged write on the new primary. Exit 1 when an acknowledged write is missing.
#
# The cluster is removed at the end unless ONSHI_PG_KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TOTAL=${1:-30}
WRITERS=${2:-4}
export ONSHI_PG_DIR=${ONSHI_PG_DIR:-/tmp/onshi-pg-failover}
export ONSHI_PG_PORT=${ONSHI_PG_PORT:-5451}
export PGCONNECT_TIMEOUT=2
CLUSTER=scripts/pg-cluster.sh
PSQL=/usr/lib/postgresql/15/bin/psql
WORK=$(mktemp -d /tmp/onshi-pg-failover-test.XXXXXX)
writer_pids=()

cleanup() {
  local p
  for p in "${writer_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${ONSHI_PG_KEEP:-0}" != 1 ]; then bash $CLUSTER destroy >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '[%6.2f s] %s\n' "$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "$*"; }

# psql on one node (the checks at the end), bounded.
qn() {
  local port=$1
  shift
  PGOPTIONS="-c statement_timeout=30000" timeout -k 2 60 "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d onshi "$@"
}

T0=$EPOCHREALTIME
bash $CLUSTER destroy >/dev/null 2>&1 || true
bash $CLUSTER start
URL=$(bash $CLUSTER url)
P0=$(bash $CLUSTER primary)
qn $((ONSHI_PG_PORT + P0 - 1)) -c "CREATE TABLE ft (w int NOT NULL, i int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (w, i))"

# One writer: numbered rows, one psql (one connection, one transaction) each; "seq acked-at began-at" of every
# acknowledged commit to ack.W, the time of every failed attempt to fail.W.
writer() {
  local w=$1 deadline=$2 i=0
  while :; do
    local began=$EPOCHREALTIME
    [ "${began%.*}" -lt "$deadline" ] || break
    i=$((i + 1))
    if PGOPTIONS="-c statement_timeout=5000" timeout -k 1 10 "$PSQL" -X -q -v ON_ERROR_STOP=1 "$URL" \
      -c "INSERT INTO ft (w, i) VALUES ($w, $i)" >/dev/null 2>>"$WORK/err.$w"; then
      echo "$i $EPOCHREALTIME $began" >>"$WORK/ack.$w"
    else
      echo "$EPOCHREALTIME" >>"$WORK/fail.$w"
      sleep 0.05
    fi
  done
}

start_s=${EPOCHREALTIME%.*}
deadline=$((start_s + SECONDS_TOTAL))
for ((w = 1; w <= WRITERS; w++)); do
  : >"$WORK/ack.$w"
  : >"$WORK/fail.$w"
  writer "$w" "$deadline" &
  writer_pids+=($!)
done
log "$WRITERS writers on $URL for $SECONDS_TOTAL s"

sleep $((SECONDS_TOTAL / 3))
before=$(cat "$WORK"/ack.* | wc -l)
bash $CLUSTER kill-primary
KILL_AT=$EPOCHREALTIME # the kill is the last thing kill-primary does
log "primary node $P0 killed after $before acknowledged writes"

# promote by hand: the standby that received the most WAL
bash $CLUSTER promote
P1=$(bash $CLUSTER primary)
PROMOTED_AT=$EPOCHREALTIME
log "node $P1 promoted"

# the other standby follows the new primary (rebuilt when it cannot: it was ahead on the old timeline)
for n in 1 2 3; do
  [ "$n" = "$P0" ] || [ "$n" = "$P1" ] || OTHER=$n
done
if bash $CLUSTER wait-streaming "$OTHER" 15; then
  log "node $OTHER streams from node $P1"
else
  log "node $OTHER cannot follow node $P1: rebuilding it"
  bash $CLUSTER rebuild "$OTHER"
fi
# the old primary comes back as a standby of the new one
bash $CLUSTER rebuild "$P0"
log "old primary node $P0 rebuilt as a standby"

for p in "${writer_pids[@]}"; do wait "$p"; done
writer_pids=()
log "writers stopped"
bash $CLUSTER status | sed 's/^/  /'

# Verify: every acknowledged (writer, seq) is on the new primary.
NEWPORT=$((ONSHI_PG_PORT + P1 - 1))
for ((w = 1; w <= WRITERS; w++)); do awk -v w="$w" '{ print w "," $1 }' "$WORK/ack.$w"; done >"$WORK/acked.csv"
acked=$(wc -l <"$WORK/acked.csv")
failed=$(cat "$WORK"/fail.* | wc -l)
sort -u "$WORK/acked.csv" >"$WORK/acked.sorted"
# acknowledged rows missing on a node: the node's rows, sorted, against the acknowledged ones
missing_on() {
  local port=$1
  qn "$port" -c "\\copy (SELECT w || ',' || i FROM ft) TO '$WORK/rows.$port'"
  sort -u "$WORK/rows.$port" >"$WORK/rows.$port.sorted"
  comm -23 "$WORK/acked.sorted" "$WORK/rows.$port.sorted" | tee "$WORK/missing.$port" | wc -l
}
present=$(qn "$NEWPORT" -c "SELECT count(*) FROM ft")
lost=$(missing_on "$NEWPORT")
# the standby that follows the new primary has them too, once it has replayed
OTHERPORT=$((ONSHI_PG_PORT + OTHER - 1))
target=$(qn "$NEWPORT" -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 100); do
  [ "$(qn "$OTHERPORT" -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ] && break
  sleep 0.1
done
lost_standby=$(missing_on "$OTHERPORT")

# The write gap: the longest time between two consecutive acknowledged writes (of any writer), and the time
# from the kill to the first acknowledged write of an attempt begun after it (one that found the new primary).
cat "$WORK"/ack.* | sort -k2,2n >"$WORK/times"
gap=$(awk 'NR > 1 && $2 - p > g { g = $2 - p } { p = $2 } END { printf "%.3f", g }' "$WORK/times")
resume=$(awk -v k="$KILL_AT" '$3 > k { printf "%.3f", $2 - k; exit }' "$WORK/times")
promote_s=$(awk -v a="$KILL_AT" -v b="$PROMOTED_AT" 'BEGIN { printf "%.3f", b - a }')
rate=$(awk -v n="$acked" -v s="$SECONDS_TOTAL" 'BEGIN { printf "%.0f", n / s }')

echo
echo "acknowledged writes:          $acked ($rate/s over $SECONDS_TOTAL s, $WRITERS writers; $before before the kill)"
echo "failed attempts (retried):    $failed"
echo "rows on the new primary:      $present (node $P1; acknowledged missing: $lost)"
echo "on the following standby:     node $OTHER, acknowledged missing: $lost_standby"
echo "kill -9 → promoted:           ${promote_s} s"
echo "kill -9 → first write acked:  ${resume:-none} s"
echo "write gap (longest, no ack):  ${gap} s"
echo "RESULT acked=$acked lost=$lost lost_standby=$lost_standby present=$present failed=$failed gap_s=$gap resume_s=${resume:-none} promote_s=$promote_s"
if [ "$(wc -l <"$WORK/acked.sorted")" != "$acked" ]; then
  echo "FAIL: a row was acknowledged twice (the writers' numbering is broken)" >&2
  exit 1
fi
if [ "$lost" != 0 ] || [ "$lost_standby" != 0 ]; then
  echo "FAIL: acknowledged writes are missing after the failover (writer,seq):" >&2
  cat "$WORK"/missing.* | sort -u | head -20 >&2
  exit 1
fi
if [ -z "$resume" ]; then
  echo "FAIL: no write was acknowledged after the failover" >&2
  exit 1
fi
echo "OK: every acknowledged write survived the failover"
