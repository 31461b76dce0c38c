/* TLS plaintext from OpenSSL: uprobes on SSL_write/SSL_read (and the _ex
 * variants) see the bytes before encryption and after decryption. Included at
 * the end of socket_trace.bpf.c, whose connection table, capture and event
 * code it shares: the plaintext travels as data events of the TCP connection
 * (syscall ZT_SYS_SSL_*), and that connection's ciphertext (ZT_PROTO_TLS) is
 * never sent up.
 *
 * Which socket an SSL object uses, first that applies:
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
 * Otherwise the plaintext is dropped and counted (ZT_COUNTER_TLS_NO_FD). */
#ifndef ZEROTRACE_TLS_OPENSSL_H
#define ZEROTRACE_TLS_OPENSSL_H

#include <bpf/bpf_tracing.h>

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

static __always_inline bool classify(struct conn_state *conn, __u8 *protocol, const __u8 *data,
				     __u32 captured, __u8 direction);
static __always_inline void emit_data_event(struct conn_state *conn, struct event_scratch *ev,
					    __u64 pid_tgid, __s32 fd, __u64 enter_ns, __u64 ret,
					    __u32 captured, __u8 dir, __u8 syscall,
					    const struct zt_trace_context *client_trace, bool has_seq,
					    __u32 tcp_seq);

/* Sends the plaintext of `ev` as conn's, classifying the plaintext first. */
static __always_inline void emit_tls_plaintext(struct conn_state *conn, struct event_scratch *ev,
					       __u64 pid_tgid, __s32 fd, __u64 enter_ns,
					       __u64 bytes, __u32 captured, __u8 direction,
					       const struct zt_trace_context *trace)
{
	if (conn->plain_protocol == ZT_PROTO_UNKNOWN &&
	    !classify(conn, &conn->plain_protocol, ev->data, captured, direction))
		return;
	if (conn->plain_protocol != ZT_PROTO_HTTP1)
		return;
	__u8 syscall = direction == ZT_DIR_EGRESS ? ZT_SYS_SSL_WRITE : ZT_SYS_SSL_READ;
	emit_data_event(conn, ev, pid_tgid, fd, enter_ns, bytes, captured, direction, syscall,
			trace, false, 0);
}

/* Sends a finished call's plaintext (`bytes` at `buf`; OpenSSL or Go) as fd's,
 * tracking the socket if new and marking it ZT_PROTO_TLS if unclassified.
 * Nothing for a socket that is not TCP, filtered out, or plain HTTP. */
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
	if (conn->protocol == ZT_PROTO_OTHER || conn->protocol == ZT_PROTO_HTTP1)
		return;
	if (conn->protocol == ZT_PROTO_UNKNOWN) {
		conn->protocol = ZT_PROTO_TLS;
		count(ZT_COUNTER_TLS_CONNS);
	}

	__u32 zero = 0;
	struct event_scratch *ev = bpf_map_lookup_elem(&scratch, &zero);
	if (!ev)
		return;
	__u32 start = prepend_held_byte(conn, ev->data, direction);
	__u32 captured = capture(ev, start, buf, bytes);
	emit_tls_plaintext(conn, ev, pid_tgid, fd, enter_ns, bytes, captured, direction, trace);
}

/* Remembers which socket an SSL object uses (marking its process, so the
 * binding is dropped when it exits). */
static __always_inline void bind_ssl(struct ssl_key *key, __s32 fd)
{
	bpf_map_update_elem(&ssl_fds, key, &fd, BPF_ANY);
	struct tgid_state *state = met_tgid(key->tgid);
	if (state)
		state->tls = 1;
}

/* A syscall on a ZT_PROTO_TLS socket (called from stash_io). */
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

static __always_inline int tls_call_enter(struct pt_regs *ctx, __u8 direction, __u8 is_ex)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == self_tgid || !tgid_wanted(tgid))
		return 0;
	struct tls_call call = {
		.ssl = (__u64)PT_REGS_PARM1(ctx),
		.buf = (__u64)PT_REGS_PARM2(ctx),
		.size_out = is_ex ? (__u64)PT_REGS_PARM4(ctx) : 0,
		.enter_ns = bpf_ktime_get_ns(),
		.fd = -1,
		.direction = direction,
		.is_ex = is_ex,
	};
	/* A write waiting for its socket (rule 4) is void once another SSL
	 * object is used on this thread. */
	struct deferred_write *waiting = bpf_map_lookup_elem(&deferred_writes, &pid_tgid);
	if (waiting && waiting->ssl != call.ssl) {
		count(ZT_COUNTER_TLS_NO_FD);
		bpf_map_delete_elem(&deferred_writes, &pid_tgid);
	}
	/* call.fd stays -1 here: a syscall during the call names the socket
	 * with certainty, even if the SSL object was reused. */
	struct ssl_key key = { .tgid = tgid, .ssl = call.ssl };
	__s32 *known = bpf_map_lookup_elem(&ssl_fds, &key);
	/* A client request gets its context before its bytes leave. */
	if (direction == ZT_DIR_EGRESS) {
		__u64 want = (__u64)PT_REGS_PARM3(ctx);
		if (user_bytes_start_request(call.buf, want)) {
			struct conn_state *conn = NULL;
			if (known) {
				__u64 ck = conn_key(tgid, *known);
				conn = bpf_map_lookup_elem(&conns, &ck);
			}
			if (!conn || conn->role != ZT_ROLE_SERVER)
				start_client_request(conn, pid_tgid, false, 0, &call.trace);
		}
	}
	bpf_map_update_elem(&tls_calls, &pid_tgid, &call, BPF_ANY);
	return 0;
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

static __always_inline int tls_call_exit(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tls_call *pending = bpf_map_lookup_elem(&tls_calls, &pid_tgid);
	if (!pending)
		return 0;
	struct tls_call call = *pending;
	bpf_map_delete_elem(&tls_calls, &pid_tgid);

	/* All four return int: RAX's upper half is not part of the value. */
	int ret = (int)PT_REGS_RC(ctx);
	__u64 bytes = 0;
	if (call.is_ex) {
		if (ret != 1 || !call.size_out ||
		    bpf_probe_read_user(&bytes, sizeof(bytes), (const void *)call.size_out) != 0)
			return 0;
	} else {
		if (ret <= 0)
			return 0;
		bytes = (__u64)ret;
	}
	if (bytes == 0)
		return 0;

	/* Only a call that moved plaintext binds its socket: event loops call
	 * SSL_read on one connection right after reading another's socket
	 * (handshakes, flushes), and those calls return nothing. */
	__u32 tgid = pid_tgid >> 32;
	struct ssl_key key = { .tgid = tgid, .ssl = call.ssl };
	__s32 fd = tls_call_socket(&call, pid_tgid, &key);
	if (fd >= 0)
		bind_ssl(&key, fd);
	if (fd < 0 && call.direction == ZT_DIR_INGRESS) {
		count(ZT_COUNTER_TLS_NO_FD);
		return 0;
	}

	if (fd < 0) {
		defer_write(&call, pid_tgid, bytes);
		return 0;
	}
	emit_tls_call_plaintext(pid_tgid, fd, call.buf, bytes, call.enter_ns, call.direction,
				&call.trace);
	return 0;
}

SEC("uprobe")
int zt_ssl_write_enter(struct pt_regs *ctx) { return tls_call_enter(ctx, ZT_DIR_EGRESS, 0); }

SEC("uprobe")
int zt_ssl_write_ex_enter(struct pt_regs *ctx) { return tls_call_enter(ctx, ZT_DIR_EGRESS, 1); }

SEC("uprobe")
int zt_ssl_read_enter(struct pt_regs *ctx) { return tls_call_enter(ctx, ZT_DIR_INGRESS, 0); }

SEC("uprobe")
int zt_ssl_read_ex_enter(struct pt_regs *ctx) { return tls_call_enter(ctx, ZT_DIR_INGRESS, 1); }

/* One return probe serves all four: the call's kind was saved at entry. */
SEC("uretprobe")
int zt_ssl_call_exit(struct pt_regs *ctx) { return tls_call_exit(ctx); }

/* SSL_set_fd(ssl, fd): the binding, told outright. */
SEC("uprobe")
int zt_ssl_set_fd(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == self_tgid)
		return 0;
	struct ssl_key key = { .tgid = tgid, .ssl = (__u64)PT_REGS_PARM1(ctx) };
	bind_ssl(&key, (__s32)PT_REGS_PARM2(ctx));
	return 0;
}

/* SSL_free(ssl): its address may be reused for another connection. */
SEC("uprobe")
int zt_ssl_free(struct pt_regs *ctx)
{
	struct ssl_key key = { .tgid = bpf_get_current_pid_tgid() >> 32,
			       .ssl = (__u64)PT_REGS_PARM1(ctx) };
	bpf_map_delete_elem(&ssl_fds, &key);
	return 0;
}

#endif /* ZEROTRACE_TLS_OPENSSL_H */
