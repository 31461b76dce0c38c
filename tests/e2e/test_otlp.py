"""The agent's OTLP/HTTP export, decoded by an independent receiver (OpenTelemetry JS's own
generated protobuf code), and the agent not tracing itself."""

import re
import signal
import time
import unittest

from harness import (KIND_CLIENT, KIND_SERVER, STATUS_ERROR, E2ETestCase, NodeServer,
                     OtlpReceiver, attr, curl, describe, exit_counters, from_pids, of_kind,
                     span_pid)

HEX32 = re.compile(r'^[0-9a-f]{32}$')
HEX16 = re.compile(r'^[0-9a-f]{16}$')


class OtlpExportTest(E2ETestCase):

    def start_otlp_agent(self, receiver, args=()):
        # No --output: the OTLP endpoint variable alone must select the OTLP exporter.
        return self.start_agent(output=None, args=args, env={
            'OTEL_EXPORTER_OTLP_ENDPOINT': receiver.endpoint,
            'OTEL_BSP_SCHEDULE_DELAY': '200',
        })

    def test_spans_reach_an_independent_otlp_receiver_while_the_agent_runs(self):
        receiver = OtlpReceiver(self, self.work)
        server = NodeServer(self, self.work)
        agent = self.start_otlp_agent(receiver)
        requests = [('/users/7', 200), ('/users/8', 200), ('/missing', 404), ('/error', 500)]
        result = curl([server.url(p) for p, _ in requests])
        self.assertEqual(result.codes, [200, 200, 404, 500])

        def complete(spans):
            return (len(of_kind(from_pids(spans, server.pids), KIND_SERVER)) >= 4 and
                    len(of_kind(from_pids(spans, result.pid), KIND_CLIENT)) >= 4)
        # Batches go out every 200 ms: they must arrive before the agent is stopped.
        spans = receiver.wait_for(complete, timeout=10)
        self.assertTrue(complete(spans), 'spans not exported within 10 s while running: '
                        + describe(spans))
        agent.stop()
        spans = receiver.spans()

        server_spans = from_pids(spans, server.pids)
        client_spans = from_pids(spans, result.pid)
        self.assertEqual(len(server_spans), 4, describe(server_spans))
        self.assertEqual(len(client_spans), 4, describe(client_spans))
        self.assertEqual({s['kind'] for s in server_spans}, {KIND_SERVER})
        self.assertEqual({s['kind'] for s in client_spans}, {KIND_CLIENT})
        for group in (server_spans, client_spans):
            got = sorted((attr(s, 'url.path'), attr(s, 'http.response.status_code'))
                         for s in group)
            self.assertEqual(got, sorted(requests), describe(group))
        for s in server_spans + client_spans:
            self.assertRegex(s['trace_id'], HEX32)
            self.assertRegex(s['span_id'], HEX16)
            self.assertNotEqual(s['trace_id'], '0' * 32)
            self.assertTrue(s['parent_span_id'] == '' or HEX16.match(s['parent_span_id']))
            self.assertIsInstance(attr(s, 'http.response.status_code'), int)
            self.assertEqual(attr(s, 'http.request.method'), 'GET')
            self.assertLess(int(s['start_time_unix_nano']), int(s['end_time_unix_nano']))
            self.assertTrue(s['resource'].get('service.name'), s['resource'])
        by_path = {attr(s, 'url.path'): s for s in server_spans}
        self.assertEqual(by_path['/users/7']['name'], 'GET /users/{id}')
        self.assertEqual(by_path['/error']['status_code'], STATUS_ERROR)
        self.assertNotEqual(by_path['/missing']['status_code'], STATUS_ERROR)
        self.assertEqual(span_pid(server_spans[0]), server.pid)

    def test_sigterm_flushes_queued_spans_before_exiting(self):
        receiver = OtlpReceiver(self, self.work)
        server = NodeServer(self, self.work)
        # Nothing would go out for a minute: only the shutdown flush can deliver these spans.
        # Only the server's port is traced, so the host's other traffic cannot fill a batch.
        agent = self.start_agent(output=None, args=['--port', str(server.port)], env={
            'OTEL_EXPORTER_OTLP_ENDPOINT': receiver.endpoint,
            'OTEL_BSP_SCHEDULE_DELAY': '60000',
        })
        curl([server.url(f'/users/{i}') for i in range(5)])
        time.sleep(1)
        early = from_pids(receiver.spans(), server.pids)  # the host's other traffic may fill a batch
        self.assertEqual(early, [], 'exported before the schedule delay')
        counters = exit_counters(agent, sig=signal.SIGTERM)
        server_spans = of_kind(from_pids(receiver.spans(), server.pids), KIND_SERVER)
        self.assertEqual(len(server_spans), 5, describe(receiver.spans()))
        self.assertEqual(counters['exported'], counters['spans'], counters)
        self.assertEqual(counters['dropped'] + counters['failed'], 0, counters)

    def test_agent_does_not_trace_its_own_export_requests(self):
        receiver = OtlpReceiver(self, self.work)
        server = NodeServer(self, self.work)
        agent = self.start_otlp_agent(receiver)
        # Several export rounds: each would make new spans if the agent traced itself.
        for i in range(3):
            curl([server.url(f'/users/{i}')])
            receiver.wait_for(lambda spans, n=i + 1: len(
                of_kind(from_pids(spans, server.pids), KIND_SERVER)) >= n, timeout=5)
        agent.stop()
        spans = receiver.spans()

        own = from_pids(spans, agent.pid)
        self.assertEqual(own, [], 'agent traced itself: ' + describe(own))
        exports = [s for s in spans if attr(s, 'url.path') == '/v1/traces'
                   and s['kind'] == KIND_CLIENT]
        self.assertEqual(exports, [], 'agent traced its own OTLP export: ' + describe(exports))
        self.assertEqual(len(of_kind(from_pids(spans, server.pids), KIND_SERVER)), 3,
                         describe(spans))


if __name__ == '__main__':
    unittest.main()
