// The journal worksheet: a virtual grid over the journal's lines, read a page at a time from the server; keyboard
// navigation, inline editing with lookups, totals, conflicts on a newer version, and Post.
import { api, query, literal } from '../routes.js';
import { get, page, toPage, post, patch, del } from '../api.js';
import { h, setCrumbs, announce, confirmDialog, modal } from '../ui.js';
import { formatAmount, formatCount, formatDate, parseAmount, toCents, fromCents } from '../format.js';
import { companyName, crumbsFor, journalTotalCents, AutoTotalLines } from '../context.js';
import { attachLookup } from '../lookup.js';
import { early } from '../early.js';

export const pattern = /^\/companies\/(?<company>[0-9a-fA-F-]{36})\/journals\/(?<journal>[0-9a-fA-F-]{36})$/;

const RowHeight = 36; // the CSS --row-h
const PageSize = 100;
const Expand = 'customer($select=displayName),dimensionSetLines($select=code,valueCode)';
// A line's invoices when it settles several: served by the posting group's customerPayments.
const Applications = 'applications($select=invoiceNumber,amount)';

const columns = [
  { key: 'status', label: 'Status', width: '5.5rem', readOnly: true },
  { key: 'lineNumber', label: 'Line no.', width: '6rem', readOnly: true, num: true },
  { key: 'postingDate', label: 'Posting date', width: '9.5rem', type: 'date' },
  { key: 'documentNumber', label: 'Document no.', width: '9rem', max: 20 },
  { key: 'customerNumber', label: 'Customer no.', width: '9.5rem', lookup: 'customer', max: 20 },
  { key: 'customerName', label: 'Customer name', width: '12rem', readOnly: true },
  { key: 'description', label: 'Description', width: '13rem', max: 50 },
  { key: 'amount', label: 'Amount', width: '9rem', type: 'amount', num: true },
  { key: 'appliesToInvoiceNumber', label: 'Applied invoice', width: '10rem', lookup: 'invoice', max: 20 },
  { key: 'externalDocumentNumber', label: 'External doc. no.', width: '11rem', max: 20 },
  { key: 'dimensions', label: 'Dimensions', width: '15rem', dims: true },
];
const template = columns.map(c => c.width).join(' ');
const firstEditable = columns.findIndex(c => !c.readOnly);

/** The text a cell shows for a line. */
function display(row, col) {
  switch (col.key) {
    case 'status': return '';
    case 'postingDate': return formatDate(row.postingDate);
    case 'amount': return formatAmount(row.amount);
    case 'customerName': return row.customer?.displayName ?? '';
    case 'dimensions': return (row.dimensionSetLines ?? []).map(d => `${d.code}: ${d.valueCode}`).join(', ');
    case 'appliesToInvoiceNumber': return row.appliesToInvoiceNumber || appliedList(row);
    default: return row[col.key] ?? '';
  }
}

/** A line settling several invoices (its applications): their numbers and how many, e.g. "103003, 103008 (2)". */
function appliedList(row) {
  const apps = row._applications ?? [];
  return apps.length ? `${apps.map(a => a.invoiceNumber).join(', ')} (${apps.length})` : '';
}

/** Each applied invoice with its amount, for the cell's tooltip and description. */
function appliedDetail(row) {
  const apps = row._applications ?? [];
  if (!apps.length) return '';
  return 'Applied to ' + apps.map(a => `invoice ${a.invoiceNumber}: ${a.amount ? formatAmount(a.amount) : 'what is left of the payment, oldest first'}`).join('; ');
}

/** The text an editor starts with: dates ISO (the date input), amounts without grouping. */
function editText(row, col) {
  if (col.type === 'amount') return row.amount === 0 ? '' : String(row.amount);
  if (col.type === 'date') return row.postingDate?.startsWith('0001-') ? '' : row.postingDate ?? '';
  // A line with several invoices starts empty: one invoice typed replaces them.
  if (col.key === 'appliesToInvoiceNumber') return row.appliesToInvoiceNumber ?? '';
  return display(row, col);
}

export async function render(main, { company, journal: journalId }) {
  const controller = new AbortController();
  const paymentsUrl = api.payments(company, journalId);
  const paymentUrl = id => api.payment(company, journalId, id);
  const pageUrl = p => paymentsUrl + query({ $orderby: 'lineNumber', $skip: p * PageSize, $top: PageSize, $expand: Expand });
  const readPage = p => page(pageUrl(p), { signal: controller.signal });
  // Counting a large journal takes longer than reading a page: the count is a request of its own, and the first rows
  // show without waiting for it.
  const countUrl = api.paymentsCount(company, journalId);
  const readCount = () => get(countUrl, { signal: controller.signal }).then(Number);
  // The first page and the count are asked for at once, alongside the company and the journal, not after them (or
  // were asked for already, before the screens had loaded).
  let firstPage = early(pageUrl(0), () => get(pageUrl(0), { signal: controller.signal })).then(toPage);
  firstPage.catch(() => {});
  let firstCount = early(countUrl, () => get(countUrl, { signal: controller.signal })).then(Number);
  firstCount.catch(() => {});
  // The first page's applications are asked for with the page, for the same window of lines, not after it.
  const firstAppsUrl = api.postingPayments(company, journalId)
    + query({ $orderby: 'lineNumber', $skip: 0, $top: PageSize, $select: 'id', $expand: Applications });
  let firstApps = early(firstAppsUrl, () => get(firstAppsUrl, { signal: controller.signal })).then(toPage);
  firstApps.catch(() => {});
  let name, journal;
  try {
    const journalUrl = api.journal(company, journalId);
    [name, journal] = await Promise.all([companyName(company), early(journalUrl, () => get(journalUrl))]);
  } catch (err) {
    controller.abort();
    throw err;
  }
  setCrumbs([...crumbsFor(company, name), { label: journal.code }]);

  // State: the line count, pages of lines by index, the active cell, the editor, problems found by Post.
  let count = 0;
  let counting = false;
  let totalCents = null;
  const pages = new Map();
  const rendered = new Map();
  const active = { r: 0, c: firstEditable };
  let editor = null;
  const postErrors = new Map();
  let fetchTimer = 0;

  const heading = h('h1', { id: 'ws-title', text: `Journal ${journal.code}` });
  const totals = h('p.totals', { id: 'ws-totals' });
  const problems = h('div.problems', { role: 'alert', hidden: true });
  const head = h('div.grid-row.grid-head', { role: 'row', 'aria-rowindex': '1', style: `grid-template-columns:${template}` },
    ...columns.map((c, i) => h('div.cell', { role: 'columnheader', 'aria-colindex': String(i + 1), class: c.num ? 'cell num' : 'cell', text: c.label })));
  const canvas = h('div.grid-canvas', { role: 'rowgroup' });
  const bubble = h('div.cell-error', { id: 'ws-cell-error', role: 'alert', hidden: true });
  const table = h('div', {
    role: 'grid', 'aria-labelledby': 'ws-title', 'aria-describedby': 'ws-help', 'aria-colcount': String(columns.length),
  }, h('div', { role: 'rowgroup', class: 'grid-head-group' }, head), canvas);
  // The scroller holds the grid and, beside it, the error bubble and the empty note (not rows, so not in the grid).
  const grid = h('div.grid', {}, table, bubble);
  const empty = h('p.empty', { text: 'No lines yet: add one with New line.' });
  const help = h('p.hint', { id: 'ws-help', text: 'Arrow keys move between cells; Enter, F2 or typing edits a cell; Enter saves, Escape cancels, Tab saves and moves on.' });
  main.append(
    h('div.title-row', {}, heading,
      h('div.toolbar', {},
        h('button', { type: 'button', text: 'New line', on: { click: addLine } }),
        h('button', { type: 'button', text: 'Delete line', on: { click: deleteLine } }),
        h('button', { type: 'button', text: 'Reload', on: { click: () => reload() } }),
        h('button.primary', { type: 'button', text: 'Post', on: { click: postJournal } }))),
    h('p.muted', { text: `${journal.displayName || journal.code} · balancing account ${journal.balancingAccountNumber || '(none)'}` }),
    problems, help, grid, totals);

  grid.addEventListener('scroll', () => requestAnimationFrame(renderRows), { passive: true });
  grid.addEventListener('keydown', onKey);
  grid.addEventListener('mousedown', e => {
    const cell = e.target.closest?.('[role=gridcell]');
    if (!cell || editor?.cell === cell) return;
    setActive(Number(cell.parentElement.dataset.index), Number(cell.dataset.col));
  });
  grid.addEventListener('dblclick', e => { if (e.target.closest?.('[role=gridcell]')) startEdit(); });
  const resize = () => renderRows();
  window.addEventListener('resize', resize);

  // ---- data ----

  const rowAt = i => pages.get(Math.floor(i / PageSize))?.rows?.[i % PageSize];

  async function loadPage(p) {
    if (pages.has(p)) return pages.get(p).promise;
    const entry = {};
    pages.set(p, entry);
    // The first read of page 0 takes the answer asked for on opening.
    const read = p === 0 && firstPage ? firstPage : readPage(p);
    const apps = p === 0 && read === firstPage ? firstApps : null;
    if (p === 0) firstPage = firstApps = null;
    entry.promise = read.then(r => {
      if (p === 0) performance.mark('worksheet: first page in');
      entry.rows = r.rows;
      for (let i = 0; i < r.rows.length; i++) refreshRow(p * PageSize + i);
      loadApplications(p, r.rows, apps);
    }, err => {
      pages.delete(p);
      if (err?.name !== 'AbortError') announce(`Lines could not be loaded: ${err.message}`);
    });
    return entry.promise;
  }

  /**
   * The invoices of a page's lines that name none in appliesToInvoiceNumber (they may settle several): one request
   * for the page, to the posting group, which serves a line's applications. The rows show before it answers. The
   * first page's request went with the page (asked); another page's asks for the line numbers the page holds.
   */
  async function loadApplications(p, rows, asked) {
    const open = rows.filter(r => r && !r.appliesToInvoiceNumber && r.customerNumber).map(r => r.lineNumber);
    if (!open.length) return;
    try {
      const { rows: found } = await (asked ?? page(api.postingPayments(company, journalId) + query({
        $filter: `lineNumber ge ${Math.min(...open)} and lineNumber le ${Math.max(...open)} and appliesToInvoiceNumber eq ''`,
        $select: 'id', $expand: Applications, $orderby: 'lineNumber', $top: PageSize,
      }), { signal: controller.signal }));
      const byId = new Map(found.map(x => [x.id, x.applications ?? []]));
      rows.forEach((r, i) => {
        if (!r || r.appliesToInvoiceNumber || !byId.has(r.id)) return;
        r._applications = byId.get(r.id);
        if (r._applications.length) refreshRow(p * PageSize + i);
      });
    } catch (err) {
      if (err?.name !== 'AbortError') announce(`The applied invoices could not be loaded: ${err.message}`);
    }
  }

  /** A line's applications, read again after a change that may have removed some. */
  async function readApplications(row) {
    if (row.appliesToInvoiceNumber || !row.customerNumber) return [];
    const { rows } = await page(api.paymentApplications(company, journalId, row.id) + query({ $select: 'invoiceNumber,amount' }));
    return rows;
  }

  /** The number of lines; provisional while the count is still on its way (the rows read so far). */
  function setCount(n, provisional = false) {
    count = n;
    counting = provisional;
    // -1: the number of rows is not known yet.
    table.setAttribute('aria-rowcount', provisional ? '-1' : String(n + 1));
    canvas.style.height = `${n * RowHeight}px`;
    showTotals();
  }

  function showTotals() {
    const amount = totalCents === null ? null : formatAmount(fromCents(totalCents));
    totals.replaceChildren(`Lines: ${counting ? 'counting…' : formatCount(count)} · Total amount: `);
    if (amount !== null) totals.append(h('strong', { id: 'ws-total', text: amount }));
    else totals.append(h('button.link', { type: 'button', text: 'Sum the amounts', on: { click: sumTotal } }));
  }

  async function sumTotal() {
    totals.querySelector('button')?.replaceWith('…');
    try { totalCents = await journalTotalCents(company, journalId, controller.signal); } catch (err) { if (err?.name !== 'AbortError') announce(err.message); }
    showTotals();
  }

  async function reload(keepActive = true) {
    pages.clear();
    for (const el of rendered.values()) el.remove();
    rendered.clear();
    if (!keepActive) { active.r = 0; active.c = firstEditable; }
    const counted = firstCount ?? readCount();
    firstCount = null;
    counted.catch(() => {});
    await loadPage(0);
    totalCents = null;
    // The rows read so far are shown at once; the scroll range follows when the count arrives.
    const loaded = pages.get(0)?.rows?.length ?? 0;
    if (loaded > count || !keepActive) { setCount(loaded, true); renderRows(); performance.mark('worksheet: first rows placed'); }
    try { setCount(await counted); } catch (err) { if (err?.name === 'AbortError') throw err; announce(`The lines could not be counted: ${err.message}`); }
    if (count <= AutoTotalLines) await sumTotal(); else showTotals();
    if (count > 0 && active.r >= count) active.r = count - 1;
    renderRows();
  }

  // ---- rendering (only the rows in view, and the active one) ----

  function renderRows() {
    if (!grid.isConnected) return;
    const first = Math.max(0, Math.floor(grid.scrollTop / RowHeight) - 5);
    const last = Math.min(count - 1, first + Math.ceil(grid.clientHeight / RowHeight) + 10);
    for (const [i, el] of rendered) {
      if ((i < first || i > last) && i !== active.r) { el.remove(); rendered.delete(i); }
    }
    const missing = new Set();
    for (let i = first; i <= last; i++) {
      if (!rendered.has(i)) { const el = makeRow(i); canvas.append(el); rendered.set(i, el); }
      if (!rowAt(i)) missing.add(Math.floor(i / PageSize));
    }
    if (count > 0 && !rendered.has(active.r)) { const el = makeRow(active.r); canvas.append(el); rendered.set(active.r, el); }
    // While scrolling fast, pages are fetched once the view settles.
    if (missing.size) {
      clearTimeout(fetchTimer);
      fetchTimer = setTimeout(() => { for (const p of missing) loadPage(p); }, pages.size === 0 ? 0 : 80);
    }
    placeBubble();
  }

  function makeRow(i) {
    const row = rowAt(i);
    const el = h('div.grid-row', {
      role: 'row', 'aria-rowindex': String(i + 2), style: `top:${i * RowHeight}px;grid-template-columns:${template}`,
    });
    el.dataset.index = String(i);
    const problem = row && (row._error?.message ?? postErrors.get(row.lineNumber));
    if (row) {
      el.dataset.line = String(row.lineNumber);
      if (problem) el.classList.add('has-error');
    } else el.classList.add('loading');
    columns.forEach((col, c) => {
      const cell = h('div.cell', { role: 'gridcell', 'aria-colindex': String(c + 1), tabIndex: i === active.r && c === active.c ? 0 : -1 });
      cell.dataset.col = String(c);
      cell.dataset.key = col.key;
      if (col.num) cell.classList.add('num');
      if (col.readOnly) cell.setAttribute('aria-readonly', 'true');
      if (!row) cell.textContent = c === 1 ? '…' : '';
      else if (col.key === 'status') {
        if (problem) cell.append(h('span.mark', { 'aria-hidden': 'true', text: '!' }), h('span.sr-only', { text: `Problem: ${problem}` }));
        else if (row._saving) cell.append(h('span.muted', { text: 'saving' }));
        if (problem) cell.title = problem;
      } else {
        const draft = row._drafts?.[col.key];
        cell.textContent = draft ?? display(row, col);
        if (draft === undefined && col.key === 'appliesToInvoiceNumber' && appliedDetail(row) && !row.appliesToInvoiceNumber) cell.title = appliedDetail(row);
        if (draft !== undefined) { cell.classList.add('invalid'); cell.setAttribute('aria-invalid', 'true'); cell.setAttribute('aria-describedby', 'ws-cell-error'); }
      }
      el.append(cell);
    });
    return el;
  }

  function refreshRow(i) {
    const old = rendered.get(i);
    if (!old) return;
    if (editor && editor.r === i) return;
    const hadFocus = old.contains(document.activeElement);
    const el = makeRow(i);
    old.replaceWith(el);
    rendered.set(i, el);
    if (hadFocus) focusActive();
    placeBubble();
  }

  const cellAt = (r, c) => rendered.get(r)?.children[c];

  function focusActive() {
    const cell = cellAt(active.r, active.c);
    if (cell) { cell.tabIndex = 0; cell.focus({ preventScroll: true }); }
  }

  /** The error bubble sits under the active cell when that line has a refusal to show. */
  function placeBubble() {
    const row = rowAt(active.r);
    const message = row && (row._error?.message ?? postErrors.get(row.lineNumber));
    if (!message) { bubble.hidden = true; return; }
    const cell = cellAt(active.r, columns.findIndex(c => c.key === (row._error?.key ?? 'status')) ) ?? cellAt(active.r, active.c);
    bubble.textContent = `Line ${row.lineNumber}: ${message}`;
    bubble.hidden = false;
    bubble.style.top = `${(active.r + 2) * RowHeight}px`;
    bubble.style.left = `${cell ? cell.offsetLeft : 0}px`;
  }

  function setActive(r, c, focus = true) {
    r = Math.max(0, Math.min(count - 1, r));
    c = Math.max(0, Math.min(columns.length - 1, c));
    const old = cellAt(active.r, active.c);
    if (old) old.tabIndex = -1;
    const oldRow = active.r;
    active.r = r;
    active.c = c;
    // Into view: the header row is sticky, so a row's top must clear it.
    const top = r * RowHeight;
    if (top < grid.scrollTop) grid.scrollTop = top;
    else if (top + 2 * RowHeight > grid.scrollTop + grid.clientHeight) grid.scrollTop = top + 2 * RowHeight - grid.clientHeight;
    renderRows();
    if (oldRow !== r && rendered.has(oldRow) && (oldRow < Math.floor(grid.scrollTop / RowHeight) - 5)) { rendered.get(oldRow).remove(); rendered.delete(oldRow); }
    const cell = cellAt(r, c);
    if (cell) cell.tabIndex = 0;
    if (focus) focusActive();
    placeBubble();
  }

  // ---- keyboard ----

  function onKey(e) {
    if (editor) return;
    const visible = Math.max(1, Math.floor(grid.clientHeight / RowHeight) - 2);
    const moves = {
      ArrowDown: [1, 0], ArrowUp: [-1, 0], ArrowRight: [0, 1], ArrowLeft: [0, -1], PageDown: [visible, 0], PageUp: [-visible, 0],
    };
    if (moves[e.key]) { e.preventDefault(); setActive(active.r + moves[e.key][0], active.c + moves[e.key][1]); return; }
    if (e.key === 'Home') { e.preventDefault(); setActive(e.ctrlKey ? 0 : active.r, 0); return; }
    if (e.key === 'End') { e.preventDefault(); setActive(e.ctrlKey ? count - 1 : active.r, columns.length - 1); return; }
    if (e.key === 'Enter' || e.key === 'F2') { e.preventDefault(); startEdit(); return; }
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey && e.key !== ' ') { e.preventDefault(); startEdit(e.key); }
  }

  // ---- editing ----

  function startEdit(typed) {
    const col = columns[active.c];
    const row = rowAt(active.r);
    if (!row || col.readOnly) return;
    if (col.dims) { editDimensions(row, active.r); return; }
    const cell = cellAt(active.r, active.c);
    if (!cell) return;
    const r = active.r;
    const draft = row._drafts?.[col.key];
    const input = h('input.editor', {
      type: col.type === 'date' ? 'date' : 'text', maxLength: col.max, autocomplete: 'off', spellcheck: false,
      'aria-label': `${col.label}, line ${row.lineNumber}`, 'aria-describedby': 'ws-cell-error',
    });
    if (col.type === 'amount') input.inputMode = 'decimal';
    input.value = typed ?? draft ?? editText(row, col);
    cell.replaceChildren(input);
    cell.classList.add('editing');
    editor = { r, c: active.c, col, row, cell, input, lookup: null, done: false };
    if (col.lookup === 'customer') editor.lookup = attachLookup(input, { name: 'Customers', search: searchCustomers, pick: o => finish(o.label, { customerNumber: o.label }, { customer: { displayName: o.name } }) });
    if (col.lookup === 'invoice') editor.lookup = attachLookup(input, { name: 'Open invoices', search: text => searchInvoices(text, editor?.row), pick: o => pickInvoice(o) });
    input.focus();
    if (typed === undefined) input.select();
    input.addEventListener('keydown', e => {
      if (editor?.lookup?.handleKey(e)) { e.preventDefault(); e.stopPropagation(); return; }
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); cancelEdit(); }
      else if (e.key === 'Enter') { e.preventDefault(); e.stopPropagation(); commitTyped(); }
      else if (e.key === 'Tab') { e.preventDefault(); e.stopPropagation(); commitTyped(e.shiftKey ? -1 : 1); }
    });
    input.addEventListener('blur', () => { if (editor?.input === input && !editor.done) commitTyped(0, false); });
  }

  function endEdit(refocus = true) {
    if (!editor) return;
    editor.done = true;
    editor.lookup?.close();
    const { r } = editor;
    editor = null;
    refreshRow(r);
    if (refocus) focusActive();
  }

  function cancelEdit() {
    const row = editor.row;
    // Escape drops the typed value and the refusal it met.
    if (row._drafts) delete row._drafts[editor.col.key];
    if (row._error?.key === editor.col.key) row._error = null;
    endEdit();
    placeBubble();
  }

  /** Reads what was typed into the field's value; a value the app can tell is wrong stays in the cell with the reason. */
  function commitTyped(move = 0, refocus = true) {
    const { col, row, input } = editor;
    const text = input.value;
    let value = text.trim();
    if (col.type === 'amount') {
      value = parseAmount(text);
      if (value === null && text.trim() !== '') return refuse(row, col.key, text, 'This is not an amount: type digits with a decimal point or comma, e.g. -250.00.', refocus);
      value ??= 0;
      if (value === row.amount && row._drafts?.amount === undefined) { endEdit(refocus); return moveAfter(move); }
    } else if (col.type === 'date') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return refuse(row, col.key, text, 'Enter a complete date.', refocus);
      if (value === row.postingDate && row._drafts?.postingDate === undefined) { endEdit(refocus); return moveAfter(move); }
    } else if (col.lookup === 'customer' && value !== '') {
      const exact = editor.lookup?.exact(value);
      if (exact) { finish(exact.label, { customerNumber: exact.label }, { customer: { displayName: exact.name } }, move, refocus); return; }
    } else if (col.lookup === 'invoice' && value !== '') {
      const exact = editor.lookup?.exact(value);
      if (exact) { pickInvoice(exact, move, refocus); return; }
    }
    if (col.type !== 'amount' && col.type !== 'date' && value === (row[col.key] ?? '') && row._drafts?.[col.key] === undefined) { endEdit(refocus); return moveAfter(move); }
    finish(text, { [col.key]: value }, null, move, refocus);
  }

  function moveAfter(move) {
    if (move) setActive(active.r, active.c + move);
  }

  function refuse(row, key, text, message, refocus) {
    (row._drafts ??= {})[key] = text;
    row._error = { key, message };
    endEdit(refocus);
    placeBubble();
    announce(message);
  }

  function pickInvoice(o, move = 0, refocus = true) {
    const row = editor.row;
    const body = { appliesToInvoiceNumber: o.label };
    // An empty amount takes the invoice's remaining amount (a receipt is negative).
    if (!row.amount) body.amount = -o.remaining;
    if (!row.customerNumber) body.customerNumber = o.customer;
    finish(o.label, body, null, move, refocus);
  }

  /** Ends the edit showing what was typed, and saves it; extra is merged into the line when the save succeeds. */
  function finish(text, body, extra, move = 0, refocus = true) {
    const { row, col, r } = editor;
    (row._drafts ??= {})[col.key] = text;
    row._pending = (row._pending ?? 0) + 1;
    endEdit(refocus);
    moveAfter(move);
    save(row, r, col.key, body, extra);
  }

  async function save(row, r, key, body, extra) {
    // One save at a time per line, each with the line's latest ETag.
    row._queue = (row._queue ?? Promise.resolve()).then(async () => {
      row._saving = true;
      refreshRow(r);
      try {
        const updated = await patch(paymentUrl(row.id), body, row['@odata.etag']);
        const before = toCents(row.amount);
        Object.assign(row, updated, extra ?? {});
        if (body.customerNumber !== undefined && !extra) row.customer = await customerName(row.customerNumber);
        // One invoice named replaces the line's applications; another customer keeps only that customer's.
        if (row.appliesToInvoiceNumber) delete row._applications;
        else if (body.customerNumber !== undefined && row._applications?.length) row._applications = await readApplications(row).catch(() => row._applications);
        if (row._drafts) delete row._drafts[key];
        if (row._error?.key === key) row._error = null;
        postErrors.delete(row.lineNumber);
        if (totalCents !== null) { totalCents += toCents(row.amount) - before; showTotals(); }
        announce(`Line ${row.lineNumber} saved.`);
      } catch (err) {
        if (err.isConflict) await conflict(row, r, key, body, extra);
        else {
          row._error = { key, message: err.message };
          announce(`Line ${row.lineNumber} not saved: ${err.message}`);
        }
      } finally {
        row._saving = false;
        row._pending -= 1;
        refreshRow(r);
        placeBubble();
      }
    });
    return row._queue;
  }

  async function customerName(number) {
    if (!number) return null;
    const { rows } = await page(api.customers(company) + query({ $filter: `number eq ${literal(number)}`, $select: 'displayName', $top: 1 }));
    return rows[0] ?? null;
  }

  /** A newer version of the line: show what changed, and let the user reload it or apply the change to it. */
  async function conflict(row, r, key, body, extra) {
    let current = null;
    try {
      current = await get(paymentUrl(row.id) + query({ $expand: Expand }));
      current._applications = await readApplications(current);
    } catch (err) {
      row._error = { key, message: err.status === 404 ? 'Not saved: this line was deleted by someone else. Reload the journal.' : err.message };
      return;
    }
    const fields = columns.filter(c => !['status', 'lineNumber'].includes(c.key));
    const changed = fields.filter(c => display(row, c) !== display(current, c));
    const mine = Object.entries(body).map(([k, v]) => `${columns.find(c => c.key === k)?.label ?? k}: ${k === 'amount' ? formatAmount(v) : v}`).join(', ');
    const choice = await modal(`Line ${row.lineNumber} was changed by someone else`, close => h('div', {},
      h('p', { text: `Your change (${mine}) was not saved, because the line changed after you loaded it:` }),
      h('table.list.compact', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Field' }), h('th', { scope: 'col', text: 'When you loaded it' }), h('th', { scope: 'col', text: 'Now' }))),
        h('tbody', {}, ...changed.map(c => h('tr', {},
          h('th', { scope: 'row', text: c.label }), h('td', { text: display(row, c) || '(empty)' }), h('td', { text: display(current, c) || '(empty)' }))))),
      changed.length ? null : h('p', { text: 'No field you can see changed (a field behind the line did).' }),
      h('div.buttons', {},
        h('button.primary', { type: 'button', text: 'Reload the line', on: { click: () => close('reload') } }),
        h('button', { type: 'button', text: 'Apply my change to the new version', on: { click: () => close('apply') } }),
        h('button', { type: 'button', text: 'Decide later', on: { click: () => close(undefined) } }))), { wide: true });
    const drafts = row._drafts;
    if (choice === 'reload') {
      const before = toCents(row.amount);
      for (const k of Object.keys(row)) if (!k.startsWith('_')) delete row[k];
      Object.assign(row, current);
      row._drafts = {};
      row._error = null;
      if (totalCents !== null) { totalCents += toCents(row.amount) - before; showTotals(); }
      announce(`Line ${row.lineNumber} reloaded.`);
    } else if (choice === 'apply') {
      const before = toCents(row.amount);
      const keepDrafts = drafts;
      for (const k of Object.keys(row)) if (!k.startsWith('_')) delete row[k];
      Object.assign(row, current);
      row._drafts = keepDrafts;
      if (totalCents !== null) { totalCents += toCents(row.amount) - before; showTotals(); }
      row._pending += 1;
      save(row, r, key, body, extra).finally(() => { });
    } else {
      row._error = { key, message: 'Not saved: someone else changed this line. Edit the cell again to reload or apply your change.' };
    }
  }

  // ---- lookups ----

  async function searchCustomers(text, signal) {
    const t = text.replace(/\s+/g, ' ');
    const filter = t ? `startswith(number,${literal(t.toUpperCase())}) or contains(tolower(displayName),${literal(t.toLowerCase())})` : undefined;
    const { rows } = await page(api.customers(company) + query({ $filter: filter, $select: 'number,displayName,blocked', $orderby: 'number', $top: 10 }), { signal });
    return rows.map(c => ({ label: c.number, name: c.displayName, detail: c.displayName + (c.blocked === 'All' ? ' (blocked)' : '') }));
  }

  async function searchInvoices(text, row) {
    const parts = ['remainingAmount gt 0'];
    if (row?.customerNumber) parts.push(`customerNumber eq ${literal(row.customerNumber)}`);
    if (text) parts.push(`startswith(number,${literal(text.toUpperCase())})`);
    const { rows } = await page(api.salesInvoices(company) + query({
      $filter: parts.join(' and '), $select: 'number,customerNumber,customerName,dueDate,remainingAmount', $orderby: 'number', $top: 20,
    }));
    return rows.map(i => ({
      label: i.number, remaining: i.remainingAmount, customer: i.customerNumber,
      detail: `${row?.customerNumber ? '' : i.customerName + ' · '}due ${formatDate(i.dueDate)} · remaining ${formatAmount(i.remainingAmount)}`,
    }));
  }

  // ---- dimensions ----

  async function editDimensions(row, r) {
    let dims;
    try {
      ({ rows: dims } = await page(api.dimensions(company) + query({ $expand: 'dimensionValues($select=id,code,displayName)', $select: 'id,code,displayName', $orderby: 'code' })));
    } catch (err) { announce(err.message); return; }
    const currentLines = await page(api.paymentDimensions(company, journalId, row.id)).then(p => p.rows, () => []);
    const now = new Map(currentLines.map(d => [d.id, d]));
    const result = await modal(`Dimensions of line ${row.lineNumber}`, close => {
      const selects = dims.map(d => {
        const id = `dim-${d.id}`;
        const select = h('select', { id },
          h('option', { value: '', text: '(none)' }),
          ...(d.dimensionValues ?? []).map(v => h('option', { value: v.code, text: `${v.code} ${v.displayName}`, selected: now.get(d.id)?.valueCode === v.code })));
        return { d, select, row: h('div.field', {}, h('label', { for: id, text: d.displayName || d.code }), select) };
      });
      const error = h('p.field-error', { role: 'alert' });
      return h('form', {
        on: {
          submit: async e => {
            e.preventDefault();
            error.textContent = '';
            try {
              // One request per changed dimension, in order; a refusal stops there and says why.
              for (const { d, select } of selects) {
                const had = now.get(d.id);
                const want = select.value;
                if (had && !want) { await del(api.paymentDimension(company, journalId, row.id, d.id), had['@odata.etag']); now.delete(d.id); }
                else if (!had && want) now.set(d.id, await post(api.paymentDimensions(company, journalId, row.id), { id: d.id, valueCode: want }));
                else if (had && want && had.valueCode !== want) now.set(d.id, await patch(api.paymentDimension(company, journalId, row.id, d.id), { valueCode: want }, had['@odata.etag']));
              }
              close(true);
            } catch (err) { error.textContent = err.message; }
          },
        },
      }, ...selects.map(s => s.row), error,
      h('div.buttons', {}, h('button.primary', { type: 'submit', text: 'Save' }), h('button', { type: 'button', text: 'Cancel', on: { click: () => close(false) } })));
    });
    if (result) {
      try {
        const fresh = await get(paymentUrl(row.id) + query({ $expand: Expand }));
        Object.assign(row, fresh);
      } catch { /* the grid shows the last known line */ }
      refreshRow(r);
      announce(`Dimensions of line ${row.lineNumber} saved.`);
    }
  }

  // ---- lines ----

  async function addLine() {
    try {
      // A load still in flight would answer the count and rows it read before the new line and overwrite it.
      await Promise.all([...pages.values()].map(e => e.promise));
      const created = await post(paymentsUrl, {});
      created.customer = null;
      created.dimensionSetLines = [];
      // The new line comes last; its page is read first when it is not loaded (and then holds the line already).
      const p = Math.floor(count / PageSize);
      await loadPage(p);
      let i = findLoaded(r => r.id === created.id);
      if (i < 0) {
        i = count;
        const entry = pages.get(p);
        if (entry?.rows) entry.rows[i % PageSize] = created;
        else pages.set(p, { rows: Object.assign([], { [i % PageSize]: created }), promise: Promise.resolve() });
      }
      if (i >= count) setCount(i + 1);
      empty.remove();
      setActive(i, columns.findIndex(c => c.key === 'customerNumber'));
      announce(`Line ${created.lineNumber} added.`);
    } catch (err) { announce(`No line was added: ${err.message}`); }
  }

  /** The index of the first loaded line that matches, or -1. */
  function findLoaded(matches) {
    for (const [p, entry] of pages) {
      const i = entry.rows?.findIndex(r => r && matches(r)) ?? -1;
      if (i >= 0) return p * PageSize + i;
    }
    return -1;
  }

  async function deleteLine() {
    const row = rowAt(active.r);
    if (!row) return;
    if (!await confirmDialog(`Delete line ${row.lineNumber}?`, `Line ${row.lineNumber} (${row.customerNumber || 'no customer'}, ${formatAmount(row.amount)}) will be deleted.`, 'Delete')) return;
    try {
      await del(paymentUrl(row.id), row['@odata.etag']);
      announce(`Line ${row.lineNumber} deleted.`);
      await reload();
      setActive(active.r, active.c);
    } catch (err) {
      announce(err.isConflict ? `Line ${row.lineNumber} was changed by someone else and was not deleted; reload to see it.` : err.message);
    }
  }

  // ---- posting ----

  async function postJournal() {
    if (editor) commitTyped();
    const saving = [...pages.values()].flatMap(p => p.rows ?? []).filter(r => r?._pending > 0).map(r => r._queue);
    await Promise.all(saving);
    const totalText = totalCents === null ? '' : ` with a total of ${formatAmount(fromCents(totalCents))}`;
    if (!await confirmDialog(`Post journal ${journal.code}?`, `${formatCount(count)} lines${totalText} will be posted to the customer ledger and the general ledger. This cannot be undone.`, 'Post')) return;
    announce('Posting…');
    try {
      await post(api.postJournal(company, journalId), undefined);
      postErrors.clear();
      problems.hidden = true;
      announce(`Journal ${journal.code} posted.`);
      location.hash = `#/companies/${company}/ledger?journal=${encodeURIComponent(journal.code)}`;
    } catch (err) {
      postErrors.clear();
      for (const d of err.details ?? []) {
        const m = /^lineNumber=(\d+)$/.exec(d.target ?? '');
        if (m) postErrors.set(Number(m[1]), d.message.replace(/^Line \d+: /, '').replace(/\.$/, ''));
      }
      showProblems(err);
      for (const i of rendered.keys()) refreshRow(i);
      placeBubble();
    }
  }

  function showProblems(err) {
    problems.hidden = false;
    const items = [...postErrors.entries()];
    problems.replaceChildren(h('p', {}, h('strong', { text: items.length ? `Not posted: ${items.length} ${items.length === 1 ? 'line needs' : 'lines need'} a change.` : err.message })),
      items.length ? h('ul', {}, ...items.map(([line, reason]) => h('li', {},
        h('button.link', { type: 'button', text: `Line ${line}`, on: { click: () => goToLine(line) } }), `: ${reason}`))) : null);
  }

  async function goToLine(lineNumber) {
    const loaded = findLoaded(r => r.lineNumber === lineNumber);
    if (loaded >= 0) { setActive(loaded, active.c); return; }
    try {
      const before = await get(api.paymentsCount(company, journalId) + query({ $filter: `lineNumber lt ${lineNumber}` }));
      setActive(Number(before), active.c);
    } catch (err) { announce(err.message); }
  }

  await reload(false);
  if (count === 0) grid.append(empty);
  return {
    leave() {
      controller.abort();
      editor?.lookup?.close();
      clearTimeout(fetchTimer);
      window.removeEventListener('resize', resize);
    },
  };
}
