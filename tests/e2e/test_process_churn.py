"""Process churn: many short-lived traced processes must not grow the agent.

Each curl below is a new process that opens a connection, makes one request and exits without
closing its socket itself (the kernel closes it). The agent must drop what it kept for each of
them: the kernel side when the process exits (sched_process_exit), userspace when it hears of
it. Figures are printed; the assertions are about entries left behind by processes that are
gone (none may stay), and about memory returning near its baseline."""

import json
import os
import subprocess
import time

from harness import (E2ETestCase, PythonHttpServer, attr, from_pids, of_kind, require_tool,
                     vm_rss_kib)

CHURN = 500
# Maps whose keys say which process an entry belongs to: name -> tgid of a key.
PER_PROCESS_MAPS = {
    'conns': lambda key: int(key) >> 32,           # (tgid << 32) | fd
    'tgid_states': int,                             # tgid
    'tgid_verdict': int,                            # tgid
    'ssl_fds': lambda key: int(key['tgid']),        # {tgid, ssl}
    'inject_pending': lambda key: int(key) >> 32,   # pid_tgid
    'thread_inflight': lambda key: int(key) >> 32,  # pid_tgid
}


def bpftool_json(*args):
    done = subprocess.run(['bpftool', '-j', *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise AssertionError(f'bpftool {" ".join(args)} failed: {done.stderr.strip()}')
    return json.loads(done.stdout or '[]')


def agent_maps(agent_pid):
    """{map name: map id} of the maps the agent process holds (their ids from its fds'
    fdinfo, their names from bpftool)."""
    ids = set()
    fd_dir = f'/proc/{agent_pid}/fdinfo'
    for fd in os.listdir(fd_dir):
        try:
            with open(os.path.join(fd_dir, fd)) as f:
                for line in f:
                    if line.startswith('map_id:'):
                        ids.add(int(line.split()[1]))
        except OSError:
            continue
    return {m.get('name'): m['id'] for m in bpftool_json('map', 'show') if m['id'] in ids}


def occupancy(map_ids):
    """{map name: (entries, entries of processes that no longer exist)}."""
    figures = {}
    for name, tgid_of in PER_PROCESS_MAPS.items():
        if name not in map_ids:
            continue
        entries = bpftool_json('map', 'dump', 'id', str(map_ids[name]))
        stale = 0
        for entry in entries:
            key = entry.get('formatted', entry).get('key')
            tgid = tgid_of(key)
            stale += tgid != 0 and not os.path.exists(f'/proc/{tgid}')
        figures[name] = (len(entries), stale)
    return figures


class ProcessChurnTest(E2ETestCase):

    def test_500_short_lived_clients_leave_nothing_behind(self):
        require_tool(self, 'bpftool')
        server = PythonHttpServer(self, self.work)
        agent = self.start_agent(args=['--port', str(server.port)])
        maps = agent_maps(agent.pid)
        self.assertIn('conns', maps, f'agent maps not found with bpftool: {maps}')

        def run_clients(n, tag):
            pids = []
            for i in range(n):
                proc = subprocess.run(['curl', '-sS', '-o', '/dev/null', '--max-time', '10',
                                       server.url(f'/hello.txt?{tag}={i}')],
                                      stdin=subprocess.DEVNULL, capture_output=True)
                self.assertEqual(proc.returncode, 0, proc.stderr)
            return pids

        run_clients(20, 'warm')
        time.sleep(2.0)
        before_rss = vm_rss_kib(agent.pid)
        before = occupancy(maps)

        started = time.monotonic()
        run_clients(CHURN, 'churn')
        took = time.monotonic() - started
        time.sleep(2.0)
        after_rss = vm_rss_kib(agent.pid)
        after = occupancy(maps)
        spans = agent.spans()

        print(f'\n  {CHURN} curl processes in {took:.1f} s; agent RSS {before_rss} KiB before, '
              f'{after_rss} KiB after', flush=True)
        for name in PER_PROCESS_MAPS:
            if name in before:
                print(f'  {name}: {before[name][0]} entries before ({before[name][1]} of exited '
                      f'processes), {after[name][0]} after ({after[name][1]} of exited processes)',
                      flush=True)

        # Every client was traced: one CLIENT span each, from as many processes.
        churn_spans = [s for s in of_kind(spans, 'CLIENT')
                       if 'churn=' in (attr(s, 'url.query') or '') or
                       'churn' in (attr(s, 'url.full') or '')]
        client_pids = {s['resource'].get('process.pid') for s in churn_spans}
        self.assertGreaterEqual(len(client_pids), CHURN * 0.99,
                                f'{len(client_pids)} client processes traced of {CHURN}')
        server_spans = of_kind(from_pids(spans, server.pids), 'SERVER')
        self.assertGreaterEqual(len(server_spans), CHURN)
        # Nothing kept for processes that are gone.
        for name, (entries, stale) in after.items():
            self.assertLessEqual(stale, 5, f'{name}: {stale} entries of exited processes '
                                           f'({entries} in all)')
        # Memory back near its baseline: the 500 processes' state was freed, not kept.
        self.assertLess(after_rss - before_rss, 8 * 1024,
                        f'agent RSS grew from {before_rss} to {after_rss} KiB')
