#!/usr/bin/env node
// Independent OTLP trace receiver for the end-to-end tests: OTLP/HTTP (protobuf or JSON, plain
// or gzip) and, on request, OTLP/gRPC.
//
// It decodes with OpenTelemetry JS's generated protobuf root, never with code of ours, so a
// bug in zerotrace's OTLP encoder cannot be hidden by the same bug in the receiver. The gRPC
// service is described by hand over that same root (no .proto files, no proto-loader).
//
// Usage: node receiver.js [options]
//   --port N             HTTP port on --host (env OTLP_RECEIVER_PORT, default 4318; 0 = free)
//   --grpc-port N        also serve OTLP/gRPC on this port (0 = free); off when not given
//   --host ADDR          listen address (env OTLP_RECEIVER_HOST, default 127.0.0.1)
//   --output FILE        one JSON line per accepted span (env OTLP_RECEIVER_OUTPUT, default stdout)
//   --record-header NAME also record this request header / gRPC metadata key (repeatable;
//                        x-test-token is always recorded)
//   --tls-cert FILE      with --tls-key: serve HTTPS on --port and gRPC over TLS on --grpc-port
//   --tls-key FILE       with this PEM certificate (chain) and private key
// Fault injection (export requests over HTTP and gRPC share one counter):
//   --fail-first N       the first N export requests fail (default 0)
//   --fail-status S      HTTP status while failing (default 503); gRPC gets the matching code
//   --grpc-fail-code C   gRPC status while failing, by name (UNAVAILABLE) or number
//   --retry-after SECS   failures ask for this delay: HTTP Retry-After, gRPC RetryInfo
//   --always-fail S      every export request fails with HTTP status S (and its gRPC code)
//   --reject N           successful answers carry partial_success {rejected_spans: N}
//
// Prints "receiver listening on PORT" (HTTP) and, with --grpc-port, "receiver grpc listening on
// PORT" on stdout once each accepts requests. Failed requests write no span lines, but every
// export request is counted: GET /stats on the HTTP port answers
//   {requests, spans, failed_requests, spans_in_failed_requests, by_transport: {T: {...}}}
// and GET /requests lists each export request (time, transport, encoding, outcome, headers).
// Each span line carries "transport" (grpc | http/protobuf | http/json), "content_encoding"
// (identity | gzip | ...), "user_agent" and "request_headers" of the request that brought it.
'use strict';

const fs = require('fs');
const http = require('http');
const https = require('https');
const zlib = require('zlib');
const grpc = require('@grpc/grpc-js');
const { Writer } = require('protobufjs/minimal');
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');

const collector = root.opentelemetry.proto.collector.trace.v1;
const ExportTraceServiceRequest = collector.ExportTraceServiceRequest;
const ExportTraceServiceResponse = collector.ExportTraceServiceResponse;

const GRPC_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const ALWAYS_RECORDED_HEADER = 'x-test-token';
const REJECTION_MESSAGE = 'test rejection';
const MAX_REQUEST_LOG = 10000;

const USAGE = 'usage: receiver.js [--port N] [--grpc-port N] [--output FILE] [--host ADDR]\n' +
  '  [--record-header NAME]... [--fail-first N] [--fail-status S] [--grpc-fail-code NAME]\n' +
  '  [--retry-after SECONDS] [--always-fail S] [--reject N] [--tls-cert FILE --tls-key FILE]\n';

// ---- options ----

const INTEGER_OPTIONS = {
  '--port': 'port',
  '--grpc-port': 'grpcPort',
  '--fail-first': 'failFirst',
  '--fail-status': 'failStatus',
  '--retry-after': 'retryAfter',
  '--always-fail': 'alwaysFail',
  '--reject': 'reject',
};

function usageError(message) {
  process.stderr.write(`receiver: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseInteger(flag, text) {
  if (!/^\d+$/.test(String(text))) usageError(`${flag} wants a non-negative integer, got ${text}`);
  return Number(text);
}

function parseArgs(argv) {
  const opts = {
    port: process.env.OTLP_RECEIVER_PORT || '4318',
    output: process.env.OTLP_RECEIVER_OUTPUT || '',
    host: process.env.OTLP_RECEIVER_HOST || '127.0.0.1',
    grpcPort: null,
    failFirst: 0,
    failStatus: 503,
    grpcFailCode: null,
    retryAfter: null,
    alwaysFail: null,
    reject: 0,
    recordHeaders: [ALWAYS_RECORDED_HEADER],
    tlsCert: null,
    tlsKey: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usageError(`${a} needs a value`));
    if (a in INTEGER_OPTIONS) opts[INTEGER_OPTIONS[a]] = parseInteger(a, value());
    else if (a === '--output') opts.output = value();
    else if (a === '--host') opts.host = value();
    else if (a === '--grpc-fail-code') opts.grpcFailCode = parseGrpcCode(value());
    else if (a === '--record-header') opts.recordHeaders.push(value().toLowerCase());
    else if (a === '--tls-cert') opts.tlsCert = value();
    else if (a === '--tls-key') opts.tlsKey = value();
    else if (/^\d+$/.test(a)) opts.port = a;  // bare positional port
    else usageError(`unknown argument ${a}`);
  }
  opts.port = parseInteger('--port', opts.port);
  if ((opts.tlsCert === null) !== (opts.tlsKey === null)) usageError('--tls-cert and --tls-key go together');
  opts.tls = opts.tlsCert !== null ? readTlsFiles(opts.tlsCert, opts.tlsKey) : null;
  return opts;
}

// {cert, key} as Buffers, read once at start.
function readTlsFiles(certPath, keyPath) {
  try {
    return { cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) };
  } catch (e) {
    return usageError(`cannot read the TLS certificate or key: ${e.message}`);
  }
}

function parseGrpcCode(text) {
  if (/^\d+$/.test(text)) return Number(text);
  const code = grpc.status[String(text).toUpperCase()];
  if (typeof code !== 'number') usageError(`unknown gRPC status ${text}`);
  return code;
}

// ---- span lines ----

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

function spanRecord(s, resource, scope, meta) {
  return {
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
    transport: meta.transport,
    content_encoding: meta.content_encoding,
    user_agent: meta.user_agent,
    request_headers: meta.headers,
  };
}

// meta: how the request came (transport, content_encoding, user_agent, headers).
function spanLines(req, meta) {
  const lines = [];
  for (const rs of req.resourceSpans || []) {
    const resource = flatten(rs.resource && rs.resource.attributes);
    for (const ss of rs.scopeSpans || []) {
      const scope = ss.scope ? { name: ss.scope.name || '', version: ss.scope.version || '' } : {};
      for (const s of ss.spans || []) lines.push(JSON.stringify(spanRecord(s, resource, scope, meta)));
    }
  }
  return lines;
}

function countSpans(req) {
  let n = 0;
  for (const rs of req.resourceSpans || []) {
    for (const ss of rs.scopeSpans || []) n += (ss.spans || []).length;
  }
  return n;
}

// ---- OTLP/HTTP decoding ----

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

function httpTransport(contentType) {
  const type = (contentType || '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'http/protobuf';
  if (type === 'application/json') return 'http/json';
  return 'http/unknown';
}

function decode(body, transport, contentType) {
  if (transport === 'http/protobuf') return ExportTraceServiceRequest.decode(body);
  if (transport === 'http/json') {
    const obj = hexIdsToBytes(JSON.parse(body.toString('utf8')));
    const err = ExportTraceServiceRequest.verify(ExportTraceServiceRequest.fromObject(obj));
    if (err) throw Object.assign(new Error(`invalid OTLP/JSON: ${err}`), { status: 400 });
    return ExportTraceServiceRequest.fromObject(obj);
  }
  throw Object.assign(new Error(`unsupported Content-Type ${contentType}`), { status: 415 });
}

// ---- faults and answers ----

// Decides, per export request (HTTP and gRPC alike), whether to fail it and with which HTTP
// status; 0 means accept.
class Faults {
  constructor(opts) {
    this.failFirst = opts.failFirst;
    this.failStatus = opts.failStatus;
    this.alwaysFail = opts.alwaysFail;
    this.seen = 0;
  }

  next() {
    this.seen += 1;
    if (this.alwaysFail) return this.alwaysFail;
    return this.seen <= this.failFirst ? this.failStatus : 0;
  }
}

function grpcCodeForHttpStatus(status) {
  switch (status) {
    case 400: return grpc.status.INVALID_ARGUMENT;
    case 401: return grpc.status.UNAUTHENTICATED;
    case 403: return grpc.status.PERMISSION_DENIED;
    case 404: return grpc.status.UNIMPLEMENTED;
    case 429: return grpc.status.RESOURCE_EXHAUSTED;
    case 502: case 503: case 504: return grpc.status.UNAVAILABLE;
    default: return grpc.status.INTERNAL;
  }
}

// google.rpc.Status {code, message, details: [Any(google.rpc.RetryInfo)]}, encoded by hand:
// the generated root has no google.rpc types.
function encodeRpcStatus(code, message, retryAfterSeconds) {
  const w = Writer.create();
  if (code) w.uint32((1 << 3) | 0).int32(code);
  if (message) w.uint32((2 << 3) | 2).string(message);
  if (retryAfterSeconds !== null) {
    const duration = Writer.create().uint32((1 << 3) | 0).int64(retryAfterSeconds).finish();
    const retryInfo = Writer.create().uint32((1 << 3) | 2).bytes(duration).finish();
    const any = Writer.create()
      .uint32((1 << 3) | 2).string('type.googleapis.com/google.rpc.RetryInfo')
      .uint32((2 << 3) | 2).bytes(retryInfo)
      .finish();
    w.uint32((3 << 3) | 2).bytes(any);
  }
  return Buffer.from(w.finish());
}

function exportResponse(reject) {
  const partial = reject ? { partialSuccess: { rejectedSpans: reject, errorMessage: REJECTION_MESSAGE } } : {};
  return ExportTraceServiceResponse.create(partial);
}

// ---- bookkeeping ----

class Stats {
  constructor() {
    this.requests = 0;
    this.spans = 0;
    this.failed_requests = 0;
    this.spans_in_failed_requests = 0;
    this.by_transport = {};
    this.log = [];
  }

  // outcome: {ok, status (HTTP status or gRPC code name), spans, error}
  record(meta, outcome) {
    const t = this.by_transport[meta.transport] ||
      (this.by_transport[meta.transport] = { requests: 0, spans: 0, failed_requests: 0 });
    this.requests += 1;
    t.requests += 1;
    if (outcome.ok) {
      this.spans += outcome.spans;
      t.spans += outcome.spans;
    } else {
      this.failed_requests += 1;
      this.spans_in_failed_requests += outcome.spans;
      t.failed_requests += 1;
    }
    const entry = Object.assign({ time_unix_ms: Date.now(), seq: this.requests }, meta, outcome);
    this.log.push(entry);
    if (this.log.length > MAX_REQUEST_LOG) this.log.shift();
    process.stderr.write(`receiver: ${describeEntry(entry)}\n`);
  }

  summary() {
    const { requests, spans, failed_requests, spans_in_failed_requests, by_transport } = this;
    return { requests, spans, failed_requests, spans_in_failed_requests, by_transport };
  }
}

function describeEntry(e) {
  const headers = Object.entries(e.headers).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`).join('');
  const what = e.ok ? 'accepted' : `failed with ${e.status}${e.error ? ` (${e.error})` : ''}`;
  return `#${e.seq} ${new Date(e.time_unix_ms).toISOString()} ${e.transport} ` +
    `${e.content_encoding} ${what}: ${e.spans} spans user-agent=${JSON.stringify(e.user_agent)}${headers}`;
}

// Everything export requests share: options, fault plan, counters and the span output.
class Receiver {
  constructor(opts) {
    this.opts = opts;
    this.faults = new Faults(opts);
    this.stats = new Stats();
    if (opts.output) fs.writeFileSync(opts.output, '', { flag: 'a' });
    this.write = opts.output
      ? (text) => fs.appendFileSync(opts.output, text)
      : (text) => process.stdout.write(text);
  }

  recordedHeaders(get) {
    const out = {};
    for (const name of this.opts.recordHeaders) {
      const v = get(name);
      if (v !== undefined && v !== null && v !== '') out[name] = v;
    }
    return out;
  }

  // Decides the fate of a decoded request: returns the HTTP status to fail with, or 0 after
  // writing its spans.
  take(msg, meta) {
    const failStatus = this.faults.next();
    if (failStatus) {
      this.stats.record(meta, { ok: false, status: failStatus, spans: countSpans(msg), error: 'injected' });
      return failStatus;
    }
    const lines = spanLines(msg, meta);
    if (lines.length) this.write(lines.join('\n') + '\n');
    this.stats.record(meta, { ok: true, status: 200, spans: lines.length });
    return 0;
  }

  undecodable(meta, error) {
    this.stats.record(meta, { ok: false, status: error.status || 400, spans: 0, error: error.message });
  }
}

// ---- OTLP/HTTP server ----

function replyJson(res, status, value, extraHeaders = {}) {
  const body = JSON.stringify(value);
  res.writeHead(status, Object.assign({ 'Content-Type': 'application/json' }, extraHeaders));
  res.end(body);
}

function replyHttpSuccess(res, transport, reject) {
  const response = exportResponse(reject);
  if (transport === 'http/json') {
    replyJson(res, 200, ExportTraceServiceResponse.toObject(response, { longs: String }));
    return;
  }
  const out = Buffer.from(ExportTraceServiceResponse.encode(response).finish());
  res.writeHead(200, { 'Content-Type': 'application/x-protobuf', 'Content-Length': out.length });
  res.end(out);
}

function replyHttpFailure(res, transport, status, retryAfter) {
  const headers = retryAfter !== null ? { 'Retry-After': String(retryAfter) } : {};
  const message = `injected failure ${status}`;
  const code = grpcCodeForHttpStatus(status);
  if (transport === 'http/json') {
    replyJson(res, status, { code, message }, headers);
    return;
  }
  const out = encodeRpcStatus(code, message, null);
  res.writeHead(status, Object.assign({ 'Content-Type': 'application/x-protobuf' }, headers));
  res.end(out);
}

function handleHttpExport(receiver, req, res, body) {
  const transport = httpTransport(req.headers['content-type']);
  const meta = {
    transport,
    content_encoding: (req.headers['content-encoding'] || 'identity').toLowerCase(),
    user_agent: req.headers['user-agent'] || '',
    headers: receiver.recordedHeaders((name) => req.headers[name]),
  };
  let msg;
  try {
    msg = decode(decompress(body, req.headers['content-encoding']), transport, req.headers['content-type']);
  } catch (e) {
    receiver.undecodable(meta, e);
    res.writeHead(e.status || 400, { 'Content-Type': 'text/plain' });
    res.end(`${e.message}\n`);
    return;
  }
  const failStatus = receiver.take(msg, meta);
  if (failStatus) replyHttpFailure(res, transport, failStatus, receiver.opts.retryAfter);
  else replyHttpSuccess(res, transport, receiver.opts.reject);
}

function handleHttp(receiver, req, res) {
  const path = req.url.split('?')[0];
  if (req.method === 'GET' && path === '/stats') return replyJson(res, 200, receiver.stats.summary());
  if (req.method === 'GET' && path === '/requests') return replyJson(res, 200, receiver.stats.log);
  if (path !== '/v1/traces') {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    return res.end('only /v1/traces, /stats and /requests\n');
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST', 'Content-Type': 'text/plain' });
    return res.end('POST only\n');
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => handleHttpExport(receiver, req, res, Buffer.concat(chunks)));
  return undefined;
}

function startHttp(receiver) {
  const handler = (req, res) => handleHttp(receiver, req, res);
  const tls = receiver.opts.tls;
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler)
    : http.createServer(handler);
  if (tls) {
    // A client that rejects the certificate just goes away: log it, keep serving.
    server.on('tlsClientError', (e) => process.stderr.write(`receiver: TLS handshake failed: ${e.message}\n`));
  }
  server.on('error', (e) => {
    process.stderr.write(`receiver: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(receiver.opts.port, receiver.opts.host, () => {
    process.stdout.write(`receiver listening on ${server.address().port}\n`);
  });
  return server;
}

// ---- OTLP/gRPC server ----

// The TraceService/Export method, described by hand over the generated root.
const TRACE_SERVICE = {
  Export: {
    path: GRPC_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (m) => Buffer.from(ExportTraceServiceRequest.encode(m).finish()),
    requestDeserialize: (b) => ExportTraceServiceRequest.decode(b),
    responseSerialize: (m) => Buffer.from(ExportTraceServiceResponse.encode(m).finish()),
    responseDeserialize: (b) => ExportTraceServiceResponse.decode(b),
    originalName: 'export',
  },
};

const MESSAGE_ENCODING = Symbol('grpc message encoding');

// grpc-js decompresses messages itself and drops grpc-encoding from the metadata. To tell the
// tests whether a message really came compressed, this interceptor notes the encoding grpc-js
// applies to each message (identity when its compressed flag is 0) and tags the decoded
// request with it. It relies on grpc-js 1.13's BaseServerInterceptingCall.decompressMessage;
// without it the encoding reads "unknown".
function messageEncodingInterceptor(methodDescriptor, call) {
  let encoding = 'unknown';
  if (typeof call.decompressMessage === 'function') {
    const decompressMessage = call.decompressMessage.bind(call);
    call.decompressMessage = (message, used) => {
      encoding = used;
      return decompressMessage(message, used);
    };
  }
  const listener = new grpc.ServerListenerBuilder()
    .withOnReceiveMessage((message, next) => {
      if (message && typeof message === 'object') message[MESSAGE_ENCODING] = encoding;
      next(message);
    })
    .build();
  return new grpc.ServerInterceptingCall(call, { start: (next) => next(listener) });
}

function firstMetadata(metadata, key) {
  const values = metadata.get(key);
  return values.length ? String(values[0]) : undefined;
}

function grpcFailure(receiver, status) {
  const opts = receiver.opts;
  const code = opts.grpcFailCode !== null ? opts.grpcFailCode : grpcCodeForHttpStatus(status);
  const details = `injected failure ${status}`;
  const metadata = new grpc.Metadata();
  if (opts.retryAfter !== null) {
    metadata.set('grpc-status-details-bin', encodeRpcStatus(code, details, opts.retryAfter));
  }
  return { code, details, metadata };
}

function handleGrpcExport(receiver, call, callback) {
  const meta = {
    transport: 'grpc',
    content_encoding: call.request[MESSAGE_ENCODING] || 'unknown',
    user_agent: firstMetadata(call.metadata, 'user-agent') || '',
    headers: receiver.recordedHeaders((name) => firstMetadata(call.metadata, name)),
  };
  const failStatus = receiver.take(call.request, meta);
  if (failStatus) callback(grpcFailure(receiver, failStatus));
  else callback(null, exportResponse(receiver.opts.reject));
}

function startGrpc(receiver) {
  const server = new grpc.Server({ interceptors: [messageEncodingInterceptor] });
  server.addService(TRACE_SERVICE, {
    Export: (call, callback) => handleGrpcExport(receiver, call, callback),
  });
  const address = `${receiver.opts.host}:${receiver.opts.grpcPort}`;
  const tls = receiver.opts.tls;
  const credentials = tls
    ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }], false)
    : grpc.ServerCredentials.createInsecure();
  server.bindAsync(address, credentials, (err, port) => {
    if (err) {
      process.stderr.write(`receiver: gRPC bind ${address}: ${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`receiver grpc listening on ${port}\n`);
  });
  return server;
}

// ---- main ----

function main() {
  const receiver = new Receiver(parseArgs(process.argv.slice(2)));
  const httpServer = startHttp(receiver);
  const grpcServer = receiver.opts.grpcPort !== null ? startGrpc(receiver) : null;
  const stop = () => {
    if (grpcServer) grpcServer.forceShutdown();
    httpServer.close(() => process.exit(0));
    httpServer.closeAllConnections();  // keep-alive clients would hold close() open
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main();
