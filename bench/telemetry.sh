#!/usr/bin/env bash
# Usage: bench/telemetry.sh PUBLISH_DIR [ROUNDS]
# The cost of metrics: alternates one build with Telemetry:Metrics:Enabled false and true, ROUNDS times (default 3),
# each on a fresh copy of the 10k database, running the two read workloads (GET by key, filtered page); prints one
# line per run and the medians. PUBLISH_DIR is a Release publish (bench/build.sh, or an ab-<commit> folder of ab.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DIR=$1; ROUNDS=${2:-3}; PORT=${PORT:-5080}
HARNESS=$(harness)
OUT=$W/results/telemetry-$(date -u +%Y%m%dT%H%M%SZ); mkdir -p "$OUT"
for r in $(seq 1 "$ROUNDS"); do
  for m in false true; do
    pid=$(Telemetry__Metrics__Enabled=$m PJ_PUBLISH=$DIR bash "$BENCH/start-service.sh" 10k "$PORT"); sleep 1
    WORKLOADS="get_by_key list_filtered" LABEL=metrics-$m bash "$HARNESS/run.sh" bc-service "http://127.0.0.1:$PORT" | tail -n +2 | tee -a "$OUT/runs.txt"
    stop_pid "$pid"; sleep 2
  done
done
echo "medians ($ROUNDS rounds): workload metrics req/s p99_ms"
medians "$OUT/runs.txt" | tee "$OUT/medians.txt"
