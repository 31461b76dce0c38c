/* The ring buffer every event reaches userspace through. */
#ifndef ZEROTRACE_RING_BUFFER_H
#define ZEROTRACE_RING_BUFFER_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "settings.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024); /* the loader may resize */
} events SEC(".maps");

/* Sends one event. With batched wake-ups, the agent is woken by an event
 * that takes the waiting bytes past a multiple of wakeup_min_bytes (CPUs
 * racing may all miss one multiple; the next comes soon), by any event once
 * half the ring is waiting, and by `urgent` ones. */
static __always_inline long send_event(void *data, __u64 size, bool urgent)
{
	__u64 flags = 0;
	if (wakeup_min_bytes) {
		__u64 waiting = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
		bool crossing = waiting / wakeup_min_bytes != (waiting + size) / wakeup_min_bytes;
		bool filling = waiting >= bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 2;
		flags = urgent || crossing || filling ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	}
	return bpf_ringbuf_output(&events, data, size, flags);
}

#endif /* ZEROTRACE_RING_BUFFER_H */
