// Every API URL the app uses, in one place. The app speaks only the public API: Business Central API v2.0 for the
// standard entity sets, and the service's own API groups for what the standard API lacks.
export const root = '/api/v2.0/';
// The group that serves customerLedgerEntries (not a page of the standard API).
export const ledgerRoot = '/api/paymentjournal/ledger/v1.0/';
// The group whose customerPaymentJournals carry the Microsoft.NAV.post action.
export const postingRoot = '/api/paymentjournal/posting/v1.0/';
// The group that imports bank statements, proposes matches and transfers accepted lines to a journal.
export const cashRoot = '/api/paymentjournal/cashApplication/v1.0/';
const cash = c => `${cashRoot}companies(${c})`;

const company = c => `${root}companies(${c})`;

export const api = {
  batch: () => `${root}$batch`,
  companies: () => `${root}companies`,
  company,
  journals: c => `${company(c)}/customerPaymentJournals`,
  journal: (c, j) => `${company(c)}/customerPaymentJournals(${j})`,
  postJournal: (c, j) => `${postingRoot}companies(${c})/customerPaymentJournals(${j})/Microsoft.NAV.post`,
  // The same lines in the posting group, where a line's applications to several invoices are served.
  postingPayments: (c, j) => `${postingRoot}companies(${c})/customerPaymentJournals(${j})/customerPayments`,
  paymentApplications: (c, j, p) => `${postingRoot}companies(${c})/customerPaymentJournals(${j})/customerPayments(${p})/applications`,
  payments: (c, j) => `${company(c)}/customerPaymentJournals(${j})/customerPayments`,
  paymentsCount: (c, j) => `${company(c)}/customerPaymentJournals(${j})/customerPayments/$count`,
  payment: (c, j, p) => `${company(c)}/customerPaymentJournals(${j})/customerPayments(${p})`,
  paymentDimensions: (c, j, p) => `${company(c)}/customerPaymentJournals(${j})/customerPayments(${p})/dimensionSetLines`,
  paymentDimension: (c, j, p, d) => `${company(c)}/customerPaymentJournals(${j})/customerPayments(${p})/dimensionSetLines(${d})`,
  customers: c => `${company(c)}/customers`,
  salesInvoices: c => `${company(c)}/salesInvoices`,
  accounts: c => `${company(c)}/accounts`,
  dimensions: c => `${company(c)}/dimensions`,
  customerLedgerEntries: c => `${ledgerRoot}companies(${c})/customerLedgerEntries`,
  generalLedgerEntries: c => `${company(c)}/generalLedgerEntries`,
  cashBatch: () => `${cashRoot}$batch`,
  statementImports: c => `${cash(c)}/bankStatementImports`,
  statements: c => `${cash(c)}/bankStatements`,
  statement: (c, s) => `${cash(c)}/bankStatements(${s})`,
  transferStatement: (c, s) => `${cash(c)}/bankStatements(${s})/Microsoft.NAV.transferToJournal`,
  statementLines: (c, s) => `${cash(c)}/bankStatements(${s})/bankStatementLines`,
  statementLinesCount: (c, s) => `${cash(c)}/bankStatements(${s})/bankStatementLines/$count`,
  statementLine: (c, s, l) => `${cash(c)}/bankStatements(${s})/bankStatementLines(${l})`,
  reviewLine: (c, s, l, action) => `${cash(c)}/bankStatements(${s})/bankStatementLines(${l})/Microsoft.NAV.${action}`,
  csvProfiles: c => `${cash(c)}/csvImportProfiles`,
};

/** A query string from an object; undefined and empty values are left out. */
export function query(params) {
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    parts.push(`${k}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? '?' + parts.join('&') : '';
}

/** An OData string literal: quotes doubled. */
export const literal = s => `'${String(s).replaceAll("'", "''")}'`;
