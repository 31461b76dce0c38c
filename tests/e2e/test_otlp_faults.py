"""The OTLP exporter when the receiver is down or misbehaves: bounded memory while nothing
listens and recovery without a restart, retries that honour Retry-After and deliver each span
once, no retries on 400, partial success counted, gRPC UNAVAILABLE retried and gRPC RetryInfo
honoured. The receiver injects the faults (tests/otlp-receiver/receiver.js --fail-first,
--always-fail, --reject, ...); the agent's exit counters must account for every span."""

import collections
import threading
import time
import unittest

from harness import (KIND_CLIENT, KIND_SERVER, E2ETestCase, NodeServer, OtlpReceiver, attr,
                     curl, curl_many, describe, exit_counters, from_pids, of_kind, vm_rss_kib)

LOAD_REQUESTS = 5000
MAX_RSS_MIB = 200


class RssSampler:
    """Samples a process's VmRSS in a background thread until stop()."""

    def __init__(self, pid, interval=0.05):
        self.pid = pid
        self.interval = interval
        self.samples = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._done.is_set():
            kib = vm_rss_kib(self.pid)
            if kib is not None:
                self.samples.append(kib)
            self._done.wait(self.interval)

    def stop(self):
        self._done.set()
        self._thread.join()
        return max(self.samples) if self.samples else None


def mib(kib):
    return f'{kib / 1024:.1f} MiB' if kib is not None else 'n/a'


def duplicates(spans):
    counts = collections.Counter(s['span_id'] for s in spans)
    return {span_id: n for span_id, n in counts.items() if n > 1}


class OtlpFaultTest(E2ETestCase):

    def start_otlp_agent(self, endpoint, server, protocol='http/protobuf', **env):
        """Traces only the test's server port: the host's other traffic must not add batches
        that these request counts would mistake for retries."""
        full_env = {
            'OTEL_EXPORTER_OTLP_ENDPOINT': endpoint,
            'OTEL_EXPORTER_OTLP_PROTOCOL': protocol,
            'OTEL_BSP_SCHEDULE_DELAY': '200',
        }
        full_env.update(env)
        return self.start_agent(output=None, env=full_env, args=['--port', str(server.port)])

    def traffic(self, server, receiver, paths, timeout=30):
        """Requests paths from server with curl, waits until the receiver has their SERVER and
        CLIENT spans; returns the curl pid."""
        result = curl([server.url(p) for p in paths])
        self.assertEqual(len(result.codes), len(paths))

        def complete(spans):
            return (len(of_kind(from_pids(spans, server.pids), KIND_SERVER)) >= len(paths) and
                    len(of_kind(from_pids(spans, result.pid), KIND_CLIENT)) >= len(paths))
        spans = receiver.wait_for(complete, timeout=timeout)
        self.assertTrue(complete(spans), f'spans not exported within {timeout} s: '
                        + describe(spans) + '\nreceiver log:\n' + receiver.log()[-3000:])
        return result.pid

    def assert_delivered_once(self, spans, server, client_pid, count):
        self.assertEqual(duplicates(spans), {}, 'spans delivered more than once')
        self.assertEqual(len(of_kind(from_pids(spans, server.pids), KIND_SERVER)), count,
                         describe(spans))
        self.assertEqual(len(of_kind(from_pids(spans, client_pid), KIND_CLIENT)), count,
                         describe(spans))

    def assert_accounted(self, counters):
        """Every span the agent made was exported, dropped, failed or rejected by the receiver."""
        outcomes = ('exported', 'dropped', 'failed', 'rejected')
        self.assertEqual(sum(counters[k] for k in outcomes), counters['spans'],
                         f'exit counters do not add up: {counters}')

    def retry_gap(self, receiver):
        """Seconds between the first failed export request and the request after it."""
        log = receiver.requests()
        first_failure = next((i for i, r in enumerate(log) if not r['ok']), None)
        self.assertIsNotNone(first_failure, f'no export request failed: {log}')
        self.assertLess(first_failure + 1, len(log), f'no request after the failure: {log}')
        return (log[first_failure + 1]['time_unix_ms'] - log[first_failure]['time_unix_ms']) / 1000

    def test_endpoint_down_memory_stays_bounded_and_export_resumes(self):
        receiver = OtlpReceiver(self, self.work, autostart=False)  # port reserved, nothing there
        server = NodeServer(self, self.work)
        agent = self.start_otlp_agent(receiver.endpoint, server, OTEL_BSP_EXPORT_TIMEOUT='2000')
        rss_start = vm_rss_kib(agent.pid)
        sampler = RssSampler(agent.pid)
        load = curl_many([server.url(f'/users/{i}') for i in range(LOAD_REQUESTS)], parallel=4)
        self.assertEqual(len(load.codes), LOAD_REQUESTS)
        self.assertEqual(set(load.codes), {200})
        time.sleep(3)  # batches keep failing and being given up (export timeout 2 s)
        rss_peak = sampler.stop()
        rss_after = vm_rss_kib(agent.pid)
        print(f'\n  agent VmRSS with the endpoint down: start {mib(rss_start)}, '
              f'peak during {LOAD_REQUESTS} requests {mib(rss_peak)}, 3 s later {mib(rss_after)}')
        self.assertIsNotNone(rss_peak, 'agent RSS could not be read')
        self.assertLess(max(rss_peak, rss_after or 0), MAX_RSS_MIB * 1024)

        receiver.start()
        paths = [f'/users/after-{i}' for i in range(20)]
        result = curl([server.url(p) for p in paths])
        self.assertEqual(result.codes, [200] * len(paths))

        def resumed(spans):
            after = [s for s in of_kind(from_pids(spans, server.pids), KIND_SERVER)
                     if str(attr(s, 'url.path', '')).startswith('/users/after-')]
            return len(after) >= len(paths)
        spans = receiver.wait_for(resumed, timeout=60)
        self.assertTrue(resumed(spans), 'export did not resume once the receiver was up; '
                        f'agent stderr:\n{agent.stderr()[-3000:]}')

        counters = exit_counters(agent)
        stats = receiver.stats()
        print(f'  exit counters {counters}; receiver {stats}')
        self.assert_accounted(counters)
        self.assertGreater(counters['dropped'] + counters['failed'], 0, counters)
        self.assertEqual(counters['exported'], stats['spans'], f'{counters} vs {stats}')
        self.assertEqual(counters['exported'], len(receiver.spans()))

    def test_503_is_retried_after_retry_after_and_delivered_once(self):
        receiver = OtlpReceiver(self, self.work, extra_args=['--fail-first', '1',
                                                            '--retry-after', '1'])
        server = NodeServer(self, self.work)
        agent = self.start_otlp_agent(receiver.endpoint, server)
        paths = ['/users/1', '/users/2', '/missing']
        client_pid = self.traffic(server, receiver, paths)
        counters = exit_counters(agent)
        spans = receiver.spans()
        stats = receiver.stats()

        self.assert_delivered_once(spans, server, client_pid, len(paths))
        self.assertGreaterEqual(stats['failed_requests'], 1, stats)
        self.assertEqual(counters['failed'], 0, counters)
        self.assertEqual(counters['exported'], stats['spans'], f'{counters} vs {stats}')
        self.assert_accounted(counters)
        gap = self.retry_gap(receiver)
        print(f'\n  retry came {gap:.2f} s after the 503 with Retry-After: 1')
        self.assertGreaterEqual(gap, 0.9, f'Retry-After: 1 not honoured: {receiver.requests()}')

    def test_400_is_never_retried(self):
        receiver = OtlpReceiver(self, self.work, extra_args=['--always-fail', '400'])
        server = NodeServer(self, self.work)
        agent = self.start_otlp_agent(receiver.endpoint, server)
        # Two rounds 1.5 s apart: a handful of batches, each of which must be tried once.
        for round_ in range(2):
            result = curl([server.url(f'/users/{round_}-{i}') for i in range(2)])
            self.assertEqual(result.codes, [200, 200])
            time.sleep(1.5)
        counters = exit_counters(agent)
        stats = receiver.stats()
        print(f'\n  exit counters {counters}; receiver {stats}')

        self.assertGreaterEqual(stats['requests'], 1, 'the agent never tried to export')
        self.assertLessEqual(stats['requests'], 5, f'400 was retried: {receiver.requests()}')
        self.assertEqual(stats['spans'], 0, stats)
        self.assertEqual(receiver.spans(), [])
        self.assertGreater(counters['failed'], 0, counters)
        self.assertEqual(counters['exported'], 0, counters)
        self.assert_accounted(counters)

    def test_partial_success_counts_rejected_spans(self):
        receiver = OtlpReceiver(self, self.work, extra_args=['--reject', '1'])
        server = NodeServer(self, self.work)
        agent = self.start_otlp_agent(receiver.endpoint, server)
        self.traffic(server, receiver, ['/users/1', '/users/2'])
        counters = exit_counters(agent)
        stats = receiver.stats()
        print(f'\n  exit counters {counters}; receiver {stats}')

        self.assertGreater(counters['rejected'], 0, counters)
        # Every answer rejected exactly one span.
        self.assertEqual(counters['rejected'], stats['requests'] - stats['failed_requests'],
                         f'{counters} vs {stats}')
        # The receiver writes every span it got; the agent counts the rejected ones apart.
        self.assertEqual(counters['exported'] + counters['rejected'], stats['spans'],
                         f'{counters} vs {stats}')
        self.assert_accounted(counters)

    def test_grpc_unavailable_is_retried_and_delivered_once(self):
        receiver = OtlpReceiver(self, self.work, grpc=True, extra_args=['--fail-first', '1'])
        server = NodeServer(self, self.work)
        agent = self.start_otlp_agent(receiver.grpc_endpoint, server, protocol='grpc')
        paths = ['/users/1', '/users/2', '/error']
        client_pid = self.traffic(server, receiver, paths)
        counters = exit_counters(agent)
        spans = receiver.spans()
        stats = receiver.stats()
        print(f'\n  exit counters {counters}; receiver {stats}')

        self.assert_delivered_once(spans, server, client_pid, len(paths))
        self.assertEqual({s['transport'] for s in spans}, {'grpc'})
        grpc_stats = stats['by_transport'].get('grpc', {})
        self.assertGreaterEqual(grpc_stats.get('failed_requests', 0), 1, stats)
        self.assertEqual(counters['failed'], 0, counters)
        self.assertEqual(counters['exported'], stats['spans'], f'{counters} vs {stats}')
        self.assert_accounted(counters)

    def test_grpc_resource_exhausted_honours_retry_info(self):
        receiver = OtlpReceiver(self, self.work, grpc=True, extra_args=[
            '--fail-first', '1', '--fail-status', '429', '--retry-after', '2'])
        server = NodeServer(self, self.work)
        agent = self.start_otlp_agent(receiver.grpc_endpoint, server, protocol='grpc')
        paths = ['/users/1', '/users/2']
        client_pid = self.traffic(server, receiver, paths)
        counters = exit_counters(agent)
        spans = receiver.spans()

        self.assert_delivered_once(spans, server, client_pid, len(paths))
        self.assertEqual(counters['failed'], 0, counters)
        self.assert_accounted(counters)
        gap = self.retry_gap(receiver)
        print(f'\n  retry came {gap:.2f} s after RESOURCE_EXHAUSTED with RetryInfo 2 s')
        self.assertGreaterEqual(gap, 1.8, f'RetryInfo (2 s) not honoured: {receiver.requests()}')


if __name__ == '__main__':
    unittest.main()
