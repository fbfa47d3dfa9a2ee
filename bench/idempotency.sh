#!/usr/bin/env bash
# Usage: bench/idempotency.sh PUBLISH_DIR [ROUNDS]
# The cost of idempotency keys: alternates the POST workload without and with an Idempotency-Key header (a new key
# per request, so every request runs and stores its answer), ROUNDS times (default 3), on one build, each run on a
# fresh copy of the 10k database. PUBLISH_DIR is a Release publish (bench/build.sh, or an ab-<commit> folder of ab.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DIR=$1; ROUNDS=${2:-3}; PORT=${PORT:-5080}
HARNESS=$(harness)
# post_key: the POST workload with a key made of the run's seed and the request's number.
sed 's/^  return wrk.format("POST", C.coll_path(j), hdrs, body)$/  hdrs["Idempotency-Key"] = string.format("bench-%d-%d", tonumber(os.getenv("SEED")) or 0, n)\n&/' \
  "$HARNESS/wrk/post.lua" > "$HARNESS/wrk/post_key.lua"
grep -q Idempotency-Key "$HARNESS/wrk/post_key.lua" || { echo "post.lua changed: cannot add the header" >&2; exit 1; }
OUT=$W/results/idempotency-$(date -u +%Y%m%dT%H%M%SZ); mkdir -p "$OUT"
for r in $(seq 1 "$ROUNDS"); do
  for w in post post_key; do
    pid=$(PJ_PUBLISH=$DIR bash "$BENCH/start-service.sh" 10k "$PORT"); sleep 1
    WORKLOADS=$w LABEL=$w bash "$HARNESS/run.sh" bc-service "http://127.0.0.1:$PORT" | tail -n +2 | tee -a "$OUT/runs.txt"
    stop_pid "$pid"; sleep 2
  done
done
echo "medians ($ROUNDS rounds): workload label req/s p99_ms"
medians "$OUT/runs.txt" | tee "$OUT/medians.txt"
