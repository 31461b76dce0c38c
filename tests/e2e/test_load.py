"""Load: every request nginx serves under wrk becomes a span."""

import collections
import shutil
import unittest

from harness import E2ETestCase, NginxServer, attr, from_pids, of_kind, skip_or_fail, wrk

# Until the agent's drop counters are checked here, allow 1 % loss.
MIN_CAPTURE_RATIO = 0.99


class LoadTest(E2ETestCase):

    def test_wrk_against_nginx_server_spans_match_access_log(self):
        if shutil.which('wrk') is None:
            skip_or_fail(self, 'wrk not installed (run scripts/install-deps.sh)')
        server = NginxServer(self, self.work)
        agent = self.start_agent()
        wrk_pid, wrk_total, out = wrk(server.url('/index.html'), threads=1, connections=4,
                                      duration='2s')
        spans = agent.spans()
        logged = server.access_log_count()
        self.assertGreater(logged, 100, f'nginx served too few requests to judge:\n{out}')

        server_spans = of_kind(from_pids(spans, server.pids), 'SERVER')
        summary = (f'nginx logged {logged}, wrk counted {wrk_total}, agent made '
                   f'{len(server_spans)} SERVER spans for nginx '
                   f'({len(server_spans) / logged:.4%}); agent stderr tail:\n'
                   + agent.stderr()[-2000:])
        self.assertGreaterEqual(len(server_spans), MIN_CAPTURE_RATIO * logged, summary)
        self.assertLessEqual(len(server_spans), logged, 'more spans than requests: ' + summary)
        names = collections.Counter(s['name'] for s in server_spans)
        self.assertEqual(set(names), {'GET /index.html'}, names)
        statuses = collections.Counter(attr(s, 'http.response.status_code') for s in server_spans)
        self.assertEqual(set(statuses), {200}, statuses)
        self.assertEqual(len({s['span_id'] for s in server_spans}), len(server_spans),
                         'span ids repeat')

        client_spans = of_kind(from_pids(spans, wrk_pid), 'CLIENT')
        self.assertGreaterEqual(len(client_spans), MIN_CAPTURE_RATIO * wrk_total,
                                f'wrk counted {wrk_total} responses, agent made '
                                f'{len(client_spans)} CLIENT spans for wrk')


if __name__ == '__main__':
    unittest.main()
