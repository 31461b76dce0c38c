/* Random W3C trace and span ids, made in the kernel when a request starts. */
#ifndef ZEROTRACE_TRACE_IDS_H
#define ZEROTRACE_TRACE_IDS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "zerotrace_events.h"

static __always_inline void random_bytes(__u8 *out, int n)
{
	for (int i = 0; i < n; i += 4) {
		__u32 r = bpf_get_prandom_u32();
		__builtin_memcpy(out + i, &r, 4);
	}
}

static __always_inline void new_span_id(struct zt_trace_context *ctx)
{
	random_bytes(ctx->span_id, 8);
	if (ctx->span_id[0] == 0)
		ctx->span_id[0] = 1; /* all-zero is invalid in W3C trace context */
}

static __always_inline void new_trace(struct zt_trace_context *ctx)
{
	random_bytes(ctx->trace_id, 16);
	if (ctx->trace_id[0] == 0)
		ctx->trace_id[0] = 1;
	__builtin_memset(ctx->parent_span_id, 0, 8);
	ctx->link = ZT_LINK_ROOT;
}

#endif /* ZEROTRACE_TRACE_IDS_H */
