#!/usr/bin/env bash
# onshi reconcile and Splink 5 (DuckDB) on the same synthetic world, side by side (docs/benchmarks.md,
# issue 5). A benchmark, not a test.
#
#   bench/splink/run.sh [PERSONS] [DIR] [--stress]      (defaults: 1000000 /tmp/onshi-splink-bench)
#
# Installs Splink 5.0.0 from PyPI into a virtual environment (bench/splink/.venv, or $SPLINK_VENV), generates
# the world with `reconcile-bench world`, writes Splink's standardised inputs (`reconcile-bench splink-input`),
# then times each tool under /usr/bin/time -v and measures both outputs against truth.csv with the same code
# (`reconcile-bench accuracy`). Delete DIR when done.
set -euo pipefail
cd "$(dirname "$0")/../.."
persons=${1:-1000000}
dir=${2:-/tmp/onshi-splink-bench}
stress=${3:-}
venv=${SPLINK_VENV:-bench/splink/.venv}
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import splink' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "splink==5.0.0"
fi
# ONSHI_BENCH_BIN: a directory holding already built `onshi` and `reconcile-bench` (default: build them now).
bin=${ONSHI_BENCH_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --bin onshi --bin reconcile-bench >/dev/null 2>&1
  bin=target/release
fi
mkdir -p "$dir"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin/reconcile-bench" world --persons "$persons" --seed 1 --dir "$dir" $stress >/dev/null
"$bin/reconcile-bench" splink-input --world "$dir"
echo "world: $(($(wc -l <"$dir/registry.csv") - 1)) residents, $(($(wc -l <"$dir/records.csv") - 1)) records${stress:+ (stress error rates)}"

report() { # NAME TIMEFILE
  awk -F': ' -v name="$1" '/Elapsed \(wall clock\)/{n=split($2,t,":"); s=0; for(j=1;j<=n;j++) s=s*60+t[j]; w=s}
    /Maximum resident set size/{r=$2} /Percent of CPU/{c=$2}
    END{printf "%s: %.1f s wall, %.2f GiB max RSS, CPU %s\n", name, w, r/1048576, c}' "$2"
}

echo "== onshi reconcile"
/usr/bin/time -v -o "$dir/time-onshi.txt" "$bin/onshi" reconcile --registry "$dir/registry.csv" \
  --records "$dir/records.csv" --out "$dir/out.csv" --quiet
report onshi "$dir/time-onshi.txt"
"$bin/reconcile-bench" accuracy --world "$dir"

echo "== Splink $("$venv/bin/python" -c 'import splink; print(splink.__version__)') (DuckDB)"
/usr/bin/time -v -o "$dir/time-splink.txt" "$venv/bin/python" bench/splink/reconcile_splink.py --world "$dir"
report splink "$dir/time-splink.txt"
"$bin/reconcile-bench" accuracy --world "$dir" --out "$dir/splink/out.csv"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
