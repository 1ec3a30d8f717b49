#!/usr/bin/env bash
# Renders the demo month's HTML report in headless Chromium and fails if the
# screenshot is blank. "Blank" is judged against a peer: an empty page rendered
# the same way in the same run; the report must compress to several times more.
# Then prints the report to PDF on A4 and fails if it takes more than 4 pages:
# a board paper is read in five minutes. Pages are counted with pdfinfo
# (poppler-utils, which .ci/run installs).
set -euo pipefail
cd "$(dirname "$0")/.."
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
    echo "browser check: chromium is not installed (.ci/run installs it)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --quiet --release -- demo "$work/month" --as-of 2026-11-26 -q >/dev/null
shoot() {
    rm -rf "$work/profile"
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" --window-size=1000,3000 \
        --screenshot="$2" "file://$1" >/dev/null 2>&1
}
printf '<!DOCTYPE html><html><head><title>blank</title></head><body></body></html>' >"$work/blank.html"
shoot "$work/month/report.html" "$work/report.png"
shoot "$work/blank.html" "$work/blank.png"
report=$(stat -c %s "$work/report.png")
blank=$(stat -c %s "$work/blank.png")
echo "browser check: report screenshot $report bytes, blank page $blank bytes"
if [ "$report" -lt $((blank * 5)) ]; then
    echo "browser check FAILED: the report renders (nearly) blank" >&2
    exit 1
fi
if [ -n "${KEEP_SCREENSHOT:-}" ]; then cp "$work/report.png" "$KEEP_SCREENSHOT"; fi
rm -rf "$work/profile"
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --no-pdf-header-footer \
    --print-to-pdf="$work/report.pdf" "file://$work/month/report.html" >/dev/null 2>&1
if [ ! -s "$work/report.pdf" ]; then
    echo "browser check FAILED: the report did not print to PDF" >&2
    exit 1
fi
# Chromium packs its page objects into compressed object streams, so they
# cannot be counted with grep: pdfinfo reads the page tree.
if ! command -v pdfinfo >/dev/null 2>&1; then
    echo "browser check: pdfinfo is not installed (poppler-utils; .ci/run installs it)" >&2
    exit 1
fi
pages=$(pdfinfo "$work/report.pdf" | awk '/^Pages:/ { print $2 }')
echo "browser check: the report prints on $pages A4 pages"
if [ -n "${KEEP_PDF:-}" ]; then cp "$work/report.pdf" "$KEEP_PDF"; fi
if [ "$pages" -gt 4 ]; then
    echo "browser check FAILED: the board report prints on $pages pages; it must fit on 4" >&2
    exit 1
fi
echo "browser check: 2 passed, 0 failed"
