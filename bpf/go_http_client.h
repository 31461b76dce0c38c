/* Linking the requests of Go's HTTP client (net/http.Transport) to the
 * server request their caller is handling.
 *
 * The goroutine that calls client.Get does not write the request: it hands
 * it to the connection's writeLoop goroutine, which writes requests for
 * every caller that uses that connection. So the thread rule, or the same
 * rule keyed by goroutine, cannot link them. Instead, two uprobes follow the
 * request itself, by the address of its *http.Request, from the caller to
 * the writer:
 *
 *   net/http.(*persistConn).roundTrip(pc, treq *transportRequest): runs on
 *     the caller's goroutine, with the very *Request writeLoop will write
 *     (Transport.roundTrip may have copied the caller's, to rewind bodies).
 *     The caller's in-flight server requests decide the parent (exactly one:
 *     that one; several: ambiguous; none: a root), recorded under
 *     (tgid, *Request).
 *   net/http.(*Request).write(r, ...): runs on writeLoop's goroutine just
 *     before it writes the request's bytes; the record moves to that
 *     goroutine's key, where start_client_request takes it at the write
 *     that starts the request (the syscall, or crypto/tls Write for HTTPS).
 *
 * Exact, whatever the concurrency: no timing and no matching on the method
 * or path. A request written by other means (a handler writing to a
 * net.Conn itself) finds no record and falls back to the goroutine rule.
 * Goroutines that a handler starts are not followed (runtime.newproc1): the
 * client's own goroutines (dialConnFor, writeLoop) are started the same
 * way, and inheriting through them would hand one caller's context to
 * every request a shared connection writes later. Calls made from such
 * goroutines stay roots. */
#ifndef ZEROTRACE_GO_HTTP_CLIENT_H
#define ZEROTRACE_GO_HTTP_CLIENT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "go_client_parent.h"
#include "go_runtime.h"
#include "trace_context.h"

struct go_request_key {
	__u32 tgid;
	__u32 _pad;
	__u64 request; /* *http.Request in that process */
};

/* LRU: a request that is never written (dial failed, cancelled) leaves its
 * record behind; a new request at the same address overwrites it first. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct go_request_key);
	__type(value, struct go_client_parent);
} go_request_parents SEC(".maps");

/* net/http.(*persistConn).roundTrip entry: RAX = pc, RBX = treq. */
SEC("uprobe")
int zt_go_round_trip(struct pt_regs *ctx)
{
	__u32 tgid;
	__u64 caller;
	struct go_process *go = go_uprobe_process(ctx, &tgid, &caller);
	if (!go)
		return 0;
	struct go_request_key key = { .tgid = tgid };
	if (bpf_probe_read_user(&key.request, sizeof(key.request),
				(const void *)(ctx->bx + go->transport_request)) != 0 ||
	    !key.request)
		return 0;
	struct go_client_parent parent = { .link = ZT_LINK_ROOT };
	struct inflight_set *set = bpf_map_lookup_elem(&thread_inflight, &caller);
	if (set && set->count == 1 && set->known) {
		__builtin_memcpy(parent.trace_id, set->trace_id, 16);
		__builtin_memcpy(parent.span_id, set->span_id, 8);
		parent.link = ZT_LINK_THREAD;
	} else if (set && set->count > 0) {
		parent.link = ZT_LINK_AMBIGUOUS;
	}
	bpf_map_update_elem(&go_request_parents, &key, &parent, BPF_ANY);
	return 0;
}

/* net/http.(*Request).write entry: RAX = r. Always replaces the writer's
 * record, so one left by a request that was never sent is not taken. */
SEC("uprobe")
int zt_go_request_write(struct pt_regs *ctx)
{
	__u32 tgid;
	__u64 writer;
	if (!go_uprobe_process(ctx, &tgid, &writer))
		return 0;
	struct go_request_key key = { .tgid = tgid, .request = ctx->ax };
	struct go_client_parent *parent = bpf_map_lookup_elem(&go_request_parents, &key);
	if (!parent) {
		bpf_map_delete_elem(&go_writer_parents, &writer);
		return 0;
	}
	bpf_map_update_elem(&go_writer_parents, &writer, parent, BPF_ANY);
	bpf_map_delete_elem(&go_request_parents, &key);
	return 0;
}

#endif /* ZEROTRACE_GO_HTTP_CLIENT_H */
