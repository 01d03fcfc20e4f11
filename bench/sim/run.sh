#!/usr/bin/env bash
# The generator benchmark of docs/benchmarks.md (issue 4): `onshi sim generate` of PERSONS persons with a year
# of events and clinic visits, RUNS times under /usr/bin/time -v; prints each run (wall time, max RSS, disk)
# and the medians. Each world is deleted after its run.
#
#   bench/sim/run.sh [PERSONS] [RUNS] [DIR]      (defaults: 1000000 3 /tmp/onshi-sim-bench)
#
# ONSHI_BENCH_BIN: a directory holding an already built `onshi` (default: build it now).
set -euo pipefail
cd "$(dirname "$0")/../.."
persons=${1:-1000000}
runs=${2:-3}
dir=${3:-/tmp/onshi-sim-bench}
bin=${ONSHI_BENCH_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --bin onshi >/dev/null 2>&1
  bin=target/release
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
walls=()
rss=()
mkdir -p "$dir"
for i in $(seq "$runs"); do
  rm -rf "$dir/world"
  sync
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -v -o "$dir/time.txt" "$bin/onshi" sim generate --persons "$persons" --seed 1 --out "$dir/world" >/dev/null
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=0; for(j=1;j<=n;j++) s=s*60+t[j]; print s}' "$dir/time.txt")
  kb=$(awk -F': ' '/Maximum resident set size/{print $2}' "$dir/time.txt")
  cpu=$(awk -F': ' '/Percent of CPU/{print $2}' "$dir/time.txt")
  walls+=("$wall")
  rss+=("$kb")
  echo "run $i: ${wall} s wall, $(awk -v k="$kb" 'BEGIN{printf "%.2f", k/1048576}') GiB max RSS, CPU $cpu, $(du -sh "$dir/world" | cut -f1) on disk; load before: $load"
done
python3 - "$dir/world/summary.json" <<'PY' || true
import json, sys
s = json.load(open(sys.argv[1]))
print("world:", {k: v for k, v in s.items() if not isinstance(v, (dict, list))})
PY
(cd "$dir/world" && wc -l registry.csv records.csv events.jsonl visits.csv 2>/dev/null | sed 's/^/lines: /') || true
rm -rf "$dir/world"
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "median: $(median "${walls[@]}") s wall, $(awk -v k="$(median "${rss[@]}")" 'BEGIN{printf "%.2f", k/1048576}') GiB max RSS"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
