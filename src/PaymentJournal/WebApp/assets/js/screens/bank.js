// Bank statements of a company: upload a statement file (camt.053/054, MT940, CSV with a stored profile) and the
// imported statements, paged by the server, each with how many of its lines are open, accepted or transferred.
import { api, query } from '../routes.js';
import { get, page, post, batchGet, ApiError } from '../api.js';
import { h, setCrumbs, announce, errorBox } from '../ui.js';
import { formatAmount, formatCount, formatDate } from '../format.js';
import { companyName, crumbsFor } from '../context.js';

export const pattern = /^\/companies\/(?<company>[0-9a-fA-F-]{36})\/bank$/;

const PageSize = 20;
const Counted = ['Open', 'Accepted', 'Transferred'];

/** The file's bytes in base64, read in slices so a large file does not overflow the argument list. */
async function base64Of(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** XML (camt) and SWIFT MT940 are recognised by the service from their content; anything else is read as CSV. */
async function looksLikeCsv(file) {
  const start = (await file.slice(0, 512).text()).replace(/^\uFEFF/, '').trimStart();
  return !(start.startsWith('<') || start.startsWith(':20:') || start.startsWith('{1:'));
}

export async function render(main, { company }) {
  const name = await companyName(company);
  setCrumbs([...crumbsFor(company, name), { label: 'Bank statements' }]);

  // ---- upload ----
  const fileInput = h('input', { id: 'bank-file', type: 'file', accept: '.xml,.sta,.mt940,.txt,.csv,.053,.054', 'aria-describedby': 'bank-file-hint bank-upload-error' });
  const profileSelect = h('select', { id: 'bank-profile', 'aria-describedby': 'bank-upload-error' });
  const profileField = h('div.field', { hidden: true }, h('label', { for: 'bank-profile', text: 'CSV import profile' }), profileSelect);
  const uploadError = h('p.field-error', { id: 'bank-upload-error', role: 'alert' });
  const uploadButton = h('button.primary', { type: 'submit', text: 'Upload' });
  const result = h('p.upload-result', { role: 'status' });
  let profilesLoaded = false;

  fileInput.addEventListener('change', async () => {
    uploadError.textContent = '';
    fileInput.removeAttribute('aria-invalid');
    const file = fileInput.files?.[0];
    const csv = file ? await looksLikeCsv(file) : false;
    profileField.hidden = !csv;
    profileSelect.required = csv;
    if (csv && !profilesLoaded) await loadProfiles();
  });

  async function loadProfiles() {
    try {
      const { rows } = await page(api.csvProfiles(company) + query({ $select: 'code,accountIban', $orderby: 'code' }), { maxPageSize: 200 });
      profileSelect.replaceChildren(h('option', { value: '', text: rows.length ? 'Choose a profile' : 'No profile stored yet' }),
        ...rows.map(p => h('option', { value: p.code, text: p.accountIban ? `${p.code} (${p.accountIban})` : p.code })));
      if (rows.length === 1) profileSelect.value = rows[0].code;
      profilesLoaded = true;
    } catch (err) { uploadError.textContent = `The CSV import profiles could not be read: ${err.message}`; }
  }

  /** A duplicate names the earlier import: a link to the statements it made. */
  async function linkEarlier(message) {
    const id = /bank statement import ([0-9a-fA-F-]{36})/.exec(message)?.[1];
    if (!id) return;
    try {
      const earlier = await get(`${api.statementImports(company)}(${id})` + query({ $select: 'bankStatementIds' }));
      const ids = (earlier.bankStatementIds || '').split(',').filter(Boolean);
      uploadError.append(...ids.map((s, i) => [' ', h('a', { href: `#/companies/${company}/bank/${s}`, text: ids.length === 1 ? 'Open the earlier statement' : `Open earlier statement ${i + 1}` })]).flat());
    } catch { /* the words name the import already */ }
  }

  const form = h('form.upload', {
    'aria-labelledby': 'bank-upload-title',
    on: {
      submit: async e => {
        e.preventDefault();
        uploadError.textContent = '';
        result.replaceChildren();
        const file = fileInput.files?.[0];
        if (!file) { uploadError.textContent = 'Choose a statement file first.'; fileInput.focus(); return; }
        const csv = await looksLikeCsv(file);
        if (csv && !profileSelect.value) {
          if (!profilesLoaded) await loadProfiles();
          profileField.hidden = false;
          uploadError.textContent = 'This file is read as CSV: choose the import profile that describes its columns.';
          profileSelect.focus();
          return;
        }
        uploadButton.disabled = true;
        announce(`Uploading ${file.name}…`);
        try {
          const body = { fileName: file.name, content: await base64Of(file) };
          if (csv) body.csvProfile = profileSelect.value;
          const imported = await post(api.statementImports(company), body);
          const ids = (imported.bankStatementIds || '').split(',').filter(Boolean);
          const summary = `${file.name} imported: ${formatCount(imported.numberOfStatements)} ${imported.numberOfStatements === 1 ? 'statement' : 'statements'}, ` +
            `${formatCount(imported.numberOfLines)} lines, ${formatCount(imported.numberOfProposals)} proposals.`;
          result.replaceChildren(summary, ' ', ...ids.map((id, i) => h('a', { href: `#/companies/${company}/bank/${id}`, text: ids.length === 1 ? 'Open the statement' : `Open statement ${i + 1}` })));
          announce(summary);
          fileInput.value = '';
          profileField.hidden = true;
          await show(0);
        } catch (err) {
          // The refusal in words beside the upload; the chosen file and profile stay as they were.
          const duplicate = err instanceof ApiError && err.status === 409;
          uploadError.textContent = duplicate ? `Not imported again: ${err.message}` : err.message;
          fileInput.setAttribute('aria-invalid', 'true');
          if (duplicate) await linkEarlier(err.message);
          announce(`${file.name} was not imported.`);
        } finally { uploadButton.disabled = false; }
      },
    },
  },
  h('h2', { id: 'bank-upload-title', text: 'Upload a statement' }),
  h('div.field', {}, h('label', { for: 'bank-file', text: 'Statement file' }), fileInput,
    h('p.hint', { id: 'bank-file-hint', text: 'camt.053 or camt.054 (XML), SWIFT MT940, or CSV with a stored import profile.' })),
  profileField, uploadError, h('div.buttons', {}, uploadButton), result);

  // ---- the statements ----
  const headers = ['Account', 'Statement', 'Period', 'Opening balance', 'Closing balance', 'Lines', ...Counted];
  const numeric = i => i >= 3;
  const summary = h('p.muted', { role: 'status' });
  const body = h('tbody');
  const table = h('table.list', {},
    h('caption.sr-only', { text: 'Imported bank statements' }),
    h('thead', {}, h('tr', {}, ...headers.map((t, i) => h('th', { scope: 'col', class: numeric(i) ? 'num' : undefined, text: t })))),
    body);
  const prev = h('button', { type: 'button', text: 'Previous page', disabled: true });
  const next = h('button', { type: 'button', text: 'Next page', disabled: true });
  main.append(
    h('div.title-row', {}, h('h1', { text: 'Bank statements' }),
      h('div.toolbar', {}, h('a.button', { href: `#/companies/${company}`, text: 'Payment journals' }))),
    form,
    h('h2', { text: 'Imported statements' }), summary,
    h('div.table-wrap', { tabIndex: 0, role: 'region', 'aria-label': 'Imported bank statements' }, table),
    h('div.pager', {}, prev, next));

  const controller = new AbortController();
  const first = api.statements(company) + query({ $orderby: 'periodFrom desc,accountIban,statementNumber', $count: 'true' });
  const trail = [{ url: first, start: 0 }];
  let total = 0;
  let current = 0;
  async function show(i) {
    if (i === 0) trail.length = 1;
    let r;
    try { r = await page(trail[i].url, { maxPageSize: PageSize, signal: controller.signal }); } catch (err) {
      if (err?.name === 'AbortError') return;
      body.replaceChildren(h('tr', {}, h('td', { colSpan: headers.length }, errorBox(err, () => show(i)))));
      return;
    }
    current = i;
    if (r.count !== undefined) total = r.count;
    if (r.next) trail[i + 1] = { url: r.next, start: trail[i].start + r.rows.length };
    else trail.length = i + 1;
    prev.disabled = i === 0;
    next.disabled = !r.next;
    const start = trail[i].start;
    summary.textContent = r.rows.length ? `Statements ${formatCount(start + 1)}–${formatCount(start + r.rows.length)} of ${formatCount(total)}` : '';
    if (r.rows.length === 0) {
      body.replaceChildren(h('tr', {}, h('td', { colSpan: headers.length, text: 'No statement imported yet: upload a file above.' })));
      return;
    }
    const counts = r.rows.map(() => Counted.map(() => h('td.num', { text: '…' })));
    body.replaceChildren(...r.rows.map((s, j) => h('tr', {},
      h('td', { text: s.accountIban }),
      h('th', { scope: 'row' }, h('a', { href: `#/companies/${company}/bank/${s.id}`, text: s.statementNumber, 'aria-label': `Open statement ${s.statementNumber}` })),
      h('td', { text: s.periodFrom === s.periodTo ? formatDate(s.periodFrom) : `${formatDate(s.periodFrom)} – ${formatDate(s.periodTo)}` }),
      h('td.num', { text: s.hasBalances ? formatAmount(s.openingBalance) : '' }),
      h('td.num', { text: s.hasBalances ? formatAmount(s.closingBalance) : '' }),
      h('td.num', { text: formatCount(s.numberOfLines) }),
      ...counts[j])));
    // How many lines of each statement are open, accepted and transferred: counts in one $batch of the group.
    const urls = r.rows.flatMap(s => Counted.map(status => api.statementLinesCount(company, s.id) + query({ $filter: `status eq '${status}'` })));
    let answers;
    try { answers = await batchGet(urls, api.cashBatch()); } catch { answers = urls.map(() => null); }
    counts.flat().forEach((cell, k) => {
      const a = answers[k];
      cell.textContent = a && !(a instanceof ApiError) ? formatCount(Number(a.body)) : '?';
    });
  }
  prev.addEventListener('click', () => show(current - 1));
  next.addEventListener('click', () => show(current + 1));
  await show(0);
  return { leave: () => controller.abort() };
}
