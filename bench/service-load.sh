#!/usr/bin/env bash
# The service benchmark of docs/benchmarks.md (issue 3): enrol N members through the API, then check
# eligibility for random members among them, against a real `onshi serve` on 127.0.0.1.
#
#   bench/service-load.sh [MEMBERS] [CHECK_SECONDS] [CONNECTIONS]    (defaults: 1000000 30 16)
#
# Prints the load generator's lines (throughput, latency p50/p90/p99/p99.9/max) and the server's CPU time per
# check. Everything runs on this machine: the load generator shares the cores with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
members=${1:-1000000}
seconds=${2:-30}
conns=${3:-16}
cargo build --release --bin onshi --bin onshi-load >/dev/null
dir=$(mktemp -d /tmp/onshi-bench-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export ONSHI_ADMIN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
target/release/onshi serve --data "$dir/data" --addr "127.0.0.1:$port" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 100); do curl -sf "127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
target/release/onshi-load enrol --addr "127.0.0.1:$port" --token "$ONSHI_ADMIN_TOKEN" --count "$members" --connections 64
clinic=$(curl -sf "127.0.0.1:$port/admin/v1/credentials" -H "Authorization: Bearer $ONSHI_ADMIN_TOKEN" \
  -d '{"role":"clinic","subject":"1311234567"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# A short warm-up, then the measured run.
target/release/onshi-load check --addr "127.0.0.1:$port" --token "$clinic" --members "$members" --seconds 5 \
  --connections "$conns" >/dev/null
cpu0=$(awk '{print $14+$15}' "/proc/$server/stat")
out=$(target/release/onshi-load check --addr "127.0.0.1:$port" --token "$clinic" --members "$members" \
  --seconds "$seconds" --connections "$conns" 2>&1)
cpu1=$(awk '{print $14+$15}' "/proc/$server/stat")
echo "$out"
n=$(echo "$out" | sed -n 's/^check: \([0-9]*\) requests.*/\1/p')
ticks=$(getconf CLK_TCK)
python3 -c "print(f'server CPU per check: {($cpu1-$cpu0)/$ticks/max($n,1)*1e6:.0f} µs')"
echo "data directory: $(du -sh "$dir/data" | cut -f1); load after: $(cut -d' ' -f1-3 /proc/loadavg)"
