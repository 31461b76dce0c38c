"""Real unmodified servers traced by the real agent (JSON lines exporter)."""

import secrets
import unittest

from harness import (E2ETestCase, JavaServer, NginxServer, NodeServer, PythonHttpServer, attr,
                     curl, describe, duration_ms, from_pids, of_kind)


class ServerSpansTest(E2ETestCase):

    def assert_http_spans(self, spans, expected, kind, port=None):
        """expected: list of (path, status) in request order; spans must match one to one."""
        got = sorted((attr(s, 'url.path'), attr(s, 'http.response.status_code')) for s in spans)
        self.assertEqual(got, sorted(expected), describe(spans))
        for s in spans:
            self.assertEqual(s['kind'], kind, describe([s]))
            self.assertEqual(attr(s, 'http.request.method'), 'GET', describe([s]))
            self.assertTrue(s['name'].startswith('GET /'), s['name'])
            self.assertRegex(s['trace_id'], r'^[0-9a-f]{32}$')
            self.assertRegex(s['span_id'], r'^[0-9a-f]{16}$')
            self.assertNotEqual(s['trace_id'], '0' * 32)
            self.assertLessEqual(int(s['start_time_unix_nano']), int(s['end_time_unix_nano']))
            if port is not None:
                self.assertEqual(int(attr(s, 'server.port', -1)), port, describe([s]))

    def test_python_http_server_gives_one_server_and_one_client_span_per_request(self):
        server = PythonHttpServer(self, self.work)
        agent = self.start_agent()
        requests = [('/hello.txt', 200), ('/missing.txt', 404), ('/hello.txt', 200),
                    ('/hello.txt', 200), ('/nope/missing.txt', 404)]
        result = curl([server.url(p) for p, _ in requests])
        self.assertEqual(result.codes, [code for _, code in requests])
        spans = agent.spans()

        server_spans = from_pids(spans, server.pids)
        self.assertEqual(len(of_kind(server_spans, 'SERVER')), len(server_spans),
                         'server process made non-SERVER spans: ' + describe(server_spans))
        self.assert_http_spans(server_spans, requests, 'SERVER', port=server.port)
        client_spans = from_pids(spans, result.pid)
        self.assert_http_spans(client_spans, requests, 'CLIENT', port=server.port)
        self.assertEqual(server_spans[0]['resource'].get('process.pid'), server.pid)

    def test_node_keepalive_connection_with_20_requests_gives_20_spans(self):
        server = NodeServer(self, self.work)
        agent = self.start_agent()
        requests = [(f'/users/{i}', 200) for i in range(1, 21)]
        result = curl([server.url(p) for p, _ in requests])
        self.assertEqual(result.codes, [200] * 20)
        self.assertEqual(result.connects, 1, 'curl did not reuse one connection for 20 requests')
        spans = agent.spans()

        server_spans = from_pids(spans, server.pids)
        self.assert_http_spans(server_spans, requests, 'SERVER', port=server.port)
        for s in server_spans:
            self.assertEqual(s['name'], 'GET /users/{id}')
            self.assertEqual(s['status'], 'UNSET', describe([s]))
        self.assertEqual(len({s['span_id'] for s in server_spans}), 20, 'span ids repeat')
        client_spans = from_pids(spans, result.pid)
        self.assert_http_spans(client_spans, requests, 'CLIENT', port=server.port)

    def test_node_server_error_and_not_found_statuses(self):
        server = NodeServer(self, self.work)
        agent = self.start_agent()
        requests = [('/', 200), ('/error', 500), ('/no/such/thing', 404)]
        result = curl([server.url(p) for p, _ in requests])
        self.assertEqual(result.codes, [200, 500, 404])
        spans = agent.spans()

        server_spans = from_pids(spans, server.pids)
        self.assert_http_spans(server_spans, requests, 'SERVER')
        by_path = {attr(s, 'url.path'): s for s in server_spans}
        # OpenTelemetry HTTP semantic conventions: a server marks only 5xx as errors.
        self.assertEqual(by_path['/error']['status'], 'ERROR', describe([by_path['/error']]))
        self.assertNotEqual(by_path['/no/such/thing']['status'], 'ERROR')
        self.assertNotEqual(by_path['/']['status'], 'ERROR')
        # ... while a client marks 4xx and 5xx alike.
        client_spans = from_pids(spans, result.pid)
        self.assert_http_spans(client_spans, requests, 'CLIENT')
        client_by_path = {attr(s, 'url.path'): s for s in client_spans}
        self.assertEqual(client_by_path['/error']['status'], 'ERROR')
        self.assertEqual(client_by_path['/no/such/thing']['status'], 'ERROR')
        self.assertNotEqual(client_by_path['/']['status'], 'ERROR')

    def test_nginx_static_file_and_404(self):
        server = NginxServer(self, self.work)
        agent = self.start_agent()
        requests = [('/index.html', 200), ('/index.html', 200), ('/absent.html', 404)]
        result = curl([server.url(p) for p, _ in requests])
        self.assertEqual(result.codes, [200, 200, 404])
        spans = agent.spans()

        server_spans = from_pids(spans, server.pids)
        self.assert_http_spans(server_spans, requests, 'SERVER', port=server.port)
        self.assertEqual(server.access_log_count(), 3)
        self.assert_http_spans(from_pids(spans, result.pid), requests, 'CLIENT', port=server.port)

    def test_java_httpserver(self):
        server = JavaServer(self, self.work)
        agent = self.start_agent()
        requests = [('/hello', 200), ('/users/41', 200), ('/users/42', 200), ('/nothing', 404)]
        result = curl([server.url(p) for p, _ in requests])
        self.assertEqual(result.codes, [200, 200, 200, 404])
        spans = agent.spans()

        server_spans = from_pids(spans, server.pids)
        self.assert_http_spans(server_spans, requests, 'SERVER', port=server.port)
        names = sorted(s['name'] for s in server_spans)
        self.assertEqual(names.count('GET /users/{id}'), 2, names)
        client_spans = from_pids(spans, result.pid)
        self.assert_http_spans(client_spans, requests, 'CLIENT', port=server.port)
        # Java listens on a dual-stack IPv6 socket: curl's IPv4 address arrives v4-mapped, and
        # the two ends still join (same-host peer link, by address and TCP sequence number).
        self.assertEqual({attr(s, 'client.address') for s in server_spans}, {'127.0.0.1'},
                         describe(server_spans))
        client_ids = {s['span_id'] for s in client_spans}
        self.assertEqual([s['parent_span_id'] in client_ids for s in server_spans],
                         [True] * len(server_spans), describe(spans))

    def test_server_span_of_200ms_handler_lasts_200_to_210ms(self):
        server = NodeServer(self, self.work)
        # Warm node's JIT for this route before tracing starts, so the span measures the
        # 200 ms timer rather than first-call compilation.
        curl([server.url('/sleep')])
        agent = self.start_agent()
        result = curl([server.url('/sleep')])
        self.assertEqual(result.codes, [200])
        spans = agent.spans()

        server_spans = of_kind(from_pids(spans, server.pids), 'SERVER')
        self.assertEqual(len(server_spans), 1, describe(spans))
        d = duration_ms(server_spans[0])
        self.assertGreaterEqual(d, 200.0, f'server span {d:.3f} ms for a 200 ms handler')
        self.assertLessEqual(d, 210.0, f'server span {d:.3f} ms for a 200 ms handler')
        self.assertAlmostEqual(server_spans[0]['duration_ms'], d, delta=0.01)
        client_spans = of_kind(from_pids(spans, result.pid), 'CLIENT')
        self.assertEqual(len(client_spans), 1, describe(spans))
        self.assertGreaterEqual(duration_ms(client_spans[0]), d,
                                'client span shorter than the server span it waited for')

    def test_incoming_traceparent_sets_trace_id_and_parent(self):
        server = PythonHttpServer(self, self.work)
        agent = self.start_agent()
        trace_id = secrets.token_hex(16)
        parent_id = secrets.token_hex(8)
        result = curl([server.url('/hello.txt')],
                      headers=[f'traceparent: 00-{trace_id}-{parent_id}-01'])
        self.assertEqual(result.codes, [200])
        spans = agent.spans()

        server_spans = of_kind(from_pids(spans, server.pids), 'SERVER')
        self.assertEqual(len(server_spans), 1, describe(spans))
        s = server_spans[0]
        self.assertEqual(s['trace_id'], trace_id)
        self.assertEqual(s['parent_span_id'], parent_id)
        self.assertRegex(s['span_id'], r'^[0-9a-f]{16}$')
        self.assertNotEqual(s['span_id'], parent_id)


if __name__ == '__main__':
    unittest.main()
