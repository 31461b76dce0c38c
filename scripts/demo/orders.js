#!/usr/bin/env node
// Demo 'orders' service: Node's http module, no tracing code.
//   node orders.js PORT INVENTORY_PORT
//   GET /orders/<id> -> asks inventory for /stock/<id>; 404 passes through, 5xx become 500
'use strict';
const http = require('http');

const port = Number(process.argv[2]);
const inventoryPort = Number(process.argv[3]);

function reply(res, status, body) {
  const data = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
  res.end(data);
}

function askInventory(id, done) {
  const req = http.get({ host: '127.0.0.1', port: inventoryPort, path: `/stock/${id}` }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => { body += c; });
    res.on('end', () => done(null, res.statusCode, body));
  });
  req.setTimeout(5000, () => req.destroy(new Error('inventory timed out')));
  req.on('error', (e) => done(e));
}

http.createServer((req, res) => {
  const m = req.url.match(/^\/orders\/([^/?]+)/);
  if (req.method !== 'GET' || !m) return reply(res, 404, { error: 'no such route' });
  askInventory(m[1], (err, status, body) => {
    if (err) return reply(res, 500, { error: err.message });
    if (status === 404) return reply(res, 404, { error: `item ${m[1]} unknown` });
    if (status !== 200) return reply(res, 500, { error: `inventory answered ${status}` });
    reply(res, 200, { order: m[1], stock: JSON.parse(body) });
  });
}).listen(port, '127.0.0.1', () => console.log(`orders listening on ${port}`));
