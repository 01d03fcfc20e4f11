#!/usr/bin/env bash
# Failover under write load, by hand, at the psql level (issue 11):
#
#   scripts/pg-failover-test.sh [SECONDS] [WRITERS]        (defaults: 30 s, 4 writers)
#
# 1. a fresh cluster of scripts/pg-cluster.sh in its own directory and ports (ONSHI_PG_DIR, default
#    /tmp/onshi-pg-failover; ONSHI_PG_PORT, default 5544), so that it never touches a developer's cluster;
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
# The cluster is removed at the end unless ONSHI_PG_KEEP=1. ONSHI_PG_FAILOVER_SELFTEST=1 adds one acknowledgement
# of a row never written before the check, to show that the check fails then (exit 1).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TOTAL=${1:-30}
WRITERS=${2:-4}
export ONSHI_PG_DIR=${ONSHI_PG_DIR:-/tmp/onshi-pg-failover}
export ONSHI_PG_PORT=${ONSHI_PG_PORT:-5544}
export PGCONNECT_TIMEOUT=2
CLUSTER=scripts/pg-cluster.sh
PSQL=/usr/lib/postgresql/15/bin/psql
WORK=$(mktemp -d /tmp/onshi-pg-failover-test.XXXXXX)
# shellcheck source=scripts/pg-writers.sh
source scripts/pg-writers.sh

cleanup() {
  pgw_stop
  if [ "${ONSHI_PG_KEEP:-0}" != 1 ]; then bash $CLUSTER destroy >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

T0=$EPOCHREALTIME
log() { printf '[%7.2f s] %s\n' "$(pgw_since "$T0")" "$*"; }
port_of() { echo $((ONSHI_PG_PORT + $1 - 1)); }

bash $CLUSTER destroy >/dev/null 2>&1 || true
bash $CLUSTER start
URL=$(bash $CLUSTER url)
P0=$(bash $CLUSTER primary)
pgw_create_table "$(port_of "$P0")"

LOAD_AT=$EPOCHREALTIME
pgw_start "$URL" "$WRITERS"
log "$WRITERS writers on $URL for $SECONDS_TOTAL s"

sleep $((SECONDS_TOTAL / 3))
before=$(pgw_acked)
bash $CLUSTER kill-primary
KILL_AT=$EPOCHREALTIME # the kill is the last thing kill-primary does
log "primary node $P0 killed after $before acknowledged writes"

# promote by hand: the standby that received the most WAL
bash $CLUSTER promote
P1=$(bash $CLUSTER primary)
PROMOTED_AT=$EPOCHREALTIME
log "node $P1 promoted"

# the other standby follows the new primary, the old primary comes back as a standby of the new one
bash $CLUSTER rejoin "$P0"
for n in 1 2 3; do
  [ "$n" = "$P0" ] || [ "$n" = "$P1" ] || OTHER=$n # the standby that followed
done
log "old primary node $P0 rebuilt as a standby"

rest=$(awk -v a="$LOAD_AT" -v b="$EPOCHREALTIME" -v t="$SECONDS_TOTAL" 'BEGIN { r = t - (b - a); print (r > 0 ? r : 0) }')
sleep "$rest"
pgw_stop
LOAD_S=$(pgw_since "$LOAD_AT")
log "writers stopped"
bash $CLUSTER status | sed 's/^/  /'

# Verify: every acknowledged (writer, seq) is on the new primary, and on the standby that follows it once it
# has replayed what the primary has.
NEWPORT=$(port_of "$P1")
OTHERPORT=$(port_of "$OTHER")
acked=$(pgw_acked)
failed=$(pgw_failed)
present=$(PGCONNECT_TIMEOUT=3 timeout 30 "$PSQL" -X -A -t -h 127.0.0.1 -p "$NEWPORT" -U postgres -d onshi -c "SELECT count(*) FROM ft")
lost=$(pgw_missing_on "$NEWPORT")
target=$(PGCONNECT_TIMEOUT=3 timeout 30 "$PSQL" -X -A -t -h 127.0.0.1 -p "$NEWPORT" -U postgres -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 100); do
  [ "$(PGCONNECT_TIMEOUT=3 timeout 30 "$PSQL" -X -A -t -h 127.0.0.1 -p "$OTHERPORT" -U postgres -c "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ] && break
  sleep 0.1
done
lost_standby=$(pgw_missing_on "$OTHERPORT")
if [ "${ONSHI_PG_FAILOVER_SELFTEST:-0}" = 1 ]; then
  # proves the check can fail: an acknowledgement of a row that was never written
  echo "999999 $EPOCHREALTIME $EPOCHREALTIME" >>"$WORK/ack.1"
  acked=$(pgw_acked)
  lost=$(pgw_missing_on "$NEWPORT")
fi

gap=$(pgw_gap)
resume=$(pgw_resume "$KILL_AT")
promote_s=$(pgw_since "$KILL_AT" "$PROMOTED_AT")
rate=$(awk -v n="$acked" -v s="$LOAD_S" 'BEGIN { printf "%.0f", n / s }')

echo
echo "acknowledged writes:          $acked ($rate/s over ${LOAD_S} s, $WRITERS writers; $before before the kill)"
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
