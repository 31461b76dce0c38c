#!/usr/bin/python3
"""Chain 'gateway' for the trace-linking tests: Python stdlib, no tracing code, sets no traceparent.

    python3 chain_gateway.py HOST PORT ORDERS_BASE_URL
    GET /order/<id>  -> GET ORDERS_BASE_URL/orders/<id>; 200 JSON {"gateway": "ok", "id", "orders"}
    anything else    -> 404

By default every call to orders opens a fresh connection (urllib). With CHAIN_KEEPALIVE=1 the
calls go over a small pool of http.client keep-alive connections, reused from one request to the
next. Prints 'chain-gateway ready on HOST:PORT' once it listens.

The same program serves as a thread-per-request Python "orders" (netns_chain.py, orders='python')
when these are set in its environment:
    CHAIN_IN_PREFIX   the path it serves, '/order/' by default ('/orders/' as orders)
    CHAIN_OUT_PREFIX  the path it asks downstream, '/orders/' by default ('/stock/' as orders)
    CHAIN_ANSWER      'gateway' (default): {"gateway": "ok", "id", "orders": <downstream JSON>};
                      'orders': {"order": <id>, "inventory": <downstream JSON>}, as chain_orders.js
                      answers
    CHAIN_NAME        the name in the ready line, 'chain-gateway' by default
"""
import http.client
import http.server
import json
import os
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

HOST, PORT, ORDERS = sys.argv[1], int(sys.argv[2]), sys.argv[3].rstrip('/')
KEEPALIVE = os.environ.get('CHAIN_KEEPALIVE') == '1'
IN_PREFIX = os.environ.get('CHAIN_IN_PREFIX', '/order/')
OUT_PREFIX = os.environ.get('CHAIN_OUT_PREFIX', '/orders/')
ANSWER = os.environ.get('CHAIN_ANSWER', 'gateway')
NAME = os.environ.get('CHAIN_NAME', 'chain-gateway')
if ANSWER not in ('gateway', 'orders'):
    sys.exit(f'{NAME}: CHAIN_ANSWER must be gateway or orders, not {ANSWER!r}')
TIMEOUT = 10


class ConnectionPool:
    """Idle keep-alive connections to orders; a request takes one (or opens one) and gives it back."""

    def __init__(self, base_url):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.idle = []
        self.lock = threading.Lock()

    def _take(self):
        with self.lock:
            if self.idle:
                return self.idle.pop(), True
        return http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT), False

    def _give_back(self, conn):
        with self.lock:
            self.idle.append(conn)

    def get(self, path):
        """(status, body bytes). A reused connection that the server closed meanwhile is
        replaced once by a fresh one."""
        conn, reused = self._take()
        try:
            status, body = self._request(conn, path)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            if not reused:
                raise
            conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            status, body = self._request(conn, path)
        self._give_back(conn)
        return status, body

    @staticmethod
    def _request(conn, path):
        conn.request('GET', path)
        resp = conn.getresponse()
        return resp.status, resp.read()


POOL = ConnectionPool(ORDERS) if KEEPALIVE else None


def ask_orders(order_id):
    """(status, parsed JSON or None) from downstream's OUT_PREFIX<id> (orders' /orders/<id>)."""
    path = f'{OUT_PREFIX}{order_id}'
    if POOL is not None:
        status, body = POOL.get(path)
    else:
        try:
            with urllib.request.urlopen(ORDERS + path, timeout=TIMEOUT) as resp:
                status, body = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, None


class Gateway(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # keep-alive and pipelining from clients
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle plus the client's
    # delayed ACK would stall every keep-alive response by ~40 ms.
    disable_nagle_algorithm = True

    def reply(self, status, body):
        data = (json.dumps(body) + '\n').encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        prefix = IN_PREFIX
        if not self.path.startswith(prefix) or len(self.path) == len(prefix):
            return self.reply(404, {'error': 'no such route'})
        order_id = self.path[len(prefix):]
        downstream = 'orders' if ANSWER == 'gateway' else 'inventory'
        try:
            status, answer = ask_orders(order_id)
        except OSError as e:
            return self.reply(502, {'error': f'{downstream} unreachable: {e}'})
        if status != 200:
            return self.reply(502, {'error': f'{downstream} answered {status}',
                                    downstream: answer})
        if ANSWER == 'gateway':
            self.reply(200, {'gateway': 'ok', 'id': order_id, 'orders': answer})
        else:
            self.reply(200, {'order': order_id, 'inventory': answer})

    def log_message(self, fmt, *args):
        pass  # quiet: hundreds of requests per test


server = http.server.ThreadingHTTPServer((HOST, PORT), Gateway)
print(f'{NAME} ready on {HOST}:{PORT} (keepalive={int(KEEPALIVE)}, serves {IN_PREFIX}, asks '
      f'{OUT_PREFIX})', flush=True)
server.serve_forever()
