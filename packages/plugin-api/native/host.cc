// Native host for Falco plugins (plugin API 3.x): loads a shared library, checks its API version and symbols,
// runs next_batch on a worker thread and hands JS one buffer of scap event blocks per batch. Every failure
// becomes a JS Error with a `code` (and `lastError`, `rc` when the plugin said something).
#include <napi.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "plugin_abi.h"
#include "plugin_call.h"
#include "tables.h"

namespace sysray {
__thread PluginCallMark* tls_call __attribute__((tls_model("initial-exec"))) = nullptr;
}  // namespace sysray

namespace {

constexpr uint32_t kPluginEventType = 322;
constexpr uint32_t kBlockType = 0x221;  // EV_V2_LARGE
constexpr uint32_t kHeader = 26;
constexpr uint64_t kMaxPayload = 64u << 20;
constexpr uint64_t kMaxEventsPerBatch = 1u << 20;
constexpr uint64_t kMaxListValues = 1u << 16;
constexpr uint32_t kGatherEvents = 16384;
constexpr size_t kGatherBytes = 8u << 20;
constexpr uint64_t kGatherNs = 5000000;

Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& msg, const char* last = nullptr,
                      int rc = 0, bool has_rc = false) {
  Napi::Error e = Napi::Error::New(env, msg);
  e.Set("code", Napi::String::New(env, code));
  if (last != nullptr && last[0] != '\0') e.Set("lastError", Napi::String::New(env, last));
  if (has_rc) e.Set("rc", Napi::Number::New(env, rc));
  return e;
}


// Crash reports. A plugin runs inside this process, so a fault in its code (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
// or its own abort()) cannot be survived; it must not go unexplained either. Every call into plugin code is
// marked on its thread; a fatal signal during such a call prints which plugin crashed in which call, then
// dies of that signal as it would have. Signals outside plugin calls go to the handlers installed before
// ours (V8's, or the default).
using sysray::PluginCall;
using sysray::PluginCallMark;
using sysray::tls_call;

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
struct sigaction g_previous[64];

void WriteAll(const char* s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(2, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

const char* SignalName(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    default: return "a fatal signal";
  }
}

void OnFatalSignal(int sig, siginfo_t* info, void* context) {
  PluginCallMark* mark = tls_call;
  if (mark != nullptr) {
    WriteAll("sysray plugin-api: plugin ");
    WriteAll(mark->plugin);
    WriteAll(" crashed with ");
    WriteAll(SignalName(sig));
    WriteAll(" in plugin_");
    WriteAll(mark->call);
    WriteAll("; a crash inside a plugin ends the process that hosts it\n");
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  const struct sigaction& prev = g_previous[sig];
  if ((prev.sa_flags & SA_SIGINFO) != 0 && prev.sa_sigaction != nullptr) {
    prev.sa_sigaction(sig, info, context);
  } else if (prev.sa_handler == SIG_IGN) {
    return;
  } else if (prev.sa_handler == SIG_DFL || prev.sa_handler == nullptr) {
    signal(sig, SIG_DFL);
    raise(sig);
  } else {
    prev.sa_handler(sig);
  }
}

void InstallCrashReporter() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  for (int sig : kFatalSignals) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = OnFatalSignal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, &g_previous[sig]);
  }
}

std::string SafeStr(const char* s) { return s == nullptr ? std::string() : std::string(s); }

using sysray::OwnerInfo;

uint64_t NowNsAsync() {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
}

const char* const kSeverities[] = {"?", "fatal", "critical", "error", "warning", "notice", "info", "debug", "trace"};

// The log function plugins get in their init input (3.3+: the owner comes first; a NULL component means the
// plugin itself). Printed to stderr when SYSRAY_PLUGIN_LOG is set.
void LogToStderr(sr_owner* owner, const char* component, const char* msg, int severity) {
  static const bool enabled = getenv("SYSRAY_PLUGIN_LOG") != nullptr;
  if (!enabled || msg == nullptr) return;
  const OwnerInfo* o = static_cast<const OwnerInfo*>(owner);
  const char* who = component != nullptr ? component : (o != nullptr ? o->name.c_str() : "?");
  const char* sev = severity >= 1 && severity <= 8 ? kSeverities[severity] : kSeverities[0];
  fprintf(stderr, "[plugin %s] %s: %s\n", who, sev, msg);
}

// What the host last failed at on this thread in a call a plugin made (state tables), for the plugin to read.
const char* OwnerLastError(sr_owner*) {
  const std::string& e = sysray::LastTableError();
  return e.empty() ? nullptr : e.c_str();
}

// The plugin's symbols, resolved with dlsym into the reference symbol-table layout (see plugin_abi.h).
using Api = sr_plugin_api;

// ---- Routines (capture listening, API 3.12 layout): a plugin subscribes functions in capture_open (or later);
// each runs on a thread of its own, called again and again until it returns false or is unsubscribed. What the
// host does when a routine keeps running: it stops the plugin's routines after its capture_close and before
// its destroy.
struct Routine {
  std::thread thread;
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  sr_routine_fn fn = nullptr;
  sr_routine_state* arg = nullptr;
  sr_state* state = nullptr;
  std::string label;
};

struct RoutineOwner {
  sr_state* state = nullptr;  // the plugin's state while it is initialised
  std::string label;
  std::vector<std::unique_ptr<Routine>> routines;
};

std::mutex g_routines_mu;
std::map<const void*, RoutineOwner> g_routines;  // by owner id (the Plugin)

void RunRoutine(Routine* r) {
  PluginCall call(r->label, "routine");
  while (!r->stop.load(std::memory_order_acquire)) {
    if (r->fn(r->state, r->arg) == 0) break;
    std::this_thread::yield();
  }
  r->done.store(true, std::memory_order_release);
}

sr_routine* SubscribeRoutine(sr_owner* o, sr_routine_fn f, sr_routine_state* i) {
  const OwnerInfo* owner = static_cast<const OwnerInfo*>(o);
  if (owner == nullptr || f == nullptr) {
    sysray::SetTableError("subscribe: NULL owner or routine function");
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(g_routines_mu);
  auto it = g_routines.find(owner->id);
  if (it == g_routines.end() || it->second.state == nullptr) {
    sysray::SetTableError("subscribe: the plugin is not initialised");
    return nullptr;
  }
  auto r = std::make_unique<Routine>();
  r->fn = f;
  r->arg = i;
  r->state = it->second.state;
  r->label = it->second.label;
  Routine* raw = r.get();
  raw->thread = std::thread(RunRoutine, raw);
  it->second.routines.push_back(std::move(r));
  return raw;
}

// Stops and joins one routine (a routine that unsubscribes itself is detached: it ends after its call).
void StopRoutine(Routine* r) {
  r->stop.store(true, std::memory_order_release);
  if (r->thread.joinable()) {
    if (r->thread.get_id() == std::this_thread::get_id())
      r->thread.detach();
    else
      r->thread.join();
  }
}

int32_t UnsubscribeRoutine(sr_owner* o, sr_routine* handle) {
  const OwnerInfo* owner = static_cast<const OwnerInfo*>(o);
  std::unique_ptr<Routine> victim;
  {
    std::lock_guard<std::mutex> lock(g_routines_mu);
    auto it = owner == nullptr ? g_routines.end() : g_routines.find(owner->id);
    if (it == g_routines.end()) {
      sysray::SetTableError("unsubscribe: unknown owner");
      return SR_FAILURE;
    }
    auto& list = it->second.routines;
    for (auto r = list.begin(); r != list.end(); ++r)
      if (r->get() == handle) {
        victim = std::move(*r);
        list.erase(r);
        break;
      }
  }
  if (!victim) {
    sysray::SetTableError("unsubscribe: not a routine of this plugin");
    return SR_FAILURE;
  }
  bool self = victim->thread.joinable() && victim->thread.get_id() == std::this_thread::get_id();
  StopRoutine(victim.get());
  if (self) victim.release();  // still running its last call on this thread: leaked on purpose, tiny
  return SR_SUCCESS;
}

// Stops every routine of a plugin (after capture_close, before destroy). Returns how many were running.
size_t StopRoutines(const void* owner_id) {
  std::vector<std::unique_ptr<Routine>> stopping;
  {
    std::lock_guard<std::mutex> lock(g_routines_mu);
    auto it = g_routines.find(owner_id);
    if (it == g_routines.end()) return 0;
    stopping.swap(it->second.routines);
  }
  for (auto& r : stopping) StopRoutine(r.get());
  return stopping.size();
}

size_t RoutineCount(const void* owner_id) {
  std::lock_guard<std::mutex> lock(g_routines_mu);
  auto it = g_routines.find(owner_id);
  if (it == g_routines.end()) return 0;
  size_t n = 0;
  for (auto& r : it->second.routines) n += r->done.load() ? 0 : 1;
  return n;
}

sr_routine_vtable g_routine_vtable = {SubscribeRoutine, UnsubscribeRoutine};

// ---- Event schema (API 3.12 get_required_event_schema_version). The scap event table this project implements
// (@sysray/pcapng/scap) records no libs schema version, so the host claims only the schema-3 baseline: 3.0.0,
// the version Falco assumes for a plugin that does not say. A plugin that consumes syscall events and requires
// more is refused, as Falco refuses one that requires more than its driver's schema.
constexpr unsigned kEventSchemaMajor = 3;
constexpr unsigned kEventSchemaMinor = 0;
constexpr unsigned kEventSchemaPatch = 0;

std::string EventSchemaVersion() {
  return std::to_string(kEventSchemaMajor) + "." + std::to_string(kEventSchemaMinor) + "." +
         std::to_string(kEventSchemaPatch);
}

// Whether a plugin with this source list (the JSON array get_*_event_sources returned, or NULL) takes syscall
// events: a list that names "syscall", or no list / an empty one for a plugin without an event source of its
// own (a plugin with one takes its own source then, as Falco adds it).
bool SourcesIncludeSyscall(const char* json, bool has_own_source) {
  bool empty = json == nullptr;
  if (!empty) {
    const char* p = json;
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    if (*p == '\0') empty = true;
    if (*p == '[') {
      const char* q = p + 1;
      while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
      if (*q == ']') empty = true;
    }
  }
  if (empty) return !has_own_source;
  return strstr(json, "\"syscall\"") != nullptr;
}

// Whether an event-type list (get_*_event_types) lets syscall events through: no list, an empty list, or any
// type other than the plugin event.
bool TypesIncludeSyscall(sr_get_event_types_fn get, sr_state* s) {
  if (get == nullptr) return true;
  uint32_t n = 0;
  uint16_t* types = get(&n, s);
  if (types == nullptr || n == 0) return true;
  for (uint32_t i = 0; i < n; i++)
    if (types[i] != kPluginEventType) return true;
  return false;
}

// ---- Async events (set_async_event_handler, dump_state). A plugin sends async events (type 402: plugin id,
// name, data) from threads of its own through the handler the host gives it; the host checks each one (type,
// three parameters, lengths that add up, a 4-byte plugin id that is 0 or the plugin's, a NUL-terminated name
// the plugin listed in get_async_events, the payload cap), copies it as an event block into the plugin's queue
// and wakes JS, which takes the queued blocks as one batch. dump_state calls the same handler synchronously:
// on the JS thread, events go to the dump collector of that call instead.
constexpr uint32_t kAsyncEventType = 402;
constexpr size_t kMaxAsyncQueue = 1u << 16;  // events waiting for JS; more are refused (the plugin is told)

struct AsyncQueue {
  std::mutex mu;
  std::vector<uint8_t> blocks;
  uint32_t count = 0;
  uint64_t dropped = 0;
  bool active = false;
  uint32_t plugin_id = 0;
  std::vector<std::string> names;
  Napi::ThreadSafeFunction tsfn;
  bool wake_pending = false;
};

std::mutex g_async_mu;
std::map<const void*, std::shared_ptr<AsyncQueue>> g_async;  // by owner id

struct DumpCollector {
  const void* owner_id;
  AsyncQueue* queue;  // names and plugin id to check against
  std::vector<uint8_t> blocks;
  uint32_t count = 0;
};
thread_local DumpCollector* t_dump = nullptr;

void SetErr(char* err, const std::string& msg) {
  if (err == nullptr) return;
  size_t n = msg.size() < SYSRAY_MAX_ERRLEN - 1 ? msg.size() : SYSRAY_MAX_ERRLEN - 1;
  memcpy(err, msg.data(), n);
  err[n] = '\0';
}

// Checks an async event; returns "" when it is good, else why not.
std::string CheckAsyncEvent(const sr_event* e, uint32_t plugin_id, const std::vector<std::string>& names) {
  if (e == nullptr) return "NULL event";
  if (e->type != kAsyncEventType) return "not an async event (type " + std::to_string(e->type) + ", not 402)";
  if (e->nparams != 3) return "an async event has 3 parameters, not " + std::to_string(e->nparams);
  if (e->len < kHeader + 12 + 4 + 1 || e->len > kHeader + 12 + 4 + 1024 + kMaxPayload) return "bad event length";
  const uint8_t* p = reinterpret_cast<const uint8_t*>(e);
  uint32_t l0, l1, l2, id;
  memcpy(&l0, p + kHeader, 4);
  memcpy(&l1, p + kHeader + 4, 4);
  memcpy(&l2, p + kHeader + 8, 4);
  if (l0 != 4) return "plugin id parameter is not 4 bytes";
  if (static_cast<uint64_t>(kHeader) + 12 + l0 + l1 + l2 != e->len) return "parameter lengths do not add up";
  memcpy(&id, p + kHeader + 12, 4);
  if (id != 0 && id != plugin_id) return "carries another plugin's id";
  const char* name = reinterpret_cast<const char*>(p + kHeader + 16);
  if (l1 == 0 || name[l1 - 1] != '\0' || strlen(name) + 1 != l1) return "name is not a NUL-terminated string";
  for (const auto& n : names)
    if (n == name) return std::string();
  return std::string("event name '") + name + "' is not one the plugin lists in get_async_events";
}

// Appends the event as an EV_V2_LARGE block (ts stamped when the plugin left it UINT64_MAX, plugin id set).
void AppendAsyncBlock(std::vector<uint8_t>* out, const sr_event* e, uint32_t plugin_id) {
  uint32_t block = (14 + e->len + 3) & ~3u;
  size_t off = out->size();
  out->resize(off + block, 0);
  uint8_t* b = out->data() + off;
  memcpy(b, &kBlockType, 4);
  memcpy(b + 4, &block, 4);
  memcpy(b + 10, e, e->len);
  uint64_t ts;
  memcpy(&ts, b + 10, 8);
  if (ts == UINT64_MAX) {
    ts = NowNsAsync();
    memcpy(b + 10, &ts, 8);
  }
  memcpy(b + 10 + kHeader + 12, &plugin_id, 4);
  memcpy(b + block - 4, &block, 4);
}

int32_t OnAsyncEvent(sr_owner* o, const sr_event* e, char* err) {
  const OwnerInfo* owner = static_cast<const OwnerInfo*>(o);
  if (owner == nullptr) {
    SetErr(err, "async event with a NULL owner");
    return SR_FAILURE;
  }
  if (t_dump != nullptr && t_dump->owner_id == owner->id) {
    std::string why = CheckAsyncEvent(e, t_dump->queue->plugin_id, t_dump->queue->names);
    if (!why.empty()) {
      SetErr(err, "malformed async event from plugin '" + owner->name + "': " + why);
      return SR_FAILURE;
    }
    AppendAsyncBlock(&t_dump->blocks, e, t_dump->queue->plugin_id);
    t_dump->count++;
    return SR_SUCCESS;
  }
  std::shared_ptr<AsyncQueue> q;
  {
    std::lock_guard<std::mutex> lock(g_async_mu);
    auto it = g_async.find(owner->id);
    if (it != g_async.end()) q = it->second;
  }
  if (!q) {
    SetErr(err, "async event sent without a handler set: plugin '" + owner->name + "'");
    return SR_FAILURE;
  }
  std::string why = CheckAsyncEvent(e, q->plugin_id, q->names);
  if (!why.empty()) {
    SetErr(err, "malformed async event from plugin '" + owner->name + "': " + why);
    return SR_FAILURE;
  }
  {
    // The wake-up is queued under the lock: DropAsync marks the queue inactive under it before releasing the
    // thread-safe function, so no call can reach a released one.
    std::lock_guard<std::mutex> lock(q->mu);
    if (!q->active) {
      SetErr(err, "async event sent after the handler was reset: plugin '" + owner->name + "'");
      return SR_FAILURE;
    }
    if (q->count >= kMaxAsyncQueue) {
      q->dropped++;
      SetErr(err, "async event queue full: plugin '" + owner->name + "'");
      return SR_FAILURE;
    }
    AppendAsyncBlock(&q->blocks, e, q->plugin_id);
    q->count++;
    if (!q->wake_pending) {
      q->wake_pending = true;
      q->tsfn.NonBlockingCall();
    }
  }
  return SR_SUCCESS;
}

struct PreparedField {
  uint32_t id;
  std::string name;
  std::string arg_key;
  bool has_key;
  uint64_t arg_index;
  bool arg_present;
  uint32_t ftype;
  bool is_list;
};

class Capture;

class Plugin : public Napi::ObjectWrap<Plugin> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativePlugin",
                       {
                           InstanceMethod("info", &Plugin::Info),
                           InstanceMethod("init", &Plugin::Init),
                           InstanceMethod("lastError", &Plugin::LastError),
                           InstanceMethod("listOpenParams", &Plugin::ListOpenParams),
                           InstanceMethod("open", &Plugin::Open),
                           InstanceMethod("eventToString", &Plugin::EventToString),
                           InstanceMethod("prepareField", &Plugin::PrepareField),
                           InstanceMethod("extract", &Plugin::Extract),
                           InstanceMethod("setConfig", &Plugin::SetConfig),
                           InstanceMethod("parse", &Plugin::Parse),
                           InstanceMethod("metrics", &Plugin::Metrics),
                           InstanceMethod("captureOpen", &Plugin::CaptureOpen),
                           InstanceMethod("captureClose", &Plugin::CaptureClose),
                           InstanceMethod("routines", &Plugin::Routines),
                           InstanceMethod("asyncStart", &Plugin::AsyncStart),
                           InstanceMethod("asyncTake", &Plugin::AsyncTake),
                           InstanceMethod("asyncStop", &Plugin::AsyncStop),
                           InstanceMethod("dumpState", &Plugin::DumpState),
                           InstanceMethod("destroy", &Plugin::Destroy),
                       });
  }

  Plugin(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Plugin>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) {
      MakeError(env, "USAGE", "NativePlugin(path): path must be a string").ThrowAsJavaScriptException();
      return;
    }
    path_ = info[0].As<Napi::String>().Utf8Value();
    label_ = "'" + path_ + "'";
    InstallCrashReporter();
    {
      PluginCall call(label_, "load (dlopen and library constructors)");
      handle_ = dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
    }
    if (handle_ == nullptr) {
      MakeError(env, "LOAD_FAILED", "cannot load plugin " + path_ + ": " + SafeStr(dlerror()))
          .ThrowAsJavaScriptException();
      return;
    }
#define SR_SYM(field) api_.field = reinterpret_cast<decltype(api_.field)>(dlsym(handle_, "plugin_" #field))
    SR_SYM(get_required_api_version);
    SR_SYM(get_init_schema);
    SR_SYM(init);
    SR_SYM(destroy);
    SR_SYM(get_last_error);
    SR_SYM(get_name);
    SR_SYM(get_description);
    SR_SYM(get_contact);
    SR_SYM(get_version);
    SR_SYM(get_id);
    SR_SYM(get_event_source);
    SR_SYM(open);
    SR_SYM(close);
    SR_SYM(list_open_params);
    SR_SYM(get_progress);
    SR_SYM(event_to_string);
    SR_SYM(next_batch);
    SR_SYM(get_extract_event_types);
    SR_SYM(get_extract_event_sources);
    SR_SYM(get_fields);
    SR_SYM(extract_fields);
    SR_SYM(parse_event);
    SR_SYM(get_parse_event_sources);
    SR_SYM(get_async_events);
    SR_SYM(set_async_event_handler);
    SR_SYM(set_config);
    SR_SYM(get_parse_event_types);
    SR_SYM(get_async_event_sources);
    SR_SYM(dump_state);
    SR_SYM(get_metrics);
    SR_SYM(capture_open);
    SR_SYM(capture_close);
    SR_SYM(get_required_event_schema_version);
#undef SR_SYM
    // The required API version is checked first, as Falco does: same major, minor not above ours, and with
    // the same minor a patch not above ours.
    if (api_.get_required_api_version == nullptr) {
      Fail(env, "MISSING_SYMBOL", "plugin_get_required_api_version symbol not implemented");
      return;
    }
    const char* ver;
    {
      PluginCall call(label_, "get_required_api_version");
      ver = api_.get_required_api_version();
    }
    unsigned major = 0, minor = 0, patch = 0;
    if (ver == nullptr || sscanf(ver, "%u.%u.%u", &major, &minor, &patch) != 3) {
      Fail(env, "API_VERSION", "plugin provided an invalid required API version: '" + SafeStr(ver) + "'");
      return;
    }
    required_api_ = ver;
    const char* why = nullptr;
    if (major != SYSRAY_API_MAJOR)
      why = "major versions disagree";
    else if (minor > SYSRAY_API_MINOR)
      why = "framework's minor is less than the requested one";
    else if (minor == SYSRAY_API_MINOR && patch > SYSRAY_API_PATCH)
      why = "framework's patch is less than the requested one";
    if (why != nullptr) {
      char buf[256];
      snprintf(buf, sizeof buf, "plugin required API version '%s' not compatible with the framework's API version '%d.%d.%d': %s",
               ver, SYSRAY_API_MAJOR, SYSRAY_API_MINOR, SYSRAY_API_PATCH, why);
      Fail(env, "API_VERSION", buf);
      return;
    }
    const char* missing = nullptr;
    if (api_.get_version == nullptr) missing = "plugin_get_version";
    else if (api_.get_name == nullptr) missing = "plugin_get_name";
    else if (api_.get_description == nullptr) missing = "plugin_get_description";
    else if (api_.get_contact == nullptr) missing = "plugin_get_contact";
    else if (api_.init == nullptr) missing = "plugin_init";
    else if (api_.destroy == nullptr) missing = "plugin_destroy";
    else if (api_.get_last_error == nullptr) missing = "plugin_get_last_error";
    if (missing != nullptr) {
      Fail(env, "MISSING_SYMBOL", std::string("required symbol ") + missing + " not implemented");
      return;
    }
    {
      PluginCall call(label_, "get_name, get_event_source or get_id");
      name_ = SafeStr(api_.get_name());
      if (api_.get_event_source != nullptr) source_ = SafeStr(api_.get_event_source());
      if (api_.get_id != nullptr) id_ = api_.get_id();
    }
    label_ = "'" + name_ + "' (" + path_ + ")";
    owner_.id = this;
    owner_.name = name_;
    owner_.label = label_;
    sysray::FillTablesInput(&tables_in_);
  }

  ~Plugin() override {
    // A plugin dropped without destroy(): release its state if nothing runs on it. The library stays mapped.
    if (state_ != nullptr && active_ == 0) {
      StopAsyncForDestroy();
      ForgetRoutines();
      sysray::PluginGone(owner_.id);
      PluginCall call(label_, "destroy");
      api_.destroy(state_);
    }
  }

  const Api& api() const { return api_; }
  /** How crash reports name the plugin. */
  const std::string& label() const { return label_; }
  sr_state* state() const { return state_; }
  uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }
  std::atomic<int> active_{0};
  std::atomic<bool> stopping_{false};  // destroy() was asked while workers run: they stop after their trip

  std::string LastErrorString() {
    if (state_ == nullptr) return std::string();
    PluginCall call(label_, "get_last_error");
    return SafeStr(api_.get_last_error(state_));
  }

  // Called on the main thread after a worker finished.
  void WorkerDone() {
    active_--;
    if (destroy_pending_ && active_ == 0) DoDestroy();
  }

 private:
  void Fail(Napi::Env env, const std::string& code, const std::string& msg) {
    MakeError(env, code, msg).ThrowAsJavaScriptException();
  }

  bool NeedState(Napi::Env env, const char* what) {
    if (state_ == nullptr || destroy_pending_) {
      Fail(env, "BAD_STATE", std::string("plugin '") + name_ + "' is not initialised: cannot " + what);
      return false;
    }
    return true;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    PluginCall call(label_, "get_version, get_description, get_contact, get_fields or get_init_schema");
    // A string-list symbol the plugin may lack: set only when present, null when it returns NULL.
    auto setList = [&](const char* key, sr_get_str_fn get) {
      if (get == nullptr) return;
      const char* v = get();
      o.Set(key, v == nullptr ? env.Null() : Napi::String::New(env, v));
    };
    o.Set("path", path_);
    o.Set("requiredApiVersion", required_api_);
    o.Set("name", name_);
    o.Set("version", SafeStr(api_.get_version()));
    o.Set("description", SafeStr(api_.get_description()));
    o.Set("contact", SafeStr(api_.get_contact()));
    o.Set("hasId", api_.get_id != nullptr);
    o.Set("id", Napi::Number::New(env, id_));
    o.Set("hasEventSource", api_.get_event_source != nullptr);
    o.Set("eventSource", source_);
    o.Set("hasOpen", api_.open != nullptr);
    o.Set("hasClose", api_.close != nullptr);
    o.Set("hasNextBatch", api_.next_batch != nullptr);
    o.Set("hasListOpenParams", api_.list_open_params != nullptr);
    o.Set("hasProgress", api_.get_progress != nullptr);
    o.Set("hasEventToString", api_.event_to_string != nullptr);
    o.Set("hasGetFields", api_.get_fields != nullptr);
    o.Set("hasExtractFields", api_.extract_fields != nullptr);
    o.Set("hasParseEvent", api_.parse_event != nullptr);
    if (api_.parse_event != nullptr) setList("parseEventSources", api_.get_parse_event_sources);
    o.Set("hasAsync", api_.get_async_events != nullptr && api_.set_async_event_handler != nullptr);
    setList("asyncEvents", api_.get_async_events);
    setList("asyncEventSources", api_.get_async_event_sources);
    o.Set("hasSetConfig", api_.set_config != nullptr);
    o.Set("hasMetrics", api_.get_metrics != nullptr);
    o.Set("hasCaptureListen", api_.capture_open != nullptr && api_.capture_close != nullptr);
    o.Set("hasDumpState", api_.dump_state != nullptr);
    if (api_.get_required_event_schema_version != nullptr) {
      const char* v = api_.get_required_event_schema_version(nullptr);  // "s can be NULL"
      if (v != nullptr) o.Set("requiredEventSchemaVersion", v);
    }
    setList("fields", api_.get_fields);
    setList("extractEventSources", api_.get_extract_event_sources);
    if (api_.get_init_schema != nullptr) {
      int32_t type = SR_SCHEMA_NONE;
      const char* s = api_.get_init_schema(&type);
      o.Set("initSchemaType", Napi::Number::New(env, type));
      o.Set("initSchema", s == nullptr ? env.Null() : Napi::String::New(env, s));
    }
    return o;
  }

  Napi::Value Init(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (state_ != nullptr) {
      Fail(env, "BAD_STATE", "plugin '" + name_ + "' is already initialised");
      return env.Undefined();
    }
    std::string config = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    sr_init_input in;
    memset(&in, 0, sizeof in);
    in.config = config.c_str();
    in.owner = &owner_;
    in.get_owner_last_error = OwnerLastError;
    // As Falco: the tables input only for plugins that extract fields or parse events.
    bool wants_tables = (api_.get_fields != nullptr && api_.extract_fields != nullptr) || api_.parse_event != nullptr;
    in.tables = wants_tables ? &tables_in_ : nullptr;
    in.log_fn = LogToStderr;
    int32_t rc = SR_FAILURE;
    sr_state* s;
    {
      PluginCall call(label_, "init");
      s = api_.init(&in, &rc);
    }
    if (rc != SR_SUCCESS || s == nullptr) {
      PluginCall call(label_, "get_last_error or destroy");
      std::string last = s != nullptr ? SafeStr(api_.get_last_error(s)) : std::string();
      sysray::PluginGone(owner_.id);  // tables it added during the failed init go with it
      if (s != nullptr) api_.destroy(s);
      MakeError(env, "INIT_FAILED",
                "init of plugin '" + name_ + "' failed" + (last.empty() ? std::string() : ": " + last) +
                    (rc == SR_SUCCESS ? " (it returned no state)" : ""),
                last.c_str(), rc, true)
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    state_ = s;
    std::string why;
    if (!EventSchemaCompatible(&why)) {
      {
        PluginCall call(label_, "destroy");
        sysray::PluginGone(owner_.id);
        api_.destroy(state_);
      }
      state_ = nullptr;
      Fail(env, "SCHEMA_VERSION", why);
      return env.Undefined();
    }
    {
      std::lock_guard<std::mutex> lock(g_routines_mu);
      RoutineOwner& ro = g_routines[owner_.id];
      ro.state = state_;
      ro.label = label_;
    }
    return env.Undefined();
  }

  // The event schema check of API 3.12, after init as Falco does it (the plugin may answer from its state): only
  // for a plugin that extracts fields from or parses syscall events (by its sources and event types); a
  // version it does not give is 3.0.0. Same major as the host's schema, minor not above it.
  bool EventSchemaCompatible(std::string* why) {
    PluginCall call(label_, "get_required_event_schema_version or get_*_event_types");
    bool has_own_source = api_.get_event_source != nullptr && api_.get_id != nullptr && id_ != 0 && !source_.empty();
    bool extracts = api_.get_fields != nullptr && api_.extract_fields != nullptr &&
                    SourcesIncludeSyscall(api_.get_extract_event_sources != nullptr ? api_.get_extract_event_sources()
                                                                                     : nullptr,
                                          has_own_source) &&
                    TypesIncludeSyscall(api_.get_extract_event_types, state_);
    bool parses = api_.parse_event != nullptr &&
                  SourcesIncludeSyscall(api_.get_parse_event_sources != nullptr ? api_.get_parse_event_sources() : nullptr,
                                        has_own_source) &&
                  TypesIncludeSyscall(api_.get_parse_event_types, state_);
    if (!extracts && !parses) return true;
    const char* v = api_.get_required_event_schema_version != nullptr ? api_.get_required_event_schema_version(state_)
                                                                      : nullptr;
    if (v == nullptr) return true;  // 3.0.0
    unsigned major = 0, minor = 0, patch = 0;
    char tail = 0;
    if (sscanf(v, "%u.%u.%u%c", &major, &minor, &patch, &tail) != 3) {
      *why = "plugin '" + name_ + "' provided an invalid required event schema version: '" + v + "'";
      return false;
    }
    const char* reason = nullptr;
    if (major != kEventSchemaMajor)
      reason = "major versions disagree";
    else if (minor > kEventSchemaMinor)
      reason = "the host's event schema minor is less than the requested one";
    if (reason == nullptr) return true;
    *why = "plugin '" + name_ + "' requires event schema version '" + v +
           "', not compatible with the host's event schema version '" + EventSchemaVersion() + "': " + reason;
    return false;
  }

  // asyncStart(names, wake): sets the async event handler (names: what get_async_events listed; wake: called,
  // on the JS thread, when events wait in the queue).
  Napi::Value AsyncStart(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!NeedState(env, "send async events")) return env.Undefined();
    if (api_.set_async_event_handler == nullptr || api_.get_async_events == nullptr) {
      Fail(env, "NOT_SUPPORTED", "plugin '" + name_ + "' has no async events capability");
      return env.Undefined();
    }
    if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsFunction()) {
      Fail(env, "USAGE", "asyncStart(names, wake)");
      return env.Undefined();
    }
    {
      std::lock_guard<std::mutex> lock(g_async_mu);
      if (g_async.count(owner_.id) != 0) {
        Fail(env, "BAD_STATE", "plugin '" + name_ + "' already has an async event handler: stop it first");
        return env.Undefined();
      }
    }
    auto q = std::make_shared<AsyncQueue>();
    Napi::Array names = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < names.Length(); i++) q->names.push_back(names.Get(i).ToString().Utf8Value());
    q->plugin_id = id_;
    q->active = true;
    std::weak_ptr<AsyncQueue> weak = q;
    q->tsfn = Napi::ThreadSafeFunction::New(env, info[1].As<Napi::Function>(), "sysray async events", 0, 1);
    {
      std::lock_guard<std::mutex> lock(g_async_mu);
      g_async[owner_.id] = q;  // visible before the plugin can start sending
    }
    int32_t rc;
    {
      PluginCall call(label_, "set_async_event_handler");
      rc = api_.set_async_event_handler(state_, &owner_, OnAsyncEvent);
    }
    if (rc != SR_SUCCESS) {
      DropAsync();
      ThrowAsyncFailed(env, "set_async_event_handler of plugin '" + name_ + "'", rc);
    }
    return env.Undefined();
  }

  // An ASYNC_FAILED error: `what` failed with `rc`, with the plugin's last error.
  void ThrowAsyncFailed(Napi::Env env, const std::string& what, int32_t rc) {
    std::string last = LastErrorString();
    MakeError(env, "ASYNC_FAILED", what + " failed" + (last.empty() ? "" : ": " + last), last.c_str(), rc, true)
        .ThrowAsJavaScriptException();
  }

  // asyncTake() → { bytes, count, dropped } of the queued event blocks (count 0 when none).
  Napi::Value AsyncTake(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::shared_ptr<AsyncQueue> q;
    {
      std::lock_guard<std::mutex> lock(g_async_mu);
      auto it = g_async.find(owner_.id);
      if (it != g_async.end()) q = it->second;
    }
    Napi::Object o = Napi::Object::New(env);
    std::vector<uint8_t> blocks;
    uint32_t count = 0;
    uint64_t dropped = 0;
    if (q) {
      std::lock_guard<std::mutex> lock(q->mu);
      blocks.swap(q->blocks);
      count = q->count;
      q->count = 0;
      dropped = q->dropped;
      q->wake_pending = false;
    }
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, blocks.size());
    if (!blocks.empty()) memcpy(ab.Data(), blocks.data(), blocks.size());
    o.Set("bytes", ab);
    o.Set("count", Napi::Number::New(env, count));
    o.Set("dropped", Napi::Number::New(env, static_cast<double>(dropped)));
    return o;
  }

  // asyncStop(): resets the handler (the plugin stops its senders), then drops the queue. Idempotent.
  Napi::Value AsyncStop(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bool had;
    {
      std::lock_guard<std::mutex> lock(g_async_mu);
      had = g_async.count(owner_.id) != 0;
    }
    if (!had) return env.Undefined();
    int32_t rc = SR_SUCCESS;
    if (state_ != nullptr) {
      PluginCall call(label_, "set_async_event_handler");
      rc = api_.set_async_event_handler(state_, &owner_, nullptr);
    }
    DropAsync();
    if (rc != SR_SUCCESS) ThrowAsyncFailed(env, "resetting the async event handler of plugin '" + name_ + "'", rc);
    return env.Undefined();
  }

  void DropAsync() {
    std::shared_ptr<AsyncQueue> q;
    {
      std::lock_guard<std::mutex> lock(g_async_mu);
      auto it = g_async.find(owner_.id);
      if (it == g_async.end()) return;
      q = it->second;
      g_async.erase(it);
    }
    {
      std::lock_guard<std::mutex> lock(q->mu);
      q->active = false;
    }
    q->tsfn.Release();
  }

  // dumpState(names) → { bytes, count }: dump_state with a handler that collects, synchronously.
  Napi::Value DumpState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!NeedState(env, "dump its state")) return env.Undefined();
    if (api_.dump_state == nullptr) {
      Fail(env, "NOT_SUPPORTED", "plugin '" + name_ + "' does not export plugin_dump_state");
      return env.Undefined();
    }
    if (info.Length() < 1 || !info[0].IsArray()) {
      Fail(env, "USAGE", "dumpState(names)");
      return env.Undefined();
    }
    AsyncQueue check;  // the names and plugin id events are checked against
    Napi::Array names = info[0].As<Napi::Array>();
    for (uint32_t i = 0; i < names.Length(); i++) check.names.push_back(names.Get(i).ToString().Utf8Value());
    check.plugin_id = id_;
    DumpCollector dump{owner_.id, &check, {}, 0};
    DumpCollector* previous = t_dump;
    t_dump = &dump;
    int32_t rc;
    {
      PluginCall call(label_, "dump_state");
      rc = api_.dump_state(state_, &owner_, OnAsyncEvent);
    }
    t_dump = previous;
    if (rc != SR_SUCCESS) {
      std::string last = LastErrorString();
      MakeError(env, "ASYNC_FAILED", "dump_state of plugin '" + name_ + "' failed" + (last.empty() ? "" : ": " + last),
                last.c_str(), rc, true)
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Object o = Napi::Object::New(env);
    Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, dump.blocks.size());
    if (!dump.blocks.empty()) memcpy(ab.Data(), dump.blocks.data(), dump.blocks.size());
    o.Set("bytes", ab);
    o.Set("count", Napi::Number::New(env, dump.count));
    return o;
  }

  // Before destroy: the handler is reset (the plugin stops its senders) and the queue dropped.
  void StopAsyncForDestroy() {
    bool had;
    {
      std::lock_guard<std::mutex> lock(g_async_mu);
      had = g_async.count(owner_.id) != 0;
    }
    if (!had) return;
    if (state_ != nullptr) {
      PluginCall call(label_, "set_async_event_handler");
      api_.set_async_event_handler(state_, &owner_, nullptr);
    }
    DropAsync();
  }

  void ForgetRoutines() {
    StopRoutines(owner_.id);
    std::lock_guard<std::mutex> lock(g_routines_mu);
    g_routines.erase(owner_.id);
  }

  // get_metrics: [{ name, type (0 monotonic, 1 not), valueType, value }] (64-bit integers as BigInt).
  Napi::Value Metrics(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!NeedState(env, "report metrics")) return env.Undefined();
    if (api_.get_metrics == nullptr) {
      Fail(env, "NOT_SUPPORTED", "plugin '" + name_ + "' does not export plugin_get_metrics");
      return env.Undefined();
    }
    uint32_t n = 0;
    sr_metric* m;
    {
      PluginCall call(label_, "get_metrics");
      m = api_.get_metrics(state_, &n);
    }
    if (n > 0 && m == nullptr) {
      Fail(env, "BAD_METADATA", "get_metrics of plugin '" + name_ + "' returned NULL for " + std::to_string(n) + " metrics");
      return env.Undefined();
    }
    if (n > kMaxListValues) {
      Fail(env, "BAD_METADATA", "get_metrics of plugin '" + name_ + "' returned " + std::to_string(n) + " metrics");
      return env.Undefined();
    }
    Napi::Array out = Napi::Array::New(env, n);
    for (uint32_t k = 0; k < n; k++) {
      const sr_metric& x = m[k];
      if (x.name == nullptr) {
        Fail(env, "BAD_METADATA", "metric " + std::to_string(k) + " of plugin '" + name_ + "' has a NULL name");
        return env.Undefined();
      }
      Napi::Value v;
      switch (x.value_type) {
        case SR_MV_U32: v = Napi::Number::New(env, x.value.u32); break;
        case SR_MV_S32: v = Napi::Number::New(env, x.value.s32); break;
        case SR_MV_U64: v = Napi::BigInt::New(env, x.value.u64); break;
        case SR_MV_S64: v = Napi::BigInt::New(env, x.value.s64); break;
        case SR_MV_DOUBLE: v = Napi::Number::New(env, x.value.d); break;
        case SR_MV_FLOAT: v = Napi::Number::New(env, x.value.f); break;
        case SR_MV_INT: v = Napi::Number::New(env, x.value.i); break;
        default:
          Fail(env, "BAD_METADATA", std::string("metric '") + x.name + "' of plugin '" + name_ +
                                        "' has an unknown value type " + std::to_string(x.value_type));
          return env.Undefined();
      }
      if (x.type != SR_METRIC_MONOTONIC && x.type != SR_METRIC_NON_MONOTONIC) {
        Fail(env, "BAD_METADATA", std::string("metric '") + x.name + "' of plugin '" + name_ +
                                      "' has an unknown metric type " + std::to_string(x.type));
        return env.Undefined();
      }
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", x.name);
      o.Set("type", Napi::Number::New(env, x.type));
      o.Set("valueType", Napi::Number::New(env, x.value_type));
      o.Set("value", v);
      out.Set(k, o);
    }
    return out;
  }

  // capture_open / capture_close with the listen input: the routine vtable and the extended table reader and
  // writer vtables. After capture_close the plugin's routines still running are stopped.
  Napi::Value CaptureListen(const Napi::CallbackInfo& info, bool open) {
    Napi::Env env = info.Env();
    if (!NeedState(env, open ? "listen to a capture opening" : "listen to a capture closing")) return env.Undefined();
    if (api_.capture_open == nullptr || api_.capture_close == nullptr) {
      Fail(env, "NOT_SUPPORTED", "plugin '" + name_ + "' does not listen to captures (plugin_capture_open/close)");
      return env.Undefined();
    }
    sr_capture_listen_input in;
    memset(&in, 0, sizeof in);
    in.owner = &owner_;
    in.routine = &g_routine_vtable;
    in.table_reader_ext = &sysray::g_reader_vtable;
    in.table_writer_ext = &sysray::g_writer_vtable;
    in.get_owner_last_error = OwnerLastError;
    int32_t rc;
    {
      PluginCall call(label_, open ? "capture_open" : "capture_close");
      rc = open ? api_.capture_open(state_, &in) : api_.capture_close(state_, &in);
    }
    if (!open) StopRoutines(owner_.id);
    if (rc != SR_SUCCESS) {
      std::string last = LastErrorString();
      MakeError(env, "LISTEN_FAILED",
                std::string(open ? "capture_open" : "capture_close") + " of plugin '" + name_ + "' failed" +
                    (last.empty() ? std::string() : ": " + last),
                last.c_str(), rc, true)
          .ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }
  Napi::Value CaptureOpen(const Napi::CallbackInfo& info) { return CaptureListen(info, true); }
  Napi::Value CaptureClose(const Napi::CallbackInfo& info) { return CaptureListen(info, false); }

  // How many of the plugin's routines are running.
  Napi::Value Routines(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(RoutineCount(owner_.id)));
  }

  Napi::Value LastError(const Napi::CallbackInfo& info) {
    if (state_ == nullptr) return info.Env().Null();
    PluginCall call(label_, "get_last_error");
    const char* e = api_.get_last_error(state_);
    return e == nullptr ? info.Env().Null() : Napi::String::New(info.Env(), e);
  }

  Napi::Value ListOpenParams(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!NeedState(env, "list open params")) return env.Undefined();
    if (api_.list_open_params == nullptr) return env.Null();
    int32_t rc = SR_FAILURE;
    PluginCall call(label_, "list_open_params");
    const char* p = api_.list_open_params(state_, &rc);
    if (rc != SR_SUCCESS) {
      std::string last = LastErrorString();
      MakeError(env, "BAD_METADATA", "list_open_params of plugin '" + name_ + "' failed: " + last, last.c_str(), rc,
                true)
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return p == nullptr ? env.Null() : Napi::String::New(env, p);
  }

  Napi::Value Open(const Napi::CallbackInfo& info);

  Napi::Value EventToString(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!NeedState(env, "format events")) return env.Undefined();
    if (api_.event_to_string == nullptr) return env.Undefined();
    sr_event_input in;
    if (!EventInput(info, 0, &in)) return env.Undefined();
    PluginCall call(label_, "event_to_string");
    const char* s = api_.event_to_string(state_, &in);
    return s == nullptr ? env.Undefined() : Napi::String::New(env, s);
  }

  bool EventInput(const Napi::CallbackInfo& info, size_t at, sr_event_input* in) {
    Napi::Env env = info.Env();
    if (info.Length() < at + 2 || !info[at].IsTypedArray() || !info[at + 1].IsNumber()) {
      Fail(env, "USAGE", "expected (eventBytes: Uint8Array, evtnum: number)");
      return false;
    }
    Napi::Uint8Array bytes = info[at].As<Napi::Uint8Array>();
    if (bytes.ByteLength() < kHeader) {
      Fail(env, "BAD_EVENT", "event shorter than its header");
      return false;
    }
    const sr_event* ev = reinterpret_cast<const sr_event*>(bytes.Data());
    if (ev->len > bytes.ByteLength()) {
      Fail(env, "BAD_EVENT", "event length runs past its bytes");
      return false;
    }
    in->evt = ev;
    in->evtnum = static_cast<uint64_t>(info[at + 1].As<Napi::Number>().Int64Value());
    in->evtsrc = source_.empty() ? "syscall" : source_.c_str();
    return true;
  }

  Napi::Value PrepareField(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (api_.extract_fields == nullptr) {
      Fail(env, "NOT_SUPPORTED", "plugin '" + name_ + "' does not extract fields");
      return env.Undefined();
    }
    // (fieldId, name, argKey|null, argIndex, argPresent, ftype, isList)
    if (info.Length() < 7) {
      Fail(env, "USAGE", "prepareField(fieldId, name, argKey, argIndex, argPresent, ftype, isList)");
      return env.Undefined();
    }
    PreparedField f;
    f.id = info[0].As<Napi::Number>().Uint32Value();
    f.name = info[1].As<Napi::String>().Utf8Value();
    f.has_key = info[2].IsString();
    if (f.has_key) f.arg_key = info[2].As<Napi::String>().Utf8Value();
    f.arg_index = static_cast<uint64_t>(info[3].As<Napi::Number>().Int64Value());
    f.arg_present = info[4].ToBoolean().Value();
    f.ftype = info[5].As<Napi::Number>().Uint32Value();
    f.is_list = info[6].ToBoolean().Value();
    fields_.push_back(std::move(f));
    return Napi::Number::New(env, static_cast<double>(fields_.size() - 1));
  }

  Napi::Value Extract(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!NeedState(env, "extract fields")) return env.Undefined();
    if (info.Length() < 3 || !info[0].IsNumber()) {
      Fail(env, "USAGE", "extract(preparedField, eventBytes, evtnum)");
      return env.Undefined();
    }
    uint32_t which = info[0].As<Napi::Number>().Uint32Value();
    if (which >= fields_.size()) {
      Fail(env, "USAGE", "unknown prepared field");
      return env.Undefined();
    }
    const PreparedField& pf = fields_[which];
    sr_event_input in;
    if (!EventInput(info, 1, &in)) return env.Undefined();
    sr_extract_field f;
    memset(&f, 0, sizeof f);
    f.field_id = pf.id;
    f.field = pf.name.c_str();
    f.arg_key = pf.has_key ? pf.arg_key.c_str() : nullptr;
    f.arg_index = pf.arg_index;
    f.arg_present = pf.arg_present ? 1 : 0;
    f.ftype = pf.ftype;
    f.flist = pf.is_list ? 1 : 0;
    sr_field_extract_input req;
    memset(&req, 0, sizeof req);
    req.owner = &owner_;
    req.get_owner_last_error = OwnerLastError;
    req.table_reader = sysray::ReaderV0();
    req.table_reader_ext = &sysray::g_reader_vtable;
    req.num_fields = 1;
    req.fields = &f;
    req.value_offsets = nullptr;  // optional in 3.12: Falco asks for offsets only when it formats value ranges
    int32_t rc;
    {
      PluginCall call(label_, "extract_fields");
      rc = api_.extract_fields(state_, &in, &req);
    }
    if (rc != SR_SUCCESS) {
      std::string last = LastErrorString();
      MakeError(env, "EXTRACT_FAILED", "extraction of " + pf.name + " failed" + (last.empty() ? "" : ": " + last),
                last.c_str(), rc, true)
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (f.res_len == 0) return env.Undefined();
    if (!pf.is_list && f.res_len != 1) {
      Fail(env, "EXTRACT_FAILED", "plugin returned " + std::to_string(f.res_len) + " values for non-list field " + pf.name);
      return env.Undefined();
    }
    if (f.res_len > kMaxListValues || f.res.u64 == nullptr) {
      Fail(env, "EXTRACT_FAILED", "plugin returned a malformed result for " + pf.name);
      return env.Undefined();
    }
    Napi::Array list = Napi::Array::New(env, f.res_len);
    for (uint64_t i = 0; i < f.res_len; i++) {
      Napi::Value v;
      switch (pf.ftype) {
        case SR_FT_STRING:
          if (f.res.str[i] == nullptr) {
            Fail(env, "EXTRACT_FAILED", "plugin returned a NULL string for " + pf.name);
            return env.Undefined();
          }
          v = Napi::String::New(env, f.res.str[i]);
          break;
        case SR_FT_UINT64:
        case SR_FT_RELTIME:
        case SR_FT_ABSTIME:
          v = Napi::BigInt::New(env, f.res.u64[i]);
          break;
        case SR_FT_BOOL:
          v = Napi::Boolean::New(env, f.res.boolean[i] != 0);
          break;
        case SR_FT_IPADDR:
        case SR_FT_IPNET: {
          const sr_byte_buffer& b = f.res.buf[i];
          char text[INET6_ADDRSTRLEN] = {0};
          if (b.ptr == nullptr || (b.len != 4 && b.len != 16) ||
              inet_ntop(b.len == 4 ? AF_INET : AF_INET6, b.ptr, text, sizeof text) == nullptr) {
            Fail(env, "EXTRACT_FAILED", "plugin returned a malformed address for " + pf.name);
            return env.Undefined();
          }
          v = Napi::String::New(env, text);
          break;
        }
        default:
          Fail(env, "EXTRACT_FAILED", "unsupported field type " + std::to_string(pf.ftype) + " for " + pf.name);
          return env.Undefined();
      }
      if (!pf.is_list) return v;
      list.Set(static_cast<uint32_t>(i), v);
    }
    return list;
  }

  void DoDestroy() {
    StopAsyncForDestroy();
    ForgetRoutines();  // routines call into the state: they stop first
    sysray::PluginGone(owner_.id);  // tables the plugin added go with it
    if (state_ != nullptr) {
      PluginCall call(label_, "destroy");
      api_.destroy(state_);
    }
    state_ = nullptr;
    destroy_pending_ = false;
  }

  // parse_event: the plugin sees an event of the capture (once, before any extraction from it), with the table
  // reader and writer vtables. (bytes, evtnum, evtsrc?)
  Napi::Value Parse(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!NeedState(env, "parse events")) return env.Undefined();
    if (api_.parse_event == nullptr) {
      Fail(env, "NOT_SUPPORTED", "plugin '" + name_ + "' does not parse events");
      return env.Undefined();
    }
    sr_event_input in;
    if (!EventInput(info, 0, &in)) return env.Undefined();
    std::string src;
    if (info.Length() > 2 && info[2].IsString()) {
      src = info[2].As<Napi::String>().Utf8Value();
      in.evtsrc = src.c_str();
    }
    sr_event_parse_input pin;
    memset(&pin, 0, sizeof pin);
    pin.owner = &owner_;
    pin.get_owner_last_error = OwnerLastError;
    pin.table_reader = sysray::ReaderV0();
    pin.table_writer = sysray::g_writer_vtable;
    pin.table_reader_ext = &sysray::g_reader_vtable;
    pin.table_writer_ext = &sysray::g_writer_vtable;
    int32_t rc;
    {
      PluginCall call(label_, "parse_event");
      rc = api_.parse_event(state_, &in, &pin);
    }
    if (rc != SR_SUCCESS) {
      std::string last = LastErrorString();
      MakeError(env, "PARSE_FAILED", "parse_event of plugin '" + name_ + "' failed" + (last.empty() ? "" : ": " + last),
                last.c_str(), rc, true)
          .ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  // plugin_set_config (API 3.4): a new configuration for an initialised plugin.
  Napi::Value SetConfig(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!NeedState(env, "set its config")) return env.Undefined();
    if (api_.set_config == nullptr) {
      Fail(env, "NOT_SUPPORTED", "plugin '" + name_ + "' does not export plugin_set_config");
      return env.Undefined();
    }
    std::string config = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
    sr_set_config_input in;
    in.config = config.c_str();
    int32_t rc;
    {
      PluginCall call(label_, "set_config");
      rc = api_.set_config(state_, &in);
    }
    if (rc != SR_SUCCESS) {
      std::string last = LastErrorString();
      MakeError(env, "BAD_CONFIG",
                "plugin '" + name_ + "' rejected the config" + (last.empty() ? std::string() : ": " + last),
                last.c_str(), rc, true)
          .ThrowAsJavaScriptException();
    }
    return env.Undefined();
  }

  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    if (active_ > 0) {
      destroy_pending_ = true;  // a worker runs next_batch: destroy when it is done
      stopping_.store(true);
    }
    else
      DoDestroy();
    return info.Env().Undefined();
  }

  std::string path_;
  std::string label_;  // how crash reports name the plugin: 'name' (path)
  void* handle_ = nullptr;
  Api api_{};
  std::string required_api_;
  std::string name_;
  std::string source_;
  uint32_t id_ = 0;
  sr_state* state_ = nullptr;
  bool destroy_pending_ = false;
  std::vector<PreparedField> fields_;
  OwnerInfo owner_;                  // what the plugin gets as its owner
  sr_init_tables_input tables_in_;  // the init input's state-table part
};

Napi::FunctionReference* g_capture_ctor = nullptr;

// Batch buffers are handed to JS as external ArrayBuffers and come back here when V8 collects them, so the next
// trips write into memory that is already mapped instead of page-faulting fresh pages in (a batch is never
// rewritten while JS can reach it: a buffer returns only after its ArrayBuffer is gone). The pool keeps at
// most kPoolMax buffers and is emptied when the last capture closes.
constexpr size_t kPoolBuffer = 2u << 20;
constexpr size_t kColumnsBuffer = 512u << 10;  // the per-event columns of a 16384-event batch (27 bytes each)
constexpr size_t kPoolMax = 32;

class BufferPool {
 public:
  explicit BufferPool(size_t size) : size_(size) {}
  size_t size() const { return size_; }
  uint8_t* Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        uint8_t* p = free_.back();
        free_.pop_back();
        return p;
      }
    }
    return static_cast<uint8_t*>(malloc(size_));
  }
  void Give(uint8_t* p, size_t cap) {
    if (p == nullptr) return;
    if (cap == size_) {
      std::lock_guard<std::mutex> lock(mu_);
      if (captures_ > 0 && free_.size() < kPoolMax) {
        free_.push_back(p);
        return;
      }
    }
    free(p);
  }
  void CaptureOpened() {
    std::lock_guard<std::mutex> lock(mu_);
    captures_++;
  }
  void CaptureClosed() {
    std::vector<uint8_t*> drop;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (--captures_ == 0) drop.swap(free_);
    }
    for (uint8_t* p : drop) free(p);
  }

 private:
  const size_t size_;
  std::mutex mu_;
  std::vector<uint8_t*> free_;
  int captures_ = 0;
};

BufferPool g_pool(kPoolBuffer);
BufferPool g_columns_pool(kColumnsBuffer);

// What a worker gives back: a malloc'd buffer of event blocks plus each event's offset and length, or an error.
struct BatchResult {
  int32_t rc = SR_SUCCESS;
  uint8_t* data = nullptr;
  size_t size = 0;
  size_t cap = 0;
  std::vector<int32_t> offsets;
  std::vector<int32_t> lens;
  uint32_t count = 0;
  bool eof = false;
  bool has_progress = false;
  uint32_t pct = 0;
  std::string progress_text;
  bool has_progress_text = false;
  std::string error_code;
  std::string error;
  std::string last_error;
  // The failure came after events of earlier plugin batches: deliver those, report the failure next call.
  bool error_after_events = false;
  // The batch's per-event columns, laid out as EventBatch views them (see BuildColumns).
  uint8_t* columns = nullptr;
  size_t columns_size = 0;
  size_t columns_cap = 0;
  BatchResult() = default;
  BatchResult(const BatchResult&) = delete;
  BatchResult& operator=(const BatchResult&) = delete;
  ~BatchResult() {
    g_pool.Give(data, cap);
    g_columns_pool.Give(columns, columns_cap);
  }
};

uint64_t NowNs() {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
}

uint64_t MonoNs() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
}

// Validates one plugin batch and appends its events, as EV_V2_LARGE blocks, to the result's buffer.
bool CopyEvents(uint32_t plugin_id, uint32_t n, sr_event** evts, BatchResult* r) {
  if (n > kMaxEventsPerBatch) {
    r->error_code = "BAD_EVENT";
    r->error = "plugin returned " + std::to_string(n) + " events in one batch";
    return false;
  }
  if (n > 0 && evts == nullptr) {
    r->error_code = "BAD_EVENT";
    r->error = "plugin returned a NULL event array";
    return false;
  }
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    const sr_event* e = evts[i];
    const char* why = nullptr;
    uint32_t id = 0;
    if (e == nullptr) why = "is NULL";
    else if (e->type != kPluginEventType) why = "is not a plugin event (type 322)";
    else if (e->nparams != 2) why = "does not have 2 parameters";
    else if (e->len < kHeader + 8 + 4 || e->len > kHeader + 8 + 4 + kMaxPayload) why = "has a bad length";
    else {
      uint32_t l0, l1;
      memcpy(&l0, reinterpret_cast<const uint8_t*>(e) + kHeader, 4);
      memcpy(&l1, reinterpret_cast<const uint8_t*>(e) + kHeader + 4, 4);
      memcpy(&id, reinterpret_cast<const uint8_t*>(e) + kHeader + 8, 4);
      if (l0 != 4) why = "has a plugin id parameter that is not 4 bytes";
      else if (static_cast<uint64_t>(kHeader) + 8 + l0 + l1 != e->len) why = "has parameter lengths that do not add up to its length";
      else if (plugin_id != 0 && id != 0 && id != plugin_id) why = "carries another plugin's id";
    }
    if (why != nullptr) {
      r->error_code = "BAD_EVENT";
      r->error = "event " + std::to_string(i) + " of the batch " + why;
      if (e != nullptr)
        r->error += " (type " + std::to_string(e->type) + ", nparams " + std::to_string(e->nparams) + ", len " +
                    std::to_string(e->len) + ", plugin id " + std::to_string(id) + ")";
      return false;
    }
    total += (14 + e->len + 3) & ~static_cast<size_t>(3);
  }
  if (r->data == nullptr && total <= kPoolBuffer) {
    r->data = g_pool.Take();
    r->cap = r->data == nullptr ? 0 : kPoolBuffer;
  }
  if (r->size + total > r->cap) {
    size_t cap = r->cap == 0 ? kPoolBuffer : r->cap;
    while (cap < r->size + total) cap *= 2;
    uint8_t* grown = static_cast<uint8_t*>(realloc(r->data, cap));
    if (grown == nullptr) {
      r->error_code = "BAD_EVENT";
      r->error = "out of memory copying a batch";
      return false;
    }
    r->data = grown;
    r->cap = cap;
  }
  size_t off = r->size;
  uint64_t now = 0;
  uint8_t* out = r->data;
  for (uint32_t i = 0; i < n; i++) {
    const sr_event* e = evts[i];
    uint32_t block = (14 + e->len + 3) & ~3u;
    memcpy(out + off, &kBlockType, 4);
    memcpy(out + off + 4, &block, 4);
    memset(out + off + 8, 0, 2);
    memcpy(out + off + 10, e, e->len);
    memset(out + off + 10 + e->len, 0, block - 14 - e->len);
    uint64_t ts;
    memcpy(&ts, out + off + 10, 8);
    if (ts == UINT64_MAX) {
      if (now == 0) now = NowNs();
      memcpy(out + off + 10, &now, 8);
    }
    uint32_t id;
    memcpy(&id, out + off + 10 + kHeader + 8, 4);
    if (id == 0) memcpy(out + off + 10 + kHeader + 8, &plugin_id, 4);
    memcpy(out + off + block - 4, &block, 4);
    r->offsets.push_back(static_cast<int32_t>(off + 10));
    r->lens.push_back(static_cast<int32_t>(e->len));
    off += block;
  }
  r->size = off;
  r->count += n;
  return true;
}

constexpr int kReadAhead = 3;  // gathered trips a capture keeps ready ahead of JS

class Pump;

// An open plugin instance. Trips (see Gather) run on the libuv thread pool in "pump" runs: one run keeps
// gathering trips, handing each to the main thread as soon as it is complete, until kReadAhead trips wait
// for JS, the plugin times out, fails or ends, or the capture is closed. So the plugin's next_batch keeps
// running while JS handles earlier batches, and a run costs one thread hop for several trips. Items reach JS
// in the order the plugin produced them; after a timeout or a failure the next trip waits for the next
// next() call, as it did when each call started one trip.
class Capture : public Napi::ObjectWrap<Capture> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeCapture",
                       {
                           InstanceMethod("next", &Capture::Next),
                           InstanceMethod("progress", &Capture::Progress),
                           InstanceMethod("close", &Capture::Close),
                       });
  }

  Capture(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Capture>(info) {
    plugin_obj_ = Napi::Persistent(info[0].As<Napi::Object>());
    plugin_ = Napi::ObjectWrap<Plugin>::Unwrap(info[0].As<Napi::Object>());
    instance_ = info[1].As<Napi::External<sr_instance>>().Data();
    g_pool.CaptureOpened();
    g_columns_pool.CaptureOpened();
  }

  ~Capture() override {
    DoClose();
    DropReady();
  }

  void DoClose() {
    if (instance_ == nullptr) return;
    if (plugin_ != nullptr && plugin_->state() != nullptr) {
      PluginCall call(plugin_->label(), "close");
      plugin_->api().close(plugin_->state(), instance_);
    }
    instance_ = nullptr;
    g_pool.CaptureClosed();
    g_columns_pool.CaptureClosed();
  }

  Plugin* plugin() { return plugin_; }
  sr_instance* instance() { return instance_; }

  // Worker side: whether a pump run should gather another trip.
  bool WantMore() const {
    return !stop_.load(std::memory_order_acquire) && !plugin_->stopping_.load(std::memory_order_acquire) &&
           queued_.load(std::memory_order_acquire) < kReadAhead;
  }
  std::atomic<int> queued_{0};  // trips gathered and not yet taken by JS (worker increments, main decrements)

  // Main thread: a trip of the running pump is complete.
  void Arrived(BatchResult* r) {
    if (r->eof) ended_ = true;
    if (r->rc == SR_TIMEOUT || !r->error_code.empty()) paused_ = true;
    ready_.push_back(r);
    Serve();
  }

  // Main thread: the pump run ended.
  void RunDone() {
    running_ = false;
    if (close_pending_) {
      DoClose();
      DropReady();
    }
    plugin_->WorkerDone();
    Serve();
    if (waiting_ && !MaybeRun()) {
      // Nothing can come any more (closed or destroyed while JS waited): report the end.
      auto d = std::move(waiting_);
      d->Resolve(EndObject(d->Env()));
    }
  }

 private:
  Napi::Value Next(const Napi::CallbackInfo& info);

  static Napi::Object EndObject(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("rc", Napi::Number::New(env, SR_EOF));
    o.Set("count", Napi::Number::New(env, 0));
    o.Set("eof", Napi::Boolean::New(env, true));
    return o;
  }

  void DropReady() {
    for (BatchResult* r : ready_) {
      queued_--;
      delete r;
    }
    ready_.clear();
  }

  // Hands the oldest ready trip to the JS call waiting for one, then lets the pump gather ahead again.
  void Serve() {
    if (!waiting_ || ready_.empty()) return;
    BatchResult* r = ready_.front();
    ready_.pop_front();
    queued_--;
    auto d = std::move(waiting_);
    Deliver(*d, r);
    MaybeRun();
  }

  void Deliver(Napi::Promise::Deferred& d, BatchResult* r);

  // Starts a pump run when one may run: not already running, the plugin has not ended, the last trip was not a
  // timeout or a failure (then the next next() call starts it), the capture is open and there is room ahead.
  bool MaybeRun();

  Napi::Value Progress(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (running_ || instance_ == nullptr || plugin_->api().get_progress == nullptr || plugin_->state() == nullptr)
      return env.Undefined();
    uint32_t pct = 0;
    PluginCall call(plugin_->label(), "get_progress");
    const char* text = plugin_->api().get_progress(plugin_->state(), instance_, &pct);
    Napi::Object o = Napi::Object::New(env);
    o.Set("pct", Napi::Number::New(env, pct));
    if (text != nullptr) o.Set("text", Napi::String::New(env, text));
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (running_) {
      close_pending_ = true;  // the run stops after its current trip; RunDone closes
      stop_.store(true, std::memory_order_release);
    } else {
      DoClose();
      DropReady();
    }
    return info.Env().Undefined();
  }

  Napi::ObjectReference plugin_obj_;
  Plugin* plugin_ = nullptr;
  sr_instance* instance_ = nullptr;
  bool running_ = false;
  bool close_pending_ = false;
  bool ended_ = false;   // a trip ended with EOF: no more trips
  bool paused_ = false;  // a trip ended with a timeout or a failure: the next trip waits for a next() call that
                         // finds nothing ready (so JS has taken that trip)
  std::atomic<bool> stop_{false};
  std::deque<BatchResult*> ready_;
  std::unique_ptr<Napi::Promise::Deferred> waiting_;
  friend class Pump;
};

struct TripContext {
  Api api;
  sr_state* state;
  sr_instance* instance;
  uint32_t plugin_id;
};

// One trip calls next_batch until it has kGatherEvents events or kGatherBytes bytes, kGatherNs have passed, or
// the plugin times out, ends or fails: batches of a few events cost one hand-over, not many, and a live source
// that blocks in next_batch still gets its events delivered within one call.
void Gather(const TripContext& t, BatchResult* r) {
  const uint64_t t0 = MonoNs();
  r->offsets.reserve(kGatherEvents);
  r->lens.reserve(kGatherEvents);
  for (;;) {
    uint32_t n = 0;
    sr_event** evts = nullptr;
    int32_t rc = t.api.next_batch(t.state, t.instance, &n, &evts);
    if (rc == SR_SUCCESS || rc == SR_EOF) {
      if (!CopyEvents(t.plugin_id, rc == SR_EOF && evts == nullptr ? 0 : n, evts, r)) {
        r->rc = rc;
        r->last_error = SafeStr(t.api.get_last_error(t.state));
        r->error_after_events = r->count > 0;
        return;
      }
      if (rc == SR_EOF) {
        r->eof = true;
        break;
      }
      if (r->count >= kGatherEvents || r->size >= kGatherBytes || MonoNs() - t0 >= kGatherNs) break;
      continue;
    }
    if (rc == SR_TIMEOUT) {
      if (r->count == 0) r->rc = SR_TIMEOUT;
      break;
    }
    r->rc = rc;
    r->error_code = "NEXT_FAILED";
    r->error_after_events = r->count > 0;
    r->last_error = SafeStr(t.api.get_last_error(t.state));
    r->error = "next_batch failed (rc " + std::to_string(rc) + ")" +
               (r->last_error.empty() ? std::string() : ": " + r->last_error);
    return;
  }
  if (r->eof && r->count == 0) r->rc = SR_EOF;
  if (t.api.get_progress != nullptr) {
    const char* text = t.api.get_progress(t.state, t.instance, &r->pct);
    r->has_progress = true;
    if (text != nullptr) {
      r->progress_text = text;
      r->has_progress_text = true;
    }
  }
}

// Writes the per-event columns of an EventBatch for the gathered events, on the worker thread, so the JS thread
// only makes views: for n events, offsets (int32) at 0, spans (int32) at 4n, order (int32, the identity) at 8n,
// block types (uint32) at 12n, EVF dump flags (uint32, 0) at 16n, cpus (uint16, 0) at 20n, nparams (uint16, 2) at
// 22n, header lengths (uint8, 26) at 24n, problems (uint8, 0) at 25n, endianness (uint8, 1: little) at 26n.
bool BuildColumns(BatchResult* r) {
  const size_t n = r->count;
  if (n == 0) return true;
  const size_t size = 27 * n;
  if (size <= g_columns_pool.size()) {
    r->columns = g_columns_pool.Take();
    r->columns_cap = g_columns_pool.size();
  } else {
    r->columns = static_cast<uint8_t*>(malloc(size));
    r->columns_cap = size;
  }
  if (r->columns == nullptr) return false;
  r->columns_size = size;
  uint8_t* c = r->columns;
  memcpy(c, r->offsets.data(), 4 * n);
  memcpy(c + 4 * n, r->lens.data(), 4 * n);
  int32_t* order = reinterpret_cast<int32_t*>(c + 8 * n);
  uint32_t* types = reinterpret_cast<uint32_t*>(c + 12 * n);
  uint16_t* nparams = reinterpret_cast<uint16_t*>(c + 22 * n);
  for (size_t i = 0; i < n; i++) {
    order[i] = static_cast<int32_t>(i);
    types[i] = kBlockType;
    nparams[i] = 2;
  }
  memset(c + 16 * n, 0, 4 * n);  // dump flags
  memset(c + 20 * n, 0, 2 * n);  // cpus
  memset(c + 24 * n, 26, n);     // header lengths
  memset(c + 25 * n, 0, n);      // problems
  memset(c + 26 * n, 1, n);      // little-endian
  return true;
}

class Pump : public Napi::AsyncProgressQueueWorker<BatchResult*> {
 public:
  Pump(Napi::Env env, Capture* cap, Napi::Object cap_obj)
      : Napi::AsyncProgressQueueWorker<BatchResult*>(env), cap_(cap),
        trip_{cap->plugin()->api(), cap->plugin()->state(), cap->instance(), cap->plugin()->id()},
        label_(cap->plugin()->label()) {
    cap_ref_ = Napi::Persistent(cap_obj);
  }

  void Execute(const ExecutionProgress& progress) override {
    PluginCall call(label_, "next_batch");
    // The first trip always runs: the run was started for it (a close or destroy asked after the start lets it
    // finish, as a call already in the plugin would).
    for (bool first = true; first || cap_->WantMore(); first = false) {
      BatchResult* r = new BatchResult();
      Gather(trip_, r);
      if (!BuildColumns(r) && r->error_code.empty()) {
        r->error_code = "BAD_EVENT";
        r->error = "out of memory describing a batch";
        r->error_after_events = false;
      }
      bool last = !r->error_code.empty() || r->rc != SR_SUCCESS || r->eof;
      if (!r->error_code.empty() && r->error_after_events) {
        // The events gathered before the failure go first; the failure is the next item.
        BatchResult* err = new BatchResult();
        err->rc = r->rc;
        err->error_code = std::move(r->error_code);
        err->error = std::move(r->error);
        err->last_error = std::move(r->last_error);
        r->error_code.clear();
        r->rc = SR_SUCCESS;
        cap_->queued_ += 2;
        progress.Send(&r, 1);
        progress.Send(&err, 1);
      } else {
        cap_->queued_++;
        progress.Send(&r, 1);
      }
      if (last) break;
    }
  }

  void OnProgress(BatchResult* const* data, size_t count) override {
    for (size_t i = 0; i < count; i++) cap_->Arrived(data[i]);
  }

  void OnOK() override { cap_->RunDone(); }
  void OnError(const Napi::Error&) override { cap_->RunDone(); }

 private:
  Capture* cap_;
  Napi::ObjectReference cap_ref_;  // keeps the capture alive while the run lasts
  TripContext trip_;
  std::string label_;  // a copy: the worker thread reads it
};

bool Capture::MaybeRun() {
  if (running_ || ended_ || paused_ || close_pending_ || instance_ == nullptr || plugin_->state() == nullptr ||
      plugin_->stopping_.load() || static_cast<int>(ready_.size()) >= kReadAhead)
    return false;
  running_ = true;
  plugin_->active_++;
  auto* w = new Pump(Env(), this, Value());
  w->Queue();
  return true;
}

void Capture::Deliver(Napi::Promise::Deferred& d, BatchResult* r) {
  std::unique_ptr<BatchResult> own(r);
  Napi::Env env = d.Env();
  if (!r->error_code.empty()) {
    d.Reject(MakeError(env, r->error_code, r->error, r->last_error.c_str(), r->rc, true).Value());
    return;
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("rc", Napi::Number::New(env, r->rc));
  o.Set("count", Napi::Number::New(env, r->count));
  o.Set("eof", Napi::Boolean::New(env, r->eof));
  if (r->columns != nullptr) {
    napi_value ab;
    napi_status st = napi_create_external_arraybuffer(
        env, r->columns, r->columns_size,
        [](napi_env, void* p, void* cap) {
          g_columns_pool.Give(static_cast<uint8_t*>(p), reinterpret_cast<size_t>(cap));
        },
        reinterpret_cast<void*>(r->columns_cap), &ab);
    if (st == napi_ok) {
      r->columns = nullptr;  // owned by the ArrayBuffer now
      o.Set("columns", Napi::Value(env, ab));
    } else {
      Napi::ArrayBuffer copy = Napi::ArrayBuffer::New(env, r->columns_size);
      memcpy(copy.Data(), r->columns, r->columns_size);
      o.Set("columns", copy);
    }
  }
  if (r->data != nullptr && r->size > 0) {
    napi_value ab;
    uint8_t* data = r->data;
    napi_status st = napi_create_external_arraybuffer(
        env, data, r->size,
        [](napi_env, void* p, void* cap) { g_pool.Give(static_cast<uint8_t*>(p), reinterpret_cast<size_t>(cap)); },
        reinterpret_cast<void*>(r->cap), &ab);
    if (st == napi_ok) {
      r->data = nullptr;  // owned by the ArrayBuffer now
      o.Set("bytes", Napi::Value(env, ab));
    } else {
      Napi::ArrayBuffer copy = Napi::ArrayBuffer::New(env, r->size);
      memcpy(copy.Data(), data, r->size);
      o.Set("bytes", copy);
    }
  }
  if (r->has_progress) {
    Napi::Object p = Napi::Object::New(env);
    p.Set("pct", Napi::Number::New(env, r->pct));
    if (r->has_progress_text) p.Set("text", r->progress_text);
    o.Set("progress", p);
  }
  d.Resolve(o);
}

Napi::Value Capture::Next(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto d = std::make_unique<Napi::Promise::Deferred>(Napi::Promise::Deferred::New(env));
  Napi::Promise p = d->Promise();
  if (waiting_) {
    d->Reject(MakeError(env, "BAD_STATE", "a next_batch call is already running on this capture").Value());
    return p;
  }
  if (!ready_.empty()) {
    // Trips gathered before a close are dropped; anything ready is delivered while the capture is open.
    BatchResult* r = ready_.front();
    ready_.pop_front();
    queued_--;
    Deliver(*d, r);
    MaybeRun();
    return p;
  }
  if (instance_ == nullptr || close_pending_) {
    d->Reject(MakeError(env, "BAD_STATE", "the capture is closed").Value());
    return p;
  }
  if (plugin_->state() == nullptr) {
    d->Reject(MakeError(env, "BAD_STATE", "the plugin is destroyed").Value());
    return p;
  }
  if (ended_) {
    d->Resolve(EndObject(env));
    return p;
  }
  paused_ = false;
  waiting_ = std::move(d);
  if (!running_ && !MaybeRun()) {
    auto w = std::move(waiting_);
    w->Reject(MakeError(env, "BAD_STATE", "the plugin is being destroyed").Value());
  }
  return p;
}

Napi::Value Plugin::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!NeedState(env, "open")) return env.Undefined();
  if (api_.open == nullptr || api_.close == nullptr || api_.next_batch == nullptr) {
    Fail(env, "NOT_SUPPORTED", "plugin '" + name_ + "' has no event sourcing capability");
    return env.Undefined();
  }
  std::string params = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  int32_t rc = SR_FAILURE;
  PluginCall call(label_, "open");
  sr_instance* h = api_.open(state_, params.c_str(), &rc);
  if (rc != SR_SUCCESS || h == nullptr) {
    std::string last = LastErrorString();
    if (h != nullptr) api_.close(state_, h);
    MakeError(env, "OPEN_FAILED",
              "open of plugin '" + name_ + "' failed" + (last.empty() ? std::string() : ": " + last) +
                  (rc == SR_SUCCESS ? " (it returned no instance)" : ""),
              last.c_str(), rc, true)
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return g_capture_ctor->New({info.This(), Napi::External<sr_instance>::New(env, h)});
}

// ---- State tables from JS: the same vtables plugins use, so host-owned and plugin-owned tables behave alike.

sysray::Table* TableArg(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    MakeError(env, "USAGE", "expected a table name").ThrowAsJavaScriptException();
    return nullptr;
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  sysray::Table* t = sysray::FindTable(name);
  if (t == nullptr || t->gone) {
    MakeError(env, "TABLE_FAILED", "no table named '" + name + "'").ThrowAsJavaScriptException();
    return nullptr;
  }
  return t;
}

void TableFail(Napi::Env env, const std::string& what) {
  const std::string& e = sysray::LastTableError();
  MakeError(env, "TABLE_FAILED", what + (e.empty() ? std::string() : ": " + e)).ThrowAsJavaScriptException();
}

// A JS value as state data of `type`; strings are kept in `keep` for the duration of the call.
bool ToStateData(Napi::Env env, Napi::Value v, uint32_t type, sr_state_data* out, std::string* keep,
                 const std::string& what) {
  memset(out, 0, sizeof *out);
  if (type == SR_ST_STRING) {
    if (!v.IsString()) {
      MakeError(env, "USAGE", what + " must be a string").ThrowAsJavaScriptException();
      return false;
    }
    *keep = v.As<Napi::String>().Utf8Value();
    if (keep->find('\0') != std::string::npos) {
      MakeError(env, "USAGE", what + " must not contain NUL characters").ThrowAsJavaScriptException();
      return false;
    }
    out->str = keep->c_str();
    return true;
  }
  if (type == SR_ST_BOOL) {
    if (!v.IsBoolean()) {
      MakeError(env, "USAGE", what + " must be a boolean").ThrowAsJavaScriptException();
      return false;
    }
    out->b = v.As<Napi::Boolean>().Value() ? 1 : 0;
    return true;
  }
  bool is_signed = type >= SR_ST_INT8 && type <= SR_ST_INT64;
  int64_t lo = 0;
  uint64_t hi = 0;
  switch (type) {
    case SR_ST_INT8: lo = INT8_MIN; hi = INT8_MAX; break;
    case SR_ST_INT16: lo = INT16_MIN; hi = INT16_MAX; break;
    case SR_ST_INT32: lo = INT32_MIN; hi = INT32_MAX; break;
    case SR_ST_INT64: lo = INT64_MIN; hi = INT64_MAX; break;
    case SR_ST_UINT8: hi = UINT8_MAX; break;
    case SR_ST_UINT16: hi = UINT16_MAX; break;
    case SR_ST_UINT32: hi = UINT32_MAX; break;
    default: hi = UINT64_MAX; break;
  }
  bool ok = false;
  int64_t s = 0;
  uint64_t u = 0;
  bool negative = false;
  if (v.IsBigInt()) {
    bool lossless = false;
    if (is_signed) {
      s = v.As<Napi::BigInt>().Int64Value(&lossless);
      negative = s < 0;
      u = static_cast<uint64_t>(s);
    } else {
      u = v.As<Napi::BigInt>().Uint64Value(&lossless);
    }
    ok = lossless;
  } else if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d == static_cast<double>(static_cast<int64_t>(d)) && d >= -9007199254740991.0 && d <= 9007199254740991.0) {
      s = static_cast<int64_t>(d);
      negative = s < 0;
      u = static_cast<uint64_t>(s);
      ok = true;
    }
  }
  if (ok) ok = negative ? (is_signed && s >= lo) : (u <= hi);
  if (!ok) {
    MakeError(env, "USAGE", what + " must be an integer that fits " + sysray::StateTypeName(type))
        .ThrowAsJavaScriptException();
    return false;
  }
  if (is_signed) out->s64 = s; else out->u64 = u;
  // Narrow types read their own union member: write it explicitly (little-endian hosts read the low bytes
  // anyway, but the union member is what the API specifies).
  switch (type) {
    case SR_ST_INT8: out->s8 = static_cast<int8_t>(s); break;
    case SR_ST_INT16: out->s16 = static_cast<int16_t>(s); break;
    case SR_ST_INT32: out->s32 = static_cast<int32_t>(s); break;
    case SR_ST_UINT8: out->u8 = static_cast<uint8_t>(u); break;
    case SR_ST_UINT16: out->u16 = static_cast<uint16_t>(u); break;
    case SR_ST_UINT32: out->u32 = static_cast<uint32_t>(u); break;
    default: break;
  }
  return true;
}

Napi::Value FromStateData(Napi::Env env, uint32_t type, const sr_state_data& d) {
  switch (type) {
    case SR_ST_INT8: return Napi::Number::New(env, d.s8);
    case SR_ST_INT16: return Napi::Number::New(env, d.s16);
    case SR_ST_INT32: return Napi::Number::New(env, d.s32);
    case SR_ST_INT64: return Napi::BigInt::New(env, d.s64);
    case SR_ST_UINT8: return Napi::Number::New(env, d.u8);
    case SR_ST_UINT16: return Napi::Number::New(env, d.u16);
    case SR_ST_UINT32: return Napi::Number::New(env, d.u32);
    case SR_ST_UINT64: return Napi::BigInt::New(env, d.u64);
    case SR_ST_BOOL: return Napi::Boolean::New(env, d.b != 0);
    case SR_ST_STRING: return d.str == nullptr ? env.Null() : Napi::String::New(env, d.str);
    default: return env.Undefined();
  }
}

Napi::Value TablesList(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  for (auto& t : sysray::Tables()) {
    if (t->gone) continue;
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", t->name);
    o.Set("keyType", Napi::Number::New(env, t->key_type));
    o.Set("owner", t->owner);
    out.Set(i++, o);
  }
  return out;
}

// tableDefine(name, keyType, [[fieldName, type], ...])
Napi::Value TableDefine(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsArray()) {
    MakeError(env, "USAGE", "tableDefine(name, keyType, fields)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::vector<std::pair<std::string, uint32_t>> fields;
  Napi::Array a = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Array f = a.Get(i).As<Napi::Array>();
    fields.emplace_back(f.Get(0u).As<Napi::String>().Utf8Value(), f.Get(1u).As<Napi::Number>().Uint32Value());
  }
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (sysray::DefineHostTable(name, info[1].As<Napi::Number>().Uint32Value(), fields) == nullptr)
    TableFail(env, "cannot define table '" + name + "'");
  return env.Undefined();
}

Napi::Value TableFields(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sysray::Table* t = TableArg(info);
  if (t == nullptr) return env.Undefined();
  uint32_t n = 0;
  sr_table_fieldinfo* f = sysray::g_fields_vtable.list_table_fields(t, &n);
  if (f == nullptr && n > 0) {
    TableFail(env, "cannot list the fields of table '" + t->name + "'");
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", f[i].name == nullptr ? std::string() : std::string(f[i].name));
    o.Set("type", Napi::Number::New(env, f[i].field_type));
    o.Set("readOnly", Napi::Boolean::New(env, f[i].read_only != 0));
    out.Set(i, o);
  }
  return out;
}

Napi::Value TableSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sysray::Table* t = TableArg(info);
  if (t == nullptr) return env.Undefined();
  uint64_t n = sysray::g_reader_vtable.get_table_size(t);
  if (n == UINT64_MAX) {
    TableFail(env, "cannot size table '" + t->name + "'");
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

// A field of a table as the JS functions use it: name, type, read-only flag and accessor.
struct JsField {
  std::string name;
  uint32_t type;
  bool read_only;
  sr_table_field* accessor;
};

// The fields of a table with their accessors (through the fields vtable, as a plugin would get them).
bool TableFieldList(Napi::Env env, sysray::Table* t, std::vector<JsField>* out) {
  uint32_t n = 0;
  sr_table_fieldinfo* f = sysray::g_fields_vtable.list_table_fields(t, &n);
  if (f == nullptr && n > 0) {
    TableFail(env, "cannot list the fields of table '" + t->name + "'");
    return false;
  }
  // Copy the list first: it is only valid until the next call into the table.
  for (uint32_t i = 0; i < n; i++)
    out->push_back({f[i].name == nullptr ? std::string() : std::string(f[i].name), f[i].field_type, f[i].read_only != 0,
                    nullptr});
  for (JsField& jf : *out) {
    jf.accessor = sysray::g_fields_vtable.get_table_field(t, jf.name.c_str(), jf.type);
    if (jf.accessor == nullptr) {
      TableFail(env, "cannot access field '" + jf.name + "' of table '" + t->name + "'");
      return false;
    }
  }
  return true;
}

// tableGet(name, key) → { field: value } or undefined
Napi::Value TableGet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sysray::Table* t = TableArg(info);
  if (t == nullptr || info.Length() < 2) return env.Undefined();
  sr_state_data key;
  std::string keep;
  if (!ToStateData(env, info[1], t->key_type, &key, &keep, "the key of table '" + t->name + "'")) return env.Undefined();
  std::vector<JsField> fields;
  if (!TableFieldList(env, t, &fields)) return env.Undefined();
  sr_table_entry* e = sysray::g_reader_vtable.get_table_entry(t, &key);
  Napi::Value result = env.Undefined();
  if (e != nullptr) {
    Napi::Object o = Napi::Object::New(env);
    for (auto& f : fields) {
      sr_state_data d;
      memset(&d, 0, sizeof d);
      if (sysray::g_reader_vtable.read_entry_field(t, e, f.accessor, &d) != SR_SUCCESS) {
        sysray::g_reader_vtable.release_table_entry(t, e);
        TableFail(env, "cannot read field '" + f.name + "' of table '" + t->name + "'");
        return env.Undefined();
      }
      o.Set(f.name, FromStateData(env, f.type, d));
    }
    sysray::g_reader_vtable.release_table_entry(t, e);
    result = o;
  }
  return result;
}

// tableSet(name, key, { field: value }): writes the given fields, adding the entry when it is missing.
Napi::Value TableSet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sysray::Table* t = TableArg(info);
  if (t == nullptr) return env.Undefined();
  if (info.Length() < 3 || !info[2].IsObject()) {
    MakeError(env, "USAGE", "tableSet(name, key, values)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  sr_state_data key;
  std::string keep_key;
  if (!ToStateData(env, info[1], t->key_type, &key, &keep_key, "the key of table '" + t->name + "'"))
    return env.Undefined();
  std::vector<JsField> fields;
  if (!TableFieldList(env, t, &fields)) return env.Undefined();
  Napi::Object values = info[2].As<Napi::Object>();
  // Convert everything first: a bad value writes nothing.
  std::vector<std::pair<sr_table_field*, sr_state_data>> writes;
  std::vector<std::string> keeps(fields.size());
  Napi::Array names = values.GetPropertyNames();
  bool ok = true;
  for (uint32_t i = 0; i < names.Length() && ok; i++) {
    std::string n = names.Get(i).As<Napi::String>().Utf8Value();
    size_t k = 0;
    while (k < fields.size() && n != fields[k].name) k++;
    if (k == fields.size()) {
      MakeError(env, "TABLE_FAILED", "table '" + t->name + "' has no field '" + n + "'").ThrowAsJavaScriptException();
      ok = false;
      break;
    }
    if (fields[k].read_only) {
      MakeError(env, "TABLE_FAILED", "field '" + n + "' of table '" + t->name + "' is read-only")
          .ThrowAsJavaScriptException();
      ok = false;
      break;
    }
    sr_state_data d;
    ok = ToStateData(env, values.Get(n), fields[k].type, &d, &keeps[k],
                     "field '" + n + "' of table '" + t->name + "'");
    if (ok) writes.emplace_back(fields[k].accessor, d);
  }
  // Writes every field given into entry `e`; false (with the error thrown) at the first failure.
  auto writeFields = [&](sr_table_entry* e) {
    for (auto& w : writes)
      if (sysray::g_writer_vtable.write_entry_field(t, e, w.first, &w.second) != SR_SUCCESS) {
        TableFail(env, "cannot write table '" + t->name + "'");
        return false;
      }
    return true;
  };
  if (ok) {
    sr_table_entry* e = sysray::g_reader_vtable.get_table_entry(t, &key);
    if (e == nullptr) {
      sr_table_entry* fresh = sysray::g_writer_vtable.create_table_entry(t);
      if (fresh == nullptr) {
        TableFail(env, "cannot create an entry in table '" + t->name + "'");
        ok = false;
      } else {
        ok = writeFields(fresh);
        if (!ok) {
          sysray::g_writer_vtable.destroy_table_entry(t, fresh);
        } else {
          e = sysray::g_writer_vtable.add_table_entry(t, &key, fresh);
          if (e == nullptr) {
            TableFail(env, "cannot add an entry to table '" + t->name + "'");
            ok = false;
          }
        }
      }
    } else {
      ok = writeFields(e);
    }
    if (e != nullptr) sysray::g_reader_vtable.release_table_entry(t, e);
  }
  return env.Undefined();
}

Napi::Value TableDelete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sysray::Table* t = TableArg(info);
  if (t == nullptr || info.Length() < 2) return env.Undefined();
  sr_state_data key;
  std::string keep;
  if (!ToStateData(env, info[1], t->key_type, &key, &keep, "the key of table '" + t->name + "'")) return env.Undefined();
  sr_table_entry* e = sysray::g_reader_vtable.get_table_entry(t, &key);
  if (e == nullptr) return Napi::Boolean::New(env, false);
  sysray::g_reader_vtable.release_table_entry(t, e);
  if (sysray::g_writer_vtable.erase_table_entry(t, &key) != SR_SUCCESS) {
    TableFail(env, "cannot erase from table '" + t->name + "'");
    return env.Undefined();
  }
  return Napi::Boolean::New(env, true);
}

Napi::Value TableClear(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  sysray::Table* t = TableArg(info);
  if (t == nullptr) return env.Undefined();
  if (sysray::g_writer_vtable.clear_table(t) != SR_SUCCESS) TableFail(env, "cannot clear table '" + t->name + "'");
  return env.Undefined();
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("NativePlugin", Plugin::Define(env));
  Napi::Function cap = Capture::Define(env);
  g_capture_ctor = new Napi::FunctionReference(Napi::Persistent(cap));
  exports.Set("NativeCapture", cap);
  exports.Set("tablesList", Napi::Function::New(env, TablesList));
  exports.Set("tableDefine", Napi::Function::New(env, TableDefine));
  exports.Set("tableFields", Napi::Function::New(env, TableFields));
  exports.Set("tableSize", Napi::Function::New(env, TableSize));
  exports.Set("tableGet", Napi::Function::New(env, TableGet));
  exports.Set("tableSet", Napi::Function::New(env, TableSet));
  exports.Set("tableDelete", Napi::Function::New(env, TableDelete));
  exports.Set("tableClear", Napi::Function::New(env, TableClear));
  exports.Set("eventSchemaVersion", Napi::String::New(env, EventSchemaVersion()));
  exports.Set("apiVersion", Napi::String::New(env, std::to_string(SYSRAY_API_MAJOR) + "." +
                                                        std::to_string(SYSRAY_API_MINOR) + "." +
                                                        std::to_string(SYSRAY_API_PATCH)));
  return exports;
}

}  // namespace

NODE_API_MODULE(sysray_plugin_host, InitModule)
