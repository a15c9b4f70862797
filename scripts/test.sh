#!/usr/bin/env bash
# npm test: set up what is missing, then run every test file (unit, integration, browser)
# with node's test runner against the local PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --browser
export NX_DAEMON=false NX_NO_CLOUD=true NEXT_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
mapfile -t files < <(find libs apps scripts -name '*.test.ts' -not -path '*/node_modules/*' -not -path '*/generated/*' -not -path '*/.next/*' | sort)
[ "${#files[@]}" -gt 0 ] || { echo "test: no test files found" >&2; exit 1; }
exec node --import tsx --test --test-concurrency=2 --test-timeout=600000 "$@" "${files[@]}"
