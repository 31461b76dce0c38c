"""--record FILE on a live run, then --replay FILE without BPF (and without root): the replay
gives the live run's spans, and damaged or misused recordings are one line each."""

import os
import pwd
import shutil
import subprocess

from harness import (AGENT, E2ETestCase, PythonHttpServer, attr, curl, describe, from_pids,
                     read_json_lines)


def stable(span):
    """What a replay must reproduce exactly. Ids and times come from the kernel's events and the
    recorded clock offset, so they are stable too; the resource comes from the recording."""
    resource = span.get('resource', {})
    return (span['trace_id'], span['span_id'], span.get('parent_span_id', ''), span['name'],
            span['kind'], span['status'], attr(span, 'url.path'),
            attr(span, 'http.response.status_code'), int(span['start_time_unix_nano']),
            int(span['end_time_unix_nano']), resource.get('service.name'),
            resource.get('process.pid'), resource.get('process.executable.path'))


class RecordReplayTest(E2ETestCase):

    def record_live_run(self):
        """A live run against python3 -m http.server with curl; returns (recording, live spans,
        server, curl result)."""
        server = PythonHttpServer(self, self.work)
        recording = self.work.file('run.zt-rec')
        agent = self.start_agent(args=['--record', recording, '--telemetry-address', 'off'])
        requests = [('/hello.txt', 200), ('/missing.txt', 404), ('/hello.txt', 200),
                    ('/hello.txt?x=1', 200), ('/gone/missing.txt', 404)]
        result = curl([server.url(p) for p, _ in requests])
        self.assertEqual(result.codes, [code for _, code in requests])
        spans = agent.spans()
        self.assertIn('recorded ', agent.stderr())
        ours = from_pids(spans, set(server.pids) | {result.pid})
        self.assertEqual(len(ours), 2 * len(requests), describe(ours))
        return recording, spans, server, result

    def replay(self, recording, *args, as_user=None):
        """Runs --replay; returns (exit code, spans, stderr)."""
        out = self.work.file(f'replay-{len(os.listdir(self.work.path))}.jsonl')
        cmd = [AGENT, '--replay', recording, '--output', 'json', '--output-file', out, *args]
        if as_user is not None:
            open(out, 'w').close()
            os.chown(out, as_user.pw_uid, as_user.pw_gid)
            cmd = ['setpriv', f'--reuid={as_user.pw_uid}', f'--regid={as_user.pw_gid}',
                   '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        spans = read_json_lines(out) if os.path.exists(out) else []
        return proc.returncode, spans, proc.stderr

    def test_replay_of_a_live_recording_gives_the_live_spans_without_root(self):
        recording, live, server, result = self.record_live_run()
        if shutil.which('setpriv') is None:
            self.skipTest('setpriv (util-linux) is needed to replay as an unprivileged user')
        nobody = pwd.getpwnam('nobody')
        os.chmod(recording, 0o644)
        code, replayed, stderr = self.replay(recording, as_user=nobody)
        self.assertEqual(code, 0, stderr)
        self.assertIn('replayed ', stderr)

        self.assertEqual(len(replayed), len(live), 'span count differs:\nlive ' + describe(live) +
                         '\nreplayed ' + describe(replayed))
        self.assertEqual(sorted(map(stable, replayed)), sorted(map(stable, live)))
        # The recording carried each process's identity: /proc of curl is long gone, and this
        # replay could not read the server's /proc either (it reads none). (curl may already be
        # gone when the live agent looks, so its name is whatever the live run saw.)
        client_spans = from_pids(replayed, result.pid)
        self.assertEqual({s['resource'].get('service.name') for s in client_spans},
                         {s['resource'].get('service.name') for s in from_pids(live, result.pid)})
        server_spans = from_pids(replayed, server.pids)
        for s in server_spans:
            self.assertTrue(s['resource'].get('service.name', '').startswith('python'), describe([s]))
            self.assertIn('python', s['resource'].get('process.executable.path', ''))
        self.assertEqual(sorted(attr(s, 'url.path') for s in server_spans),
                         sorted(['/hello.txt', '/missing.txt', '/hello.txt', '/hello.txt',
                                 '/gone/missing.txt']))

    def test_pid_narrows_a_replay(self):
        recording, live, server, result = self.record_live_run()
        code, replayed, stderr = self.replay(recording, '--pid', str(server.pid))
        self.assertEqual(code, 0, stderr)
        self.assertEqual(sorted(map(stable, replayed)),
                         sorted(map(stable, from_pids(live, {server.pid}))))

    def test_truncated_recording_replays_what_came_before_and_says_so(self):
        recording, live, _, _ = self.record_live_run()
        cut = self.work.file('cut.zt-rec')
        with open(recording, 'rb') as f:
            data = f.read()
        with open(cut, 'wb') as f:
            f.write(data[:len(data) * 2 // 3 + 5])
        code, replayed, stderr = self.replay(cut)
        self.assertEqual(code, 0, stderr)
        self.assertIn('truncated after', stderr)
        self.assertLess(len(replayed), len(live))
        live_stable = set(map(stable, live))
        for span in replayed:  # spans of the cut exchanges may differ (ended early); not the rest
            if attr(span, 'http.response.status_code') is not None:
                self.assertIn(stable(span), live_stable, describe([span]))

    def test_damaged_or_misused_recordings_are_one_line_and_exit_2(self):
        not_a_recording = self.work.file('notes.txt')
        with open(not_a_recording, 'w') as f:
            f.write('this is not a recording at all, just some text\n' * 4)
        cases = [
            ([not_a_recording], 'not a zerotrace recording'),
            ([self.work.file('missing.zt-rec')], 'cannot be read'),
            ([not_a_recording, '--record', self.work.file('x.zt-rec')], '--record and --replay'),
            ([not_a_recording, '--port', '80'], '--port'),
        ]
        for args, message in cases:
            code, _, stderr = self.replay(*args)
            self.assertEqual(code, 2, f'{args}: {stderr}')
            lines = stderr.strip().splitlines()
            self.assertEqual(len(lines), 1, f'{args}: {stderr}')
            self.assertIn(message, lines[0])

        proc = subprocess.run([AGENT, '--record', '/nonexistent/dir/run.zt-rec'],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
        self.assertIn('cannot be written', proc.stderr)
