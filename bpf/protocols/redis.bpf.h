/* Redis (RESP2 and RESP3), client side only. A client sends each command as
 * an array of bulk strings, the first one the command's name:
 *
 *     *<count>\r\n$<length>\r\n<NAME>...
 *
 * That opening, up to the name's first letter, is what a request must show.
 * Replies open with one byte of + - : $ * _ , # ! = ( % ~ > |: too common
 * to classify a connection on, so they are never reported (an array reply
 * of bulk strings does look like a command: on a socket of unknown role it
 * is taken for a server's read, whose side is not traced anyway). Inline
 * commands ("PING\r\n", typed into telnet) are not recognised.
 *
 * Only client spans: a server's side (no PROTO_TRAIT_SERVER_SPANS) is
 * classified ZT_PROTO_OTHER, so redis-server itself costs nothing. */
#ifndef ZEROTRACE_PROTOCOLS_REDIS_BPF_H
#define ZEROTRACE_PROTOCOLS_REDIS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "protocols/protocol.bpf.h"

#define REDIS_MIN_REQUEST 9     /* "*1\r\n$3\r\nG" */
#define REDIS_MAX_DIGITS 7     /* of <count> and of <length> */

/* Stages of a command's opening, one byte after another. */
enum redis_stage {
	REDIS_COUNT,       /* digits of <count>, then \r */
	REDIS_COUNT_LF,
	REDIS_DOLLAR,
	REDIS_LENGTH,      /* digits of <length>, then \r */
	REDIS_LENGTH_LF,
	REDIS_NAME,        /* a letter */
};

/* One more byte of a command's opening: 1 when it completes it, -1 when it
 * cannot be one, 0 to go on. */
static __always_inline int redis_opening_byte(__u8 c, __u8 *stage, __u8 *digits)
{
	bool digit = c >= '0' && c <= '9';
	switch (*stage) {
	case REDIS_COUNT:
	case REDIS_LENGTH:
		if (digit && *digits == 0 && c == '0')
			return -1; /* no empty command, no leading zero */
		if (digit && *digits < REDIS_MAX_DIGITS) {
			*digits += 1;
			return 0;
		}
		if (c != '\r' || *digits == 0)
			return -1;
		break;
	case REDIS_COUNT_LF:
	case REDIS_LENGTH_LF:
		if (c != '\n')
			return -1;
		break;
	case REDIS_DOLLAR:
		if (c != '$')
			return -1;
		*digits = 0;
		break;
	default:
		c |= 0x20; /* lower case */
		return c >= 'a' && c <= 'z' ? 1 : -1;
	}
	*stage += 1;
	return 0;
}

static __always_inline enum proto_msg_kind infer_redis(const __u8 *d, __u32 len, __u8 direction)
{
	if (len < REDIS_MIN_REQUEST || d[0] != '*')
		return PROTO_MSG_NONE;
	__u8 stage = REDIS_COUNT, digits = 0;
	/* A loop, not unrolled: a few instructions inlined at every call site
	 * instead of hundreds. */
#pragma clang loop unroll(disable)
	for (__u32 i = 1; i < PROTO_REQUEST_HEAD_MAX && i < len; i++) {
		int done = redis_opening_byte(d[i], &stage, &digits);
		if (done != 0)
			return done > 0 ? PROTO_MSG_REQUEST : PROTO_MSG_NONE;
	}
	return PROTO_MSG_NONE;
}

/* Never asked: Redis servers are not traced. Every reply ends its command. */
static __always_inline bool redis_response_is_final(const __u8 *d, __u32 len) { return true; }

/* "*1234567\r\n$12\r\nG": seven digits of count, two of name length. */
static __always_inline __u32 redis_request_head(void) { return PROTO_REQUEST_HEAD_MAX; }

/* Client spans only, linked to what their thread serves, never to a peer. */
static __always_inline __u8 redis_traits(void) { return 0; }

#endif /* ZEROTRACE_PROTOCOLS_REDIS_BPF_H */
