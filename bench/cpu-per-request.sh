#!/usr/bin/env bash
# Usage: bench/cpu-per-request.sh TARGET BASEURL PID [WORKLOADS]
# Server CPU time per request: for each workload, one wrk run (../shared/bench/run.sh, DURATION default 5s, no warm-up
# beyond what was run before) while reading utime+stime of PID (and its threads) from /proc before and after.
# CPU-ms per request is far less sensitive to other load on the machine than req/s (it still includes cache and
# scheduler effects). Prints: target workload requests server_cpu_s cpu_us_per_request non2xx
set -euo pipefail
. "$(dirname "$0")/lib.sh"
T=$1; BASE=$2; PID=$3; WL=${4:-"get_by_key list_filtered patch_if_match post"}
HZ=$(getconf CLK_TCK)
cpu() { awk -v hz="$HZ" '{print ($14 + $15) / hz}' "/proc/$PID/stat"; }
for w in $WL; do
  c0=$(cpu)
  line=$(DURATION=${DURATION:-5s} WARMUP=0 WORKLOADS=$w RAW_DIR=$PJ/cpu-raw bash "$SHARED/run.sh" "$T" "$BASE" | tail -1)
  c1=$(cpu)
  req=$(sed -nE 's/.* requests=([0-9]+).*/\1/p' "$PJ/cpu-raw/$T-$w.txt" 2>/dev/null || echo 0)
  [ -n "$req" ] || req=0
  n2=$(awk '{print $6}' <<<"$line")
  awk -v t="$T" -v w="$w" -v r="$req" -v a="$c0" -v b="$c1" -v n="$n2" \
    'BEGIN{printf "%-12s %-15s requests=%d server_cpu_s=%.2f cpu_us_per_request=%.0f non2xx=%s\n", t, w, r, b-a, (r>0 ? (b-a)*1e6/r : 0), n}'
done
