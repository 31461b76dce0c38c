"""Programs started after the agent are traced within a second of their start.

The agent hears of each exec (sched_process_exec) and looks at the new program about 50 ms and
1 s later: OpenSSL linked into its executable, or a libssl it maps that no probe covers yet,
gets its probes then. Each test starts the agent first, then the server, and makes its first
request one second after the server's exec: that request must give spans."""

import os
import shutil
import subprocess
import time

from harness import (PYTHON, SERVERS_DIR, E2ETestCase, attr, curl, describe, free_port,
                     from_pids, make_self_signed_cert, require_tool, stop_process, tail,
                     wait_for_port)

TRACED_WITHIN_S = 1.0


class LateStartTest(E2ETestCase):

    def setUp(self):
        super().setUp()
        self.cert, self.key = make_self_signed_cert(self.work, self)

    def start_late(self, cmd, port, env=None):
        """Starts cmd after the agent; returns (process, exec time)."""
        log = open(self.work.file(f'late-{port}.log'), 'w')
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=dict(os.environ, **(env or {})))
        self.addCleanup(log.close)
        self.addCleanup(lambda: proc.poll() is None and stop_process(proc))
        wait_for_port(port, proc, 30.0, what=cmd[0])
        return proc, started

    def first_request_after(self, started, url):
        """One curl -k at exec time + TRACED_WITHIN_S (or at once if the server was slower to
        listen); returns the curl result."""
        delay = started + TRACED_WITHIN_S - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return curl([url], insecure=True)

    def assert_traced(self, spans, server_pid, port, path):
        server_spans = from_pids(spans, {server_pid})
        self.assertEqual([(attr(s, 'url.path'), attr(s, 'url.scheme'), s['kind'])
                          for s in server_spans], [(path, 'https', 'SERVER')],
                         describe(spans))

    def test_python_https_server_started_after_the_agent(self):
        agent = self.start_agent()
        root = self.work.file('www-late')
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, 'late.txt'), 'w') as f:
            f.write('late\n')
        port = free_port()
        proc, started = self.start_late([PYTHON, os.path.join(SERVERS_DIR, 'https_server.py'),
                                         str(port), self.cert, self.key, root], port)
        result = self.first_request_after(started, f'https://127.0.0.1:{port}/late.txt')
        self.assertEqual(result.codes, [200])
        self.assert_traced(agent.spans(), proc.pid, port, '/late.txt')

    def test_node_binary_never_seen_before_is_probed_after_its_exec(self):
        """A copy of node (a new file: no probe covers its built-in OpenSSL until the agent
        looks at the new program) started after the agent."""
        require_tool(self, 'node')
        node_copy = self.work.file('node-started-late')
        shutil.copy2(shutil.which('node'), node_copy)
        agent = self.start_agent()
        port = free_port()
        proc, started = self.start_late(
            [node_copy, os.path.join(SERVERS_DIR, 'node_server.js'), str(port)], port,
            env={'ZT_TLS_CERT': self.cert, 'ZT_TLS_KEY': self.key})
        result = self.first_request_after(started, f'https://127.0.0.1:{port}/users/9')
        self.assertEqual(result.codes, [200])
        spans = agent.spans()
        self.assert_traced(spans, proc.pid, port, '/users/9')
        self.assertIn('OpenSSL probed in 1 more file', agent.stderr(), tail(agent.stderr_path))
