/* The C side of the benchmark: drives a plugin's next_batch in a loop, as a C host would, and touches every
 * event (copies it into a buffer, as the Node host does). Prints events/s. Usage: driver PLUGIN.so CONFIG */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../native/plugin_abi.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
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
  unsigned long long events = 0, bytes = 0;
  double t0 = now();
  for (;;) {
    uint32_t n = 0;
    sr_event **evts = NULL;
    rc = next(s, inst, &n, &evts);
    if (rc != SR_SUCCESS) break;
    size_t off = 0;
    for (uint32_t i = 0; i < n; i++) {
      memcpy(buf + off, evts[i], evts[i]->len);
      off += evts[i]->len;
      bytes += evts[i]->len;
    }
    events += n;
  }
  double t = now() - t0;
  close(s, inst);
  destroy(s);
  printf("{\"events\":%llu,\"bytes\":%llu,\"seconds\":%.6f}\n", events, bytes, t);
  return 0;
}
