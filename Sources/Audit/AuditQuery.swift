import Foundation
import WireProtocol

/// A filter over audit entries, as `agentfl audit show` applies it. Unset criteria match
/// everything; set ones must all match.
public struct AuditQuery: Sendable, Hashable {
    public var round: Int?
    /// A client id: matches entries sent by `guardian-N` (or `client-N`), or whose payload
    /// names the client in `clientID` / `clientId` / `client` / `subject`.
    public var client: Int?
    public var type: String?

    public init(round: Int? = nil, client: Int? = nil, type: String? = nil) {
        self.round = round
        self.client = client
        self.type = type
    }

    public func matches(_ entry: AuditEntry) -> Bool {
        if let round, entry.round != round { return false }
        if let type, entry.type != type { return false }
        if let client, !Self.concerns(entry, client: client) { return false }
        return true
    }

    /// The matching entries, in log order.
    public func filter(_ entries: some Sequence<AuditEntry>) -> [AuditEntry] {
        entries.filter(matches)
    }

    /// Reads the log at `url` (lines that are not entries are skipped: `show` is for reading
    /// a log, `verify` for judging it) and returns the matching entries.
    public func entries(in url: URL) throws(AuditVerificationFailure) -> [AuditEntry] {
        let scan = try AuditLogScan.read(url)
        return filter(scan.lines.compactMap { try? $0.parsed.get().entry })
    }

    private static func concerns(_ entry: AuditEntry, client: Int) -> Bool {
        let names: Set<String> = ["guardian-\(client)", "client-\(client)", "\(client)"]
        if names.contains(entry.sender) { return true }
        guard case .object(let payload) = entry.payload else { return false }
        for key in ["clientID", "clientId", "client", "subject"] {
            switch payload[key] {
            case .number(let number)? where number == Double(client): return true
            case .integer(let number)? where number == Int64(client): return true
            case .string(let text)? where names.contains(text): return true
            default: continue
            }
        }
        return false
    }
}
