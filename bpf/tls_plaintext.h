/* TLS plaintext, from any TLS library's probes (tls_openssl.h, go_tls.h):
 * it travels as data events of the TCP connection under it (syscall
 * ZT_SYS_SSL_*), classified on its own (conn->plain_protocol), while that
 * connection's ciphertext (ZT_PROTO_TLS) is never sent up. */
#ifndef ZEROTRACE_TLS_PLAINTEXT_H
#define ZEROTRACE_TLS_PLAINTEXT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "capture.h"
#include "classify.h"
#include "connection.h"
#include "counters.h"
#include "data_events.h"
#include "go_runtime.h"
#include "protocols/inference.bpf.h"

/* Sends the plaintext of `ev` as conn's, classifying the plaintext first. */
static __always_inline void emit_tls_plaintext(struct conn_state *conn, struct event_scratch *ev,
					       __u64 pid_tgid, __s32 fd, __u64 enter_ns,
					       __u64 bytes, __u32 captured, __u8 direction,
					       const struct zt_trace_context *trace)
{
	if (conn->plain_protocol == ZT_PROTO_UNKNOWN &&
	    !classify(conn, &conn->plain_protocol, ev->data, captured, direction))
		return;
	if (!protocol_parsed(conn->plain_protocol))
		return;
	__u8 syscall = direction == ZT_DIR_EGRESS ? ZT_SYS_SSL_WRITE : ZT_SYS_SSL_READ;
	emit_data_event(conn, conn->plain_protocol, ev, pid_tgid, fd, enter_ns, bytes, captured,
			direction, syscall, trace, false, 0);
}

/* Sends a finished call's plaintext (`bytes` at `buf`; OpenSSL or Go) as fd's,
 * tracking the socket if new and marking it ZT_PROTO_TLS if unclassified.
 * Nothing for a socket that is not TCP, filtered out, or carrying a
 * protocol in the clear. */
static __always_inline void emit_tls_call_plaintext(__u64 pid_tgid, __s32 fd, __u64 buf,
						    __u64 bytes, __u64 enter_ns, __u8 direction,
						    const struct zt_trace_context *trace)
{
	__u32 tgid = pid_tgid >> 32;
	__u64 ck = conn_key(tgid, fd);
	struct conn_state *conn = bpf_map_lookup_elem(&conns, &ck);
	if (!conn) {
		conn = track_conn(tgid, fd, ZT_ROLE_UNKNOWN);
		if (!conn)
			return;
	}
	if (conn->protocol == ZT_PROTO_UNKNOWN) {
		conn->protocol = ZT_PROTO_TLS;
		count(ZT_COUNTER_TLS_CONNS);
	}
	if (conn->protocol != ZT_PROTO_TLS)
		return;

	__u32 zero = 0;
	struct event_scratch *ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return;
	__u32 start = prepend_held_byte(conn, ev->data, direction);
	__u32 captured = capture(ev, start, buf, bytes);
	emit_tls_plaintext(conn, ev, pid_tgid, fd, enter_ns, bytes, captured, direction, trace);
}

/* Whether a TLS write whose plaintext starts a request of `protocol`
 * (user_request_protocol) on conn (NULL: socket not known yet) is a client
 * request, to be given its trace context before it is encrypted. */
static __always_inline bool tls_client_request(const struct conn_state *conn, __u8 protocol)
{
	if (!conn)
		return true;
	return conn->role != ZT_ROLE_SERVER &&
	       (conn->plain_protocol == ZT_PROTO_UNKNOWN || conn->plain_protocol == protocol);
}

#endif /* ZEROTRACE_TLS_PLAINTEXT_H */
