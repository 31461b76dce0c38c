// SPDX-License-Identifier: GPL-2.0
/* Socket syscall capture: which TCP connections carry a protocol we parse
 * (protocols/inference.bpf.h), and the first bytes of every message on
 * them, with timing, sent through a ring buffer. Only the entry points are
 * here; each header says what it does.
 *
 * Only syscall tracepoints are used: this must work on kernels without
 * kprobes or fentry. Receiving syscalls have no entry program: their
 * arguments are read at exit from the task's saved registers. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "capture.h"
#include "conn_close.h"
#include "connection.h"
#include "io_exit.h"
#include "send_entry.h"
#include "settings.h"

/* TLS plaintext from OpenSSL's SSL_read/SSL_write (uprobes). */
#include "tls_openssl.h"
/* Go programs: HTTP client requests followed from caller to writer, and
 * crypto/tls plaintext (uprobes). */
#include "go_http_client.h"
#include "go_tls.h"
/* Outgoing HTTP requests given a traceparent (sockops, sk_msg). */
#include "traceparent_injection.h"
/* Exec and exit: per-process state dropped, userspace told. */
#include "process_lifecycle.h"

#define EINPROGRESS 115

char LICENSE[] SEC("license") = "GPL";

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

SEC("tracepoint/syscalls/sys_enter_close")
int tp_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	close_conn(bpf_get_current_pid_tgid(), (__s32)ctx->args[0]);
	return 0;
}

/* ------------------------------------------------------------- data path */

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
