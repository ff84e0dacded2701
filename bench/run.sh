#!/usr/bin/env bash
# Gateway benchmarks (see bench/README.md): gateway_bench.py (vs. the Beast reference server) then
# chat_bench.py (chat completions vs. a zero-latency fake upstream, and the real OpenClaw as a peer).
# Builds nothing: `make bench` builds the release gateway and the bench programs first. Loopback only;
# every step is bounded.
#
#   GW_BINARY=build/release/src/app/openclaw-gateway REF_BINARY=build/release/bench/gw_reference_server \
#     FAKE_BINARY=build/release/bench/gw_fake_upstream PROBE_BINARY=build/release/bench/gw_chat_probe \
#     bench/run.sh
#
# Knobs (env): IO_THREADS (default: nproc, used by both servers), WRK_THREADS=2, WRK_CONNECTIONS=64,
# WRK_SECONDS=10, WRK_ROUNDS=2, COLD_RUNS=5, IDLE_CONNS=10000, BENCH_ONLY=wrk,cold,conns,chat,ws
# (chat = chat_bench.py, ws = ws_bench.py), BENCH_PEER=0 (no OpenClaw peer), BENCH_OUT=build/bench-results.json,
# BENCH_STRICT=1 (exit 1 when a target is missed). More chat knobs in chat_bench.py / the README.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GW_BINARY="${GW_BINARY:-$repo_root/build/release/src/app/openclaw-gateway}"
export REF_BINARY="${REF_BINARY:-$repo_root/build/release/bench/gw_reference_server}"
export FAKE_BINARY="${FAKE_BINARY:-$repo_root/build/release/bench/gw_fake_upstream}"
export PROBE_BINARY="${PROBE_BINARY:-$repo_root/build/release/bench/gw_chat_probe}"
export BENCH_OUT="${BENCH_OUT:-$repo_root/build/bench-results.json}"

requested="${BENCH_ONLY:-}"
only=",${requested:-wrk,cold,conns,edge,chat,ws},"
run_base=0 run_chat=0 run_ws=0
[[ "$only" =~ ,(wrk|cold|conns|idle|edge), ]] && run_base=1
[[ "$only" == *,chat,* ]] && run_chat=1
[[ "$only" == *,ws,* ]] && run_ws=1

bins=("$GW_BINARY")
((run_base)) && bins+=("$REF_BINARY")
((run_chat)) && bins+=("$FAKE_BINARY" "$PROBE_BINARY")
((run_ws)) && bins+=("$FAKE_BINARY")
for bin in "${bins[@]}"; do
  if [[ ! -x "$bin" ]]; then
    echo "bench: $bin is not built (run: make bench, or cmake --preset release && cmake --build build/release)" >&2
    exit 2
  fi
done
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

python=/usr/bin/python3
[[ -x "$python" ]] || python="$(command -v python3)"

status=0
if ((run_base)); then
  # Bounded: 4 wrk rounds + warm-ups, 5 cold starts, two 10k-connection holds.
  BENCH_ONLY="${requested/chat/}" timeout --signal=TERM --kill-after=30 900 \
    "$python" "$repo_root/bench/gateway_bench.py" || status=$?
fi
if ((run_chat)); then
  # Bounded: ~2 min of probes and wrk, plus the peer (install when missing, ~25 s start, small probes).
  timeout --signal=TERM --kill-after=30 1800 "$python" "$repo_root/bench/chat_bench.py" || status=$?
fi
if ((run_ws)); then
  # Bounded: 10k connections, 5 s of chat.send at 1,000/s, one fan-out, ~20 s of turns, plus the peer.
  timeout --signal=TERM --kill-after=30 900 "$python" "$repo_root/bench/ws_bench.py" || status=$?
fi
exit "$status"
