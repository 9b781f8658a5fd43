#!/usr/bin/env bash
# Installs the system tools the test suite compares against (oracles): Debian's tshark/capinfos,
# tcpdump (benchmarks), python3-avro (Apache's Avro implementation, reads our .sf files), graphviz
# (renders our DOT exports), chromium (loads our HTML graph exports headless) and the eBPF toolchain of
# @sysray/probe-native (clang, llvm-strip, bpftool, libbpf headers: regenerating and building the probe).
# Idempotent; needs root or sudo. Used by the README's test command and by .ci/run.
set -euo pipefail

need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
command -v capinfos >/dev/null 2>&1 || need+=(wireshark-common)
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
/usr/bin/python3 -c 'import avro' >/dev/null 2>&1 || need+=(python3-avro)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v llvm-strip >/dev/null 2>&1 || need+=(llvm)
command -v bpftool >/dev/null 2>&1 || need+=(bpftool)
[ -f /usr/include/bpf/skel_internal.h ] || need+=(libbpf-dev)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-tools: every oracle tool is present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-tools: installing ${need[*]}"
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
