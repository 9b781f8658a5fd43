// Marks of calls into plugin code, for crash reports (see host.cc): while a PluginCall lives, a fatal signal on
// its thread is reported as a crash of that plugin in that call.
#ifndef SYSRAY_PLUGIN_CALL_H
#define SYSRAY_PLUGIN_CALL_H

#include <string>

namespace sysray {

struct PluginCallMark {
  const char* plugin;
  const char* call;
};

extern __thread PluginCallMark* tls_call __attribute__((tls_model("initial-exec")));

// Marks the current thread as running plugin code for its lifetime.
class PluginCall {
 public:
  PluginCall(const std::string& plugin, const char* call) : previous_(tls_call) {
    mark_.plugin = plugin.c_str();
    mark_.call = call;
    tls_call = &mark_;
  }
  ~PluginCall() { tls_call = previous_; }
  PluginCall(const PluginCall&) = delete;
  PluginCall& operator=(const PluginCall&) = delete;

 private:
  PluginCallMark mark_;
  PluginCallMark* previous_;
};

}  // namespace sysray

#endif
