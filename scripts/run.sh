#!/usr/bin/env bash
# Installs what is missing, builds Tandem, and starts the relay serving the app and the sync
# endpoint on one port. Settings come from the environment or the relay's flags:
#   TANDEM_LISTEN (default 127.0.0.1:8080), TANDEM_DATA_DIR (default ./data); extra arguments
#   are passed to the relay (see: target/relay/tandem-relay --help).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-tools.sh
scripts/build.sh
export TANDEM_STATIC_DIR="${TANDEM_STATIC_DIR:-$PWD/app/dist}"
export TANDEM_DATA_DIR="${TANDEM_DATA_DIR:-$PWD/data}"
exec target/relay/tandem-relay "$@"
