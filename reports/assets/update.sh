#!/usr/bin/env bash
# Refreshes the chart library embedded in report.html (reports/html.go) from
# the npm registry at a pinned version. The files it writes are committed, so
# builds and tests never need the network; run this only to change version.
set -euo pipefail

VERSION=1.6.32
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$VERSION" >/dev/null && tar xzf "uplot-$VERSION.tgz")
cp "$tmp/package/dist/uPlot.iife.min.js" uPlot.iife.min.js
cp "$tmp/package/dist/uPlot.min.css" uPlot.min.css
cp "$tmp/package/LICENSE" uPlot.LICENSE
echo "uPlot $VERSION" > VERSION
