/// Why a ``ProtocolSubscriber`` refused a record. Every rejection is logged and counted; the
/// offset is committed anyway so one bad record cannot block its partition.
public enum RejectionReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case truncated
    case corrupt
    case unsupportedFrameVersion = "unsupported-frame-version"
    case unknownMessageType = "unknown-message-type"
    case unsupportedSchemaVersion = "unsupported-schema-version"
    case checksumMismatch = "checksum-mismatch"
    /// The payload's JSON or tensors did not decode as the declared type.
    case badPayload = "bad-payload"
    case badSignature = "bad-signature"
    case unsigned
    case unknownSigner = "unknown-signer"
    /// The sender may not send this type of message.
    case senderNotAllowed = "sender-not-allowed"
    /// The payload contradicts its envelope (client id, round, run).
    case bindingMismatch = "binding-mismatch"
    /// The message checked out as a message, but its content is unusable (a NaN in an update, the
    /// wrong number of parameters, more samples than the client bid): the handler refused it.
    case invalidContent = "invalid-content"
    /// A chunk set was given up on (timed out, evicted for memory, or inconsistent).
    case incompleteChunkSet = "incomplete-chunk-set"

    public var description: String { rawValue }

    init(_ error: ProtocolError) {
        switch error {
        case .truncated: self = .truncated
        case .corrupt: self = .corrupt
        case .unsupportedFrameVersion: self = .unsupportedFrameVersion
        case .unknownMessageType: self = .unknownMessageType
        case .unsupportedSchemaVersion: self = .unsupportedSchemaVersion
        case .checksumMismatch: self = .checksumMismatch
        case .badSignature: self = .badSignature
        case .unsigned: self = .unsigned
        case .unknownSigner: self = .unknownSigner
        case .senderNotAllowed: self = .senderNotAllowed
        case .bindingMismatch: self = .bindingMismatch
        case .payload, .wrongMessageType, .invalidKey: self = .badPayload
        case .persistence: self = .corrupt
        }
    }
}
