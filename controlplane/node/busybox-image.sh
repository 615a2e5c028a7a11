#!/usr/bin/env bash
# Packs Debian's static busybox (package busybox-static) into a one-layer image and pushes it to the
# local registry, for tests that need a small real image on the real node:
#
#   busybox-image.sh [registry host:port]     prints the pushed reference
#
# The image runs as nobody (65534) and serves /www with `httpd`; every applet is linked in /bin, so
# `wget https://…` finds its ssl_client helper.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
registry=${1:-127.0.0.1:${ROBUSTML_REGISTRY_PORT:-15000}}
[[ -x /bin/busybox ]] && dpkg-query -W busybox-static >/dev/null 2>&1 || {
  echo "busybox-image: needs Debian's busybox-static (scripts/install packages)" >&2; exit 1; }
version=$(dpkg-query -W -f '${Version}' busybox-static | sed 's/^[0-9]*://; s/[^A-Za-z0-9_.-]/-/g')
ref="$registry/robustml/busybox:$version"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root"/{bin,etc,www,tmp}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"; done
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
echo "robustml real node" >"$root/www/index.html"
chmod 1777 "$root/tmp"
tar -C "$root" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/rootfs.tar" .
IMAGE_USER=65534:65534 IMAGE_ENV='["PATH=/bin"]' \
  "$here/rootfs-to-oci.sh" "$work/rootfs.tar" "$work/oci" "$version" '["sh"]' >/dev/null
# Plain http on loopback: the registry has no TLS.
skopeo copy -q --dest-tls-verify=false "oci:$work/oci:$version" "docker://$ref" >&2
echo "$ref"
