/* Go programs run goroutines, not threads: a goroutine blocked in a read or
 * write may resume on another thread, and one thread runs many goroutines in
 * turn. So in a Go process the linking rules of trace_context.h key a
 * request's handler by its goroutine, and the Go uprobes key a call in
 * progress by goroutine too, never by thread.
 *
 * Which goroutine is running: Go's register ABI (Go >= 1.17 on x86-64) keeps
 * the current g in R14 in all Go code. Socket reads and writes go through
 * runtime/internal/syscall.Syscall6, which leaves R14 alone up to the SYSCALL
 * instruction, so the user R14 the kernel saved at syscall entry is the
 * goroutine's g at a syscall tracepoint; at a uprobe on Go code it is R14
 * itself. The goroutine id is the int64 at g + go_process.goid.
 *
 * Userspace fills go_processes (tgid → field offsets) for every process
 * running a Go program it understood (probes/go_probes.cc), at start and
 * when a program is started; exec and exit drop the entry
 * (process_lifecycle.h). Processes without an entry are treated as
 * threaded programs. */
#ifndef ZEROTRACE_GO_RUNTIME_H
#define ZEROTRACE_GO_RUNTIME_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "connection.h"
#include "settings.h"
#include "socket_trace_maps.h"

/* A goroutine as one 64-bit key, unique on the host: the top bit set (a
 * thread's pid_tgid never has it: pid_max is at most 2^22), the tgid in the
 * next 22 bits, the goroutine id's low 41 bits below. Goroutine ids only
 * grow; two goroutines alive together share a key only if 2^41 goroutines
 * were started between them (over 250 days at 100,000 a second). */
#define ZT_GOROUTINE_KEY_BIT (1ULL << 63)
#define ZT_GOROUTINE_ID_BITS 41

static __always_inline __u32 owner_tgid(__u64 owner)
{
	if (owner & ZT_GOROUTINE_KEY_BIT)
		return (owner >> ZT_GOROUTINE_ID_BITS) & 0x3fffff;
	return owner >> 32;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32); /* tgid */
	__type(value, struct go_process);
} go_processes SEC(".maps");

/* The key of goroutine g of process tgid; 0 when g is not readable. */
static __always_inline __u64 goroutine_key(__u32 tgid, const struct go_process *go, __u64 g)
{
	__s64 goid = 0;
	if (!g || bpf_probe_read_user(&goid, sizeof(goid), (const void *)(g + go->goid)) != 0 ||
	    goid <= 0)
		return 0;
	return ZT_GOROUTINE_KEY_BIT | ((__u64)(tgid & 0x3fffff) << ZT_GOROUTINE_ID_BITS) |
	       ((__u64)goid & ((1ULL << ZT_GOROUTINE_ID_BITS) - 1));
}

/* The goroutine of the current thread's user code, from the registers the
 * kernel saved on entry (syscall or uprobe trap). 0 on kernels without
 * bpf_task_pt_regs (before 5.15): the check is resolved at load time, so
 * there the call is dead code the verifier never sees. */
static __always_inline __u64 current_goroutine_key(__u32 tgid, const struct go_process *go)
{
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs) ||
	    !bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf))
		return 0;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	__u64 g = BPF_CORE_READ(regs, r14);
	return goroutine_key(tgid, go, g);
}

/* The Go process of the current uprobe hit, if it is traced and its
 * goroutine (R14 at the probe) is readable. */
static __always_inline struct go_process *go_uprobe_process(struct pt_regs *ctx, __u32 *tgid,
							     __u64 *goroutine)
{
	*tgid = bpf_get_current_pid_tgid() >> 32;
	if (*tgid == self_tgid || !tgid_wanted(*tgid))
		return NULL;
	struct go_process *go = bpf_map_lookup_elem(&go_processes, tgid);
	if (!go)
		return NULL;
	*goroutine = goroutine_key(*tgid, go, ctx->r14);
	return *goroutine ? go : NULL;
}

/* Who handles requests for the linking rules: the thread, or in a Go
 * process the goroutine. 0 in a Go process whose goroutine cannot be read:
 * then nothing is linked (its thread would be the wrong key). */
static __always_inline __u64 request_owner(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32;
	struct go_process *go = bpf_map_lookup_elem(&go_processes, &tgid);
	if (!go)
		return pid_tgid;
	return current_goroutine_key(tgid, go);
}

/* Go's HTTP server, while a handler runs, keeps a background read of ONE
 * byte pending on the connection (net/http.connReader.backgroundRead) to
 * notice a client going away. When the client sends its next request
 * before that read is called off, the request's first byte comes out of
 * that read, on the background goroutine, and the rest out of the next read
 * of the connection's own goroutine: neither read starts with a method, so
 * the request would get no context, and the goroutine that reads the rest
 * is the one that will handle it. So in a Go process a one-byte read on a
 * server connection by a goroutine other than the one handling its request
 * (or while none is in flight) is held back, and the connection's next read
 * goes up with that byte in front (one event, from the byte's offset, TCP
 * sequence number and entry time): the request start is seen where its
 * handler reads.
 *
 * The held byte waits for that read whatever happens in between: the
 * response to the request in flight may well be seen after it (its
 * plaintext event comes at Write's return). A one-byte read by the
 * handling goroutine itself (the end of a body) is never held. */
static __always_inline bool hold_background_byte(struct conn_state *conn, __u64 pid_tgid,
						 __u64 enter_ns, const __u8 *data, __u64 bytes,
						 __u32 captured, bool has_seq, __u32 seq)
{
	__u32 tgid = pid_tgid >> 32;
	if (bytes != 1 || captured != 1 || conn->held || conn->role != ZT_ROLE_SERVER ||
	    !bpf_map_lookup_elem(&go_processes, &tgid))
		return false;
	if (conn->reader_count > 0 && request_owner(pid_tgid) == conn->reader_tid)
		return false;
	conn->held = 1;
	conn->held_byte = data[0];
	conn->held_enter_ns = enter_ns;
	conn->held_has_seq = has_seq;
	conn->held_seq = seq;
	return true;
}

/* Puts a held byte in front of the next read's bytes: returns where they
 * go in the event (0 or 1). */
static __always_inline __u32 prepend_held_byte(struct conn_state *conn, __u8 *data, __u8 direction)
{
	if (!conn->held || direction != ZT_DIR_INGRESS)
		return 0;
	data[0] = conn->held_byte;
	return 1;
}

#endif /* ZEROTRACE_GO_RUNTIME_H */
