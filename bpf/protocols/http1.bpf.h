/* HTTP/1.x: requests start with a method, responses with "HTTP". */
#ifndef ZEROTRACE_PROTOCOLS_HTTP1_BPF_H
#define ZEROTRACE_PROTOCOLS_HTTP1_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "protocols/protocol.bpf.h"

static __always_inline enum proto_msg_kind infer_http1(const __u8 *d, __u32 len, __u8 direction)
{
	if (len < 4)
		return PROTO_MSG_NONE;
	if (d[0] == 'H' && d[1] == 'T' && d[2] == 'T' && d[3] == 'P')
		return PROTO_MSG_RESPONSE;
	if ((d[0] == 'G' && d[1] == 'E' && d[2] == 'T' && d[3] == ' ') ||
	    (d[0] == 'P' && d[1] == 'O' && d[2] == 'S' && d[3] == 'T') ||
	    (d[0] == 'P' && d[1] == 'U' && d[2] == 'T' && d[3] == ' ') ||
	    (d[0] == 'H' && d[1] == 'E' && d[2] == 'A' && d[3] == 'D') ||
	    (d[0] == 'D' && d[1] == 'E' && d[2] == 'L' && d[3] == 'E') ||
	    (d[0] == 'P' && d[1] == 'A' && d[2] == 'T' && d[3] == 'C') ||
	    (d[0] == 'O' && d[1] == 'P' && d[2] == 'T' && d[3] == 'I') ||
	    (d[0] == 'C' && d[1] == 'O' && d[2] == 'N' && d[3] == 'N') ||
	    (d[0] == 'T' && d[1] == 'R' && d[2] == 'A' && d[3] == 'C'))
		return PROTO_MSG_REQUEST;
	return PROTO_MSG_NONE;
}

/* "HTTP/1.x 1xx": 100 Continue and friends precede the final response. */
static __always_inline bool http1_response_is_final(const __u8 *d, __u32 len)
{
	return !(len >= 10 && d[9] == '1');
}

static __always_inline __u32 http1_request_head(void) { return 4; }

static __always_inline __u8 http1_traits(void)
{
	return PROTO_TRAIT_SERVER_SPANS | PROTO_TRAIT_PEER_LINK | PROTO_TRAIT_TRACEPARENT;
}

#endif /* ZEROTRACE_PROTOCOLS_HTTP1_BPF_H */
