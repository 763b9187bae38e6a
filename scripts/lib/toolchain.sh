# shellcheck shell=bash
# Sourced by every script: puts a Node 22/24 with its headers and the repo's pinned Yarn on PATH.
# Backstage needs Node 22 or 24; machines that ship an older Node get Node 22 from the npm registry
# (the node-linux-<arch> package carries the binary and its C headers), kept in .tooling/ (gitignored).

ML_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ML_TOOLING="$ML_ROOT/.tooling"
ML_NODE_PKG_VERSION="22"

_ml_node_ok() {
  local major
  major="$("$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" || return 1
  [ "$major" = 22 ] || [ "$major" = 24 ]
}

_ml_arch() {
  case "$(uname -m)" in
    x86_64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) uname -m ;;
  esac
}

ml_setup_node() {
  local sys_node nodedir pkg
  sys_node="$(command -v node || true)"
  if [ -n "$sys_node" ] && _ml_node_ok "$sys_node"; then
    nodedir="$(cd "$(dirname "$(readlink -f "$sys_node")")/.." && pwd)"
    if [ -f "$nodedir/include/node/node.h" ]; then
      export npm_config_nodedir="$nodedir"
      return 0
    fi
  fi
  pkg="node-linux-$(_ml_arch)"
  nodedir="$ML_TOOLING/node$ML_NODE_PKG_VERSION/node_modules/$pkg"
  if [ ! -x "$nodedir/bin/node" ]; then
    echo "==> Fetching Node $ML_NODE_PKG_VERSION from the npm registry (package $pkg, ~30 s)" >&2
    mkdir -p "$ML_TOOLING"
    npm install --no-audit --no-fund --loglevel=error \
      --prefix "$ML_TOOLING/node$ML_NODE_PKG_VERSION" "$pkg@$ML_NODE_PKG_VERSION" >&2 ||
      { echo "ERROR: could not install $pkg@$ML_NODE_PKG_VERSION from npm" >&2; return 1; }
  fi
  export PATH="$nodedir/bin:$PATH"
  # Native addons (better-sqlite3) must compile against the headers of the Node that loads them.
  export npm_config_nodedir="$nodedir"
}

ml_setup_yarn() {
  local yarn_path
  yarn_path="$(sed -n 's/^yarnPath: *//p' "$ML_ROOT/.yarnrc.yml")"
  mkdir -p "$ML_TOOLING/bin"
  cat >"$ML_TOOLING/bin/yarn" <<SHIM
#!/bin/sh
exec node "$ML_ROOT/$yarn_path" "\$@"
SHIM
  chmod +x "$ML_TOOLING/bin/yarn"
  export PATH="$ML_TOOLING/bin:$PATH"
}

ml_setup_node && ml_setup_yarn
