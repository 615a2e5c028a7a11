#!/usr/bin/env bash
# Makes a one-layer OCI image layout from a root filesystem tar, without Docker or a registry:
#
#   rootfs-to-oci.sh <rootfs.tar> <layout-dir> <ref> [Cmd as JSON]
#
# Optional environment: ENTRYPOINT (JSON array), IMAGE_USER ("uid:gid"), IMAGE_ENV (JSON array).
# Writes <layout-dir> (oci-layout, index.json, blobs/) and <layout-dir>.tar of it; the image is
# `oci:<layout-dir>:<ref>` for skopeo, and `ctr image import --base-name <name> <layout-dir>.tar`
# names it <name>:<ref>. The same input gives the same digests (gzip -n, no timestamps).
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: $0 <rootfs.tar> <layout-dir> <ref> [Cmd-json]" >&2; exit 2; }
rootfs=$1 dir=$2 ref=$3 cmd=${4:-null}
entrypoint=${ENTRYPOINT:-null}
user=${IMAGE_USER:-}
env_json=${IMAGE_ENV:-'["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]'}

rm -rf "$dir" "$dir.tar"
mkdir -p "$dir/blobs/sha256"

# Moves a file into blobs/sha256/<digest> and prints "<digest> <size>".
store() {
  local digest size
  digest=$(sha256sum "$1" | cut -c1-64)
  size=$(stat -c %s "$1")
  mv "$1" "$dir/blobs/sha256/$digest"
  echo "$digest $size"
}

# The config names the uncompressed layer (diff_id); the manifest names the compressed blob.
diff_id=$(sha256sum "$rootfs" | cut -c1-64)
gzip -n -1 -c "$rootfs" >"$dir/layer.tmp"
read -r layer layer_size < <(store "$dir/layer.tmp")

jq -cn --arg diff "sha256:$diff_id" --argjson cmd "$cmd" --argjson entrypoint "$entrypoint" \
  --argjson env "$env_json" --arg user "$user" '{
    architecture: "amd64", os: "linux",
    config: ({Env: $env}
      + (if $entrypoint then {Entrypoint: $entrypoint} else {} end)
      + (if $cmd then {Cmd: $cmd} else {} end)
      + (if $user != "" then {User: $user} else {} end)),
    rootfs: {type: "layers", diff_ids: [$diff]}}' >"$dir/config.tmp"
read -r config config_size < <(store "$dir/config.tmp")

jq -cn --arg config "sha256:$config" --argjson config_size "$config_size" \
  --arg layer "sha256:$layer" --argjson layer_size "$layer_size" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $config, size: $config_size},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $layer, size: $layer_size}]}' \
  >"$dir/manifest.tmp"
read -r manifest manifest_size < <(store "$dir/manifest.tmp")

jq -cn --arg manifest "sha256:$manifest" --argjson size "$manifest_size" --arg ref "$ref" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $manifest, size: $size,
      platform: {architecture: "amd64", os: "linux"},
      annotations: {"org.opencontainers.image.ref.name": $ref}}]}' >"$dir/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
tar -C "$dir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$dir.tar" oci-layout index.json blobs
echo "sha256:$manifest"
