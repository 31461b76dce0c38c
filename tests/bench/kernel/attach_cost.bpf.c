// SPDX-License-Identifier: GPL-2.0
/* Kernel attach choices, each reduced to its bare cost, for
 * scripts/bench-kernel.sh: the same four syscalls an HTTP exchange crosses
 * (read, write, recvfrom, sendto) hooked in different ways, doing as little
 * as possible. Programs are grouped by name prefix into variants; the loader
 * (attach_cost.cc) loads one variant. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* x86_64 syscall numbers */
#define NR_READ 0
#define NR_WRITE 1
#define NR_SENDTO 44
#define NR_RECVFROM 45

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline int hit(void)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &zero);
	if (v)
		*v += 1;
	return 0;
}

static __always_inline bool wanted(long id)
{
	return id == NR_READ || id == NR_WRITE || id == NR_SENDTO || id == NR_RECVFROM;
}

/* ---- tp: per-syscall tracepoints, entry and exit (what zerotrace uses) */
#define TP_PAIR(name)                                                              \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                \
	int tp_enter_##name(void *ctx) { return hit(); }                           \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                 \
	int tp_exit_##name(void *ctx) { return hit(); }
TP_PAIR(read)
TP_PAIR(write)
TP_PAIR(recvfrom)
TP_PAIR(sendto)

/* ---- exitonly: per-syscall exit tracepoints only (arguments recovered from
 * the task's saved registers) */
#define EXIT_ONLY(name)                                                            \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                 \
	int exitonly_##name(void *ctx) { return hit(); }
EXIT_ONLY(read)
EXIT_ONLY(write)
EXIT_ONLY(recvfrom)
EXIT_ONLY(sendto)

/* ---- hashfirst: exit only, then the per-(process, fd) hash lookup that
 * tells a socket worth tracing from anything else (zerotrace's first filter)
 * ---- arrayfirst: exit only, a per-process bit in an array indexed by
 * process id looked at first (the hash only for processes with the bit) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} fds_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 22); /* pid_max's ceiling */
	__type(key, __u32);
	__type(value, __u8);
} processes_with_sockets SEC(".maps");

static __always_inline int look_up_fd(struct trace_event_raw_sys_exit *ctx)
{
	__u64 key = (bpf_get_current_pid_tgid() & ~0xffffffffULL) | (__u32)ctx->id;
	return bpf_map_lookup_elem(&fds_seen, &key) ? hit() : 0;
}

#define FILTERED(name)                                                             \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                 \
	int hashfirst_##name(struct trace_event_raw_sys_exit *ctx)                 \
	{                                                                          \
		return look_up_fd(ctx);                                            \
	}                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                 \
	int arrayfirst_##name(struct trace_event_raw_sys_exit *ctx)                \
	{                                                                          \
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;                     \
		__u8 *bit = bpf_map_lookup_elem(&processes_with_sockets, &tgid);   \
		return bit && *bit ? look_up_fd(ctx) : 0;                          \
	}
FILTERED(read)
FILTERED(write)
FILTERED(recvfrom)
FILTERED(sendto)

/* ---- rawtp: raw tracepoints on every syscall's entry and exit, filtered by
 * number in the program */
SEC("raw_tracepoint/sys_enter")
int rawtp_enter(struct bpf_raw_tracepoint_args *ctx)
{
	return wanted((long)ctx->args[1]) ? hit() : 0;
}

SEC("raw_tracepoint/sys_exit")
int rawtp_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	long id = 0;
	bpf_probe_read_kernel(&id, sizeof(id), &regs->orig_ax);
	return wanted(id) ? hit() : 0;
}

/* ---- tpbtf: the same with BTF-typed arguments */
SEC("tp_btf/sys_enter")
int tpbtf_enter(__u64 *ctx)
{
	return wanted((long)ctx[1]) ? hit() : 0;
}

SEC("tp_btf/sys_exit")
int tpbtf_exit(__u64 *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx[0];
	return wanted(regs->orig_ax) ? hit() : 0;
}

/* ---- pending state kept from entry to exit: an LRU hash keyed by thread
 * (what zerotrace did), a plain hash, and task-local storage */
struct pending {
	__u64 enter_ns;
	__u64 buf;
	__u64 count;
	__u64 fd;
	__u64 more[6];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pending);
} pending_by_thread SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pending);
} pending_by_thread_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pending_in_task SEC(".maps");

#define MAP_PAIR(variant, map, name)                                               \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                \
	int variant##_enter_##name(struct trace_event_raw_sys_enter *ctx)          \
	{                                                                          \
		__u64 id = bpf_get_current_pid_tgid();                             \
		struct pending p = { .enter_ns = bpf_ktime_get_ns(),               \
				     .buf = ctx->args[1], .count = ctx->args[2],   \
				     .fd = ctx->args[0] };                         \
		bpf_map_update_elem(&map, &id, &p, BPF_ANY);                       \
		return 0;                                                          \
	}                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                 \
	int variant##_exit_##name(void *ctx)                                       \
	{                                                                          \
		__u64 id = bpf_get_current_pid_tgid();                             \
		struct pending *p = bpf_map_lookup_elem(&map, &id);                \
		if (!p)                                                            \
			return 0;                                                  \
		if (p->fd == 12345)                                                \
			hit();                                                     \
		bpf_map_delete_elem(&map, &id);                                    \
		return 0;                                                          \
	}
MAP_PAIR(lru, pending_by_thread, read)
MAP_PAIR(lru, pending_by_thread, write)
MAP_PAIR(lru, pending_by_thread, recvfrom)
MAP_PAIR(lru, pending_by_thread, sendto)
MAP_PAIR(hash, pending_by_thread_hash, read)
MAP_PAIR(hash, pending_by_thread_hash, write)
MAP_PAIR(hash, pending_by_thread_hash, recvfrom)
MAP_PAIR(hash, pending_by_thread_hash, sendto)

#define TASK_PAIR(name)                                                            \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                \
	int task_enter_##name(struct trace_event_raw_sys_enter *ctx)               \
	{                                                                          \
		struct pending *p = bpf_task_storage_get(                          \
			&pending_in_task, bpf_get_current_task_btf(), 0,           \
			BPF_LOCAL_STORAGE_GET_F_CREATE);                           \
		if (!p)                                                            \
			return 0;                                                  \
		p->enter_ns = bpf_ktime_get_ns();                                  \
		p->buf = ctx->args[1];                                             \
		p->count = ctx->args[2];                                           \
		p->fd = ctx->args[0];                                              \
		return 0;                                                          \
	}                                                                          \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                 \
	int task_exit_##name(void *ctx)                                            \
	{                                                                          \
		struct pending *p = bpf_task_storage_get(                          \
			&pending_in_task, bpf_get_current_task_btf(), 0, 0);       \
		if (!p || !p->enter_ns)                                            \
			return 0;                                                  \
		if (p->fd == 12345)                                                \
			hit();                                                     \
		p->enter_ns = 0;                                                   \
		return 0;                                                          \
	}
TASK_PAIR(read)
TASK_PAIR(write)
TASK_PAIR(recvfrom)
TASK_PAIR(sendto)
