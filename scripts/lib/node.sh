# shellcheck shell=bash
# The real node (kubelet, containerd + runc, CNI bridge, kube-proxy, CoreDNS, a local image registry),
# joined to the control plane of scripts/cluster, which sources this file. Recipe and pitfalls:
# REAL-NODE.md; templates: controlplane/node/.
#
# Network safety first: nothing here may send a packet anywhere but loopback and the pod bridge.
# The guards go in before any node component starts and come out last; pods only ever see cluster DNS
# (cluster.local, no upstream); containerd pulls only from the loopback registry (any other registry
# is sent to a dead proxy on loopback); nothing binds to 0.0.0.0 or to the uplink.
#
# Uses from scripts/cluster: repo, STATE, BIN_DIR, API_PORT, KUBECONFIG_FILE, log, kc, alive, api_ready,
# wait_until, stop_process, launch_apiserver, launch_controllers, nodes_ready.

NODE_NAME=real-node-1
NODE_LABEL=robustml.io/real-node
NODE_DIR=$STATE/node
NODE_SRC=$repo/controlplane/node
POD_CIDR=10.88.0.0/16
NODE_IP=10.88.0.1             # the gateway on cni0: the node's IP, cluster DNS and the API forwarder
SERVICE_CIDR=10.96.0.0/16     # scripts/cluster's --service-cluster-ip-range
REGISTRY_PORT=${ROBUSTML_REGISTRY_PORT:-15000}
REGISTRY_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/robustml/registry   # pushed images survive down/up
DNS_READY_PORT=${ROBUSTML_DNS_READY_PORT:-16181}
CONTAINERD_SOCK=$NODE_DIR/containerd/containerd.sock
PAUSE_IMAGE=registry.k8s.io/pause:3.10.1
NODE_COMPONENTS=(containerd registry api-forwarder coredns kubelet kube-proxy)
# Written by the bridge plugin (ip_forward) or by the kubelet (it sets the kernel's panic and overcommit
# defaults); saved before the node starts and restored by node down.
NODE_SYSCTLS=(net.ipv4.ip_forward vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.bridge.bridge-nf-call-iptables
  net.bridge.bridge-nf-call-ip6tables net.ipv4.conf.all.route_localnet)
# Paths a node uses whatever its config says (one real node per VM); node down removes those it created.
# The kubelet's kubepods cgroup in every hierarchy is recorded the same way.
NODE_FIXED_PATHS=(/var/lib/kubelet /var/lib/cni /run/containerd /run/netns /var/log/containers /var/log/pods)

node_pid_of() { [[ -f $NODE_DIR/pids/$1 ]] && cat "$NODE_DIR/pids/$1"; }
node_alive() { local p; p=$(node_pid_of "$1") && [[ -n $p ]] && running "$p"; }
ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# Like scripts/cluster's launch, with the node's pid and log folders.
node_launch() {
  local name=$1; shift
  setsid "$@" </dev/null >>"$NODE_DIR/logs/$name.log" 2>&1 9>&- &
  echo $! >"$NODE_DIR/pids/$name"
}

# Renders a template of controlplane/node with this node's paths and addresses.
render() {
  sed -e "s|@NODE_DIR@|$NODE_DIR|g" -e "s|@NODE_NAME@|$NODE_NAME|g" -e "s|@NODE_IP@|$NODE_IP|g" \
    -e "s|@POD_CIDR@|$POD_CIDR|g" -e "s|@REGISTRY_PORT@|$REGISTRY_PORT|g" -e "s|@REGISTRY_DIR@|$REGISTRY_DIR|g" \
    -e "s|@DNS_READY_PORT@|$DNS_READY_PORT|g" "$NODE_SRC/$1"
}

# --- iptables rules this script owns -------------------------------------------------------------------
# rule_add/rule_del <table> <-I|-A> <chain> <rule...>: idempotent; del removes every copy.
rule_add() { local t=$1 op=$2 chain=$3; shift 3; iptables -w -t "$t" -C "$chain" "$@" 2>/dev/null || iptables -w -t "$t" "$op" "$chain" "$@"; }
rule_del() { local t=$1 chain=$3; shift 3; while iptables -w -t "$t" -C "$chain" "$@" 2>/dev/null; do iptables -w -t "$t" -D "$chain" "$@"; done; }
rule6_add() { local t=$1 op=$2 chain=$3; shift 3; ip6tables -w -t "$t" -C "$chain" "$@" 2>/dev/null || ip6tables -w -t "$t" "$op" "$chain" "$@"; }
rule6_del() { local t=$1 chain=$3; shift 3; while ip6tables -w -t "$t" -C "$chain" "$@" 2>/dev/null; do ip6tables -w -t "$t" -D "$chain" "$@"; done; }

# network_guards <add|del> <uplink>: REAL-NODE.md §1, exactly six rules commented real-node-guard (the
# host never sends to a private range through the uplink; pod traffic never leaves the bridge), plus one
# in mangle POSTROUTING that no kube-proxy ACCEPT can precede (KUBE-FORWARD accepts masqueraded packets).
network_guards() {
  local f=rule_$1 uplink=$2 net
  for net in 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10; do
    $f filter -I OUTPUT -o "$uplink" -d "$net" -m comment --comment real-node-guard -j DROP
  done
  $f filter -I FORWARD -s "$POD_CIDR" -o "$uplink" -m comment --comment real-node-guard -j DROP
  $f filter -I FORWARD -s "$POD_CIDR" ! -d "$POD_CIDR" -m comment --comment real-node-guard -j DROP
  $f mangle -I POSTROUTING -s "$POD_CIDR" -o "$uplink" -m comment --comment real-node-egress -j DROP
}

# host_resolver_exception <add|del> <uplink> <resolver...>: the VM's resolver is a 10.x address, so the
# guards would break DNS for everything else on this machine (Maven, apt, go). Host processes only
# (OUTPUT); pods are forwarded (FORWARD) and never use it.
host_resolver_exception() {
  local f=rule_$1 uplink=$2 r proto; shift 2
  for r in "$@"; do
    for proto in udp tcp; do
      $f filter -I OUTPUT -o "$uplink" -d "$r/32" -p "$proto" --dport 53 -m comment --comment real-node-resolver -j ACCEPT
    done
  done
}

# pod_input_rules <add|del>: pods may open connections to the host only for cluster DNS and the API
# forwarder, not to whatever else listens on 0.0.0.0 here. IPv6: pods have none; drop it outright.
pod_input_rules() {
  local f=rule_$1 f6=rule6_$1
  $f filter -A INPUT -i cni0 -p udp --dport 53 -m comment --comment real-node-input -j ACCEPT
  $f filter -A INPUT -i cni0 -p tcp -m multiport --dports "53,$API_PORT" -m comment --comment real-node-input -j ACCEPT
  $f filter -A INPUT -i cni0 -m conntrack --ctstate NEW -m comment --comment real-node-input -j DROP
  $f6 filter -A INPUT -i cni0 -m conntrack --ctstate NEW -m comment --comment real-node-input -j DROP
  $f6 filter -A FORWARD -i cni0 -m comment --comment real-node-input -j DROP
}

guard_count() { iptables -w -S | grep -c real-node-guard || true; }

# --- the API server as pods see it ---------------------------------------------------------------------
apiserver_advertise() { cat "$STATE/apiserver-advertise" 2>/dev/null || echo 127.0.0.1; }

# The `kubernetes` Service's endpoints are the API server's --advertise-address. Pods reach
# 10.96.0.1:443 -> (kube-proxy) <advertise>:API_PORT, so it must be an address a pod can reach: the
# bridge's, where socat forwards to the loopback-only API server. etcd (the state) keeps running.
restart_apiserver() {
  log "restarting kube-apiserver with --advertise-address $1 (and its controllers)"
  # The controller manager, scheduler and kwok would reconnect with up to a minute of backoff (a new
  # namespace gets no ServiceAccount meanwhile): they restart too, and stopping them first lets the API
  # server exit at once.
  local name probe=robustml-restart-probe-$$
  for name in kwok kube-scheduler kube-controller-manager; do stop_process "$STATE/pids/$name" "$name"; done
  # Other clients' watches (a test JVM's) would keep it 60 s in graceful shutdown: once it has released
  # its endpoint lease and closed its port, nothing is lost by killing it; its state is in etcd.
  kill -TERM "$(pid_of kube-apiserver)" 2>/dev/null || true
  wait_until 30 "kube-apiserver to close its port" apiserver_port_closed
  STOP_WAIT_S=5 stop_process "$STATE/pids/kube-apiserver" kube-apiserver 2>/dev/null
  APISERVER_ADVERTISE=$1 launch_apiserver
  wait_until 60 "kube-apiserver /readyz" api_ready
  launch_controllers
  wait_until 60 "fake nodes Ready" nodes_ready
  wait_until 60 "the controller manager (a new namespace's ServiceAccount)" controllers_answer "$probe"
  kc delete namespace "$probe" --wait=false >/dev/null
}

controllers_answer() {  # <probe namespace>
  kc get namespace "$1" >/dev/null 2>&1 || kc create namespace "$1" >/dev/null 2>&1 || return 1
  kc get serviceaccount default -n "$1" >/dev/null 2>&1
}

apiserver_port_closed() { ! ss -Hltn "sport = :$API_PORT" | grep -q "127.0.0.1:$API_PORT"; }

kubernetes_endpoints() {
  kc get endpointslice -n default kubernetes -o jsonpath='{range .endpoints[*]}{.addresses[0]}{" "}{end}{.ports[0].port}' 2>/dev/null
}

# Pods verify the API server with kube-root-ca.crt (its self-signed bundle) against 10.96.0.1 and
# kubernetes.default.svc: both must be in the serving certificate.
check_apiserver_san() {
  local san
  san=$(openssl x509 -in "$STATE/certs/apiserver.crt" -noout -ext subjectAltName)
  if [[ $san != *"IP Address:10.96.0.1"* || $san != *"DNS:kubernetes.default.svc"* ]]; then
    log "the API server's certificate lacks 10.96.0.1 or kubernetes.default.svc: $san"; return 1
  fi
}

# node_kubeconfig <serviceaccount> <file>: a kubeconfig with a token of a kube-system ServiceAccount.
node_kubeconfig() {
  local token
  token=$(kc -n kube-system create token "$1" --duration=720h)
  cat >"$2" <<KC
apiVersion: v1
kind: Config
clusters:
- name: robustml-local
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $STATE/certs/apiserver.crt
users:
- name: $1
  user:
    token: $token
contexts:
- name: robustml-local
  context: {cluster: robustml-local, user: $1}
current-context: robustml-local
KC
  chmod 600 "$2"
}

node_ready() {
  [[ $(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}
kubelet_healthy() { node_alive kubelet && curl -sf -o /dev/null --max-time 2 http://127.0.0.1:10248/healthz; }
registry_answers() { curl -sf -o /dev/null "http://127.0.0.1:$REGISTRY_PORT/v2/"; }
containerd_answers() { ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; }
forwarder_listens() { ss -Hltn "sport = :$API_PORT" | grep -q "$NODE_IP:$API_PORT"; }
dns_ready() { curl -sf -o /dev/null "http://127.0.0.1:$DNS_READY_PORT/ready"; }
proxy_synced() { iptables -w -t nat -S KUBE-SERVICES 2>/dev/null | grep -q 'default/kubernetes:https'; }
endpoints_are_node() { [[ $(kubernetes_endpoints) == "$NODE_IP $API_PORT" ]]; }
all_node_components_alive() { local c; for c in "${NODE_COMPONENTS[@]}"; do node_alive "$c" || return 1; done; }

node_prerequisites() {
  local missing=() cmd
  [[ $(id -u) == 0 ]] || { log "the real node needs root (network namespaces, iptables, mounts)"; return 1; }
  for cmd in containerd ctr runc iptables ip6tables ip ss jq openssl gcc socat curl conntrack; do
    command -v "$cmd" >/dev/null || missing+=("$cmd")
  done
  [[ -x /usr/lib/cni/bridge ]] || missing+=(containernetworking-plugins)
  if ((${#missing[@]})); then
    log "missing: ${missing[*]}; run scripts/install packages"; return 1
  fi
}

# --- up ---------------------------------------------------------------------------------------------------
node_up() {
  node_prerequisites
  if ! alive kube-apiserver || ! api_ready; then
    log "the control plane is not running: scripts/cluster up --node (or up, then node up)"; return 1
  fi
  exec 9>"$STATE/node.lock"
  flock 9
  if [[ -f $NODE_DIR/up ]] && all_node_components_alive && node_ready && [[ $(guard_count) == 6 ]] \
      && endpoints_are_node; then
    log "node $NODE_NAME already running (state in $NODE_DIR)"; return 0
  fi
  # (Leaves the API server's advertise address: node_start needs it the same.)
  [[ -d $NODE_DIR ]] && { log "stale node state found, taking it down first"; node_teardown 0; }
  # Downloads (Go modules) must finish before the guards block the VM's resolver.
  "$repo/controlplane/build.sh" --node >&2
  local t0=$SECONDS rc
  set +e
  (set -e; node_start)
  rc=$?
  set -e
  if ((rc != 0)); then
    log "node up failed; logs in $NODE_DIR/logs (copied to $STATE/node-failed-logs)"
    rm -rf "$STATE/node-failed-logs"; cp -r "$NODE_DIR/logs" "$STATE/node-failed-logs" 2>/dev/null || true
    if [[ ${ROBUSTML_NODE_KEEP_FAILED:-0} == 1 ]]; then
      log "ROBUSTML_NODE_KEEP_FAILED=1: leaving the node as it is (guards in place); scripts/cluster node down removes it"
    else
      node_teardown 1
    fi
    return 1
  fi
  touch "$NODE_DIR/up"
  log "node $NODE_NAME up in $((SECONDS - t0)) s: registry 127.0.0.1:$REGISTRY_PORT, CONTAINERD_ADDRESS=$CONTAINERD_SOCK"
}

node_start() {
  mkdir -p "$NODE_DIR"/{pids,logs,containerd,cni/net.d,kubelet,kube-proxy,coredns,images,registry} "$REGISTRY_DIR"
  record_host_state

  local uplink
  uplink=$(ip -4 route show default | awk '{print $5; exit}')
  [[ -n $uplink ]] || { log "no default route: cannot tell which interface to guard"; return 1; }
  echo "$uplink" >"$NODE_DIR/uplink"
  awk '$1 == "nameserver" && $2 ~ /^[0-9.]+$/ {print $2}' /etc/resolv.conf >"$NODE_DIR/resolvers"
  network_guards add "$uplink"
  # shellcheck disable=SC2046
  host_resolver_exception add "$uplink" $(cat "$NODE_DIR/resolvers")
  pod_input_rules add
  log "network guards in place ($(guard_count) real-node-guard rules, uplink $uplink)"

  # containerd pulls through HTTP(S)_PROXY: a dead port on loopback, so an image from any registry but
  # the local one fails at once instead of reaching the internet. Loopback is never proxied.
  render containerd.toml >"$NODE_DIR/containerd/config.toml"
  mkdir -p "$NODE_DIR/containerd/certs.d/127.0.0.1:$REGISTRY_PORT"
  render hosts.toml >"$NODE_DIR/containerd/certs.d/127.0.0.1:$REGISTRY_PORT/hosts.toml"
  node_launch containerd env HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 \
    NO_PROXY=127.0.0.1,localhost containerd --config "$NODE_DIR/containerd/config.toml"
  wait_until 30 containerd containerd_answers

  render registry.yml >"$NODE_DIR/registry/config.yml"
  node_launch registry env OTEL_TRACES_EXPORTER=none "$BIN_DIR/registry" serve "$NODE_DIR/registry/config.yml"
  wait_until 30 "the registry on 127.0.0.1:$REGISTRY_PORT" registry_answers
  node_alive registry || { log "registry exited (is port $REGISTRY_PORT taken? ROBUSTML_REGISTRY_PORT moves it)"; return 1; }

  import_pause_image

  create_bridge
  # Unproxied ClusterIP traffic must stay on the bridge, never follow the default route.
  ip route replace "$SERVICE_CIDR" dev cni0

  node_launch api-forwarder socat "TCP-LISTEN:$API_PORT,bind=$NODE_IP,reuseaddr,fork" "TCP:127.0.0.1:$API_PORT"
  wait_until 10 "the API forwarder on $NODE_IP:$API_PORT" forwarder_listens
  [[ $(apiserver_advertise) == "$NODE_IP" ]] || restart_apiserver "$NODE_IP"
  check_apiserver_san
  wait_until 60 "the kubernetes Service endpoints at $NODE_IP:$API_PORT" endpoints_are_node

  render rbac.yaml | kc apply -f - >/dev/null
  node_kubeconfig "$NODE_NAME" "$NODE_DIR/kubelet/kubeconfig"
  node_kubeconfig real-node-proxy "$NODE_DIR/kube-proxy/kubeconfig"
  node_kubeconfig real-node-dns "$NODE_DIR/coredns/kubeconfig"

  render Corefile >"$NODE_DIR/coredns/Corefile"
  node_launch coredns "$BIN_DIR/coredns" -conf "$NODE_DIR/coredns/Corefile"
  wait_until 60 "CoreDNS ready" dns_ready

  start_kubelet
  wait_until 90 "node $NODE_NAME Ready" node_ready
  kc uncordon "$NODE_NAME" >/dev/null   # a node object that outlived a teardown is still cordoned

  render kube-proxy.yaml >"$NODE_DIR/kube-proxy/config.yaml"
  node_launch kube-proxy "$BIN_DIR/kube-proxy" --config "$NODE_DIR/kube-proxy/config.yaml"
  wait_until 60 "kube-proxy rules for default/kubernetes" proxy_synced
  # kube-proxy prepends its own jumps; the guards must all still be there.
  local guards; guards=$(guard_count)
  [[ $guards == 6 ]] || { log "expected 6 real-node-guard rules after kube-proxy started, found $guards"; return 1; }
  all_node_components_alive || { log "a node component exited; see $NODE_DIR/logs"; return 1; }
}

# What the node changes outside its state dir, saved once so that node down can put it back.
record_host_state() {
  local k p
  if [[ ! -f $NODE_DIR/sysctls ]]; then
    for k in "${NODE_SYSCTLS[@]}"; do
      if [[ -e /proc/sys/${k//.//} ]]; then echo "$k=$(sysctl -n "$k")"; fi
    done >"$NODE_DIR/sysctls"
  fi
  if [[ ! -f $NODE_DIR/created-paths ]]; then
    for p in "${NODE_FIXED_PATHS[@]}" /sys/fs/cgroup/*/; do
      [[ $p == /sys/* ]] && p=${p}kubepods
      if [[ ! -e $p ]]; then echo "$p"; fi
    done >"$NODE_DIR/created-paths"
  fi
}

# The sandbox image, from pause.c: statically linked, one layer, pinned so image GC never removes it.
import_pause_image() {
  local dir=$NODE_DIR/images/pause
  mkdir -p "$dir/rootfs"
  gcc -Os -static -o "$dir/rootfs/pause" "$NODE_SRC/pause.c"
  strip "$dir/rootfs/pause"
  tar -C "$dir/rootfs" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$dir/rootfs.tar" .
  "$NODE_SRC/rootfs-to-oci.sh" "$dir/rootfs.tar" "$dir/oci" "${PAUSE_IMAGE##*:}" '["/pause"]' >/dev/null
  ctr_k8s images import --base-name "${PAUSE_IMAGE%:*}" "$dir/oci.tar" >/dev/null
  ctr_k8s images label "$PAUSE_IMAGE" io.cri-containerd.pinned=pinned >/dev/null
}

# cni0 must exist before the kubelet: the node IP (10.88.0.1) lives on it. One bridge-plugin ADD and DEL
# in a scratch netns creates it with the gateway address; the DEL releases the scratch pod's IP.
create_bridge() {
  ip link show cni0 >/dev/null 2>&1 && return 0
  render 10-bridge.conflist >"$NODE_DIR/cni/net.d/10-bridge.conflist"
  local conf cmd ns=real-node-scratch
  conf=$(jq -c '.plugins[0] + {name, cniVersion}' "$NODE_DIR/cni/net.d/10-bridge.conflist")
  ip netns add "$ns"
  for cmd in ADD DEL; do
    CNI_COMMAND=$cmd CNI_CONTAINERID=$ns CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni \
      /usr/lib/cni/bridge <<<"$conf" >>"$NODE_DIR/logs/cni.log"
  done
  ip netns del "$ns"
  ip -4 addr show cni0 | grep -q "inet $NODE_IP/" || { log "cni0 has no $NODE_IP"; return 1; }
}

start_kubelet() {
  # The API server reaches the kubelet by node name (logs, exec): loopback, where the kubelet listens.
  grep -q "[[:space:]]$NODE_NAME # real-node\$" /etc/hosts || echo "127.0.0.1 $NODE_NAME # real-node" >>/etc/hosts
  [[ -f $NODE_DIR/kubelet/kubelet.crt ]] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$NODE_NAME" \
    -addext "subjectAltName=DNS:$NODE_NAME,IP:127.0.0.1" -keyout "$NODE_DIR/kubelet/kubelet.key" \
    -out "$NODE_DIR/kubelet/kubelet.crt" 2>/dev/null
  echo "nameserver 127.0.0.1" >"$NODE_DIR/kubelet/resolv.conf"   # dead inside a pod: cluster DNS only
  render kubelet.yaml >"$NODE_DIR/kubelet/config.yaml"
  mkdir -p "$NODE_DIR/kubelet/root"
  node_launch kubelet "$BIN_DIR/kubelet" --config "$NODE_DIR/kubelet/config.yaml" \
    --kubeconfig "$NODE_DIR/kubelet/kubeconfig" --root-dir "$NODE_DIR/kubelet/root" \
    --cert-dir "$NODE_DIR/kubelet/pki" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" \
    --node-labels "$NODE_LABEL=true"
}

# --- down -------------------------------------------------------------------------------------------------
node_down() {
  [[ -d $NODE_DIR ]] || { log "node $NODE_NAME is not up"; return 0; }
  [[ -d $STATE ]] && { exec 9>"$STATE/node.lock"; flock 9; }
  node_teardown 1
}

# node_teardown <restore the control plane: 1|0>. Everything node up added, in reverse, by pid and by
# name of what this script created; the guards go last. 1 also removes the node's API objects and
# restarts the API server with its plain advertise address; 0 is for scripts/cluster down, which stops
# the control plane next, and for a node up that starts again at once.
node_teardown() {
  local restore_cp=$1 uplink="" resolvers=() p
  [[ -f $NODE_DIR/uplink ]] && uplink=$(cat "$NODE_DIR/uplink")
  [[ -f $NODE_DIR/resolvers ]] && mapfile -t resolvers <"$NODE_DIR/resolvers"

  if api_ready; then
    # Cordon first so nothing is scheduled back, then let the kubelet stop the pods properly.
    kc cordon "$NODE_NAME" >/dev/null 2>&1 || true
    if kubelet_healthy; then
      kc delete pods -A --field-selector "spec.nodeName=$NODE_NAME" --wait=true --timeout=30s >/dev/null 2>&1 ||
        log "pods on $NODE_NAME did not stop in 30 s; removing their containers directly"
    fi
  fi

  stop_process "$NODE_DIR/pids/kube-proxy" kube-proxy
  [[ -x $BIN_DIR/kube-proxy ]] && "$BIN_DIR/kube-proxy" --cleanup --proxy-mode=iptables >>"$NODE_DIR/logs/kube-proxy-cleanup.log" 2>&1 || true
  stop_process "$NODE_DIR/pids/coredns" coredns
  stop_process "$NODE_DIR/pids/kubelet" kubelet
  if api_ready && ((restore_cp)); then
    kc delete pods -A --field-selector "spec.nodeName=$NODE_NAME" --force --grace-period=0 >/dev/null 2>&1 || true
    kc delete node "$NODE_NAME" --ignore-not-found >/dev/null 2>&1 || true
    kc delete serviceaccount,clusterrolebinding,clusterrole -A -l "$NODE_LABEL=true" --ignore-not-found >/dev/null 2>&1 || true
  fi

  remove_containers
  stop_process "$NODE_DIR/pids/containerd" containerd
  stop_process "$NODE_DIR/pids/registry" registry
  stop_process "$NODE_DIR/pids/api-forwarder" api-forwarder group   # socat forks a child per connection
  kill_leftover_node_processes

  unmount_under "$NODE_DIR"
  remove_netns_leftovers
  remove_kube_chains
  ip link del cni0 2>/dev/null || true   # takes the Service CIDR route with it
  ip route del "$SERVICE_CIDR" 2>/dev/null || true
  restore_sysctls
  if grep -q "# real-node\$" /etc/hosts; then
    # Rewritten in place (not sed -i): /etc/hosts may be a bind mount.
    local hosts; hosts=$(grep -v "# real-node\$" /etc/hosts); printf '%s\n' "$hosts" >/etc/hosts
  fi
  remove_cgroups
  if [[ -f $NODE_DIR/created-paths ]]; then
    while read -r p; do [[ $p == /sys/* ]] || rm -rf --one-file-system "$p"; done <"$NODE_DIR/created-paths"
  fi

  if ((restore_cp)) && alive kube-apiserver && [[ $(apiserver_advertise) == "$NODE_IP" ]]; then
    restart_apiserver 127.0.0.1 || log "could not restore the API server's advertise address; scripts/cluster down && up"
  fi

  if [[ -n $(mounts_under "$NODE_DIR") ]]; then
    log "mounts remain under $NODE_DIR, not removing it: $(mounts_under "$NODE_DIR" | tr '\n' ' ')"; return 1
  fi
  rm -rf --one-file-system "$NODE_DIR"

  # Last: the guards and their exceptions.
  pod_input_rules del
  if [[ -n $uplink ]]; then
    host_resolver_exception del "$uplink" "${resolvers[@]}"
    network_guards del "$uplink"
  fi
  log "node $NODE_NAME down"
}

# Stops every container of the node through containerd (after the kubelet, nothing else will).
remove_containers() {
  containerd_answers || return 0
  local id
  for id in $(ctr_k8s tasks ls -q 2>/dev/null); do
    ctr_k8s tasks kill --all --signal SIGKILL "$id" >/dev/null 2>&1 || true
  done
  for id in $(ctr_k8s tasks ls -q 2>/dev/null); do
    ctr_k8s tasks delete --force "$id" >/dev/null 2>&1 || true
  done
  for id in $(ctr_k8s containers ls -q 2>/dev/null); do
    ctr_k8s containers delete "$id" >/dev/null 2>&1 || true
  done
}

# Shims outlive containerd (they are their own process group). Only this node's: their command line
# names this node's containerd socket. Then anything still in the pods' cgroups.
kill_leftover_node_processes() {
  local pid args pids=()
  for pid in /proc/[0-9]*; do
    mapfile -d '' -t args 2>/dev/null <"$pid/cmdline" || continue
    if [[ ${args[0]:-} == *containerd-shim* && " ${args[*]} " == *" -address $CONTAINERD_SOCK "* ]]; then
      pids+=("${pid#/proc/}")
    fi
  done
  local c
  for c in /sys/fs/cgroup/*/kubepods; do
    if [[ -d $c ]]; then mapfile -t -O "${#pids[@]}" pids < <(find "$c" -name cgroup.procs -exec cat {} + 2>/dev/null); fi
  done
  ((${#pids[@]})) || return 0
  mapfile -t pids < <(printf '%s\n' "${pids[@]}" | sort -un)
  log "killing leftover node processes: ${pids[*]}"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.5
}

mounts_under() { findmnt -rn -o TARGET | awk -v p="$1/" 'index($0 "/", p) == 1' | sort -r; }

unmount_under() {
  local m
  for m in $(mounts_under "$1"); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
}

# Pod network namespaces that containerd left (when containers were removed without the kubelet), and
# the /run/netns mount `ip netns add` made, when this node created /run/netns.
remove_netns_leftovers() {
  grep -qx /run/netns "$NODE_DIR/created-paths" 2>/dev/null || return 0
  local ns
  for ns in /run/netns/*; do
    [[ -e $ns ]] || continue
    umount "$ns" 2>/dev/null || true; rm -f "$ns"
  done
  while mountpoint -q /run/netns; do umount /run/netns || break; done
}

# kube-proxy --cleanup leaves the kubelet's chains (KUBE-FIREWALL, KUBE-KUBELET-CANARY); the portmap
# plugin's are CNI-*. Nothing else on this VM makes such chains.
remove_kube_chains() {
  local ipt t rule chain
  for ipt in iptables ip6tables; do
    for t in filter nat mangle raw; do
      "$ipt" -w -t "$t" -S >/dev/null 2>&1 || continue
      while read -r rule; do
        eval "$ipt -w -t $t ${rule/#-A/-D}" 2>/dev/null || true
      done < <("$ipt" -w -t "$t" -S | grep -E '^-A (INPUT|OUTPUT|FORWARD|PREROUTING|POSTROUTING) .*-j (KUBE|CNI)-')
      for chain in $("$ipt" -w -t "$t" -S | awk '/^-N (KUBE|CNI)-/ {print $2}'); do
        "$ipt" -w -t "$t" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$ipt" -w -t "$t" -S | awk '/^-N (KUBE|CNI)-/ {print $2}'); do
        "$ipt" -w -t "$t" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

restore_sysctls() {
  [[ -f $NODE_DIR/sysctls ]] || { echo 0 >/proc/sys/net/ipv4/ip_forward; return 0; }
  local line
  while read -r line; do sysctl -q -w "$line" >/dev/null 2>&1 || true; done <"$NODE_DIR/sysctls"
}

remove_cgroups() {
  [[ -f $NODE_DIR/created-paths ]] || return 0
  local c
  while read -r c; do
    [[ $c == /sys/fs/cgroup/* && -d $c ]] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done <"$NODE_DIR/created-paths"
}

# --- status -------------------------------------------------------------------------------------------------
node_status() {
  local name rc=0
  if [[ ! -d $NODE_DIR ]]; then echo "node $NODE_NAME: down"; return 1; fi
  for name in "${NODE_COMPONENTS[@]}"; do
    if node_alive "$name"; then echo "$name: running (pid $(node_pid_of "$name"))"; else echo "$name: stopped"; rc=1; fi
  done
  if node_ready; then echo "node $NODE_NAME: Ready"; else echo "node $NODE_NAME: not ready"; rc=1; fi
  echo "guards: $(guard_count) real-node-guard rules (want 6)"
  [[ $(guard_count) == 6 ]] || rc=1
  echo "registry: 127.0.0.1:$REGISTRY_PORT (storage $REGISTRY_DIR)"
  echo "containerd: $CONTAINERD_SOCK"
  return $rc
}
