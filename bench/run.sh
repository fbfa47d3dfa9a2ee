#!/usr/bin/env bash
# Usage: bench/run.sh [OUTDIR]          (default: $BENCH_WORK/results/<UTC stamp>; BENCH_WORK default /tmp/benchwork)
# The whole benchmark in one command, on a fresh Debian machine of this kind (root, .NET 10 SDK, Node 20 + npm):
#   1. apt: wrk sqlite3 curl (only when missing); the peers via ../shared/bench/setup.sh (only when not built yet)
#   2. bench/build.sh   dotnet publish -c Release -> $BENCH_WORK/pj-publish
#   3. bench/seed.sh    fresh SQLite files: 10k (20 journals x 500), 1m (1 x 1,000,000), post (10k + 100k lines); timed
#   4. ../shared/bench/compare.sh with EXTRA_TARGET=bc-service: ROUNDS (3) rounds of the four workloads, our service
#      (bench/start-service.sh 10k) alternating with CAP and the bare ASP.NET peer, then CAP's 1M variant
#   5. our 1M variant: ROUNDS x (start-service.sh 1m; GET by key + filtered page with JOURNALS=1 PER_JOURNAL=1000000)
#   6. bench/posting.sh (10,000- and 100,000-line journals), bench/startup.sh (start to first answer), RSS per run
#   7. bench/report.js -> OUTDIR/report.md (medians, ratios against the speed targets, non-2xx per workload)
# Knobs: ROUNDS=3, SKIP_PEERS=1 (only our service: no CAP/bare rounds, no ratios), SKIP_SEED=1 (reuse the seeded
# files), SKIP_BUILD=1, SKIP_1M=1, SKIP_POSTING=1, SKIP_STARTUP=1; DURATION/WARMUP/THREADS/CONNS pass to ../shared/bench/run.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
OUT=${1:-$W/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
export RSS_LOG=$OUT/rss.txt ROUNDS=${ROUNDS:-3}
PORT=5080
log "results -> $OUT"

# Machine load beside the run (this box may be shared): load average and the busiest processes every 30 s.
( while true; do { echo "$(date -u +%T) loadavg $(cut -d' ' -f1-3 /proc/loadavg)";
    ps -eo pcpu,comm --sort=-pcpu | sed -n 2,4p | tr '\n' ' '; echo; } >> "$OUT/load.txt"; sleep 30; done ) &
LOADPID=$!
trap 'kill $LOADPID 2>/dev/null || true' EXIT

if ! command -v wrk >/dev/null || ! command -v sqlite3 >/dev/null || ! command -v curl >/dev/null; then
  log "apt-get install wrk sqlite3 curl"; apt-get update -qq && apt-get install -y -qq wrk sqlite3 curl >/dev/null
fi
if [ -z "${SKIP_PEERS:-}" ] && { [ ! -f "$W/cap/db-10k.sqlite" ] || [ ! -f "$W/cap/db-1m.sqlite" ] || [ ! -f "$W/aspnet-min/publish/AspNetMin.dll" ]; }; then
  log "peers: $SHARED/setup.sh"; bash "$SHARED/setup.sh"
fi
[ -n "${SKIP_BUILD:-}" ] || bash "$BENCH/build.sh"
cp "$PUBLISH/bench-commit.txt" "$OUT/commit.txt" 2>/dev/null || true
if [ -z "${SKIP_SEED:-}" ]; then
  rm -f "$PJ/seed-times.txt"; bash "$BENCH/seed.sh" 2>&1 | tee "$OUT/seed.txt"
fi

log "probe: one request of each workload (status + body)"
pid=$(bash "$BENCH/start-service.sh" 10k $PORT); bash "$BENCH/probe.sh" "http://127.0.0.1:$PORT" > "$OUT/probe-10k.txt"; stop_pid "$pid"; sleep 1
pid=$(bash "$BENCH/start-service.sh" 1m $PORT); bash "$BENCH/probe.sh" "http://127.0.0.1:$PORT" 1 1000000 > "$OUT/probe-1m.txt"; stop_pid "$pid"; sleep 1
cat "$OUT"/probe-*.txt | cut -c1-200

# The shared post.lua numbers its lines 2000000000 - n with n restarting at 1 in every wrk process, so the warm-up and
# the measured run of one target post the same line numbers into the same journals; our service answers those
# duplicates with 409 (a line number is unique in its journal), which makes the run invalid. The side-by-side run therefore uses a copy of the
# shared harness whose post.lua starts n at an offset taken from wrk's SEED (a different one per run); every target,
# peers included, runs that same copy. Nothing else differs.
HARNESS=$W/harness
rm -rf "$HARNESS"; cp -r "$SHARED" "$HARNESS"; rm -rf "$HARNESS/results"
sed -i 's/^local n = 0$/local n = (tonumber(os.getenv("SEED")) or 0) % 19000 * 100000/' "$HARNESS/wrk/post.lua"
grep -q 'os.getenv("SEED")' "$HARNESS/wrk/post.lua" || { echo "could not patch post.lua" >&2; exit 1; }
SHARED=$HARNESS

log "side-by-side: $SHARED/compare.sh"
if [ -n "${SKIP_PEERS:-}" ]; then export TARGETS=" "; fi   # a space: compare.sh defaults an empty TARGETS to the peers
EXTRA_TARGET=bc-service EXTRA_BASEURL=http://127.0.0.1:$PORT EXTRA_START="bash $BENCH/start-service.sh 10k $PORT" \
  SKIP_1M=${SKIP_PEERS:-${SKIP_1M:-}} bash "$SHARED/compare.sh" "$OUT" \
  || log "compare.sh stopped early (exit $?; e.g. a peer that could not start): the rounds it finished are in $OUT, the rest of the run goes on"

if [ -z "${SKIP_1M:-}" ]; then
  for r in $(seq 1 "$ROUNDS"); do
    log "== round $r: bc-service-1m"
    pid=$(bash "$BENCH/start-service.sh" 1m $PORT); sleep 1
    JOURNALS=1 PER_JOURNAL=1000000 DURATION=3s WARMUP=0 WORKLOADS="get_by_key list_filtered" \
      bash "$SHARED/run.sh" bc-service "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
    JOURNALS=1 PER_JOURNAL=1000000 LABEL=bc-service-1m WORKLOADS="get_by_key list_filtered" RAW_DIR=$OUT/raw/round$r \
      bash "$SHARED/run.sh" bc-service "http://127.0.0.1:$PORT" | tee "$OUT/round$r-bc-service-1m.txt"
    stop_pid "$pid"; sleep 2
  done
fi
[ -n "${SKIP_POSTING:-}" ] || { log "posting"; bash "$BENCH/posting.sh" "$ROUNDS" "$OUT/posting.txt"; }
[ -n "${SKIP_STARTUP:-}" ] || { log "startup"; bash "$BENCH/startup.sh" 5 "$OUT/startup.txt"; }
sleep 2   # let the RSS samplers write their last line
node "$BENCH/report.js" "$OUT" | tee "$OUT/report.md"
