// SPDX-License-Identifier: GPL-2.0
/* Socket syscall capture: which TCP connections carry HTTP/1.x, and the first
 * bytes of every message on them, with timing, sent through a ring buffer.
 *
 * Only syscall tracepoints are used: this must work on kernels without
 * kprobes or fentry. Costs are kept on the side of the common case: a file
 * read, or a read on a socket already known not to be HTTP, costs one exit
 * program and one hash lookup; a write, one lookup at entry and one at exit.
 * Receiving syscalls have no entry program: their arguments are read at exit
 * from the task's saved registers (bpf_task_pt_regs, Linux 5.15). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "socket_trace_maps.h"

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define EINPROGRESS 115
#define MAX_IOVECS 8
/* Messages a connection picked up mid-stream may show before one that
 * starts an HTTP message; fresh connections must start with one. */
#define MAX_UNCLASSIFIED_MSGS 8

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u32 self_tgid = 0;
const volatile __u8 filter_by_pid = 0;
const volatile __u32 filter_port_count = 0;
const volatile __u16 filter_ports[ZT_MAX_FILTER_PORTS] = {};
/* Set when the TLS plaintext probes are attached (tls_openssl.h, go_tls.h):
 * only then are TLS sockets told apart from other traffic (ZT_PROTO_TLS). */
const volatile __u8 tls_probes = 0;
/* Batched wake-ups: the agent is woken once this many bytes of events wait
 * (it also polls on a timer); 0 wakes it for every event. Waking costs the
 * traced program an inter-processor interrupt, and the agent a context
 * switch, per event otherwise. */
const volatile __u64 wakeup_min_bytes = 0;

__u64 next_generation = 1;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* conn_key(tgid, fd) */
	__type(value, struct conn_state);
} conns SEC(".maps");

/* Per process the programs have met, so its exit can drop what it left
 * (process_lifecycle.h) without searching the maps for every process. */
struct tgid_state {
	__u32 conns; /* entries made in conns (an upper bound: closes are not subtracted) */
	__u8 tls;    /* entries made in ssl_fds */
	__u8 _pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* tgid */
	__type(value, struct tgid_state);
} tgid_states SEC(".maps");

static __always_inline struct tgid_state *met_tgid(__u32 tgid)
{
	struct tgid_state *state = bpf_map_lookup_elem(&tgid_states, &tgid);
	if (state)
		return state;
	struct tgid_state fresh = {};
	bpf_map_update_elem(&tgid_states, &tgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&tgid_states, &tgid);
}

/* LRU: a thread that dies inside a blocking read never reaches its exit
 * tracepoint, and its entry must not stay forever. */
/* What a client request's send decided at entry, for its exit. Task-local
 * storage: cheaper than a hash keyed by thread (docs/performance.md) and
 * freed with the thread, even one that dies inside the syscall. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending_io);
} pending_sends SEC(".maps");

/* The same, by thread, for the requests traceparent_injection.h edits: its
 * sk_msg program cannot reach task storage. LRU: a thread that dies inside
 * the syscall never reaches its exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct pending_io);
} inject_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* tgid */
	__type(value, __u8); /* ZT_TGID_* */
} tgid_verdict SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024); /* the loader may resize */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event_scratch);
} scratch SEC(".maps");

/* Sends one event. With batched wake-ups, the agent is woken by an event
 * that takes the waiting bytes past a multiple of wakeup_min_bytes (CPUs
 * racing may all miss one multiple; the next comes soon), by any event once
 * half the ring is waiting, and by `urgent` ones. */
static __always_inline long send_event(void *data, __u64 size, bool urgent)
{
	__u64 flags = 0;
	if (wakeup_min_bytes) {
		__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
		bool crossing = waiting / wakeup_min_bytes != (waiting + size) / wakeup_min_bytes;
		bool filling = waiting >= bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 2;
		flags = urgent || crossing || filling ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	}
	return bpf_ringbuf_output(&events, data, size, flags);
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ZT_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);
	if (v)
		*v += 1;
}

#include "go_runtime.h"
#include "trace_context.h"

static __always_inline bool tgid_wanted(__u32 tgid)
{
	__u8 *verdict = bpf_map_lookup_elem(&tgid_verdict, &tgid);
	if (filter_by_pid)
		return verdict && *verdict == ZT_TGID_TRACE;
	return !(verdict && *verdict == ZT_TGID_IGNORE);
}

static __always_inline bool port_wanted(const struct zt_endpoints *ep)
{
	if (filter_port_count == 0)
		return true;
	for (int i = 0; i < ZT_MAX_FILTER_PORTS; i++) {
		if (i >= filter_port_count)
			break;
		if (filter_ports[i] == ep->local_port || filter_ports[i] == ep->peer_port)
			return true;
	}
	return false;
}

/* The TCP sock behind fd in the current process, or NULL when fd is not an
 * IPv4/IPv6 stream socket. Walks task->files the way the kernel does. */
static __always_inline struct sock *tcp_sock_of_fd(__s32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return NULL;
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	if (BPF_CORE_READ(sk, sk_type) != SOCK_STREAM || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	return sk;
}

static __always_inline void read_endpoints(struct sock *sk, struct zt_endpoints *ep)
{
	ep->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ep->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	ep->peer_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (ep->family == AF_INET) {
		__u32 saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(ep->local_addr, &saddr, 4);
		__builtin_memcpy(ep->peer_addr, &daddr, 4);
	} else {
		/* &array: the macro copies sizeof(*dst) bytes, all 16 only through a pointer to the array. */
		BPF_CORE_READ_INTO(&ep->local_addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&ep->peer_addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

/* Start tracking fd as a new connection. role is known for accept/connect,
 * unknown for sockets found already open. Returns the entry, or NULL. */
static __always_inline struct conn_state *track_conn(__u32 tgid, __s32 fd, __u8 role)
{
	__u64 key = conn_key(tgid, fd);
	struct conn_state fresh = {};
	struct sock *sk = tcp_sock_of_fd(fd);

	if (!sk || !tgid_wanted(tgid)) {
		fresh.protocol = ZT_PROTO_OTHER;
	} else {
		read_endpoints(sk, &fresh.endpoints);
		fresh.sk = (__u64)sk;
		fresh.role = role;
		fresh.protocol = port_wanted(&fresh.endpoints) ? ZT_PROTO_UNKNOWN : ZT_PROTO_OTHER;
		fresh.generation = __sync_fetch_and_add(&next_generation, 1);
	}
	if (bpf_map_update_elem(&conns, &key, &fresh, BPF_ANY) != 0) {
		count(ZT_COUNTER_CONN_TABLE_FULL);
		return NULL;
	}
	struct tgid_state *state = met_tgid(tgid);
	if (state)
		state->conns += 1;
	return bpf_map_lookup_elem(&conns, &key);
}

/* ---------------------------------------------------------------- accept */

static __always_inline int on_accept_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (ret < 0 || tgid == self_tgid)
		return 0;
	track_conn(tgid, (__s32)ret, ZT_ROLE_SERVER);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int tp_exit_accept(struct trace_event_raw_sys_exit *ctx) { return on_accept_exit(ctx->ret); }

SEC("tracepoint/syscalls/sys_exit_accept4")
int tp_exit_accept4(struct trace_event_raw_sys_exit *ctx) { return on_accept_exit(ctx->ret); }

/* --------------------------------------------------------------- connect */

static __always_inline struct pt_regs *saved_user_regs(void);

/* Exit only: the socket is the first argument, still in the saved registers. */
SEC("tracepoint/syscalls/sys_exit_connect")
int tp_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if ((pid_tgid >> 32) == self_tgid)
		return 0;
	if (ctx->ret == 0 || ctx->ret == -EINPROGRESS)
		track_conn(pid_tgid >> 32, (__s32)PT_REGS_PARM1_SYSCALL(saved_user_regs()), ZT_ROLE_CLIENT);
	return 0;
}

/* ----------------------------------------------------------------- close */

/* At entry: after it, the number may already name another file. */
SEC("tracepoint/syscalls/sys_enter_close")
int tp_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	__s32 fd = (__s32)ctx->args[0];
	__u64 key = conn_key(tgid, fd);
	struct conn_state *conn = bpf_map_lookup_elem(&conns, &key);
	if (!conn)
		return 0;
	if (conn->protocol == ZT_PROTO_HTTP1 ||
	    (conn->protocol == ZT_PROTO_TLS && conn->plain_protocol == ZT_PROTO_HTTP1)) {
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
	return 0;
}

/* ------------------------------------------------------------- data path */

static __always_inline int http_message_start(const __u8 *d, __u32 len);

static __always_inline void note_tls_socket_io(struct conn_state *conn, __u64 pid_tgid, __s32 fd,
					       __u8 direction);

#include "traceparent_injection.h"

/* The first user buffer a write is about to send: `buf` itself, or the
 * first iovec (of the array, or of the msghdr). For plain buffers `count`
 * is the write's length; for iovec arrays, their number. */
static __always_inline bool first_user_buffer(__u64 buf, __u64 count, __u8 kind, __u64 *first,
					      __u64 *len)
{
	if (kind == PENDING_BUF_PLAIN) {
		*first = buf;
		*len = count;
		return true;
	}
	__u64 iov = buf, iovcnt = count;
	if (kind == PENDING_BUF_MSGHDR) {
		struct user_msghdr msg = {};
		if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)buf) != 0)
			return false;
		iov = (__u64)msg.msg_iov;
		iovcnt = msg.msg_iovlen;
	} else if (kind != PENDING_BUF_IOV) {
		return false;
	}
	struct iovec one = {};
	if (iovcnt == 0 || bpf_probe_read_user(&one, sizeof(one), (const void *)iov) != 0)
		return false;
	*first = (__u64)one.iov_base;
	*len = one.iov_len;
	return true;
}

static __always_inline bool user_bytes_start_request(__u64 first, __u64 len)
{
	__u8 head[4] = {};
	if (len < 4 || bpf_probe_read_user(head, sizeof(head), (const void *)first) != 0)
		return false;
	return http_message_start(head, sizeof(head)) == 1;
}

/* Entry of a sending syscall. Only a client request needs it: its trace
 * context must be published, and the TCP position of its first byte read,
 * before the bytes can reach the server; both wait in pending_sends for
 * the exit. Everything else is done at exit (finish_io), and receiving syscalls
 * have no entry program at all: entry tracepoints cost more than exit ones
 * (docs/performance.md). */
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
	if (first_user_buffer(buf, count, kind, &first, &len) && user_bytes_start_request(first, len)) {
		start_client_request(conn, pid_tgid, io.has_seq, io.tcp_seq, &io.trace);
		if (inject_enabled && !request_has_traceparent(first, len))
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

/* Copies up to `len` bytes from user memory at `src` into the event at
 * offset `off`; returns the new offset. */
static __always_inline __u32 capture(struct event_scratch *ev, __u32 off, __u64 src, __u64 len)
{
	if (off >= ZT_MAX_CAPTURE || len == 0)
		return off;
	__u32 room = ZT_MAX_CAPTURE - off;
	__u32 n = len < room ? (__u32)len : room;
	/* Masks restate the bounds in a form the verifier tracks. */
	off &= ZT_MAX_CAPTURE - 1;
	n &= (ZT_MAX_CAPTURE * 2) - 1;
	if (n > ZT_MAX_CAPTURE)
		return off;
	if (bpf_probe_read_user(&ev->data[off], n, (const void *)src) != 0)
		return off;
	return off + n;
}

static __always_inline __u32 capture_iov(struct event_scratch *ev, __u64 iov_ptr, __u64 iovcnt,
					 __u64 total)
{
	__u32 off = 0;
	const struct iovec *iov = (const struct iovec *)iov_ptr;
	for (int i = 0; i < MAX_IOVECS; i++) {
		if (i >= iovcnt || off >= total || off >= ZT_MAX_CAPTURE)
			break;
		struct iovec one = {};
		if (bpf_probe_read_user(&one, sizeof(one), &iov[i]) != 0)
			break;
		__u64 want = one.iov_len;
		if (want > total - off)
			want = total - off;
		off = capture(ev, off, (__u64)one.iov_base, want);
	}
	return off;
}

/* 1: starts an HTTP request, 2: starts an HTTP response, 0: neither. */
static __always_inline int http_message_start(const __u8 *d, __u32 len)
{
	if (len < 4)
		return 0;
	if (d[0] == 'H' && d[1] == 'T' && d[2] == 'T' && d[3] == 'P')
		return 2;
	if ((d[0] == 'G' && d[1] == 'E' && d[2] == 'T' && d[3] == ' ') ||
	    (d[0] == 'P' && d[1] == 'O' && d[2] == 'S' && d[3] == 'T') ||
	    (d[0] == 'P' && d[1] == 'U' && d[2] == 'T' && d[3] == ' ') ||
	    (d[0] == 'H' && d[1] == 'E' && d[2] == 'A' && d[3] == 'D') ||
	    (d[0] == 'D' && d[1] == 'E' && d[2] == 'L' && d[3] == 'E') ||
	    (d[0] == 'P' && d[1] == 'A' && d[2] == 'T' && d[3] == 'C') ||
	    (d[0] == 'O' && d[1] == 'P' && d[2] == 'T' && d[3] == 'I') ||
	    (d[0] == 'C' && d[1] == 'O' && d[2] == 'N' && d[3] == 'N') ||
	    (d[0] == 'T' && d[1] == 'R' && d[2] == 'A' && d[3] == 'C'))
		return 1;
	return 0;
}

/* "HTTP/1.x 1xx": 100 Continue and friends precede the final response. */
static __always_inline bool interim_response(const __u8 *d, __u32 len)
{
	return len >= 10 && d[9] == '1';
}

/* Decide what an unclassified connection carries, from the first bytes of
 * one of its messages. Returns true when it is HTTP/1.x. */
/* `protocol` is conn->protocol for the bytes on the socket, or
 * conn->plain_protocol for a TLS connection's plaintext. */
static __always_inline bool classify(struct conn_state *conn, __u8 *protocol, const __u8 *data,
				     __u32 captured, __u8 direction)
{
	int start = http_message_start(data, captured);
	if (start == 0) {
		/* A connection we saw from accept/connect must open with HTTP;
		 * one found mid-stream may show the tail of a message first. */
		if (conn->role != ZT_ROLE_UNKNOWN || ++conn->unknown_msgs >= MAX_UNCLASSIFIED_MSGS) {
			*protocol = ZT_PROTO_OTHER;
			count(ZT_COUNTER_CONNS_IGNORED);
		}
		return false;
	}
	if (conn->role == ZT_ROLE_UNKNOWN) {
		bool is_request = start == 1;
		bool reads = direction == ZT_DIR_INGRESS;
		conn->role = (is_request == reads) ? ZT_ROLE_SERVER : ZT_ROLE_CLIENT;
	}
	*protocol = ZT_PROTO_HTTP1;
	count(ZT_COUNTER_CONNS_TRACKED);
	return true;
}

/* A TLS record header: content type 20-23 (change cipher spec, alert,
 * handshake, application data), then major version 3. */
static __always_inline bool tls_record_start(const __u8 *d, __u32 len)
{
	return len >= 5 && d[0] >= 20 && d[0] <= 23 && d[1] == 3 && d[2] <= 4;
}

/* Sends one data event for `captured` bytes already in ev->data: `ret`
 * bytes moved on conn in direction `dir`. The request's trace context:
 * client_trace for a client request (decided when it started), or decided
 * here when a server reads a request start. */
static __always_inline void emit_data_event(struct conn_state *conn, struct event_scratch *ev,
					    __u64 pid_tgid, __s32 fd, __u64 enter_ns, __u64 ret,
					    __u32 captured, __u8 dir, __u8 syscall,
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
	ev->hdr.protocol = ZT_PROTO_HTTP1;
	ev->hdr._pad = 0;
	ev->hdr.endpoints = conn->endpoints;
	__builtin_memset(&ev->hdr.trace, 0, sizeof(ev->hdr.trace));
	if (conn->role == ZT_ROLE_CLIENT && dir == ZT_DIR_EGRESS) {
		ev->hdr.trace = *client_trace;
	} else if (conn->role == ZT_ROLE_SERVER) {
		int start = http_message_start(ev->data, captured);
		if (dir == ZT_DIR_INGRESS && start == 1)
			start_server_request(conn, pid_tgid, has_seq, tcp_seq, &ev->hdr.trace);
		else if (dir == ZT_DIR_EGRESS && start == 2 && !interim_response(ev->data, captured))
			finish_server_request(conn);
	}

	__u64 size = sizeof(ev->hdr) + (captured & (ZT_MAX_CAPTURE * 2 - 1));
	if (size > sizeof(*ev))
		return;
	if (send_event(ev, size, false) != 0)
		count(ZT_COUNTER_EVENTS_LOST);
}

/* A data syscall's arguments, read at its exit from the registers the
 * kernel saved at entry (syscalls leave them as they were). */
struct io_args {
	__u64 buf;   /* buffer, iovec array, or user_msghdr, per kind */
	__u64 count; /* length, or iovec count when kind is IOV */
	__s32 fd;
	__u8 kind;      /* enum pending_buf_kind */
	__u8 syscall;   /* enum zt_syscall */
	__u8 direction; /* enum zt_direction */
	__u8 peek;      /* MSG_PEEK: the bytes stay queued */
};

#define MSG_PEEK 2

/* The user registers saved at syscall entry. BTF-typed: fields are read
 * with plain loads, no helper call. */
static __always_inline struct pt_regs *saved_user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* The rest of args, once fd has shown the syscall is worth it. */
static __always_inline void saved_io_args(struct pt_regs *regs, struct io_args *a, __u8 kind,
					  __u8 syscall, __u8 direction)
{
	a->buf = kind == PENDING_BUF_NONE ? 0 : PT_REGS_PARM2_SYSCALL(regs);
	a->count = kind == PENDING_BUF_PLAIN || kind == PENDING_BUF_IOV ? PT_REGS_PARM3_SYSCALL(regs) : 0;
	a->kind = kind;
	a->syscall = syscall;
	a->direction = direction;
	__u64 flags = 0;
	if (syscall == ZT_SYS_RECVFROM)
		flags = PT_REGS_PARM4_SYSCALL(regs);
	else if (syscall == ZT_SYS_RECVMSG)
		flags = PT_REGS_PARM3_SYSCALL(regs);
	a->peek = (flags & MSG_PEEK) != 0;
}

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

/* Exit of every data syscall. */
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
		/* Too short to tell (nginx peeks at one byte to tell TLS from
		 * plain HTTP): wait for a longer message, a bounded number of times. */
		if (captured < 5 && ++conn->unknown_msgs < MAX_UNCLASSIFIED_MSGS)
			return 0;
		if (tls_probes && tls_record_start(ev->data, captured)) {
			conn->protocol = ZT_PROTO_TLS;
			count(ZT_COUNTER_TLS_CONNS);
			return 0;
		}
		if (!classify(conn, &conn->protocol, ev->data, captured, args.direction))
			return 0;
	}
	if (conn->protocol != ZT_PROTO_HTTP1)
		return 0;
	emit_data_event(conn, ev, pid_tgid, args.fd, enter_ns, (__u64)ret, captured, args.direction,
			args.syscall, &sent.trace, has_seq, tcp_seq);
	return 0;
}

#define ZT_EXIT(name, kind, sys, dir)                                   \
	SEC("tracepoint/syscalls/sys_exit_" #name)                      \
	int tp_exit_##name(struct trace_event_raw_sys_exit *ctx)        \
	{                                                               \
		return finish_io(ctx->ret, kind, sys, dir);             \
	}

ZT_EXIT(read, PENDING_BUF_PLAIN, ZT_SYS_READ, ZT_DIR_INGRESS)
ZT_EXIT(recvfrom, PENDING_BUF_PLAIN, ZT_SYS_RECVFROM, ZT_DIR_INGRESS)
ZT_EXIT(readv, PENDING_BUF_IOV, ZT_SYS_READV, ZT_DIR_INGRESS)
ZT_EXIT(recvmsg, PENDING_BUF_MSGHDR, ZT_SYS_RECVMSG, ZT_DIR_INGRESS)
ZT_EXIT(write, PENDING_BUF_PLAIN, ZT_SYS_WRITE, ZT_DIR_EGRESS)
ZT_EXIT(sendto, PENDING_BUF_PLAIN, ZT_SYS_SENDTO, ZT_DIR_EGRESS)
ZT_EXIT(writev, PENDING_BUF_IOV, ZT_SYS_WRITEV, ZT_DIR_EGRESS)
ZT_EXIT(sendmsg, PENDING_BUF_MSGHDR, ZT_SYS_SENDMSG, ZT_DIR_EGRESS)
ZT_EXIT(sendfile64, PENDING_BUF_NONE, ZT_SYS_SENDFILE, ZT_DIR_EGRESS)

/* Sends also need their entry, for client requests (start_send). Entries
 * on per-syscall tracepoints, not one BTF raw tracepoint on every syscall's
 * entry: that costs the syscalls it lets pass more than these cost the ones
 * they hook (docs/performance.md). */
#define ZT_SEND(name, kind, sys, buf_arg, count_arg)                                     \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                     \
	int tp_enter_##name(struct trace_event_raw_sys_enter *ctx)                      \
	{                                                                               \
		return start_send((__s32)ctx->args[0], buf_arg, count_arg, kind, sys);  \
	}

ZT_SEND(write, PENDING_BUF_PLAIN, ZT_SYS_WRITE, ctx->args[1], ctx->args[2])
ZT_SEND(sendto, PENDING_BUF_PLAIN, ZT_SYS_SENDTO, ctx->args[1], ctx->args[2])
ZT_SEND(writev, PENDING_BUF_IOV, ZT_SYS_WRITEV, ctx->args[1], ctx->args[2])
ZT_SEND(sendmsg, PENDING_BUF_MSGHDR, ZT_SYS_SENDMSG, ctx->args[1], 0)
ZT_SEND(sendfile64, PENDING_BUF_NONE, ZT_SYS_SENDFILE, 0, 0)

/* TLS plaintext from OpenSSL's SSL_read/SSL_write (uprobes). */
#include "tls_openssl.h"

/* Go programs: HTTP client requests followed from caller to writer, and
 * crypto/tls plaintext (uprobes). */
#include "go_http_client.h"
#include "go_tls.h"

/* Exec and exit: per-process state dropped, userspace told. */
#include "process_lifecycle.h"
