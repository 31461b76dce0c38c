/* Connections: which processes and ports are traced, the TCP socket behind
 * a descriptor, and the entry each (tgid, fd) gets in the conns table. */
#ifndef ZEROTRACE_CONNECTION_H
#define ZEROTRACE_CONNECTION_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "counters.h"
#include "maps.h"
#include "settings.h"

#define AF_INET 2
#define AF_INET6 10
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define SOCK_STREAM 1
#define IPPROTO_TCP 6

static __always_inline bool tgid_wanted(__u32 tgid)
{
	__u8 *verdict = bpf_map_lookup_elem(&tgid_verdict, &tgid);
	if (filter_by_pid)
		return verdict && *verdict == ZT_TGID_TRACE;
	return !(verdict && *verdict == ZT_TGID_IGNORE);
}

static __always_inline bool port_wanted(const struct zt_endpoints *ep)
{
	if (filter_port_count == 0)
		return true;
	for (int i = 0; i < ZT_MAX_FILTER_PORTS; i++) {
		if (i >= filter_port_count)
			break;
		if (filter_ports[i] == ep->local_port || filter_ports[i] == ep->peer_port)
			return true;
	}
	return false;
}

/* The TCP sock behind fd in the current process, or NULL when fd is not an
 * IPv4/IPv6 stream socket. Walks task->files the way the kernel does. */
static __always_inline struct sock *tcp_sock_of_fd(__s32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd < 0 || (__u32)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return NULL;
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	if (BPF_CORE_READ(sk, sk_type) != SOCK_STREAM || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	return sk;
}

static __always_inline void read_endpoints(struct sock *sk, struct zt_endpoints *ep)
{
	ep->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ep->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	ep->peer_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (ep->family == AF_INET) {
		__u32 saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(ep->local_addr, &saddr, 4);
		__builtin_memcpy(ep->peer_addr, &daddr, 4);
	} else {
		/* &array: the macro copies sizeof(*dst) bytes, all 16 only through a pointer to the array. */
		BPF_CORE_READ_INTO(&ep->local_addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&ep->peer_addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

/* Start tracking fd as a new connection. role is known for accept/connect,
 * unknown for sockets found already open. Returns the entry, or NULL. */
static __always_inline struct conn_state *track_conn(__u32 tgid, __s32 fd, __u8 role)
{
	__u64 key = conn_key(tgid, fd);
	struct conn_state fresh = {};
	struct sock *sk = tcp_sock_of_fd(fd);

	if (!sk || !tgid_wanted(tgid)) {
		fresh.protocol = ZT_PROTO_OTHER;
	} else {
		read_endpoints(sk, &fresh.endpoints);
		fresh.sk = (__u64)sk;
		fresh.role = role;
		fresh.protocol = port_wanted(&fresh.endpoints) ? ZT_PROTO_UNKNOWN : ZT_PROTO_OTHER;
		fresh.generation = __sync_fetch_and_add(&next_generation, 1);
	}
	if (bpf_map_update_elem(&conns, &key, &fresh, BPF_ANY) != 0) {
		count(ZT_COUNTER_CONN_TABLE_FULL);
		return NULL;
	}
	struct tgid_state *state = met_tgid(tgid);
	if (state)
		state->conns += 1;
	return bpf_map_lookup_elem(&conns, &key);
}

#endif /* ZEROTRACE_CONNECTION_H */
