// Loaded by the page on its own (an async module needing only the API client), before the screens have arrived: a
// worksheet opened by its address has its first reads (the company, the journal, the first page of lines, their
// applications, the count) on their way while the rest of the app loads. The screen takes each once, by URL; main.js
// forgets the rest once the first screen is shown, so no later screen gets an old answer.
import { api, query } from './routes.js';
import { get, credential } from './api.js';

// The worksheet's first page of lines, as its screen asks for it (a test holds the two, and the warm-up, alike).
const PageSize = 100;
const Expand = 'customer($select=displayName),dimensionSetLines($select=code,valueCode)';
const Applications = 'applications($select=invoiceNumber,amount)';

const started = new Map();

/**
 * The answer to a read started early for this URL, or read() when none was. A read refused for want of a key or
 * token is made again through read(), which asks for one.
 */
export function early(url, read) {
  const answer = started.get(url);
  started.delete(url);
  return answer ? answer.catch(err => (err?.status === 401 ? read() : Promise.reject(err))) : read();
}

export function forgetEarly() { started.clear(); }

function start(url) {
  const answer = get(url);
  answer.catch(() => {});
  started.set(url, answer);
}

// Only with a key or token at hand, or where the service needs none (the page says so): a refused read would count
// against the address's failed-authentication limit.
const worksheet = /^#\/companies\/([0-9a-fA-F-]{36})\/journals\/([0-9a-fA-F-]{36})$/.exec(location.hash);
if (worksheet && (credential() || document.documentElement.dataset.auth === 'none')) {
  const [, company, journal] = worksheet;
  start(api.company(company) + '?$select=name,displayName');
  start(api.journal(company, journal));
  start(api.payments(company, journal) + query({ $orderby: 'lineNumber', $skip: 0, $top: PageSize, $expand: Expand }));
  start(api.paymentsCount(company, journal));
  start(api.postingPayments(company, journal) + query({ $orderby: 'lineNumber', $skip: 0, $top: PageSize, $select: 'id', $expand: Applications }));
}
