import WireProtocol

/// What the server agent has heard: bids per round, assignments it published, metrics the
/// aggregator reported. Rebuilt from the topics on every start, so a restarted server knows
/// where the run stands.
public struct ServerState: Sendable {
    public var bids: [Int: [Int: Bid]] = [:]
    public var assignments: [Int: Assignment] = [:]
    public var metrics: [Int: RoundMetrics] = [:]
    /// Clients whose guardian said it is ready (data loaded, listening for calls).
    public var readyClients: Set<Int> = []

    public init() {}

    public mutating func apply(_ envelope: Envelope) throws {
        switch envelope.type {
        case .bid:
            let bid = try envelope.decode(as: Bid.self)
            bids[bid.round, default: [:]][bid.clientID] = bid
        case .assignment:
            let assignment = try envelope.decode(as: Assignment.self)
            assignments[assignment.round] = assignment
        case .roundMetrics:
            let report = try envelope.decode(as: RoundMetrics.self)
            metrics[report.round] = report
        case .heartbeat:
            let heartbeat = try envelope.decode(as: Heartbeat.self)
            if heartbeat.role == "guardian", heartbeat.status == "ready",
               let client = Int(heartbeat.instance.split(separator: "-").last ?? "") {
                readyClients.insert(client)
            }
        default:
            break
        }
    }

    /// Test accuracy after each completed round up to (not including) `round`, oldest first.
    public func accuracyHistory(before round: Int) -> [Double] {
        metrics.keys.sorted().filter { $0 < round }.compactMap { metrics[$0]?.testAccuracy }
    }
}
