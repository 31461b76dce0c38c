#!/usr/bin/python3
"""Judges trace linking through the gateway -> orders -> inventory chain (see netns_chain.py).

One request GET /order/<id> should give ONE trace of five spans, each the parent of the next:

    gateway SERVER /order/<id> -> gateway CLIENT /orders/<id> -> orders SERVER /orders/<id>
      -> orders CLIENT /stock/<id> -> inventory SERVER /stock/<id>

Spans are matched to their request by the <id> in their paths (each request uses a unique id),
never by the links under test. Importable (analyse_chain, format_report, traceparent_matches)
and a CLI:

    python3 tests/e2e/chain_report.py SPANS.jsonl --gateway-pid N --orders-pid N \\
        --inventory-pid N [--prefix ID_PREFIX] [--json]
"""

import argparse
import collections
import json
import re
import sys

# (role, service, kind, path pattern whose group 1 is the request id), root first: each role's
# correct parent is the role before it.
ROLES = (
    ('gateway SERVER', 'gateway', 'SERVER', re.compile(r'^/order/([^/?#]+)$')),
    ('gateway CLIENT', 'gateway', 'CLIENT', re.compile(r'^/orders/([^/?#]+)$')),
    ('orders SERVER', 'orders', 'SERVER', re.compile(r'^/orders/([^/?#]+)$')),
    ('orders CLIENT', 'orders', 'CLIENT', re.compile(r'^/stock/([^/?#]+)$')),
    ('inventory SERVER', 'inventory', 'SERVER', re.compile(r'^/stock/([^/?#]+)$')),
)
ROLE_NAMES = tuple(r[0] for r in ROLES)
ROOT = ROLE_NAMES[0]
PARENT_ROLE = {child: parent for parent, child in zip(ROLE_NAMES, ROLE_NAMES[1:])}
LINKS = tuple(f'{child}→{parent}' for child, parent in PARENT_ROLE.items())
_KINDS = {2: 'SERVER', 3: 'CLIENT', 'SERVER': 'SERVER', 'CLIENT': 'CLIENT',
          'SPAN_KIND_SERVER': 'SERVER', 'SPAN_KIND_CLIENT': 'CLIENT'}
_NO_PARENT = ('', None, '0' * 16)
EXAMPLES = 5


def _pid(span):
    pid = span.get('resource', {}).get('process.pid')
    return int(pid) if pid is not None else None


def _parent(span):
    parent = span.get('parent_span_id')
    return None if parent in _NO_PARENT else parent


def _path(span):
    path = span.get('attributes', {}).get('url.path') or ''
    return path.split('?', 1)[0]


def classify(span, service_of_pid):
    """(role, request id) of a chain span, or None for any other span."""
    service = service_of_pid.get(_pid(span))
    kind = _KINDS.get(span.get('kind'))
    if service is None or kind is None:
        return None
    for role, role_service, role_kind, pattern in ROLES:
        if role_service == service and role_kind == kind:
            m = pattern.match(_path(span))
            if m:
                return role, m.group(1)
    return None


def index_chain(spans, pids):
    """({request id: {role: [spans]}}, {span_id: (role, request id)}, unclassified count of the
    chain services' other spans). pids: {'gateway': [...], 'orders': [...], 'inventory': [...]}."""
    service_of_pid = {int(pid): service for service, ps in pids.items() for pid in ps}
    by_request = collections.defaultdict(lambda: {role: [] for role in ROLE_NAMES})
    by_span_id = {}
    unclassified = 0
    for span in spans:
        found = classify(span, service_of_pid)
        if found is None:
            unclassified += _pid(span) in service_of_pid
            continue
        role, request_id = found
        by_request[request_id][role].append(span)
        by_span_id[span['span_id']] = found
    return by_request, by_span_id, unclassified


def request_ids(spans, pids, prefix=''):
    """Ids of the requests the gateway served (one gateway SERVER span each), in time order."""
    by_request, _, _ = index_chain(spans, pids)
    roots = [(int(r[ROOT][0].get('start_time_unix_nano', 0)), request_id)
             for request_id, r in by_request.items() if r[ROOT] and request_id.startswith(prefix)]
    return [request_id for _, request_id in sorted(roots)]


def _only(spans_of_role):
    return spans_of_role[0] if len(spans_of_role) == 1 else None


def _judge_request(roles):
    """(complete, correct, {link: True/False/None (not judgeable)}) for one request's spans."""
    single = {role: _only(roles[role]) for role in ROLE_NAMES}
    complete = all(single.values())
    links = {}
    for link, (child, parent) in zip(LINKS, PARENT_ROLE.items()):
        if single[child] and single[parent]:
            links[link] = _parent(single[child]) == single[parent]['span_id']
        else:
            links[link] = None
    correct = (complete and all(links.values())
               and len({s['trace_id'] for s in single.values()}) == 1)
    return complete, correct, links


def _parent_problems(request_id, roles, by_span_id, stats):
    """Counts wrong, missing (unlinked) and unknown parents of one request's spans into stats."""
    for role in ROLE_NAMES:
        expected = {s['span_id'] for s in roles[PARENT_ROLE[role]]} if role != ROOT else set()
        for span in roles[role]:
            parent = _parent(span)
            if parent is None:
                if role != ROOT:
                    stats['unlinked'] += 1
                    stats['unlinked_by_role'][role] += 1
            elif parent in by_span_id:
                if parent not in expected:
                    stats['wrong_parents'] += 1
                    if len(stats['wrong_parent_examples']) < EXAMPLES:
                        parent_role, parent_request = by_span_id[parent]
                        stats['wrong_parent_examples'].append(
                            f'{role} of {request_id} (span {span["span_id"]}) has parent '
                            f'{parent_role} of {parent_request} (span {parent})')
            elif role == ROOT:
                stats['root_external_parents'] += 1
            else:
                stats['unknown_parents'] += 1


def analyse_chain(spans, pids, ids=None):
    """Linking figures for the requests `ids` (default: every request the gateway served).

    Returns a dict: requests, complete (all five spans, one each), complete_correct and
    complete_correct_pct (one trace, every link right), wrong_parents (a parent that is a chain
    span but not the right one: must be 0), unlinked (no parent where one was expected),
    unknown_parents (a parent that is no chain span, below the root), root_external_parents
    (gateway SERVER with a parent outside the chain, e.g. the client's span: allowed),
    missing / duplicated (per role), links ({'child→parent': {'linked', 'total'}}),
    connections ({SERVER role: distinct client ports}, to see keep-alive reuse), unclassified
    (other spans of the chain's pids), incorrect_ids (a few, for messages).
    """
    by_request, by_span_id, unclassified = index_chain(spans, pids)
    if ids is None:
        ids = request_ids(spans, pids)
    stats = {'requests': len(ids), 'complete': 0, 'complete_correct': 0,
             'wrong_parents': 0, 'unlinked': 0, 'unknown_parents': 0,
             'root_external_parents': 0, 'unlinked_by_role': collections.Counter(),
             'missing': collections.Counter(), 'duplicated': collections.Counter(),
             'links': {link: {'linked': 0, 'total': 0} for link in LINKS},
             'wrong_parent_examples': [], 'incorrect_ids': [], 'unclassified': unclassified}
    empty = {role: [] for role in ROLE_NAMES}
    for request_id in ids:
        roles = by_request.get(request_id, empty)
        for role in ROLE_NAMES:
            if not roles[role]:
                stats['missing'][role] += 1
            elif len(roles[role]) > 1:
                stats['duplicated'][role] += 1
        complete, correct, links = _judge_request(roles)
        stats['complete'] += complete
        stats['complete_correct'] += correct
        if not correct and len(stats['incorrect_ids']) < EXAMPLES:
            stats['incorrect_ids'].append(request_id)
        for link, ok in links.items():
            if ok is not None:
                stats['links'][link]['total'] += 1
                stats['links'][link]['linked'] += ok
        _parent_problems(request_id, roles, by_span_id, stats)
    stats['complete_correct_pct'] = (100.0 * stats['complete_correct'] / len(ids)) if ids else 0.0
    stats['connections'] = _connections(by_request, ids)
    for key in ('unlinked_by_role', 'missing', 'duplicated'):
        stats[key] = dict(stats[key])
    return stats


def _connections(by_request, ids):
    """{SERVER role: distinct client address:port pairs}: shows keep-alive reuse."""
    peers = {role: set() for role in ROLE_NAMES if role.endswith('SERVER')}
    for request_id in ids:
        for role in peers:
            for span in by_request.get(request_id, {}).get(role, []):
                a = span.get('attributes', {})
                peers[role].add((a.get('client.address'), a.get('client.port')))
    return {role: len(p) for role, p in peers.items()}


def traceparent_matches(spans, pids, echoed):
    """How many traceparents that inventory echoed name the orders CLIENT span of their own
    request. echoed: {request id: traceparent or None}. Returns {'echoed', 'matching'}."""
    by_request, _, _ = index_chain(spans, pids)
    result = {'echoed': 0, 'matching': 0}
    for request_id, traceparent in echoed.items():
        if not traceparent:
            continue
        result['echoed'] += 1
        parts = traceparent.split('-')
        client = _only(by_request.get(request_id, {}).get('orders CLIENT', []))
        if client and len(parts) == 4 and parts[1] == client['trace_id'] \
                and parts[2] == client['span_id']:
            result['matching'] += 1
    return result


def format_report(stats, title='chain'):
    """A few human-readable lines."""
    n = stats['requests']
    lines = [f'{title}: {n} requests, {stats["complete_correct"]} complete and correct '
             f'({stats["complete_correct_pct"]:.1f} %), {stats["complete"]} with all five spans',
             f'  wrong parents: {stats["wrong_parents"]}   unlinked: {stats["unlinked"]}   '
             f'unknown parents: {stats["unknown_parents"]}   gateway SERVER with an outside '
             f'parent: {stats["root_external_parents"]}']
    found = ', '.join(f'{role} {n - stats["missing"].get(role, 0)}/{n}' for role in ROLE_NAMES)
    lines.append(f'  spans found: {found}')
    if stats['unlinked_by_role']:
        lines.append('  unlinked: ' + ', '.join(f'{role} {count}' for role, count
                                                 in stats['unlinked_by_role'].items()))
    if stats['duplicated']:
        lines.append(f'  duplicated: {stats["duplicated"]}')
    lines.append('  client connections seen by: ' + ', '.join(
        f'{role} {count}' for role, count in stats['connections'].items()))
    lines.append('  links: ' + ', '.join(f'{link} {v["linked"]}/{v["total"]}'
                                         for link, v in stats['links'].items()))
    for example in stats['wrong_parent_examples']:
        lines.append(f'  wrong parent: {example}')
    if stats['incorrect_ids']:
        lines.append(f'  first incorrect requests: {", ".join(stats["incorrect_ids"])}')
    return '\n'.join(lines)


def _read_spans(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('spans', help="the agent's JSON lines (--output json --output-file)")
    for service in ('gateway', 'orders', 'inventory'):
        parser.add_argument(f'--{service}-pid', type=int, action='append', required=True,
                            help=f'a pid of the {service} service (repeatable)')
    parser.add_argument('--prefix', default='', help='only requests whose id starts with this')
    parser.add_argument('--json', action='store_true', help='print the figures as JSON')
    args = parser.parse_args(argv)
    spans = _read_spans(args.spans)
    pids = {'gateway': args.gateway_pid, 'orders': args.orders_pid,
            'inventory': args.inventory_pid}
    stats = analyse_chain(spans, pids, request_ids(spans, pids, args.prefix))
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        print(format_report(stats, title=args.prefix or 'chain'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
