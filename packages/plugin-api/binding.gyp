{
  "targets": [
    {
      "target_name": "sysray_plugin_host",
      "sources": ["native/host.cc", "native/tables.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O2"],
      "libraries": ["-ldl", "-lpthread"]
    }
  ]
}
