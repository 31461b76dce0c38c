"""The agent's own endpoints as a kubelet or Prometheus meets them: /readyz 200 once the probes
are attached and 503 while the agent shuts down, /healthz 200 while it runs, /metrics in
Prometheus text format counting the spans a real server's requests produced and listing every
attached probe; a second agent on an address already taken stops with one line and exit code 2,
while the default address only warns; OTEL_SDK_DISABLED still answers; --stats-file leaves the
final /metrics text behind at exit."""

import os
import signal
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from harness import (AGENT, E2ETestCase, PythonHttpServer, curl, describe, free_port,
                     from_pids, of_kind, stop_process, tail)

# No proxy from the environment: the endpoints are on this host.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(port, path, timeout=5):
    """(status, content type, body) of GET http://127.0.0.1:port/path; 4xx and 5xx included."""
    try:
        with _OPENER.open(f'http://127.0.0.1:{port}{path}', timeout=timeout) as response:
            return response.status, response.headers.get('Content-Type', ''), response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get('Content-Type', ''), e.read().decode()


def metric(text, name, **labels):
    """The value of one sample in Prometheus text, or None when absent."""
    key = name
    if labels:
        key += '{' + ','.join(f'{k}="{v}"' for k, v in labels.items()) + '}'
    for line in text.splitlines():
        if line.startswith('#'):
            continue
        sample, _, value = line.rpartition(' ')
        if sample == key:
            return int(value)
    return None


def samples(text, name):
    """{label text: value} of every sample of one family."""
    out = {}
    for line in text.splitlines():
        if line.startswith(name + '{'):
            sample, _, value = line.rpartition(' ')
            out[sample[len(name):]] = int(value)
    return out


class TelemetryTest(E2ETestCase):

    def wait_for_metric(self, port, name, predicate, timeout=15):
        """Polls /metrics until predicate(value of name) holds; returns the last text."""
        deadline = time.monotonic() + timeout
        while True:
            _, _, text = fetch(port, '/metrics')
            value = metric(text, name)
            if (value is not None and predicate(value)) or time.monotonic() > deadline:
                return text
            time.sleep(0.1)

    def test_endpoints_report_readiness_health_spans_and_probes(self):
        server = PythonHttpServer(self, self.work)
        port = free_port()
        # Only the server's port is traced, so the test's own scrapes make no spans.
        agent = self.start_agent(args=['--telemetry-address', f'127.0.0.1:{port}',
                                       '--port', str(server.port)])
        self.assertIn(f'health and metrics at http://127.0.0.1:{port}/', agent.stderr())

        self.assertEqual(fetch(port, '/readyz')[::2], (200, 'ready\n'))
        self.assertEqual(fetch(port, '/healthz')[::2], (200, 'ok\n'))
        status, content_type, text = fetch(port, '/metrics')
        self.assertEqual(status, 200)
        self.assertTrue(content_type.startswith('text/plain; version=0.0.4'), content_type)
        self.assertIn('# TYPE zerotrace_spans_built_total counter\n', text)
        self.assertEqual(metric(text, 'zerotrace_ready'), 1, text)
        built_before = metric(text, 'zerotrace_spans_built_total')
        self.assertIsNotNone(built_before, text)

        # Every syscall tracepoint attached; no injection asked for, so nothing else listed.
        probes = samples(text, 'zerotrace_probe_attached')
        self.assertIn('{program="tp_enter_write"}', probes, text)
        self.assertIn('{program="tp_exit_write"}', probes, text)
        self.assertIn('{program="tp_exit_accept4"}', probes, text)
        self.assertGreaterEqual(len(probes), 10, probes)
        self.assertEqual(set(probes.values()), {1}, probes)

        result = curl([server.url('/hello.txt')] * 3 + [server.url('/missing.txt')] * 2)
        self.assertEqual(result.codes, [200, 200, 200, 404, 404])
        expected = built_before + 2 * len(result.codes)  # curl's CLIENT span, python's SERVER span
        text = self.wait_for_metric(port, 'zerotrace_spans_built_total', lambda v: v >= expected)
        time.sleep(0.5)  # anything extra would show up by now
        _, _, text = fetch(port, '/metrics')
        self.assertEqual(metric(text, 'zerotrace_spans_built_total'), expected, text)
        # The JSON sink writes at once: exported catches up with built.
        text = self.wait_for_metric(port, 'zerotrace_spans_exported_total', lambda v: v >= expected)
        self.assertEqual(metric(text, 'zerotrace_spans_exported_total'), expected, text)
        self.assertGreaterEqual(metric(text, 'zerotrace_exchanges_total', protocol='http1'), expected, text)
        self.assertGreater(metric(text, 'zerotrace_events_read_total'), 0, text)
        self.assertEqual(metric(text, 'zerotrace_events_lost_total'), 0, text)
        self.assertGreater(metric(text, 'zerotrace_resident_memory_bytes'), 1 << 20, text)
        self.assertEqual(fetch(port, '/healthz')[0], 200)
        self.assertEqual(fetch(port, '/nope')[0], 404)

        spans = agent.spans()  # stops the agent
        self.assertEqual(len(spans), expected - built_before, describe(spans))
        self.assertEqual(len(of_kind(from_pids(spans, server.pids), 'SERVER')), 5, describe(spans))
        with self.assertRaises(OSError, msg='the endpoints outlived the agent'):
            socket.create_connection(('127.0.0.1', port), timeout=2).close()

    def test_readyz_turns_503_while_the_agent_flushes_at_shutdown(self):
        """Spans queued for an OTLP endpoint where nothing listens keep the agent flushing for
        up to OTEL_BSP_EXPORT_TIMEOUT after SIGTERM: not ready, still healthy."""
        server = PythonHttpServer(self, self.work)
        port = free_port()
        agent = self.start_agent(
            output='otlp', args=['--telemetry-address', f'127.0.0.1:{port}',
                                 '--port', str(server.port)],
            env={'OTEL_EXPORTER_OTLP_ENDPOINT': f'http://127.0.0.1:{free_port()}',
                 'OTEL_BSP_SCHEDULE_DELAY': '60000',  # hold the spans in the queue
                 'OTEL_BSP_EXPORT_TIMEOUT': '5000'})
        self.assertEqual(fetch(port, '/readyz')[0], 200)
        curl([server.url('/hello.txt'), server.url('/hello.txt')])
        text = self.wait_for_metric(port, 'zerotrace_export_queue_spans', lambda v: v >= 4)
        self.assertEqual(metric(text, 'zerotrace_export_queue_spans'), 4, text)

        agent.proc.send_signal(signal.SIGTERM)
        answers = []
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline and agent.proc.poll() is None:
            try:
                answers.append((fetch(port, '/readyz', timeout=2)[::2], fetch(port, '/healthz', timeout=2)[0]))
            except OSError:
                break  # the agent finished flushing and closed the endpoints
            if answers[-1][0][0] == 503:
                break
            time.sleep(0.05)
        self.assertTrue(answers, 'no answer after SIGTERM')
        self.assertEqual(answers[-1], ((503, 'not ready: shutting down\n'), 200), answers)
        agent.stop(sig=signal.SIGTERM)  # waits; must exit 0

    def test_second_agent_on_a_taken_address_exits_2_with_one_line(self):
        port = free_port()
        first = self.start_agent(args=['--telemetry-address', f'127.0.0.1:{port}'])
        second = subprocess.run(
            [AGENT, '--output', 'json', '--output-file', self.work.file('second.jsonl'),
             '--telemetry-address', f'127.0.0.1:{port}'],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        self.assertEqual(second.returncode, 2, second.stderr)
        lines = second.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, second.stderr)
        self.assertIn(f'127.0.0.1:{port}', lines[0])
        self.assertIn('Address already in use', lines[0])
        self.assertIn('--telemetry-address', lines[0])
        self.assertNotIn('zerotrace is tracing', second.stderr, 'it attached probes first')
        self.assertEqual(fetch(port, '/readyz')[0], 200, 'the first agent still serves')
        first.stop()

    def test_default_address_taken_only_warns_and_off_serves_nothing(self):
        # Hold the default address (if another agent already holds it, the case is the same).
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(holder.close)
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT leftovers
        try:
            holder.bind(('127.0.0.1', 9400))
            holder.listen(1)
        except OSError:
            pass
        agent = self.start_agent(default_telemetry_address=True)
        log = agent.stderr()
        self.assertIn('no health or metrics endpoints: 127.0.0.1:9400: Address already in use', log)
        agent.stop()

        off = self.start_agent(args=['--telemetry-address', 'off'])
        log = off.stderr()
        off.stop()
        self.assertNotIn('health and metrics at', log)
        self.assertNotIn('no health or metrics endpoints', log)

    def test_stats_file_holds_the_final_metrics_after_exit(self):
        server = PythonHttpServer(self, self.work)
        # Only the server's port is traced: the harness's own /readyz check makes no span.
        agent = self.start_agent(args=['--port', str(server.port)])
        result = curl([server.url('/hello.txt')] * 2 + [server.url('/missing.txt')])
        self.assertEqual(result.codes, [200, 200, 404])
        metrics = agent.final_metrics()  # stops the agent (SIGINT)
        spans = agent.spans()

        self.assertEqual(len(spans), 6, describe(spans))  # curl's CLIENT, python's SERVER spans
        self.assertEqual(metrics.value('zerotrace_spans_built_total'), 6, metrics)
        self.assertEqual(metrics.value('zerotrace_spans_exported_total'), 6, metrics)
        self.assertEqual(metrics.value('zerotrace_spans_dropped_total'), 0, metrics)
        self.assertEqual(metrics.value('zerotrace_events_lost_total'), 0, metrics)
        self.assertEqual(metrics.value('zerotrace_ready'), 0, 'written while shutting down')
        probes = metrics.family('zerotrace_probe_attached')
        self.assertIn((('program', 'tp_exit_accept4'),), probes, metrics)
        self.assertEqual(set(probes.values()), {1}, probes)
        self.assertEqual(len(metrics.family('zerotrace_build_info')), 1, metrics)
        with open(agent.stats_path) as f:
            text = f.read()
        self.assertIn('# TYPE zerotrace_spans_built_total counter\n', text)
        self.assertFalse(os.path.exists(agent.stats_path + '.tmp'), 'the .tmp was left behind')

    def test_sdk_disabled_agent_answers_ready_and_healthy(self):
        port = free_port()
        stderr_path = self.work.file('disabled.stderr')
        with open(stderr_path, 'w') as err:
            proc = subprocess.Popen([AGENT, '--telemetry-address', f'127.0.0.1:{port}'],
                                    stderr=err, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                    env=dict(os.environ, OTEL_SDK_DISABLED='true'))
            self.addCleanup(stop_process, proc)
            deadline = time.monotonic() + 10
            while 'OTEL_SDK_DISABLED' not in tail(stderr_path) and time.monotonic() < deadline:
                time.sleep(0.05)
            status, _, body = fetch(port, '/readyz')
            self.assertEqual(status, 200, body)
            self.assertIn('OTEL_SDK_DISABLED', body)
            self.assertEqual(fetch(port, '/healthz')[0], 200)
            text = fetch(port, '/metrics')[2]
            self.assertEqual(metric(text, 'zerotrace_ready'), 1, text)
            self.assertEqual(samples(text, 'zerotrace_probe_attached'), {}, 'nothing is attached')
            self.assertEqual(stop_process(proc, signal.SIGINT), 0, tail(stderr_path))


if __name__ == '__main__':
    unittest.main()
