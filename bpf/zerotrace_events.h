/* The one contract between the kernel programs and the userspace agent.
 * Included by the bpf/ programs (with vmlinux.h) and by C++ (with linux/types.h).
 * Every struct here has a fixed layout: explicit padding, no pointers. */
#ifndef ZEROTRACE_BPF_EVENTS_H
#define ZEROTRACE_BPF_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Bytes of each message copied to userspace. A power of two so the verifier
 * can bound copies with a mask. Enough for the request line and headers of
 * almost every HTTP/1.x request; bodies beyond it are counted, not copied. */
#define ZT_MAX_CAPTURE 4096
#define ZT_MAX_FILTER_PORTS 16

enum zt_event_type {
	ZT_EVENT_DATA = 1,  /* bytes moved by one syscall on a traced socket */
	ZT_EVENT_CLOSE = 2, /* a traced connection was closed */
	ZT_EVENT_EXEC = 3,  /* a process started a new program (sched_process_exec) */
	ZT_EVENT_EXIT = 4,  /* a process the programs had met exited (its last thread) */
};

/* Direction as the traced process sees it. */
enum zt_direction {
	ZT_DIR_EGRESS = 0,  /* the process wrote/sent */
	ZT_DIR_INGRESS = 1, /* the process read/received */
};

enum zt_role {
	ZT_ROLE_UNKNOWN = 0,
	ZT_ROLE_SERVER = 1, /* the socket came from accept(), or it first read a request */
	ZT_ROLE_CLIENT = 2, /* the socket came from connect(), or it first wrote a request */
};

/* Application protocol the kernel side classified the connection as
 * (bpf/protocols/inference.bpf.h). A data event's hdr.protocol is that of
 * its bytes: for TLS, the plaintext's; never UNKNOWN, OTHER or TLS. */
enum zt_protocol {
	ZT_PROTO_UNKNOWN = 0, /* not seen enough bytes yet */
	ZT_PROTO_HTTP1 = 1,
	ZT_PROTO_OTHER = 2, /* not something we parse: no further events */
	ZT_PROTO_TLS = 3,   /* TLS records on the socket: the ciphertext is never sent up;
			     * the plaintext comes from TLS library probes (tls_openssl.h) */
	ZT_PROTO_REDIS = 4, /* RESP2/RESP3, client side only: a Redis server's own
			     * connections are OTHER */
};

/* Which syscall produced a data event; for --verbose and tests. */
enum zt_syscall {
	ZT_SYS_READ = 1,
	ZT_SYS_WRITE,
	ZT_SYS_READV,
	ZT_SYS_WRITEV,
	ZT_SYS_RECVFROM,
	ZT_SYS_SENDTO,
	ZT_SYS_RECVMSG,
	ZT_SYS_SENDMSG,
	ZT_SYS_SENDFILE,
	ZT_SYS_SSL_READ,  /* plaintext returned by a TLS library's read (SSL_read, SSL_read_ex) */
	ZT_SYS_SSL_WRITE, /* plaintext given to a TLS library's write */
};

/* A connection is (tgid, fd, generation): the generation tells apart two
 * connections that reuse the same fd number in one process. */
struct zt_conn_id {
	__u32 tgid;
	__s32 fd;
	__u64 generation;
};

struct zt_endpoints {
	__u16 family;     /* AF_INET or AF_INET6 */
	__u16 local_port; /* host byte order */
	__u16 peer_port;  /* host byte order */
	__u16 _pad;
	__u8 local_addr[16]; /* IPv4 in the first 4 bytes, network order */
	__u8 peer_addr[16];
};

/* How the kernel side placed a request's span in a trace. Set on the event
 * that carries the first byte of a request (server: the read that returned
 * it; client: the write that sent it); ZT_LINK_NONE everywhere else. */
enum zt_link {
	ZT_LINK_NONE = 0,      /* this event starts no request: no context */
	ZT_LINK_ROOT = 1,      /* a new trace: no parent known */
	ZT_LINK_THREAD = 2,    /* client request made by a thread handling exactly one server
				* request: that request's span is the parent (in Go programs:
				* by the goroutine, or asked for by the goroutine, handling it) */
	ZT_LINK_AMBIGUOUS = 3, /* the thread was handling several server requests (event loop,
				* pipelining): left a root rather than guess */
	ZT_LINK_PEER = 4,      /* server request whose client end is traced on this host:
				* the client request's span is the parent (matched by the
				* connection's addresses and the TCP sequence number of the
				* request's first byte, never by timing) */
};

struct zt_trace_context {
	__u8 trace_id[16];
	__u8 span_id[8];
	__u8 parent_span_id[8]; /* all zero: no parent */
	__u8 link;              /* enum zt_link */
	__u8 injected;          /* client: a traceparent naming this span was added to the request */
	__u8 _pad[6];
};

struct zt_data_event_header {
	__u32 type; /* ZT_EVENT_DATA */
	__u32 tid;
	struct zt_conn_id conn;
	__u64 enter_ns; /* CLOCK_MONOTONIC, syscall entry */
	__u64 exit_ns;  /* CLOCK_MONOTONIC, syscall exit */
	/* Bytes this direction of the connection had moved before this message,
	 * as the kernel counted them; a jump tells userspace events were lost. */
	__u64 stream_offset;
	__u32 msg_size; /* bytes the syscall moved */
	__u32 captured; /* bytes copied into data[] (a prefix of the message) */
	__u8 direction; /* enum zt_direction */
	__u8 role;      /* enum zt_role */
	__u8 syscall;   /* enum zt_syscall */
	__u8 protocol;  /* enum zt_protocol */
	__u32 _pad;
	struct zt_endpoints endpoints;
	struct zt_trace_context trace;
};

struct zt_data_event {
	struct zt_data_event_header hdr;
	__u8 data[ZT_MAX_CAPTURE];
};

struct zt_close_event {
	__u32 type; /* ZT_EVENT_CLOSE */
	__u32 tid;
	struct zt_conn_id conn;
	__u64 timestamp_ns;
	__u64 bytes_sent;
	__u64 bytes_received;
};

/* ZT_EVENT_EXEC and ZT_EVENT_EXIT. */
struct zt_process_event {
	__u32 type;
	__u32 tgid;
	__u64 timestamp_ns;
};

/* Counters the kernel side keeps (a per-CPU array indexed by these). */
enum zt_counter {
	ZT_COUNTER_EVENTS_LOST = 0,     /* ring buffer full */
	ZT_COUNTER_CONNS_TRACKED = 1,   /* connections classified as a protocol we parse */
	ZT_COUNTER_CONNS_IGNORED = 2,   /* connections classified other (or a side not traced) */
	ZT_COUNTER_CONN_TABLE_FULL = 3, /* could not track a connection */
	ZT_COUNTER_LINK_AMBIGUOUS = 4,  /* client requests left unlinked: thread had several */
	ZT_COUNTER_LINK_PEER = 5,       /* server requests joined to a client on this host */
	ZT_COUNTER_INJECTED = 6,        /* client requests given a traceparent */
	ZT_COUNTER_INJECT_SKIPPED = 7,  /* could not inject (request line split, no room) */
	ZT_COUNTER_TLS_CONNS = 8,       /* connections found carrying TLS records */
	ZT_COUNTER_TLS_NO_FD = 9,       /* TLS plaintext dropped: its socket was not known */
	ZT_COUNTER_MAX = 10,
};

#endif /* ZEROTRACE_BPF_EVENTS_H */
