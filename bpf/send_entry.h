/* Entry of a sending syscall. Only a client request needs it: its trace
 * context must be published, and the TCP position of its first byte read,
 * before the bytes can reach the server; both wait in pending_sends for the
 * exit (io_exit.h). Everything else is done at exit, and receiving syscalls
 * have no entry program at all: entry tracepoints cost more than exit ones
 * (docs/performance.md). */
#ifndef ZEROTRACE_SEND_ENTRY_H
#define ZEROTRACE_SEND_ENTRY_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "capture.h"
#include "maps.h"
#include "openssl_sockets.h"
#include "protocols/inference.bpf.h"
#include "settings.h"
#include "socket_trace_maps.h"
#include "trace_context.h"
#include "traceparent_injection.h"

/* What a client request's send decided at entry, for its exit. Task-local
 * storage: cheaper than a hash keyed by thread (docs/performance.md) and
 * freed with the thread, even one that dies inside the syscall. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_io);
} pending_sends SEC(".maps");

static __always_inline int start_send(__s32 fd, __u64 buf, __u64 count, __u8 kind, __u8 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == self_tgid)
		return 0;
	__u64 key = conn_key(tgid, fd);
	struct conn_state *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn || conn->protocol == ZT_PROTO_OTHER)
		return 0;
	if (conn->protocol == ZT_PROTO_TLS) {
		/* Ciphertext: never captured; it only tells which socket a TLS
		 * library call in progress on this thread uses. */
		note_tls_socket_io(conn, pid_tgid, fd, ZT_DIR_EGRESS);
		return 0;
	}
	if (conn->role != ZT_ROLE_CLIENT)
		return 0;
	struct pending_io io = {
		.enter_ns = bpf_ktime_get_ns(),
		.fd = fd,
		.syscall = syscall,
	};
	io.has_seq = read_tcp_seq(conn->sk, true, &io.tcp_seq);
	__u64 first = 0, len = 0;
	/* conn->protocol: UNKNOWN before the first message, whose protocol the
	 * chain tells here already. */
	__u8 request = first_user_buffer(buf, count, kind, &first, &len)
			       ? user_request_protocol(conn->protocol, first, len)
			       : ZT_PROTO_UNKNOWN;
	if (request != ZT_PROTO_UNKNOWN) {
		bool peer_link = io.has_seq && protocol_has(request, PROTO_TRAIT_PEER_LINK);
		start_client_request(conn, pid_tgid, peer_link, io.tcp_seq, &io.trace);
		if (inject_enabled && protocol_has(request, PROTO_TRAIT_TRACEPARENT) &&
		    !request_has_traceparent(first, len))
			io.inject = 1;
	}
	struct pending_io *slot = bpf_task_storage_get(&pending_sends, bpf_get_current_task_btf(), 0,
						      BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!slot)
		return 0;
	*slot = io;
	if (io.inject)
		bpf_map_update_elem(&inject_pending, &pid_tgid, &io, BPF_ANY);
	return 0;
}

#endif /* ZEROTRACE_SEND_ENTRY_H */
