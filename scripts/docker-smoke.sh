#!/usr/bin/env bash
# The container image end to end, offline (not in CI; its result is quoted in the README):
# install and start Docker from Debian's packages if absent, build the image (make docker), run it with a manual
# clock (the runner moves it: no real waiting), wait until Docker reports it healthy, run the whole certification
# suite against it with --target, and stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-18080}"
NAME="gptom-mock-smoke"

if ! command -v dockerd >/dev/null; then
    echo "== installing docker.io from Debian's packages"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
    echo "== starting dockerd"
    (dockerd >/tmp/gptom-dockerd.log 2>&1 &)
    for _ in $(seq 1 30); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi
docker version --format 'docker {{.Server.Version}}'

echo "== make docker"
bash scripts/docker-build.sh
docker image inspect gptom-mock:latest --format 'user {{.Config.User}}, entrypoint {{.Config.Entrypoint}}, healthcheck {{.Config.Healthcheck.Test}}'
cargo build -q --release --locked -p conformance --bin gptom-conformance

docker rm -f "$NAME" >/dev/null 2>&1 || true
trap 'docker rm -f "$NAME" >/dev/null 2>&1 || true' EXIT
echo "== docker run -p $PORT:8080 gptom-mock:latest --clock manual"
docker run -d --name "$NAME" -p "$PORT:8080" gptom-mock:latest --clock manual >/dev/null
status=""
for _ in $(seq 1 30); do
    status="$(docker inspect --format '{{.State.Health.Status}}' "$NAME")"
    [ "$status" = healthy ] && break
    sleep 1
done
echo "container: $status"
[ "$status" = healthy ] || { docker logs "$NAME"; exit 1; }

echo "== gptom-conformance run --target http://127.0.0.1:$PORT"
target/release/gptom-conformance run --target "http://127.0.0.1:$PORT" --jobs 1 | tail -n 4
echo "== stopping"
docker stop -t 5 "$NAME" >/dev/null
echo "stopped: exit code $(docker inspect --format '{{.State.ExitCode}}' "$NAME")"
