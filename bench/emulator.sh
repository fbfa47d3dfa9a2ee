#!/usr/bin/env bash
# Usage: bench/emulator.sh [ROUNDS]   (default 20)
# Times the emulator endpoints on the demo-sized database: starts the Release build (bench/build.sh) with
# Emulator:Enabled=true on a new SQLite file seeded with the demo company, then per round changes a few rows and
# calls reset, snapshot, restore and delete; prints the median and the largest wall time of each (curl's total,
# so the HTTP round trip is included). EMULATOR_PG="<connection string>" runs it on PostgreSQL instead.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ROUNDS=${1:-20}; PORT=${PORT:-5091}
[ -f "$PUBLISH/PaymentJournal.dll" ] || { echo "missing $PUBLISH: run bench/build.sh" >&2; exit 1; }
DB=$PJ/emulator-$PORT.db
rm -f "$DB" "$DB-wal" "$DB-shm"
extra=(--Emulator:Enabled=true)
[ -n "${EMULATOR_PG:-}" ] && extra+=(--Database:Provider=Postgres "--ConnectionStrings:PaymentJournal=$EMULATOR_PG")
pid=$(start_pj "$DB" "$PORT" "${extra[@]}")
trap 'stop_pid $pid' EXIT
wait_http "http://127.0.0.1:$PORT/health" "$pid" || { cat "$PJ/service-$PORT.log" >&2; exit 1; }
B=http://127.0.0.1:$PORT
API=$B/api/v2.0/companies\($COMPANY\)
t() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X "$1" "$2" -H 'Content-Type: application/json' ${3:+-d "$3"}; }
declare -A times
for i in $(seq 1 "$ROUNDS"); do
  t POST "$API/customers" '{"displayName":"bench"}' > /dev/null
  t POST "$API/customerPaymentJournals(f0000000-0000-4000-8000-000000000001)/customerPayments" '{"customerNumber":"C00001","amount":-1}' > /dev/null
  for op in "POST $B/emulator/snapshots/bench snapshot" "POST $B/emulator/reset reset" "POST $B/emulator/snapshots/bench/restore restore" "DELETE $B/emulator/snapshots/bench delete"; do
    set -- $op
    read -r code secs < <(t "$1" "$2")
    case $code in 2*) ;; *) echo "$3: HTTP $code" >&2; exit 1;; esac
    times[$3]+="$secs "
  done
done
echo "emulator on the demo database, $ROUNDS rounds, wall time per call (ms): median / max"
for op in snapshot reset restore delete; do
  echo "${times[$op]}" | tr ' ' '\n' | grep . | sort -g | awk -v op="$op" '{ a[NR] = $1 * 1000 } END { printf "%-9s %7.1f / %7.1f\n", op, a[int((NR + 1) / 2)], a[NR] }'
done
