/* Exit of every data syscall: the bytes it moved on a traced connection
 * captured and sent up, after classifying the connection if it was not yet.
 * Costs are kept on the side of the common case: a file read, or a read on
 * a socket already known not to carry a protocol we parse, costs one exit
 * program and one hash lookup. The arguments are read from the task's
 * saved registers (bpf_task_pt_regs, Linux 5.15). */
#ifndef ZEROTRACE_IO_EXIT_H
#define ZEROTRACE_IO_EXIT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "capture.h"
#include "classify.h"
#include "connection.h"
#include "data_events.h"
#include "go_runtime.h"
#include "maps.h"
#include "openssl_sockets.h"
#include "send_entry.h"
#include "settings.h"
#include "socket_trace_maps.h"
#include "trace_context.h"
#include "traceparent_injection.h"

/* What start_send() left for this syscall, if anything. */
static __always_inline bool take_pending_send(__u64 pid_tgid, const struct io_args *a,
					      struct pending_io *out)
{
	struct pending_io *io = bpf_task_storage_get(&pending_sends, bpf_get_current_task_btf(), 0, 0);
	if (!io || io->enter_ns == 0)
		return false;
	bool ours = io->fd == a->fd && io->syscall == a->syscall;
	if (ours)
		*out = *io;
	io->enter_ns = 0;
	if (!ours || !out->inject)
		return ours;
	/* Whether the sk_msg program added the traceparent it was asked for. */
	struct pending_io *injection = bpf_map_lookup_elem(&inject_pending, &pid_tgid);
	if (injection) {
		out->trace.injected = injection->trace.injected;
		bpf_map_delete_elem(&inject_pending, &pid_tgid);
	}
	return true;
}

static __always_inline int finish_io(long ret, __u8 kind, __u8 syscall, __u8 direction)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == self_tgid)
		return 0;
	struct pt_regs *regs = saved_user_regs();
	struct io_args args = { .fd = (__s32)PT_REGS_PARM1_SYSCALL(regs) };
	__u64 key = conn_key(tgid, args.fd);
	struct conn_state *conn = bpf_map_lookup_elem(&conns, &key);
	if (conn && conn->protocol == ZT_PROTO_OTHER)
		return 0;
	if (conn && conn->protocol == ZT_PROTO_TLS) {
		if (direction == ZT_DIR_INGRESS) /* sends were noted at entry */
			note_tls_socket_io(conn, pid_tgid, args.fd, direction);
		return 0;
	}
	saved_io_args(regs, &args, kind, syscall, direction);
	struct pending_io sent = {};
	bool started = direction == ZT_DIR_EGRESS && conn && conn->role == ZT_ROLE_CLIENT &&
		       take_pending_send(pid_tgid, &args, &sent);
	if (ret <= 0)
		return 0;
	if (!conn) {
		conn = track_conn(tgid, args.fd, ZT_ROLE_UNKNOWN);
		if (!conn || conn->protocol == ZT_PROTO_OTHER)
			return 0;
	}
	/* Where the bytes were in the TCP stream: for a server's read, what the
	 * next read would start at, less what this one returned. */
	bool has_seq = started && sent.has_seq;
	__u32 tcp_seq = sent.tcp_seq;
	if (direction == ZT_DIR_INGRESS && conn->role == ZT_ROLE_SERVER &&
	    read_tcp_seq(conn->sk, false, &tcp_seq)) {
		has_seq = true;
		if (!args.peek)
			tcp_seq -= (__u32)ret;
	}
	__u64 enter_ns = started ? sent.enter_ns : bpf_ktime_get_ns();

	__u32 zero = 0;
	struct event_scratch *ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return 0;

	__u32 captured = 0;
	if (args.kind == PENDING_BUF_PLAIN) {
		__u32 start = prepend_held_byte(conn, ev->data, args.direction);
		captured = capture(ev, start, args.buf, (__u64)ret);
	} else {
		/* A held byte (go_runtime.h) only goes in front of a plain read
		 * (Go reads sockets with read(2)); scattered reads drop it. */
		if (args.direction == ZT_DIR_INGRESS)
			conn->held = 0;
		if (args.kind == PENDING_BUF_IOV) {
			captured = capture_iov(ev, args.buf, args.count, (__u64)ret);
		} else if (args.kind == PENDING_BUF_MSGHDR) {
			struct user_msghdr msg = {};
			if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)args.buf) == 0)
				captured = capture_iov(ev, (__u64)msg.msg_iov, msg.msg_iovlen,
						       (__u64)ret);
		}
	}

	if (conn->protocol == ZT_PROTO_UNKNOWN) {
		/* sendfile carries no bytes we can look at: wait for a message that does. */
		if (args.kind == PENDING_BUF_NONE)
			return 0;
		if (!classify_socket(conn, ev->data, captured, args.direction))
			return 0;
	}
	/* Read again: another thread may have classified conn meanwhile. */
	__u8 protocol = conn->protocol;
	if (!protocol_parsed(protocol))
		return 0;
	emit_data_event(conn, protocol, ev, pid_tgid, args.fd, enter_ns, (__u64)ret, captured,
			args.direction, args.syscall, &sent.trace, has_seq, tcp_seq);
	return 0;
}

#endif /* ZEROTRACE_IO_EXIT_H */
