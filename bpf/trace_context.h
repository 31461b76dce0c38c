/* Trace context decided in the kernel, at the moment a request starts, so
 * that spans link without any change to the traced programs:
 *
 * - Inside a process: a client request made by a thread that is handling
 *   exactly one server request (it read that request, and no response has
 *   started yet) is that request's child. A thread handling several (an
 *   event loop with concurrent requests, pipelining) gives no parent: a
 *   wrong parent is worse than none. Event loops are single-threaded, so for
 *   them "one request on this thread" is "one request in the process".
 *   In Go processes the goroutine takes the thread's place (go_runtime.h),
 *   and a request made through Go's HTTP client takes what the goroutine
 *   that asked for it was handling (go_http_client.h).
 *
 * - Across processes on this host: the client end records its request under
 *   the connection's addresses and the TCP sequence number of the request's
 *   first byte, before the bytes are sent; the server end looks it up with
 *   the sequence number of the first byte it reads. Same connection, same
 *   byte: certain, whatever the timing, keep-alive or pipelining. Only
 *   protocols with a traced server side publish (PROTO_TRAIT_PEER_LINK). */
#ifndef ZEROTRACE_TRACE_CONTEXT_H
#define ZEROTRACE_TRACE_CONTEXT_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "counters.h"
#include "go_client_parent.h"
#include "go_runtime.h"
#include "socket_trace_maps.h"
#include "trace_ids.h"

/* Server requests a thread is handling. `known` holds while exactly one is
 * and it is the one in trace_id/span_id; after any overlap it stays unknown
 * until the count is back to zero. */
struct inflight_set {
	__u32 count;
	__u8 known;
	__u8 _pad[3];
	__u8 trace_id[16];
	__u8 span_id[8];
};

/* A client request's first byte on a connection, as both ends see it.
 * IPv4-mapped IPv6 addresses are stored as IPv4, so an AF_INET6 server and
 * an AF_INET client agree. */
struct seq_key {
	__u8 client_addr[16];
	__u8 server_addr[16];
	__u16 client_port;
	__u16 server_port;
	__u32 seq;
};

struct peer_span {
	__u8 trace_id[16];
	__u8 span_id[8];
};

/* LRU: a goroutine's entry is not dropped when it ends (nothing tells), and
 * a thread's only at its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* request_owner(): pid_tgid, or a goroutine key (go_runtime.h) */
	__type(value, struct inflight_set);
} thread_inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct seq_key);
	__type(value, struct peer_span);
} client_requests SEC(".maps");

static __always_inline void copy_address(__u8 *dst, const __u8 *src)
{
	/* ::ffff:a.b.c.d → a.b.c.d in the first four bytes */
	__u32 w0, w1, w2, w3;
	__builtin_memcpy(&w0, src, 4);
	__builtin_memcpy(&w1, src + 4, 4);
	__builtin_memcpy(&w2, src + 8, 4);
	__builtin_memcpy(&w3, src + 12, 4);
	if (w0 == 0 && w1 == 0 && w2 == bpf_htonl(0x0000ffff)) {
		__builtin_memcpy(dst, &w3, 4);
		__builtin_memset(dst + 4, 0, 12);
		return;
	}
	__builtin_memcpy(dst, src, 16);
}

static __always_inline void make_seq_key(const struct zt_endpoints *ep, bool local_is_client,
					 __u32 seq, struct seq_key *key)
{
	__builtin_memset(key, 0, sizeof(*key));
	if (local_is_client) {
		copy_address(key->client_addr, ep->local_addr);
		copy_address(key->server_addr, ep->peer_addr);
		key->client_port = ep->local_port;
		key->server_port = ep->peer_port;
	} else {
		copy_address(key->client_addr, ep->peer_addr);
		copy_address(key->server_addr, ep->local_addr);
		key->client_port = ep->peer_port;
		key->server_port = ep->local_port;
	}
	key->seq = seq;
}

/* write_seq: the next byte the socket will queue; copied_seq: the next byte
 * a read will return. Read at syscall entry, they number this syscall's
 * first byte. */
static __always_inline bool read_tcp_seq(__u64 sk, bool egress, __u32 *seq)
{
	if (!sk)
		return false;
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	*seq = egress ? BPF_CORE_READ(tp, write_seq) : BPF_CORE_READ(tp, copied_seq);
	return true;
}

static __always_inline void inflight_add(__u64 owner, const struct zt_trace_context *ctx)
{
	struct inflight_set *set = bpf_map_lookup_elem(&thread_inflight, &owner);
	if (!set) {
		struct inflight_set fresh = { .count = 1, .known = 1 };
		__builtin_memcpy(fresh.trace_id, ctx->trace_id, 16);
		__builtin_memcpy(fresh.span_id, ctx->span_id, 8);
		bpf_map_update_elem(&thread_inflight, &owner, &fresh, BPF_ANY);
		return;
	}
	if (set->count == 0) {
		set->known = 1;
		__builtin_memcpy(set->trace_id, ctx->trace_id, 16);
		__builtin_memcpy(set->span_id, ctx->span_id, 8);
	} else {
		set->known = 0;
	}
	set->count += 1;
}

static __always_inline void inflight_remove(__u64 owner)
{
	struct inflight_set *set = bpf_map_lookup_elem(&thread_inflight, &owner);
	if (!set || set->count == 0)
		return;
	set->count -= 1;
	set->known = 0;
}

/* A client request is about to be sent on `conn` by the current thread:
 * decide its span's context and publish it for the server end. In a Go
 * process, what the goroutine that asked for the request found
 * (go_http_client.h) comes first: Go's HTTP client writes requests from
 * another goroutine. */
static __always_inline void start_client_request(struct conn_state *conn, __u64 pid_tgid,
						 bool has_seq, __u32 seq,
						 struct zt_trace_context *ctx)
{
	__u64 owner = request_owner(pid_tgid);
	if (owner != pid_tgid && owner != 0 && take_go_client_parent(owner, ctx)) {
		new_span_id(ctx);
		goto publish;
	}
	struct inflight_set *set = owner ? bpf_map_lookup_elem(&thread_inflight, &owner) : NULL;
	if (set && set->count == 1 && set->known) {
		__builtin_memcpy(ctx->trace_id, set->trace_id, 16);
		__builtin_memcpy(ctx->parent_span_id, set->span_id, 8);
		ctx->link = ZT_LINK_THREAD;
	} else {
		new_trace(ctx);
		if (set && set->count > 0) {
			ctx->link = ZT_LINK_AMBIGUOUS;
			count(ZT_COUNTER_LINK_AMBIGUOUS);
		}
	}
	new_span_id(ctx);
publish:
	if (!has_seq || !conn)
		return;
	struct seq_key key;
	make_seq_key(&conn->endpoints, true, seq, &key);
	struct peer_span value;
	__builtin_memcpy(value.trace_id, ctx->trace_id, 16);
	__builtin_memcpy(value.span_id, ctx->span_id, 8);
	bpf_map_update_elem(&client_requests, &key, &value, BPF_ANY);
}

/* The current thread has just read the start of a server request on
 * `conn`: decide its span's context and count it as in flight on the thread
 * (in a Go process, the goroutine). */
static __always_inline void start_server_request(struct conn_state *conn, __u64 pid_tgid,
						 bool has_seq, __u32 seq,
						 struct zt_trace_context *ctx)
{
	struct peer_span *peer = NULL;
	struct seq_key key;
	if (has_seq) {
		make_seq_key(&conn->endpoints, false, seq, &key);
		peer = bpf_map_lookup_elem(&client_requests, &key);
	}
	if (peer) {
		__builtin_memcpy(ctx->trace_id, peer->trace_id, 16);
		__builtin_memcpy(ctx->parent_span_id, peer->span_id, 8);
		ctx->link = ZT_LINK_PEER;
		bpf_map_delete_elem(&client_requests, &key);
		count(ZT_COUNTER_LINK_PEER);
	} else {
		new_trace(ctx);
	}
	new_span_id(ctx);

	__u64 owner = request_owner(pid_tgid);
	if (!owner)
		return; /* a Go goroutine that cannot be read: counted nowhere */
	inflight_add(owner, ctx);
	if (conn->reader_count == 0 || conn->reader_tid == owner) {
		conn->reader_tid = owner;
		conn->reader_count += 1;
	}
	/* A request read by another thread while one is in flight on this
	 * connection stays counted on that thread: it can only make it look
	 * busier (no link), never link wrongly. */
}

/* A final response starts on server connection `conn`: its oldest request
 * is no longer being handled. */
static __always_inline void finish_server_request(struct conn_state *conn)
{
	if (conn->reader_count == 0)
		return;
	inflight_remove(conn->reader_tid);
	conn->reader_count -= 1;
}

/* The connection closes with requests unanswered. */
static __always_inline void abandon_server_requests(struct conn_state *conn)
{
	for (int i = 0; i < 8; i++) {
		if (conn->reader_count == 0)
			break;
		finish_server_request(conn);
	}
}

#endif /* ZEROTRACE_TRACE_CONTEXT_H */
