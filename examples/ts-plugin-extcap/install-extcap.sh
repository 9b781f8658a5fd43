#!/bin/sh
# Installs the accesslog TypeScript plugin as a Wireshark extcap: writes an executable wrapper that runs
# extcap.ts with this checkout's tsx into Wireshark's personal extcap folder (or the folder given).
#   sh install-extcap.sh [EXTCAP_DIR]
# Wireshark, Logray and tshark then list an "accesslog" interface (tshark -D).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-}
if [ -z "$dir" ]; then
  dir=$(tshark -G folders 2>/dev/null | awk -F'\t' '$1 ~ /^Personal Extcap path:/ { print $2 }')
  [ -n "$dir" ] || { echo "this Wireshark has no personal extcap folder: give one (its Extcap path, see tshark -G folders)" >&2; exit 2; }
fi
mkdir -p "$dir"
target="$dir/sysray-accesslog"
cat > "$target" <<WRAPPER
#!/bin/sh
exec "$here/node_modules/.bin/tsx" --tsconfig "$here/tsconfig.json" "$here/extcap.ts" "\$@"
WRAPPER
chmod 755 "$target"
echo "installed $target"
