/* Processes starting programs and exiting: sched_process_exec and
 * sched_process_exit.
 *
 * Exit is where per-process state is dropped, so churn cannot fill the maps:
 * every thread's own entries (syscalls and TLS calls in progress, in-flight
 * server requests), and when the last thread goes, the process's connection
 * entries (sockets close without close(2) at exit), SSL bindings, verdict,
 * and for a Go process its field offsets and every goroutine's entries.
 * Userspace hears of exec (new binaries to probe, identities to re-read) and
 * of the exit of processes the programs had met (connections to finish). */
#ifndef ZEROTRACE_PROCESS_LIFECYCLE_H
#define ZEROTRACE_PROCESS_LIFECYCLE_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "counters.h"
#include "go_client_parent.h"
#include "go_http_client.h"
#include "go_runtime.h"
#include "go_tls.h"
#include "maps.h"
#include "openssl_sockets.h"
#include "ring_buffer.h"
#include "settings.h"
#include "trace_context.h"
#include "traceparent_injection.h"

static __always_inline void send_process_event(__u32 type, __u32 tgid)
{
	struct zt_process_event ev = {
		.type = type,
		.tgid = tgid,
		.timestamp_ns = bpf_ktime_get_ns(),
	};
	/* urgent: new programs are probed on a clock that starts when this arrives */
	if (send_event(&ev, sizeof(ev), true) != 0)
		count(ZT_COUNTER_EVENTS_LOST);
}

SEC("tracepoint/sched/sched_process_exec")
int tp_sched_process_exec(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid == self_tgid)
		return 0;
	/* A new program: an --exe verdict made for the old one no longer holds. */
	__u8 *verdict = bpf_map_lookup_elem(&tgid_verdict, &tgid);
	if (verdict && *verdict == ZT_TGID_IGNORE)
		bpf_map_delete_elem(&tgid_verdict, &tgid);
	/* Nor do Go field offsets: userspace adds them again if the new
	 * program is Go too. */
	bpf_map_delete_elem(&go_processes, &tgid);
	send_process_event(ZT_EVENT_EXEC, tgid);
	return 0;
}

static long drop_conn_of_tgid(void *map, __u64 *key, struct conn_state *value, __u32 *tgid)
{
	if ((__u32)(*key >> 32) == *tgid)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long drop_ssl_of_tgid(void *map, struct ssl_key *key, __s32 *fd, __u32 *tgid)
{
	if (key->tgid == *tgid)
		bpf_map_delete_elem(map, key);
	return 0;
}

/* Entries keyed by goroutine (go_runtime.h) or by thread of one process. */
static long drop_owner_of_tgid(void *map, __u64 *key, void *value, __u32 *tgid)
{
	if (owner_tgid(*key) == *tgid)
		bpf_map_delete_elem(map, key);
	return 0;
}

static long drop_go_request_of_tgid(void *map, struct go_request_key *key, void *value,
				    __u32 *tgid)
{
	if (key->tgid == *tgid)
		bpf_map_delete_elem(map, key);
	return 0;
}

/* A Go process's goroutines end without telling: their entries go with the
 * process. */
static __always_inline void drop_goroutines_of_tgid(__u32 tgid)
{
	bpf_for_each_map_elem(&thread_inflight, drop_owner_of_tgid, &tgid, 0);
	bpf_for_each_map_elem(&go_tls_calls, drop_owner_of_tgid, &tgid, 0);
	bpf_for_each_map_elem(&go_writer_parents, drop_owner_of_tgid, &tgid, 0);
	bpf_for_each_map_elem(&go_request_parents, drop_go_request_of_tgid, &tgid, 0);
	bpf_map_delete_elem(&go_processes, &tgid);
}

SEC("tracepoint/sched/sched_process_exit")
int tp_sched_process_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	bpf_map_delete_elem(&inject_pending, &pid_tgid);
	bpf_map_delete_elem(&thread_inflight, &pid_tgid);
	bpf_map_delete_elem(&tls_calls, &pid_tgid);
	bpf_map_delete_elem(&tls_feeds, &pid_tgid);
	bpf_map_delete_elem(&deferred_writes, &pid_tgid);

	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0; /* other threads live on */
	bpf_map_delete_elem(&tgid_verdict, &tgid);
	if (bpf_map_lookup_elem(&go_processes, &tgid))
		drop_goroutines_of_tgid(tgid);
	struct tgid_state *state = bpf_map_lookup_elem(&tgid_states, &tgid);
	if (!state)
		return 0; /* never met: nothing to drop, nothing to tell */
	bool had_tls = state->tls;
	if (state->conns)
		bpf_for_each_map_elem(&conns, drop_conn_of_tgid, &tgid, 0);
	if (had_tls)
		bpf_for_each_map_elem(&ssl_fds, drop_ssl_of_tgid, &tgid, 0);
	bpf_map_delete_elem(&tgid_states, &tgid);
	if (tgid != self_tgid)
		send_process_event(ZT_EVENT_EXIT, tgid);
	return 0;
}

#endif /* ZEROTRACE_PROCESS_LIFECYCLE_H */
