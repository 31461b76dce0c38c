"""A three-"host" service chain for the trace-linking tests, built from network namespaces.

    root ns --veth--> gateway ns --veth--> orders ns --veth--> inventory ns
     (curl)          chain_gateway.py      chain_orders.js      chain_inventory.py
                                       (or chain_gateway.py as a thread-per-request orders)

Each hop is a veth pair on its own /30 of one /28 block in 10.231.0.0/16; only adjacent hops
talk, over their connected routes. The services are the unmodified programs in servers/,
started with `ip netns exec NS ...` (so their pids are the exec'd programs' own pids).

    chain = NetnsChain(case, workdir, keepalive=False, orders='node')  # case may be None
    chain.url('42')          -> http://10.231.x.2:8080/order/42 (reachable from the root ns)
    chain.pids               -> {'gateway': [...], 'orders': [...], 'inventory': [...]}
    chain.get_sequential(ids), chain.get_concurrent(ids, 16), chain.get_pipelined(ids)

Everything made (services, veths, namespaces) is undone by close(), which the test case's
cleanup calls even when an assertion fails; namespaces left by a killed run are swept by the
next one. Smoke test as root: [CHAIN_ORDERS=python] /usr/bin/python3 tests/e2e/netns_chain.py
Python 3 standard library only.
"""

import collections
import concurrent.futures
import ipaddress
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from harness import PYTHON, SERVERS_DIR, descendants, skip_or_fail, stop_process, tail

CHAIN_NET = ipaddress.ip_network('10.231.0.0/16')
BLOCK_PREFIX = 28  # one /28 per chain: three /30 hops
PORTS = {'gateway': 8080, 'orders': 8081, 'inventory': 8082}
SERVICES = ('gateway', 'orders', 'inventory')
ORDERS_KINDS = ('node', 'python', 'node-sdk')
SDK_PEER_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                            'sdk-peer')
SDK_REGISTER = os.path.join(SDK_PEER_DIR, 'register.js')
NS_SUFFIX = {'gateway': 'gw', 'orders': 'ord', 'inventory': 'inv'}
READY_TIMEOUT = 30.0
REQUEST_TIMEOUT = 20.0

_NS_NAME = re.compile(r'^zt-(\d+)-(\d+)-(gw|ord|inv)$')
_counter = itertools.count()

# A response through the chain: the id asked for, the gateway's status and its JSON (or None).
ChainResponse = collections.namedtuple('ChainResponse', 'id status body')


class ChainUnusable(Exception):
    """ip netns (or a tool the chain needs) cannot be used here."""


def ip(*args, timeout=20):
    """Runs `ip ARGS...`; raises RuntimeError with ip's message when it fails."""
    done = subprocess.run(['ip', *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f'ip {" ".join(args)} failed ({done.returncode}): '
                           f'{done.stderr.strip()}')
    return done.stdout


def _pid_alive(pid):
    return os.path.exists(f'/proc/{pid}')


def sweep_stale_namespaces():
    """Deletes zt-<pid>-<n>-{gw,ord,inv} namespaces whose creating process is gone (left by a
    run that was killed before its cleanup). Their veths go with them."""
    try:
        names = ip('netns', 'list').split()
    except (RuntimeError, OSError):
        return
    for name in names:
        m = _NS_NAME.match(name)
        if m and not _pid_alive(int(m.group(1))):
            try:
                ip('netns', 'del', name)
            except RuntimeError:
                pass


def _networks_in_use():
    """IPv4 networks addressed or routed in the root namespace (the chain must avoid them)."""
    text = ip('-4', '-o', 'addr', 'show') + ip('-4', 'route', 'show', 'table', 'all')
    nets = []
    for word in re.findall(r'\b\d+\.\d+\.\d+\.\d+(?:/\d+)?', text):
        try:
            nets.append(ipaddress.ip_network(word, strict=False))
        except ValueError:
            continue
    return nets


def pick_block(seed):
    """A free /28 of CHAIN_NET, starting the search at a slot derived from seed."""
    blocks = list(CHAIN_NET.subnets(new_prefix=BLOCK_PREFIX))
    used = _networks_in_use()
    for i in range(len(blocks)):
        block = blocks[(seed + i) % len(blocks)]
        # Skip the very first block (network address of the /16) for tidiness.
        if block.network_address == CHAIN_NET.network_address:
            continue
        if not any(block.overlaps(net) for net in used if net.prefixlen > 0):
            return block
    raise ChainUnusable(f'no free /{BLOCK_PREFIX} left in {CHAIN_NET}')


def hop_addresses(block):
    """[(left ip, right ip)] for the three hops root-gw, gw-orders, orders-inventory."""
    base = int(block.network_address)
    return [(str(ipaddress.ip_address(base + 4 * hop + 1)),
             str(ipaddress.ip_address(base + 4 * hop + 2))) for hop in range(3)]


class ChainService:
    """One service process inside a namespace; its stdout/stderr go to a log file."""

    def __init__(self, name, ns, cmd, log_path, env):
        self.name = name
        self.ns = ns
        self.log_path = log_path
        self._log = open(log_path, 'w')
        self.proc = subprocess.Popen(['ip', 'netns', 'exec', ns, *cmd], stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=dict(os.environ, **env))
        self.pid = self.proc.pid  # ip netns exec execs the command: same pid
        self.pids = {self.pid}

    def wait_ready(self, timeout=READY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while 'ready on' not in tail(self.log_path, 20):
            if self.proc.poll() is not None:
                raise RuntimeError(f'{self.name} exited with {self.proc.returncode} before it was '
                                   f'ready; log:\n{tail(self.log_path)}')
            if time.monotonic() > deadline:
                raise RuntimeError(f'{self.name} not ready within {timeout:.0f} s; log:\n'
                                   f'{tail(self.log_path)}')
            time.sleep(0.05)
        self.pids |= descendants(self.pid)

    def stop(self):
        if self.proc.poll() is None:
            stop_process(self.proc, signal.SIGTERM)
        if not self._log.closed:
            self._log.close()


class NetnsChain:
    """gateway -> orders -> inventory, each in its own network namespace (see the module doc).

    case: a unittest.TestCase (its cleanup closes the chain; an unusable `ip netns` skips the
    test, or fails it under CI=true) or None (then ChainUnusable is raised instead; close the
    chain yourself or use it as a context manager). workdir: a harness.Workdir or a directory
    path, for the service logs. keepalive: CHAIN_KEEPALIVE=1 for gateway and orders.
    orders: 'node' (chain_orders.js: one event loop handles all requests at once), 'python'
    (chain_gateway.py serving /orders/ and asking /stock/: a thread per request, answering as
    chain_orders.js does) or 'node-sdk' (chain_orders.js with the OpenTelemetry JS SDK loaded
    by `node --require tests/sdk-peer/register.js`, configured in code: it propagates its own
    traceparent and writes its spans to chain.sdk_spans_path as JSON lines).
    """

    def __init__(self, case, workdir, keepalive=False, orders='node'):
        if orders not in ORDERS_KINDS:
            raise ValueError(f'orders must be one of {ORDERS_KINDS}, not {orders!r}')
        self.case = case
        self.dir = getattr(workdir, 'path', workdir)
        self.keepalive = keepalive
        self.orders = orders
        self.serial = next(_counter)
        self.tag = f'{os.getpid()}-{self.serial}'
        self.namespaces = {s: f'zt-{self.tag}-{NS_SUFFIX[s]}' for s in SERVICES}
        self.root_veth = None
        self.hops = None
        self.services = {}
        self.sdk_spans_path = os.path.join(self.dir, f'sdk-spans-{self.serial}.jsonl')
        self._undo = []
        if case is not None:
            case.addCleanup(self.close)
        try:
            self._build()
        except ChainUnusable as e:
            self.close()
            if case is None:
                raise
            skip_or_fail(case, str(e))
        except BaseException:
            self.close()
            raise

    # ---- building ----

    def _build(self):
        self._check_tools()
        sweep_stale_namespaces()
        self._make_namespaces()
        block = pick_block(os.getpid() * 7 + self.serial * 3)
        self.hops = hop_addresses(block)
        self._make_links()
        self._start_services()

    def _check_tools(self):
        if os.geteuid() != 0:
            raise ChainUnusable('network namespaces need root')
        for tool in ('ip',) if self.orders == 'python' else ('ip', 'node'):
            if shutil.which(tool) is None:
                raise ChainUnusable(f'{tool} not installed (run scripts/install-deps.sh)')
        if self.orders == 'node-sdk' and not os.path.isdir(os.path.join(SDK_PEER_DIR,
                                                                        'node_modules')):
            raise ChainUnusable(f'{SDK_PEER_DIR}/node_modules missing (run '
                                f'scripts/install-deps.sh)')

    def _make_namespaces(self):
        for i, service in enumerate(SERVICES):
            ns = self.namespaces[service]
            try:
                ip('netns', 'add', ns)
            except (RuntimeError, OSError) as e:
                if i == 0:
                    raise ChainUnusable(f'ip netns is not usable here: {e}')
                raise
            self._undo.append(lambda ns=ns: ip('netns', 'del', ns))
            ip('-n', ns, 'link', 'set', 'lo', 'up')

    def _make_links(self):
        gw, orders, inv = (self.namespaces[s] for s in SERVICES)
        self.root_veth = f'zt{self.tag.replace("-", "x")}'[:15]
        # Hop 0: root ns <-> gateway ns.
        ip('link', 'add', self.root_veth, 'type', 'veth', 'peer', 'name', 'to-root', 'netns', gw)
        self._undo.append(self._delete_root_veth)
        self._address(None, self.root_veth, self.hops[0][0])
        self._address(gw, 'to-root', self.hops[0][1])
        # Hop 1: gateway ns <-> orders ns; hop 2: orders ns <-> inventory ns (created inside
        # the namespaces, so their names never meet the root namespace's).
        ip('-n', gw, 'link', 'add', 'to-orders', 'type', 'veth', 'peer', 'name', 'to-gateway',
           'netns', orders)
        self._address(gw, 'to-orders', self.hops[1][0])
        self._address(orders, 'to-gateway', self.hops[1][1])
        ip('-n', orders, 'link', 'add', 'to-inventory', 'type', 'veth', 'peer', 'name',
           'to-orders', 'netns', inv)
        self._address(orders, 'to-inventory', self.hops[2][0])
        self._address(inv, 'to-orders', self.hops[2][1])

    @staticmethod
    def _address(ns, dev, addr):
        prefix = ['-n', ns] if ns else []
        ip(*prefix, 'addr', 'add', f'{addr}/30', 'dev', dev)
        ip(*prefix, 'link', 'set', dev, 'up')

    def _delete_root_veth(self):
        try:
            ip('link', 'del', self.root_veth)
        except RuntimeError:
            pass  # already gone with its peer's namespace

    def _start_services(self):
        env = {'CHAIN_KEEPALIVE': '1' if self.keepalive else '0'}
        gw_ip, orders_ip, inv_ip = self.hops[0][1], self.hops[1][1], self.hops[2][1]
        gateway_py = os.path.join(SERVERS_DIR, 'chain_gateway.py')
        commands = {
            'inventory': [PYTHON, os.path.join(SERVERS_DIR, 'chain_inventory.py'), inv_ip,
                          str(PORTS['inventory'])],
            'orders': ['node', os.path.join(SERVERS_DIR, 'chain_orders.js'), orders_ip,
                       str(PORTS['orders']), inv_ip, str(PORTS['inventory'])],
            'gateway': [PYTHON, gateway_py, gw_ip, str(PORTS['gateway']),
                        f'http://{orders_ip}:{PORTS["orders"]}'],
        }
        envs = {name: env for name in SERVICES}
        if self.orders == 'node-sdk':
            commands['orders'][1:1] = ['--require', SDK_REGISTER]
            envs['orders'] = dict(env, ZT_SDK_SPANS_FILE=self.sdk_spans_path,
                                  ZT_SDK_SERVICE_NAME='orders')
        if self.orders == 'python':
            commands['orders'] = [PYTHON, gateway_py, orders_ip, str(PORTS['orders']),
                                  f'http://{inv_ip}:{PORTS["inventory"]}']
            envs['orders'] = dict(env, CHAIN_IN_PREFIX='/orders/', CHAIN_OUT_PREFIX='/stock/',
                                  CHAIN_ANSWER='orders', CHAIN_NAME='chain-orders (python)')
        for name in ('inventory', 'orders', 'gateway'):
            service = ChainService(name, self.namespaces[name], commands[name],
                                   os.path.join(self.dir, f'chain-{name}.log'), envs[name])
            self.services[name] = service
            self._undo.append(service.stop)
            service.wait_ready()
        self._probe_gateway()

    def _probe_gateway(self, timeout=10.0):
        """A bare connect from the root ns (no HTTP, so no span) proves the first hop routes."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(self.gateway_address, timeout=1.0):
                    return
            except OSError as e:
                if time.monotonic() > deadline:
                    raise RuntimeError(f'gateway {self.gateway_address} unreachable from the '
                                       f'root namespace: {e}')
                time.sleep(0.05)

    # ---- using ----

    @property
    def gateway_address(self):
        return (self.hops[0][1], PORTS['gateway'])

    @property
    def gateway_url(self):
        host, port = self.gateway_address
        return f'http://{host}:{port}'

    def url(self, order_id):
        return f'{self.gateway_url}/order/{order_id}'

    @property
    def pids(self):
        """{'gateway': [...], 'orders': [...], 'inventory': [...]} (for from_pids and
        chain_report.analyse_chain)."""
        return {name: sorted(s.pids) for name, s in self.services.items()}

    def sdk_spans(self):
        """The spans the orders SDK wrote ('node-sdk' only), as dicts shaped like the agent's."""
        try:
            with open(self.sdk_spans_path) as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def log(self, name):
        return tail(self.services[name].log_path, 10_000)

    def get(self, order_id):
        """One GET /order/<id> on a fresh connection: a ChainResponse."""
        try:
            with urllib.request.urlopen(self.url(order_id), timeout=REQUEST_TIMEOUT) as resp:
                status, data = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        return ChainResponse(order_id, status, _json_or_none(data))

    def get_sequential(self, ids):
        return [self.get(i) for i in ids]

    def get_concurrent(self, ids, concurrency=16):
        """All ids, `concurrency` in flight at a time (threads, a fresh connection each)."""
        with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(self.get, ids))

    def get_pipelined(self, ids):
        """All requests written to one keep-alive connection in a single send, then all
        responses read back (in order): [ChainResponse]."""
        host = self.gateway_address[0]
        requests = [_pipelined_request(host, order_id, last=n == len(ids) - 1)
                    for n, order_id in enumerate(ids)]
        payload = ''.join(requests).encode()
        with socket.create_connection(self.gateway_address, timeout=REQUEST_TIMEOUT) as sock:
            sock.sendall(payload)
            data = _read_until_closed(sock)
        answers = parse_http_responses(data)
        return [ChainResponse(i, status, _json_or_none(body))
                for i, (status, body) in zip(ids, answers)]

    # ---- tearing down ----

    def close(self):
        """Stops the services, deletes the veths and namespaces; safe to call twice."""
        errors = []
        while self._undo:
            step = self._undo.pop()
            try:
                step()
            except Exception as e:  # keep undoing the rest
                errors.append(str(e))
        if errors:
            print('netns_chain cleanup: ' + '; '.join(errors), file=sys.stderr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _pipelined_request(host, order_id, last):
    """GET /order/<id>; the last request of a pipeline asks the gateway to close."""
    lines = [f'GET /order/{order_id} HTTP/1.1', f'Host: {host}']
    if last:
        lines.append('Connection: close')
    return '\r\n'.join(lines) + '\r\n\r\n'


def _json_or_none(data):
    try:
        return json.loads(data)
    except ValueError:
        return None


def _read_until_closed(sock):
    chunks = []
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return b''.join(chunks)
        chunks.append(chunk)


def parse_http_responses(data):
    """[(status, body bytes)] from back-to-back HTTP/1.1 responses with Content-Length."""
    answers = []
    while data:
        head, sep, rest = data.partition(b'\r\n\r\n')
        if not sep:
            break
        lines = head.decode('latin-1').split('\r\n')
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(':')
            if name.strip().lower() == 'content-length':
                length = int(value.strip())
        answers.append((status, rest[:length]))
        data = rest[length:]
    return answers


def echoed_traceparent(response):
    """The traceparent inventory saw for this request (None when there was none)."""
    body = response.body or {}
    return (((body.get('orders') or {}).get('inventory')) or {}).get('traceparent')


def main():
    """Builds a chain, sends three requests through it, prints the answers, tears it down."""
    with tempfile.TemporaryDirectory(prefix='zt-chain-') as workdir:
        try:
            with NetnsChain(None, workdir, keepalive=os.environ.get('CHAIN_KEEPALIVE') == '1',
                            orders=os.environ.get('CHAIN_ORDERS', 'node')) as chain:
                print(f'gateway {chain.gateway_url}, pids {chain.pids}, namespaces '
                      f'{list(chain.namespaces.values())}')
                for response in chain.get_sequential(['smoke1', 'smoke2']):
                    print(response.status, json.dumps(response.body))
                for response in chain.get_pipelined(['pipe1', 'pipe2']):
                    print(response.status, json.dumps(response.body))
        except ChainUnusable as e:
            print(f'chain unusable: {e}')
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
