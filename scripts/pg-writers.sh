# shellcheck shell=bash
# Concurrent psql writers and the check of their acknowledged writes, shared by scripts/pg-failover-test.sh and
# scripts/pg-auto-failover-test.sh (sourced, not run). Needs WORK (a scratch directory) and PSQL.
#
# A writer inserts numbered rows (writer, seq) into table ft of the URL's database, one psql process (one
# connection, one transaction) per row, and appends "seq acked-at began-at" to $WORK/ack.W for every row whose
# COMMIT returned OK. A failed attempt (connection refused, a standby, a timeout) is retried with the next number
# after 50 ms: it may or may not have committed, and is never counted as acknowledged. Writers stop when
# $WORK/stop exists.

PGW_PIDS=()

pgw_writer() {
  local url=$1 w=$2 i=0 began
  : >"$WORK/ack.$w"
  : >"$WORK/fail.$w"
  while [ ! -e "$WORK/stop" ]; do
    began=$EPOCHREALTIME
    i=$((i + 1))
    if PGCONNECT_TIMEOUT=2 PGOPTIONS="-c statement_timeout=5000" timeout -k 1 10 "$PSQL" -X -q -v ON_ERROR_STOP=1 \
      "$url" -c "INSERT INTO ft (w, i) VALUES ($w, $i)" >/dev/null 2>>"$WORK/err.$w"; then
      echo "$i $EPOCHREALTIME $began" >>"$WORK/ack.$w"
    else
      echo "$EPOCHREALTIME" >>"$WORK/fail.$w"
      sleep 0.05
    fi
  done
}

# pgw_start URL N: N writers in the background.
pgw_start() {
  local url=$1 n=$2 w
  rm -f "$WORK/stop"
  for ((w = 1; w <= n; w++)); do
    pgw_writer "$url" "$w" &
    PGW_PIDS+=($!)
  done
}

pgw_stop() {
  touch "$WORK/stop"
  local p
  for p in "${PGW_PIDS[@]}"; do wait "$p" || true; done
  PGW_PIDS=()
}

pgw_acked() { cat "$WORK"/ack.* | wc -l; }
pgw_failed() { cat "$WORK"/fail.* | wc -l; }

# The table the writers write, created on the primary at PORT.
pgw_create_table() {
  local port=$1
  PGCONNECT_TIMEOUT=3 PGOPTIONS="-c statement_timeout=30000" timeout -k 2 60 "$PSQL" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d "${2:-onshi}" \
    -c "CREATE TABLE ft (w int NOT NULL, i int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (w, i))"
}

# pgw_missing_on PORT [DB]: the number of acknowledged rows that are not in ft on the node at PORT (a primary
# or a standby: only reads); the missing ones in $WORK/missing.PORT.
pgw_missing_on() {
  local port=$1 db=${2:-onshi}
  local w
  for w in "$WORK"/ack.*; do awk -v w="${w##*.}" '{ print w "," $1 }' "$w"; done | sort -u >"$WORK/acked.sorted"
  PGCONNECT_TIMEOUT=3 PGOPTIONS="-c statement_timeout=60000" timeout -k 2 90 "$PSQL" -X -q -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$port" -U postgres -d "$db" -c "\\copy (SELECT w || ',' || i FROM ft) TO '$WORK/rows.$port'"
  sort -u "$WORK/rows.$port" >"$WORK/rows.$port.sorted"
  comm -23 "$WORK/acked.sorted" "$WORK/rows.$port.sorted" | tee "$WORK/missing.$port" | wc -l
}

# The longest time (s) between two consecutive acknowledged writes of any writer.
pgw_gap() {
  cat "$WORK"/ack.* | sort -k2,2n >"$WORK/times"
  awk 'NR > 1 && $2 - p > g { g = $2 - p } { p = $2 } END { printf "%.3f", g }' "$WORK/times"
}

# pgw_resume T: the time (s) from T to the first acknowledged write of an attempt begun after T (empty if none).
pgw_resume() {
  # through a file: awk stops at the first match, and a writer into its pipe would die of SIGPIPE (pipefail)
  cat "$WORK"/ack.* | sort -k2,2n >"$WORK/times.resume"
  awk -v k="$1" '$3 > k { printf "%.3f", $2 - k; exit }' "$WORK/times.resume"
}

# pgw_since A [B]: B (default now) - A, in seconds.
pgw_since() { awk -v a="$1" -v b="${2:-$EPOCHREALTIME}" 'BEGIN { printf "%.3f", b - a }'; }
