#!/usr/bin/env bash
# Start the local PostgreSQL cluster and Redis when they are not already answering,
# then wait (bounded) until both are ready. Used by `.ci/run` and `make services`.
#
# Env: PG_HOST/PG_PORT (127.0.0.1:5432), REDIS_HOST/REDIS_PORT (127.0.0.1:6379),
#      SERVICES_WAIT_SECONDS (30).
set -euo pipefail

PG_HOST="${PG_HOST:-127.0.0.1}"
PG_PORT="${PG_PORT:-5432}"
REDIS_HOST="${REDIS_HOST:-127.0.0.1}"
REDIS_PORT="${REDIS_PORT:-6379}"
WAIT_SECONDS="${SERVICES_WAIT_SECONDS:-30}"

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

pg_ready() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" >/dev/null 2>&1; }
redis_ready() { [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

# wait_for NAME CHECK_FUNCTION: poll once a second, at most WAIT_SECONDS times.
wait_for() {
    local name="$1" check="$2" i
    for ((i = 0; i < WAIT_SECONDS; i++)); do
        if "$check"; then
            log "$name is ready"
            return 0
        fi
        sleep 1
    done
    die "$name not ready after ${WAIT_SECONDS}s"
}

start_postgres() {
    if pg_ready; then
        log "PostgreSQL already accepting connections on $PG_HOST:$PG_PORT"
        return 0
    fi
    command -v pg_ctlcluster >/dev/null || die "pg_ctlcluster not found (is postgresql installed?)"
    local version
    # Highest installed major version (normally there is exactly one).
    version="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$version" ] || die "no cluster under /etc/postgresql"
    log "starting PostgreSQL $version/main"
    # A cluster that is already starting up makes this fail; the wait below decides.
    pg_ctlcluster --skip-systemctl-redirect "$version" main start \
        || log "pg_ctlcluster returned non-zero (cluster may already be starting)"
    wait_for PostgreSQL pg_ready
}

start_redis() {
    if redis_ready; then
        log "Redis already answering on $REDIS_HOST:$REDIS_PORT"
        return 0
    fi
    command -v redis-server >/dev/null || die "redis-server not found (is redis-server installed?)"
    log "starting Redis on $REDIS_HOST:$REDIS_PORT"
    redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" \
        --save "" --appendonly no >/dev/null
    wait_for Redis redis_ready
}

start_postgres
start_redis
