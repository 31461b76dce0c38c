#!/usr/bin/python3
"""Measures trace linking through the namespace chain with the real agent (run as root).

    sudo /usr/bin/python3 tests/e2e/run_chain.py [--sequential 200] [--concurrent 200]
        [--concurrency 16] [--keepalive] [--orders node|python] [--keep-spans FILE]

Builds nothing: uses build/zerotrace (or $ZT_AGENT). Sets up NetnsChain, starts the agent with
JSON output, sends the sequential requests (ids s1, s2, ...) and then the concurrent ones
(c1, c2, ...), stops the agent and prints a chain_report for each phase, plus how many of the
traceparents inventory received name the orders CLIENT span of their request. --orders python
replaces the Node orders (one event loop) by chain_gateway.py serving /orders/ on a thread per
request. Not a test_*.py
file: the e2e suite does not run it. Exit 0 when everything ran (whatever the figures), 1 when
the chain or the agent failed, 2 when this host cannot run it.
"""

import argparse
import os
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from chain_report import analyse_chain, format_report, traceparent_matches  # noqa: E402
from netns_chain import ChainUnusable, NetnsChain, echoed_traceparent  # noqa: E402


class _Run(unittest.TestCase):
    """A bare TestCase: gives harness.Agent and Workdir their addCleanup and assertions."""

    def runTest(self):
        pass


def send_phases(chain, args):
    """[(phase name, responses)] after sending every phase's requests."""
    phases = []
    if args.sequential:
        ids = [f's{n}' for n in range(1, args.sequential + 1)]
        phases.append(('sequential', chain.get_sequential(ids)))
    if args.concurrent:
        ids = [f'c{n}' for n in range(1, args.concurrent + 1)]
        phases.append((f'concurrent x{args.concurrency}',
                       chain.get_concurrent(ids, args.concurrency)))
    return phases


def print_phase(name, responses, spans, pids):
    failed = [r for r in responses if r.status != 200]
    stats = analyse_chain(spans, pids, [r.id for r in responses])
    echoed = {r.id: echoed_traceparent(r) for r in responses}
    tp = traceparent_matches(spans, pids, echoed)
    print(format_report(stats, title=name))
    print(f'  responses: {len(responses) - len(failed)}/{len(responses)} were 200; inventory '
          f'received a traceparent in {tp["echoed"]}, naming the orders CLIENT span in '
          f'{tp["matching"]}')
    print()


def run(args):
    case = _Run()
    try:
        work = harness.Workdir(case)
        chain = NetnsChain(case, work, keepalive=args.keepalive, orders=args.orders)
        print(f'chain: gateway {chain.gateway_url}, pids {chain.pids}, orders {args.orders}, '
              f'keepalive {int(args.keepalive)}')
        agent = harness.Agent(case, work)
        phases = send_phases(chain, args)
        agent.stop(settle=1.0)
        spans = agent.spans()
        print(f'agent: {len(spans)} spans in {agent.spans_path}\n')
        for name, responses in phases:
            print_phase(name, responses, spans, chain.pids)
        if args.keep_spans:
            shutil.copy(agent.spans_path, args.keep_spans)
            pids = ' '.join(f'--{s}-pid {p[0]}' for s, p in chain.pids.items())
            print(f'spans kept in {args.keep_spans}; report again with:\n  python3 '
                  f'{os.path.join(HERE, "chain_report.py")} {args.keep_spans} {pids} --prefix s')
        return 0
    finally:
        case.doCleanups()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sequential', type=int, default=200, help='sequential requests')
    parser.add_argument('--concurrent', type=int, default=200, help='concurrent requests')
    parser.add_argument('--concurrency', type=int, default=16, help='requests in flight')
    parser.add_argument('--keepalive', action='store_true',
                        help='CHAIN_KEEPALIVE=1: gateway and orders reuse their connections')
    parser.add_argument('--orders', choices=('node', 'python'), default='node',
                        help='orders service: node (event loop) or python (thread per request)')
    parser.add_argument('--keep-spans', metavar='FILE', help="copy the agent's spans here")
    args = parser.parse_args()
    problem = harness.environment_problem()
    if problem:
        print(f'run_chain: {problem}')
        return 2
    try:
        return run(args)
    except (ChainUnusable, unittest.SkipTest) as e:
        print(f'run_chain: cannot build the chain: {e}')
        return 2
    except (AssertionError, RuntimeError) as e:
        print(f'run_chain: failed: {e}')
        return 1


if __name__ == '__main__':
    sys.exit(main())
