"""OTLP export over TLS: the agent must trust the PEM bundle named by
OTEL_EXPORTER_OTLP_CERTIFICATE for https:// endpoints, over OTLP/HTTP and OTLP/gRPC alike, and
must refuse a certificate it has no reason to trust. The receiver serves a fresh self-signed
certificate for localhost (openssl CLI), so it is trusted only through that variable: without it
nothing may arrive, the agent must say why, count the spans as failed or dropped, and still exit 0.
An unreadable certificate file is a configuration error (exit code 2, one line naming the variable).
"""

import os
import signal
import subprocess
import time
import unittest

from harness import (AGENT, KIND_SERVER, E2ETestCase, NodeServer, OtlpReceiver, attr, curl,
                     describe, exit_counters, from_pids, make_self_signed_cert, of_kind,
                     stop_process)

# (label, OTEL_EXPORTER_OTLP_PROTOCOL, the receiver's "transport" for each span line)
PROTOCOLS = [
    ('http/protobuf', 'http/protobuf', 'http/protobuf'),
    ('grpc', 'grpc', 'grpc'),
]

REQUESTS = [('/users/1', 200), ('/users/2', 200), ('/missing', 404)]
CERTIFICATE_VARIABLE = 'OTEL_EXPORTER_OTLP_CERTIFICATE'
CONFIG_ERROR_EXIT = 2


class OtlpTlsTest(E2ETestCase):

    def setUp(self):
        super().setUp()
        self.cert, self.key = make_self_signed_cert(self.work, self)

    def tls_receiver(self, protocol):
        receiver = OtlpReceiver(self, self.work, grpc=protocol == 'grpc',
                                tls=(self.cert, self.key))
        endpoint = receiver.grpc_endpoint if protocol == 'grpc' else receiver.endpoint
        self.assertTrue(endpoint.startswith('https://localhost:'), endpoint)
        return receiver, endpoint

    def start_tls_agent(self, endpoint, protocol, certificate=None, **extra):
        env = {
            'OTEL_EXPORTER_OTLP_ENDPOINT': endpoint,
            'OTEL_EXPORTER_OTLP_PROTOCOL': protocol,
            'OTEL_BSP_SCHEDULE_DELAY': '200',
        }
        if certificate is not None:
            env[CERTIFICATE_VARIABLE] = certificate
        env.update(extra)
        return self.start_agent(output=None, env=env)

    def send_requests(self, server):
        result = curl([server.url(path) for path, _ in REQUESTS])
        self.assertEqual(result.codes, [code for _, code in REQUESTS])
        return result

    def test_trusted_certificate_delivers_spans(self):
        server = NodeServer(self, self.work)
        for label, protocol, transport in PROTOCOLS:
            with self.subTest(protocol=label):
                receiver, endpoint = self.tls_receiver(protocol)
                agent = self.start_tls_agent(endpoint, protocol, certificate=self.cert)
                try:
                    self.send_requests(server)

                    def complete(spans):
                        return len(of_kind(from_pids(spans, server.pids), KIND_SERVER)) >= len(REQUESTS)
                    spans = receiver.wait_for(complete, timeout=30)
                    self.assertTrue(complete(spans), f'{label}: spans not exported over TLS within '
                                    f'30 s: {describe(spans)}\nagent stderr:\n'
                                    f'{agent.stderr()[-3000:]}\nreceiver log:\n'
                                    f'{receiver.log()[-3000:]}')
                    counters = exit_counters(agent)
                    spans = receiver.spans()
                    stats = receiver.stats()
                    print(f'\n  {label} over TLS: exit counters {counters}; receiver {stats}')

                    server_spans = of_kind(from_pids(spans, server.pids), KIND_SERVER)
                    got = sorted((attr(s, 'url.path'), attr(s, 'http.response.status_code'))
                                 for s in server_spans)
                    self.assertEqual(got, sorted(REQUESTS), describe(server_spans))
                    self.assertEqual({s['transport'] for s in spans}, {transport})
                    self.assertEqual(stats['failed_requests'], 0, stats)
                    self.assertEqual(counters['failed'], 0, counters)
                    self.assertGreater(counters['exported'], 0, counters)
                    self.assertEqual(counters['exported'], stats['spans'], f'{counters} vs {stats}')
                    exports = [s for s in spans if attr(s, 'url.path') == '/v1/traces']
                    self.assertEqual(exports, [], 'agent traced its own OTLP export: '
                                     + describe(exports))
                finally:
                    # A failed subTest must not leave its agent tracing the next one's traffic.
                    stop_process(agent.proc, signal.SIGINT, timeout=20)
                    receiver.stop()

    def test_untrusted_certificate_delivers_nothing_and_warns(self):
        server = NodeServer(self, self.work)
        for label, protocol, _ in PROTOCOLS:
            with self.subTest(protocol=label):
                receiver, endpoint = self.tls_receiver(protocol)
                # No OTEL_EXPORTER_OTLP_CERTIFICATE: only the system CAs, which never signed
                # this certificate.
                agent = self.start_tls_agent(endpoint, protocol,
                                             OTEL_BSP_EXPORT_TIMEOUT='2000')
                try:
                    self.send_requests(server)
                    # Wait for the agent to report the failed export, then a little longer for
                    # the batch's 2 s export timeout to give it up.
                    deadline = time.monotonic() + 20
                    while time.monotonic() < deadline and not self.mentions_tls(agent.stderr()):
                        time.sleep(0.1)
                    time.sleep(3)
                    counters = exit_counters(agent)
                    stderr = agent.stderr()
                    stats = receiver.stats()
                    print(f'\n  {label} with an untrusted certificate: exit counters {counters}; '
                          f'receiver {stats}')

                    self.assertEqual(receiver.spans(), [], f'{label}: spans crossed an '
                                     'untrusted TLS connection')
                    self.assertEqual(stats['requests'], 0, stats)
                    self.assertEqual(counters['exported'], 0, counters)
                    self.assertGreater(counters['failed'] + counters['dropped'], 0, counters)
                    self.assertTrue(self.mentions_tls(stderr), f'{label}: no warning about the '
                                    f'certificate or SSL in the agent stderr:\n{stderr[-3000:]}')
                finally:
                    stop_process(agent.proc, signal.SIGINT, timeout=20)
                    receiver.stop()

    @staticmethod
    def mentions_tls(stderr):
        text = stderr.lower()
        return 'certificate' in text or 'ssl' in text

    def test_unreadable_certificate_is_a_configuration_error(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith('OTEL_')}
        env.update({
            'OTEL_EXPORTER_OTLP_ENDPOINT': 'https://localhost:4318',
            'OTEL_EXPORTER_OTLP_PROTOCOL': 'http/protobuf',
            CERTIFICATE_VARIABLE: '/nonexistent.pem',
        })
        done = subprocess.run([AGENT, '--output', 'otlp'], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=30)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        self.assertEqual(done.returncode, CONFIG_ERROR_EXIT, f'stderr:\n{done.stderr}')
        self.assertEqual(len(lines), 1, f'want one line on stderr, got:\n{done.stderr}')
        self.assertIn(CERTIFICATE_VARIABLE, lines[0])
        self.assertIn('/nonexistent.pem', lines[0])


if __name__ == '__main__':
    unittest.main()
