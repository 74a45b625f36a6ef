import Audit
import Foundation
import WireProtocol

/// What a run's audit log recorded, read back as typed messages: the signed entries a replay
/// re-derives decisions from (bids, assignments, metrics, updates, round announcements), each
/// with the index of the entry it came from. Entries the auditor wrote itself (refusals,
/// replays, tree heads) are not inputs to any decision and are left out.
struct LoggedRun: Sendable {
    struct Logged<Message: Sendable>: Sendable {
        var entry: Int
        var messageID: String
        /// When the sender says it sent the message, milliseconds since 1970.
        var sentAt: Int
        var message: Message
    }

    /// What the replay needs of an update (its tensor is not in the log, only its digest).
    struct UpdateSummary: Decodable, Sendable {
        var round: Int
        var clientID: Int
        var sampleCount: Int
        var digest: String
        var privacy: PrivacyStatement?
    }

    var announcements: [Int: Logged<RoundAnnouncement>] = [:]
    /// Every assignment, in log order (a round with two is a finding, not an input to pick from).
    var assignments: [Logged<Assignment>] = []
    var bids: [Int: [Logged<Bid>]] = [:]
    var metrics: [Int: Logged<RoundMetrics>] = [:]
    var updates: [Int: [Logged<UpdateSummary>]] = [:]
    /// Answers to the server's offers, by message id.
    var answers: [String: Logged<OfferAnswer>] = [:]

    /// Reads `entries`; a signed entry of a replayed kind whose payload does not decode is an error
    /// naming it (a log this build cannot read is not a log it can vouch for).
    init(_ entries: [AuditEntry]) throws(ReplayError) {
        var seen: Set<String> = []
        for entry in entries {
            guard entry.signature != nil, let json = entry.payloadJSON, let id = entry.messageID,
                  let type = MessageType(rawValue: entry.type)
            else { continue }
            // A redelivered message is logged once; a second entry with the same id is not a second input.
            guard seen.insert(id).inserted else { continue }
            func decode<T: Decodable>(_: T.Type) throws(ReplayError) -> Logged<T> {
                let decoder = JSONDecoder()
                decoder.dateDecodingStrategy = .deferredToDate
                do {
                    return Logged(entry: entry.index, messageID: id, sentAt: entry.timestamp, message: try decoder.decode(T.self, from: Data(json.utf8)))
                } catch {
                    throw .unreadable(entry: entry.index, reason: "its \(type) payload does not decode as this build's schema: \(error)")
                }
            }
            switch type {
            case .roundAnnouncement:
                let announcement = try decode(RoundAnnouncement.self)
                announcements[announcement.message.round] = announcements[announcement.message.round] ?? announcement
            case .bid:
                let bid = try decode(Bid.self)
                bids[bid.message.round, default: []].append(bid)
            case .assignment:
                assignments.append(try decode(Assignment.self))
            case .roundMetrics:
                let report = try decode(RoundMetrics.self)
                metrics[report.message.round] = metrics[report.message.round] ?? report
            case .clientUpdate:
                let update = try decode(UpdateSummary.self)
                updates[update.message.round, default: []].append(update)
            case .offerAnswer:
                answers[id] = try decode(OfferAnswer.self)
            default:
                continue
            }
        }
    }

    /// Test accuracy after each logged round before `round`, oldest first (what the server had
    /// heard when it decided `round`).
    func accuracyHistory(before round: Int) -> [Double] {
        metrics.keys.sorted().filter { $0 < round }.compactMap { metrics[$0]?.message.testAccuracy }
    }
}

/// The log cannot be replayed at all.
public enum ReplayError: Error, Sendable, CustomStringConvertible {
    case unreadable(entry: Int, reason: String)
    case configuration(String)

    public var description: String {
        switch self {
        case .unreadable(let entry, let reason): "entry \(entry): \(reason)"
        case .configuration(let reason): "the run's configuration: \(reason)"
        }
    }
}
