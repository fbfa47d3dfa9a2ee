#!/usr/bin/env bash
# Usage: bench/probe.sh BASEURL [JOURNALS PER_JOURNAL]
# One request of each workload, exactly as the wrk scripts send it (same templates as targets/bc-service.env),
# printing the status and the start of the body: a workload with non-2xx responses is not a measurement, and
# this shows why. Does not change the data except one PATCH and one POST.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
BASE=${1%/}; J=${2:-20}; P=${3:-500}
jid() { printf 'a0000000-0000-4000-8000-%012d' "$1"; }
pidk() { printf 'b0000000-0000-4000-8000-%012d' $(( ($1 - 1) * P + $2 )); }
C="$BASE/api/v2.0/companies($COMPANY)/customerPaymentJournals($(jid 1))/customerPayments"
show() { local name=$1; shift; local r; r=$(curl -s -o "$PJ/probe.body" -D "$PJ/probe.hdr" -w '%{http_code}' "$@")
  echo "$name: HTTP $r  $(head -c 300 "$PJ/probe.body")"; }
show get_by_key "$C($(pidk 1 7))" -H 'Accept: application/json'
show list_filtered "$C?\$filter=amount%20gt%20500&\$orderby=lineNumber&\$top=20" -H 'Accept: application/json'
curl -s -D "$PJ/probe.hdr" -o /dev/null "$C($(pidk 1 8))"
etag=$(sed -n 's/^[Ee][Tt]ag: *//p' "$PJ/probe.hdr" | tr -d '\r')
show "patch_if_match (If-Match: $etag)" -X PATCH "$C($(pidk 1 8))" -H 'Accept: application/json' -H 'Content-Type: application/json' \
  -H "If-Match: $etag" -d '{"amount":123.45,"description":"patched 1"}'
show post -X POST "$C" -H 'Accept: application/json' -H 'Content-Type: application/json' \
  -d '{"lineNumber":1999999999,"customerId":"c0000000-0000-4000-8000-000000000042","customerNumber":"C00042","postingDate":"2025-06-30","documentNumber":"BP00000001","externalDocumentNumber":"X1","amount":12.34,"description":"bench post 1","comment":"created by wrk"}'
