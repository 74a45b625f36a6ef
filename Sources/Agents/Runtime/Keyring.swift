import Crypto
import Foundation

/// The public keys of every sender in a run, by sender name ("server", "aggregator", "guardian-7").
/// `agentfl run` writes it before starting the roles; the auditor verifies every envelope's
/// Ed25519 signature against it and records a forged or unsigned message as rejected.
public struct Keyring: Codable, Sendable, Equatable {
    public var keys: [String: String]

    public init(keys: [String: String] = [:]) { self.keys = keys }

    public func publicKey(for sender: String) -> Curve25519.Signing.PublicKey? {
        guard let encoded = keys[sender], let raw = Data(base64Encoded: encoded) else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
    }

    public mutating func register(_ key: Curve25519.Signing.PublicKey, for sender: String) {
        keys[sender] = key.rawRepresentation.base64EncodedString()
    }

    public static func load(from url: URL) throws -> Keyring {
        do {
            return try JSONDecoder().decode(Keyring.self, from: Data(contentsOf: url))
        } catch {
            throw AgentError.invalidFile(url.path, reason: "not a keyring: \(error)")
        }
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}

/// A role's private signing key, stored as base64 of the raw 32 bytes in a file only the owner reads.
public enum SigningKeyFile {
    public static func load(from url: URL) throws -> Curve25519.Signing.PrivateKey {
        guard let text = try? String(contentsOf: url, encoding: .utf8),
              let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw AgentError.invalidFile(url.path, reason: "not a base64 Ed25519 private key") }
        return key
    }

    public static func write(_ key: Curve25519.Signing.PrivateKey, to url: URL) throws {
        try Data(key.rawRepresentation.base64EncodedString().utf8).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
    }
}
