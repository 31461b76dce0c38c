/* A traced process closing a descriptor: its connection entry goes, and
 * userspace hears of the close of a connection it was sent data of. */
#ifndef ZEROTRACE_CONN_CLOSE_H
#define ZEROTRACE_CONN_CLOSE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "counters.h"
#include "maps.h"
#include "protocols/inference.bpf.h"
#include "ring_buffer.h"
#include "socket_trace_maps.h"
#include "trace_context.h"

/* At close's entry: after it, the number may already name another file. */
static __always_inline void close_conn(__u64 pid_tgid, __s32 fd)
{
	__u32 tgid = pid_tgid >> 32;
	__u64 key = conn_key(tgid, fd);
	struct conn_state *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn)
		return;
	__u8 protocol = conn->protocol == ZT_PROTO_TLS ? conn->plain_protocol : conn->protocol;
	if (protocol_parsed(protocol)) {
		if (conn->role == ZT_ROLE_SERVER)
			abandon_server_requests(conn);
		struct zt_close_event ev = {
			.type = ZT_EVENT_CLOSE,
			.tid = (__u32)pid_tgid,
			.conn = { .tgid = tgid, .fd = fd, .generation = conn->generation },
			.timestamp_ns = bpf_ktime_get_ns(),
			.bytes_sent = conn->bytes[ZT_DIR_EGRESS],
			.bytes_received = conn->bytes[ZT_DIR_INGRESS],
		};
		if (send_event(&ev, sizeof(ev), false) != 0)
			count(ZT_COUNTER_EVENTS_LOST);
	}
	bpf_map_delete_elem(&conns, &key);
}

#endif /* ZEROTRACE_CONN_CLOSE_H */
