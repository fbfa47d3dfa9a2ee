#!/usr/bin/env bash
# Usage: bench/webhooks.sh PUBLISH_DIR [ROUNDS] [SECONDS]
# The cost of webhooks, on one build (a Release publish: bench/build.sh, or an ab-<commit> folder of ab.sh):
#  (a) the POST and PATCH workloads with no subscription, then with one subscription that every change matches
#      (companies(..)/customerPayments, notifying a local receiver), alternating, ROUNDS times (default 3), each run
#      on a fresh copy of the 10k database; the medians per label.
#  (b) one round of 1,000 changes per second (POSTs of payment lines) for SECONDS (default 60) into one subscription
#      with Business Central's 30-second window: notifications delivered vs changes, and how long past the window each
#      notification request arrived (p50/p99). Webhooks:MaxNotifications is raised so that every change arrives as an
#      item of its own (with the default, more than 1,000 changes in a window arrive as one "collection" item).
# Needs node (the receiver and the load of (b)) and wrk (the harness of (a)).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DIR=$1; ROUNDS=${2:-3}; SECONDS_B=${3:-60}; PORT=${PORT:-5080}; RPORT=${RECEIVER_PORT:-5091}
RATE=${RATE:-1000}
HARNESS=$(harness)
OUT=$W/results/webhooks-$(date -u +%Y%m%dT%H%M%SZ); mkdir -p "$OUT"
node "$BENCH/webhooks.js" receiver "$RPORT" "$OUT/received.txt" & receiver=$!
trap 'stop_pid $receiver' EXIT
sleep 0.5

subscribe() {
  curl -sf -X POST "http://127.0.0.1:$PORT/api/v2.0/subscriptions" -H "Content-Type: application/json" \
    -d "{\"notificationUrl\":\"http://127.0.0.1:$RPORT/hook\",\"resource\":\"api/v2.0/companies($COMPANY)/customerPayments\",\"clientState\":\"bench\"}" > /dev/null
}

# (a)
for r in $(seq 1 "$ROUNDS"); do
  for label in none subscribed; do
    pid=$(PJ_PUBLISH=$DIR bash "$BENCH/start-service.sh" 10k "$PORT"); sleep 1
    [ "$label" = subscribed ] && subscribe
    WORKLOADS="patch_if_match post" LABEL=$label bash "$HARNESS/run.sh" bc-service "http://127.0.0.1:$PORT" | tail -n +2 | tee -a "$OUT/runs.txt"
    stop_pid "$pid"; sleep 2
  done
done
echo "medians ($ROUNDS rounds): workload label req/s p99_ms"
medians "$OUT/runs.txt" | tee "$OUT/medians.txt"

# (b)
WINDOW_MS=${WINDOW_MS:-30000}
: > "$OUT/received.txt"
pid=$(Webhooks__MaxNotifications=100000000 Webhooks__Delay="00:00:$(printf '%02d' $((WINDOW_MS / 1000))).$(printf '%03d' $((WINDOW_MS % 1000)))" \
      PJ_PUBLISH=$DIR bash "$BENCH/start-service.sh" 10k "$PORT"); sleep 1
subscribe
journal=f0000000-0000-4000-8000-000000000001
log "(b) $RATE changes/s for ${SECONDS_B}s"
read -r sent ok failed < <(node "$BENCH/webhooks.js" load \
  "http://127.0.0.1:$PORT/api/v2.0/companies($COMPANY)/customerPaymentJournals($journal)/customerPayments" "$RATE" "$SECONDS_B" \
  '{"customerNumber":"C00001","amount":-1}')
log "sent=$sent ok=$ok failed=$failed; waiting for the last window"
# Everything is due one window after the last change; wait for it and a margin.
sleep $(( WINDOW_MS / 1000 + 10 ))
stop_pid "$pid"
node "$BENCH/webhooks.js" report "$OUT/received.txt" "$ok" "$WINDOW_MS" | tee "$OUT/round-b.txt"
