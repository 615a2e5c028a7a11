#!/usr/bin/env bash
# Builds the local cluster's binaries from their Go modules into a cache outside the repo:
#
#   build.sh           the control plane: kube-apiserver, kube-controller-manager, kube-scheduler,
#                      kubectl, etcd, kwok (what `scripts/cluster up` runs)
#   build.sh --node    also the real node's: kubelet and kube-proxy (same module and flags), the
#                      distribution registry and CoreDNS (`scripts/cluster node up`), the helm CLI
#                      (scripts/demo, the real-node scenarios), promtool (the chart's alert and
#                      dashboard tests) and argocd-health (the chart's Argo CD health check in Argo CD's
#                      own Lua VM: helm-chart/argocd/vm, a module that needs Go 1.27, GOTOOLCHAIN below)
#
# A second run is instant: each part checks a stamp of its pinned versions and go.sum files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=v1.35.4
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
REGISTRY_VERSION=v3.0.0
COREDNS_VERSION=v1.12.4
HELM_VERSION=v3.21.4   # the Helm that helm-java bundles
PROMETHEUS_VERSION=v0.316.0   # Prometheus 3.x's Go module version: promtool
BIN_DIR=${ROBUSTML_K8S_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/robustml/k8s-$K8S_VERSION}
export GOFLAGS=${GOFLAGS:--mod=mod}
case "${1:-}" in
  "") with_node=0 ;;
  --node) with_node=1 ;;
  *) echo "usage: $0 [--node]" >&2; exit 2 ;;
esac
mkdir -p "$BIN_DIR"

# Without these the server reports v0.0.0-master+$Format:%H$ and clients that parse it fail.
minor=$(echo "$K8S_VERSION" | cut -d. -f2)
ldflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

# Gateway API CRDs (HTTPRoute weights in the rollout tests), from the module zip; independent of the stamp.
GATEWAY_API_VERSION=v1.4.1
gw_dir="$BIN_DIR/gateway-api-$GATEWAY_API_VERSION"
if [[ ! -f $gw_dir/.done ]]; then
  mkdir -p "$gw_dir"
  gw_src=$(GOFLAGS= go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  cp "$gw_src"/config/crd/standard/gateway.networking.k8s.io_{gatewayclasses,gateways,httproutes}.yaml "$gw_dir/"
  touch "$gw_dir/.done"
  echo "Gateway API $GATEWAY_API_VERSION CRDs in $gw_dir"
fi

build_control_plane() {
  local stamp start
  stamp="$K8S_VERSION $ETCD_VERSION $KWOK_VERSION $(cat "$here"/k8s/go.sum "$here"/etcd/go.sum | sha256sum | cut -c1-16)"
  if [[ -f $BIN_DIR/.stamp && "$(cat "$BIN_DIR/.stamp")" == "$stamp" ]]; then
    echo "control plane binaries up to date in $BIN_DIR"
    return 0
  fi
  start=$(date +%s)

  echo ">> building Kubernetes $K8S_VERSION (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl)"
  (cd "$here/k8s" && go build -trimpath -ldflags "-s -w $ldflags" -o "$BIN_DIR/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)

  echo ">> building etcd $ETCD_VERSION"
  (cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/etcd" go.etcd.io/etcd/server/v3)

  echo ">> building kwok $KWOK_VERSION"
  GOBIN="$BIN_DIR" GOFLAGS= go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"

  # kwok refuses to start without Stages; take the ones shipped in its module.
  local kwok_dir f
  kwok_dir=$(GOFLAGS= go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  {
    cat "$here/kwok/kwok-configuration.yaml"
    for f in "$kwok_dir"/kustomize/stage/node/fast/*.yaml \
             "$kwok_dir"/kustomize/stage/node/heartbeat-with-lease/*.yaml \
             "$kwok_dir"/kustomize/stage/pod/fast/*.yaml; do
      [[ $(basename "$f") == kustomization.yaml ]] && continue
      echo "---"; cat "$f"
    done
  } > "$BIN_DIR/kwok.yaml"

  echo "$stamp" > "$BIN_DIR/.stamp"
  echo "control plane built into $BIN_DIR in $(( $(date +%s) - start )) s"
}

# Its own stamp, so that the node's binaries never force a rebuild of the control plane's.
build_node() {
  local stamp start
  stamp="$K8S_VERSION $REGISTRY_VERSION $COREDNS_VERSION $(sha256sum <"$here/k8s/go.sum" | cut -c1-16)"
  if [[ -f $BIN_DIR/.node-stamp && "$(cat "$BIN_DIR/.node-stamp")" == "$stamp" ]]; then
    echo "node binaries up to date in $BIN_DIR"
    return 0
  fi
  start=$(date +%s)

  echo ">> building Kubernetes $K8S_VERSION node (kubelet, kube-proxy)"
  (cd "$here/k8s" && go build -trimpath -ldflags "-s -w $ldflags" -o "$BIN_DIR/" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy)

  echo ">> building the distribution registry $REGISTRY_VERSION"
  GOBIN="$BIN_DIR" GOFLAGS= go install -trimpath -ldflags "-s -w" \
    "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"

  echo ">> building CoreDNS $COREDNS_VERSION"
  GOBIN="$BIN_DIR" GOFLAGS= go install -trimpath -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"

  echo "$stamp" > "$BIN_DIR/.node-stamp"
  echo "node binaries built into $BIN_DIR in $(( $(date +%s) - start )) s"
}

# Helm stamps its version and the Kubernetes minor its offline default (helm template, lint) assumes; without
# them that default is 1.20, below the chart's kubeVersion.
build_helm() {
  local stamp pkg
  stamp="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for pkg in pkg/chartutil pkg/lint/rules; do
    stamp+=" -X helm.sh/helm/v3/$pkg.k8sVersionMajor=1 -X helm.sh/helm/v3/$pkg.k8sVersionMinor=$minor"
  done
  if [[ -x $BIN_DIR/helm && -f $BIN_DIR/.helm-stamp && "$(cat "$BIN_DIR/.helm-stamp")" == "$stamp" ]]; then
    echo "helm up to date in $BIN_DIR"
    return 0
  fi
  echo ">> building helm $HELM_VERSION"
  GOBIN="$BIN_DIR" GOFLAGS= go install -trimpath -ldflags "$stamp" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  echo "$stamp" > "$BIN_DIR/.helm-stamp"
}

build_promtool() {
  if [[ -x $BIN_DIR/promtool && "$(cat "$BIN_DIR/.promtool-stamp" 2>/dev/null)" == "$PROMETHEUS_VERSION" ]]; then
    echo "promtool up to date in $BIN_DIR"
    return 0
  fi
  echo ">> building promtool (github.com/prometheus/prometheus $PROMETHEUS_VERSION)"
  GOBIN="$BIN_DIR" GOFLAGS= go install -trimpath -ldflags "-s -w" \
    "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
  echo "$PROMETHEUS_VERSION" > "$BIN_DIR/.promtool-stamp"
}

# Argo CD v3.6's module needs Go 1.27: the go command takes that toolchain from the module proxy.
build_argocd_health() {
  local src="$here/../helm-chart/argocd/vm" stamp
  stamp=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)
  if [[ -x $BIN_DIR/argocd-health && "$(cat "$BIN_DIR/.argocd-health-stamp" 2>/dev/null)" == "$stamp" ]]; then
    echo "argocd-health up to date in $BIN_DIR"
    return 0
  fi
  echo ">> building argocd-health (Argo CD's Lua VM, github.com/argoproj/argo-cd/v3/util/lua)"
  (cd "$src" && GOTOOLCHAIN=go1.27.3 GOFLAGS= go build -trimpath -ldflags "-s -w" -o "$BIN_DIR/argocd-health" .)
  echo "$stamp" > "$BIN_DIR/.argocd-health-stamp"
}

build_control_plane
if ((with_node)); then build_node; build_helm; build_promtool; build_argocd_health; fi
exit 0
