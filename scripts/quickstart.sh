#!/usr/bin/env bash
# Installs what is missing, builds in release mode and runs a complete federated experiment
# on the embedded broker: `agentfl run` with the arguments given (defaults: Fashion-MNIST, MLP,
# Dirichlet α=0.5, 20 clients, K=5, 5 rounds, FedAvg random selection), results in ./out/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/bootstrap.sh
swift build -c release --product agentfl
exec .build/release/agentfl run "$@"
