#!/usr/bin/env bash
# Renders the certify-client HTML report of the demo POS (written by the test
# certify::demo_report_with_a_warning_and_a_failure) in headless Chromium into docs/certify-client-report.png.
# Needs chromium (CHROMIUM=/path/to/chromium to override); the test suite itself never does.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$CHROMIUM" ]; then
  echo "chromium not found: install it or set CHROMIUM=/path/to/chromium" >&2
  exit 2
fi
cargo test -q -p conformance --test it certify::demo_report_with_a_warning_and_a_failure -- --exact >/dev/null
HTML=$(cd "$TARGET/tmp" && pwd)/certify-client-report.html
OUT=${OUT:-docs/certify-client-report.png}
mkdir -p "$(dirname "$OUT")"
PROFILE=$(mktemp -d)
trap 'rm -rf "$PROFILE"' EXIT
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$PROFILE" --hide-scrollbars --screenshot="$PWD/$OUT" --window-size=1280,1600 \
  "file://$HTML" 2>/dev/null
echo "wrote $OUT from $HTML"
