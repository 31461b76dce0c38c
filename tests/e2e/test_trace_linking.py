"""Trace linking across "hosts": gateway (Python) -> orders (Node, or Python) -> inventory
(Python), each in its own network namespace (netns_chain.py), none of them sending a
traceparent itself.

Every request should give ONE trace of five spans, each the parent of the next
(chain_report.py judges them). What the agent guarantees, and so what TraceLinkingTest asserts:
  - across processes, a client span and the server span it reached are joined exactly (by
    addresses and TCP sequence number): those links are made for every request;
  - inside a process, a client request is made the child of the server request its thread is
    handling only while that thread handles exactly one; a thread handling several at once
    (Node's event loop under concurrency, a pipelined batch read in one syscall) links nothing,
    as a wrong parent is worse than none. So no test ever tolerates a wrong parent, and the
    in-process links that depend on one thread serving one request at a time are only printed.
ChainReportTest checks the judge itself on made-up spans.
"""

import json
import os
import unittest
import urllib.request

from chain_report import analyse_chain, format_report, traceparent_matches
from harness import PYTHON, E2ETestCase, Server, free_port
from netns_chain import NetnsChain, echoed_traceparent


# The links chain_report counts (child→parent).
GATEWAY_IN = 'gateway CLIENT→gateway SERVER'   # in-process, gateway (Python threads)
GATEWAY_OUT = 'orders SERVER→gateway CLIENT'   # across processes
ORDERS_IN = 'orders CLIENT→orders SERVER'      # in-process, orders (Node event loop or Python)
ORDERS_OUT = 'inventory SERVER→orders CLIENT'  # across processes


SERVERS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'servers')


class ChainTestCase(E2ETestCase):
    """Runs traffic through a fresh chain while the agent traces, and judges the spans."""

    def run_chain(self, send, ids, keepalive=False, orders='node', agent_args=()):
        """Sends ids through a fresh chain with send(chain, ids) while the agent traces;
        checks every answer and returns the chain_report figures (also printed)."""
        chain = NetnsChain(self, self.work, keepalive=keepalive, orders=orders)
        agent = self.start_agent(args=agent_args)
        responses = send(chain, ids)
        agent.stop(settle=1.0)
        agent_spans = agent.spans()
        sdk_spans = chain.sdk_spans()  # orders='node-sdk' only
        spans = agent_spans + sdk_spans

        self.assertEqual([r.id for r in responses], list(ids))
        bad = [r for r in responses if r.status != 200 or (r.body or {}).get('id') != r.id]
        self.assertEqual(bad, [], f'chain answers wrong; gateway log:\n{chain.log("gateway")}')
        stats = analyse_chain(spans, chain.pids, ids)
        stats['agent_spans'] = _spans_by_service(agent_spans, chain.pids)
        stats['sdk_spans'] = _spans_by_service(sdk_spans, chain.pids)
        echoed = traceparent_matches(spans, chain.pids,
                                     {r.id: echoed_traceparent(r) for r in responses})
        print(f'\n{format_report(stats, title=self._testMethodName)}\n  traceparents at '
              f'inventory: {echoed["echoed"]}, naming the orders CLIENT span: '
              f'{echoed["matching"]}', flush=True)
        stats['echoed_traceparents'] = echoed
        return stats

    def assert_no_wrong_parents(self, stats):
        self.assertEqual(stats['wrong_parents'], 0, format_report(stats))

    @staticmethod
    def linked(stats, link):
        """How many requests have this link made (both spans found, the child under the
        parent)."""
        return stats['links'][link]['linked']

    def assert_linked_pct(self, stats, link, minimum_pct):
        """link made for at least minimum_pct % of all requests (a lost span counts as a miss)."""
        pct = 100.0 * self.linked(stats, link) / stats['requests']
        self.assertGreaterEqual(pct, minimum_pct, f'{link}: {pct:.1f} % linked\n'
                                f'{format_report(stats)}')


class TraceLinkingTest(ChainTestCase):

    def test_200_sequential_requests_give_200_complete_correct_traces(self):
        ids = [f's{n}' for n in range(1, 201)]
        stats = self.run_chain(lambda chain, ids: chain.get_sequential(ids), ids)
        self.assert_no_wrong_parents(stats)
        self.assertEqual(stats['complete_correct'], 200, format_report(stats))

    def test_200_requests_at_concurrency_16_link_all_but_the_event_loop(self):
        """Node orders: its event loop serves up to 16 requests at once, so which of them an
        inventory call belongs to is unknowable from syscalls: orders CLIENT is left unlinked
        then (printed, not asserted). Every other link is independent of it."""
        ids = [f'c{n}' for n in range(1, 201)]
        stats = self.run_chain(lambda chain, ids: chain.get_concurrent(ids, 16), ids)
        self.assert_no_wrong_parents(stats)
        for link in (GATEWAY_IN, GATEWAY_OUT, ORDERS_OUT):
            self.assert_linked_pct(stats, link, 99.0)
        print(f'  {ORDERS_IN} (Node event loop, not asserted): '
              f'{self.linked(stats, ORDERS_IN)}/{stats["requests"]}', flush=True)

    def test_200_requests_at_concurrency_16_thread_per_request_give_99_percent_correct(self):
        """Python orders: every service serves each request on its own thread, so every link
        can be made."""
        ids = [f't{n}' for n in range(1, 201)]
        stats = self.run_chain(lambda chain, ids: chain.get_concurrent(ids, 16), ids,
                               orders='python')
        self.assert_no_wrong_parents(stats)
        self.assertGreaterEqual(stats['complete_correct_pct'], 99.0, format_report(stats))

    def test_keepalive_reuse_100_sequential_requests_give_correct_traces(self):
        ids = [f'k{n}' for n in range(1, 101)]
        stats = self.run_chain(lambda chain, ids: chain.get_sequential(ids), ids, keepalive=True)
        # Reuse really happened: orders and inventory each saw very few client connections.
        self.assertLessEqual(stats['connections']['orders SERVER'], 2, format_report(stats))
        self.assertLessEqual(stats['connections']['inventory SERVER'], 2, format_report(stats))
        self.assert_no_wrong_parents(stats)
        self.assertEqual(stats['complete_correct'], 100, format_report(stats))

    def test_5_pipelined_requests_on_one_connection_link_correctly(self):
        ids = [f'p{n}' for n in range(1, 6)]
        stats = self.run_chain(lambda chain, ids: chain.get_pipelined(ids), ids)
        self.assertEqual(stats['connections']['gateway SERVER'], 1, format_report(stats))
        self.assert_no_wrong_parents(stats)
        # Downstream of the gateway each request travels alone: joined exactly across processes,
        # and orders serves one at a time.
        for link in (GATEWAY_OUT, ORDERS_IN, ORDERS_OUT):
            self.assertEqual(self.linked(stats, link), 5, f'{link}\n{format_report(stats)}')
        # The five requests reach the gateway in one write, so the kernel shows one read that
        # holds all of them; Python's server parses the next four from its own buffer without
        # another syscall. From the syscalls alone, which of those requests the gateway thread
        # is handling when it calls orders cannot be known, so the agent links only the first
        # and leaves the rest as roots rather than guess (a wrong parent is worse than none).
        self.assertGreaterEqual(self.linked(stats, GATEWAY_IN), 1, format_report(stats))
        print(f'  {GATEWAY_IN} (pipelined batch, at least the first asserted): '
              f'{self.linked(stats, GATEWAY_IN)}/{stats["requests"]}', flush=True)


def _spans_by_service(spans, pids):
    """{service: number of spans its processes have in `spans`}."""
    service_of_pid = {pid: service for service, ps in pids.items() for pid in ps}
    counts = {service: 0 for service in pids}
    for span in spans:
        service = service_of_pid.get(int(span.get('resource', {}).get('process.pid') or 0))
        if service:
            counts[service] += 1
    return counts


class MixedWorldTest(ChainTestCase):
    """orders carries the OpenTelemetry JS SDK (tests/sdk-peer/register.js, configured in code,
    no OTEL_* variables): the SDK makes orders' spans and propagates its own traceparent;
    gateway and inventory stay unmodified. The agent must notice the SDK (orders originates
    spans of its own on its outgoing calls while serving), drop its own orders spans, and join
    inventory to the SDK's CLIENT span. With --inject-traceparent the SDK's SERVER span
    continues the gateway's trace, so each request is still one trace of five spans, two of
    them the SDK's."""

    def check_one_trace_per_request(self, stats, requests, minimum_pct=100.0):
        report = format_report(stats)
        self.assert_no_wrong_parents(stats)
        self.assertEqual(stats['duplicated'], {}, report)
        self.assertEqual(stats['agent_spans']['orders'], 0,
                         f'the agent reported spans of the SDK-instrumented orders\n{report}')
        self.assertGreaterEqual(stats['sdk_spans']['orders'], 2 * requests, report)
        self.assertGreaterEqual(stats['complete_correct_pct'], minimum_pct, report)
        self.assertGreaterEqual(stats['echoed_traceparents']['matching'],
                                requests * minimum_pct / 100.0, report)

    def test_sdk_instrumented_orders_50_sequential_requests_one_trace_each(self):
        ids = [f'm{n}' for n in range(1, 51)]
        stats = self.run_chain(lambda chain, ids: chain.get_sequential(ids), ids,
                               orders='node-sdk', agent_args=['--inject-traceparent'])
        self.check_one_trace_per_request(stats, len(ids))

    def test_sdk_instrumented_orders_at_concurrency_16(self):
        ids = [f'n{n}' for n in range(1, 101)]
        stats = self.run_chain(lambda chain, ids: chain.get_concurrent(ids, 16), ids,
                               orders='node-sdk', agent_args=['--inject-traceparent'])
        self.check_one_trace_per_request(stats, len(ids), minimum_pct=99.0)


class TraceparentInjectionTest(ChainTestCase):
    """With --inject-traceparent every outgoing request carries a traceparent naming its CLIENT
    span, so a next hop on another host (or an SDK) continues the trace."""

    def test_inventory_receives_a_traceparent_naming_the_orders_client_span(self):
        ids = [f'i{n}' for n in range(1, 51)]
        stats = self.run_chain(lambda chain, ids: chain.get_sequential(ids), ids,
                               agent_args=['--inject-traceparent'])
        self.assert_no_wrong_parents(stats)
        self.assertEqual(stats['complete_correct'], 50, format_report(stats))
        self.assertEqual(stats['echoed_traceparents'], {'echoed': 50, 'matching': 50})

    def test_a_programs_own_traceparent_is_kept_not_doubled(self):
        # chain_inventory.py echoes the (first) traceparent it received; a second one added
        # by the agent would come first, right after the request line.
        port = free_port()
        Server(self, self.work, [PYTHON, os.path.join(SERVERS_DIR, 'chain_inventory.py'),
                                 '127.0.0.1', str(port)], port)
        self.start_agent(args=['--inject-traceparent'])
        own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
        def echoed(path, headers):
            # This test process is an unmodified client too: the agent traces it.
            request = urllib.request.Request(f'http://127.0.0.1:{port}{path}', headers=headers)
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())['traceparent']
        self.assertEqual(echoed('/stock/1', {'traceparent': own}), own)
        # Without a header of its own, the same client gets ours.
        self.assertRegex(echoed('/stock/2', {}) or '', r'^00-[0-9a-f]{32}-[0-9a-f]{16}-01$')


# ---- the judge itself, on made-up spans (no root, no BPF) ----

PIDS = {'gateway': [101], 'orders': [202], 'inventory': [303]}
CHAIN = (('gateway', 'SERVER', '/order/'), ('gateway', 'CLIENT', '/orders/'),
         ('orders', 'SERVER', '/orders/'), ('orders', 'CLIENT', '/stock/'),
         ('inventory', 'SERVER', '/stock/'))


def made_up_trace(request_id, n):
    """Five correctly linked spans for request_id (n makes the ids unique)."""
    spans, parent = [], ''
    for hop, (service, kind, prefix) in enumerate(CHAIN):
        span_id = f'{n:08x}{hop:08x}'
        spans.append({'trace_id': f'{n:032x}', 'span_id': span_id, 'parent_span_id': parent,
                      'kind': kind, 'name': f'GET {prefix}{{id}}',
                      'start_time_unix_nano': n * 1000 + hop,
                      'attributes': {'url.path': prefix + request_id,
                                     'client.address': '10.0.0.1', 'client.port': 1000 + n},
                      'resource': {'process.pid': PIDS[service][0]}})
        parent = span_id
    return spans


class ChainReportTest(unittest.TestCase):

    def test_correct_traces_are_all_complete_and_correct(self):
        spans = made_up_trace('a', 1) + made_up_trace('b', 2)
        stats = analyse_chain(spans, PIDS)
        self.assertEqual((stats['requests'], stats['complete_correct'], stats['wrong_parents'],
                          stats['unlinked']), (2, 2, 0, 0), format_report(stats))
        self.assertEqual(stats['complete_correct_pct'], 100.0)

    def test_parent_from_another_request_is_a_wrong_parent(self):
        a, b = made_up_trace('a', 1), made_up_trace('b', 2)
        a[3]['parent_span_id'] = b[2]['span_id']  # orders CLIENT of a under orders SERVER of b
        stats = analyse_chain(a + b, PIDS)
        self.assertEqual(stats['wrong_parents'], 1, format_report(stats))
        self.assertEqual(stats['complete_correct'], 1)
        self.assertEqual(stats['links']['orders CLIENT→orders SERVER'],
                         {'linked': 1, 'total': 2})

    def test_missing_parent_is_unlinked_and_lost_span_incomplete(self):
        a, b = made_up_trace('a', 1), made_up_trace('b', 2)
        a[4]['parent_span_id'] = ''
        del b[1]  # gateway CLIENT of b lost: orders SERVER of b names an unknown parent
        stats = analyse_chain(a + b, PIDS)
        self.assertEqual((stats['unlinked'], stats['unknown_parents'], stats['wrong_parents'],
                          stats['complete'], stats['complete_correct']), (1, 1, 0, 1, 0),
                         format_report(stats))
        self.assertEqual(stats['missing'], {'gateway CLIENT': 1})

    def test_spans_of_a_different_trace_are_not_correct(self):
        a = made_up_trace('a', 1)
        a[4]['trace_id'] = 'f' * 32
        stats = analyse_chain(a, PIDS)
        self.assertEqual((stats['complete'], stats['complete_correct']), (1, 0))

    def test_numeric_kinds_and_expected_ids_without_spans(self):
        a = made_up_trace('a', 1)
        for span in a:
            span['kind'] = {'SERVER': 2, 'CLIENT': 3}[span['kind']]
        stats = analyse_chain(a, PIDS, ids=['a', 'never-served'])
        self.assertEqual((stats['requests'], stats['complete_correct']), (2, 1))
        self.assertEqual(stats['missing']['gateway SERVER'], 1)

    def test_traceparent_matches_the_orders_client_span(self):
        a = made_up_trace('a', 1)
        good = f'00-{a[3]["trace_id"]}-{a[3]["span_id"]}-01'
        other = f'00-{a[3]["trace_id"]}-{a[2]["span_id"]}-01'
        self.assertEqual(traceparent_matches(a, PIDS, {'a': good}), {'echoed': 1, 'matching': 1})
        self.assertEqual(traceparent_matches(a, PIDS, {'a': other, 'b': None}),
                         {'echoed': 1, 'matching': 0})


if __name__ == '__main__':
    unittest.main()
