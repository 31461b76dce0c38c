/* Which socket an OpenSSL SSL object uses, first that applies:
 *  1. A read/write syscall on a TLS socket made by the same thread during the
 *     call (OpenSSL's socket BIO: curl, Python, nginx).
 *  2. What an earlier call on the same SSL object found, or SSL_set_fd
 *     (forgotten at SSL_free).
 *  3. For a read: the TLS socket this thread read ciphertext from just
 *     before (within TLS_FEED_WINDOW_NS). Runtimes with memory BIOs (Node)
 *     read the socket and then feed OpenSSL in the same callback.
 *  4. For a write: the TLS socket this thread writes ciphertext to next
 *     (within TLS_FEED_WINDOW_NS): memory-BIO runtimes encrypt, then send in
 *     the same callback. The plaintext event waits for that syscall in
 *     deferred_writes (one per thread). Anything else TLS on the thread in
 *     between (a call on another SSL object, a read of a TLS socket) voids
 *     it: an event loop may be serving another connection meanwhile.
 * Otherwise the plaintext is dropped and counted (ZT_COUNTER_TLS_NO_FD).
 * The probes themselves are in tls_openssl.h; the syscall tracepoints tell
 * of TLS socket I/O through note_tls_socket_io(). */
#ifndef ZEROTRACE_OPENSSL_SOCKETS_H
#define ZEROTRACE_OPENSSL_SOCKETS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "capture.h"
#include "counters.h"
#include "maps.h"
#include "socket_trace_maps.h"
#include "tls_plaintext.h"

#define TLS_FEED_WINDOW_NS (2 * 1000 * 1000ULL)

/* One SSL_read/SSL_write in progress on a thread. */
struct tls_call {
	__u64 ssl;
	__u64 buf;
	__u64 size_out; /* _ex variants: where OpenSSL stores the byte count */
	__u64 enter_ns;
	__s32 fd;       /* the socket, once known; -1 before */
	__u8 direction; /* enum zt_direction */
	__u8 is_ex;
	__u8 _pad[2];
	struct zt_trace_context trace; /* a client request started at SSL_write entry */
};

struct ssl_key {
	__u32 tgid;
	__u32 _pad;
	__u64 ssl; /* SSL * in that process */
};

/* The last TLS socket a thread read ciphertext from. */
struct tls_feed {
	__u64 ns;
	__s32 fd;
	__u32 _pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct tls_call);
} tls_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ssl_key);
	__type(value, __s32); /* fd */
} ssl_fds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct tls_feed);
} tls_feeds SEC(".maps");

/* Plaintext written while its socket was unknown (rule 4). */
struct deferred_write {
	__u64 ssl;
	__u64 exit_ns;
	struct event_scratch ev; /* hdr holds enter_ns, msg_size, captured, direction,
				  * syscall and trace; data the captured bytes */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct deferred_write);
} deferred_writes SEC(".maps");

/* Where a deferred_write is put together (too big for the stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct deferred_write);
} deferred_scratch SEC(".maps");


/* Remembers which socket an SSL object uses (marking its process, so the
 * binding is dropped when it exits). */
static __always_inline void bind_ssl(struct ssl_key *key, __s32 fd)
{
	bpf_map_update_elem(&ssl_fds, key, &fd, BPF_ANY);
	struct tgid_state *state = met_tgid(key->tgid);
	if (state)
		state->tls = 1;
}

/* A syscall on a ZT_PROTO_TLS socket (from the syscall tracepoints). */
static __always_inline void note_tls_socket_io(struct conn_state *conn, __u64 pid_tgid,
					       __s32 fd, __u8 direction)
{
	struct tls_call *call = bpf_map_lookup_elem(&tls_calls, &pid_tgid);
	if (call && call->fd < 0)
		call->fd = fd;
	struct deferred_write *w = bpf_map_lookup_elem(&deferred_writes, &pid_tgid);
	if (direction == ZT_DIR_INGRESS) {
		struct tls_feed feed = { .ns = bpf_ktime_get_ns(), .fd = fd };
		bpf_map_update_elem(&tls_feeds, &pid_tgid, &feed, BPF_ANY);
		if (w) {
			count(ZT_COUNTER_TLS_NO_FD);
			bpf_map_delete_elem(&deferred_writes, &pid_tgid);
		}
		return;
	}
	if (!w)
		return;
	if (bpf_ktime_get_ns() - w->exit_ns <= TLS_FEED_WINDOW_NS) {
		struct ssl_key key = { .tgid = pid_tgid >> 32, .ssl = w->ssl };
		bind_ssl(&key, fd);
		struct zt_trace_context trace = w->ev.hdr.trace;
		emit_tls_plaintext(conn, &w->ev, pid_tgid, fd, w->ev.hdr.enter_ns,
				   w->ev.hdr.msg_size, w->ev.hdr.captured, ZT_DIR_EGRESS, &trace);
	} else {
		count(ZT_COUNTER_TLS_NO_FD);
	}
	bpf_map_delete_elem(&deferred_writes, &pid_tgid);
}

/* The socket of a finished call, per the rules at the top; -1 if unknown. */
static __always_inline __s32 tls_call_socket(const struct tls_call *call, __u64 pid_tgid,
					     struct ssl_key *key)
{
	if (call->fd >= 0)
		return call->fd;
	__s32 *known = bpf_map_lookup_elem(&ssl_fds, key);
	if (known)
		return *known;
	if (call->direction != ZT_DIR_INGRESS)
		return -1;
	struct tls_feed *feed = bpf_map_lookup_elem(&tls_feeds, &pid_tgid);
	if (!feed || call->enter_ns < feed->ns || call->enter_ns - feed->ns > TLS_FEED_WINDOW_NS)
		return -1;
	return feed->fd;
}

/* Rule 4: keep a write's plaintext until the thread's next TLS send. */
static __always_inline void defer_write(const struct tls_call *call, __u64 pid_tgid, __u64 bytes)
{
	__u32 zero = 0;
	struct deferred_write *w = bpf_map_lookup_elem(&deferred_scratch, &zero);
	if (!w)
		return;
	w->ssl = call->ssl;
	w->exit_ns = bpf_ktime_get_ns();
	w->ev.hdr.enter_ns = call->enter_ns;
	w->ev.hdr.msg_size = (__u32)bytes;
	w->ev.hdr.captured = capture(&w->ev, 0, call->buf, bytes);
	w->ev.hdr.trace = call->trace;
	if (bpf_map_update_elem(&deferred_writes, &pid_tgid, w, BPF_ANY) != 0)
		count(ZT_COUNTER_TLS_NO_FD);
}

#endif /* ZEROTRACE_OPENSSL_SOCKETS_H */
