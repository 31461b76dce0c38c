"""End-to-end harness: the real agent, real unmodified servers, real clients.

Everything a test starts is stopped by the test case's cleanups, even when an assertion fails.
Python 3 standard library only (Debian's /usr/bin/python3).
"""

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(E2E_DIR))
SERVERS_DIR = os.path.join(E2E_DIR, 'servers')
RECEIVER_DIR = os.path.join(REPO, 'tests', 'otlp-receiver')
AGENT = os.environ.get('ZT_AGENT', os.path.join(REPO, 'build', 'zerotrace'))
PYTHON = '/usr/bin/python3' if os.path.exists('/usr/bin/python3') else sys.executable

IN_CI = os.environ.get('CI', '').lower() == 'true'
# Printed once the probes are attached. Readiness is /readyz; this line is what is left to wait
# for when an agent serves no endpoints (--telemetry-address off, or the default address taken).
AGENT_READY_LINE = 'zerotrace is tracing'

# No proxy from the environment: the agent's endpoints are on this host.
_LOCAL_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# OTLP SpanKind and StatusCode enums as integers.
KIND_SERVER = 2
KIND_CLIENT = 3
STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2


_BPF_SYSCALL = {'x86_64': 321, 'aarch64': 280, 'riscv64': 280, 's390x': 351, 'ppc64le': 361}


def bpf_problem():
    """Creates and closes a one-entry BPF array map: the cheapest proof that bpf() works."""
    import ctypes
    import platform
    nr = _BPF_SYSCALL.get(platform.machine())
    if nr is None:
        return None  # unknown architecture: let the agent tell
    libc = ctypes.CDLL(None, use_errno=True)
    attr = (ctypes.c_uint32 * 32)(2, 4, 4, 1)  # BPF_MAP_TYPE_ARRAY, key 4, value 4, 1 entry
    fd = libc.syscall(nr, 0, ctypes.byref(attr), ctypes.sizeof(attr))  # BPF_MAP_CREATE
    if fd < 0:
        err = ctypes.get_errno()
        return f'the bpf() syscall is unavailable here: {os.strerror(err)}'
    os.close(fd)
    return None


def environment_problem():
    """Why real-BPF tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return 'end-to-end tests need root (BPF, tracepoints): run with sudo'
    if not os.path.exists('/sys/kernel/btf/vmlinux'):
        return 'kernel has no BTF (/sys/kernel/btf/vmlinux missing)'
    problem = bpf_problem()
    if problem:
        return problem
    if not os.access(AGENT, os.X_OK):
        return f'agent binary {AGENT} not built (run scripts/test.sh or cmake --build build)'
    return None


def require_tool(case, tool):
    if shutil.which(tool) is None:
        skip_or_fail(case, f'{tool} not installed (run scripts/install-deps.sh)')


def skip_or_fail(case, reason):
    """Skip locally; under CI=true a skip would hide a broken setup, so fail instead."""
    if IN_CI:
        case.fail(f'CI=true and the test cannot run: {reason}')
    case.skipTest(reason)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for_port(port, proc=None, timeout=30.0, what='server'):
    """Wait until something accepts TCP on 127.0.0.1:port. A bare connect sends no HTTP, so it
    makes no span."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f'{what} exited with {proc.returncode} before listening on {port}')
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f'{what} did not listen on port {port} within {timeout:.0f} s')


def descendants(pid):
    """pid and all its live descendants (nginx workers are children of the master)."""
    children = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(')') + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        if p in out:
            continue
        out.add(p)
        todo.extend(children.get(p, []))
    return out


def stop_process(proc, sig=signal.SIGTERM, timeout=10.0):
    """Stop one process we started (by its own pid), escalating to SIGKILL."""
    if proc.poll() is not None:
        return proc.returncode
    try:
        proc.send_signal(sig)
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait(timeout=5)


def tail(path, n=40):
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-n:])
    except OSError:
        return ''


def read_json_lines(path):
    spans = []
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                spans.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise AssertionError(f'{path}:{lineno}: not JSON ({e}): {line[:200]}')
    return spans


class Workdir:
    """A temp dir per test, removed by the cleanup."""

    def __init__(self, case):
        self.path = tempfile.mkdtemp(prefix='zt-e2e-')
        os.chmod(self.path, 0o755)  # nginx workers may run as another user
        case.addCleanup(shutil.rmtree, self.path, True)

    def file(self, *parts):
        return os.path.join(self.path, *parts)


def http_get(url, timeout=5.0):
    """(status, body text) of GET url without a proxy; 4xx and 5xx answers included."""
    try:
        with _LOCAL_OPENER.open(url, timeout=timeout) as response:
            return response.status, response.read().decode(errors='replace')
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors='replace')


def _serial_suffix(serial):
    return '' if serial == 1 else f'-{serial}'


def _option_value(args, name):
    """The value of the last `name VALUE` or `name=VALUE` in args, or None."""
    value = None
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + '='):
            value = arg[len(name) + 1:]
    return value


class Agent:
    """build/zerotrace run as the user would, stopped with SIGINT.

    Each agent serves its health endpoints on a free port of its own (telemetry_url) and is
    ready when GET /readyz answers 200. An agent whose args say --telemetry-address HOST:PORT
    is asked there; with --telemetry-address off, or default_telemetry_address=True (no flag:
    the agent's own default, which may be taken), nothing can be asked and the log line
    AGENT_READY_LINE is waited for instead. The final counters (exit_counters) come from
    --stats-file, a file of its own in the workdir (stats=False: none). Several agents may share
    a workdir: each has its own files.

    The readiness checks are HTTP requests from this test process: when the agent traces this
    process, a few CLIENT spans GET /readyz of os.getpid() (the last ones before 200, which
    come after the probes attach) are in its output.
    """

    def __init__(self, case, workdir, output='json', args=(), env=None, timeout=30.0,
                 default_telemetry_address=False, stats=True, wait_ready=True):
        self.case = case
        # The first agent of a workdir writes spans.jsonl, agent.stderr, ...; later ones add -2, -3.
        serial = 1
        while os.path.exists(workdir.file(f'agent{_serial_suffix(serial)}.stderr')):
            serial += 1
        suffix = _serial_suffix(serial)
        self.spans_path = workdir.file(f'spans{suffix}.jsonl')
        self.stderr_path = workdir.file(f'agent{suffix}.stderr')
        self.stdout_path = workdir.file(f'agent{suffix}.stdout')
        self.stats_path = workdir.file(f'agent{suffix}.stats.prom') if stats else None
        cmd = [AGENT]
        if output == 'json':
            cmd += ['--output', 'json', '--output-file', self.spans_path]
        elif output == 'otlp':
            cmd += ['--output', 'otlp']
        elif output is not None:
            cmd += ['--output', output]
        args = list(args)
        cmd += self._telemetry_args(args, default_telemetry_address)
        if self.stats_path:
            cmd += ['--stats-file', self.stats_path]
        cmd += args
        full_env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OTEL_EXPORTER_OTLP')}
        full_env.update(env or {})
        self.cmd = cmd
        self._stderr = open(self.stderr_path, 'w')
        self._stdout = open(self.stdout_path, 'w')
        self.proc = subprocess.Popen(cmd, stdout=self._stdout, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL, env=full_env)
        self.pid = self.proc.pid
        self.returncode = None
        case.addCleanup(self._cleanup)
        if wait_ready:
            self._wait_ready(timeout)

    def wait_ready(self, timeout=30.0):
        """For an agent started with wait_ready=False (several starting side by side)."""
        self._wait_ready(timeout)

    def _telemetry_args(self, args, default_address=False):
        """Sets telemetry_url (None: no endpoints to ask) from args, and returns the flags to add:
        a free port of its own unless args or default_address decide."""
        given = _option_value(args, '--telemetry-address')
        if given is not None:
            off = given.strip().lower() == 'off'
            self.telemetry_url = None if off else f'http://{given.strip()}'
            return []
        if default_address:
            self.telemetry_url = None
            return []
        port = free_port()
        self.telemetry_url = f'http://127.0.0.1:{port}'
        return ['--telemetry-address', f'127.0.0.1:{port}']

    def _wait_ready(self, timeout):
        """Until /readyz answers 200 (or, without endpoints, the ready line is logged); fails
        with the stderr tail when the agent exits first or takes longer than timeout."""
        deadline = time.monotonic() + timeout
        last = 'no answer'
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f'agent exited with {self.proc.returncode} before it was ready; '
                    f'command: {" ".join(self.cmd)}\nstderr:\n{tail(self.stderr_path)}')
            if self.telemetry_url is None:
                if AGENT_READY_LINE in tail(self.stderr_path, 200):
                    return
            else:
                try:
                    status, body = http_get(self.telemetry_url + '/readyz', timeout=1.0)
                    if status == 200:
                        return
                    last = f'{status} {body.strip()}'
                except OSError as e:  # not listening yet
                    last = str(e)
            if time.monotonic() > deadline:
                waited = (f'GET {self.telemetry_url}/readyz did not answer 200 (last: {last})'
                          if self.telemetry_url else f'it did not print "{AGENT_READY_LINE}"')
                raise AssertionError(f'agent not ready within {timeout:.0f} s: {waited}; '
                                     f'command: {" ".join(self.cmd)}\nstderr:\n'
                                     f'{tail(self.stderr_path)}')
            time.sleep(0.05)

    def stop(self, settle=0.5, sig=signal.SIGINT):
        """Let in-flight events drain, then SIGINT (or sig); the agent flushes and must exit 0."""
        if self.returncode is None:
            time.sleep(settle)
            self.returncode = stop_process(self.proc, sig, timeout=20)
            self._stderr.close()
            self._stdout.close()
        self.case.assertEqual(
            self.returncode, 0,
            f'agent exit code after {signal.Signals(sig).name}; stderr:\n{tail(self.stderr_path)}')
        return self.returncode

    def spans(self):
        self.stop()
        if not os.path.exists(self.spans_path):
            self.case.fail(f'agent wrote no {self.spans_path}; stderr:\n{tail(self.stderr_path)}')
        return read_json_lines(self.spans_path)

    def final_metrics(self, sig=signal.SIGINT):
        """Stops the agent (sig; it must exit 0) and returns the counters it left in its stats
        file, as /metrics served them at the end (PrometheusSamples)."""
        if self.stats_path is None:
            self.case.fail('this agent was started with stats=False: no --stats-file')
        self.stop(sig=sig)
        if not os.path.exists(self.stats_path):
            self.case.fail(f'agent wrote no stats file {self.stats_path}; stderr:\n'
                           f'{tail(self.stderr_path)}')
        with open(self.stats_path) as f:
            return parse_prometheus_text(f.read())

    def stderr(self):
        return tail(self.stderr_path, 10_000)

    def _cleanup(self):
        if self.returncode is None:
            stop_process(self.proc, signal.SIGINT, timeout=20)
            self._stderr.close()
            self._stdout.close()


def stop_agents(agents, settle=0.5, sig=signal.SIGINT):
    """Stops several agents side by side (each flushes and detaches its probes in parallel):
    one settle for all, the signal to each, then each must exit 0."""
    time.sleep(settle)
    for agent in agents:
        if agent.returncode is None and agent.proc.poll() is None:
            agent.proc.send_signal(sig)
    for agent in agents:
        agent.stop(settle=0, sig=sig)


class Server:
    """A real server process on a free port; stopped by the cleanup."""

    name = 'server'
    scheme = 'http'

    def __init__(self, case, workdir, cmd, port, cwd=None, env=None, ready_timeout=30.0):
        self.port = port
        self.log_path = workdir.file(f'{self.name}-{port}.log')
        self._log = open(self.log_path, 'w')
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=cwd,
                                     env=dict(os.environ, **(env or {})))
        self.pid = self.proc.pid
        case.addCleanup(self.stop)
        try:
            wait_for_port(port, self.proc, ready_timeout, what=f'{self.name} ({" ".join(cmd)})')
        except RuntimeError as e:
            raise AssertionError(f'{e}\nlog:\n{tail(self.log_path)}')
        # Known now, while the server is alive (spans are checked after it may be gone).
        self.pids = descendants(self.pid)

    def url(self, path='/'):
        return f'{self.scheme}://127.0.0.1:{self.port}{path}'

    def refresh_pids(self):
        self.pids |= descendants(self.pid)
        return self.pids

    def stop(self):
        if self.proc.poll() is None:
            stop_process(self.proc, signal.SIGTERM)
        if not self._log.closed:
            self._log.close()


class PythonHttpServer(Server):
    """Debian's python3 -m http.server serving a temp dir with hello.txt."""

    name = 'python-http-server'

    def __init__(self, case, workdir):
        self.root = workdir.file('www-python')
        os.makedirs(self.root, exist_ok=True)
        with open(os.path.join(self.root, 'hello.txt'), 'w') as f:
            f.write('hello from python\n')
        port = free_port()
        super().__init__(case, workdir, [PYTHON, '-m', 'http.server', str(port),
                                         '--bind', '127.0.0.1', '--directory', self.root], port)


class NodeServer(Server):
    name = 'node-server'

    def __init__(self, case, workdir):
        require_tool(case, 'node')
        port = free_port()
        super().__init__(case, workdir,
                         ['node', os.path.join(SERVERS_DIR, 'node_server.js'), str(port)], port)


class JavaServer(Server):
    name = 'java-server'

    def __init__(self, case, workdir):
        require_tool(case, 'java')
        port = free_port()
        # Single-file source launch compiles in memory first: allow for a slow JVM start.
        super().__init__(case, workdir, ['java', 'JavaServer.java', str(port)], port,
                         cwd=SERVERS_DIR, ready_timeout=60.0)


class RedisServer(Server):
    """Debian's redis-server in the foreground on a free port: no persistence (nothing saved,
    no append-only file), its working directory in the workdir."""

    name = 'redis-server'
    scheme = 'redis'

    def __init__(self, case, workdir):
        require_tool(case, 'redis-server')
        port = free_port()
        self.dir = workdir.file(f'redis-{port}')
        os.makedirs(self.dir, exist_ok=True)
        super().__init__(case, workdir,
                         ['redis-server', '--port', str(port), '--bind', '127.0.0.1', '--save', '',
                          '--appendonly', 'no', '--daemonize', 'no', '--dir', self.dir], port)


def require_python_module(case, module, package):
    """Skips (fails under CI=true) unless Debian's python3 imports module (from package)."""
    done = subprocess.run([PYTHON, '-c', f'import {module}'], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        skip_or_fail(case, f'{PYTHON} cannot import {module}: {package} not installed '
                           '(run scripts/install-deps.sh)')


NGINX_CONF = """\
worker_processes 1;
daemon off;
master_process on;
user root;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/tmp/body;
    proxy_temp_path {dir}/tmp/proxy;
    fastcgi_temp_path {dir}/tmp/fastcgi;
    uwsgi_temp_path {dir}/tmp/uwsgi;
    scgi_temp_path {dir}/tmp/scgi;
    keepalive_requests 100000;
    default_type text/plain;
    server {{
        listen 127.0.0.1:{port}{ssl};{tls_files}
        root {dir}/www;
        location / {{ }}
    }}
}}
"""


class NginxServer(Server):
    """nginx in the foreground (daemon off) as root, with all its files in a temp dir."""

    name = 'nginx'

    def __init__(self, case, workdir, tls=None):
        """tls: (certificate path, key path) to serve HTTPS instead of HTTP."""
        require_tool(case, 'nginx')
        self.dir = workdir.file('nginx')
        os.makedirs(os.path.join(self.dir, 'www'), exist_ok=True)
        os.makedirs(os.path.join(self.dir, 'tmp'), exist_ok=True)
        with open(os.path.join(self.dir, 'www', 'index.html'), 'w') as f:
            f.write('<html><body>hello from nginx</body></html>\n')
        port = free_port()
        conf = os.path.join(self.dir, 'nginx.conf')
        with open(conf, 'w') as f:
            tls_files = (f'\n        ssl_certificate {tls[0]};\n        ssl_certificate_key {tls[1]};'
                         if tls else '')
            f.write(NGINX_CONF.format(dir=self.dir, port=port, ssl=' ssl' if tls else '',
                                      tls_files=tls_files))
        self.scheme = 'https' if tls else 'http'
        nginx = shutil.which('nginx')
        super().__init__(case, workdir,
                         [nginx, '-p', self.dir, '-c', conf, '-e', os.path.join(self.dir, 'error.log')],
                         port)
        # The worker is forked after the master listens: wait until it exists.
        deadline = time.monotonic() + 10
        while len(self.refresh_pids()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)

    def access_log_count(self):
        try:
            with open(os.path.join(self.dir, 'access.log')) as f:
                return sum(1 for _ in f)
        except FileNotFoundError:
            return 0

    def stop(self):
        if self.proc.poll() is None:
            stop_process(self.proc, signal.SIGQUIT)  # graceful: workers finish and log
        super().stop()


def make_self_signed_cert(workdir, case=None):
    """A fresh self-signed certificate for localhost and 127.0.0.1 (openssl CLI), valid one day.
    Returns (cert path, key path), both PEM; the certificate is its own CA. Without openssl the
    test is skipped (failed under CI=true)."""
    if shutil.which('openssl') is None:
        reason = 'openssl not installed (run scripts/install-deps.sh)'
        if case is not None:
            skip_or_fail(case, reason)
        if IN_CI:
            raise AssertionError(f'CI=true and the test cannot run: {reason}')
        raise unittest.SkipTest(reason)
    cert, key = workdir.file('otlp-tls-cert.pem'), workdir.file('otlp-tls-key.pem')
    cmd = ['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
           '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
           '-keyout', key, '-out', cert]
    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60)
    if done.returncode != 0:
        raise AssertionError(f'openssl failed ({done.returncode}): {done.stderr.strip()}')
    return cert, key


class OtlpReceiver:
    """tests/otlp-receiver/receiver.js: decodes OTLP with OpenTelemetry JS's own protobuf root.

    OTLP/HTTP always; OTLP/gRPC too with grpc=True. extra_args go to receiver.js as they are
    (fault injection: '--fail-first', '1', ...). port / grpc_port fix the ports (default: free
    ones). With autostart=False nothing runs until start(): a test can hand the endpoint to the
    agent while nothing listens there, and start the receiver on that same port later.
    tls=(cert, key) (see make_self_signed_cert) serves HTTPS and gRPC over TLS; the endpoints
    are then https://localhost:PORT.
    """

    def __init__(self, case, workdir, grpc=False, extra_args=(), port=None, grpc_port=None,
                 autostart=True, tls=None):
        require_tool(case, 'node')
        root_js = os.path.join(RECEIVER_DIR, 'node_modules', '@opentelemetry', 'otlp-transformer',
                               'build', 'src', 'generated', 'root.js')
        if not os.path.exists(root_js):
            skip_or_fail(case, f'OTLP receiver dependencies missing: run npm ci in {RECEIVER_DIR}')
        if grpc and not os.path.isdir(os.path.join(RECEIVER_DIR, 'node_modules', '@grpc', 'grpc-js')):
            skip_or_fail(case, f'@grpc/grpc-js missing: run npm ci in {RECEIVER_DIR}')
        self.port = port or free_port()
        self.grpc_port = (grpc_port or free_port()) if grpc else None
        self.extra_args = [str(a) for a in extra_args]
        self.tls = tuple(tls) if tls else None
        # Named by port: a test may run several receivers in one workdir.
        self.output = workdir.file(f'otlp-spans-{self.port}.jsonl')
        self.log_path = workdir.file(f'receiver-{self.port}.log')
        self.proc = None
        self.pid = None
        self._log = None
        case.addCleanup(self.stop)
        if autostart:
            self.start()

    def _command(self):
        cmd = ['node', os.path.join(RECEIVER_DIR, 'receiver.js'), '--port', str(self.port),
               '--output', self.output]
        if self.grpc_port is not None:
            cmd += ['--grpc-port', str(self.grpc_port)]
        if self.tls:
            cmd += ['--tls-cert', self.tls[0], '--tls-key', self.tls[1]]
        return cmd + self.extra_args

    def _ready_lines(self):
        lines = [f'receiver listening on {self.port}']
        if self.grpc_port is not None:
            lines.append(f'receiver grpc listening on {self.grpc_port}')
        return lines

    def start(self, timeout=20.0):
        """Starts receiver.js (again, after stop()) and waits until its ports accept requests.
        A restart begins its counters (stats, requests) from zero; the span file keeps growing."""
        if self.running:
            return
        self._log = open(self.log_path, 'a')
        log_start = self._log.tell()  # a restart appends: only its own lines count
        self.proc = subprocess.Popen(
            self._command(), stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, cwd=RECEIVER_DIR)
        self.pid = self.proc.pid
        deadline = time.monotonic() + timeout
        while not all(line in self._log_since(log_start) for line in self._ready_lines()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f'OTLP receiver did not start:\n{tail(self.log_path)}')
            time.sleep(0.05)

    def _log_since(self, offset):
        with open(self.log_path, errors='replace') as f:
            f.seek(offset)
            return f.read()

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def endpoint(self):
        """OTLP/HTTP base URL (the agent appends /v1/traces)."""
        if self.tls:
            return f'https://localhost:{self.port}'
        return f'http://127.0.0.1:{self.port}'

    @property
    def grpc_endpoint(self):
        """OTLP/gRPC endpoint URL; only with grpc=True."""
        if self.grpc_port is None:
            raise AttributeError('OtlpReceiver was created without grpc=True')
        if self.tls:
            return f'https://localhost:{self.grpc_port}'
        return f'http://127.0.0.1:{self.grpc_port}'

    def _get_json(self, path):
        # Note: the agent traces this GET like any other HTTP request.
        context = ssl.create_default_context(cafile=self.tls[0]) if self.tls else None
        with urllib.request.urlopen(self.endpoint + path, timeout=10, context=context) as response:
            return json.loads(response.read())

    def stats(self):
        """{requests, spans, failed_requests, spans_in_failed_requests, by_transport:
        {transport: {requests, spans, failed_requests}}}, counting every export request,
        accepted or failed."""
        return self._get_json('/stats')

    def requests(self):
        """One dict per export request, oldest first: time_unix_ms, seq, transport,
        content_encoding, user_agent, headers, ok, status, spans, error."""
        return self._get_json('/requests')

    def log(self):
        return tail(self.log_path, 10_000)

    def spans(self):
        if not os.path.exists(self.output):
            return []
        return read_json_lines(self.output)

    def wait_for(self, predicate, timeout=10.0):
        """Poll the decoded spans until predicate(spans) holds; returns the spans either way."""
        deadline = time.monotonic() + timeout
        while True:
            spans = self.spans()
            if predicate(spans) or time.monotonic() > deadline:
                return spans
            time.sleep(0.1)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            stop_process(self.proc, signal.SIGTERM)
        if self._log is not None and not self._log.closed:
            self._log.close()


class CurlResult:
    def __init__(self, pid, transfers, stdout, stderr):
        self.pid = pid
        self.transfers = transfers  # [(http_code, num_connects)]
        self.stdout = stdout
        self.stderr = stderr

    @property
    def codes(self):
        return [code for code, _ in self.transfers]

    @property
    def connects(self):
        return sum(n for _, n in self.transfers)


def curl(urls, headers=(), timeout=20, insecure=False):
    """One curl process fetching urls in order (so it reuses its keep-alive connection).
    Returns its pid (spans from it are CLIENT spans) and per-transfer status and connects.
    insecure: -k, for the tests' self-signed certificates."""
    if isinstance(urls, str):
        urls = [urls]
    cmd = ['curl', '-sS', '--max-time', str(timeout), '-w', '%{http_code} %{num_connects}\n']
    if insecure:
        cmd.append('-k')
    for h in headers:
        cmd += ['-H', h]
    for u in urls:
        cmd += [u, '-o', '/dev/null']
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    out, err = proc.communicate(timeout=timeout + 10)
    if proc.returncode != 0:
        raise AssertionError(f'curl failed ({proc.returncode}): {err.strip()}')
    transfers = []
    for line in out.splitlines():
        code, connects = line.split()
        transfers.append((int(code), int(connects)))
    return CurlResult(proc.pid, transfers, out, err)


def curl_many(urls, parallel=4, timeout=300):
    """One curl process fetching many urls (read from a config on stdin, so no argv limit),
    up to `parallel` at a time over keep-alive connections. Returns a CurlResult."""
    config = ''.join(f'url = "{u}"\noutput = "/dev/null"\n' for u in urls)
    cmd = ['curl', '-sS', '--max-time', '20', '-w', '%{http_code} %{num_connects}\n', '-K', '-']
    if parallel > 1:
        cmd += ['--parallel', '--parallel-max', str(parallel)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.PIPE)
    out, err = proc.communicate(config, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f'curl failed ({proc.returncode}): {err.strip()[-2000:]}')
    transfers = [tuple(int(x) for x in line.split()) for line in out.splitlines() if line]
    return CurlResult(proc.pid, transfers, out, err)


def wrk(url, threads=1, connections=4, duration='2s'):
    """Runs wrk; returns (pid, total requests completed per wrk's own summary, output)."""
    proc = subprocess.Popen(['wrk', f'-t{threads}', f'-c{connections}', f'-d{duration}', url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            stdin=subprocess.DEVNULL)
    out, _ = proc.communicate(timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f'wrk failed ({proc.returncode}):\n{out}')
    total = None
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == 'requests' and parts[2] == 'in':
            total = int(parts[0])
    return proc.pid, total, out


# ---- span selection (works for the agent's JSON lines and the receiver's decoded lines) ----

def span_pid(span):
    pid = span.get('resource', {}).get('process.pid')
    return int(pid) if pid is not None else None


def from_pids(spans, pids):
    pids = {pids} if isinstance(pids, int) else set(pids)
    return [s for s in spans if span_pid(s) in pids]


def of_kind(spans, kind):
    return [s for s in spans if s.get('kind') == kind]


def attr(span, key, default=None):
    return span.get('attributes', {}).get(key, default)


def duration_ms(span):
    return (int(span['end_time_unix_nano']) - int(span['start_time_unix_nano'])) / 1e6


def describe(spans, limit=30):
    """Compact listing for assertion messages."""
    rows = [f'  pid={span_pid(s)} kind={s.get("kind")} name={s.get("name")!r} '
            f'path={attr(s, "url.path")!r} status={attr(s, "http.response.status_code")}'
            for s in spans[:limit]]
    if len(spans) > limit:
        rows.append(f'  ... {len(spans) - limit} more')
    return f'{len(spans)} spans:\n' + '\n'.join(rows)


def assert_https_spans(case, spans, expected, kind, port):
    """Fails case unless spans match expected [(path, status)] one to one, in any order, and
    each is a GET of that kind ('SERVER' or 'CLIENT') with url.scheme https and server.port."""
    got = sorted((attr(s, 'url.path'), attr(s, 'http.response.status_code')) for s in spans)
    case.assertEqual(got, sorted(expected), describe(spans))
    for s in spans:
        case.assertEqual(s['kind'], kind, describe([s]))
        case.assertEqual(attr(s, 'http.request.method'), 'GET', describe([s]))
        case.assertEqual(attr(s, 'url.scheme'), 'https', describe([s]))
        case.assertEqual(int(attr(s, 'server.port', -1)), port, describe([s]))


# ---- the agent's final counters (its --stats-file) and memory ----

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$')
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')
_UNESCAPE = {'\\\\': '\\', '\\"': '"', '\\n': '\n'}


class PrometheusSamples(dict):
    """{(metric name, ((label, value), ...) sorted by label): value}, from Prometheus text."""

    def value(self, name, **labels):
        """One sample's value, or None when absent."""
        return self.get((name, tuple(sorted(labels.items()))))

    def family(self, name):
        """{labels dict as a sorted tuple: value} of every sample named name."""
        return {labels: v for (n, labels), v in self.items() if n == name}


def parse_prometheus_text(text):
    """Prometheus text format 0.0.4 into PrometheusSamples; comments and blank lines skipped.
    Integral values become ints."""
    samples = PrometheusSamples()
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        match = _SAMPLE.match(line)
        if not match:
            raise AssertionError(f'line {lineno} is not a Prometheus sample: {line!r}')
        name, label_text, value_text = match.groups()
        labels = []
        rest = label_text or ''
        while rest.strip():
            label = _LABEL.match(rest)
            if not label:
                raise AssertionError(f'line {lineno}: bad labels {label_text!r}')
            value = re.sub(r'\\.', lambda m: _UNESCAPE.get(m.group(0), m.group(0)), label.group(2))
            labels.append((label.group(1), value))
            rest = rest[label.end():]
        value = float(value_text)
        samples[(name, tuple(sorted(labels)))] = int(value) if value.is_integer() else value
    return samples


# exit_counters() key -> the /metrics counter it is.
_EXIT_COUNTERS = {'spans': 'zerotrace_spans_built_total',
                  'exported': 'zerotrace_spans_exported_total',
                  'dropped': 'zerotrace_spans_dropped_total',
                  'failed': 'zerotrace_spans_failed_total',
                  'rejected': 'zerotrace_spans_rejected_total',
                  'retries': 'zerotrace_export_retries_total'}


def exit_counters(agent, sig=signal.SIGTERM):
    """Stops the agent (sig, default SIGTERM; it must exit 0) and reads its final counters from
    its stats file: {'spans', 'exported', 'dropped', 'failed', 'rejected', 'retries'}."""
    metrics = agent.final_metrics(sig=sig)
    counters = {key: metrics.value(name) for key, name in _EXIT_COUNTERS.items()}
    missing = [_EXIT_COUNTERS[k] for k, v in counters.items() if v is None]
    if missing:
        agent.case.fail(f'no {", ".join(missing)} in the stats file {agent.stats_path}')
    return counters


def vm_rss_kib(pid):
    """VmRSS of a live process in KiB (None once it is gone)."""
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class E2ETestCase(unittest.TestCase):
    """Base class: skips (or fails under CI=true) where real BPF cannot run."""

    def setUp(self):
        problem = environment_problem()
        if problem:
            skip_or_fail(self, problem)
        require_tool(self, 'curl')
        self.work = Workdir(self)

    def start_agent(self, **kwargs):
        return Agent(self, self.work, **kwargs)
