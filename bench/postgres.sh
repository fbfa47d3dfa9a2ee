#!/usr/bin/env bash
# Usage: bench/postgres.sh [OUTDIR]
# The service on PostgreSQL 15, in parts (PARTS, default all four, in this order):
#   workloads  the four workloads of ../shared/bench (same data set and wrk settings as the SQLite runs), ROUNDS rounds,
#              each on a fresh copy of the seeded database (CREATE DATABASE ... TEMPLATE)
#   posting    posting a 10,000-line and a 100,000-line journal (seed-posting-postgres.sql), timed by curl, ROUNDS rounds
#   twonodes   POST on two nodes on one database (two ports, one wrk -c CONNS/2 on each, at once) beside one node's
#              POST with wrk -c CONNS, ROUNDS rounds of each in turns
#   million    GET by key and the filtered page on 1,000,000 payments in one journal, ROUNDS rounds
# A throwaway server from the machine's binaries runs in $BENCH_WORK/pg (as the postgres user) on PGPORT and is stopped
# at the end, with the settings in PG_SETTINGS (docs/postgres.md says why): commits stay durable (fsync and
# synchronous_commit on, the defaults). CS_EXTRA adds options to the service's connection string. Needs bench/build.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
OUT=${1:-$W/results/pg-$(date -u +%Y%m%dT%H%M%SZ)}; mkdir -p "$OUT"
ROUNDS=${ROUNDS:-3}; PORT=${PORT:-5080}; PORT2=${PORT2:-5082}; PGPORT=${PGPORT:-55432}; CONNS=${CONNS:-16}
PARTS=${PARTS:-workloads posting twonodes million}
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PGDATA=$W/pg/data
PG_SETTINGS=${PG_SETTINGS:-"-c max_connections=200 -c shared_buffers=512MB -c synchronous_commit=on \
  -c max_wal_size=8GB -c checkpoint_timeout=30min -c checkpoint_completion_target=0.9 -c wal_compression=lz4"}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$W/pg"; chown postgres "$W/pg" 2>/dev/null || true
if [ ! -f "$PGDATA/PG_VERSION" ]; then as_pg "$BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null; fi
# shellcheck disable=SC2086
as_pg "$BIN/pg_ctl" -D "$PGDATA" -o "-p $PGPORT -k $W/pg -c listen_addresses=127.0.0.1 $PG_SETTINGS" \
  -l "$W/pg/server.log" -w start >/dev/null
trap 'as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true' EXIT
H=$(harness)   # the shared harness with post.lua's line numbers offset per run (lib.sh)
PSQL="psql -h 127.0.0.1 -p $PGPORT -U postgres -v ON_ERROR_STOP=1 -q"
cs() { echo "Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=$1;Maximum Pool Size=64${CS_EXTRA:+;$CS_EXTRA}"; }
# start_node DB PORT -> PID of a service on database DB, answering on PORT
start_node() {
  local pid; pid=$(start_pj "" "$2" --Database:Provider=Postgres --ConnectionStrings:PaymentJournal="$(cs "$1")")
  wait_http "http://127.0.0.1:$2/health" "$pid" || { cat "$PJ/service-$2.log" >&2; exit 1; }
  echo "$pid"
}
fresh() { $PSQL -c "DROP DATABASE IF EXISTS pjrun" -c "CREATE DATABASE pjrun TEMPLATE $1"; }
has() { [[ " $PARTS " == *" $1 "* ]]; }

log "seed: schema + demo company by the service, then the 10k data set by SQL"
$PSQL -c "DROP DATABASE IF EXISTS pjrun" -c "DROP DATABASE IF EXISTS pjbench" -c "CREATE DATABASE pjbench"
stop_pid "$(start_node pjbench "$PORT")"
t0=$(ms_now); $PSQL -d pjbench -v J=20 -v P=500 -f "$BENCH/seed-postgres.sql"; log "seeded 10k in $(( $(ms_now) - t0 )) ms"
$PSQL -d pjbench -c "CHECKPOINT"

if has workloads; then
  for r in $(seq 1 "$ROUNDS"); do
    log "== round $r: bc-service-pg"
    fresh pjbench
    t0=$(ms_now); pid=$(start_node pjrun "$PORT")
    echo "startup_ms=$(( $(ms_now) - t0 ))" > "$OUT/startup-round$r.txt"
    DURATION=3s WARMUP=0 WORKLOADS="get_by_key list_filtered patch_if_match" bash "$H/run.sh" bc-service "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
    LABEL=bc-service-pg RAW_DIR=$OUT/raw/round$r bash "$H/run.sh" bc-service "http://127.0.0.1:$PORT" | tee "$OUT/round$r-bc-service-pg.txt"
    awk '/^VmRSS/{print "rss_kb="$2}' /proc/$pid/status > "$OUT/rss-round$r.txt" 2>/dev/null || true
    stop_pid "$pid"; sleep 2
  done
fi

if has posting; then
  log "seed: journals P10000 and P100000 for posting"
  $PSQL -c "DROP DATABASE IF EXISTS pjpost" -c "CREATE DATABASE pjpost TEMPLATE pjbench"
  $PSQL -d pjpost -v N=10000 -v OFF=0 -f "$BENCH/seed-posting-postgres.sql"
  $PSQL -d pjpost -v N=100000 -v OFF=10000 -f "$BENCH/seed-posting-postgres.sql"
  $PSQL -d pjpost -c "CHECKPOINT"
  B="http://127.0.0.1:$PORT/api/v2.0/companies($COMPANY)"
  for r in $(seq 1 "$ROUNDS"); do
    fresh pjpost; pid=$(start_node pjrun "$PORT")
    for n in 10000 100000; do
      jid=$(printf 'a1000000-0000-4000-8000-%012d' "$n")
      res=$(curl -s -o "$PJ/post-$n.body" -w '%{http_code} %{time_total}' -X POST -H 'Content-Length: 0' \
            --max-time 600 "$B/customerPaymentJournals($jid)/Microsoft.NAV.post" || echo "000 0")
      left=$($PSQL -d pjrun -At -c "SELECT count(*) FROM journal_lines WHERE journal_id = '$jid'")
      cle=$($PSQL -d pjrun -At -c "SELECT count(*) FROM customer_ledger_entries")
      line="round $r posting $n ${res% *} ${res#* } left=$left cust_ledger_entries_total=$cle"
      case ${res% *} in 2*) ;; *) line="$line ERROR body: $(head -c 600 "$PJ/post-$n.body")" ;; esac
      echo "$line" | tee -a "$OUT/posting.txt"
    done
    stop_pid "$pid"; sleep 1
  done
fi

if has twonodes; then
  # One node with wrk -c CONNS, then two nodes with CONNS/2 each at once (the same load in all), in turns.
  for r in $(seq 1 "$ROUNDS"); do
    fresh pjbench; pid=$(start_node pjrun "$PORT")
    DURATION=3s WARMUP=0 WORKLOADS=post bash "$H/run.sh" bc-service "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
    CONNS=$CONNS WARMUP=0 WORKLOADS=post LABEL=one-node bash "$H/run.sh" bc-service "http://127.0.0.1:$PORT" | tail -1 | tee -a "$OUT/twonodes.txt"
    stop_pid "$pid"; sleep 1
    fresh pjbench; pid=$(start_node pjrun "$PORT"); pid2=$(start_node pjrun "$PORT2")
    for p in "$PORT" "$PORT2"; do
      DURATION=3s WARMUP=0 WORKLOADS=post CONNS=$((CONNS / 2)) bash "$H/run.sh" bc-service "http://127.0.0.1:$p" >/dev/null 2>&1 &
    done; wait
    for p in "$PORT" "$PORT2"; do
      CONNS=$((CONNS / 2)) WARMUP=0 WORKLOADS=post LABEL=node-$p bash "$H/run.sh" bc-service "http://127.0.0.1:$p" | tail -1 > "$OUT/twonodes-$r-$p.txt" &
    done; wait
    cat "$OUT/twonodes-$r-$PORT.txt" "$OUT/twonodes-$r-$PORT2.txt" | tee -a "$OUT/twonodes.txt" \
      | awk -v r="$r" '{s += $3} END {printf "round %s two-nodes post req/s=%.1f\n", r, s}' | tee -a "$OUT/twonodes.txt"
    stop_pid "$pid"; stop_pid "$pid2"; sleep 1
  done
fi

if has million; then
  log "seed: 1,000,000 payments in one journal"
  $PSQL -c "DROP DATABASE IF EXISTS pjbench1m" -c "CREATE DATABASE pjbench1m TEMPLATE pjbench"
  $PSQL -d pjbench1m -c "DELETE FROM journal_lines" -c "DELETE FROM journal_batches WHERE code LIKE 'CPJ%'" \
    -c "DELETE FROM number_series WHERE code LIKE 'BENCH%'"
  t0=$(ms_now); $PSQL -d pjbench1m -v J=1 -v P=1000000 -f "$BENCH/seed-postgres.sql"; log "seeded 1m in $(( $(ms_now) - t0 )) ms"
  $PSQL -d pjbench1m -c "VACUUM (ANALYZE) journal_lines" -c "CHECKPOINT"
  for r in $(seq 1 "$ROUNDS"); do
    log "== round $r: bc-service-pg-1m"
    fresh pjbench1m; pid=$(start_node pjrun "$PORT")
    JOURNALS=1 PER_JOURNAL=1000000 LABEL=bc-service-pg-1m WORKLOADS="get_by_key list_filtered" RAW_DIR=$OUT/raw/round$r \
      bash "$H/run.sh" bc-service "http://127.0.0.1:$PORT" | tee "$OUT/round$r-bc-service-pg-1m.txt"
    stop_pid "$pid"; sleep 1
  done
fi
if has workloads || has million; then node "$H/summarize.js" "$OUT" | tee "$OUT/summary.md"; fi
