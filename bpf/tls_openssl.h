/* TLS plaintext from OpenSSL: uprobes on SSL_write/SSL_read (and the _ex
 * variants) see the bytes before encryption and after decryption, and go
 * up as the plaintext of the TCP connection under the SSL object (rules in
 * openssl_sockets.h). */
#ifndef ZEROTRACE_TLS_OPENSSL_H
#define ZEROTRACE_TLS_OPENSSL_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "connection.h"
#include "counters.h"
#include "maps.h"
#include "openssl_sockets.h"
#include "protocols/inference.bpf.h"
#include "settings.h"
#include "tls_plaintext.h"
#include "trace_context.h"

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
		__u8 protocol = user_request_protocol(ZT_PROTO_UNKNOWN, call.buf, want);
		if (protocol != ZT_PROTO_UNKNOWN) {
			struct conn_state *conn = NULL;
			if (known) {
				__u64 ck = conn_key(tgid, *known);
				conn = bpf_map_lookup_elem(&conns, &ck);
			}
			if (tls_client_request(conn, protocol))
				start_client_request(conn, pid_tgid, false, 0, &call.trace);
		}
	}
	bpf_map_update_elem(&tls_calls, &pid_tgid, &call, BPF_ANY);
	return 0;
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
