/* The C side of the benchmark: drives a plugin's next_batch in a loop, as a C host would, and does what the
 * Node side's consumer does with every event: copies it into a buffer (as the Node host does) and reads its
 * timestamp from the copy (as the JS consumer does through its event cursor). Prints events, bytes, a checksum
 * of the timestamps (the Node side must print the same), wall seconds and the process's CPU seconds.
 * Usage: driver PLUGIN.so CONFIG */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../native/plugin_abi.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
         (double)u.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) {
    fprintf(stderr, "%s\n", dlerror());
    return 1;
  }
  sr_init_fn init = (sr_init_fn)dlsym(h, "plugin_init");
  sr_open_fn open = (sr_open_fn)dlsym(h, "plugin_open");
  sr_next_batch_fn next = (sr_next_batch_fn)dlsym(h, "plugin_next_batch");
  sr_close_fn close = (sr_close_fn)dlsym(h, "plugin_close");
  sr_destroy_fn destroy = (sr_destroy_fn)dlsym(h, "plugin_destroy");
  sr_init_input in;
  memset(&in, 0, sizeof in);
  in.config = argv[2];
  int32_t rc;
  sr_state *s = init(&in, &rc);
  sr_instance *inst = open(s, "", &rc);
  static unsigned char buf[1 << 20];
  unsigned long long events = 0, bytes = 0, sum = 0;
  double c0 = cpu();
  double t0 = now();
  for (;;) {
    uint32_t n = 0;
    sr_event **evts = NULL;
    rc = next(s, inst, &n, &evts);
    if (rc != SR_SUCCESS) break;
    size_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
      memcpy(buf + off, evts[i], evts[i]->len);
      uint64_t ts;
      memcpy(&ts, buf + off, 8);
      sum ^= ts;
      off += evts[i]->len;
      bytes += evts[i]->len;
    }
    events += n;
  }
  double t = now() - t0;
  double c = cpu() - c0;
  close(s, inst);
  destroy(s);
  printf("{\"events\":%llu,\"bytes\":%llu,\"checksum\":\"%llu\",\"seconds\":%.6f,\"cpu\":%.6f}\n", events, bytes,
         sum, t, c);
  return 0;
}
