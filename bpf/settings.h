/* Read-only settings of the kernel programs, set by the loader
 * (probes/socket_trace_probes.cc) before load: the verifier sees them as
 * constants, so a feature left off costs nothing. */
#ifndef ZEROTRACE_SETTINGS_H
#define ZEROTRACE_SETTINGS_H

#include "vmlinux.h"

#include "zerotrace_events.h"

/* The agent's own process: never traced. */
const volatile __u32 self_tgid = 0;
/* Only processes userspace marked ZT_TGID_TRACE are traced (--pid). */
const volatile __u8 filter_by_pid = 0;
const volatile __u32 filter_port_count = 0;
const volatile __u16 filter_ports[ZT_MAX_FILTER_PORTS] = {};
/* Set when the TLS plaintext probes are attached (tls_openssl.h, go_tls.h):
 * only then are TLS sockets told apart from other traffic (ZT_PROTO_TLS). */
const volatile __u8 tls_probes = 0;
/* Batched wake-ups: the agent is woken once this many bytes of events wait
 * (it also polls on a timer); 0 wakes it for every event. Waking costs the
 * traced program an inter-processor interrupt, and the agent a context
 * switch, per event otherwise. */
const volatile __u64 wakeup_min_bytes = 0;
/* Outgoing HTTP requests get a traceparent (traceparent_injection.h). */
const volatile __u8 inject_enabled = 0;

#endif /* ZEROTRACE_SETTINGS_H */
