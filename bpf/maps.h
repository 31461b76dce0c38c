/* The maps every part of the kernel side shares: the connection table and
 * what is known of each process. Maps with one user live in that user's
 * header. */
#ifndef ZEROTRACE_MAPS_H
#define ZEROTRACE_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "socket_trace_maps.h"

/* Connection generations (zt_conn_id): never reused while the agent runs. */
__u64 next_generation = 1;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64); /* conn_key(tgid, fd) */
	__type(value, struct conn_state);
} conns SEC(".maps");

/* Per process the programs have met, so its exit can drop what it left
 * (process_lifecycle.h) without searching the maps for every process. */
struct tgid_state {
	__u32 conns; /* entries made in conns (an upper bound: closes are not subtracted) */
	__u8 tls;    /* entries made in ssl_fds */
	__u8 _pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* tgid */
	__type(value, struct tgid_state);
} tgid_states SEC(".maps");

static __always_inline struct tgid_state *met_tgid(__u32 tgid)
{
	struct tgid_state *state = bpf_map_lookup_elem(&tgid_states, &tgid);
	if (state)
		return state;
	struct tgid_state fresh = {};
	bpf_map_update_elem(&tgid_states, &tgid, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&tgid_states, &tgid);
}

/* Userspace's verdict on a process (ZT_TGID_*): --pid, --exe. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32); /* tgid */
	__type(value, __u8); /* ZT_TGID_* */
} tgid_verdict SEC(".maps");

#endif /* ZEROTRACE_MAPS_H */
