#!/usr/bin/env bash
# Usage: bench/start-service.sh DATASET [PORT]   DATASET = 10k | 1m | post (seeded by seed.sh), PORT default 5080
# For ../shared/bench/compare.sh's EXTRA_START: copies the pristine $BENCH_WORK/pj/db-DATASET.db to a working file
# (POST and PATCH change the data, so every start begins from the same rows), starts the Release build on
# 127.0.0.1:PORT in the background (log level Warning, like the CAP peer's "warn"; Demo:Seed stays on and is a
# no-op because the company exists), waits until GET /health answers, then (unless WAIT_READY=0) until /health/ready
# does, as a load balancer would: the warm-ups run on background threads for up to 60 s after the start, and a run
# that began before they finished shared the cores with them. Prints the PID.
# Beside it, a sampler writes the process's VmRSS once a second to $BENCH_WORK/pj/rss-PORT.txt
# and, when the process ends, one line (startup ms, RSS at the end of the run, peak RSS) to $RSS_LOG
# (default $BENCH_WORK/pj/rss-history.txt); the start-to-health time also goes to startup-PORT.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DS=${1:-10k}; PORT=${2:-5080}
[ -f "$PJ/db-$DS.db" ] || { echo "missing $PJ/db-$DS.db: run bench/seed.sh $DS" >&2; exit 1; }
[ -f "$PUBLISH/PaymentJournal.dll" ] || { echo "missing $PUBLISH: run bench/build.sh" >&2; exit 1; }
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then echo "port $PORT is in use" >&2; exit 1; fi
DB=$PJ/run-$PORT.db
fresh_copy "$PJ/db-$DS.db" "$DB"
t0=$(ms_now)
pid=$(start_pj "$DB" "$PORT")
if ! wait_http "http://127.0.0.1:$PORT/health" "$pid"; then
  cat "$PJ/service-$PORT.log" >&2; stop_pid "$pid"; exit 1
fi
startup_ms=$(( $(ms_now) - t0 ))
echo "$DS $startup_ms" > "$PJ/startup-$PORT.txt"
# 503 while warming; at most 70 s (a build without /health/ready just waits that long).
[ "${WAIT_READY:-1}" = 0 ] || wait_http "http://127.0.0.1:$PORT/health/ready" "$pid" 7000 || true
( max=0
  while [ -r /proc/$pid/status ]; do
    k=$(awk '/^VmRSS/{print $2}' /proc/$pid/status 2>/dev/null || true)
    [ -n "$k" ] || break
    kb=$k
    [ "$kb" -gt "$max" ] && max=$kb
    echo "$DS last_kb=$kb max_kb=$max" > "$PJ/rss-$PORT.tmp" && mv "$PJ/rss-$PORT.tmp" "$PJ/rss-$PORT.txt"
    sleep 1
  done
  echo "$(date -u +%FT%TZ) port=$PORT dataset=$DS startup_ms=$startup_ms rss_last_kb=${kb:-?} rss_max_kb=$max" >> "${RSS_LOG:-$PJ/rss-history.txt}"
  ) > /dev/null 2>&1 < /dev/null &
echo "$pid"
