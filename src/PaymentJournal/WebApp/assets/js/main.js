// Start-up: the router (location hash to screen), the sign-in dialog for ApiKey and Jwt modes.
import { screens } from './screens/index.js';
import { credential, setCredential, onCredentialNeeded } from './api.js';
import { h, modal, errorBox } from './ui.js';
import { forgetEarly } from './early.js';

const main = document.getElementById('main');
const signIn = document.getElementById('signin');
let current = null;

function match(hash) {
  const path = hash.replace(/^#/, '') || '/';
  for (const screen of screens) {
    const m = screen.pattern.exec(path);
    if (m) return { screen, params: m.groups ?? {} };
  }
  return null;
}

async function route() {
  current?.leave?.();
  current = null;
  const found = match(location.hash);
  main.replaceChildren();
  if (!found) {
    main.append(h('h1', { text: 'Page not found' }), h('p', {}, h('a', { href: '#/', text: 'Go to the companies' })));
    return;
  }
  try {
    current = await found.screen.render(main, found.params) ?? null;
  } catch (err) {
    if (err?.name === 'AbortError') return;
    main.replaceChildren(errorBox(err, route));
  }
  // Reads started before the app had loaded are for the first screen only.
  forgetEarly();
  // Focus moves to the new screen's heading, so a screen reader starts there.
  const heading = main.querySelector('h1');
  if (heading && !main.contains(document.activeElement)) { heading.tabIndex = -1; heading.focus({ preventScroll: true }); }
}

/** Asks for a key or token once; kept in sessionStorage for this browser session. Resolves true when one was given. */
function askCredential(reason) {
  return modal('Sign in', close => {
    const kind = h('select', { id: 'cred-kind' },
      h('option', { value: 'key', text: 'API key' }), h('option', { value: 'token', text: 'Bearer token (JWT)' }));
    const value = h('input', { id: 'cred-value', type: 'password', autocomplete: 'off', required: true });
    return h('form', { on: { submit: e => { e.preventDefault(); setCredential({ kind: kind.value, value: value.value.trim() }); updateSignIn(); close(true); } } },
      h('p', { text: reason }),
      h('div.field', {}, h('label', { for: 'cred-kind', text: 'Credential' }), kind),
      h('div.field', {}, h('label', { for: 'cred-value', text: 'Key or token' }), value),
      h('p.hint', { text: 'Kept for this browser tab only, and sent to this service alone.' }),
      h('div.buttons', {},
        h('button.primary', { type: 'submit', text: 'Sign in' }),
        h('button', { type: 'button', text: 'Cancel', on: { click: () => close(false) } })));
  }).then(Boolean);
}

function updateSignIn() {
  const c = credential();
  signIn.hidden = !c;
  signIn.textContent = 'Sign out';
}

signIn.addEventListener('click', () => { setCredential(null); updateSignIn(); route(); });
onCredentialNeeded(askCredential);
updateSignIn();
window.addEventListener('hashchange', route);
// Marks for the open-time breakdown (bench/webapp-open.sh).
performance.mark('app: modules run');
route();
