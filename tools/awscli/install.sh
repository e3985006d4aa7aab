#!/usr/bin/env bash
# Installs Debian's awscli (the AWS CLI v2) for the test that drives every
# operation `kinesim emulate` serves through it (cmd/kinesim/awscli_test.go).
# Idempotent: does nothing when /usr/bin/aws is already the CLI v2; otherwise
# one apt-get update, then the install. Called by `make test-setup`.
set -euo pipefail

if [ -x /usr/bin/aws ] && /usr/bin/aws --version 2>&1 | grep -q '^aws-cli/2\.'; then
	exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends awscli >/dev/null
