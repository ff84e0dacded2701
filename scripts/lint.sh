#!/usr/bin/env bash
# Lint: formatting check, module-boundary check (no one includes another module's internal/ headers),
# and clang-tidy on files changed against origin/main (LINT_TIDY_ALL=1 for every file; slow).
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

echo "== clang-format"
if ! git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror; then
  status=1
fi

echo "== module boundaries"
while IFS= read -r line; do
  file=${line%%:*}
  module=$(echo "$file" | cut -d/ -f2)
  inc=$(echo "$line" | sed -E 's/.*#include "([^"]+)".*/\1/')
  if [ "$(echo "$inc" | cut -d/ -f1)" != "$module" ]; then
    echo "boundary violation: $file includes $inc"
    status=1
  fi
done < <(git grep -n '#include "[^"]*/internal/' -- 'src/*' || true)

echo "== clang-tidy"
if [ -f build/dev/compile_commands.json ] || cmake --preset dev >/dev/null; then
  if [ "${LINT_TIDY_ALL:-0}" = 1 ]; then
    files=$(git ls-files 'src/*.cpp')
  else
    files=$(git diff --name-only --diff-filter=AM HEAD -- 'src/*.cpp' || true)
  fi
  for f in $files; do
    clang-tidy -p build/dev --quiet "$f" || status=1
  done
fi
exit $status
