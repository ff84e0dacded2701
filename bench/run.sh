#!/usr/bin/env bash
# Gateway benchmarks vs. the Beast reference server (see bench/README.md). Builds nothing: `make bench`
# builds the release gateway and gw_reference_server first. Loopback only; every step is bounded.
#
#   GW_BINARY=build/release/src/app/openclaw-gateway REF_BINARY=build/release/bench/gw_reference_server \
#     bench/run.sh
#
# Knobs (env): IO_THREADS (default: nproc, used by both servers), WRK_THREADS=2, WRK_CONNECTIONS=64,
# WRK_SECONDS=10, WRK_ROUNDS=2, COLD_RUNS=5, IDLE_CONNS=10000, BENCH_ONLY=wrk,cold,conns,
# BENCH_OUT=build/bench-results.json, BENCH_STRICT=1 (exit 1 when a target is missed).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GW_BINARY="${GW_BINARY:-$repo_root/build/release/src/app/openclaw-gateway}"
export REF_BINARY="${REF_BINARY:-$repo_root/build/release/bench/gw_reference_server}"
export BENCH_OUT="${BENCH_OUT:-$repo_root/build/bench-results.json}"

for bin in "$GW_BINARY" "$REF_BINARY"; do
  if [[ ! -x "$bin" ]]; then
    echo "bench: $bin is not built (run: make bench, or cmake --preset release && cmake --build build/release)" >&2
    exit 2
  fi
done
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

python=/usr/bin/python3
[[ -x "$python" ]] || python="$(command -v python3)"

# The whole run is bounded: 4 wrk rounds + warm-ups, 5 cold starts, two 10k-connection holds.
exec timeout --signal=TERM --kill-after=30 900 "$python" "$repo_root/bench/gateway_bench.py"
