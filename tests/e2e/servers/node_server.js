#!/usr/bin/env node
// Unmodified Node `http` server for the end-to-end tests: node node_server.js PORT
// (`https` instead when ZT_TLS_CERT and ZT_TLS_KEY name a PEM certificate and key)
//   GET /             200 "hello"
//   GET /users/<id>   200 JSON
//   GET /sleep        200 after a 200 ms timer (the span duration test)
//   GET /error        500
//   anything else     404
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');

const port = Number(process.argv[2] || process.env.PORT || 8000);

function reply(res, status, body, type = 'text/plain') {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const tls = process.env.ZT_TLS_CERT && process.env.ZT_TLS_KEY
  ? { cert: fs.readFileSync(process.env.ZT_TLS_CERT), key: fs.readFileSync(process.env.ZT_TLS_KEY) }
  : null;
const handler = (req, res) => {
  const path = req.url.split('?')[0];
  // Drain any request body before answering so keep-alive stays in sync.
  req.resume();
  req.on('end', () => {
    let m;
    if (path === '/') return reply(res, 200, 'hello\n');
    if ((m = path.match(/^\/users\/([^/]+)$/))) {
      return reply(res, 200, JSON.stringify({ id: m[1], name: `user-${m[1]}` }) + '\n', 'application/json');
    }
    if (path === '/sleep') return setTimeout(() => reply(res, 200, 'slept 200 ms\n'), 200);
    if (path === '/error') return reply(res, 500, 'internal error\n');
    return reply(res, 404, 'not found\n');
  });
};
const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
server.keepAliveTimeout = 30000;
server.listen(port, '127.0.0.1', () => process.stdout.write(`node ${tls ? 'https' : 'http'} server listening on ${port}\n`));
const stop = () => { server.close(() => process.exit(0)); server.closeAllConnections(); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
