/* TLS plaintext from Go's crypto/tls: uprobes at the entry of
 * crypto/tls.(*Conn).Write and .Read, and on every RET instruction of both
 * (never uretprobes: Go moves goroutine stacks, and a rewritten return
 * address crashes the runtime). The plaintext goes up as OpenSSL's does
 * (tls_plaintext.h).
 *
 * Go's register ABI: at entry RAX = c (*tls.Conn), RBX = b's data, RCX =
 * len(b); at a RET, RAX = n. A call in progress is keyed by goroutine
 * (go_runtime.h), not by thread: a Read blocked for data parks its
 * goroutine, which may resume on another thread.
 *
 * The socket is c's own: c.conn is a net.Conn interface whose data word is
 * a *net.TCPConn; its netFD's pfd.Sysfd is the descriptor. Only a socket
 * the syscall probes saw carry TLS records (or not yet classified) takes
 * the plaintext, so a tls.Conn over something else is left alone. */
#ifndef ZEROTRACE_GO_TLS_H
#define ZEROTRACE_GO_TLS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "counters.h"
#include "go_runtime.h"
#include "maps.h"
#include "protocols/inference.bpf.h"
#include "tls_plaintext.h"
#include "trace_context.h"

struct go_tls_call {
	__u64 conn; /* *tls.Conn */
	__u64 buf;
	__u64 enter_ns;
	__u8 direction; /* enum zt_direction */
	__u8 _pad[7];
	struct zt_trace_context trace; /* a client request started at Write entry */
};

/* LRU: a goroutine that never returns (the program exits, a panic unwinds
 * through the call) leaves its entry. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* goroutine key */
	__type(value, struct go_tls_call);
} go_tls_calls SEC(".maps");

/* The descriptor under a *tls.Conn, or -1. */
static __always_inline __s32 go_tls_socket(const struct go_process *go, __u64 tls_conn)
{
	__u64 tcp_conn = 0, netfd = 0;
	__s64 fd = -1;
	if (bpf_probe_read_user(&tcp_conn, sizeof(tcp_conn),
				(const void *)(tls_conn + go->tls_conn_data)) != 0 || !tcp_conn)
		return -1;
	if (bpf_probe_read_user(&netfd, sizeof(netfd),
				(const void *)(tcp_conn + go->tcp_conn_netfd)) != 0 || !netfd)
		return -1;
	if (bpf_probe_read_user(&fd, sizeof(fd), (const void *)(netfd + go->netfd_sysfd)) != 0)
		return -1;
	return fd >= 0 && fd <= 0x7fffffff ? (__s32)fd : -1;
}

static __always_inline int go_tls_enter(struct pt_regs *ctx, __u8 direction)
{
	__u32 tgid;
	__u64 goroutine;
	struct go_process *go = go_uprobe_process(ctx, &tgid, &goroutine);
	if (!go)
		return 0;
	struct go_tls_call call = {
		.conn = ctx->ax,
		.buf = ctx->bx,
		.enter_ns = bpf_ktime_get_ns(),
		.direction = direction,
	};
	/* A client request gets its context before its bytes leave. */
	__u8 protocol = direction == ZT_DIR_EGRESS
				? user_request_protocol(ZT_PROTO_UNKNOWN, call.buf, ctx->cx)
				: ZT_PROTO_UNKNOWN;
	if (protocol != ZT_PROTO_UNKNOWN) {
		struct conn_state *conn = NULL;
		__s32 fd = go_tls_socket(go, call.conn);
		if (fd >= 0) {
			__u64 ck = conn_key(tgid, fd);
			conn = bpf_map_lookup_elem(&conns, &ck);
		}
		if (tls_client_request(conn, protocol))
			start_client_request(conn, bpf_get_current_pid_tgid(), false, 0, &call.trace);
	}
	bpf_map_update_elem(&go_tls_calls, &goroutine, &call, BPF_ANY);
	return 0;
}

SEC("uprobe")
int zt_go_tls_write_enter(struct pt_regs *ctx) { return go_tls_enter(ctx, ZT_DIR_EGRESS); }

SEC("uprobe")
int zt_go_tls_read_enter(struct pt_regs *ctx) { return go_tls_enter(ctx, ZT_DIR_INGRESS); }

/* On each RET of both functions: the call's kind was saved at entry. */
SEC("uprobe")
int zt_go_tls_return(struct pt_regs *ctx)
{
	__u32 tgid;
	__u64 goroutine;
	struct go_process *go = go_uprobe_process(ctx, &tgid, &goroutine);
	if (!go)
		return 0;
	struct go_tls_call *pending = bpf_map_lookup_elem(&go_tls_calls, &goroutine);
	if (!pending)
		return 0;
	struct go_tls_call call = *pending;
	bpf_map_delete_elem(&go_tls_calls, &goroutine);

	__s64 n = (__s64)ctx->ax;
	if (n <= 0)
		return 0;
	__s32 fd = go_tls_socket(go, call.conn);
	if (fd < 0) {
		count(ZT_COUNTER_TLS_NO_FD);
		return 0;
	}
	emit_tls_call_plaintext(bpf_get_current_pid_tgid(), fd, call.buf, (__u64)n, call.enter_ns,
				call.direction, &call.trace);
	return 0;
}

#endif /* ZEROTRACE_GO_TLS_H */
