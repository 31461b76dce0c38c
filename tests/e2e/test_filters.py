"""--pid, --port and --exe limit what the agent reports."""

import unittest

from harness import E2ETestCase, NodeServer, PythonHttpServer, attr, curl, describe, from_pids, of_kind, span_pid


class FilterTest(E2ETestCase):

    def test_pid_flag_limits_spans_to_that_process(self):
        traced = PythonHttpServer(self, self.work)
        other = NodeServer(self, self.work)
        agent = self.start_agent(args=['--pid', str(traced.pid)])
        a = curl([traced.url('/hello.txt'), traced.url('/missing.txt')])
        b = curl([other.url('/'), other.url('/users/1')])
        self.assertEqual(a.codes + b.codes, [200, 404, 200, 200])
        spans = agent.spans()

        self.assertEqual({span_pid(s) for s in spans}, {traced.pid}, describe(spans))
        server_spans = of_kind(spans, 'SERVER')
        self.assertEqual(sorted(attr(s, 'http.response.status_code') for s in server_spans),
                         [200, 404], describe(spans))
        self.assertEqual(len(spans), 2, describe(spans))

    def test_port_flag_limits_spans_to_that_port(self):
        traced = NodeServer(self, self.work)
        other = PythonHttpServer(self, self.work)
        agent = self.start_agent(args=['--port', str(traced.port)])
        a = curl([traced.url('/users/1'), traced.url('/users/2')])
        b = curl([other.url('/hello.txt')])
        self.assertEqual(a.codes + b.codes, [200, 200, 200])
        spans = agent.spans()

        self.assertEqual(from_pids(spans, other.pids), [], describe(spans))
        self.assertEqual(from_pids(spans, b.pid), [], describe(spans))
        for s in spans:
            self.assertEqual(int(attr(s, 'server.port', -1)), traced.port, describe([s]))
        self.assertEqual(len(of_kind(from_pids(spans, traced.pids), 'SERVER')), 2,
                         describe(spans))

    def test_exe_flag_limits_spans_to_matching_executables(self):
        traced = NodeServer(self, self.work)
        other = PythonHttpServer(self, self.work)
        agent = self.start_agent(args=['--exe', '/node$'])
        a = curl([traced.url('/users/1'), traced.url('/error')])
        b = curl([other.url('/hello.txt')])
        self.assertEqual(a.codes + b.codes, [200, 500, 200])
        spans = agent.spans()

        # node is /usr/bin/node; curl and python3 don't match. (Other node processes on the
        # host may match too, so only these three are checked.)
        self.assertEqual(from_pids(spans, [a.pid, b.pid]), [], describe(spans))
        self.assertEqual(from_pids(spans, other.pids), [], describe(spans))
        mine = from_pids(spans, traced.pids)
        self.assertEqual(sorted(attr(s, 'http.response.status_code') for s in mine), [200, 500],
                         describe(spans))


if __name__ == '__main__':
    unittest.main()
