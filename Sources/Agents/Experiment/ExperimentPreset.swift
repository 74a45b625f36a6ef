import Foundation

/// Named starting points for `agentfl experiment --preset` (flags and `--config` still override).
public enum ExperimentPreset: String, Sendable, CaseIterable {
    /// The source paper's setting as its code has it (rafaeloj/k-agent, `selection-agent/pyproject.toml`
    /// and `scripts/`): 25 clients, Dirichlet α=0.5 with at least 10 samples each, 50 rounds, round 1
    /// takes every client, 3 local epochs, Adam lr 1e-4, batch 32, its MNIST CNN. MNIST when
    /// `--dataset mnist --data-dir` give its files, else Fashion-MNIST (the report says which).
    case paper
    /// This project's default: Fashion-MNIST, 100 clients, K=10, the MLP, 30 rounds.
    case reference

    public var configuration: ExperimentConfiguration {
        var c = ExperimentConfiguration()
        switch self {
        case .paper:
            c.clients = 25
            c.k = 5
            c.partition = "dirichlet"
            c.alpha = 0.5
            c.rounds = 50
            c.firstRoundTakesAll = true
            c.localEpochs = 3
            c.optimizer = "adam"
            c.learningRate = 1e-4
            c.batchSize = 32
            c.model = "paper-cnn"
        case .reference:
            break
        }
        return c
    }
}
