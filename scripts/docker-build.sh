#!/usr/bin/env bash
# `make docker`: builds gptom-mock (release) and the image gptom-mock:latest from docker/Dockerfile, offline.
# The image is FROM scratch: the binary, the shared libraries `ldd` lists for it, the system's CA roots (for
# `gptom-mock proxy --upstream https://…`), /etc/passwd with the non-root user 10001, a writable /tmp, and a
# writable /state for `--state /state` (mount a volume there).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG="${TAG:-gptom-mock:latest}"
cargo build -q --release --locked -p mock-server --bin gptom-mock
ctx=target/docker
rm -rf "$ctx"
mkdir -p "$ctx/rootfs/etc/ssl/certs" "$ctx/rootfs/tmp" "$ctx/rootfs/state"
cp docker/Dockerfile "$ctx/"
cp target/release/gptom-mock "$ctx/rootfs/gptom-mock"
# the C libraries the binary links (glibc's loader among them), at the paths the binary asks for
for lib in $(ldd target/release/gptom-mock | grep -o '/[^ ]*'); do
    mkdir -p "$ctx/rootfs$(dirname "$lib")"
    cp -L "$lib" "$ctx/rootfs$lib"
done
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$ctx/rootfs/etc/ssl/certs/"
fi
printf 'root:x:0:0:root:/:/sbin/nologin\ngptom:x:10001:10001:gptom-mock:/tmp:/sbin/nologin\n' > "$ctx/rootfs/etc/passwd"
printf 'root:x:0:\ngptom:x:10001:\n' > "$ctx/rootfs/etc/group"
chmod 1777 "$ctx/rootfs/tmp" "$ctx/rootfs/state"   # /state: for --state /state on a volume
# the legacy builder's deprecation notice is noise here: its output is shown only when the build fails
if ! docker build -q -t "$TAG" "$ctx" >"$ctx/build.log" 2>&1; then
    cat "$ctx/build.log" >&2
    exit 1
fi
echo "built $TAG ($(docker image inspect "$TAG" --format '{{.Size}}' | awk '{printf "%.1f MB", $1/1e6}'))"
