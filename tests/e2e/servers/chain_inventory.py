#!/usr/bin/python3
"""Chain 'inventory' for the trace-linking tests: Python stdlib, no tracing code.

    python3 chain_inventory.py HOST PORT
    GET /stock/<id>  -> 200 {"id": <id>, "stock": 7, "traceparent": <the traceparent header
                        this request carried, or null>}
    anything else    -> 404

Echoing traceparent lets a test check what the agent injected into the orders -> inventory
call. Prints 'chain-inventory ready on HOST:PORT' once it listens.
"""
import http.server
import json
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])


class Inventory(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # lets orders keep its connections alive
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
        prefix = '/stock/'
        if not self.path.startswith(prefix) or len(self.path) == len(prefix):
            return self.reply(404, {'error': 'no such route'})
        self.reply(200, {'id': self.path[len(prefix):], 'stock': 7,
                         'traceparent': self.headers.get('traceparent')})

    def log_message(self, fmt, *args):
        pass


server = http.server.ThreadingHTTPServer((HOST, PORT), Inventory)
print(f'chain-inventory ready on {HOST}:{PORT}', flush=True)
server.serve_forever()
