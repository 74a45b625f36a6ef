import Foundation
import WireProtocol

/// One readable line per logged decision (`agentfl audit show --decisions`): the round, the
/// strategy, K and why, who was chosen and who won, the price, who was no candidate and why, the
/// LLM calls and guardrail findings, and the state digests a replay checks.
public enum DecisionLine {
    /// The line of an `assignment` entry; nil for any other entry.
    public static func line(for entry: AuditEntry) throws(DecisionLineError) -> String? {
        guard entry.type == MessageType.assignment.rawValue else { return nil }
        guard let json = entry.payloadJSON else { throw .unreadable(index: entry.index, reason: "it has no payloadJSON") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .deferredToDate
        let assignment: Assignment
        do {
            assignment = try decoder.decode(Assignment.self, from: Data(json.utf8))
        } catch {
            throw .unreadable(index: entry.index, reason: "its payload is not an assignment of this build's schema: \(error)")
        }
        let d = assignment.decision
        func ids(_ list: [Int]) -> String { "[" + list.map(String.init).joined(separator: " ") + "]" }
        var parts = [
            "#\(entry.index) round \(assignment.round)",
            "\(d.strategy.name) v\(d.strategy.version)",
            "K=\(d.k) (\(d.kRationale))",
            "preferred \(ids(d.preferred)) (\(d.selectionRationale))",
            "won \(ids(assignment.selected)) at \(assignment.clearingPrice)",
            "\(d.bidMessageIDs.count) bids used",
        ]
        if !d.declineReasons.isEmpty {
            let declined = d.declineReasons.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.map { "\($0.key): \($0.value)" }
            parts.append("no candidate {\(declined.joined(separator: ", "))}")
        } else if !d.declined.isEmpty {
            parts.append("declined \(ids(d.declined))")
        }
        if !d.externalCalls.isEmpty {
            parts.append("\(d.externalCalls.count) LLM calls, \(d.externalCalls.reduce(0) { $0 + $1.promptTokens }) prompt tokens")
        }
        if !d.guardrails.isEmpty {
            let kinds = d.guardrails.reduce(into: [String: Int]()) { $0[$1.kind, default: 0] += 1 }
            parts.append("guardrails " + kinds.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))
        }
        parts.append("state \(d.stateBefore.prefix(12))→\(d.stateAfter.prefix(12))")
        return parts.joined(separator: "; ")
    }
}

/// A decision entry that cannot be shown.
public enum DecisionLineError: Error, Sendable, CustomStringConvertible {
    case unreadable(index: Int, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let index, let reason): "entry \(index): \(reason)"
        }
    }
}
