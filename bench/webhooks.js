// Helper of bench/webhooks.sh (node 20, no packages).
//   node webhooks.js receiver PORT OUT_FILE      a receiver: answers the handshake, appends one line per notification
//                                                request: arrival_ms items first_lastModified_ms kinds
//   node webhooks.js load URL RATE SECONDS BODY  POSTs BODY to URL at RATE per second for SECONDS; prints sent ok failed
//   node webhooks.js report OUT_FILE CHANGES WINDOW_MS   notifications delivered vs changes, delay past the window p50/p99
const http = require('http');
const fs = require('fs');
const [mode, ...args] = process.argv.slice(2);

if (mode === 'receiver') {
  const [port, out] = args;
  http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    const token = u.searchParams.get('validationToken');
    if (token) { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end(token); return; }
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const value = JSON.parse(Buffer.concat(chunks).toString('utf8')).value;
      const first = Math.min(...value.map(v => Date.parse(v.lastModifiedDateTime)));
      const kinds = [...new Set(value.map(v => v.changeType))].join(',');
      const resources = new Set(value.filter(v => v.changeType !== 'collection').map(v => v.resource)).size;
      fs.appendFileSync(out, `${at} ${value.length} ${first} ${kinds} ${resources}\n`);
      res.writeHead(200); res.end();
    });
  }).listen(Number(port), '127.0.0.1');
} else if (mode === 'load') {
  const [url, rate, seconds, body] = args;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let sent = 0, ok = 0, failed = 0;
  const total = Number(rate) * Number(seconds);
  const start = Date.now();
  const tick = () => {
    const due = Math.min(total, Math.floor((Date.now() - start) / 1000 * Number(rate)));
    while (sent < due) {
      sent++;
      const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, res => {
        res.resume();
        res.on('end', () => { if (res.statusCode < 300) ok++; else failed++; });
      });
      req.on('error', () => failed++);
      req.end(body);
    }
    if (sent < total) setTimeout(tick, 5);
    else { const wait = () => (ok + failed < sent ? setTimeout(wait, 50) : (console.log(`${sent} ${ok} ${failed}`), agent.destroy())); wait(); }
  };
  tick();
} else if (mode === 'report') {
  const [out, changes, windowMs] = args;
  const lines = fs.existsSync(out) ? fs.readFileSync(out, 'utf8').trim().split('\n').filter(Boolean) : [];
  let items = 0, entities = 0, collections = 0;
  const delays = [];
  for (const l of lines) {
    const [at, n, first, kinds, resources] = l.split(' ');
    items += Number(n); entities += Number(resources);
    if (kinds.includes('collection')) collections++;
    delays.push(Number(at) - Number(first) - Number(windowMs));
  }
  delays.sort((a, b) => a - b);
  const q = p => (delays.length ? delays[Math.min(delays.length - 1, Math.ceil(p * delays.length) - 1)] : NaN);
  console.log(`changes=${changes} requests=${lines.length} items=${items} distinct_entities=${entities} collections=${collections} ` +
              `delay_past_window_ms_p50=${q(0.5)} p99=${q(0.99)} max=${delays[delays.length - 1]}`);
}
