import Audit
import Foundation
import Logging
import Synchronization
import WireProtocol

/// Verifies a running system from its topics (`agentfl audit follow`), for a user who does not
/// control it: every message is checked against the run's keyring as it arrives (a forged,
/// unsigned, mis-bound or unusable one ends the watch), and each round's decision is replayed
/// (``DecisionReplay``) once the round's metrics are out, from what the topics carried.
///
/// A round is judged a moment (``settle``) after its metrics arrive: its bids travel on other
/// partitions than its metrics, and a bid still on its way is not yet a bid left out.
public struct LiveAudit: Sendable {
    public var configuration: ExperimentConfiguration
    /// A bus whose trust policy is the run's keyring.
    public var bus: RoleBus
    public var keyring: Keyring
    public var settle: Duration = .seconds(1)
    public var logger: Logger

    /// How a watch ended.
    public enum Outcome: Sendable {
        /// Every round up to the configured last replayed, and nothing was refused.
        case clean(ReplayReport)
        /// A message that did not check out: the first one.
        case refused(RejectedRecord)
        /// A decision that does not replay: the first finding.
        case finding(ReplayFinding, ReplayReport)
    }

    public init(configuration: ExperimentConfiguration, bus: RoleBus, keyring: Keyring, logger: Logger) {
        self.configuration = configuration
        self.bus = bus
        self.keyring = keyring
        self.logger = logger
    }

    private final class Heard: Sendable {
        let state = Mutex(State())
    }

    private struct State {
        var entries: [AuditEntry] = []
        /// When each round's metrics arrived.
        var metricsAt: [Int: ContinuousClock.Instant] = [:]
        var refused: RejectedRecord?
    }

    /// Watches until the configured last round has replayed, the first refusal, or the first
    /// finding; `progress` hears one line per judged round.
    public func run(progress: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        let heard = Heard()
        let subscriber = try bus.subscriber(for: AuditorRole.audited, group: nil, from: .beginning)
        let keyring = self.keyring
        return try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                try await subscriber.run(onRejection: { rejected in
                    heard.state.withLock { if $0.refused == nil { $0.refused = rejected } }
                }) { received in
                    var entry = try AuditEntry.recording(
                        received.envelope, publicKey: keyring.keys[received.envelope.sender],
                        origin: AuditOrigin(topic: received.topic, partition: Int(received.partition), offset: received.offset))
                    heard.state.withLock { state in
                        entry.index = state.entries.count
                        state.entries.append(entry)
                        if let metrics = received.message as? RoundMetrics, state.metricsAt[metrics.round] == nil {
                            state.metricsAt[metrics.round] = .now
                        }
                    }
                    return .accepted
                }
                return nil
            }
            group.addTask {
                var judged = 0
                while true {
                    try await Task.sleep(for: .milliseconds(200))
                    let (refused, ready) = heard.state.withLock { state in
                        (state.refused, state.metricsAt.filter { $0.value.duration(to: .now) >= settle }.keys.filter { $0 > judged }.sorted())
                    }
                    if let refused { return .refused(refused) }
                    guard let newest = ready.max() else { continue }
                    // A snapshot only when a round is due: holding one makes the next append copy it all.
                    let entries = heard.state.withLock { $0.entries }
                    let report = try await DecisionReplay(configuration: configuration).replay(entries)
                    // Only rounds already judged: a later round may still be missing inputs on their way.
                    if let first = report.findings.first(where: { ($0.round ?? 0) <= newest }) {
                        return .finding(first, report)
                    }
                    for round in ready { progress("round \(round): every message verified; its decision, market, merge and ε replay") }
                    judged = newest
                    if judged >= configuration.rounds { return .clean(report) }
                }
            }
            defer { group.cancelAll() }
            while let outcome = try await group.next() {
                if let outcome { return outcome }
            }
            throw CancellationError()
        }
    }
}
