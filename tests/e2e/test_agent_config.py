"""The agent's configuration as a user meets it: a YAML file, the OTEL_* environment and flags
stacked with flags winning over the environment and the environment over the file; periodic
counters; OTEL_SDK_DISABLED; and a bad file, or a stats file that could not be written,
stopping the agent with one line."""

import os
import subprocess
import time
import unittest

from harness import (AGENT, AGENT_READY_LINE, KIND_SERVER, E2ETestCase, NodeServer, OtlpReceiver,
                     attr, curl, describe, from_pids, of_kind, stop_process, tail)


class AgentConfigTest(E2ETestCase):

    def write_config(self, text):
        path = self.work.file('zerotrace.yaml')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def test_flags_beat_environment_which_beats_the_yaml_file(self):
        receiver = OtlpReceiver(self, self.work, grpc=True)
        server = NodeServer(self, self.work)
        config = self.write_config(f'''
otlp:
  endpoint: {receiver.grpc_endpoint}
  protocol: grpc
  batch:
    schedule_delay_ms: 200
service_name: from-file
resource_attributes:
  team: payments
  deployment.environment: from-file
''')
        agent = self.start_agent(output=None, args=['--config', config, '--service-name', 'from-flag'],
                                 env={'OTEL_SERVICE_NAME': 'from-env',
                                      'OTEL_RESOURCE_ATTRIBUTES': 'deployment.environment=from-env'})
        curl([server.url('/users/1'), server.url('/users/2')])

        def arrived(spans):
            return len(of_kind(from_pids(spans, server.pids), KIND_SERVER)) >= 2
        spans = receiver.wait_for(arrived, timeout=15)
        agent.stop()
        server_spans = of_kind(from_pids(spans, server.pids), KIND_SERVER)
        self.assertEqual(len(server_spans), 2, describe(spans))
        for s in server_spans:
            self.assertEqual(s['transport'], 'grpc', 'the file chose gRPC')
            self.assertEqual(s['resource']['service.name'], 'from-flag', s['resource'])
            self.assertEqual(s['resource']['deployment.environment'], 'from-env', s['resource'])
            self.assertEqual(s['resource']['team'], 'payments', s['resource'])
        self.assertEqual(sorted(attr(s, 'url.path') for s in server_spans), ['/users/1', '/users/2'])

    def test_stats_interval_prints_counters_while_running(self):
        agent = self.start_agent(args=['--stats-interval', '1'])
        time.sleep(3.6)
        running = agent.stderr().count('(exported ')
        agent.stop()
        self.assertGreaterEqual(running, 3, agent.stderr())
        self.assertIn('agent RSS', agent.stderr())

    def test_sdk_disabled_attaches_nothing_and_exits_cleanly(self):
        server = NodeServer(self, self.work)
        spans_path = self.work.file('disabled.jsonl')
        stderr_path = self.work.file('disabled.stderr')
        env = dict(os.environ, OTEL_SDK_DISABLED='true')
        with open(stderr_path, 'w') as err:
            proc = subprocess.Popen([AGENT, '--output-file', spans_path], stderr=err,
                                    stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env)
            self.addCleanup(stop_process, proc)
            deadline = time.monotonic() + 10
            while 'OTEL_SDK_DISABLED' not in tail(stderr_path) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertIn('OTEL_SDK_DISABLED', tail(stderr_path))
            curl([server.url('/users/1')])
            time.sleep(0.5)
            self.assertEqual(stop_process(proc), 0, tail(stderr_path))
        log = tail(stderr_path)
        self.assertNotIn(AGENT_READY_LINE, log)
        self.assertFalse(os.path.exists(spans_path) and os.path.getsize(spans_path) > 0,
                         'spans were written although OTEL_SDK_DISABLED=true')

    def test_unknown_key_in_the_file_is_one_line_and_exit_code_2(self):
        config = self.write_config('otlp:\n  endpiont: http://collector:4318\n')
        result = subprocess.run([AGENT, '--config', config], capture_output=True, text=True,
                                timeout=20)
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn('otlp.endpiont', lines[0])

    def test_unwritable_stats_file_is_one_line_and_exit_code_2_before_tracing(self):
        path = self.work.file('no-such-dir', 'stats.prom')
        result = subprocess.run([AGENT, '--output', 'json', '--output-file', self.work.file('s.jsonl'),
                                 '--telemetry-address', 'off', '--stats-file', path],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
        self.assertEqual(result.returncode, 2, result.stderr)
        lines = result.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn(path, lines[0])
        self.assertIn('No such file or directory', lines[0])
        self.assertNotIn(AGENT_READY_LINE, result.stderr)


if __name__ == '__main__':
    unittest.main()
