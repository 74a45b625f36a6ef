#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then `swift test`.
# Tests that need Kafka start the real embedded broker themselves (.deps/bin/tansu).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/bootstrap.sh
exec swift test "$@"
