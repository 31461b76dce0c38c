/* What every protocol header in bpf/protocols/ provides, for the inference
 * chain (inference.bpf.h) to dispatch on; the rest of bpf/ never names a
 * protocol. For a protocol `<name>`:
 *
 *   enum proto_msg_kind infer_<name>(const __u8 *d, __u32 len, __u8 direction)
 *       Whether the first `len` bytes of a message (at d) moved in
 *       `direction` start a request or a response of this protocol. Used both
 *       to classify a connection and, on a connection of this protocol, to
 *       tell where requests and responses start; answer only what is certain
 *       enough to classify a connection on.
 *   bool <name>_response_is_final(const __u8 *d, __u32 len)
 *       For a response start: the server is done with its request (HTTP's
 *       1xx interim responses are not).
 *   __u32 <name>_request_head(void)
 *       How many first bytes infer_<name> needs to recognise a request
 *       (at most PROTO_REQUEST_HEAD_MAX): what a send's entry reads.
 *   __u8 <name>_traits(void)
 *       PROTO_TRAIT_* flags.
 *
 * `d` may be a stack buffer or a map value: read it at constant offsets. */
#ifndef ZEROTRACE_PROTOCOLS_PROTOCOL_BPF_H
#define ZEROTRACE_PROTOCOLS_PROTOCOL_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

enum proto_msg_kind {
	PROTO_MSG_NONE = 0,
	PROTO_MSG_REQUEST = 1,
	PROTO_MSG_RESPONSE = 2,
};

/* What the generic data path does on a protocol's connections. */
enum proto_trait {
	/* Server spans: without it, a connection found serving the protocol is
	 * classified ZT_PROTO_OTHER and costs nothing more. */
	PROTO_TRAIT_SERVER_SPANS = 1 << 0,
	/* Client requests publish the TCP sequence number of their first byte
	 * (client_requests), for a server traced on this host to link to. Only
	 * for protocols with server spans: nothing else would take the entry. */
	PROTO_TRAIT_PEER_LINK = 1 << 1,
	/* Client requests may get a traceparent header (traceparent_injection.h). */
	PROTO_TRAIT_TRACEPARENT = 1 << 2,
};

/* The fewest and the most bytes a send's entry reads to recognise a
 * request start: no protocol's is shorter, or needs more. */
#define PROTO_REQUEST_HEAD_MIN 4
#define PROTO_REQUEST_HEAD_MAX 16

#endif /* ZEROTRACE_PROTOCOLS_PROTOCOL_BPF_H */
