#!/usr/bin/env node
// Independent OTLP/HTTP trace receiver for the end-to-end tests.
//
// It decodes with OpenTelemetry JS's generated protobuf root, never with code of ours, so a
// bug in zerotrace's OTLP encoder cannot be hidden by the same bug in the receiver.
//
// Usage: node receiver.js [--port N] [--output FILE]
//   --port   listen port on 127.0.0.1 (env OTLP_RECEIVER_PORT, default 4318; 0 picks a free one)
//   --output file that gets one JSON line per received span (env OTLP_RECEIVER_OUTPUT,
//            default stdout)
// Prints "receiver listening on PORT" on stdout once it accepts requests.
'use strict';

const fs = require('fs');
const http = require('http');
const zlib = require('zlib');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');

const collector = root.opentelemetry.proto.collector.trace.v1;
const ExportTraceServiceRequest = collector.ExportTraceServiceRequest;
const ExportTraceServiceResponse = collector.ExportTraceServiceResponse;

function parseArgs(argv) {
  const opts = {
    port: process.env.OTLP_RECEIVER_PORT || '4318',
    output: process.env.OTLP_RECEIVER_OUTPUT || '',
    host: process.env.OTLP_RECEIVER_HOST || '127.0.0.1',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') opts.port = argv[++i];
    else if (a === '--output') opts.output = argv[++i];
    else if (a === '--host') opts.host = argv[++i];
    else if (/^\d+$/.test(a)) opts.port = a;  // bare positional port
    else {
      process.stderr.write(`usage: receiver.js [--port N] [--output FILE] [--host ADDR]\n`);
      process.exit(2);
    }
  }
  opts.port = Number(opts.port);
  return opts;
}

function hex(bytes) {
  if (!bytes || bytes.length === 0) return '';
  return Buffer.from(bytes).toString('hex');
}

function longToJs(v) {
  // protobufjs gives int64 as Long (or number when Long is absent); keep exact values.
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const s = v.toString();
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

function longToString(v) {
  if (v === null || v === undefined) return '0';
  return v.toString();
}

function anyValue(v) {
  if (!v) return null;
  switch (v.value) {
    case 'stringValue': return v.stringValue;
    case 'boolValue': return v.boolValue;
    case 'intValue': return longToJs(v.intValue);
    case 'doubleValue': return v.doubleValue;
    case 'bytesValue': return hex(v.bytesValue);
    case 'arrayValue': return (v.arrayValue.values || []).map(anyValue);
    case 'kvlistValue': return flatten(v.kvlistValue.values);
    default: return null;
  }
}

function flatten(kvs) {
  const out = {};
  for (const kv of kvs || []) out[kv.key] = anyValue(kv.value);
  return out;
}

function spanLines(req) {
  const lines = [];
  for (const rs of req.resourceSpans || []) {
    const resource = flatten(rs.resource && rs.resource.attributes);
    for (const ss of rs.scopeSpans || []) {
      const scope = ss.scope ? { name: ss.scope.name || '', version: ss.scope.version || '' } : {};
      for (const s of ss.spans || []) {
        lines.push(JSON.stringify({
          trace_id: hex(s.traceId),
          span_id: hex(s.spanId),
          parent_span_id: hex(s.parentSpanId),
          trace_state: s.traceState || '',
          name: s.name || '',
          kind: s.kind || 0,
          start_time_unix_nano: longToString(s.startTimeUnixNano),
          end_time_unix_nano: longToString(s.endTimeUnixNano),
          attributes: flatten(s.attributes),
          dropped_attributes_count: s.droppedAttributesCount || 0,
          events: (s.events || []).map((e) => ({
            name: e.name || '',
            time_unix_nano: longToString(e.timeUnixNano),
            attributes: flatten(e.attributes),
          })),
          links: (s.links || []).map((l) => ({ trace_id: hex(l.traceId), span_id: hex(l.spanId) })),
          status_code: (s.status && s.status.code) || 0,
          status_message: (s.status && s.status.message) || '',
          resource,
          scope,
        }));
      }
    }
  }
  return lines;
}

// OTLP/JSON carries trace and span ids as hex strings, which protobufjs's fromObject would
// read as base64: turn them into bytes first.
function hexIdsToBytes(obj) {
  for (const rs of obj.resourceSpans || []) {
    for (const ss of rs.scopeSpans || []) {
      for (const s of ss.spans || []) {
        for (const k of ['traceId', 'spanId', 'parentSpanId']) {
          if (typeof s[k] === 'string') s[k] = Buffer.from(s[k], 'hex');
        }
        for (const l of s.links || []) {
          for (const k of ['traceId', 'spanId']) {
            if (typeof l[k] === 'string') l[k] = Buffer.from(l[k], 'hex');
          }
        }
      }
    }
  }
  return obj;
}

function decompress(body, encoding) {
  switch ((encoding || 'identity').toLowerCase()) {
    case 'identity': return body;
    case 'gzip': return zlib.gunzipSync(body);
    case 'deflate': return zlib.inflateSync(body);
    default: throw Object.assign(new Error(`unsupported Content-Encoding ${encoding}`), { status: 415 });
  }
}

function decode(body, contentType) {
  const type = (contentType || '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') {
    const msg = ExportTraceServiceRequest.decode(body);
    return { format: 'protobuf', msg };
  }
  if (type === 'application/json') {
    const obj = hexIdsToBytes(JSON.parse(body.toString('utf8')));
    const err = ExportTraceServiceRequest.verify(ExportTraceServiceRequest.fromObject(obj));
    if (err) throw Object.assign(new Error(`invalid OTLP/JSON: ${err}`), { status: 400 });
    return { format: 'json', msg: ExportTraceServiceRequest.fromObject(obj) };
  }
  throw Object.assign(new Error(`unsupported Content-Type ${contentType}`), { status: 415 });
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const write = opts.output
    ? (text) => fs.appendFileSync(opts.output, text)
    : (text) => process.stdout.write(text);
  if (opts.output) fs.writeFileSync(opts.output, '', { flag: 'a' });

  let requests = 0;
  let spans = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ requests, spans }));
      return;
    }
    if (req.url.split('?')[0] !== '/v1/traces') {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('only /v1/traces\n');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' });
      res.end('POST only\n');
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let decoded;
      try {
        const body = decompress(Buffer.concat(chunks), req.headers['content-encoding']);
        decoded = decode(body, req.headers['content-type']);
      } catch (e) {
        process.stderr.write(`receiver: rejected request: ${e.message}\n`);
        res.writeHead(e.status || 400, { 'Content-Type': 'text/plain' });
        res.end(`${e.message}\n`);
        return;
      }
      const lines = spanLines(decoded.msg);
      if (lines.length) write(lines.join('\n') + '\n');
      requests += 1;
      spans += lines.length;
      process.stderr.write(`receiver: ${lines.length} spans (${decoded.format}, ` +
        `${req.headers['content-encoding'] || 'identity'})\n`);
      if (decoded.format === 'json') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{}');
      } else {
        const out = ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create({})).finish();
        res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': out.length });
        res.end(Buffer.from(out));
      }
    });
  });
  server.on('error', (e) => {
    process.stderr.write(`receiver: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(opts.port, opts.host, () => {
    process.stdout.write(`receiver listening on ${server.address().port}\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();  // keep-alive clients would hold close() open
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
