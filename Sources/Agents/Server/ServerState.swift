import WireProtocol

/// What the server agent has heard: bids per round, assignments it published, metrics the
/// aggregator reported. Rebuilt from the topics on every start, so a restarted server knows
/// where the run stands.
public struct ServerState: Sendable {
    /// Per round, per client, the bid and the id of the message it came in.
    public var bids: [Int: [Int: ReceivedBid]] = [:]
    public var assignments: [Int: Assignment] = [:]
    public var metrics: [Int: RoundMetrics] = [:]
    /// Per round, the answers to the server's offers as they came (a client that answered twice
    /// is there twice: the settlement rule refuses both).
    public var answers: [Int: [ReceivedAnswer]] = [:]
    /// Clients whose guardian said it is ready (data loaded, listening for calls).
    public var readyClients: Set<Int> = []

    public init() {}

    /// Takes in a message the subscriber has verified and decoded.
    public mutating func apply(_ received: ReceivedEnvelope) {
        switch received.message {
        case let bid as Bid:
            bids[bid.round, default: [:]][bid.clientID] = ReceivedBid(bid: bid, messageID: received.envelope.id.description)
        case let assignment as Assignment:
            assignments[assignment.round] = assignment
        case let report as RoundMetrics:
            metrics[report.round] = report
        case let answer as OfferAnswer:
            answers[answer.round, default: []].append(ReceivedAnswer(answer: answer, messageID: received.envelope.id.description))
        case let heartbeat as Heartbeat:
            // The authorship check bound the instance to the envelope's (verified) sender.
            if heartbeat.role == "guardian", heartbeat.status == "ready",
               let client = SenderName.client(ofGuardian: heartbeat.instance) {
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
