/* Data events: the bytes one syscall (or TLS library call) moved on a
 * classified connection, with their timing and the trace context of the
 * request they start, if any. */
#ifndef ZEROTRACE_DATA_EVENTS_H
#define ZEROTRACE_DATA_EVENTS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "counters.h"
#include "go_runtime.h"
#include "protocols/inference.bpf.h"
#include "ring_buffer.h"
#include "socket_trace_maps.h"
#include "trace_context.h"

/* Sends one data event for `captured` bytes already in ev->data: `ret`
 * bytes of `protocol` (conn->protocol, or the plaintext's) moved on conn in
 * direction `dir`. The request's trace context: client_trace for a client
 * request (decided when it started), or decided here when a server reads a
 * request start. */
static __always_inline void emit_data_event(struct conn_state *conn, __u8 protocol,
					    struct event_scratch *ev, __u64 pid_tgid, __s32 fd,
					    __u64 enter_ns, __u64 ret, __u32 captured, __u8 dir,
					    __u8 syscall,
					    const struct zt_trace_context *client_trace, bool has_seq,
					    __u32 tcp_seq)
{
	__u32 tgid = pid_tgid >> 32;
	dir &= 1;
	if (dir == ZT_DIR_INGRESS) {
		if (conn->held) {
			/* prepend_held_byte() put it in front of these bytes */
			ret += 1;
			enter_ns = conn->held_enter_ns;
			has_seq = conn->held_has_seq;
			tcp_seq = conn->held_seq;
			conn->held = 0;
		} else if (hold_background_byte(conn, pid_tgid, enter_ns, ev->data, ret, captured,
						has_seq, tcp_seq)) {
			return;
		}
	}
	ev->hdr.type = ZT_EVENT_DATA;
	ev->hdr.tid = (__u32)pid_tgid;
	ev->hdr.conn.tgid = tgid;
	ev->hdr.conn.fd = fd;
	ev->hdr.conn.generation = conn->generation;
	ev->hdr.enter_ns = enter_ns;
	ev->hdr.exit_ns = bpf_ktime_get_ns();
	ev->hdr.stream_offset = __sync_fetch_and_add(&conn->bytes[dir], ret);
	ev->hdr.msg_size = (__u32)ret;
	ev->hdr.captured = captured;
	ev->hdr.direction = dir;
	ev->hdr.role = conn->role;
	ev->hdr.syscall = syscall;
	ev->hdr.protocol = protocol;
	ev->hdr._pad = 0;
	ev->hdr.endpoints = conn->endpoints;
	__builtin_memset(&ev->hdr.trace, 0, sizeof(ev->hdr.trace));
	if (conn->role == ZT_ROLE_CLIENT && dir == ZT_DIR_EGRESS) {
		ev->hdr.trace = *client_trace;
	} else if (conn->role == ZT_ROLE_SERVER) {
		/* Only protocols with server spans get here (classify()). */
		enum proto_msg_kind kind = protocol_message_kind(protocol, ev->data, captured, dir);
		if (dir == ZT_DIR_INGRESS && kind == PROTO_MSG_REQUEST)
			start_server_request(conn, pid_tgid, has_seq, tcp_seq, &ev->hdr.trace);
		else if (dir == ZT_DIR_EGRESS && kind == PROTO_MSG_RESPONSE &&
			 protocol_response_is_final(protocol, ev->data, captured))
			finish_server_request(conn);
	}

	__u64 size = sizeof(ev->hdr) + (captured & (ZT_MAX_CAPTURE * 2 - 1));
	if (size > sizeof(*ev))
		return;
	if (send_event(ev, size, false) != 0)
		count(ZT_COUNTER_EVENTS_LOST);
}

#endif /* ZEROTRACE_DATA_EVENTS_H */
