-- POST a new vendor payment into one of the 20 vendor payment journals of seed-vendors.sql, the body shaped as the
-- shared harness's customer POST (wrk/post.lua beside this clone), so the two rounds compare. The server assigns the id.
local C = dofile(os.getenv("BENCH_DIR") .. "/wrk/common.lua")
local hdrs = { ["Accept"] = "application/json", ["Content-Type"] = "application/json" }
local n = (tonumber(os.getenv("SEED")) or 0) % 19000 * 100000
function request()
  n = n + 1
  local j = math.random(1, 20)
  local v = math.random(1, 200)
  local body = string.format(
    '{"lineNumber":%d,"vendorId":"b0000000-0000-4000-8000-%012d","vendorNumber":"V%05d",' ..
    '"postingDate":"2025-06-30","documentNumber":"VP%08d","externalDocumentNumber":"X%d",' ..
    '"amount":%d.%02d,"description":"bench post %d","comment":"created by wrk"}',
    2000000000 - n, v, v, n, n, math.random(1, 999), math.random(0, 99), n)
  local path = C.base .. string.format("/api/v2.0/companies(%s)/vendorPaymentJournals(a3000000-0000-4000-8000-%012d)/vendorPayments", C.company, j)
  return wrk.format("POST", path, hdrs, body)
end
function done(summary, latency, requests) C.report(summary, latency) end
