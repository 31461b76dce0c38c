"""Go programs: net/http servers and clients built by Debian's Go (servers/go/), traced through
uprobes on crypto/tls.(*Conn).Write/Read (entry and every RET instruction: Go must never get
uretprobes) for HTTPS plaintext, and through goroutines rather than threads for linking a
handler's outgoing calls to the request it is serving.

Spans are checked one to one against the requests made (a span built from ciphertext, or a lost
plaintext message, fails the TLS tests), and links are judged by a unique id in every request's
path, never by timing."""

import os
import subprocess
import time

from harness import (SERVERS_DIR, E2ETestCase, Server, assert_https_spans, attr, curl, curl_many,
                     describe, free_port, from_pids, make_self_signed_cert, of_kind,
                     require_tool, skip_or_fail, tail)

GO_PROGRAMS = os.path.join(SERVERS_DIR, 'go')
# The go command's build cache, shared by every run: the first build of a net/http program
# compiles for a while, later ones only link.
GO_CACHE = '/tmp/zerotrace-e2e-gocache'


def go_build(case, workdir, program, stripped=False):
    """Builds servers/go/<program>/main.go into the work dir with the host's go (module-less,
    offline); stripped: -ldflags='-s -w' (no symbols, no DWARF). Returns the binary's path."""
    require_tool(case, 'go')
    output = workdir.file(f'{program}{"-stripped" if stripped else ""}')
    env = dict(os.environ, GO111MODULE='off', GOPROXY='off', GOFLAGS='', GOTOOLCHAIN='local',
               GOCACHE=GO_CACHE, GOPATH=workdir.file('gopath'))
    cmd = ['go', 'build', '-o', output]
    if stripped:
        cmd.append('-ldflags=-s -w')
    cmd.append(os.path.join(GO_PROGRAMS, program, 'main.go'))
    done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=600)
    if done.returncode != 0:
        case.fail(f'go build {program} failed ({done.returncode}):\n{done.stdout}{done.stderr}')
    return output


class GoServer(Server):
    """servers/go/server: /hello, /status/<code>, /down/<id>, /work/<id> (calls downstream)."""

    name = 'go-server'

    def __init__(self, case, workdir, binary, tls=None, downstream=None, port=None):
        port = port or free_port()
        cmd = [binary, '-port', str(port)]
        if tls:
            cmd += ['-cert', tls[0], '-key', tls[1]]
            self.scheme = 'https'
        if downstream:
            cmd += ['-downstream', downstream]
        super().__init__(case, workdir, cmd, port)


class GoClient:
    """servers/go/client reading URLs from stdin: started before the agent, so the agent finds
    it running; get() sends requests later and returns their statuses."""

    def __init__(self, case, binary):
        self.proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.pid = self.proc.pid
        case.addCleanup(self.close)
        if self.proc.stdout.readline().strip() != 'ready':
            raise AssertionError(f'Go client did not start: {self.proc.stderr.read()}')

    def get(self, urls):
        codes = []
        for url in urls:
            self.proc.stdin.write(url + '\n')
            self.proc.stdin.flush()
            line = self.proc.stdout.readline().split()
            if not line:
                raise AssertionError(f'Go client failed on {url}: {self.proc.stderr.read()}')
            codes.append(int(line[0]))
        return codes

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


class GoTlsTest(E2ETestCase):

    def setUp(self):
        super().setUp()
        self.cert, self.key = make_self_signed_cert(self.work, self)

    def test_go_https_server_with_curl_and_go_client(self):
        server = GoServer(self, self.work, go_build(self, self.work, 'server'),
                          tls=(self.cert, self.key))
        client = GoClient(self, go_build(self, self.work, 'client'))
        agent = self.start_agent(args=['--port', str(server.port)])
        curl_requests = [('/hello', 200), ('/status/404', 404), ('/hello', 200)]
        result = curl([server.url(p) for p, _ in curl_requests], insecure=True)
        self.assertEqual(result.codes, [code for _, code in curl_requests])
        go_requests = [('/hello', 200), ('/status/503', 503), ('/nothing', 404)]
        self.assertEqual(client.get([server.url(p) for p, _ in go_requests]), [200, 503, 404])
        spans = agent.spans()

        assert_https_spans(self, from_pids(spans, server.pids), curl_requests + go_requests,
                           'SERVER', server.port)
        assert_https_spans(self, from_pids(spans, result.pid), curl_requests, 'CLIENT',
                           server.port)
        assert_https_spans(self, from_pids(spans, client.pid), go_requests, 'CLIENT', server.port)

    def test_go_https_server_started_after_the_agent_is_traced_within_a_second(self):
        binary = go_build(self, self.work, 'server')
        port = free_port()
        agent = self.start_agent(args=['--port', str(port)])
        started = time.monotonic()
        server = GoServer(self, self.work, binary, tls=(self.cert, self.key), port=port)
        time.sleep(max(0.0, started + 1.0 - time.monotonic()))
        requests = [('/hello', 200), ('/status/201', 201), ('/hello', 200)]
        result = curl([server.url(p) for p, _ in requests], insecure=True)
        self.assertEqual(result.codes, [200, 201, 200])
        spans = agent.spans()

        self.assertIn(f'(pid {server.pid})', agent.stderr(),
                      'the agent did not say it probed the new Go program')
        assert_https_spans(self, from_pids(spans, server.pids), requests, 'SERVER', port)
        assert_https_spans(self, from_pids(spans, result.pid), requests, 'CLIENT', port)

    def test_stripped_go_binary_gives_tls_spans(self):
        binary = go_build(self, self.work, 'server', stripped=True)
        server = GoServer(self, self.work, binary, tls=(self.cert, self.key))
        agent = self.start_agent(args=['--port', str(server.port), '--verbose'])
        requests = [('/hello', 200), ('/status/500', 500), ('/hello', 200), ('/x', 404)]
        result = curl([server.url(p) for p, _ in requests], insecure=True)
        self.assertEqual(result.codes, [200, 500, 200, 404])
        spans = agent.spans()

        # The agent found neither symbols nor DWARF, and used Go's function table and the
        # built-in field offsets.
        described = [line for line in agent.stderr().splitlines()
                     if f'Go program {binary}:' in line]
        self.assertEqual(len(described), 1, tail(agent.stderr_path))
        self.assertIn('symbols: no (Go function table), DWARF: no', described[0])
        self.assertIn('field offsets: built-in table', described[0])
        assert_https_spans(self, from_pids(spans, server.pids), requests, 'SERVER', server.port)
        assert_https_spans(self, from_pids(spans, result.pid), requests, 'CLIENT', server.port)


def _build_info_version(data):
    """(start, end) of the Go version string in an executable's build information: Go >= 1.18
    writes it inline after the 32-byte header, its length first."""
    header = data.find(b'\xff Go buildinf:')
    if header < 0:
        raise AssertionError('no Go build information')
    start = header + 33
    return start, start + data[header + 32]


def with_go_version(binary, workdir, version):
    """A copy of binary whose build information names another Go version of the same length
    (the code is the same; only what the agent reads as the version changes)."""
    with open(binary, 'rb') as f:
        data = f.read()
    start, end = _build_info_version(data)
    if len(version) != end - start or not data[start:end].startswith(b'go'):
        raise AssertionError(f'cannot put {version!r} in place of {data[start:end]!r}')
    copy = workdir.file(f'{os.path.basename(binary)}-{version}')
    with open(copy, 'wb') as f:
        f.write(data[:start] + version.encode() + data[end:])
    os.chmod(copy, 0o755)
    return copy


class GoUnsupportedTest(E2ETestCase):

    def test_stripped_binary_of_a_version_without_built_in_offsets_is_skipped_in_one_line(self):
        """No DWARF, and a Go version the built-in field offsets do not cover (go1.19 only): the
        agent says why in one line, leaves the program alone, and traces the rest."""
        cert, key = make_self_signed_cert(self.work, self)
        binary = go_build(self, self.work, 'server', stripped=True)
        with open(binary, 'rb') as f:
            data = f.read()
        start, end = _build_info_version(data)
        version = data[start:end].decode()
        if not version.startswith('go1.19.'):
            skip_or_fail(self, f'the test relabels go1.19.x binaries; the host Go is {version}')
        other = version.replace('go1.19.', 'go1.18.', 1)
        server = GoServer(self, self.work, with_go_version(binary, self.work, other),
                          tls=(cert, key))
        agent = self.start_agent(args=['--port', str(server.port)])
        result = curl([server.url('/hello'), server.url('/status/404')], insecure=True)
        self.assertEqual(result.codes, [200, 404])
        spans = agent.spans()

        skipped = [line for line in agent.stderr().splitlines() if 'Go probes: skipping' in line]
        self.assertEqual(len(skipped), 1, agent.stderr())
        self.assertIn(f'unsupported: {server.proc.args[0]} ({other}, x86-64) has no DWARF',
                      skipped[0])
        self.assertIn('built-in field offsets cover go1.19', skipped[0])
        # Not probed: no plaintext from the server, and its ciphertext made no span; curl's
        # side (OpenSSL) is traced as ever.
        self.assertEqual(from_pids(spans, server.pids), [], describe(spans))
        self.assertEqual(len(from_pids(spans, result.pid)), 2, describe(spans))


def judge_handler_links(spans, front_pids, down_pids, ids):
    """For /work/<id> served by front, whose handler called /down/<id> on down: how many CLIENT
    spans are children of their handler's SERVER span (correct), have another parent (wrong),
    or none (unlinked); and the same for down's SERVER spans under front's CLIENT spans."""
    def by_id(spans, prefix):
        out = {}
        for s in spans:
            path = attr(s, 'url.path') or ''
            if path.startswith(prefix):
                out.setdefault(path[len(prefix):], []).append(s)
        return out

    front = from_pids(spans, front_pids)
    servers = by_id(of_kind(front, 'SERVER'), '/work/')
    clients = by_id(of_kind(front, 'CLIENT'), '/down/')
    downstream = by_id(of_kind(from_pids(spans, down_pids), 'SERVER'), '/down/')
    stats = {'requests': len(ids), 'correct': 0, 'wrong': 0, 'unlinked': 0, 'missing': 0,
             'peer_correct': 0, 'peer_wrong': 0, 'examples': []}
    for request_id in ids:
        server, client, down = (group.get(request_id, []) for group in (servers, clients,
                                                                        downstream))
        if len(server) != 1 or len(client) != 1:
            stats['missing'] += 1
            continue
        parent = client[0].get('parent_span_id') or ''
        if parent == server[0]['span_id'] and client[0]['trace_id'] == server[0]['trace_id']:
            stats['correct'] += 1
        elif parent.strip('0'):
            stats['wrong'] += 1
            stats['examples'].append(f'{request_id}: CLIENT parent {parent}, SERVER '
                                     f'{server[0]["span_id"]}')
        else:
            stats['unlinked'] += 1
            stats['examples'].append(f'{request_id}: CLIENT without a parent')
        if len(down) == 1:
            down_parent = down[0].get('parent_span_id') or ''
            if down_parent == client[0]['span_id']:
                stats['peer_correct'] += 1
            elif down_parent.strip('0'):
                stats['peer_wrong'] += 1
    return stats


def format_links(stats):
    return (f'handler calls linked to their handler: {stats["correct"]}/{stats["requests"]} '
            f'(wrong parents {stats["wrong"]}, unlinked {stats["unlinked"]}, spans missing '
            f'{stats["missing"]}); downstream server under the call: '
            f'{stats["peer_correct"]}/{stats["requests"]} (wrong {stats["peer_wrong"]})'
            + ''.join(f'\n  {e}' for e in stats['examples'][:5]))


class GoLinkingTest(E2ETestCase):
    """A Go server whose handler calls a second Go server with its HTTP client for every
    request: Go's client writes the request from the connection's writeLoop goroutine, on any
    thread, so neither the thread nor the writing goroutine tells whose call it is."""

    def run_front_and_down(self, count, parallel, prefix, tls=None):
        server_binary = go_build(self, self.work, 'server')
        down = GoServer(self, self.work, server_binary, tls=tls)
        front = GoServer(self, self.work, server_binary, tls=tls, downstream=down.url(''))
        agent = self.start_agent(args=['--port', str(front.port), '--port', str(down.port)])
        ids = [f'{prefix}{n}' for n in range(1, count + 1)]
        if tls:
            result = curl([front.url(f'/work/{i}') for i in ids], insecure=True)
        else:
            result = curl_many([front.url(f'/work/{i}') for i in ids], parallel=parallel)
        self.assertEqual(result.codes, [200] * count)
        spans = agent.spans()
        stats = judge_handler_links(spans, front.pids, down.pids, ids)
        print(f'\n  {self._testMethodName}: {format_links(stats)}', flush=True)
        return stats

    def test_200_requests_at_concurrency_16_link_handler_calls_to_their_request(self):
        stats = self.run_front_and_down(200, 16, 'g')
        self.assertEqual(stats['wrong'], 0, format_links(stats))
        self.assertEqual(stats['peer_wrong'], 0, format_links(stats))
        self.assertGreaterEqual(stats['correct'], 198, format_links(stats))
        self.assertGreaterEqual(stats['peer_correct'], 198, format_links(stats))

    def test_https_front_and_downstream_link_handler_calls_to_their_request(self):
        """The same over TLS: the request's context is decided at crypto/tls Write's entry in
        the writeLoop goroutine."""
        stats = self.run_front_and_down(20, 1, 's', tls=make_self_signed_cert(self.work, self))
        self.assertEqual(stats['wrong'], 0, format_links(stats))
        self.assertEqual(stats['correct'], 20, format_links(stats))
