#!/usr/bin/env bash
# Usage: bench/vendor-post.sh [ROUNDS] [OUTFILE]
# The vendor-payment POST round beside the customer POST round, on one service over the 10k data set (seed.sh, which
# adds 200 vendors and 20 vendor payment journals): per round a fresh copy and a fresh service, then wrk with the shared
# harness's settings (-t1 -c16, 3 s warm-up, 10 s measured) on the harness's customer POST and on wrk/post_vendor.lua,
# the order alternating from round to round. Prints one line per run and the medians:
#   <kind> req/s=<median> p99_ms=<median>
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}; OUT=${2:-/dev/null}; PORT=${PORT:-5082}
HARNESS=$(harness)
DURATION=${DURATION:-10s}; WARMUP=${WARMUP:-3s}
set -a; . "$HARNESS/targets/bc-service.env"; set +a
export BENCH_DIR=$HARNESS BASE_PATH="" WORKLOAD=post JOURNALS=20 PER_JOURNAL=500
runs=$(mktemp)
for r in $(seq 1 "$ROUNDS"); do
  pid=$(bash "$BENCH/start-service.sh" 10k "$PORT")
  order="customer vendor"; [ $((r % 2)) = 0 ] && order="vendor customer"
  for kind in $order; do
    script=$HARNESS/wrk/post.lua; [ "$kind" = vendor ] && script=$BENCH/wrk/post_vendor.lua
    SEED=777 wrk -t1 -c16 -d"$WARMUP" --timeout 30s -s "$script" "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true
    res=$(SEED=$RANDOM wrk -t1 -c16 -d"$DURATION" --timeout 30s --latency -s "$script" "http://127.0.0.1:$PORT/" 2>&1 | grep '^RESULT' || true)
    rps=$(sed -nE 's/.* rps=([^ ]+).*/\1/p' <<<"$res"); p99=$(sed -nE 's/.* p99_ms=([^ ]+).*/\1/p' <<<"$res")
    non2xx=$(sed -nE 's/.* non2xx=([^ ]+).*/\1/p' <<<"$res")
    echo "round $r $kind req/s=$rps p99_ms=$p99 non2xx=$non2xx" | tee -a "$OUT"
    echo "$kind $rps $p99" >> "$runs"
  done
  stop_pid "$pid"; sleep 1
done
for kind in customer vendor; do
  med() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
  echo "median $kind req/s=$(awk -v k=$kind '$1 == k {print $2}' "$runs" | med) p99_ms=$(awk -v k=$kind '$1 == k {print $3}' "$runs" | med)" | tee -a "$OUT"
done
rm -f "$runs"
