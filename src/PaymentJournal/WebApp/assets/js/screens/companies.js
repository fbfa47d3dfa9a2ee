// The company picker; with a single company it opens that company's journals at once.
import { api } from '../routes.js';
import { page } from '../api.js';
import { h, setCrumbs } from '../ui.js';

export const pattern = /^\/?$/;

export async function render(main) {
  setCrumbs([{ label: 'Companies' }]);
  const { rows } = await page(api.companies() + '?$select=id,name,displayName&$orderby=name');
  if (rows.length === 1) {
    location.replace(`#/companies/${rows[0].id}`);
    return;
  }
  main.append(h('h1', { text: 'Companies' }));
  if (rows.length === 0) {
    main.append(h('p', { text: 'There is no company yet. Companies are created by an administrator.' }));
    return;
  }
  main.append(h('ul.cards', {}, ...rows.map(c => h('li', {},
    h('a.card', { href: `#/companies/${c.id}` }, h('strong', { text: c.displayName || c.name }), h('span.muted', { text: c.name }))))));
}
