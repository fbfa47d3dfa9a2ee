#!/usr/bin/env node
// Usage: node bench/report.js RESULTSDIR  -> markdown: medians per target x workload (from raw/roundN/*.txt RESULT lines
// written by ../shared/bench/run.sh), the ratios against the speed targets (bench/RESULTS.md), posting, startup and RSS figures.
'use strict';
const fs = require('fs'), path = require('path');
const dir = process.argv[2];
const rows = {};
const rawDir = path.join(dir, 'raw');
for (const round of fs.existsSync(rawDir) ? fs.readdirSync(rawDir).sort() : []) {
  for (const f of fs.readdirSync(path.join(rawDir, round))) {
    const txt = fs.readFileSync(path.join(rawDir, round, f), 'utf8');
    const line = txt.split('\n').find(l => l.startsWith('RESULT '));
    const m = f.replace(/\.txt$/, '').match(/^(.*)-(get_by_key|list_filtered|patch_if_match|post)$/);
    if (!m) continue;
    const kv = line ? Object.fromEntries(line.slice(7).trim().split(/\s+/).map(p => p.split('='))) : { failed: 1 };
    (rows[`${m[1]}|${m[2]}`] ||= []).push(kv);
  }
}
const med = a => { const s = a.map(Number).filter(x => !Number.isNaN(x)).sort((x, y) => x - y); const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const get = (t, w, k) => rows[`${t}|${w}`] ? med(rows[`${t}|${w}`].map(r => r[k])) : NaN;
const fmt = (x, d = 0) => Number.isNaN(x) ? 'n/a' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const order = ['get_by_key', 'list_filtered', 'patch_if_match', 'post'];
const names = { get_by_key: '(a) GET by key', list_filtered: '(b) filtered page', patch_if_match: '(d) GET+PATCH If-Match', post: '(c) POST' };
const tOrder = ['bc-service', 'bc-service-1m', 'cap', 'cap-1m', 'aspnet-min'];
const keys = Object.keys(rows).sort((a, b) => {
  const [ta, wa] = a.split('|'), [tb, wb] = b.split('|');
  const ia = tOrder.indexOf(ta), ib = tOrder.indexOf(tb);
  return ta === tb ? order.indexOf(wa) - order.indexOf(wb) : (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
});
const out = [];
const p = s => out.push(s);
p(`## Medians of ${Math.max(0, ...Object.values(rows).map(r => r.length))} runs (wrk -t${process.env.THREADS || 1} -c${process.env.CONNS || 16}, ${process.env.DURATION || '10s'} each after warm-up)`);
p('');
p('| target | workload | req/s median | req/s all runs | PATCH 2xx/s | p50 ms | p99 ms | non-2xx (per run) | socket errors | valid |');
p('|---|---|---:|---|---:|---:|---:|---|---|---|');
for (const k of keys) {
  const [t, w] = k.split('|'); const rs = rows[k];
  const non2xx = rs.map(r => r.non2xx ?? 'FAILED');
  const valid = rs.every(r => !r.failed && +r.non2xx === 0 && +r.sock_errors === 0);
  p(`| ${t} | ${names[w]} | **${fmt(med(rs.map(r => r.rps)))}** | ${rs.map(r => fmt(+r.rps)).join(' / ')} | ` +
    `${w === 'patch_if_match' ? fmt(med(rs.map(r => r.patch_2xx_per_s))) : ''} | ${fmt(med(rs.map(r => r.p50_ms)), 2)} | ` +
    `${fmt(med(rs.map(r => r.p99_ms)), 2)} | ${non2xx.join(' / ')} | ${rs.map(r => r.sock_errors ?? '-').join(' / ')} | ${valid ? 'yes' : '**no**'} |`);
}
p('');
// The speed targets (listed at the top of bench/RESULTS.md)
const ours = 'bc-service', bare = 'aspnet-min';
const ok = (v, cond) => Number.isNaN(v) ? 'n/a' : cond ? 'met' : '**not met**';
const validOf = (t, w) => (rows[`${t}|${w}`] || []).every(r => !r.failed && +r.non2xx === 0);
p('## Against the speed targets');
p('');
p('| target | measured | verdict |');
p('|---|---|---|');
const ratioRow = (w, key, min, label) => {
  const o = get(ours, w, key), b = get(bare, w, key), r = o / b;
  if (Number.isNaN(b)) { p(`| ${label} ≥ ${min * 100}% of bare | ${fmt(o)} (no bare peer in this run) | n/a |`); return; }
  const note = validOf(ours, w) ? '' : ' (our runs had non-2xx: not a valid measurement)';
  p(`| ${label} ≥ ${min * 100}% of bare | ${fmt(o)} / ${fmt(b)} = ${fmt(r * 100, 1)}%${note} | ${validOf(ours, w) ? ok(r, r >= min) : 'invalid'} |`);
};
ratioRow('get_by_key', 'rps', 0.20, 'GET by key');
ratioRow('list_filtered', 'rps', 0.10, 'filtered page');
ratioRow('patch_if_match', 'patch_2xx_per_s', 0.05, 'PATCH/s (GET+PATCH If-Match)');
ratioRow('post', 'rps', 0.05, 'POST');
for (const w of order) {
  const v = get(ours, w, 'p99_ms');
  p(`| p99 ≤ 10 ms, ${names[w]} | ${fmt(v, 2)} ms | ${ok(v, v <= 10)} |`);
}
for (const w of ['get_by_key', 'list_filtered']) {
  const a = get(ours + '-1m', w, 'rps'), b = get(ours, w, 'rps'), r = a / b;
  p(`| 1M vs 10k ≥ 0.8, ${names[w]} | ${fmt(a)} / ${fmt(b)} = ${fmt(r, 2)} (p99 1M ${fmt(get(ours + '-1m', w, 'p99_ms'), 2)} ms) | ${validOf(ours + '-1m', w) && validOf(ours, w) ? ok(r, r >= 0.8) : 'invalid'} |`);
}
const read = f => fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f), 'utf8') : '';
const posting = read('posting.txt');
if (/not available/.test(posting)) p('| posting 100,000 lines < 5 s, ≤ 11× the 10,000-line time | posting not available (400 BadRequest_NotSupported) | n/a |');
else if (posting) {
  const t = n => med([...posting.matchAll(new RegExp(`posting ${n} 2\\d\\d ([0-9.]+)`, 'g'))].map(m => m[1]));
  const a = t(10000), b = t(100000);
  const bad = (posting.match(/ERROR/g) || []).length;
  p(`| posting 100,000 lines < 5 s | ${fmt(b, 2)} s (10,000 lines: ${fmt(a, 2)} s)${bad ? `; ${bad} failed postings` : ''} | ${ok(b, b < 5)} |`);
  p(`| posting 100k ≤ 11× 10k | ${fmt(b / a, 1)}× | ${ok(b / a, b / a <= 11)} |`);
}
const startup = read('startup.txt');
for (const m of startup.matchAll(/startup (\S+) (\S+) ms: .* median (\S+)/g))
  p(`| start to first answer < 1.5 s (${m[1]} database, first 200 of ${m[2]}) | ${fmt(+m[3])} ms | ${ok(+m[3], +m[3] < 1500)} |`);
const rss = read('rss.txt').trim().split('\n').filter(Boolean);
if (rss.length) {
  const last = rss.map(l => +(l.match(/rss_last_kb=(\d+)/) || [])[1]).filter(x => x > 0);
  const peak = rss.map(l => +(l.match(/rss_max_kb=(\d+)/) || [])[1]).filter(x => x > 0);
  const mx = Math.max(...last) / 1024;
  p(`| RSS after the run < 300 MB | max over ${last.length} service runs: ${fmt(mx)} MB at the end, ${fmt(Math.max(...peak) / 1024)} MB peak | ${ok(mx, mx < 300)} |`);
}
p('');
const seed = read('seed.txt');
const s1m = seed.match(/1m: .* seeded in (\d+) ms/);
if (s1m) p(`Seeding 1,000,000 payments: ${fmt(+s1m[1] / 1000, 1)} s (target: under a minute).`);
if (posting) { p(''); p('Posting runs:'); p('```'); p(posting.trim()); p('```'); }
if (startup) { p(''); p('Startup runs:'); p('```'); p(startup.trim()); p('```'); }
if (rss.length) { p(''); p('Service runs (RSS at the end = last sample ≤ 1 s before the stop):'); p('```'); p(rss.join('\n')); p('```'); }
const load = read('load.txt');
if (load) {
  const la = [...load.matchAll(/loadavg ([0-9.]+)/g)].map(m => +m[1]);
  p(''); p(`Machine load during the run (1-min load average, sampled every 30 s): median ${fmt(med(la), 1)}, max ${fmt(Math.max(...la), 1)} (2 cores; see load.txt).`);
}
console.log(out.join('\n'));
