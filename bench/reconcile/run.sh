#!/usr/bin/env bash
# The reconciliation benchmark of docs/benchmarks.md (issue 5): `onshi reconcile` on a synthetic world of
# onshi-sim, timed under /usr/bin/time -v, RUNS times; prints each run and the medians, then the accuracy of
# the last run against the world's truth.csv.
#
#   bench/reconcile/run.sh [PERSONS] [RUNS] [DIR] [--stress]    (defaults: 10250000 3 /tmp/onshi-reconcile-bench)
#
# 10,250,000 persons give ≈ 10.0 M records and ≈ 10.2 M residents at the end of the simulated year (the
# target is 10 M records against a 10 M-resident registry). The world (≈ 6 GB with 10 M persons) is kept in
# DIR between runs and reused when it is the same world; delete DIR when done (`rm -rf DIR`).
set -euo pipefail
cd "$(dirname "$0")/../.."
persons=${1:-10250000}
runs=${2:-3}
dir=${3:-/tmp/onshi-reconcile-bench}
stress=${4:-}
# ONSHI_BENCH_BIN: a directory holding already built `onshi` and `reconcile-bench` (default: build them now).
bin=${ONSHI_BENCH_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --bin onshi --bin reconcile-bench >/dev/null 2>&1
  bin=target/release
fi
mkdir -p "$dir"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
"$bin/reconcile-bench" world --persons "$persons" --seed 1 --dir "$dir" $stress >/dev/null
echo "world: $(($(wc -l <"$dir/registry.csv") - 1)) residents ($(du -h "$dir/registry.csv" | cut -f1)), $(($(wc -l <"$dir/records.csv") - 1)) records ($(du -h "$dir/records.csv" | cut -f1))"
walls=()
rss=()
for i in $(seq "$runs"); do
  sync
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -v -o "$dir/time.txt" "$bin/onshi" reconcile --registry "$dir/registry.csv" \
    --records "$dir/records.csv" --out "$dir/out.csv" --summary "$dir/summary-reconcile.json" \
    --report "$dir/report.html" --quiet
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=0; for(j=1;j<=n;j++) s=s*60+t[j]; print s}' "$dir/time.txt")
  kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$dir/time.txt")
  cpu=$(awk -F': ' '/Percent of CPU/{print $2}' "$dir/time.txt")
  walls+=("$wall")
  rss+=("$kb")
  echo "run $i: ${wall} s wall, $(awk -v k="$kb" 'BEGIN{printf "%.2f", k/1048576}') GiB max RSS, CPU $cpu; load before: $load"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "median: $(median "${walls[@]}") s wall, $(awk -v k="$(median "${rss[@]}")" 'BEGIN{printf "%.2f", k/1048576}') GiB max RSS"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("grades:", {k: s[k] for k in ("records","A","B","C","unreadable")})' \
  "$dir/summary-reconcile.json"
"$bin/reconcile-bench" accuracy --world "$dir"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
