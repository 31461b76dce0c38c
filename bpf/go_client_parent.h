/* The parent a Go HTTP client request was given by the goroutine that asked
 * for it, waiting for the goroutine that writes it (go_http_client.h
 * records it; start_client_request in trace_context.h takes it). */
#ifndef ZEROTRACE_GO_CLIENT_PARENT_H
#define ZEROTRACE_GO_CLIENT_PARENT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "counters.h"
#include "trace_ids.h"

/* What a client request's caller was handling when it asked for it. */
struct go_client_parent {
	__u8 trace_id[16];
	__u8 span_id[8]; /* the parent span (link ZT_LINK_THREAD only) */
	__u8 link;       /* ZT_LINK_THREAD, ZT_LINK_AMBIGUOUS or ZT_LINK_ROOT */
	__u8 _pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64); /* goroutine key of the writer */
	__type(value, struct go_client_parent);
} go_writer_parents SEC(".maps");

/* Called by start_client_request in a Go process: the request the goroutine
 * `writer` starts writing now was asked for by a caller; its context, if a
 * record is there. */
static __always_inline bool take_go_client_parent(__u64 writer, struct zt_trace_context *ctx)
{
	struct go_client_parent *p = bpf_map_lookup_elem(&go_writer_parents, &writer);
	if (!p)
		return false;
	if (p->link == ZT_LINK_THREAD) {
		__builtin_memcpy(ctx->trace_id, p->trace_id, 16);
		__builtin_memcpy(ctx->parent_span_id, p->span_id, 8);
		ctx->link = ZT_LINK_THREAD;
	} else {
		new_trace(ctx);
		if (p->link == ZT_LINK_AMBIGUOUS) {
			ctx->link = ZT_LINK_AMBIGUOUS;
			count(ZT_COUNTER_LINK_AMBIGUOUS);
		}
	}
	bpf_map_delete_elem(&go_writer_parents, &writer);
	return true;
}

#endif /* ZEROTRACE_GO_CLIENT_PARENT_H */
