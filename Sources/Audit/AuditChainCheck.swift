import WireProtocol

/// Walks the lines of a log in order and finds the first one that breaks the chain.
///
/// Every line is parsed first, so a break can be explained by looking ahead: an entry that
/// appears later marks a *reorder*, a gap nothing fills marks a *removal*, an entry no
/// other entry links to marks an *insertion*.
struct AuditChainCheck {
    /// The protocol's message types: entries of these types record a message and, in a run with
    /// a keyring, were verified before they were logged.
    static let messageTypes = Set(MessageType.allCases.map(\.rawValue))

    private let lines: [AuditLogScan.Line]
    /// Lines whose content matches their hash, by position in `lines`.
    private let valid: [Int: AuditEntry]
    /// Hashes of all hash-valid entries.
    private let knownHashes: Set<String>
    /// `prev` values of all hash-valid entries (the hashes something links to), with how
    /// many entries link to each.
    private let links: [String: Int]

    init(_ scan: AuditLogScan) {
        lines = scan.lines
        var valid: [Int: AuditEntry] = [:]
        for (position, line) in scan.lines.enumerated() {
            if case .success(let parsed) = line.parsed, parsed.hashMatches { valid[position] = parsed.entry }
        }
        self.valid = valid
        knownHashes = Set(valid.values.map(\.hash))
        links = valid.values.reduce(into: [:]) { $0[$1.prev, default: 0] += 1 }
    }

    /// The entries in order, or the first failure. With a keyring, signed entries' keys must be
    /// the keyring's, and an entry of a protocol message type must be signed.
    func run(keyring: Keyring? = nil) throws(AuditVerificationFailure) -> (entries: [AuditEntry], signedEntries: Int) {
        var entries: [AuditEntry] = []
        entries.reserveCapacity(lines.count)
        var signed = 0
        var expectedPrev = AuditEntry.genesisHash

        for (position, line) in lines.enumerated() {
            let expectedIndex = entries.count
            let parsed: AuditLogScan.ParsedEntry
            switch line.parsed {
            case .failure(let error):
                throw AuditVerificationFailure(kind: .malformed(error), line: line.number, index: expectedIndex)
            case .success(let value):
                parsed = value
            }
            let entry = parsed.entry
            guard parsed.hashMatches else {
                throw AuditVerificationFailure(
                    kind: .modified(storedHash: entry.hash, computedHash: parsed.computedHash),
                    line: line.number, index: entry.index
                )
            }
            if entry.index != expectedIndex || entry.prev != expectedPrev {
                throw explainBreak(at: position, expectedIndex: expectedIndex, expectedPrev: expectedPrev, accepted: entries)
            }
            switch AuditSignatureCheck.check(entry, keyring: keyring) {
            case .unsigned:
                if keyring != nil, Self.messageTypes.contains(entry.type) {
                    throw AuditVerificationFailure(kind: .unsignedMessage(type: entry.type), line: line.number, index: entry.index)
                }
            case .valid:
                signed += 1
            case .invalid(let kind):
                throw AuditVerificationFailure(kind: kind, line: line.number, index: entry.index)
            }
            entries.append(entry)
            expectedPrev = entry.hash
        }
        return (entries, signed)
    }

    /// Names the damage at `position`, whose entry does not continue the chain.
    private func explainBreak(
        at position: Int, expectedIndex: Int, expectedPrev: String, accepted: [AuditEntry]
    ) -> AuditVerificationFailure {
        let line = lines[position].number
        guard let entry = valid[position] else {
            return AuditVerificationFailure(kind: .malformed(.notJSON), line: line, index: expectedIndex)
        }
        let previous = accepted.last

        // A verbatim copy of an entry already accepted (accepted entry k sits at position k).
        if accepted.indices.contains(entry.index), accepted[entry.index].hash == entry.hash {
            return AuditVerificationFailure(
                kind: .inserted("a copy of entry \(entry.index) on line \(lines[entry.index].number)"),
                line: line, index: entry.index
            )
        }
        let later = valid.filter { $0.key > position }.values
        let isLinkedTo = links[entry.hash] != nil

        // Two entries claim the same place (same index, same predecessor): the one the next
        // entry continues from is genuine, the other is the insertion.
        if let previous, entry.index == previous.index, entry.prev == previous.prev {
            let previousLine = lines[position - 1].number
            let nextContinuesHere = valid[position + 1].map { $0.prev == entry.hash } ?? false
            if nextContinuesHere {
                return AuditVerificationFailure(
                    kind: .inserted("competes with entry \(entry.index) on line \(line), and the chain continues from that one"),
                    line: previousLine, index: previous.index
                )
            }
            return AuditVerificationFailure(
                kind: .inserted("competes with entry \(previous.index) on line \(previousLine), and nothing continues from it"),
                line: line, index: entry.index
            )
        }

        // The genuine next entry is further down.
        let successorIsLater = later.contains { $0.index == expectedIndex && $0.prev == expectedPrev }
        if successorIsLater {
            // A genuine entry is linked to by its successor; the last one at least follows
            // its own predecessor (index one lower) and shares it with no rival.
            let followsLaterPredecessor = later.contains { $0.hash == entry.prev && $0.index == entry.index - 1 }
                && links[entry.prev] == 1
            if isLinkedTo || followsLaterPredecessor {
                return AuditVerificationFailure(
                    kind: .reordered(found: entry.index, expected: expectedIndex), line: line, index: entry.index
                )
            }
            return AuditVerificationFailure(
                kind: .inserted("no entry links to it, and the genuine entry \(expectedIndex) follows later"),
                line: line, index: entry.index
            )
        }

        if entry.index > expectedIndex {
            // Nothing later fills the gap. If this entry links to a hash that is nowhere in
            // the file, the entries before it were taken out.
            if !knownHashes.contains(entry.prev) || entry.prev == expectedPrev {
                return AuditVerificationFailure(
                    kind: .removed(missing: expectedIndex...(entry.index - 1)), line: line, index: entry.index
                )
            }
            return AuditVerificationFailure(
                kind: .reordered(found: entry.index, expected: expectedIndex), line: line, index: entry.index
            )
        }

        if entry.index < expectedIndex {
            return AuditVerificationFailure(
                kind: isLinkedTo || knownHashes.contains(entry.prev) && entry.prev != expectedPrev
                    ? .reordered(found: entry.index, expected: expectedIndex)
                    : .inserted("index \(entry.index) was already used"),
                line: line, index: entry.index
            )
        }

        return AuditVerificationFailure(
            kind: .chainBroken(prev: entry.prev, previousHash: expectedPrev), line: line, index: entry.index
        )
    }
}
