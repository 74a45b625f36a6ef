import Crypto
import Foundation

/// The public keys of every sender in a run, by sender name ("server", "aggregator", "auditor",
/// "guardian-7"). `agentfl run` writes it before starting the roles and hands it to every role.
///
/// It is also the binding of keys to clients: one guardian process's key is listed under the
/// names of exactly the clients it hosts, so a valid signature by that key under any other client's
/// name does not verify.
public struct Keyring: Codable, Sendable, Equatable {
    /// Sender name → base64 of the raw 32-byte Ed25519 public key.
    public var keys: [String: String]

    public init(keys: [String: String] = [:]) { self.keys = keys }

    public func publicKey(for sender: String) -> Curve25519.Signing.PublicKey? {
        guard let encoded = keys[sender] else { return nil }
        return try? PublicKeyCoding.publicKey(base64: encoded)
    }

    public mutating func register(_ key: Curve25519.Signing.PublicKey, for sender: String) {
        keys[sender] = PublicKeyCoding.base64(of: key)
    }

    /// The senders a key may speak for, sorted.
    public func senders(of key: Curve25519.Signing.PublicKey) -> [String] {
        let encoded = PublicKeyCoding.base64(of: key)
        return keys.filter { $0.value == encoded }.map(\.key).sorted()
    }

    public static func load(from url: URL) throws(KeyringError) -> Keyring {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: "\(error.localizedDescription)")
        }
        let keyring: Keyring
        do {
            keyring = try JSONDecoder().decode(Keyring.self, from: data)
        } catch {
            throw .malformed(path: url.path, reason: "not a keyring ({\"keys\": {sender: base64 key}}): \(error)")
        }
        for (sender, encoded) in keyring.keys.sorted(by: { $0.key < $1.key }) {
            do {
                _ = try PublicKeyCoding.publicKey(base64: encoded)
            } catch {
                throw .malformed(path: url.path, reason: "the key of '\(sender)': \(error)")
            }
        }
        return keyring
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}

/// Why a keyring file could not be used.
public enum KeyringError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "keyring \(path) cannot be read: \(reason)"
        case let .malformed(path, reason): "keyring \(path) is malformed: \(reason)"
        }
    }
}

/// Verifies envelopes against a ``Keyring``: one verifier per sender, built once.
public struct KeyringVerifier: Sendable {
    private let verifiers: [String: EnvelopeVerifier]
    public let keyring: Keyring

    public init(_ keyring: Keyring) throws(ProtocolError) {
        var verifiers: [String: EnvelopeVerifier] = [:]
        for (sender, encoded) in keyring.keys { verifiers[sender] = try EnvelopeVerifier(publicKeyBase64: encoded) }
        self.verifiers = verifiers
        self.keyring = keyring
    }

    /// Throws ``ProtocolError/unknownSigner(sender:)``, ``ProtocolError/unsigned(sender:)`` or
    /// ``ProtocolError/badSignature(sender:)``.
    public func verify(_ envelope: Envelope) throws(ProtocolError) {
        guard let verifier = verifiers[envelope.sender] else { throw .unknownSigner(sender: envelope.sender) }
        try verifier.verify(envelope)
    }
}
