# Shared settings of the bench scripts (sourced). Everything built or written goes to $BENCH_WORK.
W=${BENCH_WORK:-/tmp/benchwork}
PJ=$W/pj                       # our databases, logs, PID/RSS files
PUBLISH=${PJ_PUBLISH:-$W/pj-publish}   # dotnet publish -c Release output (PJ_PUBLISH: another build, for A/B runs)
SHARED=${SHARED_BENCH:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../shared/bench" 2>/dev/null && pwd || echo shared/bench)}
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
COMPANY=c0000000-0000-4000-8000-000000000001
mkdir -p "$PJ"
log() { echo "[$(date -u +%T)] $*" >&2; }
ms_now() { date +%s%3N; }
# start_pj DB PORT [extra args...] -> PID on stdout; the service's output goes to $PJ/service-PORT.log
# (Demo:Seed=true: a Release publish runs as Production, where the demo company is off by default)
start_pj() {
  local db=$1 port=$2; shift 2
  ( cd "$PUBLISH" && exec env DOTNET_CLI_TELEMETRY_OPTOUT=1 \
      Logging__LogLevel__Default="${PJ_LOGLEVEL:-Warning}" \
      nohup dotnet PaymentJournal.dll --urls "http://127.0.0.1:$port" \
      --ConnectionStrings:PaymentJournal="Data Source=$db" --Demo:Seed=true "$@" ) > "$PJ/service-$port.log" 2>&1 < /dev/null &
  echo $!
}
# wait_http URL PID [tries of 10 ms] -> 0 when URL answers 2xx
wait_http() {
  local url=$1 pid=$2 n=${3:-3000}
  for _ in $(seq 1 "$n"); do
    curl -sf -o /dev/null "$url" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.01
  done
  return 1
}
stop_pid() { kill "$1" 2>/dev/null || true; for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done; kill -9 "$1" 2>/dev/null || true; }
# lines_table DB -> the journal line table of a SQLite file: journal_lines, or customer_payments in a file made by a
# build before the journal core (the seeds are written for the first; old_schema_sed turns them into the second)
lines_table() { sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('journal_lines', 'customer_payments')"; }
old_schema_sed() {
  [ "$(lines_table "$1")" = customer_payments ] || return 0
  echo "-e s/journal_batches/customer_payment_journals/g -e s/journal_lines/customer_payments/g -e s/line_number,[[:space:]]account_id,[[:space:]]account_number,/line_number,customer_id,customer_number,/"
}
# pristine DB -> working copy (no WAL/SHM left over)
fresh_copy() { rm -f "$2" "$2-wal" "$2-shm"; cp "$1" "$2"; }
# medians RUNS_FILE -> one line per label and workload with the median req/s and p99 (and PATCH/s for GET+PATCH);
# RUNS_FILE holds run.sh's lines: label workload req/s p50 p99 ...
medians() {
  local runs=$1 k label w sel extra
  med() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
  for k in $(awk '{print $1"|"$2}' "$runs" | sort -u); do
    label=${k%|*}; w=${k#*|}
    sel=$(awk -v l="$label" -v w="$w" '$1 == l && $2 == w' "$runs")
    extra=""
    [ "$w" = patch_if_match ] && extra=" patch_2xx/s=$(sed -nE 's/.*patch_2xx\/s=([0-9.]+).*/\1/p' <<<"$sel" | med)"
    echo "$w $label req/s=$(awk '{print $3}' <<<"$sel" | med) p99_ms=$(awk '{print $5}' <<<"$sel" | med)$extra"
  done | sort
}
# harness -> a copy of the shared bench harness in $W/harness whose POST line numbers start at an offset from SEED
harness() {
  local h=$W/harness
  if [ ! -d "$h" ]; then
    cp -r "$SHARED" "$h"; rm -rf "$h/results"
    sed -i 's/^local n = 0$/local n = (tonumber(os.getenv("SEED")) or 0) % 19000 * 100000/' "$h/wrk/post.lua"
  fi
  echo "$h"
}
