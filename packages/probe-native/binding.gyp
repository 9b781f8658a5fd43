{
  "targets": [
    {
      "target_name": "sysray_probe",
      "sources": ["native/probe.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_c": ["-std=gnu11", "-O2", "-Wno-unused-function", "-Wno-pointer-arith"],
      "libraries": ["-lpthread"]
    }
  ]
}
