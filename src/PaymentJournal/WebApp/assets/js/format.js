// Dates and amounts in the browser's locale; input stays unambiguous (ISO dates, a plain decimal point or comma).
const locale = navigator.languages?.[0] ?? navigator.language ?? 'en';
const money = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const dates = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const count = new Intl.NumberFormat(locale);

export const formatAmount = n => (n === null || n === undefined || n === '') ? '' : money.format(Number(n));
export const formatCount = n => count.format(n);
/** An ISO date (yyyy-mm-dd) for display; the empty date (0001-01-01) shows as nothing. */
export function formatDate(iso) {
  if (!iso || iso.startsWith('0001-')) return '';
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? iso : dates.format(d);
}
/** Amounts are summed in cents, so a total is exact. */
export const toCents = n => Math.round(Number(n) * 100);
export const fromCents = c => c / 100;

const decimalMark = new Intl.NumberFormat(locale).formatToParts(1.5).find(p => p.type === 'decimal')?.value ?? '.';

/**
 * Reads an amount as typed: digits, an optional minus sign and a decimal separator (point or comma). When both
 * appear, the last one is the decimal separator; a single separator followed by exactly three digits is read the
 * way the browser's locale reads it. Spaces and apostrophes group digits. Returns a number, or null.
 */
export function parseAmount(text) {
  let s = String(text).trim().replace(/[\s'\u00a0\u202f]/g, '');
  if (s === '') return null;
  const negative = /^[-\u2212]/.test(s) || /^\(.*\)$/.test(s);
  s = s.replace(/^[-\u2212+]|[()]/g, '');
  const lastPoint = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  let decimal = lastPoint > lastComma ? '.' : lastComma >= 0 ? ',' : '';
  if (decimal && (lastPoint < 0 || lastComma < 0)) {
    const after = s.length - s.lastIndexOf(decimal) - 1;
    if (after === 3 && decimal !== decimalMark) decimal = '';
  }
  if (decimal) {
    const other = decimal === '.' ? ',' : '.';
    const parts = s.replaceAll(other, '').split(decimal);
    if (parts.length > 2) return null;
    s = parts.join('.');
  } else s = s.replace(/[.,]/g, '');
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(s)) return null;
  const n = Number(s);
  return negative ? -n : n;
}
