// After posting: customer ledger entries, G/L entries and sales invoices, filtered and paged by the server.
import { api, query, literal } from '../routes.js';
import { page } from '../api.js';
import { h, setCrumbs, errorBox } from '../ui.js';
import { formatAmount, formatDate, formatCount } from '../format.js';
import { companyName, crumbsFor } from '../context.js';

export const pattern = /^\/companies\/(?<company>[0-9a-fA-F-]{36})\/ledger(?:\?(?<query>.*))?$/;

const PageSize = 50;

const text = (name, label) => ({ name, label, type: 'text' });
const date = (name, label) => ({ name, label, type: 'date' });
const amount = v => formatAmount(v);

/** The three views: their filters (each turned into an OData $filter term) and columns. */
const views = {
  customer: {
    label: 'Customer ledger entries',
    url: c => api.customerLedgerEntries(c),
    orderby: 'entryNumber desc',
    filters: [text('journal', 'Journal'), text('customer', 'Customer no.'), text('document', 'Document no.'), date('from', 'Posted from'), date('to', 'Posted to'),
      { name: 'open', label: 'Open entries only', type: 'checkbox' }],
    terms: f => [
      f.journal && `journalCode eq ${literal(f.journal.toUpperCase())}`,
      f.customer && `startswith(customerNumber,${literal(f.customer.toUpperCase())})`,
      f.document && `startswith(documentNumber,${literal(f.document.toUpperCase())})`,
      f.from && `postingDate ge ${f.from}`, f.to && `postingDate le ${f.to}`, f.open && 'open eq true'],
    columns: [['entryNumber', 'Entry no.', null, true], ['postingDate', 'Posting date', formatDate], ['documentType', 'Document type'], ['documentNumber', 'Document no.'],
      ['customerNumber', 'Customer no.'], ['description', 'Description'], ['amount', 'Amount', amount, true], ['remainingAmount', 'Remaining amount', amount, true],
      ['open', 'Open', v => (v ? 'Yes' : 'No')], ['journalCode', 'Journal']],
  },
  gl: {
    label: 'G/L entries',
    url: c => api.generalLedgerEntries(c),
    orderby: 'entryNumber desc',
    filters: [text('account', 'Account no.'), text('document', 'Document no.'), date('from', 'Posted from'), date('to', 'Posted to')],
    terms: f => [
      f.account && `startswith(accountNumber,${literal(f.account.toUpperCase())})`,
      f.document && `startswith(documentNumber,${literal(f.document.toUpperCase())})`,
      f.from && `postingDate ge ${f.from}`, f.to && `postingDate le ${f.to}`],
    columns: [['entryNumber', 'Entry no.', null, true], ['postingDate', 'Posting date', formatDate], ['documentType', 'Document type'], ['documentNumber', 'Document no.'],
      ['accountNumber', 'Account no.'], ['description', 'Description'], ['debitAmount', 'Debit', amount, true], ['creditAmount', 'Credit', amount, true]],
  },
  invoices: {
    label: 'Sales invoices',
    url: c => api.salesInvoices(c),
    orderby: 'number',
    filters: [text('customer', 'Customer no.'), text('invoice', 'Invoice no.'),
      { name: 'status', label: 'Status', type: 'select', options: ['', 'Open', 'Paid', 'Draft', 'Canceled'] }],
    terms: f => [
      f.customer && `startswith(customerNumber,${literal(f.customer.toUpperCase())})`,
      f.invoice && `startswith(number,${literal(f.invoice.toUpperCase())})`,
      f.status && `status eq ${literal(f.status)}`],
    columns: [['number', 'Invoice no.'], ['postingDate', 'Posting date', formatDate], ['dueDate', 'Due date', formatDate], ['customerNumber', 'Customer no.'],
      ['customerName', 'Customer name'], ['totalAmountIncludingTax', 'Amount', amount, true], ['remainingAmount', 'Remaining amount', amount, true], ['status', 'Status']],
  },
};

export async function render(main, { company, query: q }) {
  const name = await companyName(company);
  setCrumbs([...crumbsFor(company, name), { label: 'Ledger and invoices' }]);
  const params = new URLSearchParams(q ?? '');
  const viewKey = views[params.get('view')] ? params.get('view') : 'customer';
  const view = views[viewKey];
  const values = Object.fromEntries(view.filters.map(f => [f.name, params.get(f.name) ?? '']));

  const tabs = h('div.tabs', { role: 'tablist', 'aria-label': 'Ledgers' }, ...Object.entries(views).map(([key, v]) => h('a', {
    role: 'tab', href: `#/companies/${company}/ledger?view=${key}`, 'aria-selected': key === viewKey ? 'true' : 'false',
    'aria-controls': 'ledger-panel', id: `tab-${key}`, tabIndex: key === viewKey ? 0 : -1, text: v.label,
  })));
  tabs.addEventListener('keydown', e => {
    const list = [...tabs.children];
    const i = list.indexOf(document.activeElement);
    const j = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
    if (i < 0 || j === null) return;
    e.preventDefault();
    list[(j + list.length) % list.length].focus();
  });

  const inputs = view.filters.map(f => {
    const id = `filter-${f.name}`;
    let input;
    if (f.type === 'checkbox') input = h('input', { id, type: 'checkbox', checked: values[f.name] === 'true' });
    else if (f.type === 'select') input = h('select', { id }, ...f.options.map(o => h('option', { value: o, text: o || 'Any', selected: o === values[f.name] })));
    else input = h('input', { id, type: f.type, value: values[f.name], autocomplete: 'off' });
    return { f, input, row: h('div.field' + (f.type === 'checkbox' ? '.check' : ''), {}, h('label', { for: id, text: f.label }), input) };
  });
  const form = h('form.filters', {
    'aria-label': 'Filters',
    on: {
      submit: e => {
        e.preventDefault();
        const next = new URLSearchParams({ view: viewKey });
        for (const { f, input } of inputs) {
          const v = f.type === 'checkbox' ? (input.checked ? 'true' : '') : input.value.trim();
          if (v) next.set(f.name, v);
        }
        location.hash = `#/companies/${company}/ledger?${next}`;
      },
    },
  }, ...inputs.map(i => i.row), h('div.buttons', {}, h('button.primary', { type: 'submit', text: 'Apply filters' })));

  const summary = h('p.muted', { role: 'status' });
  const body = h('tbody');
  const table = h('table.list', {},
    h('caption.sr-only', { text: view.label }),
    h('thead', {}, h('tr', {}, ...view.columns.map(([, label, , num]) => h('th', { scope: 'col', class: num ? 'num' : undefined, text: label })))),
    body);
  const prev = h('button', { type: 'button', text: 'Previous page', disabled: true });
  const next = h('button', { type: 'button', text: 'Next page', disabled: true });
  const panel = h('div', { id: 'ledger-panel', role: 'tabpanel', 'aria-labelledby': `tab-${viewKey}` },
    form, summary, h('div.table-wrap', { tabIndex: 0, role: 'region', 'aria-label': view.label }, table), h('div.pager', {}, prev, next));
  main.append(h('h1', { text: 'Ledger and invoices' }), tabs, panel);

  // Pages come from the server: the first with $count, the next ones by the server's nextLink.
  const filter = view.terms(Object.fromEntries(view.filters.map(f => [f.name, f.type === 'checkbox' ? values[f.name] === 'true' : values[f.name]]))).filter(Boolean).join(' and ');
  const first = view.url(company) + query({ $filter: filter || undefined, $orderby: view.orderby, $count: 'true' });
  // The pages seen so far: their URLs and the position of their first row.
  const trail = [{ url: first, start: 0 }];
  let total = null;
  let current = 0;
  async function show(i) {
    let r;
    try { r = await page(trail[i].url, { maxPageSize: PageSize }); } catch (err) {
      body.replaceChildren(h('tr', {}, h('td', { colSpan: view.columns.length }, errorBox(err, () => show(i)))));
      return;
    }
    current = i;
    if (r.count !== undefined) total = r.count;
    if (r.next) trail[i + 1] = { url: r.next, start: trail[i].start + r.rows.length };
    else trail.length = i + 1;
    body.replaceChildren(...(r.rows.length ? r.rows.map(row => h('tr', {}, ...view.columns.map(([key, , fmt, num], j) => {
      const v = fmt ? fmt(row[key]) : String(row[key] ?? '');
      return j === 0 ? h('th', { scope: 'row', class: num ? 'num' : undefined, text: v }) : h('td', { class: num ? 'num' : undefined, text: v });
    }))) : [h('tr', {}, h('td', { colSpan: view.columns.length, text: 'Nothing matches these filters.' }))]));
    const start = trail[i].start;
    summary.textContent = r.rows.length
      ? `${view.label}: ${formatCount(start + 1)}–${formatCount(start + r.rows.length)} of ${formatCount(total ?? 0)}`
      : `${view.label}: none`;
    prev.disabled = i === 0;
    next.disabled = !r.next;
  }
  prev.addEventListener('click', () => show(current - 1));
  next.addEventListener('click', () => show(current + 1));
  await show(0);
}
