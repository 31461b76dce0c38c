/* Classification: what an unclassified connection carries, decided once
 * from the first bytes of one of its messages, so later syscalls on it
 * cost one lookup. */
#ifndef ZEROTRACE_CLASSIFY_H
#define ZEROTRACE_CLASSIFY_H

#include "vmlinux.h"

#include "counters.h"
#include "protocols/inference.bpf.h"
#include "settings.h"
#include "socket_trace_maps.h"

/* Messages a connection picked up mid-stream may show before one that
 * starts a message of a protocol we parse; fresh connections must start
 * with one. */
#define MAX_UNCLASSIFIED_MSGS 8

/* Runs the inference chain on a message's first bytes. `protocol` is
 * conn->protocol for the bytes on the socket, or conn->plain_protocol for a
 * TLS connection's plaintext. Returns true when they are a protocol we parse
 * (and trace on this side of the connection). */
static __always_inline bool classify(struct conn_state *conn, __u8 *protocol, const __u8 *data,
				     __u32 captured, __u8 direction)
{
	__u8 kind;
	__u8 found = infer_protocol(data, captured, direction, &kind);
	if (found == ZT_PROTO_UNKNOWN) {
		/* A connection we saw from accept/connect must open with a
		 * message start; one found mid-stream may show the tail of a
		 * message first. */
		if (conn->role != ZT_ROLE_UNKNOWN || ++conn->unknown_msgs >= MAX_UNCLASSIFIED_MSGS) {
			*protocol = ZT_PROTO_OTHER;
			count(ZT_COUNTER_CONNS_IGNORED);
		}
		return false;
	}
	if (conn->role == ZT_ROLE_UNKNOWN) {
		bool is_request = kind == PROTO_MSG_REQUEST;
		bool reads = direction == ZT_DIR_INGRESS;
		conn->role = (is_request == reads) ? ZT_ROLE_SERVER : ZT_ROLE_CLIENT;
	}
	if (conn->role == ZT_ROLE_SERVER && !protocol_has(found, PROTO_TRAIT_SERVER_SPANS)) {
		*protocol = ZT_PROTO_OTHER;
		count(ZT_COUNTER_CONNS_IGNORED);
		return false;
	}
	*protocol = found;
	count(ZT_COUNTER_CONNS_TRACKED);
	return true;
}

/* A TLS record header: content type 20-23 (change cipher spec, alert,
 * handshake, application data), then major version 3. */
static __always_inline bool tls_record_start(const __u8 *d, __u32 len)
{
	return len >= 5 && d[0] >= 20 && d[0] <= 23 && d[1] == 3 && d[2] <= 4;
}

/* The bytes a syscall moved on an unclassified socket: TLS records (told
 * apart only when the TLS probes are on, whose plaintext then classifies
 * conn->plain_protocol), else the chain. Returns true when they are a
 * protocol we parse. */
static __always_inline bool classify_socket(struct conn_state *conn, const __u8 *data,
					    __u32 captured, __u8 direction)
{
	/* Too short to tell (nginx peeks at one byte to tell TLS from
	 * plain HTTP): wait for a longer message, a bounded number of times. */
	if (captured < 5 && ++conn->unknown_msgs < MAX_UNCLASSIFIED_MSGS)
		return false;
	if (tls_probes && tls_record_start(data, captured)) {
		conn->protocol = ZT_PROTO_TLS;
		count(ZT_COUNTER_TLS_CONNS);
		return false;
	}
	return classify(conn, &conn->protocol, data, captured, direction);
}

#endif /* ZEROTRACE_CLASSIFY_H */
