// Drives two OData clients nobody here wrote against a running PaymentJournal and writes a JSON report:
// odata2ts (a generator: code from each surface's $metadata, then its fetch runtime) and o.js (a plain client).
// Env: PJ_BASE (http://host:port), PJ_COMPANY, PJ_JOURNAL (a journal with an open invoice to apply), PJ_REPORT (file).
// Each case is "pass", "fail" (with the reason) or "unsupported" (the client cannot, with why).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

// On a busy machine a connection may not open in time: a request that never reached the service is sent again (a
// GET whatever failed on the way), so the cases judge the service's answers, not the machine's load.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  for (let attempt = 1; ; attempt++) {
    const request = new Request(input, init);
    try {
      return await realFetch(request);
    } catch (e) {
      const code = e?.cause?.code;
      const neverSent = code === "UND_ERR_CONNECT_TIMEOUT" || code === "ECONNREFUSED";
      if (attempt >= 4 || !(neverSent || request.method === "GET")) throw e;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
};
const require = createRequire(import.meta.url);
const base = process.env.PJ_BASE, company = process.env.PJ_COMPANY, journal = process.env.PJ_JOURNAL;
const cases = [];
const cash = "e0000000-0000-4000-8000-000000002910"; // the demo company's cash account, a journal's balancing account
const record = (client, name, status, detail = "") => cases.push({ client, case: name, status, detail: String(detail) });
async function check(client, name, fn) {
  try {
    const detail = await fn();
    record(client, name, "pass", detail ?? "");
  } catch (e) {
    record(client, name, "fail", (e?.stack ?? e) + (e?.cause ? " (cause: " + (e.cause.code ?? e.cause) + ")" : ""));
  }
}
const assert = (cond, what) => { if (!cond) throw new Error(what); };

// ---- odata2ts: generate from each surface's $metadata ----
// The clients used below are compiled to JS; the others are generated as TypeScript only (compiling costs minutes on a busy machine).
const surfaces = {
  v2: ["/api/v2.0/", "js_dts"], graph: ["/beta/financials/", "ts"], ledger: ["/api/paymentjournal/ledger/v1.0/", "ts"], posting: ["/api/paymentjournal/posting/v1.0/", "js"],
};
const cli = path.join(here, "node_modules/@odata2ts/odata2ts/lib/run-cli.js");
for (const [name, [root, emit]] of Object.entries(surfaces)) {
  await check("odata2ts", `generate from ${name} $metadata`, async () => {
    const dir = path.join(here, "generated", name);
    mkdirSync(dir, { recursive: true });
    const xml = await (await fetch(base + root + "$metadata")).text();
    writeFileSync(path.join(dir, "metadata.xml"), xml);
    execFileSync(process.execPath, [cli, "-s", path.join(dir, "metadata.xml"), "-o", dir, "-m", "all", "-e", emit, "-name", "Pj"],
      { cwd: here, stdio: "pipe" });
    const service = readFileSync(path.join(dir, emit === "js" ? "PjService.js" : emit === "ts" ? "PjService.ts" : "PjService.d.ts"), "utf8");
    assert(service.includes("class PjService"), "no service class generated");
    return emit;
  });
}

// Read-only properties: a generator that reads Core.Computed leaves them out of its editable types.
{
  const model = readFileSync(path.join(here, "generated", "v2", "PjModel.d.ts"), "utf8");
  const editable = model.match(/interface EditablecustomerPayment extends Pick<customerPayment, ([^>]*)>/)?.[1] ?? "";
  if (editable.includes("lastModifiedDateTime") || editable.includes("journalDisplayName"))
    record("odata2ts", "editable types leave out read-only properties", "unsupported",
      "odata2ts does not read Org.OData.Core.V1.Computed/Immutable: its Editable types leave out only key properties (it offers a per-property 'managed' setting in its own config instead)");
  else record("odata2ts", "editable types leave out read-only properties", "pass");
}

// ---- odata2ts runtime (fetch client) on v2.0 and the posting group ----
{
  const { FetchClient } = require("@odata2ts/http-client-fetch");
  const { PjService } = require("./generated/v2/PjService.js");
  const { PjService: PostingService } = require("./generated/posting/PjService.js");
  const svc = new PjService(new FetchClient(), base + "/api/v2.0");
  const c = svc.companies(company);
  let created;
  await check("odata2ts", "list", async () => {
    const r = await c.customerPaymentJournals().query();
    assert(r.status === 200 && r.data.value.length > 0, "no journals");
  });
  await check("odata2ts", "filter, orderby, top, select", async () => {
    const r = await c.customers().query((b, q) => b.select("number", "displayName").filter(q.number.gt("C00001")).orderBy(q.number.desc()).top(2));
    const v = r.data.value;
    assert(v.length === 2 && v[0].number > v[1].number && v[0].balanceDue === undefined, JSON.stringify(v));
  });
  await check("odata2ts", "count", async () => {
    const r = await c.customers().query((b) => b.count().top(1));
    assert(r.data["@odata.count"] >= 5, JSON.stringify(r.data));
  });
  await check("odata2ts", "create", async () => {
    const r = await c.customerPaymentJournals(journal).customerPayments().create({ customerNumber: "C00002", amount: -12.5, description: "odata2ts" });
    assert(r.status === 201 && r.data.amount === -12.5, JSON.stringify(r.data));
    created = r.data;
  });
  await check("odata2ts", "get", async () => {
    const r = await c.customerPaymentJournals(journal).customerPayments(created.id).query();
    assert(r.data.description === "odata2ts", JSON.stringify(r.data));
  });
  await check("odata2ts", "update with the ETag", async () => {
    const one = c.customerPaymentJournals(journal).customerPayments(created.id);
    const etag = (await one.query()).data["@odata.etag"];
    const r = await one.patch({ description: "odata2ts changed" }, { headers: { "If-Match": etag } });
    assert(r.status === 200, "status " + r.status);
    let stale = 0;
    try { await one.patch({ description: "stale" }, { headers: { "If-Match": etag } }); } catch (e) { stale = e.status ?? e.response?.status ?? -1; }
    assert(stale === 409, "a stale ETag was not refused with 409: " + stale);
  });
  await check("odata2ts", "delete", async () => {
    const one = c.customerPaymentJournals(journal).customerPayments(created.id);
    const r = await one.delete();
    assert(r.status === 204, "status " + r.status);
  });
  record("odata2ts", "$batch", "unsupported", "odata2ts's service layer sends every request on its own; it has no $batch");
  await check("odata2ts", "Microsoft.NAV.post (posting group)", async () => {
    const posting = new PostingService(new FetchClient(), base + "/api/paymentjournal/posting/v1.0");
    const j = (await posting.companies(company).customerPaymentJournals().create({ code: "O2TS" + Date.now().toString().slice(-5), displayName: "odata2ts", balancingAccountId: cash })).data;
    await svc.companies(company).customerPaymentJournals(j.id).customerPayments().create({ customerNumber: "C00003", amount: -1 });
    const r = await posting.companies(company).customerPaymentJournals(j.id).post();
    assert(r.status === 204, "status " + r.status);
    const left = await svc.companies(company).customerPaymentJournals(j.id).customerPayments().query();
    assert(left.data.value.length === 0, "the posted line is still in the journal");
  });
  await check("odata2ts", "IEEE754Compatible=true", async () => {
    // The fetch client passes request headers through; decimals then come back as strings.
    const ieee = { headers: { Accept: "application/json;IEEE754Compatible=true" } };
    const r = await c.customers().query((b) => b.select("number", "balanceDue").count().top(1), ieee);
    const first = r.data.value[0];
    assert(typeof first.balanceDue === "string" && !Number.isNaN(Number(first.balanceDue)), JSON.stringify(r.data));
    assert(typeof r.data["@odata.count"] === "string", "@odata.count is not a string: " + JSON.stringify(r.data));
  });
}

// ---- o.js ----
{
  const { o } = require("o.js");
  const root = `${base}/api/v2.0/companies(${company})/`;
  const json = { "Content-Type": "application/json" };
  const client = (headers = {}) => o(root, { headers: new Headers({ ...json, ...headers }) });
  let created;
  await check("o.js", "list", async () => {
    const v = await client().get("customerPaymentJournals").query();
    assert(Array.isArray(v) && v.length > 0, JSON.stringify(v));
  });
  await check("o.js", "filter, orderby, top, select", async () => {
    const v = await client().get("salesInvoices").query({ $filter: "remainingAmount gt 0", $orderby: "number desc", $top: 3, $select: "number,remainingAmount" });
    assert(v.length === 3 && v[0].number > v[1].number && v[0].status === undefined, JSON.stringify(v));
  });
  await check("o.js", "count", async () => {
    const n = await client().get("customers/$count").query();
    assert(Number(n) >= 5, String(n));
  });
  await check("o.js", "create", async () => {
    created = await client().post(`customerPaymentJournals(${journal})/customerPayments`, { customerNumber: "C00004", amount: -7.25, description: "o.js" }).query();
    assert(created.id && created.amount === -7.25, JSON.stringify(created));
  });
  const one = () => `customerPaymentJournals(${journal})/customerPayments(${created.id})`;
  await check("o.js", "get", async () => {
    const v = await client().get(one()).query();
    assert(v.description === "o.js", JSON.stringify(v));
  });
  await check("o.js", "update with the ETag", async () => {
    const etag = (await client().get(one()).query())["@odata.etag"];
    const v = await client({ "If-Match": etag }).patch(one(), { description: "o.js changed" }).query();
    assert(v.description === "o.js changed", JSON.stringify(v));
    const stale = await client({ "If-Match": etag }).patch(one(), { description: "stale" }).fetch();
    assert(stale.status === 409, "a stale ETag was answered " + stale.status);
  });
  await check("o.js", "$batch", async () => {
    // o.js sends $batch beside the resources it names: its root is the service root, the paths start at companies.
    const svc = o(`${base}/api/v2.0/`, { headers: new Headers(json) });
    const r = await svc.get(`companies(${company})/customers`).get(`companies(${company})/accounts`).batch({ $top: 1 });
    assert(Array.isArray(r) && r.length === 2 && r.every((x) => x.status === 200 && x.body.length === 1), JSON.stringify(r).slice(0, 500));
  });
  await check("o.js", "delete", async () => {
    const r = await client({ "If-Match": "*" }).delete(one()).fetch();
    assert(r.status === 204, "status " + r.status);
  });
  await check("o.js", "Microsoft.NAV.post (posting group)", async () => {
    const posting = `${base}/api/paymentjournal/posting/v1.0/companies(${company})/`;
    const j = await o(posting, { headers: new Headers(json) }).post("customerPaymentJournals", { code: "OJS" + Date.now().toString().slice(-6), displayName: "o.js", balancingAccountId: cash }).query();
    await client().post(`customerPaymentJournals(${j.id})/customerPayments`, { customerNumber: "C00005", amount: -1 }).query();
    const r = await o(posting, { headers: new Headers(json) }).post(`customerPaymentJournals(${j.id})/Microsoft.NAV.post`, {}).fetch();
    assert(r.status === 204, "status " + r.status + " " + (await r.text()));
  });
  await check("o.js", "IEEE754Compatible=true", async () => {
    // Decimals sent and read as strings, as OData JSON asks when the media type carries IEEE754Compatible=true.
    const ieee = "application/json;IEEE754Compatible=true";
    const c2 = o(root, { headers: new Headers({ "Content-Type": ieee, Accept: ieee }) });
    const v = await c2.post(`customerPaymentJournals(${journal})/customerPayments`, { customerNumber: "C00004", amount: "-3.5", description: "o.js ieee" }).query();
    assert(typeof v.amount === "string" && Number(v.amount) === -3.5, JSON.stringify(v));
    const d = await client({ "If-Match": "*" }).delete(`customerPaymentJournals(${journal})/customerPayments(${v.id})`).fetch();
    assert(d.status === 204, "delete status " + d.status);
  });
  record("o.js", "generate from $metadata", "unsupported", "o.js is a plain client: it reads no $metadata");
}

writeFileSync(process.env.PJ_REPORT ?? path.join(here, "report.json"), JSON.stringify({ cases }, null, 2));
console.log(cases.map((c) => `${c.status.padEnd(11)} ${c.client}: ${c.case}${c.status === "pass" ? "" : " - " + c.detail.split("\n")[0]}`).join("\n"));
