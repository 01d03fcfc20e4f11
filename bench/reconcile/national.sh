#!/usr/bin/env bash
# The national-scale reconciliation benchmark of docs/benchmarks.md (issue 11): `onshi reconcile` on PERSONS
# synthetic persons (REGISTRY.csv and RECORDS.csv only, from `reconcile-bench synth`: onshi-sim's names, towns
# and error rates), under /usr/bin/time -v with a memory budget, so that a registry bigger than the budget is
# graded in partitions by birth date. Prints the wall time, the peak RSS and the grades, then deletes the files.
#
#   bench/reconcile/national.sh [PERSONS] [MEMORY] [DIR]    (defaults: 40000000 8G /tmp/onshi-reconcile-national)
#
# Disk: ≈ 270 bytes a person for the inputs, ≈ 230 more at the peak for the temporary partition files (next to
# OUT.csv), ≈ 70 for OUT.csv: ≈ 20 GB at 40 M persons.
set -euo pipefail
cd "$(dirname "$0")/../.."
persons=${1:-40000000}
memory=${2:-8G}
dir=${3:-/tmp/onshi-reconcile-national}
# ONSHI_BENCH_BIN: a directory holding already built `onshi` and `reconcile-bench` (default: build them now).
bin=${ONSHI_BENCH_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --bin onshi --bin reconcile-bench >/dev/null 2>&1
  bin=target/release
fi
mkdir -p "$dir"
trap 'rm -rf "$dir"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
/usr/bin/time -f "synth: %e s wall" "$bin/reconcile-bench" synth --persons "$persons" --seed 1 --dir "$dir"
echo "inputs: $(($(wc -l <"$dir/registry.csv") - 1)) residents ($(du -h "$dir/registry.csv" | cut -f1)), $(($(wc -l <"$dir/records.csv") - 1)) records ($(du -h "$dir/records.csv" | cut -f1))"
sync
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -v -o "$dir/time.txt" "$bin/onshi" reconcile --registry "$dir/registry.csv" --records "$dir/records.csv" \
  --out "$dir/out.csv" --summary "$dir/summary.json" --report "$dir/report.html" --memory "$memory" --quiet &
pid=$!
# the disk used at its peak (inputs, temporary files, outputs), sampled every 5 s
peak=0
while kill -0 "$pid" 2>/dev/null; do
  used=$(du -sb "$dir" 2>/dev/null | cut -f1 || echo 0)
  [ "$used" -gt "$peak" ] && peak=$used
  sleep 5
done
wait "$pid"
wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=0; for(j=1;j<=n;j++) s=s*60+t[j]; print s}' "$dir/time.txt")
kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$dir/time.txt")
cpu=$(awk -F': ' '/Percent of CPU/{print $2}' "$dir/time.txt")
echo "reconcile: ${wall} s wall, $(awk -v k="$kb" 'BEGIN{printf "%.2f", k/1048576}') GiB max RSS, CPU $cpu, disk peak $(awk -v b="$peak" 'BEGIN{printf "%.1f", b/1e9}') GB"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("grades:", {k: s[k] for k in ("records","A","B","C","unreadable")}); print("reasons:", s["reasons"])' \
  "$dir/summary.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
