#!/usr/bin/env bash
# The real OpenClaw gateway (npm openclaw) as a side-by-side benchmark peer
# (see /work/shared/reference/openclaw-peer.md and bench/README.md).
#
#   bench/openclaw_peer.sh install                      # idempotent; node@24 + openclaw into the cache dir
#   bench/openclaw_peer.sh run PORT UPSTREAM_URL RUNDIR  # writes RUNDIR/state/openclaw.json, execs the gateway
#
# The cache lives OUTSIDE the repository: $OPENCLAW_PEER_CACHE (default $HOME/.cache/openclaw-peer).
# Versions: OPENCLAW_PEER_NODE (24.21.0), OPENCLAW_PEER_VERSION (2026.9.6). `run` stays in the
# foreground (exec) so the caller owns the process id; the gateway is ready when GET /readyz is 200.
set -euo pipefail

cache="${OPENCLAW_PEER_CACHE:-$HOME/.cache/openclaw-peer}"
node_version="${OPENCLAW_PEER_NODE:-24.21.0}"
openclaw_version="${OPENCLAW_PEER_VERSION:-2026.9.6}"
node_dir="$cache/node-$node_version"
claw_dir="$cache/openclaw-$openclaw_version"

node_bin() { echo "$node_dir/node_modules/.bin/node"; }
claw_bin() { echo "$claw_dir/node_modules/.bin/openclaw"; }

install_peer() {
  mkdir -p "$cache"
  if [[ ! -x "$(node_bin)" ]]; then
    mkdir -p "$node_dir"
    [[ -f "$node_dir/package.json" ]] || echo '{"name":"peer-node","private":true,"allowScripts":{"node":true}}' >"$node_dir/package.json"
    (cd "$node_dir" && npm i -E --no-audit --no-fund "node@$node_version")
  fi
  "$(node_bin)" --version >/dev/null || { echo "peer: node@$node_version does not run" >&2; return 1; }
  if [[ ! -x "$(claw_bin)" ]]; then
    mkdir -p "$claw_dir"
    cat >"$claw_dir/package.json" <<'JSON'
{"name":"peer-openclaw","private":true,
 "allowScripts":{"openclaw":true,"koffi":true,"protobufjs":true,"@google/genai":true}}
JSON
    # npm itself runs on the system Node; the packages' install scripts get node@24 first on PATH.
    (cd "$claw_dir" && PATH="$node_dir/node_modules/.bin:$PATH" \
      npm i -E --no-audit --no-fund "openclaw@$openclaw_version")
  fi
  [[ -x "$(claw_bin)" ]] || { echo "peer: openclaw binary missing after install" >&2; return 1; }
  echo "peer: installed in $cache"
}

run_peer() {
  local port="$1" upstream="$2" rundir="$3"
  [[ -x "$(node_bin)" && -x "$(claw_bin)" ]] || { echo "peer: not installed (run: $0 install)" >&2; exit 3; }
  mkdir -p "$rundir/home" "$rundir/state" "$rundir/tmp"
  cat >"$rundir/state/openclaw.json" <<JSON
{
  "gateway": { "mode": "local", "port": $port, "bind": "loopback",
    "auth": { "mode": "token", "token": "peer-token" },
    "reload": { "mode": "off" }, "tailscale": { "mode": "off" },
    "http": { "endpoints": { "chatCompletions": { "enabled": true }, "responses": { "enabled": true } } } },
  "logging": { "file": "$rundir/openclaw.log" },
  "models": { "mode": "merge", "providers": { "fake": {
      "baseUrl": "$upstream", "apiKey": "fake-local", "api": "openai-completions",
      "models": [ { "id": "fake-model", "name": "Fake Model", "reasoning": false, "input": ["text"],
                    "cost": { "input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0 },
                    "contextWindow": 128000, "maxTokens": 4096 } ] } } },
  "agents": { "defaults": { "model": { "primary": "fake/fake-model" } } }
}
JSON
  export HOME="$rundir/home" OPENCLAW_HOME="$rundir/home" OPENCLAW_STATE_DIR="$rundir/state" \
    OPENCLAW_CONFIG_PATH="$rundir/state/openclaw.json" TMPDIR="$rundir/tmp" \
    OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_SKIP_CHANNELS=1 NO_PROXY='*' no_proxy='*'
  unset HTTP_PROXY HTTPS_PROXY http_proxy https_proxy ALL_PROXY all_proxy
  export PATH="$node_dir/node_modules/.bin:$PATH"
  exec "$(node_bin)" "$(readlink -f "$(claw_bin)")" gateway run --port "$port" --bind loopback \
    --auth token --token peer-token
}

case "${1:-}" in
  install) install_peer ;;
  run) [[ $# -eq 4 ]] || { echo "usage: $0 run PORT UPSTREAM_URL RUNDIR" >&2; exit 2; }; run_peer "$2" "$3" "$4" ;;
  *) echo "usage: $0 install | run PORT UPSTREAM_URL RUNDIR" >&2; exit 2 ;;
esac
