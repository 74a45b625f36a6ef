/// A role instance saying it is alive, and publishing the public key its envelopes are signed with
/// (receivers pin it on first use).
public struct Heartbeat: ProtocolMessage, Hashable {
    public static let messageType = MessageType.heartbeat
    public static let schemaVersion = 1

    /// e.g. "server", "guardian", "aggregator", "auditor".
    public var role: String
    /// The envelope sender name, e.g. "guardian-7".
    public var instance: String
    /// Base64 of the raw 32-byte Ed25519 public key.
    public var publicKey: String
    /// e.g. "starting", "ready", "stopping".
    public var status: String

    public init(role: String, instance: String, publicKey: String, status: String) {
        self.role = role
        self.instance = instance
        self.publicKey = publicKey
        self.status = status
    }

    public var recordKey: String? { instance }
}

extension Heartbeat {
    public var authorship: Authorship { Authorship(sender: .exactly(instance), round: nil) }
}
