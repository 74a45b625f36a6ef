import Crypto
import Foundation
import WireProtocol

/// The signing keys of one run: one Ed25519 key per role process, written to `directory` as
/// `NAME.key` (mode 0600 from creation), and the keyring (`keyring.json`) that lists each
/// process's public key under the sender names it may use — a guardian process's key under the
/// names of exactly the clients it hosts.
public struct RunKeys: Sendable {
    public let directory: URL
    public let keyring: Keyring

    public var keyringURL: URL { directory.appendingPathComponent("keyring.json") }

    /// The key file of a role process: "server", "aggregator", "auditor", or ``guardianProcess(_:)``.
    public func keyFile(_ process: String) -> URL { directory.appendingPathComponent("\(process).key") }

    /// The process name of the guardian host for `clients`.
    public static func guardianProcess(_ clients: ClosedRange<Int>) -> String {
        "guardian-\(clients.lowerBound)-\(clients.upperBound)"
    }

    /// Makes fresh keys for the server, aggregator, auditor and one guardian process per range.
    public static func generate(in directory: URL, guardianRanges: [ClosedRange<Int>]) throws -> RunKeys {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var keyring = Keyring()
        func make(_ process: String, senders: [String]) throws {
            let key = Curve25519.Signing.PrivateKey()
            try SigningKeyFile.write(key, to: directory.appendingPathComponent("\(process).key"))
            for sender in senders { keyring.register(key.publicKey, for: sender) }
        }
        try make("server", senders: [SenderName.server])
        try make("aggregator", senders: [SenderName.aggregator])
        try make("auditor", senders: [SenderName.auditor])
        for range in guardianRanges {
            try make(guardianProcess(range), senders: range.map(SenderName.guardian))
        }
        let keys = RunKeys(directory: directory, keyring: keyring)
        try keyring.write(to: keys.keyringURL)
        return keys
    }
}
