#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, then `swift test`.
# Tests that need Kafka start the real embedded broker themselves (.deps/bin/tansu).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/bootstrap.sh
# The real local model the LLM tests run against: llama.cpp's llama-server and SmolLM2-135M-Instruct,
# built once into a cache outside the clone (~/.cache/agentfl, keyed by version; ~8.5 min the first
# time on 2 cores, nothing afterwards).
scripts/llama-server.sh >/dev/null
exec swift test "$@"
