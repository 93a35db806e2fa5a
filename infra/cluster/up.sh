#!/usr/bin/env bash
# Brings up a single-node Kubernetes cluster on this machine from the
# components build.sh compiled: containerd + runc (Debian), etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and
# kube-proxy as host processes (the way hack/local-up-cluster.sh wires them),
# then the add-ons as pods: CoreDNS, Traefik serving Ingresses of class
# `nginx` on the node's port 80, kube-router (NetworkPolicy
# enforcement) and local-path-provisioner (the default StorageClass).
#
#   sudo infra/cluster/up.sh        # then: export KUBECONFIG=/var/lib/todo-cluster/kubeconfig
#
# Needs root. Everything it starts or writes lives under $TODO_CLUSTER_STATE
# (default /var/lib/todo-cluster) and is undone by down.sh.
set -euo pipefail
# shellcheck source=lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"

[ "$(id -u)" = 0 ] || die "up.sh needs root (containerd, the kubelet and the network plugins)"
if cluster_running; then
  info "the cluster is already up (kubeconfig: $KUBECONFIG_FILE)"
  exit 0
fi
started=$SECONDS

log "packages: containerd, runc, CNI plugins, nftables, openssl"
install_packages containerd runc containernetworking-plugins iptables ipset nftables conntrack openssl curl podman

log "components (built from source once, then cached)"
"$CLUSTER_DIR/build.sh"
ETCD_BIN="$(bin_dir etcd "v$ETCD_VERSION")"

rm -rf "$STATE"
mkdir -p "$STATE"/{pki,logs,run,etcd,cni/net.d,cni/ipam,kubelet,containerd/root,containerd/state,local-path,manifests}
chmod 700 "$STATE"
NODE_IP="$(node_ip)"
printf '%s\n' "$NODE_IP" >"$STATE/node-ip"
info "node $NODE_NAME at $NODE_IP; pods $POD_CIDR, services $SERVICE_CIDR"

log "kernel settings a node needs"
sysctl -qw net.ipv4.ip_forward=1
sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || modprobe br_netfilter 2>/dev/null || true

log "certificates and kubeconfigs"
pki="$STATE/pki"
openssl_quiet() { openssl "$@" 2>/dev/null; }
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=todo-local-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt"
# issue NAME SUBJECT [SUBJECT_ALT_NAMES]: a key and a certificate signed by the CA.
issue() {
  local name="$1" subject="$2" sans="${3:-}" ext="$pki/$1.ext"
  openssl_quiet req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$pki/$name.key" -out "$pki/$name.csr"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$sans" ]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$sans"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$ext"
  openssl_quiet x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 365 -extfile "$ext" -out "$pki/$name.crt"
  rm -f "$pki/$name.csr" "$ext"
}
issue apiserver "/CN=kube-apiserver" \
  "DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,DNS:localhost,IP:127.0.0.1,IP:$KUBERNETES_SERVICE_IP,IP:$NODE_IP"
issue kubelet-serving "/CN=$NODE_NAME" "DNS:$NODE_NAME,DNS:localhost,IP:127.0.0.1,IP:$NODE_IP"
issue admin "/O=system:masters/CN=todo-admin"
issue apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client"
issue controller-manager "/CN=system:kube-controller-manager"
issue scheduler "/CN=system:kube-scheduler"
issue kubelet "/O=system:nodes/CN=system:node:$NODE_NAME"
issue kube-proxy "/CN=system:kube-proxy"
openssl_quiet genrsa -out "$pki/sa.key" 2048
openssl_quiet rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub"
chmod 600 "$pki"/*.key

# kubeconfig FILE USER: a kubeconfig for one client certificate.
kubeconfig() {
  local file="$1" user="$2"
  local k=("$KUBE_BIN/kubectl" --kubeconfig "$file")
  "${k[@]}" config set-cluster todo-local --server "https://$NODE_IP:6443" \
    --certificate-authority "$pki/ca.crt" --embed-certs >/dev/null
  "${k[@]}" config set-credentials "$user" --client-certificate "$pki/$user.crt" \
    --client-key "$pki/$user.key" --embed-certs >/dev/null
  "${k[@]}" config set-context "$CONTEXT" --cluster todo-local --user "$user" >/dev/null
  "${k[@]}" config use-context "$CONTEXT" >/dev/null
  chmod 600 "$file"
}
for user in admin controller-manager scheduler kubelet kube-proxy; do
  kubeconfig "$STATE/$user.kubeconfig" "$user"
done
cp "$STATE/admin.kubeconfig" "$KUBECONFIG_FILE"

log "containerd (runc, CNI bridge $POD_CIDR, locally built pause image)"
cat >"$STATE/cni/net.d/10-todo.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "todo",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE/cni/ipam",
        "ranges": [[{ "subnet": "$POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
cat >"$STATE/containerd/config.toml" <<EOF
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Root lacks CAP_SYS_RESOURCE here: no oom_score_adj below the runtime's own.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$STATE/cni/net.d"
EOF
# Pods' network namespaces are bind mounts in /run/netns. Make the folder a
# shared mount point first, as `ip netns`, CNI and podman do on first use:
# if podman did it later (binding the folder over itself), it would hide the
# mounts made before, and those pods' namespaces could never be removed
# ("device or resource busy": a pod stuck Terminating). Left in place by
# down.sh, as `ip netns` leaves it.
mkdir -p /run/netns
mountpoint -q /run/netns || mount --bind /run/netns /run/netns
mount --make-shared /run/netns
start containerd containerd --config "$STATE/containerd/config.toml"
wait_until 30 "containerd answers" ctr_k8s version

log "images: pause, the add-ons (FROM scratch, the binaries above) and busybox"
"$CLUSTER_DIR/images.sh" system

log "etcd $ETCD_VERSION"
start etcd "$ETCD_BIN/etcd" --name "$NODE_NAME" --data-dir "$STATE/etcd" \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" --listen-metrics-urls http://127.0.0.1:2381 \
  --quota-backend-bytes 2147483648 --log-level warn
wait_until 30 "etcd is healthy" curl -fsS http://127.0.0.1:2381/health

log "kube-apiserver $KUBERNETES_VERSION"
start kube-apiserver "$KUBE_BIN/kube-apiserver" \
  --etcd-servers http://127.0.0.1:2379 \
  --advertise-address "$NODE_IP" --bind-address 0.0.0.0 --secure-port 6443 \
  --service-cluster-ip-range "$SERVICE_CIDR" --service-node-port-range 30000-32767 \
  --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
  --client-ca-file "$pki/ca.crt" \
  --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
  --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority "$pki/ca.crt" --kubelet-preferred-address-types InternalIP,Hostname \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
  --allow-privileged=true --profiling=false --v=1
wait_until 60 "the API server is ready" kubectl get --raw /readyz

log "kube-controller-manager, kube-scheduler"
start kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
  --kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
  --use-service-account-credentials=true --leader-elect=false \
  --service-cluster-ip-range "$SERVICE_CIDR" --bind-address 127.0.0.1 --profiling=false --v=1
start kube-scheduler "$KUBE_BIN/kube-scheduler" \
  --kubeconfig "$STATE/scheduler.kubeconfig" \
  --authentication-kubeconfig "$STATE/scheduler.kubeconfig" \
  --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
  --leader-elect=false --bind-address 127.0.0.1 --profiling=false --v=1

log "kubelet (cgroupfs driver, cgroup v1)"
cat >"$STATE/kubelet-config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $pki/ca.crt }
authorization: { mode: Webhook }
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS: [$CLUSTER_DNS_IP]
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
# No image can be pulled here: never garbage-collect the imported ones.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: "100Mi", nodefs.available: "2%", imagefs.available: "2%" }
serializeImagePulls: false
maxPods: 60
podPidsLimit: 1024
staticPodPath: $STATE/manifests
EOF
start kubelet "$KUBE_BIN/kubelet" --config "$STATE/kubelet-config.yaml" \
  --kubeconfig "$STATE/kubelet.kubeconfig" --root-dir "$STATE/kubelet" \
  --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v=1
wait_until 90 "the node registers" kubectl get node "$NODE_NAME"

log "kube-proxy (nftables mode)"
cat >"$STATE/kube-proxy-config.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
clientConnection: { kubeconfig: $STATE/kube-proxy.kubeconfig }
hostnameOverride: $NODE_NAME
clusterCIDR: $POD_CIDR
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# The kernel's conntrack table is left as the host has it.
conntrack: { maxPerCore: 0 }
EOF
start kube-proxy "$KUBE_BIN/kube-proxy" --config "$STATE/kube-proxy-config.yaml" --v=1

log "add-ons: CoreDNS, Traefik (ingress class nginx), kube-router (NetworkPolicy), local-path-provisioner"
render_addons >"$STATE/addons.yaml"
kubectl apply -f "$STATE/addons.yaml" >/dev/null
addons=(kube-system/deployment/coredns ingress-nginx/deployment/traefik
  local-path-storage/deployment/local-path-provisioner kube-system/daemonset/kube-router)
wait_until 120 "the node is Ready" node_ready
for target in "${addons[@]}"; do
  kubectl -n "${target%%/*}" rollout status "${target#*/}" --timeout 180s >/dev/null ||
    die "${target#*/} did not become ready (logs: $STATE/logs)"
done
wait_until 60 "the ingress answers on $NODE_IP:80" curl -s -o /dev/null "http://$NODE_IP/"

printf '%s\n' "$((SECONDS - started))" >"$STATE/up-seconds"
log "cluster up in $((SECONDS - started)) s"
info "export KUBECONFIG=$KUBECONFIG_FILE   (context $CONTEXT; kubectl: $KUBE_BIN/kubectl)"
info "the ingress: http://$NODE_IP (Host: todo.local); for infra/scripts: INGRESS_IP=$NODE_IP"
