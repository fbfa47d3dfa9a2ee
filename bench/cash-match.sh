#!/usr/bin/env bash
# Usage: bench/cash-match.sh PUBLISH_DIR [ROUNDS]
# Matching through the service: the labelled evaluation set of bench/matching (5,000 customers, 100,000 open invoices,
# 10,000 statement lines; CUSTOMERS, INVOICES, LINES and SEED override it) is put into a company of its own in a fresh
# SQLite database, and its lines are imported as one camt.053 through POST .../bankStatementImports on a Release
# publish (bench/build.sh). Per round (a new database each): the import's wall time (reading the open invoices from
# the database, building the matcher, matching and storing every line and proposal), the service's peak resident
# memory, and the quality of the stored first proposals, read back through the API, against the labels.
# Needs sqlite3, curl and node. Run it on a quiet machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DIR=$1; ROUNDS=${2:-1}; PORT=${PORT:-5080}
OUT=$W/results/cash-match-$(date -u +%Y%m%dT%H%M%SZ); mkdir -p "$OUT"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
dotnet run -c Release --project "$REPO/bench/matching" -- "${CUSTOMERS:-5000}" "${INVOICES:-100000}" "${LINES:-10000}" "${SEED:-20261206}" \
  --export "$OUT/set" >&2
BENCH_COMPANY=B0000000-0000-4000-8000-000000000001
URL="http://127.0.0.1:$PORT/api/paymentjournal/cashApplication/v1.0/companies($BENCH_COMPANY)"
for r in $(seq 1 "$ROUNDS"); do
  DB=$OUT/cash-$r.db
  pid=$(PUBLISH=$DIR start_pj "$DB" "$PORT")   # creates the database with the demo company
  wait_http "http://127.0.0.1:$PORT/health/ready" "$pid" || { echo "the service did not start; see $PJ/service-$PORT.log" >&2; exit 1; }
  stop_pid "$pid"
  sqlite3 "$DB" < "$OUT/set/seed.sql"
  pid=$(PUBLISH=$DIR start_pj "$DB" "$PORT")
  wait_http "http://127.0.0.1:$PORT/health/ready" "$pid" || { echo "the service did not start; see $PJ/service-$PORT.log" >&2; exit 1; }
  result=$(curl -s -o "$OUT/answer-$r.json" -w "%{http_code} %{time_total}" -X POST "$URL/bankStatementImports" \
    -H "Content-Type: application/json" --data-binary "@$OUT/set/body.json")
  rss=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")
  echo "round $r: HTTP ${result% *}, ${result#* } s, peak RSS of the service ${rss} MB" | tee -a "$OUT/runs.txt"
  [ "${result% *}" = 201 ] || { cat "$OUT/answer-$r.json" >&2; stop_pid "$pid"; exit 1; }
  node - "$URL" "$OUT/answer-$r.json" "$OUT/set/labels.tsv" <<'JS' | tee -a "$OUT/runs.txt"
const [url, answerFile, labelsFile] = process.argv.slice(2);
const fs = require('fs');
const statement = JSON.parse(fs.readFileSync(answerFile, 'utf8')).bankStatementIds.split(',')[0];
const labels = new Map(fs.readFileSync(labelsFile, 'utf8').trim().split('\n').slice(1).map(l => l.split('\t')).map(([n, kind, c, inv]) => [+n, { kind, c, inv }]));
(async () => {
  let next = `${url}/bankStatements(${statement})/bankStatementLines?$select=lineNumber&$expand=matchProposals($orderby=rank)`;
  const first = new Map();
  while (next) {
    const page = await (await fetch(next)).json();
    for (const l of page.value) first.set(l.lineNumber, l.matchProposals[0]);
    next = page['@odata.nextLink'];
  }
  let payable = 0, right = 0, strangers = 0;
  const levels = {};
  for (const [n, want] of labels) {
    const p = first.get(n);
    const invoices = p ? p.invoices.split(',').map(s => s.trim().split('=')[0]).filter(Boolean).sort().join(',') : '';
    const ok = !!p && want.c !== '' && p.customerNumber === want.c && invoices === want.inv;
    if (p) { const l = (levels[p.confidence] ??= { proposed: 0, right: 0 }); l.proposed++; if (ok) l.right++; }
    if (want.c === '') { if (p) strangers++; } else { payable++; if (ok) right++; }
  }
  const pct = (a, b) => (b ? (100 * a / b).toFixed(2) : '-') + '%';
  console.log(`  lines read back ${first.size}; payable ${payable}, right first proposal ${right} (${pct(right, payable)}); payers who are no customers given a proposal: ${strangers}`);
  for (const level of ['High', 'Medium', 'Low']) {
    const l = levels[level] ?? { proposed: 0, right: 0 };
    console.log(`  ${level}: first proposals ${l.proposed}, right ${l.right}, precision ${pct(l.right, l.proposed)}`);
  }
})();
JS
  stop_pid "$pid"
done
echo "runs: $OUT/runs.txt"
