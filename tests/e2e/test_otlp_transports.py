"""OTLP export over every transport the agent offers: OTLP/HTTP with a protobuf or JSON body and
OTLP/gRPC, each plain and gzip-compressed. The same traffic must decode, in an independent
receiver (OpenTelemetry JS's own generated protobuf code), to the same spans over each one, and
arrive over the transport and encoding that was asked for. OTEL_EXPORTER_OTLP_HEADERS,
OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES must reach the receiver too."""

import signal
import unittest

from harness import (KIND_CLIENT, KIND_SERVER, E2ETestCase, NodeServer, OtlpReceiver, attr,
                     curl, describe, from_pids, of_kind, stop_process)

# (label, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_EXPORTER_OTLP_COMPRESSION or None,
#  the receiver's "transport" and "content_encoding" for each span line)
TRANSPORTS = [
    ('http/protobuf', 'http/protobuf', None, 'http/protobuf', 'identity'),
    ('http/protobuf+gzip', 'http/protobuf', 'gzip', 'http/protobuf', 'gzip'),
    ('http/json', 'http/json', None, 'http/json', 'identity'),
    ('http/json+gzip', 'http/json', 'gzip', 'http/json', 'gzip'),
    ('grpc', 'grpc', None, 'grpc', 'identity'),
    ('grpc+gzip', 'grpc', 'gzip', 'grpc', 'gzip'),
]

REQUESTS = [('/users/1', 200), ('/users/2', 200), ('/missing', 404), ('/error', 500)]
TEST_HEADER, TEST_TOKEN = 'x-test-token', 'abc'
SERVICE_NAME = 'checkout'
ENVIRONMENT = 'test'


def normalised(span):
    """What must not depend on the transport: no ids, times or pids."""
    return (span['kind'], span['name'], attr(span, 'url.path'),
            attr(span, 'http.response.status_code'), attr(span, 'http.request.method'),
            span['resource'].get('service.name'))


class OtlpTransportTest(E2ETestCase):

    def start_agent_for(self, receiver, protocol, compression):
        grpc = protocol == 'grpc'
        env = {
            'OTEL_EXPORTER_OTLP_ENDPOINT': receiver.grpc_endpoint if grpc else receiver.endpoint,
            'OTEL_EXPORTER_OTLP_PROTOCOL': protocol,
            'OTEL_EXPORTER_OTLP_HEADERS': f'{TEST_HEADER}={TEST_TOKEN}',
            'OTEL_SERVICE_NAME': SERVICE_NAME,
            'OTEL_RESOURCE_ATTRIBUTES': f'deployment.environment={ENVIRONMENT}',
            'OTEL_BSP_SCHEDULE_DELAY': '200',
        }
        if compression:
            env['OTEL_EXPORTER_OTLP_COMPRESSION'] = compression
        return self.start_agent(output=None, env=env)

    def export_traffic(self, server, protocol, compression):
        """Fresh receiver and agent; the same requests; returns (all span lines, traced ones)."""
        receiver = OtlpReceiver(self, self.work, grpc=protocol == 'grpc')
        agent = self.start_agent_for(receiver, protocol, compression)
        try:
            return self.traced_spans(server, receiver, agent)
        finally:
            # A failed subTest must not leave its agent tracing the next one's traffic.
            stop_process(agent.proc, signal.SIGINT, timeout=20)
            receiver.stop()

    def traced_spans(self, server, receiver, agent):
        result = curl([server.url(path) for path, _ in REQUESTS])
        self.assertEqual(result.codes, [code for _, code in REQUESTS])

        def complete(spans):
            return (len(of_kind(from_pids(spans, server.pids), KIND_SERVER)) >= len(REQUESTS) and
                    len(of_kind(from_pids(spans, result.pid), KIND_CLIENT)) >= len(REQUESTS))
        spans = receiver.wait_for(complete, timeout=30)
        self.assertTrue(complete(spans), 'spans not exported within 30 s: ' + describe(spans)
                        + '\nreceiver log:\n' + receiver.log()[-3000:])
        agent.stop()
        spans = receiver.spans()
        traced = from_pids(spans, server.pids) + from_pids(spans, result.pid)
        return spans, traced

    def check_request_facts(self, spans, transport, encoding):
        """Every line came over the expected transport, with the header and resource asked for."""
        for s in spans:
            where = f'span {s["name"]!r} of pid {s["resource"].get("process.pid")}'
            self.assertEqual(s['transport'], transport, where)
            self.assertEqual(s['content_encoding'], encoding, where)
            self.assertEqual(s['request_headers'].get(TEST_HEADER), TEST_TOKEN,
                             f'{where}: OTEL_EXPORTER_OTLP_HEADERS not sent')
            self.assertEqual(s['resource'].get('service.name'), SERVICE_NAME, where)
            self.assertEqual(s['resource'].get('deployment.environment'), ENVIRONMENT, where)
            # The agent knows its own exports by this User-Agent.
            self.assertTrue(s['user_agent'].startswith('zerotrace/'), f'{where}: {s["user_agent"]}')

    def check_traffic(self, traced):
        self.assertEqual(len(traced), 2 * len(REQUESTS), describe(traced))
        for kind in (KIND_SERVER, KIND_CLIENT):
            got = sorted((attr(s, 'url.path'), attr(s, 'http.response.status_code'))
                         for s in of_kind(traced, kind))
            self.assertEqual(got, sorted(REQUESTS), describe(traced))

    def test_every_transport_delivers_the_same_spans(self):
        server = NodeServer(self, self.work)
        views = {}
        for label, protocol, compression, transport, encoding in TRANSPORTS:
            with self.subTest(transport=label):
                spans, traced = self.export_traffic(server, protocol, compression)
                self.check_request_facts(spans, transport, encoding)
                self.check_traffic(traced)
                views[label] = sorted(normalised(s) for s in traced)
        self.assertTrue(views, 'no transport delivered spans')
        reference_label, reference = next(iter(views.items()))
        for label, view in views.items():
            self.assertEqual(view, reference,
                             f'{label} decodes differently from {reference_label}')
        self.assertEqual(len(views), len(TRANSPORTS), f'only {sorted(views)} delivered')


if __name__ == '__main__':
    unittest.main()
