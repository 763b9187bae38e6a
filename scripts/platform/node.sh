#!/usr/bin/env bash
# The real node of the local cluster, next to kwok's fake ones: a containerd of its own
# (runc), the kubelet, a CNI bridge with a pod network inside this machine only,
# kube-proxy and CoreDNS. The serving namespaces' pods run here as real containers.
#
#   node.sh build    (nothing of its own: kube.sh build makes the kubelet and kube-proxy,
#                    registry.sh build the pause image, coredns is built here, cached)
#   node.sh start    start it all for this instance and wait until the node is Ready
#   node.sh seed     nothing (kube.sh seed places the demo's pods)
#   node.sh stop     stop it all; no process, mount, interface, route or cgroup is left
#   node.sh status   what runs, and the instance's network
#
# Instance safety: several platforms run on one machine. Everything this script holds on
# the machine is named after the instance (lib.sh instance_id) or lives in its state dir:
#   - a network namespace ml-<id> is the node's network: the CNI bridge, the pods' veths,
#     kube-proxy (its iptables rules) and the only routes pods have. It has no default route, so nothing a pod sends leaves the machine.
#   - a veth pair mlp<id>h (host) / eth0 (node) links the host to it; the host routes the
#     instance's pod subnet there. Pod subnet 10.213.<k>.0/24 and link 10.212.<k>.0/30,
#     with <k> picked free (under a machine-wide lock) and kept in the state dir.
#   - containerd's root, state, sockets and runc root; the kubelet's root, logs and
#     certificates; the CNI config, binaries and IPAM data: all in the state dir.
#   - pods' cgroups under /ml-platform-<id> (kubelet cgroupRoot).
#   - the kubelet and kube-proxy run in the node's network namespace (their iptables
#     chains are the node's; nsproxy gives them the apiserver's port there); their ports
#     and CoreDNS' health on free 127.0.0.1 ports; CoreDNS answers on the host's end of
#     the link only.
# ML_PLATFORM_SERVING=off: every command does nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/gobuild.sh"

COREDNS_VERSION="${ML_COREDNS_VERSION:-v1.15.0}"
COREDNS_DIR="$ML_CACHE/coredns-$COREDNS_VERSION"
COREDNS_BIN="$COREDNS_DIR/bin/coredns"
KUBELET="$KUBE_DIR/bin/kubelet"
KUBE_PROXY="$KUBE_DIR/bin/kube-proxy"
HERE="$(cd "$(dirname "$0")" && pwd)"
STATE="$ML_STATE/node"
JSON="$ML_STATE/node.json"
ID="$(instance_id)"
NETNS="ml-$ID"
HOST_IF="mlp${ID}h"
CGROUP_ROOT="/ml-platform-$ID"
DAEMONS=(node-containerd node-kubelet node-kube-proxy node-nsproxy node-coredns)

build_coredns() {
  local work t0=$SECONDS
  if [ -x "$COREDNS_BIN" ]; then info "coredns $COREDNS_VERSION: cached in $COREDNS_DIR"; return; fi
  step "downloading github.com/coredns/coredns $COREDNS_VERSION"
  work="$COREDNS_DIR/build"
  go_wrapper_module "$work" github.com/coredns/coredns "$COREDNS_VERSION"
  cp "$HERE/coredns/main.go" "$work/main.go"
  mkdir -p "$COREDNS_DIR/bin"
  step "building coredns $COREDNS_VERSION with the kubernetes plugin (log: $COREDNS_DIR/build.log)" "2-5 min on 2 cores, once"
  run_logged "$COREDNS_DIR/build.log" go_build_main "$work" \
    "-s -w -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION" "$COREDNS_BIN" . \
    || die "building coredns failed (log: $COREDNS_DIR/build.log)"
  info "coredns $COREDNS_VERSION built in $((SECONDS - t0))s"
}

cmd_build() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no real node"; return; }
  build_coredns
}

# ---------------------------------------------------------------------------- network

# The instance's network index <k>: kept across restarts, else the lowest whose subnets no
# interface or route of the machine uses. Called under the machine-wide lock.
net_index() {
  local k
  k="$(cat "$STATE/net.index" 2>/dev/null || true)"
  if [ -n "$k" ] && ! subnet_taken "$k"; then echo "$k"; return; fi
  for ((k = 0; k < 256; k++)); do
    subnet_taken "$k" || { echo "$k" >"$STATE/net.index"; echo "$k"; return; }
  done
  die "no free 10.213.<k>.0/24 pod subnet on this machine"
}

# subnet_taken K: whether another interface or route of the host uses the subnets of K.
subnet_taken() {
  { ip -4 route show; ip -4 addr show; } | grep -v " dev $HOST_IF" | grep -qE "10\.21[23]\.$1\.[0-9]+"
}

# The node's side of the network; idempotent.
make_network() {
  local k
  mkdir -p "$STATE" /run/lock
  exec 9>/run/lock/ml-platform-net.lock
  flock 9
  k="$(net_index)"
  LINK_HOST="10.212.$k.1" LINK_NODE="10.212.$k.2" POD_SUBNET="10.213.$k.0/24" POD_GATEWAY="10.213.$k.1"
  if ! ip netns list | grep -qw "^$NETNS"; then ip netns add "$NETNS"; fi
  if ! ip link show "$HOST_IF" >/dev/null 2>&1; then
    ip link add "$HOST_IF" type veth peer name "mlp${ID}n"
    ip link set "mlp${ID}n" netns "$NETNS"
    ip -n "$NETNS" link set "mlp${ID}n" name eth0
  fi
  ip addr replace "$LINK_HOST/30" dev "$HOST_IF"
  ip link set "$HOST_IF" up
  ip -n "$NETNS" addr replace "$LINK_NODE/30" dev eth0
  ip -n "$NETNS" link set eth0 up
  ip -n "$NETNS" link set lo up
  ip route replace "$POD_SUBNET" via "$LINK_NODE" dev "$HOST_IF"
  # The node forwards between the link and the bridge; bridged traffic passes its iptables,
  # so a Service's reply from a pod on the same bridge is un-NATed.
  ip netns exec "$NETNS" sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  flock -u 9
  exec 9>&-
}

remove_network() {
  ip link del "$HOST_IF" 2>/dev/null || true
  if ip netns list | grep -qw "^$NETNS"; then ip netns del "$NETNS"; fi
}

# ---------------------------------------------------------------------------- containerd

# CNI plugins containerd runs: Debian's, with the bridge plugin entered into the node's
# network namespace, so the bridge and the pods' host-side veths are made there.
write_cni() {
  local bin="$STATE/cni/bin" p
  mkdir -p "$bin" "$STATE/cni/conf" "$STATE/cni/ipam"
  for p in host-local loopback; do ln -sfn "/usr/lib/cni/$p" "$bin/$p"; done
  printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s /usr/lib/cni/bridge "$@"\n' "$NETNS" >"$bin/bridge"
  chmod +x "$bin/bridge"
  cat >"$STATE/cni/conf/10-ml-platform.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "ml-$ID",
  "plugins": [
    {
      "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": {
        "type": "host-local", "dataDir": "$STATE/cni/ipam",
        "ranges": [[{"subnet": "$POD_SUBNET", "gateway": "$POD_GATEWAY"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    }
  ]
}
JSON
}

# containerd's registry config: the images' registry name stands for this instance's
# registry on 127.0.0.1 (registry.sh), so manifests name the same image in every instance.
write_registry_hosts() {
  local port dir
  port="$(registry_port)"
  dir="$STATE/containerd/certs.d/$REGISTRY_HOST"
  mkdir -p "$dir"
  printf 'server = "http://127.0.0.1:%s"\n\n[host."http://127.0.0.1:%s"]\n  capabilities = ["pull", "resolve"]\n' \
    "$port" "$port" >"$dir/hosts.toml"
}

write_containerd_config() {
  local c="$STATE/containerd"
  mkdir -p "$c"
  cat >"$c/config.toml" <<TOML
version = 2
root = "$c/root"
state = "$c/state"
oom_score = 0
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$c/containerd.sock"
[ttrpc]
  address = "$c/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$c/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # This sandbox refuses a negative oom_score_adj even to root.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = "$c/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$STATE/cni/bin"
    conf_dir = "$STATE/cni/conf"
    max_conf_num = 1
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$c/certs.d"
TOML
}

ctr_() { ctr --address "$STATE/containerd/containerd.sock" -n k8s.io "$@"; }

start_containerd() {
  write_cni
  write_registry_hosts
  write_containerd_config
  start_daemon node-containerd "$STATE/logs/containerd.log" containerd --config "$STATE/containerd/config.toml"
  local i
  for ((i = 0; i < 60; i++)); do
    ctr_ version >/dev/null 2>&1 && break
    is_running node-containerd || die "containerd exited while starting (log: $STATE/logs/containerd.log)"
    sleep 0.5
  done
  ctr_ version >/dev/null 2>&1 || die "containerd did not answer within 30s (log: $STATE/logs/containerd.log)"
  info "containerd $(containerd --version | awk '{print $3}') on $STATE/containerd/containerd.sock"
}

# ---------------------------------------------------------------------------- kubelet

# RBAC of the node's components. The apiserver authorizes with RBAC alone (no Node
# authorizer), so the kubelet gets the system:node role, bound to its own user.
install_rbac() {
  cat >"$STATE/rbac.yaml" <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "ml-platform:node:$REAL_NODE"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:node"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: "system:node:$REAL_NODE"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "ml-platform:coredns"}
rules:
  - {apiGroups: [""], resources: [endpoints, services, pods, namespaces], verbs: [list, watch]}
  - {apiGroups: [discovery.k8s.io], resources: [endpointslices], verbs: [list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "ml-platform:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "ml-platform:coredns"}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: coredns}]
YAML
  kube_apply apply "$STATE/rbac.yaml" 2>"$STATE/logs/rbac.log" \
    || { tail -n 5 "$STATE/logs/rbac.log" >&2; die "installing the node's RBAC failed (log: $STATE/logs/rbac.log)"; }
}

start_kubelet() {
  local port healthz
  port="$(kept_port "$STATE/kubelet.port")"
  healthz="$(kept_port "$STATE/kubelet-healthz.port")"
  mkdir -p "$STATE/kubelet" "$STATE/kubelet-pki" "$STATE/pod-logs"
  write_kubeconfig "$STATE/kubeconfig-kubelet" "system:node:$REAL_NODE"
  # Pods resolve through CoreDNS alone: no resolver of the machine, no name outside.
  printf 'nameserver %s\n' "$LINK_HOST" >"$STATE/resolv.conf"
  cat >"$STATE/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
authorization: {mode: Webhook}
# cgroups v1 here; the pods' cgroups under this instance's own root.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: true
cgroupRoot: $CGROUP_ROOT
enforceNodeAllocatable: []
failSwapOn: false
oomScoreAdj: 0
clusterDomain: cluster.local
clusterDNS: [$LINK_HOST]
resolvConf: $STATE/resolv.conf
podLogsDir: $STATE/pod-logs
serializeImagePulls: false
# A shared, busy disk must not make this node evict or delete other instances' images.
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
maxPods: 60
registerWithTaints: [{key: ml-platform.io/node, value: real, effect: NoSchedule}]
YAML
  # In the node's network namespace (nsenter: the machine's mounts, cgroups included, stay
  # as they are), so the iptables chains a kubelet makes are the node's, and it reaches
  # its pods the way a node does.
  start_daemon node-kubelet "$STATE/logs/kubelet.log" nsenter --net="/run/netns/$NETNS" "$KUBELET" \
    --config "$STATE/kubelet.yaml" \
    --kubeconfig "$STATE/kubeconfig-kubelet" --hostname-override "$REAL_NODE" --node-ip "$LINK_NODE" \
    --container-runtime-endpoint "unix://$STATE/containerd/containerd.sock" \
    --root-dir "$STATE/kubelet" --cert-dir "$STATE/kubelet-pki" \
    --node-labels "ml-platform.io/node=real,type=real" --v=1
  wait_in_netns node-kubelet "http://127.0.0.1:$healthz/healthz" \
    || die "the kubelet not healthy on 127.0.0.1:$healthz within 60s (log: $STATE/logs/kubelet.log)"
  kube_apply wait-nodes 90 "$REAL_NODE" || die "node $REAL_NODE did not become Ready (log: $STATE/logs/kubelet.log)"
  info "kubelet $KUBE_VERSION: node $REAL_NODE Ready (pods on $POD_SUBNET)"
}

# kube-proxy runs in the node's network namespace, so its iptables rules, nfacct counters,
# conntrack entries and sysctls are the node's, never the machine's (which other
# instances' nodes share). nsproxy gives it the apiserver's port on that namespace's
# 127.0.0.1; pods cannot use it (no route_localnet there).
in_netns() { nsenter --net="/run/netns/$NETNS" "$@"; }

# wait_in_netns DAEMON URL: waits up to 60 s until URL answers inside the node's network.
wait_in_netns() {
  local i
  for ((i = 0; i < 120; i++)); do
    in_netns curl -fsS -o /dev/null --max-time 2 "$2" 2>/dev/null && return 0
    is_running "$1" || return 1
    sleep 0.5
  done
  return 1
}

# The apiserver's port on the node network's 127.0.0.1, for the kubelet and kube-proxy.
start_nsproxy() {
  local api
  api="$(cat "$ML_STATE/kube/apiserver.port")"
  start_daemon node-nsproxy "$STATE/logs/nsproxy.log" "$(go_tool nsproxy)" "/run/netns/$NETNS" \
    "127.0.0.1:$api" "127.0.0.1:$api"
}

start_kube_proxy() {
  local healthz metrics
  healthz="$(kept_port "$STATE/kube-proxy-healthz.port")"
  metrics="$(kept_port "$STATE/kube-proxy-metrics.port")"
  write_kubeconfig "$STATE/kubeconfig-kube-proxy" system:kube-proxy
  cat >"$STATE/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $STATE/kubeconfig-kube-proxy}
hostnameOverride: $REAL_NODE
mode: iptables
clusterCIDR: $POD_SUBNET
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:$healthz
metricsBindAddress: 127.0.0.1:$metrics
nodePortAddresses: [$LINK_NODE/32]
iptables: {masqueradeAll: true, localhostNodePorts: false}
# 0: leave conntrack's settings as they are.
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
YAML
  start_daemon node-kube-proxy "$STATE/logs/kube-proxy.log" nsenter --net="/run/netns/$NETNS" "$KUBE_PROXY" \
    --config "$STATE/kube-proxy.yaml" --v=1
  wait_in_netns node-kube-proxy "http://127.0.0.1:$healthz/healthz" \
    || die "kube-proxy not healthy within 60s (log: $STATE/logs/kube-proxy.log)"
  info "kube-proxy $KUBE_VERSION: Services in the node's network namespace $NETNS"
}

start_coredns() {
  local health ready
  health="$(kept_port "$STATE/coredns-health.port")"
  ready="$(kept_port "$STATE/coredns-ready.port")"
  write_kubeconfig "$STATE/kubeconfig-coredns" coredns
  # No forward plugin: a name outside the cluster gets no answer, as pods have no route out.
  cat >"$STATE/Corefile" <<COREFILE
.:53 {
    bind $LINK_HOST
    errors
    health 127.0.0.1:$health
    ready 127.0.0.1:$ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig $STATE/kubeconfig-coredns local
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
    }
    cache 5
}
COREFILE
  start_daemon node-coredns "$STATE/logs/coredns.log" "$COREDNS_BIN" -conf "$STATE/Corefile"
  wait_daemon_http node-coredns "http://127.0.0.1:$ready/ready" 60 \
    || die "CoreDNS not ready within 60s (log: $STATE/logs/coredns.log)"
  info "CoreDNS $COREDNS_VERSION on $LINK_HOST:53 (cluster.local)"
}

write_connection_file() {
  python3 - "$JSON" "$REAL_NODE" "$NETNS" "$HOST_IF" "$POD_SUBNET" "$LINK_HOST" "$CGROUP_ROOT" <<'PY'
import json, os, sys
out, node, netns, host_if, subnet, dns, cgroup = sys.argv[1:]
info = {"node": node, "netns": netns, "hostInterface": host_if, "podSubnet": subnet, "dns": dns,
        "cgroupRoot": cgroup}
with open(out + ".tmp", "w") as f:
    json.dump(info, f, indent=2)
os.replace(out + ".tmp", out)
PY
}

cmd_start() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no real node"; return; }
  kube_running || die "kube-apiserver is not running: run kube.sh start first"
  [ -f "$ML_STATE/registry.json" ] || die "the registry is not running: run registry.sh start first"
  if all_running && [ -f "$JSON" ]; then
    info "already running: node $REAL_NODE (network namespace $NETNS)"; return
  fi
  [ -x "$KUBELET" ] && [ -x "$KUBE_PROXY" ] || "$HERE/kube.sh" build
  [ -x "$COREDNS_BIN" ] || build_coredns
  local t0=$SECONDS
  step "starting the real node $REAL_NODE: containerd, kubelet, kube-proxy, CoreDNS (state: $STATE)" "30-60 s"
  cmd_stop >/dev/null 2>&1 || true
  mkdir -p "$STATE/logs"
  trap 'cmd_stop' EXIT
  make_network
  install_rbac
  start_containerd
  start_coredns
  make_cgroups
  start_nsproxy
  start_kubelet
  start_kube_proxy
  write_connection_file
  trap - EXIT
  info "node ready in $((SECONDS - t0))s"
}

all_running() {
  local d
  for d in "${DAEMONS[@]}"; do is_running "$d" || return 1; done
}

# ---------------------------------------------------------------------------- stop

# Kills what containerd runs for this instance (the kubelet is stopped first, so nothing
# restarts them), then containerd and its shims, and removes every mount under the state
# dir, the pods' network namespaces, the node's network and the cgroups.
cmd_stop() {
  serving_on || [ -f "$JSON" ] || [ -d "$STATE/containerd" ] || return 0
  rm -f "$JSON"
  stop_daemon node-kubelet
  stop_daemon node-kube-proxy
  stop_daemon node-nsproxy
  stop_daemon node-coredns
  local id pid m
  if is_running node-containerd; then
    for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete -f "$id" >/dev/null 2>&1 || true; done
    for id in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers delete "$id" >/dev/null 2>&1 || true; done
  fi
  stop_daemon node-containerd
  # Shims outlive containerd by design; these are the ones started for this instance's socket.
  for pid in $(pgrep -f "containerd-shim-runc-v2 .*-address $STATE/containerd/containerd.sock" || true); do
    kill -KILL "$pid" 2>/dev/null || true
  done
  # Mounts under the state dir (container root filesystems, shm, pod volumes, the pods'
  # network namespaces), deepest first.
  while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(
    awk -v s="$STATE/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  remove_cgroups
  remove_network
  rm -rf "$STATE/cni/ipam" /var/lib/cni/results/"ml-$ID"-* 2>/dev/null || true
  info "node $REAL_NODE stopped (network namespace $NETNS and $HOST_IF removed)"
}

# The kubelet places its pods' cgroups under cgroupRoot, which must exist in every
# controller; a new cpuset starts without CPUs or memory nodes, so it gets the root's.
make_cgroups() {
  local controller dir f
  for controller in /sys/fs/cgroup/*; do
    [ -d "$controller" ] && [ ! -L "$controller" ] || continue
    dir="$controller$CGROUP_ROOT"
    mkdir -p "$dir"
    for f in cpuset.cpus cpuset.mems; do
      [ -f "$controller/$f" ] && cat "$controller/$f" >"$dir/$f"
    done
  done
  return 0
}

remove_cgroups() {
  local controller dir
  for controller in /sys/fs/cgroup/*; do
    dir="$controller$CGROUP_ROOT"
    [ -d "$dir" ] || continue
    # Leaves first: a cgroup directory is removed only once it has no children.
    find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

cmd_status() {
  serving_on || { info "ML_PLATFORM_SERVING=off: no real node"; return; }
  local d
  for d in "${DAEMONS[@]}"; do
    if is_running "$d"; then info "$d: running, pid $(cat "$ML_STATE/$d.pid")"; else info "$d: stopped"; fi
  done
  if ip netns list | grep -qw "^$NETNS"; then
    info "network namespace $NETNS; host interface $HOST_IF $(ip -4 -o addr show "$HOST_IF" 2>/dev/null | awk '{print $4}')"
    info "pods: $(ip netns exec "$NETNS" ip -4 -o addr show cni0 2>/dev/null | awk '{print $4}' || echo 'no bridge yet')"
    info "containers: $(ctr_ tasks ls -q 2>/dev/null | wc -l) running"
  else
    info "network namespace $NETNS: absent"
  fi
}

main() {
  case "${1:-}" in
    build) cmd_build ;;
    start) cmd_start ;;
    seed) : ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) sed -n '2,30s/^# \{0,1\}//p' "$0" ;;
    *) sed -n '2,30s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
  esac
}

{ main "$@"; exit $?; }
