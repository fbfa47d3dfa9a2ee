// The HTTP client: credentials, ETags, server paging, $batch, and API refusals turned into words.
import { api } from './routes.js';

const CREDENTIAL = 'paymentjournal.credential';

/** The key or token entered for this browser session, or null (Auth:Mode None needs none). */
export function credential() {
  try { return JSON.parse(sessionStorage.getItem(CREDENTIAL) ?? 'null'); } catch { return null; }
}
export function setCredential(value) {
  if (value) sessionStorage.setItem(CREDENTIAL, JSON.stringify(value));
  else sessionStorage.removeItem(CREDENTIAL);
}

/** A refusal from the API (or no answer at all), with a message fit to show to a user. */
export class ApiError extends Error {
  constructor(status, message, { code = '', details = [], correlationId = '' } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.correlationId = correlationId;
  }

  /** The write met a newer version of the row (Business Central answers 409 Request_EntityChanged; 412 elsewhere). */
  get isConflict() { return this.status === 412 || this.code === 'Request_EntityChanged'; }
}

let askForCredential = null;
let asking = null;
/** main.js hands in the sign-in dialog; a 401 opens it and the request is sent again with what was entered. */
export function onCredentialNeeded(ask) { askForCredential = ask; }

function headersFor({ etag, body, maxPageSize }) {
  const h = { Accept: 'application/json' };
  const c = credential();
  if (c?.kind === 'key') h['X-Api-Key'] = c.value;
  else if (c?.kind === 'token') h.Authorization = `Bearer ${c.value}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (etag) h['If-Match'] = etag;
  if (maxPageSize) h.Prefer = `odata.maxpagesize=${maxPageSize}`;
  return h;
}

const plain = {
  0: 'The service could not be reached. Check that it is running and try again.',
  401: 'The service needs a valid API key or token.',
  403: 'Your key or token may not do this.',
  404: 'It was not found; it may have been deleted meanwhile.',
  409: 'It conflicts with data that changed meanwhile.',
  412: 'Someone else changed it meanwhile.',
  413: 'The request is too large.',
  429: 'The service is busy. Wait a moment and try again.',
  503: 'The database is unavailable just now. Try again in a few seconds.',
  507: 'The database disk is full. Ask an administrator.',
};

async function toError(res) {
  let body = null;
  try { body = JSON.parse(await res.text()); } catch { /* not JSON: the plain message below */ }
  const e = body?.error;
  let message = (typeof e?.message === 'string' && e.message) || plain[res.status] || `The service refused the request (${res.status}).`;
  // The correlation id is for support, not for the sentence the user reads.
  const correlation = /\s*CorrelationId:\s*([0-9a-fA-F-]+)\.?\s*$/.exec(message);
  if (correlation) message = message.slice(0, correlation.index);
  const details = Array.isArray(e?.details) ? e.details.filter(d => typeof d?.message === 'string') : [];
  return new ApiError(res.status, message, { code: typeof e?.code === 'string' ? e.code : '', details, correlationId: correlation?.[1] ?? '' });
}

/** Sends one request; returns the parsed JSON body (null for 204). Throws ApiError with words for a user. */
export async function request(method, url, { body, etag, maxPageSize, signal } = {}) {
  for (;;) {
    let res;
    try {
      // No cookies or browser-held credentials: the key or token goes in a header. With credentials omitted a 401
      // with a Basic challenge comes back to the app instead of opening the browser's own login prompt.
      res = await fetch(url, {
        method, signal, credentials: 'omit', headers: headersFor({ etag, body, maxPageSize }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      if (err?.name === 'AbortError') throw err;
      throw new ApiError(0, plain[0]);
    }
    if (res.status === 401 && askForCredential) {
      const error = await toError(res);
      // Requests refused at once share one dialog.
      asking ??= askForCredential(error.message).finally(() => { asking = null; });
      if (await asking) continue;
      throw error;
    }
    return answerOf(res);
  }
}

/** The parsed body of an answer (null for 204), or an ApiError with words for a user. */
export async function answerOf(res) {
  if (!res.ok) throw await toError(res);
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  const type = res.headers.get('Content-Type') ?? '';
  return type.includes('json') ? JSON.parse(text) : text;
}

export const get = (url, options) => request('GET', url, options);
export const post = (url, body, options) => request('POST', url, { ...options, body });
export const patch = (url, body, etag, options) => request('PATCH', url, { ...options, body, etag });
export const del = (url, etag, options) => request('DELETE', url, { ...options, etag });

/** One page of a collection: rows, the server's nextLink (or null) and the count when asked for. */
export async function page(url, options) {
  return toPage(await get(url, options));
}
export const toPage = r => ({ rows: r?.value ?? [], next: r?.['@odata.nextLink'] ?? null, count: r?.['@odata.count'] });

/** Every row of a collection, following the server's nextLinks. */
export async function* all(url, options) {
  let next = url;
  while (next) {
    const p = await page(next, options);
    yield* p.rows;
    next = p.next;
  }
}

/**
 * Sends several GETs in one JSON $batch; answers in the same order, each { status, body } or an ApiError.
 * The URLs are absolute paths under the API root; an API group's URLs go to that group's $batch (batchUrl).
 */
export async function batchGet(urls, batchUrl = api.batch()) {
  if (urls.length === 0) return [];
  const answers = [];
  for (let start = 0; start < urls.length; start += 100) {
    const chunk = urls.slice(start, start + 100);
    const r = await post(batchUrl, {
      requests: chunk.map((url, i) => ({ id: String(i + 1), method: 'GET', url, headers: { Accept: 'application/json' } })),
    });
    const byId = new Map((r?.responses ?? []).map(x => [x.id, x]));
    chunk.forEach((_, i) => {
      const x = byId.get(String(i + 1));
      if (x && x.status < 300) answers.push({ status: x.status, body: x.body });
      else answers.push(new ApiError(x?.status ?? 0, x?.body?.error?.message ?? plain[x?.status] ?? 'No answer.'));
    });
  }
  return answers;
}

