/// What a valid proof shows, and what it does not (``AuditProofChecker``).
public struct AuditProofCheck: Sendable, Hashable, CustomStringConvertible {
    public var kind: AuditProof.Kind
    /// One line per thing the proof shows.
    public var proven: [String]
    /// What it cannot show.
    public var notProven: [String]
    /// Whether the heads' key (and a signed entry's) was bound to the run's keyring.
    public var keysFromKeyring: Bool

    public var description: String {
        (["VALID \(kind.rawValue) proof"] + proven + (keysFromKeyring
            ? ["keys: bound to the keyring (the auditor's key; the sender's for a signed entry)"]
            : ["keys: TAKEN FROM THE PROOF (no --keyring): only internal consistency is proven — that the key the proof carries signed it, not that the auditor did"])
            + notProven.map { "not proven: " + $0 })
            .joined(separator: "\n")
    }
}
