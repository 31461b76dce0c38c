#!/usr/bin/env node
// The OTLP/HTTP receiver of scripts/bench.sh: accepts trace exports and counts their spans,
// nothing more, standing in for a collector on another machine. The end-to-end tests'
// receiver (tests/otlp-receiver) decodes every span and writes it out as JSON: at the span
// rates of this benchmark that takes more CPU than the tracer under test, on the same two
// cores, and would be charged to whichever state exports most. Counting walks the protobuf
// wire format with protobufjs's Reader, skipping over each span's contents.
//
//   node otlp_sink.js [PORT]      PORT 0 (the default) takes a free port
//
// POST /v1/traces (protobuf, identity or gzip) answers 200 with an empty
// ExportTraceServiceResponse. GET /stats answers {"requests":N,"spans":N,"bytes":N,"bad":N}.
// Prints "sink listening on PORT" once it accepts requests.
'use strict';
const http = require('http');
const path = require('path');
const zlib = require('zlib');

// protobufjs comes with the test peers' npm packages (scripts/install-deps.sh installs them).
const { Reader } = require(require.resolve('protobufjs/minimal', {
  paths: ['otlp-receiver', 'sdk-peer'].map((d) => path.join(__dirname, '..', '..', d)),
}));

const WIRE_LEN = 2;

// Calls visit(reader, end) for each length-delimited field `field` of the message in
// reader[pos, end), skipping every other field.
function eachField(reader, end, field, visit) {
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === field && (tag & 7) === WIRE_LEN) {
      const length = reader.uint32();
      const fieldEnd = reader.pos + length;
      visit(reader, fieldEnd);
      reader.pos = fieldEnd;
    } else {
      reader.skipType(tag & 7);
    }
  }
}

// ExportTraceServiceRequest: resource_spans = 1; ResourceSpans: scope_spans = 2;
// ScopeSpans: spans = 2.
function countSpans(body) {
  const reader = Reader.create(body);
  let spans = 0;
  eachField(reader, body.length, 1, (r, resourceEnd) => {
    eachField(r, resourceEnd, 2, (r2, scopeEnd) => {
      eachField(r2, scopeEnd, 2, () => { spans += 1; });
    });
  });
  return spans;
}

const stats = { requests: 0, spans: 0, bytes: 0, bad: 0 };

function answer(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    answer(res, 200, 'application/json', Buffer.from(JSON.stringify(stats)));
    return;
  }
  const parts = [];
  req.on('data', (part) => parts.push(part));
  req.on('end', () => {
    stats.requests += 1;
    try {
      let body = Buffer.concat(parts);
      stats.bytes += body.length;
      if ((req.headers['content-encoding'] || '').toLowerCase() === 'gzip') body = zlib.gunzipSync(body);
      stats.spans += countSpans(body);
      answer(res, 200, 'application/x-protobuf', Buffer.alloc(0));
    } catch (e) {
      stats.bad += 1;
      answer(res, 400, 'text/plain', Buffer.from(`bad export request: ${e.message}\n`));
    }
  });
});
server.keepAliveTimeout = 0;

server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  process.stdout.write(`sink listening on ${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
