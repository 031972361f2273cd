#!/usr/bin/env bash
# A real single-node Kubernetes v1.20.2 for the operator's end-to-end tests, from Debian packages
# and the binaries build-kubernetes.sh caches (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet with its built-in dockershim on Debian's docker.io, kube-proxy in
# iptables mode, CNI bridge networking, dnsmasq as cluster DNS, a hostPath volume provisioner).
#
#   node.sh pki             CA, apiserver serving cert, admin/kubelet/proxy client certs, SA key pair
#   node.sh control-plane   pki + etcd + kube-apiserver (RBAC) + kube-controller-manager
#   node.sh apiserver-up    the same as control-plane: the fast API-only mode for API-level tests
#   node.sh node            Docker engine, pause image, CNI bridge, kubelet, kube-proxy,
#                           kube-scheduler, cluster DNS, volume provisioner; waits for Ready
#   node.sh up              control-plane + node
#   node.sh down            stops everything this script started (by recorded PIDs), removes pod containers
#   node.sh cleanup         after down: bridge, KUBE-*/CNI-* iptables chains, sysctls, /var/lib/kubelet
#   node.sh status          which components run
#   node.sh pv NAME SIZE [PATH]   a hostPath PersistentVolume by hand (the provisioner makes them
#                           for every PVC of a provisioner-backed StorageClass anyway)
#   node.sh load-image IMG  nothing to copy: the node's kubelet uses the same Docker engine that
#                           builds the project's images; checks that IMG is there
#
# Every step is idempotent: a component already running (by its recorded PID) is left alone.
#
# Environment:
#   SLUICE_K8S_RUN            runtime dir: pki/, logs/, pids/, etcd-data/, kubeconfigs, pv/
#                             (default /var/cache/sluice/k8s-node)
#   SLUICE_K8S_APISERVER_PORT apiserver port (default 6443); SLUICE_K8S_ETCD_PORT etcd client port
#                             (default 2379; the peer port is one above). API-only instances may run
#                             side by side with other ports and run dirs; a full node is one per host
#                             (fixed node IP, kubelet ports, bridge).
#   SLUICE_K8S_BIN            server binaries (default /var/cache/sluice/kubernetes-1.20.2/bin;
#                             built by build-kubernetes.sh when missing)
#   SLUICE_K8S_APISERVER_EXTRA_ARGS
#                             extra kube-apiserver flags, separated by whitespace (so no flag value
#                             may contain whitespace), appended after node.sh's own flags (a
#                             single-valued flag given twice takes the last value); e.g.
#                             "--watch-cache-sizes=secrets#0". Read when kube-apiserver starts
#                             (control-plane, apiserver-up, up); a running one is left as it is.
#
# Addresses: the node IP is 10.88.0.1 (the cni0 bridge, Pod CIDR 10.88.0.0/16), Services are in
# 10.96.0.0/16 (`kubernetes` = 10.96.0.1). Traffic stays on loopback and these addresses.
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

CACHE=${SLUICE_CACHE:-/var/cache/sluice}
K8S_CACHE=$CACHE/kubernetes-1.20.2
BIN=${SLUICE_K8S_BIN:-$K8S_CACHE/bin}
RUN=${SLUICE_K8S_RUN:-$CACHE/k8s-node}
APISERVER_PORT=${SLUICE_K8S_APISERVER_PORT:-6443}
ETCD_PORT=${SLUICE_K8S_ETCD_PORT:-2379}
NODE_NAME=sluice-node
NODE_IP=10.88.0.1
POD_CIDR=10.88.0.0/16
SVC_CIDR=10.96.0.0/16
KUBERNETES_SVC_IP=10.96.0.1
PAUSE_IMAGE=sluice/pause:1.20.2
# Docker's default runtime while a node runs, when root cannot lower oom_score_adj (see runc_wrapper).
RUNC_WRAPPER=$CACHE/k8s-runc/runc-nonneg-oom
DOCKER_DAEMON_JSON=/etc/docker/daemon.json
PIDS=$RUN/pids
LOGS=$RUN/logs
ADMIN_KUBECONFIG=$RUN/admin.kubeconfig
SERVER=https://127.0.0.1:$APISERVER_PORT

log() { echo "node.sh: $*"; }
die() { echo "node.sh: error: $*" >&2; exit 1; }

# ---------------------------------------------------------------- processes (by recorded PID)

pid_of() { # prints the recorded PID of a component if that process is still alive
  local f=$PIDS/$1.pid
  [ -f "$f" ] || return 1
  local pid; pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# start_component NAME COMMAND...: runs COMMAND detached (own session, stdin closed) with its output
# in logs/NAME.log, unless the recorded one still runs.
start_component() {
  local name=$1; shift
  if pid_of "$name" >/dev/null; then log "$name already running (pid $(pid_of "$name"))"; return 0; fi
  mkdir -p "$PIDS" "$LOGS"
  # Without job control a background child is no group leader, so setsid execs in place and $! is
  # the component's own PID.
  setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
  echo $! >"$PIDS/$name.pid"
  log "$name started (pid $!, log $LOGS/$name.log)"
}

stop_component() {
  local name=$1 pid
  if pid=$(pid_of "$name"); then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then log "$name did not exit on SIGTERM: SIGKILL"; kill -9 "$pid" 2>/dev/null || true; fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$PIDS/$name.pid"
}

# wait_for SECONDS WHAT COMMAND...: polls COMMAND every 0.5 s; on timeout names WHAT and fails.
wait_for() {
  local seconds=$1 what=$2; shift 2
  local tries=$((seconds * 2)) i
  for ((i = 0; i < tries; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  die "timed out after ${seconds}s waiting for $what"
}

component_alive_or_die() { # fails with the log tail when a component exited during start-up
  pid_of "$1" >/dev/null && return 0
  tail -25 "$LOGS/$1.log" >&2 || true
  die "$1 exited during start-up; log $LOGS/$1.log"
}

kctl() { kubectl --kubeconfig="$ADMIN_KUBECONFIG" "$@" 2> >(grep -v 'version difference' >&2); }

# ---------------------------------------------------------------- binaries

ensure_binaries() {
  local b
  for b in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy; do
    if [ ! -x "$BIN/$b" ]; then
      log "Kubernetes binaries missing in $BIN: building them (10-16 min, once)"
      SLUICE_K8S_BIN=$BIN "$HERE/build-kubernetes.sh"
      return 0
    fi
  done
}

# ---------------------------------------------------------------- pki

write_kubeconfig() { # file user cert key [token]
  local f=$1 user=$2 cert=$3 key=$4
  cat >"$f" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: sluice
  cluster:
    server: $SERVER
    certificate-authority: $RUN/pki/ca.crt
users:
- name: $user
  user:
    client-certificate: $cert
    client-key: $key
contexts:
- name: sluice
  context: {cluster: sluice, user: $user}
current-context: sluice
EOF
}

issue_cert() { # name subject ext-lines
  local name=$1 subject=$2 ext=$3
  openssl genrsa -out "$name.key" 2048 2>/dev/null
  openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr"
  printf '%b' "$ext" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
    -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr"
}

pki() {
  mkdir -p "$RUN/pki"
  if [ -s "$RUN/pki/sa.pub" ] && [ -s "$RUN/pki/proxy.crt" ]; then
    log "pki exists in $RUN/pki"
  else
    log "pki: making a CA and certificates in $RUN/pki"
    (
      cd "$RUN/pki"
      openssl genrsa -out ca.key 2048 2>/dev/null
      openssl req -x509 -new -nodes -key ca.key -subj "/CN=sluice-e2e-kubernetes-ca" -days 3650 -out ca.crt
      issue_cert apiserver "/CN=kube-apiserver" \
        "subjectAltName=IP:127.0.0.1,IP:$NODE_IP,IP:$KUBERNETES_SVC_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n"
      local client="extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n"
      # admin is in system:masters; the apiserver also presents it to the kubelet (logs, exec).
      issue_cert admin "/O=system:masters/CN=sluice-admin" "$client"
      # the Node authorizer and NodeRestriction know the kubelet by this exact name and group
      issue_cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" "$client"
      # system:kube-proxy is bound to the node-proxier ClusterRole by RBAC's bootstrap policy
      issue_cert proxy "/CN=system:kube-proxy" "$client"
      openssl genrsa -out sa.key 2048 2>/dev/null
      openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
      head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >admin.token
      echo "$(cat admin.token),sluice-admin-token,sluice-admin-token,system:masters" >tokens.csv
    )
  fi
  write_kubeconfig "$ADMIN_KUBECONFIG" sluice-admin "$RUN/pki/admin.crt" "$RUN/pki/admin.key"
  write_kubeconfig "$RUN/kubelet.kubeconfig" "system:node:$NODE_NAME" "$RUN/pki/kubelet.crt" "$RUN/pki/kubelet.key"
  write_kubeconfig "$RUN/proxy.kubeconfig" system:kube-proxy "$RUN/pki/proxy.crt" "$RUN/pki/proxy.key"
  # The same admin with a bearer token, for clients that do not present client certificates.
  cat >"$RUN/admin-token.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: sluice
  cluster: {server: "$SERVER", certificate-authority: $RUN/pki/ca.crt}
users:
- name: sluice-admin-token
  user: {token: $(cat "$RUN/pki/admin.token")}
contexts:
- name: sluice
  context: {cluster: sluice, user: sluice-admin-token}
current-context: sluice
EOF
  chmod 0600 "$RUN"/*.kubeconfig
}

# ---------------------------------------------------------------- control plane

apiserver_ready() {
  curl -sf --max-time 2 --cacert "$RUN/pki/ca.crt" --cert "$RUN/pki/admin.crt" --key "$RUN/pki/admin.key" \
    "$SERVER/readyz" | grep -q '^ok'
}

control_plane() {
  ensure_binaries
  pki
  local full=${1:-api-only} bind=127.0.0.1 advertise=127.0.0.1
  if [ "$full" = full ]; then
    # Pods (the in-cluster operator) reach the apiserver through the `kubernetes` Service, whose
    # Endpoints point at the node IP, so it must listen there too (the bridge may not exist yet).
    bind=0.0.0.0 advertise=$NODE_IP
  fi
  echo "$full" >"$RUN/mode"
  mkdir -p "$RUN/etcd-data"
  start_component etcd etcd --name sluice --data-dir "$RUN/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "sluice=http://127.0.0.1:$((ETCD_PORT + 1))"
  wait_for 30 "etcd on 127.0.0.1:$ETCD_PORT" curl -sf "http://127.0.0.1:$ETCD_PORT/health"
  component_alive_or_die etcd

  local -a apiserver_extra_args=()
  read -r -a apiserver_extra_args <<<"${SLUICE_K8S_APISERVER_EXTRA_ARGS:-}"
  [ ${#apiserver_extra_args[@]} -eq 0 ] || log "kube-apiserver extra flags: ${apiserver_extra_args[*]}"
  start_component kube-apiserver "$BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=$bind --advertise-address=$advertise --secure-port="$APISERVER_PORT" --insecure-port=0 \
    --tls-cert-file="$RUN/pki/apiserver.crt" --tls-private-key-file="$RUN/pki/apiserver.key" \
    --client-ca-file="$RUN/pki/ca.crt" --token-auth-file="$RUN/pki/tokens.csv" \
    --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$RUN/pki/sa.pub" --service-account-signing-key-file="$RUN/pki/sa.key" \
    --service-cluster-ip-range=$SVC_CIDR --service-node-port-range=30000-32767 \
    --endpoint-reconciler-type=none \
    --kubelet-client-certificate="$RUN/pki/admin.crt" --kubelet-client-key="$RUN/pki/admin.key" \
    --kubelet-preferred-address-types=InternalIP \
    --allow-privileged=true --cert-dir="$RUN/apiserver-certs" --v=1 "${apiserver_extra_args[@]}"
  wait_for 60 "kube-apiserver readyz on $SERVER" apiserver_ready
  component_alive_or_die kube-apiserver
  log "kube-apiserver ready on $SERVER (bind $bind)"

  start_component kube-controller-manager "$BIN/kube-controller-manager" \
    --kubeconfig="$ADMIN_KUBECONFIG" --authentication-kubeconfig="$ADMIN_KUBECONFIG" \
    --authorization-kubeconfig="$ADMIN_KUBECONFIG" \
    --bind-address=127.0.0.1 --secure-port=0 --port=0 --leader-elect=false \
    --controllers='*' --service-account-private-key-file="$RUN/pki/sa.key" --root-ca-file="$RUN/pki/ca.crt" \
    --use-service-account-credentials=true --cluster-signing-cert-file="$RUN/pki/ca.crt" \
    --cluster-signing-key-file="$RUN/pki/ca.key" \
    --flex-volume-plugin-dir="$RUN/volume-plugins" --cert-dir="$RUN/kcm-certs" --v=1
  # The ServiceAccount controller makes every namespace's `default` SA; pods need it to be admitted.
  wait_for 60 "the default ServiceAccount (kube-controller-manager running)" kctl get serviceaccount default
  component_alive_or_die kube-controller-manager

  if [ "$full" = full ]; then
    # --endpoint-reconciler-type=none: the apiserver does not publish itself, so the `kubernetes`
    # Service's Endpoints are written here (the apiserver makes the Service itself).
    kctl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Endpoints
metadata: {name: kubernetes, namespace: default}
subsets:
- addresses: [{ip: $NODE_IP}]
  ports: [{name: https, port: $APISERVER_PORT, protocol: TCP}]
EOF
    log "Endpoints default/kubernetes -> $NODE_IP:$APISERVER_PORT"
  fi
  log "control plane up; export KUBECONFIG=$ADMIN_KUBECONFIG"
}

# ---------------------------------------------------------------- node

record_host_settings() { # what the node changes on the host, restored by cleanup
  [ -f "$RUN/sysctl.before" ] && return 0
  modprobe br_netfilter 2>/dev/null || true
  sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables \
    >"$RUN/sysctl.before" 2>/dev/null || true
}

docker_engine() {
  if ! docker version >/dev/null 2>&1; then
    log "no Docker engine answers: starting one with $REPO/e2e/docker/dockerd.sh"
    "$REPO/e2e/docker/dockerd.sh" base-image
  fi
  # The kubelet works with the engine as it is (default bridge docker0 and its iptables rules
  # included): pods get their network from CNI on cni0, and the FORWARD rules below let cni0
  # traffic past Docker's FORWARD DROP policy. So the engine that builds the images also runs the
  # pods, and is never restarted here.
  runc_wrapper
}

# dockershim asks for oom_score_adj -998 on every pod sandbox; where root cannot lower
# oom_score_adj (CAP_SYS_RESOURCE missing, as on these CI machines) runc then fails with "can't get
# final child's PID from pipe: EOF". The fix is a runc wrapper that raises negative values to 0,
# registered as Docker's default runtime through daemon.json and a live reload (SIGHUP reloads
# `runtimes` and `default-runtime`): no engine restart, running containers are untouched.
runc_wrapper() {
  if (echo -1 >/proc/self/oom_score_adj) 2>/dev/null; then return 0; fi
  mkdir -p "$(dirname "$RUNC_WRAPPER")"
  cat >"$RUNC_WRAPPER.tmp" <<'EOF'
#!/bin/sh
# runc with negative process.oomScoreAdj raised to 0 in the bundle's config.json (installed by
# sluice e2e/k8s/node.sh: root here cannot lower oom_score_adj, and runc fails when asked to).
prev=""
for arg in "$@"; do
  if [ "$prev" = "--bundle" ] || [ "$prev" = "-b" ]; then
    config="$arg/config.json"
    if [ -f "$config" ] && jq -e '(.process.oomScoreAdj // 0) < 0' "$config" >/dev/null 2>&1; then
      jq -c '.process.oomScoreAdj = 0' "$config" >"$config.sluice-tmp" && mv "$config.sluice-tmp" "$config"
    fi
  fi
  prev="$arg"
done
exec /usr/sbin/runc "$@"
EOF
  chmod 0755 "$RUNC_WRAPPER.tmp" && mv "$RUNC_WRAPPER.tmp" "$RUNC_WRAPPER"
  if [ "$(docker info -f '{{.DefaultRuntime}}' 2>/dev/null)" = sluice-runc ]; then return 0; fi
  local current='{}'
  docker info -f '{{.DefaultRuntime}}' >"$RUN/docker-runtime.before"
  if [ -f "$DOCKER_DAEMON_JSON" ]; then
    current=$(cat "$DOCKER_DAEMON_JSON")
    [ -f "$RUN/daemon.json.before" ] || cp "$DOCKER_DAEMON_JSON" "$RUN/daemon.json.before"
  else
    : >"$RUN/daemon.json.created"
  fi
  mkdir -p "$(dirname "$DOCKER_DAEMON_JSON")"
  echo "$current" | jq --arg path "$RUNC_WRAPPER" \
    '.runtimes["sluice-runc"] = {path: $path} | ."default-runtime" = "sluice-runc"' >"$DOCKER_DAEMON_JSON.tmp"
  mv "$DOCKER_DAEMON_JSON.tmp" "$DOCKER_DAEMON_JSON"
  local dockerd_pid; dockerd_pid=$(pgrep -o -x dockerd) || die "cannot find the dockerd process to reload"
  kill -HUP "$dockerd_pid"
  wait_for 20 "dockerd to reload with default runtime sluice-runc" \
    sh -c '[ "$(docker info -f "{{.DefaultRuntime}}")" = sluice-runc ]'
  log "Docker default runtime: sluice-runc ($RUNC_WRAPPER; oom_score_adj cannot be lowered here)"
}

# A reload applies only the keys daemon.json sets, so the old default runtime is written back
# explicitly, reloaded, and then the file is returned to what it was.
restore_docker_runtime() {
  [ -f "$RUN/daemon.json.created" ] || [ -f "$RUN/daemon.json.before" ] || return 0
  local before=runc original='{}'
  [ -s "$RUN/docker-runtime.before" ] && before=$(cat "$RUN/docker-runtime.before")
  [ -f "$RUN/daemon.json.before" ] && original=$(cat "$RUN/daemon.json.before")
  echo "$original" | jq --arg rt "$before" '."default-runtime" = $rt' >"$DOCKER_DAEMON_JSON.tmp"
  mv "$DOCKER_DAEMON_JSON.tmp" "$DOCKER_DAEMON_JSON"
  local dockerd_pid
  if dockerd_pid=$(pgrep -o -x dockerd); then
    kill -HUP "$dockerd_pid"
    wait_for 20 "dockerd to reload with default runtime $before" \
      sh -c "[ \"\$(docker info -f '{{.DefaultRuntime}}')\" = '$before' ]"
  fi
  if [ -f "$RUN/daemon.json.before" ]; then
    mv "$RUN/daemon.json.before" "$DOCKER_DAEMON_JSON"
  else
    rm -f "$DOCKER_DAEMON_JSON"
  fi
  rm -f "$RUN/daemon.json.created" "$RUN/docker-runtime.before"
  log "Docker default runtime back to $before, daemon.json as it was"
}

# The pause binary: build-kubernetes.sh compiles it from the source tree's
# build/pause/linux/pause.c and caches it beside the server binaries.
pause_binary() {
  local out; out=$(dirname "$BIN")/pause/pause
  [ -x "$out" ] || SLUICE_K8S_BIN=$BIN "$HERE/build-kubernetes.sh" >&2
  [ -x "$out" ] || die "build-kubernetes.sh did not leave the pause binary in $out"
  echo "$out"
}

pause_image() {
  docker image inspect "$PAUSE_IMAGE" >/dev/null 2>&1 && return 0
  local bin tmp; bin=$(pause_binary); tmp=$(mktemp -d)
  cp "$bin" "$tmp/pause"
  tar -C "$tmp" -cf "$tmp/pause.tar" pause
  docker import --change 'ENTRYPOINT ["/pause"]' "$tmp/pause.tar" "$PAUSE_IMAGE" >/dev/null
  rm -rf "$tmp"
  log "pause image $PAUSE_IMAGE imported"
}

network() {
  mkdir -p "$RUN/cni/net.d" "$RUN/cni/ipam" "$RUN/cni/cache"
  cat >"$RUN/cni/net.d/10-sluice-bridge.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "sluice-pods",
  "plugins": [
    { "type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
      "ipam": { "type": "host-local", "dataDir": "$RUN/cni/ipam",
                "ranges": [[ { "subnet": "$POD_CIDR", "gateway": "$NODE_IP" } ]],
                "routes": [ { "dst": "0.0.0.0/0" } ] } },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
  # The bridge exists before the kubelet and kube-proxy start, so the node IP does; the CNI bridge
  # plugin adopts a bridge that already carries its gateway address.
  if ! ip link show cni0 >/dev/null 2>&1; then
    ip link add cni0 type bridge
    ip addr add "$NODE_IP/${POD_CIDR#*/}" dev cni0
  fi
  ip link set cni0 up
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
  # Docker's FORWARD policy is DROP; bridged pod traffic passes FORWARD (br_netfilter), so accept
  # what enters or leaves cni0. Tagged with a comment so cleanup removes exactly these rules.
  local dir
  for dir in -i -o; do
    iptables -C FORWARD "$dir" cni0 -m comment --comment sluice-k8s-node -j ACCEPT 2>/dev/null ||
      iptables -I FORWARD 1 "$dir" cni0 -m comment --comment sluice-k8s-node -j ACCEPT
  done
}

node_ready() {
  [ "$(kctl get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

node() {
  [ -f "$RUN/mode" ] && [ "$(cat "$RUN/mode")" = full ] && pid_of kube-apiserver >/dev/null ||
    die "the control plane must run in full mode first: node.sh control-plane full (or node.sh up)"
  record_host_settings
  docker_engine
  pause_image
  network

  start_component kube-scheduler "$BIN/kube-scheduler" \
    --kubeconfig="$ADMIN_KUBECONFIG" --authentication-kubeconfig="$ADMIN_KUBECONFIG" \
    --authorization-kubeconfig="$ADMIN_KUBECONFIG" \
    --bind-address=127.0.0.1 --secure-port=10259 --port=0 --leader-elect=false \
    --cert-dir="$RUN/scheduler-certs" --v=1

  start_component kube-proxy "$BIN/kube-proxy" \
    --kubeconfig="$RUN/proxy.kubeconfig" --hostname-override="$NODE_NAME" --proxy-mode=iptables \
    --cluster-cidr="$POD_CIDR" --nodeport-addresses="$NODE_IP/32" \
    --healthz-bind-address=127.0.0.1:10256 --metrics-bind-address=127.0.0.1:10249 \
    --conntrack-max-per-core=0 --v=1

  # Pods resolve through the cluster DNS only: no host search domains or upstream servers leak in.
  : >"$RUN/pod-resolv.conf"
  cat >"$RUN/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
cgroupDriver: cgroupfs
failSwapOn: false
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $RUN/pki/ca.crt}
authorization: {mode: Webhook}
clusterDomain: cluster.local
clusterDNS: [$NODE_IP]
resolvConf: $RUN/pod-resolv.conf
# Images are built locally and no registry can give them back: never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
serializeImagePulls: false
EOF
  mkdir -p "$RUN/volume-plugins" "$RUN/dockershim" "$RUN/kubelet-certs"
  start_component kubelet "$BIN/kubelet" \
    --config="$RUN/kubelet-config.yaml" --kubeconfig="$RUN/kubelet.kubeconfig" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" \
    --container-runtime=docker --pod-infra-container-image="$PAUSE_IMAGE" \
    --network-plugin=cni --cni-bin-dir=/usr/lib/cni --cni-conf-dir="$RUN/cni/net.d" \
    --cni-cache-dir="$RUN/cni/cache" --experimental-dockershim-root-directory="$RUN/dockershim" \
    --volume-plugin-dir="$RUN/volume-plugins" --cert-dir="$RUN/kubelet-certs" --v=1

  # Cluster DNS and volume provisioning: dnsmasq answers on the node IP from a hosts directory
  # that node-agent.py rewrites from Services/Endpoints; the agent also makes hostPath PVs.
  mkdir -p "$RUN/dns-hosts" "$RUN/pv"
  kctl apply -f - >/dev/null <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: sluice.dev/hostpath
reclaimPolicy: Delete
volumeBindingMode: Immediate
EOF
  start_component node-agent /usr/bin/python3 "$HERE/node-agent.py" --server "$SERVER" \
    --ca "$RUN/pki/ca.crt" --cert "$RUN/pki/admin.crt" --key "$RUN/pki/admin.key" \
    --dns-hosts-dir "$RUN/dns-hosts" --pv-dir "$RUN/pv" --provisioner sluice.dev/hostpath
  start_component dnsmasq dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll \
    --bind-interfaces --listen-address="$NODE_IP" --except-interface=lo --port=53 \
    --hostsdir="$RUN/dns-hosts" --local=/cluster.local/ --domain-needed --log-facility=- \
    --pid-file="$RUN/dnsmasq.pidfile"

  wait_for 120 "node $NODE_NAME Ready (kubelet log $LOGS/kubelet.log)" node_ready
  for c in kube-scheduler kube-proxy kubelet node-agent dnsmasq; do component_alive_or_die "$c"; done
  log "node $NODE_NAME Ready"
}

# ---------------------------------------------------------------- down / cleanup

down() {
  # The kubelet first, so it restarts nothing while pod containers go.
  stop_component kubelet
  if [ -f "$RUN/mode" ] && [ "$(cat "$RUN/mode")" = full ] && docker version >/dev/null 2>&1; then
    local ids; ids=$(docker ps -aq --filter label=io.kubernetes.pod.name)
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086
      docker rm -f $ids >/dev/null 2>&1 || true
      log "removed $(echo "$ids" | wc -w) pod containers"
    fi
  fi
  local c
  for c in dnsmasq node-agent kube-proxy kube-scheduler kube-controller-manager kube-apiserver etcd; do
    stop_component "$c"
  done
}

delete_iptables_chains() { # table: every KUBE-*/CNI-* rule and chain, and the rules node.sh added
  local table=$1 rule chain
  iptables -t "$table" -S | grep -E '^-A ' | grep -E 'KUBE-|CNI-|sluice-k8s-node' | sed 's/^-A/-D/' |
    while read -r rule; do eval iptables -t "$table" "$rule" 2>/dev/null || true; done
  for chain in $(iptables -t "$table" -S | awk '$1 == "-N" && $2 ~ /^(KUBE-|CNI-)/ {print $2}'); do
    iptables -t "$table" -F "$chain" 2>/dev/null || true
  done
  for chain in $(iptables -t "$table" -S | awk '$1 == "-N" && $2 ~ /^(KUBE-|CNI-)/ {print $2}'); do
    iptables -t "$table" -X "$chain" 2>/dev/null || true
  done
}

cleanup() {
  local running=""
  for c in kubelet kube-proxy kube-apiserver etcd; do pid_of "$c" >/dev/null && running+=" $c"; done
  [ -z "$running" ] || die "still running:$running (run node.sh down first)"
  set +e
  # mounts the kubelet left (secrets, hostPath subpaths), deepest first
  awk '$2 ~ "^/var/lib/kubelet" {print $2}' /proc/mounts | sort -r | while read -r m; do umount "$m"; done
  rm -rf /var/lib/kubelet /var/log/pods /var/log/containers
  ip link del cni0 2>/dev/null && log "bridge cni0 removed"
  local t
  for t in filter nat mangle; do delete_iptables_chains "$t"; done
  log "KUBE-*/CNI-* iptables chains removed"
  if [ -f "$RUN/sysctl.before" ]; then
    local fwd rl br
    { read -r fwd; read -r rl; read -r br; } <"$RUN/sysctl.before"
    sysctl -qw net.ipv4.ip_forward="$fwd" net.ipv4.conf.all.route_localnet="$rl"
    [ -n "$br" ] && sysctl -qw net.bridge.bridge-nf-call-iptables="$br"
    rm -f "$RUN/sysctl.before"
    log "sysctls restored"
  fi
  restore_docker_runtime
  # The volumes' directories go with the cluster state (etcd) that referred to them.
  rm -rf "$RUN/cni" "$RUN/dockershim" "$RUN/dns-hosts" "$RUN/etcd-data" "$RUN/mode" "$RUN/pv"
  log "cleanup done (logs kept in $LOGS)"
}

status() {
  local c pid
  for c in etcd kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubelet node-agent dnsmasq; do
    if pid=$(pid_of "$c"); then echo "$c: running (pid $pid)"; else echo "$c: not running"; fi
  done
}

# ---------------------------------------------------------------- volumes and images

pv() {
  local name=${1:?usage: node.sh pv NAME SIZE [PATH]} size=${2:?usage: node.sh pv NAME SIZE [PATH]}
  local path=${3:-$RUN/pv/$name}
  mkdir -p "$path" && chmod 0777 "$path"   # pods run as non-root uids (10001, 1000)
  kctl apply -f - <<EOF
apiVersion: v1
kind: PersistentVolume
metadata: {name: $name}
spec:
  capacity: {storage: $size}
  accessModes: [ReadWriteOnce]
  storageClassName: standard
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: $path, type: Directory}
EOF
}

load_image() {
  local image=${1:?usage: node.sh load-image IMAGE}
  # The kubelet's dockershim runs pods on the same Docker engine that built the image, so there is
  # nothing to load; pods must use imagePullPolicy Never or IfNotPresent (no registry here).
  docker image inspect "$image" >/dev/null 2>&1 || die "image $image is not in the node's Docker engine; build it first"
  log "image $image is in the node's Docker engine (nothing to load)"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  pki) pki ;;
  control-plane) control_plane "${1:-full}" ;;
  apiserver-up) control_plane api-only ;;
  node) node ;;
  up) control_plane full && node ;;
  down) down ;;
  cleanup) cleanup ;;
  status) status ;;
  pv) pv "$@" ;;
  load-image) load_image "$@" ;;
  *) sed -n '2,38p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
