// One bank statement: its lines, paged by the server, each with the matcher's proposals (customer, invoices, score,
// confidence, reasons); accept a proposal, apply a line by hand (another customer, invoices, a split with amounts),
// ignore or reopen it; then transfer the accepted lines to a customer payment journal.
import { api, query, literal } from '../routes.js';
import { get, page, post, batchGet, ApiError } from '../api.js';
import { h, setCrumbs, announce, errorBox, modal } from '../ui.js';
import { formatAmount, formatCount, formatDate, parseAmount, toCents, fromCents } from '../format.js';
import { companyName, crumbsFor } from '../context.js';
import { attachLookup } from '../lookup.js';

export const pattern = /^\/companies\/(?<company>[0-9a-fA-F-]{36})\/bank\/(?<statement>[0-9a-fA-F-]{36})$/;

const PageSize = 20;
const Statuses = ['Open', 'Accepted', 'Ignored', 'Transferred'];
const Expand = 'matchProposals($orderby=rank)';

/** "103003=870.35, 103008" (as the API writes applied invoices) as [{ number, amount|null }]. */
function parseApplied(text) {
  return (text || '').split(',').map(s => s.trim()).filter(Boolean).map(s => {
    const [number, amount] = s.split('=');
    return { number: number.trim(), amount: amount === undefined ? null : Number(amount) };
  });
}

/** Applied invoices in words, amounts in the browser's locale. */
const appliedText = text => parseApplied(text)
  .map(a => a.amount === null ? `${a.number} (what is left)` : `${a.number} (${formatAmount(a.amount)})`).join(', ');

const signed = line => (line.credit ? line.amount : -line.amount);

export async function render(main, { company, statement: statementId }) {
  const controller = new AbortController();
  const signal = controller.signal;
  let [name, statement, journals] = await Promise.all([
    companyName(company),
    get(api.statement(company, statementId)),
    page(api.journals(company) + query({ $select: 'id,code,displayName', $orderby: 'code' }), { maxPageSize: 500 }).then(p => p.rows),
  ]);
  setCrumbs([...crumbsFor(company, name), { label: 'Bank statements', href: `#/companies/${company}/bank` }, { label: statement.statementNumber }]);
  const journalById = new Map(journals.map(j => [j.id, j]));

  const period = statement.periodFrom === statement.periodTo ? formatDate(statement.periodFrom)
    : `${formatDate(statement.periodFrom)} – ${formatDate(statement.periodTo)}`;
  const balances = statement.hasBalances
    ? ` · opening balance ${formatAmount(statement.openingBalance)} · closing balance ${formatAmount(statement.closingBalance)}` : '';
  const counts = h('p.counts', { id: 'stmt-counts' });
  const transferResult = h('div.transfer-result', { role: 'status' });
  const statusFilter = h('select', { id: 'stmt-status' }, h('option', { value: '', text: 'All lines' }), ...Statuses.map(s => h('option', { value: s, text: s })));
  const summary = h('p.muted', { role: 'status' });
  const list = h('ol.bank-lines', { 'aria-label': 'Statement lines' });
  const prev = h('button', { type: 'button', text: 'Previous page', disabled: true });
  const next = h('button', { type: 'button', text: 'Next page', disabled: true });
  main.append(
    h('div.title-row', {}, h('h1', { text: `Statement ${statement.statementNumber}` }),
      h('div.toolbar', {},
        h('button.primary', { type: 'button', text: 'Transfer to a journal', on: { click: transfer } }),
        h('a.button', { href: `#/companies/${company}/bank`, text: 'All statements' }))),
    h('p.muted', { text: `Account ${statement.accountIban} · ${statement.currencyCode} · ${period}${balances} · ${statement.format}` }),
    counts, transferResult,
    h('div.filters', {}, h('div.field', {}, h('label', { for: 'stmt-status', text: 'Show' }), statusFilter)),
    summary, list, h('div.pager', {}, prev, next));

  // ---- counts per status ----
  async function showCounts() {
    const urls = Statuses.map(s => api.statementLinesCount(company, statementId) + query({ $filter: `status eq '${s}'` }));
    let answers;
    try { answers = await batchGet(urls, api.cashBatch()); } catch { return; }
    counts.replaceChildren(...Statuses.flatMap((s, i) => {
      const a = answers[i];
      const n = a && !(a instanceof ApiError) ? formatCount(Number(a.body)) : '?';
      return [i ? ' · ' : '', `${s}: `, h('strong', { 'data-status': s, text: n })];
    }));
  }

  // ---- the lines, a page at a time ----
  const linesUrl = () => api.statementLines(company, statementId) + query({
    $filter: statusFilter.value ? `status eq ${literal(statusFilter.value)}` : undefined, $orderby: 'lineNumber', $expand: Expand, $count: 'true',
  });
  let trail = [{ url: linesUrl(), start: 0 }];
  let current = 0;
  let total = 0;
  async function show(i) {
    let r;
    try { r = await page(trail[i].url, { maxPageSize: PageSize, signal }); } catch (err) {
      if (err?.name === 'AbortError') return;
      list.replaceChildren(h('li', {}, errorBox(err, () => show(i))));
      return;
    }
    current = i;
    if (r.count !== undefined) total = r.count;
    if (r.next) trail[i + 1] = { url: r.next, start: trail[i].start + r.rows.length };
    else trail.length = i + 1;
    prev.disabled = i === 0;
    next.disabled = !r.next;
    const start = trail[i].start;
    summary.textContent = r.rows.length ? `Lines ${formatCount(start + 1)}–${formatCount(start + r.rows.length)} of ${formatCount(total)}` : 'No line is shown with this choice.';
    list.replaceChildren(...r.rows.map(card));
  }
  prev.addEventListener('click', () => show(current - 1));
  next.addEventListener('click', () => show(current + 1));
  statusFilter.addEventListener('change', () => { trail = [{ url: linesUrl(), start: 0 }]; show(0); });

  /** A line with its facts, its proposals and its actions. */
  function card(line) {
    const titleId = `line-${line.id}-title`;
    const error = h('p.field-error', { id: `line-${line.id}-error`, role: 'alert' });
    const li = h('li.bank-line', { 'aria-labelledby': titleId, 'data-line': String(line.lineNumber), 'data-status': line.status });
    const reviewable = line.credit && !line.reversal;
    const facts = [
      ['Booking date', formatDate(line.bookingDate)],
      ['Amount', `${formatAmount(signed(line))} ${line.currencyCode}`],
      ['Counterparty', [line.counterpartyName, line.counterpartyIban].filter(Boolean).join(' · ') || '(not given)'],
      ['Remittance text', line.remittanceText || '(none)'],
      line.structuredReference && ['Reference', line.structuredReference],
      line.endToEndId && ['End-to-end id', line.endToEndId],
    ].filter(Boolean);
    li.append(
      h('div.line-head', {},
        h('h2', { id: titleId, tabIndex: -1, text: `Line ${line.lineNumber} · ${formatAmount(signed(line))} · ${line.counterpartyName || 'unknown payer'}` }),
        h('span.badge', { class: `badge status-${line.status.toLowerCase()}`, text: line.reversal ? `${line.status} · reversal` : line.credit ? line.status : `${line.status} · debit` })),
      h('dl.facts', {}, ...facts.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])));
    if (line.note) li.append(h('p.note', { text: line.note }));
    if (line.status === 'Accepted' || line.status === 'Transferred') {
      li.append(h('p.applied', {}, h('strong', { text: line.status === 'Accepted' ? 'Accepted: ' : 'Applied: ' }),
        `customer ${line.customerNumber}${line.appliedInvoices ? ` · invoices ${appliedText(line.appliedInvoices)}` : ' · no invoice named (oldest first)'}`));
    }
    if (line.status === 'Transferred') {
      const j = journalById.get(line.journalId);
      li.append(h('p', {}, 'Transferred to ', j ? h('a', { href: `#/companies/${company}/journals/${j.id}`, text: `journal ${j.code}` }) : 'a journal', '.'));
    }
    const proposals = line.matchProposals ?? [];
    if (reviewable && (line.status === 'Open' || line.status === 'Accepted')) {
      if (proposals.length) li.append(proposalTable(line, proposals, error));
      else if (line.status === 'Open') li.append(h('p.muted', { text: 'No proposal: no customer or invoice matched this payment. Apply it by hand or ignore it.' }));
    }
    const editorSlot = h('div.editor-slot');
    const actions = h('div.buttons');
    const act = (text, label, fn) => actions.append(h('button', { type: 'button', text, 'aria-label': `${label} line ${line.lineNumber}`, on: { click: fn } }));
    if (line.status === 'Open') {
      if (reviewable) act(proposals.length ? 'Change…' : 'Apply by hand…', proposals.length ? 'Change' : 'Apply by hand', () => openEditor(line, li, editorSlot, error));
      act('Ignore', 'Ignore', () => review(line, li, 'ignore', undefined, error));
    } else if (line.status === 'Accepted') {
      act('Change…', 'Change', () => openEditor(line, li, editorSlot, error));
      act('Reopen', 'Reopen', () => review(line, li, 'reopen', undefined, error));
    } else if (line.status === 'Ignored') {
      act('Reopen', 'Reopen', () => review(line, li, 'reopen', undefined, error));
    }
    li.append(editorSlot, actions, error);
    return li;
  }

  function proposalTable(line, proposals, error) {
    const caption = `Proposals for line ${line.lineNumber}`;
    return h('div.table-wrap', { tabIndex: 0, role: 'region', 'aria-label': caption },
      h('table.list.compact.proposals', {},
        h('caption.sr-only', { text: caption }),
        h('thead', {}, h('tr', {}, ...['Customer', 'Invoices', 'Amount', 'Score', 'Confidence', 'Reasons', 'Action']
          .map((t, i) => h('th', { scope: 'col', class: i === 2 || i === 3 ? 'num' : undefined, text: t })))),
        h('tbody', {}, ...proposals.map(p => h('tr', { 'data-rank': String(p.rank) },
          h('th', { scope: 'row', text: `${p.customerNumber} ${p.customerName}` }),
          h('td', { text: p.invoices ? appliedText(p.invoices) : 'oldest first' }),
          h('td.num', { text: formatAmount(p.amount) }),
          h('td.num', { text: String(p.score) }),
          h('td', {}, h('span', { class: `confidence confidence-${p.confidence.toLowerCase()}`, text: p.confidence })),
          h('td.reasons', {}, h('ul', {}, ...(p.reasons || '').split(';').map(s => s.trim()).filter(Boolean).map(s => h('li', { text: s })))),
          h('td', {}, h('button', {
            type: 'button', text: 'Accept', 'aria-label': `Accept ${p.customerNumber} for line ${line.lineNumber}`,
            on: { click: () => review(line, null, 'acceptProposal', { proposalId: p.id }, error) },
          })))))));
  }

  /** The line as it is now, shown in place of its card; focus stays in the card. */
  async function refresh(line) {
    const old = list.querySelector(`li[data-line='${line.lineNumber}']`);
    const fresh = await get(api.statementLine(company, statementId, line.id) + query({ $expand: Expand }));
    const el = card(fresh);
    if (old) {
      const hadFocus = old.contains(document.activeElement) || document.activeElement === document.body;
      old.replaceWith(el);
      if (hadFocus) el.querySelector('h2').focus();
    }
    showCounts();
    return el;
  }

  async function review(line, _li, action, params, error) {
    error.textContent = '';
    try {
      await post(api.reviewLine(company, statementId, line.id, action), params, { etag: line['@odata.etag'] });
      const words = { acceptProposal: 'accepted', applyToInvoices: 'applied', ignore: 'ignored', reopen: 'reopened with fresh proposals' }[action];
      announce(`Line ${line.lineNumber} ${words}.`);
      await refresh(line);
      return true;
    } catch (err) {
      if (err?.name === 'AbortError') return false;
      // A newer version of the line, or a paid invoice: the card shows the line as it is now, with the reason.
      let message = err.message;
      if (err.isConflict && err.status === 412) message = `Line ${line.lineNumber} was changed meanwhile; it is shown as it is now and nothing was changed.`;
      if (err.isConflict) {
        try { const el = await refresh(line); el.querySelector('.field-error').textContent = message; } catch { error.textContent = message; }
      } else error.textContent = message;
      announce(`Line ${line.lineNumber}: ${message}`);
      return false;
    }
  }

  // ---- applying by hand: another customer, invoices, a split with amounts ----

  function openEditor(line, li, slot, error) {
    if (slot.firstChild) { slot.querySelector('input')?.focus(); return; }
    const base = `apply-${line.lineNumber}`;
    const first = line.matchProposals?.[0];
    const start = line.status === 'Accepted'
      ? { customer: line.customerNumber, invoices: parseApplied(line.appliedInvoices) }
      : { customer: first?.customerNumber ?? '', invoices: parseApplied(first?.invoices) };
    const formError = h('p.field-error', { id: `${base}-error`, role: 'alert' });
    const customer = h('input', { id: `${base}-customer`, autocomplete: 'off', spellcheck: false, maxLength: 20, value: start.customer, 'aria-describedby': `${base}-error` });
    const rows = h('div.invoice-rows');
    const left = h('p.hint', { id: `${base}-left`, 'aria-live': 'polite' });
    let rowCounter = 0;

    const combobox = (input, options) => {
      let lookup = null;
      input.addEventListener('focus', () => { lookup ??= attachLookup(input, { ...options, pick: o => { options.pick(o); lookup?.close(); lookup = null; } }); });
      input.addEventListener('blur', () => { lookup?.close(); lookup = null; });
      input.addEventListener('keydown', e => {
        if (lookup?.handleKey(e)) { e.preventDefault(); e.stopPropagation(); return; }
        if (e.key === 'Escape' && lookup) { e.preventDefault(); e.stopPropagation(); lookup.close(); lookup = null; }
      });
      // Typing again after a pick opens the list again.
      input.addEventListener('input', () => { lookup ??= attachLookup(input, { ...options, pick: o => { options.pick(o); lookup?.close(); lookup = null; } }); });
    };
    combobox(customer, {
      name: 'Customers', search: searchCustomers,
      pick: o => { customer.value = o.label; },
    });

    function updateLeft() {
      const applied = [...rows.querySelectorAll('input.amount')].reduce((c, i) => c + (parseAmount(i.value) > 0 ? toCents(parseAmount(i.value)) : 0), 0);
      left.textContent = `Line amount ${formatAmount(line.amount)} · applied ${formatAmount(fromCents(applied))} · left ${formatAmount(fromCents(toCents(line.amount) - applied))}. ` +
        'An amount left empty applies what that invoice has left to pay.';
    }

    function addRow(value = { number: '', amount: null }) {
      const n = ++rowCounter;
      const invoice = h('input.invoice', { id: `${base}-invoice-${n}`, autocomplete: 'off', spellcheck: false, maxLength: 20, value: value.number });
      const amount = h('input.amount', { id: `${base}-amount-${n}`, autocomplete: 'off', inputMode: 'decimal', value: value.amount === null ? '' : String(value.amount) });
      const row = h('div.invoice-row', { role: 'group', 'aria-label': `Invoice ${n}` },
        h('div.field', {}, h('label', { for: invoice.id, text: 'Invoice no.' }), invoice),
        h('div.field', {}, h('label', { for: amount.id, text: 'Amount' }), amount),
        h('button', { type: 'button', text: 'Remove', 'aria-label': `Remove invoice ${n}`, on: { click: () => { row.remove(); updateLeft(); (rows.querySelector('input') ?? addButton).focus(); } } }));
      combobox(invoice, {
        name: 'Open invoices', search: (text, s) => searchInvoices(text, customer.value.trim(), s),
        pick: o => {
          invoice.value = o.label;
          if (!customer.value.trim()) customer.value = o.customer;
          if (!amount.value) {
            const others = [...rows.querySelectorAll('input.amount')].filter(i => i !== amount).reduce((c, i) => c + (parseAmount(i.value) > 0 ? toCents(parseAmount(i.value)) : 0), 0);
            const rest = Math.min(toCents(o.remaining), toCents(line.amount) - others);
            if (rest > 0) amount.value = String(fromCents(rest));
          }
          updateLeft();
        },
      });
      amount.addEventListener('input', updateLeft);
      rows.append(row);
      return invoice;
    }
    for (const inv of start.invoices) addRow(inv);
    if (start.invoices.length === 0) addRow();
    const addButton = h('button', { type: 'button', text: 'Add invoice', on: { click: () => { addRow().focus(); updateLeft(); } } });
    updateLeft();

    const close = () => { slot.replaceChildren(); li.querySelector('h2').focus(); };
    const form = h('form.apply-form', {
      'aria-label': `Apply line ${line.lineNumber} by hand`,
      on: {
        keydown: e => { if (e.key === 'Escape') { e.preventDefault(); close(); } },
        submit: async e => {
          e.preventDefault();
          formError.textContent = '';
          for (const i of form.querySelectorAll('[aria-invalid]')) i.removeAttribute('aria-invalid');
          const number = customer.value.trim().toUpperCase();
          if (!number) { formError.textContent = 'Choose the customer who paid.'; customer.setAttribute('aria-invalid', 'true'); customer.focus(); return; }
          const parts = [];
          for (const row of rows.children) {
            const inv = row.querySelector('input.invoice');
            const amt = row.querySelector('input.amount');
            const invNumber = inv.value.trim().toUpperCase();
            if (!invNumber && !amt.value.trim()) continue;
            if (!invNumber) { formError.textContent = 'Name the invoice for this amount, or remove the row.'; inv.setAttribute('aria-invalid', 'true'); inv.focus(); return; }
            const value = amt.value.trim() === '' ? null : parseAmount(amt.value);
            if (amt.value.trim() !== '' && (value === null || value <= 0)) {
              formError.textContent = `The amount for invoice ${invNumber} is not a positive amount: type digits with a decimal point or comma, e.g. 250.00.`;
              amt.setAttribute('aria-invalid', 'true');
              amt.focus();
              return;
            }
            parts.push(value === null ? invNumber : `${invNumber}=${fromCents(toCents(value)).toFixed(2)}`);
          }
          const save = form.querySelector('button[type=submit]');
          save.disabled = true;
          const ok = await review(line, li, 'applyToInvoices', { customerNumber: number, invoices: parts.join(',') }, formError);
          save.disabled = false;
          // On success the card was drawn again without the form; on a refusal everything typed stays.
          if (!ok && formError.isConnected) {
            const lower = formError.textContent.toLowerCase();
            const named = [...form.querySelectorAll('input')].find(i => i.value.trim() && lower.includes(i.value.trim().toLowerCase()));
            if (named) { named.setAttribute('aria-invalid', 'true'); named.focus(); }
          }
        },
      },
    },
    h('div.field', {}, h('label', { for: customer.id, text: 'Customer' }), customer),
    h('fieldset', {}, h('legend', { text: 'Invoices and amounts' }), rows, addButton, left),
    formError,
    h('div.buttons', {},
      h('button.primary', { type: 'submit', text: 'Apply' }),
      h('button', { type: 'button', text: 'Cancel', on: { click: close } })));
    error.textContent = '';
    slot.replaceChildren(form);
    customer.focus();
  }

  async function searchCustomers(text, s) {
    const t = text.replace(/\s+/g, ' ');
    const filter = t ? `startswith(number,${literal(t.toUpperCase())}) or contains(tolower(displayName),${literal(t.toLowerCase())})` : undefined;
    const { rows } = await page(api.customers(company) + query({ $filter: filter, $select: 'number,displayName,blocked', $orderby: 'number', $top: 10 }), { signal: s });
    return rows.map(c => ({ label: c.number, detail: c.displayName + (c.blocked === 'All' ? ' (blocked)' : '') }));
  }

  async function searchInvoices(text, customerNumber, s) {
    const parts = ['remainingAmount gt 0', "status eq 'Open'"];
    if (customerNumber) parts.push(`customerNumber eq ${literal(customerNumber.toUpperCase())}`);
    if (text) parts.push(`startswith(number,${literal(text.toUpperCase())})`);
    const { rows } = await page(api.salesInvoices(company) + query({
      $filter: parts.join(' and '), $select: 'number,customerNumber,customerName,dueDate,remainingAmount', $orderby: 'number', $top: 20,
    }), { signal: s });
    return rows.map(i => ({
      label: i.number, remaining: i.remainingAmount, customer: i.customerNumber,
      detail: `${customerNumber ? '' : i.customerName + ' · '}due ${formatDate(i.dueDate)} · remaining ${formatAmount(i.remainingAmount)}`,
    }));
  }

  // ---- transfer ----

  async function countWith(status) {
    return Number(await get(api.statementLinesCount(company, statementId) + query({ $filter: `status eq '${status}'` })));
  }

  async function transfer() {
    let accepted;
    try {
      accepted = await countWith('Accepted');
      journals = (await page(api.journals(company) + query({ $select: 'id,code,displayName', $orderby: 'code' }), { maxPageSize: 500 })).rows;
      for (const j of journals) journalById.set(j.id, j);
    } catch (err) { announce(err.message); return; }
    const done = await modal('Transfer to a journal', close => {
      const select = h('select', { id: 'transfer-journal', required: true },
        ...journals.map(j => h('option', { value: j.id, text: j.displayName ? `${j.code} ${j.displayName}` : j.code })));
      const error = h('p.field-error', { role: 'alert' });
      return h('form', {
        on: {
          submit: async e => {
            e.preventDefault();
            error.textContent = '';
            const button = e.target.querySelector('button[type=submit]');
            button.disabled = true;
            try {
              const before = await countWith('Transferred');
              await post(api.transferStatement(company, statementId), { journalId: select.value }, { etag: statement['@odata.etag'] });
              const after = await countWith('Transferred');
              close({ journal: journalById.get(select.value), moved: after - before });
            } catch (err) {
              error.textContent = err.message;
              if (err.isConflict && err.status === 412) {
                // A newer version of the statement: read it again, so that Transfer asks with its current ETag.
                error.textContent = 'The statement changed meanwhile; its lines are shown as they are now. Check them and transfer again.';
                try { statement = await get(api.statement(company, statementId)); } catch { /* the next try says so */ }
                show(current);
                showCounts();
              }
              button.disabled = false;
            }
          },
        },
      },
      h('p', { text: accepted ? `${formatCount(accepted)} accepted ${accepted === 1 ? 'line becomes a payment line' : 'lines become payment lines'} of the journal, each applied to its invoices.`
        : 'No line is accepted yet: accept proposals or apply lines by hand first.' }),
      h('div.field', {}, h('label', { for: 'transfer-journal', text: 'Customer payment journal' }), select),
      journals.length ? null : h('p', { text: 'There is no customer payment journal yet: create one on the Payment journals screen first.' }),
      error,
      h('div.buttons', {},
        h('button.primary', { type: 'submit', text: 'Transfer', disabled: journals.length === 0 }),
        h('button', { type: 'button', text: 'Cancel', on: { click: () => close(undefined) } })));
    });
    if (!done) return;
    try { statement = await get(api.statement(company, statementId)); } catch { /* the old ETag only costs a 412 later */ }
    const back = accepted - done.moved;
    const words = `${formatCount(done.moved)} ${done.moved === 1 ? 'line' : 'lines'} transferred to journal ${done.journal.code}.` +
      (back > 0 ? ` ${formatCount(back)} ${back === 1 ? 'line was' : 'lines were'} reopened: an invoice was paid meanwhile; see its note.` : '');
    transferResult.replaceChildren(h('p', {}, words, ' ',
      h('a.button', { href: `#/companies/${company}/journals/${done.journal.id}`, text: `Open journal ${done.journal.code}` })));
    announce(words);
    await Promise.all([show(current), showCounts()]);
    transferResult.querySelector('a')?.focus();
  }

  await Promise.all([show(0), showCounts()]);
  return { leave: () => controller.abort() };
}
