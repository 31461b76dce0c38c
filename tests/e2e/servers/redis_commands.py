#!/usr/bin/env python3
"""A real Redis client (Debian's python3-redis) running one scenario against 127.0.0.1:PORT, for
the end-to-end tests. Commands go out exactly as listed (execute_command: no helper renames them,
as redis-py's incr() sends INCRBY), so the test knows what each span must say.

Usage: redis_commands.py SCENARIO PORT [SECRET]
Prints one JSON object: {"pid": N, "commands": [{"args": [...], "error": "WRONGTYPE" | null}]},
the commands in the order they were sent (a pipeline's in its order).

Scenarios:
  mixed        900 single commands and 100 more in 10 pipelines of 10 (no transaction)
  transaction  one MULTI/EXEC transaction (redis-py pipeline(transaction=True)) of three commands
  errors       commands answered with -WRONGTYPE and -ERR, between ones that succeed
  namespaces   two connections; one of them SELECTs db 5 and back to 0 (each command says which
               connection sent it: "connection": "a" or "b")
  secret       SECRET stored and read back: SET, GET, HSET and a pipeline
"""

import json
import os
import sys

import redis


def error_prefix(error):
    """The prefix of Redis's error reply: redis-py keeps WRONGTYPE in the message but strips a
    generic "ERR " (and the other codes it has exception classes for)."""
    first = str(error).split(' ', 1)[0]
    if first.isupper() and first.isalpha():
        return first
    return 'ERR' if type(error) is redis.ResponseError else type(error).__name__


class Recorder:
    def __init__(self, port):
        self.client = redis.Redis(host='127.0.0.1', port=port)
        self.commands = []

    def run(self, *args, expect_error=None):
        """One command on the client's pooled connection; records what went out and whether
        Redis answered with an error (its prefix)."""
        try:
            self.client.execute_command(*args)
            error = None
        except redis.ResponseError as e:
            error = error_prefix(e)
        if error != expect_error:
            raise SystemExit(f'{args}: got error {error!r}, expected {expect_error!r}')
        self.commands.append({'args': [str(a) for a in args], 'error': error})

    def pipeline(self, commands, transaction=False):
        """Sends the commands in one pipeline (with transaction=True, between MULTI and EXEC)."""
        pipe = self.client.pipeline(transaction=transaction)
        for args in commands:
            pipe.execute_command(*args)
        pipe.execute()
        sent = ([('MULTI',)] if transaction else []) + list(commands) + ([('EXEC',)] if transaction else [])
        self.commands += [{'args': [str(a) for a in args], 'error': None} for args in sent]


def mixed(r):
    for i in range(100):
        r.run('SET', f'user:{i}', f'value-{i}')
        r.run('GET', f'user:{i}')
        r.run('INCR', 'visits')
        r.run('HSET', f'profile:{i}', 'name', f'n{i}', 'age', str(i))
        r.run('HGETALL', f'profile:{i}')
        r.run('LPUSH', 'queue', f'job-{i}')
        r.run('EXPIRE', f'user:{i}', '600')
        r.run('EXISTS', f'user:{i}')
        r.run('DEL', f'profile:{i}')
    for b in range(10):
        batch = []
        for j in range(5):
            batch.append(('SET', f'batch:{b}:{j}', f'v{j}'))
            batch.append(('GET', f'batch:{b}:{j}'))
        r.pipeline(batch)


def transaction(r):
    r.pipeline([('SET', 'tx:balance', '100'), ('INCRBY', 'tx:balance', '5'), ('GET', 'tx:balance')],
               transaction=True)


def errors(r):
    r.run('SET', 'err:text', 'hello')
    r.run('LPUSH', 'err:text', 'x', expect_error='WRONGTYPE')
    r.run('HGETALL', 'err:text', expect_error='WRONGTYPE')
    r.run('INCR', 'err:text', expect_error='ERR')
    r.run('GET', 'err:text')


def namespaces(port):
    """Two raw connections, so which one sends what is certain."""
    a = redis.Connection(host='127.0.0.1', port=port)
    b = redis.Connection(host='127.0.0.1', port=port)
    commands = []
    for name, conn, args in (('a', a, ('SET', 'ns:a', '1')),
                             ('b', b, ('SET', 'ns:b0', '1')),
                             ('b', b, ('SELECT', '5')),
                             ('b', b, ('SET', 'ns:b5', '1')),
                             ('a', a, ('GET', 'ns:a')),
                             ('b', b, ('GET', 'ns:b5')),
                             ('b', b, ('SELECT', '0')),
                             ('b', b, ('GET', 'ns:b0'))):
        conn.send_command(*args)
        conn.read_response()
        commands.append({'args': list(args), 'error': None, 'connection': name})
    a.disconnect()
    b.disconnect()
    return commands


def secret(r, value):
    key = f'session:{os.getpid()}'
    r.run('SET', key, value)
    r.run('GET', key)
    r.run('HSET', f'account:{os.getpid()}', 'token', value)
    r.run('HGETALL', f'account:{os.getpid()}')
    r.pipeline([('SET', key + ':copy', value), ('GET', key + ':copy')])


def main():
    scenario, port = sys.argv[1], int(sys.argv[2])
    r = Recorder(port)
    if scenario == 'mixed':
        mixed(r)
    elif scenario == 'transaction':
        transaction(r)
    elif scenario == 'errors':
        errors(r)
    elif scenario == 'namespaces':
        r.commands = namespaces(port)
    elif scenario == 'secret':
        secret(r, sys.argv[3])
    else:
        raise SystemExit(f'unknown scenario {scenario}')
    r.client.close()
    print(json.dumps({'pid': os.getpid(), 'commands': r.commands}))


if __name__ == '__main__':
    main()
