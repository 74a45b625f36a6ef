import Audit
import Crypto
import Foundation
import Logging
import ServiceLifecycle
import WireProtocol

/// The auditor: reads every protocol topic and appends each message — or its rejection — to the
/// hash-chained log, fsync'd before the offset is committed. Its subscriber checks every message
/// against the run's keyring first, so a forged or unsigned message arrives as a rejection and is
/// recorded as `rejected-message`, never as what it claims to be. Verified messages are logged with
/// everything their signature covers (see ``AuditLog``), so `audit verify` can re-check them.
///
/// When a round's metrics arrive it signs a tree head over the whole log so far and publishes it
/// (audit-roots topic, `audit-roots.json`, and a `tree-head` entry); when it stops it signs a final
/// head covering every entry.
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

    /// How long a stopping auditor keeps reading to reach the end of its topics.
    static let drainTimeout = Duration.seconds(60)

    static let audited: [MessageType] = [
        .heartbeat, .roundAnnouncement, .bid, .placeOffer, .offerAnswer, .assignment, .globalModel, .clientUpdate, .roundMetrics,
        .auditEvent,
    ]

    public func run() async throws {
        guard let signer = bus.signer else {
            throw AgentError.invalidConfiguration("the auditor needs its own key (--key) to sign tree heads")
        }
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: Data(base64Encoded: signer.privateKeyBase64) ?? Data())
        let book = try AuditBook(logURL: logURL, keyring: keyring, runID: bus.runID, key: key, logger: logger)
        let publisher = try bus.publisher()
        try await bus.announceKey(with: publisher, role: "auditor")
        // The bus's subscriber, but without by-id de-duplication: the book decides by position.
        let configured = try bus.subscriber(for: Self.audited, group: "auditor", from: .stored)
        let subscriber = ProtocolSubscriber(
            consumer: configured.consumer, runID: bus.runID, trust: bus.trust, deduplication: RecordEverything(),
            logger: logger)
        let logger = self.logger
        var stopped: (any Error)?
        do {
            try await runUntilShutdown({
                try await subscriber.run(onRejection: { rejected in
                    do {
                        try await book.record(rejected)
                    } catch {
                        logger.error("could not record a rejected record: \(error)")
                    }
                }) { received in
                    if let head = try await book.record(received) {
                        _ = try await publisher.publish(head, round: head.round, key: String(head.round))
                    }
                    return .accepted
                }
            }, beforeStopping: {
                // The log must hold the whole run: read to the end of every topic as it is now
                // (the launcher stops the other roles first, so nothing more is coming).
                do {
                    let drained = try await subscriber.drain(timeout: Self.drainTimeout)
                    if drained.isComplete {
                        logger.info("read every record to the end of the topics before stopping (\(drained.waited))")
                    } else {
                        logger.error("stopping with \(drained.unreadRecords) record(s) unread after \(drained.waited): \(drained.unread)")
                    }
                } catch {
                    logger.error("could not drain before stopping: \(error)")
                }
            })
        } catch {
            stopped = error
        }
        // The final head covers every entry, so cutting the log's tail shows. It is made however
        // the auditor stops (shutdown or cancellation); publishing it runs outside the cancellation.
        do {
            if let head = try await book.sealFinal() {
                let published = await Task { () -> Bool in
                    (try? await publisher.publish(head, round: head.round, key: String(head.round))) != nil
                }.value
                logger.info("final tree head over \(head.treeSize) entries: \(head.merkleRoot)\(published ? "" : " (not published)")")
            }
        } catch {
            logger.error("could not make the final tree head: \(error)")
        }
        await publisher.shutdown()
        if let stopped { throw stopped }
    }
}

/// The auditor's bookkeeping over the log file: where each message was read (to tell
/// redeliveries from replays), the tree heads made so far and the rounds they sealed.
actor AuditBook {
    private let log: AuditLog
    private let keyring: Keyring?
    private let runID: String
    private let key: Curve25519.Signing.PrivateKey
    private let headsURL: URL
    /// Positions already logged: a record read there again is a redelivery.
    private var positions: Set<AuditOrigin>
    /// Message id → index of the entry that logged it: the same id elsewhere is a replay.
    private var firstIndex: [String: Int]
    private var heads: [AuditRoot]
    private var sealedRounds: Set<Int>
    private let logger: Logger

    init(logURL: URL, keyring: Keyring?, runID: String, key: Curve25519.Signing.PrivateKey, logger: Logger) throws {
        log = try AuditLog.open(logURL)
        let existing = try AuditQuery().entries(in: logURL)
        let messageTypes = Set(MessageType.allCases.map(\.rawValue))
        var positions: Set<AuditOrigin> = []
        var firstIndex: [String: Int] = [:]
        for entry in existing {
            if let origin = entry.origin { positions.insert(origin) }
            if messageTypes.contains(entry.type), let id = entry.messageID, firstIndex[id] == nil { firstIndex[id] = entry.index }
        }
        let headsURL = logURL.deletingLastPathComponent().appendingPathComponent(TreeHeadFile.fileName)
        var heads: [AuditRoot] = []
        if FileManager.default.fileExists(atPath: headsURL.path) {
            do {
                let saved = try TreeHeadFile.read(headsURL)
                heads = saved.filter { $0.runID == runID && $0.treeSize <= existing.count }
                if heads.count < saved.count {
                    logger.warning("\(headsURL.path): dropping \(saved.count - heads.count) tree head(s) of another run or a longer log")
                }
            } catch {
                logger.warning("\(headsURL.path) is not a file of signed tree heads (\(error)); starting a new one")
            }
        }
        self.positions = positions
        self.firstIndex = firstIndex
        self.heads = heads
        self.sealedRounds = Set(heads.filter { !$0.final }.map(\.round))
        self.headsURL = headsURL
        self.keyring = keyring
        self.runID = runID
        self.key = key
        self.logger = logger
    }

    /// Appends a verified message (or records it as a replay); returns a tree head to publish when
    /// it sealed a round.
    func record(_ received: ReceivedEnvelope) throws -> AuditRoot? {
        let envelope = received.envelope
        let origin = AuditOrigin(topic: received.topic, partition: Int(received.partition), offset: received.offset)
        guard !positions.contains(origin) else { return nil }
        let id = envelope.id.description
        if let original = firstIndex[id] {
            try log.append(
                type: "replayed-message", round: envelope.round, sender: envelope.sender,
                timestamp: Int(envelope.timestamp.millisecondsSince1970), messageID: id,
                payload: ["original_index": .exact(original), "message_type": .string(envelope.type.rawValue)],
                origin: origin)
            positions.insert(origin)
            logger.warning("\(envelope.type.rawValue) \(id) from \(envelope.sender) replayed at \(origin); first logged as entry \(original)")
            return nil
        }
        let publicKey = keyring?.keys[envelope.sender]
        let entry: AuditEntry
        do {
            entry = try log.append(AuditEntry.recording(
                envelope, publicKey: publicKey, auditorNotes: AuditRecord.auditorNotes(of: received), origin: origin))
        } catch let error as AuditEntry.ContentError {
            try log.append(
                type: "rejected-message", round: envelope.round, sender: envelope.sender,
                timestamp: Int(envelope.timestamp.millisecondsSince1970), messageID: id,
                payload: ["claimed_type": .string(envelope.type.rawValue), "reason": .string("unloggable"), "detail": .string(error.description)],
                origin: origin)
            positions.insert(origin)
            return nil
        }
        positions.insert(origin)
        firstIndex[id] = entry.index
        guard envelope.type == .roundMetrics, let round = envelope.round, !sealedRounds.contains(round) else { return nil }
        return try seal(round: round)
    }

    /// Records a record the subscriber refused. A frame that decoded is logged as what it claimed
    /// (never as that type); one that did not, only by where it sat and why it was refused.
    func record(_ rejected: RejectedRecord) throws {
        let origin = AuditOrigin(topic: rejected.topic, partition: Int(rejected.partition), offset: rejected.offset)
        guard !positions.contains(origin) else { return }
        if let envelope = rejected.envelope {
            let claimed = (try? AuditEntry.content(of: envelope))
            try log.append(
                type: "rejected-message", round: envelope.round, sender: envelope.sender,
                timestamp: Int(envelope.timestamp.millisecondsSince1970), messageID: envelope.id.description,
                payload: [
                    "claimed_type": .string(envelope.type.rawValue), "claimed_run": .string(envelope.runID),
                    "reason": .string(rejected.reason.rawValue), "detail": .string(rejected.detail),
                    "payload": claimed?.readable ?? .null, "claimed_payload_json": claimed.map { .string($0.json) } ?? .null,
                    "claimed_signature": envelope.signature.map { .string(Data($0).base64EncodedString()) } ?? .null,
                ],
                origin: origin)
        } else {
            try log.append(
                type: "rejected-record", round: nil, sender: "unknown", timestamp: Int(Date().millisecondsSince1970),
                payload: ["reason": .string(rejected.reason.rawValue), "detail": .string(rejected.detail)],
                origin: origin)
        }
        positions.insert(origin)
    }

    /// Signs a tree head over every entry so far for `round`, keeps it in the heads file and logs
    /// it as a `tree-head` entry (outside any round; the next head covers that entry).
    private func seal(round: Int) throws -> AuditRoot {
        let head = try TreeHeadSigning.sign(log.treeHead(round: round, runID: runID, final: false), with: key)
        heads.append(head)
        sealedRounds.insert(round)
        try TreeHeadFile.write(heads, to: headsURL)
        try log.append(
            type: AuditVerifier.treeHeadType, round: nil, sender: SenderName.auditor, timestamp: Int(head.timestamp),
            payload: TreeHeadSigning.json(head))
        return head
    }

    /// The final head, over every entry (nil for an empty log): kept in the heads file only, since
    /// logging it would add an entry it does not cover.
    func sealFinal() throws -> AuditRoot? {
        guard log.count > 0 else { return nil }
        let round = heads.map(\.round).max() ?? 0
        let head = try TreeHeadSigning.sign(log.treeHead(round: round, runID: runID, final: true), with: key)
        heads.append(head)
        try TreeHeadFile.write(heads, to: headsURL)
        log.close()
        return head
    }
}
