#!/usr/bin/env bash
# The PostgreSQL scale benchmark of issue 11 (docs/benchmarks.md, "PostgreSQL at scale"): millions of synthetic
# members (crates/onshi-bench/src/scale.rs) loaded with COPY into onshi's schema on a single-node PostgreSQL 15
# (bench/pg-scale/server.sh), then checked through `onshi serve --store URL` and straight in SQL.
#
#   bench/pg-scale/run.sh load FROM COUNT        COPY members FROM..FROM+COUNT (an empty database: indexes built
#                                                after; a loaded one: loaded with every index in place)
#   bench/pg-scale/run.sh sizes                  database, tables, each index (size, B-tree levels), WAL, disk
#   bench/pg-scale/run.sh measure MEMBERS [SECONDS] [CONNECTIONS]
#                                                sizes; `onshi serve --store URL`: a 1,000-member verification
#                                                (every one 有効 with the law's copay), checks by number for
#                                                SECONDS (random members over all MEMBERS), alternated ROUNDS
#                                                (default 2) times with the same checks against a small database
#                                                (BASE_MEMBERS, default 100,000: the same-run baseline), the
#                                                server's RSS; then the engine's statements straight on PG (reads
#                                                against both, reads + the access-log commit, by My Number)
#   bench/pg-scale/run.sh drop                   drop both databases (the disk comes back)
#
# ONSHI_PG_DIR / ONSHI_PG_PORT as for server.sh (defaults /tmp/onshi-pg-scale, 5570).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=bench/pg-scale
url=$($here/server.sh url)
psql() { $here/server.sh psql "$@"; }
build() { cargo build --release --bin onshi --bin pg-scale >/dev/null; }
machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem/{print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
}

sizes() {
  psql -c "CREATE EXTENSION IF NOT EXISTS pageinspect" >/dev/null
  echo "database onshi_scale: $(psql -c "SELECT pg_size_pretty(pg_database_size('onshi_scale'))"), members $(psql -c 'SELECT count(*) FROM members'), entries $(psql -c 'SELECT count(*) FROM member_entries')"
  echo "table | rows | heap | indexes | total"
  psql -F ' | ' -c "SELECT c.relname, c.reltuples::bigint, pg_size_pretty(pg_relation_size(c.oid)),
      pg_size_pretty(pg_indexes_size(c.oid)), pg_size_pretty(pg_total_relation_size(c.oid))
    FROM pg_class c WHERE c.relname IN ('members', 'member_entries', 'link_events', 'access_log') ORDER BY 1"
  echo "index | size | B-tree levels below the root + 1 (bt_metap.level + 1 = pages read from root to leaf)"
  psql -F ' | ' -c "SELECT i.indexrelid::regclass, pg_size_pretty(pg_relation_size(i.indexrelid)),
      (SELECT level + 1 FROM bt_metap(i.indexrelid::regclass::text))
    FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    WHERE c.relname IN ('members', 'member_entries', 'link_events', 'access_log') ORDER BY 1"
  echo "WAL directory: $(du -sh /tmp/onshi-pg-scale/data/pg_wal 2>/dev/null | cut -f1); data directory: $(du -sh /tmp/onshi-pg-scale/data 2>/dev/null | cut -f1); df /tmp: $(df -h /tmp | awk 'NR==2{print $4" free"}')"
  echo "shared_buffers $(psql -c 'SHOW shared_buffers'); PostgreSQL processes' RSS (shared pages counted once per process): $(ps -u postgres -o rss= | awk '{s+=$1} END {printf "%.0f MB", s/1024}')"
}

explain() { # one check's statement, its plan and the pages it touched
  local body
  body=$(psql -c "SELECT insurer_number || ' ' || number_key || ' ' || birth_date FROM members WHERE member_id = $1")
  read -r ins key birth <<<"$body"
  psql -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) SELECT member_id FROM members WHERE insurer_number = '$ins' AND number_key = '$key' AND birth_date = '$birth'"
}

dir='' big_pid='' small_pid=''
cleanup() { # the servers measure started, and their data directories
  for p in $big_pid $small_pid; do kill "$p" 2>/dev/null || true; done
  for p in $big_pid $small_pid; do wait "$p" 2>/dev/null || true; done
  [ -z "$dir" ] || rm -rf "$dir"
}

# onshi serve on database DB: its port in $served_port, its pid in $served; the admin token is ONSHI_ADMIN_TOKEN
serve() {
  local db=$1 port t0=$SECONDS
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$dir/$db"
  # --store-timeout: at 20M members the default 10 s does not let onshi start (PgStore::open scans
  # member_entries and link_events for the last recording time: docs/benchmarks.md)
  ONSHI_LOG=warn target/release/onshi serve --data "$dir/$db" --store "$($here/server.sh url "$db")" \
    --store-timeout "${STORE_TIMEOUT:-120}" --addr "127.0.0.1:$port" >"$dir/$db.log" 2>&1 &
  served=$!
  for _ in $(seq 1200); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "127.0.0.1:$port/healthz" >/dev/null || { cat "$dir/$db.log" >&2; echo "onshi serve did not start" >&2; return 1; }
  echo "onshi serve --store …/$db answered /healthz $((SECONDS - t0)) s after start"
  served_port=$port
}

clinic_token() {
  curl -sf "127.0.0.1:$1/admin/v1/credentials" -H "Authorization: Bearer $ONSHI_ADMIN_TOKEN" \
    -d '{"role":"clinic","subject":"1311234567"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# MEMBERS checked against the big database and BASE_MEMBERS (default 100,000) against a small one
# (onshi_scale_base, loaded when missing), alternated ROUNDS times in one run: the ratio is what the size costs.
measure() {
  local members=$1 seconds=${2:-20} conns=${3:-32} rounds=${ROUNDS:-2} base=${BASE_MEMBERS:-100000}
  build
  machine
  if [ "$(psql -d postgres -c "SELECT count(*) FROM pg_database WHERE datname = 'onshi_scale_base'")" = 0 ]; then
    target/release/pg-scale load --url "$($here/server.sh url onshi_scale_base)" --count "$base" | tail -1
  fi
  sizes
  explain $(( members / 2 + 1 )) | sed 's/^/  /'
  local t0=$SECONDS
  psql -c "SELECT max(recorded_at) FROM member_entries" >/dev/null
  echo "SELECT max(recorded_at) FROM member_entries (part of onshi's start, PgStore::open): $((SECONDS - t0)) s"
  dir=$(mktemp -d /tmp/onshi-pgscale-XXXXXX)
  export ONSHI_ADMIN_TOKEN
  ONSHI_ADMIN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  local big small
  trap cleanup EXIT
  serve onshi_scale; big=$served_port big_pid=$served
  serve onshi_scale_base; small=$served_port small_pid=$served
  local tb ts
  tb=$(clinic_token "$big"); ts=$(clinic_token "$small")
  target/release/pg-scale verify --addr "127.0.0.1:$big" --token "$tb" --members "$members" --sample 1000
  target/release/pg-scale verify --addr "127.0.0.1:$small" --token "$ts" --members "$base" --sample 200 | cut -c1-80
  target/release/pg-scale check --addr "127.0.0.1:$big" --token "$tb" --members "$members" --seconds 5 --connections "$conns" --seed 7 >/dev/null
  for r in $(seq "$rounds"); do
    target/release/pg-scale check --addr "127.0.0.1:$big" --token "$tb" --members "$members" --seconds "$seconds" --connections "$conns" --seed $((r * 1000000007))
    target/release/pg-scale check --addr "127.0.0.1:$small" --token "$ts" --members "$base" --seconds "$seconds" --connections "$conns" --seed $((r * 1000000007))
  done
  echo "onshi serve RSS: $(ps -o rss= -p "$big_pid" | awk '{printf "%.0f MB", $1/1024}'); load $(cut -d' ' -f1-3 /proc/loadavg)"
  kill "$big_pid" "$small_pid"; wait "$big_pid" "$small_pid" 2>/dev/null || true
  big_pid='' small_pid=''
  local burl
  burl=$($here/server.sh url onshi_scale_base)
  for r in $(seq "$rounds"); do
    target/release/pg-scale sql --url "$url" --members "$members" --seconds "$seconds" --connections "$conns" --seed $((r * 10 + 3))
    target/release/pg-scale sql --url "$burl" --members "$base" --seconds "$seconds" --connections "$conns" --seed $((r * 10 + 3))
  done
  target/release/pg-scale sql --url "$url" --members "$members" --seconds "$seconds" --connections "$conns" --seed 4 --log
  target/release/pg-scale sql --url "$url" --members "$members" --seconds "$seconds" --connections "$conns" --seed 5 --by-my-number
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  sizes | tail -2
}

case "${1:-}" in
  load)
    build
    $here/server.sh start
    machine
    echo "df /tmp before: $(df -h /tmp | awk 'NR==2{print $4" free"}')"
    /usr/bin/time -f "load: wall %e s, loader max RSS %M KB" target/release/pg-scale load --url "$url" --from "$2" --count "$3"
    sizes ;;
  sizes) sizes ;;
  measure) shift; measure "$@" ;;
  drop)
    psql -d postgres -c "DROP DATABASE IF EXISTS onshi_scale" -c "DROP DATABASE IF EXISTS onshi_scale_base" ;;
  *) sed -n '2,20p' "$0" >&2; exit 2 ;;
esac
