#!/usr/bin/env bash
# Usage: bench/posting.sh [ROUNDS] [OUTFILE]
# Posting a journal of 10,000 and of 100,000 lines (db-post.db from seed.sh): per round, a fresh copy and a fresh
# service; POST .../customerPaymentJournals(<id>)/Microsoft.NAV.post for the 10k journal, then the 100k journal, then
# (where the file has it) .../journals(<id>)/Microsoft.NAV.post for the 100k vendor payment journal, each timed by curl
# (request sent -> response complete). Prints one line per posting:
#   posting <lines> <http status> <seconds> <journal lines left> <customer or vendor ledger entries> <G/L entries>
# and "posting not available" when the action answers 400 BadRequest_NotSupported (posting not merged yet).
# POSTS picks the posts and their order (default "10000 100000 v100000"; v: the vendor journal), e.g. POSTS=v100000
# for the vendor journal alone in a fresh service.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}; OUT=${2:-/dev/null}; PORT=${PORT:-5081}
B="http://127.0.0.1:$PORT/api/v2.0/companies($COMPANY)"
for r in $(seq 1 "$ROUNDS"); do
  pid=$(bash "$BENCH/start-service.sh" post "$PORT")
  DB=$PJ/run-$PORT.db
  for n in ${POSTS:-10000 100000 v100000}; do
    case $n in
      v*) n=${n#v}; jid=$(printf 'a2000000-0000-4000-8000-%012d' "$n"); url="$B/journals($jid)/Microsoft.NAV.post"; ledger=vendor_ledger_entries; what="vendor posting"
          [ -n "$(sqlite3 "$DB" "SELECT 1 FROM $(lines_table "$DB") WHERE journal_id = upper('$jid') LIMIT 1")" ] || continue ;;
      *) jid=$(printf 'a1000000-0000-4000-8000-%012d' "$n"); url="$B/customerPaymentJournals($jid)/Microsoft.NAV.post"; ledger=customer_ledger_entries; what=posting ;;
    esac
    before_cle=$(sqlite3 "$DB" "SELECT COUNT(*) FROM $ledger")
    res=$(curl -s -o "$PJ/post-$n.body" -w '%{http_code} %{time_total}' -X POST -H 'Content-Length: 0' \
          --max-time 600 "$url" || echo "000 0")
    code=${res% *}; secs=${res#* }
    body=$(head -c 600 "$PJ/post-$n.body")
    if [ "$code" = 400 ] && grep -q BadRequest_NotSupported <<<"$body"; then
      line="$what $n: posting not available (400 BadRequest_NotSupported: $body)"
    else
      left=$(sqlite3 "$DB" "SELECT COUNT(*) FROM $(lines_table "$DB") WHERE journal_id = upper('$jid')")
      cle=$(( $(sqlite3 "$DB" "SELECT COUNT(*) FROM $ledger") - before_cle ))
      gle=$(sqlite3 "$DB" "SELECT COUNT(*) FROM general_ledger_entries")
      line="$what $n $code $secs left=$left new_ledger_entries=$cle gl_entries_total=$gle"
      case $code in 2*) ;; *) line="$line ERROR body: $body" ;; esac
    fi
    echo "round $r $line" | tee -a "$OUT"
  done
  rss=$(cat "$PJ/rss-$PORT.txt" 2>/dev/null || true)
  echo "round $r rss after posting: $rss" | tee -a "$OUT"
  stop_pid "$pid"; sleep 1
done
