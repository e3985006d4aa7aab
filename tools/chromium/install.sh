#!/usr/bin/env bash
# Installs Debian's chromium for the HTML report test (reports/html_test.go),
# which screenshots report.html headless. Idempotent: does nothing when
# /usr/bin/chromium is already there. Called by `make test-setup`.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
	exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
