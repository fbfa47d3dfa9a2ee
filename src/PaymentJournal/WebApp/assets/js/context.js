// What several screens need about a company or journal: names for breadcrumbs, a journal's line count and total.
import { api, query } from './routes.js';
import { get, page } from './api.js';
import { toCents } from './format.js';
import { early } from './early.js';

const companyNames = new Map();

export async function companyName(company) {
  if (!companyNames.has(company)) {
    const url = api.company(company) + '?$select=name,displayName';
    const c = await early(url, () => get(url));
    companyNames.set(company, c.displayName || c.name);
  }
  return companyNames.get(company);
}

export const crumbsFor = (company, name) => [
  { label: 'Companies', href: '#/' },
  { label: name, href: `#/companies/${company}` },
];

/** Journals up to this many lines get their total at once; larger ones on request (the sum reads every amount). */
export const AutoTotalLines = 20000;

/** The sum of a journal's amounts in cents, read page by page (only the amount column). */
export async function journalTotalCents(company, journal, signal) {
  let next = api.payments(company, journal) + query({ $select: 'amount' });
  let cents = 0;
  while (next) {
    const p = await page(next, { maxPageSize: 20000, signal });
    for (const r of p.rows) cents += toCents(r.amount);
    next = p.next;
  }
  return cents;
}
