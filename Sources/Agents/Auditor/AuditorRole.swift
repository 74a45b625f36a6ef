import Audit
import Crypto
import Foundation
import Logging
import ServiceLifecycle
import WireProtocol

/// The auditor: reads every protocol topic and appends each message — or its rejection — to the
/// hash-chained log, fsync'd before the offset is committed. Signatures are checked against the
/// run's keyring: a forged or unsigned message is recorded as `rejected-message`, never as what it
/// claims to be. When a round's metrics arrive it publishes that round's Merkle root.
public struct AuditorRole: Service {
    public var bus: RoleBus
    public var logURL: URL
    public var keyring: Keyring?
    public var logger: Logger

    public init(bus: RoleBus, logURL: URL, keyring: Keyring?, logger: Logger) {
        self.bus = bus
        self.logURL = logURL
        self.keyring = keyring
        self.logger = logger
    }

    static let audited: [MessageType] = [
        .heartbeat, .roundAnnouncement, .bid, .assignment, .globalModel, .clientUpdate, .roundMetrics, .auditEvent,
    ]

    public func run() async throws {
        let book = try AuditBook(logURL: logURL, keyring: keyring, logger: logger)
        let publisher = try bus.publisher()
        try await bus.announceKey(with: publisher, role: "auditor")
        let subscriber = try bus.subscriber(for: Self.audited, group: "auditor", from: .stored)
        let logger = self.logger
        try await runUntilShutdown {
            try await subscriber.run(onRejection: { rejected in
                do {
                    try await book.record(rejected)
                } catch {
                    logger.error("could not record a rejected record: \(error)")
                }
            }) { received in
                if let root = try await book.record(received.envelope) {
                    _ = try await publisher.publish(root, round: root.round, key: String(root.round))
                }
            }
        }
        await publisher.shutdown()
    }
}

/// The auditor's bookkeeping over the log file: redelivery detection, signature checks and the
/// per-round roots (the log itself keeps the per-round Merkle trees).
actor AuditBook {
    private let log: AuditLog
    private let keyring: Keyring?
    private let rootsURL: URL
    private var recorded: Set<String>
    private var roots: [Int: String] = [:]
    private let logger: Logger

    init(logURL: URL, keyring: Keyring?, logger: Logger) throws {
        // Message ids already in the log: a message redelivered after a restart is not logged twice.
        let existing = FileManager.default.fileExists(atPath: logURL.path) ? try AuditQuery().entries(in: logURL) : []
        recorded = Set(existing.compactMap(\.messageID))
        log = try AuditLog.open(logURL)
        self.keyring = keyring
        self.rootsURL = logURL.deletingLastPathComponent().appendingPathComponent("audit-roots.json")
        self.logger = logger
        if let data = try? Data(contentsOf: rootsURL),
           let saved = try? JSONDecoder().decode([String: String].self, from: data) {
            for (round, root) in saved { if let r = Int(round) { roots[r] = root } }
        }
    }

    /// Appends the envelope (or its rejection); returns a root to publish when a round closed.
    func record(_ envelope: Envelope) throws -> AuditRoot? {
        let id = envelope.id.description
        guard !recorded.contains(id) else { return nil }
        let publicKey = keyring?.publicKey(for: envelope.sender)
        var rejection: String?
        if let keyring {
            if publicKey == nil {
                rejection = "sender \(envelope.sender) is not in the run's keyring (\(keyring.keys.count) senders)"
            } else if let publicKey {
                do {
                    try EnvelopeVerifier(publicKey: publicKey).verify(envelope)
                } catch {
                    rejection = "\(error)"
                }
            }
        }
        var payload: JSONValue
        do {
            payload = try AuditRecord.payload(of: envelope)
        } catch {
            rejection = rejection ?? "payload does not decode: \(error)"
            payload = .null
        }
        var type = envelope.type.rawValue
        if let rejection {
            type = "rejected-message"
            payload = [
                "claimed_type": .string(envelope.type.rawValue), "reason": .string(rejection), "payload": payload,
                "claimed_signature": envelope.signature.map { .string(Data($0).base64EncodedString()) } ?? .null,
            ]
            logger.warning("rejected \(envelope.type.rawValue) from \(envelope.sender): \(rejection)")
        }
        let digest = try? envelope.signingDigest()
        try log.append(
            type: type, round: envelope.round, sender: envelope.sender,
            timestamp: Int((envelope.timestamp.timeIntervalSince1970 * 1000).rounded()), messageID: id,
            // Only a verified signature goes in the entry's own fields, where `audit verify` re-checks it.
            signature: rejection == nil && publicKey != nil ? envelope.signature.map { Data($0).base64EncodedString() } : nil,
            publicKey: rejection == nil ? publicKey.map { $0.rawRepresentation.base64EncodedString() } : nil,
            signedData: rejection == nil && envelope.signature != nil ? digest.map { Data($0).base64EncodedString() } : nil,
            payload: payload)
        recorded.insert(id)
        guard rejection == nil, envelope.type == .roundMetrics, let round = envelope.round, roots[round] == nil else { return nil }
        return try seal(round: round)
    }

    /// Records a frame the subscriber refused (corrupt, truncated, unknown type, wrong version, bad
    /// checksum): what it was cannot be trusted, so only where it sat and why it was refused.
    func record(_ rejected: RejectedRecord) throws {
        let id = "\(rejected.topic)/\(rejected.partition)/\(rejected.offset)"
        guard !recorded.contains(id) else { return }
        try log.append(
            type: "rejected-record", round: nil, sender: "unknown", timestamp: Int((Date().timeIntervalSince1970 * 1000).rounded()),
            messageID: id,
            payload: [
                "topic": .string(rejected.topic), "partition": .number(Double(rejected.partition)),
                "offset": .number(Double(rejected.offset)), "reason": .string(rejected.reason.rawValue),
                "detail": .string(rejected.detail),
            ])
        recorded.insert(id)
    }

    /// Publishes the round's Merkle root over its entries so far and records it (outside any round,
    /// so the seal does not change the root it states). The log keeps the per-round trees, so
    /// sealing reads nothing back from disk.
    private func seal(round: Int) throws -> AuditRoot? {
        guard let sealed = log.auditRoot(round: round) else { return nil }
        roots[round] = sealed.merkleRoot
        _ = try log.append(
            type: "audit-root", round: nil, sender: "auditor", timestamp: Int((Date().timeIntervalSince1970 * 1000).rounded()),
            payload: [
                "sealed_round": .number(Double(round)), "merkle_root": .string(sealed.merkleRoot),
                "leaves": .number(Double(sealed.entryCount)),
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(Dictionary(uniqueKeysWithValues: roots.map { (String($0.key), $0.value) })).write(to: rootsURL, options: .atomic)
        return sealed
    }
}
