#!/usr/bin/env bash
# Brings a fresh clone to a runnable state; safe to run again (each step is skipped when done).
# Usage: scripts/setup.sh [--browser]   (--browser also installs Debian's chromium for browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NEXT_TELEMETRY_DISABLED=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$major" -ge 20 ] || die "Node.js 20 or newer is required (found $(node -v 2>/dev/null || echo none)); install it from your distribution or nodejs.org"

# Dependencies: npm ci whenever package-lock.json differs from what was last installed.
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.metamorph-lock ] || [ "$(cat node_modules/.metamorph-lock)" != "$lock_sum" ]; then
  say "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.metamorph-lock
fi

# Prisma client: generated (never committed) whenever the schema changes.
schema_sum=$( (cat prisma/schema.prisma; grep '"version"' node_modules/prisma/package.json) | sha256sum | cut -d' ' -f1)
if [ ! -f libs/db/src/generated/.schema-sum ] || [ "$(cat libs/db/src/generated/.schema-sum)" != "$schema_sum" ]; then
  say "generating the Prisma client"
  PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate >/dev/null
  echo "$schema_sum" > libs/db/src/generated/.schema-sum
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }

# PostgreSQL and Redis: start them if installed but stopped.
pg_host=127.0.0.1 pg_port=5432
if ! pg_isready -q -h $pg_host -p $pg_port 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    say "starting PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h $pg_host -p $pg_port && break; sleep 1; done
  fi
  pg_isready -q -h $pg_host -p $pg_port 2>/dev/null || die "PostgreSQL is not running on $pg_host:$pg_port and could not be started: install it (apt-get install postgresql) with trust auth for user postgres on 127.0.0.1, or set DATABASE_URL"
fi
if ! (redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG); then
  if command -v redis-server >/dev/null; then
    say "starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis || true
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && break; sleep 0.5; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG || die "Redis is not running on 127.0.0.1:6379 and could not be started: install it (apt-get install redis-server), or set REDIS_URL"
fi

if [ "${1:-}" = --browser ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium for the browser tests"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || die "could not install chromium: run 'apt-get install chromium' as root"
fi
exit 0
