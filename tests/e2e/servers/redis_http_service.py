#!/usr/bin/env python3
"""An HTTP service backed by Redis, unmodified and uninstrumented: GET /items/<id> makes three
Redis calls with python3-redis (SET item:<id>, GET item:<id>, INCR views:<id>) on the thread
serving the request, then answers 200 with what it read. Anything else is 404.

Usage: redis_http_service.py HTTP_PORT REDIS_PORT
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import redis

REDIS = None


class ItemHandler(BaseHTTPRequestHandler):

    def do_GET(self):
        prefix = '/items/'
        if not self.path.startswith(prefix) or not self.path[len(prefix):].isalnum():
            self.send_error(404)
            return
        item = self.path[len(prefix):]
        REDIS.execute_command('SET', f'item:{item}', f'stock of {item}')
        stored = REDIS.execute_command('GET', f'item:{item}')
        views = REDIS.execute_command('INCR', f'views:{item}')
        body = json.dumps({'item': item, 'stored': stored.decode(), 'views': views}).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # quiet: the test reads the spans, not the access log


def main():
    global REDIS
    http_port, redis_port = int(sys.argv[1]), int(sys.argv[2])
    REDIS = redis.Redis(host='127.0.0.1', port=redis_port)
    server = ThreadingHTTPServer(('127.0.0.1', http_port), ItemHandler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == '__main__':
    main()
