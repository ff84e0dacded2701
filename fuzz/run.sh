#!/usr/bin/env bash
# Runs every libFuzzer target of the clang `fuzz` build for a bounded time (`make fuzz`).
#   bash fuzz/run.sh [BUILD_DIR]     (default build/fuzz)
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   space-separated target names to run (default: every built gw_<name>_fuzz)
# Seeds come from fuzz/corpus/<name> (read only); new inputs go to BUILD_DIR/corpus/<name>, crashes to
# BUILD_DIR/artifacts/<name>/, logs to BUILD_DIR/logs/<name>.log. Exits non-zero if any target failed.
set -uo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-build/fuzz}
SECS=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-}
if [ -z "$TARGETS" ]; then
  for bin in "$BUILD"/fuzz/gw_*_fuzz; do
    [ -x "$bin" ] || continue
    n=${bin##*/gw_}
    TARGETS+=" ${n%_fuzz}"
  done
fi
if [ -z "${TARGETS// /}" ]; then
  echo "fuzz: no targets in $BUILD/fuzz (run: cmake --preset fuzz && cmake --build --preset fuzz)" >&2
  exit 2
fi

dict_for() {
  case "$1" in
    config) echo fuzz/dict/yaml.dict ;;
    sse) echo fuzz/dict/sse.dict ;;
    forwarded | bearer | ip_cidr) echo fuzz/dict/http.dict ;;
    *) echo fuzz/dict/json.dict ;;
  esac
}

failed=()
summary=()
for name in $TARGETS; do
  bin="$BUILD/fuzz/gw_${name}_fuzz"
  work="$BUILD/corpus/$name"
  artifacts="$BUILD/artifacts/$name"
  log="$BUILD/logs/$name.log"
  mkdir -p "$work" "$artifacts" "$BUILD/logs"
  echo "== fuzz $name for ${SECS}s"
  "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" -dict="$(dict_for "$name")" "$work" "fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || true)
  found=$(find "$work" -type f | wc -l)
  if [ $rc -ne 0 ]; then
    failed+=("$name")
    grep -E 'ERROR: |SUMMARY: |property violated|Test unit written' "$log" | head -8
    summary+=("$(printf '%-14s FAILED (rc %s)  see %s' "$name" "$rc" "$log")")
  else
    summary+=("$(printf '%-14s ok  %10s runs  %7s exec/s  cov %6s  %5s new corpus files' \
      "$name" "${runs:-?}" "${eps:-?}" "${cov:-?}" "$found")")
  fi
done

echo
echo "fuzz summary (${SECS}s per target; logs in $BUILD/logs):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (reproduce: $BUILD/fuzz/gw_<name>_fuzz $BUILD/artifacts/<name>/crash-...)" >&2
  exit 1
fi
