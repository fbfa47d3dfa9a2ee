// The journals list: create, rename, delete; each journal's number of lines and total amount.
import { api, query } from '../routes.js';
import { page, post, patch, del, batchGet, ApiError } from '../api.js';
import { h, setCrumbs, announce, formDialog, confirmDialog, errorBox } from '../ui.js';
import { formatAmount, formatCount, fromCents } from '../format.js';
import { companyName, crumbsFor, journalTotalCents, AutoTotalLines } from '../context.js';

export const pattern = /^\/companies\/(?<company>[0-9a-fA-F-]{36})$/;

export async function render(main, { company }) {
  const name = await companyName(company);
  setCrumbs([...crumbsFor(company, name).slice(0, 1), { label: name }]);
  const body = h('tbody');
  const table = h('table.list', {},
    h('caption.sr-only', { text: 'Payment journals' }),
    h('thead', {}, h('tr', {},
      ...['Code', 'Name', 'Balancing account', 'Lines', 'Total amount', 'Actions'].map((t, i) =>
        h('th', { scope: 'col', class: i === 3 || i === 4 ? 'num' : undefined, text: t })))),
    body);
  main.append(
    h('div.title-row', {}, h('h1', { text: 'Payment journals' }),
      h('div.toolbar', {},
        h('button.primary', { type: 'button', text: 'New journal', on: { click: () => create(company, reload) } }),
        h('a.button', { href: `#/companies/${company}/ledger`, text: 'Ledger and invoices' }),
        h('a.button', { href: `#/companies/${company}/bank`, text: 'Bank statements' }))),
    h('div.table-wrap', { tabIndex: 0, role: 'region', 'aria-label': 'Payment journals' }, table));

  let controller = new AbortController();
  async function reload() {
    controller.abort();
    controller = new AbortController();
    const signal = controller.signal;
    let rows;
    try {
      ({ rows } = await page(api.journals(company) + query({ $orderby: 'code' }), { signal }));
    } catch (err) {
      if (err?.name === 'AbortError') return;
      body.replaceChildren(h('tr', {}, h('td', { colSpan: 6 }, errorBox(err, reload))));
      return;
    }
    if (rows.length === 0) {
      body.replaceChildren(h('tr', {}, h('td', { colSpan: 6, text: 'No journal yet: create one with New journal.' })));
      return;
    }
    const cells = rows.map(j => {
      const lines = h('td.num', { text: '…' });
      const total = h('td.num', { text: '…' });
      return { j, lines, total };
    });
    body.replaceChildren(...cells.map(({ j, lines, total }) => h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `#/companies/${company}/journals/${j.id}`, text: j.code, 'aria-label': `Open journal ${j.code}` })),
      h('td', { text: j.displayName }),
      h('td', { text: j.balancingAccountNumber }),
      lines, total,
      h('td.actions', {},
        h('button', { type: 'button', text: 'Rename', 'aria-label': `Rename ${j.code}`, on: { click: () => rename(company, j, reload) } }),
        h('button.danger', { type: 'button', text: 'Delete', 'aria-label': `Delete ${j.code}`, on: { click: () => remove(company, j, reload) } })))));
    // The line counts of every journal in one $batch.
    const counts = await batchGet(cells.map(({ j }) => api.paymentsCount(company, j.id)));
    for (const [i, { j, lines, total }] of cells.entries()) {
      const c = counts[i];
      if (c instanceof ApiError) { lines.textContent = '?'; total.textContent = '?'; continue; }
      const n = Number(c.body);
      lines.textContent = formatCount(n);
      if (n <= AutoTotalLines) sum(j, total);
      else total.replaceChildren(h('button.link', { type: 'button', text: 'Sum', 'aria-label': `Sum the amounts of ${j.code}`, on: { click: () => sum(j, total) } }));
    }
    async function sum(j, cell) {
      cell.textContent = '…';
      try { cell.textContent = formatAmount(fromCents(await journalTotalCents(company, j.id, signal))); } catch (err) { if (err?.name !== 'AbortError') cell.textContent = '?'; }
    }
  }
  await reload();
  return { leave: () => controller.abort() };
}

async function accountOptions(company) {
  const { rows } = await page(api.accounts(company) + query({ $filter: "accountType eq 'Posting' and blocked eq false", $select: 'id,number,displayName,category', $orderby: 'number' }));
  // Cash accounts (category Assets) first is what a cash receipt journal wants; all posting accounts are offered.
  return rows.map(a => ({ value: a.id, label: `${a.number} ${a.displayName}` }));
}

async function create(company, reload) {
  let options;
  try { options = await accountOptions(company); } catch (err) { announce(err.message); return; }
  const cash = options.find(o => /cash|bank/i.test(o.label)) ?? options[0];
  const created = await formDialog('New journal', [
    { name: 'code', label: 'Code', required: true, maxLength: 10 },
    { name: 'displayName', label: 'Name', maxLength: 50 },
    { name: 'balancingAccountId', label: 'Balancing account', options, value: cash?.value },
  ], 'Create', values => post(api.journals(company), values));
  if (created) { announce(`Journal ${created.code} created.`); await reload(); }
}

async function rename(company, j, reload) {
  const saved = await formDialog(`Rename journal ${j.code}`, [
    { name: 'code', label: 'Code', value: j.code, required: true, maxLength: 10 },
    { name: 'displayName', label: 'Name', value: j.displayName, maxLength: 50 },
  ], 'Save', values => patch(api.journal(company, j.id), values, j['@odata.etag']));
  if (saved) { announce(`Journal ${saved.code} saved.`); await reload(); }
}

async function remove(company, j, reload) {
  if (!await confirmDialog(`Delete journal ${j.code}?`, `The journal ${j.code} and all its lines will be deleted. Posted entries stay.`, 'Delete')) return;
  try {
    await del(api.journal(company, j.id), j['@odata.etag']);
    announce(`Journal ${j.code} deleted.`);
  } catch (err) {
    announce(err.isConflict ? `Journal ${j.code} was changed meanwhile: the list is reloaded, nothing was deleted.` : err.message);
  }
  await reload();
}
