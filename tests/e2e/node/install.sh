#!/bin/sh
# Installs the pinned npm dependencies of the e2e Node clients (package-lock.json: the openai SDK and
# playwright-core) when node_modules is missing or incomplete. Called from the Makefile; safe to re-run.
# playwright-core drives Debian's /usr/bin/chromium (package chromium); it never downloads browsers.
set -eu
cd "$(dirname "$0")"
if [ -d node_modules/openai ] && [ -d node_modules/playwright-core ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "tests/e2e/node/install.sh: npm not found (install nodejs and npm)" >&2
    exit 1
fi
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD
exec npm ci --no-audit --no-fund
