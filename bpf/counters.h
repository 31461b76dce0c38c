/* The counters userspace reports (enum zt_counter), per CPU so counting
 * never contends. */
#ifndef ZEROTRACE_COUNTERS_H
#define ZEROTRACE_COUNTERS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "zerotrace_events.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ZT_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);
	if (v)
		*v += 1;
}

#endif /* ZEROTRACE_COUNTERS_H */
