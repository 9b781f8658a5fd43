// SPDX-License-Identifier: GPL-2.0 OR Apache-2.0
// sysray eBPF syscall probe. Every record written to the ring buffer is one complete little-endian PCAPNG
// EV_V2 block of a Falco capture (block header, cpu, scap event header, u16 parameter lengths, parameters,
// padding, trailer), so user space hands the bytes to JS as an EventBatch and a capture file is a copy.
//
// Generic syscalls are described by a recipe (per syscall number, written by user space into `recipes`):
// the exit event type and one op per parameter. Process events (execve/execveat, clone/fork/vfork/clone3)
// and procexit have their own code.
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "probe_shared.h"

// Turns a pointer read from memory into a BTF pointer of `btf_id`, read with direct loads (kfunc).
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, SYSRAY_RINGBUF_DEFAULT);
} rb SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, SYSRAY_MAX_SYSCALLS);
  __type(key, __u32);
  __type(value, struct sysray_recipe);
} recipes SEC(".maps");

// Per-CPU counters: [0] events emitted, [1] events dropped (ring buffer full), [2] events dropped (larger than
// the scratch area), [3] bytes written since this CPU last woke the reader.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, SYSRAY_NCOUNTERS);
  __type(key, __u32);
  __type(value, __u64);
} counters SEC(".maps");

// Thread-group ids never traced (the capturing process first).
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, SYSRAY_MAX_IGNORED);
  __type(key, __u32);
  __type(value, __u8);
} ignored SEC(".maps");

// Per-CPU event under construction: writing state, syscall arguments, then the block bytes.
struct scratch {
  __u32 off;     // next parameter byte (relative to the block start)
  __u32 idx;     // next parameter index
  __u64 args[6]; // syscall arguments (read once from the registers)
  __u64 ino;     // inode of the returned fd, once looked up (the ops on the returned fd share one fd-table walk)
  __u32 dev;
  __u32 have_file;
  __u32 layer;   // overlayfs layer of the returned fd's file (SYSRAY_LAYER_*)
  __u32 created; // the open created the file (FMODE_CREATED)
  __u8 buf[SYSRAY_SCRATCH];
};

struct tmpbuf {
  __u8 tmp[2 * SYSRAY_TMP]; // positions are masked to SYSRAY_TMP, writes run up to SYSRAY_MAX_STR past them
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct tmpbuf);
} tmp_map SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct scratch);
} scratch_map SEC(".maps");

// Settings written by user space before attaching (light skeleton .bss, mmapped).
volatile __u32 enabled = 0;
volatile __u32 snaplen = 0;
volatile __u64 wake_bytes = 1 << 20;
volatile __u64 boot_to_epoch = 0; // CLOCK_REALTIME - CLOCK_BOOTTIME, ns (event times are epoch ns)
volatile __u32 proc_events = 0; // SYSRAY_PROC_EXIT: emit procexit
volatile __u32 self_tgid = 0;   // the capturing process (first entry of the ignored set, checked without a lookup)
volatile __u32 ignore_more = 0; // whether the ignored map holds other thread groups

// The event under construction lives in the per-CPU scratch map; `struct ev` is its type here.
#define ev scratch

#define MASK (SYSRAY_PARAM_AREA - 1)
#define LEN_OFF (SYSRAY_BLOCK_PREFIX + SYSRAY_EVENT_HEADER)

static __always_inline void count(__u32 which) {
  __u64 *c = bpf_map_lookup_elem(&counters, &which);
  if (c) *c += 1;
}

static __always_inline bool ignored_task(__u64 pid_tgid) {
  __u32 tgid = pid_tgid >> 32;
  if (tgid == self_tgid) return true;
  return ignore_more && bpf_map_lookup_elem(&ignored, &tgid) != NULL;
}

static __always_inline struct scratch *get_scratch(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&scratch_map, &zero);
}

static __always_inline struct tmpbuf *get_tmp(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&tmp_map, &zero);
}

// The block prefix after its type and length (cpu) and the scap event header but its length: timestamp, tid,
// type, parameter count.
static __always_inline void write_header(__u8 *b, __u16 type, __u32 nparams, __u64 pid_tgid) {
  *(__u16 *)(b + 8) = (__u16)bpf_get_smp_processor_id();
  *(__u64 *)(b + 10) = bpf_ktime_get_boot_ns() + boot_to_epoch;
  *(__u64 *)(b + 18) = (__u64)(__u32)pid_tgid;
  *(__u16 *)(b + 30) = type;
  *(__u32 *)(b + 32) = nparams;
}

static __always_inline void ev_begin(struct ev *e, __u16 type, __u32 nparams, __u64 pid_tgid) {
  e->idx = 0;
  e->have_file = 0;
  e->off = LEN_OFF + (nparams & 31) * 2;
  write_header(e->buf, type, nparams, pid_tgid);
}

static __always_inline void set_len(struct ev *e, __u32 len) {
  __u32 i = e->idx;
  if (i >= 32) return;
  *(__u16 *)(e->buf + LEN_OFF + (i & 31) * 2) = (__u16)len;
  e->idx = i + 1;
  e->off = (e->off + len) & MASK;
}

static __always_inline void put_u64(struct ev *e, __u64 v) {
  *(__u64 *)(e->buf + (e->off & MASK)) = v;
  set_len(e, 8);
}
static __always_inline void put_u32(struct ev *e, __u32 v) {
  *(__u32 *)(e->buf + (e->off & MASK)) = v;
  set_len(e, 4);
}
static __always_inline void put_u16(struct ev *e, __u16 v) {
  *(__u16 *)(e->buf + (e->off & MASK)) = v;
  set_len(e, 2);
}
static __always_inline void put_u8(struct ev *e, __u8 v) {
  *(__u8 *)(e->buf + (e->off & MASK)) = v;
  set_len(e, 1);
}
static __always_inline void put_empty(struct ev *e) { set_len(e, 0); }

// NUL-terminated user string (an empty parameter when unreadable or NULL).
static __always_inline void put_ustr(struct ev *e, const void *p) {
  long n = 0;
  if (p) n = bpf_probe_read_user_str(e->buf + (e->off & MASK), SYSRAY_MAX_STR, p);
  set_len(e, n > 0 ? n : 0);
}
static __always_inline void put_kstr(struct ev *e, const void *p) {
  long n = 0;
  if (p) n = bpf_probe_read_kernel_str(e->buf + (e->off & MASK), SYSRAY_MAX_STR, p);
  set_len(e, n > 0 ? n : 0);
}
// `len` bytes of user memory (capped to SYSRAY_MAX_STR).
static __always_inline void put_ubuf(struct ev *e, const void *p, __u64 len) {
  if (len > SYSRAY_MAX_STR) len = SYSRAY_MAX_STR;
  if (!p || len == 0 || bpf_probe_read_user(e->buf + (e->off & MASK), len, p) < 0) {
    set_len(e, 0);
    return;
  }
  set_len(e, len);
}

// Batched wakeups: each CPU wakes the reader once it wrote `wake_bytes` since its last wakeup (the reader also
// polls on a timer). A per-CPU byte count, because bpf_ringbuf_query() costs more than the event.
static __always_inline __u64 wakeup_flags(__u32 total) {
  __u32 pk = SYSRAY_CNT_PENDING;
  __u64 *pending = bpf_map_lookup_elem(&counters, &pk);
  if (!pending) return BPF_RB_NO_WAKEUP;
  __u64 p = *pending + total;
  if (p < wake_bytes) {
    *pending = p;
    return BPF_RB_NO_WAKEUP;
  }
  *pending = 0;
  return BPF_RB_FORCE_WAKEUP;
}

// Completes the block whose parameters end at `end` (the event length, block length, padding and trailer) and
// copies it to the ring buffer.
static __always_inline long ev_submit_at(struct ev *e, __u32 end) {
  __u8 *b = e->buf;
  __u32 evlen = end - SYSRAY_BLOCK_PREFIX;
  __u32 body = 2 + evlen;
  __u32 total = (8 + body + 3 + 4) & ~3u;
  if (total >= SYSRAY_PARAM_AREA || total < 40) {
    count(SYSRAY_CNT_OVERFLOW);
    return -1;
  }
  *(__u32 *)(b + 26) = evlen;
  *(__u32 *)(b + 0) = SYSRAY_BLOCK_EV_V2;
  *(__u32 *)(b + 4) = total;
  // zero padding then trailer
  *(__u32 *)(b + (end & MASK)) = 0;
  *(__u32 *)(b + ((total - 4) & MASK)) = total;
  long r = bpf_ringbuf_output(&rb, b, total & (SYSRAY_PARAM_AREA - 1), wakeup_flags(total));
  count(r == 0 ? SYSRAY_CNT_EMITTED : SYSRAY_CNT_DROPPED);
  return r;
}

static __always_inline long ev_submit(struct ev *e) { return ev_submit_at(e, e->off); }

/* ---------------------------------------------------------------- conversions */

static __always_inline __u32 open_flags(__u64 f) {
  __u32 r = 0;
  switch (f & 3) {
  case 0: r |= 1; break;
  case 1: r |= 2; break;
  case 2: r |= 3; break;
  }
  if (f & 0100) r |= 4;
  if (f & 02000) r |= 8;
  if (f & 010000) r |= 16;
  if (f & 0200) r |= 32;
  if (f & 04000) r |= 64;
  if ((f & 04010000) == 04010000) r |= 128;
  if (f & 01000) r |= 256;
  if (f & 040000) r |= 512;
  if (f & 0200000) r |= 1024;
  if (f & 0100000) r |= 2048;
  if (f & 02000000) r |= 4096;
  if ((f & 020200000) == 020200000) r |= 8192;
  return r;
}

static __always_inline __u32 clone_flags(__u64 f) {
  __u32 r = 0;
  if (f & 0x400) r |= 1;
  if (f & 0x200) r |= 2;
  if (f & 0x80000000ULL) r |= 4;
  if (f & 0x08000000) r |= 8;
  if (f & 0x40000000) r |= 16;
  if (f & 0x20000) r |= 32;
  if (f & 0x20000000) r |= 64;
  if (f & 0x04000000) r |= 128;
  if (f & 0x8000) r |= 256;
  if (f & 0x100000) r |= 512;
  if (f & 0x2000) r |= 1024;
  if (f & 0x800) r |= 2048;
  if (f & 0x40000) r |= 4096;
  if (f & 0x10000) r |= 8192;
  if (f & 0x800000) r |= 16384;
  if (f & 0x100) r |= 32768;
  if (f & 0x10000000) r |= 1048576;
  if (f & 0x200000) r |= 8388608;
  if (f & 0x01000000) r |= 16777216;
  if (f & 0x80000) r |= 33554432;
  if (f & 0x4000) r |= 134217728;
  if (f & 0x02000000) r |= 268435456;
  return r;
}

static __always_inline __u8 fcntl_cmd(__u64 c) {
  switch (c) {
  case 0: return 1;
  case 1: return 2;
  case 2: return 3;
  case 3: return 4;
  case 4: return 5;
  case 5: return 6;
  case 6: return 8;
  case 7: return 9;
  case 8: return 10;
  case 9: return 12;
  case 10: return 13;
  case 11: return 15;
  case 15: return 21;
  case 16: return 22;
  case 1024: return 23;
  case 1025: return 24;
  case 1029: return 25;
  case 1030: return 26;
  case 1026: return 27;
  case 1031: return 28;
  case 1032: return 29;
  case 36: return 30;
  case 37: return 31;
  case 38: return 32;
  }
  return 0;
}

static __always_inline __u16 ptrace_req(__u64 r) {
  if (r <= 9) return r + 1;
  switch (r) {
  case 12: return 26;
  case 13: return 27;
  case 14: return 28;
  case 15: return 29;
  case 16: return 11;
  case 17: return 12;
  case 18: return 30;
  case 19: return 31;
  case 24: return 13;
  }
  if (r >= 0x4200 && r <= 0x420b) return 14 + (r - 0x4200);
  return 0;
}

// Sum of the buffer lengths of an iovec array (its first SYSRAY_MAX_IOV entries).
static __always_inline __u32 iov_total(const struct iovec *iov, __u64 cnt) {
  __u32 total = 0;
  for (int i = 0; i < SYSRAY_MAX_IOV; i++) {
    if (i >= cnt) break;
    struct iovec v = {};
    if (bpf_probe_read_user(&v, sizeof(v), &iov[i]) < 0) break;
    total += v.iov_len;
  }
  return total;
}

// Bytes of at most `limit` (≤ the snaplen ≤ SYSRAY_MAX_STR) from the iovec array, buffer after buffer: the data of
// a readv/writev/sendmsg/recvmsg, as one parameter. Stops at the first unreadable buffer.
static __always_inline void put_iov_data(struct ev *e, const struct iovec *iov, __u64 cnt, __u64 limit) {
  __u32 total = 0;
  __u32 base = e->off;
  if (!iov || limit > SYSRAY_MAX_STR) limit = iov ? SYSRAY_MAX_STR : 0;
  for (int i = 0; i < SYSRAY_MAX_IOV; i++) {
    if (i >= cnt || total >= limit) break;
    struct iovec v = {};
    if (bpf_probe_read_user(&v, sizeof(v), &iov[i]) < 0) break;
    __u32 n = v.iov_len > SYSRAY_MAX_STR ? SYSRAY_MAX_STR : v.iov_len;
    if (n > limit - total) n = limit - total;
    if (n == 0) continue;
    n &= 2 * SYSRAY_MAX_STR - 1; // (no-op: bounds for the verifier)
    if (bpf_probe_read_user(e->buf + ((base + total) & MASK), n, v.iov_base) < 0) break;
    total += n;
  }
  set_len(e, total);
}

// How many data bytes an event keeps: written data (`out`) up to the snaplen and at most the bytes the call
// transferred when it succeeded; read data only when the call returned some, at most that many.
static __always_inline __u64 data_limit(__s64 ret, bool out) {
  __u64 n = snaplen;
  if (ret > 0 && n > (__u64)ret) n = ret;
  if (!out && ret <= 0) n = 0;
  return n;
}

static __always_inline __u32 encode_dev(dev_t dev) {
  __u32 major = dev >> 20, minor = dev & 0xfffff;
  return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

static __always_inline struct file *fd_file(struct task_struct *t, long fd) {
  if (fd < 0) return NULL;
  // Direct loads through BTF pointers (no helper calls); only the array slot needs a probe read.
  struct files_struct *files = t->files;
  if (!files) return NULL;
  struct fdtable *fdt = files->fdt;
  if (!fdt) return NULL;
  unsigned int max = fdt->max_fds;
  if (fd >= max) return NULL;
  struct file **arr = fdt->fd;
  struct file *f = NULL;
  bpf_probe_read_kernel(&f, sizeof(f), &arr[fd & 0xfffff]);
  return f ? bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file)) : NULL;
}

/* ---------------------------------------------------------------- sockets */

static __always_inline void put_sockaddr(struct ev *e, const void *uaddr, __u64 ulen) {
  __u8 *d = e->buf + (e->off & MASK);
  __u16 fam = 0;
  if (!uaddr || ulen < 2 || bpf_probe_read_user(&fam, 2, uaddr) < 0) {
    put_empty(e);
    return;
  }
  if (fam == 2 && ulen >= 8) {
    struct sockaddr_in sin = {};
    bpf_probe_read_user(&sin, sizeof(sin), uaddr);
    d[0] = 2;
    *(__u32 *)(d + 1) = sin.sin_addr.s_addr;
    *(__u16 *)(d + 5) = bpf_ntohs(sin.sin_port);
    set_len(e, 7);
  } else if (fam == 10 && ulen >= 24) {
    struct sockaddr_in6 sin6 = {};
    bpf_probe_read_user(&sin6, sizeof(sin6), uaddr);
    d[0] = 10;
    __builtin_memcpy(d + 1, &sin6.sin6_addr, 16);
    *(__u16 *)(d + 17) = bpf_ntohs(sin6.sin6_port);
    set_len(e, 19);
  } else if (fam == 1) {
    d[0] = 1;
    long n = bpf_probe_read_user_str(d + 1, 108, (const char *)uaddr + 2);
    set_len(e, 1 + (n > 0 ? n : 1));
    if (n <= 0) d[1] = 0;
  } else {
    d[0] = fam;
    set_len(e, 1);
  }
}

// Socket tuple of the socket behind `fd`: local → remote for outbound, remote → local for inbound. An IPv4/IPv6
// socket without a remote end (unconnected UDP) takes it from the user sockaddr `uaddr` when there is one (the
// destination of a sendto/sendmsg, the source a recvfrom/recvmsg filled in).
static __always_inline void put_tuple(struct ev *e, long fd, bool inbound, const void *uaddr) {
  struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
  struct file *f = fd_file(t, fd);
  __u8 *d = e->buf + (e->off & MASK);
  if (!f) {
    put_empty(e);
    return;
  }
  struct socket *sock = BPF_CORE_READ(f, private_data);
  struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
  if (!sk) {
    put_empty(e);
    return;
  }
  __u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
  if (fam == 2) {
    __u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
    __u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
    __u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
    __u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
    if (rport == 0 && uaddr) {
      struct sockaddr_in sin = {};
      if (bpf_probe_read_user(&sin, sizeof(sin), uaddr) == 0 && sin.sin_family == 2) {
        raddr = sin.sin_addr.s_addr;
        rport = bpf_ntohs(sin.sin_port);
      }
    }
    d[0] = 2;
    *(__u32 *)(d + 1) = inbound ? raddr : laddr;
    *(__u16 *)(d + 5) = inbound ? rport : lport;
    *(__u32 *)(d + 7) = inbound ? laddr : raddr;
    *(__u16 *)(d + 11) = inbound ? lport : rport;
    set_len(e, 13);
  } else if (fam == 10) {
    struct in6_addr l = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
    struct in6_addr r = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);
    __u16 lport = BPF_CORE_READ(sk, __sk_common.skc_num);
    __u16 rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
    if (rport == 0 && uaddr) {
      struct sockaddr_in6 sin6 = {};
      if (bpf_probe_read_user(&sin6, sizeof(sin6), uaddr) == 0 && sin6.sin6_family == 10) {
        __builtin_memcpy(&r, &sin6.sin6_addr, 16);
        rport = bpf_ntohs(sin6.sin6_port);
      }
    }
    d[0] = 10;
    __builtin_memcpy(d + 1, inbound ? &r : &l, 16);
    *(__u16 *)(d + 17) = inbound ? rport : lport;
    __builtin_memcpy(d + 19, inbound ? &l : &r, 16);
    *(__u16 *)(d + 35) = inbound ? lport : rport;
    set_len(e, 37);
  } else if (fam == 1) {
    // unix: the destination's kernel socket pointer, the source's, then the destination's bound path — this
    // socket's peer first for outbound, this socket first for inbound, so both ends write the same tuple
    struct unix_sock *us = (struct unix_sock *)sk;
    struct sock *peer = BPF_CORE_READ(us, peer);
    struct sock *dst = inbound ? sk : peer;
    d[0] = 1;
    *(__u64 *)(d + 1) = (__u64)dst;
    *(__u64 *)(d + 9) = (__u64)(inbound ? peer : sk);
    struct unix_address *ua = dst ? BPF_CORE_READ((struct unix_sock *)dst, addr) : NULL;
    long n = 0;
    if (ua) {
      int alen = BPF_CORE_READ(ua, len);
      const char *path = (const char *)&ua->name[0] + 2; // after sun_family
      char first = 0;
      bpf_probe_read_kernel(&first, 1, path);
      if (first == 0 && alen > 3) path++; // an abstract address: the name after its leading NUL
      if (alen > 2) n = bpf_probe_read_kernel_str(d + 17, 108, path);
    }
    if (n <= 0) {
      d[17] = 0;
      n = 1;
    }
    set_len(e, 17 + n);
  } else {
    d[0] = fam;
    set_len(e, 1);
  }
}

/* ---------------------------------------------------------------- generic recipe interpreter */

static __always_inline __u64 arg_of(struct ev *e, __u32 i) {
  switch (i) {
  case 0: return e->args[0];
  case 1: return e->args[1];
  case 2: return e->args[2];
  case 3: return e->args[3];
  case 4: return e->args[4];
  case 5: return e->args[5];
  }
  return 0;
}

static __always_inline void file_dev_ino(struct file *f, __u32 *dev, __u64 *ino) {
  struct inode *in = f ? f->f_inode : NULL;
  if (!in) return;
  *ino = in->i_ino;
  struct super_block *sb = in->i_sb;
  if (sb) *dev = encode_dev(sb->s_dev);
}

#define SYSRAY_OVERLAYFS_MAGIC 0x794c7630
#define SYSRAY_LAYER_NONE 0
#define SYSRAY_LAYER_UPPER 1
#define SYSRAY_LAYER_LOWER 2

// Overlayfs layer of an open file: not on an overlay mount, in the upper (writable) layer, or only in a lower one.
// An overlay inode embeds the VFS inode, and the pointer right after it is the upper-layer dentry: none, or one
// without an inode, means the file lives in a lower layer.
static __always_inline __u32 overlay_layer(struct file *f) {
  struct dentry *d = f ? f->f_path.dentry : NULL;
  struct super_block *sb = d ? d->d_sb : NULL;
  if (!sb || sb->s_magic != SYSRAY_OVERLAYFS_MAGIC) return SYSRAY_LAYER_NONE;
  struct inode *in = d->d_inode;
  if (!in) return SYSRAY_LAYER_LOWER;
  struct dentry *upper = NULL;
  bpf_probe_read_kernel(&upper, sizeof(upper), (const char *)in + bpf_core_type_size(struct inode));
  if (!upper) return SYSRAY_LAYER_LOWER;
  return BPF_CORE_READ(upper, d_inode, i_ino) ? SYSRAY_LAYER_UPPER : SYSRAY_LAYER_LOWER;
}

// Device, inode, overlay layer and "created" of the file behind the fd `ret` of the current task `t`: one
// fd-table walk per event.
static __always_inline void ret_file_info(struct ev *e, struct task_struct *t, __s64 ret) {
  if (e->have_file) return;
  __u32 dev = 0;
  __u64 ino = 0;
  __u32 layer = SYSRAY_LAYER_NONE, created = 0;
  if (ret >= 0) {
    struct file *f = fd_file(t, ret);
    if (f) {
      file_dev_ino(f, &dev, &ino);
      layer = overlay_layer(f);
      created = (f->f_mode & 0x100000) != 0; // FMODE_CREATED
    }
  }
  e->dev = dev;
  e->ino = ino;
  e->layer = layer;
  e->created = created;
  e->have_file = 1;
}

// PPM_O_* of the open flags `raw`, plus O_F_CREATED and FD_UPPER_LAYER / FD_LOWER_LAYER from the opened file.
static __always_inline void put_open_flags(struct ev *e, struct task_struct *t, __u64 raw, __s64 ret) {
  __u32 f = open_flags(raw);
  ret_file_info(e, t, ret);
  if (e->created) f |= 1 << 14;
  if (e->layer == SYSRAY_LAYER_UPPER) f |= 1 << 15;
  else if (e->layer == SYSRAY_LAYER_LOWER) f |= 1 << 16;
  put_u32(e, f);
}

// The mode of an open with these flags: it means something only when the open may create the file (0100
// O_CREAT, 020200000 O_TMPFILE), else 0.
static __always_inline __u32 open_mode(__u64 flags, __u64 mode) {
  return (flags & (0100 | 020200000)) ? mode & 07777 : 0;
}

// The mode argument `b` of an open with the flags argument `a` (a = 0xff: creat, whose mode always counts).
static __always_inline void put_open_mode(struct ev *e, __u32 a, __u32 b) {
  put_u32(e, a == 0xff ? arg_of(e, b) & 07777 : open_mode(arg_of(e, a), arg_of(e, b)));
}

/* ---------------------------------------------------------------- fixed-layout events */

// The most frequent calls skip the op dispatch: their parameters are written at known offsets.

#define SYSRAY_RET_FD_TOTAL 60 /* block of an event with two 8-byte parameters */

// Exit events of the return value and an fd argument (close, dup, fchdir): written straight into the ring
// buffer.
static __always_inline void ret_fd_event(__u16 type, __s64 ret, __s64 fd, __u64 pid_tgid) {
  __u8 *b = bpf_ringbuf_reserve(&rb, SYSRAY_RET_FD_TOTAL, 0);
  if (!b) {
    count(SYSRAY_CNT_DROPPED);
    return;
  }
  *(__u32 *)(b + 0) = SYSRAY_BLOCK_EV_V2;
  *(__u32 *)(b + 4) = SYSRAY_RET_FD_TOTAL;
  write_header(b, type, 2, pid_tgid);
  *(__u32 *)(b + 26) = SYSRAY_RET_FD_TOTAL - 4 - SYSRAY_BLOCK_PREFIX; // event length: no padding
  *(__u16 *)(b + LEN_OFF) = 8;
  *(__u16 *)(b + LEN_OFF + 2) = 8;
  *(__u64 *)(b + LEN_OFF + 4) = ret;
  *(__u64 *)(b + LEN_OFF + 12) = fd;
  *(__u32 *)(b + SYSRAY_RET_FD_TOTAL - 4) = SYSRAY_RET_FD_TOTAL;
  bpf_ringbuf_submit(b, wakeup_flags(SYSRAY_RET_FD_TOTAL));
  count(SYSRAY_CNT_EMITTED);
}

// open and openat exit events of the current task `t`: res, [dirfd,] name, flags, mode, dev, ino.
static __always_inline void open_event(struct ev *e, struct task_struct *t, __u16 type, bool at, __s64 ret,
                                       __u64 pid_tgid, __s64 dirfd, const void *name, __u64 flags, __u64 mode) {
  ev_begin(e, type, at ? 7 : 6, pid_tgid);
  put_u64(e, ret);
  if (at) put_u64(e, dirfd);
  put_ustr(e, name);
  put_open_flags(e, t, flags, ret);
  put_u32(e, open_mode(flags, mode));
  put_u32(e, e->dev);
  put_u64(e, e->ino);
  ev_submit(e);
}

// One parameter of a recipe. A global function: verified once, whatever op the recipe holds.
__noinline int sysray_op(__u32 op, __u32 a, __u32 b, __s64 ret) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  switch (op) {
  case SYSRAY_OP_RET:
    put_u64(e, ret);
    break;
  case SYSRAY_OP_ARG64:
    put_u64(e, arg_of(e, a));
    break;
  case SYSRAY_OP_ARGFD:
    put_u64(e, (__s64)(int)arg_of(e, a));
    break;
  case SYSRAY_OP_ARG32:
    put_u32(e, arg_of(e, a));
    break;
  case SYSRAY_OP_ARG16:
    put_u16(e, arg_of(e, a));
    break;
  case SYSRAY_OP_ARG8:
    put_u8(e, arg_of(e, a));
    break;
  case SYSRAY_OP_USTR:
    put_ustr(e, (const void *)arg_of(e, a));
    break;
  case SYSRAY_OP_OPENFLAGS:
    put_open_flags(e, (struct task_struct *)bpf_get_current_task_btf(), arg_of(e, a), ret);
    break;
  case SYSRAY_OP_CREAT_LAYER:
    ret_file_info(e, (struct task_struct *)bpf_get_current_task_btf(), ret);
    put_u16(e, e->layer == SYSRAY_LAYER_UPPER ? 1 : e->layer == SYSRAY_LAYER_LOWER ? 2 : 0);
    break;
  case SYSRAY_OP_OPENHOW_FLAGS: {
    __u64 v = 0;
    bpf_probe_read_user(&v, 8, (const void *)arg_of(e, a));
    put_u32(e, open_flags(v));
    break;
  }
  case SYSRAY_OP_OPENHOW_MODE: {
    __u64 v = 0;
    bpf_probe_read_user(&v, 8, (const char *)arg_of(e, a) + 8);
    put_u32(e, v);
    break;
  }
  case SYSRAY_OP_OPENHOW_RESOLVE: {
    __u64 v = 0;
    bpf_probe_read_user(&v, 8, (const char *)arg_of(e, a) + 16);
    put_u32(e, v);
    break;
  }
  case SYSRAY_OP_CLONEFLAGS:
    put_u32(e, clone_flags(arg_of(e, a)));
    break;
  case SYSRAY_OP_DEV:
    ret_file_info(e, (struct task_struct *)bpf_get_current_task_btf(), ret);
    put_u32(e, e->dev);
    break;
  case SYSRAY_OP_INO:
    ret_file_info(e, (struct task_struct *)bpf_get_current_task_btf(), ret);
    put_u64(e, e->ino);
    break;
  case SYSRAY_OP_SOCKADDR:
    put_sockaddr(e, (const void *)arg_of(e, a), b == 0xff ? 128 : arg_of(e, b));
    break;
  case SYSRAY_OP_SOCKADDR_PTRLEN: {
    int ulen = 0;
    bpf_probe_read_user(&ulen, 4, (const void *)arg_of(e, b));
    put_sockaddr(e, (const void *)arg_of(e, a), ret >= 0 ? ulen : 0);
    break;
  }
  case SYSRAY_OP_TUPLE_ARG:
    put_tuple(e, (int)arg_of(e, a), b & 1, (b >> 4) ? (const void *)arg_of(e, (b >> 4) - 1) : NULL);
    break;
  case SYSRAY_OP_TUPLE_RET:
    put_tuple(e, ret, b & 1, NULL);
    break;
  case SYSRAY_OP_DATA: {
    // a: buffer argument; the bytes transferred, or for written data of a failed call the size argument; capped
    // by the snaplen (no data when the snaplen is 0)
    __u64 n = ret > 0 ? (__u64)ret : (b & SYSRAY_IOV_OUT) ? arg_of(e, b & 7) : 0;
    if (n > snaplen) n = snaplen;
    put_ubuf(e, (const void *)arg_of(e, a), n);
    break;
  }
  case SYSRAY_OP_OPEN_MODE:
    put_open_mode(e, a, b);
    break;
  case SYSRAY_OP_PIPEFD: {
    int fds[2] = {-1, -1};
    if (ret == 0) bpf_probe_read_user(fds, sizeof(fds), (const void *)arg_of(e, a));
    __s64 v = fds[0];
    if (b & 1) v = fds[1];
    put_u64(e, v);
    break;
  }
  case SYSRAY_OP_PIPEINO: {
    int fds[2] = {-1, -1};
    __u32 dev = 0;
    __u64 ino = 0;
    if (ret == 0 && bpf_probe_read_user(fds, sizeof(fds), (const void *)arg_of(e, a)) == 0)
      file_dev_ino(fd_file((struct task_struct *)bpf_get_current_task_btf(), fds[0]), &dev, &ino);
    put_u64(e, ino);
    break;
  }
  case SYSRAY_OP_CONST32:
    put_u32(e, a | (b << 8));
    break;
  case SYSRAY_OP_UID_OF: {
    // setres*id: the three ids read from the argument registers
    put_u32(e, arg_of(e, a));
    break;
  }
  case SYSRAY_OP_CONST8:
    put_u8(e, a);
    break;
  case SYSRAY_OP_CONST16:
    put_u16(e, a | (b << 8));
    break;
  case SYSRAY_OP_BACKLOG: {
    struct file *f = fd_file((struct task_struct *)bpf_get_current_task_btf(), (int)arg_of(e, a));
    struct socket *sock = f ? BPF_CORE_READ(f, private_data) : NULL;
    struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
    __u32 len = sk ? BPF_CORE_READ(sk, sk_ack_backlog) : 0;
    __u32 max = sk ? BPF_CORE_READ(sk, sk_max_ack_backlog) : 0;
    if (b == 0) put_u8(e, max ? (len * 100) / max : 0);
    else put_u32(e, b == 1 ? len : max);
    break;
  }
  case SYSRAY_OP_FCNTL_CMD:
    put_u8(e, fcntl_cmd(arg_of(e, a)));
    break;
  case SYSRAY_OP_PTRACE_REQ:
    put_u16(e, ptrace_req(arg_of(e, a)));
    break;
  case SYSRAY_OP_DYN64: {
    __u8 *d = e->buf + (e->off & MASK);
    d[0] = 0;
    __u64 v = arg_of(e, a);
    __builtin_memcpy(d + 1, &v, 8);
    set_len(e, 9);
    break;
  }
  case SYSRAY_OP_IOVLEN:
    put_u32(e, iov_total((const struct iovec *)arg_of(e, a), arg_of(e, b)));
    break;
  case SYSRAY_OP_MSG_IOVLEN: {
    struct user_msghdr m = {};
    bpf_probe_read_user(&m, sizeof(m), (const void *)arg_of(e, a));
    put_u32(e, iov_total((const struct iovec *)m.msg_iov, m.msg_iovlen));
    break;
  }
  case SYSRAY_OP_IOV_DATA:
    put_iov_data(e, (const struct iovec *)arg_of(e, a), arg_of(e, b & 7), data_limit(ret, b & SYSRAY_IOV_OUT));
    break;
  case SYSRAY_OP_RET_SIZE:
    put_u32(e, ret > 0 ? ret : 0);
    break;
  case SYSRAY_OP_EMPTY:
  default:
    put_empty(e);
    break;
  }
  return 0;
}

// sendmsg (out) and recvmsg exit events: the msghdr read once for the data, the size and the tuple's fallback
// address. sendmsg: res, data, fd, size, tuple (none when the call failed). recvmsg: res, size, data, tuple,
// msgcontrol, fd — all but res and fd empty (size 0) unless the call returned bytes.
__noinline int sysray_msg(__u32 out, __s64 ret) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  int fd = (int)e->args[0];
  struct user_msghdr m = {};
  bool ok = bpf_probe_read_user(&m, sizeof(m), (const void *)e->args[1]) == 0;
  const struct iovec *iov = (const struct iovec *)m.msg_iov;
  put_u64(e, ret);
  if (out) {
    if (ok) put_iov_data(e, iov, m.msg_iovlen, data_limit(ret, true));
    else put_empty(e);
    put_u64(e, (__s64)fd);
    if (ok) put_u32(e, iov_total(iov, m.msg_iovlen));
    else put_empty(e);
    if (ok && ret >= 0) put_tuple(e, fd, false, m.msg_name);
    else put_empty(e);
    return 0;
  }
  if (ret > 0) {
    put_u32(e, ret);
    if (ok) put_iov_data(e, iov, m.msg_iovlen, data_limit(ret, false));
    else put_empty(e);
    put_tuple(e, fd, true, ok ? m.msg_name : NULL);
    // ancillary data: msg_controllen is what the kernel filled in
    if (ok && m.msg_control) put_ubuf(e, m.msg_control, m.msg_controllen);
    else put_empty(e);
  } else {
    put_u32(e, 0);
    put_empty(e);
    put_empty(e);
    put_empty(e);
  }
  put_u64(e, (__s64)fd);
  return 0;
}

// One message of a sendmmsg (out) or recvmmsg that moved `index` + 1 messages or more: an exit event of its own,
// as Falco's probes write them. sendmmsg: res (the message's length), fd, size (its iovecs' total), data, tuple.
// recvmmsg: res, fd, size (the message's length), data, tuple, msgcontrol. Nothing when the message is
// unreadable.
__noinline int sysray_mmsg(__u32 out, __u32 index, __u16 type, __u64 pid_tgid) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  int fd = (int)e->args[0];
  struct mmsghdr m = {};
  if (bpf_probe_read_user(&m, sizeof(m), (const struct mmsghdr *)e->args[1] + (index & (SYSRAY_MAX_MMSG - 1))))
    return 0;
  const struct iovec *iov = (const struct iovec *)m.msg_hdr.msg_iov;
  __u64 len = m.msg_len;
  ev_begin(e, type, out ? 5 : 6, pid_tgid);
  put_u64(e, len);
  put_u64(e, (__s64)fd);
  put_u32(e, out ? iov_total(iov, m.msg_hdr.msg_iovlen) : len);
  put_iov_data(e, iov, m.msg_hdr.msg_iovlen, data_limit(len, out));
  if (out && fd < 0) put_empty(e);
  else put_tuple(e, fd, !out, m.msg_hdr.msg_name);
  if (!out) {
    if (m.msg_hdr.msg_control) put_ubuf(e, m.msg_hdr.msg_control, m.msg_hdr.msg_controllen);
    else put_empty(e);
  }
  ev_submit(e);
  return 0;
}

// bpf_loop state of a sendmmsg/recvmmsg exit.
struct mmsg_loop {
  __u64 pid_tgid;
  __u32 out;
  __u16 type;
};

static long mmsg_one(__u32 index, void *ctx) {
  struct mmsg_loop *c = ctx;
  sysray_mmsg(c->out, index, c->type, c->pid_tgid);
  return 0;
}

/* ---------------------------------------------------------------- process events */

// Path of a dentry under the mount's root (components joined, written into tmp backwards).
static __always_inline void put_dpath(struct ev *e, struct dentry *d, struct vfsmount *vmnt) {
  struct tmpbuf *tb = get_tmp();
  if (!tb) {
    put_empty(e);
    return;
  }
  __u8 *tmp = tb->tmp;
  __u32 pos = SYSRAY_TMP - 1;
  tmp[pos] = 0;
  struct mount *mnt = container_of(vmnt, struct mount, mnt);
#pragma unroll
  for (int i = 0; i < SYSRAY_PATH_DEPTH; i++) {
    struct dentry *root = BPF_CORE_READ(vmnt, mnt_root);
    struct dentry *parent = BPF_CORE_READ(d, d_parent);
    if (d == root || d == parent) {
      struct mount *pm = BPF_CORE_READ(mnt, mnt_parent);
      if (pm == mnt) break;
      d = BPF_CORE_READ(mnt, mnt_mountpoint);
      mnt = pm;
      vmnt = &pm->mnt;
      continue;
    }
    struct qstr q = BPF_CORE_READ(d, d_name);
    __u32 n = q.len & (SYSRAY_NAME_MAX - 1);
    if (n == 0 || pos < n + 2) break;
    pos -= n;
    bpf_probe_read_kernel(tmp + (pos & (SYSRAY_TMP - 1)), n, q.name);
    pos -= 1;
    tmp[pos & (SYSRAY_TMP - 1)] = '/';
    d = parent;
  }
  if (pos == SYSRAY_TMP - 1) {
    pos -= 1;
    tmp[pos & (SYSRAY_TMP - 1)] = '/';
  }
  __u32 len = SYSRAY_TMP - pos;
  if (len > SYSRAY_MAX_STR - 1) {
    len = SYSRAY_MAX_STR - 1;
    pos = SYSRAY_TMP - len;
  }
  bpf_probe_read_kernel(e->buf + (e->off & MASK), len, tmp + (pos & (SYSRAY_TMP - 1)));
  set_len(e, len);
}

// cgroup v2 path of the task, written as the cgroups parameter ("cpu=/path\0memory=/path\0...").
static __always_inline void put_cgroups(struct ev *e, struct task_struct *t) {
  struct tmpbuf *tb = get_tmp();
  if (!tb) {
    put_empty(e);
    return;
  }
  __u8 *tmp = tb->tmp;
  __u32 pos = SYSRAY_TMP - 1;
  tmp[pos] = 0;
  struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);
#pragma unroll
  for (int i = 0; i < SYSRAY_PATH_DEPTH; i++) {
    if (!kn) break;
    struct kernfs_node *parent = BPF_CORE_READ(kn, __parent);
    if (!parent) break;
    const char *name = BPF_CORE_READ(kn, name);
    __u32 n = 0;
    // name length: read up to 255 bytes into a scratch slot then measure
    long r = bpf_probe_read_kernel_str(tmp, SYSRAY_NAME_MAX, name);
    if (r <= 1) break;
    n = (r - 1) & (SYSRAY_NAME_MAX - 1);
    if (pos < n + 2 + SYSRAY_NAME_MAX) break;
    pos -= n;
    bpf_probe_read_kernel(tmp + (pos & (SYSRAY_TMP - 1)), n, name);
    pos -= 1;
    tmp[pos & (SYSRAY_TMP - 1)] = '/';
    kn = parent;
  }
  if (pos == SYSRAY_TMP - 1) {
    pos -= 1;
    tmp[pos & (SYSRAY_TMP - 1)] = '/';
  }
  __u32 plen = (SYSRAY_TMP - pos) & (SYSRAY_MAX_STR - 1);
  __u8 *d = e->buf + (e->off & MASK);
  __u32 w = 0;
  const char c1[] = "cpu=";
  const char c2[] = "memory=";
  __builtin_memcpy(d, c1, 4);
  w = 4;
  bpf_probe_read_kernel(d + 4, plen, tmp + (pos & (SYSRAY_TMP - 1)));
  w += plen;
  __u8 *d2 = e->buf + ((e->off + w) & MASK);
  __builtin_memcpy(d2, c2, 7);
  bpf_probe_read_kernel(d2 + 7, plen, tmp + (pos & (SYSRAY_TMP - 1)));
  w += 7 + plen;
  set_len(e, w);
}

// argv or environ of the current process, from mm (args_from_second: skip argv[0]).
static __always_inline void put_mm_strings(struct ev *e, struct mm_struct *mm, bool env, int which) {
  unsigned long start = env ? BPF_CORE_READ(mm, env_start) : BPF_CORE_READ(mm, arg_start);
  unsigned long end = env ? BPF_CORE_READ(mm, env_end) : BPF_CORE_READ(mm, arg_end);
  if (!start || end <= start) {
    put_empty(e);
    return;
  }
  if (which == 0) { // argv[0] as a string
    put_ustr(e, (const void *)start);
    return;
  }
  if (which == 1) { // args after argv[0]
    struct tmpbuf *tb = get_tmp();
    long n = tb ? bpf_probe_read_user_str(tb->tmp, SYSRAY_MAX_STR, (const void *)start) : 0;
    if (n <= 0) {
      put_empty(e);
      return;
    }
    start += n;
    if (start >= end) {
      put_empty(e);
      return;
    }
  }
  put_ubuf(e, (const void *)start, end - start);
}

static __always_inline __u64 rss_count(struct mm_struct *mm, int i) {
  __s64 c = BPF_CORE_READ(mm, rss_stat[i & 3].count);
  return c > 0 ? c : 0;
}

static __always_inline __u32 pid_nr_of(struct task_struct *t, int type, bool ns) {
  struct pid *p;
  if (type == PIDTYPE_PID) p = BPF_CORE_READ(t, thread_pid);
  else p = BPF_CORE_READ(t, signal, pids[type & 3]);
  if (!p) return 0;
  unsigned int level = ns ? BPF_CORE_READ(p, level) : 0;
  return BPF_CORE_READ(p, numbers[level & 31].nr);
}

#define SYSRAY_MAX_ARGS 32

// Strings of a user pointer array (argv or envp of a failed exec, from index `first`, up to its NULL): each with
// its NUL, an unreadable or empty one as a lone NUL; at most SYSRAY_MAX_ARGS strings and SYSRAY_MAX_STR bytes.
static __always_inline void put_uarray(struct ev *e, const char *const *arr, int first) {
  __u32 total = 0;
  __u32 base = e->off;
  for (int i = first; i < SYSRAY_MAX_ARGS; i++) {
    const char *str = NULL;
    if (!arr || total >= SYSRAY_MAX_STR || bpf_probe_read_user(&str, sizeof(str), &arr[i]) < 0 || !str) break;
    __u32 room = SYSRAY_MAX_STR - total;
    barrier_var(room); // (keep the mask below: bounds for the verifier)
    room &= 2 * SYSRAY_MAX_STR - 1;
    long n = bpf_probe_read_user_str(e->buf + ((base + total) & MASK), room, str);
    if (n <= 0) {
      e->buf[(base + total) & MASK] = 0;
      n = 1;
    }
    total += n;
  }
  set_len(e, total);
}

// exe, args, tid, pid, ptid of the current task: exe and args from its memory, or for a failed exec (`argv` set)
// from the argument vector it was given. A global function (verified once for its callers).
__noinline int sysray_proc_common(__u64 argv) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
  struct mm_struct *mm = BPF_CORE_READ(t, mm);
  if (argv) {
    const char *exe = NULL;
    bpf_probe_read_user(&exe, sizeof(exe), (const void *)argv);
    put_ustr(e, exe);
    put_uarray(e, (const char *const *)argv, 1);
  } else if (mm) {
    put_mm_strings(e, mm, false, 0);
    put_mm_strings(e, mm, false, 1);
  } else {
    put_empty(e);
    put_empty(e);
  }
  put_u64(e, BPF_CORE_READ(t, pid));
  put_u64(e, BPF_CORE_READ(t, tgid));
  put_u64(e, BPF_CORE_READ(t, real_parent, tgid));
  return 0;
}

__noinline int sysray_proc_cwd(void) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
  struct path pwd = BPF_CORE_READ(t, fs, pwd);
  put_dpath(e, pwd.dentry, pwd.mnt);
  return 0;
}

__noinline int sysray_proc_mem(void) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
  struct mm_struct *mm = BPF_CORE_READ(t, mm);
  put_u64(e, BPF_CORE_READ(t, signal, rlim[7].rlim_cur));
  put_u64(e, BPF_CORE_READ(t, maj_flt));
  put_u64(e, BPF_CORE_READ(t, min_flt));
  if (mm) {
    put_u32(e, BPF_CORE_READ(mm, total_vm) << 2);
    put_u32(e, (rss_count(mm, 0) + rss_count(mm, 1) + rss_count(mm, 3)) << 2);
    put_u32(e, rss_count(mm, 2) << 2);
  } else {
    put_u32(e, 0);
    put_u32(e, 0);
    put_u32(e, 0);
  }
  char comm[16];
  BPF_CORE_READ_STR_INTO(&comm, t, comm);
  put_kstr(e, comm);
  return 0;
}

__noinline int sysray_proc_cgroups(void) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  put_cgroups(e, (struct task_struct *)bpf_get_current_task_btf());
  return 0;
}

static __always_inline __u32 tty_of(struct task_struct *t) {
  struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
  if (!tty) return 0;
  int major = BPF_CORE_READ(tty, driver, major);
  int minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
  return encode_dev(((dev_t)major << 20) | minor);
}

// Whether `id` (a kernel uid or gid) has a mapping in the user namespace's map (its first 5 extents).
static __always_inline bool id_mapped(struct uid_gid_map *map, __u32 id) {
  __u32 n = BPF_CORE_READ(map, nr_extents);
  for (int i = 0; i < 5; i++) {
    if (i >= n) break;
    __u32 first = BPF_CORE_READ(map, extent[i].lower_first);
    __u32 count = BPF_CORE_READ(map, extent[i].count);
    if (id >= first && id - first < count) return true;
  }
  return false;
}

// Whether `gid` is one of the supplementary groups of the credentials (sorted: a binary search).
static __always_inline bool in_groups(const struct cred *c, __u32 gid) {
  struct group_info *gi = BPF_CORE_READ(c, group_info);
  if (!gi) return false;
  __u32 lo = 0, hi = BPF_CORE_READ(gi, ngroups);
  for (int i = 0; i < 17; i++) {
    if (lo >= hi) break;
    __u32 mid = (lo + hi) / 2;
    __u32 g = BPF_CORE_READ(gi, gid[mid & 0xffff].val);
    if (gid > g) lo = mid + 1;
    else if (gid < g) hi = mid;
    else return true;
  }
  return false;
}

// PPM_EXE_WRITABLE: whether the process could write its executable. Not on a read-only mount nor an immutable
// inode; the owner always counts (it may chmod); else the group or other write bit (group by fsgid or the
// supplementary groups), or CAP_DAC_OVERRIDE (ids mapped in the process's user namespace), or CAP_FOWNER (owner
// mapped). POSIX ACLs are not consulted.
static __always_inline bool exe_writable(struct inode *in, const struct cred *c) {
  umode_t mode = BPF_CORE_READ(in, i_mode);
  __u32 ftype = mode & 0170000;
  if ((BPF_CORE_READ(in, i_sb, s_flags) & 1) && (ftype == 0100000 || ftype == 0040000 || ftype == 0120000))
    return false; // SB_RDONLY
  if (BPF_CORE_READ(in, i_flags) & 8) return false; // S_IMMUTABLE
  __u32 iuid = BPF_CORE_READ(in, i_uid.val), igid = BPF_CORE_READ(in, i_gid.val);
  if (iuid == (__u32)-1 || igid == (__u32)-1) return false;
  __u32 fsuid = BPF_CORE_READ(c, fsuid.val), fsgid = BPF_CORE_READ(c, fsgid.val);
  if (fsuid == iuid) return true;
  if (igid == fsgid || in_groups(c, igid)) mode >>= 3;
  if (mode & 2) return true; // MAY_WRITE
  struct user_namespace *ns = BPF_CORE_READ(c, user_ns);
  if (!ns) return false;
  bool uid_ok = id_mapped(&ns->uid_map, iuid);
  bool gid_ok = id_mapped(&ns->gid_map, igid);
  __u64 caps = BPF_CORE_READ(c, cap_effective.val);
  if ((caps & (1ULL << 1)) && uid_ok && gid_ok) return true; // CAP_DAC_OVERRIDE
  return (caps & (1ULL << 3)) && uid_ok;                     // CAP_FOWNER
}

// Whether the executable is a memfd: a file at the root of the internal memfd mount (its dentry is its own
// parent) named "memfd:…".
static __always_inline bool exe_from_memfd(struct file *exe) {
  struct dentry *d = BPF_CORE_READ(exe, f_path.dentry);
  if (!d || BPF_CORE_READ(d, d_parent) != d) return false;
  char name[7] = {};
  const unsigned char *dn = BPF_CORE_READ(d, d_name.name);
  if (!dn || bpf_probe_read_kernel_str(name, sizeof(name), dn) != sizeof(name)) return false;
  return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' && name[5] == ':';
}

// PPM_EXE_* flags of the executable: WRITABLE (1), UPPER_LAYER (2) / LOWER_LAYER (8) of an overlayfs, FROM_MEMFD
// (4).
static __always_inline __u32 exe_flags(struct file *exe, struct inode *in, const struct cred *c) {
  __u32 f = 0;
  if (!exe || !in) return 0;
  if (exe_writable(in, c)) f |= 1;
  __u32 layer = overlay_layer(bpf_rdonly_cast(exe, bpf_core_type_id_kernel(struct file)));
  if (layer == SYSRAY_LAYER_UPPER) f |= 2;
  else if (layer == SYSRAY_LAYER_LOWER) f |= 8;
  if (exe_from_memfd(exe)) f |= 4;
  return f;
}

// execve/execveat exit parameters after the common ones: env … euid.
__noinline int sysray_exec_tail(__u64 envp) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
  struct mm_struct *mm = BPF_CORE_READ(t, mm);
  if (envp) put_uarray(e, (const char *const *)envp, 0); // a failed exec: the environment it was given
  else if (mm) put_mm_strings(e, mm, true, 2);
  else put_empty(e);
  put_u32(e, tty_of(t));
  put_u64(e, pid_nr_of(t, PIDTYPE_PGID, true));
  put_u32(e, BPF_CORE_READ(t, loginuid.val));
  const struct cred *c = BPF_CORE_READ(t, cred);
  struct file *exe = mm ? BPF_CORE_READ(mm, exe_file) : NULL;
  struct inode *in = exe ? BPF_CORE_READ(exe, f_inode) : NULL;
  put_u32(e, exe_flags(exe, in, c));
  put_u64(e, BPF_CORE_READ(c, cap_inheritable.val));
  put_u64(e, BPF_CORE_READ(c, cap_permitted.val));
  put_u64(e, BPF_CORE_READ(c, cap_effective.val));
  put_u64(e, in ? BPF_CORE_READ(in, i_ino) : 0);
  put_u64(e, in ? BPF_CORE_READ(in, i_ctime_sec) * 1000000000ULL + (BPF_CORE_READ(in, i_ctime_nsec) & 0x3fffffff) : 0);
  put_u64(e, in ? BPF_CORE_READ(in, i_mtime_sec) * 1000000000ULL + (BPF_CORE_READ(in, i_mtime_nsec) & 0x3fffffff) : 0);
  put_u32(e, BPF_CORE_READ(c, euid.val));
  return 0;
}

__noinline int sysray_exec_tail2(__u32 at, __s64 ret) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
  struct mm_struct *mm = BPF_CORE_READ(t, mm);
  struct file *exe = mm ? BPF_CORE_READ(mm, exe_file) : NULL;
  if (exe) {
    struct path p = BPF_CORE_READ(exe, f_path);
    put_dpath(e, p.dentry, p.mnt);
  } else put_empty(e);
  const struct cred *c = BPF_CORE_READ(t, cred);
  put_u64(e, pid_nr_of(t, PIDTYPE_PGID, false));
  put_u32(e, BPF_CORE_READ(c, egid.val));
  if (!at) {
    // filename: a successful exec copied it to the new stack right after the environment strings (what
    // AT_EXECFN points to); a failed one left the registers, and so the argument, as they were.
    if (ret == 0 && mm) put_ustr(e, (const void *)BPF_CORE_READ(mm, env_end));
    else put_ustr(e, (const void *)e->args[0]);
  }
  return 0;
}

// The pid namespace a pid was allocated in (its deepest level).
static __always_inline struct pid_namespace *pid_ns_of(struct pid *p) {
  if (!p) return NULL;
  unsigned int level = BPF_CORE_READ(p, level);
  return BPF_CORE_READ(p, numbers[level & 31].ns);
}

// clone/fork/vfork/clone3 exit parameters after the common ones: flags … pidns_init_start_ts.
__noinline int sysray_clone_tail(__u64 flags_raw, __s64 ret) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
  // PPM_CL_CHILD_IN_PIDNS: the child is in a pid namespace below the root one — it is there already (the child's
  // return), or the parent's children go to another namespace than its own (the parent's return)
  __u32 flags = clone_flags(flags_raw);
  struct pid_namespace *ns = pid_ns_of(BPF_CORE_READ(t, thread_pid));
  if (ns && (BPF_CORE_READ(ns, level) != 0 || BPF_CORE_READ(t, nsproxy, pid_ns_for_children) != ns))
    flags |= 1 << 29;
  put_u32(e, flags);
  const struct cred *c = BPF_CORE_READ(t, cred);
  put_u32(e, BPF_CORE_READ(c, euid.val));
  put_u32(e, BPF_CORE_READ(c, egid.val));
  put_u64(e, pid_nr_of(t, PIDTYPE_PID, true));
  put_u64(e, pid_nr_of(t, PIDTYPE_TGID, true));
  // pidns_init_start_ts, on the child's return only: start time (CLOCK_MONOTONIC ns) of the init process of the
  // child's pid namespace
  __u64 init_start = 0;
  if (ret == 0) {
    struct pid_namespace *tns = pid_ns_of(BPF_CORE_READ(t, signal, pids[PIDTYPE_TGID]));
    init_start = BPF_CORE_READ(tns, child_reaper, start_time);
  }
  put_u64(e, init_start);
  return 0;
}

__noinline int sysray_submit(void) {
  struct ev *e = get_scratch();
  if (!e) return 0;
  ev_submit(e);
  return 0;
}

static __always_inline void proc_exit_event(struct ev *e, __u16 type, __u32 nparams, long ret, __u64 argv,
                                            __u64 pid_tgid) {
  ev_begin(e, type, nparams, pid_tgid);
  put_u64(e, ret);
  sysray_proc_common(argv);
  sysray_proc_cwd();
  sysray_proc_mem();
  sysray_proc_cgroups();
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sysray_exit, struct pt_regs *regs, long ret) {
  if (!enabled) return 0;
  __u32 nr = regs->orig_ax;
  if (nr >= SYSRAY_MAX_SYSCALLS) return 0;
  struct sysray_recipe *r = bpf_map_lookup_elem(&recipes, &nr);
  if (!r || !r->type) return 0;
  // the task's ids read from the task (one helper call, and the task is at hand for the fd table)
  struct task_struct *t = (struct task_struct *)bpf_get_current_task_btf();
  __u64 pid_tgid = (__u64)(__u32)t->tgid << 32 | (__u32)t->pid;
  if (ignored_task(pid_tgid)) return 0;
  __u8 special = r->special;
  __u16 type = r->type;
  if (special == SYSRAY_SPECIAL_RET_FD) {
    ret_fd_event(type, ret, (__s64)(int)regs->di, pid_tgid);
    return 0;
  }
  struct ev *e = get_scratch();
  if (!e) return 0;
  if (special == SYSRAY_SPECIAL_OPEN) {
    open_event(e, t, type, false, ret, pid_tgid, 0, (const void *)regs->di, regs->si, regs->dx);
    return 0;
  }
  if (special == SYSRAY_SPECIAL_OPENAT) {
    open_event(e, t, type, true, ret, pid_tgid, (__s64)(int)regs->di, (const void *)regs->si, regs->dx, regs->r10);
    return 0;
  }
  e->args[0] = regs->di;
  e->args[1] = regs->si;
  e->args[2] = regs->dx;
  e->args[3] = regs->r10;
  e->args[4] = regs->r8;
  e->args[5] = regs->r9;
  if (special == SYSRAY_SPECIAL_EXECVE || special == SYSRAY_SPECIAL_EXECVEAT) {
    __u32 at = special == SYSRAY_SPECIAL_EXECVEAT;
    // a failed exec left the process as it was: its exe, args and env are those of the call (argv, envp)
    __u64 argv = 0, envp = 0;
    if (ret != 0) {
      argv = at ? e->args[2] : e->args[1];
      envp = at ? e->args[3] : e->args[2];
    }
    proc_exit_event(e, type, at ? 30 : 31, ret, argv, pid_tgid);
    sysray_exec_tail(envp);
    sysray_exec_tail2(at, ret);
    sysray_submit();
    return 0;
  }
  if (special >= SYSRAY_SPECIAL_CLONE && special <= SYSRAY_SPECIAL_CLONE3) {
    __u64 flags = 0;
    if (special == SYSRAY_SPECIAL_CLONE) flags = e->args[0];
    else if (special == SYSRAY_SPECIAL_VFORK) flags = 0x100 | 0x4000;
    else if (special == SYSRAY_SPECIAL_CLONE3) bpf_probe_read_user(&flags, 8, (const void *)e->args[0]);
    proc_exit_event(e, type, 21, ret, 0, pid_tgid);
    sysray_clone_tail(flags, ret);
    sysray_submit();
    return 0;
  }
  if (special == SYSRAY_SPECIAL_SENDMSG || special == SYSRAY_SPECIAL_RECVMSG) {
    __u32 out = special == SYSRAY_SPECIAL_SENDMSG;
    ev_begin(e, type, out ? 5 : 6, pid_tgid);
    sysray_msg(out, ret);
    sysray_submit();
    return 0;
  }
  if (special == SYSRAY_SPECIAL_SENDMMSG || special == SYSRAY_SPECIAL_RECVMMSG) {
    __u32 out = special == SYSRAY_SPECIAL_SENDMMSG;
    if (ret > 0) {
      // an event per message moved (the first SYSRAY_MAX_MMSG)
      struct mmsg_loop c = {.pid_tgid = pid_tgid, .out = out, .type = type};
      bpf_loop(ret < SYSRAY_MAX_MMSG ? ret : SYSRAY_MAX_MMSG, mmsg_one, &c, 0);
      return 0;
    }
    // a failed call: res, fd, size 0, and the rest empty
    ev_begin(e, type, out ? 5 : 6, pid_tgid);
    put_u64(e, ret);
    put_u64(e, (__s64)(int)e->args[0]);
    put_u32(e, 0);
    put_empty(e);
    put_empty(e);
    if (!out) put_empty(e);
    ev_submit(e);
    return 0;
  }
  __u32 n = r->nparams;
  if (n > SYSRAY_MAX_PARAMS) n = SYSRAY_MAX_PARAMS;
  ev_begin(e, type, n, pid_tgid);
  for (__u32 i = 0; i < SYSRAY_MAX_PARAMS; i++) {
    if (i >= n) break;
    // the register and string ops inline, the others in the verified-once op function
    __u32 op = r->op[i];
    __u32 a = r->a[i];
    if (op == SYSRAY_OP_RET) put_u64(e, ret);
    else if (op == SYSRAY_OP_ARGFD) put_u64(e, (__s64)(int)arg_of(e, a));
    else if (op == SYSRAY_OP_ARG64) put_u64(e, arg_of(e, a));
    else if (op == SYSRAY_OP_ARG32) put_u32(e, arg_of(e, a));
    else if (op == SYSRAY_OP_USTR) put_ustr(e, (const void *)arg_of(e, a));
    else if ((op == SYSRAY_OP_DATA || op == SYSRAY_OP_IOV_DATA) && !snaplen) put_empty(e); // no data captured
    else sysray_op(op, a, r->b[i], ret);
  }
  ev_submit(e);
  return 0;
}

#define SYSRAY_PF_EXITING 0x4
#define SYSRAY_PF_KTHREAD 0x00200000
#define SYSRAY_MAX_THREADS 30
#define SYSRAY_MAX_ANCESTORS 60

// A thread of `t`'s thread group that is not exiting: its tid; 0 when there is none, -1 when the group has more
// threads than the probe walks.
static __always_inline __s32 alive_thread(struct task_struct *t) {
  struct signal_struct *sig = BPF_CORE_READ(t, signal);
  if (!sig) return 0;
  struct list_head *head = &sig->thread_head;
  struct list_head *pos = BPF_CORE_READ(head, next);
  for (int i = 0; i < SYSRAY_MAX_THREADS; i++) {
    if (!pos || pos == head) return 0;
    struct task_struct *th = container_of(pos, struct task_struct, thread_node);
    if (!(BPF_CORE_READ(th, flags) & SYSRAY_PF_EXITING)) return BPF_CORE_READ(th, pid);
    pos = BPF_CORE_READ(th, thread_node.next);
  }
  return -1;
}

// Who inherits the children of the exiting thread `t` (what the kernel's reparenting picks): a live thread of its
// group, else the nearest child-subreaper ancestor in the same pid namespace (one of its live threads), else the
// init of the pid namespace; 0 when `t` is that init and the last of its group, -1 beyond the walk limits.
static __always_inline __s32 new_reaper(struct task_struct *t) {
  __s32 r = alive_thread(t);
  if (r != 0) return r;
  struct pid_namespace *ns = pid_ns_of(BPF_CORE_READ(t, thread_pid));
  struct task_struct *init = BPF_CORE_READ(ns, child_reaper);
  if (init == t) return 0;
  __s32 init_tid = BPF_CORE_READ(init, pid);
  struct signal_struct *sig = BPF_CORE_READ(t, signal);
  if (!BPF_CORE_READ_BITFIELD_PROBED(sig, has_child_subreaper)) return init_tid;
  unsigned int level = BPF_CORE_READ(t, thread_pid, level);
  struct task_struct *a = BPF_CORE_READ(t, real_parent);
  for (int i = 0; i < SYSRAY_MAX_ANCESTORS; i++) {
    if (!a || a == init || BPF_CORE_READ(a, thread_pid, level) != level) return init_tid;
    struct signal_struct *asig = BPF_CORE_READ(a, signal);
    if (BPF_CORE_READ_BITFIELD_PROBED(asig, is_child_subreaper)) {
      r = alive_thread(a);
      if (r != 0) return r;
    }
    a = BPF_CORE_READ(a, real_parent);
  }
  return -1;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sysray_procexit, struct task_struct *p) {
  if (!enabled || !(proc_events & SYSRAY_PROC_EXIT)) return 0;
  if (p->flags & SYSRAY_PF_KTHREAD) return 0;
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  if (ignored_task(pid_tgid)) return 0;
  struct ev *e = get_scratch();
  if (!e) return 0;
  ev_begin(e, SYSRAY_EV_PROCEXIT, 5, pid_tgid);
  int code = BPF_CORE_READ(p, exit_code);
  put_u64(e, code);
  put_u64(e, code & 0x7f ? 0 : (code >> 8) & 0xff);
  put_u8(e, code & 0x7f);
  put_u8(e, (code & 0x80) ? 1 : 0);
  // reaper_tid: who inherits the exiting thread's children; 0 without children
  __s32 reaper = 0;
  struct list_head *children = &p->children;
  if (BPF_CORE_READ(children, next) != children) reaper = new_reaper(p);
  put_u64(e, (__s64)reaper);
  sysray_submit();
  return 0;
}
