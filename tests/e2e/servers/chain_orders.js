#!/usr/bin/env node
// Chain 'orders' for the trace-linking tests: Node's http module, no tracing code, sets no
// traceparent.
//   node chain_orders.js HOST PORT INVENTORY_HOST INVENTORY_PORT
//   GET /orders/<id> -> GET inventory /stock/<id>; 200 {"order": <id>, "inventory": <its JSON>}
//   anything else    -> 404
// By default each inventory call opens a fresh connection (agent: false); with
// CHAIN_KEEPALIVE=1 the calls share a keep-alive http.Agent. Prints
// 'chain-orders ready on HOST:PORT' once it listens.
'use strict';
const http = require('http');

const [host, port, invHost, invPort] = process.argv.slice(2);
const keepAlive = process.env.CHAIN_KEEPALIVE === '1';
const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 32 }) : false;

function reply(res, status, body) {
  const data = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

function askInventory(id, done) {
  const req = http.request({ host: invHost, port: Number(invPort), path: `/stock/${id}`, agent }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => { body += c; });
    res.on('end', () => done(null, res.statusCode, body));
  });
  req.setTimeout(10000, () => req.destroy(new Error('inventory timed out')));
  req.on('error', (e) => done(e));
  req.end();
}

const server = http.createServer((req, res) => {
  req.resume();
  const m = req.url.match(/^\/orders\/([^/?]+)$/);
  if (req.method !== 'GET' || !m) return reply(res, 404, { error: 'no such route' });
  askInventory(m[1], (err, status, body) => {
    if (err) return reply(res, 502, { error: err.message });
    let parsed = null;
    try { parsed = JSON.parse(body); } catch (e) { /* reported as null */ }
    if (status !== 200) return reply(res, 502, { error: `inventory answered ${status}`, inventory: parsed });
    reply(res, 200, { order: m[1], inventory: parsed });
  });
});
server.keepAliveTimeout = 30000;
server.listen(Number(port), host, () => process.stdout.write(`chain-orders ready on ${host}:${port} (keepalive=${keepAlive ? 1 : 0})\n`));
