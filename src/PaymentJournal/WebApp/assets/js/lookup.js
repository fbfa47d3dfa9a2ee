// A lookup as you type (ARIA combobox with a listbox): debounced, the previous search cancelled, results from the server.
import { h } from './ui.js';

let counter = 0;

/**
 * Turns an input into a combobox. search(text, signal) resolves to [{ key, label, detail }]; pick(option) is called
 * when an option is chosen (click, or Enter on the highlighted one). Returns { handleKey(event) -> handled, close() }.
 */
export function attachLookup(input, { search, pick, delay = 200, name }) {
  const id = `lookup-${++counter}`;
  const list = h('ul.lookup', { id, role: 'listbox', 'aria-label': name });
  let options = [];
  let active = -1;
  let timer = 0;
  let controller = null;
  let busy = false;
  let pickFirst = false;
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-controls', id);
  input.setAttribute('aria-expanded', 'false');
  document.body.append(list);

  function place() {
    const r = input.getBoundingClientRect();
    list.style.left = `${Math.max(0, Math.min(r.left, window.innerWidth - 360))}px`;
    const below = window.innerHeight - r.bottom;
    if (below < 200 && r.top > below) { list.style.top = ''; list.style.bottom = `${window.innerHeight - r.top}px`; }
    else { list.style.bottom = ''; list.style.top = `${r.bottom}px`; }
  }

  function show(items, message) {
    options = items;
    active = items.length > 0 ? 0 : -1;
    list.replaceChildren(...items.map((o, i) => h('li', {
      id: `${id}-${i}`, role: 'option', 'aria-selected': i === active ? 'true' : 'false',
      on: { mousedown: e => { e.preventDefault(); choose(i); } },
    }, h('span.key', { text: o.label }), o.detail ? h('span.detail', { text: o.detail }) : null)));
    if (message) list.append(h('li.message', { role: 'option', 'aria-disabled': 'true', text: message }));
    place();
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight(active);
  }

  function highlight(i) {
    active = i;
    [...list.querySelectorAll('[role=option]')].forEach((li, j) => li.setAttribute('aria-selected', j === i ? 'true' : 'false'));
    if (i >= 0) { input.setAttribute('aria-activedescendant', `${id}-${i}`); document.getElementById(`${id}-${i}`)?.scrollIntoView({ block: 'nearest' }); }
    else input.removeAttribute('aria-activedescendant');
  }

  function choose(i) {
    const o = options[i];
    if (!o) return;
    close();
    pick(o);
  }

  async function run() {
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    busy = true;
    show([], 'Searching…');
    try {
      const items = await search(input.value.trim(), signal);
      if (signal.aborted) return;
      // A newer search waiting for its debounce keeps the lookup busy: Enter must wait for that one's answer.
      busy = timer !== 0;
      show(items, items.length ? null : 'No match');
      // Enter was pressed before the answer came: it picks the first match of what was typed.
      if (pickFirst) { pickFirst = false; if (items.length) choose(0); }
    } catch (err) {
      if (err?.name !== 'AbortError' && !signal.aborted) { busy = false; pickFirst = false; show([], err?.message ?? 'The search failed.'); }
    }
  }

  const onInput = () => { busy = true; clearTimeout(timer); timer = setTimeout(() => { timer = 0; run(); }, delay); };
  input.addEventListener('input', onInput);
  run();

  function close() {
    clearTimeout(timer);
    controller?.abort();
    list.remove();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    input.removeEventListener('input', onInput);
  }

  return {
    close,
    /** Keys while the list is open: arrows move, Enter picks. Returns true when the key was the lookup's. */
    handleKey(e) {
      if (!list.isConnected) return false;
      if (e.key === 'Enter' && (busy || timer)) {
        pickFirst = true;
        if (timer) { clearTimeout(timer); timer = 0; run(); }
        return true;
      }
      if (options.length === 0) return false;
      if (e.key === 'ArrowDown') { highlight(Math.min(options.length - 1, active + 1)); return true; }
      if (e.key === 'ArrowUp') { highlight(Math.max(0, active - 1)); return true; }
      if (e.key === 'Enter' && active >= 0) { choose(active); return true; }
      return false;
    },
    /** The option whose key is exactly the text typed, if the list holds one. */
    exact(text) { return options.find(o => o.label.toUpperCase() === text.trim().toUpperCase()); },
  };
}
