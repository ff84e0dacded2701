#!/usr/bin/env bash
# Idempotent install of exactly the Debian bookworm packages that the build, the tests and the
# benchmarks need. Runs `apt-get update` only when a package is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config make git
  # libraries (ARCHITECTURE.md §2)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libpq-dev libhiredis-dev libldap-dev libmaxminddb-dev
  libspdlog-dev libfmt-dev libyaml-cpp-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libargon2-dev
  # make fuzz: clang 14 with the libFuzzer runtime
  clang-14 libclang-rt-14-dev
  # test data builders (a small MaxMind DB for the geo filter tests)
  libmaxmind-db-writer-perl
  # black-box tests and benchmarks
  python3 python3-pytest python3-aiohttp python3-websockets python3-psycopg2 python3-redis python3-cryptography
  # the stock OpenClaw Control UI driven headless (tests/e2e/test_control_ui.py)
  chromium
  prometheus wrk curl procps sqlite3
)

# Node.js drives the npm test clients (the official `openai` SDK). The machine image ships Node 20;
# a bare Debian gets bookworm's nodejs + npm instead.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
