// The OpenTelemetry JS SDK, as a service owner would add it: code-based, configured here
// rather than through OTEL_* variables, instrumenting Node's http module (server and client,
// W3C traceparent propagation). Load it before the program:
//
//   node --require /path/to/tests/sdk-peer/register.js app.js
//
// Where the SDK's spans go:
//   ZT_SDK_SPANS_FILE=PATH      one JSON line per ended span, appended synchronously (the
//                               trace-linking tests read them next to zerotrace's)
//   ZT_SDK_OTLP_ENDPOINT=URL    OTLP/HTTP protobuf to URL (e.g. http://127.0.0.1:4318/v1/traces)
//                               through a batch span processor, as in production
// ZT_SDK_SERVICE_NAME names the service (default: the script's base name).
'use strict';
const fs = require('fs');
const path = require('path');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { BatchSpanProcessor, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { ExportResultCode } = require('@opentelemetry/core');

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

// The request path of an http span under either semantic-convention generation.
function urlPath(attributes) {
  if (attributes['url.path']) return String(attributes['url.path']);
  if (attributes['http.target']) return String(attributes['http.target']).split('?')[0];
  if (attributes['http.url']) {
    try { return new URL(String(attributes['http.url'])).pathname; } catch (e) { return ''; }
  }
  return '';
}

// Writes spans in the shape zerotrace's JSON lines use (ids in hex, kind by name, a flat
// resource), so a test can judge both sources' spans together.
class JsonLinesFileExporter {
  constructor(file) { this.fd = fs.openSync(file, 'a'); }
  export(spans, done) {
    try {
      const lines = spans.map((s) => {
        const ctx = s.spanContext();
        return JSON.stringify({
          source: 'otel-js-sdk',
          trace_id: ctx.traceId,
          span_id: ctx.spanId,
          parent_span_id: (s.parentSpanContext && s.parentSpanContext.spanId) || '',
          kind: KINDS[s.kind] || String(s.kind),
          name: s.name,
          attributes: Object.assign({}, s.attributes, { 'url.path': urlPath(s.attributes) }),
          resource: { 'process.pid': process.pid, 'service.name': serviceName },
        }) + '\n';
      });
      fs.writeSync(this.fd, lines.join(''));
      done({ code: ExportResultCode.SUCCESS });
    } catch (e) {
      done({ code: ExportResultCode.FAILED, error: e });
    }
  }
  shutdown() { fs.closeSync(this.fd); return Promise.resolve(); }
  forceFlush() { return Promise.resolve(); }
}

const serviceName = process.env.ZT_SDK_SERVICE_NAME ||
  path.basename(process.argv[1] || 'node', '.js');
const processors = [];
if (process.env.ZT_SDK_SPANS_FILE) {
  processors.push(new SimpleSpanProcessor(new JsonLinesFileExporter(process.env.ZT_SDK_SPANS_FILE)));
}
if (process.env.ZT_SDK_OTLP_ENDPOINT) {
  processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: process.env.ZT_SDK_OTLP_ENDPOINT })));
}

const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': serviceName }),
  spanProcessors: processors,
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    sdk.shutdown().finally(() => process.exit(0));
  });
}
