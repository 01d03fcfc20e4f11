#!/usr/bin/env bash
# What partitioning members by insurer number costs and gives a check (docs/benchmarks.md, "PostgreSQL at
# scale"): the members of database DB (default onshi_scale_base, loaded by run.sh measure) copied into a table
# PARTITION BY HASH (insurer_number) with PARTS partitions (default 64), then pgbench (prepared statements,
# 8 clients, SECONDS each) looks members up by the card's numbers (pruned to one partition) and by My Number
# (no pruning: every partition's index is probed) on the plain table and on the partitioned one.
#
#   bench/pg-scale/partition.sh [DB] [PARTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/partition"
db=${1:-onshi_scale_base} parts=${2:-64} seconds=${3:-10}
port=${ONSHI_PG_PORT:-5570}
bin=/usr/lib/postgresql/15/bin
q() { PGOPTIONS="-c statement_timeout=600000" "$bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"; }
members=$(q -c "SELECT max(member_id) FROM members")
q -v parts="$parts" -f setup.sql >/dev/null
echo "$members members, $parts hash partitions on insurer_number; load $(cut -d' ' -f1-3 /proc/loadavg)"
q -c "EXPLAIN (COSTS OFF) SELECT member_id FROM members_p WHERE my_number = '123456789012'" | head -3
for kind in by_card by_mn; do
  for t in members members_p; do
    out=$(timeout 120 "$bin/pgbench" -n -M prepared -c 8 -j 2 -T "$seconds" -D members="$members" -f "${kind}_$t.sql" \
      -h 127.0.0.1 -p "$port" -U postgres "$db" 2>&1)
    echo "$kind on $t: $(grep -E '^tps' <<<"$out" | sed 's/ (without.*//'), latency $(grep 'latency average' <<<"$out" | cut -d= -f2)"
  done
done
q -c "DROP TABLE members_p"
