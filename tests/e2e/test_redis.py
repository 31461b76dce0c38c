"""Redis as its clients use it: a real redis-server (Debian's 7.0) and real clients (python3-redis,
redis-cli) give one CLIENT span per command, pipelined or in a MULTI/EXEC transaction, named by
the command and saying which database, server and (key-only) query text; error replies are error
spans with Redis's error prefix; a Redis call made while serving an HTTP request is a child of
that request's SERVER span; and a value stored in Redis never reaches any output (JSON lines,
console, OTLP, the agent's log).

Span attributes asserted (OpenTelemetry database conventions): db.system.name "redis",
db.operation.name the command upper-cased (also the span name), db.namespace the database index
as a string, server.address and server.port of redis-server, db.query.text the command and its
first key with every other argument replaced by "?"; error replies set status ERROR and
db.response.status_code and error.type to the error prefix (WRONGTYPE, ERR).
"""

import collections
import json
import os
import secrets
import subprocess
import unittest

from harness import (KIND_CLIENT, PYTHON, SERVERS_DIR, STATUS_ERROR, Agent, E2ETestCase,
                     OtlpReceiver, RedisServer, Server, attr, curl, free_port, from_pids,
                     require_python_module, require_tool, stop_agents, tail)

REDIS_COMMANDS = os.path.join(SERVERS_DIR, 'redis_commands.py')


def is_client(span):
    """CLIENT in the agent's JSON lines ("CLIENT") and in the OTLP receiver's (3)."""
    return span.get('kind') in ('CLIENT', KIND_CLIENT)


def is_error(span):
    return span.get('status') == 'ERROR' or span.get('status_code') == STATUS_ERROR


def client_spans(spans, pids):
    return [s for s in from_pids(spans, pids) if is_client(s)]


# Commands whose first argument is no key: their query text is not asserted ("SELECT ?" by the
# letter of the rule, "SELECT 3" would do as well).
KEYLESS = {'SELECT'}


def expected_query_text(args):
    """The command and its first key; every other argument a "?". None: not asserted."""
    text = args[0].upper()
    if text in KEYLESS:
        return None
    if len(args) > 1:
        text += ' ' + args[1] + ' ?' * (len(args) - 2)
    return text


def query_text(span):
    """db.query.text, or None for the commands whose text is not asserted."""
    return None if attr(span, 'db.operation.name') in KEYLESS else attr(span, 'db.query.text')


def operations(spans):
    return collections.Counter(attr(s, 'db.operation.name') for s in spans)


def describe_redis(spans, limit=40):
    rows = [f'  pid={s.get("resource", {}).get("process.pid")} kind={s.get("kind")} '
            f'name={s.get("name")!r} op={attr(s, "db.operation.name")!r} '
            f'query={attr(s, "db.query.text")!r} db={attr(s, "db.namespace")!r} '
            f'error={attr(s, "error.type")!r} parent={s.get("parent_span_id")!r}'
            for s in spans[:limit]]
    if len(spans) > limit:
        rows.append(f'  ... {len(spans) - limit} more')
    return f'{len(spans)} spans:\n' + '\n'.join(rows)


class RedisClientSpansTest(E2ETestCase):

    maxDiff = None  # counts by operation are compared whole

    def setUp(self):
        super().setUp()
        require_tool(self, 'redis-server')
        require_tool(self, 'redis-cli')
        require_python_module(self, 'redis', 'python3-redis')
        self.redis = RedisServer(self, self.work)

    def run_client(self, scenario, *args, env=None):
        """redis_commands.py SCENARIO against our server; returns its report (pid, commands)."""
        done = subprocess.run([PYTHON, REDIS_COMMANDS, scenario, str(self.redis.port), *args],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, **(env or {})))
        self.assertEqual(done.returncode, 0, f'redis_commands.py {scenario}: {done.stderr}')
        return json.loads(done.stdout)

    def redis_cli(self, *args):
        """One redis-cli process running one command; returns (pid, output)."""
        proc = subprocess.Popen(['redis-cli', '-h', '127.0.0.1', '-p', str(self.redis.port), *args],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        out, _ = proc.communicate(timeout=20)
        self.assertEqual(proc.returncode, 0, f'redis-cli {" ".join(args)}: {out}')
        return proc.pid, out.strip()

    def assert_redis_span(self, span, args, namespace='0'):
        """One command's span: CLIENT, named by the command, Redis attributes, server address."""
        op = args[0].upper()
        where = describe_redis([span])
        self.assertTrue(is_client(span), where)
        self.assertEqual(span.get('name'), op, where)
        self.assertEqual(attr(span, 'db.system.name'), 'redis', where)
        self.assertEqual(attr(span, 'db.operation.name'), op, where)
        self.assertEqual(attr(span, 'db.namespace'), namespace, where)
        self.assertEqual(attr(span, 'server.address'), '127.0.0.1', where)
        self.assertEqual(int(attr(span, 'server.port', -1)), self.redis.port, where)

    def assert_one_span_per_command(self, spans, commands):
        """spans (one client's CLIENT spans) match commands one to one: the same multiset of
        (operation, query text), every span a well-formed Redis span."""
        want = collections.Counter((c['args'][0].upper(), expected_query_text(c['args']))
                                   for c in commands)
        got = collections.Counter((attr(s, 'db.operation.name'), query_text(s)) for s in spans)
        self.assertEqual(sum(got.values()), sum(want.values()),
                         f'{sum(want.values())} commands sent; by operation, sent '
                         f'{dict(collections.Counter(op for op, _ in want.elements()))}, spans '
                         f'{dict(operations(spans))}\n{describe_redis(spans)}')
        self.assertEqual(got, want, f'missing {dict(want - got)}, unexpected {dict(got - want)}')

    # ---- tests ----

    def test_1000_commands_with_pipelines_give_exactly_one_client_span_each(self):
        agent = self.start_agent(args=['--port', str(self.redis.port)])
        report = self.run_client('mixed')
        spans = client_spans(agent.spans(), report['pid'])

        commands = report['commands']
        self.assertEqual(len(commands), 1000)
        # Count by operation first: the clearest message when spans are missing or doubled.
        want = collections.Counter(c['args'][0] for c in commands)
        self.assertEqual(dict(operations(spans)), dict(want),
                         f'spans by operation {dict(operations(spans))}, commands by operation '
                         f'{dict(want)}\n{describe_redis(spans)}')
        self.assert_one_span_per_command(spans, commands)
        for s in spans:
            self.assert_redis_span(s, [attr(s, 'db.operation.name')])
            self.assertFalse(is_error(s), describe_redis([s]))
        # What the server itself counted agrees with what the client says it sent.
        self.assertEqual(self.server_command_counts(),
                         dict(collections.Counter(c['args'][0].lower() for c in commands)))

    def server_command_counts(self):
        """{command: calls} from redis-server's INFO commandstats, without the INFO itself."""
        _, out = self.redis_cli('INFO', 'commandstats')
        counts = {}
        for line in out.splitlines():
            if line.startswith('cmdstat_'):
                name, stats = line[len('cmdstat_'):].split(':', 1)
                calls = int(dict(kv.split('=') for kv in stats.split(','))['calls'])
                if name != 'info':
                    counts[name] = calls
        return counts

    def test_multi_exec_transaction_gives_a_span_per_command_including_multi_and_exec(self):
        agent = self.start_agent(args=['--port', str(self.redis.port)])
        report = self.run_client('transaction')
        spans = client_spans(agent.spans(), report['pid'])

        self.assertEqual([c['args'][0] for c in report['commands']],
                         ['MULTI', 'SET', 'INCRBY', 'GET', 'EXEC'])
        self.assert_one_span_per_command(spans, report['commands'])
        for s in spans:
            self.assert_redis_span(s, [attr(s, 'db.operation.name')])
            self.assertFalse(is_error(s), describe_redis([s]))

    def test_redis_cli_commands_each_give_a_span_and_select_sets_the_namespace(self):
        agent = self.start_agent(args=['--port', str(self.redis.port)])
        runs = [(['SET', 'cli:greeting', 'hello'], '0'),
                (['GET', 'cli:greeting'], '0'),
                (['HSET', 'cli:h', 'field', 'value'], '0'),
                (['HGETALL', 'cli:h'], '0'),
                (['-n', '3', 'SET', 'cli:in3', 'x'], '3'),  # redis-cli sends SELECT 3 first
                (['DEL', 'cli:greeting'], '0')]
        pids = [(self.redis_cli(*args)[0], args, namespace) for args, namespace in runs]
        spans = agent.spans()

        for pid, args, namespace in pids:
            mine = client_spans(spans, pid)
            command = args[2:] if args[0] == '-n' else args
            want = ([{'args': ['SELECT', args[1]]}] if args[0] == '-n' else []) + [{'args': command}]
            with self.subTest(command=' '.join(args)):
                self.assert_one_span_per_command(mine, want)
                for s in mine:
                    if attr(s, 'db.operation.name') != 'SELECT':
                        self.assert_redis_span(s, command, namespace)

    def test_select_changes_db_namespace_of_its_own_connection_only(self):
        agent = self.start_agent(args=['--port', str(self.redis.port)])
        report = self.run_client('namespaces')
        spans = client_spans(agent.spans(), report['pid'])

        self.assert_one_span_per_command(spans, report['commands'])
        by_query = {attr(s, 'db.query.text'): s for s in spans
                    if attr(s, 'db.operation.name') != 'SELECT'}
        want = {'SET ns:a ?': '0', 'GET ns:a': '0',  # connection a never SELECTs
                'SET ns:b0 ?': '0', 'SET ns:b5 ?': '5', 'GET ns:b5': '5', 'GET ns:b0': '0'}
        self.assertEqual({q: attr(s, 'db.namespace') for q, s in by_query.items()}, want,
                         describe_redis(spans))

    def test_error_replies_are_error_spans_with_the_redis_error_prefix(self):
        agent = self.start_agent(args=['--port', str(self.redis.port)])
        report = self.run_client('errors')
        spans = client_spans(agent.spans(), report['pid'])

        self.assert_one_span_per_command(spans, report['commands'])
        want = collections.Counter((expected_query_text(c['args']), c['error'])
                                   for c in report['commands'])
        got = collections.Counter((attr(s, 'db.query.text'), attr(s, 'error.type')) for s in spans)
        self.assertEqual(got, want, describe_redis(spans))
        for s in spans:
            prefix = attr(s, 'error.type')
            self.assert_redis_span(s, [attr(s, 'db.operation.name')])
            if prefix is None:
                self.assertFalse(is_error(s), describe_redis([s]))
                self.assertIsNone(attr(s, 'db.response.status_code'), describe_redis([s]))
            else:
                self.assertTrue(is_error(s), describe_redis([s]))
                self.assertEqual(attr(s, 'db.response.status_code'), prefix, describe_redis([s]))
        self.assertEqual(sorted(attr(s, 'error.type') for s in spans if is_error(s)),
                         ['ERR', 'WRONGTYPE', 'WRONGTYPE'], describe_redis(spans))

    def test_redis_calls_of_an_http_handler_are_children_of_its_server_span(self):
        port = free_port()
        service = Server(self, self.work, [PYTHON, os.path.join(SERVERS_DIR, 'redis_http_service.py'),
                                           str(port), str(self.redis.port)], port)
        agent = self.start_agent(args=['--port', str(self.redis.port), '--port', str(port)])
        items = ['a1', 'b2', 'c3', 'd4', 'e5']
        result = curl([f'http://127.0.0.1:{port}/items/{i}' for i in items])
        self.assertEqual(result.codes, [200] * len(items))
        spans = from_pids(agent.spans(), service.pids)

        server_spans = {attr(s, 'url.path'): s for s in spans if s.get('kind') == 'SERVER'}
        self.assertEqual(sorted(server_spans), sorted(f'/items/{i}' for i in items),
                         describe_redis(spans))
        redis_spans = [s for s in spans if is_client(s)]
        self.assertEqual(len(redis_spans), 3 * len(items), describe_redis(redis_spans))
        for item in items:
            parent = server_spans[f'/items/{item}']
            children = [s for s in redis_spans if s.get('parent_span_id') == parent['span_id']]
            with self.subTest(item=item):
                self.assertEqual(sorted(attr(s, 'db.query.text') for s in children),
                                 sorted([f'SET item:{item} ?', f'GET item:{item}',
                                         f'INCR views:{item}']),
                                 f'children of {parent["span_id"]}:\n' + describe_redis(redis_spans))
                for s in children:
                    self.assertEqual(s['trace_id'], parent['trace_id'], describe_redis([s]))
                    self.assert_redis_span(s, [attr(s, 'db.operation.name')])

    def test_stored_values_never_reach_json_console_otlp_or_the_log(self):
        secret = f's3cr3t-{secrets.token_hex(8)}'
        port_args = ['--port', str(self.redis.port)]
        receiver = OtlpReceiver(self, self.work)
        # Three agents trace the same traffic, one per output; they start and stop side by side.
        as_json = Agent(self, self.work, args=port_args, wait_ready=False)
        as_console = Agent(self, self.work, output='console', args=port_args, wait_ready=False)
        as_otlp = Agent(self, self.work, output='otlp', args=port_args, wait_ready=False,
                        env={'OTEL_EXPORTER_OTLP_ENDPOINT': receiver.endpoint,
                             'OTEL_BSP_SCHEDULE_DELAY': '200'})
        agents = (as_json, as_console, as_otlp)
        for agent in agents:
            agent.wait_ready()
        report = self.run_client('secret', secret, env={'OTEL_SERVICE_NAME': 'redis-secret-client'})
        self.assertIn(secret, json.dumps(report['commands']), 'the client did not use the secret')
        key = f'cli:secret:{secrets.token_hex(4)}'
        cli_pids = [self.redis_cli('SET', key, secret)[0]]
        pid, value = self.redis_cli('GET', key)
        cli_pids.append(pid)
        self.assertEqual(value, secret)
        stop_agents(agents)

        outputs = {'JSON lines': as_json.spans_path, 'console': as_console.stdout_path,
                   'OTLP receiver': receiver.output, 'receiver log': receiver.log_path}
        for agent, what in ((as_json, 'json'), (as_console, 'console'), (as_otlp, 'otlp')):
            outputs[f'{what} agent stderr'] = agent.stderr_path
            outputs[f'{what} agent stdout'] = agent.stdout_path
        for name, path in outputs.items():
            with self.subTest(output=name):
                with open(path, errors='replace') as f:
                    text = f.read()
                self.assertNotIn(secret, text, f'{name} ({path}) holds the stored value:\n'
                                               f'{tail(path)}')

        # The outputs did see the commands (else the test above proves nothing).
        session_set = f'SET session:{report["pid"]} ?'
        json_spans = as_json.spans()
        self.assertIn(session_set, [attr(s, 'db.query.text')
                                    for s in client_spans(json_spans, report['pid'])],
                      describe_redis(json_spans))
        self.assertEqual(len(client_spans(json_spans, cli_pids)), 2, describe_redis(json_spans))
        otlp_spans = receiver.spans()
        self.assertIn(session_set, [attr(s, 'db.query.text')
                                    for s in client_spans(otlp_spans, report['pid'])],
                      describe_redis(otlp_spans))
        # The console names a process by its service name, read from /proc when its first
        # event arrives: a client that has already exited by then shows as its executable.
        # Either way its SET spans must be there (the agent traces the Redis port only).
        with open(as_console.stdout_path, errors='replace') as f:
            console_lines = [line for line in f if 'CLIENT SET' in line]
        self.assertGreaterEqual(len(console_lines), 2, f'no SET spans on the console:\n'
                                                       f'{tail(as_console.stdout_path)}')


if __name__ == '__main__':
    unittest.main()
