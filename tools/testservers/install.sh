#!/usr/bin/env bash
# install.sh installs the Kinesis-compatible test servers that kinesim's tests
# start on loopback (kinesalite and kinesis-local, a.k.a. kinesis-mock), the
# S3-compatible s3rver and the DynamoDB emulator dynalite, and
# aws-kinesis-agg (awslabs' Node implementation of the KPL aggregated record
# format, which stream/kpl's interop test round-trips through), into
# tools/testservers/node_modules, at the exact versions package-lock.json pins.
#
# Idempotent: when node_modules already matches package-lock.json (a stamp file
# holds the lock file's checksum) it returns at once without touching the
# network. Run it from anywhere; `make test` runs it first.
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$dir"

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "install.sh: $tool not found; install Node.js >= 18 (Debian: apt-get install -y nodejs npm)" >&2
		exit 1
	fi
done

stamp=node_modules/.kinesim-lock.sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" \
	&& -f node_modules/kinesalite/package.json \
	&& -f node_modules/kinesis-local/main.js \
	&& -f node_modules/aws-kinesis-agg/package.json \
	&& -f node_modules/s3rver/package.json \
	&& -f node_modules/dynalite/package.json ]]; then
	exit 0
fi

echo "install.sh: installing kinesalite, kinesis-local, s3rver, dynalite and aws-kinesis-agg into $dir/node_modules" >&2
npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
