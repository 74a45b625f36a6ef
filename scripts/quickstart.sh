#!/usr/bin/env bash
# Installs what is missing, builds in release mode and runs a complete federated experiment
# on the embedded broker: `agentfl run` with the arguments given (defaults: Fashion-MNIST, MLP
# 784-200-200-10, Dirichlet α=0.5, 100 clients, K=10, 30 rounds, FedAvg random selection);
# results and the audit log in ./out/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts/bootstrap.sh
swift build -c release --product agentfl
exec .build/release/agentfl run "$@"
