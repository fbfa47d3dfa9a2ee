#!/usr/bin/env bash
# Usage: bench/webapp-open.sh [N] [OUTFILE]
# The web app opening a 100,000-line journal: N runs of the browser test that seeds one (through the API and SQL)
# and opens it in Chromium once the service, started anew on it, says ready at /health/ready; each run records the time
# from navigation start to the first row on screen (performance.now() read in the frame that shows it). Prints each
# time and the median. Needs /usr/bin/chromium.
# PAYMENTJOURNAL_WEBAPP_BREAKDOWN=file keeps each run's breakdown there (every file and API request the page made
# before its first row: start and end, ms after navigation start, and the server's time to first byte).
# The test runs the service in its own process on a SQLite file (PAYMENTJOURNAL_TEST_PROVIDER=postgres for PostgreSQL).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-5}; OUT=${2:-/dev/null}
TIMES=$(mktemp)
export PAYMENTJOURNAL_WEBAPP_TIMES="$TIMES" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
dotnet build -c Release tests/PaymentJournal.BrowserTests >/dev/null
for i in $(seq 1 "$N"); do
  dotnet test -c Release --no-build tests/PaymentJournal.BrowserTests --filter "FullyQualifiedName~LargeJournalTests" >/dev/null
done
ms=$(grep -o '[0-9]* ms after' "$TIMES" | cut -d' ' -f1)
median=$(printf '%s\n' $ms | sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
echo "web app, first rows of a 100,000-line journal, ms: $(echo $ms) median $median" | tee -a "$OUT"
if [ -n "${PAYMENTJOURNAL_WEBAPP_BREAKDOWN:-}" ]; then cat "$TIMES" >> "$PAYMENTJOURNAL_WEBAPP_BREAKDOWN"; fi
rm -f "$TIMES"
