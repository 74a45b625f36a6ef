/// Why a ``ProtocolSubscriber`` refused a record. Every rejection is logged and counted; the
/// offset is committed anyway so one bad record cannot block its partition.
public enum RejectionReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case truncated
    case corrupt
    case unknownMessageType = "unknown-message-type"
    case unsupportedSchemaVersion = "unsupported-schema-version"
    case checksumMismatch = "checksum-mismatch"
    /// The payload's JSON or tensors did not decode as the declared type.
    case badPayload = "bad-payload"
    case badSignature = "bad-signature"
    case unsigned
    case unknownSigner = "unknown-signer"
    /// A heartbeat offered a key other than the one pinned for its sender.
    case keyMismatch = "key-mismatch"
    /// A chunk set was given up on (timed out, evicted for memory, or inconsistent).
    case incompleteChunkSet = "incomplete-chunk-set"

    public var description: String { rawValue }

    init(_ error: ProtocolError) {
        switch error {
        case .truncated: self = .truncated
        case .corrupt: self = .corrupt
        case .unknownMessageType: self = .unknownMessageType
        case .unsupportedSchemaVersion: self = .unsupportedSchemaVersion
        case .checksumMismatch: self = .checksumMismatch
        case .badSignature: self = .badSignature
        case .unsigned: self = .unsigned
        case .unknownSigner: self = .unknownSigner
        case .keyMismatch: self = .keyMismatch
        case .payload, .wrongMessageType, .invalidKey: self = .badPayload
        case .persistence: self = .corrupt
        }
    }
}
