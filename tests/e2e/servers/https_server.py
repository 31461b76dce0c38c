#!/usr/bin/python3
"""Debian's Python http.server behind the standard library's ssl module, unmodified otherwise:
    https_server.py PORT CERT KEY DIRECTORY
serves DIRECTORY over HTTPS on 127.0.0.1:PORT, one thread per connection."""

import functools
import http.server
import ssl
import sys


def main():
    port, cert, key, directory = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', port), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f'python https server on {port}', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
