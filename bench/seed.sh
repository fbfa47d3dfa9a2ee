#!/usr/bin/env bash
# Usage: bench/seed.sh [DATASET...]   DATASET = base 10k 1m post (default: all of them)
# Writes pristine SQLite files to $BENCH_WORK/pj/db-<dataset>.db (start-service.sh copies them before each run):
#   base  the schema + demo company (made by the service itself: first start on an empty file, Demo:Seed on),
#         plus the benchmark's 200 customers (seed-customers.sql) and, with the journal core, 200 vendors and 20 empty
#         vendor payment journals (seed-vendors.sql)
#   10k   base + 20 journals x 500 payments     (the shared data set, seed-payments.sql)
#   1m    base + 1 journal x 1,000,000 payments (the shared 1M variant)
#   post  base + a 10,000-line and a 100,000-line journal that pass the posting checks (seed-posting.sql), and a
#         100,000-line vendor payment journal with 200 vendors (seed-vendor-posting.sql; builds with the journal core)
# The payments are bulk-loaded with the sqlite3 CLI: secondary indexes dropped, rows generated in SQL, indexes rebuilt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ -f "$PUBLISH/PaymentJournal.dll" ] || "$BENCH/build.sh"
command -v sqlite3 >/dev/null || { apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null; }
SETS=${*:-base 10k 1m post}

# run the rendered SQL ($1 = template, rest = sed expressions) with the journal line table's secondary indexes dropped
bulk() {
  local db=$1 tpl=$2; shift 2
  local lines; lines=$(lines_table "$db")
  local idx; idx=$(sqlite3 "$db" "SELECT sql || ';' FROM sqlite_master WHERE type='index' AND tbl_name='$lines' AND sql IS NOT NULL")
  local drops; drops=$(sqlite3 "$db" "SELECT 'DROP INDEX ' || name || ';' FROM sqlite_master WHERE type='index' AND tbl_name='$lines' AND sql IS NOT NULL")
  { echo "$drops"; sed "$@" $(old_schema_sed "$db") "$BENCH/$tpl"; echo "PRAGMA cache_size = -524288;"; echo "$idx"; echo "PRAGMA journal_mode = WAL;"; } | sqlite3 "$db" >/dev/null
}

for s in $SETS; do
  case $s in
    base)
      t0=$(ms_now)
      rm -f "$PJ"/db-base.db*
      pid=$(PJ_LOGLEVEL=Warning start_pj "$PJ/db-base.db" 5099)
      wait_http http://127.0.0.1:5099/health "$pid" || { cat "$PJ/service-5099.log" >&2; exit 1; }
      stop_pid "$pid"
      sqlite3 "$PJ/db-base.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
      sqlite3 "$PJ/db-base.db" < "$BENCH/seed-customers.sql"
      [ "$(lines_table "$PJ/db-base.db")" = journal_lines ] && sqlite3 "$PJ/db-base.db" < "$BENCH/seed-vendors.sql"
      log "base: schema + demo company + $(sqlite3 "$PJ/db-base.db" 'SELECT COUNT(*) FROM customers') customers in $(( $(ms_now) - t0 )) ms"
      ;;
    10k|1m)
      [ -f "$PJ/db-base.db" ] || "$0" base
      if [ "$s" = 10k ]; then J=20; P=500; else J=1; P=1000000; fi
      t0=$(ms_now)
      fresh_copy "$PJ/db-base.db" "$PJ/db-$s.tmp"
      bulk "$PJ/db-$s.tmp" seed-payments.sql -e "s/@J@/$J/g; s/@P@/$P/g"
      mv "$PJ/db-$s.tmp" "$PJ/db-$s.db"
      ms=$(( $(ms_now) - t0 ))
      log "$s: $J journals x $P payments seeded in $ms ms ($(du -m "$PJ/db-$s.db" | cut -f1) MB)"
      echo "$s $((J * P)) $ms" >> "$PJ/seed-times.txt"
      ;;
    post)
      [ -f "$PJ/db-base.db" ] || "$0" base
      t0=$(ms_now)
      fresh_copy "$PJ/db-base.db" "$PJ/db-post.tmp"
      bulk "$PJ/db-post.tmp" seed-posting.sql -e "s/@N@/10000/g; s/@OFF@/0/g"
      bulk "$PJ/db-post.tmp" seed-posting.sql -e "s/@N@/100000/g; s/@OFF@/10000/g"
      [ "$(lines_table "$PJ/db-post.tmp")" = journal_lines ] && bulk "$PJ/db-post.tmp" seed-vendor-posting.sql -e "s/@N@/100000/g"
      mv "$PJ/db-post.tmp" "$PJ/db-post.db"
      log "post: journals P10000 (10,000 lines), P100000 and VP100000 (100,000 lines each) in $(( $(ms_now) - t0 )) ms"
      ;;
    *) echo "unknown dataset $s" >&2; exit 2 ;;
  esac
done
