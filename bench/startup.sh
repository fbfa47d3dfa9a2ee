#!/usr/bin/env bash
# Usage: bench/startup.sh [N] [OUTFILE]
# Start to first answer on an existing database: N starts each on a copy of db-10k and db-1m (already migrated and
# seeded), from launching `dotnet PaymentJournal.dll` to the first 200 of (a) GET /health and (b) GET one payment
# by key (polled every 10 ms, separate starts). Prints each time and the median.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
N=${1:-5}; OUT=${2:-/dev/null}; PORT=${PORT:-5082}
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for ds in 10k 1m; do
  for what in health get_by_key; do
    if [ $what = health ]; then url="http://127.0.0.1:$PORT/health"
    else url="http://127.0.0.1:$PORT/api/v2.0/companies($COMPANY)/customerPaymentJournals(a0000000-0000-4000-8000-000000000001)/customerPayments(b0000000-0000-4000-8000-000000000007)"; fi
    times=()
    for i in $(seq 1 "$N"); do
      fresh_copy "$PJ/db-$ds.db" "$PJ/run-$PORT.db"
      sync; t0=$(ms_now)
      pid=$(start_pj "$PJ/run-$PORT.db" "$PORT")
      wait_http "$url" "$pid" || { cat "$PJ/service-$PORT.log" >&2; exit 1; }
      times+=($(( $(ms_now) - t0 )))
      stop_pid "$pid"
    done
    echo "startup $ds $what ms: ${times[*]} median $(printf '%s\n' "${times[@]}" | median)" | tee -a "$OUT"
  done
done
