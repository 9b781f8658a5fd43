#!/usr/bin/env bash
# Re-records examples/data/demo.pcapng: captures loopback traffic with dumpcap while a Node HTTP server
# and client on 127.0.0.1 exchange a few requests (demo-traffic.mjs), then rewrites the capture with
# sysray's own writer (rewrite-demo.mjs: SHB comment and shb_userappl, an NRB naming 127.0.0.1, a
# comment on each HTTP message). Needs dumpcap (Wireshark) with capture rights on `lo` (root, or the
# wireshark group) and @sysray/pcapng built. CI does not re-record: the file is committed.
#
# Usage: bash examples/scripts/record-demo-pcapng.sh [OUT]   (default examples/data/demo.pcapng)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$root/examples/data/demo.pcapng}"
port="${DEMO_PORT:-18080}"

command -v dumpcap >/dev/null || { echo "record-demo: dumpcap not found (apt-get install tshark)" >&2; exit 1; }
[ -f "$root/packages/pcapng/dist/index.cjs" ] || (cd "$root/packages/pcapng" && npx tsup >/dev/null)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
raw="$work/raw.pcapng"

dumpcap -q -i lo -f "tcp port $port" -w "$raw" 2>"$work/dumpcap.log" &
capture=$!
# Wait until dumpcap has opened the interface and written its headers.
for _ in $(seq 50); do
  [ -s "$raw" ] && break
  sleep 0.1
done
sleep 0.3

node "$here/demo-traffic.mjs" "$port"

sleep 0.5
kill -INT "$capture"
wait "$capture" || true

node "$here/rewrite-demo.mjs" "$raw" "$out" "$port"
ls -l "$out"
