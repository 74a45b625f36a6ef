/// Why a frame, envelope or payload could not be written or read. Every case says what was wrong,
/// so a rejection log line is enough to find the cause.
public enum ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes end before `what` is complete.
    case truncated(what: String)
    /// The bytes are not a frame of this protocol, or a field holds an impossible value.
    case corrupt(reason: String)
    /// The envelope frame is of a version this build does not read (version 1 frames carry no run id).
    case unsupportedFrameVersion(got: Int, supported: Int)
    /// The envelope names a message type this build does not know.
    case unknownMessageType(String)
    /// The envelope's schema version is not the one this build reads for that type.
    case unsupportedSchemaVersion(type: MessageType, got: Int, supported: Int)
    /// A checksum over `what` does not match its content.
    case checksumMismatch(what: String)
    /// The signature does not verify against the key the run's keyring holds for the sender.
    case badSignature(sender: String)
    /// A signature was required but the envelope carries none.
    case unsigned(sender: String)
    /// The run's keyring holds no key for the sender, so nothing it says can be trusted.
    case unknownSigner(sender: String)
    /// The sender may not send this type of message (e.g. a guardian sending an assignment).
    case senderNotAllowed(sender: String, type: MessageType)
    /// The payload contradicts its envelope: a bid for another client than its sender speaks for,
    /// a round other than the envelope's, a call for another run.
    case bindingMismatch(sender: String, type: MessageType, reason: String)
    /// `decode(as:)` was asked for one type but the envelope holds another.
    case wrongMessageType(expected: MessageType, got: MessageType)
    /// The JSON part of a payload could not be encoded or decoded.
    case payload(type: String, reason: String)
    /// A public or private key could not be read.
    case invalidKey(reason: String)
    /// Reading or writing the de-duplication file failed.
    case persistence(path: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let what):
            "truncated frame: the bytes end inside \(what)"
        case .corrupt(let reason):
            "corrupt frame: \(reason)"
        case .unsupportedFrameVersion(let got, let supported):
            "envelope frame version \(got), this build reads version \(supported) only"
        case .unknownMessageType(let name):
            "unknown message type '\(name)' (known: \(MessageType.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .unsupportedSchemaVersion(let type, let got, let supported):
            "unsupported schema version \(got) for \(type) (this build reads version \(supported))"
        case .checksumMismatch(let what):
            "checksum mismatch in \(what): the bytes were altered or mixed up"
        case .badSignature(let sender):
            "signature of '\(sender)' does not verify against the key the run's keyring holds for it"
        case .unsigned(let sender):
            "message from '\(sender)' is not signed, but a signature is required"
        case .unknownSigner(let sender):
            "the run's keyring holds no key for sender '\(sender)'"
        case .senderNotAllowed(let sender, let type):
            "'\(sender)' may not send \(type) messages"
        case .bindingMismatch(let sender, let type, let reason):
            "\(type) from '\(sender)' contradicts its envelope: \(reason)"
        case .wrongMessageType(let expected, let got):
            "expected a \(expected) message, got \(got)"
        case .payload(let type, let reason):
            "cannot encode or decode the \(type) payload: \(reason)"
        case .invalidKey(let reason):
            "invalid key: \(reason)"
        case .persistence(let path, let reason):
            "de-duplication file \(path): \(reason)"
        }
    }
}
