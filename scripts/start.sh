#!/usr/bin/env bash
# npm start: set up what is missing, migrate the database, then run the whole platform on regtest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NX_DAEMON=false NX_NO_CLOUD=true NEXT_TELEMETRY_DISABLED=1
[ -f .env ] && { set -a; . ./.env; set +a; }
exec node --import tsx scripts/start.ts "$@"
