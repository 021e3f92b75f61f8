#!/usr/bin/env bash
# Renders an adderq HTML report (adderq-compile --report) to a PNG screenshot with headless
# Chromium (Debian's chromium package; installed here when missing and run as root), to check what
# a reader sees without a desktop.
#   bash tools/render-report.sh REPORT.html OUT.png [WIDTH] [HEIGHT]
set -euo pipefail
report=${1:?usage: render-report.sh REPORT.html OUT.png [WIDTH] [HEIGHT]}
out=${2:?usage: render-report.sh REPORT.html OUT.png [WIDTH] [HEIGHT]}
width=${3:-1100} height=${4:-2400}
if ! command -v chromium >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "render-report.sh: chromium is not installed (apt-get install chromium)" >&2; exit 2; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
[ -f "$report" ] || { echo "render-report.sh: no such report: $report" >&2; exit 2; }
abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
out_abs=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: containers run as root; the report has no scripts and loads nothing from the network.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --window-size="$width,$height" --screenshot="$out_abs" "file://$abs" 2>/dev/null
[ -s "$out_abs" ] || { echo "render-report.sh: chromium wrote no screenshot" >&2; exit 3; }
echo "$out_abs"
