/* The inference chain: the protocols the kernel side recognises, tried in
 * order, and the dispatch the generic data path goes through (it never
 * names a protocol). Adding a protocol: its header (see protocol.bpf.h),
 * its #include and one line in ZT_PROTOCOLS below, and its value in enum
 * zt_protocol (zerotrace_events.h). */
#ifndef ZEROTRACE_PROTOCOLS_INFERENCE_BPF_H
#define ZEROTRACE_PROTOCOLS_INFERENCE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "protocols/http1.bpf.h"
#include "protocols/protocol.bpf.h"
#include "protocols/redis.bpf.h"
#include "zerotrace_events.h"

/* X(enum zt_protocol value, header name), in the order inference tries
 * them: cheap and specific first. */
#define ZT_PROTOCOLS(X)            \
	X(ZT_PROTO_HTTP1, http1)   \
	X(ZT_PROTO_REDIS, redis)

/* The first protocol of the chain whose opening the bytes show, among
 * those `among` allows (ZT_PROTO_UNKNOWN: all; a protocol: that one only),
 * and what they start (*kind); ZT_PROTO_UNKNOWN when none. One body for
 * both uses: each protocol's test is inlined once per call site. */
static __always_inline __u8 infer_protocol_among(__u8 among, const __u8 *d, __u32 len,
						 __u8 direction, __u8 *kind)
{
	enum proto_msg_kind found;
#define ZT_TRY(proto, name)                                    \
	if (among == ZT_PROTO_UNKNOWN || among == proto) {     \
		found = infer_##name(d, len, direction);       \
		if (found != PROTO_MSG_NONE) {                 \
			*kind = found;                         \
			return proto;                          \
		}                                              \
	}
	ZT_PROTOCOLS(ZT_TRY)
#undef ZT_TRY
	*kind = PROTO_MSG_NONE;
	return ZT_PROTO_UNKNOWN;
}

/* Classification: which protocol the first bytes of a message show, and
 * what they start. */
static __always_inline __u8 infer_protocol(const __u8 *d, __u32 len, __u8 direction, __u8 *kind)
{
	return infer_protocol_among(ZT_PROTO_UNKNOWN, d, len, direction, kind);
}

/* On a connection classified `protocol`: what the bytes start. */
static __always_inline enum proto_msg_kind protocol_message_kind(__u8 protocol, const __u8 *d,
								 __u32 len, __u8 direction)
{
	__u8 kind;
	if (protocol == ZT_PROTO_UNKNOWN) /* not a classified connection */
		return PROTO_MSG_NONE;
	infer_protocol_among(protocol, d, len, direction, &kind);
	return kind;
}

/* For a response start on a `protocol` connection: the request is done. */
static __always_inline bool protocol_response_is_final(__u8 protocol, const __u8 *d, __u32 len)
{
	switch (protocol) {
#define ZT_CASE(proto, name) \
	case proto:          \
		return name##_response_is_final(d, len);
		ZT_PROTOCOLS(ZT_CASE)
#undef ZT_CASE
	}
	return true;
}

/* PROTO_TRAIT_* of `protocol`; none for what is not parsed. */
static __always_inline __u8 protocol_traits(__u8 protocol)
{
	switch (protocol) {
#define ZT_CASE(proto, name) \
	case proto:          \
		return name##_traits();
		ZT_PROTOCOLS(ZT_CASE)
#undef ZT_CASE
	}
	return 0;
}

static __always_inline bool protocol_has(__u8 protocol, __u8 trait)
{
	return (protocol_traits(protocol) & trait) != 0;
}

/* A protocol whose bytes go up as data events: one of the chain. */
static __always_inline bool protocol_parsed(__u8 protocol)
{
	switch (protocol) {
#define ZT_CASE(proto, name) case proto:
		ZT_PROTOCOLS(ZT_CASE)
#undef ZT_CASE
		return true;
	}
	return false;
}

/* Bytes a send's entry reads to recognise a request of `protocol`; for
 * ZT_PROTO_UNKNOWN, enough for any. */
static __always_inline __u32 protocol_request_head(__u8 protocol)
{
	switch (protocol) {
#define ZT_CASE(proto, name) \
	case proto:          \
		return name##_request_head();
		ZT_PROTOCOLS(ZT_CASE)
#undef ZT_CASE
	}
	return PROTO_REQUEST_HEAD_MAX;
}

/* At a send's entry, before the bytes leave: the protocol of the request
 * the user buffer (first `len` bytes at `buf`) starts on a connection
 * carrying `protocol` (ZT_PROTO_UNKNOWN: not classified yet, any of the
 * chain), or ZT_PROTO_UNKNOWN when it starts none. Reads only the few bytes
 * that protocol needs. */
static __always_inline __u8 user_request_protocol(__u8 protocol, __u64 buf, __u64 len)
{
	__u8 head[PROTO_REQUEST_HEAD_MAX] = {};
	__u32 want = protocol_request_head(protocol);
	__u32 n = len < want ? (__u32)len : want;
	if (n < PROTO_REQUEST_HEAD_MIN || n > PROTO_REQUEST_HEAD_MAX ||
	    bpf_probe_read_user(head, n, (const void *)buf) != 0)
		return ZT_PROTO_UNKNOWN;
	__u8 kind;
	__u8 found = infer_protocol_among(protocol, head, n, ZT_DIR_EGRESS, &kind);
	return kind == PROTO_MSG_REQUEST ? found : ZT_PROTO_UNKNOWN;
}

#endif /* ZEROTRACE_PROTOCOLS_INFERENCE_BPF_H */
