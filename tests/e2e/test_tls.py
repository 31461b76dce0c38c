"""HTTPS traced through OpenSSL: uprobes on SSL_read/SSL_write (libssl.so.3, and the copy
linked into the node binary) give the plaintext, which goes through the same HTTP parser as
plain traffic. Servers use a fresh self-signed certificate; clients skip verification.

Every test checks the spans one to one against the requests made, so a span built from the
ciphertext of the same connection (or a plaintext message lost) fails it."""

import os
import subprocess

from harness import (PYTHON, SERVERS_DIR, E2ETestCase, NginxServer, Server, assert_https_spans,
                     curl, free_port, from_pids, make_self_signed_cert, require_tool)


class PythonHttpsServer(Server):
    """Debian's python3 http.server wrapped in the ssl module (servers/https_server.py)."""

    name = 'python-https-server'
    scheme = 'https'

    def __init__(self, case, workdir, cert, key):
        self.root = workdir.file('www-https')
        os.makedirs(self.root, exist_ok=True)
        with open(os.path.join(self.root, 'hello.txt'), 'w') as f:
            f.write('hello over tls\n')
        port = free_port()
        super().__init__(case, workdir, [PYTHON, os.path.join(SERVERS_DIR, 'https_server.py'),
                                         str(port), cert, key, self.root], port)


class NodeHttpsServer(Server):
    """servers/node_server.js serving https (Node's own statically linked OpenSSL)."""

    name = 'node-https-server'
    scheme = 'https'

    def __init__(self, case, workdir, cert, key):
        require_tool(case, 'node')
        port = free_port()
        super().__init__(case, workdir,
                         ['node', os.path.join(SERVERS_DIR, 'node_server.js'), str(port)], port,
                         env={'ZT_TLS_CERT': cert, 'ZT_TLS_KEY': key})


def run_client(cmd, timeout=60):
    """Runs a client to completion; returns (pid, stdout)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f'{cmd[0]} failed ({proc.returncode}): {err.strip()}')
    return proc.pid, out


PYTHON_URLLIB_CLIENT = """
import ssl, sys, urllib.error, urllib.request
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
for url in sys.argv[1:]:
    try:
        with urllib.request.urlopen(url, context=context, timeout=10) as response:
            response.read()
            print(response.status, url)
    except urllib.error.HTTPError as e:
        print(e.code, url)
"""


class TlsSpansTest(E2ETestCase):

    def setUp(self):
        super().setUp()
        self.cert, self.key = make_self_signed_cert(self.work, self)

    def test_python_https_server_with_curl_and_urllib_clients(self):
        server = PythonHttpsServer(self, self.work, self.cert, self.key)
        agent = self.start_agent(args=['--port', str(server.port)])
        curl_requests = [('/hello.txt', 200), ('/missing.txt', 404), ('/hello.txt', 200)]
        result = curl([server.url(p) for p, _ in curl_requests], insecure=True)
        self.assertEqual(result.codes, [code for _, code in curl_requests])
        urllib_requests = [('/hello.txt', 200), ('/nothing/here', 404)]
        urllib_pid, out = run_client([PYTHON, '-c', PYTHON_URLLIB_CLIENT] +
                                     [server.url(p) for p, _ in urllib_requests])
        self.assertEqual([int(line.split()[0]) for line in out.splitlines()], [200, 404])
        spans = agent.spans()

        assert_https_spans(self, from_pids(spans, server.pids), curl_requests + urllib_requests,
                           'SERVER', server.port)
        assert_https_spans(self, from_pids(spans, result.pid), curl_requests, 'CLIENT',
                           server.port)
        assert_https_spans(self, from_pids(spans, urllib_pid), urllib_requests, 'CLIENT',
                           server.port)

    def test_nginx_https_static_file(self):
        server = NginxServer(self, self.work, tls=(self.cert, self.key))
        agent = self.start_agent(args=['--port', str(server.port)])
        requests = [('/index.html', 200), ('/missing', 404), ('/index.html', 200)]
        result = curl([server.url(p) for p, _ in requests], insecure=True)
        self.assertEqual(result.codes, [200, 404, 200])
        spans = agent.spans()

        assert_https_spans(self, from_pids(spans, server.refresh_pids()), requests, 'SERVER',
                           server.port)
        assert_https_spans(self, from_pids(spans, result.pid), requests, 'CLIENT', server.port)

    def test_node_https_server_with_curl_and_node_clients(self):
        server = NodeHttpsServer(self, self.work, self.cert, self.key)
        agent = self.start_agent(args=['--port', str(server.port)])
        curl_requests = [('/users/1', 200), ('/error', 500), ('/nope', 404)]
        result = curl([server.url(p) for p, _ in curl_requests], insecure=True)
        self.assertEqual(result.codes, [200, 500, 404])
        node_requests = [('/users/7', 200), ('/', 200)]
        node_pid, out = run_client(['node', os.path.join(SERVERS_DIR, 'https_client.js')] +
                                   [server.url(p) for p, _ in node_requests])
        self.assertEqual([int(line.split()[0]) for line in out.splitlines()], [200, 200])
        spans = agent.spans()

        assert_https_spans(self, from_pids(spans, server.pids), curl_requests + node_requests,
                           'SERVER', server.port)
        assert_https_spans(self, from_pids(spans, result.pid), curl_requests, 'CLIENT',
                           server.port)
        assert_https_spans(self, from_pids(spans, node_pid), node_requests, 'CLIENT',
                           server.port)
