// sysray probe addon: loads the eBPF probe (bpftool light skeleton: the BPF object and its loader are embedded,
// no libbpf/libelf at run time), reads the BPF ring buffer on a native thread and hands JS chunks of complete
// scap EV_V2 blocks through a thread-safe function. Wakeups are batched: the BPF side wakes us only when more
// than `wakeBytes` are pending, and the thread also polls every `pollMs`. The reader never waits for JS: chunks
// queue without a count limit, bounded in bytes by `maxQueuedBytes` (handed over but not yet consumed, as JS
// reports with consumed()); beyond it a chunk is dropped and its events counted, so a slow consumer costs
// counted drops of whole chunks, never a stalled reader and a full ring buffer.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <node_api.h>

#include "../bpf/probe_shared.h"
#include "probe.lskel.h"

#define RB_BUSY (1U << 31)
#define RB_DISCARD (1U << 30)
#define RB_HDR 8

typedef struct {
  uint8_t *data;
  size_t len;
  size_t cap;
  uint32_t count; // events in the chunk
  bool end;
} chunk_t;

typedef struct probe {
  struct sysray_probe *skel;
  int rb_fd;
  size_t rb_size;
  size_t page;
  volatile unsigned long *consumer;
  const volatile unsigned long *producer;
  const uint8_t *rb_data;
  int epfd;
  int stopfd;
  pthread_t thread;
  bool thread_started;
  atomic_bool stopping;
  napi_threadsafe_function tsfn;
  uint32_t poll_ms;
  size_t chunk_max;
  uint64_t max_queued;           // bytes handed to JS and not consumed yet, beyond which chunks are dropped
  _Atomic uint64_t queued;       // those bytes now
  _Atomic uint64_t dropped_queue; // events of the chunks dropped for it
  int ncpus;
  bool destroyed;
} probe_t;

/* ---------------------------------------------------------------- helpers */

static napi_value make_error(napi_env env, const char *code, const char *msg, int err) {
  napi_value m, c, e, en;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &c);
  napi_create_error(env, c, m, &e);
  napi_create_int32(env, err, &en);
  napi_set_named_property(env, e, "errno", en);
  return e;
}

static napi_value throw_probe(napi_env env, const char *code, const char *msg, int err) {
  napi_throw(env, make_error(env, code, msg, err));
  return NULL;
}

static int possible_cpus(void) {
  FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
  if (!f) return -1;
  char buf[256];
  int n = 0;
  if (!fgets(buf, sizeof(buf), f)) {
    fclose(f);
    return -1;
  }
  fclose(f);
  char *p = buf;
  while (*p && *p != '\n') {
    long a = strtol(p, &p, 10), b = a;
    if (*p == '-') b = strtol(p + 1, &p, 10);
    if (b + 1 > n) n = (int)(b + 1);
    if (*p == ',') p++;
    else break;
  }
  return n;
}

// Runs of a program the kernel skipped because it was already running on that CPU (bpf_prog_info).
static double prog_misses(int prog_fd) {
  struct bpf_prog_info pi;
  union bpf_attr attr;
  if (prog_fd <= 0) return 0;
  memset(&pi, 0, sizeof(pi));
  memset(&attr, 0, sizeof(attr));
  attr.info.bpf_fd = prog_fd;
  attr.info.info_len = sizeof(pi);
  attr.info.info = (long)&pi;
  if (skel_sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr)) < 0) return 0;
  return (double)pi.recursion_misses;
}

static int map_lookup(int fd, const void *key, void *value) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.map_fd = fd;
  attr.key = (long)key;
  attr.value = (long)value;
  return skel_sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
}

/* ---------------------------------------------------------------- ring buffer reader */

static void chunk_free(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)context;
  chunk_t *c = data;
  if (!env || !c) {
    if (c) {
      free(c->data);
      free(c);
    }
    return;
  }
  napi_value undef, argv[1];
  napi_get_undefined(env, &undef);
  if (c->end) {
    napi_get_null(env, &argv[0]);
    free(c->data);
  } else {
    napi_value ab;
    if (napi_create_external_arraybuffer(env, c->data, c->len, chunk_free, NULL, &ab) != napi_ok) {
      void *copy;
      napi_create_arraybuffer(env, c->len, &copy, &ab);
      memcpy(copy, c->data, c->len);
      free(c->data);
    }
    napi_create_typedarray(env, napi_uint8_array, c->len, ab, 0, &argv[0]);
  }
  free(c);
  napi_call_function(env, undef, js_cb, 1, argv, NULL);
}

// Hands a chunk to JS without waiting; drops it (counting its events) when JS has too much unconsumed data.
// Returns false when JS is gone.
static bool hand_off(probe_t *p, chunk_t *c) {
  if (atomic_load(&p->queued) + c->len > p->max_queued) {
    atomic_fetch_add(&p->dropped_queue, c->count);
    free(c->data);
    free(c);
    return true;
  }
  atomic_fetch_add(&p->queued, c->len);
  if (napi_call_threadsafe_function(p->tsfn, c, napi_tsfn_nonblocking) != napi_ok) {
    free(c->data);
    free(c);
    return false;
  }
  return true;
}

// Copies every committed record into chunks handed to JS; returns false when JS is gone. The consumer position
// (read by every producing CPU) is published every 64 KiB and at the end, not per record.
static bool drain(probe_t *p) {
  unsigned long cons = __atomic_load_n(p->consumer, __ATOMIC_ACQUIRE);
  unsigned long prod = __atomic_load_n(p->producer, __ATOMIC_ACQUIRE);
  unsigned long published = cons;
  const size_t mask = p->rb_size - 1;
  chunk_t *c = NULL;
  while (cons < prod) {
    const uint8_t *hdr = p->rb_data + (cons & mask);
    uint32_t len = __atomic_load_n((const uint32_t *)hdr, __ATOMIC_ACQUIRE);
    if (len & RB_BUSY) break;
    uint32_t n = len & ~(RB_BUSY | RB_DISCARD);
    if (!(len & RB_DISCARD)) {
      if (!c) {
        c = calloc(1, sizeof(*c));
        if (!c) break;
        c->cap = p->chunk_max;
        c->data = malloc(c->cap);
        if (!c->data) {
          free(c);
          c = NULL;
          break;
        }
      }
      if (c->len + n > c->cap) {
        __atomic_store_n(p->consumer, cons, __ATOMIC_RELEASE);
        published = cons;
        bool ok = hand_off(p, c);
        c = NULL;
        if (!ok) return false;
        continue; // re-read the same record into a new chunk
      }
      // The data area is mapped twice back to back, so a record never wraps.
      memcpy(c->data + c->len, hdr + RB_HDR, n);
      c->len += n;
      c->count++;
    }
    cons += (n + RB_HDR + 7) & ~7UL;
    if (cons - published >= (64 << 10)) {
      __atomic_store_n(p->consumer, cons, __ATOMIC_RELEASE);
      published = cons;
    }
    if (cons >= prod) prod = __atomic_load_n(p->producer, __ATOMIC_ACQUIRE);
  }
  if (cons != published) __atomic_store_n(p->consumer, cons, __ATOMIC_RELEASE);
  if (c) {
    if (c->len == 0) {
      free(c->data);
      free(c);
    } else if (!hand_off(p, c)) {
      return false;
    }
  }
  return true;
}

static void *reader_main(void *arg) {
  probe_t *p = arg;
  struct epoll_event evs[2];
  for (;;) {
    bool stop = atomic_load(&p->stopping);
    if (!drain(p)) break;
    if (stop) break;
    epoll_wait(p->epfd, evs, 2, (int)p->poll_ms);
  }
  chunk_t *end = calloc(1, sizeof(*end));
  if (end) {
    end->end = true;
    if (napi_call_threadsafe_function(p->tsfn, end, napi_tsfn_blocking) != napi_ok) free(end);
  }
  napi_release_threadsafe_function(p->tsfn, napi_tsfn_release);
  return NULL;
}

/* ---------------------------------------------------------------- lifecycle */

static void probe_teardown(probe_t *p) {
  if (p->destroyed) return;
  p->destroyed = true;
  if (p->skel && p->skel->bss) p->skel->bss->enabled = 0;
  if (p->thread_started) {
    atomic_store(&p->stopping, true);
    uint64_t one = 1;
    if (write(p->stopfd, &one, sizeof(one)) < 0) { /* the poll timer ends the wait anyway */ }
    pthread_join(p->thread, NULL);
    p->thread_started = false;
  }
  if (p->consumer) munmap((void *)p->consumer, p->page);
  if (p->producer) munmap((void *)p->producer, p->page + 2 * p->rb_size);
  p->consumer = NULL;
  p->producer = NULL;
  if (p->epfd >= 0) close(p->epfd);
  if (p->stopfd >= 0) close(p->stopfd);
  p->epfd = p->stopfd = -1;
  if (p->skel) sysray_probe__destroy(p->skel);
  p->skel = NULL;
}

static void probe_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  probe_t *p = data;
  // Only reached when JS dropped the handle; the thread has ended (it holds a reference through the tsfn).
  probe_teardown(p);
  free(p);
}

static bool get_u32(napi_env env, napi_value obj, const char *name, uint32_t *out) {
  napi_value v;
  bool has = false;
  napi_has_named_property(env, obj, name, &has);
  if (!has) return false;
  napi_get_named_property(env, obj, name, &v);
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_number) return false;
  return napi_get_value_uint32(env, v, out) == napi_ok;
}

// open(options, recipes: Uint8Array, ignoredTgids: Uint32Array, onChunk) -> handle
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return throw_probe(env, "BAD_ARGUMENT", "open(options, recipes, ignored, onChunk)", 0);

  uint32_t snap = 0, wake = 1 << 20, poll_ms = 20, chunk = 4 << 20, proc = 0, ring = SYSRAY_RINGBUF_DEFAULT;
  double max_queued = 256 << 20;
  {
    napi_value v;
    bool has = false;
    napi_has_named_property(env, argv[0], "maxQueuedBytes", &has);
    if (has && napi_get_named_property(env, argv[0], "maxQueuedBytes", &v) == napi_ok)
      napi_get_value_double(env, v, &max_queued);
  }
  get_u32(env, argv[0], "snaplen", &snap);
  get_u32(env, argv[0], "wakeBytes", &wake);
  get_u32(env, argv[0], "pollMs", &poll_ms);
  get_u32(env, argv[0], "chunkBytes", &chunk);
  get_u32(env, argv[0], "procEvents", &proc);
  get_u32(env, argv[0], "ringBytes", &ring);
  if (ring < 4096 || (ring & (ring - 1)) != 0)
    return throw_probe(env, "BAD_OPTIONS", "ringBytes must be a power of two of at least 4096", 0);

  void *rec;
  size_t rec_len;
  napi_typedarray_type tt;
  napi_value rab;
  size_t roff;
  if (napi_get_typedarray_info(env, argv[1], &tt, &rec_len, &rec, &rab, &roff) != napi_ok || tt != napi_uint8_array ||
      rec_len % sizeof(struct sysray_recipe) != 0)
    return throw_probe(env, "BAD_ARGUMENT", "recipes must be a Uint8Array of whole recipe records", 0);
  void *ign;
  size_t ign_len;
  if (napi_get_typedarray_info(env, argv[2], &tt, &ign_len, &ign, &rab, &roff) != napi_ok || tt != napi_uint32_array)
    return throw_probe(env, "BAD_ARGUMENT", "ignored must be a Uint32Array of thread-group ids", 0);

  probe_t *p = calloc(1, sizeof(*p));
  if (!p) return throw_probe(env, "NO_MEMORY", "out of memory", ENOMEM);
  p->epfd = p->stopfd = -1;
  p->poll_ms = poll_ms ? poll_ms : 20;
  p->chunk_max = chunk < (64 << 10) ? (64 << 10) : chunk;
  p->max_queued = max_queued > 0 ? (uint64_t)max_queued : 0;
  p->page = (size_t)sysconf(_SC_PAGESIZE);
  p->ncpus = possible_cpus();

  p->skel = sysray_probe__open();
  if (!p->skel) {
    free(p);
    return throw_probe(env, "NO_MEMORY", "cannot allocate the probe skeleton", ENOMEM);
  }
  p->skel->maps.rb.max_entries = ring; // the loader program creates the map with this size
  p->rb_size = ring;
  errno = 0;
  int err = sysray_probe__load(p->skel);
  if (err) {
    int e = errno ? errno : (err < 0 ? -err : err);
    char msg[256];
    snprintf(msg, sizeof(msg), "the kernel refused to load the eBPF probe: %s (errno %d)", strerror(e), e);
    probe_teardown(p);
    free(p);
    return throw_probe(env, e == EPERM ? "NOT_PERMITTED" : "LOAD_REFUSED", msg, e);
  }
  struct timespec rt, bt;
  clock_gettime(CLOCK_REALTIME, &rt);
  clock_gettime(CLOCK_BOOTTIME, &bt);
  p->skel->bss->boot_to_epoch = (uint64_t)((rt.tv_sec - bt.tv_sec) * 1000000000LL + (rt.tv_nsec - bt.tv_nsec));
  p->skel->bss->snaplen = snap;
  p->skel->bss->proc_events = proc;
  p->skel->data->wake_bytes = wake;

  struct sysray_recipe *rs = rec;
  for (size_t i = 0; i < rec_len / sizeof(*rs); i++) {
    __u32 nr = i;
    if (!rs[i].type) continue;
    if (skel_map_update_elem(p->skel->maps.recipes.map_fd, &nr, &rs[i], 0) < 0) {
      int e = errno;
      probe_teardown(p);
      free(p);
      return throw_probe(env, "LOAD_REFUSED", "cannot write the syscall recipes map", e);
    }
  }
  uint32_t *tg = ign;
  for (size_t i = 0; i < ign_len; i++) {
    __u8 one = 1;
    if (skel_map_update_elem(p->skel->maps.ignored.map_fd, &tg[i], &one, 0) < 0) {
      int e = errno;
      probe_teardown(p);
      free(p);
      return throw_probe(env, "LOAD_REFUSED", "cannot write the ignored-process map", e);
    }
  }
  p->skel->bss->self_tgid = ign_len > 0 ? tg[0] : 0;
  p->skel->bss->ignore_more = ign_len > 1;

  // Ring buffer: consumer page (rw), then producer page + data mapped twice (ro).
  p->rb_fd = p->skel->maps.rb.map_fd;
  void *cons = mmap(NULL, p->page, PROT_READ | PROT_WRITE, MAP_SHARED, p->rb_fd, 0);
  void *prod = mmap(NULL, p->page + 2 * p->rb_size, PROT_READ, MAP_SHARED, p->rb_fd, (off_t)p->page);
  if (cons == MAP_FAILED || prod == MAP_FAILED) {
    int e = errno;
    if (cons != MAP_FAILED) munmap(cons, p->page);
    if (prod != MAP_FAILED) munmap(prod, p->page + 2 * p->rb_size);
    probe_teardown(p);
    free(p);
    return throw_probe(env, "LOAD_REFUSED", "cannot map the ring buffer", e);
  }
  p->consumer = cons;
  p->producer = prod;
  p->rb_data = (const uint8_t *)prod + p->page;

  p->epfd = epoll_create1(EPOLL_CLOEXEC);
  p->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  // Edge-triggered: the ring buffer reports readable whenever it holds data, so a level-triggered wait would
  // return at once after every drain (a busy loop at high rates); edge-triggered, it returns on the probe's
  // wakeups (every wakeBytes per CPU) or the poll timer.
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET};
  ev.data.fd = p->rb_fd;
  epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->rb_fd, &ev);
  ev.data.fd = p->stopfd;
  epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->stopfd, &ev);

  if (sysray_probe__attach(p->skel) < 0) {
    int e = errno;
    char msg[256];
    snprintf(msg, sizeof(msg), "the kernel refused to attach the probe to the syscall tracepoints: %s (errno %d)",
             strerror(e), e);
    probe_teardown(p);
    free(p);
    return throw_probe(env, e == EPERM ? "NOT_PERMITTED" : "ATTACH_REFUSED", msg, e);
  }

  napi_value name;
  napi_create_string_utf8(env, "sysray-probe-reader", NAPI_AUTO_LENGTH, &name);
  // no count limit on the queue (0): the bound is max_queued bytes, checked by the reader
  if (napi_create_threadsafe_function(env, argv[3], NULL, name, 0, 1, NULL, NULL, p, call_js, &p->tsfn) != napi_ok) {
    probe_teardown(p);
    free(p);
    return throw_probe(env, "INTERNAL", "cannot create the delivery function", 0);
  }
  p->skel->bss->enabled = 1;
  if (pthread_create(&p->thread, NULL, reader_main, p) != 0) {
    int e = errno;
    napi_release_threadsafe_function(p->tsfn, napi_tsfn_abort);
    probe_teardown(p);
    free(p);
    return throw_probe(env, "INTERNAL", "cannot start the reader thread", e);
  }
  p->thread_started = true;

  napi_value handle;
  napi_create_object(env, &handle);
  napi_wrap(env, handle, p, probe_finalize, NULL, NULL);
  return handle;
}

static probe_t *unwrap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *p = NULL;
  if (argc < 1 || napi_unwrap(env, argv[0], &p) != napi_ok || !p) {
    throw_probe(env, "BAD_ARGUMENT", "not a probe handle", 0);
    return NULL;
  }
  return p;
}

// stats(handle) -> one array per counter (emitted, ring-buffer-full drops, oversize drops, pending bytes), each
// with one number per possible CPU, then the programs' recursion misses (events the kernel never ran them for),
// then the events of the chunks dropped because JS had more than maxQueuedBytes unconsumed.
static napi_value js_stats(napi_env env, napi_callback_info info) {
  probe_t *p = unwrap(env, info);
  if (!p) return NULL;
  napi_value arr;
  napi_create_array_with_length(env, SYSRAY_NCOUNTERS, &arr);
  int n = p->ncpus > 0 ? p->ncpus : 0;
  uint64_t *vals = n ? calloc((size_t)n, sizeof(uint64_t)) : NULL;
  for (uint32_t k = 0; k < SYSRAY_NCOUNTERS; k++) {
    napi_value per;
    napi_create_array_with_length(env, (size_t)n, &per);
    if (vals) memset(vals, 0, (size_t)n * sizeof(uint64_t));
    if (p->skel && vals) map_lookup(p->skel->maps.counters.map_fd, &k, vals);
    for (int c = 0; c < n; c++) {
      napi_value v;
      napi_create_double(env, vals ? (double)vals[c] : 0, &v);
      napi_set_element(env, per, (uint32_t)c, v);
    }
    napi_set_element(env, arr, k, per);
  }
  free(vals);
  napi_value misses;
  double m = 0;
  if (p->skel) m = prog_misses(p->skel->progs.sysray_exit.prog_fd) + prog_misses(p->skel->progs.sysray_procexit.prog_fd);
  napi_create_double(env, m, &misses);
  napi_set_element(env, arr, SYSRAY_NCOUNTERS, misses);
  napi_value dq;
  napi_create_double(env, (double)atomic_load(&p->dropped_queue), &dq);
  napi_set_element(env, arr, SYSRAY_NCOUNTERS + 1, dq);
  return arr;
}

// stop(handle): disables the probe, then the thread drains what is left, delivers the end marker and exits.
// Detaching and freeing happen in close() once JS saw the end marker.
static napi_value js_stop(napi_env env, napi_callback_info info) {
  probe_t *p = unwrap(env, info);
  if (!p) return NULL;
  if (p->skel && p->skel->bss) p->skel->bss->enabled = 0;
  if (p->skel) sysray_probe__detach(p->skel);
  if (p->skel) {
    p->skel->links.sysray_exit_fd = 0;
    p->skel->links.sysray_procexit_fd = 0;
  }
  atomic_store(&p->stopping, true);
  uint64_t one = 1;
  if (p->stopfd >= 0 && write(p->stopfd, &one, sizeof(one)) < 0) { /* the poll timer ends the wait */ }
  return NULL;
}

// consumed(handle, bytes): JS took `bytes` of delivered chunks off its queue.
static napi_value js_consumed(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *h = NULL;
  double bytes = 0;
  if (argc < 2 || napi_unwrap(env, argv[0], &h) != napi_ok || !h || napi_get_value_double(env, argv[1], &bytes) != napi_ok)
    return throw_probe(env, "BAD_ARGUMENT", "consumed(handle, bytes)", 0);
  probe_t *p = h;
  uint64_t n = bytes > 0 ? (uint64_t)bytes : 0, cur = atomic_load(&p->queued);
  while (!atomic_compare_exchange_weak(&p->queued, &cur, cur > n ? cur - n : 0)) {
  }
  return NULL;
}

// close(handle): after the end marker; joins the thread and frees the kernel objects.
static napi_value js_close(napi_env env, napi_callback_info info) {
  probe_t *p = unwrap(env, info);
  if (!p) return NULL;
  probe_teardown(p);
  return NULL;
}

static napi_value js_possible_cpus(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_int32(env, possible_cpus(), &v);
  return v;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, js_stop, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
      {"consumed", NULL, js_consumed, NULL, NULL, NULL, napi_default, NULL},
      {"possibleCpus", NULL, js_possible_cpus, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  napi_value v;
  napi_create_uint32(env, sizeof(struct sysray_recipe), &v);
  napi_set_named_property(env, exports, "recipeSize", v);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
