import Crypto
import Foundation
import Testing
import WireProtocol
@testable import Audit

/// Writes a small, realistic log: two rounds of bids, a clearing decision, assignments
/// and client updates, with deterministic timestamps.
enum SampleLog {
    static func write(to url: URL, entries count: Int = 10) throws -> [AuditEntry] {
        let log = try AuditLog.open(url)
        defer { log.close() }
        var written: [AuditEntry] = []
        for i in 0..<count {
            let round = i / 5
            let client = i % 5
            let type = ["bid", "bid", "audit-event", "assignment", "client-update"][client]
            written.append(try log.append(
                type: type,
                round: round,
                sender: type == "bid" || type == "client-update" ? "guardian-\(client)" : "server-agent",
                timestamp: 1_700_000_000_000 + i,
                messageID: "m-\(i)",
                payload: ["clientID": .number(Double(client)), "ask": 1.5, "note": .string("entry \(i)")],
                recordedAt: 1_700_000_000_100 + i
            ))
        }
        return written
    }

    static func lines(of url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    static func write(lines: [String], to url: URL) throws {
        try (lines.map { $0 + "\n" }.joined()).write(to: url, atomically: true, encoding: .utf8)
    }

    /// Re-hashes `entry` as a forger who knows the scheme would.
    static func forge(_ entry: AuditEntry) throws -> String {
        var entry = entry
        entry.hash = try entry.computedHash()
        return try entry.canonicalLine()
    }
}

/// A small run as the auditor logs it: messages signed by their senders and verified against a
/// keyring, a signed tree head after each round, and a final head.
struct SignedRun {
    let guardian = EnvelopeSigner()
    let server = EnvelopeSigner()
    let auditorKey = Curve25519.Signing.PrivateKey()
    let runID = "run-1"

    var keyring: Keyring {
        var ring = Keyring()
        ring.keys["guardian-3"] = guardian.publicKeyBase64
        ring.keys["server"] = server.publicKeyBase64
        ring.keys["auditor"] = auditorKey.publicKey.rawRepresentation.base64EncodedString()
        return ring
    }

    func envelope(_ message: some ProtocolMessage, sender: String, round: Int?, signer: EnvelopeSigner) throws -> Envelope {
        try signer.sign(Envelope.make(message, sender: sender, runID: runID, round: round, timestamp: Date(timeIntervalSince1970: 1_700_000_000)))
    }

    func bid(round: Int, ask: Double) throws -> Envelope {
        var bid = try #require(SampleMessages.message(for: .bid, round: round) as? Bid)
        bid.clientID = 3
        bid.askPrice = ask
        return try envelope(bid, sender: "guardian-3", round: round, signer: guardian)
    }

    /// An update with a 16-value tensor: one attachment.
    func update(round: Int) throws -> Envelope {
        let update = try #require(SampleMessages.message(for: .clientUpdate, round: round, tensorElements: 16) as? ClientUpdate)
        return try envelope(update, sender: "guardian-3", round: round, signer: guardian)
    }

    func event(round: Int, seed: UInt64) throws -> Envelope {
        try envelope(AuditEvent(kind: "seed", round: round, detail: ["seed": .exact(seed)]), sender: "server", round: round, signer: server)
    }

    /// Writes two rounds (each: bid, event, tree head) and returns the heads, the final one last.
    @discardableResult
    func write(to url: URL, final: Bool = true) throws -> [AuditRoot] {
        let log = try AuditLog.open(url)
        defer { log.close() }
        var heads: [AuditRoot] = []
        for round in 1...2 {
            for envelope in [try bid(round: round, ask: 1.25 * Double(round)), try update(round: round), try event(round: round, seed: UInt64.max - UInt64(round))] {
                try log.append(AuditEntry.recording(
                    envelope, publicKey: keyring.keys[envelope.sender], auditorNotes: ["note": "auditor's own"],
                    origin: AuditOrigin(topic: "t", partition: 0, offset: Int64(log.count))))
            }
            let head = try TreeHeadSigning.sign(log.treeHead(round: round, runID: runID, final: false, timestamp: 5), with: auditorKey)
            heads.append(head)
            try log.append(type: AuditVerifier.treeHeadType, round: nil, sender: "auditor", timestamp: 5, payload: TreeHeadSigning.json(head))
        }
        if final {
            heads.append(try TreeHeadSigning.sign(log.treeHead(round: 2, runID: runID, final: true, timestamp: 6), with: auditorKey))
        }
        return heads
    }
}
