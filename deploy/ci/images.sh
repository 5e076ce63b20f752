#!/usr/bin/env bash
# Used by .github/workflows/cd.yml before each deployment:
#
#   deploy/ci/images.sh REGISTRY TAG OUT [PROMOTE_TAG]
#
# For every image of a deployment (the five services and the CLI, which runs the
# migration), resolve REGISTRY/orchestrator-<image>:TAG to its digest and verify its
# keyless signature (made by the delivery workflow on main: CERT_IDENTITY), then write the
# helmfile state values that pin each release to that digest. A tag can move after it was
# verified; a digest cannot, so what runs is what was scanned and signed.
# With PROMOTE_TAG, also give each verified digest that tag (the version, on promotion to prod).
set -euo pipefail

registry=$1 tag=$2 out=$3 promote=${4:-}
identity=${CERT_IDENTITY:?the signing workflow identity, https://github.com/<repo>/.github/workflows/cd.yml@refs/heads/main}
issuer=https://token.actions.githubusercontent.com
images=(control-api exec-api webhook-ingress worker console cli)

declare -A digest
for image in "${images[@]}"; do
  ref=$registry/orchestrator-$image
  digest[$image]=$(docker buildx imagetools inspect "$ref:$tag" --format '{{json .Manifest}}' | jq -er .digest) || {
    echo "::error::$ref:$tag not found: was this commit built on main? (tags promote what main built)"
    exit 1
  }
  cosign verify --certificate-identity "$identity" --certificate-oidc-issuer "$issuer" \
    "$ref@${digest[$image]}" >/dev/null
  echo "$ref@${digest[$image]}: signed by $identity"
  if [[ -n $promote ]]; then
    docker buildx imagetools create --tag "$ref:$promote" "$ref@${digest[$image]}"
  fi
done

{
  echo "chart:"
  echo "  image:"
  echo "    registry: $registry"
  echo "    tag: $tag"
  echo "services:"
  for image in "${images[@]}"; do
    [[ $image == cli ]] && continue
    echo "  $image:"
    echo "    image:"
    echo "      digest: ${digest[$image]}"
    if [[ $image == control-api ]]; then
      echo "    migrations:"
      echo "      image:"
      echo "        digest: ${digest[cli]}"
    fi
  done
} >"$out"
