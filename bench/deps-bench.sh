#!/bin/bash
# Install the Debian packages the benchmark needs beyond the build's and the tests': the
# `bench` list of testenv/deps.sh (same idempotent, silent-when-present install).
set -euo pipefail
exec "$(dirname "$0")/../testenv/deps.sh" bench
