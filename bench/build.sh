#!/usr/bin/env bash
# Usage: bench/build.sh   -> dotnet publish -c Release of the service to $BENCH_WORK/pj-publish
set -euo pipefail
. "$(dirname "$0")/lib.sh"
log "dotnet publish -c Release -> $PUBLISH"
dotnet publish "$REPO/src/PaymentJournal/PaymentJournal.csproj" -c Release -o "$PUBLISH" -nologo -v quiet
git -C "$REPO" rev-parse --short HEAD > "$PUBLISH/bench-commit.txt" 2>/dev/null || true
