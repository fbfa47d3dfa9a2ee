// Small DOM helpers: elements, announcements, breadcrumbs and modal dialogs (native <dialog>).

/** h('tag.class', { attributes, on: { event: handler } }, ...children) */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
    else if (k === 'text') el.textContent = v;
    else if (k === 'style') el.style.cssText = v; // CSSOM, which the page's Content-Security-Policy allows
    else if (k in el && k !== 'list' && !k.startsWith('aria') && k !== 'role') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Tells screen readers (and sighted users, in the status bar) what just happened. */
let statusTimer = 0;
export function announce(message) {
  const s = document.getElementById('status');
  s.textContent = '';
  clearTimeout(statusTimer);
  requestAnimationFrame(() => { s.textContent = message; });
  // The note goes after a while; screen readers have read it by then.
  statusTimer = setTimeout(() => { s.textContent = ''; }, 8000);
}

export function setCrumbs(items) {
  const ol = document.getElementById('crumbs');
  ol.replaceChildren(...items.map((it, i) => h('li', {}, i === items.length - 1
    ? h('span', { 'aria-current': 'page', text: it.label })
    : h('a', { href: it.href, text: it.label }))));
  document.title = [...items].reverse().map(i => i.label).concat('PaymentJournal').join(' – ');
}

/** A message shown in place of a screen's content when it cannot be loaded. */
export function errorBox(error, retry) {
  return h('div.error-box', { role: 'alert' },
    h('p', { text: error?.message ?? String(error) }),
    retry ? h('button', { type: 'button', text: 'Try again', on: { click: retry } }) : null);
}

/**
 * Opens a modal dialog and resolves with what its buttons return. build(close) gives the dialog's content;
 * Escape resolves with undefined. Focus goes back where it was.
 */
export function modal(title, build, { wide = false } = {}) {
  return new Promise(resolve => {
    const back = document.activeElement;
    const id = 'dlg-' + Math.random().toString(36).slice(2);
    const dialog = h('dialog' + (wide ? '.wide' : ''), { 'aria-labelledby': id });
    let done = false;
    const close = value => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      if (back instanceof HTMLElement && back.isConnected) back.focus();
      resolve(value);
    };
    dialog.append(h('h2', { id, text: title }), build(close));
    dialog.addEventListener('cancel', e => { e.preventDefault(); close(undefined); });
    document.body.append(dialog);
    dialog.showModal();
    const first = dialog.querySelector('[autofocus], input, select, textarea, button');
    first?.focus();
  });
}

export function confirmDialog(title, text, okLabel) {
  return modal(title, close => h('div', {},
    h('p', { text }),
    h('div.buttons', {},
      h('button.primary', { type: 'button', text: okLabel, on: { click: () => close(true) } }),
      h('button', { type: 'button', text: 'Cancel', on: { click: () => close(false) } }))));
}

/**
 * A form in a dialog: fields [{ name, label, value, type, required, maxLength, options }]. submit(values) may throw:
 * its message is shown next to the field it names (else under the form), and everything typed stays.
 */
export function formDialog(title, fields, okLabel, submit) {
  return modal(title, close => {
    const formError = h('p.field-error', { role: 'alert' });
    const inputs = fields.map(f => {
      const id = 'f-' + f.name + '-' + Math.random().toString(36).slice(2, 7);
      const error = h('p.field-error', { id: id + '-error' });
      const input = f.options
        ? h('select', { id, name: f.name, required: f.required }, ...f.options.map(o => h('option', { value: o.value, text: o.label, selected: o.value === f.value })))
        : h('input', { id, name: f.name, type: f.type ?? 'text', value: f.value ?? '', required: f.required, maxLength: f.maxLength, autocomplete: 'off' });
      input.setAttribute('aria-describedby', error.id);
      return { f, input, error, row: h('div.field', {}, h('label', { for: id, text: f.label }), input, error) };
    });
    const clear = () => {
      formError.textContent = '';
      for (const i of inputs) { i.error.textContent = ''; i.input.removeAttribute('aria-invalid'); }
    };
    const form = h('form', {
      on: {
        submit: async e => {
          e.preventDefault();
          const values = Object.fromEntries(inputs.map(({ f, input }) => [f.name, input.value]));
          const submitButton = form.querySelector('button[type=submit]');
          submitButton.disabled = true;
          clear();
          try {
            close(await submit(values));
          } catch (err) {
            const message = err?.message ?? String(err);
            const lower = message.toLowerCase();
            // The field the refusal names (by its API name), else the one whose typed value it quotes.
            const field = inputs.find(i => new RegExp(`\\b${i.f.name.toLowerCase()}\\b`).test(lower))
              ?? inputs.find(i => i.input.value && lower.includes(`'${i.input.value.toLowerCase()}'`));
            if (field) {
              field.error.textContent = message;
              field.input.setAttribute('aria-invalid', 'true');
              field.input.focus();
            } else formError.textContent = message;
            submitButton.disabled = false;
          }
        },
      },
    }, ...inputs.map(i => i.row), formError,
    h('div.buttons', {},
      h('button.primary', { type: 'submit', text: okLabel }),
      h('button', { type: 'button', text: 'Cancel', on: { click: () => close(undefined) } })));
    return form;
  });
}
