#!/usr/bin/env bash
# Usage: bench/postgres.sh [OUTDIR]
# The four workloads of ../shared/bench against the service on PostgreSQL 15 (same data set, same wrk settings as the
# SQLite runs), ROUNDS rounds, each on a fresh copy of the seeded database (CREATE DATABASE ... TEMPLATE).
# A throwaway server from the machine's binaries runs in $BENCH_WORK/pg (as the postgres user; fsync on, the
# default, so commits are durable) on port 55432 and is stopped at the end. Needs bench/build.sh first.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
OUT=${1:-$W/results/pg-$(date -u +%Y%m%dT%H%M%SZ)}; mkdir -p "$OUT"
ROUNDS=${ROUNDS:-3}; PORT=${PORT:-5080}; PGPORT=${PGPORT:-55432}
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PGDATA=$W/pg/data
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$W/pg"; chown postgres "$W/pg" 2>/dev/null || true
if [ ! -f "$PGDATA/PG_VERSION" ]; then as_pg "$BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null; fi
as_pg "$BIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k $W/pg -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=512MB" \
  -l "$W/pg/server.log" -w start >/dev/null
trap 'as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true' EXIT
[ -d "$W/harness" ] && SHARED=$W/harness   # the side-by-side copy with the fixed post.lua (bench/run.sh)
PSQL="psql -h 127.0.0.1 -p $PGPORT -U postgres -v ON_ERROR_STOP=1 -q"
cs() { echo "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$1;Maximum Pool Size=64"; }

log "seed: schema + demo company by the service, then the 10k data set by SQL"
$PSQL -c "DROP DATABASE IF EXISTS pjbench" -c "CREATE DATABASE pjbench"
pid=$(start_pj "" "$PORT" --Database:Provider=Postgres --ConnectionStrings:PaymentJournal="$(cs pjbench)")
wait_http "http://127.0.0.1:$PORT/health" "$pid" || { cat "$PJ/service-$PORT.log"; exit 1; }
stop_pid "$pid"
t0=$(ms_now); $PSQL -d pjbench -v J=20 -v P=500 -f "$BENCH/seed-postgres.sql"; log "seeded 10k in $(( $(ms_now) - t0 )) ms"

for r in $(seq 1 "$ROUNDS"); do
  log "== round $r: bc-service-pg"
  $PSQL -c "DROP DATABASE IF EXISTS pjrun" -c "CREATE DATABASE pjrun TEMPLATE pjbench"
  t0=$(ms_now)
  pid=$(start_pj "" "$PORT" --Database:Provider=Postgres --ConnectionStrings:PaymentJournal="$(cs pjrun)")
  wait_http "http://127.0.0.1:$PORT/health" "$pid" || { cat "$PJ/service-$PORT.log"; exit 1; }
  echo "startup_ms=$(( $(ms_now) - t0 ))" > "$OUT/startup-round$r.txt"
  DURATION=3s WARMUP=0 WORKLOADS="get_by_key list_filtered patch_if_match" bash "$SHARED/run.sh" bc-service "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
  LABEL=bc-service-pg RAW_DIR=$OUT/raw/round$r bash "$SHARED/run.sh" bc-service "http://127.0.0.1:$PORT" | tee "$OUT/round$r-bc-service-pg.txt"
  awk '/^VmRSS/{print "rss_kb="$2}' /proc/$pid/status > "$OUT/rss-round$r.txt" 2>/dev/null || true
  stop_pid "$pid"; sleep 2
done
node "$SHARED/summarize.js" "$OUT" | tee "$OUT/summary.md"
