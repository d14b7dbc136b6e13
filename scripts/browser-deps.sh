#!/usr/bin/env bash
# What `make test-browser` needs: Debian's Chromium and its ChromeDriver (/usr/bin/chromium, /usr/bin/chromedriver).
# Installed only when absent; as root, or through sudo.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  exit 0
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "chromium and chromium-driver are needed: install them as root" >&2; exit 1; }
  as_root=(sudo)
fi
echo "installing chromium and chromium-driver (Debian packages)…" >&2
"${as_root[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium chromium-driver >/dev/null
chromium --version >&2
