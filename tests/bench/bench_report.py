#!/usr/bin/python3
"""Turns the raw measurements of scripts/bench.sh into its Markdown tables and target verdicts.

    /usr/bin/python3 tests/bench/bench_report.py RESULTS_DIR

RESULTS_DIR holds meta.json (date, machine, settings) and one directory per measurement,
RESULTS_DIR/<workload>/<state>/round-<n>/, with whichever of these files the state produced:

    wrk.out                          wrk's output, with the 'wrk-result {json}' line of
                                     tests/bench/workloads/wrk_report.lua
    agent.before.prom, agent.after.prom   the agent's /metrics around the load
    agent.before.stat, agent.after.stat   /proc/<agent>/stat around the load (CPU time)
    agent.status                     /proc/<agent>/status after the load (VmHWM: peak RSS)
    sink.before.json, sink.after.json     the OTLP sink's /stats around the load

Every figure is a median over rounds; ratios and latency differences are taken round by round
against the untraced baseline of the same round (rounds alternate the states, so a slow
stretch of the machine weighs on both sides of a ratio) and then their median is reported.
"""

import json
import os
import re
import statistics
import sys

BASELINE = 'untraced'

# Workloads in report order: (key, title, states in order with their labels).
WORKLOADS = [
    ('nginx', 'nginx static file (1 KiB, keep-alive): the worst case', [
        ('untraced', 'untraced'),
        ('bpftrace', 'bpftrace counting floor'),
        ('zerotrace', 'zerotrace'),
        ('untraced-1conn', 'untraced, 1 connection'),
        ('zerotrace-1conn', 'zerotrace, 1 connection'),
        ('zerotrace-fixed-rate', 'zerotrace, fixed rate'),
    ]),
    ('node', 'Node HTTP server (hello world), every state exporting to the same receiver', [
        ('untraced', 'untraced'),
        ('zerotrace', 'zerotrace'),
        ('sdk', 'OpenTelemetry JS SDK'),
        ('sdk+zerotrace', 'SDK + zerotrace'),
    ]),
    ('work', 'Service with ~1 ms of CPU work per request (Node, one worker per CPU)', [
        ('untraced', 'untraced'),
        ('zerotrace', 'zerotrace'),
    ]),
]

# States compared with another baseline than the untraced run at full load: one connection
# (what tracing adds to one request's latency, with nothing queued ahead of it) against
# untraced with one connection; the fixed-rate run (judged on loss, its throughput being the
# rate) against nothing.
OTHER_BASELINE = {
    ('nginx', 'untraced-1conn'): None,
    ('nginx', 'zerotrace-1conn'): 'untraced-1conn',
    ('nginx', 'zerotrace-fixed-rate'): None,
}
FIXED_RATE_STATES = {('nginx', 'zerotrace-fixed-rate')}

RSS_TARGET_MIB = 64
NGINX_IDEAL_LOSS = 0.10
NGINX_P50_BUDGET_US = 10
NODE_ZEROTRACE_KEEPS = 0.95
NODE_SDK_KEEPS = (0.10, 0.30)  # "about 20 %"
WORK_MAX_LOSS = 0.01
FIXED_RATE_TOLERANCE = 0.97  # the run counts as "at the rate" from 97 % of it


# ---- parsing one measurement ----

def parse_wrk(text):
    """The wrk-result line of wrk_report.lua as a dict, or None when wrk did not finish."""
    for line in text.splitlines():
        if line.startswith('wrk-result '):
            return json.loads(line[len('wrk-result '):])
    return None


PROM_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)')


def parse_prometheus(text):
    """{'name{labels}': value} for every sample of a Prometheus text exposition."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        m = PROM_LINE.match(line)
        if m:
            samples[m.group(1) + (m.group(2) or '')] = float(m.group(3))
    return samples


def family_total(samples, name):
    """Sum of every sample of a metric family, whatever its labels."""
    return sum(v for k, v in samples.items() if k == name or k.startswith(name + '{'))


def cpu_ticks(stat_text):
    """utime + stime of a /proc/<pid>/stat line, in clock ticks (all threads)."""
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    fields = stat_text[stat_text.rindex(')') + 2:].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def peak_rss_kib(status_text):
    m = re.search(r'^VmHWM:\s+(\d+)\s+kB', status_text, re.MULTILINE)
    return int(m.group(1)) if m else None


def _read(path):
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return None


def measurement(directory, clk_tck):
    """One round of one state: a flat dict of figures; None for what the state did not have."""
    m = {'rps': None, 'requests': None, 'p50_us': None, 'p99_us': None, 'errors': None,
         'agent': False, 'agent_cpu_s': None, 'spans_built': None, 'peak_rss_kib': None,
         'lost_kernel': None, 'dropped_events': None, 'dropped_spans': None, 'received_spans': None}
    wrk_text = _read(os.path.join(directory, 'wrk.out'))
    wrk = parse_wrk(wrk_text) if wrk_text else None
    if wrk and wrk['duration_us'] > 0:
        m['requests'] = wrk['requests']
        m['rps'] = wrk['requests'] / (wrk['duration_us'] / 1e6)
        m['p50_us'] = wrk['latency_us']['p50']
        m['p99_us'] = wrk['latency_us']['p99']
        m['errors'] = sum(wrk['errors'].values())

    before, after = (_read(os.path.join(directory, f'agent.{w}.prom')) for w in ('before', 'after'))
    if before is not None and after is not None:
        m['agent'] = True
        b, a = parse_prometheus(before), parse_prometheus(after)
        delta = lambda name: family_total(a, name) - family_total(b, name)  # noqa: E731
        m['spans_built'] = delta('zerotrace_spans_built_total')
        m['lost_kernel'] = delta('zerotrace_events_lost_total')
        m['dropped_events'] = delta('zerotrace_events_dropped_total')
        m['dropped_spans'] = delta('zerotrace_spans_dropped_total') + delta('zerotrace_spans_failed_total')
    stat_before, stat_after = (_read(os.path.join(directory, f'agent.{w}.stat'))
                               for w in ('before', 'after'))
    if stat_before and stat_after:
        m['agent_cpu_s'] = (cpu_ticks(stat_after) - cpu_ticks(stat_before)) / clk_tck
    status = _read(os.path.join(directory, 'agent.status'))
    if status:
        m['peak_rss_kib'] = peak_rss_kib(status)

    sink_before, sink_after = (_read(os.path.join(directory, f'sink.{w}.json'))
                               for w in ('before', 'after'))
    if sink_before and sink_after:
        m['received_spans'] = json.loads(sink_after)['spans'] - json.loads(sink_before)['spans']
    return m


def load_results(results_dir):
    """(meta, {(workload, state): {round: measurement}})."""
    meta = json.loads(_read(os.path.join(results_dir, 'meta.json')) or '{}')
    clk_tck = meta.get('clk_tck', 100)
    results = {}
    for workload in sorted(os.listdir(results_dir)):
        wdir = os.path.join(results_dir, workload)
        if not os.path.isdir(wdir):
            continue
        for state in sorted(os.listdir(wdir)):
            sdir = os.path.join(wdir, state)
            for entry in sorted(os.listdir(sdir)):
                m = re.fullmatch(r'round-(\d+)', entry)
                if m:
                    results.setdefault((workload, state), {})[int(m.group(1))] = \
                        measurement(os.path.join(sdir, entry), clk_tck)
    return meta, results


# ---- aggregation ----

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def paired(rounds, base_rounds, fn):
    """fn(state_round, baseline_round) for every round both have figures for."""
    out = []
    for r, m in rounds.items():
        b = base_rounds.get(r)
        if b is not None:
            v = fn(m, b)
            if v is not None:
                out.append(v)
    return out


def _ratio(m, b):
    return m['rps'] / b['rps'] if m['rps'] and b['rps'] else None


def _p50_delta(m, b):
    return m['p50_us'] - b['p50_us'] if m['p50_us'] is not None and b['p50_us'] is not None else None


def _per_request(value, m):
    return value / m['requests'] if value is not None and m['requests'] else None


def _cpu_per_10k(m):
    if m['agent_cpu_s'] is None or not m['spans_built']:
        return None
    return m['agent_cpu_s'] / m['spans_built'] * 10000


def summarize(rounds, base_rounds, fixed_rate=False):
    """The figures of one state over its rounds; a fixed-rate state has no throughput ratio."""
    ms = list(rounds.values())
    agent = any(m['agent'] for m in ms)
    rss = [m['peak_rss_kib'] for m in ms if m['peak_rss_kib'] is not None]
    return {
        'rounds': len(ms),
        'rps_rounds': [rounds[r]['rps'] for r in sorted(rounds)],
        'per_round': {r: {'rps': m['rps'], 'p50_us': m['p50_us'],
                          'ratio': _ratio(m, base_rounds[r]) if base_rounds and r in base_rounds else None,
                          'p50_delta': (_p50_delta(m, base_rounds[r])
                                        if base_rounds and r in base_rounds else None)}
                      for r, m in rounds.items()},
        'ratio_rounds': [_ratio(rounds[r], base_rounds[r]) if base_rounds and r in base_rounds else None
                         for r in sorted(rounds)],
        'rps': median(m['rps'] for m in ms),
        'fixed_rate': fixed_rate,
        'ratio': median(paired(rounds, base_rounds, _ratio)) if base_rounds and not fixed_rate else None,
        'p50_us': median(m['p50_us'] for m in ms),
        'p50_delta_us': median(paired(rounds, base_rounds, _p50_delta)) if base_rounds else None,
        'p99_us': median(m['p99_us'] for m in ms),
        'errors': sum(m['errors'] or 0 for m in ms),
        'agent': agent,
        'agent_spans_per_request': median(_per_request(m['spans_built'], m) for m in ms),
        'received_spans_per_request': median(_per_request(m['received_spans'], m) for m in ms),
        'agent_cpu_s_per_10k_spans': median(_cpu_per_10k(m) for m in ms),
        'peak_rss_mib': max(rss) / 1024 if rss else None,
        'lost_kernel': sum(m['lost_kernel'] or 0 for m in ms) if agent else None,
        'dropped_events': sum(m['dropped_events'] or 0 for m in ms) if agent else None,
        'dropped_spans': sum(m['dropped_spans'] or 0 for m in ms) if agent else None,
    }


def summarize_all(results):
    """{(workload, state): summary}; the untraced state is the baseline of every state but
    those of OTHER_BASELINE."""
    out = {}
    for (workload, state), rounds in results.items():
        base_state = OTHER_BASELINE.get((workload, state), BASELINE)
        base = results.get((workload, base_state)) if base_state and base_state != state else None
        out[(workload, state)] = summarize(rounds, base, (workload, state) in FIXED_RATE_STATES)
    return out


# ---- targets ----

def _pct(ratio):
    return f'{100 * ratio:.1f} %'


def _change(ratio):
    """A throughput ratio as a signed change: 0.886 -> '-11.4 %', 1.058 -> '+5.8 %'."""
    return f'{100 * (ratio - 1):+.1f} %'


# A traced run faster than its untraced baseline by more than this is the machine's noise,
# not an effect of tracing.
NOISE_SPEEDUP = 1.05


def agreed(median_ok, round_oks, note=''):
    """(verdict, note) from the median's verdict and each round's: the rounds must agree, all
    but one in four of them, or the verdict is 'inconclusive'."""
    round_oks = [ok for ok in round_oks if ok is not None]
    dissent = sum(1 for ok in round_oks if ok != median_ok)
    if dissent > len(round_oks) // 4:
        passed = sum(1 for ok in round_oks if ok)
        return 'inconclusive', f'{note}; rounds disagree: {passed} of {len(round_oks)} pass'
    return ('reached' if median_ok else 'missed'), note


def _round_values(summary, key):
    return {r: v[key] for r, v in summary['per_round'].items() if v[key] is not None}


def judge(summaries, meta):
    """[(target, verdict, figure)]; verdict is 'reached', 'missed', 'inconclusive' (the rounds
    disagree, or noise exceeds the effect) or 'not measured'."""
    get = lambda w, s: summaries.get((w, s))  # noqa: E731
    verdicts = []

    def add(target, verdict, figure):
        verdicts.append((target, verdict, figure))

    def add_ratio(target, summary, ok, figure):
        """A throughput target of a traced state, judged on its median and its rounds."""
        if not summary or not summary['ratio']:
            add(target, 'not measured', 'no data')
        elif summary['ratio'] > NOISE_SPEEDUP:
            add(target, 'inconclusive', f'{figure}; faster traced than untraced: noise exceeds the effect')
        else:
            add(target, *agreed(ok(summary['ratio']),
                                [ok(v) for v in _round_values(summary, 'ratio').values()], figure))

    zt, floor = get('nginx', 'zerotrace'), get('nginx', 'bpftrace')
    target = 'nginx: zerotrace loses less throughput than the bpftrace counting floor'
    if zt and floor and zt['ratio'] and floor['ratio']:
        figure = f"zerotrace {_change(zt['ratio'])}, floor {_change(floor['ratio'])}"
        zt_rounds, floor_rounds = _round_values(zt, 'ratio'), _round_values(floor, 'ratio')
        add(target, *agreed(zt['ratio'] > floor['ratio'],
                            [zt_rounds[r] > floor_rounds[r] for r in zt_rounds if r in floor_rounds],
                            figure))
    else:
        add(target, 'not measured', 'no data')
    add_ratio(f'nginx: zerotrace throughput loss under {NGINX_IDEAL_LOSS:.0%} (ideal)', zt,
              lambda r: 1 - r < NGINX_IDEAL_LOSS, _change(zt['ratio']) if zt and zt['ratio'] else '')

    # Judged with one connection: at full load a closed-loop client's p50 is connections /
    # throughput, so it repeats the throughput loss as queueing rather than per-request cost.
    one = get('nginx', 'zerotrace-1conn')
    target = f'nginx: zerotrace adds ≤ {NGINX_P50_BUDGET_US} µs to p50 latency (one connection)'
    saturated = (f"at saturation {zt['p50_delta_us']:+.0f} µs"
                 if zt and zt['p50_delta_us'] is not None else 'no saturated figure')
    if one and one['p50_delta_us'] is not None:
        ok = lambda d: d <= NGINX_P50_BUDGET_US  # noqa: E731
        add(target, *agreed(ok(one['p50_delta_us']),
                            [ok(d) for d in _round_values(one, 'p50_delta').values()],
                            f"{one['p50_delta_us']:+.0f} µs (p50 {one['p50_us']:.0f} µs); {saturated}"))
    else:
        add(target, 'not measured', 'no data')

    node_zt, sdk = get('node', 'zerotrace'), get('node', 'sdk')
    add_ratio(f'Node: zerotrace keeps ≥ {NODE_ZEROTRACE_KEEPS:.0%} of untraced throughput', node_zt,
              lambda r: r >= NODE_ZEROTRACE_KEEPS,
              f"keeps {_pct(node_zt['ratio'])}" if node_zt and node_zt['ratio'] else '')
    if sdk and sdk['ratio']:
        lo, hi = NODE_SDK_KEEPS
        add_ratio('Node: the OpenTelemetry JS SDK keeps about 20 % (the issue\'s figure, reproduced?)',
                  sdk, lambda r: lo <= r <= hi, f"keeps {_pct(sdk['ratio'])}")

    work = get('work', 'zerotrace')
    add_ratio(f'1 ms service: zerotrace throughput loss ≤ {WORK_MAX_LOSS:.0%}', work,
              lambda r: 1 - r <= WORK_MAX_LOSS, _change(work['ratio']) if work and work['ratio'] else '')

    # Memory and losses come from the agent's own counters, not from timing: no noise rule.
    rss = [(s['peak_rss_mib'], key) for key, s in summaries.items() if s['peak_rss_mib'] is not None]
    target = f'Memory: agent peak RSS ≤ {RSS_TARGET_MIB} MiB'
    if rss:
        peak, (w, s) = max(rss)
        add(target, 'reached' if peak <= RSS_TARGET_MIB else 'missed', f'{peak:.1f} MiB (highest: {w} / {s})')
    else:
        add(target, 'not measured', 'no data')

    rate = meta.get('fixed_rate')
    fixed = get('nginx', 'zerotrace-fixed-rate')
    target = (f'Loss: nothing lost (events or spans) at {rate} req/s' if rate
              else 'Loss: nothing lost at a fixed rate')
    if fixed and fixed['rps'] and rate:
        lost = fixed['lost_kernel'] + fixed['dropped_events'] + fixed['dropped_spans']
        reached_rate = fixed['rps'] >= FIXED_RATE_TOLERANCE * rate
        figure = (f"{fixed['lost_kernel']:.0f} events lost in the kernel, {fixed['dropped_events']:.0f} "
                  f"dropped in userspace, {fixed['dropped_spans']:.0f} spans dropped before export; "
                  f"{fixed['rounds']} runs, median {fixed['rps']:.0f} req/s")
        if lost > 0:
            # Losing events below the rate loses them at the rate too.
            add(target, 'missed', figure + ('' if reached_rate else ', below the rate'))
        elif not reached_rate:
            add(target, 'not measured', figure + ': traced nginx did not reach the rate, so it was not tested')
        else:
            add(target, 'reached', figure)
    else:
        add(target, 'not measured', 'no data')
    return verdicts


# ---- output ----

def _fmt(value, spec, missing='–'):
    return missing if value is None else format(value, spec)


def _signed_pct(ratio):
    return '–' if ratio is None else f'{100 * ratio:.1f} %'


def render(meta, summaries):
    lines = []
    head = [f"Measured {meta.get('date', '?')} on {meta.get('machine', '?')}."]
    if meta.get('settings'):
        head.append(meta['settings'])
    if meta.get('load_note'):
        head.append(meta['load_note'])
    lines += [' '.join(head), '']
    for workload, title, states in WORKLOADS:
        present = [(s, label) for s, label in states if (workload, s) in summaries]
        if not present:
            continue
        lines += [f'### {title}', '',
                  '| state | req/s | vs baseline | p50 µs | Δp50 µs | p99 µs | spans/req '
                  '(agent / received) | agent CPU s per 10k spans | agent peak RSS MiB '
                  '| lost events: kernel / userspace; spans dropped |',
                  '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|']
        for state, label in present:
            s = summaries[(workload, state)]
            spans = (f"{_fmt(s['agent_spans_per_request'], '.2f')} / "
                     f"{_fmt(s['received_spans_per_request'], '.2f')}")
            lost = (f"{s['lost_kernel']:.0f} / {s['dropped_events']:.0f} / {s['dropped_spans']:.0f}"
                    if s['agent'] else '–')
            is_baseline = state == BASELINE or OTHER_BASELINE.get((workload, state), '') is None
            ratio = 'fixed rate' if s['fixed_rate'] else ('1' if is_baseline else _signed_pct(s['ratio']))
            errors = f" ({s['errors']} errors)" if s['errors'] else ''
            lines.append(
                f"| {label} | {_fmt(s['rps'], ',.0f')}{errors} | {ratio} | {_fmt(s['p50_us'], '.0f')} | "
                f"{_fmt(s['p50_delta_us'], '+.0f')} | {_fmt(s['p99_us'], '.0f')} | {spans} | "
                f"{_fmt(s['agent_cpu_s_per_10k_spans'], '.3f')} | {_fmt(s['peak_rss_mib'], '.1f')} | "
                f'{lost} |')
        lines.append('')

    lines += ['### Targets', '', '| target | verdict | figure |', '|---|---|---|']
    for target, verdict, figure in judge(summaries, meta):
        lines.append(f'| {target} | **{verdict}** | {figure} |')
    lines.append('')

    lines += ['### Every round', '',
              'req/s of each round in order, with the ratio to the same round\'s baseline: how far '
              'apart the rounds are says how much to trust the medians.', '',
              '| workload | state | rounds: req/s (vs baseline) |', '|---|---|---|']
    for workload, _, states in WORKLOADS:
        for state, label in states:
            s = summaries.get((workload, state))
            if s:
                cells = []
                for rps, ratio in zip(s['rps_rounds'], s['ratio_rounds']):
                    show_ratio = ratio is not None and state != BASELINE and not s['fixed_rate']
                    cells.append(_fmt(rps, ',.0f') + (f' ({_pct(ratio)})' if show_ratio else ''))
                lines.append(f"| {workload} | {label} | {' · '.join(cells)} |")
    lines.append('')
    return '\n'.join(lines)


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        sys.stderr.write('usage: bench_report.py RESULTS_DIR (the directory scripts/bench.sh wrote)\n')
        return 2
    meta, results = load_results(argv[1])
    if not results:
        sys.stderr.write(f'bench_report: no measurements under {argv[1]}\n')
        return 1
    print(render(meta, summarize_all(results)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
