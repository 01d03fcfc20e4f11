#!/usr/bin/env bash
# The counter benchmark of issue 11 (docs/benchmarks.md): onshi's eligibility checks by number against a
# do-nothing axum server (crates/onshi-bench/src/bin/noop-server.rs), both driven by wrk (32 connections,
# loopback) IN THE SAME RUN, alternating onshi / baseline ROUNDS times, so that the ratio holds when the machine's
# speed drifts. Every onshi check is durably in the access log before its answer leaves.
#
#   bench/counter-ratio.sh [MEMBERS] [SECONDS] [ROUNDS] [STORE]     (defaults: 20000 10 3, the embedded store)
#
# STORE: a PostgreSQL URL for `onshi serve --store` (e.g. the cluster's: bash scripts/pg-cluster.sh url onshi_bench).
# ONSHI_BIN: the onshi binary to measure (default target/release/onshi, built here): to compare two builds in
# one session, against the same baseline.
# Prints each run (requests/s, p99) and the medians and the ratio. Needs wrk (Debian package wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-20000}
seconds=${2:-10}
rounds=${3:-3}
store=${4:-}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
cargo build --release --bin onshi --bin onshi-load --bin noop-server >/dev/null
onshi_bin=${ONSHI_BIN:-target/release/onshi}
dir=$(mktemp -d /tmp/onshi-counter-XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
noop_port=$(free_port)
export ONSHI_ADMIN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
store_args=()
[ -z "$store" ] || store_args=(--store "$store")
"$onshi_bin" serve --data "$dir/data" "${store_args[@]}" --addr "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
server=$!
target/release/noop-server --addr "127.0.0.1:$noop_port" >"$dir/noop.log" 2>&1 &
noop=$!
trap 'kill $server $noop 2>/dev/null; wait $server $noop 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 300); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
for _ in $(seq 100); do curl -sf "127.0.0.1:$noop_port/healthz" >/dev/null && break; sleep 0.1; done
echo "onshi: $onshi_bin; machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); store: ${store:-embedded SQLite}; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
target/release/onshi-load enrol --addr "127.0.0.1:$port" --token "$ONSHI_ADMIN_TOKEN" --count "$members" --connections 64 | tail -1
TOKEN=$(curl -sf "127.0.0.1:$port/admin/v1/credentials" -H "Authorization: Bearer $ONSHI_ADMIN_TOKEN" \
  -d '{"role":"clinic","subject":"1311234567"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export TOKEN MEMBERS=$members
# one check by hand: the members are there and answered valid
curl -sf "127.0.0.1:$port/clinic/v1/eligibility" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"insurer_number":"06139992","symbol":"1","number":"1000059","birth_date":"2009-01-01","service_date":"2025-05-01"}' \
  | python3 -c 'import json,sys; a=json.load(sys.stdin); assert a["result"]=="valid", a; print("sample check:", a["result"])'
run() { # name port -> "rps p99_ms"
  local out
  out=$(wrk -t2 -c32 -d"${seconds}s" --latency -s bench/counter.lua "http://127.0.0.1:$2" 2>&1)
  if grep -q "Non-2xx" <<<"$out"; then echo "$1: $(grep Non-2xx <<<"$out")" >&2; exit 1; fi
  python3 - "$1" "$out" <<'PY'
import re, sys
name, out = sys.argv[1], sys.argv[2]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
print(f"{rps:.0f} {p99:.2f}")
print(f"{name}: {rps:,.0f} requests/s, p99 {p99:.2f} ms", file=sys.stderr)
PY
}
run onshi-warmup "$port" >/dev/null
onshi=() noop_r=()
for _ in $(seq "$rounds"); do
  onshi+=("$(run onshi "$port")")
  noop_r+=("$(run baseline "$noop_port")")
done
python3 - "${onshi[@]}" -- "${noop_r[@]}" <<'PY'
import statistics, sys
args = sys.argv[1:]
i = args.index("--")
a = [tuple(map(float, x.split())) for x in args[:i]]
b = [tuple(map(float, x.split())) for x in args[i + 1:]]
ra, rb = statistics.median(x[0] for x in a), statistics.median(x[0] for x in b)
pa, pb = statistics.median(x[1] for x in a), statistics.median(x[1] for x in b)
ratios = [x[0] / y[0] for x, y in zip(a, b)]
print(f"median: onshi {ra:,.0f}/s (p99 {pa:.2f} ms), baseline {rb:,.0f}/s (p99 {pb:.2f} ms); "
      f"onshi = {statistics.median(ratios):.1%} of the baseline (per round: {', '.join(f'{r:.1%}' for r in ratios)})")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
