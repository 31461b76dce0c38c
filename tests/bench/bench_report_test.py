#!/usr/bin/python3
"""Unit tests of bench_report.py: parsing the raw files of scripts/bench.sh, the medians and
same-round ratios, and the target verdicts. Run: /usr/bin/python3 tests/bench/bench_report_test.py
"""

import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_report as br  # noqa: E402


def wrk_out(requests, seconds, p50, p99, status_errors=0):
    result = {'requests': requests, 'duration_us': int(seconds * 1e6), 'bytes': requests * 1000,
              'latency_us': {'p50': p50, 'p90': p99, 'p99': p99, 'mean': p50, 'max': p99},
              'errors': {'connect': 0, 'read': 0, 'write': 0, 'status': status_errors, 'timeout': 0}}
    return (f'Running 10s test @ http://127.0.0.1/\n  1 threads and 32 connections\n'
            f'Requests/sec: {requests / seconds:.2f}\nwrk-result {json.dumps(result)}\n')


def prom(spans=0, lost=0, malformed=0, out_of_order=0, dropped=0, failed=0):
    return (
        '# HELP zerotrace_spans_built_total Spans built.\n'
        '# TYPE zerotrace_spans_built_total counter\n'
        f'zerotrace_spans_built_total {spans}\n'
        f'zerotrace_events_lost_total {lost}\n'
        f'zerotrace_events_dropped_total{{reason="malformed"}} {malformed}\n'
        f'zerotrace_events_dropped_total{{reason="out_of_order"}} {out_of_order}\n'
        f'zerotrace_spans_dropped_total {dropped}\n'
        f'zerotrace_spans_failed_total {failed}\n'
        'zerotrace_spans_exported_total 999999\n')


def stat(utime, stime):
    # Fields 3.. of proc(5); the command name holds a space and a parenthesis on purpose.
    rest = ['S'] + ['0'] * 10 + [str(utime), str(stime)] + ['0'] * 30
    return f'4242 (zero trace) x) {" ".join(rest)}\n'


class ResultsDir:
    """Writes a results directory the way scripts/bench.sh does."""

    def __init__(self, root, meta=None):
        self.root = root
        with open(os.path.join(root, 'meta.json'), 'w') as f:
            json.dump(meta or {'clk_tck': 100, 'fixed_rate': 20000, 'date': 'today',
                               'machine': 'test box'}, f)

    def add(self, workload, state, round_, files):
        d = os.path.join(self.root, workload, state, f'round-{round_}')
        os.makedirs(d, exist_ok=True)
        for name, text in files.items():
            with open(os.path.join(d, name), 'w') as f:
                f.write(text)

    def add_untraced(self, workload, round_, rps, p50=400, p99=900):
        self.add(workload, 'untraced', round_, {
            'wrk.out': wrk_out(rps * 10, 10, p50, p99),
            'sink.before.json': '{"spans": 100}', 'sink.after.json': '{"spans": 100}'})

    def add_agent(self, workload, state, round_, rps, p50=400, p99=900, spans=None, cpu_ticks=100,
                  lost=0, dropped=0, malformed=0, hwm_kib=40 * 1024):
        requests = rps * 10
        spans = 2 * requests if spans is None else spans
        self.add(workload, state, round_, {
            'wrk.out': wrk_out(requests, 10, p50, p99),
            'agent.before.prom': prom(spans=1000, lost=5, dropped=1, malformed=2, failed=3),
            'agent.after.prom': prom(spans=1000 + spans, lost=5 + lost, dropped=1 + dropped,
                                     malformed=2 + malformed, failed=3),
            'agent.before.stat': stat(1000, 500),
            'agent.after.stat': stat(1000 + cpu_ticks // 2, 500 + cpu_ticks - cpu_ticks // 2),
            'agent.status': f'Name:\tzerotrace\nVmHWM:\t  {hwm_kib} kB\nVmRSS:\t  1000 kB\n',
            'sink.before.json': '{"spans": 100}',
            'sink.after.json': json.dumps({'spans': 100 + spans}),
        })


class ParsingTest(unittest.TestCase):
    def test_wrk_result_line_is_read_and_missing_one_gives_none(self):
        r = br.parse_wrk(wrk_out(1000, 2, 123.0, 456.0))
        self.assertEqual(r['requests'], 1000)
        self.assertEqual(r['latency_us']['p99'], 456.0)
        self.assertIsNone(br.parse_wrk('Requests/sec: 5\n'))

    def test_prometheus_families_sum_over_labels(self):
        samples = br.parse_prometheus(prom(malformed=2, out_of_order=3))
        self.assertEqual(br.family_total(samples, 'zerotrace_events_dropped_total'), 5)
        # A family whose name is a prefix of another's is not mixed with it.
        self.assertEqual(br.family_total(samples, 'zerotrace_spans_dropped_total'), 0)

    def test_cpu_ticks_survive_spaces_and_parentheses_in_the_command(self):
        self.assertEqual(br.cpu_ticks(stat(70, 30)), 100)

    def test_peak_rss_is_vmhwm(self):
        self.assertEqual(br.peak_rss_kib('VmPeak:\t 9 kB\nVmHWM:\t  51200 kB\n'), 51200)
        self.assertIsNone(br.peak_rss_kib('VmRSS:\t 1 kB\n'))


class MeasurementTest(unittest.TestCase):
    def test_agent_figures_are_deltas_over_the_load(self):
        with tempfile.TemporaryDirectory() as root:
            rd = ResultsDir(root)
            rd.add_agent('nginx', 'zerotrace', 1, rps=5000, spans=20000, cpu_ticks=150, lost=7, dropped=4,
                         malformed=2)
            m = br.measurement(os.path.join(root, 'nginx', 'zerotrace', 'round-1'), clk_tck=100)
        self.assertAlmostEqual(m['rps'], 5000)
        self.assertEqual(m['spans_built'], 20000)
        self.assertEqual(m['lost_kernel'], 7)
        self.assertEqual(m['dropped_events'], 2)
        self.assertEqual(m['dropped_spans'], 4)
        self.assertAlmostEqual(m['agent_cpu_s'], 1.5)
        self.assertEqual(m['received_spans'], 20000)
        self.assertEqual(m['peak_rss_kib'], 40 * 1024)

    def test_state_without_agent_has_no_agent_figures(self):
        with tempfile.TemporaryDirectory() as root:
            ResultsDir(root).add_untraced('nginx', 1, rps=1000)
            m = br.measurement(os.path.join(root, 'nginx', 'untraced', 'round-1'), clk_tck=100)
        self.assertFalse(m['agent'])
        self.assertIsNone(m['agent_cpu_s'])
        self.assertEqual(m['received_spans'], 0)


class SummaryTest(unittest.TestCase):
    def summaries(self, build):
        with tempfile.TemporaryDirectory() as root:
            rd = ResultsDir(root)
            build(rd)
            meta, results = br.load_results(root)
        return meta, br.summarize_all(results)

    def test_ratio_is_the_median_of_same_round_ratios(self):
        # The machine slows down in round 3: both sides drop, the ratio stays 0.9. A ratio of
        # medians would say 0.9 too here, so round 2 makes them differ: medians 900/1000 vs
        # ratios (0.9, 0.5, 0.9).
        def build(rd):
            for r, base, traced in ((1, 1000, 900), (2, 1000, 500), (3, 500, 450)):
                rd.add_untraced('nginx', r, rps=base)
                rd.add_agent('nginx', 'zerotrace', r, rps=traced)
        _, s = self.summaries(build)
        self.assertAlmostEqual(s[('nginx', 'zerotrace')]['ratio'], 0.9)
        self.assertAlmostEqual(s[('nginx', 'zerotrace')]['rps'], 500)

    def test_latency_delta_is_paired_per_round(self):
        def build(rd):
            for r, p50 in ((1, 400), (2, 600), (3, 500)):
                rd.add_untraced('nginx', r, rps=1000, p50=p50)
                rd.add_agent('nginx', 'zerotrace', r, rps=900, p50=p50 + 8)
        _, s = self.summaries(build)
        self.assertAlmostEqual(s[('nginx', 'zerotrace')]['p50_delta_us'], 8)

    def test_cpu_per_10k_spans_rss_peak_and_loss_totals(self):
        def build(rd):
            for r in (1, 2, 3):
                rd.add_untraced('node', r, rps=1000)
                rd.add_agent('node', 'zerotrace', r, rps=1000, spans=20000, cpu_ticks=100 * r,
                             lost=r, hwm_kib=1024 * (30 + r))
        _, s = self.summaries(build)
        z = s[('node', 'zerotrace')]
        self.assertAlmostEqual(z['agent_cpu_s_per_10k_spans'], 1.0)  # median of 0.5, 1, 1.5
        self.assertAlmostEqual(z['peak_rss_mib'], 33)
        self.assertEqual(z['lost_kernel'], 6)
        self.assertAlmostEqual(z['agent_spans_per_request'], 2)


class JudgeTest(unittest.TestCase):
    def verdicts(self, build, fixed_rate=20000):
        with tempfile.TemporaryDirectory() as root:
            rd = ResultsDir(root, {'clk_tck': 100, 'fixed_rate': fixed_rate})
            build(rd)
            meta, results = br.load_results(root)
        return {t: (v, f) for t, v, f in br.judge(br.summarize_all(results), meta)}

    @staticmethod
    def nginx(rd, zerotrace_rps, floor_rps, fixed_rps=20000, lost=0, p50_added=5, spans_dropped=0):
        for r in (1, 2, 3):
            rd.add_untraced('nginx', r, rps=10000, p50=400)
            rd.add('nginx', 'bpftrace', r, {'wrk.out': wrk_out(floor_rps * 10, 10, 410, 900)})
            rd.add_agent('nginx', 'zerotrace', r, rps=zerotrace_rps, p50=400 + 100 * r)
            rd.add('nginx', 'untraced-1conn', r, {'wrk.out': wrk_out(30000 * 10, 10, 30 + r, 90)})
            rd.add_agent('nginx', 'zerotrace-1conn', r, rps=25000, p50=30 + r + p50_added)
            rd.add_agent('nginx', 'zerotrace-fixed-rate', r, rps=fixed_rps, lost=lost,
                         dropped=spans_dropped, p50=500)

    def find(self, verdicts, start):
        matches = [v for t, v in verdicts.items() if t.startswith(start)]
        self.assertEqual(len(matches), 1, start)
        return matches[0]

    def test_nginx_against_the_floor(self):
        better = self.verdicts(lambda rd: self.nginx(rd, zerotrace_rps=9500, floor_rps=8500))
        self.assertEqual(self.find(better, 'nginx: zerotrace loses less')[0], 'reached')
        self.assertEqual(self.find(better, 'nginx: zerotrace throughput loss under')[0], 'reached')
        self.assertEqual(self.find(better, 'nginx: zerotrace adds')[0], 'reached')
        # Judged at the fixed rate, not at saturation (where zerotrace's p50 is +200 µs here).
        self.assertEqual('+5 µs (p50 37 µs); at saturation +200 µs',
                         self.find(better, 'nginx: zerotrace adds')[1])
        worse = self.verdicts(lambda rd: self.nginx(rd, zerotrace_rps=3000, floor_rps=8500, p50_added=50))
        self.assertEqual(self.find(worse, 'nginx: zerotrace loses less')[0], 'missed')
        self.assertEqual(self.find(worse, 'nginx: zerotrace throughput loss under')[0], 'missed')
        self.assertEqual(self.find(worse, 'nginx: zerotrace adds')[0], 'missed')
        self.assertEqual(self.find(worse, 'nginx: zerotrace loses less')[1],
                         'zerotrace -70.0 %, floor -15.0 %')

    def test_lost_events_at_the_fixed_rate(self):
        clean = self.verdicts(lambda rd: self.nginx(rd, 9000, 8500, fixed_rps=19990))
        self.assertEqual(self.find(clean, 'Loss:')[0], 'reached')
        lossy = self.verdicts(lambda rd: self.nginx(rd, 9000, 8500, fixed_rps=19990, lost=1))
        self.assertEqual(self.find(lossy, 'Loss:')[0], 'missed')
        self.assertTrue(self.find(lossy, 'Loss:')[1].startswith('3 events lost in the kernel, 0 dropped'))
        spans_only = self.verdicts(lambda rd: self.nginx(rd, 9000, 8500, fixed_rps=19990, spans_dropped=5))
        self.assertEqual(self.find(spans_only, 'Loss:')[0], 'missed')
        # A machine that cannot reach the rate has not measured the target.
        # A machine that cannot reach the rate has not measured the target...
        slow = self.verdicts(lambda rd: self.nginx(rd, 9000, 8500, fixed_rps=12000))
        self.assertEqual(self.find(slow, 'Loss:')[0], 'not measured')
        # ... unless events were lost even below it.
        slow_lossy = self.verdicts(lambda rd: self.nginx(rd, 9000, 8500, fixed_rps=12000, lost=2))
        self.assertEqual(self.find(slow_lossy, 'Loss:')[0], 'missed')

    def test_latency_target_uses_the_one_connection_pair(self):
        def build(rd, added_by_round):
            for r, added in enumerate(added_by_round, 1):
                rd.add_untraced('nginx', r, rps=30000, p50=500)
                rd.add_agent('nginx', 'zerotrace', r, rps=20000, p50=800)
                rd.add('nginx', 'untraced-1conn', r, {'wrk.out': wrk_out(200000, 10, 40, 90)})
                rd.add_agent('nginx', 'zerotrace-1conn', r, rps=19000, p50=40 + added)
        # One outlier in four rounds is tolerated...
        verdict, figure = self.find(self.verdicts(lambda rd: build(rd, (4, 900, 6, 5))),
                                    'nginx: zerotrace adds')
        self.assertEqual(verdict, 'reached')
        self.assertEqual(figure, '+6 µs (p50 46 µs); at saturation +300 µs')  # median of 4, 5, 6, 900
        # ... not in three.
        verdict, figure = self.find(self.verdicts(lambda rd: build(rd, (4, 900, 6))), 'nginx: zerotrace adds')
        self.assertEqual(verdict, 'inconclusive')
        self.assertTrue(figure.endswith('rounds disagree: 2 of 3 pass'), figure)

    def test_noise_larger_than_the_effect_gives_no_verdict(self):
        def build(rd, traced_by_round):
            for r, traced in enumerate(traced_by_round, 1):
                rd.add_untraced('work', r, rps=1000)
                rd.add_agent('work', 'zerotrace', r, rps=traced)
        faster = self.verdicts(lambda rd: build(rd, (1500, 1300, 1400)))
        self.assertEqual(self.find(faster, '1 ms service')[0], 'inconclusive')
        self.assertIn('faster traced than untraced', self.find(faster, '1 ms service')[1])
        split = self.verdicts(lambda rd: build(rd, (995, 700, 1000, 950)))
        self.assertEqual(self.find(split, '1 ms service')[0], 'inconclusive')
        agreeing = self.verdicts(lambda rd: build(rd, (800, 900, 850)))
        self.assertEqual(self.find(agreeing, '1 ms service')[0], 'missed')

    def test_node_sdk_and_work_targets(self):
        def build(rd):
            for r in (1, 2, 3):
                rd.add_untraced('node', r, rps=10000)
                rd.add_agent('node', 'zerotrace', r, rps=9600)
                rd.add('node', 'sdk', r, {'wrk.out': wrk_out(21000, 10, 900, 2000)})
                rd.add_untraced('work', r, rps=1000)
                rd.add_agent('work', 'zerotrace', r, rps=980, hwm_kib=70 * 1024)
        v = self.verdicts(build)
        self.assertEqual(self.find(v, 'Node: zerotrace keeps')[0], 'reached')
        self.assertEqual(self.find(v, 'Node: the OpenTelemetry JS SDK')[0], 'reached')
        self.assertEqual(self.find(v, '1 ms service')[0], 'missed')  # 2 % > 1 %
        self.assertEqual(self.find(v, 'Memory')[0], 'missed')  # 70 MiB > 64
        self.assertIn('work / zerotrace', self.find(v, 'Memory')[1])

    def test_missing_workloads_are_not_measured(self):
        v = self.verdicts(lambda rd: rd.add_untraced('work', 1, rps=1000))
        self.assertEqual(self.find(v, 'Node: zerotrace keeps')[0], 'not measured')
        self.assertEqual(self.find(v, 'Loss:')[0], 'not measured')


class RenderTest(unittest.TestCase):
    def test_tables_name_every_state_and_verdict(self):
        with tempfile.TemporaryDirectory() as root:
            rd = ResultsDir(root, {'clk_tck': 100, 'fixed_rate': 20000, 'date': '2030-01-01',
                                   'machine': 'a test box'})
            JudgeTest.nginx(rd, zerotrace_rps=9000, floor_rps=8500)
            meta, results = br.load_results(root)
            text = br.render(meta, br.summarize_all(results))
        self.assertIn('Measured 2030-01-01 on a test box.', text)
        self.assertIn('| bpftrace counting floor | 8,500 | 85.0 % |', text)
        self.assertIn('| zerotrace | 9,000 | 90.0 % |', text)
        self.assertIn('| untraced, 1 connection | 30,000 | 1 | 32 | – |', text)
        self.assertIn('| zerotrace, 1 connection | 25,000 | 83.3 % | 37 | +5 |', text)
        self.assertIn('| zerotrace, fixed rate | 20,000 | fixed rate | 500 | – |', text)
        self.assertIn('**reached**', text)
        self.assertIn('| nginx | zerotrace | 9,000 (90.0 %) · 9,000 (90.0 %) · 9,000 (90.0 %) |', text)
        self.assertNotIn('Node HTTP server', text)  # no node measurements, no node table

    def test_main_refuses_an_empty_or_missing_directory_in_one_line(self):
        err = io.StringIO()
        with tempfile.TemporaryDirectory() as root, contextlib.redirect_stderr(err):
            ResultsDir(root)
            self.assertEqual(br.main(['bench_report.py', root]), 1)
            self.assertEqual(br.main(['bench_report.py', '/nonexistent/results']), 2)
        self.assertEqual(len(err.getvalue().splitlines()), 2)


if __name__ == '__main__':
    unittest.main()
