/* Capture: a data syscall's arguments, and the first bytes it moved copied
 * from the traced program's memory into the event being built. */
#ifndef ZEROTRACE_CAPTURE_H
#define ZEROTRACE_CAPTURE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "socket_trace_maps.h"

#define MAX_IOVECS 8
#define MSG_PEEK 2

/* Where an event is built: too big for the stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event_scratch);
} scratch SEC(".maps");

/* The user registers saved at syscall entry. BTF-typed: fields are read
 * with plain loads, no helper call. */
static __always_inline struct pt_regs *saved_user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
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

#endif /* ZEROTRACE_CAPTURE_H */
