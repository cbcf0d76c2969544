#!/usr/bin/env bash
# Start the throw-away PostgreSQL and Redis servers the test suite uses, on loopback only.
# Usage: scripts/services.sh start|stop|env    (idempotent; data lives under $OMS_SERVICES_DIR)
set -euo pipefail

DIR=${OMS_SERVICES_DIR:-/tmp/oms-test-services}
PG_PORT=${OMS_TEST_PG_PORT:-55432}
REDIS_PORT=${OMS_TEST_REDIS_PORT:-56379}
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

start_postgres() {
  mkdir -p "$DIR"
  chmod 755 "$DIR"
  if [ ! -s "$DIR/pg/PG_VERSION" ]; then
    install -d -o postgres -g postgres "$DIR/pg"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$DIR/pg" -A trust -U oms >/dev/null
  fi
  if ! runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$DIR/pg" status >/dev/null 2>&1; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$DIR/pg" -l "$DIR/pg/server.log" -w start \
      -o "-p $PG_PORT -h 127.0.0.1 -k $DIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" >/dev/null
  fi
  runuser -u postgres -- "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U oms -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='oms_test'" | grep -q 1 ||
    runuser -u postgres -- "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U oms oms_test
}

start_redis() {
  mkdir -p "$DIR"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log" --dir "$DIR"
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
}

stop_all() {
  if [ -s "$DIR/pg/PG_VERSION" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$DIR/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  if [ -s "$DIR/redis.pid" ]; then kill "$(cat "$DIR/redis.pid")" 2>/dev/null || true; fi
}

print_env() {
  echo "export OMS_TEST_POSTGRES_URL=postgresql+asyncpg://oms@127.0.0.1:$PG_PORT/oms_test"
  echo "export OMS_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

case "${1:-start}" in
  start) start_postgres; start_redis; print_env ;;
  stop) stop_all ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
