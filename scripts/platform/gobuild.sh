# shellcheck shell=bash
# Building the platform's servers from Go modules, cached by version in $ML_CACHE.
# Sourced after lib.sh, never run.
#
# A main package of a module that is not meant to be a dependency (replace directives,
# nested modules) is built from a generated wrapper module that requires it and copies
# its replace directives, since a dependency's own replace directives are ignored.

# Never fetch another toolchain behind the user's back; -mod=mod lets the generated
# wrapper modules fill in their go.sum.
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false"

# go_mod_field MODULE@VERSION FIELD: downloads a module and prints one field of
# `go mod download -json` (Dir, GoMod), or dies with the proxy's error.
go_mod_field() {
  local out
  out="$(cd "$ML_CACHE" && GOFLAGS='' go mod download -json "$1" 2>&1)" || true
  python3 - "$1" "$2" "$out" <<'EOF'
import json, sys
mod, field, out = sys.argv[1:]
try:
    info = json.loads(out)
except ValueError:
    sys.exit(f"ERROR: go mod download {mod} failed:\n{out}")
if info.get("Error") or not info.get(field):
    sys.exit(f"ERROR: go mod download {mod} failed: {info.get('Error', 'no ' + field)}")
print(info[field])
EOF
}

# go_directive GOMOD_FILE: the `go` line of a go.mod, which the wrapper module must
# not undercut.
go_directive() { sed -n 's/^go \([0-9.]*\).*/\1/p' "$1" | head -n1; }

# go_build_main DIR LDFLAGS OUT PACKAGE: builds a main package of a dependency of the
# wrapper module in DIR; OUT appears only when complete, so a broken build is retried.
# shellcheck disable=SC2329 # called through run_logged
go_build_main() {
  cd "$1" && go build -trimpath -ldflags "$2" -o "$3.tmp" "$4" && mv "$3.tmp" "$3"
}

# go_wrapper_module DIR MODULE VERSION: writes DIR/go.mod requiring MODULE@VERSION with
# each of its versioned replace directives (local-path ones cannot be reproduced from
# the module zip: they fail the build here, with their name).
go_wrapper_module() {
  local dir="$1" module="$2" version="$3" gomod
  gomod="$(go_mod_field "$module@$version" GoMod)"
  rm -rf "$dir"; mkdir -p "$dir"
  python3 - "$gomod" "$module" "$version" "$(go_directive "$gomod")" >"$dir/go.mod.tmp" <<'EOF' \
    || die "cannot write a wrapper module for $module@$version"
import json, subprocess, sys
gomod, module, version, go = sys.argv[1:]
info = json.loads(subprocess.run(["go", "mod", "edit", "-json", gomod], check=True, capture_output=True).stdout)
print(f"module ml-platform.local/{module.rsplit('/', 1)[-1]}-build\n\ngo {go}\n\nrequire {module} {version}\n")
for r in info.get("Replace") or []:
    old, new = r["Old"], r["New"]
    if not new.get("Version"):
        sys.exit(f"ERROR: {module} replaces {old['Path']} with a directory of its source tree ({new['Path']})")
    print(f"replace {old['Path']}{' ' + old['Version'] if old.get('Version') else ''} => {new['Path']} {new['Version']}")
EOF
  mv "$dir/go.mod.tmp" "$dir/go.mod"
}

# go_build_binary NAME MODULE VERSION PACKAGE BIN LDFLAGS ESTIMATE: builds PACKAGE of
# MODULE@VERSION into BIN through a wrapper module next to it, once.
go_build_binary() {
  local name="$1" module="$2" version="$3" pkg="$4" bin="$5" ldflags="$6" estimate="$7" dir t0=$SECONDS
  if [ -x "$bin" ]; then info "$name $version: cached in $(dirname "$(dirname "$bin")")"; return; fi
  dir="$(dirname "$(dirname "$bin")")"
  mkdir -p "$dir/bin"
  step "downloading $module $version"
  go_wrapper_module "$dir/build" "$module" "$version"
  step "building $name $version (log: $dir/build.log)" "$estimate"
  run_logged "$dir/build.log" go_build_main "$dir/build" "$ldflags" "$bin" "$pkg" \
    || die "building $name failed (log: $dir/build.log)"
  info "$name $version built in $((SECONDS - t0))s"
}

# The Kubernetes release every component of the local cluster is built from (kube.sh,
# node.sh): one wrapper module, one go build cache.
KUBE_VERSION="${ML_KUBE_VERSION:-v1.35.8}"
KUBE_DIR="$ML_CACHE/kube-$KUBE_VERSION"

# kube_wrapper_module: the generated module that builds the commands of k8s.io/kubernetes,
# written once per version; every command built from it shares the go build cache.
kube_wrapper_module() {
  local work="$KUBE_DIR/build" gomod staging m
  [ -f "$work/go.mod" ] && return 0
  step "downloading k8s.io/kubernetes $KUBE_VERSION" "1 min"
  gomod="$(go_mod_field "k8s.io/kubernetes@$KUBE_VERSION" GoMod)"
  # k8s.io/kubernetes points its staging modules at ./staging/src, which a dependency
  # cannot use: pin each to its published twin, k8s.io/<name> v0.<minor>.<patch>.
  staging="$(sed -n 's#^\s*\(k8s.io/[^ ]*\) => ./staging/src/.*#\1#p' "$gomod")"
  [ -n "$staging" ] || die "no staging replace directives found in $gomod"
  rm -rf "$work"; mkdir -p "$work"
  {
    echo "module ml-platform.local/kube-apiserver-build"
    echo
    echo "go $(go_directive "$gomod")"
    echo
    echo "require k8s.io/kubernetes $KUBE_VERSION"
    echo
    echo "replace ("
    for m in $staging; do echo "	$m => $m v0.${KUBE_VERSION#v1.}"; done
    echo ")"
  } >"$work/go.mod.tmp"
  mv "$work/go.mod.tmp" "$work/go.mod"
  info "wrapper module: $work/go.mod ($(wc -w <<<"$staging") staging modules)"
}

# build_kube_command NAME ESTIMATE: builds k8s.io/kubernetes/cmd/NAME into $KUBE_DIR/bin.
build_kube_command() {
  local name="$1" bin="$KUBE_DIR/bin/$1" minor="${KUBE_VERSION#v1.}" ldflags="-s -w" pkg t0=$SECONDS
  if [ -x "$bin" ]; then info "$name $KUBE_VERSION: cached in $KUBE_DIR"; return; fi
  minor="${minor%%.*}"
  kube_wrapper_module
  mkdir -p "$KUBE_DIR/bin"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  done
  step "building $name $KUBE_VERSION (log: $KUBE_DIR/build-$name.log)" "$2"
  run_logged "$KUBE_DIR/build-$name.log" go_build_main "$KUBE_DIR/build" "$ldflags" "$bin" "k8s.io/kubernetes/cmd/$name" \
    || die "building $name failed (log: $KUBE_DIR/build-$name.log)"
  info "$("$bin" --version) built in $((SECONDS - t0))s"
}


# go_tool NAME: builds the platform's own small Go program scripts/platform/NAME/main.go
# (standard library only) into $ML_CACHE/NAME-<hash of its source>/NAME; prints its path.
go_tool() {
  local src key bin
  src="$ML_ROOT/scripts/platform/$1/main.go"
  key="$(sha256sum "$src" | cut -c1-10)"
  bin="$ML_CACHE/$1-$key/$1"
  if [ ! -x "$bin" ]; then
    mkdir -p "$(dirname "$bin")"
    (cd "$(dirname "$src")" && CGO_ENABLED=0 GOFLAGS='' go build -trimpath -ldflags "-s -w" -o "$bin.tmp" main.go) >&2 \
      || die "building $src failed"
    mv "$bin.tmp" "$bin"
  fi
  echo "$bin"
}
