/* W3C traceparent injection into outgoing HTTP/1.x requests of unmodified
 * programs, without bpf_probe_write_user (forbidden under lockdown):
 *
 * 1. sockops, on the cgroup v2 root: when a traced process connects
 *    (TCP_CONNECT_CB runs in the connecting thread), its socket is marked;
 *    once established, a marked socket joins the inject_socks sockhash.
 * 2. The write/send syscall tracepoints decide the client request's span
 *    ids at entry (trace_context.h) and, when the request is of a protocol
 *    that takes a traceparent (PROTO_TRAIT_TRACEPARENT: HTTP/1.x) and
 *    carries none of its own, set pending_io.inject (inject_pending).
 * 3. sk_msg, run by the kernel on every message sent on a socket in the
 *    sockhash, in the sending thread: if that thread's pending syscall asks
 *    for it, it inserts "traceparent: 00-<trace>-<span>-01\r\n" after the
 *    request line, so the next hop continues the trace.
 *
 * Off unless the loader sets inject_enabled and attaches both programs. */
#ifndef ZEROTRACE_TRACEPARENT_INJECTION_H
#define ZEROTRACE_TRACEPARENT_INJECTION_H

#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "connection.h"
#include "counters.h"
#include "maps.h"
#include "settings.h"
#include "socket_trace_maps.h"

#define ZT_TRACEPARENT_LINE_LEN 70 /* "traceparent: " + 55 + "\r\n" */
#define ZT_HEADER_SCAN_BYTES 1024   /* how far into a request we look for the request line / header */

/* What a client request's send decided at entry, by thread, for the
 * requests the sk_msg program below edits: it cannot reach the task
 * storage the send's exit reads (pending_sends). LRU: a thread that dies
 * inside the syscall never reaches its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct pending_io);
} inject_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);  /* socket cookie */
	__type(value, __u8); /* connected by a traced process */
} inject_candidates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* socket cookie */
	__type(value, __u64);
} inject_socks SEC(".maps");

/* Per-CPU copy of a request's first bytes, for the header scan. */
struct header_window {
	__u8 bytes[ZT_HEADER_SCAN_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct header_window);
} header_windows SEC(".maps");

struct scan_state {
	struct header_window *w;
	__u32 len;
	bool found;
};

static __always_inline __u8 lower(__u8 c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

/* bpf_loop callback: is there a "\ntraceparent:" starting at i? */
static int scan_for_traceparent(__u32 i, struct scan_state *st)
{
	/* On the stack: clang 14 misplaces function-static arrays in .rodata. */
	const char name[] = { '\n', 't', 'r', 'a', 'c', 'e', 'p', 'a', 'r', 'e', 'n', 't', ':' };
	if (i + sizeof(name) > st->len)
		return 1; /* past the end: stop */
	for (int k = 0; k < (int)sizeof(name); k++) {
		__u32 at = (i + k) & (ZT_HEADER_SCAN_BYTES - 1);
		if (lower(st->w->bytes[at]) != (__u8)name[k])
			return 0;
	}
	st->found = true;
	return 1;
}

/* Whether the request in the user buffer already carries a traceparent
 * (the program propagates context itself, e.g. an OpenTelemetry SDK): then
 * we must not add a second one. Looks at the first buffer's first 1 KiB. */
static __always_inline bool request_has_traceparent(__u64 first, __u64 len)
{
	__u32 zero = 0;
	struct header_window *w = bpf_map_lookup_elem(&header_windows, &zero);
	if (!w)
		return true; /* cannot tell: do not inject */
	__u32 n = len < ZT_HEADER_SCAN_BYTES ? (__u32)len : ZT_HEADER_SCAN_BYTES;
	n &= ZT_HEADER_SCAN_BYTES * 2 - 1; /* a bound the verifier tracks */
	if (n < 16 || n > ZT_HEADER_SCAN_BYTES)
		return true;
	if (bpf_probe_read_user(w->bytes, n, (const void *)first) != 0)
		return true;
	struct scan_state st = { .w = w, .len = n, .found = false };
	bpf_loop(ZT_HEADER_SCAN_BYTES, scan_for_traceparent, &st, 0);
	return st.found;
}

SEC("sockops")
int zt_sockops(struct bpf_sock_ops *skops)
{
	__u64 cookie = bpf_get_socket_cookie(skops);
	if (skops->op == BPF_SOCK_OPS_TCP_CONNECT_CB) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;
		if (tgid == self_tgid || !tgid_wanted(tgid))
			return 1;
		__u8 one = 1;
		bpf_map_update_elem(&inject_candidates, &cookie, &one, BPF_ANY);
	} else if (skops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB) {
		/* May run in softirq: the process was checked at connect. */
		if (!bpf_map_lookup_elem(&inject_candidates, &cookie))
			return 1;
		bpf_map_delete_elem(&inject_candidates, &cookie);
		bpf_sock_hash_update(skops, &inject_socks, &cookie, BPF_NOEXIST);
	}
	return 1;
}

static __always_inline void hex_into(__u8 *out, const __u8 *in, int n)
{
	for (int i = 0; i < n; i++) {
		__u8 hi = in[i] >> 4, lo = in[i] & 0xf;
		out[2 * i] = hi < 10 ? '0' + hi : 'a' + hi - 10;
		out[2 * i + 1] = lo < 10 ? '0' + lo : 'a' + lo - 10;
	}
}

SEC("sk_msg")
int zt_inject_traceparent(struct sk_msg_md *msg)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_io *io = bpf_map_lookup_elem(&inject_pending, &pid_tgid);
	if (!io || !io->inject)
		return SK_PASS;
	/* The pending syscall must be on this very socket. */
	__u64 key = conn_key(pid_tgid >> 32, io->fd);
	struct conn_state *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn || conn->endpoints.local_port != msg->local_port ||
	    conn->endpoints.peer_port != bpf_ntohl(msg->remote_port))
		return SK_PASS;
	io->inject = 0; /* once per syscall, whatever happens next */

	__u32 window = msg->size < ZT_HEADER_SCAN_BYTES ? msg->size : ZT_HEADER_SCAN_BYTES;
	if (window < 16 || bpf_msg_pull_data(msg, 0, window, 0) != 0)
		goto skipped;
	__u8 *d = msg->data;
	__u8 *end = msg->data_end;
	__u32 off = 0;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < ZT_HEADER_SCAN_BYTES - 1; i++) {
		if (d + i + 2 > end)
			break;
		if (d[i] == '\r' && d[i + 1] == '\n') {
			off = i + 2;
			break;
		}
	}
	if (off == 0)
		goto skipped; /* request line not complete in this message */

	__u8 line[ZT_TRACEPARENT_LINE_LEN];
	__builtin_memcpy(line, "traceparent: 00-", 16);
	hex_into(line + 16, io->trace.trace_id, 16);
	line[48] = '-';
	hex_into(line + 49, io->trace.span_id, 8);
	__builtin_memcpy(line + 65, "-01\r\n", 5);

	if (bpf_msg_push_data(msg, off, ZT_TRACEPARENT_LINE_LEN, 0) != 0)
		goto skipped;
	/* The pushed gap holds stale kernel memory until written: write it, or
	 * take it out again. */
	if (bpf_msg_pull_data(msg, off, off + ZT_TRACEPARENT_LINE_LEN, 0) != 0)
		goto pop;
	d = msg->data;
	end = msg->data_end;
	if (d + ZT_TRACEPARENT_LINE_LEN > end)
		goto pop;
	__builtin_memcpy(d, line, ZT_TRACEPARENT_LINE_LEN);
	io->trace.injected = 1;
	count(ZT_COUNTER_INJECTED);
	return SK_PASS;
pop:
	bpf_msg_pop_data(msg, off, ZT_TRACEPARENT_LINE_LEN, 0);
skipped:
	count(ZT_COUNTER_INJECT_SKIPPED);
	return SK_PASS;
}

#endif /* ZEROTRACE_TRACEPARENT_INJECTION_H */
