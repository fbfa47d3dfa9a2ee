#!/usr/bin/env bash
# Usage: bench/ab.sh REV_A REV_B [ROUNDS]
# Alternating A/B of two commits on our service alone (no peers): each commit is published (Release) to
# $BENCH_WORK/ab-<commit>, then ROUNDS rounds (default 3) each start A, run the four workloads on a fresh copy of the
# 10k database, stop it, and do the same for B. Prints one line per workload and run; the medians follow at the end.
# Needs the seeded databases (bench/seed.sh) and wrk. Results: $BENCH_WORK/results/ab-<A>-<B>-<stamp>/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
A=$(git -C "$REPO" rev-parse --short "$1"); B=$(git -C "$REPO" rev-parse --short "$2"); ROUNDS=${3:-3}
PORT=${PORT:-5080}
OUT=$W/results/ab-$A-$B-$(date -u +%Y%m%dT%H%M%SZ); mkdir -p "$OUT"
HARNESS=$(harness)
for rev in "$A" "$B"; do
  dir=$W/ab-$rev
  [ -f "$dir/PaymentJournal.dll" ] && continue
  src=$W/ab-src-$rev; rm -rf "$src"; git -C "$REPO" worktree add -f --detach "$src" "$rev" >/dev/null
  dotnet publish "$src/src/PaymentJournal/PaymentJournal.csproj" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$dir" -nologo -v quiet >/dev/null   # as bench/build.sh publishes
  git -C "$REPO" worktree remove --force "$src"
done
for r in $(seq 1 "$ROUNDS"); do
  for rev in "$A" "$B"; do
    log "round $r: $rev"
    pid=$(PJ_PUBLISH=$W/ab-$rev bash "$BENCH/start-service.sh" 10k "$PORT"); sleep 1
    LABEL=$rev bash "$HARNESS/run.sh" bc-service "http://127.0.0.1:$PORT" | tail -n +2 | tee -a "$OUT/runs.txt"
    stop_pid "$pid"; sleep 2
  done
done
echo "medians ($ROUNDS rounds): workload commit req/s p99_ms"
medians "$OUT/runs.txt" | tee "$OUT/medians.txt"
