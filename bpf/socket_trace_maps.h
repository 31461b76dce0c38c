/* The values of the kernel side's maps that the loader (probes/) also reads
 * or writes, and per-connection state: C shared by the BPF programs and
 * C++. The maps themselves are in maps.h and in the headers that use them;
 * events reach userspace through zerotrace_events.h. */
#ifndef ZEROTRACE_SOCKET_TRACE_MAPS_H
#define ZEROTRACE_SOCKET_TRACE_MAPS_H

#include "zerotrace_events.h"

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Values of the tgid_verdict map, written by userspace. */
#define ZT_TGID_TRACE 1  /* traced when the pid allow-list is on */
#define ZT_TGID_IGNORE 2 /* never traced (e.g. --exe did not match) */

/* One entry per (tgid, fd) the programs have looked at. Non-sockets and
 * sockets we do not parse (or whose side we do not trace) are kept too, as
 * ZT_PROTO_OTHER, so the next syscall on that fd costs one lookup and
 * nothing more. */
struct conn_state {
	__u64 generation;
	__u64 bytes[2]; /* per enum zt_direction */
	struct zt_endpoints endpoints;
	__u8 role;          /* enum zt_role */
	__u8 protocol;      /* enum zt_protocol */
	__u8 unknown_msgs;  /* messages seen before classification */
	__u8 reader_count;  /* server: in-flight requests read by reader_tid */
	__u8 plain_protocol; /* ZT_PROTO_TLS connections: what the plaintext carries */
	__u8 held;          /* held_byte is waiting for the next read (go_runtime.h) */
	__u8 held_byte;
	__u8 held_has_seq;  /* held_seq numbers held_byte */
	__u64 sk;           /* struct sock *, for TCP sequence numbers */
	__u64 reader_tid;   /* server: request_owner() (thread, or goroutine in Go) that read the
			     * oldest in-flight request */
	__u64 held_enter_ns; /* when the read that returned held_byte began */
	__u32 held_seq;      /* TCP sequence number of held_byte */
	__u32 _pad2;
};

/* Values of the go_processes map (go_runtime.h), one per process running a
 * Go program the Go probes understand, written by userspace
 * (probes/go_probes.cc): where the fields the kernel side reads are. Each is
 * a byte offset from the start of the struct named, summed along embedded
 * structs where the path has several steps. */
struct go_process {
	__u32 goid;              /* runtime.g → goid (int64) */
	__u32 tls_conn_data;     /* crypto/tls.Conn → data word of its net.Conn interface */
	__u32 tcp_conn_netfd;    /* net.TCPConn → *net.netFD (TCPConn.conn.fd) */
	__u32 netfd_sysfd;       /* net.netFD → descriptor (netFD.pfd.Sysfd, an int) */
	__u32 transport_request; /* net/http.transportRequest → its embedded *Request */
	__u32 _pad;
};

/* What the entry of a client request's sending syscall decided, for its
 * exit (and for the sk_msg program that may add a traceparent). */
struct pending_io {
	__u64 enter_ns;
	__s32 fd;
	__u8 syscall;   /* enum zt_syscall, with fd: which syscall this is for */
	__u8 has_seq;   /* tcp_seq is set */
	__u8 inject;    /* a client request without its own traceparent: sk_msg adds ours */
	__u8 _pad;
	__u32 tcp_seq;  /* sequence number of the first byte this syscall sends */
	__u32 _pad2;
	struct zt_trace_context trace; /* client request started at entry */
};

enum pending_buf_kind {
	PENDING_BUF_PLAIN = 0,
	PENDING_BUF_IOV = 1,
	PENDING_BUF_MSGHDR = 2,
	PENDING_BUF_NONE = 3, /* sendfile: bytes come from a file, not userspace */
};

/* Scratch space for building one event; twice the capture so the verifier
 * can prove any offset < ZT_MAX_CAPTURE plus any length <= ZT_MAX_CAPTURE
 * stays inside. */
struct event_scratch {
	struct zt_data_event_header hdr;
	__u8 data[ZT_MAX_CAPTURE * 2];
};

static __always_inline __u64 conn_key(__u32 tgid, __s32 fd)
{
	return ((__u64)tgid << 32) | (__u32)fd;
}

#endif /* ZEROTRACE_SOCKET_TRACE_MAPS_H */
