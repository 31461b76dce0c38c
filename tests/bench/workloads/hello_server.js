// The Node workload of scripts/bench.sh: the smallest useful HTTP server, so that what tracing
// costs per request is not hidden behind work of the handler. Run it bare, under zerotrace, or
// with the OpenTelemetry JS SDK loaded first:
//
//   node [--require tests/sdk-peer/register.js] hello_server.js [PORT]
//
// PORT 0 (the default) takes a free port. Prints "listening on PORT" once it accepts
// connections; exits cleanly on SIGTERM/SIGINT (the SDK's register.js flushes on those first).
'use strict';
const http = require('http');

const BODY = Buffer.from('hello from the bench\n');

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
});
// wrk keeps its connections for the whole run; never let Node's idle timers close them.
server.keepAliveTimeout = 0;
server.requestTimeout = 0;

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  process.stdout.write(`listening on ${server.address().port}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  // With the SDK loaded, its own handler (registered first) flushes and exits.
  if (process.listenerCount(signal) === 0) process.once(signal, () => process.exit(0));
}
