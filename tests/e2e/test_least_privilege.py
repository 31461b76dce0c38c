"""Least privilege: the agent run as user nobody holding only the measured minimal capabilities
(docs/least-privilege.md) traces a real server with full resource attributes, and adds
CAP_NET_ADMIN for --inject-traceparent; without any one of them it stops before loading
anything, with exit code 1 and one line naming the missing capability.

Capabilities are given with capsh, as DESIGN.md shows: the agent runs as nobody with the set as
its ambient (so effective) capabilities and nothing else; the server it traces runs as root, so
reading its /proc files really needs the capabilities.
"""

import json
import os
import pwd
import re
import shutil
import subprocess
import unittest
import urllib.request

from harness import (AGENT, PYTHON, SERVERS_DIR, Agent, E2ETestCase, Server, curl, describe, free_port,
                     from_pids, of_kind, attr, skip_or_fail)

# What plain tracing needs (CAP_SYS_ADMIN would stand in for the first two).
MINIMAL = ('cap_bpf', 'cap_perfmon', 'cap_sys_ptrace', 'cap_dac_read_search')
# What --inject-traceparent adds: sockops and sk_msg programs, a SOCKHASH map.
INJECTION = ('cap_net_admin',)

# Numbers from <linux/capability.h>, to read /proc/PID/status.
CAP_NUMBERS = {'cap_dac_override': 1, 'cap_dac_read_search': 2, 'cap_net_admin': 12,
               'cap_sys_ptrace': 19, 'cap_sys_admin': 21, 'cap_perfmon': 38, 'cap_bpf': 39}
ALL_NAMES = [name.upper() for name in CAP_NUMBERS]

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def capability_mask(caps):
    mask = 0
    for c in caps:
        mask |= 1 << CAP_NUMBERS[c]
    return mask


def status_field(pid, field):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return line.split(':', 1)[1].split()
    return None


def capped_command(caps, argv):
    """argv run as nobody with exactly `caps` effective (ambient), via capsh. capsh and bash both
    exec, so the process is the agent itself."""
    csv = ','.join(caps)
    cmd = ['capsh']
    if caps:
        cmd.append(f'--inh={csv}')
    cmd += ['--keep=1', '--user=nobody']
    if caps:
        cmd.append(f'--addamb={csv}')
    return cmd + ['--', '-c', 'exec "$0" "$@"'] + list(argv)


class CappedAgent(Agent):
    """The agent under capsh as nobody, writing JSON lines into a directory nobody owns.
    Readiness, stopping, spans and stderr as harness.Agent (no stats file)."""

    def __init__(self, case, out_dir, caps, args=(), wait_ready=True, timeout=30.0):
        self.case = case
        self.spans_path = os.path.join(out_dir, 'spans.jsonl')
        self.stderr_path = os.path.join(out_dir, f'agent-{len(os.listdir(out_dir))}.stderr')
        self.stats_path = None
        args = list(args)
        argv = ([AGENT, '--output', 'json', '--output-file', self.spans_path]
                + self._telemetry_args(args) + args)
        self.cmd = capped_command(caps, argv)
        self._stderr = open(self.stderr_path, 'w')
        self._stdout = open(os.devnull, 'w')
        self.proc = subprocess.Popen(self.cmd, stdout=self._stdout, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL)
        self.pid = self.proc.pid
        self.returncode = None
        case.addCleanup(self._cleanup)
        if wait_ready:
            self._wait_ready(timeout)

    def wait_exit(self, timeout=30):
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.case.fail(f'agent still running after {timeout} s; stderr:\n{self.stderr()}')
        finally:
            self._stderr.close()
            self._stdout.close()
        return self.returncode


class LeastPrivilegeTest(E2ETestCase):

    def setUp(self):
        super().setUp()
        if shutil.which('capsh') is None:
            skip_or_fail(self, 'capsh not installed (Debian package libcap2-bin)')
        try:
            self.nobody = pwd.getpwnam('nobody')
        except KeyError:
            skip_or_fail(self, 'no user nobody to drop privileges to')
        bounding = int(status_field(os.getpid(), 'CapBnd')[0], 16)
        wanted = capability_mask(MINIMAL + INJECTION)
        if bounding & wanted != wanted:
            skip_or_fail(self, f'the capability bounding set {bounding:#x} lacks some of '
                               f'{", ".join(MINIMAL + INJECTION)}')
        # nobody must be able to write the spans file.
        self.out = self.work.file('out')
        os.mkdir(self.out)
        os.chown(self.out, self.nobody.pw_uid, self.nobody.pw_gid)

    def start_server(self, argv, port, service_name):
        return Server(self, self.work, argv, port, env={'OTEL_SERVICE_NAME': service_name})

    def assert_runs_with_exactly(self, agent, caps):
        uid = status_field(agent.pid, 'Uid')
        self.assertEqual(int(uid[1]), self.nobody.pw_uid, f'agent euid {uid}')
        effective = int(status_field(agent.pid, 'CapEff')[0], 16)
        self.assertEqual(effective, capability_mask(caps),
                         f'agent CapEff {effective:#x}, want exactly {",".join(caps)}')

    def assert_refused_with_one_line(self, caps, missing, args=()):
        agent = CappedAgent(self, self.out, caps, args=['--telemetry-address', 'off'] + list(args),
                            wait_ready=False)
        code = agent.wait_exit()
        lines = [line for line in agent.stderr().splitlines() if line.strip()]
        self.assertEqual(code, 1, f'want exit code 1 without {missing}:\n{agent.stderr()}')
        self.assertEqual(len(lines), 1, f'want one line naming {missing}, got:\n{agent.stderr()}')
        self.assertIn(f'missing capability {missing.upper()} (needed ', lines[0])
        for other in ALL_NAMES:
            if other != missing.upper():
                self.assertNotIn(other, lines[0])
        self.assertFalse(os.path.exists(agent.spans_path), 'spans written by a refused agent')

    def test_minimal_set_as_nobody_traces_a_root_server_with_its_resource_attributes(self):
        www = self.work.file('www')
        os.mkdir(www)
        with open(os.path.join(www, 'hello.txt'), 'w') as f:
            f.write('hello from a root server\n')
        port = free_port()
        service = f'least-privilege-{port}'
        server = self.start_server([PYTHON, '-m', 'http.server', str(port), '--bind', '127.0.0.1',
                                    '--directory', www], port, service)
        telemetry_port = free_port()
        agent = CappedAgent(self, self.out, MINIMAL,
                            args=['--port', str(port),
                                  '--telemetry-address', f'127.0.0.1:{telemetry_port}'])
        self.assert_runs_with_exactly(agent, MINIMAL)
        with _OPENER.open(f'http://127.0.0.1:{telemetry_port}/healthz', timeout=5) as response:
            self.assertEqual(response.status, 200)

        requests = [('/hello.txt', 200), ('/no-such-file', 404), ('/hello.txt', 200)]
        result = curl([server.url(p) for p, _ in requests])
        self.assertEqual(result.codes, [code for _, code in requests])
        spans = agent.spans()

        server_spans = from_pids(spans, server.pids)
        self.assertEqual(len(of_kind(server_spans, 'SERVER')), len(requests), describe(spans))
        self.assertEqual(sorted((attr(s, 'url.path'), attr(s, 'http.response.status_code'))
                                for s in server_spans), sorted(requests), describe(server_spans))
        for s in server_spans:
            self.assertEqual(attr(s, 'http.request.method'), 'GET')
            self.assertEqual(int(attr(s, 'server.port', -1)), port)
            resource = s['resource']
            # From the root server's /proc/PID/environ (0400, root's): CAP_DAC_READ_SEARCH.
            self.assertEqual(resource.get('service.name'), service, resource)
            # From its /proc/PID/exe link: CAP_SYS_PTRACE.
            self.assertEqual(resource.get('process.executable.path'), os.path.realpath(PYTHON),
                             resource)
        client_spans = from_pids(spans, result.pid)
        self.assertEqual(sorted((attr(s, 'url.path'), attr(s, 'http.response.status_code'))
                                for s in of_kind(client_spans, 'CLIENT')),
                         sorted(requests), describe(client_spans))

    def test_minimal_set_and_net_admin_as_nobody_inject_a_traceparent(self):
        port = free_port()
        self.start_server([PYTHON, os.path.join(SERVERS_DIR, 'chain_inventory.py'), '127.0.0.1',
                           str(port)], port, 'inventory')
        caps = MINIMAL + INJECTION
        agent = CappedAgent(self, self.out, caps, args=['--port', str(port), '--inject-traceparent',
                                                        '--telemetry-address', 'off'])
        self.assert_runs_with_exactly(agent, caps)
        self.assertIn('adding a traceparent to outgoing HTTP/1.x requests', agent.stderr())

        # curl sends no traceparent of its own: what the server echoes is the agent's.
        done = subprocess.run(['curl', '-sS', '--max-time', '10', f'http://127.0.0.1:{port}/stock/7'],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 0, done.stderr)
        echoed = json.loads(done.stdout)['traceparent'] or ''
        match = re.fullmatch(r'00-([0-9a-f]{32})-([0-9a-f]{16})-01', echoed)
        self.assertTrue(match, f'the server got no injected traceparent: {done.stdout!r}\n'
                               f'agent stderr:\n{agent.stderr()}')
        spans = agent.spans()
        client = [s for s in of_kind(spans, 'CLIENT') if attr(s, 'url.path') == '/stock/7']
        self.assertEqual(len(client), 1, describe(spans))
        self.assertEqual((client[0]['trace_id'], client[0]['span_id']), match.groups(),
                         'the injected traceparent does not name the CLIENT span')

    def test_sys_admin_stands_in_for_bpf_and_perfmon(self):
        caps = ('cap_sys_admin', 'cap_sys_ptrace', 'cap_dac_read_search')
        agent = CappedAgent(self, self.out, caps, args=['--port', str(free_port()),
                                                        '--telemetry-address', 'off'])
        self.assert_runs_with_exactly(agent, caps)
        agent.stop()

    def test_without_each_minimal_capability_one_line_names_it(self):
        for missing in MINIMAL:
            with self.subTest(missing=missing):
                self.assert_refused_with_one_line(tuple(c for c in MINIMAL if c != missing), missing)

    def test_injection_without_net_admin_one_line_names_it(self):
        self.assert_refused_with_one_line(MINIMAL, 'cap_net_admin', args=['--inject-traceparent'])

    def test_no_capabilities_at_all_is_still_one_line(self):
        agent = CappedAgent(self, self.out, (), args=['--telemetry-address', 'off'],
                            wait_ready=False)
        self.assertNotEqual(agent.wait_exit(), 0)
        lines = [line for line in agent.stderr().splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, agent.stderr())
        for name in MINIMAL:
            self.assertIn(name.upper(), lines[0])
        self.assertNotIn('CAP_NET_ADMIN', lines[0])


if __name__ == '__main__':
    unittest.main()
