#!/usr/bin/env bash
# Usage: bench/cash-import.sh PUBLISH_DIR [ENTRIES] [ROUNDS]
# Imports a generated camt.053 of ENTRIES (default 10,000) credit entries through the cashApplication API
# (POST .../bankStatementImports) against a Release publish (bench/build.sh) on a fresh SQLite database with the demo
# company, and prints the wall time of each import (the whole request: base64 JSON in, statement, lines and the
# matcher's proposals stored in one write unit). Each round is a new file (another statement id), so none is a
# duplicate. Needs python3 and curl. Run it on a quiet machine.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DIR=$1; ENTRIES=${2:-10000}; ROUNDS=${3:-3}; PORT=${PORT:-5080}
OUT=$W/results/cash-import-$(date -u +%Y%m%dT%H%M%SZ); mkdir -p "$OUT"
DB=$OUT/cash.db
pid=$(PUBLISH=$DIR start_pj "$DB" "$PORT")
trap 'stop_pid $pid' EXIT
wait_http "http://127.0.0.1:$PORT/health/ready" "$pid" || { echo "the service did not start; see $PJ/service-$PORT.log" >&2; exit 1; }
URL="http://127.0.0.1:$PORT/api/paymentjournal/cashApplication/v1.0/companies($COMPANY)/bankStatementImports"
for r in $(seq 1 "$ROUNDS"); do
  python3 - "$ENTRIES" "$r" "$OUT/body-$r.json" <<'PY'
import base64, json, sys
n, r, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
names = ["Adatum Corporation", "Trey Research", "School of Fine Art", "Alpine Ski House", "Relecloud", "Fabrikam", "Contoso"]
entries, total = [], 0
for i in range(n):
    cents = 1000 + (i * 7919) % 500000
    total += cents
    amount = f"{cents // 100}.{cents % 100:02d}"
    entries.append(
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt>'
        f'<ValDt><Dt>2026-12-01</Dt></ValDt><AcctSvcrRef>B{r}-{i}</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>E2E-{r}-{i}</EndToEndId></Refs>'
        f'<Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><RltdPties><Dbtr><Nm>{names[i % len(names)]}</Nm></Dbtr>'
        f'<DbtrAcct><Id><IBAN>DE{10 + i % 89}370400440532{i % 1000000:06d}</IBAN></Id></DbtrAcct></RltdPties>'
        f'<RmtInf><Ustrd>Invoice {103001 + i % 10} thank you</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>')
close = total
xml = ('<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
       f'<GrpHdr><MsgId>BENCH-{r}</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr><Stmt><Id>BENCH-{r}</Id>'
       '<CreDtTm>2026-12-01T18:00:00</CreDtTm><FrToDt><FrDtTm>2026-12-01T00:00:00</FrDtTm><ToDtTm>2026-12-01T23:59:59</ToDtTm></FrToDt>'
       '<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>'
       '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>'
       f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{close // 100}.{close % 100:02d}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>'
       + "".join(entries) + '</Stmt></BkToCstmrStmt></Document>')
json.dump({"fileName": f"bench-{r}.camt053.xml", "content": base64.b64encode(xml.encode()).decode()}, open(out, "w"))
PY
  size=$(stat -c %s "$OUT/body-$r.json")
  result=$(curl -s -o "$OUT/answer-$r.json" -w "%{http_code} %{time_total}" -X POST "$URL" -H "Content-Type: application/json" --data-binary "@$OUT/body-$r.json")
  echo "round $r: $ENTRIES entries, body $size bytes: HTTP ${result% *}, ${result#* } s" | tee -a "$OUT/runs.txt"
done
echo "answers and runs: $OUT"
