// Hands the app the reads the page started before any module had arrived (the inline script in index.html, which
// starts a worksheet's first reads by its address: the company, the journal, the first page of lines, their count
// and their applications). The screen takes each once, by URL; main.js forgets the rest once the first screen is
// shown, so no later screen gets an old answer.
import { answerOf } from './api.js';

// URL -> the promise of the fetch's Response, as the page's script left them.
const started = window.earlyReads instanceof Map ? window.earlyReads : new Map();

/**
 * The answer to a read started early for this URL, or read() when none was. A read refused for want of a key or
 * token, or that found no service, is made again through read() (which asks for a key or token, or says so).
 */
export function early(url, read) {
  const answer = started.get(url);
  started.delete(url);
  if (!answer) return read();
  return answer.then(res => (res.status === 401 ? read() : answerOf(res)), () => read());
}

export function forgetEarly() { started.clear(); }
