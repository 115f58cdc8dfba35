#!/usr/bin/env bash
# The Kubernetes base (deploy/kubernetes), rendered and validated offline:
#   bash .ci/kubernetes.sh
# Renders with `kubectl kustomize` (Debian's kubernetes-client when kubectl is missing: no cluster, no
# network), then .ci/kubernetes-validate.ts checks every object against the Kubernetes API schemas
# (kubernetes-models, from the npm registry) and what the shop needs of the manifests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v kubectl >/dev/null 2>&1; then
  echo "installing kubectl (Debian's kubernetes-client)"
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends kubernetes-client; } >/dev/null
fi

rendered=$(mktemp /tmp/kubernetes.XXXXXX.yaml)
trap 'rm -f "$rendered"' EXIT
kubectl kustomize deploy/kubernetes >"$rendered" 2> >(grep -v "commonLabels' is deprecated" >&2)
echo "rendered deploy/kubernetes with kubectl $(kubectl version --client 2>/dev/null | grep -oE 'v[0-9]+\.[0-9]+\.[0-9]+' | head -n1)"
node_modules/.bin/node .ci/kubernetes-validate.ts "$rendered"
