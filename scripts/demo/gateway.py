#!/usr/bin/python3
"""Demo 'gateway' service: plain Python stdlib, no tracing code.

    python3 gateway.py PORT ORDERS_PORT
    GET /orders/<id>  -> asks the orders service, passes its answer on (errors become 500)
    GET /health       -> 200
"""
import http.server
import json
import sys
import urllib.error
import urllib.request

PORT, ORDERS_PORT = int(sys.argv[1]), int(sys.argv[2])


class Gateway(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def reply(self, status, body):
        data = (json.dumps(body) + '\n').encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == '/health':
            return self.reply(200, {'status': 'ok'})
        if not self.path.startswith('/orders/'):
            return self.reply(404, {'error': 'no such route'})
        url = f'http://127.0.0.1:{ORDERS_PORT}{self.path}'
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return self.reply(200, {'gateway': 'ok', 'order': json.load(resp)})
        except urllib.error.HTTPError as e:
            status = 404 if e.code == 404 else 500
            return self.reply(status, {'error': f'orders answered {e.code}'})
        except OSError as e:
            return self.reply(502, {'error': f'orders unreachable: {e}'})

    def log_message(self, fmt, *args):
        sys.stderr.write('gateway: ' + fmt % args + '\n')


http.server.ThreadingHTTPServer(('127.0.0.1', PORT), Gateway).serve_forever()
